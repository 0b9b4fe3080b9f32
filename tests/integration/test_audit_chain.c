/* The audit chain's status (issue 18, schema/057): housekeeping verifies the
 * chain in rolling passes and GET /v1/audit/chain reports the last one to a
 * coordinator.  An owner who changes a row is seen at that row by the next
 * pass; the row put back, the pass after says intact again. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/* GET /v1/audit/chain as coord, 200 asserted; the document (owned). */
static json_t *
chain_status(void)
{
	struct resp r;
	json_t *doc;

	ck_assert_int_eq(call("coord", "GET", "/v1/audit/chain", NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "GET /v1/audit/chain: %ld %s", r.status,
		      r.body ? r.body : "");
	ck_assert_ptr_nonnull(r.json);
	doc = json_incref(r.json);
	resp_free(&r);
	return doc;
}

static json_int_t
last_pass(const json_t *doc)
{
	json_t *p = json_object_get(json_object_get(doc, "last_pass"), "pass");

	return json_is_integer(p) ? json_integer_value(p) : 0;
}

/* Waits for a pass that starts after now to end (housekeeping runs every
 * second on four instances, 5 000 rows a run, tests/run-integration.sh);
 * its document. */
static json_t *
next_completed_pass(void)
{
	json_t *doc = chain_status();
	json_int_t started =
		json_integer_value(json_object_get(json_object_get(doc, "current_pass"), "pass"));
	int tries;

	for (tries = 0; tries < 900 && last_pass(doc) <= started; tries++) {
		json_decref(doc);
		usleep(100 * 1000);
		doc = chain_status();
	}
	ck_assert_msg(last_pass(doc) > started, "no verification pass ended in 90 s");
	return doc;
}

static void
exec_admin(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql,
		      PQresultErrorMessage(r));
	PQclear(r);
}

/* As the owner, with the append-only trigger off: the row's detail set. */
static void
set_detail(const char *lane, const char *seq, const char *detail)
{
	PGconn *c = sql_admin();
	const char *p[3] = {lane, seq, detail};

	exec_admin(c, "BEGIN", 0, NULL);
	exec_admin(c, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only", 0, NULL);
	exec_admin(c,
		   "UPDATE audit_log SET detail = $3::jsonb WHERE lane = $1::int AND seq = "
		   "$2::bigint",
		   3, p);
	exec_admin(c, "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only", 0, NULL);
	exec_admin(c, "COMMIT", 0, NULL);
	PQfinish(c);
}

START_TEST(a_changed_row_is_reported_broken_there_and_intact_once_put_back)
{
	char lane[24], seq[24], detail[4096], changed[4200], *person, *text;
	const char *keys[] = {"status",     "entries",   "lanes",        "heads_sha256",
			      "checked_at", "last_pass", "current_pass", "checkpoint"};
	json_t *doc, *broken, *v;
	const char *key;
	PGconn *c;
	PGresult *r;
	size_t i;

	/* A row of this test's own: the person's creation. */
	person = post_id("orga", "/v1/persons", "{\"external_ref\":\"CHAIN-1\"}", 201);
	ck_assert_ptr_nonnull(person);
	c = sql_admin();
	{
		const char *p[1] = {person};
		r = PQexecParams(c,
				 "SELECT lane, seq, detail::text FROM audit_log WHERE person_id = "
				 "$1::uuid ORDER BY at LIMIT 1",
				 1, NULL, p, NULL, NULL, 0);
	}
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s",
		      PQresultErrorMessage(r));
	snprintf(lane, sizeof(lane), "%s", PQgetvalue(r, 0, 0));
	snprintf(seq, sizeof(seq), "%s", PQgetvalue(r, 0, 1));
	snprintf(detail, sizeof(detail), "%s", PQgetvalue(r, 0, 2));
	PQclear(r);
	PQfinish(c);

	/* Intact before: the whole chain, this row included. */
	doc = next_completed_pass();
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "intact");
	ck_assert(json_is_null(json_object_get(json_object_get(doc, "last_pass"), "broken")));
	ck_assert_int_ge(json_integer_value(json_object_get(doc, "entries")), 1);
	ck_assert_int_ge(json_integer_value(json_object_get(doc, "lanes")), 1);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(doc, "heads_sha256"))), 64);
	ck_assert_int_ge(
		json_integer_value(json_object_get(json_object_get(doc, "last_pass"), "rows")), 1);
	/* Counts, positions, hashes and times: nothing else. */
	json_object_foreach(doc, key, v) {
		bool known = false;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= strcmp(key, keys[i]) == 0;
		ck_assert_msg(known, "unexpected member %s", key);
	}
	text = json_dumps(doc, 0);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_null(strstr(text, person));
	free(text);
	json_decref(doc);

	/* An owner changes the row's detail: the next pass stops there. */
	snprintf(changed, sizeof(changed), "{\"changed\": true, \"was\": %s}", detail);
	set_detail(lane, seq, changed);
	doc = next_completed_pass();
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "broken");
	broken = json_object_get(json_object_get(doc, "last_pass"), "broken");
	ck_assert_msg(json_is_object(broken), "no break reported");
	ck_assert_int_eq(json_integer_value(json_object_get(broken, "lane")), atol(lane));
	ck_assert_int_eq(json_integer_value(json_object_get(broken, "seq")), atol(seq));
	ck_assert_str_eq(json_string_value(json_object_get(broken, "reason")), "hash_mismatch");
	json_decref(doc);

	/* Put back as it was: intact again (the rest of the suite verifies too). */
	set_detail(lane, seq, detail);
	doc = next_completed_pass();
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "intact");
	json_decref(doc);
	free(person);
}
END_TEST

