/* Integration suite for placements (issue 14, item 2 and item 4's release
 * date): the referral follows its placement, its sender sees it.
 *
 * The day: a justice aid service (orga, Rizome's partner inside the prison)
 * refers a detainee to a homeless service (orgb), which waitlists them and
 * proposes them for studios of a housing operator (orgc, a SISP); the
 * operator accepts one; the stay starts after the release and ends with an
 * outcome.  A street work service (orgd, DIOGENES's Soutien au Logement)
 * finds a flat on the private market and records it. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"
#define ADDRESS "Rue Dubrucq 1, 1080 Molenbeek"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* orgc publishes a studio (18 months at most) for homeless services and orgd. */
static char *
new_unit(void)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Dubrucq\",\"commune\":\"Molenbeek-Saint-Jean\","
				  "\"managing_partner\":\"Communa\",\"units\":14,"
				  "\"period_from\":\"2023-03-01\",\"period_until\":\"2030-07-15\"}",
				  201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"D-04\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"lift\",\"commune\":\"Molenbeek-Saint-"
		 "Jean\",\"address\":\"" ADDRESS "\",\"monthly_contribution_eur\":250,"
		 "\"available_from\":\"2026-12-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		 "\"audience\":[{\"kind\":\"homeless_service\"},{\"organisation_id\":\"%s\"}],"
		 "\"status\":\"published\"}",
		 site, org_id("orgd"));
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

/* A referral orga -> `to` (program), its consent covering `to` and housing
 * operators for these categories (JSON list body), with a release date or
 * not; waitlisted by `to`. */
static char *
waitlisted(const char *to, const char *program, const char *categories, const char *release)
{
	char body[2048], path[128];
	char *person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"P-14\"}", 201)),
	     *consent, *ref;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[%s],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id(to), categories);
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"leaves prison, no housing\"%s%s%s}",
		 person, org_id(to), program, consent, release ? ",\"release_date\":\"" : "",
		 release ? release : "", release ? "\"" : "");
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ck_assert_int_eq(call(to, "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call(to, "POST", path, "{\"to\":\"waitlisted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	free(person);
	free(consent);
	return ref;
}

static char *
propose(const char *slug, const char *unit, const char *referral)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", referral);
	return must(post_id(slug, path, body, 201));
}

static void
accept_proposal(const char *proposal)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}

/* The referral as `slug` reads it (caller frees). */
static void
get_referral(const char *slug, const char *ref, struct resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, r), 0);
	ck_assert_int_eq(r->status, 200);
}

static const char *
status_of(const char *ref)
{
	static char status[32];
	struct resp r;

	get_referral("orga", ref, &r);
	snprintf(status, sizeof(status), "%s",
		 json_string_value(json_object_get(r.json, "status")));
	resp_free(&r);
	return status;
}

static long
start(const char *slug, const char *proposal, const char *from, const char *until, struct resp *r)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\"}",
		 proposal, from, until);
	ck_assert_int_eq(call(slug, "POST", "/v1/occupancies", body, NULL, r), 0);
	return r->status;
}

static long
end(const char *slug, const char *occupancy, const char *body, struct resp *r)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occupancy);
	ck_assert_int_eq(call(slug, "POST", path, body, NULL, r), 0);
	return r->status;
}

/* The last transition of the referral: to, reason_code, by (as orga reads it). */
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
	if (reason)
		ck_assert_str_eq(json_string_value(json_object_get(t, "reason_code")), reason);
	else
		ck_assert(json_is_null(json_object_get(t, "reason_code")));
	ck_assert_str_eq(json_string_value(json_object_get(t, "by_organisation_id")), org_id(by));
	resp_free(&r);
}

