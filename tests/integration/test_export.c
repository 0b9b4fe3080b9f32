/* Integration suite for the person's access and portability (issue 16,
 * item 3; GDPR arts. 15, 20): GET /v1/persons/{id}/export.
 *
 * The day: DIOGENES (orgd, street work) meets Amina in the street, records
 * her consent on a signed form and refers her to a homeless service of
 * ISSUE (orgb), which reads the referral; DIOGENES keeps following her and
 * writes down a visit.  Months later Amina asks the Rizome coordinator
 * (coord) what refgw holds about her: the coordinator exports it, as data
 * and as a page she can read in French, Dutch or English, and the export
 * is itself written into her journal.  The services that follow her cannot
 * export.  Then DIOGENES erases her on her request: the export still says
 * who held what and when, and nothing she said. */
#include <check.h>
#include <libpq-fe.h>
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

/* What Amina's day leaves in refgw. */
struct amina {
	char *person, *consent, *referral, *follow_up;
};

static void
amina_day(struct amina *a)
{
	char body[2048], path[160];

	a->person = must(post_id("orgd", "/v1/persons",
				 "{\"external_ref\":\"DIO-16 <script>alert(1)</script>\","
				 "\"birth_year\":1987}",
				 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\",\"housing_support\"],\"data_categories\":"
		 "[\"identity\",\"housing_situation\",\"justice\",\"follow_up\"],"
		 "\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SL-2026-16\","
		 "\"recorded_by\":\"Worker D\"}}",
		 a->person, org_id("orgb"));
	a->consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"Evicted <script>alert('x')</script> & sleeping at Midi\","
		 "\"data\":{\"identity\":{\"given_name\":\"Amina\"}},"
		 "\"needs\":{\"avoid_communes\":[\"Forest\"]},\"release_date\":\"2027-01-15\"}",
		 a->person, org_id("orgb"), a->consent);
	a->referral = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s", a->referral);
	ok("orgb", "GET", path, NULL, NULL, 200); /* a read, in her journal */
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 a->referral);
	a->follow_up = must(post_id("orgd", "/v1/follow-ups", body, 201));
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", a->follow_up);
	ok("orgd", "POST", path,
	   "{\"date\":\"2026-11-09\",\"kind\":\"visit\",\"text\":\"Visit: Amina sleeps at the "
	   "shelter, asks about a studio\"}",
	   NULL, 201);
}

static void
amina_free(struct amina *a)
{
	free(a->person), free(a->consent), free(a->referral), free(a->follow_up);
}

static void export(const char *slug, const char *person, const char *query,
		   const char *const *headers, struct resp *r)
{
	char path[200];

	snprintf(path, sizeof(path), "/v1/persons/%s/export%s", person, query);
	ck_assert_int_eq(call(slug, "GET", path, NULL, headers, r), 0);
}

static long
exports_audited(const char *person)
{
	return sql_count("SELECT count(*) FROM audit_log WHERE action = 'person.exported' AND "
			 "person_id = $1::uuid",
			 person);
}

/* Whether the journal holds `action` by the organisation slug. */
static bool
journal_has(const json_t *doc, const char *action, const char *slug)
{
	size_t i;
	json_t *line;

	json_array_foreach(json_object_get(doc, "journal"), i, line) {
		if (strcmp(json_string_value(json_object_get(line, "action")), action) == 0 &&
		    (slug == NULL ||
		     strcmp(json_string_value(json_object_get(line, "organisation_id")),
			    org_id(slug)) == 0))
			return true;
	}
	return false;
}

