-- 060: POST /v1/referrals as one server-side call (issue 19).
--
-- The create was about ten round trips: the recipient, the program, the
-- consent's coverage, the relay, the referral, its personal fields, its
-- first transition, the event, the audit row, the relay's notices, each a
-- statement of its own sent after the answer to the one before.  The same
-- steps, in the same order and with the same checks, now run inside
-- refgw_referral_create, which the gateway sends pipelined with COMMIT
-- (gateway/db.c, db_query_commit): after the authentication (BEGIN and
-- refgw_authenticate, one round trip, which sets the calling organisation),
-- the create is one more round trip.
--
-- The function is SECURITY INVOKER: every read and insert is the runtime
-- role's, under the same row-level security as before (organisations,
-- programs, consents through refgw_consent_gaps, referrals,
-- referral_data's coverage check of 016, transitions); the event and the
-- audit row go through the same SECURITY DEFINER functions as before.
--
-- A refusal (the recipient, the program, the consent, the relay) writes
-- nothing and is answered as a row: outcome names it, detail carries the
-- consent's gaps ("recipient", "purpose:...", "category:...").  An error
-- of PostgreSQL (the consent withdrawn meanwhile, 23R02; an erased person,
-- 23R04; a constraint) aborts the statement and the COMMIT after it, and is
-- answered as before.  Whether the caller sends to itself (an intake,
-- schema/021) is the gateway's comparison, passed as p_intake.

CREATE TYPE refgw_referral_created AS (
    id uuid,
    status text,
    version integer,
    person_id uuid,
    from_org uuid,
    to_org uuid,
    program text,
    consent_id uuid,
    purpose text,
    relays_referral_id uuid,
    created_at timestamptz,
    updated_at timestamptz,
    -- 'created', or the refusal: 'recipient-unavailable',
    -- 'program-not-offered', 'program-closed', 'consent-not-covering',
    -- 'relay-refused'
    outcome text,
    detail text
);

CREATE FUNCTION refgw_referral_create(
    p_intake boolean, p_person uuid, p_to uuid, p_program text, p_consent uuid,
    p_purpose text, p_relays uuid, p_categories text[],
    p_data jsonb, p_reason text, p_needs jsonb, p_release_date text, p_ranking text,
    p_certificate bytea, p_request text)
RETURNS refgw_referral_created
LANGUAGE plpgsql
SET search_path TO pg_catalog, public
AS $$
DECLARE
    res refgw_referral_created;
    o_status text;
    o_offers boolean;
    gaps text[];
BEGIN
    IF refgw_caller() IS NULL THEN
        RAISE EXCEPTION 'refgw_referral_create needs an authenticated caller'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- The recipient: active, and offering the program.
    SELECT o.status, p_program = ANY (o.programs) INTO o_status, o_offers
      FROM organisations o WHERE o.id = p_to;
    IF NOT FOUND OR o_status <> 'active' THEN
        res.outcome := 'recipient-unavailable';
        RETURN res;
    END IF;
    IF NOT o_offers THEN
        res.outcome := 'program-not-offered';
        RETURN res;
    END IF;
    -- The program open (no row of it: open).
    IF EXISTS (SELECT 1 FROM programs p
                WHERE p.organisation_id = p_to AND p.code = p_program AND p.status <> 'open') THEN
        res.outcome := 'program-closed';
        RETURN res;
    END IF;
    -- The consent covers recipient, purpose and every category sent.
    gaps := CASE WHEN p_intake
                 THEN refgw_intake_consent_gaps(p_consent, p_person, p_purpose, p_categories)
                 ELSE refgw_consent_gaps(p_consent, p_person, p_to, p_purpose, p_categories) END;
    IF cardinality(gaps) > 0 THEN
        res.outcome := 'consent-not-covering';
        res.detail := array_to_string(gaps, ' ');
        RETURN res;
    END IF;
    -- A relay: of an earlier referral of the person the caller took part in.
    IF p_relays IS NOT NULL AND NOT refgw_may_relay(p_relays, p_person) THEN
        res.outcome := 'relay-refused';
        RETURN res;
    END IF;
    IF p_intake THEN
        INSERT INTO referrals AS r (person_id, from_org, to_org, program, consent_id, purpose,
                                    status, relays_referral_id)
             VALUES (p_person, refgw_caller(), refgw_caller(), p_program, p_consent, p_purpose,
                     'waitlisted', p_relays)
          RETURNING r.id, r.status, r.version, r.person_id, r.from_org, r.to_org, r.program,
                    r.consent_id, r.purpose, r.relays_referral_id, r.created_at, r.updated_at
               INTO res.id, res.status, res.version, res.person_id, res.from_org, res.to_org,
                    res.program, res.consent_id, res.purpose, res.relays_referral_id,
                    res.created_at, res.updated_at;
    ELSE
        INSERT INTO referrals AS r (person_id, from_org, to_org, program, consent_id, purpose,
                                    relays_referral_id)
             VALUES (p_person, refgw_caller(), p_to, p_program, p_consent, p_purpose, p_relays)
          RETURNING r.id, r.status, r.version, r.person_id, r.from_org, r.to_org, r.program,
                    r.consent_id, r.purpose, r.relays_referral_id, r.created_at, r.updated_at
               INTO res.id, res.status, res.version, res.person_id, res.from_org, res.to_org,
                    res.program, res.consent_id, res.purpose, res.relays_referral_id,
                    res.created_at, res.updated_at;
    END IF;
    INSERT INTO referral_data (referral_id, data, reason, needs, release_date, ranking)
         VALUES (res.id, p_data, p_reason, p_needs, p_release_date, p_ranking);
    INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, note,
                                      by_org)
         VALUES (res.id, NULL, CASE WHEN p_intake THEN 'waitlisted' ELSE 'submitted' END,
                 NULL, NULL, refgw_caller());
    IF NOT p_intake THEN
        PERFORM refgw_emit_event(p_to, 'referral.received', 'referral', res.id);
    END IF;
    PERFORM refgw_audit_append(p_certificate, p_request,
                               CASE WHEN p_intake THEN 'referral.intake' ELSE 'referral.create' END,
                               'referral', res.id::text, p_person, '{}'::jsonb);
    IF p_relays IS NOT NULL THEN
        PERFORM refgw_relay_notify(p_relays);
    END IF;
    res.outcome := 'created';
    RETURN res;
END
$$;

REVOKE ALL ON FUNCTION refgw_referral_create(boolean, uuid, uuid, text, uuid, text, uuid, text[],
                                             jsonb, text, jsonb, text, text, bytea, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_referral_create(boolean, uuid, uuid, text, uuid, text, uuid,
                                                text[], jsonb, text, jsonb, text, text, bytea,
                                                text)
    TO refgw_app;
