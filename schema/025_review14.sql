-- 025 (review of issue 14): what the new flows must not reveal.
--
-- refgw_referral_parallel (024) told the receiver of a referral of another
-- open housing referral for the same keyed national number.  Since 021 an
-- organisation may be the receiver of its own intake: any organisation could
-- create a person with a national number it merely typed in, record a consent
-- itself, take the person in for one of its own programs and read whether
-- that number is in a housing track elsewhere, of which kind and since when,
-- for as many numbers as it liked.  An intake's organisation is also its
-- sender, and the sender never sees a notice (docs/data-protection.md): only
-- a receiver to whom ANOTHER organisation referred the person, with that
-- organisation's consent, is told.  An intake still counts as the other
-- referral for those receivers.
-- The other referral counts only while its own consent holds: a consent that
-- expired changes no referral's status, and the notice went on telling of a
-- referral the person no longer consented to.  Only this function changes
-- (two lines).

CREATE OR REPLACE FUNCTION refgw_referral_parallel(p_referral uuid) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT jsonb_agg(jsonb_build_object('program_kind', x.kind, 'since', x.since)
                     ORDER BY x.since, x.kind)
      FROM (SELECT pg.kind, to_char(min(o.created_at), 'YYYY-MM') AS since
              FROM referrals r
              JOIN persons p ON p.id = r.person_id AND p.niss_hmac IS NOT NULL
              JOIN persons p2 ON p2.niss_hmac = p.niss_hmac
              JOIN referrals o ON o.person_id = p2.id AND o.id <> r.id
              JOIN consents oc ON oc.id = o.consent_id AND refgw_consent_holds(oc)
              JOIN programs pg ON pg.organisation_id = o.to_org AND pg.code = o.program
             WHERE r.id = p_referral
               AND r.to_org = refgw_caller()
               AND r.from_org <> r.to_org
               AND r.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND refgw_referral_consent_covers(r.id, '{}')
               AND o.to_org <> refgw_caller()
               AND o.status NOT IN ('declined', 'cancelled', 'completed', 'consent_withdrawn')
               AND pg.kind = ANY (refgw_housing_program_kinds())
             GROUP BY pg.kind) x
$$;

-- An operator reads a proposed person only while the referral is open
-- (021's refgw_operator_shared, and one rule): a referral its parties closed
-- (declined, cancelled, consent withdrawn) shows the operator nothing, even
-- through a proposal still open at it (closing a referral does not decide its
-- proposals); an accepted proposal keeps the read while the person is housed
-- (completed: the stay ended, the operator keeps what it read then, not more).
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
       AND (p.operator_org = ANY (c.recipient_orgs) OR o.kind = ANY (c.recipient_kinds))
       AND s = ANY (c.data_categories)
       AND refgw_caller_may('referral.read')
$$;

-- 022's refgw_accept_proposal, and: a proposal of a closed referral cannot be
-- accepted (409 proposal-not-open): it reserved the unit for nobody.
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
    -- A referral closed by its parties (declined, cancelled, completed, consent
    -- withdrawn) is placed nowhere: its open proposals are no longer open.
    IF (SELECT f.status FROM referrals f WHERE f.id = p.referral_id)
       IN ('declined', 'cancelled', 'completed', 'consent_withdrawn') THEN
        RAISE EXCEPTION 'referral of proposal % is closed', p_proposal
            USING ERRCODE = 'check_violation';
    END IF;
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
