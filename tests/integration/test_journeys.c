/* Integration suite "journeys": each seed organisation's day, end to end
 * through the API (issue 14).  The test organisations play them
 * (tests/test-orgs.txt): orga (justice_aid) is Rizome-Bxl and, in its own
 * test, ORS; orgb (homeless_service) an ISSUE partner; orgc
 * (housing_operator) the operator publishing units (an AIS, a SISP, ISSUE's
 * temporarily vacant buildings); orgd (street_work) DIOGENES's Soutien au
 * Logement.  Direct SQL only reads what must be proven from the database
 * (events). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* orgc publishes a unit in commune, under terms, for audience (JSON list). */
static char *
operator_unit(const char *label, const char *commune, const char *terms, const char *audience)
{
	char body[1536];
	char *site, *unit;

	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"commune\":\"%s\",\"units\":6,"
		 "\"period_from\":\"2026-01-01\",\"period_until\":\"2030-12-31\"}",
		 label, commune);
	site = must(post_id("orgc", "/v1/sites", body, 201));
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"%s\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"%s\","
		 "\"address\":\"Rue %s 1, Bruxelles\",\"monthly_contribution_eur\":280,"
		 "\"available_from\":\"2026-12-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"%s\",\"max_stay_months\":18,\"audience\":%s,"
		 "\"status\":\"published\"}",
		 site, label, commune, label, terms, audience);
	unit = must(post_id("orgc", "/v1/units", body, 201));
	free(site);
	return unit;
}

/* slug records a person it meets and their consent: recipients (JSON list),
 * categories (JSON list body). */
static char *
person_and_consent(const char *slug, const char *ref, const char *recipients,
		   const char *categories, char **consent)
{
	char body[1536];
	char *person;

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", ref);
	person = must(post_id(slug, "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[%s],\"valid_until\":\"2099-01-01\",\"evidence\":{"
		 "\"method\":\"signed_form\",\"reference\":\"F-%s\",\"recorded_by\":\"A. "
		 "Peeters\"}}",
		 person, recipients, categories, ref);
	*consent = must(post_id(slug, "/v1/consents", body, 201));
	return person;
}

static void
get(const char *slug, const char *path, struct resp *r)
{
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, r), 0);
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "no string \"%s\"", key);
	return s;
}

/* The referral's status as slug reads it. */
static const char *
status_of(const char *slug, const char *ref)
{
	static char status[32];
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	get(slug, path, &r);
	ck_assert_int_eq(r.status, 200);
	snprintf(status, sizeof(status), "%s", str(r.json, "status"));
	resp_free(&r);
	return status;
}

/* slug moves the referral (version: its If-Match), expecting 200. */
static void
transition(const char *slug, const char *ref, int version, const char *body)
{
	char path[128], hdr[32];
	const char *h[2] = {hdr, NULL};
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	snprintf(hdr, sizeof(hdr), "If-Match: \"%d\"", version);
	ck_assert_int_eq(call(slug, "POST", path, body, h, &r), 0);
	ck_assert_msg(r.status == 200, "%s: %ld %s", body, r.status, r.body);
	resp_free(&r);
}

/* The unit's candidates as slug reads them; the entry of ref and in which list. */
static json_t *
candidate(const char *slug, const char *unit, const char *ref, struct resp *r, bool *eligible)
{
	static const char *const lists[] = {"candidates", "excluded"};
	char path[160];
	json_t *e;
	size_t i, l;

	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", unit);
	get(slug, path, r);
	ck_assert_int_eq(r->status, 200);
	for (l = 0; l < 2; l++)
		json_array_foreach(json_object_get(r->json, lists[l]), i, e)
			if (strcmp(str(e, "referral_id"), ref) == 0) {
				*eligible = l == 0;
				return e;
			}
	return NULL;
}

