/* The caller's lists the console lacked (issue 18): GET /v1/proposals,
 * GET /v1/persons and GET /v1/occupancies — who sees what (a third
 * organisation nothing, row-level security the same), pages across a
 * cursor, filters, a bad filter refused with its field, the audit of the
 * personal data a page shows. */
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

/* orga's person and consent (for orgb and housing operators), its referral
 * to orgb; the person's id in person_out, the consent's in consent_out. */
static char *
new_referral(const char *tag, char **person_out, char **consent_out)
{
	char body[1024], *person, *consent, *ref;

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\",\"birth_year\":1980}", tag);
	person = must(post_id("orga", "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"data\":{\"identity\":{\"given_name\":\"L\"}}}",
		 person, org_id("orgb"), consent);
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	if (person_out)
		*person_out = person;
	else
		free(person);
	if (consent_out)
		*consent_out = consent;
	else
		free(consent);
	return ref;
}

/* orgc publishes a unit for homeless services. */
static char *
new_unit(const char *label)
{
	char body[1024];
	char *site = must(post_id(
		"orgc", "/v1/sites",
		"{\"name\":\"Lists\",\"commune\":\"Forest\",\"period_from\":\"2023-03-01\"}", 201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"%s\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"commune\":\"Forest\",\"address\":\"Rue des Listes 1, 1190 Forest\","
		 "\"available_from\":\"2026-12-01\",\"terms\":\"transit\","
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site, label);
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

/* orgb proposes the referral for the unit, with a note. */
static char *
propose(const char *unit, const char *referral)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"Ready to move.\"}",
		 referral);
	return must(post_id("orgb", path, body, 201));
}

/* slug's GET path: 200 and its items (a new reference), or fails. */
static json_t *
items_of(const char *slug, const char *path)
{
	struct resp r;
	json_t *items;

	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
	items = json_incref(json_object_get(r.json, "items"));
	ck_assert_ptr_nonnull(items);
	resp_free(&r);
	return items;
}

static long
count_of(const char *slug, const char *path)
{
	json_t *items = items_of(slug, path);
	long n = (long)json_array_size(items);

	json_decref(items);
	return n;
}

/* A bad query: 400 problem+json naming field (NULL: a bad cursor). */
static void
refused(const char *slug, const char *path, const char *field)
{
	struct resp r;
	json_t *e;

	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 400, "GET %s: %ld", path, r.status);
	if (field == NULL) { /* a cursor: the problem says it */
		ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:invalid-cursor");
		resp_free(&r);
		return;
	}
	e = json_array_get(json_object_get(r.json, "errors"), 0);
	ck_assert_msg(e && strcmp(json_string_value(json_object_get(e, "field")), field) == 0,
		      "GET %s: %s", path, r.body);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(e, "message")));
	resp_free(&r);
}

/* What row-level security shows slug of query (one uuid parameter). */
static long
seen_by(const char *slug, const char *query, const char *param)
{
	PGconn *app = sql_app();
	const char *o[1] = {org_id(slug)}, *p[1] = {param};
	PGresult *res = PQexec(app, "BEGIN");
	long n;

	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	n = sql_long(app, query, 1, p);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
	ck_assert_int_ge(n, 0);
	return n;
}

static long
audit_rows(const char *action, const char *resource)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM audit_log WHERE action = '%s' AND resource_id = $1", action);
	return sql_count(q, resource);
}

/* ------------------------------------------------------------ proposals */

