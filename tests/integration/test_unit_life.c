/* Integration suite for the life of a unit (issue 15, item 5): a unit whose
 * availability has ended is never offered and housekeeping withdraws it,
 * once; an operator takes an occupied or reserved unit back, and the person
 * goes back on the waitlist, first, with a record of where they were.
 *
 * The day: a justice aid service (orga, Rizome's partner inside the prison)
 * refers people to a homeless service (orgb), which keeps the waitlist and
 * proposes them for units of a housing operator (orgc, ISSUE's partner
 * running a site under a precarious-occupation convention).  The site's
 * owner needs a unit back before the occupation period ends. */
#include <check.h>
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

/* A text value of a one-row query as the owner (static buffer). */
static const char *
sql_text(const char *query, const char *param)
{
	static char out[128];
	PGconn *c = sql_admin();
	const char *p[1] = {param};
	PGresult *r = PQexecParams(c, query, param ? 1 : 0, NULL, param ? p : NULL, NULL, NULL, 0);

	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(r), 1);
	snprintf(out, sizeof(out), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return out;
}

/* orgc publishes a studio in commune, available from..until, for homeless
 * services. */
static char *
new_unit(const char *commune, const char *from, const char *until)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Quai de Mariemont\",\"commune\":\"Molenbeek-Saint-"
				  "Jean\",\"managing_partner\":\"Communa\",\"units\":8,"
				  "\"period_from\":\"2020-01-01\",\"period_until\":\"2030-12-31\"}",
				  201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"M-02\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"commune\":\"%s\",\"address\":\"Quai de Mariemont 2, 1080 Molenbeek\","
		 "\"available_from\":\"%s\",\"available_until\":\"%s\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":24,"
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site, commune, from, until);
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

/* A referral orga -> orgb, its consent covering orgb and housing operators
 * (identity, housing_situation), waitlisted by orgb. */
