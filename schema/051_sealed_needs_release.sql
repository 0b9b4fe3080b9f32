-- Issue 16, the last personal fields in clear: a referral's `needs` and
-- `release_date` are sealed at rest like `data` and `reason` (schema/045,
-- gateway/seal.c).  PostgreSQL keeps what it decides on:
--   needs          the keys stay visible (which needs, hence which consent
--                  categories a referral carries: refgw_personal_categories,
--                  the coverage policy, the operator's per-category filter);
--                  each value is sealed ("needs.<key>", the value's JSON text)
--   release_date   text, sealed ("release_date", the JSON string "YYYY-MM-DD")
-- What computed on the clear values now gets them from the gateway, which
-- opens them with the person's data key:
--   the candidates ranking (ST_CANDIDATES): refgw_waitlist_needs() returns
--     the sealed needs and release date with the person; the gateway passes
--     them back opened, as a JSON array, for that one statement;
--   the "before release" check of refgw_start_occupancy and
--     refgw_record_placement, and refgw_release_date_for_caller: the
--     gateway reads the sealed date (refgw_release_sealed), opens it and
--     passes it as a parameter.
-- The CHECKs are NOT VALID like 045's: a development database holding needs
-- or release dates written in clear (after 045) stops this migration.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM referral_data WHERE needs <> '{}' OR release_date IS NOT NULL) THEN
        RAISE EXCEPTION 'needs or release dates written in clear before migration 051: this '
                        'development database must be recreated (make run: remove var/pg)';
    END IF;
END
$$;

-- What depends on the old types goes first (the policy, the signatures).
DROP POLICY referral_data_insert_covered ON referral_data;
DROP FUNCTION refgw_personal_categories(jsonb, text, jsonb, date);
DROP FUNCTION refgw_referral_data_shown(uuid);
DROP FUNCTION refgw_waitlist_needs();
DROP FUNCTION refgw_release_date_for_caller(uuid, uuid);
DROP FUNCTION refgw_start_occupancy(uuid, date, date);
DROP FUNCTION refgw_record_placement(uuid, text, date, date, text);
DROP FUNCTION refgw_before_release(uuid, date);

ALTER TABLE referral_data ALTER COLUMN release_date TYPE text USING NULL;
ALTER TABLE referral_data
    ADD CONSTRAINT referral_data_release_date_sealed CHECK (release_date LIKE 'rgw1.%') NOT VALID,
    ADD CONSTRAINT referral_data_needs_sealed
        CHECK (jsonb_typeof(needs) = 'object'
               AND NOT jsonb_path_exists(needs, '$.* ? (@.type() != "string" || !(@ starts with "rgw1."))'))
        NOT VALID;

-- The categories of a referral's personal fields: the keys of data and of
-- needs, reason and release date by their presence (values never read).
CREATE FUNCTION refgw_personal_categories(p_data jsonb, p_reason text, p_needs jsonb,
                                          p_release_date text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}')
      FROM (SELECT jsonb_object_keys(coalesce(p_data, '{}')) AS c
            UNION ALL
            SELECT 'housing_situation' WHERE p_reason IS NOT NULL
            UNION ALL
            SELECT 'justice' WHERE p_release_date IS NOT NULL
            UNION ALL
            SELECT CASE k WHEN 'household_size' THEN 'family'
                          WHEN 'accessibility' THEN 'health'
                          WHEN 'avoid_communes' THEN 'housing_situation'
                          WHEN 'preferred_communes' THEN 'housing_situation'
                          WHEN 'excluded_communes' THEN 'justice'
                          WHEN 'income_band' THEN 'income'
                          ELSE 'unknown:' || k END
              FROM jsonb_object_keys(coalesce(p_needs, '{}')) k) cats
$$;
REVOKE ALL ON FUNCTION refgw_personal_categories(jsonb, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_personal_categories(jsonb, text, jsonb, text) TO refgw_app;

CREATE POLICY referral_data_insert_covered ON referral_data AS RESTRICTIVE FOR INSERT
    WITH CHECK (refgw_referral_consent_covers(referral_id,
                refgw_personal_categories(data, reason, needs, release_date)));

-- As schema/021 and 025, with the release date as stored (sealed text);
-- each need is kept or cut by its key's category, its value untouched.
CREATE FUNCTION refgw_referral_data_shown(p_referral uuid)
RETURNS TABLE (referral_id uuid, data jsonb, reason text, needs jsonb, release_date text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    shared text[];
BEGIN
    IF refgw_referral_data_visible(p_referral) THEN
        RETURN QUERY SELECT d.referral_id, d.data, d.reason, d.needs, d.release_date
                       FROM referral_data d WHERE d.referral_id = p_referral;
        RETURN;
    END IF;
    shared := refgw_operator_shared(p_referral);
    IF shared IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT d.referral_id,
               coalesce((SELECT jsonb_object_agg(e.key, e.value)
                           FROM jsonb_each(d.data) e WHERE e.key = ANY (shared)), '{}'),
               CASE WHEN 'housing_situation' = ANY (shared) THEN d.reason END,
               coalesce((SELECT jsonb_object_agg(e.key, e.value)
                           FROM jsonb_each(d.needs) e
                          WHERE refgw_personal_categories(NULL, NULL,
                                                          jsonb_build_object(e.key, e.value),
                                                          NULL) <@ shared), '{}'),
               CASE WHEN 'justice' = ANY (shared) THEN d.release_date END
          FROM referral_data d WHERE d.referral_id = p_referral;
END
$$;
REVOKE ALL ON FUNCTION refgw_referral_data_shown(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_referral_data_shown(uuid) TO refgw_app;

-- The caller's waitlisted referrals whose consent holds, their needs and
-- release date sealed, with the person whose key opens them (the gateway
-- opens them and hands them to the ranking, ST_CANDIDATES).
CREATE FUNCTION refgw_waitlist_needs()
RETURNS TABLE (referral_id uuid, person_id uuid, needs jsonb, release_date text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT d.referral_id, r.person_id, d.needs, d.release_date
      FROM referrals r
      JOIN consents c ON c.id = r.consent_id
      JOIN referral_data d ON d.referral_id = r.id
     WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted'
       AND c.status = 'active' AND c.valid_until >= current_date
       AND (SELECT refgw_caller_may('referral.read'))
$$;
REVOKE ALL ON FUNCTION refgw_waitlist_needs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_waitlist_needs() TO refgw_app;

-- The sealed release date of a referral (named, or through a proposal),
-- for the "before release" check of an occupancy's start or a placement:
-- to the parties those functions admit (the proposal's operator or
-- proposer; the referral's sender or receiver), whatever the consent says
-- of reading it.  The gateway opens it to pass it to the check and never
-- shows it from here (refgw_release_date_for_caller decides that).
CREATE FUNCTION refgw_release_sealed(p_proposal uuid, p_referral uuid)
RETURNS TABLE (person_id uuid, release_date text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT r.person_id, d.release_date
      FROM referrals r JOIN referral_data d ON d.referral_id = r.id
     WHERE r.id = coalesce(p_referral, (SELECT referral_id FROM proposals WHERE id = p_proposal))
       AND CASE WHEN p_proposal IS NOT NULL
                THEN EXISTS (SELECT 1 FROM proposals x
                              WHERE x.id = p_proposal
                                AND refgw_caller() IN (x.operator_org, x.proposer_org))
                ELSE refgw_caller() IN (r.from_org, r.to_org) END
$$;
REVOKE ALL ON FUNCTION refgw_release_sealed(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_release_sealed(uuid, uuid) TO refgw_app;

-- The start is before the release date (opened by the gateway); no date:
-- never.
CREATE FUNCTION refgw_before_release(p_release date, p_start date) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce(p_start < p_release, false)
$$;
REVOKE ALL ON FUNCTION refgw_before_release(date, date) FROM PUBLIC;

-- The release date the gateway opened, when the caller may read it (a
-- party of the referral whose consent holds and covers justice); NULL
-- otherwise (schema/022).
CREATE FUNCTION refgw_release_date_for_caller(p_proposal uuid, p_referral uuid, p_release date)
RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
    SELECT p_release
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN referral_data d ON d.referral_id = r.id
     WHERE r.id = coalesce(p_referral, (SELECT referral_id FROM proposals WHERE id = p_proposal))
       AND refgw_caller() IN (r.from_org, r.to_org) AND refgw_caller_may('referral.read')
       AND c.status = 'active' AND c.valid_until >= current_date
       AND 'justice' = ANY (c.data_categories)
$$;
GRANT EXECUTE ON FUNCTION refgw_release_date_for_caller(uuid, uuid, date) TO refgw_app;

-- As they were (current.sql before 051), the release date passed by the gateway.
CREATE FUNCTION refgw_start_occupancy(p_proposal uuid, p_start date, p_planned_end date,
                                      p_release date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
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
    PERFORM refgw_referral_consent_hold(p.referral_id);
    IF p.status <> 'accepted' THEN RETURN 'not_accepted'; END IF;
    PERFORM 1 FROM referrals WHERE id = p.referral_id FOR UPDATE; -- consent, referral, unit
    SELECT * INTO u FROM units WHERE id = p.unit_id FOR UPDATE;
    IF u.status <> 'reserved' OR EXISTS (SELECT 1 FROM occupancies WHERE proposal_id = p.id) THEN
        RETURN 'exists';
    END IF;
    IF (SELECT status FROM referrals WHERE id = p.referral_id)
       NOT IN ('submitted', 'received', 'waitlisted', 'accepted') THEN
        RETURN 'referral_closed';
    END IF;
    IF refgw_before_release(p_release, p_start) THEN RETURN 'before_release'; END IF;
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
    PERFORM refgw_tell_orgs(ARRAY[p.operator_org, p.proposer_org], 'occupancy.started',
                            'occupancy', occ);
    PERFORM refgw_placement_started(occ);
    RETURN occ::text;
END
$$;
GRANT EXECUTE ON FUNCTION refgw_start_occupancy(uuid, date, date, date) TO refgw_app;

CREATE FUNCTION refgw_record_placement(p_referral uuid, p_kind text, p_start date,
                                       p_planned_end date, p_note text, p_release date)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    f referrals;
    occ uuid;
BEGIN
    SELECT * INTO f FROM referrals WHERE id = p_referral;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (f.from_org, f.to_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    PERFORM refgw_referral_consent_hold(f.id);
    SELECT * INTO f FROM referrals WHERE id = p_referral FOR UPDATE; -- consent, then referral
    IF f.status NOT IN ('submitted', 'received', 'waitlisted', 'accepted') THEN
        RETURN 'referral_closed';
    END IF;
    IF refgw_person_placed(f.id, NULL) THEN RETURN 'exists'; END IF;
    IF refgw_before_release(p_release, p_start) THEN RETURN 'before_release'; END IF;
    IF p_planned_end IS NOT NULL AND p_planned_end <= p_start THEN RETURN 'not_after_start'; END IF;
    INSERT INTO occupancies (kind, referral_id, referring_org, start_date, planned_end_date, note)
        VALUES (p_kind, f.id, refgw_caller(), p_start, p_planned_end, p_note)
        RETURNING id INTO occ;
    PERFORM refgw_placement_started(occ);
    RETURN occ::text;
END
$$;
GRANT EXECUTE ON FUNCTION refgw_record_placement(uuid, text, date, date, text, date) TO refgw_app;