START_TEST(proposals_operator_and_proposer_see_theirs_newest_first)
{
	char *unit = new_unit("L-1"), *p[3], path[256];
	json_t *items;
	int i;

	for (i = 0; i < 3; i++) {
		char *ref = new_referral("LP-1", NULL, NULL);
		p[i] = propose(unit, ref);
		free(ref);
	}
	/* The operator, to decide: all three, newest first, the item shape
	 * of GET /v1/units/{id}/proposals. */
	snprintf(path, sizeof(path), "/v1/proposals?role=operator&unit_id=%s", unit);
	items = items_of("orgc", path);
	ck_assert_int_eq(json_array_size(items), 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(
			json_string_value(json_object_get(json_array_get(items, (size_t)i), "id")),
			p[2 - i]);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "note")),
			 "Ready to move.");
	ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "cursor_key"));
	ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "person_id"));
	json_decref(items);
	/* The proposer sees the ones it made; as operator, none. */
	snprintf(path, sizeof(path), "/v1/proposals?role=proposer&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgb", path), 3);
	snprintf(path, sizeof(path), "/v1/proposals?role=operator&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgb", path), 0);
	snprintf(path, sizeof(path), "/v1/proposals?unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgb", path), 3);
	ck_assert_int_eq(count_of("orgc", path), 3);
	/* A third organisation (in the unit's audience kind or not), and the
	 * referral's sender, which did not propose: nothing. */
	ck_assert_int_eq(count_of("orgd", path), 0);
	ck_assert_int_eq(count_of("orga", path), 0);
	/* Row-level security shows orgd none of them either. */
	ck_assert_int_eq(
		seen_by("orgd", "SELECT count(*) FROM proposals WHERE unit_id = $1::uuid", unit),
		0);
	ck_assert_int_eq(
		seen_by("orgc", "SELECT count(*) FROM proposals WHERE unit_id = $1::uuid", unit),
		3);
	/* Pages of one across the cursor: each proposal once. */
	snprintf(path, sizeof(path), "/v1/proposals?role=operator&unit_id=%s", unit);
	ck_assert_int_eq(walk_pages("orgc", path, 1), 3);
	snprintf(path, sizeof(path), "/v1/proposals?unit_id=%s", unit);
	ck_assert_int_eq(walk_pages("orgb", path, 2), 3);
	for (i = 0; i < 3; i++)
		free(p[i]);
	free(unit);
}
END_TEST

START_TEST(proposals_filter_by_status)
{
	char *unit = new_unit("L-2"), *ref1 = new_referral("LP-2", NULL, NULL),
	     *ref2 = new_referral("LP-3", NULL, NULL), *p1 = propose(unit, ref1),
	     *p2 = propose(unit, ref2), path[256];
	struct resp r;
	json_t *items;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p1);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"decision\":\"decline\",\"reason_code\":\"needs_not_met\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/proposals?role=operator&status=declined&unit_id=%s",
		 unit);
	items = items_of("orgc", path);
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), p1);
	json_decref(items);
	snprintf(path, sizeof(path), "/v1/proposals?role=proposer&status=open&unit_id=%s", unit);
	items = items_of("orgb", path);
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), p2);
	json_decref(items);
	snprintf(path, sizeof(path), "/v1/proposals?status=accepted&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgc", path), 0);
	free(unit), free(ref1), free(ref2), free(p1), free(p2);
}
END_TEST

START_TEST(proposals_bad_filters_are_refused_by_field)
{
	refused("orgc", "/v1/proposals?role=receiver", "role");
	refused("orgc", "/v1/proposals?status=withdrawn", "status");
	refused("orgc", "/v1/proposals?unit_id=not-a-uuid", "unit_id");
	refused("orgc", "/v1/proposals?limit=0", "limit");
	refused("orgc", "/v1/proposals?cursor=bm9wZQ", NULL);
}
END_TEST

/* The note is the person's data: shown under the referral's consent,
 * each shown note an audited read naming the person; none once the
 * consent is withdrawn (nothing shown, nothing audited). */
