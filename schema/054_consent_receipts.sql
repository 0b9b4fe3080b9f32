-- 054: the person's own journal, without eID (issue 18).
--
-- * A consent's slip carries a receipt code: 128 random bits drawn by the
--   gateway (OpenSSL's RAND_bytes), printed in Crockford base32.  Only its
--   SHA-256 is stored: the code has the entropy of a key, so no salt and no
--   slow hash are needed (nobody can try 2^128 candidates against a dump);
--   a dump holds no usable code.
-- * One receipt per consent: issuing again replaces the hash (the old code
--   stops working at once); revoking stamps revoked_at.  Only the
--   organisation that recorded the consent sees, issues or revokes it
--   (row-level security, action consent.receipt).
-- * Whoever holds the code reads, through refgw_journal (SECURITY DEFINER,
--   the only way in without a certificate or a session), which
--   organisations recorded, read, received (a referral, a housing proposal)
--   or exported the person's data,
--   when and for what purpose: the organisation's name, never a user, a
--   certificate, or the data.  A revoked code, an unknown one and an erased
--   person answer alike (NULL).  Every successful reading is audited
--   (journal.read, no organisation: the recording organisations do not see
--   it in GET /v1/audit, as they do not see an export).
-- * refgw_journal_throttle counts every reading per source address and in
--   all (the sign-in throttle's table, keys 'journal:...'), shared by every
--   instance: 20 per address and 2000 in all per 10-minute window.

CREATE TABLE consent_receipts (
    consent_id      uuid PRIMARY KEY REFERENCES consents (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    person_id       uuid NOT NULL REFERENCES persons (id),
    code_hash       bytea NOT NULL UNIQUE CHECK (octet_length(code_hash) = 32),
    issued_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);

-- The recorder of the consent, for its person; no new code for an erased
-- person (schema/047's trigger: 410 person-erased), though revoking stays.
CREATE FUNCTION refgw_receipt_matches_consent(p_consent uuid, p_org uuid, p_person uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM consents c
                    WHERE c.id = p_consent AND c.created_by = p_org
                      AND c.person_id = p_person)
$$;

CREATE TRIGGER consent_receipts_person_not_erased
    BEFORE INSERT OR UPDATE OF code_hash ON consent_receipts
    FOR EACH ROW EXECUTE FUNCTION refgw_person_not_erased();

ALTER TABLE consent_receipts ENABLE ROW LEVEL SECURITY;
CREATE POLICY consent_receipts_own ON consent_receipts
    USING (organisation_id = (SELECT refgw_caller())
           AND (SELECT refgw_caller_may('consent.receipt')))
    WITH CHECK (organisation_id = (SELECT refgw_caller())
                AND (SELECT refgw_caller_may('consent.receipt'))
                AND refgw_receipt_matches_consent(consent_id, organisation_id, person_id));
GRANT SELECT, INSERT ON consent_receipts TO refgw_app;
GRANT UPDATE (code_hash, issued_at, revoked_at) ON consent_receipts TO refgw_app;

-- Every organisation that records consents may give their slips a code.
INSERT INTO access_rules (kind, action, allowed)
SELECT kind, 'consent.receipt', true
  FROM access_rules
 WHERE action = 'consent.create' AND allowed AND kind IS NOT NULL
ON CONFLICT DO NOTHING;

-- Seconds the reader must wait (0: read).  Counts this reading.
CREATE FUNCTION refgw_journal_throttle(p_source text) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    k text;
    lim integer;
    n integer;
    started timestamptz;
    wait integer := 0;
BEGIN
    FOREACH k IN ARRAY ARRAY['journal:source:' || coalesce(p_source, 'unknown'), 'journal:all']
    LOOP
        lim := CASE WHEN k = 'journal:all' THEN 2000 ELSE 20 END;
        INSERT INTO signin_throttle AS t (key, failures) VALUES (k, 1)
        ON CONFLICT (key) DO UPDATE
           SET failures = CASE WHEN t.window_start > now() - interval '10 minutes'
                               THEN t.failures + 1 ELSE 1 END,
               window_start = CASE WHEN t.window_start > now() - interval '10 minutes'
                                   THEN t.window_start ELSE now() END
        RETURNING t.failures, t.window_start INTO n, started;
        IF n > lim THEN
            wait := greatest(wait, ceil(extract(epoch FROM started + interval '10 minutes'
                                                         - now()))::int, 1);
        END IF;
    END LOOP;
    RETURN wait;
END
$$;

-- The journal of the code whose SHA-256 is p_hash: {"entries":[...],
-- "truncated":bool}, newest first, at most 500 entries; NULL for an
-- unknown or revoked code or an erased person.  Audited when found.
CREATE FUNCTION refgw_journal(p_hash bytea, p_request_id text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    rc consent_receipts;
    doc jsonb;
    n integer;
BEGIN
    SELECT cr.* INTO rc
      FROM consent_receipts cr JOIN persons p ON p.id = cr.person_id
     WHERE cr.code_hash = p_hash AND cr.revoked_at IS NULL AND p.erased_at IS NULL;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    WITH e AS (
      (SELECT a.at, a.lane, a.seq,
               CASE a.action
                    WHEN 'referral.create' THEN r.to_org
                    ELSE a.organisation_id END AS org,
               CASE a.action
                    WHEN 'person.create' THEN 'recorded'
                    WHEN 'referral.intake' THEN 'recorded'
                    WHEN 'follow_up.entry.create' THEN 'recorded'
                    WHEN 'consent.create' THEN 'consent_recorded'
                    WHEN 'consent.withdraw' THEN 'consent_withdrawn'
                    WHEN 'referral.create' THEN 'received'
                    WHEN 'person.exported' THEN 'exported'
                    ELSE 'read' END AS kind,
               coalesce(r.purpose, c.purposes[1]) AS purpose
          FROM audit_log a
          LEFT JOIN referrals r
                 ON a.resource_type = 'referral'
                AND a.resource_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                AND r.id = a.resource_id::uuid
          LEFT JOIN consents c
                 ON a.resource_type = 'consent'
                AND a.resource_id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                AND c.id = a.resource_id::uuid
         WHERE a.person_id = rc.person_id
           AND a.action IN ('person.create', 'referral.intake', 'follow_up.entry.create',
                            'consent.create', 'consent.withdraw', 'referral.create',
                            'person.exported', 'referral.read', 'occupancy.read',
                            'follow_up.entries.read', 'consent.list')
         ORDER BY a.at DESC, a.lane DESC, a.seq DESC
         LIMIT 501)
      UNION ALL
      -- A unit's operator receives the categories a proposal shares (its
      -- audit row names the proposal, not the person: the proposals table
      -- says whose).
      (SELECT p.created_at, 0, 0, p.operator_org, 'received', r.purpose
         FROM proposals p JOIN referrals r ON r.id = p.referral_id
        WHERE r.person_id = rc.person_id
        ORDER BY p.created_at DESC
        LIMIT 501))
    SELECT count(*)::int,
           coalesce(jsonb_agg(jsonb_build_object(
                        'at', refgw_export_ts(e.at),
                        'organisation', o.name,
                        'kind', e.kind,
                        'purpose', e.purpose)
                    ORDER BY e.at DESC, e.lane DESC, e.seq DESC)
                    FILTER (WHERE e.rn <= 500), '[]'::jsonb)
      INTO n, doc
      FROM (SELECT e.*, row_number() OVER (ORDER BY e.at DESC, e.lane DESC, e.seq DESC) AS rn
              FROM e) e
      JOIN organisations o ON o.id = e.org;
    PERFORM refgw_audit_write(NULL, NULL, p_request_id, 'journal.read', 'consent_receipt',
                              rc.consent_id::text, rc.person_id,
                              jsonb_build_object('entries', least(n, 500)));
    RETURN jsonb_build_object('entries', doc, 'truncated', n > 500);
END
$$;

REVOKE ALL ON FUNCTION refgw_receipt_matches_consent(uuid, uuid, uuid),
    refgw_journal_throttle(text), refgw_journal(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_receipt_matches_consent(uuid, uuid, uuid),
    refgw_journal_throttle(text), refgw_journal(bytea, text) TO refgw_app;
