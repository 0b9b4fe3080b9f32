-- 033: the life of a unit (issue 15, item 5).  A unit whose availability
-- has ended is never offered, and housekeeping withdraws it; an operator
-- who needs an occupied or reserved unit back takes it back: the occupancy
-- ends with the outcome `unit_withdrawn` (or the accepted proposal is
-- declined with that code), and the referral goes back on its receiver's
-- waitlist, first among the candidates (gateway/candidates.c).

-- The outcome of an occupancy ended because its unit was taken back; set
-- only by refgw_take_back_unit (POST /v1/occupancies/{id}/end refuses it).
ALTER TABLE occupancies DROP CONSTRAINT occupancies_outcome_check;
ALTER TABLE occupancies ADD CONSTRAINT occupancies_outcome_check
    CHECK (outcome IN ('durable_housing', 'transit_housing', 'returned_to_street', 'prison',
                       'hospital', 'deceased', 'lost_contact', 'other', 'unit_withdrawn'));

-- One event of p_type to each distinct organisation of p_orgs (NULLs
-- skipped): an organisation that is operator and referent hears it once.
CREATE FUNCTION refgw_tell_orgs(p_orgs uuid[], p_type text, p_resource_type text,
                                p_resource_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    o uuid;
BEGIN
    FOR o IN SELECT DISTINCT x FROM unnest(p_orgs) AS x WHERE x IS NOT NULL ORDER BY x LOOP
        PERFORM refgw_event_write(o, p_type, p_resource_type, p_resource_id);
    END LOOP;
END
$$;

-- Housekeeping (every instance runs it; the UPDATE claims each unit once,
-- a second instance's UPDATE finding it withdrawn already): the published
-- units whose availability ended before today are withdrawn, `unit.expired`
-- to their operator; their open proposals are declined `unit_unavailable`,
-- `proposal.declined` to each proposer.  A reserved or occupied unit is
-- left as it is: its occupant stays until the occupancy ends (which closes
-- the unit when its availability has ended, refgw_end_occupancy), and the
-- operator takes a reserved one back by PATCH.  The number withdrawn.
CREATE FUNCTION refgw_withdraw_expired_units() RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    u record;
    p record;
    n integer := 0;
BEGIN
    FOR u IN UPDATE units SET status = 'withdrawn', version = version + 1, updated_at = now()
              WHERE status = 'published' AND available_until < current_date
             RETURNING id, operator_org LOOP
        PERFORM refgw_event_write(u.operator_org, 'unit.expired', 'unit', u.id);
        FOR p IN UPDATE proposals SET status = 'declined', reason_code = 'unit_unavailable',
                                      decided_at = now()
                  WHERE unit_id = u.id AND status = 'open'
                 RETURNING id, proposer_org LOOP
            PERFORM refgw_event_write(p.proposer_org, 'proposal.declined', 'proposal', p.id);
        END LOOP;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- The operator takes its reserved or occupied unit back (PATCH
-- /v1/units/{id} to withdrawn or closed; the unit's own status change is
-- the PATCH's update, in the same transaction, after this).
--   occupied: the running occupancy ends on p_end with `unit_withdrawn`;
--     `occupancy.unit_withdrawn` (resource: the occupancy) to the operator,
--     the referring organisation and the referent; `placement.unit_withdrawn`
--     (resource: the referral) to the referral's sender and receiver.
--   reserved: the accepted proposal (no occupancy yet) is declined
--     `unit_withdrawn`; `proposal.unit_withdrawn` to the operator and the
--     proposer; `referral.waitlisted` to the referral's sender and receiver.
--   Either way the referral (in_progress or accepted) goes back to
--   `waitlisted`, a transition by the operator with reason `unit_withdrawn`.
-- Locks in the placement functions' order: referral, then unit.
-- occupancy:<id> or proposal:<id> (what was ended or declined), ok
-- (nothing to end), not_found, changed (the unit moved meanwhile),
-- before_start (p_end before the occupancy's start), after_today (p_end in
-- the future).
CREATE FUNCTION refgw_take_back_unit(p_unit uuid, p_end date) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
DECLARE
    u units;
    o occupancies;
    p proposals;
    f referrals;
    seen text;
BEGIN
    SELECT * INTO u FROM units WHERE id = p_unit;
    IF NOT FOUND OR u.operator_org IS DISTINCT FROM refgw_caller()
       OR NOT refgw_caller_may('unit.manage') THEN
        RETURN 'not_found';
    END IF;
    seen := u.status;
    IF p_end > current_date THEN RETURN 'after_today'; END IF;
    IF seen = 'occupied' THEN
        SELECT * INTO o FROM occupancies WHERE unit_id = u.id AND end_date IS NULL;
        IF FOUND THEN
            PERFORM 1 FROM referrals WHERE id = o.referral_id FOR UPDATE;
        END IF;
    ELSIF seen = 'reserved' THEN
        SELECT * INTO p FROM proposals x WHERE x.unit_id = u.id AND x.status = 'accepted'
           AND NOT EXISTS (SELECT 1 FROM occupancies y WHERE y.proposal_id = x.id);
        IF FOUND THEN
            PERFORM 1 FROM referrals WHERE id = p.referral_id FOR UPDATE;
        END IF;
    ELSE
        RETURN 'ok';
    END IF;
    SELECT * INTO u FROM units WHERE id = p_unit FOR UPDATE;
    IF u.status IS DISTINCT FROM seen THEN RETURN 'changed'; END IF;
    IF seen = 'occupied' AND o.id IS NOT NULL THEN
        SELECT * INTO o FROM occupancies WHERE id = o.id FOR UPDATE;
        IF o.end_date IS NOT NULL THEN RETURN 'changed'; END IF;
        IF p_end < o.start_date THEN RETURN 'before_start'; END IF;
        UPDATE occupancies SET end_date = p_end, outcome = 'unit_withdrawn' WHERE id = o.id;
        SELECT * INTO f FROM referrals WHERE id = o.referral_id;
        IF f.status IN ('in_progress', 'accepted') THEN
            PERFORM refgw_referral_move(f.id, f.status, 'waitlisted', 'unit_withdrawn',
                                        refgw_caller());
        END IF;
        PERFORM refgw_tell_orgs(ARRAY[o.operator_org, o.referring_org, o.referent_org],
                                'occupancy.unit_withdrawn', 'occupancy', o.id);
        PERFORM refgw_tell_orgs(ARRAY[f.from_org, f.to_org], 'placement.unit_withdrawn',
                                'referral', f.id);
        RETURN 'occupancy:' || o.id;
    ELSIF seen = 'reserved' AND p.id IS NOT NULL THEN
        UPDATE proposals SET status = 'declined', reason_code = 'unit_withdrawn',
                             decided_at = now()
         WHERE id = p.id AND status = 'accepted';
        IF NOT FOUND THEN RETURN 'changed'; END IF;
        SELECT * INTO f FROM referrals WHERE id = p.referral_id;
        IF f.status = 'accepted' THEN
            PERFORM refgw_referral_move(f.id, f.status, 'waitlisted', 'unit_withdrawn',
                                        refgw_caller());
        END IF;
        PERFORM refgw_tell_orgs(ARRAY[p.operator_org, p.proposer_org],
                                'proposal.unit_withdrawn', 'proposal', p.id);
        PERFORM refgw_tell_orgs(ARRAY[f.from_org, f.to_org], 'referral.waitlisted',
                                'referral', f.id);
        RETURN 'proposal:' || p.id;
    END IF;
    RETURN 'ok';
END
$$;

-- The caller's waitlisted referrals back on the waitlist because their unit
-- was taken back: the latest transition of each is the move to `waitlisted`
-- with reason `unit_withdrawn`.  Joined once by the candidates ranking
-- (ST_CANDIDATES), which puts them first.
CREATE FUNCTION refgw_waitlist_taken_back() RETURNS TABLE (referral_id uuid)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
AS $$
    SELECT r.id FROM referrals r
     CROSS JOIN LATERAL (SELECT t.to_status, t.reason_code FROM referral_transitions t
                          WHERE t.referral_id = r.id ORDER BY t.at DESC, t.id DESC LIMIT 1) t
     WHERE r.to_org = refgw_caller() AND r.status = 'waitlisted'
       AND t.to_status = 'waitlisted' AND t.reason_code = 'unit_withdrawn'
$$;

REVOKE ALL ON FUNCTION refgw_tell_orgs(uuid[], text, text, uuid),
    refgw_withdraw_expired_units(), refgw_take_back_unit(uuid, date),
    refgw_waitlist_taken_back() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_withdraw_expired_units(), refgw_take_back_unit(uuid, date),
    refgw_waitlist_taken_back() TO refgw_app;
