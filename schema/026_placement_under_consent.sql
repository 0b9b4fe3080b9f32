-- 026: where a person was housed is shown only while the consent holds.
-- refgw_referral_placement (022) hid the outcome and the address once the
-- consent stopped holding, but still showed the parties the operator, the
-- unit and the dates: together with the referral, where the person lives
-- (hostile review of issue 14).  Now the whole placement goes with the
-- consent, as the personal fields do.

CREATE OR REPLACE FUNCTION refgw_referral_placement(p_referral uuid)
RETURNS TABLE(id uuid, kind text, operator_org uuid, unit_id uuid, start_date date,
              planned_end_date date, end_date date, outcome text, address text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.kind, o.operator_org, o.unit_id, o.start_date, o.planned_end_date,
           o.end_date, o.outcome,
           CASE WHEN 'contact' = ANY (c.data_categories)
                THEN (SELECT a.address FROM unit_addresses a WHERE a.unit_id = o.unit_id) END
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN occupancies o ON o.referral_id = r.id
     WHERE r.id = p_referral AND refgw_caller() IN (r.from_org, r.to_org)
       AND c.status = 'active' AND c.valid_until >= current_date
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT 1
$$;
