-- 053: the natural person in the audit (issue 17, item 5).  Every row
-- written in a signed-in session's request names the user beside the
-- organisation: its id and its label as it was then ("display name
-- <email>"), from the caller that refgw_session_authenticate (052) set.
-- Rows with a user are chained under the canonical form refgw-audit-v2
-- (v1's fields, then the user's id and label); rows without one keep v1,
-- so every row written before still verifies (refgw audit verify,
-- gateway/audit.c computes the same).
ALTER TABLE audit_log ADD COLUMN user_id uuid, ADD COLUMN user_label text;

CREATE OR REPLACE FUNCTION refgw_audit_canonical(a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE WHEN a.user_id IS NULL THEN 'refgw-audit-v1' ELSE 'refgw-audit-v2' END
        || refgw_audit_field(a.lane::text)
        || refgw_audit_field(a.seq::text)
        || refgw_audit_field((extract(epoch FROM a.at) * 1000000)::bigint::text)
        || refgw_audit_field(a.organisation_id::text)
        || refgw_audit_field(encode(a.certificate_sha256, 'hex'))
        || refgw_audit_field(a.request_id)
        || refgw_audit_field(a.action)
        || refgw_audit_field(a.resource_type)
        || refgw_audit_field(a.resource_id)
        || refgw_audit_field(a.person_id::text)
        || refgw_audit_field(a.detail::text)
        || CASE WHEN a.user_id IS NULL THEN ''
                ELSE refgw_audit_field(a.user_id::text) || refgw_audit_field(a.user_label) END
$$;

CREATE OR REPLACE FUNCTION refgw_audit_write(p_org uuid, p_certificate bytea, p_request_id text,
                                             p_action text, p_resource_type text,
                                             p_resource_id text, p_person_id uuid,
                                             p_detail jsonb) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    r audit_log;
    l audit_lanes;
BEGIN
    r.lane := pg_backend_pid();
    INSERT INTO audit_lanes (lane, seq, head) VALUES (r.lane, 0, '\x'::bytea)
        ON CONFLICT (lane) DO NOTHING;
    SELECT * INTO STRICT l FROM audit_lanes WHERE lane = r.lane FOR UPDATE;
    r.seq := l.seq + 1;
    r.at := date_trunc('microseconds', clock_timestamp());
    r.organisation_id := p_org;
    r.certificate_sha256 := p_certificate;
    r.request_id := coalesce(p_request_id, '');
    r.action := p_action;
    r.resource_type := coalesce(p_resource_type, '');
    r.resource_id := coalesce(p_resource_id, '');
    r.person_id := p_person_id;
    r.detail := coalesce(p_detail, '{}'::jsonb);
    -- The session's user (052), only beside its organisation.
    IF p_org IS NOT NULL THEN
        r.user_id := nullif(current_setting('refgw.user_id', true), '')::uuid;
        IF r.user_id IS NOT NULL THEN
            r.user_label := coalesce(current_setting('refgw.user_label', true), '');
        END IF;
    END IF;
    r.prev_hash := l.head;
    r.hash := sha256(l.head || convert_to(refgw_audit_canonical(r), 'UTF8'));
    INSERT INTO audit_log VALUES (r.*);
    UPDATE audit_lanes SET seq = r.seq, head = r.hash WHERE lane = r.lane;
    RETURN r.seq;
END
$$;
