-- 010: aggregate reports.  Aggregates only: any count of people (referrals,
-- occupancies) below 5 is suppressed (NULL), and the figures derived from
-- such a count with it.  A coordinator sees every organisation's figures;
-- others see their own.  SECURITY DEFINER because a coordinator may not read
-- the rows themselves, only these aggregates.
INSERT INTO access_rules (kind, action, allowed)
SELECT k, 'report.read', true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas', 'housing_operator',
                    'coordinator']) k;

CREATE FUNCTION refgw_report_occupancy()
RETURNS TABLE (site_id uuid, site text, operator_id uuid, operator text, commune text,
               units integer, period_from date, period_until date, status text,
               occupancies integer, occupied_days integer, vacant_days integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT refgw_caller_may('report.read') THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH s AS (
        SELECT st.*, o.name AS operator_name,
               (SELECT count(*)::int FROM units u WHERE u.site_id = st.id) AS n_units,
               least(coalesce(st.period_until, current_date), current_date) AS upto
          FROM sites st JOIN organisations o ON o.id = st.operator_org
         WHERE refgw_caller_is_coordinator() OR st.operator_org = refgw_caller()),
    occ AS (
        SELECT u.site_id, count(*)::int AS n,
               sum(greatest(0, least(coalesce(oc.end_date, oc.planned_end_date), current_date)
                               - oc.start_date))::int AS days
          FROM occupancies oc JOIN units u ON u.id = oc.unit_id
         GROUP BY u.site_id)
    SELECT s.id, s.name, s.operator_org, s.operator_name, s.commune, s.n_units, s.period_from,
           s.period_until,
           CASE WHEN s.period_until IS NOT NULL AND s.period_until < current_date
                THEN 'closed' ELSE 'running' END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.n, 0) END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.days, 0) END,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL
                ELSE greatest(0, s.n_units * greatest(0, s.upto - s.period_from) - coalesce(occ.days, 0)) END
      FROM s LEFT JOIN occ ON occ.site_id = s.id
     ORDER BY s.operator_name, s.name, s.id;
END
$$;

-- Referrals counted by month of creation, program, status: the caller's own
-- (sent or received), or everyone's for a coordinator.
CREATE FUNCTION refgw_report_referrals()
RETURNS TABLE (month text, program text, status text, referrals integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT refgw_caller_may('report.read') THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT to_char(date_trunc('month', r.created_at), 'YYYY-MM'), r.program, r.status,
           CASE WHEN count(*) < 5 THEN NULL ELSE count(*)::int END
      FROM referrals r
     WHERE refgw_caller_is_coordinator() OR r.from_org = refgw_caller() OR r.to_org = refgw_caller()
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3;
END
$$;

GRANT EXECUTE ON FUNCTION refgw_report_occupancy(), refgw_report_referrals() TO refgw_app;
