/* Integration suite "review14" (hostile review of issue 14): what the
 * intake, operator, placement and parallel-referral flows must not reveal. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

/* a valid national number (97 - 850101001 mod 97 = 15) used only here */
#define NISS_R14 "85010100115"
/* another (97 - 850101002 mod 97 = 14) */
#define NISS_R14_B "85010100214"

/* A parallel notice is no oracle.  DIOGENES (orgd) must not learn whether
 * a national number it merely types in has an open housing referral
 * elsewhere: it creates a person with that number, a consent it records
 * itself, and an intake to its own program, and reads the intake.  The
 * intake's organisation is its own sender (docs/data-protection.md: the
 * sender never sees a notice); only a receiver to whom another
 * organisation referred the person is told. */
START_TEST(intake_is_no_oracle_for_parallel_referrals)
{
	char body[1024], path[160], *person, *consent, *id, *other_person, *other_consent, *other;
	struct resp r;

	/* ISSUE's partner (orgb) refers the person to Rizome's transit studios */
	other_person = post_id("orgb", "/v1/persons",
			       "{\"external_ref\":\"R14-P\",\"niss\":\"" NISS_R14 "\"}", 201);
	ck_assert_ptr_nonnull(other_person);
	other_consent = post_consent("orgb", other_person, "orga", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"sortie de prison sans logement\"}",
		 other_person, org_id("orga"), other_consent);
	other = post_id("orgb", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(other);

	/* DIOGENES probes the number with an intake of its own */
	person = post_id("orgd", "/v1/persons",
			 "{\"external_ref\":\"R14-PROBE\",\"niss\":\"" NISS_R14 "\"}", 201);
	ck_assert_ptr_nonnull(person);
	consent = post_consent("orgd", person, "orgd", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\","
		 "\"program\":\"diogenes.housing_support\",\"consent_id\":\"%s\","
		 "\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 person, org_id("orgd"), consent);
	ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "intake answered %ld: %s", r.status, r.body);
	ck_assert_ptr_null(json_object_get(r.json, "parallel"));
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_object_get(r.json, "parallel") == NULL,
		      "an intake tells its own organisation of a referral elsewhere: %s", r.body);
	resp_free(&r);
	/* nor is it audited as a notice given */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
				   "'referral.parallel_notice' AND resource_id = $1",
				   id),
			 0);

	/* Rizome, which received the referral from another organisation, is
	 * still told of DIOGENES' housing track (the intake counts as the
	 * other one). */
	snprintf(path, sizeof(path), "/v1/referrals/%s", other);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "parallel")), 1);
	resp_free(&r);

	free(other_person);
	free(other_consent);
	free(other);
	free(person);
	free(consent);
	free(id);
}
END_TEST

/* The other referral counts only while ITS consent holds: once the person's
 * consent to the first referral has expired (no status changes on expiry),
 * the second receiver must not learn that the first exists. */
START_TEST(parallel_notice_ends_with_the_other_consent)
{
	char body[1024], path[160], *p1, *c1, *first, *p2, *c2, *second;
	struct resp r;

	/* orgb refers the person to Rizome's transit studios ... */
	p1 = post_id("orgb", "/v1/persons",
		     "{\"external_ref\":\"R14-E1\",\"niss\":\"" NISS_R14_B "\"}", 201);
	ck_assert_ptr_nonnull(p1);
	c1 = post_consent("orgb", p1, "orga", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 p1, org_id("orga"), c1);
	first = post_id("orgb", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(first);
	/* ... the CPAS the same person to DIOGENES' housing support */
	p2 = post_id("cachee", "/v1/persons",
		     "{\"external_ref\":\"R14-E2\",\"niss\":\"" NISS_R14_B "\"}", 201);
	ck_assert_ptr_nonnull(p2);
	c2 = post_consent("cachee", p2, "orgd", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\","
		 "\"program\":\"diogenes.housing_support\",\"consent_id\":\"%s\","
		 "\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 p2, org_id("orgd"), c2);
	second = post_id("cachee", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(second);
	snprintf(path, sizeof(path), "/v1/referrals/%s", second);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "parallel")), 1);
	resp_free(&r);

	/* the first consent expires (time passes: set by the owner) */
	ck_assert_int_eq(sql_count("WITH u AS (UPDATE consents SET valid_until = current_date - 1 "
				   "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM u",
				   c1),
			 1);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_object_get(r.json, "parallel") == NULL,
		      "a referral whose consent expired is still told of: %s", r.body);
	resp_free(&r);

	free(p1);
	free(c1);
	free(first);
	free(p2);
	free(c2);
	free(second);
}
END_TEST

