-- 005: authentication answers one question about access, not all of them.
--
-- 004 made refgw_authenticate() list every action the caller may perform,
-- on every request; measured with pgbench (BEGIN; authenticate; COMMIT, 16
-- clients) that halved the rate of the whole transaction.  The gateway only
-- needs to know about the route's own action: one indexed lookup.
-- GET /v1/me still lists them all, through refgw_caller_actions().
DROP FUNCTION refgw_authenticate(bytea);
CREATE FUNCTION refgw_authenticate(fingerprint bytea, p_action text)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, org_status text,
               revoked boolean, org_set text, may boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND o.status = 'active'
                THEN set_config('refgw.org_id', o.id::text, true) END,
           p_action IS NULL OR coalesce((
               SELECT r.allowed FROM access_rules r
                WHERE r.action = p_action AND (r.organisation_id = o.id OR r.kind = o.kind)
                ORDER BY r.organisation_id IS NULL LIMIT 1), false)
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint;
END
$$;
REVOKE ALL ON FUNCTION refgw_authenticate(bytea, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_authenticate(bytea, text) TO refgw_app;
