-- 057: the audit chain's status for the coordinator (issue 18).
--
-- `refgw audit verify` walks the whole chain with the owner's connection;
-- the coordinator's console needs the same answer without the owner and
-- without a walk per request.  So every instance's housekeeping calls
-- refgw_audit_chain_verify(n): a bounded step of one rolling pass over the
-- chain (lane by lane, seq by seq, the same hash as refgw_audit_write), from
-- the position the previous step left in audit_chain_verification.  A pass
-- that reaches the end of the log checks the lane heads (a deleted tail) and
-- records its result; the next step starts a new pass from the first row,
-- so a row changed after it was verified is found by the next pass.  A pass
-- ends at the first break, recorded as lane, seq and a reason code.  One
-- instance steps at a time (the row is locked, SKIP LOCKED: the others skip).
--
-- The coordinator reads it through refgw_audit_chain_status(): counts,
-- positions, hashes and times, never a row's contents (action audit.chain,
-- the coordinator kind only, checked again here).  The last signed
-- checkpoint is a file the database does not hold (gateway/checkpoint.c):
-- the gateway notes when it wrote one, with how many lanes and entries, in
-- audit_checkpoint_noted, which the status shows as what it is, a note.

CREATE TABLE audit_chain_verification (
    id              boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- the pass under way: its number, start, and last row verified (lane
    -- NULL: it starts at the first row)
    pass            bigint NOT NULL DEFAULT 1,
    pass_started_at timestamptz,
    lane            integer,
    seq             bigint,
    head            bytea,
    pass_rows       bigint NOT NULL DEFAULT 0,
    checked_at      timestamptz,
    -- the last pass that ended
    completed_pass  bigint,
    completed_at    timestamptz,
    completed_rows  bigint,
    result          text CHECK (result IN ('intact', 'broken')),
    broken_lane     integer,
    broken_seq      bigint,
    broken_reason   text CHECK (broken_reason IN ('rows_missing', 'prev_hash_mismatch',
                                                  'hash_mismatch', 'head_mismatch')),
    CHECK ((result = 'broken') = (broken_reason IS NOT NULL))
);
INSERT INTO audit_chain_verification DEFAULT VALUES;
ALTER TABLE audit_chain_verification ENABLE ROW LEVEL SECURITY;

CREATE TABLE audit_checkpoint_noted (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    at      timestamptz NOT NULL,
    key_id  text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 200),
    lanes   integer NOT NULL CHECK (lanes >= 0),
    entries bigint NOT NULL CHECK (entries >= 0)
);
ALTER TABLE audit_checkpoint_noted ENABLE ROW LEVEL SECURITY;

INSERT INTO access_rules (kind, action, allowed)
VALUES ('coordinator', 'audit.chain', true)
ON CONFLICT DO NOTHING;

-- One step of at most p_rows rows.  Returns the state after it: 'running'
-- (the pass goes on), 'intact' or 'broken' (the pass ended), NULL when
-- another session is stepping.
CREATE FUNCTION refgw_audit_chain_verify(p_rows integer) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    v audit_chain_verification;
    r audit_log;
    prev bytea;
    expect bigint;
    cur integer;
    fetched integer := 0;
    verified integer := 0;
    bad text;
    bad_lane integer;
    bad_seq bigint;
BEGIN
    IF p_rows IS NULL OR p_rows < 1 THEN
        RAISE EXCEPTION 'p_rows must be positive' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO v FROM audit_chain_verification FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF v.lane IS NULL THEN
        v.pass_started_at := now();
        v.pass_rows := 0;
    END IF;
    cur := v.lane;
    prev := v.head;
    expect := coalesce(v.seq, 0) + 1;
    FOR r IN SELECT * FROM audit_log a
              WHERE v.lane IS NULL OR (a.lane, a.seq) > (v.lane, v.seq)
              ORDER BY a.lane, a.seq
              LIMIT p_rows
    LOOP
        fetched := fetched + 1;
        IF cur IS NULL OR r.lane <> cur THEN
            cur := r.lane;
            prev := '\x'::bytea;
            expect := 1;
        END IF;
        IF r.seq <> expect THEN
            bad := 'rows_missing';
            bad_seq := expect;
        ELSIF r.prev_hash <> prev THEN
            bad := 'prev_hash_mismatch';
        ELSIF r.hash <> sha256(prev || convert_to(refgw_audit_canonical(r), 'UTF8')) THEN
            bad := 'hash_mismatch';
        END IF;
        IF bad IS NOT NULL THEN
            bad_lane := r.lane;
            bad_seq := coalesce(bad_seq, r.seq);
            EXIT;
        END IF;
        prev := r.hash;
        expect := r.seq + 1;
        verified := verified + 1;
        v.lane := r.lane;
        v.seq := r.seq;
        v.head := r.hash;
    END LOOP;
    v.pass_rows := v.pass_rows + verified;
    v.checked_at := now();
    IF bad IS NULL AND fetched = p_rows THEN
        UPDATE audit_chain_verification
           SET pass_started_at = v.pass_started_at, lane = v.lane, seq = v.seq,
               head = v.head, pass_rows = v.pass_rows, checked_at = v.checked_at;
        RETURN 'running';
    END IF;
    IF bad IS NULL THEN
        -- The end of the log: every lane's head is its last row (one
        -- statement, one snapshot of both tables).
        SELECT h.lane, h.seq INTO bad_lane, bad_seq
          FROM audit_lanes h
          LEFT JOIN LATERAL (SELECT max(l.seq) AS seq,
                                    (array_agg(l.hash ORDER BY l.seq DESC))[1] AS hash
                               FROM audit_log l WHERE l.lane = h.lane) t ON true
         WHERE coalesce(t.seq, 0) <> h.seq OR (h.seq > 0 AND t.hash IS DISTINCT FROM h.head)
         ORDER BY h.lane LIMIT 1;
        IF FOUND THEN
            bad := 'head_mismatch';
        END IF;
    END IF;
    UPDATE audit_chain_verification
       SET pass = v.pass + 1, pass_started_at = NULL, lane = NULL, seq = NULL, head = NULL,
           pass_rows = 0, checked_at = v.checked_at,
           completed_pass = v.pass, completed_at = v.checked_at,
           completed_rows = v.pass_rows,
           result = CASE WHEN bad IS NULL THEN 'intact' ELSE 'broken' END,
           broken_lane = bad_lane, broken_seq = bad_seq, broken_reason = bad;
    RETURN CASE WHEN bad IS NULL THEN 'intact' ELSE 'broken' END;
