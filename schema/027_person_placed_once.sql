-- 027: a person is placed once, whichever of its referrals carries the
-- placement (hostile review of issue 14).  refgw_person_placed (022) looked
-- at one referral: one person record referred twice (an organisation's own
-- intake and a referral it sent, say) could be accepted for two units.  It
-- now looks at every open referral of the same person record (a person
-- record is one organisation's: persons.created_by), and at the referral
-- itself whatever its state, as before.  What the 409 person-placed tells
-- an operator is only that the person is housed already, never where.

CREATE OR REPLACE FUNCTION refgw_person_placed(p_referral uuid, p_except uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    WITH same AS (
        SELECT r2.id FROM referrals r1 JOIN referrals r2 ON r2.person_id = r1.person_id
         WHERE r1.id = p_referral
           AND (r2.id = p_referral
                OR r2.status NOT IN ('declined', 'cancelled', 'consent_withdrawn', 'completed')))
    SELECT EXISTS (SELECT 1 FROM proposals p
                    WHERE p.referral_id IN (SELECT id FROM same) AND p.status = 'accepted'
                      AND p.id IS DISTINCT FROM p_except
                      AND NOT EXISTS (SELECT 1 FROM occupancies o
                                       WHERE o.proposal_id = p.id AND o.end_date IS NOT NULL))
        OR EXISTS (SELECT 1 FROM occupancies o
                    WHERE o.referral_id IN (SELECT id FROM same) AND o.end_date IS NULL)
$$;