START_TEST(test_export_json)
{
	struct amina a;
	struct resp r;
	const json_t *doc, *p, *consent, *referral, *entry;

	amina_day(&a);
	ck_assert_int_eq(exports_audited(a.person), 0);
	export("coord", a.person, "", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.content_type, "application/json"));
	doc = r.json;
	p = json_object_get(doc, "person");
	ck_assert_str_eq(json_string_value(json_object_get(p, "id")), a.person);
	ck_assert_str_eq(json_string_value(json_object_get(p, "created_by")), org_id("orgd"));
	ck_assert_str_eq(json_string_value(json_object_get(p, "external_ref")),
			 "DIO-16 <script>alert(1)</script>");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "birth_year")), 1987);
	ck_assert_ptr_null(json_object_get(p, "erased_at"));
	/* the consent and its evidence, opened */
	ck_assert_int_eq(json_array_size(json_object_get(doc, "consents")), 1);
	consent = json_array_get(json_object_get(doc, "consents"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(consent, "id")), a.consent);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(consent, "evidence"),
							   "reference")),
			 "SL-2026-16");
	/* the referral, its data and reason opened, its history */
	ck_assert_int_eq(json_array_size(json_object_get(doc, "referrals")), 1);
	referral = json_array_get(json_object_get(doc, "referrals"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(referral, "id")), a.referral);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(json_object_get(referral, "data"), "identity"),
				 "given_name")),
			 "Amina");
	ck_assert_str_eq(json_string_value(json_object_get(referral, "reason")),
			 "Evicted <script>alert('x')</script> & sleeping at Midi");
	/* needs and release date, sealed at rest (schema/051), opened too */
	ck_assert_str_eq(
		json_string_value(json_array_get(
			json_object_get(json_object_get(referral, "needs"), "avoid_communes"), 0)),
		"Forest");
	ck_assert_str_eq(json_string_value(json_object_get(referral, "release_date")),
			 "2027-01-15");
	ck_assert_int_ge(json_array_size(json_object_get(referral, "transitions")), 1);
	/* the follow-up and its entry, opened */
	ck_assert_int_eq(json_array_size(json_object_get(doc, "follow_ups")), 1);
	entry = json_array_get(
		json_object_get(json_array_get(json_object_get(doc, "follow_ups"), 0), "entries"),
		0);
	ck_assert_ptr_nonnull(entry);
	ck_assert_str_eq(json_string_value(json_object_get(entry, "text")),
			 "Visit: Amina sleeps at the shelter, asks about a studio");
	/* the journal: who recorded and who read */
	ck_assert(journal_has(doc, "person.create", "orgd"));
	ck_assert(journal_has(doc, "referral.read", "orgb"));
	ck_assert(journal_has(doc, "follow_up.entry.create", "orgd"));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(doc, "generated_at")));
	resp_free(&r);
	/* the export itself is audited, once, with nothing personal */
	ck_assert_int_eq(exports_audited(a.person), 1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'person.exported' AND "
			  "person_id = $1::uuid AND detail->>'format' = 'json' AND "
			  "(detail->>'referrals')::int = 1 AND (detail->>'entries')::int = 1 AND "
			  "detail::text NOT LIKE '%Amina%'",
			  a.person),
		1);
	/* and in the next export's journal, by the coordinator */
	export("coord", a.person, "?format=json", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(journal_has(r.json, "person.exported", "coord"));
	resp_free(&r);
	ck_assert_int_eq(exports_audited(a.person), 2);
	/* her recorder's view of her journal does not tell it that she asked */
	{
		char path[200];
		snprintf(path, sizeof(path), "/v1/audit?person_id=%s&limit=200", a.person);
		ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "person.create"));
		ck_assert_ptr_null(strstr(r.body, "person.exported"));
		resp_free(&r);
	}
	amina_free(&a);
}
END_TEST

/* Only the coordinator exports; what it cannot find or may not export
 * changes nothing. */
