-- 031 (issue 15, items 2 and 7): home guidance, relays, and hosting as one
-- access rule.
--
-- * `home_guidance` is an organisation kind: the home-guidance services
--   ("services de guidance à domicile") to which DIOGENES's Soutien au
--   Logement relays a person after move-in (seed 003).  It gets the default
--   rules of the other social kinds.
-- * A referral may relay an earlier one of the same person record that its
--   sender sent, received or took in (referrals.relays_referral_id).  Its
--   receiver sees the placement the relay continues (the earlier referral's
--   latest occupancy: kind, operator, commune, dates, referent; never the
--   address nor the outcome), only while the new referral's consent is
--   active, unexpired and covers the receiver and `housing_situation`
--   (refgw_relayed_placement; docs/data-protection.md).  The earlier
--   referral's parties and its placement's referent get `referral.relayed`.
-- * `site.host`: running sites is one rule, granted by a coordinator to any
--   organisation (not a coordinator).  It implies what an operator needs
--   (refgw_hosting_actions); an organisation's own rule for one of those
--   actions still wins over it, the kind's rule does not.  The three places
--   that resolve a rule (refgw_authenticate, refgw_caller_may,
--   refgw_caller_actions) now share refgw_org_may.

-- Item 2: the kind.
ALTER TABLE organisations DROP CONSTRAINT organisations_kind_check,
    ADD CONSTRAINT organisations_kind_check CHECK (kind = ANY (ARRAY[
        'justice_aid', 'street_work', 'homeless_service', 'cpas', 'housing_operator',
        'coordinator', 'home_guidance']));
ALTER TABLE access_rules DROP CONSTRAINT access_rules_kind_check,
    ADD CONSTRAINT access_rules_kind_check CHECK (kind = ANY (ARRAY[
        'justice_aid', 'street_work', 'homeless_service', 'cpas', 'housing_operator',
        'coordinator', 'home_guidance']));

INSERT INTO access_rules (kind, action, allowed)
SELECT 'home_guidance', a, true
  FROM unnest(ARRAY['person.create', 'consent.create', 'consent.read', 'consent.withdraw',
                    'referral.create', 'referral.read', 'referral.transition', 'audit.read',
                    'event.read', 'unit.read', 'proposal.create', 'occupancy.manage',
                    'occupancy.read', 'report.read', 'program.manage']) a
ON CONFLICT DO NOTHING;

-- Item 7: hosting.  What `site.host` implies.
CREATE FUNCTION refgw_hosting_actions() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY['site.manage', 'unit.manage', 'unit.read', 'proposal.decide',
                   'occupancy.manage', 'occupancy.read', 'referral.read', 'event.read'] $$;

