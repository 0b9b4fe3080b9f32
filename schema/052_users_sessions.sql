-- 052: people sign in (issue 17, items 1-3): users of an organisation,
-- their sessions, and the sign-in throttle.
--
-- * A user belongs to one organisation, has a role (org_admin, worker,
--   coordinator_admin -- the last only in a coordinator organisation), a
--   language and a status (invited, active, disabled).  Users are not
--   persons: no consent category; but their password hash (libsodium's
--   Argon2id string), TOTP secret (sealed by the gateway under a master key,
--   AES-256-GCM bound to the user id: never in clear here) and invitation
--   token hash are readable by no role but the owner: the runtime role may
--   read and change the other columns only, and reaches the secrets through
--   the SECURITY DEFINER functions below, which answer them to the gateway
--   for verification and never to a client.
-- * Row-level security: an organisation sees its own users, the
--   coordinator sees all, and a `worker` session sees none (user.* is
--   never a worker's, whatever its organisation may).
-- * A session is stored by the SHA-256 of its 256-bit random id; the table
--   is the owner's alone.  Disabling a user or suspending an organisation
--   ends its sessions in the same transaction (triggers), and
--   refgw_session_authenticate refuses them anyway.
-- * The throttle counts failed sign-ins per account (keyed by a keyed hash
--   of the lowercased email, so that unknown emails are throttled alike) and
--   per source address, shared by every instance.

CREATE TABLE users (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id       uuid NOT NULL REFERENCES organisations (id),
    email                 text NOT NULL
                          CHECK (length(email) BETWEEN 3 AND 254
                                 AND email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
    display_name          text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role                  text NOT NULL
                          CHECK (role IN ('org_admin', 'worker', 'coordinator_admin')),
    language              text NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'nl', 'en')),
    status                text NOT NULL DEFAULT 'invited'
                          CHECK (status IN ('invited', 'active', 'disabled')),
    password_hash         text,
    totp_key_id           text,
    totp_secret           bytea,
    totp_last_step        bigint,
    invitation_hash       bytea,
    invitation_expires_at timestamptz,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_active_has_factors
        CHECK (status <> 'active' OR (password_hash IS NOT NULL AND totp_secret IS NOT NULL)),
    CONSTRAINT users_totp_sealed CHECK ((totp_key_id IS NULL) = (totp_secret IS NULL))
);
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
CREATE UNIQUE INDEX users_invitation ON users (invitation_hash) WHERE invitation_hash IS NOT NULL;
CREATE INDEX users_keyset ON users (organisation_id, lower(email), id);

CREATE TABLE sessions (
    id_hash            bytea PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    user_id            uuid NOT NULL REFERENCES users (id),
    organisation_id    uuid NOT NULL REFERENCES organisations (id),
    second_factor_done boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    last_seen_at       timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    ended_at           timestamptz,
    ended_reason       text
);
CREATE INDEX sessions_user_live ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_org_live ON sessions (organisation_id) WHERE ended_at IS NULL;

CREATE TABLE signin_throttle (
    key          text PRIMARY KEY,  -- 'account:<hex hmac>' or 'source:<address>'
    failures     integer NOT NULL DEFAULT 0,
    window_start timestamptz NOT NULL DEFAULT now(),
    locked_until timestamptz
);

-- A coordinator_admin only in a coordinator organisation.
CREATE FUNCTION refgw_user_role_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.role = 'coordinator_admin' AND NOT EXISTS (
           SELECT 1 FROM organisations o
            WHERE o.id = NEW.organisation_id AND o.kind = 'coordinator') THEN
        RAISE EXCEPTION 'a coordinator_admin belongs to a coordinator organisation'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'users_coordinator_admin';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_role_check BEFORE INSERT OR UPDATE OF role, organisation_id ON users
    FOR EACH ROW EXECUTE FUNCTION refgw_user_role_check();

-- Disabling a user (or resetting it: invited again) ends its sessions in
-- the same transaction: every instance refuses them from the commit on.
CREATE FUNCTION refgw_user_sessions_end() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.status <> 'active' THEN
        UPDATE sessions SET ended_at = now(), ended_reason = 'user_' || NEW.status
         WHERE user_id = NEW.id AND ended_at IS NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_sessions_end AFTER UPDATE OF status ON users
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR NEW.status = 'invited')
    EXECUTE FUNCTION refgw_user_sessions_end();

CREATE FUNCTION refgw_org_sessions_end() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE sessions SET ended_at = now(), ended_reason = 'organisation_suspended'
     WHERE organisation_id = NEW.id AND ended_at IS NULL;
    RETURN NULL;
