-- 021 (issue 14, items 1 and 3): direct intake, and housing operators inside
-- the consented flow.
--
-- * An intake is a referral whose sender and receiver are the same
--   organisation: a person it meets itself, on its own program's waitlist.
--   Same table, lists, candidates and proposals as every referral; the only
--   schema change is that a referral may now name the same organisation twice.
--   The row-level security policies already let a party read and update a
--   referral as sender or receiver (from_org = caller OR to_org = caller), and
--   referral_data's read rule is refgw_referral_data_visible (either party):
--   an intake is readable and writable by its organisation as both parties,
--   under the same consent rule.
-- * The operator of a unit for which a referral is proposed (proposal open or
--   accepted) reads the referral's public fields, and, while the consent holds
--   and covers that operator, the personal fields of the categories the
--   proposal shares, filtered by PostgreSQL (refgw_referral_data_shown): the
--   gateway renders what it is given and cannot show more.  referral_data's
--   own read policy is deliberately NOT widened: a plain SELECT on
--   referral_data by an operator still finds nothing, so no statement can
--   leak an unfiltered row.

ALTER TABLE referrals DROP CONSTRAINT referrals_check;

-- A referral starts submitted (its receiver acknowledges it); an intake has no
-- other party to acknowledge it and starts on the waitlist.  Checked here too,
-- so that no request can create one in the other's first state (a load by the
-- owner, outside any request, such as a restore or bench/scale.sh, sets no
-- caller and is not checked).
CREATE FUNCTION refgw_referral_first_status() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    first text := 'submitted';
BEGIN
    IF refgw_caller() IS NULL THEN
        RETURN NEW;
    END IF;
    IF NEW.from_org = NEW.to_org THEN
        first := 'waitlisted';
    END IF;
    IF NEW.status IS DISTINCT FROM first THEN
        RAISE EXCEPTION 'this referral starts %', first
            USING ERRCODE = 'check_violation', CONSTRAINT = 'referrals_first_status';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER referrals_first_status BEFORE INSERT ON referrals
    FOR EACH ROW EXECUTE FUNCTION refgw_referral_first_status();

-- The operator of a unit for which it is proposed (open or accepted) reads the
-- referral (its public fields; the personal ones through the function below).
CREATE INDEX proposals_referral_idx ON proposals (referral_id, operator_org);

-- A function, not a subquery in the policy: proposals' insert policy reads
-- referrals, whose read policy would then read proposals (PostgreSQL refuses
-- the recursion when it expands policies).
CREATE FUNCTION refgw_caller_operates_proposal(p_referral uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT EXISTS (SELECT 1 FROM proposals p
                    WHERE p.referral_id = p_referral AND p.operator_org = refgw_caller()
                      AND p.status IN ('open', 'accepted'))
$$;

ALTER POLICY referrals_read ON referrals
    USING (((from_org = (SELECT refgw_caller())) OR (to_org = (SELECT refgw_caller()))
            OR refgw_caller_operates_proposal(id))
           AND (SELECT refgw_caller_may('referral.read')));

-- The categories the caller, as the operator of an open or accepted proposal
-- of this referral, may read: the union of those proposals' shared_categories
-- that the consent still covers, while the consent holds and names the
-- operator (by organisation or kind).  NULL when it may read none.
CREATE FUNCTION refgw_operator_shared(p_referral uuid) RETURNS text[]
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
       AND refgw_consent_holds(c)
       AND (p.operator_org = ANY (c.recipient_orgs) OR o.kind = ANY (c.recipient_kinds))
       AND s = ANY (c.data_categories)
       AND refgw_caller_may('referral.read')
$$;

-- The personal fields of a referral as the caller may see them: a party
-- (sender, receiver, an intake's organisation) sees them all while the
-- consent holds (referral_data's read rule); the operator of an open or
-- accepted proposal sees only the shared categories: data's keys among them,
-- reason if housing_situation is shared, release_date if justice is, each
-- need whose category is shared (refgw_personal_categories' mapping).  No row
-- when the caller may see nothing.
CREATE FUNCTION refgw_referral_data_shown(p_referral uuid)
RETURNS TABLE (referral_id uuid, data jsonb, reason text, needs jsonb, release_date date)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    shared text[];
BEGIN
    IF refgw_referral_data_visible(p_referral) THEN
        RETURN QUERY SELECT d.referral_id, d.data, d.reason, d.needs, d.release_date
                       FROM referral_data d WHERE d.referral_id = p_referral;
        RETURN;
    END IF;
    shared := refgw_operator_shared(p_referral);
    IF shared IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT d.referral_id,
               coalesce((SELECT jsonb_object_agg(e.key, e.value)
                           FROM jsonb_each(d.data) e WHERE e.key = ANY (shared)), '{}'),
               CASE WHEN 'housing_situation' = ANY (shared) THEN d.reason END,
               coalesce((SELECT jsonb_object_agg(e.key, e.value)
                           FROM jsonb_each(d.needs) e
                          WHERE refgw_personal_categories(NULL, NULL,
                                                          jsonb_build_object(e.key, e.value),
                                                          NULL) <@ shared), '{}'),
               CASE WHEN 'justice' = ANY (shared) THEN d.release_date END
          FROM referral_data d WHERE d.referral_id = p_referral;
END
$$;

-- An intake's consent gaps: refgw_consent_gaps with the organisation itself
-- as the recipient, which a consent it recorded itself covers as its creator
-- (the data stays with the organisation that collected it; the consent's
-- recipients say where it may go next, e.g. the operator of a unit).
-- Consents are read under their row-level security: another organisation's
-- consent is not found ('consent').
CREATE FUNCTION refgw_intake_consent_gaps(p_consent uuid, p_person uuid, p_purpose text,
                                          p_categories text[]) RETURNS text[]
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN (SELECT c.created_by FROM consents c WHERE c.id = p_consent) = refgw_caller()
                THEN array_remove(g, 'recipient') ELSE g END
      FROM refgw_consent_gaps(p_consent, p_person, refgw_caller(), p_purpose, p_categories) g
$$;

REVOKE ALL ON FUNCTION refgw_caller_operates_proposal(uuid), refgw_operator_shared(uuid),
    refgw_referral_data_shown(uuid),
    refgw_intake_consent_gaps(uuid, uuid, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_caller_operates_proposal(uuid), refgw_referral_data_shown(uuid),
    refgw_intake_consent_gaps(uuid, uuid, text, text[]) TO refgw_app;