START_TEST(accepting_takes_the_person_off_the_waitlist)
{
	char *u1 = new_unit(), *u2 = new_unit(), path[160];
	char *ref = waitlisted("orgb", "issue.axis1", "\"identity\",\"housing_situation\"", NULL);
	char *p1 = propose("orgb", u1, ref), *p2 = propose("orgb", u2, ref);
	struct resp r;

	/* On the waitlist: a candidate of the second unit. */
	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", u2);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, ref));
	resp_free(&r);

	accept_proposal(p1);
	/* accepted, by the operator, version + 1 */
	get_referral("orga", ref, &r);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "accepted");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 4);
	ck_assert_ptr_null(json_object_get(r.json, "placement")); /* not started yet */
	resp_free(&r);
	last_transition(ref, "accepted", NULL, "orgc");
	/* the sender is told; the receiver proposed (it heard proposal.accepted) */
	ck_assert_int_eq(events_of("orga", "referral.accepted", ref), 1);
	ck_assert_int_eq(events_of("orgb", "referral.accepted", ref), 0);
	ck_assert_int_eq(events_of("orgb", "proposal.accepted", p1), 1);
	/* out of every unit's candidates */
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(strstr(r.body, ref));
	resp_free(&r);
	/* its other proposal is withdrawn, both sides told */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND "
				   "status = 'declined' AND reason_code = 'person_placed'",
				   p2),
			 1);
	ck_assert_int_eq(events_of("orgc", "proposal.withdrawn", p2), 1);
	ck_assert_int_eq(events_of("orgb", "proposal.withdrawn", p2), 1);
	/* placed: a new proposal of theirs cannot be accepted */
	{
		char *u3 = new_unit(), *p3 = propose("orgb", u3, ref);

		snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p3);
		ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 409);
		ck_assert_str_eq(problem_type(&r), URN "person-placed");
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND "
					   "status = 'published'",
					   u3),
				 1);
		free(u3), free(p3);
	}
	/* the second unit is still published for others */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  u2),
		1);
	free(u1), free(u2), free(ref), free(p1), free(p2);
}
END_TEST

START_TEST(the_stay_starts_after_release_and_ends_with_an_outcome)
{
	char *unit = new_unit(), *occ;
	char *ref = waitlisted("orgb", "issue.axis1",
			       "\"identity\",\"housing_situation\",\"justice\"", "2027-03-01");
	char *p = propose("orgb", unit, ref);
	struct resp r;
	json_t *pl;

	accept_proposal(p);
	/* Before the release: 422 naming start_date; the operator is not told
	 * the date, the receiver (whose consent covers justice) is. */
	ck_assert_int_eq(start("orgc", p, "2027-02-01", "2027-08-01", &r), 422);
	ck_assert_str_eq(problem_type(&r), URN "unprocessable");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(r.json, "errors"), 0), "field")),
			 "start_date");
	ck_assert_ptr_nonnull(strstr(r.body, "release date"));
	ck_assert_ptr_null(strstr(r.body, "2027-03-01"));
	resp_free(&r);
	ck_assert_int_eq(start("orgb", p, "2027-02-01", "2027-08-01", &r), 422);
	ck_assert_ptr_nonnull(strstr(r.body, "2027-03-01"));
	resp_free(&r);
	/* nothing changed */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancies WHERE referral_id = $1::uuid", ref), 0);
	ck_assert_str_eq(status_of(ref), "accepted");
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'reserved'",
			  unit),
		1);
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 0);

	/* On the day of the release: in_progress, the sender told. */
	ck_assert_int_eq(start("orgc", p, "2027-03-01", "2028-08-01", &r), 201);
	occ = strdup(json_string_value(json_object_get(r.json, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "unit");
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "in_progress");
	last_transition(ref, "in_progress", NULL, "orgc");
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.started", ref), 1);

	/* The sender sees the placement; no address (the consent does not
	 * cover contact). */
	get_referral("orga", ref, &r);
	pl = json_object_get(r.json, "placement");
	ck_assert_ptr_nonnull(pl);
	ck_assert_str_eq(json_string_value(json_object_get(pl, "operator_organisation_id")),
			 org_id("orgc"));
	ck_assert_str_eq(json_string_value(json_object_get(pl, "unit_id")), unit);
	ck_assert_str_eq(json_string_value(json_object_get(pl, "start_date")), "2027-03-01");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "planned_end_date")), "2028-08-01");
	ck_assert_ptr_null(json_object_get(pl, "address"));
	ck_assert_ptr_null(json_object_get(pl, "end_date"));
	resp_free(&r);

	/* Back to prison: completed with that outcome. */
	ck_assert_int_eq(
		end("orgc", occ, "{\"end_date\":\"2027-09-30\",\"outcome\":\"prison\"}", &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")), "prison");
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "completed");
	last_transition(ref, "completed", "prison", "orgc");
	ck_assert_int_eq(events_of("orga", "placement.ended", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.ended", ref), 1);
	get_referral("orga", ref, &r);
	pl = json_object_get(r.json, "placement");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "end_date")), "2027-09-30");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "outcome")), "prison");
	resp_free(&r);
	/* the outcome's read is audited */
	ck_assert_int_gt(sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				   "AND resource_id = $1 AND detail->'placement' ? 'outcome'",
				   ref),
			 0);
	free(unit), free(ref), free(p), free(occ);
}
END_TEST

