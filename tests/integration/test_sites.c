/* Integration suite "sites" (issue 15, item 4): a housing operator (orgc,
 * a SISP lending buildings to ISSUE) lists its sites page by page, reads
 * one and changes its period, managing partner and status under If-Match;
 * the coordinator names the ISSUE partnership and its members (orgb, a
 * homeless service like L'Ilot, and orgd, a street-work service like
 * DIOGENES); the operator attaches its sites to it; the members read the
 * partnership's site table as in seed 002, with the count of people
 * suppressed when from 1 to 4; everyone else gets 404. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* orgc's new site (extra: more JSON members, starting with a comma). */
static char *
new_site(const char *name, const char *extra)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"commune\":\"Molenbeek-Saint-Jean\",\"units\":14,"
		 "\"period_from\":\"2023-03-01\",\"period_until\":\"2025-07-31\"%s}",
		 name, extra);
	return must(post_id("orgc", "/v1/sites", body, 201));
}

static long
site_version(const char *site)
{
	return sql_count("SELECT version FROM sites WHERE id = $1::uuid", site);
}

/* PATCH /v1/sites/{id} as slug with If-Match "version". */
static long
patch_site(const char *slug, const char *site, long version, const char *body, struct resp *r)
{
	char path[128], ifm[48];
	const char *headers[2] = {ifm, NULL};

	snprintf(ifm, sizeof(ifm), "If-Match: \"%ld\"", version);
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ck_assert_int_eq(call(slug, "PATCH", path, body, headers, r), 0);
	return r->status;
}

/* Does the 400's errors array name field? */
static bool
names_field(const struct resp *r, const char *field)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
			return true;
	return false;
}

static void
admin_exec(const char *sql, const char *param)
{
	PGconn *c = sql_admin();
	PGresult *res = PQexecParams(c, sql, param ? 1 : 0, NULL, &param, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);
}

