/* Integration suite for follow-ups (issue 15, item 1): an organisation's
 * accompaniment of a person, its status and its dated entries under the
 * consent category follow_up.
 *
 * The day: DIOGENES (orgd, street work, its Soutien au Logement) refers a
 * person it met in the street to a homeless service (orgb, ISSUE's axis 1),
 * which proposes a studio of a housing operator (orgc); the person moves
 * in.  DIOGENES keeps following them: it opens a follow-up of the
 * occupancy, writes what happened at each visit, and the homeless service,
 * which the person's consent names, reads it.  A justice aid service (orga)
 * the consent does not name sees nothing; the coordinator reads no entry.
 * When the rent is unpaid DIOGENES marks the tenancy at risk and the
 * operator is told. */
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

/* What a follow-up's day starts from. */
struct housed {
	char *person, *consent, *referral, *unit, *occupancy;
};

/* orgc publishes a studio for homeless services. */
static char *
new_unit(void)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Heyvaert\",\"commune\":\"Anderlecht\","
				  "\"managing_partner\":\"Communa\",\"units\":6,"
				  "\"period_from\":\"2024-01-01\",\"period_until\":\"2030-12-31\"}",
				  201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"H-02\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Anderlecht\","
		 "\"address\":\"Rue Heyvaert 2, 1070 Anderlecht\",\"monthly_contribution_eur\":300,"
		 "\"available_from\":\"2026-01-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site);
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

static void
ok(const char *slug, const char *method, const char *path, const char *body,
   const char *const *headers, long want)
{
	struct resp r;

	ck_assert_int_eq(call(slug, method, path, body, headers, &r), 0);
	if (r.status != want)
		fprintf(stderr, "%s %s: %ld %s\n", method, path, r.status, r.body ? r.body : "");
	ck_assert_int_eq(r.status, want);
	resp_free(&r);
}

/* orgd refers the person to orgb under a consent naming orgb, housing
 * operators and (wrongly: it must make no difference) coordinators for
 * `categories`; orgb waitlists and proposes; orgc accepts and
 * the person moves in. */
static void
housed(struct housed *h, const char *categories)
{
	char body[2048], path[160];
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	char *proposal;

	h->person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"DIO-15\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"},{\"kind\":\"coordinator\"}],\"purposes\":["
		 "\"housing_referral\","
		 "\"housing_support\"],\"data_categories\":[%s],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SL-2026-15\",\"recorded_"
		 "by\":\"Worker D\"}}",
		 h->person, org_id("orgb"), categories);
	h->consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"issue.axis1\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"}",
		 h->person, org_id("orgb"), h->consent);
	h->referral = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", h->referral);
	ok("orgb", "POST", path, "{\"to\":\"received\"}", v1, 200);
	ok("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, 200);
	h->unit = new_unit();
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", h->unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", h->referral);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-11-02\","
		 "\"planned_end_date\":\"2028-05-01\"}",
		 proposal);
	h->occupancy = must(post_id("orgc", "/v1/occupancies", body, 201));
	free(proposal);
}

static void
housed_free(struct housed *h)
{
	free(h->person), free(h->consent), free(h->referral), free(h->unit), free(h->occupancy);
}

/* DIOGENES opens the follow-up of the occupancy. */
static char *
follow(const struct housed *h)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 h->referral, h->occupancy);
	return must(post_id("orgd", "/v1/follow-ups", body, 201));
}

static long
entries_path(char *path, size_t size, const char *follow_up)
{
	return snprintf(path, size, "/v1/follow-ups/%s/entries", follow_up);
}

static long
count_of(const char *query, const char *param)
{
	long n = sql_count(query, param);

	ck_assert_int_ge(n, 0);
	return n;
}

/* Entries of the follow-up that row-level security shows `slug`, read
 * straight from PostgreSQL as the gateway's role: what a C bug would leak. */
