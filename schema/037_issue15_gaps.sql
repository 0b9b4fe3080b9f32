-- 037: gaps left by issue 15's parts.
--
-- 1. An organisation that hosts proposes its own people for its own house.
--    The operator of the unit that is a party of the referral (its sender or
--    receiver, so the organisation of an intake) already holds the person's
--    data under the consent: it is covered, whatever the consent's recipients
--    (shared categories: the data's categories the consent covers).  A third
--    operator still needs the consent to name it (organisation or kind).
--    Replaced: refgw_proposal_coverage (007's) and refgw_operator_shared
--    (025's), one condition each.  refgw_start_occupancy (022's) and
--    refgw_end_occupancy (022's) tell each organisation once
--    (refgw_tell_orgs, 033): an operator that proposed for its own unit got
--    occupancy.started and occupancy.ended twice.
-- 2. Closing a site withdraws its published and draft units in the same
--    transaction (`unit.withdrawn` to the operator for each); no unit is
--    created, or made draft or published, on a closed site (23R03).  The
--    busy check locks the site's units first (refgw_site_close_lock), so a
--    reservation at the same moment either comes first (409 site-occupied)
--    or finds the unit withdrawn (proposal-not-open / unit_taken).
-- 3. A unit leaving the offer (published to withdrawn or closed, by PATCH,
--    by its site's closing or by housekeeping) declines its open proposals
--    `unit_unavailable` (033's code for a unit no longer offered;
--    `unit_withdrawn` stays the code of an accepted proposal taken back, which
--    gives the referral its priority), `proposal.declined` to each proposer.

-- ---------------------------------------------------------------- 1
CREATE OR REPLACE FUNCTION refgw_proposal_coverage(p_referral uuid, p_operator uuid) RETURNS text
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
       OR NOT (p_operator = ANY (c.recipient_orgs) OR op_kind = ANY (c.recipient_kinds)
               OR p_operator IN (r.from_org, r.to_org)) THEN
        RETURN '!consent';
    END IF;
    RETURN coalesce((SELECT string_agg(k, ',' ORDER BY k)
                       FROM referral_data d, jsonb_object_keys(d.data) k
                      WHERE d.referral_id = r.id AND k = ANY (c.data_categories)), '');
END
$$;

CREATE OR REPLACE FUNCTION refgw_operator_shared(p_referral uuid) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT array_agg(DISTINCT s ORDER BY s)
      FROM referrals r
      JOIN consents c ON c.id = r.consent_id
      JOIN proposals p ON p.referral_id = r.id
      JOIN organisations o ON o.id = p.operator_org
     CROSS JOIN LATERAL unnest(p.shared_categories) s
     WHERE r.id = p_referral
       AND p.operator_org = refgw_caller()
       AND p.status IN ('open', 'accepted')
       AND r.status NOT IN ('declined', 'cancelled', 'consent_withdrawn')
       AND (p.status = 'accepted' OR r.status <> 'completed')
       AND refgw_consent_holds(c)
       AND (p.operator_org = ANY (c.recipient_orgs) OR o.kind = ANY (c.recipient_kinds)
            OR p.operator_org IN (r.from_org, r.to_org))
       AND s = ANY (c.data_categories)
       AND refgw_caller_may('referral.read')
$$;

CREATE OR REPLACE FUNCTION refgw_start_occupancy(p_proposal uuid, p_start date, p_planned_end date) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
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
    IF refgw_before_release(p.referral_id, p_start) THEN RETURN 'before_release'; END IF;
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

CREATE OR REPLACE FUNCTION refgw_end_occupancy(p_occupancy uuid, p_end date, p_outcome text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
DECLARE
    o occupancies;
    u units;
    f referrals;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy FOR UPDATE;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (o.operator_org, o.referring_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    IF o.end_date IS NOT NULL THEN RETURN 'ended'; END IF;
    IF p_end < o.start_date THEN RETURN 'before_start'; END IF;
    UPDATE occupancies SET end_date = p_end, outcome = p_outcome WHERE id = o.id;
    IF o.unit_id IS NOT NULL THEN
        SELECT * INTO u FROM units WHERE id = o.unit_id FOR UPDATE;
        UPDATE units SET status = CASE WHEN u.available_until IS NULL OR u.available_until > p_end
                                       THEN 'published' ELSE 'closed' END,
                         version = version + 1, updated_at = now()
         WHERE id = u.id;
    END IF;
    PERFORM refgw_tell_orgs(ARRAY[CASE WHEN o.unit_id IS NOT NULL THEN o.operator_org END,
                                  o.referring_org], 'occupancy.ended', 'occupancy', o.id);
    SELECT * INTO f FROM referrals WHERE id = o.referral_id FOR UPDATE;
    IF f.status = 'in_progress' THEN
        PERFORM refgw_referral_move(f.id, 'in_progress', 'completed', p_outcome, refgw_caller());
    END IF;
    PERFORM refgw_tell_parties(f, 'placement.ended', NULL);
    RETURN 'ok';
END
$$;

-- ---------------------------------------------------------------- 3
-- A unit leaving the offer declines its open proposals (see above).
CREATE FUNCTION refgw_unit_off_offer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    p record;
BEGIN
    FOR p IN UPDATE proposals SET status = 'declined', reason_code = 'unit_unavailable',
                                  decided_at = now()
              WHERE unit_id = NEW.id AND status = 'open'
             RETURNING id, proposer_org LOOP
        PERFORM refgw_event_write(p.proposer_org, 'proposal.declined', 'proposal', p.id);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER units_off_offer AFTER UPDATE OF status ON units
    FOR EACH ROW WHEN (NEW.status IN ('withdrawn', 'closed')
                       AND OLD.status NOT IN ('withdrawn', 'closed'))
    EXECUTE FUNCTION refgw_unit_off_offer();

-- ---------------------------------------------------------------- 2
-- No unit is created, or made draft or published, on a closed site.  The
-- site's row is read FOR SHARE: a closing at the same moment (which updates
-- it) commits first and this refuses, or waits for this to commit and then
-- withdraws the unit with the others.
CREATE FUNCTION refgw_unit_site_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NEW.status IN ('draft', 'published')
       AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status)
       AND (SELECT s.status FROM sites s WHERE s.id = NEW.site_id FOR SHARE) = 'closed' THEN
        RAISE EXCEPTION 'site % is closed', NEW.site_id
            USING ERRCODE = '23R03', HINT = 'reopen the site first';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER units_site_open BEFORE INSERT OR UPDATE OF status ON units
    FOR EACH ROW EXECUTE FUNCTION refgw_unit_site_open();

-- The site's units locked (FOR UPDATE, in id order) before its busy check:
-- the close and a reservation of one of its units serialise on the unit.
-- Then refgw_site_busy (032), which the close's UPDATE checks again.
CREATE FUNCTION refgw_site_close_lock(p uuid) RETURNS TABLE (busy integer, labels text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM 1 FROM units u
      WHERE u.site_id = p
        AND EXISTS (SELECT 1 FROM sites s WHERE s.id = p AND s.operator_org = refgw_caller())
      ORDER BY u.id FOR UPDATE OF u;
    RETURN QUERY SELECT b.busy, b.labels FROM refgw_site_busy(p) b;
END
$$;
REVOKE ALL ON FUNCTION refgw_site_close_lock(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_site_close_lock(uuid) TO refgw_app;

-- A site closing withdraws its published and draft units (their open
-- proposals declined by units_off_offer); `unit.withdrawn` (resource: the
-- unit) to the operator for each, which did not PATCH them one by one.
CREATE FUNCTION refgw_site_closed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    u record;
BEGIN
    FOR u IN UPDATE units SET status = 'withdrawn', version = version + 1, updated_at = now()
              WHERE site_id = NEW.id AND status IN ('published', 'draft')
             RETURNING id, operator_org LOOP
        PERFORM refgw_event_write(u.operator_org, 'unit.withdrawn', 'unit', u.id);
    END LOOP;
    RETURN NULL;
END
$$;
CREATE TRIGGER sites_closed AFTER UPDATE OF status ON sites
    FOR EACH ROW WHEN (NEW.status = 'closed' AND OLD.status <> 'closed')
    EXECUTE FUNCTION refgw_site_closed();

REVOKE ALL ON FUNCTION refgw_unit_off_offer(), refgw_unit_site_open(), refgw_site_closed()
    FROM PUBLIC;
