/* Integration suite "relay_hosting" (issue 15, items 2 and 7).
 *
 * The day: ORS (orga, a justice_aid service) opens its community house.  Its
 * kind may not publish housing; the coordinator (coord) grants it hosting
 * with one rule, site.host, and ORS publishes the house and a room,
 * receives a proposal from DIOGENES (orgd, street work, Soutien au
 * Logement), accepts it and starts the stay.  Revoking the rule stops it.
 * After move-in, DIOGENES relays the person to a home-guidance service
 * (orgh, kind home_guidance), which sees the placement the relay continues
 * while the relay's consent covers it and housing_situation, and no longer
 * once it is withdrawn. */
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

static long
rule(const char *slug, const char *method, const char *org, const char *action, const char *body,
     struct resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/access-rules/%s/%s", org, action);
	ck_assert_int_eq(call(slug, method, path, body, NULL, r), 0);
	return r->status;
}

/* Whether GET /v1/me lists action among slug's allowed actions. */
static bool
allowed(const char *slug, const char *action)
{
	struct resp r;
	json_t *a, *v;
	size_t i;
	bool found = false;

	ck_assert_int_eq(call(slug, "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	a = json_object_get(r.json, "allowed_actions");
	json_array_foreach(a, i, v)
		found |= strcmp(json_string_value(v), action) == 0;
	resp_free(&r);
	return found;
}

static const char *
errors_field(const struct resp *r)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);
	return e ? json_string_value(json_object_get(e, "field")) : "";
}

