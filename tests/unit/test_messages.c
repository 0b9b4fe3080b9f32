/* messages: the language of an answer (Accept-Language, RFC 9110) and the
 * catalogue that translates every message (issue 17, item 6). */
#include <stdlib.h>
#include <string.h>

#include "messages.h"
#include "request.h"
#include "suites.h"

static const struct {
	const char *header;
	enum lang want;
} negotiations[] = {
	{NULL, LANG_EN},
	{"", LANG_EN},
	{"fr", LANG_FR},
	{"nl", LANG_NL},
	{"en", LANG_EN},
	{"fr-BE", LANG_FR},
	{"nl-BE,nl;q=0.9,fr;q=0.8,en;q=0.7", LANG_NL},
	{"FR-be", LANG_FR},
	{"de-DE, de;q=0.9", LANG_EN},    /* none of ours: English */
	{"de, nl;q=0.2", LANG_NL},       /* ours, however low */
	{"en;q=0.5, fr;q=0.8", LANG_FR}, /* the highest weight, not the first */
	{"fr;q=0.5, nl;q=0.5", LANG_FR}, /* a tie: the one given first */
	{"nl;q=0.5, fr;q=0.5", LANG_NL},
	{"*", LANG_EN}, /* all equal: English first */
	{"*;q=0.5, nl", LANG_NL},
	{"fr;q=0, *", LANG_EN},                 /* q=0 excludes */
	{"en;q=0, nl;q=0.1, *;q=0.5", LANG_FR}, /* * gives fr 0.5 > nl 0.1; en excluded */
	{"fr;q=0", LANG_EN},                    /* nothing acceptable: English */
	{"fr-BE;q=0.9, fr;q=0", LANG_EN},       /* a bare fr;q=0 excludes fr */
	{"fr;q=1.0", LANG_FR},
	{"fr;q=0.001", LANG_FR},
	{"fr;q=2, nl;q=0.3", LANG_NL},        /* malformed weight: the range is ignored */
	{"fr;q=0.5000, nl;q=0.3", LANG_NL},   /* four decimals: malformed */
	{"fr;x=1, nl;q=0.3", LANG_NL},        /* a parameter other than q: malformed */
	{"fr ; q=0.4 , nl ; Q=0.6", LANG_NL}, /* OWS around ;, Q in capitals */
	{" ,, nl", LANG_NL},                  /* empty elements */
	{"francais, nl", LANG_NL},            /* not a range of ours */
	{"f1, nl", LANG_NL},
	{"fr-123456789, nl;q=0.5", LANG_NL}, /* a subtag longer than 8 */
	{"nl-BE-x-brussels;q=0.7, en;q=0.6", LANG_NL},
};

START_TEST(accept_language_is_negotiated)
{
	const char *h = negotiations[_i].header;

	ck_assert_msg(lang_negotiate(h) == negotiations[_i].want, "\"%s\": %s, not %s",
		      h ? h : "(none)", lang_code(lang_negotiate(h)),
		      lang_code(negotiations[_i].want));
}
END_TEST

START_TEST(a_preference_overrides_and_is_checked)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	r.lang = LANG_FR;
	ck_assert_int_eq(request_set_language(&r, "nl"), 0);
	ck_assert_int_eq(r.lang, LANG_NL);
	ck_assert_int_eq(request_set_language(&r, "fr-BE"), 0);
	ck_assert_int_eq(r.lang, LANG_FR);
	ck_assert_int_eq(request_set_language(&r, "de"), -1);
	ck_assert_int_eq(request_set_language(&r, "*"), -1);
	ck_assert_int_eq(request_set_language(&r, ""), -1);
	ck_assert_int_eq(request_set_language(&r, NULL), -1);
	ck_assert_int_eq(request_set_language(&r, "fr;q=1"), -1);
	ck_assert_int_eq(r.lang, LANG_FR); /* unchanged */
	ck_assert_str_eq(lang_code(r.lang), "fr");
}
END_TEST

/* The conversions of a printf format, "%s%zu..." (as scripts/messages.py). */
static void
conversions(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++) {
		if (*s != '%')
			continue;
		out[n++] = *s++;
		while (*s && strchr("-+ #0123456789.*hljztL", *s) && n + 1 < len)
			out[n++] = *s++;
		if (*s == '\0')
			break;
		if (n + 1 < len)
			out[n++] = *s;
	}
	out[n] = '\0';
}

