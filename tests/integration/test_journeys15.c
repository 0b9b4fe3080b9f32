/* Integration suite "journeys15": issue 15's parts walked as one person's
 * way, where they meet.  Each part has its own suite (alerts_conventions,
 * follow_ups, relay_hosting, sites, unit_life); this one checks what none
 * of them could while they were built apart: the housing referent named on
 * an occupancy is told of what happens to the tenancy, by whichever part,
 * and each organisation hears of one thing once.
 *
 * The day (seed 003, DIOGENES's Soutien au Logement, and seed 002, ISSUE):
 * DIOGENES (orgd) refers a man from the street to an ISSUE partner (orgb),
 * which waitlists and proposes him for a studio of a housing operator
 * (orgc) under a precarious-occupation convention; the partner is his
 * housing referent.  DIOGENES keeps following him after move-in; the
 * tenancy is at risk; DIOGENES relays him to a home-guidance service
 * (orgh), which is then named referent; the owner needs the studio back,
 * and he goes back on the waitlist first. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

static void
ok(const char *slug, const char *method, const char *path, const char *body,
   const char *const *headers, long want, struct resp *keep)
{
	struct resp r;

	ck_assert_int_eq(call(slug, method, path, body, headers, &r), 0);
	ck_assert_msg(r.status == want, "%s %s %s: %ld %s", slug, method, path, r.status,
		      r.body ? r.body : "");
	if (keep)
		*keep = r;
	else
		resp_free(&r);
}

/* Whether a candidate's reason_codes hold code. */
static bool
has_code(json_t *candidate, const char *code)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(candidate, "reason_codes"), i, v)
		if (strcmp(json_string_value(v), code) == 0)
			return true;
	return false;
}

static long
version_of(const char *table, const char *id)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT version FROM %s WHERE id = $1::uuid", table);
	return sql_count(q, id);
}

static char *
studio(const char *label)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Rue de Ribaucourt\",\"commune\":\"Molenbeek-Saint-"
				  "Jean\",\"managing_partner\":\"Communa\",\"units\":4,"
				  "\"period_from\":\"2025-01-01\",\"period_until\":\"2030-12-31\"}",
				  201)),
	     *unit;

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"%s\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Molenbeek-Saint-"
		 "Jean\",\"address\":\"Rue de Ribaucourt 15, 1080 Molenbeek\","
		 "\"available_from\":\"2026-01-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":24,"
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site, label);
	unit = must(post_id("orgc", "/v1/units", body, 201));
	free(site);
	return unit;
}

