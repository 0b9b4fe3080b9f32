-- 038: a rule decided in microseconds again (issue 15's hosting made every
-- row-level-security check 20 times slower).  031 routed refgw_caller_may,
-- the function every policy calls, through refgw_org_may, a SQL function:
-- SECURITY DEFINER keeps PostgreSQL from inlining it, so its three
-- subqueries and refgw_hosting_actions() were planned again on every call,
-- about 0.5 ms each, several times per request (GET /v1/referrals/{id}
-- 3.8 -> 9.4 ms).  The same decision in PL/pgSQL, whose plans are cached
-- for the session, reading the rules that can apply in one scan:
--   the organisation's own rule for the action; else, for an action that
--   hosting implies (never for a coordinator), yes if site.host is allowed
--   (its own rule first, else its kind's); else its kind's rule; else no.
CREATE OR REPLACE FUNCTION refgw_org_may(p_org uuid, p_kind text, p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    own boolean;
    by_kind boolean;
    own_host boolean;
    kind_host boolean;
BEGIN
    SELECT bool_or(r.allowed) FILTER (WHERE r.organisation_id = p_org AND r.action = p_action),
           bool_or(r.allowed) FILTER (WHERE r.kind = p_kind AND r.action = p_action),
           bool_or(r.allowed) FILTER (WHERE r.organisation_id = p_org AND r.action = 'site.host'),
           bool_or(r.allowed) FILTER (WHERE r.kind = p_kind AND r.action = 'site.host')
      INTO own, by_kind, own_host, kind_host
      FROM access_rules r
     WHERE (r.organisation_id = p_org OR r.kind = p_kind)
       AND r.action IN (p_action, 'site.host');
    IF own IS NOT NULL THEN
        RETURN own;
    END IF;
    IF p_kind <> 'coordinator' AND coalesce(own_host, kind_host, false)
       AND p_action = ANY (refgw_hosting_actions()) THEN
        RETURN true;
    END IF;
    RETURN coalesce(by_kind, false);
END
$$;

-- The caller's organisation read once, the rule decided above.
CREATE OR REPLACE FUNCTION refgw_caller_may(p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o_id uuid;
    o_kind text;
BEGIN
    SELECT o.id, o.kind INTO o_id, o_kind FROM organisations o WHERE o.id = refgw_caller();
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN refgw_org_may(o_id, o_kind, p_action);
END
$$;
