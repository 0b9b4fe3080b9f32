/* Integration suite for sites, units, their audience and proposals. */
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

/* orgc publishes a unit for homeless services and for orgd. */
static char *
new_unit(const char *status)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Dubrucq\",\"commune\":\"Molenbeek-Saint-Jean\","
				  "\"managing_partner\":\"Communa\",\"units\":14,"
				  "\"period_from\":\"2023-03-01\",\"period_until\":\"2030-07-15\"}",
				  201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"D-03\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"lift\",\"commune\":\"Molenbeek-Saint-"
		 "Jean\","
		 "\"address\":\"Rue Dubrucq 1, 1080 Molenbeek\",\"monthly_contribution_eur\":250,"
		 "\"available_from\":\"2026-12-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		 "\"audience\":[{\"kind\":\"homeless_service\"},{\"organisation_id\":\"%s\"}],"
		 "\"status\":\"%s\"}",
		 site, org_id("orgd"), status);
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

/* A referral orga -> orgb whose consent covers recipients (JSON list). */
static char *
new_referral_for(const char *recipients)
{
	char body[2048];
	char *person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"U-1\"}", 201)),
	     *consent, *ref;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],\"valid_until\":\"2099-"
		 "01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, recipients);
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"needs "
		 "housing\","
		 "\"data\":{\"identity\":{\"given_name\":\"Ana\"}}}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	free(person);
	free(consent);
	return ref;
}

static char *
covering_referral(void)
{
	char recipients[256];

	snprintf(recipients, sizeof(recipients),
		 "[{\"organisation_id\":\"%s\"},{\"kind\":\"housing_operator\"}]", org_id("orgb"));
	return new_referral_for(recipients);
}

static char *
propose(const char *slug, const char *unit, const char *referral, long want)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", referral);
	return post_id(slug, path, body, want);
}

