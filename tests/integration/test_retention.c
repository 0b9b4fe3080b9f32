/* Integration suite for retention (issue 16, item 1): the schedule of
 * docs/data-protection.md, applied by housekeeping once whatever the number
 * of instances, by `refgw retention`, and reported first by `refgw
 * retention --dry-run`.
 *
 * The day: a justice aid service (orga, a prison's social service) refers
 * people leaving prison to a homeless service (orgb, ISSUE's axis 1).  Some
 * referrals were declined long ago, one is still open, one closed last
 * week; consents were withdrawn or expired years ago; a follow-up closed
 * long ago still holds its visit notes; idempotency keys pile up.  The data
 * is made old by moving its timestamps back as the database owner.
 *
 * Housekeeping (four instances, every second, REFGW_RETAIN_* defaults: 24
 * months, 60 months, 30 days) never touches what is only 13 months old, so
 * the tests that call the CLI themselves, with 12-month periods, are not
 * raced; the test of housekeeping makes its data 6 years old. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

/* The CLI's schedule in these tests: housekeeping's defaults are longer. */
#define SHORT_SCHEDULE                                                                             \
	"REFGW_RETAIN_REFERRAL_DATA_MONTHS=12 REFGW_RETAIN_CONSENT_WITHDRAWN_MONTHS=12 "           \
	"REFGW_RETAIN_CONSENT_EXPIRED_MONTHS=12 REFGW_RETAIN_FOLLOW_UP_MONTHS=12 "                 \
	"REFGW_RETAIN_IDEMPOTENCY_DAYS=5"
#define NCAT 5
static const char *const categories[NCAT] = {"referral_data", "consent_withdrawn",
					     "consent_expired", "follow_up_entries",
					     "idempotency_keys"};

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

static void
ok(const char *slug, const char *method, const char *path, const char *body,
   const char *const *headers, long want)
{
	struct resp r;

	ck_assert_int_eq(call(slug, method, path, body, headers, &r), 0);
	if (r.status != want)
		fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body ? r.body : "");
	ck_assert_int_eq(r.status, want);
	resp_free(&r);
}

/* One statement as the owner, with one parameter; fails the test on error. */
static void
admin_exec(const char *sql, const char *param)
{
	PGconn *c = sql_admin();
	const char *p[1] = {param};
	PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK,
		      "%s: %s", sql, PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
}

static long
count_of(const char *query, const char *param)
{
	long n = sql_count(query, param);

	ck_assert_int_ge(n, 0);
	return n;
}

/* A person leaving prison, their consent (orgb named; categories identity,
 * housing_situation, justice and follow_up) and orga's referral to orgb. */
struct leaving {
	char *person, *consent, *referral;
};

static void
leaving(struct leaving *l, const char *ref)
{
	char body[2048];

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", ref);
	l->person = must(post_id("orga", "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\","
		 "\"housing_situation\",\"justice\",\"follow_up\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SPS-%s\","
		 "\"recorded_by\":\"Worker A\"}}",
		 l->person, org_id("orgb"), ref);
	l->consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"Leaves Haren prison with no address\","
		 "\"data\":{\"identity\":{\"given_name\":\"Jean\"},\"justice\":{\"prison\":"
		 "\"Haren\"}},\"release_date\":\"2026-12-15\"}",
		 l->person, org_id("orgb"), l->consent);
	l->referral = must(post_id("orga", "/v1/referrals", body, 201));
}

static void
leaving_free(struct leaving *l)
{
	free(l->person), free(l->consent), free(l->referral);
}

static void
transition(const char *slug, const char *referral, int version, const char *body)
{
	char path[160], match[32];
	const char *h[] = {match, NULL};

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", referral);
	snprintf(match, sizeof(match), "If-Match: \"%d\"", version);
	ok(slug, "POST", path, body, h, 200);
}

/* orgb receives the referral and declines it: closed. */
static void
declined(const struct leaving *l)
{
	transition("orgb", l->referral, 1, "{\"to\":\"received\"}");
	transition("orgb", l->referral, 2,
		   "{\"to\":\"declined\",\"reason_code\":\"no_capacity\",\"note\":\"full\"}");
}

