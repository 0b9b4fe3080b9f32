-- 003: the per-request functions in PL/pgSQL.
--
-- A LANGUAGE sql function that cannot be inlined (SECURITY DEFINER, SET
-- search_path) is planned afresh on every call; PL/pgSQL caches its plans.
-- Measured with pgbench (16 clients, 2 cores): BEGIN; refgw_authenticate();
-- COMMIT went from ~7 400 to the figure in docs/performance.md.
CREATE OR REPLACE FUNCTION refgw_authenticate(fingerprint bytea)
RETURNS TABLE (organisation_id uuid, organisation_name text, kind text, org_status text,
               revoked boolean, org_set text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN QUERY
    SELECT o.id, o.name, o.kind, o.status, c.revoked_at IS NOT NULL,
           CASE WHEN c.revoked_at IS NULL AND o.status = 'active'
                THEN set_config('refgw.org_id', o.id::text, true) END
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.sha256 = fingerprint;
END
$$;

CREATE OR REPLACE FUNCTION refgw_caller_is_coordinator() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
    RETURN coalesce((SELECT o.kind = 'coordinator' AND o.status = 'active'
                       FROM organisations o WHERE o.id = refgw_caller()), false);
END
$$;
