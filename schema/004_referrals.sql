-- 004: persons, consents, referrals, their history, the event feed, and
-- per-organisation access rules.
--
-- Principles (../shared/design.md): a person is pseudonymous (an opaque id;
-- a national register number only as an HMAC); a referral's personal data
-- is readable only by its sender and receiver and only while its consent is
-- active and unexpired — enforced here by row-level security, not only in C.

-- ---------------------------------------------------------------- access rules
-- Who may do what: a rule names an organisation or a kind; an organisation's
-- own rule overrides its kind's; no rule means no.
CREATE TABLE access_rules (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid REFERENCES organisations (id),
    kind            text CHECK (kind IN ('justice_aid', 'street_work', 'homeless_service', 'cpas',
                                         'housing_operator', 'coordinator')),
    action          text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    allowed         boolean NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((organisation_id IS NULL) <> (kind IS NULL))
);
CREATE UNIQUE INDEX access_rules_org_idx ON access_rules (organisation_id, action)
    WHERE organisation_id IS NOT NULL;
CREATE UNIQUE INDEX access_rules_kind_idx ON access_rules (kind, action) WHERE kind IS NOT NULL;

-- The default matrix (docs/access-rules.md).
INSERT INTO access_rules (kind, action, allowed)
SELECT k, a, true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas']) k,
       unnest(ARRAY['person.create', 'consent.create', 'consent.read', 'consent.withdraw',
                    'referral.create', 'referral.read', 'referral.transition',
                    'audit.read', 'event.read']) a;
INSERT INTO access_rules (kind, action, allowed) VALUES
    ('housing_operator', 'referral.read', true),
    ('housing_operator', 'referral.transition', true),
    ('housing_operator', 'event.read', true),
    ('coordinator', 'organisation.manage', true),
    ('coordinator', 'certificate.manage', true),
    ('coordinator', 'access_rule.manage', true),
    ('coordinator', 'consent.read', true),
    ('coordinator', 'consent.withdraw', true),
    ('coordinator', 'audit.read', true),
    ('coordinator', 'event.read', true);

-- The actions the calling organisation may perform.
CREATE FUNCTION refgw_caller_actions() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN coalesce((
        SELECT array_agg(action ORDER BY action) FROM (
            SELECT DISTINCT ON (r.action) r.action, r.allowed
              FROM access_rules r JOIN organisations o ON o.id = refgw_caller()
             WHERE r.organisation_id = o.id OR r.kind = o.kind
             ORDER BY r.action, (r.organisation_id IS NULL)) chosen
         WHERE allowed), '{}');
END
$$;

CREATE FUNCTION refgw_caller_may(p_action text) RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT p_action = ANY (refgw_caller_actions()) $$;

-- Authentication now also answers what the caller may do (one round trip).
DROP FUNCTION refgw_authenticate(bytea);
CREATE FUNCTION refgw_authenticate(fingerprint bytea)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, org_status text,
               revoked boolean, org_set text, actions text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND o.status = 'active'
                THEN set_config('refgw.org_id', o.id::text, true) END,
           CASE WHEN c.revoked_at IS NULL AND o.status = 'active'
                THEN array_to_string(refgw_caller_actions(), ' ') END
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint;
END
$$;

ALTER TABLE access_rules ENABLE ROW LEVEL SECURITY;
-- Everyone reads the rules that apply to it; coordinators read and write all.
CREATE POLICY access_rules_read ON access_rules FOR SELECT
    USING ((SELECT refgw_caller_is_coordinator())
           OR organisation_id = refgw_caller()
           OR kind = (SELECT o.kind FROM organisations o WHERE o.id = refgw_caller()));
CREATE POLICY access_rules_write ON access_rules FOR ALL
    USING ((SELECT refgw_caller_is_coordinator()))
    WITH CHECK ((SELECT refgw_caller_is_coordinator()));

