-- 041: findings 5, 6, 8, 11 of the hostile review of issue 15.
--
-- 5, 6. One lock order for what ends a placement.  The order of every
--    placement (034) is: consent, referral, person, unit; then the
--    occupancy; the event heads last (refgw_event_write).  A withdrawal
--    takes the consent FOR UPDATE first, so it waits for, or is waited for
--    by, anything holding the consent FOR SHARE, before it locks the event
--    heads (020) and the referrals.  refgw_take_back_unit (033's) locked the
--    referral, the unit, the occupancy, then the event heads, without the
--    consent: beside a withdrawal (event heads, then referrals) a deadlock.
--    refgw_end_occupancy (037's) locked the occupancy, the unit, the event
--    heads, then the referral: beside a take-back a deadlock.  Both now read
--    what they end without a lock, then lock the referral's consent FOR SHARE
--    (without requiring it to hold: an occupancy outlives a withdrawal and is
--    still ended or taken back), the referral, the unit, the occupancy (or
--    proposal), check again what they read, and write the events last.
--    Replaced: refgw_take_back_unit (033's), refgw_end_occupancy (037's).
-- 8. PUT /v1/alert-thresholds at the same moment twice (two consoles, a
--    retry on another instance): the second's INSERT met the first's new
--    rows (409 for a PUT, which replaces).  refgw_replace_alert_thresholds
--    (029's) now first locks the caller's organisations row FOR NO KEY UPDATE
--    (which does not block the foreign-key checks of other rows): the second
--    waits, then deletes what the first committed; both succeed, the last
--    wins.
-- 11. A partnership's site table showed the number of units beside a
--    suppressed housed_now: at a site of fewer than 5 units, housed_now is
--    at most 4, so a suppressed one is "someone lives here" and its turning
--    0 is a departure.  housed_now is now null (suppressed: true) whenever
--    the site has fewer than 5 units.  Replaced: refgw_partnership_sites
--    (032's).
CREATE OR REPLACE FUNCTION refgw_take_back_unit(p_unit uuid, p_end date) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
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

CREATE OR REPLACE FUNCTION refgw_end_occupancy(p_occupancy uuid, p_end date, p_outcome text) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public'
    AS $$
DECLARE
    o occupancies;
    u units;
    f referrals;
BEGIN
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy;
    IF NOT FOUND OR NOT coalesce(refgw_caller() IN (o.operator_org, o.referring_org), false)
       OR NOT refgw_caller_may('occupancy.manage') THEN
        RETURN 'not_found';
    END IF;
    IF o.end_date IS NOT NULL THEN RETURN 'ended'; END IF;
    -- The lock order: consent, referral, unit, occupancy; event heads last.
    PERFORM 1 FROM consents
     WHERE id = (SELECT consent_id FROM referrals WHERE id = o.referral_id) FOR SHARE;
    SELECT * INTO f FROM referrals WHERE id = o.referral_id FOR UPDATE;
    IF o.unit_id IS NOT NULL THEN
        SELECT * INTO u FROM units WHERE id = o.unit_id FOR UPDATE;
    END IF;
    SELECT * INTO o FROM occupancies WHERE id = p_occupancy FOR UPDATE;
    IF o.end_date IS NOT NULL THEN RETURN 'ended'; END IF;
    IF p_end < o.start_date THEN RETURN 'before_start'; END IF;
    UPDATE occupancies SET end_date = p_end, outcome = p_outcome WHERE id = o.id;
    IF o.unit_id IS NOT NULL THEN
        UPDATE units SET status = CASE WHEN u.available_until IS NULL OR u.available_until > p_end
                                       THEN 'published' ELSE 'closed' END,
                         version = version + 1, updated_at = now()
         WHERE id = u.id;
    END IF;
    PERFORM refgw_tell_orgs(ARRAY[CASE WHEN o.unit_id IS NOT NULL THEN o.operator_org END,
                                  o.referring_org], 'occupancy.ended', 'occupancy', o.id);
    IF f.status = 'in_progress' THEN
        PERFORM refgw_referral_move(f.id, 'in_progress', 'completed', p_outcome, refgw_caller());
    END IF;
    PERFORM refgw_tell_parties(f, 'placement.ended', NULL);
    RETURN 'ok';
END
$$;

-- ---------------------------------------------------------------- 8
CREATE OR REPLACE FUNCTION refgw_replace_alert_thresholds(p_items jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n integer;
BEGIN
    IF refgw_caller() IS NULL OR NOT refgw_caller_may('event.read') THEN
        RAISE EXCEPTION 'alert thresholds need an authenticated caller with event.read'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- One replacement at a time per organisation; the DELETE, a new
    -- statement, sees what the one waited for committed.
    PERFORM 1 FROM organisations WHERE id = refgw_caller() FOR NO KEY UPDATE;
    DELETE FROM alert_thresholds WHERE organisation_id = refgw_caller();
    INSERT INTO alert_thresholds (organisation_id, convention_kind, days_before)
    SELECT refgw_caller(), x.convention_kind, x.days_before
      FROM jsonb_to_recordset(p_items) AS x(convention_kind text, days_before integer);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------- 11
CREATE OR REPLACE FUNCTION refgw_partnership_sites(p uuid)
RETURNS TABLE (site_id uuid, site text, operator_id uuid, operator text, commune text,
               managing_partner text, units integer, period_from date, period_until date,
               status text, occupancies integer, housed_now integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF NOT (refgw_partnership_member(p) OR refgw_caller_may('partnership.manage')) THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH occ AS (
        SELECT u.site_id, count(*)::int AS n,
               (count(*) FILTER (WHERE oc.end_date IS NULL))::int AS now_n
          FROM occupancies oc JOIN units u ON u.id = oc.unit_id
          JOIN sites st ON st.id = u.site_id
         WHERE st.partnership_id = p
         GROUP BY u.site_id),
    un AS (
        SELECT u.site_id, count(*)::int AS n
          FROM units u JOIN sites st ON st.id = u.site_id
         WHERE st.partnership_id = p
         GROUP BY u.site_id)
    SELECT st.id, st.name, st.operator_org, o.name, st.commune, st.managing_partner,
           coalesce(un.n, 0), st.period_from, st.period_until, st.status,
           CASE WHEN coalesce(occ.n, 0) BETWEEN 1 AND 4 THEN NULL ELSE coalesce(occ.n, 0) END,
           -- under 5 units, housed_now is at most 4: suppressed once anyone lived there
           CASE WHEN (coalesce(un.n, 0) < 5 AND coalesce(occ.n, 0) > 0)
                     OR coalesce(occ.n, 0) BETWEEN 1 AND 4 OR coalesce(occ.now_n, 0) BETWEEN 1 AND 4
                     OR coalesce(occ.n - occ.now_n, 0) BETWEEN 1 AND 4
                THEN NULL ELSE coalesce(occ.now_n, 0) END
      FROM sites st JOIN organisations o ON o.id = st.operator_org
      LEFT JOIN occ ON occ.site_id = st.id
      LEFT JOIN un ON un.site_id = st.id
     WHERE st.partnership_id = p
     ORDER BY st.period_from, st.name, st.id;
END
$$;