START_TEST(from_the_street_to_home_guidance)
{
	char body[2048], path[192], im[32], *person, *consent, *ref, *unit, *next, *proposal, *occ,
		*fu, *relay;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	const char *hm[] = {im, NULL};
	struct resp r;
	json_t *rp, *c;

	/* DIOGENES records the man's consent: the ISSUE partner, housing
	 * operators and the home-guidance service; housing data and the
	 * follow-up's entries. */
	person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"SL-J15\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"},{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\",\"housing_support\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\",\"follow_up\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\","
		 "\"reference\":\"SL-F-15\",\"recorded_by\":\"Worker D\"}}",
		 person, org_id("orgb"), org_id("orgh"));
	consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"rue\","
		 "\"data\":{\"housing_situation\":{\"current\":\"street\"}}}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ok("orgb", "POST", path, "{\"to\":\"received\"}", v1, 200, NULL);
	ok("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, 200, NULL);

	/* The partner proposes him; the operator accepts and he moves in under
	 * a precarious-occupation convention, the partner his referent. */
	unit = studio("RB-1");
	next = studio("RB-2");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", ref);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200, NULL);
	snprintf(
		body, sizeof(body),
		"{\"proposal_id\":\"%s\",\"start_date\":\"2026-11-02\","
		"\"planned_end_date\":\"2028-05-01\",\"referent\":{\"organisation_id\":\"%s\","
		"\"name\":\"S. Janssens\",\"role\":\"capteur logement\"},\"convention\":{\"kind\":"
		"\"precarious_occupation\",\"reference\":\"COP-RB-1\",\"signed_on\":\"2026-10-28\","
		"\"signed_by\":\"Service locatif\",\"end_date\":\"2028-05-01\"}}",
		proposal, org_id("orgb"));
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	ck_assert_int_eq(events_of("orgb", "occupancy.referent_assigned", occ), 1);

	/* DIOGENES keeps following him after move-in (Soutien au Logement). */
	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 ref, occ);
	fu = must(post_id("orgd", "/v1/follow-ups", body, 201));
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", fu);
	free(must(post_id("orgd", path,
			  "{\"date\":\"2026-11-09\",\"kind\":\"visit\",\"text\":\"Settled in; "
			  "the neighbours complain about visitors\"}",
			  201)));

	/* The tenancy is at risk: the referent and the operator are told, once
	 * each; DIOGENES, which made the move, is not. */
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	ok("orgd", "PATCH", path, "{\"status\":\"tenancy_at_risk\"}", v1, 200, NULL);
	ck_assert_int_eq(events_of("orgb", "follow_up.tenancy_at_risk", fu), 1);
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 1);
	ck_assert_int_eq(events_of("orgd", "follow_up.tenancy_at_risk", fu), 0);
	/* The referent reads the follow-up it was told about. */
	ok("orgb", "GET", path, NULL, NULL, 200, NULL);

	/* DIOGENES relays him to home guidance.  The service sees the
	 * placement the relay continues, its referent included, never the
	 * address; the earlier referral's receiver, also the referent, is told
	 * once; DIOGENES, which relays, is not. */
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":\"housing_support\","
		 "\"reason\":\"relais vers la guidance à domicile\",\"relays_referral_id\":\"%s\"}",
		 person, org_id("orgh"), consent, ref);
	relay = must(post_id("orgd", "/v1/referrals", body, 201));
	ck_assert_int_eq(events_of("orgb", "referral.relayed", ref), 1);
	ck_assert_int_eq(events_of("orgd", "referral.relayed", ref), 0);
	snprintf(path, sizeof(path), "/v1/referrals/%s", relay);
	ok("orgh", "GET", path, NULL, NULL, 200, &r);
	rp = json_object_get(r.json, "relayed_placement");
	ck_assert_ptr_nonnull(rp);
	ck_assert_str_eq(json_string_value(json_object_get(rp, "occupancy_id")), occ);
	ck_assert_str_eq(json_string_value(json_object_get(rp, "referent_organisation_id")),
			 org_id("orgb"));
	ck_assert_str_eq(json_string_value(json_object_get(rp, "referent_name")), "S. Janssens");
	ck_assert_ptr_null(strstr(r.body, "Ribaucourt 15"));
	resp_free(&r);
	/* The home-guidance service reads the follow-up's entries: the consent
	 * names it and lists follow_up. */
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", fu);
	ok("orgh", "GET", path, NULL, NULL, 200, &r);
	ck_assert_ptr_nonnull(strstr(r.body, "neighbours complain"));
	resp_free(&r);

	/* The operator names the home-guidance service referent from now on. */
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	snprintf(im, sizeof(im), "If-Match: \"%ld\"", version_of("occupancies", occ));
	snprintf(body, sizeof(body),
		 "{\"referent\":{\"organisation_id\":\"%s\",\"name\":\"K. Peeters\","
		 "\"role\":\"guidance à domicile\"}}",
		 org_id("orgh"));
	ok("orgc", "PATCH", path, body, hm, 200, NULL);
	ck_assert_int_eq(events_of("orgh", "occupancy.referent_assigned", occ), 1);
	ok("orgh", "GET", path, NULL, NULL, 200, NULL);

	/* The owner needs the studio back: the stay ends `unit_withdrawn`; the
	 * operator, the referring organisation and the new referent are told
	 * once each; he goes back on the waitlist, first for the next studio. */
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	snprintf(im, sizeof(im), "If-Match: \"%ld\"", version_of("units", unit));
	ok("orgc", "PATCH", path, "{\"status\":\"withdrawn\"}", hm, 200, NULL);
	ck_assert_int_eq(events_of("orgc", "occupancy.unit_withdrawn", occ), 1);
	ck_assert_int_eq(events_of("orgb", "occupancy.unit_withdrawn", occ), 1);
	ck_assert_int_eq(events_of("orgh", "occupancy.unit_withdrawn", occ), 1);
	ck_assert_int_eq(events_of("orgd", "placement.unit_withdrawn", ref), 1);
	/* The referring organisation reads how it ended; the referent reads
	 * the dates, never an outcome (it can say prison, hospital, death). */
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ok("orgb", "GET", path, NULL, NULL, 200, &r);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")), "unit_withdrawn");
	resp_free(&r);
	ok("orgh", "GET", path, NULL, NULL, 200, &r);
	ck_assert(json_is_null(json_object_get(r.json, "outcome")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "end_date")));
	resp_free(&r);
	/* (other suites leave taken-back referrals of orgb waitlisted too:
	 * none without the priority ranks before him, and he has its reason) */
	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", next);
	ok("orgb", "GET", path, NULL, NULL, 200, &r);
	{
		json_t *all = json_object_get(r.json, "candidates");
		size_t i, mine = json_array_size(all);

		json_array_foreach(all, i, c)
			if (strcmp(json_string_value(json_object_get(c, "referral_id")), ref) == 0)
				mine = i;
		ck_assert_uint_lt(mine, json_array_size(all));
		for (i = 0; i <= mine; i++)
			ck_assert(has_code(json_array_get(all, i), "priority.unit_withdrawn"));
	}
	resp_free(&r);
	/* The home-guidance service still sees where he was, and that it
	 * ended. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", relay);
	ok("orgh", "GET", path, NULL, NULL, 200, &r);
	rp = json_object_get(r.json, "relayed_placement");
	ck_assert_ptr_nonnull(json_object_get(rp, "end_date"));
	resp_free(&r);

	free(person), free(consent), free(ref), free(unit), free(next), free(proposal);
	free(occ), free(fu), free(relay);
}
END_TEST

/* A referent hears of a stay only while the person's consent holds
 * (schema/040, 042): after the withdrawal, the stay's end coming near
 * alerts the operator, not the referent, which no longer reads it. */
