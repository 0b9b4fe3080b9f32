-- 044: refgw_caller_may in one query (see 038).  It looked the caller's
-- organisation up, then called refgw_org_may: two PL/pgSQL calls and two
-- queries where issue 14's function ran one, for every statement that a
-- row-level-security policy guards (GET /v1/events 11 % slower).  The
-- organisation and the rules that can apply are read together; the
-- decision is refgw_org_may's, written once in refgw_rule_decides.
CREATE FUNCTION refgw_rule_decides(p_kind text, p_action text, own boolean, by_kind boolean,
                                   host boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(own,
                    CASE WHEN p_kind <> 'coordinator' AND host
                              AND p_action = ANY (refgw_hosting_actions()) THEN true END,
                    by_kind, false)
$$;

CREATE OR REPLACE FUNCTION refgw_org_may(p_org uuid, p_kind text, p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    own boolean;
    by_kind boolean;
    host boolean;
BEGIN
    SELECT bool_or(r.allowed) FILTER (WHERE r.organisation_id = p_org AND r.action = p_action),
           bool_or(r.allowed) FILTER (WHERE r.kind = p_kind AND r.action = p_action),
           coalesce(bool_or(r.allowed) FILTER (WHERE r.organisation_id = p_org
                                                 AND r.action = 'site.host'),
                    bool_or(r.allowed) FILTER (WHERE r.kind = p_kind AND r.action = 'site.host'),
                    false)
      INTO own, by_kind, host
      FROM access_rules r
     WHERE (r.organisation_id = p_org OR r.kind = p_kind)
       AND r.action IN (p_action, 'site.host');
    RETURN refgw_rule_decides(p_kind, p_action, own, by_kind, host);
END
$$;

CREATE OR REPLACE FUNCTION refgw_caller_may(p_action text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
    o_kind text;
    own boolean;
    by_kind boolean;
    host boolean;
BEGIN
    SELECT o.kind,
           bool_or(r.allowed) FILTER (WHERE r.organisation_id = o.id AND r.action = p_action),
           bool_or(r.allowed) FILTER (WHERE r.kind = o.kind AND r.action = p_action),
           coalesce(bool_or(r.allowed) FILTER (WHERE r.organisation_id = o.id
                                                 AND r.action = 'site.host'),
                    bool_or(r.allowed) FILTER (WHERE r.kind = o.kind AND r.action = 'site.host'),
                    false)
      INTO o_kind, own, by_kind, host
      FROM organisations o
      LEFT JOIN access_rules r ON (r.organisation_id = o.id OR r.kind = o.kind)
                              AND r.action IN (p_action, 'site.host')
     WHERE o.id = refgw_caller()
     GROUP BY o.kind;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    RETURN refgw_rule_decides(o_kind, p_action, own, by_kind, host);
END
$$;