/* A rule that gives audit.chain to another kind's organisation: the gateway
 * lets the request through, the database refuses it all the same. */
/* GET /v1/me as orga on the instance whose base URL is in base_env: whether
 * the answer names name. */
static bool
me_names(const char *base_env, const char *name)
{
	struct resp r;
	bool named;

	ck_assert_int_eq(call_at(base_env, "orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "GET /v1/me: %ld %s", r.status, r.body ? r.body : "");
	named = strstr(r.body, name) != NULL;
	resp_free(&r);
	return named;
}

static void
rename_orga(PGconn *c, const char *name)
{
	const char *p[2] = {org_id("orga"), name};

	exec_admin(c, "UPDATE organisations SET name = $2 WHERE id = $1::uuid", 2, p);
}

/* A verification step stuck for as long as audit_log is locked (seconds
 * at 20 000 rows) holds up no notification: an identity change is seen at
 * once by the instance whose step waits.  The step ran on the notify
 * thread, where refgw_identity and refgw_erased then waited for it (hostile
 * review of issue 19); it has a thread and a connection of its own. */
START_TEST(a_long_verification_step_holds_up_no_notification)
{
	static const struct {
		const char *app, *base;
	} instances[] = {
		/* the instances whose identity cache lives 30 s: only a
		 * notification makes a change visible there */
		{"refgw_gw1", "REFGW_TEST_BASE"},
		{"refgw_gw2", "REFGW_TEST_BASE2"},
		{"refgw_gw4", "REFGW_TEST_BASE4"},
	};
	PGconn *c = sql_admin(), *locker = sql_admin(), *su;
	PGresult *res;
	const char *base = NULL;
	char name[64], conninfo[1024];
	int attempt, i, k;
	bool seen = false;

	/* user=postgres: what other roles' sessions wait for */
	snprintf(conninfo, sizeof(conninfo), "%s user=postgres",
		 env_or_die("REFGW_ADMIN_DATABASE_URL"));
	su = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(su) == CONNECTION_OK, "%s", PQerrorMessage(su));
	for (attempt = 0; attempt < 10 && base == NULL; attempt++) {
		for (k = 0; k < 3; k++) /* cached everywhere, twice to be sure */
			for (i = 0; i < 2; i++)
				ck_assert(me_names(instances[k].base, "Test Org A"));
		res = PQexec(locker, "BEGIN; LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE");
		ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
			      PQresultErrorMessage(res));
		PQclear(res);
		/* the instance whose step waits (each runs one a second) */
		for (i = 0; i < 40 && base == NULL; i++) {
			res = PQexec(su, "SELECT application_name FROM pg_stat_activity WHERE "
					 "wait_event_type = 'Lock' AND query LIKE "
					 "'%refgw_audit_chain_verify%'");
			for (k = 0; k < 3 && PQntuples(res) > 0; k++)
				if (strcmp(PQgetvalue(res, 0, 0), instances[k].app) == 0)
					base = instances[k].base;
			if (PQntuples(res) > 0 && base == NULL)
				i = 40; /* an instance with a short cache: again */
			PQclear(res);
			if (base == NULL)
				usleep(50 * 1000);
		}
		if (base != NULL)
			break;
		PQclear(PQexec(locker, "ROLLBACK"));
	}
	ck_assert_msg(base != NULL, "no verification step of instance 1, 2 or 4 waited");
	snprintf(name, sizeof(name), "Test Org A renamed %d", (int)getpid());
	rename_orga(c, name);
	for (i = 0; i < 40 && !seen; i++) {
		seen = me_names(base, name);
		if (!seen)
			usleep(50 * 1000);
	}
	/* the step still waits: the change was heard beside it */
	res = PQexec(su, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
			 "AND query LIKE '%refgw_audit_chain_verify%'");
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "1");
	PQclear(res);
	PQclear(PQexec(locker, "ROLLBACK"));
	rename_orga(c, "Test Org A");
	PQfinish(locker);
	PQfinish(su);
	PQfinish(c);
	ck_assert_msg(seen, "%s still answered the old name 2 s after the change", base);
}
END_TEST