-- ---------------------------------------------------------------- persons
CREATE TABLE persons (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    created_by   uuid NOT NULL REFERENCES organisations (id),
    external_ref text CHECK (length(external_ref) <= 100),
    birth_year   integer CHECK (birth_year BETWEEN 1900 AND 2100),
    niss_hmac    bytea CHECK (length(niss_hmac) = 32),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_niss_idx ON persons (niss_hmac) WHERE niss_hmac IS NOT NULL;
CREATE INDEX persons_created_by_idx ON persons (created_by);

-- ---------------------------------------------------------------- consents
CREATE TABLE consents (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id         uuid NOT NULL REFERENCES persons (id),
    created_by        uuid NOT NULL REFERENCES organisations (id),
    recipient_orgs    uuid[] NOT NULL DEFAULT '{}',
    recipient_kinds   text[] NOT NULL DEFAULT '{}',
    purposes          text[] NOT NULL CHECK (cardinality(purposes) > 0),
    data_categories   text[] NOT NULL,
    valid_until       date NOT NULL,
    evidence          jsonb NOT NULL,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_at      timestamptz,
    withdrawn_by      uuid REFERENCES organisations (id),
    withdrawal_reason text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (cardinality(recipient_orgs) + cardinality(recipient_kinds) > 0)
);
CREATE INDEX consents_person_idx ON consents (person_id, created_at);

-- Does consent c (active, unexpired) cover this recipient, purpose and every
-- category?  Used by the gateway before creating a referral, and by RLS.
CREATE FUNCTION refgw_consent_holds(c consents) RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT c.status = 'active' AND c.valid_until >= current_date $$;

-- ---------------------------------------------------------------- referrals
CREATE TABLE referrals (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id    uuid NOT NULL REFERENCES persons (id),
    from_org     uuid NOT NULL REFERENCES organisations (id),
    to_org       uuid NOT NULL REFERENCES organisations (id),
    program      text NOT NULL,
    consent_id   uuid NOT NULL REFERENCES consents (id),
    purpose      text NOT NULL,
    reason       text NOT NULL,
    needs        jsonb NOT NULL DEFAULT '{}',
    release_date date,
    status       text NOT NULL DEFAULT 'submitted'
                 CHECK (status IN ('submitted', 'received', 'accepted', 'declined', 'waitlisted',
                                   'in_progress', 'completed', 'cancelled', 'consent_withdrawn')),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (from_org <> to_org)
);
CREATE INDEX referrals_to_idx ON referrals (to_org, created_at, id);
CREATE INDEX referrals_from_idx ON referrals (from_org, created_at, id);
CREATE INDEX referrals_consent_idx ON referrals (consent_id);
CREATE INDEX referrals_person_idx ON referrals (person_id);

-- Personal data lives apart, so that row-level security can hide it alone.
CREATE TABLE referral_data (
    referral_id uuid PRIMARY KEY REFERENCES referrals (id),
    data        jsonb NOT NULL
);

CREATE TABLE referral_transitions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    referral_id uuid NOT NULL REFERENCES referrals (id),
    from_status text,
    to_status   text NOT NULL,
    reason_code text,
    note        text,
    by_org      uuid REFERENCES organisations (id),
    at          timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX referral_transitions_idx ON referral_transitions (referral_id, at);

-- ---------------------------------------------------------------- events
-- One feed per organisation, numbered 1, 2, 3, ... by a counter row that the
-- writing transaction locks until it commits: number N+1 cannot be handed
-- out before the transaction holding N has ended, so numbers become visible
-- in order and a reader that has seen N+1 can never later find N.  Writers
-- to different organisations never wait for each other.
CREATE TABLE event_heads (
    organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
    seq             bigint NOT NULL
);
CREATE TABLE events (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    seq             bigint NOT NULL,
    type            text NOT NULL,
    resource_type   text NOT NULL,
    resource_id     uuid NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, seq)
);

