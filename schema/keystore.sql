-- The key store (gateway/keystore.c): each person's data key, wrapped under
-- a master key that PostgreSQL never sees (REFGW_MASTER_KEY_FILE).  It lives
-- in the database REFGW_KEYSTORE_URL names: in production another database
-- than the data's, backed up on its own schedule, so that destroying a
-- person's key (erasure) makes their data unreadable in every copy and
-- backup of the data at once (docs/data-protection.md, "Erasure").
-- `refgw migrate` applies this file to the key store every time: it must
-- stay idempotent.
SET client_min_messages = warning;
CREATE TABLE IF NOT EXISTS person_keys (
    person_id    uuid PRIMARY KEY,
    kid          text NOT NULL CHECK (kid ~ '^[a-z0-9._-]{1,32}$'),
    wrapped      bytea NOT NULL CHECK (length(wrapped) = 60),
    created_at   timestamptz NOT NULL DEFAULT now(),
    rewrapped_at timestamptz
);
CREATE INDEX IF NOT EXISTS person_keys_kid ON person_keys (kid);
-- The gateway's role creates, reads and destroys keys; nothing else.
GRANT SELECT, INSERT, UPDATE, DELETE ON person_keys TO refgw_app;
