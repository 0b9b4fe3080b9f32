/* Integration suite for the person's own journal without eID (issue 18,
 * schema/054): POST/DELETE /v1/consents/{id}/receipt and, on the browser
 * listener, POST /v1/journal/entries.
 *
 * The day: DIOGENES (orgd) records Karim's consent and refers him to a
 * homeless service of ISSUE (orgb), whose social worker reads the referral
 * in the console.  DIOGENES prints the slip with a receipt code; Karim,
 * who has no eID, types the code on the public page and sees, in French,
 * that Test Org B received and read his data, for a housing referral:
 * not the worker's name, not his data.  A new slip replaces the code;
 * revoking it, or erasing Karim, leaves nothing to read; nobody else can
 * manage the code; a wrong code tells nothing; guessing is throttled. */
#include <check.h>
#include <libpq-fe.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "people.h"

#define URN "urn:refgw:problem:"

static void
journal_throttle_reset(void)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(c, "DELETE FROM signin_throttle WHERE key LIKE 'journal:%'");

	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

static void
setup(void)
{
	journal_throttle_reset();
}

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

struct karim {
	char *person, *consent, *referral;
	struct person worker; /* orgb's social worker, in the console */
};

static void
karim_day(struct karim *k)
{
	char body[2048], path[160];
	struct resp r;

	k->person = must(post_id("orgd", "/v1/persons",
				 "{\"external_ref\":\"DIO-18 Karim\",\"birth_year\":1979}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":"
		 "[\"identity\",\"housing_situation\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SL-2026-18\","
		 "\"recorded_by\":\"Worker Slipwriter\"}}",
		 k->person, org_id("orgb"));
	k->consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"Sleeping at Gare du Nord\","
		 "\"data\":{\"identity\":{\"given_name\":\"Karim\"}}}",
		 k->person, org_id("orgb"), k->consent);
	k->referral = must(post_id("orgd", "/v1/referrals", body, 201));
	ck_assert_int_eq(person_enrol(&k->worker, org_id("orgb"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&k->worker, NULL), 0);
	snprintf(path, sizeof(path), "/v1/referrals/%s", k->referral);
	ck_assert_int_eq(person_call(&k->worker, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}

static void
karim_free(struct karim *k)
{
	free(k->person), free(k->consent), free(k->referral);
}

/* orgb proposes the referral for a unit orgc publishes for homeless
 * services: orgc receives the shared categories. */
static void
propose_to_orgc(const char *referral)
{
	char body[1024], path[128];
	char *site, *unit, *proposal;

	site = must(post_id("orgc", "/v1/sites",
			    "{\"name\":\"Journal\",\"commune\":\"Forest\","
			    "\"period_from\":\"2023-03-01\"}",
			    201));
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"J-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"commune\":\"Forest\",\"address\":\"Rue du Journal 1, 1190 Forest\","
		 "\"available_from\":\"2026-12-01\",\"terms\":\"transit\","
		 "\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		 site);
	unit = must(post_id("orgc", "/v1/units", body, 201));
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", referral);
	proposal = must(post_id("orgb", path, body, 201));
	free(site), free(unit), free(proposal);
}

/* POST (issue) or DELETE (revoke) the receipt of consent as slug. */
static void
receipt(const char *slug, const char *method, const char *consent, struct resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/consents/%s/receipt", consent);
	ck_assert_int_eq(call(slug, method, path, NULL, NULL, r), 0);
}

/* Issues a receipt as orgd; the code (malloc'd). */
static char *
issue(const char *consent)
{
	struct resp r;
	char *code;

	receipt("orgd", "POST", consent, &r);
	ck_assert_int_eq(r.status, 201);
	code = strdup(json_string_value(json_object_get(r.json, "receipt_code")));
	resp_free(&r);
	return code;
}

/* Reads the journal with code (sent as the JSON string it is) in lang. */
static void
journal(const char *code, const char *lang, struct resp *r)
{
	char body[512], accept[64];
	const char *hdr[] = {browser_origin, accept, NULL};

	snprintf(accept, sizeof(accept), "Accept-Language: %s", lang);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	ck_assert_int_eq(browser_call(NULL, "POST", "/v1/journal/entries", body, hdr, r), 0);
}

static bool
has_entry(const json_t *doc, const char *organisation, const char *kind, const char *purpose)
{
	size_t i;
	json_t *e;

	json_array_foreach(json_object_get(doc, "entries"), i, e) {
		if (strcmp(json_string_value(json_object_get(e, "organisation")), organisation) ==
			    0 &&
		    strcmp(json_string_value(json_object_get(e, "kind")), kind) == 0 &&
		    (purpose == NULL ||
		     strcmp(json_string_value(json_object_get(e, "purpose")), purpose) == 0))
			return true;
	}
	return false;
}

/* The one answer of a code that opens nothing. */
static void
assert_unknown(const char *code)
{
	struct resp r;

	journal(code, "en", &r);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(problem_type(&r), URN "receipt-unknown");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "title")),
			 "Unknown receipt code");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "detail")),
			 "no journal answers this code: check it against the slip, or ask the "
			 "organisation that gave it to you (a code can be replaced or revoked)");
	resp_free(&r);
}

