-- 034: two placements of one person serialise (closing note of issue 14).
-- refgw_person_placed (027) looks at every open referral of the person
-- record, but the callers lock only the referral they place: two
-- operators accepting, at the same moment, proposals of two different
-- referrals of one person (an intake and a referral sent) each saw no
-- other placement in their snapshot, and both committed.  The check now
-- first takes the person's row lock (FOR NO KEY UPDATE, which does not
-- block the foreign-key checks of new referrals), then looks, in a fresh
-- snapshot, at what the transaction it waited for committed.  The lock
-- order of every placement is: consent, referral, person, unit.
CREATE OR REPLACE FUNCTION refgw_person_placed(p_referral uuid, p_except uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM 1 FROM persons
     WHERE id = (SELECT person_id FROM referrals WHERE id = p_referral)
       FOR NO KEY UPDATE;
    -- A new statement: in READ COMMITTED, a snapshot taken after the lock.
    RETURN (
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
                        WHERE o.referral_id IN (SELECT id FROM same) AND o.end_date IS NULL));
END
$$;