static bool
has_string(const json_t *list, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* slug proposes ref for unit; the proposal (caller frees r). */
static char *
propose(const char *slug, const char *unit, const char *ref, struct resp *r)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", ref);
	ck_assert_int_eq(call(slug, "POST", path, body, NULL, r), 0);
	ck_assert_msg(r->status == 201, "proposal: %ld %s", r->status, r->body);
	return strdup(str(r->json, "id"));
}

static void
decide(const char *proposal, const char *decision)
{
	char path[128], body[64];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	snprintf(body, sizeof(body), "{\"decision\":\"%s\"}", decision);
	ck_assert_int_eq(call("orgc", "POST", path, body, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "decision: %ld %s", r.status, r.body);
	resp_free(&r);
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

static void
end_stay(const char *slug, const char *occupancy, const char *day, const char *outcome)
{
	char path[128], body[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occupancy);
	snprintf(body, sizeof(body), "{\"end_date\":\"%s\",\"outcome\":\"%s\"}", day, outcome);
	ck_assert_int_eq(call(slug, "POST", path, body, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "end: %ld %s", r.status, r.body);
	ck_assert_str_eq(str(r.json, "outcome"), outcome);
	resp_free(&r);
}

/* The referral's last transition: to, reason code (NULL: none), by whom. */
static void
last_transition(const char *slug, const char *ref, const char *to, const char *reason,
		const char *by)
{
	char path[128];
	struct resp r;
	json_t *items, *t;

	snprintf(path, sizeof(path), "/v1/referrals/%s/history", ref);
	get(slug, path, &r);
	ck_assert_int_eq(r.status, 200);
	items = json_object_get(r.json, "items");
	t = json_array_get(items, json_array_size(items) - 1);
	ck_assert_str_eq(str(t, "to"), to);
	if (reason)
		ck_assert_str_eq(str(t, "reason_code"), reason);
	else
		ck_assert(json_is_null(json_object_get(t, "reason_code")));
	ck_assert_str_eq(str(t, "by_organisation_id"), org_id(by));
	resp_free(&r);
}

/* orga (Rizome, or ORS) takes in a detainee for its program: an intake,
 * released on release, a judge forbade Saint-Gilles, he would like Forest.
 * The consent names the operator (orgc) and covers justice. */
static char *
detainee_intake(const char *program, const char *release)
{
	char body[2048], recipients[128], *consent, *person, *id;
	struct resp r;

	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgc"));
	person = person_and_consent("orga", "RZ-J-031", recipients,
				    "\"identity\",\"housing_situation\",\"family\",\"justice\"",
				    &consent);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"candidature from Haren, no housing at release\","
		 "\"release_date\":\"%s\",\"needs\":{\"household_size\":1,"
		 "\"excluded_communes\":[\"Saint-Gilles\"],\"preferred_communes\":[\"Forest\"]},"
		 "\"data\":{\"identity\":{\"given_name\":\"Jean\"},"
		 "\"justice\":{\"prison\":\"Haren\",\"status\":\"detained\"}}}",
		 person, org_id("orga"), program, consent, release);
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "intake: %ld %s", r.status, r.body);
	/* on its waitlist at once, an intake: Rizome is sender and receiver */
	ck_assert_str_eq(str(r.json, "status"), "waitlisted");
	ck_assert(json_is_true(json_object_get(r.json, "intake")));
	ck_assert_str_eq(str(r.json, "from_organisation_id"), org_id("orga"));
	ck_assert_str_eq(str(r.json, "to_organisation_id"), org_id("orga"));
	ck_assert_str_eq(str(r.json, "program"), program);
	id = strdup(str(r.json, "id"));
	resp_free(&r);
	free(person), free(consent);
	return id;
}

START_TEST(rizome_day)
{
	char audience[128], path[160], *forest, *sg, *ref, *p, *occ;
	struct resp r;
	json_t *e, *pl;
	bool eligible;

	/* A candidature during detention: an intake on Rizome's waitlist. */
	ref = detainee_intake("a.transit", "2027-03-01");
	get("orga", "/v1/referrals?role=received&status=waitlisted&limit=200", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, ref));
	resp_free(&r);

	/* The operator's transit studios, 18 months at most, published to Rizome. */
	snprintf(audience, sizeof(audience), "[{\"organisation_id\":\"%s\"}]", org_id("orga"));
	forest = operator_unit("Forest-T1", "Forest", "transit", audience);
	sg = operator_unit("Saint-Gilles-T2", "Saint-Gilles", "transit", audience);
	get("orga", strcat(strcpy(path, "/v1/units/"), forest), &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "max_stay_months")), 18);
	resp_free(&r);

	/* Ranked for the Forest studio, with his preference; excluded from the
	 * Saint-Gilles one by the justice condition. */
	e = candidate("orga", forest, ref, &r, &eligible);
	ck_assert_msg(e != NULL && eligible, "not a candidate of the Forest studio");
	ck_assert(has_string(json_object_get(e, "reason_codes"), "preference.preferred"));
	resp_free(&r);
	e = candidate("orga", sg, ref, &r, &eligible);
	ck_assert_msg(e != NULL && !eligible, "not excluded from the Saint-Gilles studio");
	ck_assert(has_string(json_object_get(e, "failed"), "justice"));
	ck_assert(has_string(json_object_get(e, "reason_codes"), "justice.excluded"));
	resp_free(&r);

	/* Proposed to the operator, which accepts: accepted. */
	p = propose("orga", forest, ref, &r);
	resp_free(&r);
	decide(p, "accept");
	ck_assert_str_eq(status_of("orga", ref), "accepted");
	last_transition("orga", ref, "accepted", NULL, "orgc");
	ck_assert_int_eq(events_of("orgc", "proposal.received", p), 1);
	ck_assert_int_eq(events_of("orga", "proposal.accepted", p), 1);

	/* The stay cannot start before the release (422, nothing changed); it
	 * starts on the day. */
	ck_assert_int_eq(start("orgc", p, "2027-02-15", "2028-08-31", &r), 422);
	ck_assert_str_eq(str(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
			 "start_date");
	resp_free(&r);
	ck_assert_str_eq(status_of("orga", ref), "accepted");
	/* nor for longer than the studio's 18 months */
	ck_assert_int_eq(start("orgc", p, "2027-03-01", "2028-12-31", &r), 422);
	ck_assert_str_eq(problem_type(&r), URN "occupancy-out-of-bounds");
	resp_free(&r);
	ck_assert_int_eq(start("orgc", p, "2027-03-01", "2028-08-31", &r), 201);
	occ = strdup(str(r.json, "id"));
	resp_free(&r);
	ck_assert_str_eq(status_of("orga", ref), "in_progress");
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 1);
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	get("orga", path, &r);
	pl = json_object_get(r.json, "placement");
	ck_assert_ptr_nonnull(pl);
	ck_assert_str_eq(str(pl, "unit_id"), forest);
	ck_assert_str_eq(str(pl, "start_date"), "2027-03-01");
	resp_free(&r);

	/* The transit stay ends in a lease: completed, durable_housing. */
	end_stay("orgc", occ, "2028-06-30", "durable_housing");
	ck_assert_str_eq(status_of("orga", ref), "completed");
	last_transition("orga", ref, "completed", "durable_housing", "orgc");
	ck_assert_int_eq(events_of("orga", "placement.ended", ref), 1);
	get("orga", path, &r);
	ck_assert_str_eq(str(json_object_get(r.json, "placement"), "outcome"), "durable_housing");
	resp_free(&r);
	free(forest), free(sg), free(ref), free(p), free(occ);
}
END_TEST