START_TEST(a_referent_is_not_alerted_after_the_withdrawal)
{
	char body[2048], path[192], end[16], *person, *consent, *ref, *unit, *proposal, *occ;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	PGconn *c = sql_admin();
	PGresult *res = PQexec(c, "SELECT (current_date + 30)::text");

	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	snprintf(end, sizeof(end), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"SL-J15-W\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"},{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\","
		 "\"reference\":\"SL-F-15W\",\"recorded_by\":\"Worker D\"}}",
		 person, org_id("orgb"), org_id("orgh"));
	consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ok("orgb", "POST", path, "{\"to\":\"received\"}", v1, 200, NULL);
	ok("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, 200, NULL);
	unit = studio("RB-W");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", ref);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200, NULL);
	/* The home-guidance service, referent, wants to hear 10 days before;
	 * the stay ends in 30: the operator (90 days, the default) is alerted
	 * at once, the referent not yet. */
	ok("orgh", "PUT", "/v1/alert-thresholds", "{\"items\":[{\"days_before\":10}]}", NULL, 200,
	   NULL);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-11-02\","
		 "\"planned_end_date\":\"%s\",\"referent\":{\"organisation_id\":\"%s\"}}",
		 proposal, end, org_id("orgh"));
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	sleep(3); /* housekeeping runs every second on two instances */
	ck_assert_int_eq(events_of("orgc", "occupancy.ending_soon", occ), 1);
	ck_assert_int_eq(events_of("orgh", "occupancy.ending_soon", occ), 0);
	/* The person withdraws; then the referent would want 60 days: the stay
	 * is no longer its to hear of. */
	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ok("orgd", "POST", path, "{\"reason\":\"the person asked\"}", NULL, 200, NULL);
	ok("orgh", "PUT", "/v1/alert-thresholds", "{\"items\":[{\"days_before\":60}]}", NULL, 200,
	   NULL);
	sleep(3);
	ck_assert_int_eq(events_of("orgh", "occupancy.ending_soon", occ), 0);
	ok("orgh", "PUT", "/v1/alert-thresholds", "{\"items\":[]}", NULL, 200, NULL);
	free(person), free(consent), free(ref), free(unit), free(proposal), free(occ);
}
END_TEST

/* The owner takes a studio back before the occupant's stay has begun
 * (schema/043): with no end date the stay ends on its start, an empty
 * stay, and the person goes back on the waitlist (it was refused,
 * before_start, when the end was today). */
START_TEST(a_stay_not_begun_taken_back)
{
	char body[2048], path[192], start[16], im[32], *person, *consent, *ref, *unit, *proposal,
		*occ;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	const char *hm[] = {im, NULL};
	PGconn *c = sql_admin();
	PGresult *res = PQexec(c, "SELECT (current_date + 10)::text");
	struct resp r;

	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	snprintf(start, sizeof(start), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"SL-J15-F\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SL-F-15F\","
		 "\"recorded_by\":\"Worker D\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ok("orgb", "POST", path, "{\"to\":\"received\"}", v1, 200, NULL);
	ok("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, 200, NULL);
	unit = studio("RB-F");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", ref);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200, NULL);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":"
		 "\"2028-05-01\"}",
		 proposal, start);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	snprintf(im, sizeof(im), "If-Match: \"%ld\"", version_of("units", unit));
	ok("orgc", "PATCH", path, "{\"status\":\"withdrawn\"}", hm, 200, NULL);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ok("orgc", "GET", path, NULL, NULL, 200, &r);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "end_date")), start);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")), "unit_withdrawn");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals WHERE id = $1::uuid AND "
				   "status = 'waitlisted'",
				   ref),
			 1);
	free(person), free(consent), free(ref), free(unit), free(proposal), free(occ);
}
END_TEST

Suite *
journeys15_suite(void)
{
	Suite *s = suite_create("journeys15");
	TCase *t = tcase_create("journeys15");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, from_the_street_to_home_guidance);
	tcase_add_test(t, a_referent_is_not_alerted_after_the_withdrawal);
	tcase_add_test(t, a_stay_not_begun_taken_back);
	suite_add_tcase(s, t);
	return s;
}
