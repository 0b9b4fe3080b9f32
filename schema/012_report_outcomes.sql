-- 012: the referrals report also says how referrals ended: the outcome of
-- their last occupancy if they led to one (durable_housing, street, ...), else
-- the reason code of their last transition (no_capacity, person_declined,
-- consent_withdrawn, ...), else nothing yet.
DROP FUNCTION refgw_report_referrals();
CREATE FUNCTION refgw_report_referrals()
RETURNS TABLE (month text, program text, status text, outcome text, referrals integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT refgw_caller_may('report.read') THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT to_char(date_trunc('month', r.created_at), 'YYYY-MM'), r.program, r.status,
           coalesce((SELECT o.outcome FROM occupancies o WHERE o.referral_id = r.id
                      ORDER BY o.start_date DESC LIMIT 1),
                    (SELECT t.reason_code FROM referral_transitions t WHERE t.referral_id = r.id
                      ORDER BY t.at DESC LIMIT 1)) AS outcome,
           CASE WHEN count(*) < 5 THEN NULL ELSE count(*)::int END
      FROM referrals r
     WHERE refgw_caller_is_coordinator() OR r.from_org = refgw_caller() OR r.to_org = refgw_caller()
     GROUP BY 1, 2, 3, 4
     ORDER BY 1, 2, 3, 4;
END
$$;
GRANT EXECUTE ON FUNCTION refgw_report_referrals() TO refgw_app;
