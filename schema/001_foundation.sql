-- 001: organisations, certificates, the audit log, and the runtime role's rights.
--
-- Applied by `refgw migrate` as the schema owner (never the runtime role).
-- The runtime role `refgw_app` must already exist (docs/operations.md); it
-- owns nothing, is not a superuser, has no BYPASSRLS, and gets only the
-- rights granted below.  Every table holding organisation data has row-level
-- security keyed on the calling organisation, which the gateway sets per
-- transaction through refgw_authenticate().

-- The calling organisation of this transaction, or NULL.
CREATE FUNCTION refgw_caller() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('refgw.org_id', true), '')::uuid $$;

CREATE TABLE organisations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('justice_aid', 'street_work', 'homeless_service',
                                               'cpas', 'housing_operator', 'coordinator')),
    programs    text[] NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE certificates (
    sha256            bytea PRIMARY KEY CHECK (length(sha256) = 32),
    organisation_id   uuid NOT NULL REFERENCES organisations (id),
    subject           text NOT NULL,
    issuer            text NOT NULL,
    serial            text NOT NULL,
    not_before        timestamptz NOT NULL,
    not_after         timestamptz NOT NULL,
    pem               text NOT NULL,
    registered_at     timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    revocation_reason text
);
CREATE INDEX certificates_organisation_idx ON certificates (organisation_id);

-- Is the calling organisation a coordinator?  SECURITY DEFINER so that the
-- answer comes from the organisations table, not from anything the caller set.
CREATE FUNCTION refgw_caller_is_coordinator() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT coalesce((SELECT kind = 'coordinator' AND status = 'active'
                       FROM organisations WHERE id = refgw_caller()), false)
$$;

-- Identify the caller of this transaction by its certificate fingerprint.
-- Sets refgw.org_id (transaction-local) only when the certificate is
-- registered, not revoked and its organisation active; returns the row so the
-- gateway can say precisely why it refuses.
CREATE FUNCTION refgw_authenticate(fingerprint bytea)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, org_status text,
               revoked boolean, org_set text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND o.status = 'active'
                THEN set_config('refgw.org_id', o.id::text, true) END
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint
$$;

ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificates ENABLE ROW LEVEL SECURITY;

-- The directory (name, kind, programs, status) is readable by every
-- authenticated organisation; only coordinators change it.
CREATE POLICY organisations_read ON organisations FOR SELECT
    USING (refgw_caller() IS NOT NULL);
CREATE POLICY organisations_insert ON organisations FOR INSERT
    WITH CHECK ((SELECT refgw_caller_is_coordinator()));
CREATE POLICY organisations_update ON organisations FOR UPDATE
    USING ((SELECT refgw_caller_is_coordinator()))
    WITH CHECK ((SELECT refgw_caller_is_coordinator()));

-- An organisation sees its own certificates; coordinators see and manage all.
CREATE POLICY certificates_read ON certificates FOR SELECT
    USING (organisation_id = refgw_caller() OR (SELECT refgw_caller_is_coordinator()));
CREATE POLICY certificates_insert ON certificates FOR INSERT
    WITH CHECK ((SELECT refgw_caller_is_coordinator()));
CREATE POLICY certificates_update ON certificates FOR UPDATE
    USING ((SELECT refgw_caller_is_coordinator()))
    WITH CHECK ((SELECT refgw_caller_is_coordinator()));

-- Audit log: append-only, hash-chained in lanes.  A lane is one PostgreSQL
-- backend (pg_backend_pid()): a backend runs one transaction at a time, so
-- concurrent requests on different pooled connections, on any number of
-- gateway instances, never wait for each other on the chain head.  Each row's
-- hash = sha256(previous hash of the lane || canonical encoding of the row);
-- `refgw audit verify` recomputes every lane.  See docs/security.md.
CREATE TABLE audit_lanes (
    lane  integer PRIMARY KEY,
    seq   bigint NOT NULL,
    head  bytea NOT NULL
);

CREATE TABLE audit_log (
    lane               integer NOT NULL,
    seq                bigint NOT NULL,
    at                 timestamptz NOT NULL,
    organisation_id    uuid,
    certificate_sha256 bytea,
    request_id         text NOT NULL,
    action             text NOT NULL,
    resource_type      text NOT NULL DEFAULT '',
    resource_id        text NOT NULL DEFAULT '',
    person_id          uuid,
    detail             jsonb NOT NULL DEFAULT '{}',
    prev_hash          bytea NOT NULL,
    hash               bytea NOT NULL,
    PRIMARY KEY (lane, seq)
);
CREATE INDEX audit_log_person_idx ON audit_log (person_id, at) WHERE person_id IS NOT NULL;

-- Length-prefixed field, so that no value can be confused with a separator.
CREATE FUNCTION refgw_audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT octet_length(coalesce(v, ''))::text || ':' || coalesce(v, '') $$;

-- The canonical text a row's hash covers (version 1).  gateway/audit.c builds
-- the same bytes when it verifies; change both together or not at all.
CREATE FUNCTION refgw_audit_canonical(a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT 'refgw-audit-v1'
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
$$;

-- Append one audit row in the caller's transaction.  The organisation is the
-- one authenticated for this transaction (never a parameter).
CREATE FUNCTION refgw_audit_append(p_certificate bytea, p_request_id text, p_action text,
                                   p_resource_type text, p_resource_id text,
                                   p_person_id uuid, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
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
    r.organisation_id := refgw_caller();
    r.certificate_sha256 := p_certificate;
    r.request_id := coalesce(p_request_id, '');
    r.action := p_action;
    r.resource_type := coalesce(p_resource_type, '');
    r.resource_id := coalesce(p_resource_id, '');
    r.person_id := p_person_id;
    r.detail := coalesce(p_detail, '{}'::jsonb);
    r.prev_hash := l.head;
    r.hash := sha256(l.head || convert_to(refgw_audit_canonical(r), 'UTF8'));
    INSERT INTO audit_log VALUES (r.*);
    UPDATE audit_lanes SET seq = r.seq, head = r.hash WHERE lane = r.lane;
    RETURN r.seq;
END
$$;

-- The log is append-only for everyone, owner included: tampering needs
-- ALTER TABLE ... DISABLE TRIGGER, which only the owner can do and which
-- `refgw audit verify` then detects.
CREATE FUNCTION refgw_audit_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refgw_audit_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refgw_audit_immutable();

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_lanes ENABLE ROW LEVEL SECURITY;
-- Coordinators may read the log (GET /v1/audit, a later migration widens
-- this to the creators of a person's consents); nobody else reads it.
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING ((SELECT refgw_caller_is_coordinator()));

-- The runtime role: exactly these rights, nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO refgw_app;
GRANT SELECT, INSERT, UPDATE ON organisations, certificates TO refgw_app;
GRANT SELECT ON audit_log TO refgw_app;
GRANT EXECUTE ON FUNCTION refgw_caller(), refgw_caller_is_coordinator(),
    refgw_authenticate(bytea),
    refgw_audit_append(bytea, text, text, text, text, uuid, jsonb) TO refgw_app;
