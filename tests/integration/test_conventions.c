/* Integration suite alerts_conventions (issue 15, items 1 (the referent),
 * 3 and 6): an occupancy's referent and convention, open-ended leases, and
 * "ending soon" alerts per organisation and convention kind.
 *
 * The day: a justice aid service (orga, Rizome-Bxl's side inside the
 * prison) refers a person leaving prison to a homeless service (orgb),
 * which proposes them for a transit studio of a housing operator (orgc,
 * standing for Rizome-Bxl's transit housing: 18 months at most).  The stay
 * starts under a transit convention, with a housing referent at a street
 * work service (orgd, DIOGENES's Soutien au Logement).  Each wants its
 * "ending soon" alert at its own time; each gets it once.  A community
 * house (ORS) lets a room on an open-ended lease: no planned end, no alert. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* Today + days, minus months, as YYYY-MM-DD (the day of the month at most
 * 28: a month earlier is always a valid date). */
static void
day(char out[11], int days, int months_before)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_mday += days;
	tm.tm_hour = 12;
	timegm(&tm);
	if (months_before) {
		if (tm.tm_mday > 28)
			tm.tm_mday = 28;
		tm.tm_mon -= months_before;
		timegm(&tm);
	}
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* orgc publishes a unit (terms, max stay or 0: none) for homeless services. */
static char *
new_unit(const char *terms, int max_stay)
{
	char body[1024], stay[48] = "";
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Transit Forest\",\"commune\":\"Forest\","
				  "\"units\":4,\"period_from\":\"2020-01-01\"}",
				  201));

	if (max_stay)
		snprintf(stay, sizeof(stay), ",\"max_stay_months\":%d", max_stay);
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"F-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"address\":\"Rue de Mérode 10, 1190 Forest\","
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Forest\","
		 "\"available_from\":\"2020-01-01\",\"terms\":\"%s\"%s,"
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site, terms, stay);
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

/* A referral orga -> orgb, waitlisted by orgb: its id.  The consent names
 * DIOGENES (orgd) too, the housing referent of the stays below. */
static char *
waitlisted(void)
{
	char body[2048], path[128];
	char *person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"P-15\"}", 201)),
	     *consent, *ref;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"},{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],"
		 "\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"), org_id("orgd"));
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

/* That referral proposed by orgb for unit, accepted by orgc: the accepted
 * proposal's id.  *ref: the referral's. */
static char *
accepted_proposal(const char *unit, char **ref)
{
	char body[256], path[128];
	char *proposal;
	struct resp r;

	*ref = waitlisted();
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", *ref);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	return proposal;
}

/* The first error's field of a problem. */
static const char *
error_field(const struct resp *r)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);

	return e ? json_string_value(json_object_get(e, "field")) : "";
}

/* slug replaces its alert thresholds with items (a JSON list); the status. */
static long
thresholds(const char *slug, const char *items)
{
	char body[512];
	struct resp r;
	long status;

	snprintf(body, sizeof(body), "{\"items\":%s}", items);
	ck_assert_int_eq(call(slug, "PUT", "/v1/alert-thresholds", body, NULL, &r), 0);
	status = r.status;
	resp_free(&r);
	return status;
}

/* The housekeeping runs every second on two gateway instances. */
#define HOUSEKEEPING_RUNS() sleep(3)