static char *
waitlisted(const char *ref_label)
{
	char body[2048], path[128];
	char *person, *consent, *ref;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", ref_label);
	person = must(post_id("orga", "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],"
		 "\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"leaves prison, no housing\"}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	free(person);
	free(consent);
	return ref;
}

/* orgb proposes the referral for the unit: the status; the id if 201. */
static long
propose(const char *unit, const char *referral, char **id)
{
	char path[128], body[256];
	struct resp r;
	long status;

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", referral);
	ck_assert_int_eq(call("orgb", "POST", path, body, NULL, &r), 0);
	status = r.status;
	if (status == 409)
		ck_assert_str_eq(problem_type(&r), URN "unit-not-available");
	if (id)
		*id = status == 201 ? strdup(json_string_value(json_object_get(r.json, "id")))
				    : NULL;
	resp_free(&r);
	return status;
}

static long
decide(const char *proposal, const char *body)
{
	char path[128];
	struct resp r;
	long status;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orgc", "POST", path, body, NULL, &r), 0);
	status = r.status;
	resp_free(&r);
	return status;
}

/* Whether GET /v1/units (published, in commune) lists the unit to orgb. */
static bool
listed(const char *unit, const char *commune)
{
	char path[160];
	struct resp r;
	bool found;

	snprintf(path, sizeof(path), "/v1/units?commune=%s&limit=200", commune);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	found = strstr(r.body, unit) != NULL;
	resp_free(&r);
	return found;
}

/* PATCH the unit as orgc with If-Match version: the response (caller frees). */
static long
patch_unit(const char *unit, long version, const char *body, struct resp *r)
{
	char path[128], im[32];
	const char *h[] = {im, NULL};

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	snprintf(im, sizeof(im), "If-Match: \"%ld\"", version);
	ck_assert_int_eq(call("orgc", "PATCH", path, body, h, r), 0);
	return r->status;
}

static long
unit_version(const char *unit)
{
	return sql_count("SELECT version FROM units WHERE id = $1::uuid", unit);
}

/* The 400 names field. */
static void
refused_naming(struct resp *r, const char *field)
{
	ck_assert_int_eq(r->status, 400);
	ck_assert_ptr_nonnull(strstr(r->body, field));
	resp_free(r);
}

START_TEST(an_expired_unit_is_never_offered_and_withdrawn_once)
{
	char *unit = new_unit("Ganshoren", "2020-01-06", "2099-12-31");
	char *ref = waitlisted("P-15-EXP1"), *other = waitlisted("P-15-EXP2"), *p = NULL, path[160];
	PGconn *lock = sql_admin();
	PGresult *res;
	struct resp r;

	ck_assert(listed(unit, "Ganshoren"));
	ck_assert_int_eq(propose(unit, ref, &p), 201);

	/* The occupation convention ends: the availability ended yesterday.
	 * Housekeeping (every second, two instances) is held while the events
	 * table is locked against writes: it may claim the unit but cannot
	 * write its events, so what follows sees the unit still published,
	 * before housekeeping. */
	res = PQexec(lock, "BEGIN");
	PQclear(res);
	res = PQexec(lock, "LOCK TABLE events IN SHARE MODE");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(sql_count("WITH x AS (UPDATE units SET available_until = current_date - 1 "
				   "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM x",
				   unit),
			 1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  unit),
		1);
	/* Not listed, no new proposal, the open one not accepted, no candidates. */
	ck_assert(!listed(unit, "Ganshoren"));
	ck_assert_int_eq(propose(unit, other, NULL), 409);
	ck_assert_int_eq(decide(p, "{\"decision\":\"accept\"}"), 409);
	snprintf(path, sizeof(path), "/v1/units/%s/candidates", unit);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "unit-not-available");
	ck_assert_ptr_nonnull(strstr(r.body, "availability ended"));
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  unit),
		1);
	res = PQexec(lock, "COMMIT");
	PQclear(res);
	PQfinish(lock);

	/* Housekeeping withdraws it, once, however many instances run it. */
	sleep(3);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'withdrawn'",
			  unit),
		1);
	ck_assert_int_eq(events_of("orgc", "unit.expired", unit), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND status "
				   "= 'declined' AND reason_code = 'unit_unavailable'",
				   p),
			 1);
	ck_assert_int_eq(events_of("orgb", "proposal.declined", p), 1);
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "withdrawn");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	sleep(2);
	ck_assert_int_eq(events_of("orgc", "unit.expired", unit), 1);
	ck_assert_int_eq(events_of("orgb", "proposal.declined", p), 1);
	ck_assert_int_eq(unit_version(unit), 2);
	/* The referral stays on the waitlist, proposable elsewhere. */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals WHERE id = $1::uuid AND status "
				   "= 'waitlisted'",
				   ref),
			 1);
	free(unit);
	free(ref);
	free(other);
	free(p);
}
END_TEST

/* The referral's last transition as orga (its sender) reads it. */
static void
last_transition(const char *ref, const char *to, const char *reason, const char *by)
{
	char path[128];
	struct resp r;
	json_t *items, *t;

	snprintf(path, sizeof(path), "/v1/referrals/%s/history", ref);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	items = json_object_get(r.json, "items");
	t = json_array_get(items, json_array_size(items) - 1);
	ck_assert_str_eq(json_string_value(json_object_get(t, "to")), to);
	ck_assert_str_eq(json_string_value(json_object_get(t, "reason_code")), reason);
	ck_assert_str_eq(json_string_value(json_object_get(t, "by_organisation_id")), org_id(by));
	resp_free(&r);
}

static const char *
referral_status(const char *ref)
{
	return sql_text("SELECT status FROM referrals WHERE id = $1::uuid", ref);
}

