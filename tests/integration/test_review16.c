/* Integration suite "review16": a hostile review of issue 16 (sealed
 * personal fields, erasure by crypto-shredding).  DIOGENES (orgd) records
 * a man it meets in the street and refers him to an ISSUE partner (orgb);
 * on his request it erases him, while a colleague at another desk, or
 * another gateway instance, goes on working. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* DIOGENES records him and his consent to orgb; a referral with a reason
 * and a release date. */
static void
recorded(const char *tag, char **person, char **consent, char **referral)
{
	char body[2048];

	snprintf(body, sizeof(body), "{\"external_ref\":\"DIO-R16-%s\",\"birth_year\":1981}", tag);
	*person = must(post_id("orgd", "/v1/persons", body, 201));
	*consent = post_consent("orgd", *person, "orgb",
				"\"identity\",\"housing_situation\",\"justice\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"%s sleeps under the Porte de Hal\",\"release_date\":\"2026-03-01\","
		 "\"data\":{\"identity\":{\"given_name\":\"%s\",\"family_name\":\"Mertens\"}}}",
		 *person, org_id("orgb"), *consent, tag, tag);
	*referral = must(post_id("orgd", "/v1/referrals", body, 201));
}

struct call_args {
	const char *slug, *method, *path;
	const char *body;
	struct resp r;
	int rc;
};

static void *
call_thread(void *arg)
{
	struct call_args *a = arg;

	a->rc = call(a->slug, a->method, a->path, a->body, NULL, &a->r);
	return NULL;
}

/* How many backends of the data's database wait on a lock. */
static long
lock_waiters(PGconn *c)
{
	return sql_long(
		c,
		"SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted AND database IS "
		"DISTINCT FROM 0",
		0, NULL);
}

static void
wait_waiters(PGconn *c, long n)
{
	int i;

	for (i = 0; i < 200 && lock_waiters(c) < n; i++)
		usleep(50000);
	ck_assert_msg(lock_waiters(c) >= n, "expected %ld requests waiting on a lock", n);
}

/* A colleague records a new consent for the man while his erasure is under
 * way (its transaction holds his person row, not yet committed).  The
 * trigger refgw_person_not_erased reads persons.erased_at without a lock:
 * it sees "not erased", and the consent commits after the erasure,
 * active, for a person whose key is destroyed.  On that consent a referral
 * with a release date and needs (no sealed field, so no key needed) is
 * created after the erasure, in clear, and sent to a new organisation. */
START_TEST(a_consent_recorded_during_the_erasure_does_not_survive_it)
{
	char *person, *consent, *referral, path[160], body[2048];
	struct call_args erase = {0}, record = {0};
	pthread_t te, tr;
	const char *p[1];
	PGconn *hold = sql_admin(), *c = sql_admin();
	struct resp r;
	long active, referral_after;

	recorded("Lukas", &person, &consent, &referral);
	/* Another session holds his referral's data: the erasure will wait
	 * there, after it withdrew the consents it saw and while it holds
	 * his person row. */
	PQclear(PQexec(hold, "BEGIN"));
	p[0] = referral;
	PQclear(PQexecParams(hold,
			     "SELECT 1 FROM referral_data WHERE referral_id = $1::uuid FOR UPDATE",
			     1, NULL, p, NULL, NULL, 0));
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	erase.slug = "orgd", erase.method = "DELETE", erase.path = path;
	ck_assert_int_eq(pthread_create(&te, NULL, call_thread, &erase), 0);
	wait_waiters(c, 1);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"justice\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
		 "\"witness\":\"J. Claes\",\"recorded_by\":\"M. Dubois\"}}",
		 person, org_id("orgb"));
	record.slug = "orgd", record.method = "POST", record.path = "/v1/consents",
	record.body = body;
	ck_assert_int_eq(pthread_create(&tr, NULL, call_thread, &record), 0);
	usleep(500000); /* it reaches its insert (or waits there) */
	PQclear(PQexec(hold, "COMMIT"));
	pthread_join(te, NULL);
	pthread_join(tr, NULL);
	ck_assert_int_eq(erase.rc, 0);
	ck_assert_msg(erase.r.status == 200, "%ld %s", erase.r.status, erase.r.body);
	resp_free(&erase.r);
	ck_assert_int_eq(record.rc, 0);
	p[0] = person;
	active = sql_long(c,
			  "SELECT count(*) FROM consents WHERE person_id = $1::uuid AND status = "
			  "'active'",
			  1, p);
	/* On that consent, a referral with a release date (no sealed field:
	 * no key needed), sent to orgb again. */
	referral_after = 0;
	if (record.r.status == 201) {
		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\","
			 "\"program\":\"issue.axis1\",\"consent_id\":\"%s\","
			 "\"purpose\":\"housing_referral\",\"release_date\":\"2026-03-01\"}",
			 person, org_id("orgb"),
			 json_string_value(json_object_get(record.r.json, "id")));
		ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", body, NULL, &r), 0);
		referral_after = r.status;
		resp_free(&r);
	}
	/* Either refused (410) or withdrawn with the erasure: never active,
	 * and nothing new stands on it. */
	ck_assert_msg(active == 0 && referral_after != 201,
		      "an erased person has %ld active consent(s) (the concurrent POST answered "
		      "%ld %s); a referral with his release date to orgb after his erasure: %ld",
		      active, record.r.status, record.r.body, referral_after);
	resp_free(&record.r);
	PQfinish(hold);
	PQfinish(c);
	free(person), free(consent), free(referral);
}
END_TEST