static long
audited(const char *action, const char *person)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM audit_log WHERE action = '%s' AND person_id = $1::uuid",
		 action);
	return sql_count(q, person);
}

START_TEST(issue_then_read_the_journal_in_french_without_names_or_data)
{
	struct karim k;
	struct resp r;
	regex_t re;
	char *code, lower[64], url[128];
	size_t i;

	karim_day(&k);
	propose_to_orgc(k.referral);
	receipt("orgd", "POST", k.consent, &r);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "consent_id")), k.consent);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "issued_at")));
	code = strdup(json_string_value(json_object_get(r.json, "receipt_code")));
	ck_assert_int_eq(regcomp(&re, "^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{2}$",
				 REG_EXTENDED | REG_NOSUB),
			 0);
	ck_assert_int_eq(regexec(&re, code, 0, NULL, 0), 0);
	regfree(&re);
	snprintf(url, sizeof(url), "%s/console/journal.html", browser_origin + strlen("Origin: "));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "journal_url")), url);
	/* The slip's QR code: SVG paths only (no script, no link, no text). */
	{
		const char *svg = json_string_value(json_object_get(r.json, "receipt_qr_svg"));

		ck_assert_ptr_nonnull(svg);
		ck_assert_int_eq(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 40), 0);
		ck_assert_ptr_null(strstr(svg, "script"));
		ck_assert_ptr_null(strstr(svg, code));
		ck_assert_str_eq(svg + strlen(svg) - 6, "</svg>");
	}
	resp_free(&r);
	ck_assert_int_eq(audited("consent.receipt.issue", k.person), 1);
	/* Only the code's SHA-256 is kept: no column holds the code. */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM consent_receipts WHERE consent_id = "
				   "$1::uuid AND octet_length(code_hash) = 32",
				   k.consent),
			 1);

	journal(code, "fr-BE,fr;q=0.9", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_language, "fr");
	ck_assert(has_entry(r.json, "Test Org B", "received", "housing_referral"));
	ck_assert(has_entry(r.json, "Test Org B", "read", "housing_referral"));
	ck_assert(has_entry(r.json, "Test Org D", "consent_recorded", "housing_referral"));
	ck_assert(has_entry(r.json, "Test Org C", "received", "housing_referral"));
	ck_assert_ptr_null(strstr(r.body, "Rue du Journal"));
	ck_assert(json_is_false(json_object_get(r.json, "truncated")));
	{
		json_t *e;
		bool seen = false;

		json_array_foreach(json_object_get(r.json, "entries"), i, e) {
			if (strcmp(json_string_value(json_object_get(e, "kind")), "read") == 0) {
				ck_assert_str_eq(
					json_string_value(json_object_get(e, "kind_label")),
					"a consulté vos données");
				ck_assert_str_eq(
					json_string_value(json_object_get(e, "purpose_label")),
					"une orientation vers un logement");
				ck_assert_int_eq(json_object_size(e), 7);
				seen = true;
			}
		}
		ck_assert(seen);
	}
	/* No staff name or email, no certificate, no data of Karim's. */
	ck_assert_ptr_null(strstr(r.body, k.worker.email));
	ck_assert_ptr_null(strstr(r.body, "T p"));
	ck_assert_ptr_null(strstr(r.body, "Slipwriter"));
	ck_assert_ptr_null(strstr(r.body, "Karim"));
	ck_assert_ptr_null(strstr(r.body, "Gare du Nord"));
	ck_assert_ptr_null(strstr(r.body, "user"));
	ck_assert_ptr_null(strstr(r.body, "certificate"));
	ck_assert_ptr_null(strstr(r.body, k.person));
	ck_assert_ptr_null(strstr(r.body, org_id("orgb")));
	resp_free(&r);
	ck_assert_int_eq(audited("journal.read", k.person), 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'journal.read' "
				   "AND person_id = $1::uuid AND organisation_id IS NULL",
				   k.person),
			 1);

	/* As a person types it back: lower case, spaces, O for 0, L for 1. */
	for (i = 0; code[i] && i + 1 < sizeof(lower); i++)
		lower[i] = code[i] == '-'   ? ' '
			   : code[i] == '0' ? 'o'
			   : code[i] == '1'
				   ? 'l'
				   : (char)(code[i] >= 'A' && code[i] <= 'Z' ? code[i] - 'A' + 'a'
									     : code[i]);
	lower[i] = '\0';
	journal(lower, "nl", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_language, "nl");
	resp_free(&r);
	free(code);
	karim_free(&k);
}
END_TEST

