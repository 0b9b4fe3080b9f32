-- 017: certificate registration is two-party; the last active coordinator stays
-- (issue 12, items 7 and 9; docs/security.md, "Certificate registration is two-party").
--
-- A coordinator could register a certificate of its own for any organisation
-- and act as it.  Now:
--   * an organisation's first certificate, registered by a coordinator, is
--     active at once (someone has to start);
--   * a certificate an organisation registers for itself (authenticated by a
--     current certificate of its own: rotation) is active at once;
--   * any other certificate a coordinator registers is `pending`: it
--     authenticates nothing until the organisation confirms it with a current
--     certificate, or -- for an organisation with no active certificate left
--     -- until a second coordinator certificate confirms it (four eyes: a
--     certificate that is not the registering one, and neither registered,
--     directly or through a chain of registrations, by the other);
--   * the operator's CLI (`refgw cert register`, as the schema owner, with no
--     authenticated caller) is the out-of-band bootstrap path: active at once,
--     audited with the OS user.
-- Every registration, confirmation and revocation sends the organisation an
-- event.  These rules are triggers on the table, so that no path (the API,
-- SQL as the runtime role, a bug in C) can skip them.

ALTER TABLE certificates
    ADD COLUMN confirmed_at    timestamptz,
    ADD COLUMN registered_by   uuid REFERENCES organisations (id),
    ADD COLUMN registered_with bytea,
    ADD COLUMN confirmed_by    uuid REFERENCES organisations (id),
    ADD COLUMN confirmed_with  bytea;
-- Every certificate registered so far was active at once.
UPDATE certificates SET confirmed_at = registered_at;

-- The certificate that authenticated this transaction (set with the caller by
-- refgw_authenticate), or NULL.
CREATE FUNCTION refgw_caller_certificate() RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT decode(nullif(current_setting('refgw.certificate', true), ''), 'hex') $$;

CREATE FUNCTION refgw_set_caller(p_org uuid, p_certificate bytea) RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    PERFORM set_config('refgw.certificate', encode(p_certificate, 'hex'), true);
    RETURN set_config('refgw.org_id', p_org::text, true);
END
$$;

-- A pending certificate authenticates nothing: the caller is set only for a
-- certificate that is confirmed, not revoked, of an active organisation.
DROP FUNCTION refgw_authenticate(bytea, text);
CREATE FUNCTION refgw_authenticate(fingerprint bytea, p_action text)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, org_status text,
               revoked boolean, org_set text, may boolean, pending boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND c.confirmed_at IS NOT NULL AND o.status = 'active'
                THEN refgw_set_caller(o.id, c.sha256) END,
           p_action IS NULL OR coalesce((
               SELECT r.allowed FROM access_rules r
                WHERE r.action = p_action AND (r.organisation_id = o.id OR r.kind = o.kind)
                ORDER BY r.organisation_id IS NULL LIMIT 1), false),
           c.revoked_at IS NULL AND c.confirmed_at IS NULL
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint;
END
$$;

-- Why the caller may not confirm pending certificate c, or NULL when it may.
CREATE FUNCTION refgw_certificate_confirm_refusal(c certificates) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    caller uuid := refgw_caller();
    mine bytea := refgw_caller_certificate();
    confirmer certificates;