START_TEST(an_occupied_unit_taken_back)
{
	char *earlier = waitlisted("P-15-WAIT");
	char *unit = new_unit("Koekelberg", "2026-01-05", "2030-06-30");
	char *next = new_unit("Koekelberg", "2026-01-05", "2030-06-30");
	char *ref = waitlisted("P-15-BACK"), *p = NULL, *occ, path[160], body[256], yesterday[16];
	char *reasons;
	const char *tomorrow;
	long v;
	struct resp r;
	json_t *c, *codes, *code;
	size_t i;
	bool has_reason = false;

	snprintf(yesterday, sizeof(yesterday), "%s",
		 sql_text("SELECT (current_date - 1)::text", NULL));
	ck_assert_int_eq(propose(unit, ref, &p), 201);
	ck_assert_int_eq(decide(p, "{\"decision\":\"accept\"}"), 200);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-02-01\","
		 "\"planned_end_date\":\"2027-12-31\"}",
		 p);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	ck_assert_str_eq(referral_status(ref), "in_progress");
	v = unit_version(unit);

	/* Bad input changes nothing: a malformed date, a date before the stay,
	 * after today, an end date without taking the unit back; a stale
	 * version. */
	patch_unit(unit, v, "{\"status\":\"withdrawn\",\"end_date\":\"2026-13-45\"}", &r);
	refused_naming(&r, "end_date");
	patch_unit(unit, v, "{\"status\":\"withdrawn\",\"end_date\":\"2026-01-15\"}", &r);
	refused_naming(&r, "end_date");
	tomorrow = sql_text("SELECT (current_date + 1)::text", NULL);
	snprintf(body, sizeof(body), "{\"status\":\"closed\",\"end_date\":\"%s\"}", tomorrow);
	patch_unit(unit, v, body, &r);
	refused_naming(&r, "end_date");
	snprintf(body, sizeof(body), "{\"label\":\"M-02b\",\"end_date\":\"%s\"}", yesterday);
	patch_unit(unit, v, body, &r);
	refused_naming(&r, "end_date");
	ck_assert_int_eq(patch_unit(unit, v - 1, "{\"status\":\"withdrawn\"}", &r), 412);
	resp_free(&r);
	ck_assert_int_eq(unit_version(unit), v);
	ck_assert_str_eq(sql_text("SELECT status FROM units WHERE id = $1::uuid", unit),
			 "occupied");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM occupancies WHERE id = $1::uuid AND "
				   "end_date IS NULL",
				   occ),
			 1);
	ck_assert_str_eq(referral_status(ref), "in_progress");
	ck_assert_int_eq(events_of("orgc", "occupancy.unit_withdrawn", occ), 0);

	/* The owner needs the unit back: withdrawn, the stay ended yesterday. */
	snprintf(body, sizeof(body), "{\"status\":\"withdrawn\",\"end_date\":\"%s\"}", yesterday);
	ck_assert_int_eq(patch_unit(unit, v, body, &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "withdrawn");
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "end_date")), yesterday);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")), "unit_withdrawn");
	resp_free(&r);

	/* Back on the waitlist, by the operator, with its reason; the sender
	 * still sees where the person was and how it ended. */
	ck_assert_str_eq(referral_status(ref), "waitlisted");
	last_transition(ref, "waitlisted", "unit_withdrawn", "orgc");
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	c = json_object_get(r.json, "placement");
	ck_assert_str_eq(json_string_value(json_object_get(c, "occupancy_id")), occ);
	ck_assert_str_eq(json_string_value(json_object_get(c, "outcome")), "unit_withdrawn");
	ck_assert_str_eq(json_string_value(json_object_get(c, "end_date")), yesterday);
	resp_free(&r);

	/* Told: the operator and the referring organisation (the occupancy),
	 * the sender and the receiver (the referral), once each. */
	ck_assert_int_eq(events_of("orgc", "occupancy.unit_withdrawn", occ), 1);
	ck_assert_int_eq(events_of("orgb", "occupancy.unit_withdrawn", occ), 1);
	ck_assert_int_eq(events_of("orga", "placement.unit_withdrawn", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.unit_withdrawn", ref), 1);
	ck_assert_int_eq(events_of("orga", "occupancy.unit_withdrawn", occ), 0);
	/* Audited as the occupancy's end, by the operator. */
	snprintf(body, sizeof(body),
		 "SELECT count(*) FROM audit_log WHERE action = 'occupancy.end' AND resource_id = "
		 "$1 AND organisation_id = '%s' AND detail->>'outcome' = 'unit_withdrawn'",
		 org_id("orgc"));
	ck_assert_int_eq(sql_count(body, occ), 1);

	/* First among the candidates of the next unit, before an earlier
	 * application, with its reason. */
	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", next);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	c = json_array_get(json_object_get(r.json, "candidates"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(c, "referral_id")), ref);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "rank")), 1);
	codes = json_object_get(c, "reason_codes");
	json_array_foreach(codes, i, code)
		if (strcmp(json_string_value(code), "priority.unit_withdrawn") == 0)
			has_reason = true;
	ck_assert(has_reason);
	reasons = json_dumps(json_object_get(c, "reasons"), 0);
	ck_assert_ptr_nonnull(strstr(reasons, "taken back"));
	free(reasons);
	json_array_foreach(json_object_get(r.json, "candidates"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "referral_id")), earlier) == 0)
			ck_assert_int_gt(json_integer_value(json_object_get(c, "rank")), 1);
	resp_free(&r);
	/* ... and proposable again: the person is no longer placed. */
	ck_assert_int_eq(propose(next, ref, NULL), 201);
	free(earlier);
	free(unit);
	free(next);
	free(ref);
	free(p);
	free(occ);
}
END_TEST