/* An operator (orgc) reads a proposed person only while the referral is
 * open: once Rizome (orga) cancels its intake (the person was housed
 * elsewhere, or asked it), the proposal still open at the operator must
 * neither show the person's shared data nor be accepted (which reserved a
 * unit for a closed referral). */
START_TEST(operator_reads_nothing_once_the_referral_is_cancelled)
{
	char body[2048], path[160], recipients[256], *site, *unit, *person, *consent, *id, *p;
	const char *ifm[] = {"If-Match: \"1\"", NULL};
	struct resp r;

	site = post_id("orgc", "/v1/sites",
		       "{\"name\":\"Rue R14\",\"commune\":\"Anderlecht\",\"units\":2,"
		       "\"period_from\":\"2026-01-01\"}",
		       201);
	ck_assert_ptr_nonnull(site);
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"R14-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Anderlecht\","
		 "\"address\":\"Rue R14 1, 1070 Anderlecht\",\"monthly_contribution_eur\":300,"
		 "\"available_from\":\"2026-12-01\",\"terms\":\"lease\",\"max_stay_months\":18,"
		 "\"audience\":[{\"organisation_id\":\"%s\"}],\"status\":\"published\"}",
		 site, org_id("orga"));
	unit = post_id("orgc", "/v1/units", body, 201);
	ck_assert_ptr_nonnull(unit);
	person = post_id("orga", "/v1/persons", "{\"external_ref\":\"R14-C\"}", 201);
	ck_assert_ptr_nonnull(person);
	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgc"));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],\"valid_until\":"
		 "\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":"
		 "\"R14-F\",\"recorded_by\":\"A. Peeters\"}}",
		 person, recipients);
	consent = post_id("orga", "/v1/consents", body, 201);
	ck_assert_ptr_nonnull(consent);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"rue\","
		 "\"data\":{\"identity\":{\"given_name\":\"Marcel\"}}}",
		 person, org_id("orga"), consent);
	id = post_id("orga", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(id);
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", id);
	p = post_id("orga", path, body, 201);
	ck_assert_ptr_nonnull(p);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Marcel"));
	resp_free(&r);

	/* Rizome cancels its intake */
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"to\":\"cancelled\",\"reason_code\":\"person_housed_elsewhere\"}",
			      ifm, &r),
			 0);
	ck_assert_msg(r.status == 200, "cancel answered %ld: %s", r.status, r.body);
	resp_free(&r);

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(strstr(r.body, "Marcel") == NULL,
		      "the operator reads a cancelled referral's person: %s", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 409, "accept of a cancelled referral's proposal: %ld %s",
		      r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "published");
	resp_free(&r);

	free(site);
	free(unit);
	free(person);
	free(consent);
	free(id);
	free(p);
}
END_TEST

/* One person record referred twice by Rizome (its own intake and a
 * referral it sent to an ISSUE partner), each proposed by Rizome for one of
 * two units of the same operator (orgc). */
struct twice {
	char *site, *units[2], *person, *consent, *refs[2], *props[2];
};

static void
twice_setup(struct twice *t, const char *tag)
{
	char body[2048], path[160], recipients[256];
	int i;

	snprintf(body, sizeof(body),
		 "{\"name\":\"Rue %s\",\"commune\":\"Anderlecht\",\"units\":2,"
		 "\"period_from\":\"2026-01-01\"}",
		 tag);
	t->site = post_id("orgc", "/v1/sites", body, 201);
	ck_assert_ptr_nonnull(t->site);
	for (i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"site_id\":\"%s\",\"label\":\"%s-%d\",\"type\":\"studio\","
			 "\"bedrooms\":0,\"furnished\":true,\"accessibility\":\"none\","
			 "\"commune\":\"Anderlecht\",\"address\":\"Rue %s %d\","
			 "\"available_from\":\"2026-12-01\",\"terms\":\"lease\","
			 "\"max_stay_months\":18,\"audience\":[{\"organisation_id\":\"%s\"}],"
			 "\"status\":\"published\"}",
			 t->site, tag, i, tag, i, org_id("orga"));
		t->units[i] = post_id("orgc", "/v1/units", body, 201);
		ck_assert_ptr_nonnull(t->units[i]);
	}
	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", tag);
	t->person = post_id("orga", "/v1/persons", body, 201);
	ck_assert_ptr_nonnull(t->person);
	snprintf(recipients, sizeof(recipients),
		 "[{\"organisation_id\":\"%s\"},{\"organisation_id\":\"%s\"}]", org_id("orgc"),
		 org_id("orgb"));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],\"valid_until\":"
		 "\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":"
		 "\"%s\",\"recorded_by\":\"A. Peeters\"}}",
		 t->person, recipients, tag);
	t->consent = post_id("orga", "/v1/consents", body, 201);
	ck_assert_ptr_nonnull(t->consent);
	/* its own intake, and a referral to the ISSUE partner */
	for (i = 0; i < 2; i++) {
		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
			 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
			 "\"reason\":\"rue\"}",
			 t->person, org_id(i == 0 ? "orga" : "orgb"),
			 i == 0 ? "a.transit" : "issue.axis1", t->consent);
		t->refs[i] = post_id("orga", "/v1/referrals", body, 201);
		ck_assert_ptr_nonnull(t->refs[i]);
		snprintf(path, sizeof(path), "/v1/units/%s/proposals", t->units[i]);
		snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", t->refs[i]);
		t->props[i] = post_id("orga", path, body, 201);
		ck_assert_ptr_nonnull(t->props[i]);
	}
}

