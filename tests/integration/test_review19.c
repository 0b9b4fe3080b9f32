/* Integration suite "review19": a hostile review of issue 19's session.
 *
 * The runtime role must not be able to put a table of its own in front of
 * the schema's tables for a SECURITY DEFINER function (schema/071): such a
 * function runs as the owner, and PostgreSQL looks in the session's
 * temporary schema first for relations unless the function's search_path
 * names pg_temp.  Before 071, a runtime session made refgw_caller_may
 * answer true for any action by creating pg_temp.access_rules. */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Every SECURITY DEFINER function of the schema searches pg_temp last; a
 * function created later with the old search_path fails here. */
START_TEST(definer_functions_search_pg_temp_last)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(
		c,
		"SELECT p.oid::regprocedure::text, coalesce(array_to_string(p.proconfig, ' '), '') "
		"FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
		"WHERE n.nspname = 'public' AND p.prosecdef AND NOT coalesce("
		"'search_path=pg_catalog, public, pg_temp' = ANY (p.proconfig), false) "
		"ORDER BY 1");
	int i;

	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	for (i = 0; i < PQntuples(r); i++)
		fprintf(stderr, "review19: %s: %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	ck_assert_msg(PQntuples(r) == 0,
		      "%d SECURITY DEFINER functions search pg_temp before the schema (first: %s)",
		      PQntuples(r), PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	r = PQexec(c, "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
		      "p.pronamespace WHERE n.nspname = 'public' AND p.prosecdef");
	/* not vacuous: the schema has its definer functions */
	ck_assert_int_gt(atoi(PQgetvalue(r, 0, 0)), 50);
	PQclear(r);
	PQfinish(c);
}
END_TEST

/* The runtime role creates no temporary table at all, so not
 * pg_temp.access_rules. */
START_TEST(the_runtime_role_creates_no_temporary_table)
{
	PGconn *c = sql_app();
	PGresult *r = PQexec(c, "CREATE TEMP TABLE access_rules (organisation_id uuid, kind "
				"text, action text, allowed boolean)");

	ck_assert_int_eq(PQresultStatus(r), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(r, PG_DIAG_SQLSTATE), "42501");
	PQclear(r);
	PQfinish(c);
}
END_TEST

Suite *
review19_suite(void)
{
	Suite *s = suite_create("review19");
	TCase *tc = tcase_create("review19");

	tcase_add_test(tc, definer_functions_search_pg_temp_last);
	tcase_add_test(tc, the_runtime_role_creates_no_temporary_table);
	suite_add_tcase(s, tc);
	return s;
}
