-- 014: tell every gateway instance when an identity may have changed.
--
-- GET /v1/me answers from a short-lived per-process cache (gateway/idcache.c,
-- docs/security.md).  Whatever changes who a certificate belongs to, whether
-- it is revoked, an organisation's name, kind or status, or the access
-- rules, notifies channel refgw_identity at commit; each instance's LISTEN
-- connection then drops its cache.  Statement-level: one notification per
-- statement, and PostgreSQL folds identical ones within a transaction.
CREATE FUNCTION refgw_identity_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public
AS $$
BEGIN
    PERFORM pg_notify('refgw_identity', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER organisations_identity_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION refgw_identity_changed();
CREATE TRIGGER certificates_identity_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION refgw_identity_changed();
CREATE TRIGGER access_rules_identity_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON access_rules
    FOR EACH STATEMENT EXECUTE FUNCTION refgw_identity_changed();