START_TEST(proposals_notes_follow_consent_and_are_audited)
{
	char *unit = new_unit("L-3"), *person, *consent,
	     *ref = new_referral("LP-4", &person, &consent), *p = propose(unit, ref), path[256];
	struct resp r;
	json_t *items;
	long before = audit_rows("proposal.read", p);

	snprintf(path, sizeof(path), "/v1/proposals?role=operator&unit_id=%s", unit);
	items = items_of("orgc", path);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "note")),
			 "Ready to move.");
	json_decref(items);
	ck_assert_int_eq(audit_rows("proposal.read", p), before + 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'proposal.read' "
				   "AND resource_type = 'proposal' AND person_id = $1::uuid",
				   person),
			 before + 1);
	/* The per-unit list is audited the same way. */
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	ck_assert_int_eq(count_of("orgc", path), 1);
	ck_assert_int_eq(audit_rows("proposal.read", p), before + 2);

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(call("orga", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/proposals?unit_id=%s", unit);
	items = items_of("orgc", path);
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert(json_is_null(json_object_get(json_array_get(items, 0), "note")));
	json_decref(items);
	ck_assert_int_eq(audit_rows("proposal.read", p), before + 2);
	free(unit), free(person), free(consent), free(ref), free(p);
}
END_TEST

/* ---------------------------------------------------------- occupancies */

/* orgc accepts orgb's proposal of a new referral for a new unit and starts
 * the stay; its id (the unit's in unit_out). */
static char *
new_occupancy_until(const char *label, const char *start, const char *planned_end, char **unit_out)
{
	char *unit = new_unit(label), *ref = new_referral("LO-1", NULL, NULL),
	     *p = propose(unit, ref), path[256], body[256], *occ;
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 200, "accept: %ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"%s\"}", p,
		 start, planned_end);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	free(ref), free(p);
	*unit_out = unit;
	return occ;
}

static char *
new_occupancy(const char *label, char **unit_out)
{
	return new_occupancy_until(label, "2027-01-01", "2027-06-01", unit_out);
}

/* Every id of slug's list across its pages (limit a page), in order. */
static json_t *
ids_across_pages(const char *slug, const char *path, int limit)
{
	char url[1024], cur[700] = "";
	json_t *ids = json_array(), *item;
	struct resp r;
	size_t i;
	int pages = 0;

	for (;;) {
		const char *next;
		snprintf(url, sizeof(url), "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?",
			 limit, cur[0] ? "&cursor=" : "", cur);
		ck_assert_int_eq(call(slug, "GET", url, NULL, NULL, &r), 0);
		ck_assert_msg(r.status == 200, "GET %s: %ld", url, r.status);
		json_array_foreach(json_object_get(r.json, "items"), i, item)
			json_array_append(ids, json_object_get(item, "id"));
		next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next == NULL) {
			resp_free(&r);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", next);
		resp_free(&r);
		ck_assert_int_lt(++pages, 10000);
	}
	return ids;
}

static long
index_of(const json_t *ids, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(ids, i, v)
		if (strcmp(json_string_value(v), id) == 0)
			return (long)i;
	return -1;
}

START_TEST(occupancies_operator_and_referrer_see_theirs_newest_first)
{
	char *u[3], *o[3], path[256];
	json_t *items, *ids;
	int i;

	for (i = 0; i < 3; i++)
		o[i] = new_occupancy("L-O", &u[i]);
	/* One unit: its operator and the referring organisation (the
	 * proposer) see it, the item shape of GET /v1/occupancies/{id}. */
	snprintf(path, sizeof(path), "/v1/occupancies?unit_id=%s", u[0]);
	items = items_of("orgc", path);
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "id")), o[0]);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0),
							   "operator_organisation_id")),
			 org_id("orgc"));
	ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "cursor_key"));
	json_decref(items);
	ck_assert_int_eq(count_of("orgb", path), 1);
	/* The referral's sender, not the referring organisation here, and a
	 * third organisation: nothing; row-level security neither. */
	ck_assert_int_eq(count_of("orga", path), 0);
	ck_assert_int_eq(count_of("orgd", path), 0);
	ck_assert_int_eq(
		seen_by("orgd", "SELECT count(*) FROM occupancies WHERE id = $1::uuid", o[0]), 0);
	ck_assert_int_eq(
		seen_by("orgb", "SELECT count(*) FROM occupancies WHERE id = $1::uuid", o[0]), 1);
	/* All of orgb's, a page of two at a time: the three, newest first. */
	ids = ids_across_pages("orgb", "/v1/occupancies", 2);
	ck_assert_int_ge(index_of(ids, o[2]), 0);
	ck_assert_int_gt(index_of(ids, o[1]), index_of(ids, o[2]));
	ck_assert_int_gt(index_of(ids, o[0]), index_of(ids, o[1]));
	json_decref(ids);
	ck_assert_int_eq(walk_pages("orgc", "/v1/occupancies", 1) >= 3, 1);
	for (i = 0; i < 3; i++)
		free(u[i]), free(o[i]);
}
END_TEST