static void
twice_free(struct twice *t)
{
	int i;

	free(t->site);
	free(t->person);
	free(t->consent);
	for (i = 0; i < 2; i++) {
		free(t->units[i]);
		free(t->refs[i]);
		free(t->props[i]);
	}
}

static void
assert_unit_status(const char *unit, const char *want)
{
	char path[160];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), want);
	resp_free(&r);
}

/* The first acceptance houses the person, the second is refused (409
 * person-placed) and its unit stays published. */
START_TEST(a_person_is_placed_once_across_its_referrals)
{
	char path[160];
	struct twice t;
	struct resp r;

	twice_setup(&t, "R14-TWICE");
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", t.props[0]);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 200, "first accept: %ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", t.props[1]);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 409 && strstr(r.body, "person-placed"),
		      "the same person accepted for a second unit: %ld %s", r.status, r.body);
	resp_free(&r);
	assert_unit_status(t.units[1], "published");
	twice_free(&t);
}
END_TEST

struct accept_call {
	const char *proposal;
	struct resp r;
	int done; /* set by the thread, read with __atomic */
};

static void *
accept_in_thread(void *arg)
{
	struct accept_call *a = arg;
	char path[160];

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", a->proposal);
	if (call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &a->r) != 0)
		a->r.status = -1;
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* The same two acceptances at the same moment (schema/034).  The first
 * runs in a transaction held open here, as the operator (orgc); the
 * second, through the gateway, must wait for it instead of deciding on a
 * snapshot that does not show it yet, then refuse: the person is placed.
 * Without the person's lock both commit, and the person holds two units. */
START_TEST(concurrent_acceptances_place_a_person_once)
{
	const char *o[1] = {org_id("orgc")};
	struct accept_call second = {0};
	struct twice t;
	PGconn *app;
	PGresult *res;
	pthread_t th;
	const char *p[1];
	int waited;

	twice_setup(&t, "R15-RACE");
	app = sql_app();
	res = PQexec(app, "BEGIN");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	p[0] = t.props[0];
	res = PQexecParams(app, "SELECT refgw_accept_proposal($1::uuid)", 1, NULL, p, NULL, NULL,
			   0);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
			      strcmp(PQgetvalue(res, 0, 0), "accepted") == 0,
		      "first accept: %s", PQresultErrorMessage(res));
	PQclear(res);
	second.proposal = t.props[1];
	ck_assert_int_eq(pthread_create(&th, NULL, accept_in_thread, &second), 0);
	for (waited = 0; waited < 10 && !__atomic_load_n(&second.done, __ATOMIC_ACQUIRE); waited++)
		usleep(50000);
	/* the second acceptance waits for the first: it has not answered */
	ck_assert_msg(!__atomic_load_n(&second.done, __ATOMIC_ACQUIRE),
		      "the second acceptance did not wait: %ld %s", second.r.status,
		      second.r.body ? second.r.body : "");
	res = PQexec(app, "COMMIT");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(app);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_msg(second.r.status == 409 && strstr(second.r.body, "person-placed"),
		      "the same person accepted twice at once: %ld %s", second.r.status,
		      second.r.body);
	resp_free(&second.r);
	assert_unit_status(t.units[0], "reserved");
	assert_unit_status(t.units[1], "published");
	twice_free(&t);
}
END_TEST

Suite *
review14_suite(void)
{
	Suite *s = suite_create("review14");
	TCase *t = tcase_create("review14");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, intake_is_no_oracle_for_parallel_referrals);
	tcase_add_test(t, parallel_notice_ends_with_the_other_consent);
	tcase_add_test(t, operator_reads_nothing_once_the_referral_is_cancelled);
	tcase_add_test(t, a_person_is_placed_once_across_its_referrals);
	tcase_add_test(t, concurrent_acceptances_place_a_person_once);
	suite_add_tcase(s, t);
	return s;
}
