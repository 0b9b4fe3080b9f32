/* Integration suite for persons, consents, referrals and the event feed. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

/* POST that must succeed with want; fails the test otherwise. */
static char *
must_post(const char *slug, const char *path, const char *body, long want)
{
	char *id = post_id(slug, path, body, want);

	ck_assert_msg(id != NULL, "POST %s as %s did not answer %ld", path, slug, want);
	return id;
}

static char *
new_person(const char *slug)
{
	return must_post(slug, "/v1/persons",
			 "{\"external_ref\":\"RZ-2026-014\",\"birth_year\":1987}", 201);
}

/* A referral body with data only: no reason, needs or release_date, which
 * are personal fields of their own categories (test_personal_fields.c). */
static void
referral_body(char *out, size_t len, const char *person, const char *to, const char *program,
	      const char *consent, const char *data)
{
	snprintf(out, len,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"data\":%s}",
		 person, org_id(to), program, consent, data);
}

/* Every category, for the referrals that carry every kind of personal field. */
#define ALL_CATEGORIES                                                                             \
	"\"identity\",\"contact\",\"housing_situation\",\"income\",\"family\",\"justice\","        \
	"\"health\""

/* orga refers a fresh person to orgb with identity + housing data, a
 * reason, needs and a release date, under a consent covering them all. */
static char *
new_referral(char **person_out, char **consent_out)
{
	char body[2048];
	char *person = new_person("orga");
	char *consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	char *id;

	snprintf(
		body, sizeof(body),
		"{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		"\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"leaves prison "
		"in January, no housing\",\"data\":{\"identity\":{\"given_name\":\"Jean\"},"
		"\"housing_situation\":{\"current\":\"prison\"}},\"needs\":{\"household_size\":1,"
		"\"accessibility\":\"none\",\"avoid_communes\":[\"Forest\"],\"income_band\":"
		"\"integration_income\"},\"release_date\":\"2027-01-15\"}",
		person, org_id("orgb"), consent);
	id = must_post("orga", "/v1/referrals", body, 201);
	if (person_out)
		*person_out = person;
	else
		free(person);
	if (consent_out)
		*consent_out = consent;
	else
		free(consent);
	return id;
}

static long
transition(const char *slug, const char *id, int version, const char *body, struct resp *r)
{
	char path[128], ifm[32];
	const char *hdr[2] = {ifm, NULL};

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
	snprintf(ifm, sizeof(ifm), "If-Match: \"%d\"", version);
	ck_assert_int_eq(call(slug, "POST", path, body, hdr, r), 0);
	return r->status;
}

START_TEST(persons_are_pseudonymous)
{
	struct resp r;
	char *id;

	ck_assert_int_eq(
		call("orga", "POST", "/v1/persons",
		     "{\"external_ref\":\"RZ-1\",\"birth_year\":1987,\"niss\":\"87010112345\"}",
		     NULL, &r),
		0);
	/* 87010112345: 97 - (870101123 mod 97) = 32, not 45: invalid check digits. */
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(
		call("orga", "POST", "/v1/persons",
		     "{\"external_ref\":\"RZ-1\",\"birth_year\":1987,\"niss\":\"87010112332\"}",
		     NULL, &r),
		0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_ptr_null(json_object_get(r.json, "niss"));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "external_ref")), "RZ-1");
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	/* Stored only as an HMAC: the number is nowhere in the row. */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM persons WHERE id = $1 AND length(niss_hmac) = 32 "
			  "AND position('87010112332' in niss_hmac::text) = 0",
			  id),
		1);
	free(id);
	/* Not a social organisation: refused, nothing written. */
	{
		long before = sql_count("SELECT count(*) FROM persons", NULL);
		ck_assert_int_eq(
			call("coord", "POST", "/v1/persons", "{\"external_ref\":\"X\"}", NULL, &r),
			0);
		ck_assert_int_eq(r.status, 403);
		resp_free(&r);
		ck_assert_int_eq(
			call("orgc", "POST", "/v1/persons", "{\"external_ref\":\"X\"}", NULL, &r),
			0);
		ck_assert_int_eq(r.status, 403);
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM persons", NULL), before);
	}
}
END_TEST

