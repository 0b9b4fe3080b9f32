/* Integration suite: the list statements' keysets stay index conditions.
 *
 * A page must be a page, not a scan: the gateway's list statements are
 * written so that their generic plans start the index scan at the cursor.
 * Under row-level security that holds only for leakproof expressions over
 * bare parameters -- `coalesce($2, ...)` once turned every deep page into a
 * filter over all the rows before it (docs/performance.md).  These tests
 * prepare the gateway's own statements (gateway/statements.c), as the
 * runtime role with an organisation set and the pool's plan_cache_mode,
 * and read the generic plan.  Scans that do not use an index are switched
 * off, so that the plan's shape does not depend on the few rows the suite
 * has: what is asserted is that the keyset *can* be an index condition. */
#include <check.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "statements.h"

static const struct {
	enum stmt_id stmt;
	const char *index_cond; /* must appear on an "Index Cond:" line */
} keysets[] = {
    {ST_REFERRAL_LIST_SENT, "ROW(created_at, id) > ROW($2, $3)"},
    {ST_REFERRAL_LIST_RECEIVED, "ROW(created_at, id) > ROW($2, $3)"},
    {ST_UNIT_SEARCH_COMMUNE, "ROW(available_from, id) > ROW($7, $8)"},
    {ST_EVENT_LIST, "seq > $1"},
};

static void
exec_ok(PGconn *c, const char *sql, const char *param)
{
	const char *p[1] = {param};
	PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
}

/* The generic plan of statement i, as text (malloc'd). */
static char *
generic_plan(PGconn *c, int i)
{
	const struct db_stmt *st = &statements[keysets[i].stmt];
	char explain[256];
	size_t len = 0, cap = 4096;
	char *plan = malloc(cap);
	PGresult *r;
	int k, row;

	ck_assert_ptr_nonnull(plan);
	plan[0] = '\0';
	exec_ok(c, "BEGIN", NULL);
	exec_ok(c, "SELECT set_config('refgw.org_id', $1, true)", org_id("orgb"));
	exec_ok(c, "SET LOCAL plan_cache_mode = force_generic_plan", NULL);
	exec_ok(c, "SET LOCAL enable_seqscan = off", NULL);
	exec_ok(c, "SET LOCAL enable_bitmapscan = off", NULL);
	r = PQprepare(c, "keyset_guard", st->sql, 0, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", st->name,
		      PQresultErrorMessage(r));
	PQclear(r);
	/* A generic plan does not depend on the values: every parameter NULL. */
	len = (size_t)snprintf(explain, sizeof(explain), "EXPLAIN EXECUTE keyset_guard(");
	for (k = 0; k < st->nparams; k++)
		len += (size_t)snprintf(explain + len, sizeof(explain) - len, "%sNULL", k ? ", " : "");
	snprintf(explain + len, sizeof(explain) - len, ")");
	r = PQexec(c, explain);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", st->name,
		      PQresultErrorMessage(r));
	len = 0;
	for (row = 0; row < PQntuples(r); row++) {
		const char *line = PQgetvalue(r, row, 0);
		size_t n = strlen(line);

		while (len + n + 2 > cap) {
			cap *= 2;
			plan = realloc(plan, cap);
			ck_assert_ptr_nonnull(plan);
		}
		memcpy(plan + len, line, n);
		len += n;
		plan[len++] = '\n';
		plan[len] = '\0';
	}
	PQclear(r);
	exec_ok(c, "ROLLBACK", NULL);
	exec_ok(c, "DEALLOCATE keyset_guard", NULL);
	return plan;
}

START_TEST(list_keysets_are_index_conditions)
{
	PGconn *app = sql_app();
	char *plan = generic_plan(app, _i);
	const char *name = statements[keysets[_i].stmt].name, *line;
	bool found = false;

	for (line = plan; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *end = strchr(line, '\n');
		char one[1024];

		snprintf(one, sizeof(one), "%.*s", end ? (int)(end - line) : (int)strlen(line), line);
		if (strstr(one, "Index Cond:") && strstr(one, keysets[_i].index_cond))
			found = true;
	}
	/* (the plan cut short: Check gives up on a longer failure message) */
	ck_assert_msg(found, "%s: the keyset \"%s\" is not an index condition:\n%.3000s", name,
		      keysets[_i].index_cond, plan);
	/* A page read in index order needs no sort. */
	ck_assert_msg(strstr(plan, "Sort") == NULL, "%s: the page is sorted:\n%.3000s", name, plan);
	free(plan);
	PQfinish(app);
}
END_TEST

Suite *
plans_suite(void)
{
	Suite *s = suite_create("plans");
	TCase *t = tcase_create("keysets");

	tcase_add_loop_test(t, list_keysets_are_index_conditions, 0,
			    (int)(sizeof(keysets) / sizeof(keysets[0])));
	suite_add_tcase(s, t);
	return s;
}