START_TEST(rizome_transit_with_referent_and_alerts_once_each)
{
	char *unit = new_unit("transit", 18), *ref, *p = accepted_proposal(unit, &ref), *occ;
	char start[11], end[11], body[1024], path[128];
	const char *v1[] = {"If-Match: \"1\"", NULL};
	struct resp r;
	json_t *referent, *convention;

	/* Each organisation's own threshold for transit conventions: the
	 * operator three months before; the sender and the referent keep the
	 * server-wide default (90 days) for now. */
	ck_assert_int_eq(
		thresholds("orgc",
			   "[{\"convention_kind\":\"transit_convention\",\"days_before\":91}]"),
		200);
	ck_assert_int_eq(call("orgc", "GET", "/v1/alert-thresholds", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", "/v1/alert-thresholds", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0); /* its own only */
	resp_free(&r);

	/* 18 months ending in 91 days: inside the operator's threshold only. */
	day(end, 91, 0);
	day(start, 91, 18);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\","
		 "\"referent\":{\"organisation_id\":\"%s\",\"name\":\"Samira B.\","
		 "\"role\":\"housing referent\"},"
		 "\"convention\":{\"kind\":\"transit_convention\",\"reference\":\"RZ-T-014\","
		 "\"signed_on\":\"%s\",\"signed_by\":\"Rizome-Bxl, coordination\","
		 "\"end_date\":\"%s\"}}",
		 p, start, end, org_id("orgd"), start, end);
	ck_assert_int_eq(call("orgb", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	occ = strdup(json_string_value(json_object_get(r.json, "id")));
	referent = json_object_get(r.json, "referent");
	ck_assert_str_eq(json_string_value(json_object_get(referent, "organisation_id")),
			 org_id("orgd"));
	ck_assert_str_eq(json_string_value(json_object_get(referent, "role")), "housing referent");
	convention = json_object_get(r.json, "convention");
	ck_assert_str_eq(json_string_value(json_object_get(convention, "kind")),
			 "transit_convention");
	ck_assert_str_eq(json_string_value(json_object_get(convention, "end_date")), end);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
	resp_free(&r);
	/* The referent is told, and reads the occupancy it accompanies. */
	ck_assert_int_eq(events_of("orgd", "occupancy.referent_assigned", occ), 1);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "convention"),
							   "reference")),
			 "RZ-T-014");
	resp_free(&r);
	/* ... but may not change it: the operator and the referring
	 * organisation do. */
	ck_assert_int_eq(call("orgd", "PATCH", path,
			      "{\"referent\":{\"organisation_id\":\"" /* */
			      "00000000-0000-0000-0000-000000000000\"}}",
			      v1, &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"referent\":{\"organisation_id\":\"%s\",\"name\":\"Samira B.\","
		 "\"role\":\"Soutien au Logement\"}}",
		 org_id("orgd"));
	ck_assert_int_eq(call("orgc", "PATCH", path, body, v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "referent"), "role")),
		"Soutien au Logement");
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, body, v1, &r), 0); /* stale */
	ck_assert_int_eq(r.status, 412);
	resp_free(&r);
	/* the same referent organisation: not told twice */
	ck_assert_int_eq(events_of("orgd", "occupancy.referent_assigned", occ), 1);

	/* The operator's alert comes at its own 91 days; nobody else's yet. */
	HOUSEKEEPING_RUNS();
	ck_assert_int_eq(events_of("orgc", "occupancy.ending_soon", occ), 1);
	ck_assert_int_eq(events_of("orgb", "occupancy.ending_soon", occ), 0);
	ck_assert_int_eq(events_of("orgd", "occupancy.ending_soon", occ), 0);
	ck_assert_int_eq(events_of("orga", "placement.ending_soon", ref), 0);

	/* The sender and the referent want it four months ahead: they get it
	 * at the next housekeeping, once each, however often it runs. */
	ck_assert_int_eq(thresholds("orga", "[{\"convention_kind\":\"transit_convention\","
					    "\"days_before\":120}]"),
			 200);
	ck_assert_int_eq(thresholds("orgd", "[{\"convention_kind\":\"transit_convention\","
					    "\"days_before\":100},"
					    "{\"convention_kind\":\"lease\",\"days_before\":30}]"),
			 200);
	HOUSEKEEPING_RUNS();
	HOUSEKEEPING_RUNS();
	ck_assert_int_eq(events_of("orga", "placement.ending_soon", ref), 1);
	ck_assert_int_eq(events_of("orgd", "occupancy.ending_soon", occ), 1);
	ck_assert_int_eq(events_of("orgc", "occupancy.ending_soon", occ), 1);
	/* the receiver kept the 90-day default */
	ck_assert_int_eq(events_of("orgb", "occupancy.ending_soon", occ), 0);
	ck_assert_int_eq(events_of("orgb", "placement.ending_soon", ref), 0);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancy_alerts WHERE occupancy_id = $1::uuid",
			  occ),
		3);

	ck_assert_int_eq(thresholds("orga", "[]"), 200);
	ck_assert_int_eq(thresholds("orgc", "[]"), 200);
	ck_assert_int_eq(thresholds("orgd", "[]"), 200);
	free(unit), free(ref), free(p), free(occ);
}
END_TEST

