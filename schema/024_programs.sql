-- 024: programs as rows of their own (issue 14, items 5 and 6).
--
-- * Item 5: an organisation opens and closes its own programs.  Until now a
--   program was a code in organisations.programs, changed by the coordinator
--   only.  The array stays the list of codes an organisation offers (the
--   coordinator adds and removes codes, the directory lists them as before);
--   each code now has a row here, kept in step by a trigger, which carries
--   what the organisation itself says of it: its kind, a description, the
--   communes it serves and whether it is open.  A referral (or an intake) to a
--   closed program is refused by the gateway (422 program-closed).
-- * Item 6: refgw_referral_parallel() tells the receiver of a referral that
--   the same person (the same keyed hash of the national number) has another
--   open referral for a housing program elsewhere: the kind of program and
--   the month only (docs/data-protection.md).

-- The kinds of program, a short list that fits the seed organisations
-- (docs/journeys.md): the four housing kinds first (the ones item 6 watches).
CREATE FUNCTION refgw_program_kinds() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY['transit_housing', 'durable_housing', 'housing_first', 'community_house',
                   'rest_and_rights', 'coaching', 'income_support', 'home_guidance', 'other'] $$;

CREATE FUNCTION refgw_housing_program_kinds() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ARRAY['transit_housing', 'durable_housing', 'housing_first', 'community_house'] $$;

-- The kind a program code suggests, for the codes that exist before this
-- migration and for codes the coordinator adds later; the organisation
-- corrects it with PATCH /v1/organisations/{id}/programs/{code}.
CREATE FUNCTION refgw_program_kind_of(p_code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_code LIKE '%transit%' THEN 'transit_housing'
        WHEN p_code LIKE '%durable%' OR p_code LIKE '%candidacy%' OR p_code LIKE '%lease%'
            THEN 'durable_housing'
        WHEN p_code LIKE '%housing_first%' OR p_code LIKE '%housing_support%'
            THEN 'housing_first'
        WHEN p_code LIKE '%community%' THEN 'community_house'
        WHEN p_code LIKE '%axis%' OR p_code LIKE '%coaching%' THEN 'coaching'
        WHEN p_code LIKE '%rest%' OR p_code LIKE '%rights%' THEN 'rest_and_rights'
        WHEN p_code LIKE '%social_aid%' OR p_code LIKE '%income%' THEN 'income_support'
        WHEN p_code LIKE '%guidance%' THEN 'home_guidance'
        ELSE 'other' END
$$;

CREATE TABLE programs (
    id              uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    code            text NOT NULL CHECK (code ~ '^[a-z0-9._-]{1,64}$'),
    kind            text NOT NULL CHECK (kind = ANY (refgw_program_kinds())),
    -- one text for now, in the organisation's own language (docs/hsds.md)
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- empty: the whole region
    communes_served text[] NOT NULL DEFAULT '{}'
                    CHECK (cardinality(communes_served) <= 32),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, code)
);

-- The rows follow organisations.programs: a code added gets an open row, a
-- code removed loses its row (referrals keep their program as text).
CREATE FUNCTION refgw_programs_follow() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    DELETE FROM programs p
     WHERE p.organisation_id = NEW.id AND NOT (p.code = ANY (NEW.programs));
    INSERT INTO programs (organisation_id, code, kind)
        SELECT NEW.id, c, refgw_program_kind_of(c) FROM unnest(NEW.programs) c
        ON CONFLICT (organisation_id, code) DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER organisations_programs_follow
    AFTER INSERT OR UPDATE OF programs ON organisations
    FOR EACH ROW EXECUTE FUNCTION refgw_programs_follow();

INSERT INTO programs (organisation_id, code, kind)
    SELECT o.id, c, refgw_program_kind_of(c) FROM organisations o, unnest(o.programs) c
    ON CONFLICT DO NOTHING;

-- The directory is readable by every authenticated organisation; a
-- program's row is changed by its organisation or a coordinator (the
-- program.manage rule decides who may try at all).
ALTER TABLE programs ENABLE ROW LEVEL SECURITY;
CREATE POLICY programs_read ON programs FOR SELECT USING (refgw_caller() IS NOT NULL);
CREATE POLICY programs_update ON programs FOR UPDATE
    USING (organisation_id = refgw_caller() OR (SELECT refgw_caller_is_coordinator()))
    WITH CHECK (organisation_id = refgw_caller() OR (SELECT refgw_caller_is_coordinator()));
GRANT SELECT, UPDATE ON programs TO refgw_app;

INSERT INTO access_rules (kind, action, allowed)
SELECT k, 'program.manage', true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas', 'housing_operator',
                    'coordinator']) k;

-- Item 6.  For the receiver of referral p_referral, while its consent holds
-- and it is open: the other open referrals of the same person (the same
-- niss_hmac, whichever organisation created the person) for a housing
-- program at another organisation, as [{program_kind, since}] with since
-- the month of the oldest, one entry per kind; NULL when there is none or
-- the caller is not the receiver.  SECURITY DEFINER: the caller reads
-- neither the other persons nor the other referrals, only this answer, which
-- names no organisation, no referral, no person and no date finer than a
-- month.
CREATE FUNCTION refgw_referral_parallel(p_referral uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT jsonb_agg(jsonb_build_object('program_kind', x.kind, 'since', x.since)
                     ORDER BY x.since, x.kind)
      FROM (SELECT pg.kind, to_char(min(o.created_at), 'YYYY-MM') AS since
              FROM referrals r
              JOIN persons p ON p.id = r.person_id AND p.niss_hmac IS NOT NULL
              JOIN persons p2 ON p2.niss_hmac = p.niss_hmac
              JOIN referrals o ON o.person_id = p2.id AND o.id <> r.id
              JOIN programs pg ON pg.organisation_id = o.to_org AND pg.code = o.program
             WHERE r.id = p_referral
               AND r.to_org = refgw_caller()
               AND r.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND refgw_referral_consent_covers(r.id, '{}')
               AND o.to_org <> refgw_caller()
               AND o.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND pg.kind = ANY (refgw_housing_program_kinds())
             GROUP BY pg.kind) x
$$;
REVOKE ALL ON FUNCTION refgw_referral_parallel(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_referral_parallel(uuid), refgw_program_kinds(),
    refgw_housing_program_kinds(), refgw_program_kind_of(text) TO refgw_app;
