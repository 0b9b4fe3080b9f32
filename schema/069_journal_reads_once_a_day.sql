-- 069: the person's journal (schema/054) shows an organisation's reads once
-- a day (a hostile review of issue 19).
--
-- The journal keeps the newest 500 entries.  Since lists of occupancies
-- audit a current stay's note as a read (occupancy.read, one row per person
-- per page view), a housing officer paging through a list twenty times a
-- day pushed the person's older entries (who recorded them, who received a
-- referral) out of the 500.  Reads now collapse: the reads by one
-- organisation, for one purpose, on one day (Europe/Brussels, the field's
-- day) are one entry, at the latest of them, with their number in `count`;
-- every other entry stands alone (`count` 1).  The 500 are counted after
-- collapsing, so a day of reads costs one entry.  Nothing else changes: the
-- same sources, the same kinds, the same answer for an unknown, revoked or
-- erased code (NULL), and the reading is audited as before.

CREATE OR REPLACE FUNCTION refgw_journal(p_hash bytea, p_request_id text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path TO pg_catalog, public
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
    WITH a AS (
        SELECT a.at, a.lane, a.seq,
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
                            'follow_up.entries.read', 'consent.list')),
    -- A read's group is its organisation, purpose and day; any other
    -- entry is a group of its own (its lane and seq).
    e AS (
      (SELECT max(a.at) AS at, max(a.lane) AS lane, max(a.seq) AS seq, a.org, a.kind,
              a.purpose, count(*)::int AS times
         FROM a
        GROUP BY a.org, a.kind, a.purpose,
                 CASE WHEN a.kind = 'read'
                      THEN (a.at AT TIME ZONE 'Europe/Brussels')::date END,
                 CASE WHEN a.kind <> 'read' THEN a.lane END,
                 CASE WHEN a.kind <> 'read' THEN a.seq END
        ORDER BY 1 DESC, 2 DESC, 3 DESC
        LIMIT 501)
      UNION ALL
      -- A unit's operator receives the categories a proposal shares (its
      -- audit row names the proposal, not the person: the proposals table
      -- says whose).
      (SELECT p.created_at, 0, 0, p.operator_org, 'received', r.purpose, 1
         FROM proposals p JOIN referrals r ON r.id = p.referral_id
        WHERE r.person_id = rc.person_id
        ORDER BY p.created_at DESC
        LIMIT 501))
    SELECT count(*)::int,
           coalesce(jsonb_agg(jsonb_build_object(
                        'at', refgw_export_ts(e.at),
                        'organisation', o.name,
                        'kind', e.kind,
                        'purpose', e.purpose,
                        'count', e.times)
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
