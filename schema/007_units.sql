-- 007: housing sites and units, their audience, proposals of referred
-- persons, and the operator's decision.
--
-- A unit is visible only to its operator and to its audience (organisations
-- and/or kinds), and only once published; its exact address only to its
-- operator and to an organisation whose proposal was accepted.  Accepting a
-- proposal reserves the unit with one conditional UPDATE, so two accepts
-- racing (two clicks, two gateway instances) can never reserve it twice.

INSERT INTO access_rules (kind, action, allowed) VALUES
    ('housing_operator', 'site.manage', true),
    ('housing_operator', 'unit.manage', true),
    ('housing_operator', 'unit.read', true),
    ('housing_operator', 'proposal.decide', true);
INSERT INTO access_rules (kind, action, allowed)
SELECT k, a, true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas']) k,
       unnest(ARRAY['unit.read', 'proposal.create']) a;

CREATE TABLE sites (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    operator_org     uuid NOT NULL REFERENCES organisations (id),
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    commune          text NOT NULL CHECK (length(commune) BETWEEN 1 AND 64),
    managing_partner text CHECK (length(managing_partner) <= 200),
    units_planned    integer CHECK (units_planned BETWEEN 0 AND 10000),
    period_from      date NOT NULL,
    period_until     date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (period_until IS NULL OR period_until >= period_from)
);
CREATE INDEX sites_operator_idx ON sites (operator_org);

CREATE TABLE units (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    site_id                  uuid NOT NULL REFERENCES sites (id),
    operator_org             uuid NOT NULL REFERENCES organisations (id),
    label                    text NOT NULL CHECK (length(label) BETWEEN 1 AND 64),
    type                     text NOT NULL CHECK (type IN ('room', 'studio', 'apartment',
                                                           'house', 'shared_house_room')),
    bedrooms                 integer NOT NULL CHECK (bedrooms BETWEEN 0 AND 4),
    furnished                boolean NOT NULL DEFAULT false,
    accessibility            text NOT NULL DEFAULT 'none'
                             CHECK (accessibility IN ('none', 'ground_floor', 'lift', 'wheelchair')),
    commune                  text NOT NULL CHECK (length(commune) BETWEEN 1 AND 64),
    monthly_contribution_eur numeric(8, 2) CHECK (monthly_contribution_eur >= 0),
    available_from           date NOT NULL,
    available_until          date,
    terms                    text NOT NULL CHECK (terms IN ('precarious_occupation', 'transit', 'lease')),
    max_stay_months          integer CHECK (max_stay_months BETWEEN 1 AND 120),
    audience_orgs            uuid[] NOT NULL DEFAULT '{}',
    audience_kinds           text[] NOT NULL DEFAULT '{}',
    status                   text NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'published', 'reserved', 'occupied',
                                               'withdrawn', 'closed')),
    version                  integer NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (available_until IS NULL OR available_until >= available_from)
);
CREATE INDEX units_search_idx ON units (status, available_from, id);
CREATE INDEX units_operator_idx ON units (operator_org);
CREATE INDEX units_audience_kinds_idx ON units USING gin (audience_kinds);
CREATE INDEX units_audience_orgs_idx ON units USING gin (audience_orgs);

-- The exact address, apart, so that row-level security can hide it alone.
CREATE TABLE unit_addresses (
    unit_id uuid PRIMARY KEY REFERENCES units (id),
    address text NOT NULL CHECK (length(address) BETWEEN 1 AND 300)
);

