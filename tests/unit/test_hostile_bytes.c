/* Hostile bytes (issue 12, item 16): UTF-8 checking, log lines and
 * problem details that stay valid JSON whatever a client sent. */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "request.h"
#include "suites.h"
#include "util.h"

static const struct {
	const char *in;
	size_t want;
} seqs[] = {
	{"a", 1},
	{"\xc3\xa9", 2},         /* é */
	{"\xe2\x82\xac", 3},     /* € */
	{"\xf0\x9f\x8c\x80", 4}, /* 🌀 */
	{"\xf4\x8f\xbf\xbf", 4}, /* U+10FFFF */
	{"\xc3", 0},             /* cut short (NUL follows) */
	{"\xf0\x9f\x8c", 0},     /* cut short */
	{"\xc0\xaf", 0},         /* overlong '/' */
	{"\xe0\x80\xaf", 0},     /* overlong */
	{"\xed\xa0\x80", 0},     /* surrogate U+D800 */
	{"\xf4\x90\x80\x80", 0}, /* past U+10FFFF */
	{"\xff", 0},             /* never in UTF-8 */
	{"\x80", 0},             /* a lone continuation byte */
};

START_TEST(utf8_sequences)
{
	ck_assert_uint_eq(utf8_seq_len((const unsigned char *)seqs[_i].in), seqs[_i].want);
}
END_TEST

START_TEST(scrub_replaces_what_is_not_utf8)
{
	char s[] = "/v1/\xff\xfe-\xc3\xa9-\xf0\x9f\x8c";

	utf8_scrub(s);
	ck_assert_str_eq(s, "/v1/?"
			    "?-\xc3\xa9-?"
			    "?"
			    "?");
}
END_TEST

START_TEST(json_quote_keeps_utf8_and_escapes_the_rest)
{
	struct buf b;
	json_t *j;

	buf_init(&b, 1024);
	ck_assert_int_eq(json_quote(&b, "a\"\\\n\x01 \xc3\xa9 \xff\xfe \xf0\x9f\x8c\x80 \xc3"), 0);
	ck_assert_int_eq(buf_append(&b, "", 1), 0);
	ck_assert_str_eq(
		b.data, "\"a\\\"\\\\\\n\\u0001 \xc3\xa9 \\ufffd\\ufffd \xf0\x9f\x8c\x80 \\ufffd\"");
	j = json_loads(b.data, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	buf_free(&b);
}
END_TEST

/* A detail quoting a client's bytes was refused by jansson and the answer
 * became a 500; and a cut at the detail's size may split a character. */
START_TEST(problem_detail_with_hostile_bytes_keeps_its_status)
{
	struct request r;
	char longpath[600];
	json_t *j;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(reply_problem(&r, 404, "not-found", "Not found", "no resource at %s",
				       "/v1/\xff\xfe"),
			 404);
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")), "no resource at /v1/??");
	json_decref(j);
	reply_reset(&r);
	/* 511 bytes of detail: the last é is cut in half. */
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath + 494, "\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	longpath[sizeof(longpath) - 1] = '\0';
	ck_assert_int_eq(
		reply_problem(&r, 404, "not-found", "Not found", "no resource at %s", longpath),
		404);
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	json_decref(j);
	reply_reset(&r);
}
END_TEST

START_TEST(query_problem_is_not_a_body_problem)
{
	struct request r;
	json_t *errors = json_array(), *j;

	memset(&r, 0, sizeof(r));
	field_error(errors, "role", "must be sent or received, not %s", "\xff");
	ck_assert_int_eq(reply_invalid_query(&r, errors), 400);
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
			 "urn:refgw:problem:invalid-query");
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Invalid query parameter");
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
			 "1 query parameter is not valid; see errors");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "errors")), 1);
	json_decref(j);
	reply_reset(&r);
}
END_TEST

Suite *
hostile_bytes_suite(void)
{
	Suite *s = suite_create("hostile_bytes");
	TCase *t = tcase_create("utf8");

	tcase_add_loop_test(t, utf8_sequences, 0, (int)(sizeof(seqs) / sizeof(seqs[0])));
	tcase_add_test(t, scrub_replaces_what_is_not_utf8);
	tcase_add_test(t, json_quote_keeps_utf8_and_escapes_the_rest);
	tcase_add_test(t, problem_detail_with_hostile_bytes_keeps_its_status);
	tcase_add_test(t, query_problem_is_not_a_body_problem);
	suite_add_tcase(s, t);
	return s;
}
