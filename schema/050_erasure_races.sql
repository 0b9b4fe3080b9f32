-- Review of issue 16 (suite review16): races of an erasure.
--
-- 1. A consent recorded while an erasure of its person is under way: the
--    trigger of schema/047 read persons.erased_at without a lock, saw "not
--    erased" (the erasure not committed yet), and the consent committed
--    after the erasure, active (the erasure withdrew only the consents it
--    saw); on it a referral with a release date in clear could be sent for
--    the erased person.  The trigger now takes the person row FOR KEY
--    SHARE, which waits for the erasure (it holds the row FOR UPDATE) and
--    then reads the committed erased_at.
CREATE OR REPLACE FUNCTION refgw_person_not_erased() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    erased timestamptz;
BEGIN
    SELECT p.erased_at INTO erased FROM persons p WHERE p.id = NEW.person_id FOR KEY SHARE;
    IF erased IS NOT NULL THEN
        RAISE EXCEPTION 'person % was erased', NEW.person_id USING ERRCODE = '23R04';
    END IF;
    RETURN NEW;
END
$$;
-- 2. Every instance keeps the data keys it used in memory (keystore.c);
--    an erasure destroyed the key in the key store and in the erasing
--    instance's cache only, and another instance went on opening the
--    person's sealed evidence and stored replays with its cached copy for
--    up to REFGW_KEY_CACHE_SECONDS.  An erasure now notifies every instance
--    (channel refgw_erased, payload the person's id, at commit), which
--    drops its copy (gateway/notify.c).
CREATE FUNCTION refgw_person_erased_notify() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM pg_notify('refgw_erased', NEW.id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER persons_erased_notify AFTER UPDATE OF erased_at ON persons
    FOR EACH ROW WHEN (NEW.erased_at IS NOT NULL AND OLD.erased_at IS NULL)
    EXECUTE FUNCTION refgw_person_erased_notify();