START_TEST(the_address_only_when_the_consent_covers_contact)
{
	char *unit = new_unit();
	char *ref = waitlisted("orgb", "issue.axis1",
			       "\"identity\",\"contact\",\"housing_situation\"", NULL);
	char *p = propose("orgb", unit, ref);
	struct resp r;
	json_t *pl;

	accept_proposal(p);
	ck_assert_int_eq(start("orgb", p, "2026-12-01", "2027-01-15", &r), 201);
	resp_free(&r);
	get_referral("orga", ref, &r);
	pl = json_object_get(r.json, "placement");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "kind")), "unit");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "address")), ADDRESS);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				   "AND resource_id = $1 AND detail->'placement' ? 'address' AND "
				   "detail->'categories' ? 'contact'",
				   ref),
			 1);
	/* The planned end is within 90 days: the sender hears it is ending soon
	 * (the housekeeping runs every second in the tests). */
	sleep(3);
	ck_assert_int_eq(events_of("orga", "placement.ending_soon", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.ending_soon", ref), 1);
	free(unit), free(ref), free(p);
}
END_TEST

/* A placement found outside refgw may not start before the release date
 * either (refgw_record_placement): the date, sealed at rest (schema/051),
 * is opened by the gateway for the check, and shown to the receiver whose
 * consent covers justice. */
START_TEST(a_placement_recorded_before_release_is_refused)
{
	char *ref = waitlisted("orgd", "diogenes.housing_support",
			       "\"identity\",\"housing_situation\",\"justice\"", "2027-03-01");
	char path[160];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-02-28\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(problem_type(&r), URN "unprocessable");
	ck_assert_ptr_nonnull(strstr(r.body, "release date (2027-03-01)"));
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancies WHERE referral_id = $1::uuid", ref), 0);
	ck_assert_str_eq(status_of(ref), "waitlisted");
	/* On the day of the release: recorded. */
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-03-01\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 201);
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "in_progress");
	free(ref);
}
END_TEST