CREATE FUNCTION refgw_emit_event(p_org uuid, p_type text, p_resource_type text, p_resource_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO event_heads AS h (organisation_id, seq) VALUES (p_org, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq + 1
        RETURNING h.seq INTO n;
    INSERT INTO events (organisation_id, seq, type, resource_type, resource_id)
        VALUES (p_org, n, p_type, p_resource_type, p_resource_id);
    PERFORM pg_notify('refgw_events', p_org::text);
    RETURN n;
END
$$;

-- What a consent does not cover for a referral: an empty array means covered.
-- Runs as the caller: a consent the caller cannot see answers {'consent'}.
CREATE FUNCTION refgw_consent_gaps(p_consent uuid, p_person uuid, p_to_org uuid, p_purpose text,
                                   p_categories text[])
RETURNS text[]
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    c consents;
    to_kind text;
    gaps text[] := '{}';
BEGIN
    SELECT * INTO c FROM consents WHERE id = p_consent;
    IF NOT FOUND THEN
        RETURN ARRAY['consent'];
    END IF;
    SELECT kind INTO to_kind FROM organisations WHERE id = p_to_org;
    IF c.person_id <> p_person THEN gaps := gaps || 'person'::text; END IF;
    IF c.status <> 'active' THEN gaps := gaps || 'withdrawn'::text; END IF;
    IF c.valid_until < current_date THEN gaps := gaps || 'expired'::text; END IF;
    IF NOT (p_to_org = ANY (c.recipient_orgs) OR to_kind = ANY (c.recipient_kinds)) THEN
        gaps := gaps || 'recipient'::text;
    END IF;
    IF NOT (p_purpose = ANY (c.purposes)) THEN gaps := gaps || ('purpose:' || p_purpose); END IF;
    gaps := gaps || ARRAY(SELECT 'category:' || x FROM unnest(p_categories) x
                           WHERE NOT (x = ANY (c.data_categories)) ORDER BY x);
    RETURN gaps;
END
$$;

-- Withdraw a consent, by its creator or a coordinator, in the caller's
-- transaction: every open referral under it becomes consent_withdrawn (its
-- data is hidden by the referral_data policy from that instant), each party
-- gets an event, the history records it.  Returns the referrals affected, or
-- NULL when the caller may not withdraw this consent.
CREATE FUNCTION refgw_withdraw_consent(p_consent uuid, p_reason text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
    r record;
    n integer := 0;
BEGIN
    SELECT * INTO c FROM consents WHERE id = p_consent FOR UPDATE;
    IF NOT FOUND OR NOT (c.created_by = refgw_caller() OR refgw_caller_is_coordinator())
       OR NOT refgw_caller_may('consent.withdraw') THEN
        RETURN NULL;
    END IF;
    IF c.status = 'withdrawn' THEN
        RETURN 0;
    END IF;
    UPDATE consents SET status = 'withdrawn', withdrawn_at = now(), withdrawn_by = refgw_caller(),
                        withdrawal_reason = p_reason
     WHERE id = p_consent;
    FOR r IN UPDATE referrals SET status = 'consent_withdrawn', version = version + 1,
                                  updated_at = now()
              WHERE consent_id = p_consent
                AND status NOT IN ('completed', 'declined', 'cancelled', 'consent_withdrawn')
             RETURNING id, from_org, to_org,
                       (SELECT t.to_status FROM referral_transitions t
                         WHERE t.referral_id = referrals.id ORDER BY t.at DESC LIMIT 1) AS was
    LOOP
        INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, by_org)
            VALUES (r.id, r.was, 'consent_withdrawn', 'consent_withdrawn', refgw_caller());
        PERFORM refgw_emit_event(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
        PERFORM refgw_emit_event(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------- RLS
ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_data ENABLE ROW LEVEL SECURITY;
ALTER TABLE referral_transitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;

-- A person exists for its creator and for the organisations of its referrals.
CREATE POLICY persons_read ON persons FOR SELECT
    USING (created_by = refgw_caller()
           OR EXISTS (SELECT 1 FROM referrals r WHERE r.person_id = persons.id
                      AND (r.from_org = refgw_caller() OR r.to_org = refgw_caller())));
CREATE POLICY persons_insert ON persons FOR INSERT
    WITH CHECK (created_by = refgw_caller() AND refgw_caller_may('person.create'));

-- Consents: their creator; coordinators (the gateway omits evidence for them).
CREATE POLICY consents_read ON consents FOR SELECT
    USING (created_by = refgw_caller() OR (SELECT refgw_caller_is_coordinator()));
CREATE POLICY consents_insert ON consents FOR INSERT
    WITH CHECK (created_by = refgw_caller() AND refgw_caller_may('consent.create'));
CREATE POLICY consents_update ON consents FOR UPDATE
    USING (created_by = refgw_caller() OR (SELECT refgw_caller_is_coordinator()))
    WITH CHECK (refgw_caller_may('consent.withdraw'));

-- Referrals: sender and receiver only.
CREATE POLICY referrals_read ON referrals FOR SELECT
    USING (from_org = refgw_caller() OR to_org = refgw_caller());
CREATE POLICY referrals_insert ON referrals FOR INSERT
    WITH CHECK (from_org = refgw_caller() AND refgw_caller_may('referral.create'));
CREATE POLICY referrals_update ON referrals FOR UPDATE
    USING (from_org = refgw_caller() OR to_org = refgw_caller())
    WITH CHECK (from_org = refgw_caller() OR to_org = refgw_caller());

-- Personal data: sender and receiver, and only while the consent holds.
CREATE FUNCTION refgw_referral_data_visible(p_referral uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM referrals r JOIN consents c ON c.id = r.consent_id
                    WHERE r.id = p_referral
                      AND (r.from_org = refgw_caller() OR r.to_org = refgw_caller())
                      AND c.status = 'active' AND c.valid_until >= current_date);
END
$$;
CREATE POLICY referral_data_read ON referral_data FOR SELECT
    USING (refgw_referral_data_visible(referral_id));
CREATE POLICY referral_data_insert ON referral_data FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id
                        AND r.from_org = refgw_caller()));

CREATE POLICY referral_transitions_read ON referral_transitions FOR SELECT
    USING (EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id
                   AND (r.from_org = refgw_caller() OR r.to_org = refgw_caller())));
CREATE POLICY referral_transitions_insert ON referral_transitions FOR INSERT
    WITH CHECK (by_org = refgw_caller());

CREATE POLICY events_read ON events FOR SELECT USING (organisation_id = refgw_caller());

-- Audit: a person's accesses are readable by the creators of its consents.
DROP POLICY audit_log_read ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING ((SELECT refgw_caller_is_coordinator())
           OR (person_id IS NOT NULL AND EXISTS (
                 SELECT 1 FROM consents c WHERE c.person_id = audit_log.person_id
                    AND c.created_by = refgw_caller())));

GRANT SELECT, INSERT, UPDATE, DELETE ON access_rules TO refgw_app;
GRANT SELECT, INSERT ON persons, referral_data, referral_transitions TO refgw_app;
GRANT SELECT, INSERT, UPDATE ON consents, referrals TO refgw_app;
GRANT SELECT ON events TO refgw_app;
GRANT EXECUTE ON FUNCTION refgw_caller_actions(), refgw_caller_may(text),
    refgw_authenticate(bytea), refgw_emit_event(uuid, text, text, uuid),
    refgw_referral_data_visible(uuid), refgw_consent_holds(consents),
    refgw_consent_gaps(uuid, uuid, uuid, text, text[]), refgw_withdraw_consent(uuid, text)
    TO refgw_app;
