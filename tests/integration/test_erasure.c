/* Integration suite "erasure" (issue 16, item 2): personal fields sealed at
 * rest under each person's data key, and a person erased by destroying
 * that key.  DIOGENES (orgd, street work) records a man it meets in the
 * street, refers him to an ISSUE partner (orgb) and follows him; on his
 * request it erases him. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* A valid national register number for birth year 1985 and a serial. */
static void
niss_for(int serial, char out[16])
{
	long long body = 850101000LL + serial % 1000;
	int check = 97 - (int)(body % 97);

	snprintf(out, 16, "%09lld%02d", body % 1000000000LL, check % 100);
}

struct man {
	char *person, *consent, *referral, *follow_up;
};

/* DIOGENES records him, his consent (to orgb, with the follow-up), a
 * referral with his data, and a follow-up with one entry. */
static void
met_in_the_street(struct man *m, int serial, const char *given_name)
{
	char body[2048], niss[16], path[160];

	niss_for(serial, niss);
	snprintf(body, sizeof(body),
		 "{\"external_ref\":\"DIO-%d-%s\",\"birth_year\":1985,\"niss\":\"%s\"}", serial,
		 given_name, niss);
	m->person = must(post_id("orgd", "/v1/persons", body, 201));
	m->consent = post_consent("orgd", m->person, "orgb",
				  "\"identity\",\"housing_situation\",\"justice\",\"follow_up\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"%s sleeps at Gare du Midi since the winter\","
		 "\"release_date\":\"2026-02-01\","
		 "\"data\":{\"identity\":{\"given_name\":\"%s\",\"family_name\":\"Benali\"},"
		 "\"housing_situation\":{\"current\":\"street\",\"notes\":\"tent, canal side\"}}}",
		 m->person, org_id("orgb"), m->consent, given_name, given_name);
	m->referral = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 m->referral);
	m->follow_up = must(post_id("orgd", "/v1/follow-ups", body, 201));
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", m->follow_up);
	snprintf(body, sizeof(body),
		 "{\"date\":\"2026-11-20\",\"kind\":\"visit\",\"text\":\"%s asks about his "
		 "daughter's school\"}",
		 given_name);
	free(must(post_id("orgd", path, body, 201)));
}

static void
man_free(struct man *m)
{
	free(m->person), free(m->consent), free(m->referral), free(m->follow_up);
}

/* The referral as orgb reads it (its body, malloc'd); status want. */
static char *
read_referral(const char *base_env, const char *slug, const char *id, long want)
{
	char path[160], *body;
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(base_env ? call_at(base_env, slug, "GET", path, NULL, NULL, &r)
				  : call(slug, "GET", path, NULL, NULL, &r),
			 0);
	ck_assert_msg(r.status == want, "GET %s: %ld %s", path, r.status, r.body);
	body = strdup(r.body ? r.body : "");
	resp_free(&r);
	return body;
}

static long
erase(const char *slug, const char *person, struct resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call(slug, "DELETE", path, NULL, NULL, r), 0);
	return r->status;
}

/* count(*) in the key store (REFGW_KEYSTORE_ADMIN_URL) of a person's key. */
static long
keys_of(const char *person)
{
	PGconn *k = PQconnectdb(env_or_die("REFGW_KEYSTORE_ADMIN_URL"));
	const char *p[1] = {person};
	long n;

	ck_assert_msg(PQstatus(k) == CONNECTION_OK, "%s", PQerrorMessage(k));
	n = sql_long(k, "SELECT count(*) FROM person_keys WHERE person_id = $1::uuid", 1, p);
	PQfinish(k);
	return n;
}