END
$$;
CREATE TRIGGER organisations_sessions_end AFTER UPDATE OF status ON organisations
    FOR EACH ROW WHEN (NEW.status <> 'active' AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION refgw_org_sessions_end();

-- The role of the calling session's user ('' for a certificate).
CREATE FUNCTION refgw_caller_user_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('refgw.user_role', true), '') $$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_read ON users FOR SELECT
    USING ((organisation_id = (SELECT refgw_caller()) OR (SELECT refgw_caller_is_coordinator()))
           AND (SELECT refgw_caller_may('user.read'))
           AND (SELECT refgw_caller_user_role()) <> 'worker');
CREATE POLICY users_insert ON users FOR INSERT
    WITH CHECK ((organisation_id = (SELECT refgw_caller()) OR (SELECT refgw_caller_is_coordinator()))
                AND (SELECT refgw_caller_may('user.manage'))
                AND (SELECT refgw_caller_user_role()) <> 'worker');
CREATE POLICY users_update ON users FOR UPDATE
    USING ((organisation_id = (SELECT refgw_caller()) OR (SELECT refgw_caller_is_coordinator()))
           AND (SELECT refgw_caller_may('user.manage'))
           AND (SELECT refgw_caller_user_role()) <> 'worker');
GRANT SELECT (id, organisation_id, email, display_name, role, language, status, version,
              created_at, updated_at) ON users TO refgw_app;
GRANT INSERT (organisation_id, email, display_name, role, language, invitation_hash,
              invitation_expires_at) ON users TO refgw_app;
GRANT UPDATE (display_name, role, language, status, version, updated_at) ON users TO refgw_app;

-- Only the owner (the functions below) touches sessions and the throttle.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE signin_throttle ENABLE ROW LEVEL SECURITY;

-- ---- sign-in throttle ----------------------------------------------------
-- Per account: 5 failures lock it for 1 minute, each further failure after
-- the lock doubles it, up to 15 minutes; a success clears it.  Per source
-- address: 30 failures in a 10-minute window refuse the address (429) until
-- the window ends.

