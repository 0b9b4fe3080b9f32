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
#include <string.h>

#include "client.h"
#include "db.h"
#include "sqltext.h"
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

/* The generic plan of statement i, one row per line of EXPLAIN. */
static PGresult *
generic_plan(PGconn *c, int i)
{
	const struct db_stmt *st = &statements[keysets[i].stmt];
	char explain[256], err[256];
	size_t len;
	PGresult *r;
	int k;

	/* the text the gateway prepares: {cols} and named parameters expanded */
	ck_assert_msg(sqltext_expand(statements, ST_COUNT, err, sizeof(err)) == 0, "%s", err);
	exec_ok(c, "BEGIN", NULL);
	exec_ok(c, "SELECT set_config('refgw.org_id', $1, true)", org_id("orgb"));
	exec_ok(c, "SET LOCAL plan_cache_mode = force_generic_plan", NULL);
	exec_ok(c, "SET LOCAL enable_seqscan = off", NULL);
	exec_ok(c, "SET LOCAL enable_bitmapscan = off", NULL);
	r = PQprepare(c, "keyset_guard", st->text, 0, NULL);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", st->name,
		      PQresultErrorMessage(r));
	PQclear(r);
	/* A generic plan does not depend on the values: every parameter NULL. */
	len = (size_t)snprintf(explain, sizeof(explain), "EXPLAIN EXECUTE keyset_guard(");
	for (k = 0; k < st->nparams; k++)
		len += (size_t)snprintf(explain + len, sizeof(explain) - len, "%sNULL",
					k ? ", " : "");
	snprintf(explain + len, sizeof(explain) - len, ")");
	r = PQexec(c, explain);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", st->name,
		      PQresultErrorMessage(r));
	exec_ok(c, "ROLLBACK", NULL);
	exec_ok(c, "DEALLOCATE keyset_guard", NULL);
	return r;
}

START_TEST(list_keysets_are_index_conditions)
{
	PGconn *app = sql_app();
	PGresult *plan = generic_plan(app, _i);
	const char *name = statements[keysets[_i].stmt].name;
	bool found = false, sorted = false;
	int row;

	for (row = 0; row < PQntuples(plan); row++) {
		const char *line = PQgetvalue(plan, row, 0);

		found |= strstr(line, "Index Cond:") && strstr(line, keysets[_i].index_cond);
		sorted |=
			strstr(line, "Sort") != NULL; /* a page read in index order is not sorted */
	}
	/* The plan goes to the log, not into Check's message (too long for it). */
	if (!found || sorted)
		for (row = 0; row < PQntuples(plan); row++)
			fprintf(stderr, "%s: %s\n", name, PQgetvalue(plan, row, 0));
	ck_assert_msg(found, "%s: the keyset \"%s\" is not an index condition (plan above)", name,
		      keysets[_i].index_cond);
	ck_assert_msg(!sorted, "%s: the page is sorted (plan above)", name);
	PQclear(plan);
	PQfinish(app);
}
END_TEST

/* Whether EXPLAIN ANALYZE of a small query, with every plan costed past
 * jit_above_cost, shows a JIT compilation, on a session db.c opened. */
static bool
compiles(struct db_conn *c)
{
	struct db_res *r = NULL;
	bool jit = false;
	int row;

	ck_assert_int_eq(db_exec_params(c, "BEGIN", 0, NULL, NULL), DB_OK);
	ck_assert_int_eq(db_exec_params(c, "SET LOCAL jit_above_cost = 0", 0, NULL, NULL), DB_OK);
	ck_assert_int_eq(
		db_exec_params(c, "EXPLAIN (ANALYZE) SELECT sum(x) FROM generate_series(1, 10) x",
			       0, NULL, &r),
		DB_OK);
	for (row = 0; row < db_rows(r); row++)
		jit |= strncmp(db_val(r, row, 0), "JIT:", 4) == 0;
	db_res_free(r);
	db_rollback(c);
	return jit;
}

/* A setting of a session db.c opened. */
static void
setting_is(struct db_conn *c, const char *name, const char *want)
{
	const char *p[1] = {name};
	struct db_res *r = NULL;

	ck_assert_int_eq(db_exec_params(c, "SELECT current_setting($1)", 1, p, &r), DB_OK);
	ck_assert_msg(strcmp(db_val(r, 0, 0), want) == 0, "%s is %s, not %s", name, db_val(r, 0, 0),
		      want);
	db_res_free(r);
}

/* The sessions the gateway opens compile nothing (DB_PLANNER_SETTINGS,
 * db.h): the retention pass once spent 340 ms of a core compiling every
 * minute to run for 57 ms (issue 19).  Checked on the sessions db.c opens,
 * a pooled one and one outside the pool (housekeeping's kind); the same
 * session with jit back on does compile, so the check can fail.  The
 * pool's sessions also take the request's timeout and generic plans; the
 * others keep the server's. */
START_TEST(sessions_compile_nothing)
{
	/* the server's timeout for this role's sessions: 7 s (the suite's
	 * URL is key=value), which the pool's must replace and the others keep */
	char url[1024];
	struct db_conn *other = NULL, *pooled = NULL;

	snprintf(url, sizeof(url), "%s options='-c statement_timeout=7s'",
		 env_or_die("REFGW_DATABASE_URL"));
	ck_assert_int_eq(db_connect(url, &other), DB_OK);
	ck_assert_msg(!compiles(other), "a session outside the pool compiled");
	setting_is(other, "random_page_cost", "1.1");
	setting_is(other, "plan_cache_mode", "auto");
	setting_is(other, "statement_timeout", "7s");
	ck_assert_int_eq(db_exec_params(other, "SET jit = on", 0, NULL, NULL), DB_OK);
	ck_assert_msg(compiles(other), "with jit on, nothing compiled: is llvmjit installed?");
	db_close(other);

	ck_assert_int_eq(db_pool_init(url, 1, 1000, 2500, NULL), 0);
	ck_assert_int_eq(db_acquire(&pooled), DB_OK);
	ck_assert_msg(!compiles(pooled), "a pooled session compiled");
	setting_is(pooled, "random_page_cost", "1.1");
	setting_is(pooled, "plan_cache_mode", "force_generic_plan");
	setting_is(pooled, "statement_timeout", "2500ms");
	db_release(pooled);
	db_pool_shutdown();
}
END_TEST

Suite *
plans_suite(void)
{
	Suite *s = suite_create("plans");
	TCase *t = tcase_create("keysets");

	tcase_add_loop_test(t, list_keysets_are_index_conditions, 0,
			    (int)(sizeof(keysets) / sizeof(keysets[0])));
	tcase_add_test(t, sessions_compile_nothing);
	suite_add_tcase(s, t);
	return s;
}