/* Another instance used the man's key a moment before his erasure (it
 * keeps it cached for REFGW_KEY_CACHE_SECONDS, 300 s).  docs say it "reads
 * nothing with it"; but a consent's evidence stays sealed in the consent
 * row after an erasure and is rendered to its recorder, and the stored
 * replay of his creation stays sealed in idempotency_keys: both open with
 * the cached key on that instance. */
START_TEST(another_instance_reads_nothing_after_the_erasure)
{
	const char *hdr[2] = {"Idempotency-Key: review16-cache-1", NULL};
	const char *create = "{\"external_ref\":\"DIO-R16-Milan\",\"birth_year\":1990}";
	char *person, *consent, path[160];
	struct resp r;

	ck_assert_int_eq(call("orgd", "POST", "/v1/persons", create, hdr, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	person = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	consent = post_consent("orgd", person, "orgb", "\"identity\"");
	/* The second instance reads his consents: his key in its cache. */
	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", person);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "A. Peeters"), "%ld %s", r.status, r.body);
	resp_free(&r);
	/* Erased through the first instance. */
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	resp_free(&r);
	usleep(300000);
	/* The second instance: the evidence is gone... */
	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", person);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 && strstr(r.body, "Peeters") == NULL &&
			      strstr(r.body, "\"evidence\"") == NULL,
		      "after the erasure, another instance shows: %ld %s", r.status, r.body);
	resp_free(&r);
	/* ...and a retry of his creation answers 410, not his fields. */
	ck_assert_int_eq(
		call_at("REFGW_TEST_BASE2", "orgd", "POST", "/v1/persons", create, hdr, &r), 0);
	ck_assert_msg(r.status == 410 && strstr(r.body, "Milan") == NULL,
		      "after the erasure, another instance replays: %ld %s", r.status, r.body);
	resp_free(&r);
	free(person), free(consent);
}
END_TEST

/* The receiver records where the man is housed, with a note about the
 * landlord, retried with an Idempotency-Key.  The erasure removes the
 * occupancy's note (schema/047), but the stored replay of that answer is
 * not sealed (it is not tied to the person) and keeps the note in clear in
 * idempotency_keys for REFGW_RETAIN_IDEMPOTENCY_DAYS (and in every backup). */
START_TEST(an_erasure_leaves_no_note_in_a_stored_replay)
{
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	const char *hdr[2] = {"Idempotency-Key: review16-placement-1", NULL};
	const char *place = "{\"kind\":\"private_market\",\"start_date\":\"2027-01-04\","
			    "\"note\":\"lease with Mrs Janssens, rue Haute 12\"}";
	char *person, *consent, *referral, path[160];
	struct resp r;

	recorded("Wout", &person, &consent, &referral);
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", referral);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", referral);
	ck_assert_int_eq(call("orgb", "POST", path, place, hdr, &r), 0);
	ck_assert_msg(r.status == 201 && strstr(r.body, "Janssens"), "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM occupancies WHERE referral_id = $1::uuid "
				   "AND note IS NULL",
				   referral),
			 1);
	ck_assert_msg(sql_count("SELECT count(*) FROM idempotency_keys WHERE response LIKE "
				"'%' || $1 || '%'",
				"Janssens") == 0,
		      "the occupancy's note stays in clear in a stored replay after the erasure");
	/* The retry answers as a retry about an erased person does. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", referral);
	ck_assert_int_eq(call("orgb", "POST", path, place, hdr, &r), 0);
	ck_assert_msg(strstr(r.body, "Janssens") == NULL, "%ld %s", r.status, r.body);
	resp_free(&r);
	free(person), free(consent), free(referral);
}
END_TEST

/* The same for a proposal: orgb proposes him for a unit of ORS's (orgc)
 * with a note, retried with an Idempotency-Key. */