static long
entries_seen_by(const char *slug, const char *follow_up)
{
	PGconn *app = sql_app();
	const char *o[1] = {org_id(slug)}, *f[1] = {follow_up};
	PGresult *res = PQexec(app, "BEGIN");
	long n;

	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	n = sql_long(app, "SELECT count(*) FROM follow_up_entries WHERE follow_up_id = $1::uuid", 1,
		     f);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
	ck_assert_int_ge(n, 0);
	return n;
}

/* The same for a coordinator that a rule of its own granted follow_up.read
 * (for the time of the read): row-level security still shows it nothing. */
static long
entries_seen_by_granted_coordinator(const char *follow_up)
{
	PGconn *admin = sql_admin();
	const char *o[1] = {org_id("coord")};
	PGresult *res;
	long n;

	res = PQexecParams(admin,
			   "INSERT INTO access_rules (organisation_id, action, allowed) "
			   "VALUES ($1::uuid, 'follow_up.read', true)",
			   1, NULL, o, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	n = entries_seen_by("coord", follow_up);
	res = PQexecParams(admin,
			   "DELETE FROM access_rules WHERE organisation_id = $1::uuid "
			   "AND action = 'follow_up.read'",
			   1, NULL, o, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(admin);
	return n;
}

static void
patch(const char *slug, const char *id, const char *version, const char *body, struct resp *r)
{
	char path[128], match[32];
	const char *h[] = {match, NULL};

	snprintf(path, sizeof(path), "/v1/follow-ups/%s", id);
	snprintf(match, sizeof(match), "If-Match: \"%s\"", version);
	ck_assert_int_eq(call(slug, "PATCH", path, body, h, r), 0);
}

static const char *
first_error_field(const struct resp *r)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);

	return e ? json_string_value(json_object_get(e, "field")) : "";
}