START_TEST(consent_validation)
{
	char *person = new_person("orga"), body[1024];
	struct resp r;
	static const char *const bad[] = {
		"\"valid_until\":\"2001-01-01\",\"evidence\":{\"method\":\"signed_form\","
		"\"reference\":\"F\",\"recorded_by\":\"A\"}",
		"\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\",\"recorded_by\":"
		"\"A\"}",
		"\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\","
		"\"recorded_by\":\"A\"}",
		"\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"telepathy\",\"recorded_"
		"by\":\"A\"}",
	};
	size_t i;
	long before = sql_count("SELECT count(*) FROM consents", NULL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"homeless_service\"}],"
			 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],%"
			 "s}",
			 person, bad[i]);
		ck_assert_int_eq(call("orga", "POST", "/v1/consents", body, NULL, &r), 0);
		ck_assert_msg(r.status == 400, "case %zu: %ld %s", i, r.status, r.body);
		resp_free(&r);
	}
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"bank\"}],\"purposes\":[\"x\"],"
		 "\"data_categories\":[\"dna\"],\"valid_until\":\"2099-01-01\",\"evidence\":{}}",
		 person);
	ck_assert_int_eq(call("orga", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_int_ge(json_array_size(json_object_get(r.json, "errors")), 4);
	resp_free(&r);
	/* Another organisation's person does not exist for orgd. */
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"cpas\"}],\"purposes\":["
		 "\"social_aid\"],"
		 "\"data_categories\":[],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":"
		 "\"oral\",\"witness\":\"B\",\"recorded_by\":\"A\"}}",
		 person);
	ck_assert_int_eq(call("orgd", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM consents", NULL), before);
	free(person);
}
END_TEST

START_TEST(referral_refused_unless_consent_covers)
{
	char *person = new_person("orga"), body[2048];
	char *consent = post_consent("orga", person, "orgb", "\"identity\"");
	struct resp r;
	long before = sql_count("SELECT count(*) FROM referrals", NULL);
	static const struct {
		const char *slug, *to, *program, *data;
		long status;
		const char *needle;
	} cases[] = {
		{"orga", "orgb", "issue.axis1", "{\"health\":{\"care_needs\":\"x\"}}", 403,
		 "category:health"},
		{"orga", "orgd", "diogenes.housing_support", "{}", 403, "recipient"},
		{"orga", "orgb", "no.such.program", "{}", 422, "program"},
		{"orgc", "orgb", "issue.axis1", "{}", 403, "referral.create"},
		{"coord", "orgb", "issue.axis1", "{}", 403, "referral.create"},
		{"orga", "orgb", "issue.axis1", "{\"dna\":{}}", 400, "data.dna"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		referral_body(body, sizeof(body), person, cases[i].to, cases[i].program, consent,
			      cases[i].data);
		ck_assert_int_eq(call(cases[i].slug, "POST", "/v1/referrals", body, NULL, &r), 0);
		ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status, r.body);
		ck_assert_msg(strstr(r.body, cases[i].needle) != NULL, "case %zu: %s", i, r.body);
		resp_free(&r);
	}
	/* Purpose not covered. */
	referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent, "{}");
	{
		json_t *j = json_loads(body, 0, NULL);
		char *text;
		json_object_set_new(j, "purpose", json_string("social_aid"));
		text = json_dumps(j, JSON_COMPACT);
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", text, NULL, &r), 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_ptr_nonnull(strstr(r.body, "purpose:social_aid"));
		resp_free(&r);
		free(text);
		json_decref(j);
	}
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
	free(person);
	free(consent);
}
END_TEST

/* As the owner: one statement that must succeed. */
static void
owner_exec(const char *sql)
{
	PGconn *admin = sql_admin();
	PGresult *res = PQexec(admin, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
		      PQerrorMessage(admin));
	PQclear(res);
	PQfinish(admin);
}

/* The create goes as one call pipelined with COMMIT (schema/060): when
 * COMMIT itself fails (here a deferred trigger, for one person only), the
 * client is told so, and nothing of it stays: no referral, no audit row, no
 * event.  With an Idempotency-Key the router commits with the stored
 * answer: the same, and a retry with the key runs anew. */
START_TEST(create_refused_at_commit_acknowledges_nothing)
{
	char *person = new_person("orga"), body[2048], sql[1024];
	char *consent = post_consent("orga", person, "orgb", "\"identity\"");
	const char *hdr[2] = {"Idempotency-Key: commit-refused-1", NULL};
	static const char *const received =
		"SELECT count(*) FROM events WHERE organisation_id = $1::uuid AND "
		"type = 'referral.received'";
	long events = sql_count(received, org_id("orgb"));
	struct resp r;
	int k;

	snprintf(sql, sizeof(sql),
		 "CREATE FUNCTION test_refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
		 "$$ BEGIN IF NEW.person_id = '%s' THEN RAISE EXCEPTION 'refused at commit'; "
		 "END IF; RETURN NULL; END $$",
		 person);
	owner_exec(sql);
	owner_exec("CREATE CONSTRAINT TRIGGER test_refuse_at_commit AFTER INSERT ON referrals "
		   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
		   "test_refuse_at_commit()");
	referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent,
		      "{\"identity\":{\"given_name\":\"Jean\"}}");
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, k ? hdr : NULL, &r),
				 0);
		ck_assert_msg(r.status == 500, "%s: %ld %s", k ? "keyed" : "plain", r.status,
			      r.body);
		ck_assert_str_eq(problem_type(&r), URN "internal");
		ck_assert_ptr_nonnull(strstr(r.body, "could not be committed"));
		resp_free(&r);
	}
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals WHERE person_id = $1", person),
			 0);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE person_id = $1 AND "
				   "action = 'referral.create'",
				   person),
			 0);
	ck_assert_int_eq(sql_count(received, org_id("orgb")), events);
	owner_exec("DROP TRIGGER test_refuse_at_commit ON referrals");
	owner_exec("DROP FUNCTION test_refuse_at_commit()");
	/* Nothing was stored under the key: the retry creates. */
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, hdr, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals r JOIN audit_log a ON "
				   "a.resource_id = r.id::text AND a.action = 'referral.create' "
				   "WHERE r.person_id = $1",
				   person),
			 1);
	ck_assert_int_eq(sql_count(received, org_id("orgb")), events + 1);
	free(person);
	free(consent);
}
END_TEST