END
$$;

REVOKE ALL ON FUNCTION refgw_audit_chain_verify(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_audit_chain_verify(integer) TO refgw_app;

-- What the gateway knows of the checkpoint it has just signed and written.
CREATE FUNCTION refgw_audit_checkpoint_note(p_at timestamptz, p_key_id text, p_lanes integer,
                                            p_entries bigint) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    INSERT INTO audit_checkpoint_noted (id, at, key_id, lanes, entries)
    VALUES (true, p_at, p_key_id, p_lanes, p_entries)
    ON CONFLICT (id) DO UPDATE
       SET at = excluded.at, key_id = excluded.key_id, lanes = excluded.lanes,
           entries = excluded.entries
     WHERE audit_checkpoint_noted.at <= excluded.at
$$;

REVOKE ALL ON FUNCTION refgw_audit_checkpoint_note(timestamptz, text, integer, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_audit_checkpoint_note(timestamptz, text, integer, bigint)
    TO refgw_app;

-- The status document (docs/openapi.yaml, AuditChain), for a coordinator
-- that the rules give audit.chain; anyone else: insufficient_privilege.
CREATE FUNCTION refgw_audit_chain_status() RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    v audit_chain_verification;
    cp audit_checkpoint_noted;
    lanes bigint;
    entries bigint;
    digest text;
BEGIN
    IF NOT (refgw_caller_is_coordinator() AND refgw_caller_may('audit.chain')) THEN
        RAISE EXCEPTION 'the audit chain''s status is for coordinators'
              USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT * INTO v FROM audit_chain_verification;
    SELECT * INTO cp FROM audit_checkpoint_noted;
    SELECT count(*) FILTER (WHERE h.seq > 0), coalesce(sum(h.seq), 0),
           encode(sha256(convert_to(coalesce(string_agg(h.lane || ':' || h.seq || ':'
                                                        || encode(h.head, 'hex'), E'\n'
                                                        ORDER BY h.lane), ''), 'UTF8')), 'hex')
      INTO lanes, entries, digest
      FROM audit_lanes h WHERE h.seq > 0;
    RETURN jsonb_build_object(
        'status', coalesce(v.result, 'unverified'),
        'entries', entries,
        'lanes', lanes,
        'heads_sha256', digest,
        'checked_at', refgw_export_ts(v.checked_at),
        'last_pass', CASE WHEN v.completed_pass IS NULL THEN NULL ELSE jsonb_build_object(
            'pass', v.completed_pass,
            'completed_at', refgw_export_ts(v.completed_at),
            'rows', v.completed_rows,
            'result', v.result,
            'broken', CASE WHEN v.result = 'broken' THEN jsonb_build_object(
                'lane', v.broken_lane, 'seq', v.broken_seq, 'reason', v.broken_reason)
                ELSE NULL END) END,
        'current_pass', jsonb_build_object(
            'pass', v.pass,
            'started_at', refgw_export_ts(v.pass_started_at),
            'rows', v.pass_rows,
            'lane', v.lane,
            'seq', v.seq),
        'checkpoint', CASE WHEN cp.at IS NULL THEN NULL ELSE jsonb_build_object(
            'at', refgw_export_ts(cp.at), 'key_id', cp.key_id,
            'lanes', cp.lanes, 'entries', cp.entries) END);
END
$$;

REVOKE ALL ON FUNCTION refgw_audit_chain_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_audit_chain_status() TO refgw_app;