/* Runs a shell command; its exit status, output in out. */
static int
run(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(sealed_at_rest_and_read_in_clear)
{
	struct man m;
	char *body;
	const char *p[1];
	PGconn *c = sql_admin();

	met_in_the_street(&m, 11, "Yassine");
	body = read_referral(NULL, "orgb", m.referral, 200);
	ck_assert_msg(strstr(body, "\"given_name\":\"Yassine\"") &&
			      strstr(body, "Yassine sleeps at Gare du Midi"),
		      "%s", body);
	free(body);
	/* The owner of the database sees ciphertext only. */
	p[0] = m.referral;
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid "
			 "AND data->>'identity' LIKE 'rgw1.%' AND reason LIKE 'rgw1.%' "
			 "AND data::text || reason NOT LIKE '%Yassine%' "
			 "AND data::text NOT LIKE '%canal%' AND release_date LIKE 'rgw1.%' "
			 "AND release_date NOT LIKE '%2026-02-01%'",
			 1, p),
		1);
	p[0] = m.person;
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM persons WHERE id = $1::uuid AND external_ref "
			 "LIKE 'rgw1.%' AND birth_year LIKE 'rgw1.%' AND niss_hmac IS NOT NULL",
			 1, p),
		1);
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM consents WHERE person_id = $1::uuid AND "
				  "evidence LIKE 'rgw1.%' AND evidence NOT LIKE '%Peeters%'",
				  1, p),
			 1);
	p[0] = m.follow_up;
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM follow_up_entries WHERE follow_up_id = "
				  "$1::uuid AND text LIKE 'rgw1.%' AND text NOT LIKE '%daughter%'",
				  1, p),
			 1);
	/* PostgreSQL refuses a personal field stored in clear. */
	ck_assert_int_eq(sql_long(c,
				  "WITH u AS (UPDATE follow_up_entries SET text = 'in clear' WHERE "
				  "follow_up_id = $1::uuid RETURNING 1) SELECT count(*) FROM u",
				  1, p),
			 -1);
	ck_assert_int_eq(keys_of(m.person), 1);
	/* A step's note too (schema/049): sealed, read in clear by a party. */
	{
		const char *hdr[2] = {"If-Match: \"1\"", NULL};
		char path[160];
		struct resp r;

		snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", m.referral);
		ck_assert_int_eq(call("orgb", "POST", path,
				      "{\"to\":\"received\",\"note\":\"Yassine called back from "
				      "the shelter\"}",
				      hdr, &r),
				 0);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
		resp_free(&r);
		snprintf(path, sizeof(path), "/v1/referrals/%s/history", m.referral);
		ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
		ck_assert_msg(r.status == 200 && strstr(r.body, "Yassine called back"), "%ld %s",
			      r.status, r.body);
		resp_free(&r);
		/* the coordinator's export for him opens it too */
		snprintf(path, sizeof(path), "/v1/persons/%s/export", m.person);
		ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
		ck_assert_msg(r.status == 200 && strstr(r.body, "Yassine called back") &&
				      strstr(r.body, "rgw1.") == NULL,
			      "%ld %.300s", r.status, r.body);
		resp_free(&r);
		p[0] = m.referral;
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(*) FROM referral_transitions WHERE referral_id "
				 "= $1::uuid AND note LIKE 'rgw1.%' AND note NOT LIKE "
				 "'%Yassine%'",
				 1, p),
			1);
	}
	PQfinish(c);
	man_free(&m);
}
END_TEST