/* ORS's community house: a site and one room, for street work services. */
static char *
ors_room(void)
{
	char body[1024];
	char *site = must(post_id("orga", "/v1/sites",
				  "{\"name\":\"Maison communautaire\",\"commune\":\"Saint-Gilles\","
				  "\"units\":5,\"period_from\":\"2026-01-01\"}",
				  201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"Chambre 2\",\"type\":\"room\",\"bedrooms\":1,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Saint-Gilles\","
		 "\"address\":\"Rue de la Maison 3, 1060 Saint-Gilles\","
		 "\"monthly_contribution_eur\":200,\"available_from\":\"2026-12-01\","
		 "\"available_until\":\"2029-12-31\",\"terms\":\"transit\",\"max_stay_months\":12,"
		 "\"audience\":[{\"kind\":\"street_work\"}],\"status\":\"published\"}",
		 site);
	free(site);
	return must(post_id("orga", "/v1/units", body, 201));
}

/* DIOGENES refers a person to ORS's transit program (its consent covering
 * ORS), proposes them for the room; ORS accepts and starts the stay.  The
 * referral's id (DIOGENES → ORS). */
static char *
placed_at_ors(const char *unit, char **person_out)
{
	char body[2048], path[160];
	char *person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"D-15\"}", 201));
	char *consent = post_consent("orgd", person, "orga", "\"identity\",\"housing_situation\"");
	char *ref, *proposal;
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"sleeps rough near the station, wants a room\"}",
		 person, org_id("orga"), consent);
	ref = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"a quiet room\"}", ref);
	proposal = must(post_id("orgd", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orga", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 200, "decision: %ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-12-01\","
		 "\"planned_end_date\":\"2027-11-30\"}",
		 proposal);
	ck_assert_int_eq(call("orga", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "occupancy: %ld %s", r.status, r.body);
	resp_free(&r);
	free(consent);
	free(proposal);
	*person_out = person;
	return ref;
}

START_TEST(a_coordinator_grants_hosting_with_one_rule)
{
	char *unit, *person, *ref, body[1024];
	long rules_before;
	struct resp r;

	/* A justice aid service may not publish housing by its kind. */
	ck_assert_int_eq(call("orga", "POST", "/v1/sites",
			      "{\"name\":\"Maison\",\"commune\":\"Saint-Gilles\",\"units\":1,"
			      "\"period_from\":\"2026-01-01\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert(!allowed("orga", "site.manage"));

	/* Bad grants change nothing: an unknown action, a bad body, hosting for
	 * a coordinator, an organisation that does not exist, not a coordinator. */
	rules_before = sql_count("SELECT count(*) FROM access_rules", NULL);
	ck_assert_int_eq(
		rule("coord", "PUT", org_id("orga"), "site.hosting", "{\"allowed\":true}", &r),
		422);
	ck_assert_str_eq(errors_field(&r), "action");
	resp_free(&r);
	ck_assert_int_eq(
		rule("coord", "PUT", org_id("orga"), "site.host", "{\"allowed\":\"yes\"}", &r),
		400);
	ck_assert_str_eq(errors_field(&r), "allowed");
	resp_free(&r);
	ck_assert_int_eq(
		rule("coord", "PUT", org_id("coord"), "site.host", "{\"allowed\":true}", &r), 422);
	ck_assert_str_eq(errors_field(&r), "action");
	resp_free(&r);
	ck_assert_int_eq(rule("coord", "PUT", "5b1f7e52-3c59-4a57-9d2e-0d0c1f1b2a3c", "site.host",
			      "{\"allowed\":true}", &r),
			 404);
	resp_free(&r);
	ck_assert_int_eq(rule("orga", "PUT", org_id("orga"), "site.host", "{\"allowed\":true}", &r),
			 403);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM access_rules", NULL), rules_before);

	/* One call: ORS hosts. */
	ck_assert_int_eq(
		rule("coord", "PUT", org_id("orga"), "site.host", "{\"allowed\":true}", &r), 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(r.json, "items"), 0), "action")),
			 "site.host");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM access_rules", NULL), rules_before + 1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'access_rule.set' "
			  "AND resource_id = $1",
			  org_id("orga")),
		1);
	ck_assert(allowed("orga", "site.host"));
	ck_assert(allowed("orga", "site.manage"));
	ck_assert(allowed("orga", "proposal.decide"));
	/* A coordinator gets nothing from hosting. */
	ck_assert(!allowed("coord", "site.manage"));
	ck_assert(!allowed("coord", "referral.read"));

	/* It publishes its house, receives a proposal, decides, starts a stay. */
	unit = ors_room();
	ref = placed_at_ors(unit, &person);

	/* Revoked: the kind's rules apply again (none for hosting). */
	ck_assert_int_eq(rule("coord", "DELETE", org_id("orga"), "site.host", NULL, &r), 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
				   "'access_rule.remove' AND resource_id = $1",
				   org_id("orga")),
			 1);
	ck_assert(!allowed("orga", "site.manage"));
	ck_assert_int_eq(
		call("orga", "POST", "/v1/sites",
		     "{\"name\":\"Maison "
		     "2\",\"commune\":\"Saint-Gilles\",\"units\":1,\"period_from\":\"2026-01-01\"}",
		     NULL, &r),
		0);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), URN "forbidden");
	resp_free(&r);
	snprintf(body, sizeof(body), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orga", "PATCH", body, "{\"status\":\"withdrawn\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	/* Nothing left to remove. */
	ck_assert_int_eq(rule("coord", "DELETE", org_id("orga"), "site.host", NULL, &r), 404);
	resp_free(&r);
	free(unit);
	free(person);
	free(ref);
}
END_TEST

/* The relay of `earlier` to orgh under a consent of these categories; 201
 * expected; the new referral's id. */
static char *
relay(const char *person, const char *earlier, const char *categories, char **consent_out)
{
	char body[2048];
	char *consent = post_consent("orgd", person, "orgh", categories), *id;
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"relays_referral_id\":\"%s\"}",
		 person, org_id("orgh"), consent, earlier);
	ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "relay: %ld %s", r.status, r.body);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "relays_referral_id")), earlier);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	*consent_out = consent;
	return id;
}