START_TEST(diogenes_follows_after_move_in_and_the_named_read)
{
	struct housed h;
	char path[160], *fu;
	struct resp r;
	json_t *items;

	housed(&h, "\"identity\",\"housing_situation\",\"follow_up\"");
	fu = follow(&h);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "active");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "organisation_id")),
			 org_id("orgd"));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "occupancy_id")), h.occupancy);
	ck_assert(json_is_null(json_object_get(r.json, "period_until")));
	ck_assert_str_eq(r.etag, "\"1\"");
	resp_free(&r);

	/* two visits written down */
	entries_path(path, sizeof(path), fu);
	ok("orgd", "POST", path,
	   "{\"date\":\"2026-11-09\",\"kind\":\"visit\",\"text\":\"Settled in, needs a "
	   "fridge; CPAS appointment on the 16th\"}",
	   NULL, 201);
	ok("orgd", "POST", path,
	   "{\"date\":\"2026-11-16\",\"kind\":\"call\",\"text\":\"Rent paid\"}", NULL, 201);

	/* the homeless service, named by the consent, reads them; audited */
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	items = json_object_get(r.json, "items");
	ck_assert_int_eq(json_array_size(items), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 1), "text")),
			 "Rent paid");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "kind")),
			 "visit");
	resp_free(&r);
	{
		char q[512];

		snprintf(q, sizeof(q),
			 "SELECT count(*) FROM audit_log WHERE action = 'follow_up.entries.read' "
			 "AND organisation_id = '%s' AND resource_type = 'follow_up' AND "
			 "resource_id = $1 AND person_id = '%s' AND detail->>'entries' = '2'",
			 org_id("orgb"), h.person);
		ck_assert_int_eq(count_of(q, fu), 1);
	}
	/* DIOGENES, which recorded the consent, sees that read in the person's
	 * journal: who read the entries of its follow-up */
	{
		char jpath[160];
		json_t *e;
		size_t i;
		int seen = 0;

		snprintf(jpath, sizeof(jpath), "/v1/audit?person_id=%s&limit=200", h.person);
		ck_assert_int_eq(call("orgd", "GET", jpath, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		json_array_foreach(json_object_get(r.json, "items"), i, e) {
			if (strcmp(json_string_value(json_object_get(e, "action")),
				   "follow_up.entries.read") == 0 &&
			    strcmp(json_string_value(json_object_get(e, "resource_id")), fu) == 0 &&
			    strcmp(json_string_value(json_object_get(e, "organisation_id")),
				   org_id("orgb")) == 0)
				seen++;
		}
		ck_assert_int_eq(seen, 1);
		resp_free(&r);
	}
	/* its list shows the follow-up shared with it */
	ck_assert_int_eq(call("orgb", "GET", "/v1/follow-ups?limit=200", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, fu));
	resp_free(&r);
	/* but it does not write them */
	ok("orgb", "POST", path, "{\"date\":\"2026-11-17\",\"text\":\"not ours\"}", NULL, 403);

	/* a justice aid service the consent does not name: nothing */
	ok("orga", "GET", path, NULL, NULL, 404);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	ok("orga", "GET", path, NULL, NULL, 404);
	ck_assert_int_eq(call("orga", "GET", "/v1/follow-ups?limit=200", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(strstr(r.body, fu));
	resp_free(&r);
	ck_assert_int_eq(entries_seen_by("orga", fu), 0);
	/* the coordinator reads no entry, not even through SQL */
	entries_path(path, sizeof(path), fu);
	ok("coord", "GET", path, NULL, NULL, 403);
	ck_assert_int_eq(entries_seen_by("coord", fu), 0);
	ck_assert_int_eq(entries_seen_by_granted_coordinator(fu), 0);
	ck_assert_int_eq(entries_seen_by("orgb", fu), 2);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_up_entries WHERE follow_up_id = "
				  "$1::uuid",
				  fu),
			 2);
	ck_assert_int_eq(count_of("SELECT count(*) FROM audit_log WHERE action = "
				  "'follow_up.entries.read' AND resource_id = $1",
				  fu),
			 1);
	/* page by page, DIOGENES's own read: one audit row per page shown */
	ck_assert_int_eq(walk_pages("orgd", path, 1), 2);
	ck_assert_int_eq(count_of("SELECT count(*) FROM audit_log WHERE action = "
				  "'follow_up.entries.read' AND resource_id = $1",
				  fu),
			 3);
	ck_assert_int_ge(walk_pages("orgd", "/v1/follow-ups", 1), 1);
	free(fu);
	housed_free(&h);
}
END_TEST

START_TEST(tenancy_at_risk_tells_the_operator_once_per_move)
{
	struct housed h;
	char path[160], *fu;
	struct resp r;

	housed(&h, "\"identity\",\"follow_up\"");
	fu = follow(&h);
	patch("orgd", fu, "1", "{\"status\":\"tenancy_at_risk\"}", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "tenancy_at_risk");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	resp_free(&r);
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 1);
	ck_assert_int_eq(events_of("orgd", "follow_up.tenancy_at_risk", fu), 0);
	/* the operator reads the follow-up it was told about */
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	ok("orgc", "GET", path, NULL, NULL, 200);
	/* still at risk: no move, nothing changed, nobody told again */
	patch("orgd", fu, "2", "{\"status\":\"tenancy_at_risk\"}", &r);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "invalid-transition");
	ck_assert_str_eq(first_error_field(&r), "status");
	resp_free(&r);
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 1);
	/* back to active, then at risk again: told a second time */
	patch("orgd", fu, "2", "{\"status\":\"active\",\"period_until\":\"2028-05-01\"}", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "period_until")), "2028-05-01");
	resp_free(&r);
	patch("orgd", fu, "3", "{\"status\":\"tenancy_at_risk\"}", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 2);
	/* only DIOGENES moves it */
	patch("orgb", fu, "4", "{\"status\":\"relayed\"}", &r);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	/* relayed to home guidance, then closed: closed is final */
	patch("orgd", fu, "4", "{\"status\":\"relayed\"}", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	patch("orgd", fu, "5", "{\"status\":\"closed\",\"period_until\":\"2027-06-30\"}", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	patch("orgd", fu, "6", "{\"status\":\"active\"}", &r);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "invalid-transition");
	ck_assert_str_eq(first_error_field(&r), "status");
	resp_free(&r);
	entries_path(path, sizeof(path), fu);
	ck_assert_int_eq(
		call("orgd", "POST", path, "{\"date\":\"2027-07-01\",\"text\":\"late\"}", NULL, &r),
		0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "follow-up-closed");
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_ups WHERE id = $1::uuid AND "
				  "status = 'closed' AND version = 6",
				  fu),
			 1);
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 2);
	free(fu);
	housed_free(&h);
}
END_TEST

