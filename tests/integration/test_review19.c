/* Integration suite "review19": a hostile review of issue 19's session.
 *
 * The runtime role must not be able to put a table of its own in front of
 * the schema's tables for a SECURITY DEFINER function (schema/071): such a
 * function runs as the owner, and PostgreSQL looks in the session's
 * temporary schema first for relations unless the function's search_path
 * names pg_temp.  Before 071, a runtime session made refgw_caller_may
 * answer true for any action by creating pg_temp.access_rules. */
#include <check.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* Events numbered after commit (schema/067), under fire: writers whose
 * transactions commit in another order than they wrote, the feed's
 * numbering (refgw_events_number, in a transaction held a moment as the
 * feed's is until its page commits), the notify thread's
 * (refgw_event_heads, two organisations in one call) and housekeeping's
 * (refgw_events_number_all), all at once on two organisations.  An
 * observer following one organisation's numbers (READ COMMITTED, as the
 * feed) must never see N+1 before N; at the end each organisation's
 * events are numbered 1..head, once each, and no statement failed (a
 * deadlock or a number given twice would). */
#define STORM_SECONDS 3

struct storm {
	int kind; /* 0 writer, 1 feed numberer, 2 heads, 3 housekeeping, 4 observer,
		   * 5 the feed itself (GET /v1/events) */
	int n;
	const char *orgs[2];
	long first; /* observer: the head it starts from */
	long seen;  /* observer: numbers seen in order */
	char err[512];
};

