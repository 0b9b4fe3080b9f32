-- 006: row-level security also applies the access rules to reads.
--
-- 004 keyed the read policies on who is a party (sender, receiver, creator);
-- the rules (e.g. a housing operator's referral.read) were checked by the
-- gateway only.  Now PostgreSQL checks them too, once per query (an InitPlan).

-- A direct, indexed lookup instead of listing every action.
CREATE OR REPLACE FUNCTION refgw_caller_may(p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN coalesce((
        SELECT r.allowed FROM access_rules r JOIN organisations o ON o.id = refgw_caller()
         WHERE r.action = p_action AND (r.organisation_id = o.id OR r.kind = o.kind)
         ORDER BY r.organisation_id IS NULL LIMIT 1), false);
END
$$;

DROP POLICY referrals_read ON referrals;
CREATE POLICY referrals_read ON referrals FOR SELECT
    USING ((from_org = refgw_caller() OR to_org = refgw_caller())
           AND (SELECT refgw_caller_may('referral.read')));

DROP POLICY referral_transitions_read ON referral_transitions;
CREATE POLICY referral_transitions_read ON referral_transitions FOR SELECT
    USING ((SELECT refgw_caller_may('referral.read'))
           AND EXISTS (SELECT 1 FROM referrals r WHERE r.id = referral_id
                       AND (r.from_org = refgw_caller() OR r.to_org = refgw_caller())));

DROP POLICY consents_read ON consents;
CREATE POLICY consents_read ON consents FOR SELECT
    USING ((created_by = refgw_caller() OR (SELECT refgw_caller_is_coordinator()))
           AND (SELECT refgw_caller_may('consent.read')));

DROP POLICY events_read ON events;
CREATE POLICY events_read ON events FOR SELECT
    USING (organisation_id = refgw_caller() AND (SELECT refgw_caller_may('event.read')));

DROP POLICY audit_log_read ON audit_log;
CREATE POLICY audit_log_read ON audit_log FOR SELECT
    USING ((SELECT refgw_caller_may('audit.read'))
           AND ((SELECT refgw_caller_is_coordinator())
                OR (person_id IS NOT NULL AND EXISTS (
                      SELECT 1 FROM consents c WHERE c.person_id = audit_log.person_id
                         AND c.created_by = refgw_caller()))));

-- referral_data: its function adds the rule.
CREATE OR REPLACE FUNCTION refgw_referral_data_visible(p_referral uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN refgw_caller_may('referral.read')
       AND EXISTS (SELECT 1 FROM referrals r JOIN consents c ON c.id = r.consent_id
                    WHERE r.id = p_referral
                      AND (r.from_org = refgw_caller() OR r.to_org = refgw_caller())
                      AND c.status = 'active' AND c.valid_until >= current_date);
END
$$;