START_TEST(unit_invisible_outside_its_audience)
{
	char *unit = new_unit("published"), *draft = new_unit("draft"), path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "address")); /* not before acceptance */
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "max_stay_months")), 18);
	ck_assert(json_is_integer(json_object_get(r.json, "monthly_contribution_eur")));
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "monthly_contribution_eur")),
			 250);
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* Outside the audience: 404, not 403. */
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* The operator sees the address. */
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "address")),
			 "Rue Dubrucq 1, 1080 Molenbeek");
	resp_free(&r);
	/* A draft: only its operator. */
	snprintf(path, sizeof(path), "/v1/units/%s", draft);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* Search: in the audience's results, not in others'. */
	ck_assert_int_eq(
		call("orgb", "GET",
		     "/v1/units?available_on=2027-01-10&commune=Molenbeek-Saint-Jean&limit=200",
		     NULL, NULL, &r),
		0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, unit));
	ck_assert_ptr_null(strstr(r.body, draft));
	ck_assert_ptr_null(strstr(r.body, "Rue Dubrucq"));
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/units?limit=200", NULL, NULL, &r), 0);
	ck_assert_ptr_null(strstr(r.body, unit));
	resp_free(&r);
	ck_assert_int_eq(
		call("orgb", "GET", "/v1/units?available_on=2031-01-01&limit=200", NULL, NULL, &r),
		0);
	ck_assert_ptr_null(strstr(r.body, unit));
	resp_free(&r);
	/* Pages follow the cursor, in a stable order, without loss or repeat. */
	{
		char *first;
		long total = sql_count("SELECT count(*) FROM units WHERE status = 'published' AND "
				       "'homeless_service' = ANY (audience_kinds)",
				       NULL);

		ck_assert_int_eq(walk_pages("orgb", "/v1/units", 2), total);
		ck_assert_int_eq(call("orgb", "GET", "/v1/units?limit=2", NULL, NULL, &r), 0);
		first = strdup(json_string_value(json_object_get(
			json_array_get(json_object_get(r.json, "items"), 0), "id")));
		resp_free(&r);
		/* Stable order: the same first page again. */
		ck_assert_int_eq(call("orgb", "GET", "/v1/units?limit=2", NULL, NULL, &r), 0);
		ck_assert_str_eq(
			json_string_value(json_object_get(
				json_array_get(json_object_get(r.json, "items"), 0), "id")),
			first);
		resp_free(&r);
		free(first);
		ck_assert_int_eq(call("orgb", "GET", "/v1/units?cursor=nonsense", NULL, NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 400);
		resp_free(&r);
	}
	ck_assert_int_eq(call("orgb", "GET", "/v1/units?min_bedrooms=9", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	/* Only housing operators publish. */
	ck_assert_int_eq(
		call("orgb", "POST", "/v1/sites",
		     "{\"name\":\"X\",\"commune\":\"Forest\",\"period_from\":\"2026-01-01\"}", NULL,
		     &r),
		0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	free(unit);
	free(draft);
}
END_TEST

/* Units are rendered straight into a buffer (UNIT_COLUMNS, row_write): free
 * texts must come out escaped, the contribution exact, and a unit must read
 * the same in the search as alone. */
START_TEST(unit_json_escaped_exact_and_equal_in_search)
{
	static const char label[] = "Rez \"A\" \\ c\xc3\xb4t\xc3\xa9";
	char body[1024], path[128], *site, *unit;
	const char *p[1];
	json_t *items, *v, *found = NULL;
	struct resp one, list;
	PGconn *c;
	size_t i;

	site = must(post_id(
		"orgc", "/v1/sites",
		"{\"name\":\"Trefles\",\"commune\":\"Ganshoren\",\"period_from\":\"2022-04-01\"}",
		201));
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"Rez \\\"A\\\" \\\\ "
		 "c\xc3\xb4t\xc3\xa9\",\"type\":\"room\","
		 "\"bedrooms\":1,\"commune\":\"Ganshoren\",\"address\":\"Rue \\\"X\\\" 1\","
		 "\"available_from\":\"2026-12-01\",\"terms\":\"transit\","
		 "\"audience\":[{\"organisation_id\":\"%s\"},{\"kind\":\"homeless_service\"}],"
		 "\"status\":\"published\"}",
		 site, org_id("orgd"));
	unit = must(post_id("orgc", "/v1/units", body, 201));
	/* Whole euros come in through the API; cents only through SQL. */
	c = sql_admin();
	p[0] = unit;
	ck_assert_int_eq(sql_long(c,
				  "WITH u AS (UPDATE units SET monthly_contribution_eur = 12.30 "
				  "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM u",
				  1, p),
			 1);
	PQfinish(c);
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &one), 0);
	ck_assert_int_eq(one.status, 200);
	ck_assert_ptr_nonnull(one.json);
	ck_assert_str_eq(json_string_value(json_object_get(one.json, "label")), label);
	ck_assert_str_eq(json_string_value(json_object_get(one.json, "address")), "Rue \"X\" 1");
	ck_assert_ptr_nonnull(strstr(one.body, "\"monthly_contribution_eur\":12.3,"));
	ck_assert(json_is_null(json_object_get(one.json, "available_until")));
	ck_assert(json_is_null(json_object_get(one.json, "max_stay_months")));
	ck_assert_int_eq(json_array_size(json_object_get(one.json, "audience")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(one.json, "audience"), 0),
				 "organisation_id")),
			 org_id("orgd"));
	ck_assert_int_eq(
		call("orgc", "GET", "/v1/units?commune=Ganshoren&limit=200", NULL, NULL, &list), 0);
	ck_assert_int_eq(list.status, 200);
	items = json_object_get(list.json, "items");
	json_array_foreach(items, i, v)
		if (strcmp(json_string_value(json_object_get(v, "id")), unit) == 0)
			found = v;
	ck_assert_ptr_nonnull(found);
	ck_assert(json_equal(found, one.json));
	resp_free(&one);
	resp_free(&list);
	free(site);
	free(unit);
}
END_TEST