/* Its transitions (the clock of its closure) moved back by `interval`. */
static void
age_transitions(const char *referral, const char *interval)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "UPDATE referral_transitions SET at = at - interval '%s' "
		 "WHERE referral_id = $1::uuid",
		 interval);
	admin_exec(sql, referral);
}

static long
data_rows(const char *referral)
{
	return count_of("SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid",
			referral);
}

static long
evidence_rows(const char *consent)
{
	return count_of("SELECT count(*) FROM consents WHERE id = $1::uuid "
			"AND evidence IS NOT NULL AND evidence_removed_at IS NULL",
			consent);
}

static void
withdraw(const char *consent)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ok("orga", "POST", path, "{\"reason\":\"moved in with family\"}", NULL, 200);
}

/* orga opens a follow-up of the referral and writes `entries` visit notes;
 * closes it when asked.  Its id (malloc'd). */
static char *
follow_up(const char *referral, int entries, bool close)
{
	char body[512], path[160];
	char *fu;
	const char *v1[] = {"If-Match: \"1\"", NULL};
	int i;

	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 referral);
	fu = must(post_id("orga", "/v1/follow-ups", body, 201));
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", fu);
	for (i = 0; i < entries; i++)
		ok("orga", "POST", path,
		   "{\"date\":\"2026-11-09\",\"kind\":\"visit\",\"text\":\"Visited at the night "
		   "shelter; CPAS appointment on the 16th\"}",
		   NULL, 201);
	if (close) {
		snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
		ok("orga", "PATCH", path, "{\"status\":\"closed\"}", v1, 200);
	}
	return fu;
}

static long
entry_rows(const char *fu)
{
	return count_of("SELECT count(*) FROM follow_up_entries WHERE follow_up_id = $1::uuid", fu);
}

/* orga creates a person with an Idempotency-Key: one replay row. */
static void
keyed_person(const char *key)
{
	char h[320];
	const char *hs[] = {h, NULL};

	snprintf(h, sizeof(h), "Idempotency-Key: %s", key);
	ok("orga", "POST", "/v1/persons", "{\"external_ref\":\"SPS-KEYED\"}", hs, 201);
}

static long
key_rows(const char *key)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM idempotency_keys WHERE key = $1 AND organisation_id = '%s'",
		 org_id("orga"));
	return count_of(sql, key);
}

/* `refgw retention` (args: "" or "--dry-run") with the environment given
 * (SHORT_SCHEDULE or ""): its exit code; its output in out. */
static int
retention_cli(const char *env, const char *args, char *out, size_t len)
{
	char cmd[1024];
	size_t n = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "env %s %s retention %s 2>&1", env, env_or_die("REFGW_TEST_BIN"),
		 args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	while (n + 1 < len && fgets(out + n, (int)(len - n), p) != NULL)
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The count on the line of `category` ("CATEGORY COUNT OLDEST"), or -1. */
static long
count_in(const char *out, const char *category)
{
	const char *p;
	size_t n = strlen(category);

	for (p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, category, n) == 0 && p[n] == ' ')
			return strtol(p + n + 1, NULL, 10);
	return -1;
}

static void
cli_counts(const char *args, long counts[NCAT])
{
	char out[2048];
	int k;

	ck_assert_msg(retention_cli(SHORT_SCHEDULE, args, out, sizeof(out)) == 0, "%s", out);
	for (k = 0; k < NCAT; k++) {
		counts[k] = count_in(out, categories[k]);
		ck_assert_msg(counts[k] >= 0, "no line for %s in: %s", categories[k], out);
	}
}

/* What the dry run expects to go, 13 months after: one closed referral's
 * data, one withdrawn and one expired consent's evidence, a closed
 * follow-up's two entries, one idempotency key; and what must stay. */
struct due {
	struct leaving closed_old, open_old, closed_recent, withdrawn_old, withdrawn_recent,
		expired_old;
	char *fu_closed_old, *fu_open_old, key_old[64], key_new[64];
};

