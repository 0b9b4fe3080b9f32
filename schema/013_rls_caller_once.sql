-- 013: policies read the calling organisation once per query.
--
-- refgw_caller() parses a setting; written bare in a policy it is evaluated
-- for every row, written as (SELECT refgw_caller()) it becomes an InitPlan
-- evaluated once.  Measured on 10 000 waitlisted referrals: the candidates
-- query took ~65 ms with the policies of 004/006 and ~40 ms without row-level
-- security at all (bench/scale.sh, docs/performance.md).
DROP POLICY referrals_read ON referrals;
CREATE POLICY referrals_read ON referrals FOR SELECT
    USING ((from_org = (SELECT refgw_caller()) OR to_org = (SELECT refgw_caller()))
           AND (SELECT refgw_caller_may('referral.read')));

DROP POLICY referrals_update ON referrals;
CREATE POLICY referrals_update ON referrals FOR UPDATE
    USING (from_org = (SELECT refgw_caller()) OR to_org = (SELECT refgw_caller()))
    WITH CHECK (from_org = (SELECT refgw_caller()) OR to_org = (SELECT refgw_caller()));

DROP POLICY events_read ON events;
CREATE POLICY events_read ON events FOR SELECT
    USING (organisation_id = (SELECT refgw_caller()) AND (SELECT refgw_caller_may('event.read')));

DROP POLICY consents_read ON consents;
CREATE POLICY consents_read ON consents FOR SELECT
    USING ((created_by = (SELECT refgw_caller()) OR (SELECT refgw_caller_is_coordinator()))
           AND (SELECT refgw_caller_may('consent.read')));

DROP POLICY proposals_read ON proposals;
CREATE POLICY proposals_read ON proposals FOR SELECT
    USING (proposer_org = (SELECT refgw_caller()) OR operator_org = (SELECT refgw_caller()));

DROP POLICY occupancies_read ON occupancies;
CREATE POLICY occupancies_read ON occupancies FOR SELECT
    USING ((operator_org = (SELECT refgw_caller()) OR referring_org = (SELECT refgw_caller()))
           AND (SELECT refgw_caller_may('occupancy.read')));

-- The audience test, with the caller and its kind read once.
DROP POLICY units_read ON units;
CREATE POLICY units_read ON units FOR SELECT
    USING ((SELECT refgw_caller_may('unit.read'))
           AND (operator_org = (SELECT refgw_caller())
                OR (status <> 'draft'
                    AND ((SELECT refgw_caller()) = ANY (audience_orgs)
                         OR (SELECT o.kind FROM organisations o WHERE o.id = (SELECT refgw_caller()))
                            = ANY (audience_kinds)))));
