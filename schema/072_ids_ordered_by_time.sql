-- 072: the ids of referrals and of their transitions ordered by time
-- (issue 19: the open loop's tail grew with the tables).
--
-- Each create inserts into four B-tree indexes keyed by a random UUID:
-- referrals_pkey, referral_data_pkey (its key is the referral's id),
-- referral_transitions_pkey and referral_transitions_idx (referral_id, at).
-- A random key lands on a random leaf: every create dirties four leaves
-- anywhere in the index, the first touch of each leaf after a checkpoint
-- writes its full 8 kB image to the WAL, leaves split half-full (the
-- indexes were a third larger: 3.6 MB against 2.3 MB after 75 000 creates),
-- and the backends and the checkpointer write all those pages back.  A key
-- that begins with the time lands on the rightmost leaves, which stay in
-- the cache and fill up, as a sequence's would.
--
-- refgw_uuid_v7() is the layout of RFC 9562's version 7 (PostgreSQL 18's
-- uuidv7()): 48 bits of Unix time in milliseconds, the version 7, then the
-- 74 random bits of gen_random_uuid (a 4's version nibble replaced, its
-- variant kept).  An id is still unguessable (74 random bits, where a
-- random UUID has 122), and still never a capability: row-level security
-- decides who reads a referral.  What it tells is when it was made, to the
-- millisecond, which its reader already has (created_at, and each
-- transition's at).  Ids within one millisecond are not ordered: they need
-- only to be near each other.
--
-- Persons, consents and the other tables keep random ids: a person's id is
-- a pseudonym that says nothing, not even when it was made, and none of
-- them is written at a referral's rate.
--
-- Ids already given stay as they are: nothing reads an id's bits, and both
-- kinds sort and compare as uuids.

CREATE FUNCTION refgw_uuid_v7() RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL SAFE
AS $$
DECLARE
    -- every name qualified: a default runs with the inserting role's
    -- search_path, and a type (uuid) could otherwise come from pg_temp
    t text := pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.floor(
                  pg_catalog.date_part('epoch', pg_catalog.clock_timestamp()) * 1000)::bigint), 12, '0');
    -- xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: the 4 (character 15) is the version
    r text := pg_catalog.gen_random_uuid()::text;
BEGIN
    RETURN (pg_catalog.substr(t, 1, 8) || '-' || pg_catalog.substr(t, 9, 4) || '-7'
            || pg_catalog.substr(r, 16))::pg_catalog.uuid;
END
$$;
REVOKE ALL ON FUNCTION refgw_uuid_v7() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_uuid_v7() TO refgw_app;

ALTER TABLE referrals ALTER COLUMN id SET DEFAULT refgw_uuid_v7();
ALTER TABLE referral_transitions ALTER COLUMN id SET DEFAULT refgw_uuid_v7();