static void
due_make(struct due *d)
{
	char sql[512];

	leaving(&d->closed_old, "SPS-R1");
	declined(&d->closed_old);
	leaving(&d->open_old, "SPS-R2");
	transition("orgb", d->open_old.referral, 1, "{\"to\":\"received\"}");
	leaving(&d->closed_recent, "SPS-R3");
	declined(&d->closed_recent);
	leaving(&d->withdrawn_old, "SPS-R4");
	withdraw(d->withdrawn_old.consent);
	leaving(&d->withdrawn_recent, "SPS-R5");
	withdraw(d->withdrawn_recent.consent);
	leaving(&d->expired_old, "SPS-R6");
	d->fu_closed_old = follow_up(d->open_old.referral, 2, true);
	d->fu_open_old = follow_up(d->expired_old.referral, 1, false);
	snprintf(d->key_old, sizeof(d->key_old), "ret-old-%d-%ld", (int)getpid(), random());
	snprintf(d->key_new, sizeof(d->key_new), "ret-new-%d-%ld", (int)getpid(), random());
	keyed_person(d->key_old);
	keyed_person(d->key_new);

	/* 13 months pass for some of it. */
	age_transitions(d->closed_old.referral, "13 months");
	age_transitions(d->open_old.referral, "13 months");
	admin_exec("UPDATE referrals SET created_at = created_at - interval '13 months', "
		   "updated_at = updated_at - interval '13 months' WHERE id = $1::uuid",
		   d->open_old.referral);
	admin_exec("UPDATE consents SET withdrawn_at = withdrawn_at - interval '13 months' "
		   "WHERE id = $1::uuid",
		   d->withdrawn_old.consent);
	admin_exec("UPDATE consents SET valid_until = current_date - interval '13 months' "
		   "WHERE id = $1::uuid",
		   d->expired_old.consent);
	admin_exec("UPDATE follow_ups SET closed_at = closed_at - interval '13 months' "
		   "WHERE id = $1::uuid",
		   d->fu_closed_old);
	/* an open follow-up whose entries are old: not closed, kept */
	admin_exec("UPDATE follow_up_entries SET created_at = created_at - interval '13 months' "
		   "WHERE follow_up_id = $1::uuid",
		   d->fu_open_old);
	snprintf(sql, sizeof(sql),
		 "UPDATE idempotency_keys SET created_at = created_at - interval '6 days' "
		 "WHERE key = $1 AND organisation_id = '%s'",
		 org_id("orga"));
	admin_exec(sql, d->key_old);
}

static void
due_free(struct due *d)
{
	leaving_free(&d->closed_old), leaving_free(&d->open_old);
	leaving_free(&d->closed_recent), leaving_free(&d->withdrawn_old);
	leaving_free(&d->withdrawn_recent), leaving_free(&d->expired_old);
	free(d->fu_closed_old), free(d->fu_open_old);
}

static long
applied_rows_since(const char *t0, const char *by)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM audit_log WHERE action = 'retention.applied' "
		 "AND at > $1::timestamptz AND request_id = '%s'",
		 by);
	return count_of(sql, t0);
}

static void
db_now(char *out, size_t len)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(c, "SELECT clock_timestamp()::text");

	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	snprintf(out, len, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
}