START_TEST(test_export_refused)
{
	struct amina a;
	struct resp r;

	amina_day(&a);
	export("orgd", a.person, "", NULL, &r); /* her recorder */
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), URN "forbidden");
	resp_free(&r);
	export("orgb", a.person, "?format=html", NULL, &r);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	export("coord", "7d1c1b52-2b4e-4f4f-9d7e-0c1d2e3f4a5b", "", NULL, &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(problem_type(&r), URN "not-found");
	resp_free(&r);
	export("coord", "not-a-person", "", NULL, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	export("coord", a.person, "?format=pdf", NULL, &r);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(strstr(r.body, "format"));
	resp_free(&r);
	ck_assert_int_eq(exports_audited(a.person), 0);
	/* the coordinator still reads no personal data elsewhere */
	{
		char path[160];
		snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", a.follow_up);
		ok("coord", "GET", path, NULL, NULL, 403);
	}
	amina_free(&a);
}
END_TEST

/* The page: self-contained, every value escaped, its titles in the
 * language asked. */
START_TEST(test_export_html)
{
	static const struct {
		const char *query, *accept_language, *lang, *title, *absent;
	} cases[] = {
		{"", NULL, "en", "<h2>Consents</h2>", "<h2>Consentements</h2>"},
		{"", "fr-BE,fr;q=0.9,en;q=0.5", "fr", "<h2>Consentements</h2>",
		 "<h2>Consents</h2>"},
		{"", "nl-BE", "nl", "<h2>Toestemmingen</h2>", "<h2>Consents</h2>"},
		{"?format=html", "nl;q=0.4, fr;q=0.8", "fr", "<h2>Orientations</h2>",
		 "<h2>Doorverwijzingen</h2>"},
		{"?format=html", "de-DE", "en", "<h2>Follow-ups</h2>", "<h2>Begeleidingen</h2>"},
	};
	struct amina a;
	struct resp r;
	size_t i;

	amina_day(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char lang[80], want_lang[40];
		const char *headers[3] = {NULL, NULL, NULL};
		int n = 0;

		if (cases[i].query[0] == '\0')
			headers[n++] = "Accept: text/html";
		if (cases[i].accept_language) {
			snprintf(lang, sizeof(lang), "Accept-Language: %s",
				 cases[i].accept_language);
			headers[n++] = lang;
		}
		export("coord", a.person, cases[i].query, headers, &r);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.content_type, "text/html"));
		snprintf(want_lang, sizeof(want_lang), "<html lang=\"%s\">", cases[i].lang);
		ck_assert_msg(strstr(r.body, want_lang) != NULL, "case %zu: no %s", i, want_lang);
		/* the page's language, said in the header too (messages.h) */
		ck_assert_str_eq(r.content_language, cases[i].lang);
		ck_assert_ptr_nonnull(strstr(r.vary, "Accept-Language"));
		ck_assert_msg(strstr(r.body, cases[i].title) != NULL, "case %zu: no %s", i,
			      cases[i].title);
		ck_assert_ptr_null(strstr(r.body, cases[i].absent));
		/* the values are there, escaped; nothing runs */
		ck_assert_ptr_nonnull(strstr(r.body, "Amina"));
		ck_assert_ptr_nonnull(strstr(r.body, "SL-2026-16"));
		/* an organisation by its name too */
		ck_assert_ptr_nonnull(strstr(r.body, " (Test Org D)"));
		ck_assert_ptr_nonnull(
			strstr(r.body, "DIO-16 &lt;script&gt;alert(1)&lt;/script&gt;"));
		ck_assert_ptr_nonnull(
			strstr(r.body, "Evicted &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
				       "&amp; sleeping at Midi"));
		ck_assert_ptr_null(strstr(r.body, "<script"));
		ck_assert_ptr_null(strstr(r.body, "<link"));
		ck_assert_ptr_null(strstr(r.body, " src="));
		resp_free(&r);
	}
	ck_assert_int_eq(exports_audited(a.person), (long)(sizeof(cases) / sizeof(cases[0])));
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'person.exported' AND "
			  "person_id = $1::uuid AND detail->>'format' = 'html' AND "
			  "detail->>'language' = 'fr'",
			  a.person),
		2);
	amina_free(&a);
}
END_TEST

/* After the erasure: the ids, dates and journal, nothing she said. */
START_TEST(test_export_erased)
{
	const char *html[] = {"Accept: text/html", "Accept-Language: nl", NULL};
	struct amina a;
	struct resp r;
	char path[160];
	const json_t *p, *referral, *entry, *consent;

	amina_day(&a);
	snprintf(path, sizeof(path), "/v1/persons/%s", a.person);
	ok("orgd", "DELETE", path, NULL, NULL, 200);
	export("coord", a.person, "", NULL, &r);
	ck_assert_int_eq(r.status, 200);
	p = json_object_get(r.json, "person");
	ck_assert_ptr_nonnull(json_string_value(json_object_get(p, "erased_at")));
	ck_assert(json_is_null(json_object_get(p, "external_ref")));
	ck_assert(json_is_null(json_object_get(p, "birth_year")));
	ck_assert_ptr_null(strstr(r.body, "Amina"));
	ck_assert_ptr_null(strstr(r.body, "SL-2026-16"));
	ck_assert_ptr_null(strstr(r.body, "Evicted"));
	ck_assert_ptr_null(strstr(r.body, "DIO-16"));
	ck_assert_ptr_null(strstr(r.body, "rgw1.")); /* no sealed text either */
	/* the ids stay */
	consent = json_array_get(json_object_get(r.json, "consents"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(consent, "id")), a.consent);
	ck_assert_str_eq(json_string_value(json_object_get(consent, "status")), "withdrawn");
	ck_assert(json_is_null(json_object_get(consent, "evidence")));
	referral = json_array_get(json_object_get(r.json, "referrals"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(referral, "id")), a.referral);
	ck_assert_int_eq(json_object_size(json_object_get(referral, "data")), 0);
	ck_assert(json_is_null(json_object_get(referral, "reason")));
	ck_assert_int_eq(json_object_size(json_object_get(referral, "needs")), 0);
	ck_assert(json_is_null(json_object_get(referral, "release_date")));
	entry = json_array_get(
		json_object_get(json_array_get(json_object_get(r.json, "follow_ups"), 0),
				"entries"),
		0);
	ck_assert(json_is_null(json_object_get(entry, "text")));
	/* and the journal, the erasure in it */
	ck_assert(journal_has(r.json, "referral.read", "orgb"));
	ck_assert(journal_has(r.json, "person.erased", "orgd"));
	resp_free(&r);
	export("coord", a.person, "", html, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Deze persoon werd gewist"));
	ck_assert_ptr_null(strstr(r.body, "Amina"));
	ck_assert_ptr_null(strstr(r.body, "rgw1."));
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'person.exported' AND "
			  "person_id = $1::uuid AND detail->>'erased' = 'true'",
			  a.person),
		2);
	amina_free(&a);
}
END_TEST

