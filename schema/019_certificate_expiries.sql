-- 019: /metrics shows the days left of every registered client certificate.
--
-- The runtime role cannot list the certificates table (coordinator-only
-- row-level security).  Housekeeping reads this instead: the active
-- certificates (confirmed, not revoked, organisation active), with the
-- organisation's name and the fingerprint, nothing else.  Fingerprints of
-- certificates are not secrets; /metrics listens on localhost by default.
CREATE FUNCTION refgw_certificate_expiries()
RETURNS TABLE (organisation text, sha256 text, not_after bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
    SELECT o.name, encode(c.sha256, 'hex'), extract(epoch FROM c.not_after)::bigint
      FROM certificates c JOIN organisations o ON o.id = c.organisation_id
     WHERE c.revoked_at IS NULL AND c.confirmed_at IS NOT NULL AND o.status = 'active'
     ORDER BY c.not_after, c.sha256
     LIMIT 1024
$$;
REVOKE ALL ON FUNCTION refgw_certificate_expiries() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refgw_certificate_expiries() TO refgw_app;
