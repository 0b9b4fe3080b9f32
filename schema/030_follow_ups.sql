-- 030: follow-ups (issue 15, item 1): an organisation's accompaniment of a
-- person (Rizome's 18-month transit, DIOGENES's Soutien au Logement after
-- move-in, ORS's personal follow-up), on a referral it sent, received or
-- took in as intake, and its dated entries.
--
-- * A follow-up has an organisation (the one that follows), the referral
--   (its person and consent are the follow-up's), optionally the occupancy
--   it accompanies, a period and a status (active, tenancy_at_risk, relayed,
--   closed; closed is terminal).
-- * Its entries are personal data under a consent category of their own,
--   `follow_up`: written by the follow-up's organisation, read by it and by
--   the organisations the consent names (by organisation or by kind), only
--   while the consent is active, unexpired and lists follow_up; never by a
--   coordinator.  Row-level security holds that rule as well as the gateway.
-- * Moving into tenancy_at_risk tells the occupancy's referent organisation
--   and the unit's operator (event follow_up.tenancy_at_risk), once per move.

-- The consent categories, in one place for the database too (the gateway's
-- list is consents.c's data_categories).
ALTER TABLE consents ADD CONSTRAINT consents_data_categories_known
    CHECK (data_categories <@ ARRAY['identity', 'contact', 'housing_situation', 'income',
                                    'family', 'justice', 'health', 'follow_up']);

CREATE TABLE follow_ups (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    referral_id     uuid NOT NULL REFERENCES referrals (id),
    occupancy_id    uuid REFERENCES occupancies (id),
    period_from     date NOT NULL,
    period_until    date,
    status          text NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'tenancy_at_risk', 'relayed', 'closed')),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT follow_ups_period CHECK (period_until IS NULL OR period_until >= period_from)
);
CREATE INDEX follow_ups_keyset ON follow_ups (created_at, id);
CREATE INDEX follow_ups_referral ON follow_ups (referral_id);

CREATE TABLE follow_up_entries (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    follow_up_id uuid NOT NULL REFERENCES follow_ups (id),
    entry_date   date NOT NULL,
    kind         text NOT NULL DEFAULT 'note'
                 CHECK (kind IN ('visit', 'call', 'meeting', 'accompaniment', 'note')),
    text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    written_by   uuid NOT NULL REFERENCES organisations (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_up_entries_keyset ON follow_up_entries (follow_up_id, created_at, id);

-- The moves a follow-up's status may make: closed is terminal, and a move
-- goes somewhere else.
CREATE FUNCTION refgw_follow_up_move_ok(p_from text, p_to text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_from <> 'closed' AND p_from <> p_to $$;

-- What stands in the way of the caller following referral p_referral
-- (optionally accompanying occupancy p_occupancy): 'ok', 'referral' (not a
-- referral the caller sent, received or took in), 'occupancy' (not an
-- occupancy of that referral) or 'consent' (its consent no longer holds).
CREATE FUNCTION refgw_follow_up_check(p_referral uuid, p_occupancy uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    f referrals;
BEGIN
    SELECT * INTO f FROM referrals r
     WHERE r.id = p_referral AND refgw_caller() IN (r.from_org, r.to_org);
    IF NOT FOUND OR NOT refgw_caller_may('follow_up.manage') THEN
        RETURN 'referral';
    END IF;
    IF p_occupancy IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM occupancies o
                        WHERE o.id = p_occupancy AND o.referral_id = p_referral) THEN
        RETURN 'occupancy';
    END IF;
    IF NOT refgw_referral_consent_covers(p_referral, '{}') THEN
        RETURN 'consent';
    END IF;
    RETURN 'ok';
END
$$;

-- The follow-up's consent for entries: 'ok' (it holds and lists
-- follow_up), 'not_holding' (withdrawn or expired) or 'no_follow_up'.
CREATE FUNCTION refgw_follow_up_consent(p_follow_up uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT CASE WHEN NOT refgw_consent_holds(c) THEN 'not_holding'
                WHEN NOT ('follow_up' = ANY (c.data_categories)) THEN 'no_follow_up'
                ELSE 'ok' END
      FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
      JOIN consents c ON c.id = r.consent_id
     WHERE f.id = p_follow_up
$$;

-- The caller reads the entries of follow-up p_follow_up: it may
-- (follow_up.read), is no coordinator, is the follow-up's organisation or
-- named by its consent (organisation or kind), and the consent holds and
-- lists follow_up.
CREATE FUNCTION refgw_follow_up_entries_visible(p_follow_up uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT refgw_caller_may('follow_up.read') AND EXISTS (
        SELECT 1 FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
          JOIN consents c ON c.id = r.consent_id
          JOIN organisations me ON me.id = refgw_caller()
         WHERE f.id = p_follow_up
           AND me.kind <> 'coordinator'
           AND (f.organisation_id = me.id OR me.id = ANY (c.recipient_orgs)
                OR me.kind = ANY (c.recipient_kinds))
           AND refgw_consent_holds(c)
           AND 'follow_up' = ANY (c.data_categories))
$$;

-- The caller sees follow-up p_follow_up (its status and period, no entry):
-- its own; one whose entries it may read; or, while the consent holds, one
-- accompanying an occupancy it operates or is the referent of (they are
-- told when the tenancy is at risk).
CREATE FUNCTION refgw_follow_up_visible(p_follow_up uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT refgw_caller_may('follow_up.read') AND EXISTS (
        SELECT 1 FROM follow_ups f
          LEFT JOIN occupancies o ON o.id = f.occupancy_id
         WHERE f.id = p_follow_up
           AND (f.organisation_id = refgw_caller()
                OR refgw_follow_up_entries_visible(f.id)
                OR (refgw_caller() IN (o.operator_org, o.referent_org)
                    AND refgw_referral_consent_covers(f.referral_id, '{}'))))
$$;

-- The person a visible follow-up is about, for the audit of an entry read
-- (a reader named by the consent's kinds need not see the referral).
CREATE FUNCTION refgw_follow_up_person(p_follow_up uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT r.person_id FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
     WHERE f.id = p_follow_up AND refgw_follow_up_visible(f.id)
$$;

-- Tenancy at risk: the occupancy's referent organisation and the unit's
-- operator are told, once per move into the status (not the follow-up's own
-- organisation, which made the move).
CREATE FUNCTION refgw_follow_up_at_risk() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o occupancies;
    org uuid;
BEGIN
    IF NEW.status <> 'tenancy_at_risk'
       OR (TG_OP = 'UPDATE' AND OLD.status = 'tenancy_at_risk')
       OR NEW.occupancy_id IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO o FROM occupancies WHERE id = NEW.occupancy_id;
    FOR org IN SELECT DISTINCT x FROM unnest(ARRAY[o.referent_org, o.operator_org]) x
                WHERE x IS NOT NULL AND x <> NEW.organisation_id ORDER BY x LOOP
        PERFORM refgw_emit_event(org, 'follow_up.tenancy_at_risk', 'follow_up', NEW.id);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER follow_ups_at_risk AFTER INSERT OR UPDATE OF status ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION refgw_follow_up_at_risk();

-- A follow-up is created and changed only while its referral's consent
-- holds (the same trigger as referrals, proposals and occupancies).
CREATE TRIGGER follow_ups_consent_holds BEFORE INSERT ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION refgw_consent_must_hold();

-- An entry is written only while the consent holds and lists follow_up
-- (locked against a concurrent withdrawal, as refgw_consent_hold does).
CREATE FUNCTION refgw_follow_up_entry_must_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
BEGIN
    SELECT cs.* INTO c FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
      JOIN consents cs ON cs.id = r.consent_id
     WHERE f.id = NEW.follow_up_id FOR SHARE OF cs;
    IF NOT FOUND OR NOT refgw_consent_holds(c) OR NOT ('follow_up' = ANY (c.data_categories)) THEN
        RAISE EXCEPTION 'the consent of follow-up % does not hold for follow_up', NEW.follow_up_id
            USING ERRCODE = '23R02', HINT = 'withdrawn, expired or without follow_up';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER follow_up_entries_consent_holds BEFORE INSERT ON follow_up_entries
    FOR EACH ROW EXECUTE FUNCTION refgw_follow_up_entry_must_hold();

ALTER TABLE follow_ups ENABLE ROW LEVEL SECURITY;
-- Its own first, inline: a row just inserted is not yet visible to the
-- function's snapshot (INSERT ... RETURNING checks this policy too).
CREATE POLICY follow_ups_read ON follow_ups FOR SELECT
    USING (organisation_id = (SELECT refgw_caller()) OR refgw_follow_up_visible(id));
CREATE POLICY follow_ups_insert ON follow_ups FOR INSERT
    WITH CHECK (organisation_id = refgw_caller()
                AND refgw_follow_up_check(referral_id, occupancy_id) = 'ok');
CREATE POLICY follow_ups_update ON follow_ups FOR UPDATE
    USING (organisation_id = (SELECT refgw_caller()))
    WITH CHECK (organisation_id = (SELECT refgw_caller())
                AND (SELECT refgw_caller_may('follow_up.manage')));
GRANT SELECT, INSERT, UPDATE ON follow_ups TO refgw_app;

ALTER TABLE follow_up_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY follow_up_entries_read ON follow_up_entries FOR SELECT
    USING (refgw_follow_up_entries_visible(follow_up_id));
CREATE POLICY follow_up_entries_insert ON follow_up_entries FOR INSERT
    WITH CHECK (written_by = refgw_caller()
                AND refgw_caller_may('follow_up.manage')
                AND EXISTS (SELECT 1 FROM follow_ups f
                             WHERE f.id = follow_up_id AND f.organisation_id = refgw_caller()
                               AND f.status <> 'closed'));
GRANT SELECT, INSERT ON follow_up_entries TO refgw_app;

REVOKE ALL ON FUNCTION refgw_follow_up_check(uuid, uuid), refgw_follow_up_consent(uuid),
    refgw_follow_up_entries_visible(uuid), refgw_follow_up_visible(uuid),
    refgw_follow_up_person(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_follow_up_move_ok(text, text), refgw_follow_up_check(uuid, uuid),
    refgw_follow_up_consent(uuid), refgw_follow_up_entries_visible(uuid),
    refgw_follow_up_visible(uuid), refgw_follow_up_person(uuid) TO refgw_app;

-- The social kinds follow people and read what they are shown; a housing
-- operator reads the follow-ups of its units it is told about (their
-- entries only where the consent names it).  The coordinator has neither.
INSERT INTO access_rules (kind, action, allowed)
SELECT k, 'follow_up.manage', true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas']) k;
INSERT INTO access_rules (kind, action, allowed)
SELECT k, 'follow_up.read', true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas',
                    'housing_operator']) k;

-- The person's journal (GET /v1/audit): a row about a follow-up (its
-- creation, changes, entries written and read) is shown to the follow-up's
-- organisation and to the organisation that recorded the consent, as rows
-- about a referral are to its parties.  The same function as schema/016's,
-- one branch added.
CREATE OR REPLACE FUNCTION refgw_audit_row_visible(p_org uuid, p_type text, p_id text)
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me uuid := refgw_caller();
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    IF p_org = me THEN
        RETURN true;
    END IF;
    IF p_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN false;
    END IF;
    IF p_type = 'referral' THEN
        RETURN EXISTS (SELECT 1 FROM referrals r WHERE r.id = p_id::uuid
                       AND (r.from_org = me OR r.to_org = me));
    ELSIF p_type = 'consent' THEN
        RETURN EXISTS (SELECT 1 FROM consents c WHERE c.id = p_id::uuid AND c.created_by = me);
    ELSIF p_type = 'follow_up' THEN
        RETURN EXISTS (SELECT 1 FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
                         JOIN consents c ON c.id = r.consent_id
                        WHERE f.id = p_id::uuid
                          AND (f.organisation_id = me OR c.created_by = me));
    END IF;
    RETURN false;
END
$$;
