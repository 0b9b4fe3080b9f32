-- 022: placements close the loop (issue 14, item 2; item 4's release date).
--
-- A placement is an occupancy: of a refgw unit (from an accepted proposal,
-- kind 'unit') or found outside refgw (kind 'private_market',
-- 'social_housing', 'social_rental_agency', 'other': no unit, no proposal,
-- no operator).  The referral follows its placement:
--   proposal accepted  -> referral accepted   (by the operator; event referral.accepted)
--   occupancy started  -> referral in_progress (by the starter; event placement.started)
--   occupancy ended    -> referral completed, reason_code = the outcome
--                                              (by the ender; event placement.ended)
-- and the referral's two parties (sender, receiver) get placement.* events
-- (resource: the referral), the operator and the proposer occupancy.*.
--
-- Replaced here (CREATE OR REPLACE): refgw_accept_proposal (015's, one line
-- added), refgw_start_occupancy (015's), refgw_end_occupancy (008's),
-- refgw_notify_ending_soon (its current version).

-- ---------------------------------------------------------------- 1. outcomes
-- The documented list (docs/openapi.yaml, Outcome).  008's codes are
-- migrated (other_transit -> transit_housing, street -> returned_to_street,
-- unknown -> lost_contact, family -> other) and still accepted by the API,
-- mapped the same way (gateway/occupancies.c).
ALTER TABLE occupancies DROP CONSTRAINT occupancies_outcome_check;
UPDATE occupancies
   SET outcome = CASE outcome WHEN 'other_transit' THEN 'transit_housing'
                              WHEN 'street' THEN 'returned_to_street'
                              WHEN 'unknown' THEN 'lost_contact'
                              WHEN 'family' THEN 'other' END
 WHERE outcome IN ('other_transit', 'street', 'unknown', 'family');
ALTER TABLE occupancies ADD CONSTRAINT occupancies_outcome_check
    CHECK (outcome IN ('durable_housing', 'transit_housing', 'returned_to_street', 'prison',
                       'hospital', 'deceased', 'lost_contact', 'other'));

-- ---------------------------------------------------------------- 2. placements outside refgw
ALTER TABLE occupancies
    ADD COLUMN kind text NOT NULL DEFAULT 'unit'
        CHECK (kind IN ('unit', 'private_market', 'social_housing', 'social_rental_agency',
                        'other')),
    ADD COLUMN note text CHECK (length(note) BETWEEN 1 AND 2000),
    ALTER COLUMN unit_id DROP NOT NULL,
    ALTER COLUMN proposal_id DROP NOT NULL,
    ALTER COLUMN operator_org DROP NOT NULL,
    ALTER COLUMN planned_end_date DROP NOT NULL,
    ADD CONSTRAINT occupancies_kind_unit
        CHECK ((kind = 'unit') = (unit_id IS NOT NULL)
               AND (kind = 'unit') = (proposal_id IS NOT NULL)
               AND (kind = 'unit') = (operator_org IS NOT NULL)
               AND (kind <> 'unit' OR planned_end_date IS NOT NULL));
CREATE INDEX occupancies_referral_idx ON occupancies (referral_id, created_at DESC);

-- ---------------------------------------------------------------- 3. the referral follows
-- One system move of a referral: its row (version + 1) and its transition,
-- by the organisation that caused it.
CREATE FUNCTION refgw_referral_move(p_referral uuid, p_from text, p_to text, p_reason text,
                                    p_by uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    UPDATE referrals SET status = p_to, version = version + 1, updated_at = now()
     WHERE id = p_referral AND status = p_from;
    INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, by_org)
        VALUES (p_referral, p_from, p_to, p_reason, p_by);
END
$$;

-- An event to each party of the referral (once when sender = receiver),
-- but `p_skip` (who already hears of it otherwise).
CREATE FUNCTION refgw_tell_parties(f referrals, p_type text, p_skip uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF f.from_org IS DISTINCT FROM p_skip THEN
        PERFORM refgw_event_write(f.from_org, p_type, 'referral', f.id);
    END IF;
    IF f.to_org <> f.from_org AND f.to_org IS DISTINCT FROM p_skip THEN
        PERFORM refgw_event_write(f.to_org, p_type, 'referral', f.id);
    END IF;
END
$$;

-- The referral's other open proposals: declined, reason person_placed;
-- their operator and proposer get proposal.withdrawn.
CREATE FUNCTION refgw_withdraw_other_proposals(p_referral uuid, p_keep uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    other record;
BEGIN
    FOR other IN UPDATE proposals SET status = 'declined', reason_code = 'person_placed',
                                      decided_at = now()
                  WHERE referral_id = p_referral AND status = 'open'
                    AND id IS DISTINCT FROM p_keep
                 RETURNING id, proposer_org, operator_org LOOP
        PERFORM refgw_event_write(other.operator_org, 'proposal.withdrawn', 'proposal', other.id);
        PERFORM refgw_event_write(other.proposer_org, 'proposal.withdrawn', 'proposal', other.id);
    END LOOP;
END
$$;

-- A proposal was accepted: the person leaves the waitlist (the referral
-- moves to accepted, by the operator) and its other proposals are withdrawn.
CREATE FUNCTION refgw_proposal_placed(p_proposal uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    p proposals;
    f referrals;
BEGIN
    SELECT * INTO p FROM proposals WHERE id = p_proposal;
    SELECT * INTO f FROM referrals WHERE id = p.referral_id FOR UPDATE;
    IF f.status IN ('submitted', 'received', 'waitlisted') THEN
        PERFORM refgw_referral_move(f.id, f.status, 'accepted', NULL, p.operator_org);
        -- the sender always; the receiver unless it proposed (it heard
        -- proposal.accepted)
        PERFORM refgw_event_write(f.from_org, 'referral.accepted', 'referral', f.id);
        IF f.to_org <> f.from_org AND f.to_org <> p.proposer_org THEN
            PERFORM refgw_event_write(f.to_org, 'referral.accepted', 'referral', f.id);
        END IF;
    END IF;
    PERFORM refgw_withdraw_other_proposals(f.id, p.id);
END
$$;

-- The release date check (item 4): true when the referral has a release
-- date later than p_start.
CREATE FUNCTION refgw_before_release(p_referral uuid, p_start date) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT coalesce((SELECT p_start < d.release_date FROM referral_data d
                      WHERE d.referral_id = p_referral), false)
$$;

-- The release date a refusal may name: to a party of the referral (sender,
-- receiver) whose consent holds and covers `justice` (the rule under which
-- GET /v1/referrals/{id} shows it); NULL to anyone else (an operator).
CREATE FUNCTION refgw_release_date_for_caller(p_proposal uuid, p_referral uuid) RETURNS date
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT d.release_date
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN referral_data d ON d.referral_id = r.id
     WHERE r.id = coalesce(p_referral, (SELECT referral_id FROM proposals WHERE id = p_proposal))
       AND refgw_caller() IN (r.from_org, r.to_org) AND refgw_caller_may('referral.read')
       AND c.status = 'active' AND c.valid_until >= current_date
       AND 'justice' = ANY (c.data_categories)
$$;

-- Whether the referral's person is placed already: another accepted
-- proposal whose stay has not ended, or a placement running.
CREATE FUNCTION refgw_person_placed(p_referral uuid, p_except uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM proposals p
                    WHERE p.referral_id = p_referral AND p.status = 'accepted'
                      AND p.id IS DISTINCT FROM p_except
                      AND NOT EXISTS (SELECT 1 FROM occupancies o
                                       WHERE o.proposal_id = p.id AND o.end_date IS NOT NULL))
        OR EXISTS (SELECT 1 FROM occupancies o
                    WHERE o.referral_id = p_referral AND o.end_date IS NULL)
$$;

-- A placement started: the referral moves to in_progress (by the caller),
-- its open proposals are withdrawn, its parties get placement.started.
CREATE FUNCTION refgw_placement_started(p_occupancy uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o occupancies;
    f referrals;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy;
    SELECT * INTO f FROM referrals WHERE id = o.referral_id FOR UPDATE;
    IF f.status IN ('submitted', 'received', 'waitlisted', 'accepted') THEN
        PERFORM refgw_referral_move(f.id, f.status, 'in_progress', NULL, refgw_caller());
    END IF;
    PERFORM refgw_withdraw_other_proposals(f.id, o.proposal_id);
    PERFORM refgw_tell_parties(f, 'placement.started', NULL);
END
$$;

-- ---------------------------------------------------------------- 4. accept, start, end
-- 015's, and: refused ('person_placed') when the person is placed already;
-- the person leaves the waitlist (refgw_proposal_placed).
CREATE OR REPLACE FUNCTION refgw_accept_proposal(p_proposal uuid) RETURNS text
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
    PERFORM refgw_referral_consent_hold(p.referral_id);
    -- Consent, referral, unit: the order every placement function locks in,
    -- so that two accepts for one person serialise here.
    PERFORM 1 FROM referrals WHERE id = p.referral_id FOR UPDATE;
    IF refgw_person_placed(p.referral_id, p.id) THEN RETURN 'person_placed'; END IF;
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
    PERFORM refgw_proposal_placed(p.id);
    RETURN 'accepted';
END
$$;

-- 015's, and: the referral must still be open (else 'referral_closed'), the
-- start not before the person's release date (else 'before_release'); the
-- referral then moves (refgw_placement_started).
CREATE OR REPLACE FUNCTION refgw_start_occupancy(p_proposal uuid, p_start date, p_planned_end date)
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
    PERFORM refgw_emit_event(p.operator_org, 'occupancy.started', 'occupancy', occ);
    PERFORM refgw_emit_event(p.proposer_org, 'occupancy.started', 'occupancy', occ);
    PERFORM refgw_placement_started(occ);
    RETURN occ::text;
END
$$;

-- 008's, for a placement without a unit too; the referral moves from
-- in_progress to completed with the outcome as its reason code, and its
-- parties get placement.ended.
CREATE OR REPLACE FUNCTION refgw_end_occupancy(p_occupancy uuid, p_end date, p_outcome text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
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
        PERFORM refgw_emit_event(o.operator_org, 'occupancy.ended', 'occupancy', o.id);
    END IF;
    PERFORM refgw_emit_event(o.referring_org, 'occupancy.ended', 'occupancy', o.id);
    SELECT * INTO f FROM referrals WHERE id = o.referral_id FOR UPDATE;
    IF f.status = 'in_progress' THEN
        PERFORM refgw_referral_move(f.id, 'in_progress', 'completed', p_outcome, refgw_caller());
    END IF;
    PERFORM refgw_tell_parties(f, 'placement.ended', NULL);
    RETURN 'ok';
END
$$;

-- A placement found outside refgw, recorded by the referral's sender or
-- receiver: its id, or 'not_found', 'referral_closed', 'exists' (placed
-- already: refgw_person_placed), 'before_release', 'not_after_start'.
CREATE FUNCTION refgw_record_placement(p_referral uuid, p_kind text, p_start date,
                                       p_planned_end date, p_note text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
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
    IF refgw_before_release(f.id, p_start) THEN RETURN 'before_release'; END IF;
    IF p_planned_end IS NOT NULL AND p_planned_end <= p_start THEN RETURN 'not_after_start'; END IF;
    INSERT INTO occupancies (kind, referral_id, referring_org, start_date, planned_end_date, note)
        VALUES (p_kind, f.id, refgw_caller(), p_start, p_planned_end, p_note)
        RETURNING id INTO occ;
    PERFORM refgw_placement_started(occ);
    RETURN occ::text;
END
$$;

-- Current version, and the referral's parties hear placement.ending_soon.
CREATE OR REPLACE FUNCTION refgw_notify_ending_soon(p_days integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o record;
    f referrals;
    n integer := 0;
BEGIN
    FOR o IN UPDATE occupancies SET ending_soon_notified_at = now()
              WHERE end_date IS NULL AND ending_soon_notified_at IS NULL
                AND planned_end_date <= current_date + p_days
             RETURNING id, operator_org, referring_org, referral_id LOOP
        IF o.operator_org IS NOT NULL THEN
            PERFORM refgw_event_write(o.operator_org, 'occupancy.ending_soon', 'occupancy', o.id);
        END IF;
        PERFORM refgw_event_write(o.referring_org, 'occupancy.ending_soon', 'occupancy', o.id);
        SELECT * INTO f FROM referrals WHERE id = o.referral_id;
        PERFORM refgw_tell_parties(f, 'placement.ending_soon', NULL);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------- 5. the referral's placement
-- Its latest placement, for a party of the referral: the address of the
-- unit only while the consent holds and covers `contact`, the outcome only
-- while it holds (docs/data-protection.md).
CREATE FUNCTION refgw_referral_placement(p_referral uuid)
RETURNS TABLE (id uuid, kind text, operator_org uuid, unit_id uuid, start_date date,
               planned_end_date date, end_date date, outcome text, address text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.kind, o.operator_org, o.unit_id, o.start_date, o.planned_end_date,
           o.end_date,
           CASE WHEN c.status = 'active' AND c.valid_until >= current_date THEN o.outcome END,
           CASE WHEN c.status = 'active' AND c.valid_until >= current_date
                     AND 'contact' = ANY (c.data_categories)
                THEN (SELECT a.address FROM unit_addresses a WHERE a.unit_id = o.unit_id) END
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN occupancies o ON o.referral_id = r.id
     WHERE r.id = p_referral AND refgw_caller() IN (r.from_org, r.to_org)
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT 1
$$;

REVOKE ALL ON FUNCTION refgw_referral_move(uuid, text, text, text, uuid),
    refgw_tell_parties(referrals, text, uuid), refgw_withdraw_other_proposals(uuid, uuid),
    refgw_proposal_placed(uuid), refgw_before_release(uuid, date), refgw_placement_started(uuid),
    refgw_person_placed(uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_release_date_for_caller(uuid, uuid),
    refgw_record_placement(uuid, text, date, date, text), refgw_referral_placement(uuid)
    TO refgw_app;