-- Seconds the account must wait (0: none) and the source must wait (0: none).
CREATE FUNCTION refgw_signin_throttled(p_account text, p_source text)
RETURNS TABLE (account_wait integer, source_wait integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT coalesce((SELECT ceil(extract(epoch FROM t.locked_until - now()))::int
                       FROM signin_throttle t
                      WHERE t.key = 'account:' || p_account AND t.locked_until > now()), 0),
           coalesce((SELECT ceil(extract(epoch FROM t.window_start + interval '10 minutes'
                                               - now()))::int
                       FROM signin_throttle t
                      WHERE t.key = 'source:' || p_source AND t.failures >= 30
                        AND t.window_start > now() - interval '10 minutes'), 0)
$$;

CREATE FUNCTION refgw_signin_failed(p_account text, p_source text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF p_account IS NOT NULL THEN
        INSERT INTO signin_throttle AS t (key, failures) VALUES ('account:' || p_account, 1)
        ON CONFLICT (key) DO UPDATE
           SET failures = t.failures + 1,
               locked_until = CASE WHEN t.failures + 1 >= 5
                                   THEN now() + least(interval '15 minutes',
                                                      interval '1 minute'
                                                      * power(2, least(t.failures + 1 - 5, 10)))
                              END
         WHERE t.locked_until IS NULL OR t.locked_until <= now();
    END IF;
    IF p_source IS NOT NULL THEN
        INSERT INTO signin_throttle AS t (key, failures) VALUES ('source:' || p_source, 1)
        ON CONFLICT (key) DO UPDATE
           SET failures = CASE WHEN t.window_start > now() - interval '10 minutes'
                               THEN t.failures + 1 ELSE 1 END,
               window_start = CASE WHEN t.window_start > now() - interval '10 minutes'
                                   THEN t.window_start ELSE now() END;
    END IF;
END
$$;

CREATE FUNCTION refgw_signin_cleared(p_account text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$ DELETE FROM signin_throttle WHERE key = 'account:' || p_account $$;

-- ---- sign-in ----------------------------------------------------------------

-- The account of an email, for the gateway to verify the password against:
-- may_sign_in is false for an invited or disabled user or a suspended
-- organisation (the gateway then answers exactly as for a wrong password).
CREATE FUNCTION refgw_signin_user(p_email text)
RETURNS TABLE (user_id uuid, password_hash text, may_sign_in boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT u.id, u.password_hash,
           u.status = 'active' AND o.status = 'active' AND u.password_hash IS NOT NULL
      FROM users u JOIN organisations o ON o.id = u.organisation_id
     WHERE lower(u.email) = lower(p_email)
$$;

CREATE FUNCTION refgw_session_start(p_session bytea, p_user uuid, p_second_factor boolean,
                                    p_lifetime_s integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    INSERT INTO sessions (id_hash, user_id, organisation_id, second_factor_done, expires_at)
    SELECT p_session, u.id, u.organisation_id, p_second_factor,
           now() + make_interval(secs => CASE WHEN p_second_factor THEN p_lifetime_s
                                              ELSE 300 END)
      FROM users u WHERE u.id = p_user
$$;

-- A pending session (password done, second factor not yet: 5 minutes) and
-- what the gateway needs to check its code.
CREATE FUNCTION refgw_session_pending(p_session bytea)
RETURNS TABLE (user_id uuid, email text, totp_key_id text, totp_secret text,
               totp_last_step bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT u.id, u.email, u.totp_key_id, encode(u.totp_secret, 'hex'), u.totp_last_step
      FROM sessions s JOIN users u ON u.id = s.user_id
      JOIN organisations o ON o.id = u.organisation_id
     WHERE s.id_hash = p_session AND s.ended_at IS NULL AND NOT s.second_factor_done
       AND s.expires_at > now() AND u.status = 'active' AND o.status = 'active'
       AND u.totp_secret IS NOT NULL
$$;

-- The second factor passed with TOTP step p_step: spends the step (never
-- twice: a code is used once), ends the pending session and starts a new
-- one under a new id (no session fixation).  false: the step was used.
CREATE FUNCTION refgw_session_promote(p_pending bytea, p_session bytea, p_user uuid,
                                      p_step bigint, p_lifetime_s integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE users SET totp_last_step = p_step
     WHERE id = p_user AND (totp_last_step IS NULL OR totp_last_step < p_step);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    UPDATE sessions SET ended_at = now(), ended_reason = 'second_factor'
     WHERE id_hash = p_pending AND ended_at IS NULL;
    PERFORM refgw_session_start(p_session, p_user, true, p_lifetime_s);
    RETURN true;
END
$$;

-- Authenticates a signed-in session in the request's own transaction:
-- checks the session (not ended, second factor done, within its lifetime
-- and its idle timeout), the user (active) and the organisation (active),
-- sets the caller for row-level security (the organisation, and the user
-- whom the audit names), records last_seen_at at most once a minute (or
-- every half idle timeout when that is shorter), and answers whether the
-- access rules allow p_action to this user: the organisation's rules, less
-- user.* for a worker.  No row: no valid session.
CREATE FUNCTION refgw_session_authenticate(p_session bytea, p_action text, p_idle_s integer)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, user_id uuid,
               email text, display_name text, role text, language text, may boolean,
               org_set text, expires_at text, idle_expires_at text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    s sessions;
    u users;
    o organisations;
    seen timestamptz;
    idle interval := make_interval(secs => p_idle_s);
BEGIN
    SELECT * INTO s FROM sessions x
     WHERE x.id_hash = p_session AND x.ended_at IS NULL AND x.second_factor_done
       AND x.expires_at > now() AND x.last_seen_at > now() - idle;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO u FROM users x WHERE x.id = s.user_id AND x.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO o FROM organisations x WHERE x.id = u.organisation_id AND x.status = 'active';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    seen := s.last_seen_at;
    IF seen < now() - least(interval '1 minute', idle / 2) THEN
        UPDATE sessions x SET last_seen_at = now() WHERE x.id_hash = p_session;
        seen := now();
    END IF;
    PERFORM set_config('refgw.certificate', '', true);
    PERFORM set_config('refgw.user_id', u.id::text, true);
    PERFORM set_config('refgw.user_label', u.display_name || ' <' || u.email || '>', true);
    PERFORM set_config('refgw.user_role', u.role, true);
    RETURN QUERY
    SELECT o.id, o.name, o.kind, u.id, u.email, u.display_name, u.role, u.language,
           p_action IS NULL
           OR (refgw_org_may(o.id, o.kind, p_action)
               AND (p_action NOT LIKE 'user.%' OR u.role <> 'worker')),
           set_config('refgw.org_id', o.id::text, true),
           to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           to_char(least(s.expires_at, seen + idle) AT TIME ZONE 'UTC',
                   'YYYY-MM-DD"T"HH24:MI:SS"Z"');
END
$$;

CREATE FUNCTION refgw_session_end(p_session bytea) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    UPDATE sessions SET ended_at = now(), ended_reason = 'logout'
     WHERE id_hash = p_session AND ended_at IS NULL
$$;

-- PATCH /v1/account: the signed-in user's own preference.
CREATE FUNCTION refgw_account_language(p_language text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    UPDATE users SET language = p_language, version = version + 1, updated_at = now()
     WHERE id = nullif(current_setting('refgw.user_id', true), '')::uuid
$$;

-- ---- activation ----------------------------------------------------------

-- The invited user whose invitation token hashes to p_token (unexpired).
CREATE FUNCTION refgw_invitation_user(p_token bytea)
RETURNS TABLE (user_id uuid, email text, totp_key_id text, totp_secret text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT u.id, u.email, u.totp_key_id, encode(u.totp_secret, 'hex')
      FROM users u JOIN organisations o ON o.id = u.organisation_id
     WHERE u.invitation_hash = p_token AND u.invitation_expires_at > now()
       AND u.status = 'invited' AND o.status = 'active'
$$;

-- POST /v1/account/enrol: the password and a new (not yet confirmed) TOTP
-- secret, sealed by the gateway.
CREATE FUNCTION refgw_invitation_enrol(p_token bytea, p_password_hash text, p_key_id text,
                                       p_secret bytea) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE users SET password_hash = p_password_hash, totp_key_id = p_key_id,
                     totp_secret = p_secret, totp_last_step = NULL, updated_at = now()
     WHERE invitation_hash = p_token AND invitation_expires_at > now() AND status = 'invited';
    RETURN FOUND;
END
$$;

-- POST /v1/account/confirm: the code matched step p_step: the user is
-- active and the token spent.
CREATE FUNCTION refgw_invitation_confirm(p_token bytea, p_step bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE users SET status = 'active', invitation_hash = NULL, invitation_expires_at = NULL,
                     totp_last_step = p_step, version = version + 1, updated_at = now()
     WHERE invitation_hash = p_token AND invitation_expires_at > now() AND status = 'invited'
       AND password_hash IS NOT NULL AND totp_secret IS NOT NULL;
    RETURN FOUND;
END
$$;

-- POST /v1/users/{id}/reset: a new invitation; password and TOTP cleared,
-- sessions ended (the trigger).  Row-level security's rule, checked here
-- since the caller cannot write those columns: its own organisation's users,
-- or a coordinator's, and never a worker.  false: no such user visible.
CREATE FUNCTION refgw_user_reset(p_user uuid, p_token bytea, p_hours integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF refgw_caller() IS NULL OR refgw_caller_user_role() = 'worker'
       OR NOT refgw_caller_may('user.manage') THEN
        RETURN false;
    END IF;
    UPDATE users SET status = 'invited', password_hash = NULL, totp_key_id = NULL,
                     totp_secret = NULL, totp_last_step = NULL, invitation_hash = p_token,
                     invitation_expires_at = now() + make_interval(hours => p_hours),
                     version = version + 1, updated_at = now()
     WHERE id = p_user
       AND (organisation_id = refgw_caller() OR refgw_caller_is_coordinator());
    RETURN FOUND;
END
$$;

-- ---- the access rules of user.* ---------------------------------------------
-- Every organisation manages its own users (its org_admin sessions, or its
-- system); the coordinator any organisation's (row-level security above).
INSERT INTO access_rules (kind, action, allowed)
SELECT k, a, true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas',
                    'housing_operator', 'coordinator', 'home_guidance']) k,
       unnest(ARRAY['user.read', 'user.manage']) a
ON CONFLICT DO NOTHING;

REVOKE ALL ON FUNCTION refgw_user_role_check(), refgw_user_sessions_end(),
    refgw_org_sessions_end(), refgw_signin_throttled(text, text),
    refgw_signin_failed(text, text), refgw_signin_cleared(text), refgw_signin_user(text),
    refgw_session_start(bytea, uuid, boolean, integer), refgw_session_pending(bytea),
    refgw_session_promote(bytea, bytea, uuid, bigint, integer),
    refgw_session_authenticate(bytea, text, integer), refgw_session_end(bytea),
    refgw_account_language(text), refgw_invitation_user(bytea),
    refgw_invitation_enrol(bytea, text, text, bytea), refgw_invitation_confirm(bytea, bigint),
    refgw_user_reset(uuid, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_caller_user_role(), refgw_signin_throttled(text, text),
    refgw_signin_failed(text, text), refgw_signin_cleared(text), refgw_signin_user(text),
    refgw_session_start(bytea, uuid, boolean, integer), refgw_session_pending(bytea),
    refgw_session_promote(bytea, bytea, uuid, bigint, integer),
    refgw_session_authenticate(bytea, text, integer), refgw_session_end(bytea),
    refgw_account_language(text), refgw_invitation_user(bytea),
    refgw_invitation_enrol(bytea, text, text, bytea), refgw_invitation_confirm(bytea, bigint),
    refgw_user_reset(uuid, bytea, integer) TO refgw_app;