START_TEST(referral_visible_to_sender_and_receiver_only)
{
	char *person = NULL, *id = new_referral(&person, NULL), path[128];
	struct resp r;
	long audits;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	audits = sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			   "person_id = $1::uuid",
			   person);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(r.json, "data"), "identity"),
				 "given_name")),
			 "Jean");
	ck_assert_str_eq(r.etag, "\"1\"");
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			  "person_id = $1::uuid",
			  person),
		audits + 1);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* A third organisation: as if it did not exist.  A coordinator: refused. */
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* Lists: the sender's sent, the receiver's received. */
	ck_assert_int_eq(call("orgb", "GET",
			      "/v1/referrals?role=received&status=submitted&limit=200", NULL, NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, id));
	ck_assert_ptr_null(strstr(r.body, "\"data\"")); /* lists carry no personal data */
	resp_free(&r);
	/* A list item is the referral as GET shows it, without its data. */
	{
		struct resp one, list;
		json_t *item, *found = NULL;
		size_t k;
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &one), 0);
		ck_assert_int_eq(
			call("orga", "GET", "/v1/referrals?role=sent&limit=200", NULL, NULL, &list),
			0);
		json_array_foreach(json_object_get(list.json, "items"), k, item)
			if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
				found = item;
		ck_assert_ptr_nonnull(found);
		/* Lists carry no personal field (docs/data-protection.md). */
		json_object_del(one.json, "data");
		json_object_del(one.json, "reason");
		json_object_del(one.json, "needs");
		json_object_del(one.json, "release_date");
		ck_assert_msg(json_equal(one.json, found), "list item %s vs %s",
			      json_dumps(found, JSON_COMPACT), one.body);
		resp_free(&one);
		resp_free(&list);
	}
	ck_assert_int_eq(call("orgd", "GET", "/v1/referrals?role=received", NULL, NULL, &r), 0);
	ck_assert_ptr_null(strstr(r.body, id));
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", "/v1/referrals?role=both", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	free(person);
	free(id);
}
END_TEST

START_TEST(referral_lists_page_with_cursor)
{
	int i;

	for (i = 0; i < 3; i++)
		free(new_referral(NULL, NULL));
	ck_assert_int_eq(walk_pages("orga", "/v1/referrals?role=sent", 2),
			 sql_count("SELECT count(*) FROM referrals WHERE from_org = $1::uuid",
				   org_id("orga")));
}
END_TEST