START_TEST(operator_lists_reads_and_changes_its_sites)
{
	char *a = new_site("Dubrucq", ",\"managing_partner\":\"Communa\""),
	     *b = new_site("Peterbos", ""), *c = new_site("Grande Haie", ""), path[160];
	struct resp r;
	long mine, v;

	/* Every one of its sites, page by page, no site twice. */
	mine = sql_count("SELECT count(*) FROM sites WHERE operator_org = $1::uuid",
			 org_id("orgc"));
	ck_assert_int_ge(mine, 3);
	ck_assert_int_eq(walk_pages("orgc", "/v1/sites", 2), mine);
	/* Someone else's: not in its list, 404 on read. */
	ck_assert_int_eq(walk_pages("orga", "/v1/sites", 2),
			 sql_count("SELECT count(*) FROM sites WHERE operator_org = $1::uuid",
				   org_id("orga")));
	snprintf(path, sizeof(path), "/v1/sites/%s", a);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "running");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
	ck_assert_str_eq(r.etag, "\"1\"");
	ck_assert(json_is_null(json_object_get(r.json, "partnership_id")));
	resp_free(&r);

	/* Stale If-Match: 412, nothing changed. */
	ck_assert_int_eq(patch_site("orgc", a, 7, "{\"period_until\":\"2025-12-31\"}", &r), 412);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:version-mismatch");
	resp_free(&r);
	/* Bad input: every bad field named, nothing changed. */
	ck_assert_int_eq(patch_site("orgc", a, 1,
				    "{\"status\":\"paused\",\"period_from\":null,\"units\":3,"
				    "\"managing_partner\":7}",
				    &r),
			 400);
	ck_assert(names_field(&r, "status"));
	ck_assert(names_field(&r, "period_from"));
	ck_assert(names_field(&r, "units"));
	ck_assert(names_field(&r, "managing_partner"));
	resp_free(&r);
	ck_assert_int_eq(patch_site("orgc", a, 1, "{\"period_until\":\"2020-01-01\"}", &r), 400);
	ck_assert(names_field(&r, "period_until"));
	resp_free(&r);
	ck_assert_int_eq(patch_site("orgc", a, 1, "{}", &r), 400);
	resp_free(&r);
	ck_assert_int_eq(site_version(a), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM sites WHERE id = $1::uuid AND "
				   "period_until = '2025-07-31' AND status = 'running'",
				   a),
			 1);

	/* Communa's management extended by five months: version 2. */
	ck_assert_int_eq(patch_site("orgc", a, 1,
				    "{\"period_until\":\"2025-12-31\",\"managing_partner\":"
				    "\"Communa asbl\"}",
				    &r),
			 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "period_until")), "2025-12-31");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "managing_partner")),
			 "Communa asbl");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	ck_assert_str_eq(r.etag, "\"2\"");
	resp_free(&r);
	/* Open-ended again (null clears), then closed. */
	ck_assert_int_eq(patch_site("orgc", a, 2, "{\"period_until\":null}", &r), 200);
	ck_assert(json_is_null(json_object_get(r.json, "period_until")));
	resp_free(&r);
	ck_assert_int_eq(patch_site("orgc", b, 1, "{\"status\":\"closed\"}", &r), 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "closed");
	resp_free(&r);
	/* The closed ones, filtered. */
	ck_assert_int_eq(call("orgc", "GET", "/v1/sites?status=closed&limit=200", NULL, NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	v = 0;
	{
		json_t *s;
		size_t i;
		json_array_foreach(json_object_get(r.json, "items"), i, s) {
			ck_assert_str_eq(json_string_value(json_object_get(s, "status")), "closed");
			if (strcmp(json_string_value(json_object_get(s, "id")), b) == 0)
				v++;
		}
	}
	ck_assert_int_eq(v, 1);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "GET", "/v1/sites?status=paused", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	/* The occupancy report says what the operator says: Peterbos closed, Grande
	 * Haie running although its period has ended. */
	ck_assert_int_eq(call("orgc", "GET", "/v1/reports/occupancy", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	v = 0;
	{
		json_t *s;
		size_t i;
		json_array_foreach(json_object_get(r.json, "sites"), i, s) {
			const char *id = json_string_value(json_object_get(s, "site_id")),
				   *st = json_string_value(json_object_get(s, "status"));
			if (strcmp(id, b) == 0 && strcmp(st, "closed") == 0)
				v++;
			if (strcmp(id, c) == 0 && strcmp(st, "running") == 0)
				v++;
		}
	}
	ck_assert_int_eq(v, 2);
	resp_free(&r);

	/* Another operator (orga runs sites by an organisation rule): 404. */
	admin_exec("INSERT INTO access_rules (organisation_id, action, allowed) "
		   "VALUES ($1::uuid, 'site.manage', true)",
		   org_id("orga"));
	ck_assert_int_eq(patch_site("orga", c, 1, "{\"status\":\"closed\"}", &r), 404);
	resp_free(&r);
	admin_exec("DELETE FROM access_rules WHERE organisation_id = $1::uuid "
		   "AND action = 'site.manage'",
		   org_id("orga"));
	ck_assert_int_eq(site_version(c), 1);
	/* An organisation without site.manage: 403 by the access rules. */
	ck_assert_int_eq(patch_site("orgb", c, 1, "{\"status\":\"closed\"}", &r), 403);
	resp_free(&r);
	free(a), free(b), free(c);
}
END_TEST

/* A person of orga referred to orgb and placed by orgc in a unit of site:
 * one occupancy at the site. */
static void
occupy_one_unit(const char *site)
{
	char body[2048], path[160], *person, *consent, *ref, *unit, *p, *occ;
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"DUB-01\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Molenbeek-Saint-"
		 "Jean\",\"address\":\"Avenue Dubrucq 1\",\"monthly_contribution_eur\":0,"
		 "\"available_from\":\"2026-12-01\",\"terms\":\"precarious_occupation\","
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site);
	unit = must(post_id("orgc", "/v1/units", body, 201));
	person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"S-1\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],\"valid_until\":"
		 "\"2099-01-01\",\"evidence\":{\"method\":\"oral\",\"witness\":\"W\","
		 "\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"sans "
		 "logement\"}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"fits\"}", ref);
	p = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-12-01\",\"planned_end_date\":"
		 "\"2027-06-01\"}",
		 p);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	free(person), free(consent), free(ref), free(unit), free(p), free(occ);
}

/* The line of site in a partnership table (a new reference), or fails. */
static json_t *
table_line(const struct resp *r, const char *site)
{
	json_t *s;
	size_t i;

	json_array_foreach(json_object_get(r->json, "sites"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "site_id")), site) == 0)
			return json_incref(s);
	ck_abort_msg("site %s not in the table", site);
	return NULL;
}

