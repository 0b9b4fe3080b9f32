-- 008: occupancies — who lives in a unit, from when, until when, and how it
-- ended — and the "ending soon" events that let the next housing be
-- prepared before a convention ends.

INSERT INTO access_rules (kind, action, allowed)
SELECT k, a, true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas', 'housing_operator']) k,
       unnest(ARRAY['occupancy.manage', 'occupancy.read']) a;

CREATE TABLE occupancies (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id                 uuid NOT NULL REFERENCES units (id),
    proposal_id             uuid NOT NULL UNIQUE REFERENCES proposals (id),
    referral_id             uuid NOT NULL REFERENCES referrals (id),
    operator_org            uuid NOT NULL REFERENCES organisations (id),
    referring_org           uuid NOT NULL REFERENCES organisations (id),
    start_date              date NOT NULL,
    planned_end_date        date NOT NULL,
    end_date                date,
    outcome                 text CHECK (outcome IN ('durable_housing', 'other_transit', 'family',
                                                    'street', 'prison', 'hospital', 'deceased',
                                                    'unknown', 'other')),
    ending_soon_notified_at timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (planned_end_date > start_date),
    CHECK (end_date IS NULL OR end_date >= start_date),
    CHECK ((end_date IS NULL) = (outcome IS NULL))
);
CREATE INDEX occupancies_ending_idx ON occupancies (planned_end_date)
    WHERE end_date IS NULL AND ending_soon_notified_at IS NULL;

ALTER TABLE occupancies ENABLE ROW LEVEL SECURITY;
CREATE POLICY occupancies_read ON occupancies FOR SELECT
    USING ((operator_org = refgw_caller() OR referring_org = refgw_caller())
           AND (SELECT refgw_caller_may('occupancy.read')));
GRANT SELECT ON occupancies TO refgw_app;

-- Start an occupancy from an accepted proposal (its unit's operator or the
-- proposing organisation).  Returns the new id, or an error word:
-- 'not_found', 'not_accepted', 'exists', 'before_available', 'not_after_start',
-- 'after_available', 'too_long'.
CREATE FUNCTION refgw_start_occupancy(p_proposal uuid, p_start date, p_planned_end date)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    p proposals;
    u units;
    occ uuid;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (p.operator_org, p.proposer_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    IF p.status <> 'accepted' THEN RETURN 'not_accepted'; END IF;
    SELECT * INTO u FROM units WHERE id = p.unit_id FOR UPDATE;
    IF u.status <> 'reserved' OR EXISTS (SELECT 1 FROM occupancies WHERE proposal_id = p.id) THEN
        RETURN 'exists';
    END IF;
    IF p_start < u.available_from THEN RETURN 'before_available'; END IF;
    IF p_planned_end <= p_start THEN RETURN 'not_after_start'; END IF;
    IF u.available_until IS NOT NULL AND p_planned_end > u.available_until THEN
        RETURN 'after_available';
    END IF;
    IF u.max_stay_months IS NOT NULL
       AND p_planned_end > p_start + make_interval(months => u.max_stay_months) THEN
        RETURN 'too_long';
    END IF;
    INSERT INTO occupancies (unit_id, proposal_id, referral_id, operator_org, referring_org,
                             start_date, planned_end_date)
        VALUES (u.id, p.id, p.referral_id, p.operator_org, p.proposer_org, p_start, p_planned_end)
        RETURNING id INTO occ;
    UPDATE units SET status = 'occupied', version = version + 1, updated_at = now() WHERE id = u.id;
    PERFORM refgw_emit_event(p.operator_org, 'occupancy.started', 'occupancy', occ);
    PERFORM refgw_emit_event(p.proposer_org, 'occupancy.started', 'occupancy', occ);
    RETURN occ::text;
END
$$;

-- End it: the unit is published again if it is still available after the
-- end date, else closed.  Returns 'ok', 'not_found' or 'ended'.
CREATE FUNCTION refgw_end_occupancy(p_occupancy uuid, p_end date, p_outcome text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o occupancies;
    u units;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy FOR UPDATE;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (o.operator_org, o.referring_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    IF o.end_date IS NOT NULL THEN RETURN 'ended'; END IF;
    IF p_end < o.start_date THEN RETURN 'before_start'; END IF;
    UPDATE occupancies SET end_date = p_end, outcome = p_outcome WHERE id = o.id;
    SELECT * INTO u FROM units WHERE id = o.unit_id FOR UPDATE;
    UPDATE units SET status = CASE WHEN u.available_until IS NULL OR u.available_until > p_end
                                   THEN 'published' ELSE 'closed' END,
                     version = version + 1, updated_at = now()
     WHERE id = u.id;
    PERFORM refgw_emit_event(o.operator_org, 'occupancy.ended', 'occupancy', o.id);
    PERFORM refgw_emit_event(o.referring_org, 'occupancy.ended', 'occupancy', o.id);
    RETURN 'ok';
END
$$;

-- Occupancies whose planned end is within p_days get one event each, for
-- the operator and the referring organisation.  Safe to run from every
-- gateway instance at once: the row is claimed by its UPDATE.
CREATE FUNCTION refgw_notify_ending_soon(p_days integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o record;
    n integer := 0;
BEGIN
    FOR o IN UPDATE occupancies SET ending_soon_notified_at = now()
              WHERE end_date IS NULL AND ending_soon_notified_at IS NULL
                AND planned_end_date <= current_date + p_days
             RETURNING id, operator_org, referring_org LOOP
        PERFORM refgw_emit_event(o.operator_org, 'occupancy.ending_soon', 'occupancy', o.id);
        PERFORM refgw_emit_event(o.referring_org, 'occupancy.ending_soon', 'occupancy', o.id);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

GRANT EXECUTE ON FUNCTION refgw_start_occupancy(uuid, date, date),
    refgw_end_occupancy(uuid, date, text), refgw_notify_ending_soon(integer) TO refgw_app;