START_TEST(erasure_leaves_nothing_readable_and_the_chain_verifies)
{
	struct man m;
	struct resp r;
	char *body, path[200], erased_at[40], out[4096], cmd[1024];
	const char *p[1];
	long told_b, told_d;
	PGconn *c;

	met_in_the_street(&m, 12, "Karim");
	body = read_referral(NULL, "orgb", m.referral, 200);
	ck_assert_ptr_nonnull(strstr(body, "Karim"));
	free(body);
	told_b = events_of("orgb", "person.erased", m.person);
	told_d = events_of("orgd", "person.erased", m.person);

	/* Only the organisation that recorded him (or a coordinator). */
	ck_assert_int_eq(erase("orgb", m.person, &r), 404);
	resp_free(&r);
	ck_assert_int_eq(erase("orgd", m.person, &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "id")), m.person);
	snprintf(erased_at, sizeof(erased_at), "%s",
		 json_string_value(json_object_get(r.json, "erased_at")));
	resp_free(&r);

	/* Every read path: nothing personal. */
	body = read_referral(NULL, "orgb", m.referral, 200);
	ck_assert_msg(strstr(body, "Karim") == NULL && strstr(body, "\"data\"") == NULL &&
			      strstr(body, "consent_withdrawn"),
		      "%s", body);
	free(body);
	body = read_referral("REFGW_TEST_BASE3", "orgd", m.referral, 200);
	ck_assert_msg(strstr(body, "Karim") == NULL, "%s", body);
	free(body);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", m.follow_up);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && json_array_size(json_object_get(r.json, "items")) == 0,
		      "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", m.person);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "Peeters") == NULL &&
			      strstr(r.body, "\"evidence\"") == NULL &&
			      strstr(r.body, "\"withdrawn\""),
		      "%ld %s", r.status, r.body);
	resp_free(&r);

	/* The key is gone; the owner sees ciphertext, nothing in clear. */
	ck_assert_int_eq(keys_of(m.person), 0);
	c = sql_admin();
	p[0] = m.person;
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM persons WHERE id = $1::uuid AND erased_at IS "
			 "NOT NULL AND niss_hmac IS NULL AND external_ref IS NULL",
			 1, p),
		1);
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM referral_data d JOIN referrals r ON r.id = "
				  "d.referral_id WHERE r.person_id = $1::uuid AND d.reason LIKE "
				  "'rgw1.%' AND d.release_date IS NULL AND d.needs = '{}' AND "
				  "d.ranking IS NULL AND d.data::text NOT LIKE '%Karim%'",
				  1, p),
			 1);
	/* One audit row of the erasure, with nothing personal; the chain
	 * verifies. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM audit_log WHERE action = 'person.erased' AND "
			 "person_id = $1::uuid AND detail::text NOT LIKE '%Karim%'",
			 1, p),
		1);
	snprintf(cmd, sizeof(cmd), "%s audit verify 2>&1", env_or_die("REFGW_TEST_BIN"));
	ck_assert_msg(run(cmd, out, sizeof(out)) == 0, "%s", out);

	/* orgb, which held his data, is told; DIOGENES, which erased, is not. */
	ck_assert_int_eq(events_of("orgb", "person.erased", m.person), told_b + 1);
	ck_assert_int_eq(events_of("orgd", "person.erased", m.person), told_d);

	/* Again: the same answer, nothing more. */
	ck_assert_int_eq(erase("orgd", m.person, &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "erased_at")), erased_at);
	resp_free(&r);
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM audit_log WHERE action = 'person.erased' AND "
			 "person_id = $1::uuid",
			 1, p),
		1);
	PQfinish(c);
	/* Nothing new about him. */
	{
		char b[1024];
		snprintf(b, sizeof(b),
			 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"cpas\"}],"
			 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
			 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
			 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
			 m.person);
		ck_assert_int_eq(call("orgd", "POST", "/v1/consents", b, NULL, &r), 0);
		ck_assert_msg(r.status == 410 && strcmp(problem_type(&r), URN "person-erased") == 0,
			      "%ld %s", r.status, r.body);
		resp_free(&r);
	}
	man_free(&m);
}
END_TEST

/* A coordinator erases on the person's request; a recorder of another
 * organisation's person cannot, nor can an operator. */
/* A create retried with its Idempotency-Key replays the first answer,
 * which is stored sealed under the person's key: unreadable in the
 * database, and, once the person is erased, a retry answers 410 rather
 * than create them again. */
START_TEST(a_replay_is_sealed_and_ends_with_the_person)
{
	const char *hdr[2] = {"Idempotency-Key: erasure-replay-1", NULL};
	const char *body = "{\"external_ref\":\"DIO-REPLAY-Hakim\",\"birth_year\":1979}";
	struct resp first, again;
	char *person;
	const char *p[1];
	PGconn *c = sql_admin();

	ck_assert_int_eq(call("orgd", "POST", "/v1/persons", body, hdr, &first), 0);
	ck_assert_msg(first.status == 201 && strstr(first.body, "DIO-REPLAY-Hakim"), "%ld %s",
		      first.status, first.body);
	person = strdup(json_string_value(json_object_get(first.json, "id")));
	p[0] = person;
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM idempotency_keys WHERE person_id = $1::uuid "
			 "AND response LIKE 'rgw1.%' AND response NOT LIKE '%Hakim%'",
			 1, p),
		1);
	ck_assert_int_eq(call("orgd", "POST", "/v1/persons", body, hdr, &again), 0);
	ck_assert_msg(again.status == 201 && again.replayed && again.len == first.len &&
			      memcmp(again.body, first.body, first.len) == 0,
		      "%ld %s", again.status, again.body);
	resp_free(&again);
	ck_assert_int_eq(erase("orgd", person, &again), 200);
	resp_free(&again);
	ck_assert_int_eq(call("orgd", "POST", "/v1/persons", body, hdr, &again), 0);
	ck_assert_msg(again.status == 410 && strcmp(problem_type(&again), URN "person-erased") == 0,
		      "%ld %s", again.status, again.body);
	resp_free(&again);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM persons WHERE created_at > now() - "
				   "interval '1 minute' AND erased_at IS NULL AND id = $1::uuid",
				   person),
			 0);
	resp_free(&first);
	PQfinish(c);
	free(person);
}
END_TEST