START_TEST(an_erasure_leaves_no_proposal_note_in_a_stored_replay)
{
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	const char *hdr[2] = {"Idempotency-Key: review16-proposal-1", NULL};
	char *person, *consent, *referral, *site, *unit, path[160], body[2048];
	struct resp r;

	person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"DIO-R16-Jef\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"}",
		 person, org_id("orgb"), consent);
	referral = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", referral);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	site = must(post_id("orgc", "/v1/sites",
			    "{\"name\":\"Review16\",\"commune\":\"Saint-Gilles\","
			    "\"managing_partner\":\"Communa\",\"units\":6,"
			    "\"period_from\":\"2023-03-01\",\"period_until\":\"2030-07-15\"}",
			    201));
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"R-01\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"lift\",\"commune\":\"Saint-Gilles\","
		 "\"address\":\"rue de la Victoire 1\",\"monthly_contribution_eur\":250,"
		 "\"available_from\":\"2026-12-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site);
	unit = must(post_id("orgc", "/v1/units", body, 201));
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"note\":\"Jef drinks less since his daughter "
		 "visits\"}",
		 referral);
	ck_assert_int_eq(call("orgb", "POST", path, body, hdr, &r), 0);
	ck_assert_msg(r.status == 201 && strstr(r.body, "daughter"), "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_msg(sql_count("SELECT count(*) FROM idempotency_keys WHERE response LIKE "
				"'%' || $1 || '%'",
				"daughter visits") == 0,
		      "the proposal's note stays in clear in a stored replay after the erasure");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	ck_assert_int_eq(call("orgb", "POST", path, body, hdr, &r), 0);
	ck_assert_msg(strstr(r.body, "daughter") == NULL, "%ld %s", r.status, r.body);
	resp_free(&r);
	free(person), free(consent), free(referral), free(site), free(unit);
}
END_TEST

/* DIOGENES records a man by his national register number only, with an
 * Idempotency-Key.  persons.niss_hmac is keyed (REFGW_NISS_KEY_FILE) so
 * that the number cannot be found by trying them all; but the key's
 * request_hash is a plain sha256 of "POST /v1/persons\n" and the body: the
 * number is found by trying the ~36 million valid ones, for
 * REFGW_RETAIN_IDEMPOTENCY_DAYS, after his erasure (which clears
 * niss_hmac) and in every backup.  Here one birth date's 1000 serials. */