/* status=current|ended; an outcome shown is an audited read, as on GET
 * /v1/occupancies/{id}. */
START_TEST(occupancies_filter_by_status_and_audit_outcomes)
{
	char *unit, *occ = new_occupancy("L-E", &unit), path[256];
	struct resp r;
	json_t *items;

	snprintf(path, sizeof(path), "/v1/occupancies?status=current&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgc", path), 1);
	snprintf(path, sizeof(path), "/v1/occupancies?status=ended&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgc", path), 0);
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 0);

	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occ);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"end_date\":\"2027-02-01\",\"outcome\":\"durable_housing\"}", NULL,
			      &r),
			 0);
	ck_assert_msg(r.status == 200, "end: %ld %s", r.status, r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/occupancies?status=current&unit_id=%s", unit);
	ck_assert_int_eq(count_of("orgc", path), 0);
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 0);
	snprintf(path, sizeof(path), "/v1/occupancies?status=ended&unit_id=%s", unit);
	items = items_of("orgb", path);
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "outcome")),
			 "durable_housing");
	json_decref(items);
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'occupancy.read' "
				   "AND resource_id = $1 AND person_id IS NOT NULL "
				   "AND detail->'fields' ? 'outcome'",
				   occ),
			 1);
	free(unit), free(occ);
}
END_TEST

/* The "ending soon" alert housekeeping raised for the caller, on the
 * item: the console's occupancies page no longer reads the event feed. */
START_TEST(occupancies_say_when_the_caller_was_alerted)
{
	char *unit, *occ, path[256], today[16], end[16];
	json_t *items = NULL;
	const char *at = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int i;

	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	now += 20 * 86400;
	gmtime_r(&now, &tm);
	strftime(end, sizeof(end), "%Y-%m-%d", &tm);
	occ = new_occupancy_until("L-A", today, end, &unit);
	snprintf(path, sizeof(path), "/v1/occupancies?unit_id=%s", unit);
	/* Housekeeping runs every second here (REFGW_HOUSEKEEPING_SECONDS). */
	for (i = 0; i < 60 && at == NULL; i++) {
		json_decref(items);
		items = items_of("orgc", path);
		at = json_string_value(
			json_object_get(json_array_get(items, 0), "ending_soon_alerted_at"));
		if (at == NULL)
			usleep(250000);
	}
	ck_assert_msg(at != NULL, "no ending_soon_alerted_at after 15 s");
	json_decref(items);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM events WHERE type = 'occupancy.ending_soon' "
			  "AND resource_id = $1::uuid",
			  occ) >= 1,
		1);
	/* Row-level security: each organisation reads its own alerts only. */
	ck_assert_int_eq(
		seen_by("orgb",
			"SELECT count(*) FROM occupancy_alerts WHERE occupancy_id = $1::uuid "
			"AND organisation_id <> refgw_caller()",
			occ),
		0);
	ck_assert_int_eq(
		seen_by("orgc",
			"SELECT count(*) FROM occupancy_alerts WHERE occupancy_id = $1::uuid", occ),
		1);
	/* The one read says the same. */
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	{
		struct resp r;
		ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(
			json_string_value(json_object_get(r.json, "ending_soon_alerted_at")));
		resp_free(&r);
	}
	free(unit), free(occ);
}
END_TEST

START_TEST(occupancies_bad_filters_are_refused_by_field)
{
	refused("orgc", "/v1/occupancies?status=open", "status");
	refused("orgc", "/v1/occupancies?unit_id=12", "unit_id");
	refused("orgc", "/v1/occupancies?limit=201", "limit");
	refused("orgc", "/v1/occupancies?cursor=%5B%5D", NULL);
}
END_TEST

/* -------------------------------------------------------------- persons */

