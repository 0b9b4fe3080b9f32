-- 015: consent integrity and database defence (issue 12, items 1, 2, 4, 6, 11, 12).
--
-- 1. A referral, a proposal (created or accepted) and an occupancy exist only
--    under a consent that holds when they commit.  The creating transaction
--    locks the consent row FOR SHARE and reads it after the lock; withdrawal
--    locks it FOR UPDATE.  The two conflict, so either the creation waits for
--    the withdrawal to commit and then reads `withdrawn` (refused), or the
--    withdrawal waits for the creation to commit and its following
--    statements, each with a new snapshot (READ COMMITTED), see what was
--    created and close it.  FOR KEY SHARE would not do: it does not conflict
--    with an UPDATE that leaves the key alone.
-- 2. Withdrawal declines the proposals made under the consent (open ones,
--    and accepted ones whose unit is reserved but not yet occupied: the unit
--    is published again); an occupancy already started stays.
-- 4. Withdrawal tells both parties of a closed referral whose data it hides.
-- 6. Consent recipients and unit audiences name organisations that exist.
-- 11. Insert policies check that the caller is party to what it writes.
-- 12. Events and audit rows are written for an authenticated caller only;
--     the paths that run without one (housekeeping, the CLI) are explicit
--     and not open to the runtime role.
--
-- SQLSTATEs of our own, class 23 so that an unaware caller still sees an
-- integrity error: 23R01 an organisation named does not exist; 23R02 the
-- consent does not hold.  gateway/db.c maps them.