START_TEST(ors_open_ended_lease_never_alerts)
{
	char *unit = new_unit("lease", 0), *ref, *p = accepted_proposal(unit, &ref), *occ;
	char today[11], body[1024], path[128];
	const char *v1[] = {"If-Match: \"1\"", NULL};
	struct resp r;

	day(today, 0, 0);
	/* Without a planned end, a convention other than a lease: 400. */
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\","
		 "\"convention\":{\"kind\":\"community_house_convention\"}}",
		 p, today);
	ck_assert_int_eq(call("orgc", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(error_field(&r), "planned_end_date");
	resp_free(&r);
	/* An open-ended lease, signed today. */
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":null,"
		 "\"convention\":{\"kind\":\"lease\",\"reference\":\"ORS-2026-03\","
		 "\"signed_on\":\"%s\",\"signed_by\":\"ORS, house manager\"}}",
		 p, today, today);
	ck_assert_int_eq(call("orgc", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert(json_is_null(json_object_get(r.json, "planned_end_date")));
	ck_assert(json_is_null(json_object_get(r.json, "referent")));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "convention"), "kind")),
		"lease");
	occ = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	/* It stays a lease: another kind without a planned end is refused. */
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgc", "PATCH", path,
			      "{\"convention\":{\"kind\":\"transit_convention\"}}", v1, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(error_field(&r), "convention.kind");
	resp_free(&r);
	/* A referent named later, by the referring organisation. */
	snprintf(body, sizeof(body), "{\"referent\":{\"organisation_id\":\"%s\"}}", org_id("orgd"));
	ck_assert_int_eq(call("orgb", "PATCH", path, body, v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "referent"),
							   "organisation_id")),
			 org_id("orgd"));
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	ck_assert_int_eq(events_of("orgd", "occupancy.referent_assigned", occ), 1);
	/* No planned end, never an alert, whatever the thresholds. */
	ck_assert_int_eq(
		thresholds("orgc", "[{\"convention_kind\":\"lease\",\"days_before\":3650}]"), 200);
	HOUSEKEEPING_RUNS();
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events WHERE type LIKE '%ending_soon' "
				   "AND resource_id IN ($1::uuid, (SELECT referral_id FROM "
				   "occupancies WHERE id = $1::uuid))",
				   occ),
			 0);
	ck_assert_int_eq(thresholds("orgc", "[]"), 200);
	free(unit), free(ref), free(p), free(occ);
}
END_TEST

/* A flat found on the private market, recorded by the receiver under a
 * lease without an end, with DIOGENES's worker as its referent. */
START_TEST(a_recorded_placement_with_its_referent)
{
	char *ref = waitlisted(), today[11], body[1024], path[128], *occ;
	struct resp r;

	day(today, 0, 0);
	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	snprintf(body, sizeof(body),
		 "{\"kind\":\"private_market\",\"start_date\":\"%s\","
		 "\"referent\":{\"organisation_id\":\"%s\",\"role\":\"Soutien au Logement\"},"
		 "\"convention\":{\"kind\":\"lease\",\"signed_on\":\"%s\"}}",
		 today, org_id("orgd"), today);
	ck_assert_int_eq(call("orgb", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert(json_is_null(json_object_get(r.json, "planned_end_date")));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "referent"), "role")),
		"Soutien au Logement");
	ck_assert_ptr_null(json_object_get(json_object_get(r.json, "referent"), "name"));
	occ = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	ck_assert_int_eq(events_of("orgd", "occupancy.referent_assigned", occ), 1);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_null(json_object_get(r.json, "outcome")));
	resp_free(&r);
	/* A third organisation does not see it. */
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	free(ref), free(occ);
}
END_TEST