START_TEST(proposal_needs_a_consent_covering_the_operator)
{
	char *unit = new_unit("published"), recipients[128], *ref, *p;
	long before = sql_count("SELECT count(*) FROM proposals", NULL);
	struct resp r;
	char path[128];

	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgb"));
	ref = new_referral_for(recipients);
	ck_assert_ptr_null(propose("orgb", unit, ref, 403));
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals", NULL), before);
	/* The sender is not in the unit's audience. */
	ck_assert_ptr_null(propose("orga", unit, ref, 404));
	free(ref);

	ref = covering_referral();
	p = must(propose("orgb", unit, ref, 201));
	ck_assert_ptr_null(propose("orgb", unit, ref, 409)); /* once */
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	ck_assert_str_eq(
		json_string_value(json_array_get(
			json_object_get(json_array_get(json_object_get(r.json, "items"), 0),
					"shared_categories"),
			0)),
		"identity");
	resp_free(&r);
	/* The operator is told. */
	ck_assert_int_ge(
		sql_count("SELECT count(*) FROM events WHERE type = 'proposal.received' AND "
			  "resource_id = $1::uuid",
			  p),
		1);
	/* Only the operator decides. */
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"decline\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"decision\":\"decline\",\"reason_code\":\"needs_not_met\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "declined");
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	free(ref);
	free(p);
	free(unit);
}
END_TEST

struct accept_arg {
	const char *gateway; /* environment variable naming the base URL */
	char proposal[40];
	long status;
};

static void *
accept_one(void *arg)
{
	struct accept_arg *a = arg;
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", a->proposal);
	if (call_at(a->gateway, "orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r) == 0)
		a->status = r.status;
	resp_free(&r);
	return NULL;
}

START_TEST(racing_accepts_reserve_the_unit_once)
{
	char *unit = new_unit("published"), path[128];
	struct accept_arg a[6];
	pthread_t t[6];
	struct resp r;
	int i, ok = 0, taken = 0;

	for (i = 0; i < 6; i++) {
		char *ref = covering_referral(), *p = must(propose("orgb", unit, ref, 201));
		a[i].gateway = i % 2 ? "REFGW_TEST_BASE2" : "REFGW_TEST_BASE";
		snprintf(a[i].proposal, sizeof(a[i].proposal), "%s", p);
		a[i].status = 0;
		free(ref);
		free(p);
	}
	for (i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, accept_one, &a[i]);
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		if (a[i].status == 200)
			ok++;
		else if (a[i].status == 409)
			taken++;
	}
	ck_assert_int_eq(ok, 1);
	ck_assert_int_eq(taken, 5);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM proposals WHERE unit_id = $1::uuid AND status = "
			  "'accepted'",
			  unit),
		1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM proposals WHERE unit_id = $1::uuid AND status = "
			  "'declined' AND reason_code = 'unit_taken'",
			  unit),
		5);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'reserved'",
			  unit),
		1);
	/* The accepted proposer now sees the address; another audience member does not. */
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "address")),
			 "Rue Dubrucq 1, 1080 Molenbeek");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "reserved");
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_ptr_null(json_object_get(r.json, "address"));
	resp_free(&r);
	/* A reserved unit takes no new proposal, and PATCH cannot republish it. */
	{
		char *ref = covering_referral();
		ck_assert_ptr_null(propose("orgb", unit, ref, 409));
		free(ref);
	}
	{
		const char *ifm[] = {"If-Match: \"2\"", NULL};
		ck_assert_int_eq(call("orgc", "PATCH", path, "{\"status\":\"published\"}", ifm, &r),
				 0);
		ck_assert_int_eq(r.status, 409);
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "type")),
				 URN "invalid-transition");
		resp_free(&r);
	}
	free(unit);
}
END_TEST

