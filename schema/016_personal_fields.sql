-- 016: personal fields outside `data`, and the person's journal (issue 12, items 3 and 5).
--
-- A referral's `reason` (free text), `needs` and `release_date` describe the
-- person: they move from `referrals` (readable by both parties whatever the
-- consent) into `referral_data`, whose read policy already hides a row once
-- the consent is withdrawn or expired.  Each belongs to a consent category
-- (docs/data-protection.md); refgw_personal_categories() is that mapping in
-- SQL, and a restrictive insert policy refuses a row whose categories the
-- consent does not cover, so a bug in the gateway's own check cannot store
-- them.  The gateway (gateway/categories.c) applies the same table first, to
-- answer with the fields at fault.
--
-- The journal (GET /v1/audit?person_id=): a restrictive read policy shows an
-- organisation only rows about what it disclosed or received; the coordinator
-- keeps the whole journal.  A consent is recorded only by an organisation that
-- follows the person.  Restrictive policies are ANDed with the permissive ones
-- other migrations define, so they tighten without replacing them.

-- ---------------------------------------------------------------- personal fields
ALTER TABLE referral_data
    ADD COLUMN reason       text CHECK (length(reason) BETWEEN 1 AND 2000),
    ADD COLUMN needs        jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN release_date date;

-- Every referral has its row (the gateway always wrote one); make sure, then move.
INSERT INTO referral_data (referral_id, data)
SELECT r.id, '{}'::jsonb FROM referrals r
 WHERE NOT EXISTS (SELECT 1 FROM referral_data d WHERE d.referral_id = r.id);
UPDATE referral_data d
   SET reason = nullif(r.reason, ''), needs = r.needs, release_date = r.release_date
  FROM referrals r
 WHERE r.id = d.referral_id;

ALTER TABLE referrals DROP COLUMN reason, DROP COLUMN needs, DROP COLUMN release_date;

-- The consent categories a referral's personal fields belong to.  The same
-- table as gateway/categories.c (needs_categories, reason, release_date) and
-- docs/data-protection.md: change the three together.
CREATE FUNCTION refgw_personal_categories(p_data jsonb, p_reason text, p_needs jsonb,
                                          p_release_date date)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}')
      FROM (SELECT jsonb_object_keys(coalesce(p_data, '{}')) AS c
            UNION ALL
            SELECT 'housing_situation' WHERE p_reason IS NOT NULL
            UNION ALL
            SELECT 'justice' WHERE p_release_date IS NOT NULL
            UNION ALL
            SELECT CASE k WHEN 'household_size' THEN 'family'
                          WHEN 'accessibility' THEN 'health'
                          WHEN 'avoid_communes' THEN 'housing_situation'
                          WHEN 'preferred_communes' THEN 'housing_situation'
                          WHEN 'income_band' THEN 'income'
                          ELSE 'unknown:' || k END
              FROM jsonb_object_keys(coalesce(p_needs, '{}')) k) cats
$$;

-- Does the referral's consent hold and cover these categories?  SECURITY
-- DEFINER so that the answer does not depend on who may read the consent.
CREATE FUNCTION refgw_referral_consent_covers(p_referral uuid, p_categories text[])
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM referrals r JOIN consents c ON c.id = r.consent_id
                    WHERE r.id = p_referral
                      AND c.status = 'active' AND c.valid_until >= current_date
                      AND p_categories <@ c.data_categories);
END
$$;

CREATE POLICY referral_data_insert_covered ON referral_data AS RESTRICTIVE FOR INSERT
    WITH CHECK (refgw_referral_consent_covers(referral_id,
                    refgw_personal_categories(data, reason, needs, release_date)));

-- The needs and release dates the candidates ranking may read: the caller's
-- received waitlisted referrals whose consent holds, the rule of
-- referral_data's read policy (a party, referral.read, consent active and
-- unexpired) applied once to the set.  Through the policy, whose function
-- runs per row, ranking 10 000 waitlisted referrals took ~0.9-1.1 s; joined
-- as a set, ~0.1-0.2 s (docs/performance.md).
CREATE FUNCTION refgw_waitlist_needs()
RETURNS TABLE (referral_id uuid, needs jsonb, release_date date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT d.referral_id, d.needs, d.release_date
      FROM referrals r
      JOIN consents c ON c.id = r.consent_id
      JOIN referral_data d ON d.referral_id = r.id
     WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted'
       AND c.status = 'active' AND c.valid_until >= current_date
       AND (SELECT refgw_caller_may('referral.read'))
$$;

-- ---------------------------------------------------------------- consents
-- Does the caller follow the person: created them, or is sender or receiver
-- of an open referral for them?
CREATE FUNCTION refgw_caller_follows(p_person uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me uuid := refgw_caller();
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    RETURN EXISTS (SELECT 1 FROM persons p WHERE p.id = p_person AND p.created_by = me)
        OR EXISTS (SELECT 1 FROM referrals r
                    WHERE r.person_id = p_person AND (r.from_org = me OR r.to_org = me)
                      AND r.status NOT IN ('declined', 'cancelled', 'completed',
                                           'consent_withdrawn'));
END
$$;

CREATE POLICY consents_insert_follows ON consents AS RESTRICTIVE FOR INSERT
    WITH CHECK (refgw_caller_follows(person_id));

-- ---------------------------------------------------------------- the journal
-- Is this audit row about something the caller disclosed or received: its
-- own action, one of its consents, or one of its referrals (whoever acted)?
-- Rows about a person as a whole (person.create, consent.list) are their
-- author's only: they would tell who else follows the person.
CREATE FUNCTION refgw_audit_row_visible(p_org uuid, p_type text, p_id text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    me uuid := refgw_caller();
BEGIN
    IF me IS NULL THEN
        RETURN false;
    END IF;
    IF p_org = me THEN
        RETURN true;
    END IF;
    IF p_id !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN false;
    END IF;
    IF p_type = 'referral' THEN
        RETURN EXISTS (SELECT 1 FROM referrals r WHERE r.id = p_id::uuid
                       AND (r.from_org = me OR r.to_org = me));
    ELSIF p_type = 'consent' THEN
        RETURN EXISTS (SELECT 1 FROM consents c WHERE c.id = p_id::uuid AND c.created_by = me);
    END IF;
    RETURN false;
END
$$;

CREATE POLICY audit_log_read_own_relations ON audit_log AS RESTRICTIVE FOR SELECT
    USING ((SELECT refgw_caller_is_coordinator())
           OR refgw_audit_row_visible(organisation_id, resource_type, resource_id));

REVOKE ALL ON FUNCTION refgw_personal_categories(jsonb, text, jsonb, date), refgw_waitlist_needs(),
    refgw_referral_consent_covers(uuid, text[]), refgw_caller_follows(uuid),
    refgw_audit_row_visible(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_personal_categories(jsonb, text, jsonb, date), refgw_waitlist_needs(),
    refgw_referral_consent_covers(uuid, text[]), refgw_caller_follows(uuid),
    refgw_audit_row_visible(uuid, text, text) TO refgw_app;