/* A cursor that decodes but whose time PostgreSQL cannot read: the list's
 * statement fails inside the request's transaction; 400, and each session
 * goes back to the pool rolled back -- more refusals than pooled
 * connections, then lists that work. */
START_TEST(list_cursor_refused_by_postgres_leaves_sessions_clean)
{
	/* base64url of ["not a time","00000000-0000-0000-0000-000000000001"] */
	static const char bad[] =
		"WyJub3QgYSB0aW1lIiwiMDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAxIl0";
	char path[256];
	struct resp r;
	int i;

	free(new_referral(NULL, NULL));
	free(new_referral(NULL, NULL)); /* two: the page of one has a next cursor */
	snprintf(path, sizeof(path), "/v1/referrals?role=received&cursor=%s", bad);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 400);
		ck_assert_str_eq(problem_type(&r), URN "invalid-cursor");
		resp_free(&r);
	}
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(
			call("orgb", "GET", "/v1/referrals?role=received&limit=1", NULL, NULL, &r),
			0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
		ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "next_cursor")));
		resp_free(&r);
	}
}
END_TEST

START_TEST(transitions_follow_the_state_machine)
{
	char *id = new_referral(NULL, NULL), path[128];
	struct resp r;

	/* Receiver cannot skip a state; sender cannot accept. */
	ck_assert_int_eq(transition("orgb", id, 1, "{\"to\":\"accepted\"}", &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "invalid-transition");
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "detail")), "received"));
	resp_free(&r);
	ck_assert_int_eq(transition("orga", id, 1, "{\"to\":\"received\"}", &r), 409);
	resp_free(&r);
	ck_assert_int_eq(transition("orgd", id, 1, "{\"to\":\"received\"}", &r), 404);
	resp_free(&r);
	ck_assert_int_eq(transition("orgb", id, 1, "{\"to\":\"received\"}", &r), 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	ck_assert_int_eq(transition("orgb", id, 1, "{\"to\":\"waitlisted\"}", &r), 412);
	resp_free(&r);
	ck_assert_int_eq(transition("orgb", id, 2, "{\"to\":\"declined\"}", &r), 400);
	resp_free(&r);
	ck_assert_int_eq(
		transition("orgb", id, 2, "{\"to\":\"declined\",\"reason_code\":\"other\"}", &r),
		400);
	resp_free(&r);
	ck_assert_int_eq(transition("orgb", id, 2, "{\"to\":\"waitlisted\"}", &r), 200);
	resp_free(&r);
	ck_assert_int_eq(
		transition(
			"orgb", id, 3,
			"{\"to\":\"declined\",\"reason_code\":\"no_capacity\",\"note\":\"full\"}",
			&r),
		200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "declined");
	resp_free(&r);
	/* Terminal: even the sender's cancel is refused. */
	ck_assert_int_eq(transition("orga", id, 4, "{\"to\":\"cancelled\"}", &r), 409);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s/history", id);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 4);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "items"), 3), "reason_code")),
		"no_capacity");
	resp_free(&r);
	free(id);
}
END_TEST

struct racer {
	const char *id, *body;
	long status;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct resp r;

	x->status = transition("orgb", x->id, 2, x->body, &r);
	resp_free(&r);
	return NULL;
}

START_TEST(concurrent_transitions_one_wins)
{
	char *id = new_referral(NULL, NULL);
	struct resp r;
	struct racer a = {id, "{\"to\":\"accepted\"}", 0}, b = {id, "{\"to\":\"waitlisted\"}", 0};
	pthread_t ta, tb;

	ck_assert_int_eq(transition("orgb", id, 1, "{\"to\":\"received\"}", &r), 200);
	resp_free(&r);
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	ck_assert_msg((a.status == 200 && b.status == 412) || (a.status == 412 && b.status == 200),
		      "statuses %ld and %ld", a.status, b.status);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referral_transitions WHERE referral_id = $1::uuid",
			  id),
		3);
	free(id);
}
END_TEST

