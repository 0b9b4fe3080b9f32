-- Demo data for `make run` (not a migration): when the demo organisations
-- want their "ending soon" alerts (schema/029).  Rizome-Bxl hears about an
-- 18-month transit convention three months (91 days) before its end, to
-- prepare the way out with the person.  Idempotent.
INSERT INTO alert_thresholds (organisation_id, convention_kind, days_before)
SELECT o.id, 'transit_convention', 91 FROM organisations o
 WHERE o.name = 'Rizome-Bxl'
   AND NOT EXISTS (SELECT 1 FROM alert_thresholds t
                    WHERE t.organisation_id = o.id AND t.convention_kind = 'transit_convention');