START_TEST(a_reserved_unit_taken_back)
{
	char *unit = new_unit("Jette", "2026-01-05", "2030-06-30");
	char *ref = waitlisted("P-15-RES"), *p = NULL;
	long v;
	struct resp r;

	ck_assert_int_eq(propose(unit, ref, &p), 201);
	ck_assert_int_eq(decide(p, "{\"decision\":\"accept\"}"), 200);
	ck_assert_str_eq(referral_status(ref), "accepted");
	v = unit_version(unit);
	/* An end date only for an occupied unit. */
	patch_unit(unit, v, "{\"status\":\"closed\",\"end_date\":\"2026-06-01\"}", &r);
	refused_naming(&r, "end_date");
	ck_assert_int_eq(unit_version(unit), v);

	ck_assert_int_eq(patch_unit(unit, v, "{\"status\":\"closed\"}", &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "closed");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND status "
				   "= 'declined' AND reason_code = 'unit_withdrawn'",
				   p),
			 1);
	ck_assert_str_eq(referral_status(ref), "waitlisted");
	last_transition(ref, "waitlisted", "unit_withdrawn", "orgc");
	ck_assert_int_eq(events_of("orgc", "proposal.unit_withdrawn", p), 1);
	ck_assert_int_eq(events_of("orgb", "proposal.unit_withdrawn", p), 1);
	/* the first when orgb waitlisted it, the second now */
	ck_assert_int_eq(events_of("orga", "referral.waitlisted", ref), 2);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
				   "'proposal.decline' AND resource_id = $1 AND "
				   "detail->>'reason_code' = 'unit_withdrawn'",
				   p),
			 1);
	/* A closed unit stays closed. */
	ck_assert_int_eq(patch_unit(unit, v + 1, "{\"status\":\"published\"}", &r), 409);
	resp_free(&r);
	free(unit);
	free(ref);
	free(p);
}
END_TEST

START_TEST(an_end_date_for_a_published_unit_is_refused)
{
	char *unit = new_unit("Evere", "2026-01-05", "2030-06-30");
	long v = unit_version(unit);
	struct resp r;

	patch_unit(unit, v, "{\"status\":\"withdrawn\",\"end_date\":\"2026-06-01\"}", &r);
	refused_naming(&r, "end_date");
	ck_assert_str_eq(sql_text("SELECT status FROM units WHERE id = $1::uuid", unit),
			 "published");
	ck_assert_int_eq(unit_version(unit), v);
	free(unit);
}
END_TEST

Suite *
unit_life_suite(void)
{
	Suite *s = suite_create("unit_life");
	TCase *t = tcase_create("unit_life");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, an_expired_unit_is_never_offered_and_withdrawn_once);
	tcase_add_test(t, an_occupied_unit_taken_back);
	tcase_add_test(t, a_reserved_unit_taken_back);
	tcase_add_test(t, an_end_date_for_a_published_unit_is_refused);
	suite_add_tcase(s, t);
	return s;
}
