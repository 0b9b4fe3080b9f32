-- 043: a unit taken back before its occupant's stay has begun (review of
-- issue 15): with no end_date the stay ended today, before its start, and
-- the take-back was refused (before_start).  The gateway now passes no date
-- as NULL, and the stay ends today or on its start, whichever is later
-- (an empty stay: the person never lived there, and the referral goes back
-- on the waitlist as for any take-back).  041's function otherwise.
CREATE OR REPLACE FUNCTION refgw_take_back_unit(p_unit uuid, p_end date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    u units;
    o occupancies;
    p proposals;
    f referrals;
    seen text;
    ref uuid;
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
        ref := o.referral_id;
    ELSIF seen = 'reserved' THEN
        SELECT * INTO p FROM proposals x WHERE x.unit_id = u.id AND x.status = 'accepted'
           AND NOT EXISTS (SELECT 1 FROM occupancies y WHERE y.proposal_id = x.id);
        ref := p.referral_id;
    ELSE
        RETURN 'ok';
    END IF;
    -- The lock order: consent, referral, unit, occupancy; event heads last.
    IF ref IS NOT NULL THEN
        PERFORM 1 FROM consents
         WHERE id = (SELECT consent_id FROM referrals WHERE id = ref) FOR SHARE;
        PERFORM 1 FROM referrals WHERE id = ref FOR UPDATE;
    END IF;
    SELECT * INTO u FROM units WHERE id = p_unit FOR UPDATE;
    IF u.status IS DISTINCT FROM seen THEN RETURN 'changed'; END IF;
    IF seen = 'occupied' AND o.id IS NOT NULL THEN
        SELECT * INTO o FROM occupancies WHERE id = o.id FOR UPDATE;
        IF o.end_date IS NOT NULL THEN RETURN 'changed'; END IF;
        -- no date given: today, or the start of a stay not begun yet
        p_end := coalesce(p_end, greatest(current_date, o.start_date));
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