BEGIN
    IF caller IS NULL THEN
        -- No authenticated caller: only the schema owner gets here (the
        -- runtime role's row-level security refuses the update), i.e. the
        -- operator's CLI.
        RETURN NULL;
    END IF;
    IF caller = c.organisation_id THEN
        RETURN NULL; -- the organisation itself, with a current certificate
    END IF;
    IF NOT refgw_caller_is_coordinator() OR NOT refgw_caller_may('certificate.manage') THEN
        RETURN 'forbidden';
    END IF;
    IF EXISTS (SELECT 1 FROM certificates a
                WHERE a.organisation_id = c.organisation_id AND a.confirmed_at IS NOT NULL
                  AND a.revoked_at IS NULL AND a.not_after > now()) THEN
        RETURN 'organisation_must_confirm';
    END IF;
    -- Four eyes: a second certificate, not in the registering one's chain.
    IF mine IS NULL OR mine = c.registered_with THEN
        RETURN 'four_eyes';
    END IF;
    SELECT * INTO confirmer FROM certificates WHERE sha256 = mine;
    IF NOT FOUND OR EXISTS (
        WITH RECURSIVE chain(sha256) AS (
            SELECT confirmer.registered_with
            UNION
            SELECT x.registered_with FROM certificates x JOIN chain ON x.sha256 = chain.sha256
             WHERE x.registered_with IS NOT NULL)
        SELECT 1 FROM chain WHERE chain.sha256 = c.registered_with)
       OR EXISTS (
        WITH RECURSIVE chain(sha256) AS (
            SELECT c.registered_with
            UNION
            SELECT x.registered_with FROM certificates x JOIN chain ON x.sha256 = chain.sha256
             WHERE x.registered_with IS NOT NULL)
        SELECT 1 FROM chain WHERE chain.sha256 = mine) THEN
        RETURN 'four_eyes';
    END IF;
    RETURN NULL;
END
$$;

-- Registration: who registers decides the state; nothing the inserter sends
-- about confirmation or revocation is kept.
CREATE FUNCTION refgw_certificate_registering() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    caller uuid := refgw_caller();
BEGIN
    NEW.registered_at := now();
    NEW.revoked_at := NULL;
    NEW.revocation_reason := NULL;
    NEW.confirmed_at := NULL;
    NEW.confirmed_by := NULL;
    NEW.confirmed_with := NULL;
    NEW.registered_by := caller;
    NEW.registered_with := CASE WHEN caller IS NULL THEN NULL ELSE refgw_caller_certificate() END;
    -- One registration at a time per organisation: "first" stays first.
    PERFORM 1 FROM organisations WHERE id = NEW.organisation_id FOR UPDATE;
    IF caller IS NULL
       OR caller = NEW.organisation_id
       OR NOT EXISTS (SELECT 1 FROM certificates WHERE organisation_id = NEW.organisation_id) THEN
        NEW.confirmed_at := NEW.registered_at;
        NEW.confirmed_by := caller;
        NEW.confirmed_with := NEW.registered_with;
    END IF;
    RETURN NEW;
END
$$;

-- Changes: a certificate's identity and origin never change, revocation and
-- confirmation are one-way, and a confirmation follows the rules above.
CREATE FUNCTION refgw_certificate_changing() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    refusal text;
BEGIN
    IF NEW.sha256 <> OLD.sha256 OR NEW.organisation_id <> OLD.organisation_id
       OR NEW.pem <> OLD.pem OR NEW.registered_at <> OLD.registered_at
       OR NEW.registered_by IS DISTINCT FROM OLD.registered_by
       OR NEW.registered_with IS DISTINCT FROM OLD.registered_with
       OR (OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at)
       OR (OLD.confirmed_at IS NOT NULL AND NEW.confirmed_at IS DISTINCT FROM OLD.confirmed_at) THEN
        RAISE EXCEPTION 'a certificate''s identity, origin, confirmation and revocation cannot be changed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'certificates_history';
    END IF;
    IF OLD.confirmed_at IS NULL AND NEW.confirmed_at IS NOT NULL THEN
        IF OLD.revoked_at IS NOT NULL THEN
            RAISE EXCEPTION 'a revoked certificate cannot be confirmed'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'certificates_confirmation';
        END IF;
        refusal := refgw_certificate_confirm_refusal(OLD);
        IF refusal IS NOT NULL THEN
            RAISE EXCEPTION 'confirmation refused: %', refusal
                USING ERRCODE = 'check_violation', CONSTRAINT = 'certificates_confirmation';
        END IF;
        NEW.confirmed_at := now();
        NEW.confirmed_by := refgw_caller();
        NEW.confirmed_with := refgw_caller_certificate();
    ELSE
        NEW.confirmed_by := OLD.confirmed_by;
        NEW.confirmed_with := OLD.confirmed_with;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER certificates_registering BEFORE INSERT ON certificates
    FOR EACH ROW EXECUTE FUNCTION refgw_certificate_registering();
CREATE TRIGGER certificates_changing BEFORE UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION refgw_certificate_changing();

-- The organisation hears of every registration, confirmation and revocation
-- in its name.  Written here rather than through refgw_emit_event(), which
-- serves authenticated callers: the operator's CLI has none.
CREATE FUNCTION refgw_certificate_events() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    kinds text[] := '{}';
    k text;
    n bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        kinds := ARRAY['certificate.registered'];
    ELSE
        IF OLD.confirmed_at IS NULL AND NEW.confirmed_at IS NOT NULL THEN
            kinds := kinds || 'certificate.confirmed'::text;
        END IF;
        IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
            kinds := kinds || 'certificate.revoked'::text;
        END IF;
    END IF;
    FOREACH k IN ARRAY kinds LOOP
        INSERT INTO event_heads AS h (organisation_id, seq) VALUES (NEW.organisation_id, 1)
            ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq + 1
            RETURNING h.seq INTO n;
        INSERT INTO events (organisation_id, seq, type, resource_type, resource_id)
            VALUES (NEW.organisation_id, n, k, 'organisation', NEW.organisation_id);
        PERFORM pg_notify('refgw_events', NEW.organisation_id::text);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER certificates_events AFTER INSERT OR UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION refgw_certificate_events();

-- Confirm a pending certificate of organisation p_org, in the caller's
-- transaction.  Returns what happened: confirmed, unchanged (already
-- active), not_found, revoked, forbidden, organisation_must_confirm,
-- four_eyes.
CREATE FUNCTION refgw_confirm_certificate(p_org uuid, p_sha256 bytea) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c certificates;
    refusal text;
BEGIN
    IF refgw_caller() IS NULL THEN
        RETURN 'forbidden';
    END IF;
    -- Another organisation's certificates do not exist for a non-coordinator.
    IF p_org <> refgw_caller() AND NOT refgw_caller_is_coordinator() THEN
        RETURN 'not_found';
    END IF;
    SELECT * INTO c FROM certificates WHERE organisation_id = p_org AND sha256 = p_sha256 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'not_found';
    END IF;
    IF c.revoked_at IS NOT NULL THEN
        RETURN 'revoked';
    END IF;
    IF c.confirmed_at IS NOT NULL THEN
        RETURN 'unchanged';
    END IF;
    refusal := refgw_certificate_confirm_refusal(c);
    IF refusal IS NOT NULL THEN
        RETURN refusal;
    END IF;
    UPDATE certificates SET confirmed_at = now() WHERE sha256 = p_sha256;
    RETURN 'confirmed';
END
$$;

-- An organisation inserts its own certificates (rotation); coordinators any.
DROP POLICY certificates_insert ON certificates;
CREATE POLICY certificates_insert ON certificates FOR INSERT
    WITH CHECK (organisation_id = (SELECT refgw_caller()) OR (SELECT refgw_caller_is_coordinator()));

-- ------------------------------------------------------------ the last coordinator
-- No change may leave the gateway without an active coordinator (nobody could
-- then manage organisations or certificates through the API; the CLI,
-- `refgw org activate`, is the way back).  One such change at a time, so
-- that two coordinators suspending each other cannot both succeed.
CREATE FUNCTION refgw_keep_a_coordinator() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7301017);
    IF NOT EXISTS (SELECT 1 FROM organisations o
                    WHERE o.kind = 'coordinator' AND o.status = 'active' AND o.id <> OLD.id) THEN
        RAISE EXCEPTION 'the last active coordinator cannot be suspended'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'organisations_last_coordinator';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER organisations_keep_a_coordinator BEFORE UPDATE ON organisations
    FOR EACH ROW
    WHEN (OLD.kind = 'coordinator' AND OLD.status = 'active'
          AND (NEW.kind <> 'coordinator' OR NEW.status <> 'active'))
    EXECUTE FUNCTION refgw_keep_a_coordinator();

REVOKE ALL ON FUNCTION refgw_caller_certificate(), refgw_set_caller(uuid, bytea),
    refgw_authenticate(bytea, text), refgw_certificate_confirm_refusal(certificates),
    refgw_certificate_registering(), refgw_certificate_changing(), refgw_certificate_events(),
    refgw_confirm_certificate(uuid, bytea), refgw_keep_a_coordinator() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_caller_certificate(), refgw_authenticate(bytea, text),
    refgw_confirm_certificate(uuid, bytea) TO refgw_app;
