-- 002: Idempotency-Key for creating POSTs (per organisation).
--
-- The first request with a key inserts its row in the request's own
-- transaction; a concurrent request with the same key waits on the primary
-- key until that transaction ends, then either replays the stored response
-- (same request) or is refused (different request).  A failed request rolls
-- its row back with everything else, so a retry can succeed.
CREATE TABLE idempotency_keys (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    route           text NOT NULL,
    request_hash    bytea NOT NULL CHECK (length(request_hash) = 32),
    status          integer,
    response        text,
    location        text,
    etag            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON idempotency_keys
    USING (organisation_id = refgw_caller())
    WITH CHECK (organisation_id = refgw_caller());
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO refgw_app;