START_TEST(issue_day)
{
	char recipients[256], body[2048], path[160], *person, *consent, *ref, *unit, *p, *occ;
	struct resp r;
	json_t *shared, *data, *k;
	const char *key;
	bool eligible;

	/* ISSUE's operator publishes a temporarily vacant flat, precarious
	 * occupation, to homeless services. */
	unit = operator_unit("Vacant-Heyvaert", "Anderlecht", "precarious_occupation",
			     "[{\"kind\":\"homeless_service\"}]");
	/* not to a justice aid service */
	get("orga", strcat(strcpy(path, "/v1/units/"), unit), &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	/* The street workers (orgd) refer a person they follow to the ISSUE
	 * partner (orgb) for its axis program; the consent names orgb and housing
	 * operators, for identity, housing_situation, family. */
	snprintf(recipients, sizeof(recipients),
		 "[{\"organisation_id\":\"%s\"},{\"kind\":\"housing_operator\"}]", org_id("orgb"));
	person = person_and_consent("orgd", "SW-2026-77", recipients,
				    "\"identity\",\"housing_situation\",\"family\"", &consent);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"issue.axis1\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"sleeps at Gare du Midi since spring\",\"needs\":{"
		 "\"household_size\":1},\"data\":{\"identity\":{\"given_name\":\"Samir\"},"
		 "\"family\":{\"children\":0}}}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	ck_assert_int_eq(events_of("orgb", "referral.received", ref), 1);
	transition("orgb", ref, 1, "{\"to\":\"received\"}");
	transition("orgb", ref, 2, "{\"to\":\"waitlisted\"}");

	/* The operator does not know the person before a proposal. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	get("orgc", path, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	/* The partner sees the person among the flat's candidates, proposes. */
	ck_assert_ptr_nonnull(candidate("orgb", unit, ref, &r, &eligible));
	ck_assert(eligible);
	resp_free(&r);
	p = propose("orgb", unit, ref, &r);
	shared = json_deep_copy(json_object_get(r.json, "shared_categories"));
	resp_free(&r);
	/* data's categories the consent covers: identity, family; not the
	 * reason's housing_situation */
	ck_assert_int_eq(json_array_size(shared), 2);
	ck_assert(has_string(shared, "identity"));
	ck_assert(has_string(shared, "family"));

	/* The operator reads what the proposal shares, and only that. */
	get("orgc", path, &r);
	ck_assert_int_eq(r.status, 200);
	data = json_object_get(r.json, "data");
	ck_assert_str_eq(str(json_object_get(data, "identity"), "given_name"), "Samir");
	json_object_foreach(data, key, k)
		ck_assert_msg(has_string(shared, key), "data.%s not shared", key);
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_object_get(data, "family"), "children")),
		0);
	ck_assert_ptr_null(strstr(r.body, "Gare du Midi"));
	ck_assert(json_is_null(json_object_get(r.json, "reason")) ||
		  json_object_get(r.json, "reason") == NULL);
	resp_free(&r);
	/* ...audited as the operator's read */
	{
		const char *params[2] = {ref, org_id("orgc")};
		PGconn *c = sql_admin();

		ck_assert_int_ge(
			sql_long(c,
				 "SELECT count(*) FROM audit_log WHERE action = "
				 "'referral.read' AND resource_id = $1 AND organisation_id "
				 "= $2::uuid",
				 2, params),
			1);
		PQfinish(c);
	}
	/* a third organisation reads nothing */
	get("orga", path, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	/* It accepts; the occupancy starts: the referral is in progress and the
	 * street workers, who sent it, see where. */
	decide(p, "accept");
	ck_assert_str_eq(status_of("orgd", ref), "accepted");
	ck_assert_int_eq(events_of("orgd", "referral.accepted", ref), 1);
	ck_assert_int_eq(start("orgc", p, "2026-12-15", "2028-06-14", &r), 201);
	occ = strdup(str(r.json, "id"));
	ck_assert_str_eq(str(r.json, "kind"), "unit");
	resp_free(&r);
	ck_assert_str_eq(status_of("orgd", ref), "in_progress");
	ck_assert_int_eq(events_of("orgd", "placement.started", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.started", ref), 1);
	get("orgd", path, &r);
	ck_assert_str_eq(str(json_object_get(r.json, "placement"), "unit_id"), unit);
	ck_assert_str_eq(str(json_object_get(r.json, "placement"), "operator_organisation_id"),
			 org_id("orgc"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	get("orgc", path, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(str(r.json, "status"), "occupied");
	resp_free(&r);
	json_decref(shared);
	free(person), free(consent), free(ref), free(unit), free(p), free(occ);
}
END_TEST

START_TEST(diogenes_day)
{
	char recipients[128], body[2048], path[160], *person, *consent, *ref, *occ;
	struct resp r;
	json_t *pl;

	/* Met on the street; referred to a homeless service (orgb) for its axis. */
	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgb"));
	person = person_and_consent("orgd", "DG-2026-12", recipients,
				    "\"identity\",\"housing_situation\"", &consent);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"issue.axis1\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"street, Porte de Hal\",\"data\":{\"identity\":{"
		 "\"given_name\":\"Marc\"}}}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	transition("orgb", ref, 1, "{\"to\":\"received\"}");
	transition("orgb", ref, 2, "{\"to\":\"accepted\"}");
	ck_assert_int_eq(events_of("orgd", "referral.accepted", ref), 1);

	/* A flat on the private market: DIOGENES records the placement. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"kind\":\"private_market\",\"start_date\":\"2027-01-04\","
			      "\"planned_end_date\":\"2030-01-03\",\"note\":\"lease signed with a "
			      "private landlord, Saint-Josse\"}",
			      NULL, &r),
			 0);
	ck_assert_msg(r.status == 201, "placement: %ld %s", r.status, r.body);
	ck_assert_str_eq(str(r.json, "kind"), "private_market");
	occ = strdup(str(r.json, "id"));
	resp_free(&r);
	ck_assert_str_eq(status_of("orgd", ref), "in_progress");
	last_transition("orgd", ref, "in_progress", NULL, "orgd");
	ck_assert_int_eq(events_of("orgb", "placement.started", ref), 1);
	/* the service it was referred to sees it */
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	get("orgb", path, &r);
	ck_assert_int_eq(r.status, 200);
	pl = json_object_get(r.json, "placement");
	ck_assert_ptr_nonnull(pl);
	ck_assert_str_eq(str(pl, "kind"), "private_market");
	ck_assert_str_eq(str(pl, "start_date"), "2027-01-04");
	resp_free(&r);

	/* Ended: the lease holds, the follow-up stops. */
	end_stay("orgd", occ, "2027-12-31", "durable_housing");
	ck_assert_str_eq(status_of("orgd", ref), "completed");
	last_transition("orgd", ref, "completed", "durable_housing", "orgd");
	ck_assert_int_eq(events_of("orgd", "placement.ended", ref), 1);
	ck_assert_int_eq(events_of("orgb", "placement.ended", ref), 1);
	free(person), free(consent), free(ref), free(occ);
}
END_TEST

START_TEST(ors_day)
{
	char path[256], body[512], audience[128], *ref, *unit, *occ;
	const char *programs_before;
	char *saved;
	struct resp r;
	json_t *e, *prog;
	size_t i;
	bool eligible, found = false;
	int version;

	/* Its community transition house, a program of kind community_house (the
	 * coordinator lists an organisation's programs; the organisation then
	 * describes it). */
	snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("orga"));
	get("coord", path, &r);
	ck_assert_int_eq(r.status, 200);
	version = (int)json_integer_value(json_object_get(r.json, "version"));
	saved = json_dumps(json_object_get(r.json, "programs"), JSON_COMPACT);
	programs_before = saved;
	resp_free(&r);
	{
		char hdr[32];
		const char *h[2] = {hdr, NULL};

		snprintf(hdr, sizeof(hdr), "If-Match: \"%d\"", version);
		ck_assert(strstr(programs_before, "a.transit") != NULL);
		ck_assert_int_eq(call("coord", "PATCH", path,
				      "{\"programs\":[\"a.transit\",\"a.community_house\"]}", h,
				      &r),
				 0);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
		resp_free(&r);
	}
	snprintf(path, sizeof(path), "/v1/organisations/%s/programs", org_id("orga"));
	get("orga", path, &r);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, prog)
		if (strcmp(str(prog, "code"), "a.community_house") == 0) {
			found = true;
			ck_assert_str_eq(str(prog, "kind"), "community_house");
			ck_assert_str_eq(str(prog, "status"), "open");
		}
	ck_assert(found);
	resp_free(&r);

	/* The intake for the house, from prison: waitlisted at once. */
	ref = detainee_intake("a.community_house", "2027-02-01");
	get("orga", "/v1/referrals?role=received&status=waitlisted&limit=200", &r);
	ck_assert_ptr_nonnull(strstr(r.body, ref));
	resp_free(&r);

	/* Ranked among the candidates of a partner's unit published to it. */
	snprintf(audience, sizeof(audience), "[{\"organisation_id\":\"%s\"}]", org_id("orga"));
	unit = operator_unit("Forest-ORS", "Forest", "transit", audience);
	e = candidate("orga", unit, ref, &r, &eligible);
	ck_assert_msg(e != NULL && eligible, "not ranked");
	resp_free(&r);

	/* Its own house is not a unit of refgw: a justice aid service cannot
	 * publish sites or units (site.manage is a housing operator's). */
	ck_assert_int_eq(call("orga", "POST", "/v1/sites",
			      "{\"name\":\"Maison ORS\",\"commune\":\"Forest\",\"units\":8,"
			      "\"period_from\":\"2026-01-01\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);

	/* What the API allows: the placement in its house recorded as a
	 * placement outside refgw (kind other), not before the release. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"kind\":\"other\",\"start_date\":\"2027-01-20\","
			      "\"note\":\"ORS community house\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_ptr_nonnull(strstr(r.body, "start_date"));
	resp_free(&r);
	ck_assert_str_eq(status_of("orga", ref), "waitlisted");
	snprintf(body, sizeof(body),
		 "{\"kind\":\"other\",\"start_date\":\"2027-02-01\",\"planned_end_date\":"
		 "\"2027-08-01\",\"note\":\"ORS community house\"}");
	ck_assert_int_eq(call("orga", "POST", path, body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "placement: %ld %s", r.status, r.body);
	occ = strdup(str(r.json, "id"));
	resp_free(&r);
	ck_assert_str_eq(status_of("orga", ref), "in_progress");
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 1);
	/* out of the unit's candidates */
	ck_assert_ptr_null(candidate("orga", unit, ref, &r, &eligible));
	resp_free(&r);
	end_stay("orga", occ, "2027-07-31", "transit_housing");
	ck_assert_str_eq(status_of("orga", ref), "completed");
	last_transition("orga", ref, "completed", "transit_housing", "orga");

	/* Out of the way of the other suites: the program list as it was. */
	snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("orga"));
	{
		char hdr[32], restore[512];
		const char *h[2] = {hdr, NULL};

		snprintf(hdr, sizeof(hdr), "If-Match: \"%d\"", version + 1);
		snprintf(restore, sizeof(restore), "{\"programs\":%s}", saved);
		ck_assert_int_eq(call("coord", "PATCH", path, restore, h, &r), 0);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
		resp_free(&r);
	}
	free(saved), free(ref), free(unit), free(occ);
}
END_TEST

Suite *
journeys_suite(void)
{
	Suite *s = suite_create("journeys");
	TCase *t = tcase_create("journeys");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, rizome_day);
	tcase_add_test(t, issue_day);
	tcase_add_test(t, diogenes_day);
	tcase_add_test(t, ors_day);
	suite_add_tcase(s, t);
	return s;
}