static double
storm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
storm_exec(struct storm *s, PGconn *c, const char *q, int n, const char *const *p)
{
	PGresult *r = PQexecParams(c, q, n, NULL, p, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok && s->err[0] == '\0')
		snprintf(s->err, sizeof(s->err), "%s: %s", q, PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

static void *
storm_run(void *arg)
{
	struct storm *s = arg;
	PGconn *c = sql_admin();
	double stop = storm_now() + STORM_SECONDS;
	const char *one[1], *two[1];
	char arr[128], sleep_ms[16], last_text[32];
	long last = s->first;
	unsigned seed = (unsigned)s->n * 7919u + 17u;

	snprintf(arr, sizeof(arr), "{%s,%s}", s->orgs[1], s->orgs[0]); /* not in order */
	two[0] = arr;
	while (storm_now() < stop && s->err[0] == '\0') {
		snprintf(sleep_ms, sizeof(sleep_ms), "%d", (int)(rand_r(&seed) % 6));
		one[0] = s->orgs[rand_r(&seed) % 2];
		switch (s->kind) {
		case 0: {
			const char *p[2] = {one[0], sleep_ms};
			if (storm_exec(s, c, "BEGIN", 0, NULL) != 0 ||
			    storm_exec(
				    s, c,
				    "SELECT refgw_event_write($1::uuid, 'certificate.registered', "
				    "'organisation', gen_random_uuid()), pg_sleep($2::int / "
				    "1000.0)",
				    2, p) != 0 ||
			    storm_exec(s, c, "COMMIT", 0, NULL) != 0)
				goto out;
			break;
		}
		case 1: {
			const char *p[1] = {sleep_ms};
			if (storm_exec(s, c, "BEGIN", 0, NULL) != 0 ||
			    storm_exec(s, c, "SELECT refgw_events_number($1::uuid)", 1, one) != 0 ||
			    storm_exec(s, c, "SELECT pg_sleep($1::int / 2000.0)", 1, p) != 0 ||
			    storm_exec(s, c, "COMMIT", 0, NULL) != 0)
				goto out;
			break;
		}
		case 2:
			if (storm_exec(s, c, "SELECT * FROM refgw_event_heads($1::uuid[])", 1,
				       two) != 0)
				goto out;
			break;
		case 3:
			if (storm_exec(s, c, "SELECT refgw_events_number_all()", 0, NULL) != 0)
				goto out;
			break;
		case 5: {
			char path[96];
			struct resp r;
			json_t *items;
			size_t i;

			memset(&r, 0, sizeof(r));
			snprintf(path, sizeof(path), "/v1/events?after=%ld&limit=100", last);
			if (call("orgd", "GET", path, NULL, NULL, &r) != 0 || r.status != 200) {
				snprintf(s->err, sizeof(s->err), "feed: %ld", r.status);
				resp_free(&r);
				goto out;
			}
			items = json_object_get(r.json, "items");
			for (i = 0; i < json_array_size(items); i++) {
				long seq = strtol(json_string_value(json_object_get(
							  json_array_get(items, i), "id")),
						  NULL, 10);

				if (seq != last + 1) {
					snprintf(s->err, sizeof(s->err),
						 "feed: event %ld right after %ld", seq, last);
					break;
				}
				last = seq;
				s->seen++;
			}
			resp_free(&r);
			break;
		}
		default: {
			const char *p[2] = {s->orgs[0], last_text};
			PGresult *r;
			int i;

			snprintf(last_text, sizeof(last_text), "%ld", last);
			r = PQexecParams(c,
					 "SELECT seq FROM events WHERE organisation_id = $1::uuid "
					 "AND seq > $2::bigint ORDER BY seq",
					 2, NULL, p, NULL, NULL, 0);
			if (PQresultStatus(r) != PGRES_TUPLES_OK) {
				snprintf(s->err, sizeof(s->err), "observer: %s",
					 PQresultErrorMessage(r));
				PQclear(r);
				goto out;
			}
			for (i = 0; i < PQntuples(r); i++) {
				long seq = strtol(PQgetvalue(r, i, 0), NULL, 10);

				if (seq != last + 1) {
					snprintf(s->err, sizeof(s->err),
						 "observer: saw %ld right after %ld", seq, last);
					break;
				}
				last = seq;
				s->seen++;
			}
			PQclear(r);
		}
		}
	}
out:
	PQfinish(c);
	return NULL;
}

START_TEST(numbers_stay_dense_under_concurrent_numberers)
{
	static const int kinds[] = {0, 0, 0, 0, 1, 1, 2, 3, 3, 5, 4};
	enum { N = sizeof(kinds) / sizeof(kinds[0]) };
	struct storm st[N];
	pthread_t t[N];
	const char *orgs[2] = {org_id("orgd"), org_id("orgh")};
	PGconn *c = sql_admin();
	long first = sql_long(c, "SELECT refgw_events_number($1::uuid)", 1, orgs);
	int i, k;

	ck_assert_int_ge(first, 0);
	memset(st, 0, sizeof(st));
	for (i = 0; i < N; i++) {
		st[i].kind = kinds[i];
		st[i].n = i;
		st[i].orgs[0] = orgs[0];
		st[i].orgs[1] = orgs[1];
		st[i].first = first;
		pthread_create(&t[i], NULL, storm_run, &st[i]);
	}
	for (i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < N; i++)
		ck_assert_msg(st[i].err[0] == '\0', "kind %d: %s", st[i].kind, st[i].err);
	/* not vacuous: the observer followed numbers as they were given */
	ck_assert_int_gt(st[N - 1].seen, 20);
	ck_assert_int_gt(st[N - 2].seen, 20);
	for (k = 0; k < 2; k++) {
		const char *p[1] = {orgs[k]};
		long head = sql_long(c, "SELECT refgw_events_number($1::uuid)", 1, p);

		ck_assert_int_gt(head, 0);
		/* every event numbered, 1..head, each number once */
		ck_assert_int_eq(sql_long(c,
					  "SELECT count(*) FROM events WHERE organisation_id = "
					  "$1::uuid AND seq IS NULL",
					  1, p),
				 0);
		ck_assert_int_eq(sql_long(c,
					  "SELECT count(*) FROM events WHERE organisation_id = "
					  "$1::uuid",
					  1, p),
				 head);
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(DISTINCT seq) FROM events WHERE "
				 "organisation_id = $1::uuid AND seq BETWEEN 1 AND "
				 "(SELECT seq FROM event_heads h WHERE h.organisation_id = "
				 "$1::uuid)",
				 1, p),
			head);
	}
	PQfinish(c);
}
END_TEST