START_TEST(a_withdrawn_consent_hides_the_entries)
{
	struct housed h;
	char path[160], *fu;
	struct resp r;

	housed(&h, "\"identity\",\"follow_up\"");
	fu = follow(&h);
	entries_path(path, sizeof(path), fu);
	ok("orgd", "POST", path, "{\"date\":\"2026-11-09\",\"text\":\"First visit\"}", NULL, 201);
	ck_assert_int_eq(entries_seen_by("orgb", fu), 1);

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", h.consent);
	ok("orgd", "POST", path, "{\"reason\":\"the person asked\"}", NULL, 200);

	entries_path(path, sizeof(path), fu);
	/* the homeless service no longer sees the follow-up nor its entries */
	ok("orgb", "GET", path, NULL, NULL, 404);
	ck_assert_int_eq(entries_seen_by("orgb", fu), 0);
	/* DIOGENES keeps its follow-up, not what it wrote under the consent */
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	ck_assert_int_eq(entries_seen_by("orgd", fu), 0);
	/* and writes no more */
	ck_assert_int_eq(call("orgd", "POST", path, "{\"date\":\"2026-11-20\",\"text\":\"Again\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "consent-not-holding");
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_up_entries WHERE follow_up_id = "
				  "$1::uuid",
				  fu),
			 1);
	free(fu);
	housed_free(&h);
}
END_TEST

