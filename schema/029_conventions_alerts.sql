-- 029: an occupancy's referent and convention, open-ended leases, and
-- "ending soon" alerts per organisation and per convention kind (issue 15,
-- items 1 (the referent), 3 and 6).
--
-- Replaced here (CREATE OR REPLACE): refgw_notify_ending_soon (022's), and
-- the policy occupancies_read (013's: the referent reads it too).  Neither
-- refgw_start_occupancy nor refgw_record_placement is replaced: the gateway
-- sets the referent and the convention with refgw_occupancy_terms in the
-- same transaction, right after either.

-- ---------------------------------------------------------------- 1. the convention
-- The document under which the person lives in the unit: its kind, the
-- organisation's reference, when and by whom (a staff member of the
-- organisation: not the person's data) it was signed, and its end.
ALTER TABLE occupancies
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN convention_kind text
        CHECK (convention_kind IN ('precarious_occupation', 'transit_convention', 'lease',
                                   'community_house_convention')),
    ADD COLUMN convention_reference text CHECK (length(convention_reference) BETWEEN 1 AND 100),
    ADD COLUMN convention_signed_on date,
    ADD COLUMN convention_signed_by text CHECK (length(convention_signed_by) BETWEEN 1 AND 200),
    ADD COLUMN convention_end_date date,
    ADD CONSTRAINT occupancies_convention_kind
        CHECK (convention_kind IS NOT NULL
               OR (convention_reference IS NULL AND convention_signed_on IS NULL
                   AND convention_signed_by IS NULL AND convention_end_date IS NULL)),
    ADD CONSTRAINT occupancies_convention_end
        CHECK (convention_end_date >= convention_signed_on),
    -- 022's rule, less the planned end: an open-ended lease has none
    -- (occupancies_open_ended below, checked at commit).
    DROP CONSTRAINT occupancies_kind_unit,
    ADD CONSTRAINT occupancies_kind_unit
        CHECK ((kind = 'unit') = (unit_id IS NOT NULL)
               AND (kind = 'unit') = (proposal_id IS NOT NULL)
               AND (kind = 'unit') = (operator_org IS NOT NULL));

-- A unit's occupancy without a planned end is a lease, on a unit let on
-- lease terms without a maximum stay or an end of availability.  At
-- commit: the occupancy is started, then its convention set, in one
-- transaction.
CREATE FUNCTION refgw_occupancy_open_ended_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o occupancies;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = NEW.id;
    IF FOUND AND o.kind = 'unit' AND o.planned_end_date IS NULL
       AND (o.convention_kind IS DISTINCT FROM 'lease'
            OR NOT EXISTS (SELECT 1 FROM units u WHERE u.id = o.unit_id AND u.terms = 'lease'
                              AND u.max_stay_months IS NULL AND u.available_until IS NULL)) THEN
        RAISE EXCEPTION 'occupancy % has no planned end and is no open-ended lease', o.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER occupancies_open_ended AFTER INSERT OR UPDATE ON occupancies
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION refgw_occupancy_open_ended_check();

-- ---------------------------------------------------------------- 2. who reads it
-- The referent organisation reads the occupancy it accompanies.
DROP POLICY occupancies_read ON occupancies;
CREATE POLICY occupancies_read ON occupancies FOR SELECT
    USING ((operator_org = (SELECT refgw_caller()) OR referring_org = (SELECT refgw_caller())
            OR referent_org = (SELECT refgw_caller()))
           AND (SELECT refgw_caller_may('occupancy.read')));
CREATE INDEX occupancies_referent_idx ON occupancies (referent_org) WHERE referent_org IS NOT NULL;

-- ---------------------------------------------------------------- 3. setting the terms
-- Sets (or changes) an occupancy's referent and convention, as its operator
-- or referring organisation (occupancy.manage).  p_referent / p_convention:
-- NULL leaves it as it is, JSON null clears it, an object sets it (its
-- shape checked by the gateway).  p_version: the If-Match of a PATCH (NULL
-- right after the occupancy's start).  Returns ok, not_found, ended,
-- stale, or invalid:<field> (the field the caller names in its 422).
-- The referent named (anew) gets occupancy.referent_assigned.
CREATE FUNCTION refgw_occupancy_terms(p_occupancy uuid, p_version integer, p_referent jsonb,
                                      p_convention jsonb) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o occupancies;
    u units;
    ref_org uuid;
    conv_kind text;
    signed date;
    ends date;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy FOR UPDATE;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (o.operator_org, o.referring_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    IF p_version IS NOT NULL AND o.version <> p_version THEN RETURN 'stale'; END IF;
    IF p_version IS NOT NULL AND o.end_date IS NOT NULL THEN RETURN 'ended'; END IF;
    IF jsonb_typeof(p_referent) = 'object' THEN
        ref_org := (p_referent->>'organisation_id')::uuid;
        IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = ref_org AND status = 'active') THEN
            RETURN 'invalid:referent.organisation_id';
        END IF;
    END IF;
    IF jsonb_typeof(p_convention) = 'object' THEN
        conv_kind := p_convention->>'kind';
        signed := (p_convention->>'signed_on')::date;
        ends := (p_convention->>'end_date')::date;
        IF signed > current_date THEN RETURN 'invalid:convention.signed_on'; END IF;
        IF ends < signed THEN RETURN 'invalid:convention.end_date'; END IF;
    ELSIF p_convention IS NULL THEN
        conv_kind := o.convention_kind;
    END IF;
    IF o.kind = 'unit' AND o.planned_end_date IS NULL THEN
        SELECT * INTO u FROM units WHERE id = o.unit_id;
        IF u.terms <> 'lease' OR u.max_stay_months IS NOT NULL OR u.available_until IS NOT NULL THEN
            RETURN 'invalid:planned_end_date';
        END IF;
        IF conv_kind IS DISTINCT FROM 'lease' THEN RETURN 'invalid:convention.kind'; END IF;
    END IF;
    UPDATE occupancies SET
        referent_org = CASE WHEN p_referent IS NULL THEN referent_org ELSE ref_org END,
        referent_name = CASE WHEN p_referent IS NULL THEN referent_name
                             ELSE p_referent->>'name' END,
        referent_role = CASE WHEN p_referent IS NULL THEN referent_role
                             ELSE p_referent->>'role' END,
        convention_kind = CASE WHEN p_convention IS NULL THEN convention_kind ELSE conv_kind END,
        convention_reference = CASE WHEN p_convention IS NULL THEN convention_reference
                                    ELSE p_convention->>'reference' END,
        convention_signed_on = CASE WHEN p_convention IS NULL THEN convention_signed_on
                                    ELSE signed END,
        convention_signed_by = CASE WHEN p_convention IS NULL THEN convention_signed_by
                                    ELSE p_convention->>'signed_by' END,
        convention_end_date = CASE WHEN p_convention IS NULL THEN convention_end_date
                                   ELSE ends END,
        version = version + CASE WHEN p_version IS NULL THEN 0 ELSE 1 END
     WHERE id = o.id;
    IF ref_org IS NOT NULL AND ref_org IS DISTINCT FROM o.referent_org THEN
        PERFORM refgw_emit_event(ref_org, 'occupancy.referent_assigned', 'occupancy', o.id);
    END IF;
    RETURN 'ok';
END
$$;
REVOKE ALL ON FUNCTION refgw_occupancy_terms(uuid, integer, jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_occupancy_terms(uuid, integer, jsonb, jsonb) TO refgw_app;

-- ---------------------------------------------------------------- 4. alert thresholds
-- How many days before a planned end an organisation wants its "ending
-- soon" alert, per convention kind (NULL: any kind, or no convention).
-- Without a row, the server-wide REFGW_ENDING_SOON_DAYS.  Each
-- organisation reads its own rows (event.read: the thresholds say when its
-- own events come) and replaces them with refgw_replace_alert_thresholds
-- (the runtime role has no DELETE here).
CREATE TABLE alert_thresholds (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    convention_kind text
        CHECK (convention_kind IN ('precarious_occupation', 'transit_convention', 'lease',
                                   'community_house_convention')),
    days_before integer NOT NULL CHECK (days_before BETWEEN 0 AND 3650),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX alert_thresholds_one
    ON alert_thresholds (organisation_id, coalesce(convention_kind, ''));
ALTER TABLE alert_thresholds ENABLE ROW LEVEL SECURITY;
CREATE POLICY alert_thresholds_read ON alert_thresholds FOR SELECT
    USING (organisation_id = (SELECT refgw_caller()) AND (SELECT refgw_caller_may('event.read')));
GRANT SELECT ON alert_thresholds TO refgw_app;

-- The caller's thresholds replaced by p_items ([{convention_kind,
-- days_before}], checked by the gateway; the unique index refuses a kind
-- twice): how many there are now.
CREATE FUNCTION refgw_replace_alert_thresholds(p_items jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    IF refgw_caller() IS NULL OR NOT refgw_caller_may('event.read') THEN
        RAISE EXCEPTION 'alert thresholds need an authenticated caller with event.read'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM alert_thresholds WHERE organisation_id = refgw_caller();
    INSERT INTO alert_thresholds (organisation_id, convention_kind, days_before)
    SELECT refgw_caller(), x.convention_kind, x.days_before
      FROM jsonb_to_recordset(p_items) AS x(convention_kind text, days_before integer);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION refgw_replace_alert_thresholds(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_replace_alert_thresholds(jsonb) TO refgw_app;

-- The days before a planned end at which p_org wants its alert for a
-- convention of kind p_kind.
CREATE FUNCTION refgw_alert_days(p_org uuid, p_kind text, p_default integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT coalesce((SELECT t.days_before FROM alert_thresholds t
                      WHERE t.organisation_id = p_org
                        AND (t.convention_kind = p_kind OR t.convention_kind IS NULL)
                      ORDER BY t.convention_kind NULLS LAST LIMIT 1), p_default)
$$;
REVOKE ALL ON FUNCTION refgw_alert_days(uuid, text, integer) FROM PUBLIC;

-- ---------------------------------------------------------------- 5. sent once each
-- One row per alert sent: claimed by INSERT ... ON CONFLICT DO NOTHING, so
-- that however many instances run the housekeeping, each recipient hears
-- it once.
CREATE TABLE occupancy_alerts (
    occupancy_id uuid NOT NULL REFERENCES occupancies (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    type text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (occupancy_id, organisation_id, type)
);
ALTER TABLE occupancy_alerts ENABLE ROW LEVEL SECURITY;

-- Housekeeping (no caller): occupancy.ending_soon to the operator, the
-- referring organisation and the referent, placement.ending_soon to the
-- referral's parties, each when today is within its own threshold for the
-- convention's kind, once.  An open-ended lease (no planned end) never
-- alerts.  The occupancies 022's version already alerted (one server-wide
-- threshold, ending_soon_notified_at) are not alerted again.
CREATE OR REPLACE FUNCTION refgw_notify_ending_soon(p_days integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    a record;
    n integer := 0;
BEGIN
    FOR a IN
        WITH due AS (
            SELECT DISTINCT o.id, t.org, t.type
              FROM occupancies o
              JOIN referrals f ON f.id = o.referral_id
             CROSS JOIN LATERAL (VALUES (o.operator_org, 'occupancy.ending_soon'),
                                        (o.referring_org, 'occupancy.ending_soon'),
                                        (o.referent_org, 'occupancy.ending_soon'),
                                        (f.from_org, 'placement.ending_soon'),
                                        (f.to_org, 'placement.ending_soon')) AS t(org, type)
             WHERE o.end_date IS NULL AND o.ending_soon_notified_at IS NULL
               AND o.planned_end_date IS NOT NULL
               AND o.planned_end_date <= current_date
                       + greatest(p_days, (SELECT max(days_before) FROM alert_thresholds))
               AND t.org IS NOT NULL
               AND current_date >= o.planned_end_date
                       - refgw_alert_days(t.org, o.convention_kind, p_days)
               AND NOT EXISTS (SELECT 1 FROM occupancy_alerts s
                                WHERE s.occupancy_id = o.id AND s.organisation_id = t.org
                                  AND s.type = t.type))
        INSERT INTO occupancy_alerts AS s (occupancy_id, organisation_id, type)
        SELECT id, org, type FROM due
            ON CONFLICT DO NOTHING
        RETURNING s.occupancy_id, s.organisation_id, s.type
    LOOP
        IF a.type = 'placement.ending_soon' THEN
            PERFORM refgw_event_write(a.organisation_id, a.type, 'referral',
                                      (SELECT referral_id FROM occupancies
                                        WHERE id = a.occupancy_id));
        ELSE
            PERFORM refgw_event_write(a.organisation_id, a.type, 'occupancy', a.occupancy_id);
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