START_TEST(only_a_coordinator_reads_it_whatever_the_rules_say)
{
	char path[256];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/access-rules/%s/audit.chain", org_id("orga"));
	ck_assert_int_eq(call("orga", "GET", "/v1/audit/chain", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PUT", path, "{\"allowed\":true}", NULL, &r), 0);
	ck_assert_msg(r.status == 200 || r.status == 201, "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/audit/chain", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:forbidden");
	resp_free(&r);
	ck_assert_int_eq(call("coord", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

/* The gateway's note of its last signed checkpoint is shown as it is. */
START_TEST(the_last_checkpoint_noted_is_shown)
{
	PGconn *c = sql_app();
	PGresult *r = PQexec(c, "SELECT refgw_audit_checkpoint_note('2026-01-02T03:04:05Z', "
				"'test-key', 3, 42)");
	json_t *doc, *cp;

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	doc = chain_status();
	cp = json_object_get(doc, "checkpoint");
	ck_assert_msg(json_is_object(cp), "no checkpoint");
	ck_assert_str_eq(json_string_value(json_object_get(cp, "at")), "2026-01-02T03:04:05Z");
	ck_assert_str_eq(json_string_value(json_object_get(cp, "key_id")), "test-key");
	ck_assert_int_eq(json_integer_value(json_object_get(cp, "lanes")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(cp, "entries")), 42);
	json_decref(doc);
}
END_TEST

Suite *
audit_chain_suite(void)
{
	Suite *s = suite_create("audit_chain");
	TCase *t = tcase_create("status");

	tcase_set_timeout(t, 300);
	tcase_add_test(t, a_changed_row_is_reported_broken_there_and_intact_once_put_back);
	tcase_add_test(t, only_a_coordinator_reads_it_whatever_the_rules_say);
	tcase_add_test(t, the_last_checkpoint_noted_is_shown);
	tcase_add_test(t, a_long_verification_step_holds_up_no_notification);
	suite_add_tcase(s, t);
	return s;
}