START_TEST(withdrawal_hides_data_at_once_and_tells_recipients)
{
	char *person = NULL, *consent = NULL, *id = new_referral(&person, &consent), path[128];
	struct resp r;
	long events;

	events =
		sql_count("SELECT count(*) FROM events WHERE organisation_id = $1::uuid AND type = "
			  "'referral.consent_withdrawn'",
			  org_id("orgb"));
	/* Someone else cannot withdraw it. */
	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"reason\":\"x\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", path, "{\"reason\":\"the person asked\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "withdrawn");
	resp_free(&r);

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "consent_withdrawn");
	ck_assert_ptr_null(json_object_get(r.json, "data"));
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM events WHERE organisation_id = $1::uuid AND type = "
			  "'referral.consent_withdrawn'",
			  org_id("orgb")),
		events + 1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'consent.withdraw' AND "
			  "person_id = $1::uuid",
			  person),
		1);
	/* The withdrawn consent no longer covers anything. */
	{
		char body[2048];
		referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent, "{}");
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_ptr_nonnull(strstr(r.body, "withdrawn"));
		resp_free(&r);
	}
	/* The person's creator sees who accessed the data. */
	free(person);
	free(consent);
	free(id);
}
END_TEST

START_TEST(rls_third_organisation_sees_no_referral_rows)
{
	PGconn *app = sql_app();
	const char *d[1] = {org_id("orgd")};
	PGresult *res;
	char *id = new_referral(NULL, NULL);

	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 d),
		1);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referrals", 0, NULL), 0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referral_data", 0, NULL), 0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referral_transitions", 0, NULL), 0);
	ck_assert_int_eq(
		sql_long(app, "SELECT count(*) FROM persons WHERE created_by <> $1::uuid", 1, d),
		0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM consents", 0, NULL), 0);
	/* (its own feed holds the certificate.registered of its bootstrap: schema/017) */
	ck_assert_int_eq(sql_long(app,
				  "SELECT count(*) FROM events WHERE type NOT LIKE 'certificate.%'",
				  0, NULL),
			 0);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
	free(id);
}
END_TEST

START_TEST(rls_applies_the_access_rules_to_reads)
{
	char *id = new_referral(NULL, NULL);
	PGconn *admin = sql_admin(), *app = sql_app();
	const char *b[1] = {org_id("orgb")};
	PGresult *res;

	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 b),
		1);
	ck_assert_int_ge(sql_long(app, "SELECT count(*) FROM referrals", 0, NULL), 1);
	res = PQexec(app, "COMMIT");
	PQclear(res);
	/* An organisation rule takes referral.read away from orgb. */
	res = PQexecParams(admin,
			   "INSERT INTO access_rules (organisation_id, action, allowed) "
			   "VALUES ($1::uuid, 'referral.read', false)",
			   1, NULL, b, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 b),
		1);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referrals", 0, NULL), 0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referral_data", 0, NULL), 0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM referral_transitions", 0, NULL), 0);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	res = PQexecParams(admin, "DELETE FROM access_rules WHERE organisation_id = $1::uuid", 1,
			   NULL, b, NULL, NULL, 0);
	PQclear(res);
	PQfinish(app);
	PQfinish(admin);
	free(id);
}
END_TEST

struct poster {
	const char *body, *key;
	long status;
};

static void *
post_referral(void *arg)
{
	struct poster *p = arg;
	const char *hdr[2] = {p->key, NULL};
	struct resp r;

	if (call("orga", "POST", "/v1/referrals", p->body, hdr, &r) == 0)
		p->status = r.status;
	resp_free(&r);
	return NULL;
}

START_TEST(same_referral_posted_20_times_concurrently_creates_one)
{
	char *person = new_person("orga"), body[2048], key[96];
	char *consent = post_consent("orga", person, "orgb", "\"identity\"");
	struct poster p[20];
	pthread_t t[20];
	int i;

	referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent, "{}");
	snprintf(key, sizeof(key), "Idempotency-Key: ref-%s", person);
	for (i = 0; i < 20; i++) {
		p[i].body = body;
		p[i].key = key;
		p[i].status = 0;
		pthread_create(&t[i], NULL, post_referral, &p[i]);
	}
	for (i = 0; i < 20; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(p[i].status, 201);
	}
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person), 1);
	free(person);
	free(consent);
}
END_TEST

/* Event feed: concurrent writers, one reader following its cursor. */
struct writer_arg {
	int n;
	int failures;
};

static void *
writer(void *arg)
{
	struct writer_arg *w = arg;
	int i;

	for (i = 0; i < w->n; i++) {
		char *id = new_referral(NULL, NULL);
		if (id == NULL)
			w->failures++;
		free(id);
	}
	return NULL;
}

