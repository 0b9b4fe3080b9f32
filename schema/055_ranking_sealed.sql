-- 055: the needs the candidates ranking reads, sealed a second time as one
-- value per referral (issue 16, item 5: the cost of ranking sealed needs).
--
-- Ranking a unit's candidates reads the caller's whole waitlist: with the
-- needs sealed member by member (051), that is five openings per referral
-- and five sealed values read and sent to the gateway.  The gateway now also
-- writes, when it creates a referral, one sealed JSON object of what the
-- ranking reads (household_size, accessibility, avoid_communes,
-- excluded_communes, preferred_communes, release_date), under the same
-- person's key (label "ranking"), in referral_data.ranking: one opening per
-- referral, about a third of the bytes.  The members stay as they are: the
-- referral's reads, the export and the categories are theirs.
--
-- It is a copy of the same data, under the same consent categories (the
-- insert's coverage check reads the needs' names and the release date,
-- which the copy cannot exceed: the gateway builds it from them), erased
-- with them (the person's key; and any update of the needs or the release
-- date, as erasure's, drops the copy), deleted with the row by retention.
-- A row written before 055 has none: the ranking opens its members then.

ALTER TABLE referral_data ADD COLUMN ranking text
    CONSTRAINT referral_data_ranking_sealed CHECK (ranking LIKE 'rgw1.%');

-- An update of the needs or the release date (erasure empties them,
-- schema/047) drops the copy: it never says more than the members.
CREATE FUNCTION refgw_ranking_follows_needs() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.ranking := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER referral_data_ranking_follows_needs
    BEFORE UPDATE OF needs, release_date ON referral_data
    FOR EACH ROW EXECUTE FUNCTION refgw_ranking_follows_needs();

-- The caller's waitlisted referrals whose consent holds, with the person
-- whose key opens them: the ranking copy, or, for a row without one, the
-- needs and release date member by member.
DROP FUNCTION refgw_waitlist_needs();
CREATE FUNCTION refgw_waitlist_needs()
RETURNS TABLE (referral_id uuid, person_id uuid, needs jsonb, release_date text, ranking text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT d.referral_id, r.person_id,
           CASE WHEN d.ranking IS NULL THEN d.needs END,
           CASE WHEN d.ranking IS NULL THEN d.release_date END,
           d.ranking
      FROM referrals r
      JOIN consents c ON c.id = r.consent_id
      JOIN referral_data d ON d.referral_id = r.id
     WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted'
       AND c.status = 'active' AND c.valid_until >= current_date
       AND (SELECT refgw_caller_may('referral.read'))
$$;
REVOKE ALL ON FUNCTION refgw_waitlist_needs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_waitlist_needs() TO refgw_app;