/* orga's first page of limit persons (a new reference), and its cursor. */
static json_t *
person_page(const char *slug, int limit, const char *cursor, char *next, size_t nextlen)
{
	char path[1024];
	struct resp r;
	json_t *items;
	const char *c;

	snprintf(path, sizeof(path), "/v1/persons?limit=%d%s%s", limit, cursor ? "&cursor=" : "",
		 cursor ? cursor : "");
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
	items = json_incref(json_object_get(r.json, "items"));
	c = json_string_value(json_object_get(r.json, "next_cursor"));
	snprintf(next, nextlen, "%s", c ? c : "");
	resp_free(&r);
	return items;
}

static const char *
item_id(json_t *items, size_t i)
{
	return json_string_value(json_object_get(json_array_get(items, i), "id"));
}

START_TEST(persons_their_creator_lists_them_newest_first)
{
	char *p[3], body[128], next[700], next2[700];
	json_t *items;
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"external_ref\":\"LS-%d\",\"birth_year\":%d}", i,
			 1970 + i);
		p[i] = must(post_id("orga", "/v1/persons", body, 201));
	}
	/* Newest first, two a page: the third and second, then the first. */
	items = person_page("orga", 2, NULL, next, sizeof(next));
	ck_assert_int_eq(json_array_size(items), 2);
	ck_assert_str_eq(item_id(items, 0), p[2]);
	ck_assert_str_eq(item_id(items, 1), p[1]);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_array_get(items, 0), "external_ref")),
		"LS-2");
	ck_assert_int_eq(
		json_integer_value(json_object_get(json_array_get(items, 0), "birth_year")), 1972);
	ck_assert(json_is_null(json_object_get(json_array_get(items, 0), "erased_at")));
	ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "niss"));
	ck_assert_ptr_null(json_object_get(json_array_get(items, 0), "cursor_key"));
	json_decref(items);
	ck_assert(next[0] != '\0');
	items = person_page("orga", 2, next, next2, sizeof(next2));
	ck_assert_str_eq(item_id(items, 0), p[0]);
	json_decref(items);
	/* Another organisation's list never has them; row-level security
	 * shows a third organisation none of them. */
	items = person_page("orgd", 200, NULL, next, sizeof(next));
	for (i = 0; i < (int)json_array_size(items); i++)
		ck_assert(strcmp(item_id(items, (size_t)i), p[0]) != 0 &&
			  strcmp(item_id(items, (size_t)i), p[2]) != 0);
	json_decref(items);
	ck_assert_int_eq(seen_by("orgd", "SELECT count(*) FROM persons WHERE id = $1::uuid", p[0]),
			 0);
	ck_assert_int_eq(seen_by("orga", "SELECT count(*) FROM persons WHERE id = $1::uuid", p[0]),
			 1);
	for (i = 0; i < 3; i++)
		free(p[i]);
}
END_TEST

/* A person received through a referral is not the receiver's to list. */
START_TEST(persons_of_a_received_referral_are_not_listed)
{
	char *person, *ref = new_referral("LS-R", &person, NULL), next[700];
	json_t *items = person_page("orgb", 200, NULL, next, sizeof(next));
	size_t i;

	for (i = 0; i < json_array_size(items); i++)
		ck_assert_str_ne(item_id(items, i), person);
	json_decref(items);
	/* orgb, a party to the referral, may see the row (persons_read);
	 * the list is still the creator's only. */
	ck_assert_int_eq(
		seen_by("orgb", "SELECT count(*) FROM persons WHERE id = $1::uuid", person), 1);
	free(person), free(ref);
}
END_TEST

/* Each person shown is an audited read; an erased person stays, with
 * erased_at and nothing else of theirs, and is not audited. */
