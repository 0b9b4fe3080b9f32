-- 039: the row-visibility functions of issue 15's new policies in PL/pgSQL
-- (see 038).  A SECURITY DEFINER SQL function is never inlined and is
-- planned again on every call; these are called once per row by the
-- policies on sites (partnership members), follow_ups and
-- follow_up_entries.  Same queries, now with plans cached per session.
CREATE OR REPLACE FUNCTION refgw_partnership_member(p uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM partnerships pa WHERE pa.id = p AND refgw_caller() = ANY (pa.members));
END
$$;

CREATE OR REPLACE FUNCTION refgw_follow_up_entries_visible(p_follow_up uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN refgw_caller_may('follow_up.read') AND EXISTS (
        SELECT 1 FROM follow_ups f JOIN referrals r ON r.id = f.referral_id
          JOIN consents c ON c.id = r.consent_id
          JOIN organisations me ON me.id = refgw_caller()
         WHERE f.id = p_follow_up
           AND me.kind <> 'coordinator'
           AND (f.organisation_id = me.id OR me.id = ANY (c.recipient_orgs)
                OR me.kind = ANY (c.recipient_kinds))
           AND refgw_consent_holds(c)
           AND 'follow_up' = ANY (c.data_categories));
END
$$;

CREATE OR REPLACE FUNCTION refgw_follow_up_visible(p_follow_up uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN refgw_caller_may('follow_up.read') AND EXISTS (
        SELECT 1 FROM follow_ups f
          LEFT JOIN occupancies o ON o.id = f.occupancy_id
         WHERE f.id = p_follow_up
           AND (f.organisation_id = refgw_caller()
                OR refgw_follow_up_entries_visible(f.id)
                OR (refgw_caller() IN (o.operator_org, o.referent_org)
                    AND refgw_referral_consent_covers(f.referral_id, '{}'))));
END
$$;