START_TEST(diogenes_relays_to_home_guidance)
{
	char *unit, *person, *earlier, *other, *consent, *consent2, *relayed, *narrow, body[2048],
		path[160];
	long referrals_before, events_before;
	struct resp r;
	json_t *pl;

	/* ORS's house again, the person placed there (as in the test above). */
	ck_assert_int_eq(
		rule("coord", "PUT", org_id("orga"), "site.host", "{\"allowed\":true}", &r), 200);
	resp_free(&r);
	unit = ors_room();
	earlier = placed_at_ors(unit, &person);
	ck_assert_int_eq(rule("coord", "DELETE", org_id("orga"), "site.host", NULL, &r), 200);
	resp_free(&r);

	/* Bad relays: unknown, another person's, not the caller's; 422 naming
	 * the field, nothing created, nobody told. */
	other = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"D-16\"}", 201));
	consent = post_consent("orgd", person, "orgh", "\"identity\",\"housing_situation\"");
	referrals_before = sql_count("SELECT count(*) FROM referrals", NULL);
	events_before = sql_count("SELECT count(*) FROM events", NULL);
	{
		const char *bad[] = {"0b6b2f0e-9a43-4d4e-8c7c-2f8f9d1e0a11", NULL, NULL};
		char other_ref[40];
		char *oc = post_consent("orgd", other, "orgh", "\"identity\"");
		char *o;
		size_t i;

		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
			 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":\"housing_"
			 "referral\"}",
			 other, org_id("orgh"), oc);
		o = must(post_id("orgd", "/v1/referrals", body, 201));
		snprintf(other_ref, sizeof(other_ref), "%s", o);
		bad[1] = other_ref;
		referrals_before++;
		events_before = sql_count("SELECT count(*) FROM events", NULL);
		for (i = 0; i < 2; i++) {
			snprintf(body, sizeof(body),
				 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
				 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":"
				 "\"housing_referral\",\"relays_referral_id\":\"%s\"}",
				 person, org_id("orgh"), consent, bad[i]);
			ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", body, NULL, &r), 0);
			ck_assert_msg(r.status == 422, "bad relay %zu: %ld %s", i, r.status,
				      r.body);
			ck_assert_str_eq(errors_field(&r), "relays_referral_id");
			resp_free(&r);
		}
		free(o);
		free(oc);
	}
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), referrals_before);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events", NULL), events_before);
	free(consent);

	/* The relay: linked, ORS (the earlier referral's receiver) told. */
	relayed = relay(person, earlier, "\"identity\",\"housing_situation\"", &consent);
	ck_assert_int_eq(events_of("orga", "referral.relayed", earlier), 1);
	ck_assert_int_eq(events_of("orgd", "referral.relayed", earlier), 0);

	/* The home-guidance service, which now follows the person, may not
	 * relay DIOGENES's referral to ORS onwards: it is not one of its own. */
	{
		char *hc = post_consent("orgh", person, "orgc", "\"identity\"");
		long before = sql_count("SELECT count(*) FROM referrals", NULL);

		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
			 "\"c.lease\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
			 "\"relays_referral_id\":\"%s\"}",
			 person, org_id("orgc"), hc, earlier);
		ck_assert_int_eq(call("orgh", "POST", "/v1/referrals", body, NULL, &r), 0);
		ck_assert_msg(r.status == 422, "relay by a stranger: %ld %s", r.status, r.body);
		ck_assert_str_eq(errors_field(&r), "relays_referral_id");
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
		free(hc);
	}

	/* The home-guidance service sees where the person lives now: the
	 * house's commune, the operator, the dates; not the address. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", relayed);
	ck_assert_int_eq(call("orgh", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "relays_referral_id")), earlier);
	pl = json_object_get(r.json, "relayed_placement");
	ck_assert_ptr_nonnull(pl);
	ck_assert_str_eq(json_string_value(json_object_get(pl, "kind")), "unit");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "commune")), "Saint-Gilles");
	ck_assert_str_eq(json_string_value(json_object_get(pl, "operator_organisation_id")),
			 org_id("orga"));
	ck_assert_str_eq(json_string_value(json_object_get(pl, "start_date")), "2026-12-01");
	ck_assert_ptr_null(json_object_get(pl, "address"));
	resp_free(&r);
	/* ... audited as a read of the person's housing situation. */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				   "AND resource_id = $1 AND detail ? 'relayed_placement' AND "
				   "detail->'categories' ? 'housing_situation'",
				   relayed),
			 1);
	/* The sender reads the relay; the placement it knows from its own. */
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "relayed_placement"));
	resp_free(&r);

	/* A consent without housing_situation: the relay, not the placement. */
	narrow = relay(person, earlier, "\"identity\"", &consent2);
	snprintf(path, sizeof(path), "/v1/referrals/%s", narrow);
	ck_assert_int_eq(call("orgh", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "relayed_placement"));
	resp_free(&r);

	/* Consent withdrawn: the placement is gone for the receiver. */
	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(
		call("orgd", "POST", path, "{\"reason\":\"asked by the person\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", relayed);
	ck_assert_int_eq(call("orgh", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "relayed_placement"));
	ck_assert_ptr_null(strstr(r.body, "Saint-Gilles"));
	resp_free(&r);

	free(unit);
	free(person);
	free(earlier);
	free(other);
	free(consent);
	free(consent2);
	free(relayed);
	free(narrow);
}
END_TEST

Suite *
relay_hosting_suite(void)
{
	Suite *s = suite_create("relay_hosting");
	TCase *t = tcase_create("relay_hosting");

	tcase_add_test(t, a_coordinator_grants_hosting_with_one_rule);
	tcase_add_test(t, diogenes_relays_to_home_guidance);
	suite_add_tcase(s, t);
	return s;
}
