-- 042: the referent is alerted only while the referral's consent holds
-- (schema/040: it reads the occupancy only then; an alert about a stay it
-- may no longer read would still tell it the stay goes on).  029's
-- function, with the referent's row conditioned.
CREATE OR REPLACE FUNCTION refgw_notify_ending_soon(p_days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    a record;
    n integer := 0;
BEGIN
    FOR a IN
        WITH due AS (
            SELECT DISTINCT o.id, t.org, t.type
              FROM occupancies o
              JOIN referrals f ON f.id = o.referral_id
             CROSS JOIN LATERAL (VALUES (o.operator_org, 'occupancy.ending_soon'),
                                        (o.referring_org, 'occupancy.ending_soon'),
                                        (CASE WHEN refgw_referral_consent_covers(f.id, '{}')
                                              THEN o.referent_org END, 'occupancy.ending_soon'),
                                        (f.from_org, 'placement.ending_soon'),
                                        (f.to_org, 'placement.ending_soon')) AS t(org, type)
             WHERE o.end_date IS NULL AND o.ending_soon_notified_at IS NULL
               AND o.planned_end_date IS NOT NULL
               AND o.planned_end_date <= current_date
                       + greatest(p_days, (SELECT max(days_before) FROM alert_thresholds))
               AND t.org IS NOT NULL
               AND current_date >= o.planned_end_date
                       - refgw_alert_days(t.org, o.convention_kind, p_days)
               AND NOT EXISTS (SELECT 1 FROM occupancy_alerts s
                                WHERE s.occupancy_id = o.id AND s.organisation_id = t.org
                                  AND s.type = t.type))
        INSERT INTO occupancy_alerts AS s (occupancy_id, organisation_id, type)
        SELECT id, org, type FROM due
            ON CONFLICT DO NOTHING
        RETURNING s.occupancy_id, s.organisation_id, s.type
    LOOP
        IF a.type = 'placement.ending_soon' THEN
            PERFORM refgw_event_write(a.organisation_id, a.type, 'referral',
                                      (SELECT referral_id FROM occupancies
                                        WHERE id = a.occupancy_id));
        ELSE
            PERFORM refgw_event_write(a.organisation_id, a.type, 'occupancy', a.occupancy_id);
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