START_TEST(the_coordinator_erases_on_request)
{
	struct man m;
	struct resp r;

	met_in_the_street(&m, 13, "Omar");
	ck_assert_int_eq(erase("orgc", m.person, &r), 403);
	resp_free(&r);
	ck_assert_int_eq(erase("coord", m.person, &r), 200);
	resp_free(&r);
	ck_assert_int_eq(keys_of(m.person), 0);
	ck_assert_int_eq(events_of("orgd", "person.erased", m.person), 1);
	ck_assert_int_eq(events_of("orgb", "person.erased", m.person), 1);
	ck_assert_int_eq(erase("orgd", "00000000-0000-4000-8000-000000000000", &r), 404);
	resp_free(&r);
	man_free(&m);
}
END_TEST

/* A gateway on a backup taken before the erasure, with the live key store:
 * the erased man's data does not open; another man's in the same backup
 * does (the backup is still a backup). */
START_TEST(a_backup_from_before_the_erasure_yields_nothing_readable)
{
	struct man gone, kept;
	struct resp r;
	char dir[] = "/tmp/refgw-backup.XXXXXX", cmd[4096], out[4096], base[64];
	const char *admin = env_or_die("REFGW_ADMIN_DATABASE_URL"),
		   *app = env_or_die("REFGW_DATABASE_URL");
	FILE *f;
	int api = 0, ops = 0, i;
	long pid = 0;
	CURL *h;

	met_in_the_street(&gone, 14, "Nabil");
	met_in_the_street(&kept, 15, "Samir");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "pg_dump -Fc -f %s/before.dump '%s' 2>&1", dir, admin);
	ck_assert_msg(run(cmd, out, sizeof(out)) == 0, "%s", out);
	ck_assert_int_eq(erase("orgd", gone.person, &r), 200);
	resp_free(&r);

	snprintf(cmd, sizeof(cmd),
		 "psql -X -q '%s dbname=postgres user=postgres' -c 'DROP DATABASE IF EXISTS "
		 "refgw_before' -c 'CREATE DATABASE refgw_before OWNER refgw_owner' 2>&1 && "
		 "pg_restore --no-owner --role=refgw_owner -d '%s dbname=refgw_before' "
		 "%s/before.dump 2>&1",
		 admin, admin, dir);
	ck_assert_msg(run(cmd, out, sizeof(out)) == 0, "%s", out);
	/* A gateway of its own on the restored copy (ended by timeout even if
	 * this test fails half-way). */
	snprintf(cmd, sizeof(cmd),
		 "REFGW_DATABASE_URL='%s dbname=refgw_before' "
		 "REFGW_ADMIN_DATABASE_URL='%s dbname=refgw_before' REFGW_PORT_FILE=%s/ports "
		 "REFGW_LISTEN_PORT=0 REFGW_OPS_PORT=0 timeout 60 %s serve > %s/gw.log 2>&1 & "
		 "echo $!",
		 app, admin, dir, env_or_die("REFGW_TEST_BIN"), dir);
	ck_assert_int_eq(run(cmd, out, sizeof(out)), 0);
	pid = atol(out);
	snprintf(cmd, sizeof(cmd), "%s/ports", dir);
	for (i = 0; i < 300 && (api == 0); i++) {
		usleep(100000);
		if ((f = fopen(cmd, "r")) != NULL) {
			if (fscanf(f, "%d %d", &api, &ops) != 2)
				api = 0;
			fclose(f);
		}
	}
	ck_assert_msg(api > 0, "the gateway on the backup did not start");
	snprintf(base, sizeof(base), "https://localhost:%d", api);
	h = client_new("orgb");
	snprintf(cmd, sizeof(cmd), "/v1/referrals/%s", gone.referral);
	ck_assert_int_eq(client_call_base(h, base, "GET", cmd, NULL, NULL, &r), 0);
	/* In the backup his consent still holds: the row is there, sealed;
	 * without his key nothing of it opens. */
	ck_assert_msg(r.status == 200 && strstr(r.body, "Nabil") == NULL &&
			      strstr(r.body, "canal") == NULL && strstr(r.body, "\"reason\":null"),
		      "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(cmd, sizeof(cmd), "/v1/referrals/%s", kept.referral);
	ck_assert_int_eq(client_call_base(h, base, "GET", cmd, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "\"given_name\":\"Samir\""), "%ld %s",
		      r.status, r.body);
	resp_free(&r);
	curl_easy_cleanup(h);
	kill((pid_t)pid, SIGTERM);
	snprintf(cmd, sizeof(cmd),
		 "sleep 1; psql -X -q '%s dbname=postgres user=postgres' -c 'DROP DATABASE "
		 "refgw_before WITH (FORCE)' 2>&1; rm -rf %s",
		 admin, dir);
	(void)run(cmd, out, sizeof(out));
	man_free(&gone);
	man_free(&kept);
}
END_TEST