-- Whether organisation p_org (of kind p_kind) may do p_action: its own rule,
-- else `site.host` for an action hosting implies (never for a coordinator:
-- no rule makes a coordinator read referrals), else its kind's rule, else no.
CREATE FUNCTION refgw_org_may(p_org uuid, p_kind text, p_action text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT coalesce(
        (SELECT r.allowed FROM access_rules r
          WHERE r.organisation_id = p_org AND r.action = p_action),
        CASE WHEN p_kind <> 'coordinator' AND p_action = ANY (refgw_hosting_actions())
                  AND coalesce((SELECT r.allowed FROM access_rules r
                                 WHERE r.action = 'site.host'
                                   AND (r.organisation_id = p_org OR r.kind = p_kind)
                                 ORDER BY r.organisation_id IS NULL LIMIT 1), false)
             THEN true END,
        (SELECT r.allowed FROM access_rules r WHERE r.kind = p_kind AND r.action = p_action),
        false)
$$;

CREATE OR REPLACE FUNCTION refgw_authenticate(fingerprint bytea, p_action text)
RETURNS TABLE(organisation_id uuid, organisation_name text, kind text, org_status text,
              revoked boolean, org_set text, may boolean, pending boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND c.confirmed_at IS NOT NULL AND o.status = 'active'
                THEN refgw_set_caller(o.id, c.sha256) END,
           p_action IS NULL OR refgw_org_may(o.id, o.kind, p_action),
           c.revoked_at IS NULL AND c.confirmed_at IS NULL
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint;
END
$$;

CREATE OR REPLACE FUNCTION refgw_caller_may(p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN coalesce((SELECT refgw_org_may(o.id, o.kind, p_action)
                       FROM organisations o WHERE o.id = refgw_caller()), false);
END
$$;

CREATE OR REPLACE FUNCTION refgw_caller_actions() RETURNS text[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN coalesce((
        SELECT array_agg(a.action ORDER BY a.action)
          FROM organisations o,
               (SELECT r.action FROM access_rules r, organisations me
                 WHERE me.id = refgw_caller()
                   AND (r.organisation_id = me.id OR r.kind = me.kind)
                UNION SELECT unnest(refgw_hosting_actions())) a
         WHERE o.id = refgw_caller() AND refgw_org_may(o.id, o.kind, a.action)), '{}');
END
$$;

-- Item 2: the relay.
ALTER TABLE referrals ADD COLUMN relays_referral_id uuid REFERENCES referrals (id);
CREATE INDEX referrals_relays_idx ON referrals (relays_referral_id)
    WHERE relays_referral_id IS NOT NULL;

-- Whether the caller may relay p_earlier for person p_person: a referral of
-- that person record that the caller sent, received or took in.
CREATE FUNCTION refgw_may_relay(p_earlier uuid, p_person uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM referrals r
                    WHERE r.id = p_earlier AND r.person_id = p_person
                      AND refgw_caller() IN (r.from_org, r.to_org))
$$;

-- The same, checked by PostgreSQL on every insert made in a request (a
-- load by the owner, outside any request, sets no caller and is not checked).
CREATE FUNCTION refgw_referral_relay_check() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.relays_referral_id IS NOT NULL AND refgw_caller() IS NOT NULL
       AND NOT refgw_may_relay(NEW.relays_referral_id, NEW.person_id) THEN
        RAISE EXCEPTION 'a referral relays an earlier one of the same person, sent, received or taken in by its sender'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'referrals_relay';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER referrals_relay BEFORE INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION refgw_referral_relay_check();

-- For the receiver of relay p_referral, while its consent is active,
-- unexpired and covers the receiver and housing_situation: the latest
-- placement of the referral it relays.  Staff data and the unit's commune;
-- never the address (contact) nor the outcome.
CREATE FUNCTION refgw_relayed_placement(p_referral uuid)
RETURNS TABLE(id uuid, kind text, operator_org uuid, commune text, start_date date,
              planned_end_date date, end_date date, referent_org uuid, referent_name text,
              referent_role text)
-- ROWS 1: at most one row (LIMIT 1).  With the default estimate (1000) the
-- LATERAL join beside refgw_referral_placement's was costed past jit_above_cost
-- and every GET /v1/referrals/{id} paid a JIT compilation (0.4-1.5 s).
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.kind, o.operator_org, u.commune, o.start_date, o.planned_end_date,
           o.end_date, o.referent_org, o.referent_name, o.referent_role
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN organisations rcv ON rcv.id = r.to_org
      JOIN occupancies o ON o.referral_id = r.relays_referral_id
      LEFT JOIN units u ON u.id = o.unit_id
     WHERE r.id = p_referral AND r.to_org = refgw_caller()
       AND c.status = 'active' AND c.valid_until >= current_date
       AND 'housing_situation' = ANY (c.data_categories)
       AND (r.to_org = ANY (c.recipient_orgs) OR rcv.kind = ANY (c.recipient_kinds)
            OR (r.from_org = r.to_org AND c.created_by = r.to_org))
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT 1
$$;

-- referral.relayed to the earlier referral's sender and receiver and to its
-- latest placement's referent, the caller (who relays) excepted; the number
-- told.
CREATE FUNCTION refgw_relay_notify(p_earlier uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    org uuid;
    n integer := 0;
BEGIN
    FOR org IN
        SELECT DISTINCT x.org FROM referrals r,
               unnest(ARRAY[r.from_org, r.to_org,
                            (SELECT o.referent_org FROM occupancies o
                              WHERE o.referral_id = r.id
                              ORDER BY o.created_at DESC, o.id DESC LIMIT 1)]) AS x(org)
         WHERE r.id = p_earlier AND x.org IS NOT NULL AND x.org <> refgw_caller()
    LOOP
        PERFORM refgw_emit_event(org, 'referral.relayed', 'referral', p_earlier);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION refgw_org_may(uuid, text, text), refgw_may_relay(uuid, uuid),
    refgw_relayed_placement(uuid), refgw_relay_notify(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_hosting_actions(), refgw_org_may(uuid, text, text),
    refgw_may_relay(uuid, uuid), refgw_relayed_placement(uuid), refgw_relay_notify(uuid)
    TO refgw_app;