-- ---------------------------------------------------------------- 12. events, audit
-- The writers without a caller check: owner only (never granted).
CREATE FUNCTION refgw_event_write(p_org uuid, p_type text, p_resource_type text, p_resource_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO event_heads AS h (organisation_id, seq) VALUES (p_org, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq + 1
        RETURNING h.seq INTO n;
    INSERT INTO events (organisation_id, seq, type, resource_type, resource_id)
        VALUES (p_org, n, p_type, p_resource_type, p_resource_id);
    PERFORM pg_notify('refgw_events', p_org::text);
    RETURN n;
END
$$;

CREATE OR REPLACE FUNCTION refgw_emit_event(p_org uuid, p_type text, p_resource_type text,
                                            p_resource_id uuid)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF refgw_caller() IS NULL THEN
        RAISE EXCEPTION 'refgw_emit_event needs an authenticated caller'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN refgw_event_write(p_org, p_type, p_resource_type, p_resource_id);
END
$$;

CREATE FUNCTION refgw_audit_write(p_org uuid, p_certificate bytea, p_request_id text,
                                  p_action text, p_resource_type text, p_resource_id text,
                                  p_person_id uuid, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    r audit_log;
    l audit_lanes;
BEGIN
    r.lane := pg_backend_pid();
    INSERT INTO audit_lanes (lane, seq, head) VALUES (r.lane, 0, '\x'::bytea)
        ON CONFLICT (lane) DO NOTHING;
    SELECT * INTO STRICT l FROM audit_lanes WHERE lane = r.lane FOR UPDATE;
    r.seq := l.seq + 1;
    r.at := date_trunc('microseconds', clock_timestamp());
    r.organisation_id := p_org;
    r.certificate_sha256 := p_certificate;
    r.request_id := coalesce(p_request_id, '');
    r.action := p_action;
    r.resource_type := coalesce(p_resource_type, '');
    r.resource_id := coalesce(p_resource_id, '');
    r.person_id := p_person_id;
    r.detail := coalesce(p_detail, '{}'::jsonb);
    r.prev_hash := l.head;
    r.hash := sha256(l.head || convert_to(refgw_audit_canonical(r), 'UTF8'));
    INSERT INTO audit_log VALUES (r.*);
    UPDATE audit_lanes SET seq = r.seq, head = r.hash WHERE lane = r.lane;
    RETURN r.seq;
END
$$;

-- The gateway's path: the organisation is the one authenticated for this
-- transaction (never a parameter), and there must be one.
CREATE OR REPLACE FUNCTION refgw_audit_append(p_certificate bytea, p_request_id text, p_action text,
                                              p_resource_type text, p_resource_id text,
                                              p_person_id uuid, p_detail jsonb)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF refgw_caller() IS NULL THEN
        RAISE EXCEPTION 'refgw_audit_append needs an authenticated caller'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN refgw_audit_write(refgw_caller(), p_certificate, p_request_id, p_action,
                             p_resource_type, p_resource_id, p_person_id, p_detail);
END
$$;

-- The system path: the CLI (`refgw org|cert|...`, connected as the schema
-- owner) records what an operator did, without an organisation.  Not granted
-- to the runtime role.
CREATE FUNCTION refgw_audit_append_system(p_certificate bytea, p_request_id text, p_action text,
                                          p_resource_type text, p_resource_id text,
                                          p_person_id uuid, p_detail jsonb)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT refgw_audit_write(NULL, p_certificate, p_request_id, p_action, p_resource_type,
                             p_resource_id, p_person_id, p_detail)
$$;

-- Housekeeping (no caller): the same as 008, through the owner's writer.
CREATE OR REPLACE FUNCTION refgw_notify_ending_soon(p_days integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o record;
    n integer := 0;
BEGIN
    FOR o IN UPDATE occupancies SET ending_soon_notified_at = now()
              WHERE end_date IS NULL AND ending_soon_notified_at IS NULL
                AND planned_end_date <= current_date + p_days
             RETURNING id, operator_org, referring_org LOOP
        PERFORM refgw_event_write(o.operator_org, 'occupancy.ending_soon', 'occupancy', o.id);
        PERFORM refgw_event_write(o.referring_org, 'occupancy.ending_soon', 'occupancy', o.id);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

REVOKE ALL ON FUNCTION refgw_event_write(uuid, text, text, uuid),
    refgw_audit_write(uuid, bytea, text, text, text, text, uuid, jsonb),
    refgw_audit_append_system(bytea, text, text, text, text, uuid, jsonb) FROM PUBLIC;

-- ---------------------------------------------------------------- 1. consent holds at commit
-- Lock consent p_consent FOR SHARE until this transaction ends, and raise
-- 23R02 unless it holds (active, unexpired).  SECURITY DEFINER: the receiver
-- of a referral proposes under a consent it cannot read.
CREATE FUNCTION refgw_consent_hold(p_consent uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
BEGIN
    -- In READ COMMITTED a row lock waits for a concurrent withdrawal and
    -- then returns the row as that withdrawal committed it.
    SELECT * INTO c FROM consents WHERE id = p_consent FOR SHARE;
    IF NOT FOUND OR NOT refgw_consent_holds(c) THEN
        RAISE EXCEPTION 'consent % does not hold', p_consent
            USING ERRCODE = '23R02', HINT = 'withdrawn or expired';
    END IF;
END
$$;

CREATE FUNCTION refgw_referral_consent_hold(p_referral uuid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM refgw_consent_hold((SELECT consent_id FROM referrals WHERE id = p_referral));
END
$$;

CREATE FUNCTION refgw_consent_must_hold() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    IF TG_TABLE_NAME = 'referrals' THEN
        PERFORM refgw_consent_hold(NEW.consent_id);
    ELSIF TG_TABLE_NAME = 'proposals' THEN
        -- Created (open) or accepted: declining needs no consent.
        IF NEW.status IN ('open', 'accepted')
           AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status) THEN
            PERFORM refgw_referral_consent_hold(NEW.referral_id);
        END IF;
    ELSE
        PERFORM refgw_referral_consent_hold(NEW.referral_id);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER referrals_consent_holds BEFORE INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION refgw_consent_must_hold();
CREATE TRIGGER proposals_consent_holds BEFORE INSERT OR UPDATE OF status ON proposals
    FOR EACH ROW EXECUTE FUNCTION refgw_consent_must_hold();
CREATE TRIGGER occupancies_consent_holds BEFORE INSERT ON occupancies
    FOR EACH ROW EXECUTE FUNCTION refgw_consent_must_hold();

-- ---------------------------------------------------------------- 1, 2, 4. withdrawal
-- As 004, plus: closed referrals whose data is now hidden get an event for
-- both parties (4); proposals under the consent are declined with reason
-- consent_withdrawn, each side told (2): open ones, and accepted ones whose
-- unit is reserved and not yet occupied (the unit is published again).  An
-- occupancy already started stays: the person lives there.
CREATE OR REPLACE FUNCTION refgw_withdraw_consent(p_consent uuid, p_reason text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    c consents;
    r record;
    n integer := 0;
BEGIN
    -- Waits for every transaction holding the consent FOR SHARE (a creation
    -- under it) to end; each statement below then sees what they committed.
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
    FOR r IN UPDATE referrals SET status = 'consent_withdrawn', version = version + 1,
                                  updated_at = now()
              WHERE consent_id = p_consent
                AND status NOT IN ('completed', 'declined', 'cancelled', 'consent_withdrawn')
             RETURNING id, from_org, to_org,
                       (SELECT t.to_status FROM referral_transitions t
                         WHERE t.referral_id = referrals.id ORDER BY t.at DESC LIMIT 1) AS was
    LOOP
        INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, by_org)
            VALUES (r.id, r.was, 'consent_withdrawn', 'consent_withdrawn', refgw_caller());
        PERFORM refgw_emit_event(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
        PERFORM refgw_emit_event(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
        n := n + 1;
    END LOOP;
    -- Closed referrals keep their status; their data is hidden from now on.
    FOR r IN SELECT id, from_org, to_org FROM referrals
              WHERE consent_id = p_consent AND status IN ('completed', 'declined', 'cancelled')
    LOOP
        PERFORM refgw_emit_event(r.to_org, 'referral.consent_withdrawn', 'referral', r.id);
        PERFORM refgw_emit_event(r.from_org, 'referral.consent_withdrawn', 'referral', r.id);
    END LOOP;
    -- Accepted, not yet occupied: the reservation ends.
    FOR r IN UPDATE proposals p SET status = 'declined', reason_code = 'consent_withdrawn',
                                    decided_at = now()
               FROM referrals f
              WHERE f.id = p.referral_id AND f.consent_id = p_consent AND p.status = 'accepted'
                AND NOT EXISTS (SELECT 1 FROM occupancies o WHERE o.proposal_id = p.id)
             RETURNING p.id, p.unit_id, p.proposer_org, p.operator_org
    LOOP
        UPDATE units SET status = 'published', version = version + 1, updated_at = now()
         WHERE id = r.unit_id AND status = 'reserved';
        PERFORM refgw_emit_event(r.proposer_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        PERFORM refgw_emit_event(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
    END LOOP;
    FOR r IN UPDATE proposals p SET status = 'declined', reason_code = 'consent_withdrawn',
                                    decided_at = now()
               FROM referrals f
              WHERE f.id = p.referral_id AND f.consent_id = p_consent AND p.status = 'open'
             RETURNING p.id, p.proposer_org, p.operator_org
    LOOP
        PERFORM refgw_emit_event(r.proposer_org, 'proposal.consent_withdrawn', 'proposal', r.id);
        PERFORM refgw_emit_event(r.operator_org, 'proposal.consent_withdrawn', 'proposal', r.id);
    END LOOP;
    RETURN n;
END
$$;

-- ---------------------------------------------------------------- 2. accept, start
-- As 007, the consent checked (and locked) before the unit: 23R02 when it no
-- longer holds.  Consent first, unit second, as the withdrawal does.
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
    RETURN 'accepted';
END
$$;

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
    SELECT * INTO u FROM units WHERE id = p.unit_id FOR UPDATE;
    IF u.status <> 'reserved' OR EXISTS (SELECT 1 FROM occupancies WHERE proposal_id = p.id) THEN
        RETURN 'exists';
    END IF;
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
    RETURN occ::text;
END
$$;

-- ---------------------------------------------------------------- 6. organisations named exist
-- A uuid[] has no foreign key: every element must name an organisation
-- (organisations are never deleted).  23R01, the column in the error.
CREATE FUNCTION refgw_named_orgs_exist() RETURNS trigger
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    ids uuid[];
    missing uuid;
BEGIN
    IF TG_TABLE_NAME = 'consents' THEN
        ids := NEW.recipient_orgs;
        IF TG_OP = 'UPDATE' AND ids IS NOT DISTINCT FROM OLD.recipient_orgs THEN RETURN NEW; END IF;
    ELSE
        ids := NEW.audience_orgs;
        IF TG_OP = 'UPDATE' AND ids IS NOT DISTINCT FROM OLD.audience_orgs THEN RETURN NEW; END IF;
    END IF;
    SELECT x INTO missing FROM unnest(ids) x
     WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = x) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'organisation % does not exist', missing
            USING ERRCODE = '23R01', TABLE = TG_TABLE_NAME,
                  COLUMN = CASE TG_TABLE_NAME WHEN 'consents' THEN 'recipient_orgs'
                                              ELSE 'audience_orgs' END;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER consents_recipients_exist BEFORE INSERT OR UPDATE OF recipient_orgs ON consents
    FOR EACH ROW EXECUTE FUNCTION refgw_named_orgs_exist();
CREATE TRIGGER units_audience_exists BEFORE INSERT OR UPDATE OF audience_orgs ON units
    FOR EACH ROW EXECUTE FUNCTION refgw_named_orgs_exist();

-- ---------------------------------------------------------------- 11. insert policies
-- A transition only of a referral the caller sent or received.
DROP POLICY referral_transitions_insert ON referral_transitions;
CREATE POLICY referral_transitions_insert ON referral_transitions FOR INSERT
    WITH CHECK (by_org = (SELECT refgw_caller())
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id
                            AND (r.from_org = (SELECT refgw_caller())
                                 OR r.to_org = (SELECT refgw_caller()))));

-- A proposal only of a referral the proposer sent or received, to the
-- operator of a unit it can see.
DROP POLICY proposals_insert ON proposals;
CREATE POLICY proposals_insert ON proposals FOR INSERT
    WITH CHECK (proposer_org = (SELECT refgw_caller())
                AND (SELECT refgw_caller_may('proposal.create'))
                AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id
                            AND (r.from_org = (SELECT refgw_caller())
                                 OR r.to_org = (SELECT refgw_caller())))
                AND EXISTS (SELECT 1 FROM units u WHERE u.id = unit_id
                            AND u.operator_org = proposals.operator_org));

REVOKE ALL ON FUNCTION refgw_consent_hold(uuid), refgw_referral_consent_hold(uuid),
    refgw_consent_must_hold(), refgw_named_orgs_exist() FROM PUBLIC;