START_TEST(no_national_number_recoverable_from_a_request_hash)
{
	const char *hdr[2] = {"Idempotency-Key: review16-niss-1", NULL};
	char body[128], niss[16], path[160], *person;
	long long b = 790314000LL + 417;
	struct resp r;
	PGconn *c = sql_admin();
	const char *p[1];
	long found;

	snprintf(niss, sizeof(niss), "%09lld%02d", b, 97 - (int)(b % 97));
	snprintf(body, sizeof(body), "{\"niss\":\"%s\"}", niss);
	ck_assert_int_eq(call("orgd", "POST", "/v1/persons", body, hdr, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	person = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	p[0] = "790314";
	found = sql_long(
		c,
		"SELECT count(*) FROM idempotency_keys k, generate_series(0, 999) n, "
		"LATERAL (SELECT ($1 || lpad(n::text, 3, '0'))::bigint AS b) x "
		"WHERE k.key = 'review16-niss-1' AND k.request_hash = sha256(convert_to("
		"'POST /v1/persons' || chr(10) || '{\"niss\":\"' || lpad(x.b::text, 9, '0') "
		"|| lpad((97 - x.b % 97)::text, 2, '0') || '\"}', 'UTF8'))",
		1, p);
	ck_assert_msg(found == 0,
		      "his national register number is found from the stored request hash after "
		      "his erasure (%ld match)",
		      found);
	PQfinish(c);
	free(person);
}
END_TEST

/* The coordinators manage who may erase: person.erase is an action of the
 * access rules (schema/047, openapi's enum), but the gateway's list of
 * actions did not know it: PUT /v1/access-rules/{org}/person.erase answered
 * 400, and so did PUT /v1/access-rules resending what GET returns (the
 * suite referrals' flow test failed). */
START_TEST(coordinators_manage_person_erase)
{
	char path[200], *person;
	struct resp r;

	person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"DIO-R16-Pol\"}", 201));
	snprintf(path, sizeof(path), "/v1/access-rules/%s/person.erase", org_id("orgd"));
	ck_assert_int_eq(call("coord", "PUT", path, "{\"allowed\":false}", NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 403, "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/access-rules/%s/person.erase", org_id("orgd"));
	ck_assert_int_eq(call("coord", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 || r.status == 204, "%ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	resp_free(&r);
	free(person);
}
END_TEST

/* The key store's database restarts (or fails over): every connection an
 * instance holds to it is gone.  The next request that needs a key not in
 * the instance's cache answered 503 key-store-unavailable, once per pooled
 * connection, though the key store was back: the lost connection was only
 * noticed by the failing query, and not retried (keys suite failed after
 * the erasure suite in make check). */
START_TEST(a_key_store_restart_costs_no_503)
{
	char conninfo[1024], body[1024], *person;
	PGconn *pg;
	struct resp r;
	int i;

	/* Created through the second instance: not in the first's cache. */
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orgd", "POST", "/v1/persons",
				 "{\"external_ref\":\"DIO-R16-Bram\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 201);
	person = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(conninfo, sizeof(conninfo), "%s user=postgres",
		 env_or_die("REFGW_KEYSTORE_ADMIN_URL"));
	pg = PQconnectdb(conninfo);
	ck_assert_int_eq(PQstatus(pg), CONNECTION_OK);
	ck_assert_int_ge(sql_long(pg,
				  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
				  "WHERE datname = current_database() AND usename = 'refgw_app'",
				  0, NULL),
			 0);
	PQfinish(pg);
	usleep(200000);
	for (i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
			 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
			 "\"valid_until\":\"2099-0%d-01\",\"evidence\":{\"method\":\"oral\","
			 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
			 person, org_id("orgb"), i + 1);
		ck_assert_int_eq(call("orgd", "POST", "/v1/consents", body, NULL, &r), 0);
		ck_assert_msg(r.status == 201, "after the key store's restart: %ld %s", r.status,
			      r.body);
		resp_free(&r);
	}
	free(person);
}
END_TEST

Suite *
review16_suite(void)
{
	Suite *s = suite_create("review16");
	TCase *tc = tcase_create("review16");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_consent_recorded_during_the_erasure_does_not_survive_it);
	tcase_add_test(tc, another_instance_reads_nothing_after_the_erasure);
	tcase_add_test(tc, an_erasure_leaves_no_note_in_a_stored_replay);
	tcase_add_test(tc, an_erasure_leaves_no_proposal_note_in_a_stored_replay);
	tcase_add_test(tc, no_national_number_recoverable_from_a_request_hash);
	tcase_add_test(tc, coordinators_manage_person_erase);
	tcase_add_test(tc, a_key_store_restart_costs_no_503);
	suite_add_tcase(s, tc);
	return s;
}