/* One organisation's head row held by a session that does not end (an
 * operator's open transaction after refgw_events_number, a request whose
 * connection went half-open after the feed's numbering) must not stop
 * another organisation's feed.  Housekeeping numbers every organisation in
 * one statement, in the order of their ids, holding each head it numbered
 * until it ends: blocked at the held head, it keeps the heads before it
 * locked, and each instance's housekeeping does the same (its notify
 * connection has no statement timeout).  A read of the feed of an
 * organisation ordered before then waits for housekeeping, which waits
 * for the held head. */
static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
write_event(PGconn *c, const char *org)
{
	const char *p[1] = {org};

	ck_assert_int_gt(sql_long(c,
				  "SELECT refgw_event_write($1::uuid, 'certificate.registered', "
				  "'organisation', gen_random_uuid())",
				  1, p),
			 0);
}

START_TEST(a_head_held_elsewhere_stops_no_other_feed)
{
	static const char *const slugs[] = {"orga", "orgb", "orgc", "orgd", "orgh"};
	const char *x = slugs[0], *y = slugs[0], *px[1];
	PGconn *hold = sql_admin(), *c = sql_admin();
	PGresult *res;
	char path[96];
	struct resp r;
	double t0, took;
	long cursor;
	size_t i;

	/* x: the organisation ordered last, y: the first (by id, as
	 * housekeeping numbers them) */
	for (i = 1; i < sizeof(slugs) / sizeof(slugs[0]); i++) {
		if (strcmp(org_id(slugs[i]), org_id(x)) > 0)
			x = slugs[i];
		if (strcmp(org_id(slugs[i]), org_id(y)) < 0)
			y = slugs[i];
	}
	px[0] = org_id(x);
	/* A session numbers x and keeps its transaction open. */
	write_event(c, org_id(x));
	res = PQexec(hold, "BEGIN");
	PQclear(res);
	ck_assert_int_gt(sql_long(hold, "SELECT refgw_events_number($1::uuid)", 1, px), 0);
	/* More for x (housekeeping will want its head) and for y. */
	write_event(c, org_id(x));
	write_event(c, org_id(y));
	sleep(3); /* housekeeping runs every second on four instances */
	{
		const char *py[1] = {org_id(y)};

		/* y's feed as it stands (a lock timeout: not to hang here) */
		res = PQexec(c, "SET lock_timeout = '20s'");
		PQclear(res);
		cursor = sql_long(c,
				  "SELECT coalesce(max(seq), 0) FROM events WHERE "
				  "organisation_id = $1::uuid",
				  1, py);
	}
	write_event(c, org_id(y));
	/* y's partner reads its feed: answered at once, with what is there. */
	snprintf(path, sizeof(path), "/v1/events?after=%ld", cursor);
	t0 = mono_s();
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(call(y, "GET", path, NULL, NULL, &r), 0);
	took = mono_s() - t0;
	/* who waits (the evidence when the read was slow): pg_locks shows
	 * every role's sessions */
	res = PQexec(c, "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		fprintf(stderr, "review19: %s sessions wait for a lock\n", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = PQexec(hold, "ROLLBACK");
	PQclear(res);
	PQfinish(hold);
	PQfinish(c);
	ck_assert_msg(r.status == 200 && took < 3.0,
		      "%s's feed while %s's head is held elsewhere: %ld after %.1f s (%s)", y, x,
		      r.status, took, r.body ? r.body : "");
	ck_assert_int_ge(json_array_size(json_object_get(r.json, "items")), 1);
	resp_free(&r);
}
END_TEST

Suite *
review19_suite(void)
{
	Suite *s = suite_create("review19");
	TCase *tc = tcase_create("review19");

	tcase_add_test(tc, definer_functions_search_pg_temp_last);
	tcase_add_test(tc, the_runtime_role_creates_no_temporary_table);
	tcase_add_test(tc, numbers_stay_dense_under_concurrent_numberers);
	tcase_add_test(tc, a_head_held_elsewhere_stops_no_other_feed);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
