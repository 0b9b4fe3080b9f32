-- 040: what the hostile review of issue 15 found about consent (findings
-- 1, 2, 3, 9, 10 of tests/integration/test_review15.c).
--
-- 1. A follow-up changes only while its referral's consent holds (030 said
--    so, but only INSERT had the trigger): after a withdrawal the
--    follow-up's organisation may still close it, nothing else (409
--    consent-not-holding), and nobody is told of the tenancy of a person
--    who withdrew.
CREATE FUNCTION refgw_follow_up_change_must_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
BEGIN
    IF NEW.status = 'closed' AND NEW.period_until IS NOT DISTINCT FROM OLD.period_until THEN
        RETURN NEW;
    END IF;
    SELECT cs.* INTO c FROM referrals r JOIN consents cs ON cs.id = r.consent_id
     WHERE r.id = NEW.referral_id FOR SHARE OF cs;
    IF NOT FOUND OR NOT refgw_consent_holds(c) THEN
        RAISE EXCEPTION 'the consent of follow-up % does not hold', NEW.id
            USING ERRCODE = '23R02', HINT = 'withdrawn or expired: the follow-up may be closed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER follow_ups_change_consent_holds BEFORE UPDATE ON follow_ups
    FOR EACH ROW EXECUTE FUNCTION refgw_follow_up_change_must_hold();

-- 2. A follow-up's entries are read by its own organisation and by the
--    organisations of its person's way that the consent names (by
--    organisation or kind) and lists follow_up for: the referral's sender
--    and receiver, the occupancy's operator and referent, and the receiver
--    of an open relay of the referral.  030 let every organisation of a
--    named kind read them, every CPAS of Brussels for a consent naming
--    `cpas`: a kind in a consent says to whom a referral may go, and a
--    referral's data is read by its actual receiver only.
CREATE OR REPLACE FUNCTION refgw_follow_up_entries_visible(p_follow_up uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN refgw_caller_may('follow_up.read') AND EXISTS (
        SELECT 1 FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
          JOIN consents c ON c.id = r.consent_id
          JOIN organisations me ON me.id = refgw_caller()
          LEFT JOIN occupancies o ON o.id = f.occupancy_id
         WHERE f.id = p_follow_up
           AND me.kind <> 'coordinator'
           AND refgw_consent_holds(c)
           AND 'follow_up' = ANY (c.data_categories)
           AND (f.organisation_id = me.id
                OR ((me.id = ANY (c.recipient_orgs) OR me.kind = ANY (c.recipient_kinds))
                    AND (me.id IN (r.from_org, r.to_org)
                         OR me.id = o.operator_org OR me.id = o.referent_org
                         OR EXISTS (SELECT 1 FROM referrals x
                                     WHERE x.relays_referral_id = r.id AND x.to_org = me.id
                                       AND x.status NOT IN ('declined', 'cancelled',
                                                            'consent_withdrawn'))))));
END
$$;

-- 3. A referent is an organisation the referral's consent covers (422
--    naming referent.organisation_id otherwise), and reads the occupancy
--    only while that consent holds: the unit and the dates of a person's
--    stay are about the person (the relay shows them as housing_situation).
CREATE OR REPLACE FUNCTION refgw_occupancy_terms(p_occupancy uuid, p_version integer, p_referent jsonb, p_convention jsonb) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
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
        -- The referent reads the occupancy and is told of the tenancy: the
        -- referral's consent must cover it (by organisation or kind), as it
        -- covers the operator; the referral's parties and the operator are
        -- covered already.
        IF NOT EXISTS (SELECT 1 FROM referrals r JOIN consents c ON c.id = r.consent_id
                         JOIN organisations g ON g.id = ref_org
                        WHERE r.id = o.referral_id AND refgw_consent_holds(c)
                          AND (ref_org = ANY (c.recipient_orgs) OR g.kind = ANY (c.recipient_kinds)
                               OR ref_org IN (r.from_org, r.to_org)
                               OR ref_org IS NOT DISTINCT FROM o.operator_org)) THEN
            RETURN 'uncovered:referent.organisation_id';
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

DROP POLICY occupancies_read ON occupancies;
CREATE POLICY occupancies_read ON occupancies FOR SELECT
    USING ((operator_org = (SELECT refgw_caller()) OR referring_org = (SELECT refgw_caller())
            OR (referent_org = (SELECT refgw_caller())
                AND refgw_referral_consent_covers(referral_id, '{}')))
           AND (SELECT refgw_caller_may('occupancy.read')));

-- 9. A relay is told to the earlier referral's parties and referent only
--    while the earlier referral's consent holds: a party whose consent was
--    withdrawn must not learn where the person is followed now.
CREATE OR REPLACE FUNCTION refgw_relay_notify(p_earlier uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    org uuid;
    n integer := 0;
BEGIN
    FOR org IN
        SELECT DISTINCT x.org FROM referrals r,
               unnest(ARRAY[r.from_org, r.to_org,
                            (SELECT o.referent_org FROM occupancies o
                              WHERE o.referral_id = r.id
                              ORDER BY o.created_at DESC, o.id DESC LIMIT 1)]) AS x(org)
         WHERE r.id = p_earlier AND x.org IS NOT NULL AND x.org <> refgw_caller()
           AND refgw_referral_consent_covers(r.id, '{}')
    LOOP
        PERFORM refgw_emit_event(org, 'referral.relayed', 'referral', p_earlier);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- 10. A declined, cancelled or withdrawn relay shows nothing of the
--     placement it would have continued.
CREATE OR REPLACE FUNCTION refgw_relayed_placement(p_referral uuid) RETURNS TABLE(id uuid, kind text, operator_org uuid, commune text, start_date date, planned_end_date date, end_date date, referent_org uuid, referent_name text, referent_role text)
LANGUAGE sql STABLE SECURITY DEFINER ROWS 1 SET search_path = pg_catalog, public
AS $$
    SELECT o.id, o.kind, o.operator_org, u.commune, o.start_date, o.planned_end_date,
           o.end_date, o.referent_org, o.referent_name, o.referent_role
      FROM referrals r JOIN consents c ON c.id = r.consent_id
      JOIN organisations rcv ON rcv.id = r.to_org
      JOIN occupancies o ON o.referral_id = r.relays_referral_id
      LEFT JOIN units u ON u.id = o.unit_id
     WHERE r.id = p_referral AND r.to_org = refgw_caller()
       AND r.status NOT IN ('declined', 'cancelled', 'consent_withdrawn')
       AND c.status = 'active' AND c.valid_until >= current_date
       AND 'housing_situation' = ANY (c.data_categories)
       AND (r.to_org = ANY (c.recipient_orgs) OR rcv.kind = ANY (c.recipient_kinds)
            OR (r.from_org = r.to_org AND c.created_by = r.to_org))
     ORDER BY o.created_at DESC, o.id DESC
     LIMIT 1
$$;