/* The key store down (its database refuses the gateways' role): what needs
 * a key not in an instance's cache answers 503 key-store-unavailable with
 * Retry-After, and changes nothing; back up, it works again. */
START_TEST(key_store_down_answers_503_and_changes_nothing)
{
	struct man m, x1, x2;
	struct resp r;
	char path[160], body[1024], conninfo[1024];
	PGconn *pg;
	long consents;

	met_in_the_street(&m, 16, "Rachid");
	/* The second instance opens both its key store connections (two
	 * persons it has not seen: two misses, round robin). */
	met_in_the_street(&x1, 17, "Ali");
	met_in_the_street(&x2, 18, "Said");
	free(read_referral("REFGW_TEST_BASE2", "orgb", x1.referral, 200));
	free(read_referral("REFGW_TEST_BASE2", "orgb", x2.referral, 200));
	/* user=postgres: terminating other roles' sessions needs it */
	snprintf(conninfo, sizeof(conninfo), "%s user=postgres",
		 env_or_die("REFGW_KEYSTORE_ADMIN_URL"));
	pg = PQconnectdb(conninfo);
	ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
	PQclear(PQexec(pg, "REVOKE CONNECT ON DATABASE refgw_keys FROM PUBLIC"));
	ck_assert_int_ge(sql_long(pg,
				  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
				  "WHERE datname = 'refgw_keys' AND usename = 'refgw_app'",
				  0, NULL),
			 0);
	/* The third instance never used his key. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", m.referral);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE3", "orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 503 && r.retry_after[0] &&
			      strcmp(problem_type(&r), URN "key-store-unavailable") == 0 &&
			      strstr(r.body, "Rachid") == NULL,
		      "%ld %s", r.status, r.body);
	resp_free(&r);
	consents = sql_count("SELECT count(*) FROM consents WHERE person_id = $1::uuid", m.person);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"cpas\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
		 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 m.person);
	ck_assert_int_eq(
		call_at("REFGW_TEST_BASE3", "orgd", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_msg(r.status == 503 && strcmp(problem_type(&r), URN "key-store-unavailable") == 0,
		      "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM consents WHERE person_id = $1::uuid", m.person),
		consents);
	PQclear(PQexec(pg, "GRANT CONNECT ON DATABASE refgw_keys TO PUBLIC"));
	PQfinish(pg);
	/* The second instance's key store connections were ended while idle:
	 * its first use reopens one, the read does not fail. */
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "Rachid"), "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE3", "orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "Rachid"), "%ld %s", r.status, r.body);
	resp_free(&r);
	man_free(&m);
	man_free(&x1);
	man_free(&x2);
}
END_TEST

/* The problem of a referral create, its status and its "type title detail"
 * (malloc'd), asked in French. */
static char *
create_problem(const char *slug, const char *person, const char *to, const char *program,
	       const char *consent, long *status)
{
	const char *hdr[] = {"Accept-Language: fr", NULL};
	char body[1024], *out;
	struct resp r;
	size_t n;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"asks for a room\","
		 "\"data\":{\"identity\":{\"given_name\":\"Nadia\"}}}",
		 person, to, program, consent);
	ck_assert_int_eq(call(slug, "POST", "/v1/referrals", body, hdr, &r), 0);
	ck_assert_msg(r.json != NULL, "%ld %s", r.status, r.body);
	*status = r.status;
	n = strlen(r.body) + 1;
	out = malloc(n);
	ck_assert_ptr_nonnull(out);
	snprintf(out, n, "%s %s %s", problem_type(&r),
		 json_string_value(json_object_get(r.json, "title")),
		 json_string_value(json_object_get(r.json, "detail")));
	resp_free(&r);
	return out;
}

/* A former party of an erased person cannot tell the erasure from a person
 * that never existed (hostile review of issue 19): a create is checked
 * first (recipient, program, consent, relay) and refused as for anyone,
 * in the caller's language, and nothing is written.  A person whose key is
 * gone while a consent still holds is answered as a person the consent is
 * not for. */