START_TEST(operator_publishes_and_withdraws)
{
	char *unit = new_unit("draft"), path[128];
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(call("orgb", "PATCH", path, "{\"status\":\"published\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, "{\"status\":\"published\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, "{\"status\":\"withdrawn\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 412);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "PATCH", path, "{\"status\":\"withdrawn\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* Edit fields: the operator changes the terms, the audience, the address. */
	{
		const char *v3[] = {"If-Match: \"3\"", NULL}, *v4[] = {"If-Match: \"4\"", NULL};
		ck_assert_int_eq(call("orgc", "PATCH", path, "{}", v3, &r), 0);
		ck_assert_int_eq(r.status, 400);
		resp_free(&r);
		ck_assert_int_eq(
			call("orgc", "PATCH", path, "{\"available_until\":\"2020-01-01\"}", v3, &r),
			0);
		ck_assert_int_eq(r.status, 422);
		resp_free(&r);
		ck_assert_int_eq(
			call("orgc", "PATCH", path,
			     "{\"monthly_contribution_eur\":300,\"max_stay_months\":12,"
			     "\"address\":\"Rue Neuve 2\",\"audience\":[{\"kind\":\"cpas\"}]}",
			     v3, &r),
			0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(
			json_integer_value(json_object_get(r.json, "monthly_contribution_eur")),
			300);
		ck_assert_int_eq(json_integer_value(json_object_get(r.json, "max_stay_months")),
				 12);
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "address")),
				 "Rue Neuve 2");
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "withdrawn");
		resp_free(&r);
		/* orgb's kind is no longer in the audience: the unit is gone for it. */
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 404);
		resp_free(&r);
		ck_assert_int_eq(call("orgc", "PATCH", path,
				      "{\"audience\":[{\"kind\":\"homeless_service\"}]}", v4, &r),
				 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200); /* in its audience again, as withdrawn */
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "withdrawn");
	resp_free(&r);
	free(unit);
}
END_TEST

/* A unit reserved for a proposal of orgb: returns the proposal id. */
static char *
accepted_proposal(char **unit_out)
{
	char *unit = new_unit("published"), *ref = covering_referral(),
	     *p = must(propose("orgb", unit, ref, 201));
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	free(ref);
	*unit_out = unit;
	return p;
}

static long
start(const char *slug, const char *proposal, const char *from, const char *until, char **id)
{
	char body[256];
	struct resp r;
	long status;

	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\"}",
		 proposal, from, until);
	ck_assert_int_eq(call(slug, "POST", "/v1/occupancies", body, NULL, &r), 0);
	status = r.status;
	if (id && json_string_value(json_object_get(r.json, "id")))
		*id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	return status;
}

START_TEST(occupancy_respects_the_units_terms)
{
	char *unit = NULL, *p = accepted_proposal(&unit), *occ = NULL, path[128];
	struct resp r;

	/* 19 months on an 18-month unit; past the availability; before it. */
	ck_assert_int_eq(start("orgc", p, "2026-12-01", "2028-07-01", NULL), 422);
	ck_assert_int_eq(start("orgc", p, "2029-02-01", "2030-07-01", NULL), 422);
	ck_assert_int_eq(start("orgc", p, "2026-11-01", "2027-01-15", NULL), 422);
	ck_assert_int_eq(start("orgd", p, "2026-12-01", "2027-01-15", NULL), 404);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM occupancies WHERE proposal_id = $1::uuid", p), 0);
	/* The referring organisation may start it too. */
	ck_assert_int_eq(start("orgb", p, "2026-12-01", "2027-01-15", &occ), 201);
	ck_assert_int_eq(start("orgc", p, "2026-12-01", "2027-01-15", NULL), 409);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'occupied'",
			  unit),
		1);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "planned_end_date")),
			 "2027-01-15");
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	/* Planned end within 90 days: one ending-soon event each, once, even
	 * with two gateway instances running the housekeeping every second. */
	sleep(3);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM events WHERE type = 'occupancy.ending_soon' "
			  "AND resource_id = $1::uuid",
			  occ),
		2);
	ck_assert_int_eq(
		sql_count("SELECT count(DISTINCT organisation_id) FROM events WHERE type = "
			  "'occupancy.ending_soon' AND resource_id = $1::uuid",
			  occ),
		2);

	/* End it: the unit is published again (still available afterwards). */
	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occ);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"end_date\":\"2027-01-10\",\"outcome\":\"moon\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"end_date\":\"2026-11-01\",\"outcome\":\"family\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"end_date\":\"2027-01-10\",\"outcome\":\"durable_housing\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")), "durable_housing");
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path,
			      "{\"end_date\":\"2027-01-11\",\"outcome\":\"family\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  unit),
		1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events WHERE type = 'occupancy.ended' AND "
				   "resource_id = $1::uuid",
				   occ),
			 2);
	free(occ);
	free(p);
	free(unit);
}
END_TEST

