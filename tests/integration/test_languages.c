/* Integration suite for the languages of an answer (issue 17, item 6): the
 * same bad request answered in French, Dutch and English as Accept-Language
 * asks, with Content-Language and Vary; the problem's type, status, field
 * names and codes the same in all three (they are the API); and no message
 * of the run missing from the catalogue (refgw_message_misses_total). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static const char *const fr_be[] = {"Accept-Language: fr-BE, fr;q=0.9, en;q=0.5", NULL};
static const char *const nl_be[] = {"Accept-Language: nl-BE,nl;q=0.9,fr;q=0.8", NULL};
static const char *const en_q[] = {"Accept-Language: de, en;q=0.8, fr;q=0.1", NULL};

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "no string %s", key);
	return s;
}

static void
assert_vary_language(const struct resp *r)
{
	ck_assert_msg(strstr(r->vary, "Accept-Language") != NULL, "Vary: \"%s\"", r->vary);
}

/* A referral with a wrong type, an unknown field and its required fields
 * missing: four errors, in each language. */
START_TEST(the_same_bad_request_in_french_dutch_and_english)
{
	static const char body[] = "{\"person_id\": 5, \"colour\": \"blue\"}";
	const char *const *headers[] = {fr_be, nl_be, en_q, NULL};
	static const char *const want_lang[] = {"fr", "nl", "en", "en"};
	static const char *const want_title[] = {"Corps de la requête non valide",
						 "Ongeldige body van het verzoek",
						 "Invalid request body", "Invalid request body"};
	struct resp r[4];
	json_t *e0, *ei;
	size_t i, k;

	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, headers[i], &r[i]), 0);
		ck_assert_int_eq(r[i].status, 400);
		ck_assert_str_eq(r[i].content_type, "application/problem+json");
		ck_assert_str_eq(r[i].content_language, want_lang[i]);
		assert_vary_language(&r[i]);
		ck_assert_str_eq(problem_type(&r[i]), URN "validation");
		ck_assert_str_eq(str(r[i].json, "title"), want_title[i]);
		ck_assert_int_eq(json_integer_value(json_object_get(r[i].json, "status")), 400);
	}
	ck_assert_ptr_nonnull(strstr(str(r[0].json, "detail"), "champs du corps de la requête"));
	ck_assert_ptr_nonnull(strstr(str(r[1].json, "detail"), "velden van de body"));
	ck_assert_ptr_nonnull(strstr(str(r[2].json, "detail"), "fields of the request body"));
	/* The same errors, field by field, in each language: the field names
	 * are the API; the French and Dutch messages are not the English. */
	e0 = json_object_get(r[2].json, "errors");
	ck_assert_int_ge(json_array_size(e0), 3);
	for (i = 0; i < 4; i++) {
		ei = json_object_get(r[i].json, "errors");
		ck_assert_int_eq(json_array_size(ei), json_array_size(e0));
		for (k = 0; k < json_array_size(e0); k++) {
			json_t *a = json_array_get(e0, k), *b = json_array_get(ei, k);
			ck_assert_str_eq(str(a, "field"), str(b, "field"));
			ck_assert_int_eq(json_object_size(b), 2);
			if (i < 2)
				ck_assert_str_ne(str(a, "message"), str(b, "message"));
			else
				ck_assert_str_eq(str(a, "message"), str(b, "message"));
		}
	}
	for (k = 0; k < json_array_size(e0); k++)
		if (strcmp(str(json_array_get(e0, k), "field"), "colour") == 0) {
			ck_assert_str_eq(str(json_array_get(e0, k), "message"), "unknown field");
			ck_assert_str_eq(
				str(json_array_get(json_object_get(r[0].json, "errors"), k),
				    "message"),
				"champ inconnu");
			ck_assert_str_eq(
				str(json_array_get(json_object_get(r[1].json, "errors"), k),
				    "message"),
				"onbekend veld");
		}
	for (i = 0; i < 4; i++)
		resp_free(&r[i]);
}
END_TEST

/* A detail with the request's values in it: the id stays as it is. */
START_TEST(a_not_found_detail_keeps_the_id)
{
	static const char id[] = "6a1f5d2e-3b4c-4d5e-8f90-0a1b2c3d4e5f";
	char path[96], want[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, nl_be, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(problem_type(&r), URN "not-found");
	ck_assert_str_eq(r.content_language, "nl");
	ck_assert_str_eq(str(r.json, "title"), "Niet gevonden");
	snprintf(want, sizeof(want), "geen doorverwijzing %s", id);
	ck_assert_str_eq(str(r.json, "detail"), want);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, fr_be, &r), 0);
	ck_assert_str_eq(r.content_language, "fr");
	snprintf(want, sizeof(want), "aucune orientation %s", id);
	ck_assert_str_eq(str(r.json, "detail"), want);
	resp_free(&r);
}
END_TEST

/* Before the identity is known: the client certificate is refused in the
 * caller's language too. */
START_TEST(a_refused_certificate_is_answered_in_french)
{
	struct resp r;

	ck_assert_int_eq(call(NULL, "GET", "/v1/me", NULL, fr_be, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), URN "certificate-required");
	ck_assert_str_eq(r.content_language, "fr");
	ck_assert_str_eq(str(r.json, "title"), "Certificat client requis");
	resp_free(&r);
}
END_TEST

/* Data carries Content-Language too (the gateway's words are in it), but
 * does not vary with Accept-Language. */
START_TEST(data_says_its_language_and_does_not_vary)
{
	static const char *const star[] = {"Accept-Language: *;q=0.5, nl", NULL};
	struct resp r;

	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, star, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_language, "nl");
	ck_assert_ptr_null(strstr(r.vary, "Accept-Language"));
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_str_eq(r.content_language, "en");
	resp_free(&r);
}
END_TEST

/* Every message the run produced so far was in the catalogue (this suite
 * runs after the others; run-integration.sh also fails on the warning in
 * any gateway's log). */
START_TEST(no_message_was_missing_from_the_catalogue)
{
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS", "refgw_message_misses_total"), 0);
}
END_TEST

Suite *
languages_suite(void)
{
	Suite *s = suite_create("languages");
	TCase *t = tcase_create("languages");

	tcase_add_test(t, the_same_bad_request_in_french_dutch_and_english);
	tcase_add_test(t, a_not_found_detail_keeps_the_id);
	tcase_add_test(t, a_refused_certificate_is_answered_in_french);
	tcase_add_test(t, data_says_its_language_and_does_not_vary);
	tcase_add_test(t, no_message_was_missing_from_the_catalogue);
	suite_add_tcase(s, t);
	return s;
}
