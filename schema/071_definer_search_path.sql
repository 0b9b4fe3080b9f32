-- 071: no SECURITY DEFINER function can be made to read or write a table
-- of the caller's own making (a hostile review, issue 19).
--
-- Every SECURITY DEFINER function here sets search_path to
-- "pg_catalog, public".  PostgreSQL then still looks in the session's
-- temporary schema FIRST for tables, views and types (pg_temp is searched
-- first unless the path names it; only functions and operators never come
-- from it).  The runtime role had the TEMPORARY privilege on the database
-- (PUBLIC has it by default), so a session of the runtime role (the
-- gateway, or whoever has its password) could create, say,
-- pg_temp.access_rules, grant it to everyone and fill it: refgw_caller_may,
-- running as the owner, then read that table instead of public's and
-- allowed any action (seen: 'audit.export' false, then true, in one
-- transaction).  A trigger on such a table, fired by a definer function's
-- insert, would even run code of the caller's as the owner.
--
-- Two fixes, each enough alone:
--   - every SECURITY DEFINER function of the schema searches pg_temp last
--     (named at the end of its search_path: PostgreSQL's own advice,
--     "Writing SECURITY DEFINER Functions Safely");
--   - the TEMPORARY privilege is revoked from PUBLIC on this database (the
--     database's owner may; a deployment whose database belongs to another
--     role gets a WARNING here and must run it as that role:
--     docs/operations.md).
-- The integration suite review19 checks both, and a function added later
-- with the old search_path fails it.

DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.prosecdef
              ORDER BY p.oid LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = pg_catalog, public, pg_temp', f);
    END LOOP;
END
$$;

DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    IF has_database_privilege('refgw_app', current_database(), 'TEMPORARY') THEN
        RAISE WARNING 'refgw_app may still create temporary tables in %: run REVOKE TEMPORARY '
                      'ON DATABASE % FROM PUBLIC, refgw_app as the database''s owner '
                      '(docs/operations.md)', current_database(), current_database();
    END IF;
END
$$;
