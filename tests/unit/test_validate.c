/* validate: field tables refuse what they do not name and check types. */
#include <string.h>

#include "suites.h"
#include "validate.h"

static const char *const colours[] = {"red", "green", NULL};
static const struct field_spec specs[] = {
	{"name", FT_STRING, true, 10, 0, 0, NULL},
	{"colour", FT_ENUM, false, 0, 0, 0, colours},
	{"size", FT_INTEGER, false, 0, 1, 5, NULL},
	{"on", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"ref", FT_UUID, false, 0, 0, 0, NULL},
	{"day", FT_DATE, false, 0, 0, 0, NULL},
	{"tags", FT_TOKEN_ARRAY, false, 8, 0, 3, NULL},
};

static const struct {
	const char *json;
	const char *field; /* first error field, NULL if valid */
} cases[] = {
	{"{\"name\":\"ok\"}", NULL},
	{"{\"name\":\"ok\",\"colour\":\"red\",\"size\":5,\"on\":false,"
	 "\"ref\":\"0efc4ba8-fd87-403f-9b53-c0932c4cb062\",\"day\":\"2026-11-24\",\"tags\":[\"a\","
	 "\"b.c\"]}",
	 NULL},
	{"{}", "name"},
	{"{\"name\":\"ok\",\"extra\":1}", "extra"},
	{"{\"name\":\"12345678901\"}", "name"},
	{"{\"name\":\"tab\\u0001\"}", "name"},
	{"{\"name\":\"ok\",\"colour\":\"blue\"}", "colour"},
	{"{\"name\":\"ok\",\"size\":6}", "size"},
	{"{\"name\":\"ok\",\"size\":2.5}", "size"},
	{"{\"name\":\"ok\",\"on\":\"yes\"}", "on"},
	{"{\"name\":\"ok\",\"ref\":\"nope\"}", "ref"},
	{"{\"name\":\"ok\",\"day\":\"2026-02-30\"}", "day"},
	{"{\"name\":\"ok\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "tags"},
	{"{\"name\":\"ok\",\"tags\":[\"UPPER\"]}", "tags"},
	{"{\"name\":\"ok\",\"tags\":[\"a\",\"a\"]}", "tags"},
	{"{\"name\":\"ok\",\"tags\":\"a\"}", "tags"},
	{"{\"name\":null}", "name"},
};

START_TEST(field_table_cases)
{
	json_t *obj = json_loads(cases[_i].json, JSON_REJECT_DUPLICATES, NULL);
	json_t *errors = json_array();
	size_t n;

	ck_assert_ptr_nonnull(obj);
	n = validate_fields(obj, specs, sizeof(specs) / sizeof(specs[0]), errors);
	if (cases[_i].field == NULL) {
		ck_assert_msg(n == 0, "case %d: unexpected errors", _i);
	} else {
		ck_assert_uint_ge(n, 1);
		ck_assert_str_eq(
			json_string_value(json_object_get(json_array_get(errors, 0), "field")),
			cases[_i].field);
		ck_assert_ptr_nonnull(
			json_string_value(json_object_get(json_array_get(errors, 0), "message")));
	}
	json_decref(errors);
	json_decref(obj);
}
END_TEST

START_TEST(all_errors_reported_at_once)
{
	json_t *obj = json_loads("{\"colour\":\"blue\",\"size\":0,\"x\":1}", 0, NULL);
	json_t *errors = json_array();

	ck_assert_uint_eq(validate_fields(obj, specs, sizeof(specs) / sizeof(specs[0]), errors), 4);
	json_decref(errors);
	json_decref(obj);
}
END_TEST

Suite *
validate_suite(void)
{
	Suite *s = suite_create("validate");
	TCase *t = tcase_create("fields");

	tcase_add_loop_test(t, field_table_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(t, all_errors_reported_at_once);
	suite_add_tcase(s, t);
	return s;
}