CREATE TABLE proposals (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    unit_id      uuid NOT NULL REFERENCES units (id),
    referral_id  uuid NOT NULL REFERENCES referrals (id),
    proposer_org uuid NOT NULL REFERENCES organisations (id),
    operator_org uuid NOT NULL REFERENCES organisations (id),
    shared_categories text[] NOT NULL DEFAULT '{}',
    note         text CHECK (length(note) <= 2000),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    reason_code  text,
    decided_at   timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX proposals_open_once ON proposals (unit_id, referral_id) WHERE status = 'open';
CREATE INDEX proposals_unit_idx ON proposals (unit_id, status);

-- Is the caller in the unit's audience (or its operator)?
CREATE FUNCTION refgw_in_audience(u units) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT u.operator_org = refgw_caller()
        OR (u.status <> 'draft'
            AND (refgw_caller() = ANY (u.audience_orgs)
                 OR (SELECT o.kind FROM organisations o WHERE o.id = refgw_caller())
                    = ANY (u.audience_kinds)))
$$;

-- Accept one proposal: reserve the unit if, and only if, it is still
-- published; decline every other open proposal for it (unit_taken); tell
-- every proposer.  Returns 'accepted', 'unit_taken', 'not_open' or NULL (not
-- the caller's unit).
CREATE FUNCTION refgw_accept_proposal(p_proposal uuid) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    p proposals;
    other proposals;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    IF NOT FOUND OR p.operator_org IS DISTINCT FROM refgw_caller() OR NOT refgw_caller_may('proposal.decide') THEN
        RETURN NULL;
    END IF;
    -- The one place a unit is reserved: a conditional update on its row.
    UPDATE units SET status = 'reserved', version = version + 1, updated_at = now()
     WHERE id = p.unit_id AND status = 'published';
    IF NOT FOUND THEN
        RETURN 'unit_taken';
    END IF;
    -- The unit's row lock is ours now; proposals for it cannot change under us.
    UPDATE proposals SET status = 'accepted', decided_at = now()
     WHERE id = p_proposal AND status = 'open';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'proposal % is not open', p_proposal USING ERRCODE = 'check_violation';
    END IF;
    PERFORM refgw_emit_event(p.proposer_org, 'proposal.accepted', 'proposal', p.id);
    FOR other IN UPDATE proposals SET status = 'declined', reason_code = 'unit_taken',
                                      decided_at = now()
                  WHERE unit_id = p.unit_id AND status = 'open' AND id <> p_proposal
                 RETURNING * LOOP
        PERFORM refgw_emit_event(other.proposer_org, 'proposal.declined', 'proposal', other.id);
    END LOOP;
    RETURN 'accepted';
END
$$;

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
ALTER TABLE units ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_addresses ENABLE ROW LEVEL SECURITY;
ALTER TABLE proposals ENABLE ROW LEVEL SECURITY;

-- A site (name, commune, operator, partner, period) is public within the
-- gateway, like the directory; its units are what the audience restricts.
CREATE POLICY sites_read ON sites FOR SELECT USING (refgw_caller() IS NOT NULL);
CREATE POLICY sites_write ON sites FOR INSERT
    WITH CHECK (operator_org = refgw_caller() AND refgw_caller_may('site.manage'));

CREATE POLICY units_read ON units FOR SELECT
    USING (refgw_in_audience(units) AND (SELECT refgw_caller_may('unit.read')));
CREATE POLICY units_insert ON units FOR INSERT
    WITH CHECK (operator_org = refgw_caller() AND refgw_caller_may('unit.manage')
                AND EXISTS (SELECT 1 FROM sites s WHERE s.id = site_id
                            AND s.operator_org = refgw_caller()));
CREATE POLICY units_update ON units FOR UPDATE
    USING (operator_org = refgw_caller())
    WITH CHECK (operator_org = refgw_caller() AND refgw_caller_may('unit.manage'));

CREATE POLICY unit_addresses_read ON unit_addresses FOR SELECT
    USING (EXISTS (SELECT 1 FROM units u WHERE u.id = unit_id AND u.operator_org = refgw_caller())
           OR EXISTS (SELECT 1 FROM proposals p WHERE p.unit_id = unit_addresses.unit_id
                      AND p.proposer_org = refgw_caller() AND p.status = 'accepted'));
CREATE POLICY unit_addresses_write ON unit_addresses FOR ALL
    USING (EXISTS (SELECT 1 FROM units u WHERE u.id = unit_id AND u.operator_org = refgw_caller()))
    WITH CHECK (EXISTS (SELECT 1 FROM units u WHERE u.id = unit_id
                        AND u.operator_org = refgw_caller()));

CREATE POLICY proposals_read ON proposals FOR SELECT
    USING (proposer_org = refgw_caller() OR operator_org = refgw_caller());
CREATE POLICY proposals_insert ON proposals FOR INSERT
    WITH CHECK (proposer_org = refgw_caller() AND refgw_caller_may('proposal.create'));
CREATE POLICY proposals_update ON proposals FOR UPDATE
    USING (operator_org = refgw_caller())
    WITH CHECK (operator_org = refgw_caller() AND refgw_caller_may('proposal.decide'));

GRANT SELECT, INSERT ON sites, proposals TO refgw_app;
GRANT SELECT, INSERT, UPDATE ON units, unit_addresses TO refgw_app;
GRANT UPDATE ON proposals TO refgw_app;
GRANT EXECUTE ON FUNCTION refgw_in_audience(units), refgw_accept_proposal(uuid) TO refgw_app;

-- May the caller propose this referral to this unit's operator?  The caller
-- must be the referral's sender or receiver, the referral open, and its
-- consent active and covering the operator (by id or kind).  Returns the
-- categories of personal data the operator would be shared (those of the
-- consent present in the referral), or NULL with the reason in a notice-free
-- form: 'referral' (not yours or closed), 'consent' (does not cover).
CREATE FUNCTION refgw_proposal_coverage(p_referral uuid, p_operator uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    r referrals;
    c consents;
    op_kind text;
BEGIN
    SELECT * INTO r FROM referrals WHERE id = p_referral
       AND (from_org = refgw_caller() OR to_org = refgw_caller());
    IF NOT FOUND OR r.status IN ('declined', 'cancelled', 'completed', 'consent_withdrawn') THEN
        RETURN '!referral';
    END IF;
    SELECT * INTO c FROM consents WHERE id = r.consent_id;
    SELECT kind INTO op_kind FROM organisations WHERE id = p_operator;
    IF c.status <> 'active' OR c.valid_until < current_date
       OR NOT (p_operator = ANY (c.recipient_orgs) OR op_kind = ANY (c.recipient_kinds)) THEN
        RETURN '!consent';
    END IF;
    RETURN coalesce((SELECT string_agg(k, ',' ORDER BY k)
                       FROM referral_data d, jsonb_object_keys(d.data) k
                      WHERE d.referral_id = r.id AND k = ANY (c.data_categories)), '');
END
$$;
GRANT EXECUTE ON FUNCTION refgw_proposal_coverage(uuid, uuid) TO refgw_app;