START_TEST(every_entry_has_three_languages_and_the_same_conversions)
{
	size_t i, j;
	int l;

	for (i = 0; msg_entry(i, LANG_EN); i++) {
		char en[64], other[64];
		conversions(msg_entry(i, LANG_EN), en, sizeof(en));
		for (l = 0; l < LANG_COUNT; l++) {
			const char *t = msg_entry(i, (enum lang)l);
			ck_assert_msg(t && *t, "entry %zu (%s) lacks %s", i, msg_entry(i, LANG_EN),
				      lang_code((enum lang)l));
			conversions(t, other, sizeof(other));
			ck_assert_msg(strcmp(en, other) == 0, "\"%s\" in %s: %s, not %s", t,
				      lang_code((enum lang)l), other, en);
			/* bsearch finds every entry, in every language. */
			ck_assert_ptr_eq(msg_text(msg_entry(i, LANG_EN), (enum lang)l), t);
		}
		for (j = 0; j < i; j++)
			ck_assert_msg(strcmp(msg_entry(i, LANG_EN), msg_entry(j, LANG_EN)) != 0,
				      "\"%s\" twice", msg_entry(i, LANG_EN));
	}
	ck_assert_uint_gt(i, 200);
}
END_TEST

START_TEST(a_miss_answers_english_and_counts)
{
	unsigned long before = msg_misses();
	static const char unknown[] = "a message nobody translated (%s)";

	ck_assert_ptr_eq(msg_text(unknown, LANG_FR), unknown);
	ck_assert_ptr_eq(msg_text(unknown, LANG_NL), unknown);
	ck_assert_uint_eq(msg_misses(), before + 2);
	/* No words: its own translation, no miss. */
	ck_assert_str_eq(msg_text("%s", LANG_NL), "%s");
	ck_assert_str_eq(msg_text("%zu.%s", LANG_FR), "%zu.%s");
	ck_assert_uint_eq(msg_misses(), before + 2);
	ck_assert_str_eq(msg_text("Not found", LANG_FR), "Introuvable");
	ck_assert_str_eq(msg_text("Not found", LANG_NL), "Niet gevonden");
	ck_assert_str_eq(msg_text("Not found", LANG_EN), "Not found");
	ck_assert_uint_eq(msg_misses(), before + 2);
}
END_TEST

static json_t *
answer(struct request *r)
{
	json_t *j = json_loadb(r->resp, r->resp_len, 0, NULL);

	ck_assert_ptr_nonnull(j);
	ck_assert(r->vary_language);
	return j;
}

START_TEST(a_problem_speaks_the_request_language)
{
	struct request r;
	json_t *errors = json_array(), *nested = json_array(), *j, *e;

	memset(&r, 0, sizeof(r));
	r.lang = LANG_NL;
	reply_problem(&r, 404, "not-found", "Not found", "no referral %s", "abc");
	j = answer(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Niet gevonden");
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
			 "geen doorverwijzing abc");
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
			 "urn:refgw:problem:not-found");
	json_decref(j);
	reply_reset(&r);
	ck_assert(!r.vary_language);

	r.lang = LANG_FR;
	field_error(errors, "name", "is required");
	field_error(errors, "size", "must be from %ld to %ld", 1L, 9L);
	field_error(nested, "kind", "must be a string");
	field_errors_nested(errors, "referent", nested);
	json_decref(nested);
	reply_invalid(&r, errors);
	j = answer(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")),
			 "Corps de la requête non valide");
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
			 "3 champs du corps de la requête ne sont pas valides ; voir errors");
	e = json_object_get(j, "errors");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 0), "message")),
			 "est obligatoire");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 1), "message")),
			 "doit être de 1 à 9");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 2), "field")),
			 "referent.kind");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(e, 2), "message")),
			 "doit être une chaîne de caractères");
	/* Only {field, message} reach the client: the schema is closed. */
	ck_assert_int_eq(json_object_size(json_array_get(e, 0)), 2);
	ck_assert_int_eq(json_object_size(json_array_get(e, 2)), 2);
	json_decref(j);
	reply_reset(&r);

	r.lang = LANG_EN;
	errors = json_array();
	field_error(errors, "name", "is required");
	reply_invalid_query(&r, errors);
	j = answer(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
			 "1 query parameter is not valid; see errors");
	ck_assert_int_eq(json_object_size(json_array_get(json_object_get(j, "errors"), 0)), 2);
	json_decref(j);
	reply_reset(&r);

	r.lang = LANG_NL;
	reply_unprocessable_field(&r, "Site refused", "partnership_id", "names no partnership");
	j = answer(&r);
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Site geweigerd");
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
			 "noemt geen partnerschap");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(j, "errors"), 0), "message")),
			 "noemt geen partnerschap");
	json_decref(j);
	reply_reset(&r);
}
END_TEST

Suite *
messages_suite(void)
{
	Suite *s = suite_create("messages");
	TCase *t = tcase_create("messages");

	tcase_add_loop_test(t, accept_language_is_negotiated, 0,
			    (int)(sizeof(negotiations) / sizeof(negotiations[0])));
	tcase_add_test(t, a_preference_overrides_and_is_checked);
	tcase_add_test(t, every_entry_has_three_languages_and_the_same_conversions);
	tcase_add_test(t, a_miss_answers_english_and_counts);
	tcase_add_test(t, a_problem_speaks_the_request_language);
	suite_add_tcase(s, t);
	return s;
}
