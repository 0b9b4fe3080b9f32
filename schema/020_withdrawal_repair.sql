-- 020: what a withdrawal closes, in one function; the repair of what the
-- withdrawal race (issue 12, item 1) left behind before 015; the event heads
-- of a withdrawal locked in one order.
--
-- Found by a hostile review of the merged issue 12:
-- * 015's triggers guard creations from now on; referrals and proposals that
--   were created under a consent while it was being withdrawn, before 015,
--   are still open under a withdrawn consent (the receiver still sees the
--   referral, a unit may still be reserved).  refgw_repair_withdrawn_consents()
--   closes them as the withdrawal would have and tells each party; this
--   migration runs it once.
-- * A withdrawal tells several organisations; two withdrawals telling the
--   same two organisations in opposite orders deadlocked on event_heads (one
--   answered 409 conflict-retry).  The heads are now locked first, in the
--   organisations' order.

-- Lock (creating if need be) the event heads of these organisations, in order.
CREATE FUNCTION refgw_lock_event_heads(p_orgs uuid[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    INSERT INTO event_heads (organisation_id, seq)
        SELECT DISTINCT o, 0 FROM unnest(p_orgs) o WHERE o IS NOT NULL ORDER BY 1
        ON CONFLICT (organisation_id) DO NOTHING;
    PERFORM 1 FROM event_heads WHERE organisation_id = ANY (p_orgs)
      ORDER BY organisation_id FOR UPDATE;
END
$$;

-- Close what lives under a withdrawn consent (the caller holds it FOR
-- UPDATE): open referrals become consent_withdrawn; proposals declined (open
-- ones, and accepted ones not yet occupied, whose unit is published again);
-- each party told.  p_tell_closed: also tell the parties of closed referrals
-- that their data is now hidden (a withdrawal does; the repair does not
-- repeat it).  Returns the referrals closed.
CREATE FUNCTION refgw_close_under_withdrawn(p_consent uuid, p_by uuid, p_tell_closed boolean)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    PERFORM refgw_lock_event_heads(ARRAY(
        SELECT unnest(ARRAY[f.from_org, f.to_org]) FROM referrals f WHERE f.consent_id = p_consent
        UNION
        SELECT unnest(ARRAY[p.proposer_org, p.operator_org])
          FROM proposals p JOIN referrals f ON f.id = p.referral_id
         WHERE f.consent_id = p_consent));
    FOR r IN UPDATE referrals SET status = 'consent_withdrawn', version = version + 1,
                                  updated_at = now()
              WHERE consent_id = p_consent
                AND status NOT IN ('completed', 'declined', 'cancelled', 'consent_withdrawn')
             RETURNING id, from_org, to_org,
                       (SELECT t.to_status FROM referral_transitions t
                         WHERE t.referral_id = referrals.id ORDER BY t.at DESC LIMIT 1) AS was
    LOOP
        INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, by_org)
            VALUES (r.id, r.was, 'consent_withdrawn', 'consent_withdrawn', p_by);
        PERFORM refgw_event_write(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
        PERFORM refgw_event_write(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
        n := n + 1;
    END LOOP;
    IF p_tell_closed THEN
        FOR r IN SELECT id, from_org, to_org FROM referrals
                  WHERE consent_id = p_consent AND status IN ('completed', 'declined', 'cancelled')
        LOOP
            PERFORM refgw_event_write(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
            PERFORM refgw_event_write(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
        END LOOP;
    END IF;
    FOR r IN UPDATE proposals p SET status = 'declined', reason_code = 'consent_withdrawn',
                                    decided_at = now()
               FROM referrals f
              WHERE f.id = p.referral_id AND f.consent_id = p_consent AND p.status = 'accepted'
                AND NOT EXISTS (SELECT 1 FROM occupancies o WHERE o.proposal_id = p.id)
             RETURNING p.id, p.unit_id, p.proposer_org, p.operator_org
    LOOP
        UPDATE units SET status = 'published', version = version + 1, updated_at = now()
         WHERE id = r.unit_id AND status = 'reserved';
        PERFORM refgw_event_write(r.proposer_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        PERFORM refgw_event_write(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
    END LOOP;
    FOR r IN UPDATE proposals p SET status = 'declined', reason_code = 'consent_withdrawn',
                                    decided_at = now()
               FROM referrals f
              WHERE f.id = p.referral_id AND f.consent_id = p_consent AND p.status = 'open'
             RETURNING p.id, p.proposer_org, p.operator_org
    LOOP
        PERFORM refgw_event_write(r.proposer_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        PERFORM refgw_event_write(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
    END LOOP;
    RETURN n;
END
$$;

-- As 015, the closing in the function above.
CREATE OR REPLACE FUNCTION refgw_withdraw_consent(p_consent uuid, p_reason text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
BEGIN
    -- Waits for every transaction holding the consent FOR SHARE (a creation
    -- under it) to end; each statement after this sees what they committed.
    SELECT * INTO c FROM consents WHERE id = p_consent FOR UPDATE;
    IF NOT FOUND OR NOT (c.created_by = refgw_caller() OR refgw_caller_is_coordinator())
       OR NOT refgw_caller_may('consent.withdraw') THEN
        RETURN NULL;
    END IF;
    IF c.status = 'withdrawn' THEN
        RETURN 0;
    END IF;
    UPDATE consents SET status = 'withdrawn', withdrawn_at = now(), withdrawn_by = refgw_caller(),
                        withdrawal_reason = p_reason
     WHERE id = p_consent;
    RETURN refgw_close_under_withdrawn(p_consent, refgw_caller(), true);
END
$$;

-- The operator's repair: every withdrawn consent under which something is
-- still open.  Owner only (never the runtime role).
CREATE FUNCTION refgw_repair_withdrawn_consents() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c record;
    n integer := 0;
BEGIN
    FOR c IN SELECT k.id, k.withdrawn_by FROM consents k
              WHERE k.status = 'withdrawn'
                AND EXISTS (SELECT 1 FROM referrals f
                             WHERE f.consent_id = k.id
                               AND (f.status NOT IN ('completed', 'declined', 'cancelled',
                                                     'consent_withdrawn')
                                    OR EXISTS (SELECT 1 FROM proposals p
                                                WHERE p.referral_id = f.id
                                                  AND (p.status = 'open'
                                                       OR (p.status = 'accepted'
                                                           AND NOT EXISTS (
                                                               SELECT 1 FROM occupancies o
                                                                WHERE o.proposal_id = p.id))))))
              ORDER BY k.id
              FOR UPDATE OF k
    LOOP
        n := n + refgw_close_under_withdrawn(c.id, c.withdrawn_by, false);
    END LOOP;
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION refgw_lock_event_heads(uuid[]),
    refgw_close_under_withdrawn(uuid, uuid, boolean), refgw_repair_withdrawn_consents()
    FROM PUBLIC;

SELECT refgw_repair_withdrawn_consents();