START_TEST(bad_terms_change_nothing)
{
	char *unit = new_unit("transit", 18), *ref, *p = accepted_proposal(unit, &ref), *occ;
	char today[11], end[11], tomorrow[11], body[1024], path[128];
	const char *v1[] = {"If-Match: \"1\"", NULL};
	struct resp r;
	static const struct {
		const char *extra, *field;
		long status;
	} bad[] = {
		{"\"convention\":{\"kind\":\"sublet\"}", "convention.kind", 400},
		{"\"convention\":{\"reference\":\"R\"}", "convention.kind", 400},
		{"\"convention\":\"lease\"", "convention", 400},
		{"\"referent\":{\"name\":\"A\"}", "referent.organisation_id", 400},
		{"\"referent\":{\"organisation_id\":\"%s\",\"role\":\"\"}", "referent.role", 400},
		{"\"referent\":{\"organisation_id\":\"%s\",\"email\":\"x@y\"}", "referent.email",
		 400},
		/* an organisation that does not exist */
		{"\"referent\":{\"organisation_id\":\"6f1c1d52-0000-4000-8000-000000000001\"}",
		 "referent.organisation_id", 422},
		{"\"convention\":{\"kind\":\"transit_convention\",\"signed_on\":\"%s\"}",
		 "convention.signed_on", 422},
		{"\"convention\":{\"kind\":\"transit_convention\",\"signed_on\":\"2026-01-10\","
		 "\"end_date\":\"2026-01-09\"}",
		 "convention.end_date", 422},
	};
	size_t i;

	day(today, 0, 0);
	day(end, 180, 0);
	day(tomorrow, 1, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char extra[256];
		snprintf(extra, sizeof(extra), bad[i].extra,
			 strstr(bad[i].extra, "signed_on\":\"%s") ? tomorrow : org_id("orgd"));
		snprintf(
			body, sizeof(body),
			"{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\","
			"%s}",
			p, today, end, extra);
		ck_assert_int_eq(call("orgc", "POST", "/v1/occupancies", body, NULL, &r), 0);
		ck_assert_msg(r.status == bad[i].status, "case %zu: %ld", i, r.status);
		ck_assert_str_eq(error_field(&r), bad[i].field);
		resp_free(&r);
	}
	/* A lease's open end on a transit unit (18 months at most). */
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"convention\":{\"kind\":\"lease\"}"
		 "}",
		 p, today);
	ck_assert_int_eq(call("orgc", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(error_field(&r), "planned_end_date");
	resp_free(&r);
	/* Nothing started, the unit still reserved, no one told. */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancies WHERE proposal_id = $1::uuid", p), 0);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'reserved'",
			  unit),
		1);

	/* Started well; then bad changes leave it as it was. */
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\"}", p,
		 today, end);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgc", "PATCH", path,
			      "{\"convention\":{\"kind\":\"lease\",\"signed_on\":\"2026-02-01\","
			      "\"end_date\":\"2026-01-01\"}}",
			      v1, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(error_field(&r), "convention.end_date");
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, "{}", v1, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, "{\"convention\":null}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 428); /* If-Match required */
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM occupancies WHERE id = $1::uuid AND "
				   "version = 1 AND convention_kind IS NULL",
				   occ),
			 1);
	/* Thresholds: bad items, nothing replaced. */
	ck_assert_int_eq(thresholds("orga", "[{\"convention_kind\":\"lease\",\"days_before\":10}]"),
			 200);
	ck_assert_int_eq(thresholds("orga", "[{\"convention_kind\":\"rent\",\"days_before\":10}]"),
			 400);
	ck_assert_int_eq(thresholds("orga", "[{\"days_before\":-1}]"), 400);
	ck_assert_int_eq(thresholds("orga", "[{\"days_before\":10},{\"convention_kind\":null,"
					    "\"days_before\":20}]"),
			 400);
	ck_assert_int_eq(call("orga", "PUT", "/v1/alert-thresholds",
			      "{\"items\":[{\"convention_kind\":\"lease\",\"days_before\":10},"
			      "{\"convention_kind\":\"lease\",\"days_before\":20}]}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(error_field(&r), "items[1].convention_kind");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM alert_thresholds WHERE organisation_id = "
				   "$1::uuid AND convention_kind = 'lease' AND days_before = 10",
				   org_id("orga")),
			 1);
	ck_assert_int_eq(thresholds("orga", "[]"), 200);
	free(unit), free(ref), free(p), free(occ);
}
END_TEST

Suite *
alerts_conventions_suite(void)
{
	Suite *s = suite_create("alerts_conventions");
	TCase *t = tcase_create("conventions");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, rizome_transit_with_referent_and_alerts_once_each);
	tcase_add_test(t, ors_open_ended_lease_never_alerts);
	tcase_add_test(t, a_recorded_placement_with_its_referent);
	tcase_add_test(t, bad_terms_change_nothing);
	suite_add_tcase(s, t);
	return s;
}
