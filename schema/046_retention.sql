-- 046: retention (issue 16, item 1).  Personal data is kept for a period
-- per category and state (docs/data-protection.md, "Retention"), then
-- removed by housekeeping, by one instance at a time:
--   referral_data      a closed referral's personal fields (the row), N
--                      months after its last transition; the referral row
--                      (ids, statuses, program, dates) stays for the reports
--   consent_withdrawn  a withdrawn consent's evidence and withdrawal reason
--                      (set to NULL), N months after the withdrawal
--   consent_expired    an expired consent's evidence, N months after
--                      valid_until
--   follow_up_entries  the entries of a closed follow-up, N months after it
--                      closed (follow_ups.closed_at, below)
--   idempotency_keys   replays, N days after the key was first used
-- The audit log is never touched: its chain still verifies.

-- A consent's evidence may be gone; evidence_removed_at says when (and that
-- it was retention, not an omission).  Evidence removed stays removed.  (No
-- stronger check: how the evidence is stored may change, e.g. encrypted in
-- another column, without this marker having to follow.)
ALTER TABLE consents ALTER COLUMN evidence DROP NOT NULL;
ALTER TABLE consents ADD COLUMN evidence_removed_at timestamptz;
ALTER TABLE consents ADD CONSTRAINT consents_evidence_removed
    CHECK (evidence_removed_at IS NULL OR evidence IS NULL);

-- When a follow-up closed (closed is final, gateway/follow_ups.c); those
-- closed before this migration: their last change.
ALTER TABLE follow_ups ADD COLUMN closed_at timestamptz;
UPDATE follow_ups SET closed_at = updated_at WHERE status = 'closed';
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_closed_at
    CHECK ((status = 'closed') = (closed_at IS NOT NULL));

CREATE FUNCTION refgw_follow_up_closing() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.status <> 'closed' THEN
        NEW.closed_at := NULL;
    ELSIF TG_OP = 'INSERT' OR OLD.status <> 'closed' THEN
        NEW.closed_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER follow_ups_closing BEFORE INSERT OR UPDATE OF status ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION refgw_follow_up_closing();