/* Each bad request: 400/409/422 naming the field, and nothing changed. */
START_TEST(bad_input_names_the_field_and_changes_nothing)
{
	struct housed h, other;
	char body[512], path[160], *fu, *text;
	struct resp r;
	size_t i;

	housed(&h, "\"identity\",\"follow_up\"");
	housed(&other, "\"identity\"");
	fu = follow(&h);
	{
		struct {
			const char *slug, *fmt, *field;
			long status;
		} cases[] = {
			{"orgd",
			 "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\",\"status\":"
			 "\"sleeping\"}",
			 "status", 400},
			{"orgd", "{\"referral_id\":\"%s\",\"period_from\":\"2026-02-30\"}",
			 "period_from", 400},
			{"orgd",
			 "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\",\"period_until\":"
			 "\"2026-01-01\"}",
			 "period_until", 400},
			{"orgd", "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\",\"x\":1}",
			 "x", 400},
			/* not orga's referral */
			{"orga", "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
			 "referral_id", 422},
		};
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			snprintf(body, sizeof(body), cases[i].fmt, h.referral);
			ck_assert_int_eq(
				call(cases[i].slug, "POST", "/v1/follow-ups", body, NULL, &r), 0);
			ck_assert_int_eq(r.status, cases[i].status);
			ck_assert_str_eq(first_error_field(&r), cases[i].field);
			resp_free(&r);
		}
	}
	/* an occupancy of another referral */
	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 h.referral, other.occupancy);
	ck_assert_int_eq(call("orgd", "POST", "/v1/follow-ups", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(first_error_field(&r), "occupancy_id");
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_ups WHERE referral_id = $1::uuid",
				  h.referral),
			 1);

	/* PATCH: unknown status, bad date, period_until before period_from */
	patch("orgd", fu, "1", "{\"status\":\"sleeping\"}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_error_field(&r), "status");
	resp_free(&r);
	patch("orgd", fu, "1", "{\"period_until\":\"next year\"}", &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_error_field(&r), "period_until");
	resp_free(&r);
	patch("orgd", fu, "1", "{\"period_until\":\"2025-01-01\"}", &r);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(first_error_field(&r), "period_until");
	resp_free(&r);
	patch("orgd", fu, "7", "{\"status\":\"closed\"}", &r);
	ck_assert_int_eq(r.status, 412);
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_ups WHERE id = $1::uuid AND "
				  "version = 1 AND status = 'active' AND period_until IS NULL",
				  fu),
			 1);

	/* entries: text too long, bad date, unknown kind */
	entries_path(path, sizeof(path), fu);
	text = malloc(4100);
	ck_assert_ptr_nonnull(text);
	memset(text, 'a', 4001);
	text[4001] = '\0';
	{
		char *big = malloc(4200);

		ck_assert_ptr_nonnull(big);
		snprintf(big, 4200, "{\"date\":\"2026-11-09\",\"text\":\"%s\"}", text);
		ck_assert_int_eq(call("orgd", "POST", path, big, NULL, &r), 0);
		ck_assert_int_eq(r.status, 400);
		ck_assert_str_eq(first_error_field(&r), "text");
		resp_free(&r);
		free(big);
	}
	ck_assert_int_eq(
		call("orgd", "POST", path, "{\"date\":\"09/11/2026\",\"text\":\"x\"}", NULL, &r),
		0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_error_field(&r), "date");
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "POST", path,
			      "{\"date\":\"2026-11-09\",\"kind\":\"gossip\",\"text\":\"x\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_error_field(&r), "kind");
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM follow_up_entries WHERE follow_up_id = "
				  "$1::uuid",
				  fu),
			 0);

	/* a consent without follow_up: a follow-up, but no entry */
	{
		char *fo;

		snprintf(body, sizeof(body),
			 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":"
			 "\"2026-11-02\"}",
			 other.referral, other.occupancy);
		fo = must(post_id("orgd", "/v1/follow-ups", body, 201));
		entries_path(path, sizeof(path), fo);
		ck_assert_int_eq(call("orgd", "POST", path,
				      "{\"date\":\"2026-11-09\",\"text\":\"x\"}", NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_str_eq(problem_type(&r), URN "consent-not-covering");
		resp_free(&r);
		ck_assert_int_eq(count_of("SELECT count(*) FROM follow_up_entries WHERE "
					  "follow_up_id = $1::uuid",
					  fo),
				 0);
		/* and the homeless service, named by that consent, sees no entry */
		ck_assert_int_eq(entries_seen_by("orgb", fo), 0);
		free(fo);
	}
	/* a consent may list follow_up; an unknown category is still refused */
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"homeless_service\"}],"
		 "\"purposes\":[\"housing_support\"],\"data_categories\":[\"follow_ups\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
		 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 h.person);
	ck_assert_int_eq(call("orgd", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_error_field(&r), "data_categories");
	resp_free(&r);
	free(text);
	free(fu);
	housed_free(&h);
	housed_free(&other);
}
END_TEST

Suite *
follow_ups_suite(void)
{
	Suite *s = suite_create("follow_ups");
	TCase *t = tcase_create("follow_ups");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, diogenes_follows_after_move_in_and_the_named_read);
	tcase_add_test(t, tenancy_at_risk_tells_the_operator_once_per_move);
	tcase_add_test(t, a_withdrawn_consent_hides_the_entries);
	tcase_add_test(t, bad_input_names_the_field_and_changes_nothing);
	suite_add_tcase(s, t);
	return s;
}