static volatile int writers_done;

struct reader_arg {
	long first, last, seen, gaps, repeats;
};

static void *
reader(void *arg)
{
	struct reader_arg *rd = arg;
	char path[128];
	struct resp r;
	long cursor = rd->first, quiet = 0;

	while (quiet < 3) {
		size_t i;
		json_t *e;
		snprintf(path, sizeof(path), "/v1/events?after=%ld&limit=7", cursor);
		if (call("orgb", "GET", path, NULL, NULL, &r) != 0 || r.status != 200) {
			resp_free(&r);
			rd->gaps++;
			break;
		}
		json_array_foreach(json_object_get(r.json, "items"), i, e) {
			long seq = strtol(json_string_value(json_object_get(e, "id")), NULL, 10);
			if (seq == cursor + 1)
				rd->seen++;
			else if (seq <= cursor)
				rd->repeats++;
			else
				rd->gaps++;
			cursor = seq;
		}
		ck_assert_int_eq(
			strtol(json_string_value(json_object_get(r.json, "next_cursor")), NULL, 10),
			cursor);
		if (json_array_size(json_object_get(r.json, "items")) == 0 && writers_done)
			quiet++;
		resp_free(&r);
	}
	rd->last = cursor;
	return NULL;
}

START_TEST(event_feed_in_order_under_concurrent_writers)
{
	struct writer_arg w[4] = {{6, 0}, {6, 0}, {6, 0}, {6, 0}};
	struct reader_arg rd = {0};
	pthread_t tw[4], tr;
	int i;

	rd.first =
		sql_count("SELECT refgw_events_number($1::uuid)" /* numbered first: schema/067 */,
			  org_id("orgb"));
	writers_done = 0;
	pthread_create(&tr, NULL, reader, &rd);
	for (i = 0; i < 4; i++)
		pthread_create(&tw[i], NULL, writer, &w[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(tw[i], NULL);
		ck_assert_int_eq(w[i].failures, 0);
	}
	writers_done = 1;
	pthread_join(tr, NULL);
	ck_assert_int_eq(rd.gaps, 0);
	ck_assert_int_eq(rd.repeats, 0);
	ck_assert_int_eq(rd.seen, 24);
	ck_assert_int_eq(rd.last, rd.first + 24);
	/* Resuming from any cursor yields exactly what follows it. */
	{
		char path[128];
		struct resp r;
		snprintf(path, sizeof(path), "/v1/events?after=%ld&limit=200", rd.first + 10);
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 14);
		ck_assert_str_eq(
			json_string_value(json_object_get(
				json_array_get(json_object_get(r.json, "items"), 0), "type")),
			"referral.received");
		resp_free(&r);
		ck_assert_int_eq(call("orgb", "GET", "/v1/events?after=-1", NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 400);
		resp_free(&r);
	}
}
END_TEST

START_TEST(consents_listed_for_creator_and_coordinator)
{
	char *person = new_person("orga"), path[128];
	char *consent = post_consent("orga", person, "orgb", "\"identity\"");
	struct resp r;

	snprintf(path, sizeof(path), "/v1/consents?person_id=%s", person);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	ck_assert_str_eq(
		json_string_value(json_object_get(
			json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
					"evidence"),
			"reference")),
		"RZ-F-0142");
	resp_free(&r);
	/* The coordinator sees that it exists, not its evidence. */
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	ck_assert_ptr_null(
		json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "evidence"));
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/consents", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	free(person);
	free(consent);
}
END_TEST

START_TEST(audit_shows_the_consent_creator_who_accessed)
{
	char *person = NULL, *id = new_referral(&person, NULL), path[128];
	struct resp r;
	size_t i;
	json_t *e;
	int found = 0;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/audit?person_id=%s&limit=2", person);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "next_cursor")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/audit?person_id=%s", person);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	json_array_foreach(json_object_get(r.json, "items"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "action")), "referral.read") == 0 &&
		    strcmp(json_string_value(json_object_get(e, "organisation_id")),
			   org_id("orgb")) == 0)
			found = 1;
	ck_assert_msg(found, "%s", r.body);
	resp_free(&r);
	/* The receiver is not the consent's creator: nothing.  An operator: refused. */
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_ge(json_array_size(json_object_get(r.json, "items")), 3);
	resp_free(&r);
	free(person);
	free(id);
}
END_TEST