/* A referral orga -> orgd with these needs, waitlisted by orgd. */
static char *
waitlisted(const char *needs, const char *release)
{
	char body[2048], path[128], recipients[128];
	char *person = must(post_id("orga", "/v1/persons", "{}", 201)), *consent, *ref;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgd"));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"housing_situation\",\"family\",\"health\",\"justice\"],"
		 "\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, recipients);
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"diogenes.housing_support\",\"consent_id\":\"%s\",\"purpose\":\"housing_"
		 "referral\","
		 "\"reason\":\"waitlist\",\"needs\":%s%s%s%s}",
		 person, org_id("orgd"), consent, needs, release ? ",\"release_date\":\"" : "",
		 release ? release : "", release ? "\"" : "");
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", ref);
	ck_assert_int_eq(call("orgd", "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "POST", path, "{\"to\":\"waitlisted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	free(person);
	free(consent);
	return ref;
}

START_TEST(candidates_ranked_with_reasons)
{
	/* The unit: a studio (capacity 2) with a lift in Molenbeek, until 2030-06-30. */
	char *unit = new_unit("published"), path[160];
	char *r1 = waitlisted("{\"household_size\":1}", "2027-01-01");
	char *r2 = waitlisted("{\"household_size\":3}", NULL);
	char *r3 = waitlisted("{\"household_size\":1,\"accessibility\":\"wheelchair\"}", NULL);
	char *r4 = waitlisted(
		"{\"household_size\":2,\"avoid_communes\":[\"Molenbeek-Saint-Jean\"]}", NULL);
	char *r5 = waitlisted("{\"household_size\":1,\"accessibility\":\"lift\"}", "2031-01-01");
	char *r6 = waitlisted("{\"household_size\":2,\"accessibility\":\"lift\"}", NULL);
	static const char *const want_failed[] = {"household", "accessibility", "commune",
						  "release_date"};
	char *excluded_ids[4];
	struct resp r;
	json_t *c, *x;
	size_t i;

	excluded_ids[0] = r2, excluded_ids[1] = r3, excluded_ids[2] = r4, excluded_ids[3] = r5;
	snprintf(path, sizeof(path), "/v1/units/%s/candidates", unit);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "eligible_count")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "excluded_count")), 4);
	c = json_object_get(r.json, "candidates");
	ck_assert_int_eq(json_array_size(c), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 0), "referral_id")),
			 r1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(c, 0), "rank")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(c, 1), "referral_id")),
			 r6);
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_array_get(c, 0), "reasons"), 0)),
			 "household of 1 fits a studio (capacity 2)");
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_array_get(c, 0), "reasons"), 3)),
			 "released 2027-01-01, before the unit's end 2030-06-30");
	{
		json_t *reasons = json_object_get(json_array_get(c, 1), "reasons");
		ck_assert_ptr_nonnull(strstr(
			json_string_value(json_array_get(reasons, json_array_size(reasons) - 1)),
			"2 of 2 eligible"));
	}
	x = json_object_get(r.json, "excluded");
	ck_assert_int_eq(json_array_size(x), 4);
	for (i = 0; i < 4; i++) {
		json_t *e = json_array_get(x, i);
		ck_assert_str_eq(json_string_value(json_object_get(e, "referral_id")),
				 excluded_ids[i]);
		ck_assert_int_eq(json_array_size(json_object_get(e, "failed")), 1);
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
				 want_failed[i]);
	}
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(json_array_get(x, 0), "reasons"), 0)),
			 "household of 3 exceeds the studio's capacity of 2");
	resp_free(&r);
	/* Deterministic: the same answer twice. */
	{
		struct resp again;
		char *first;
		ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
		first = strdup(r.body);
		resp_free(&r);
		ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &again), 0);
		ck_assert_str_eq(again.body, first);
		resp_free(&again);
		free(first);
	}
	/* limit applies to each group. */
	ck_assert_int_eq(call("orgd", "GET", strcat(path, "?limit=1"), NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "candidates")), 1);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "excluded")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "excluded_count")), 4);
	resp_free(&r);
	/* Outside the unit's audience: 404. */
	snprintf(path, sizeof(path), "/v1/units/%s/candidates", unit);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	free(unit), free(r1), free(r2), free(r3), free(r4), free(r5), free(r6);
}
END_TEST