/* The database's side (schema/048), as the application's role: the function
 * bounds what it builds, and opens for an active coordinator the rules let
 * export, for nobody else, whatever a rule says. */
static long
as_app(PGconn *app, const char *slug, const char *query, const char *person)
{
	const char *o[1] = {org_id(slug)}, *p[1] = {person};

	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	return sql_long(app, query, 1, p);
}

START_TEST(test_export_database)
{
	struct amina a;
	PGconn *app;
	PGresult *res;

	amina_day(&a);
	app = sql_app();
	res = PQexec(app, "BEGIN");
	PQclear(res);
	/* beyond the limit: counted, not built */
	ck_assert_int_eq(as_app(app, "coord",
				"SELECT count(*) FROM refgw_person_export($1::uuid, 3) "
				"WHERE found AND document IS NULL AND row_count > 3",
				a.person),
			 1);
	ck_assert_int_eq(as_app(app, "coord",
				"SELECT count(*) FROM refgw_person_export($1::uuid, 5000) "
				"WHERE found AND (document->'person'->>'id')::uuid = $1::uuid",
				a.person),
			 1);
	/* the sealed values leave PostgreSQL sealed */
	ck_assert_int_eq(as_app(app, "coord",
				"SELECT count(*) FROM refgw_person_export($1::uuid, 5000) "
				"WHERE document::text LIKE '%rgw1.%' AND document::text NOT LIKE "
				"'%Amina%'",
				a.person),
			 1);
	/* her recorder, even granted the action by a rule of its own: nothing */
	ck_assert_int_eq(as_app(app, "coord",
				"WITH i AS (INSERT INTO access_rules (organisation_id, action, "
				"allowed) VALUES ($1::uuid, 'person.export', true) RETURNING 1) "
				"SELECT count(*) FROM i",
				org_id("orgd")),
			 1);
	ck_assert_int_eq(
		as_app(app, "orgd",
		       "SELECT count(*) FROM refgw_person_export($1::uuid, 5000) WHERE found",
		       a.person),
		0);
	/* a coordinator whose own rule takes the action away: nothing */
	ck_assert_int_eq(as_app(app, "coord",
				"WITH i AS (INSERT INTO access_rules (organisation_id, action, "
				"allowed) VALUES ($1::uuid, 'person.export', false) RETURNING 1) "
				"SELECT count(*) FROM i",
				org_id("coord")),
			 1);
	ck_assert_int_eq(
		as_app(app, "coord",
		       "SELECT count(*) FROM refgw_person_export($1::uuid, 5000) WHERE found",
		       a.person),
		0);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
	amina_free(&a);
}
END_TEST

Suite *
export_suite(void)
{
	Suite *s = suite_create("export");
	TCase *tc = tcase_create("export");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_export_json);
	tcase_add_test(tc, test_export_refused);
	tcase_add_test(tc, test_export_html);
	tcase_add_test(tc, test_export_erased);
	tcase_add_test(tc, test_export_database);
	suite_add_tcase(s, tc);
	return s;
}