START_TEST(access_rules_read_by_all_replaced_by_coordinators)
{
	struct resp r;
	json_t *rules, *set, *item;
	char *original, *changed, body[256];
	long n_rules = sql_count("SELECT count(*) FROM access_rules", NULL);
	size_t i;

	/* Each organisation reads the rules that apply to it. */
	ck_assert_int_eq(call("orgc", "GET", "/v1/access-rules", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, item)
		ck_assert_str_eq(json_string_value(json_object_get(item, "kind")),
				 "housing_operator");
	resp_free(&r);

	ck_assert_int_eq(call("coord", "GET", "/v1/access-rules", NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), n_rules);
	rules = json_array();
	json_array_foreach(json_object_get(r.json, "items"), i, item) {
		json_t *copy = json_deep_copy(item);
		json_object_del(copy, "id");
		json_object_del(copy, "updated_at");
		json_array_append_new(rules, copy);
	}
	resp_free(&r);
	set = json_pack("{s:O}", "rules", rules);
	original = json_dumps(set, JSON_COMPACT);
	json_array_append_new(rules, json_pack("{s:s, s:s, s:b}", "organisation_id", org_id("orgd"),
					       "action", "referral.create", "allowed", 0));
	json_object_set(set, "rules", rules);
	changed = json_dumps(set, JSON_COMPACT);

	ck_assert_int_eq(call("orgd", "PUT", "/v1/access-rules", changed, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PUT", "/v1/access-rules", changed, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* orgd may no longer refer; its own rule overrides its kind's. */
	{
		char *person = new_person("orgd");
		char *consent = post_consent("orgd", person, "orgb", "\"identity\"");
		char rb[2048];
		referral_body(rb, sizeof(rb), person, "orgb", "issue.axis1", consent, "{}");
		ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", rb, NULL, &r), 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_ptr_nonnull(strstr(r.body, "referral.create"));
		resp_free(&r);
		free(person);
		free(consent);
	}
	/* Refused: locking coordinators out, unknown actions. */
	snprintf(body, sizeof(body),
		 "{\"rules\":[{\"kind\":\"cpas\",\"action\":\"referral.create\","
		 "\"allowed\":true}]}");
	ck_assert_int_eq(call("coord", "PUT", "/v1/access-rules", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PUT", "/v1/access-rules",
			      "{\"rules\":[{\"kind\":\"cpas\",\"action\":\"everything.all\","
			      "\"allowed\":true}]}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM access_rules", NULL), n_rules + 1);
	/* Back to the defaults. */
	ck_assert_int_eq(call("coord", "PUT", "/v1/access-rules", original, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM access_rules", NULL), n_rules);
	free(original);
	free(changed);
	json_decref(rules);
	json_decref(set);
}
END_TEST

START_TEST(expired_consent_hides_data_and_covers_nothing)
{
	char *person = NULL, *consent = NULL, *id = new_referral(&person, &consent), path[128],
	     body[2048];
	struct resp r;
	PGconn *admin = sql_admin();
	const char *p[1] = {consent};
	PGresult *res;

	/* Time passes: the consent ends yesterday. */
	res = PQexecParams(admin,
			   "UPDATE consents SET valid_until = current_date - 1 WHERE id = $1::uuid",
			   1, NULL, p, NULL, NULL, 0);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(admin);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "data"));
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_ptr_null(json_object_get(r.json, "data"));
	resp_free(&r);
	referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent, "{}");
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	ck_assert_ptr_nonnull(strstr(r.body, "expired"));
	resp_free(&r);
	free(person);
	free(consent);
	free(id);
}
END_TEST

/* Long-poll: a change made through the other gateway process wakes it. */
static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double created_at_s;
static long parked_while_waiting;

static void *
create_via_second_gateway(void *arg)
{
	char body[2048];
	struct resp r;
	char *person = new_person("orga");
	char *consent = post_consent("orga", person, "orgb", "\"identity\"");

	(void)arg;
	referral_body(body, sizeof(body), person, "orgb", "issue.axis1", consent, "{}");
	usleep(700000);
	parked_while_waiting = ops_metric("REFGW_TEST_OPS", "refgw_long_polls_parked");
	ck_assert_int_eq(
		call_at("REFGW_TEST_BASE2", "orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	created_at_s = now_s();
	ck_assert_int_eq(r.status, 201);
	resp_free(&r);
	free(person);
	free(consent);
	return NULL;
}

START_TEST(long_poll_wakes_on_a_change_through_another_gateway)
{
	long cursor =
		sql_count("SELECT refgw_events_number($1::uuid)" /* numbered first: schema/067 */,
			  org_id("orgb"));
	char path[128];
	struct resp r;
	pthread_t t;
	double t0, back;

	snprintf(path, sizeof(path), "/v1/events?after=%ld&wait=20", cursor);
	pthread_create(&t, NULL, create_via_second_gateway, NULL);
	t0 = now_s();
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	back = now_s();
	pthread_join(t, NULL);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(r.json, "items"), 0), "type")),
			 "referral.received");
	{
		/* The whole shape of an event (written without jansson, referrals.c). */
		json_t *ev = json_array_get(json_object_get(r.json, "items"), 0),
		       *res = json_object_get(ev, "resource");
		const char *id = json_string_value(json_object_get(ev, "id")),
			   *at = json_string_value(json_object_get(ev, "created_at"));
		ck_assert_int_eq(json_object_size(ev), 4);
		ck_assert_ptr_nonnull(id);
		ck_assert_int_gt(strtol(id, NULL, 10), cursor);
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "next_cursor")), id);
		ck_assert_str_eq(json_string_value(json_object_get(res, "type")), "referral");
		ck_assert_int_eq(strlen(json_string_value(json_object_get(res, "id")) ?: ""), 36);
		ck_assert_ptr_nonnull(at);
		ck_assert_int_eq(strlen(at), 20); /* YYYY-MM-DDTHH:MM:SSZ */
		ck_assert_int_eq(at[19], 'Z');
	}
	resp_free(&r);
	ck_assert_msg(back - t0 >= 0.5, "answered before the change (%.3f s)", back - t0);
	ck_assert_msg(back - created_at_s < 1.0, "answered %.3f s after the change",
		      back - created_at_s);
	/* It was counted while it waited, and is no longer. */
	ck_assert_int_eq(parked_while_waiting, 1);
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS", "refgw_long_polls_parked"), 0);

	/* No news: an empty page after about `wait` seconds, with the same cursor. */
	snprintf(path, sizeof(path), "/v1/events?after=%ld&wait=1", cursor + 1);
	t0 = now_s();
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	ck_assert_int_eq(
		strtol(json_string_value(json_object_get(r.json, "next_cursor")), NULL, 10),
		cursor + 1);
	resp_free(&r);
	ck_assert_msg(now_s() - t0 >= 0.9 && now_s() - t0 < 3.0, "waited %.3f s", now_s() - t0);
	ck_assert_int_eq(call("orgb", "GET", "/v1/events?wait=31", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
}
END_TEST

Suite *
referrals_suite(void)
{
	Suite *s = suite_create("referrals");
	TCase *t = tcase_create("flow");

	tcase_add_test(t, persons_are_pseudonymous);
	tcase_add_test(t, consent_validation);
	tcase_add_test(t, referral_refused_unless_consent_covers);
	tcase_add_test(t, create_refused_at_commit_acknowledges_nothing);
	tcase_add_test(t, referral_visible_to_sender_and_receiver_only);
	tcase_add_test(t, referral_lists_page_with_cursor);
	tcase_add_test(t, list_cursor_refused_by_postgres_leaves_sessions_clean);
	tcase_add_test(t, transitions_follow_the_state_machine);
	tcase_add_test(t, concurrent_transitions_one_wins);
	tcase_add_test(t, withdrawal_hides_data_at_once_and_tells_recipients);
	tcase_add_test(t, rls_third_organisation_sees_no_referral_rows);
	tcase_add_test(t, rls_applies_the_access_rules_to_reads);
	tcase_add_test(t, same_referral_posted_20_times_concurrently_creates_one);
	tcase_add_test(t, event_feed_in_order_under_concurrent_writers);
	tcase_add_test(t, consents_listed_for_creator_and_coordinator);
	tcase_add_test(t, audit_shows_the_consent_creator_who_accessed);
	tcase_add_test(t, access_rules_read_by_all_replaced_by_coordinators);
	tcase_add_test(t, expired_consent_hides_data_and_covers_nothing);
	tcase_add_test(t, long_poll_wakes_on_a_change_through_another_gateway);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}
