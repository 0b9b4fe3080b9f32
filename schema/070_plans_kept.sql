-- 070: a function of the create that was planned at every call (issue 19).
--
-- PostgreSQL 15 keeps no plan for a SQL-language function it cannot inline:
-- each call parses, analyses and plans its body again (fmgr_sql).  A
-- PL/pgSQL function plans each statement once per session and keeps the
-- plan.  refgw_personal_categories has a FROM, so it is never inlined; it
-- runs in referral_data's insert policy (016), once per referral written
-- or changed, and cost 0.22 ms of the create's 1.65 ms of database time
-- (pg_stat_user_functions, one client, docs/performance.md), most of it
-- planning.  Same body, same answers, same volatility: now PL/pgSQL.
-- (refgw_event_write, 067, is PL/pgSQL for the same reason.)

CREATE OR REPLACE FUNCTION refgw_personal_categories(p_data jsonb, p_reason text, p_needs jsonb,
                                                     p_release_date text)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN (
    SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}')
      FROM (SELECT jsonb_object_keys(coalesce(p_data, '{}')) AS c
            UNION ALL
            SELECT 'housing_situation' WHERE p_reason IS NOT NULL
            UNION ALL
            SELECT 'justice' WHERE p_release_date IS NOT NULL
            UNION ALL
            SELECT CASE k WHEN 'household_size' THEN 'family'
                          WHEN 'accessibility' THEN 'health'
                          WHEN 'avoid_communes' THEN 'housing_situation'
                          WHEN 'preferred_communes' THEN 'housing_situation'
                          WHEN 'excluded_communes' THEN 'justice'
                          WHEN 'income_band' THEN 'income'
                          ELSE 'unknown:' || k END
              FROM jsonb_object_keys(coalesce(p_needs, '{}')) k) cats);
END
$$;
