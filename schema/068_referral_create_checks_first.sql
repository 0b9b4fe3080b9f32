-- 068: POST /v1/referrals checks before it tells anything of the person
-- (a hostile review of issue 19).
--
-- 1. The gateway sealed the personal fields under the person's data key
--    before the call of 060; a person without a key (never created, or
--    erased: the key is destroyed) answered 404 before the recipient, the
--    program, the consent and the relay were checked, so a former party of
--    an erased person could tell the erasure apart from the other
--    refusals.  The gateway now makes the same call when the key store
--    says the key is absent, with every personal value NULL and
--    p_key_absent true: every check runs in the same order, and only when
--    all pass is the outcome 'person-unknown' (nothing written), which the
--    gateway answers as a person the consent is not for, the answer a
--    person that never existed gets.
-- 2. Whether the call is an intake (schema/021: to the caller itself) is
--    derived here from refgw_caller(); a p_intake that disagrees is
--    refused (42501) rather than trusted.
--
-- The function of 060 (15 parameters) stays for the gateways of the
-- previous version during a rolling upgrade: it calls this one with
-- p_key_absent false, and so refuses a disagreeing p_intake too.

CREATE FUNCTION refgw_referral_create(
    p_intake boolean, p_person uuid, p_to uuid, p_program text, p_consent uuid,
    p_purpose text, p_relays uuid, p_categories text[],
    p_data jsonb, p_reason text, p_needs jsonb, p_release_date text, p_ranking text,
    p_certificate bytea, p_request text, p_key_absent boolean)
RETURNS refgw_referral_created
LANGUAGE plpgsql
SET search_path TO pg_catalog, public
AS $$
DECLARE
    res refgw_referral_created;
    o_status text;
    o_offers boolean;
    gaps text[];
    intake boolean;
BEGIN
    IF refgw_caller() IS NULL THEN
        RAISE EXCEPTION 'refgw_referral_create needs an authenticated caller'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    intake := p_to IS NOT DISTINCT FROM refgw_caller();
    IF p_intake IS DISTINCT FROM intake THEN
        RAISE EXCEPTION 'p_intake disagrees with the recipient'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_key_absent IS NULL
       OR (p_key_absent AND (p_data IS NOT NULL OR p_reason IS NOT NULL OR p_needs IS NOT NULL
                             OR p_release_date IS NOT NULL OR p_ranking IS NOT NULL)) THEN
        RAISE EXCEPTION 'without a data key no personal value is sent'
            USING ERRCODE = 'invalid_parameter_value';
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
    gaps := CASE WHEN intake
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
    -- Every check passed for a person whose data key is gone: nothing is
    -- written, and the gateway answers as for a person never created.
    IF p_key_absent THEN
        res.outcome := 'person-unknown';
        RETURN res;
    END IF;
    IF intake THEN
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
         VALUES (res.id, NULL, CASE WHEN intake THEN 'waitlisted' ELSE 'submitted' END,
                 NULL, NULL, refgw_caller());
    IF NOT intake THEN
        PERFORM refgw_emit_event(p_to, 'referral.received', 'referral', res.id);
    END IF;
    PERFORM refgw_audit_append(p_certificate, p_request,
                               CASE WHEN intake THEN 'referral.intake' ELSE 'referral.create' END,
                               'referral', res.id::text, p_person, '{}'::jsonb);
    IF p_relays IS NOT NULL THEN
        PERFORM refgw_relay_notify(p_relays);
    END IF;
    res.outcome := 'created';
    RETURN res;
END
$$;

REVOKE ALL ON FUNCTION refgw_referral_create(boolean, uuid, uuid, text, uuid, text, uuid, text[],
                                             jsonb, text, jsonb, text, text, bytea, text, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_referral_create(boolean, uuid, uuid, text, uuid, text, uuid,
                                                text[], jsonb, text, jsonb, text, text, bytea,
                                                text, boolean)
    TO refgw_app;

-- 060's signature, for the previous gateway during the roll.
CREATE OR REPLACE FUNCTION refgw_referral_create(
    p_intake boolean, p_person uuid, p_to uuid, p_program text, p_consent uuid,
    p_purpose text, p_relays uuid, p_categories text[],
    p_data jsonb, p_reason text, p_needs jsonb, p_release_date text, p_ranking text,
    p_certificate bytea, p_request text)
RETURNS refgw_referral_created
LANGUAGE sql
SET search_path TO pg_catalog, public
AS $$
    SELECT refgw_referral_create(p_intake, p_person, p_to, p_program, p_consent, p_purpose,
                                 p_relays, p_categories, p_data, p_reason, p_needs,
                                 p_release_date, p_ranking, p_certificate, p_request, false)
$$;