START_TEST(a_new_slip_replaces_the_code_and_delete_revokes_it)
{
	struct karim k;
	struct resp r;
	char *first, *second;

	karim_day(&k);
	first = issue(k.consent);
	second = issue(k.consent);
	ck_assert_str_ne(first, second);
	assert_unknown(first);
	journal(second, "en", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	receipt("orgd", "DELETE", k.consent, &r);
	ck_assert_int_eq(r.status, 204);
	resp_free(&r);
	assert_unknown(second);
	ck_assert_int_eq(audited("consent.receipt.revoke", k.person), 1);
	ck_assert_int_eq(audited("consent.receipt.issue", k.person), 2);
	/* Revoking again: still 204, still nothing to read. */
	receipt("orgd", "DELETE", k.consent, &r);
	ck_assert_int_eq(r.status, 204);
	resp_free(&r);
	assert_unknown(second);
	free(first), free(second);
	karim_free(&k);
}
END_TEST

START_TEST(only_the_recording_organisation_manages_the_code)
{
	struct karim k;
	struct resp r;
	char *code;
	char fake[40];

	karim_day(&k);
	code = issue(k.consent);
	/* The receiver, another social service, a random id: 404 alike. */
	receipt("orgb", "POST", k.consent, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	receipt("orga", "DELETE", k.consent, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(fake, sizeof(fake), "%s", "00000000-0000-4000-8000-000000000018");
	receipt("orgd", "POST", fake, &r);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* The coordinator and a housing operator have no consent.receipt. */
	receipt("coord", "POST", k.consent, &r);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	receipt("orgc", "DELETE", k.consent, &r);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	/* Row-level security: the runtime role with no caller set sees no
	 * receipt at all (the owner sees this one). */
	{
		PGconn *c = sql_app();
		const char *params[] = {k.consent};

		ck_assert_int_eq(sql_long(c,
					  "SELECT count(*) FROM consent_receipts WHERE "
					  "consent_id = $1::uuid",
					  1, params),
				 0);
		PQfinish(c);
	}
	ck_assert_int_eq(sql_count("SELECT count(*) FROM consent_receipts WHERE consent_id = "
				   "$1::uuid",
				   k.consent),
			 1);
	/* The code still works: nothing above changed it. */
	journal(code, "en", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(audited("consent.receipt.issue", k.person), 1);
	ck_assert_int_eq(audited("consent.receipt.revoke", k.person), 0);
	free(code);
	karim_free(&k);
}
END_TEST

START_TEST(a_wrong_code_tells_nothing)
{
	struct resp r;
	const char *hdr[] = {browser_origin, NULL};

	assert_unknown("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ");    /* well formed, unknown */
	assert_unknown("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HZ");    /* pad bits set */
	assert_unknown("K7QD-R2M9");                           /* too short */
	assert_unknown("UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UU");    /* not base32 */
	assert_unknown("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ-00"); /* too long */
	assert_unknown("");
	ck_assert_int_eq(sql_count("SELECT sum(failures) FROM signin_throttle WHERE key LIKE "
				   "'journal:source:%'",
				   NULL),
			 6);
	/* The body's shape is checked: 400, not a lookup, and not counted. */
	ck_assert_int_eq(browser_call(NULL, "POST", "/v1/journal/entries", "{}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(browser_call(NULL, "POST", "/v1/journal/entries",
				      "{\"code\":\"x\",\"person_id\":\"y\"}", hdr, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT sum(failures) FROM signin_throttle WHERE key LIKE "
				   "'journal:source:%'",
				   NULL),
			 6);
	/* From another origin (a form elsewhere): refused before anything. */
	ck_assert_int_eq(
		browser_call(NULL, "POST", "/v1/journal/entries", "{\"code\":\"x\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	/* A partner system's listener has no such route. */
	ck_assert_int_eq(call("orga", "POST", "/v1/journal/entries", "{\"code\":\"x\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
}
END_TEST

START_TEST(guessing_is_throttled_per_address_and_in_all)
{
	struct resp r;
	long retry;
	int i;

	for (i = 0; i < 20; i++)
		assert_unknown("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ");
	journal("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ", "fr", &r);
	ck_assert_int_eq(r.status, 429);
	ck_assert_str_eq(problem_type(&r), URN "too-many-attempts");
	retry = strtol(r.retry_after, NULL, 10);
	ck_assert(retry > 0 && retry <= 600);
	resp_free(&r);
	journal_throttle_reset();
	assert_unknown("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ");
	/* Every address together: the 2000th reading in the window. */
	{
		PGconn *c = sql_admin();
		PGresult *q = PQexec(c, "UPDATE signin_throttle SET failures = 2000 WHERE key = "
					"'journal:all'");

		ck_assert_int_eq(PQresultStatus(q), PGRES_COMMAND_OK);
		ck_assert_str_eq(PQcmdTuples(q), "1");
		PQclear(q);
		PQfinish(c);
	}
	journal("K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ", "en", &r);
	ck_assert_int_eq(r.status, 429);
	resp_free(&r);
	journal_throttle_reset();
}
END_TEST

START_TEST(an_erased_person_leaves_nothing_to_read)
{
	struct karim k;
	struct resp r;
	char *code, path[160];

	karim_day(&k);
	code = issue(k.consent);
	journal(code, "en", &r);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/persons/%s", k.person);
	ck_assert_int_eq(call("orgd", "DELETE", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	assert_unknown(code);
	/* No new code for them; revoking the old one still works. */
	receipt("orgd", "POST", k.consent, &r);
	ck_assert_int_eq(r.status, 410);
	resp_free(&r);
	receipt("orgd", "DELETE", k.consent, &r);
	ck_assert_int_eq(r.status, 204);
	resp_free(&r);
	free(code);
	karim_free(&k);
}
END_TEST

/* An organisation's reads of the person, on one day and for one purpose,
 * are one entry with their number (schema/069): 520 reads of his referral
 * by orgb, more than the journal's 500 entries, push nothing out (a hostile
 * review of issue 19: list reads filled the journal). */
START_TEST(reads_of_a_day_are_one_entry_and_push_nothing_out)
{
	struct karim k;
	struct resp r;
	char *code, path[160];
	long reads, sum = 0, read_entries = 0;
	size_t i;
	json_t *e;

	karim_day(&k);
	snprintf(path, sizeof(path), "/v1/referrals/%s", k.referral);
	for (i = 0; i < 520; i++) {
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
	reads = sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			  "person_id = $1::uuid",
			  k.person);
	ck_assert_int_ge(reads, 521); /* and the worker's, in the console */
	code = issue(k.consent);
	journal(code, "en", &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_false(json_object_get(r.json, "truncated")));
	json_array_foreach(json_object_get(r.json, "entries"), i, e) {
		json_int_t n = json_integer_value(json_object_get(e, "count"));

		ck_assert_int_ge(n, 1);
		if (strcmp(json_string_value(json_object_get(e, "kind")), "read") == 0 &&
		    strcmp(json_string_value(json_object_get(e, "organisation")), "Test Org B") ==
			    0) {
			read_entries++;
			sum += (long)n;
		} else {
			ck_assert_int_eq(n, 1); /* every other entry stands alone */
		}
	}
	/* one a day (two if the reads straddled midnight in Brussels) */
	ck_assert_int_ge(read_entries, 1);
	ck_assert_int_le(read_entries, 2);
	ck_assert_int_eq(sum, reads);
	/* the oldest entries are still there */
	ck_assert(has_entry(r.json, "Test Org D", "recorded", NULL));
	ck_assert(has_entry(r.json, "Test Org D", "consent_recorded", "housing_referral"));
	ck_assert(has_entry(r.json, "Test Org B", "received", "housing_referral"));
	ck_assert_int_le(json_array_size(json_object_get(r.json, "entries")), 10);
	resp_free(&r);
	free(code);
	karim_free(&k);
}
END_TEST

Suite *
journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("journal");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, issue_then_read_the_journal_in_french_without_names_or_data);
	tcase_add_test(t, a_new_slip_replaces_the_code_and_delete_revokes_it);
	tcase_add_test(t, only_the_recording_organisation_manages_the_code);
	tcase_add_test(t, a_wrong_code_tells_nothing);
	tcase_add_test(t, guessing_is_throttled_per_address_and_in_all);
	tcase_add_test(t, an_erased_person_leaves_nothing_to_read);
	tcase_add_test(t, reads_of_a_day_are_one_entry_and_push_nothing_out);
	suite_add_tcase(s, t);
	return s;
}