START_TEST(issue_partners_read_the_site_table)
{
	char body[512], path[160], ifm[48], *issue, *dubrucq, *peterbos, *other;
	const char *headers[2] = {ifm, NULL};
	struct resp r;
	json_t *line;

	/* The coordinator names the partnership and its members; no one else may. */
	snprintf(body, sizeof(body), "{\"name\":\"ISSUE\",\"members\":[\"%s\",\"%s\"]}",
		 org_id("orgb"), org_id("orgd"));
	ck_assert_ptr_null(post_id("orgb", "/v1/partnerships", body, 201));
	issue = must(post_id("coord", "/v1/partnerships", body, 201));
	/* Bad members: the field named, nothing created. */
	ck_assert_int_eq(call("coord", "POST", "/v1/partnerships",
			      "{\"name\":\"ISSUE 2\",\"members\":[\"nope\"]}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert(names_field(&r, "members"));
	resp_free(&r);
	ck_assert_int_eq(call("coord", "POST", "/v1/partnerships",
			      "{\"name\":\"ISSUE 2\",\"members\":"
			      "[\"00000000-0000-4000-8000-000000000001\"]}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert(names_field(&r, "members"));
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM partnerships WHERE name = $1", "ISSUE 2"),
			 0);

	/* The SISP attaches Dubrucq when declaring it, Peterbos (closed) later. */
	snprintf(body, sizeof(body), ",\"managing_partner\":\"Communa\",\"partnership_id\":\"%s\"",
		 issue);
	dubrucq = new_site("Dubrucq", body);
	peterbos = new_site("Peterbos", "");
	other = new_site("Not lent", "");
	snprintf(body, sizeof(body), "{\"partnership_id\":\"%s\",\"status\":\"closed\"}", issue);
	ck_assert_int_eq(patch_site("orgc", peterbos, 1, body, &r), 200);
	resp_free(&r);
	/* An unknown partnership: named, nothing changed. */
	ck_assert_int_eq(patch_site("orgc", other, 1,
				    "{\"partnership_id\":\"00000000-0000-4000-8000-000000000002\"}",
				    &r),
			 422);
	ck_assert(names_field(&r, "partnership_id"));
	resp_free(&r);
	ck_assert_int_eq(site_version(other), 1);
	occupy_one_unit(dubrucq);

	/* A member reads the table: one person at Dubrucq, so its counts are hidden. */
	snprintf(path, sizeof(path), "/v1/partnerships/%s/sites", issue);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "partnership")), "ISSUE");
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "sites")), 2);
	line = table_line(&r, dubrucq);
	ck_assert_str_eq(json_string_value(json_object_get(line, "operator")), "Test Org C");
	ck_assert_str_eq(json_string_value(json_object_get(line, "status")), "running");
	ck_assert_str_eq(json_string_value(json_object_get(line, "managing_partner")), "Communa");
	ck_assert_int_eq(json_integer_value(json_object_get(line, "units")), 1);
	ck_assert(json_is_null(json_object_get(line, "occupancies")));
	ck_assert(json_is_null(json_object_get(line, "housed_now")));
	ck_assert(json_is_true(json_object_get(line, "suppressed")));
	json_decref(line);
	line = table_line(&r, peterbos);
	ck_assert_str_eq(json_string_value(json_object_get(line, "status")), "closed");
	ck_assert_str_eq(json_string_value(json_object_get(line, "period_from")), "2023-03-01");
	ck_assert_int_eq(json_integer_value(json_object_get(line, "occupancies")), 0);
	ck_assert(json_is_false(json_object_get(line, "suppressed")));
	json_decref(line);
	resp_free(&r);
	/* The other member too; it also reads the sites themselves. */
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/sites?partnership_id=%s", issue);
	ck_assert_int_eq(walk_pages("orgd", path, 1), 2);
	snprintf(path, sizeof(path), "/v1/sites/%s", peterbos);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/sites/%s", other);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);

	/* Not a member: 404 for the partnership, its table and its sites. */
	snprintf(path, sizeof(path), "/v1/partnerships/%s/sites", issue);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/partnerships/%s", issue);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/sites/%s", dubrucq);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(walk_pages("orga", "/v1/partnerships", 5), 0);

	/* The coordinator adds orga (a third partner): it reads the table now. */
	snprintf(path, sizeof(path), "/v1/partnerships/%s", issue);
	snprintf(ifm, sizeof(ifm), "If-Match: \"1\"");
	snprintf(body, sizeof(body), "{\"members\":[\"%s\",\"%s\",\"%s\"]}", org_id("orgb"),
		 org_id("orgd"), org_id("orga"));
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"members\":\"all\"}", headers, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert(names_field(&r, "members"));
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "PATCH", path, body, headers, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, body, headers, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "members")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, body, headers, &r), 0);
	ck_assert_int_eq(r.status, 412);
	resp_free(&r);
	ck_assert_int_eq(walk_pages("orga", "/v1/partnerships", 5), 1);
	snprintf(path, sizeof(path), "/v1/partnerships/%s/sites", issue);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	/* Dubrucq has an occupied unit: it cannot close (409, the unit named). */
	ck_assert_int_eq(patch_site("orgc", dubrucq, 1, "{\"status\":\"closed\"}", &r), 409);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:site-occupied");
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "detail")), "DUB-01"));
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM sites WHERE id = $1::uuid AND "
				   "status = 'running' AND version = 1",
				   dubrucq),
			 1);
	free(issue), free(dubrucq), free(peterbos), free(other);
}
END_TEST

Suite *
sites_suite(void)
{
	Suite *s = suite_create("sites");
	TCase *t = tcase_create("sites");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, operator_lists_reads_and_changes_its_sites);
	tcase_add_test(t, issue_partners_read_the_site_table);
	suite_add_tcase(s, t);
	return s;
}
