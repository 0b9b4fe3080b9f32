/* request: headers and query arguments through the lookup the receiving
 * code set, and the body as one strict JSON object. */
#include <string.h>

#include "request.h"
#include "suites.h"

static int head_token; /* what r.http points at in these tests */

/* A head of one header and one query argument, told apart by part. */
static const char *
head(void *http, enum req_part part, const char *name)
{
	ck_assert_ptr_eq(http, &head_token);
	if (part == REQ_HEADER && strcmp(name, "Content-Type") == 0)
		return "application/json; charset=utf-8";
	if (part == REQ_QUERY && strcmp(name, "limit") == 0)
		return "5";
	return NULL;
}

START_TEST(accessors_read_through_the_lookup)
{
	struct request r;

	memset(&r, 0, sizeof(r));
	ck_assert_ptr_null(req_header(&r, "Content-Type")); /* no lookup: an empty head */
	ck_assert_ptr_null(req_query(&r, "limit"));
	r.http = &head_token;
	r.lookup = head;
	ck_assert_str_eq(req_header(&r, "Content-Type"), "application/json; charset=utf-8");
	ck_assert_ptr_null(req_header(&r, "limit"));
	ck_assert_str_eq(req_query(&r, "limit"), "5");
	ck_assert_ptr_null(req_query(&r, "Content-Type"));
}
END_TEST

static const struct {
	bool json_type; /* Content-Type: application/json */
	const char *body;
	int status; /* 0: parsed */
} bodies[] = {
	{true, "{\"a\":1}", 0}, {false, "{\"a\":1}", 415},        {true, "", 400},
	{true, "[1]", 400},     {true, "{\"a\":1,\"a\":2}", 400}, {true, "{\"a\":", 400},
};

static const char *
json_head(void *http, enum req_part part, const char *name)
{
	(void)http;
	return part == REQ_HEADER && strcmp(name, "Content-Type") == 0 ? "application/json" : NULL;
}

START_TEST(body_json_is_one_strict_object)
{
	struct request r;
	json_t *j;

	memset(&r, 0, sizeof(r));
	r.lookup = bodies[_i].json_type ? json_head : NULL;
	buf_init(&r.body, 1024);
	ck_assert_int_eq(buf_append(&r.body, bodies[_i].body, strlen(bodies[_i].body)), 0);
	j = body_json(&r);
	ck_assert_int_eq(r.status, bodies[_i].status);
	if (bodies[_i].status == 0)
		ck_assert_ptr_nonnull(j);
	else
		ck_assert_ptr_null(j);
	json_decref(j);
	buf_free(&r.body);
	reply_reset(&r);
}
END_TEST

Suite *
request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *t = tcase_create("accessors");

	tcase_add_test(t, accessors_read_through_the_lookup);
	tcase_add_loop_test(t, body_json_is_one_strict_object, 0,
			    (int)(sizeof(bodies) / sizeof(bodies[0])));
	suite_add_tcase(s, t);
	return s;
}
