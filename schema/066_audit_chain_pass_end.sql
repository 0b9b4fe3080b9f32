-- 066: the end of a verification pass reads each lane's last row by the
-- primary key (lane, seq), one index probe per lane.  057 aggregated every
-- hash of every lane into arrays to take the first: at millions of rows,
-- seconds and hundreds of megabytes at each pass's end, on the thread that
-- also listens for erasures (a hostile review of 2026-12-02).  Same answer:
-- the lane's greatest seq and that row's hash.

CREATE OR REPLACE FUNCTION refgw_audit_chain_verify(p_rows integer) RETURNS text
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
          LEFT JOIN LATERAL (SELECT l.seq, l.hash
                               FROM audit_log l WHERE l.lane = h.lane
                              ORDER BY l.seq DESC LIMIT 1) t ON true
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