/* The dry run reports what would go, by category, and changes nothing. */
START_TEST(dry_run_reports_and_changes_nothing)
{
	long before[NCAT], after[NCAT], again[NCAT];
	const long added[NCAT] = {1, 1, 1, 2, 1};
	char t0[64];
	struct due d;
	int k;

	cli_counts("--dry-run", before);
	due_make(&d);
	db_now(t0, sizeof(t0));
	cli_counts("--dry-run", after);
	for (k = 0; k < NCAT; k++)
		ck_assert_msg(after[k] == before[k] + added[k], "%s: %ld, then %ld", categories[k],
			      before[k], after[k]);
	/* nothing changed: every row is still there, no audit row */
	ck_assert_int_eq(data_rows(d.closed_old.referral), 1);
	ck_assert_int_eq(evidence_rows(d.withdrawn_old.consent), 1);
	ck_assert_int_eq(evidence_rows(d.expired_old.consent), 1);
	ck_assert_int_eq(entry_rows(d.fu_closed_old), 2);
	ck_assert_int_eq(key_rows(d.key_old), 1);
	ck_assert_int_eq(applied_rows_since(t0, "cli"), 0);
	cli_counts("--dry-run", again);
	for (k = 0; k < NCAT; k++)
		ck_assert_int_eq(again[k], after[k]);
	/* the real run removes what the dry run counted, and says so */
	cli_counts("", again);
	for (k = 0; k < NCAT; k++)
		ck_assert_msg(again[k] == after[k], "%s: dry run %ld, removed %ld", categories[k],
			      after[k], again[k]);
	ck_assert_int_eq(applied_rows_since(t0, "cli"), 1);
	cli_counts("--dry-run", again);
	for (k = 0; k < NCAT; k++)
		ck_assert_int_eq(again[k], 0);
	due_free(&d);
}
END_TEST

/* Exactly what is due goes: the old closed referral's data, not the open
 * one's nor the one closed last week; the old withdrawn and expired
 * consents' evidence, not the recent one's; the closed follow-up's
 * entries, not the open one's; the old key, not the new one.  The referral
 * rows stay, and the API shows what remains. */
START_TEST(retention_removes_exactly_what_is_due)
{
	char path[256];
	long removed[NCAT];
	struct resp r;
	json_t *c;
	struct due d;

	due_make(&d);
	cli_counts("", removed);
	ck_assert_int_ge(removed[0], 1);

	ck_assert_int_eq(data_rows(d.closed_old.referral), 0);
	ck_assert_int_eq(data_rows(d.open_old.referral), 1);
	ck_assert_int_eq(data_rows(d.closed_recent.referral), 1);
	ck_assert_int_eq(count_of("SELECT count(*) FROM referrals WHERE id = $1::uuid "
				  "AND status = 'declined'",
				  d.closed_old.referral),
			 1);
	ck_assert_int_eq(evidence_rows(d.withdrawn_old.consent), 0);
	ck_assert_int_eq(count_of("SELECT count(*) FROM consents WHERE id = $1::uuid AND "
				  "withdrawal_reason IS NULL AND evidence IS NULL",
				  d.withdrawn_old.consent),
			 1);
	ck_assert_int_eq(evidence_rows(d.withdrawn_recent.consent), 1);
	ck_assert_int_eq(evidence_rows(d.expired_old.consent), 0);
	ck_assert_int_eq(evidence_rows(d.closed_old.consent), 1);
	ck_assert_int_eq(entry_rows(d.fu_closed_old), 0);
	ck_assert_int_eq(entry_rows(d.fu_open_old), 1);
	ck_assert_int_eq(key_rows(d.key_old), 0);
	ck_assert_int_eq(key_rows(d.key_new), 1);

	/* The sender reads the old referral: its status, no personal field. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", d.closed_old.referral);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "declined");
	ck_assert_ptr_null(json_object_get(r.json, "reason"));
	ck_assert_ptr_null(json_object_get(r.json, "release_date"));
	ck_assert_ptr_null(json_object_get(r.json, "data"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", d.open_old.referral);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "reason")),
			 "Leaves Haren prison with no address");
	resp_free(&r);

	/* The consent's creator: no evidence, and when it was removed. */
	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", d.withdrawn_old.person);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	c = json_array_get(json_object_get(r.json, "items"), 0);
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_null(json_object_get(c, "evidence"));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(c, "evidence_removed_at")));
	ck_assert(json_is_null(json_object_get(c, "withdrawal_reason")));
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "withdrawn");
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", d.withdrawn_recent.person);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	c = json_array_get(json_object_get(r.json, "items"), 0);
	ck_assert_ptr_nonnull(json_object_get(c, "evidence"));
	ck_assert_ptr_null(json_object_get(c, "evidence_removed_at"));
	ck_assert_str_eq(json_string_value(json_object_get(c, "withdrawal_reason")),
			 "moved in with family");
	resp_free(&r);

	/* The closed follow-up is still listed, with no entry. */
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", d.fu_closed_old);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", d.fu_closed_old);
	ok("orga", "GET", path, NULL, NULL, 200);
	due_free(&d);
}
END_TEST