START_TEST(reports_suppress_counts_under_five)
{
	struct resp r;
	json_t *row;
	size_t i;
	int suppressed = 0, shown = 0, seen_site = 0;
	char *unit = NULL, *p = accepted_proposal(&unit), *occ = NULL;

	/* One occupancy on a fresh site: its figures must not show. */
	ck_assert_int_eq(start("orgc", p, "2026-12-01", "2027-03-01", &occ), 201);
	ck_assert_int_eq(call("orgc", "GET", "/v1/reports/occupancy", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "sites"), i, row) {
		json_t *n = json_object_get(row, "occupancies");
		ck_assert_str_eq(
			json_string_value(json_object_get(row, "operator_organisation_id")),
			org_id("orgc"));
		if (json_is_integer(n))
			ck_assert(json_integer_value(n) == 0 || json_integer_value(n) >= 5);
		else {
			ck_assert(json_is_true(json_object_get(row, "suppressed")));
			ck_assert(json_is_null(json_object_get(row, "occupied_days")));
			suppressed++;
		}
		seen_site++;
	}
	ck_assert_int_ge(suppressed, 1);
	ck_assert(json_is_null(json_object_get(
		json_array_get(json_object_get(r.json, "operators"), 0), "occupancies")));
	resp_free(&r);
	/* Others see their own: an organisation without sites, none; the coordinator, all. */
	ck_assert_int_eq(call("orga", "GET", "/v1/reports/occupancy", NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "sites")), 0);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "GET", "/v1/reports/occupancy", NULL, NULL, &r), 0);
	ck_assert_int_ge(json_array_size(json_object_get(r.json, "sites")), (size_t)seen_site);
	resp_free(&r);

	ck_assert_int_eq(call("orga", "GET", "/v1/reports/referrals", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	suppressed = 0;
	json_array_foreach(json_object_get(r.json, "items"), i, row) {
		json_t *n = json_object_get(row, "referrals");
		if (json_is_null(n))
			suppressed++;
		else {
			ck_assert_int_ge(json_integer_value(n), 5);
			shown++;
		}
	}
	ck_assert_int_ge(suppressed, 1);
	ck_assert_int_ge(shown, 1);
	/* Outcomes: e.g. the declines with no_capacity of the transition tests. */
	ck_assert_ptr_nonnull(strstr(r.body, "\"outcome\":"));
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", "/v1/reports/referrals", NULL, NULL, &r), 0);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	free(occ);
	free(p);
	free(unit);
}
END_TEST

Suite *
units_suite(void)
{
	Suite *s = suite_create("units");
	TCase *t = tcase_create("offers");

	tcase_add_test(t, unit_invisible_outside_its_audience);
	tcase_add_test(t, unit_json_escaped_exact_and_equal_in_search);
	tcase_add_test(t, proposal_needs_a_consent_covering_the_operator);
	tcase_add_test(t, racing_accepts_reserve_the_unit_once);
	tcase_add_test(t, operator_publishes_and_withdraws);
	tcase_add_test(t, occupancy_respects_the_units_terms);
	tcase_add_test(t, candidates_ranked_with_reasons);
	tcase_add_test(t, reports_suppress_counts_under_five);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}