START_TEST(a_private_market_placement_recorded_and_ended)
{
	char *unit = new_unit(), path[160], *occ;
	char *ref = waitlisted("orgd", "diogenes.housing_support",
			       "\"identity\",\"housing_situation\"", NULL);
	char *p = propose("orgd", unit, ref);
	struct resp r;
	json_t *pl;

	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	/* Bad input changes nothing. */
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"castle\",\"start_date\":\"2027-01-"
			      "04\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "\"kind\""));
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-01-04\","
			      "\"planned_end_date\":\"2027-01-01\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_ptr_nonnull(strstr(r.body, "planned_end_date"));
	resp_free(&r);
	/* Not a party: 404. */
	ck_assert_int_eq(call("orgb", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-01-04\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancies WHERE referral_id = $1::uuid", ref), 0);
	ck_assert_str_eq(status_of(ref), "waitlisted");

	/* A flat found on the private market, recorded by the receiver. */
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-01-04\","
			      "\"note\":\"lease signed with a private landlord\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "private_market");
	ck_assert(json_is_null(json_object_get(r.json, "unit_id")));
	ck_assert_ptr_nonnull(strstr(r.location, "/v1/occupancies/"));
	occ = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "in_progress");
	last_transition(ref, "in_progress", NULL, "orgd");
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 1);
	/* its open proposal is withdrawn */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND "
				   "status = 'declined' AND reason_code = 'person_placed'",
				   p),
			 1);
	/* one placement at a time */
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"social_housing\",\"start_date\":\"2027-02-01\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	get_referral("orga", ref, &r);
	pl = json_object_get(r.json, "placement");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "kind")), "private_market");
	ck_assert_ptr_null(json_object_get(pl, "unit_id"));
	ck_assert_ptr_null(json_object_get(pl, "operator_organisation_id"));
	resp_free(&r);

	/* Lost: ended with 008's code "street", stored as returned_to_street. */
	ck_assert_int_eq(
		end("orgd", occ, "{\"end_date\":\"2027-06-30\",\"outcome\":\"street\"}", &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")),
			 "returned_to_street");
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "completed");
	last_transition(ref, "completed", "returned_to_street", "orgd");
	ck_assert_int_eq(events_of("orga", "placement.ended", ref), 1);
	/* The consent withdrawn: neither party is shown where the person was
	 * housed any more (schema/026), only the referral's public fields. */
	get_referral("orga", ref, &r);
	ck_assert_ptr_nonnull(json_object_get(r.json, "placement"));
	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw",
		 json_string_value(json_object_get(r.json, "consent_id")));
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", path, "{\"reason\":\"asked\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	get_referral("orga", ref, &r);
	ck_assert_msg(json_object_get(r.json, "placement") == NULL,
		      "the sender still sees the placement after withdrawal: %s", r.body);
	resp_free(&r);
	get_referral("orgd", ref, &r);
	ck_assert_msg(json_object_get(r.json, "placement") == NULL,
		      "the receiver still sees the placement after withdrawal: %s", r.body);
	resp_free(&r);
	free(unit), free(ref), free(p), free(occ);
}
END_TEST

START_TEST(completed_and_cancelled_take_coded_outcomes)
{
	char *ref = waitlisted("orgb", "issue.axis1", "\"identity\",\"housing_situation\"", NULL);
	char *other = waitlisted("orgb", "issue.axis1", "\"identity\",\"housing_situation\"", NULL);
	char path[160];
	const char *v3[] = {"If-Match: \"3\"", NULL}, *v4[] = {"If-Match: \"4\"", NULL},
		   *v5[] = {"If-Match: \"5\"", NULL};
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"accepted\"}", v3, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"in_progress\"}", v4, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* completed needs an outcome of the list */
	ck_assert_int_eq(call("orgb", "POST", path, "{\"to\":\"completed\"}", v5, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "reason_code"));
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path,
			      "{\"to\":\"completed\",\"reason_code\":\"no_capacity\"}", v5, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_str_eq(status_of(ref), "in_progress");
	ck_assert_int_eq(call("orgb", "POST", path,
			      "{\"to\":\"completed\",\"reason_code\":\"durable_housing\"}", v5, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	last_transition(ref, "completed", "durable_housing", "orgb");
	/* the sender cancels with an outcome: the person died */
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", other);
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"to\":\"cancelled\",\"reason_code\":\"deceased\"}", v3, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	last_transition(other, "cancelled", "deceased", "orga");
	free(ref), free(other);
}
END_TEST

Suite *
placements_suite(void)
{
	Suite *s = suite_create("placements");
	TCase *t = tcase_create("placements");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, accepting_takes_the_person_off_the_waitlist);
	tcase_add_test(t, the_stay_starts_after_release_and_ends_with_an_outcome);
	tcase_add_test(t, the_address_only_when_the_consent_covers_contact);
	tcase_add_test(t, a_private_market_placement_recorded_and_ended);
	tcase_add_test(t, a_placement_recorded_before_release_is_refused);
	tcase_add_test(t, completed_and_cancelled_take_coded_outcomes);
	suite_add_tcase(s, t);
	return s;
}