/* Aggregate reports give the same figures before and after retention
 * removed five closed referrals' data. */
START_TEST(reports_keep_working_on_what_remains)
{
	struct leaving l[5];
	struct resp before_ref, after_ref, before_occ, after_occ;
	long removed[NCAT];
	int i;

	for (i = 0; i < 5; i++) {
		char ref[32];
		snprintf(ref, sizeof(ref), "SPS-REP-%d", i);
		leaving(&l[i], ref);
		declined(&l[i]);
		age_transitions(l[i].referral, "13 months");
	}
	ck_assert_int_eq(call("coord", "GET", "/v1/reports/referrals", NULL, NULL, &before_ref), 0);
	ck_assert_int_eq(before_ref.status, 200);
	ck_assert_int_eq(call("coord", "GET", "/v1/reports/occupancy", NULL, NULL, &before_occ), 0);
	ck_assert_int_eq(before_occ.status, 200);
	cli_counts("", removed);
	ck_assert_int_ge(removed[0], 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(data_rows(l[i].referral), 0);
	ck_assert_int_eq(call("coord", "GET", "/v1/reports/referrals", NULL, NULL, &after_ref), 0);
	ck_assert_int_eq(after_ref.status, 200);
	ck_assert_int_eq(call("coord", "GET", "/v1/reports/occupancy", NULL, NULL, &after_occ), 0);
	ck_assert_int_eq(after_occ.status, 200);
	ck_assert_msg(json_equal(before_ref.json, after_ref.json), "referrals report changed");
	ck_assert_msg(json_equal(before_occ.json, after_occ.json), "occupancy report changed");
	/* and the five declined referrals are counted, not suppressed */
	{
		json_t *it;
		size_t k;
		long seen = 0;
		json_array_foreach(json_object_get(after_ref.json, "items"), k, it) {
			if (strcmp(json_string_value(json_object_get(it, "program")),
				   "issue.axis1") == 0 &&
			    strcmp(json_string_value(json_object_get(it, "status")), "declined") ==
				    0 &&
			    json_is_integer(json_object_get(it, "referrals")))
				seen += json_integer_value(json_object_get(it, "referrals"));
		}
		ck_assert_int_ge(seen, 5);
	}
	resp_free(&before_ref), resp_free(&after_ref);
	resp_free(&before_occ), resp_free(&after_occ);
	for (i = 0; i < 5; i++)
		leaving_free(&l[i]);
}
END_TEST

/* Two sessions call the function at the same time: the one that holds the
 * lock acts, the other gets no row and changes nothing; one audit row. */
START_TEST(two_sessions_at_once_act_once)
{
	const char *call_sql = "SELECT category, removed FROM refgw_retention_apply(false, 12, 12, "
			       "12, 12, 5, 1000, 'test-concurrent')";
	struct leaving l;
	PGconn *c1 = sql_admin(), *c2 = sql_admin();
	PGresult *r;
	char t0[64];
	long removed = -1;
	int i;

	leaving(&l, "SPS-LOCK");
	declined(&l);
	age_transitions(l.referral, "13 months");
	db_now(t0, sizeof(t0));
	/* a second session never waits: were it to block on c1's rows, the
	 * test fails instead of hanging */
	PQclear(PQexec(c2, "SET statement_timeout = '5s'"));

	/* c1 takes the function's lock first (waiting while an instance's
	 * housekeeping holds it: the key is fixed, schema/046), then calls it:
	 * the lock is the session's already, so c1 acts */
	PQclear(PQexec(c1, "BEGIN"));
	PQclear(PQexec(c1, "SELECT pg_advisory_xact_lock(7301046)"));
	r = PQexec(c1, call_sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
	ck_assert_int_eq(PQntuples(r), NCAT);
	for (i = 0; i < PQntuples(r); i++)
		if (strcmp(PQgetvalue(r, i, 0), "referral_data") == 0)
			removed = strtol(PQgetvalue(r, i, 1), NULL, 10);
	ck_assert_int_ge(removed, 1);
	PQclear(r);

	/* at the same time: no row, nothing done */
	r = PQexec(c2, call_sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s", PQresultErrorMessage(r));
	ck_assert_int_eq(PQntuples(r), 0);
	PQclear(r);
	ck_assert_int_eq(data_rows(l.referral), 1); /* c1 has not committed */

	PQclear(PQexec(c1, "COMMIT"));
	ck_assert_int_eq(data_rows(l.referral), 0);
	ck_assert_int_eq(applied_rows_since(t0, "test-concurrent"), 1);
	/* afterwards the second session takes the lock, finds nothing to do,
	 * and writes no audit row */
	PQclear(PQexec(c2, "BEGIN"));
	PQclear(PQexec(c2, "SELECT pg_advisory_xact_lock(7301046)"));
	r = PQexec(c2, call_sql);
	ck_assert_int_eq(PQntuples(r), NCAT);
	for (i = 0; i < PQntuples(r); i++)
		ck_assert_str_eq(PQgetvalue(r, i, 1), "0");
	PQclear(r);
	PQclear(PQexec(c2, "COMMIT"));
	ck_assert_int_eq(applied_rows_since(t0, "test-concurrent"), 1);
	PQfinish(c1);
	PQfinish(c2);
	leaving_free(&l);
}
END_TEST

static long
removed_metric(const char *ops_env, const char *category)
{
	char name[128];
	long v;

	snprintf(name, sizeof(name), "refgw_retention_removed_total{category=\"%s\"}", category);
	v = ops_metric(ops_env, name);
	ck_assert_msg(v >= 0, "%s: no %s", ops_env, name);
	return v;
}

static const char *const ops_envs[] = {"REFGW_TEST_OPS", "REFGW_TEST_OPS2", "REFGW_TEST_OPS3",
				       "REFGW_TEST_OPS4"};

static long
removed_everywhere(const char *category)
{
	long sum = 0;
	size_t i;

	for (i = 0; i < sizeof(ops_envs) / sizeof(ops_envs[0]); i++)
		sum += removed_metric(ops_envs[i], category);
	return sum;
}

/* Four instances run housekeeping every second (tests/run-integration.sh)
 * with the default schedule: data six years old goes once, in one run of
 * one instance: one audit row whose counts add up, and the instances'
 * counters together say the same.  The audit chain still verifies. */
START_TEST(housekeeping_on_four_instances_acts_once)
{
	struct leaving l, w, e;
	char *fu, key[64], t0[64], sql[512], out[512];
	long before[NCAT], after, nrows;
	json_int_t sums[NCAT];
	const long want[NCAT] = {1, 1, 1, 2, 1};
	PGconn *c;
	PGresult *r;
	json_t *detail;
	json_error_t jerr;
	FILE *p;
	int k, tries, row;

	leaving(&l, "SPS-HK1");
	declined(&l);
	leaving(&w, "SPS-HK2");
	withdraw(w.consent);
	leaving(&e, "SPS-HK3");
	fu = follow_up(e.referral, 2, true);
	snprintf(key, sizeof(key), "ret-hk-%d-%ld", (int)getpid(), random());
	keyed_person(key);
	for (k = 0; k < NCAT; k++)
		before[k] = removed_everywhere(categories[k]);
	db_now(t0, sizeof(t0));

	/* Six years pass, in one transaction: one housekeeping run sees it all. */
	c = sql_admin();
	snprintf(sql, sizeof(sql),
		 "BEGIN;"
		 "UPDATE referral_transitions SET at = at - interval '6 years' "
		 "WHERE referral_id = '%s';"
		 "UPDATE consents SET withdrawn_at = withdrawn_at - interval '6 years' "
		 "WHERE id = '%s';",
		 l.referral, w.consent);
	r = PQexec(c, sql);
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	snprintf(sql, sizeof(sql),
		 "UPDATE consents SET valid_until = current_date - interval '6 years' "
		 "WHERE id = '%s';"
		 "UPDATE follow_ups SET closed_at = closed_at - interval '6 years' WHERE id = '%s';"
		 "UPDATE idempotency_keys SET created_at = created_at - interval '6 years' "
		 "WHERE key = '%s';"
		 "COMMIT",
		 e.consent, fu, key);
	r = PQexec(c, sql);
	ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);

	for (tries = 0; tries < 100; tries++) {
		if (data_rows(l.referral) == 0 && evidence_rows(w.consent) == 0 &&
		    evidence_rows(e.consent) == 0 && entry_rows(fu) == 0 && key_rows(key) == 0)
			break;
		usleep(100 * 1000);
	}
	ck_assert_msg(tries < 100, "housekeeping did not apply the schedule");
	usleep(2500 * 1000); /* every instance has run again meanwhile */

	/* Acted once: every aged row removed once, counted once.  Usually in
	 * one run's row; two when a run's statements straddled the commit of
	 * the six years above (each statement of refgw_retention_apply reads
	 * with a snapshot of its own: seen once in CI under ASan, the
	 * referral's data removed by the next run).  Never more, and never
	 * the same row twice (the sums below). */
	nrows = applied_rows_since(t0, "housekeeping");
	ck_assert_msg(nrows >= 1 && nrows <= 2, "%ld retention.applied rows", nrows);
	c = sql_admin();
	{
		const char *pr[1] = {t0};
		r = PQexecParams(c,
				 "SELECT detail::text, person_id IS NULL, organisation_id IS NULL "
				 "FROM audit_log WHERE action = 'retention.applied' "
				 "AND at > $1::timestamptz AND request_id = 'housekeeping'",
				 1, NULL, pr, NULL, NULL, 0);
	}
	ck_assert_int_eq(PQntuples(r), nrows);
	for (k = 0; k < NCAT; k++)
		sums[k] = 0;
	for (row = 0; row < PQntuples(r); row++) {
		ck_assert_str_eq(PQgetvalue(r, row, 1), "t");
		ck_assert_str_eq(PQgetvalue(r, row, 2), "t");
		detail = json_loads(PQgetvalue(r, row, 0), 0, &jerr);
		ck_assert_ptr_nonnull(detail);
		for (k = 0; k < NCAT; k++)
			sums[k] += json_integer_value(
				json_object_get(json_object_get(detail, "removed"), categories[k]));
		ck_assert_int_eq(
			json_integer_value(json_object_get(json_object_get(detail, "schedule"),
							   "referral_data_months")),
			24);
		json_decref(detail);
	}
	for (k = 0; k < NCAT; k++) {
		ck_assert_msg(sums[k] == want[k], "%s: %lld in the audit rows", categories[k],
			      sums[k]);
		after = removed_everywhere(categories[k]);
		ck_assert_msg(after - before[k] == want[k], "%s: the instances counted %ld",
			      categories[k], after - before[k]);
	}
	PQclear(r);
	PQfinish(c);
	ck_assert_int_gt(ops_metric("REFGW_TEST_OPS", "refgw_retention_last_run_timestamp_seconds"),
			 1700000000L);

	/* The audit is kept (the referral's own rows are there) and verifies. */
	ck_assert_int_ge(
		count_of("SELECT count(*) FROM audit_log WHERE resource_id = $1", l.referral), 1);
	snprintf(sql, sizeof(sql), "%s audit verify 2>&1", env_or_die("REFGW_TEST_BIN"));
	p = popen(sql, "r");
	ck_assert_ptr_nonnull(p);
	out[0] = '\0';
	ck_assert_ptr_nonnull(fgets(out, sizeof(out), p));
	ck_assert_msg(pclose(p) == 0, "audit verify: %s", out);
	ck_assert_msg(strstr(out, "audit chain intact") != NULL, "%s", out);

	free(fu);
	leaving_free(&l), leaving_free(&w), leaving_free(&e);
}
END_TEST

/* Bounded batches: with REFGW_RETENTION_BATCH=1 one call removes one row
 * per category (the rest waits for the next call); `refgw retention` loops
 * until nothing is due, one audit row per batch.  While another session
 * holds the lock, the CLI says so and changes nothing. */
START_TEST(batches_are_bounded_and_the_cli_waits_its_turn)
{
	char keys[3][64], sql[512], t0[64], out[2048];
	PGconn *c1;
	PGresult *r;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(keys[i], sizeof(keys[i]), "ret-batch-%d-%d-%ld", i, (int)getpid(),
			 random());
		keyed_person(keys[i]);
		snprintf(sql, sizeof(sql),
			 "UPDATE idempotency_keys SET created_at = created_at - interval '6 days' "
			 "WHERE key = $1 AND organisation_id = '%s'",
			 org_id("orga"));
		admin_exec(sql, keys[i]);
	}
	db_now(t0, sizeof(t0));

	/* another session holds the lock for longer than the CLI waits (10 s):
	 * the CLI does nothing, exit 0 */
	c1 = sql_admin();
	PQclear(PQexec(c1, "BEGIN"));
	PQclear(PQexec(c1, "SELECT pg_advisory_xact_lock(7301046)"));
	ck_assert_int_eq(retention_cli(SHORT_SCHEDULE, "", out, sizeof(out)), 0);
	ck_assert_msg(strstr(out, "another session kept applying") != NULL, "%s", out);
	ck_assert_int_eq(count_in(out, "idempotency_keys"), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(key_rows(keys[i]), 1);

	/* one call, batch 1 (in c1, which holds the lock): one key of three */
	r = PQexec(c1, "SELECT removed FROM refgw_retention_apply(false, 12, 12, 12, 12, 5, 1, "
		       "'test-batch') WHERE category = 'idempotency_keys'");
	ck_assert_int_eq(PQntuples(r), 1);
	ck_assert_str_eq(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	PQclear(PQexec(c1, "COMMIT"));
	PQfinish(c1);
	ck_assert_int_eq(key_rows(keys[0]) + key_rows(keys[1]) + key_rows(keys[2]), 2);
	ck_assert_int_eq(applied_rows_since(t0, "test-batch"), 1);
	/* the CLI, batch 1: loops until none is due, one audit row per batch */
	ck_assert_int_eq(
		retention_cli(SHORT_SCHEDULE " REFGW_RETENTION_BATCH=1", "", out, sizeof(out)), 0);
	ck_assert_msg(count_in(out, "idempotency_keys") == 2, "%s", out);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(key_rows(keys[i]), 0);
	ck_assert_int_ge(applied_rows_since(t0, "cli"), 2);
}
END_TEST

/* A bad schedule is refused, naming the variable, and changes nothing. */
START_TEST(a_bad_schedule_is_refused)
{
	char out[512];

	ck_assert_int_eq(
		retention_cli("REFGW_RETAIN_REFERRAL_DATA_MONTHS=0", "--dry-run", out, sizeof(out)),
		2);
	ck_assert_ptr_nonnull(strstr(out, "REFGW_RETAIN_REFERRAL_DATA_MONTHS"));
	ck_assert_int_eq(retention_cli("", "--now", out, sizeof(out)), 2);
}
END_TEST

Suite *
retention_suite(void)
{
	Suite *s = suite_create("retention");
	TCase *t = tcase_create("retention");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, dry_run_reports_and_changes_nothing);
	tcase_add_test(t, retention_removes_exactly_what_is_due);
	tcase_add_test(t, reports_keep_working_on_what_remains);
	tcase_add_test(t, two_sessions_at_once_act_once);
	tcase_add_test(t, housekeeping_on_four_instances_acts_once);
	tcase_add_test(t, batches_are_bounded_and_the_cli_waits_its_turn);
	tcase_add_test(t, a_bad_schedule_is_refused);
	suite_add_tcase(s, t);
	return s;
}
