/* response: problem+json bodies (RFC 9457). */
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "suites.h"

START_TEST(problem_has_rfc9457_members)
{
	struct request r;
	json_t *j;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(
		reply_problem(&r, 412, "version-mismatch", "Stale version", "at %d, not %d", 3, 2),
		412);
	ck_assert_str_eq(r.content_type, "application/problem+json");
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
			 "urn:refgw:problem:version-mismatch");
	ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "Stale version");
	ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 412);
	ck_assert_str_eq(json_string_value(json_object_get(j, "detail")), "at 3, not 2");
	json_decref(j);
	reply_reset(&r);
}
END_TEST

START_TEST(validation_problem_lists_fields)
{
	struct request r;
	json_t *errors = json_array(), *j;

	memset(&r, 0, sizeof(r));
	field_error(errors, "name", "is required");
	field_error(errors, "kind", "must be one of: %s", "a, b");
	ck_assert_int_eq(reply_invalid(&r, errors), 400);
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(j, "type")),
			 "urn:refgw:problem:validation");
	ck_assert_int_eq(json_array_size(json_object_get(j, "errors")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(j, "errors"), 1), "message")),
			 "must be one of: a, b");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(j, "detail")), "2 fields"));
	json_decref(j);
	reply_reset(&r);
}
END_TEST

START_TEST(detail_is_bounded_and_escaped)
{
	struct request r;
	char big[2000];
	json_t *j;

	memset(&r, 0, sizeof(r));
	memset(big, '"', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	reply_problem(&r, 400, "x", "X", "%s", big);
	j = json_loadb(r.resp, r.resp_len, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_uint_lt(strlen(json_string_value(json_object_get(j, "detail"))), 512);
	json_decref(j);
	reply_reset(&r);
}
END_TEST

Suite *
problem_suite(void)
{
	Suite *s = suite_create("problem");
	TCase *t = tcase_create("render");

	tcase_add_test(t, problem_has_rfc9457_members);
	tcase_add_test(t, validation_problem_lists_fields);
	tcase_add_test(t, detail_is_bounded_and_escaped);
	suite_add_tcase(s, t);
	return s;
}
