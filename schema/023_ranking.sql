-- 023: justice conditions that exclude communes, and the candidates' order (issue 14, item 4).
--
-- needs.excluded_communes: the communes a judicial condition forbids the
-- person (category justice, not housing_situation like avoid_communes).  The
-- gateway validates it (gateway/categories.c); this function, the database's
-- own coverage check (schema/016, referral_data_insert_covered), must map it
-- to justice too, or a covered referral would be refused.  The ranking itself
-- (ST_CANDIDATES, docs/candidates.md) reads needs from refgw_waitlist_needs(),
-- unchanged.
CREATE OR REPLACE FUNCTION refgw_personal_categories(p_data jsonb, p_reason text, p_needs jsonb,
                                                     p_release_date date)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
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
              FROM jsonb_object_keys(coalesce(p_needs, '{}')) k) cats
$$;