-- Applies the schedule (p_dry_run false) or counts what it would remove
-- (true: nothing changes).  One row per category: what was (or would be)
-- removed and the oldest reference time among those rows (closure,
-- withdrawal, valid_until, the key's first use); NULL when none.  A real run
-- takes a transaction-scoped advisory lock first: when another session
-- holds it (another instance's housekeeping, an operator's `refgw
-- retention`) it returns no row and changes nothing, so two instances never
-- both act.  At most p_batch rows per category per call (the next call
-- goes on).  A real run that removed anything appends one audit row
-- `retention.applied` (request id p_by: housekeeping or cli) whose detail
-- holds the counts per category and the schedule, no personal data.
CREATE FUNCTION refgw_retention_apply(p_dry_run boolean, p_referral_months integer,
                                      p_consent_withdrawn_months integer,
                                      p_consent_expired_months integer,
                                      p_follow_up_months integer, p_idempotency_days integer,
                                      p_batch integer, p_by text)
RETURNS TABLE (category text, removed bigint, oldest timestamptz)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    referral_cut timestamptz := now() - make_interval(months => p_referral_months);
    withdrawn_cut timestamptz := now() - make_interval(months => p_consent_withdrawn_months);
    expired_cut date := (current_date - make_interval(months => p_consent_expired_months))::date;
    follow_up_cut timestamptz := now() - make_interval(months => p_follow_up_months);
    idem_cut timestamptz := now() - make_interval(days => p_idempotency_days);
    n1 bigint; n2 bigint; n3 bigint; n4 bigint; n5 bigint;
    o1 timestamptz; o2 timestamptz; o3 timestamptz; o4 timestamptz; o5 timestamptz;
    names text[] := ARRAY['referral_data', 'consent_withdrawn', 'consent_expired',
                          'follow_up_entries', 'idempotency_keys'];
BEGIN
    IF least(p_referral_months, p_consent_withdrawn_months, p_consent_expired_months,
             p_follow_up_months, p_idempotency_days, p_batch) < 1 THEN
        RAISE EXCEPTION 'refgw_retention_apply: every period and the batch must be at least 1'
            USING ERRCODE = '22023';
    END IF;
    IF p_dry_run THEN
        SELECT count(*), min(x.closed_at) INTO n1, o1
          FROM (SELECT coalesce((SELECT max(t.at) FROM referral_transitions t
                                  WHERE t.referral_id = r.id), r.updated_at) AS closed_at
                  FROM referrals r JOIN referral_data d ON d.referral_id = r.id
                 WHERE r.status IN ('completed', 'declined', 'cancelled', 'consent_withdrawn')) x
         WHERE x.closed_at < referral_cut;
        SELECT count(*), min(c.withdrawn_at) INTO n2, o2 FROM consents c
         WHERE c.status = 'withdrawn' AND c.evidence IS NOT NULL
           AND c.withdrawn_at < withdrawn_cut;
        SELECT count(*), min(c.valid_until)::timestamptz INTO n3, o3 FROM consents c
         WHERE c.status = 'active' AND c.evidence IS NOT NULL AND c.valid_until < expired_cut;
        SELECT count(*), min(f.closed_at) INTO n4, o4
          FROM follow_up_entries e JOIN follow_ups f ON f.id = e.follow_up_id
         WHERE f.status = 'closed' AND f.closed_at < follow_up_cut;
        SELECT count(*), min(k.created_at) INTO n5, o5 FROM idempotency_keys k
         WHERE k.created_at < idem_cut;
    ELSE
        IF NOT pg_try_advisory_xact_lock(7301046) THEN
            RETURN; -- another session is applying it: no row, nothing done
        END IF;
        WITH doomed AS (
            SELECT x.referral_id, x.closed_at
              FROM (SELECT d.referral_id,
                           coalesce((SELECT max(t.at) FROM referral_transitions t
                                      WHERE t.referral_id = r.id), r.updated_at) AS closed_at
                      FROM referrals r JOIN referral_data d ON d.referral_id = r.id
                     WHERE r.status IN ('completed', 'declined', 'cancelled',
                                        'consent_withdrawn')) x
             WHERE x.closed_at < referral_cut
             ORDER BY x.closed_at LIMIT p_batch),
        gone AS (DELETE FROM referral_data d USING doomed x
                  WHERE d.referral_id = x.referral_id RETURNING x.closed_at)
        SELECT count(*), min(g.closed_at) INTO n1, o1 FROM gone g;
        WITH doomed AS (
            SELECT c.id FROM consents c
             WHERE c.status = 'withdrawn' AND c.evidence IS NOT NULL
               AND c.withdrawn_at < withdrawn_cut
             ORDER BY c.withdrawn_at LIMIT p_batch),
        gone AS (UPDATE consents c SET evidence = NULL, withdrawal_reason = NULL,
                                       evidence_removed_at = now()
                   FROM doomed x WHERE c.id = x.id RETURNING c.withdrawn_at)
        SELECT count(*), min(g.withdrawn_at) INTO n2, o2 FROM gone g;
        WITH doomed AS (
            SELECT c.id FROM consents c
             WHERE c.status = 'active' AND c.evidence IS NOT NULL
               AND c.valid_until < expired_cut
             ORDER BY c.valid_until LIMIT p_batch),
        gone AS (UPDATE consents c SET evidence = NULL, evidence_removed_at = now()
                   FROM doomed x WHERE c.id = x.id RETURNING c.valid_until)
        SELECT count(*), min(g.valid_until)::timestamptz INTO n3, o3 FROM gone g;
        WITH doomed AS (
            SELECT e.id, f.closed_at
              FROM follow_up_entries e JOIN follow_ups f ON f.id = e.follow_up_id
             WHERE f.status = 'closed' AND f.closed_at < follow_up_cut
             ORDER BY f.closed_at LIMIT p_batch),
        gone AS (DELETE FROM follow_up_entries e USING doomed x WHERE e.id = x.id
                 RETURNING x.closed_at)
        SELECT count(*), min(g.closed_at) INTO n4, o4 FROM gone g;
        WITH doomed AS (
            SELECT k.organisation_id, k.key, k.created_at FROM idempotency_keys k
             WHERE k.created_at < idem_cut ORDER BY k.created_at LIMIT p_batch),
        gone AS (DELETE FROM idempotency_keys k USING doomed x
                  WHERE k.organisation_id = x.organisation_id AND k.key = x.key
                 RETURNING x.created_at)
        SELECT count(*), min(g.created_at) INTO n5, o5 FROM gone g;
        IF n1 + n2 + n3 + n4 + n5 > 0 THEN
            PERFORM refgw_audit_append_system(
                NULL, p_by, 'retention.applied', 'retention', '', NULL,
                jsonb_build_object(
                    'removed', jsonb_build_object(names[1], n1, names[2], n2,
                                                  names[3], n3, names[4], n4,
                                                  names[5], n5),
                    'schedule', jsonb_build_object(
                        'referral_data_months', p_referral_months,
                        'consent_withdrawn_months', p_consent_withdrawn_months,
                        'consent_expired_months', p_consent_expired_months,
                        'follow_up_entries_months', p_follow_up_months,
                        'idempotency_keys_days', p_idempotency_days)));
        END IF;
    END IF;
    RETURN QUERY SELECT names[i], (ARRAY[n1, n2, n3, n4, n5])[i],
                        (ARRAY[o1, o2, o3, o4, o5])[i]
                   FROM generate_series(1, 5) AS i ORDER BY i;
END
$$;

REVOKE ALL ON FUNCTION refgw_retention_apply(boolean, integer, integer, integer, integer,
                                             integer, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_retention_apply(boolean, integer, integer, integer, integer,
                                                integer, integer, text) TO refgw_app;