START_TEST(persons_reads_are_audited_and_erased_persons_stay_bare)
{
	char *person = must(post_id("orga", "/v1/persons",
				    "{\"external_ref\":\"LS-E\",\"birth_year\":1990}", 201)),
	     next[700], path[128];
	struct resp r;
	json_t *items;

	ck_assert_int_eq(audit_rows("person.read", person), 0);
	items = person_page("orga", 1, NULL, next, sizeof(next));
	ck_assert_str_eq(item_id(items, 0), person);
	json_decref(items);
	ck_assert_int_eq(audit_rows("person.read", person), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'person.read' "
				   "AND person_id = $1::uuid AND resource_type = 'person'",
				   person),
			 1);

	snprintf(path, sizeof(path), "/v1/persons/%s", person);
	ck_assert_int_eq(call("orga", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "erase: %ld %s", r.status, r.body);
	resp_free(&r);
	items = person_page("orga", 1, NULL, next, sizeof(next));
	ck_assert_str_eq(item_id(items, 0), person);
	ck_assert(json_is_null(json_object_get(json_array_get(items, 0), "external_ref")));
	ck_assert(json_is_null(json_object_get(json_array_get(items, 0), "birth_year")));
	ck_assert_ptr_nonnull(
		json_string_value(json_object_get(json_array_get(items, 0), "erased_at")));
	json_decref(items);
	ck_assert_int_eq(audit_rows("person.read", person), 1);
	free(person);
}
END_TEST

START_TEST(persons_bad_queries_are_refused)
{
	refused("orga", "/v1/persons?limit=0", "limit");
	refused("orga", "/v1/persons?cursor=WyJ4IiwieSJd", NULL);
}
END_TEST

/* A current stay's note (sealed, shown while the consent holds) is the
 * person's too: listed or read alone, each read is audited, though no
 * outcome is there yet. */
START_TEST(occupancy_notes_are_audited_reads)
{
	char *ref = new_referral("L-N", NULL, NULL), path[256], *occ;
	json_t *items;
	size_t i;
	json_t *it;
	struct resp r;
	int seen = 0;

	snprintf(path, sizeof(path), "/v1/referrals/%s/placements", ref);
	occ = must(post_id("orgb", path,
			   "{\"kind\":\"private_market\",\"start_date\":\"2027-01-01\","
			   "\"note\":\"relapse risk, see CPAS\"}",
			   201));
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 0);
	items = items_of("orgb", "/v1/occupancies?status=current&limit=200");
	json_array_foreach(items, i, it) {
		if (strcmp(json_string_value(json_object_get(it, "id")), occ) != 0)
			continue;
		seen = 1;
		ck_assert_str_eq(json_string_value(json_object_get(it, "note")),
				 "relapse risk, see CPAS");
		ck_assert(json_is_null(json_object_get(it, "outcome")));
	}
	json_decref(items);
	ck_assert_int_eq(seen, 1);
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 1);
	snprintf(path, sizeof(path), "/v1/occupancies/%s", occ);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "get: %ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(audit_rows("occupancy.read", occ), 2);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'occupancy.read' "
				   "AND resource_id = $1 AND person_id IS NOT NULL "
				   "AND detail->'fields' ? 'note'",
				   occ),
			 2);
	free(ref), free(occ);
}
END_TEST

Suite *
lists_suite(void)
{
	Suite *s = suite_create("lists");
	TCase *t = tcase_create("lists");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, proposals_operator_and_proposer_see_theirs_newest_first);
	tcase_add_test(t, proposals_filter_by_status);
	tcase_add_test(t, proposals_bad_filters_are_refused_by_field);
	tcase_add_test(t, proposals_notes_follow_consent_and_are_audited);
	tcase_add_test(t, occupancies_operator_and_referrer_see_theirs_newest_first);
	tcase_add_test(t, occupancies_filter_by_status_and_audit_outcomes);
	tcase_add_test(t, occupancies_say_when_the_caller_was_alerted);
	tcase_add_test(t, occupancies_bad_filters_are_refused_by_field);
	tcase_add_test(t, persons_their_creator_lists_them_newest_first);
	tcase_add_test(t, persons_of_a_received_referral_are_not_listed);
	tcase_add_test(t, persons_reads_are_audited_and_erased_persons_stay_bare);
	tcase_add_test(t, persons_bad_queries_are_refused);
	tcase_add_test(t, occupancy_notes_are_audited_reads);
	suite_add_tcase(s, t);
	return s;
}
