-- 035: one event per organisation when a consent is withdrawn (closing note
-- of issue 14).  An intake's organisation is its sender and its receiver,
-- and an organisation that hosts (issue 15) may propose for its own unit:
-- refgw_close_under_withdrawn (020) wrote referral.consent_withdrawn, or
-- proposal.consent_withdrawn, to that one organisation twice.  The body is
-- 020's, with the second write skipped when both parties are the same.
CREATE OR REPLACE FUNCTION refgw_close_under_withdrawn(p_consent uuid, p_by uuid, p_tell_closed boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
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
        IF r.from_org <> r.to_org THEN
            PERFORM refgw_event_write(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
        END IF;
        n := n + 1;
    END LOOP;
    IF p_tell_closed THEN
        FOR r IN SELECT id, from_org, to_org FROM referrals
                  WHERE consent_id = p_consent AND status IN ('completed', 'declined', 'cancelled')
        LOOP
            PERFORM refgw_event_write(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
            IF r.from_org <> r.to_org THEN
                PERFORM refgw_event_write(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
            END IF;
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
        IF r.operator_org <> r.proposer_org THEN
            PERFORM refgw_event_write(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        END IF;
    END LOOP;
    FOR r IN UPDATE proposals p SET status = 'declined', reason_code = 'consent_withdrawn',
                                    decided_at = now()
               FROM referrals f
              WHERE f.id = p.referral_id AND f.consent_id = p_consent AND p.status = 'open'
             RETURNING p.id, p.proposer_org, p.operator_org
    LOOP
        PERFORM refgw_event_write(r.proposer_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        IF r.operator_org <> r.proposer_org THEN
            PERFORM refgw_event_write(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        END IF;
    END LOOP;
    RETURN n;
END
$$;