START_TEST(an_erased_person_is_refused_as_one_never_created)
{
	static const char nobody[] = "7d1f3b52-0c55-4f6e-9a27-3c8e5b1d2a90";
	static const char no_org[] = "5b6c1e0a-2f4d-4c3b-8e9a-0d7f6a5b4c31";
	struct man m;
	struct resp r;
	char *erased, *never, *fresh, *consent, *person;
	long st_erased, st_never, referrals, created;
	PGconn *c, *k;
	const char *p[1];
	int i;

	met_in_the_street(&m, 21, "Nadia");
	ck_assert_int_eq(erase("orgd", m.person, &r), 200);
	resp_free(&r);
	referrals =
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", m.person);

	/* A recipient that does not exist, or is suspended. */
	erased = create_problem("orgd", m.person, no_org, "issue.axis1", m.consent, &st_erased);
	never = create_problem("orgd", nobody, no_org, "issue.axis1", m.consent, &st_never);
	ck_assert_msg(st_erased == 422 && st_never == 422 && strcmp(erased, never) == 0 &&
			      strstr(erased, URN "recipient-unavailable Destinataire indisponible"),
		      "%ld %s / %ld %s", st_erased, erased, st_never, never);
	free(erased), free(never);
	/* A program the recipient does not offer. */
	erased = create_problem("orgd", m.person, org_id("orgb"), "no.such_program", m.consent,
				&st_erased);
	never = create_problem("orgd", nobody, org_id("orgb"), "no.such_program", m.consent,
			       &st_never);
	ck_assert_msg(st_erased == 422 && st_never == 422 && strcmp(erased, never) == 0 &&
			      strstr(erased, URN "program-not-offered Programme non propos"),
		      "%ld %s / %ld %s", st_erased, erased, st_never, never);
	free(erased), free(never);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", m.person),
		referrals);

	/* A person whose data key is gone while the consent still holds
	 * (every check passes): the answer of a consent given for another
	 * person, as a person never created gets with that consent. */
	person = must(post_id("orgd", "/v1/persons",
			      "{\"external_ref\":\"DIO-22-Keyless\",\"birth_year\":1990}", 201));
	consent = post_consent("orgd", person, "orgb", "\"identity\",\"housing_situation\"");
	k = PQconnectdb(env_or_die("REFGW_KEYSTORE_ADMIN_URL"));
	ck_assert_msg(PQstatus(k) == CONNECTION_OK, "%s", PQerrorMessage(k));
	p[0] = person;
	ck_assert_int_eq(sql_long(k,
				  "WITH d AS (DELETE FROM person_keys WHERE person_id = $1::uuid "
				  "RETURNING 1) SELECT count(*) FROM d",
				  1, p),
			 1);
	PQfinish(k);
	/* every instance drops its cached copy, as after an erasure */
	c = sql_admin();
	ck_assert_int_eq(sql_long(c, "SELECT count(pg_notify('refgw_erased', $1))", 1, p), 1);
	PQfinish(c);
	never = create_problem("orgd", nobody, org_id("orgb"), "issue.axis1", consent, &st_never);
	/* the notification is asynchronous: until it is handled the cached
	 * key still seals, and the create is accepted */
	fresh = NULL;
	for (i = 0, created = 0; i < 200; i++, created++) {
		free(fresh);
		fresh = create_problem("orgd", person, org_id("orgb"), "issue.axis1", consent,
				       &st_erased);
		if (st_erased != 201)
			break;
		usleep(100 * 1000);
	}
	ck_assert_msg(st_erased == 403 && st_never == 403 && strcmp(fresh, never) == 0 &&
			      strstr(fresh, URN "consent-not-covering ") &&
			      strstr(fresh, "ne couvre pas : person"),
		      "%ld %s / %ld %s", st_erased, fresh, st_never, never);
	free(fresh), free(never);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person),
		created);
	free(consent), free(person);
	man_free(&m);
}
END_TEST

Suite *
erasure_suite(void)
{
	Suite *s = suite_create("erasure");
	TCase *tc = tcase_create("crypto_shredding");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sealed_at_rest_and_read_in_clear);
	tcase_add_test(tc, erasure_leaves_nothing_readable_and_the_chain_verifies);
	tcase_add_test(tc, a_replay_is_sealed_and_ends_with_the_person);
	tcase_add_test(tc, the_coordinator_erases_on_request);
	tcase_add_test(tc, a_backup_from_before_the_erasure_yields_nothing_readable);
	tcase_add_test(tc, key_store_down_answers_503_and_changes_nothing);
	tcase_add_test(tc, an_erased_person_is_refused_as_one_never_created);
	suite_add_tcase(s, tc);
	return s;
}
