-- Issue 16, item 2: erasing a person (DELETE /v1/persons/{id}).  The
-- gateway destroys the person's data key in the key store (keystore.c) in
-- the same request, before this transaction commits: every sealed field of
-- theirs (schema/045), in this database, its replicas and its backups,
-- becomes unreadable at once.  This function does the rest, in one
-- transaction, and leaves nothing personal in clear:
--   * every active consent of the person withdrawn, its referrals closed,
--     proposals declined, exactly as a withdrawal does (refgw_close_under_withdrawn);
--   * their follow-ups closed;
--   * what PostgreSQL kept in clear because it decides on it, or free text
--     the gateway does not seal: the keyed hash of the national number, the
--     needs and release date of their referrals, the notes of transitions,
--     proposals and occupancies (stored replays of answers that carried
--     their fields are sealed under their key: they stay, unreadable);
--   * `person.erased` (resource: the person) to every organisation that held
--     their data, the acting one excepted;
--   * persons.erased_at set: the row stays, for the ids the audit log and
--     the aggregate reports refer to.
-- The audit log is not touched: its rows carry ids, actions and sealed
-- text, and its chain still verifies (docs/security.md).
-- Who: the organisation that recorded the person, or a coordinator acting
-- on the person's request; both need `person.erase`.

-- The stored replay of an Idempotency-Key whose answer carries a person's
-- fields (a person, a consent, a follow-up entry) is sealed under that
-- person's key (gateway/idempotency.c): which person, so that it opens.
ALTER TABLE idempotency_keys ADD COLUMN person_id uuid;

INSERT INTO access_rules (kind, action, allowed)
SELECT k, 'person.erase', true
  FROM unnest(ARRAY['justice_aid', 'street_work', 'homeless_service', 'cpas', 'home_guidance',
                    'coordinator']) k
ON CONFLICT DO NOTHING;

CREATE FUNCTION refgw_erase_person(p_person uuid)
RETURNS TABLE (outcome text, erased_at timestamptz, consents_withdrawn integer,
               referrals_closed integer, organisations_told integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
    p persons;
    c record;
    held uuid[];
    n_consents integer := 0;
    n_referrals integer := 0;
BEGIN
    IF refgw_caller() IS NULL OR NOT refgw_caller_may('person.erase') THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::timestamptz, 0, 0, 0;
        RETURN;
    END IF;
    -- Lock order (docs/security.md): consents, then the person.
    PERFORM 1 FROM consents WHERE person_id = p_person ORDER BY id FOR UPDATE;
    SELECT * INTO p FROM persons WHERE id = p_person FOR UPDATE;
    IF NOT FOUND OR NOT (p.created_by = refgw_caller() OR refgw_caller_is_coordinator()) THEN
        RETURN QUERY SELECT 'not_found'::text, NULL::timestamptz, 0, 0, 0;
        RETURN;
    END IF;
    IF p.erased_at IS NOT NULL THEN
        RETURN QUERY SELECT 'already'::text, p.erased_at, 0, 0, 0;
        RETURN;
    END IF;
    -- Who held the person's data: computed before anything closes.
    held := ARRAY(
        SELECT DISTINCT o FROM (
            SELECT p.created_by AS o
            UNION ALL SELECT created_by FROM consents WHERE person_id = p_person
            UNION ALL SELECT unnest(ARRAY[r.from_org, r.to_org]) FROM referrals r
                       WHERE r.person_id = p_person
            UNION ALL SELECT unnest(ARRAY[x.proposer_org, x.operator_org])
                        FROM proposals x JOIN referrals r ON r.id = x.referral_id
                       WHERE r.person_id = p_person
            UNION ALL SELECT unnest(ARRAY[oc.operator_org, oc.referring_org, oc.referent_org])
                        FROM occupancies oc JOIN referrals r ON r.id = oc.referral_id
                       WHERE r.person_id = p_person
            UNION ALL SELECT f.organisation_id FROM follow_ups f
                        JOIN referrals r ON r.id = f.referral_id WHERE r.person_id = p_person
        ) h WHERE o IS NOT NULL AND o <> refgw_caller());
    FOR c IN SELECT id FROM consents WHERE person_id = p_person AND status = 'active' ORDER BY id
    LOOP
        UPDATE consents SET status = 'withdrawn', withdrawn_at = now(),
                            withdrawn_by = refgw_caller(), withdrawal_reason = NULL
         WHERE id = c.id;
        n_referrals := n_referrals + refgw_close_under_withdrawn(c.id, refgw_caller(), false);
        n_consents := n_consents + 1;
    END LOOP;
    UPDATE follow_ups f SET status = 'closed', version = f.version + 1, updated_at = now()
      FROM referrals r
     WHERE r.id = f.referral_id AND r.person_id = p_person AND f.status <> 'closed';
    -- What stays in clear goes.
    UPDATE referral_data d SET needs = '{}', release_date = NULL
      FROM referrals r WHERE r.id = d.referral_id AND r.person_id = p_person;
    UPDATE referral_transitions t SET note = NULL
      FROM referrals r WHERE r.id = t.referral_id AND r.person_id = p_person AND t.note IS NOT NULL;
    UPDATE proposals x SET note = NULL
      FROM referrals r WHERE r.id = x.referral_id AND r.person_id = p_person AND x.note IS NOT NULL;
    UPDATE occupancies oc SET note = NULL
      FROM referrals r WHERE r.id = oc.referral_id AND r.person_id = p_person AND oc.note IS NOT NULL;
    -- The stored replays of answers that carried the person's fields are
    -- sealed under their key (person_id): they stay, and a retry of the
    -- request answers 410 person-erased instead of creating anew.
    UPDATE persons SET niss_hmac = NULL, external_ref = NULL, birth_year = NULL,
                       erased_at = now()
     WHERE id = p_person;
    PERFORM refgw_lock_event_heads(held);
    PERFORM refgw_event_write(o, 'person.erased', 'person', p_person) FROM unnest(held) o ORDER BY o;
    RETURN QUERY SELECT 'erased'::text, now(), n_consents, n_referrals, cardinality(held);
END
$$;
REVOKE ALL ON FUNCTION refgw_erase_person(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_erase_person(uuid) TO refgw_app;

-- An erased person gets nothing new: no consent (and so no referral,
-- proposal or follow-up, which stand on one).
CREATE FUNCTION refgw_person_not_erased() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM persons WHERE id = NEW.person_id AND erased_at IS NOT NULL) THEN
        RAISE EXCEPTION 'person % was erased', NEW.person_id USING ERRCODE = '23R04';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER consents_person_not_erased BEFORE INSERT ON consents
    FOR EACH ROW EXECUTE FUNCTION refgw_person_not_erased();
