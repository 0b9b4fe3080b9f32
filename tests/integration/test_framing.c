/* Integration suite "framing": hostile bytes in the request head and body
 * (issue 12, items 10 and 14-18, and the access log's timestamp).  What
 * libcurl will not send goes over a raw TLS connection: libcurl's
 * CONNECT_ONLY does the mutual-TLS handshake with the test client
 * certificate, then curl_easy_send/curl_easy_recv carry the bytes as is.
 * Each test asserts the status, the problem type and that the request
 * changed nothing (or that a smuggled second request never ran). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define URN "urn:refgw:problem:"

struct raw {
	char buf[32768];
	size_t len;
	int status;    /* of the first response; 0: none */
	int responses; /* how many status lines came back */
	bool closed;   /* the gateway closed the connection */
	double ms;     /* from the last byte sent to the close or the deadline */
	json_t *json;  /* the first response's body, when it is JSON */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static bool
wait_socket(curl_socket_t fd, short events, double deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	double left = deadline - now_ms();

	return left > 0 && poll(&p, 1, (int)left + 1) > 0;
}

/* Sends len bytes of req as orga over TLS and reads until the gateway
 * closes the connection or wait_ms pass. */
static void
raw_exchange(const char *req, size_t len, int wait_ms, struct raw *out)
{
	CURL *h = client_new("orga");
	curl_socket_t fd;
	size_t off = 0, n;
	double deadline;
	CURLcode rc;
	char *p, *body;

	memset(out, 0, sizeof(*out));
	curl_easy_setopt(h, CURLOPT_URL, env_or_die("REFGW_TEST_BASE"));
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	ck_assert_int_eq(curl_easy_perform(h), CURLE_OK);
	ck_assert_int_eq(curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &fd), CURLE_OK);
	deadline = now_ms() + 5000;
	while (off < len) {
		rc = curl_easy_send(h, req + off, len - off, &n);
		if (rc == CURLE_AGAIN) {
			ck_assert(wait_socket(fd, POLLOUT, deadline));
			continue;
		}
		ck_assert_int_eq(rc, CURLE_OK);
		off += n;
	}
	deadline = now_ms() + wait_ms;
	out->ms = now_ms();
	while (out->len < sizeof(out->buf) - 1) {
		rc = curl_easy_recv(h, out->buf + out->len, sizeof(out->buf) - 1 - out->len, &n);
		if (rc == CURLE_AGAIN) {
			if (!wait_socket(fd, POLLIN, deadline))
				break;
			continue;
		}
		if (rc != CURLE_OK || n == 0) {
			out->closed = true;
			break;
		}
		out->len += n;
	}
	out->ms = now_ms() - out->ms;
	out->buf[out->len] = '\0';
	curl_easy_cleanup(h);
	if (sscanf(out->buf, "HTTP/1.1 %d", &out->status) != 1)
		out->status = 0;
	for (p = out->buf; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
		out->responses++;
	body = strstr(out->buf, "\r\n\r\n");
	if (body)
		out->json = json_loads(body + 4, JSON_DISABLE_EOF_CHECK, NULL);
}

static const char *
raw_problem(const struct raw *r)
{
	const char *t = json_string_value(json_object_get(r->json, "type"));

	return t ? t : "";
}

static void
raw_free(struct raw *r)
{
	json_decref(r->json);
	r->json = NULL;
}

#define HEAD_PERSONS                                                                               \
	"POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"

/* Item 14: "Content-Length : N" (a blank before the colon) is a header
 * libmicrohttpd calls "Content-Length ": it read no body and ran the body
 * as a second request.  Now: 400 bad-framing, the connection closed, and
 * the second request never runs. */
START_TEST(header_name_with_blank_is_refused_and_nothing_smuggled)
{
	static const char smuggled[] =
		HEAD_PERSONS "Content-Length: 48\r\n\r\n"
			     "{\"external_ref\":\"SMUGGLED-14\",\"birth_year\":1990}";
	static const char *const names[] = {
		"Content-Length :", "Content-Length\t:", "Content\x01Length:"};
	char req[1024];
	struct raw r;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n = snprintf(req, sizeof(req), HEAD_PERSONS "%s %zu\r\n\r\n%s", names[i],
				 sizeof(smuggled) - 1, smuggled);
		raw_exchange(req, (size_t)n, 3000, &r);
		ck_assert_msg(r.status == 400, "%s: %.200s", names[i], r.buf);
		ck_assert_str_eq(raw_problem(&r), URN "bad-framing");
		ck_assert_int_eq(r.responses, 1); /* no answer to a second request */
		ck_assert(r.closed);
		ck_assert_msg(strstr(r.buf, "Connection: close") != NULL, "%.300s", r.buf);
		raw_free(&r);
	}
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM persons WHERE external_ref = 'SMUGGLED-14'", NULL),
		0);
}
END_TEST

/* Item 15: libmicrohttpd cut header values and the target at a NUL, so
 * "Idempotency-Key: k\0AAAA" and "k\0BBBB" were one key, and
 * "/v1/me\0/../x" was /v1/me.  Now each is 400 and nothing is written. */
START_TEST(nul_in_head_is_refused)
{
	static const char key_a[] =
		HEAD_PERSONS "Idempotency-Key: nul15\0AAAA\r\nContent-Length: 47\r\n\r\n"
			     "{\"external_ref\":\"NUL15-A-xx\",\"birth_year\":1990}";
	static const char key_b[] =
		HEAD_PERSONS "Idempotency-Key: nul15\0BBBB\r\nContent-Length: 47\r\n\r\n"
			     "{\"external_ref\":\"NUL15-B-xx\",\"birth_year\":1990}";
	static const char name_nul[] =
		HEAD_PERSONS "X-A\0B: c\r\nContent-Length: 47\r\n\r\n"
			     "{\"external_ref\":\"NUL15-C-xx\",\"birth_year\":1990}";
	static const char last_header[] =
		"GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n";
	static const char target[] = "GET /v1/me\0/../x HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char encoded[] = "GET /v1/me%00/../x HTTP/1.1\r\nHost: localhost\r\n\r\n";
	static const char lone_cr[] = "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-A: a\rb\r\n\r\n";
	static const struct {
		const char *req;
		size_t len;
	} cases[] = {
		{key_a, sizeof(key_a) - 1},       {key_b, sizeof(key_b) - 1},
		{name_nul, sizeof(name_nul) - 1}, {last_header, sizeof(last_header) - 1},
		{target, sizeof(target) - 1},     {encoded, sizeof(encoded) - 1},
		{lone_cr, sizeof(lone_cr) - 1},
	};
	struct raw r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		raw_exchange(cases[i].req, cases[i].len, 3000, &r);
		ck_assert_msg(r.status == 400, "case %zu: %.200s", i, r.buf);
		/* A NUL in the name may be refused by libmicrohttpd itself (no
		 * colon before it), without a problem body. */
		if (cases[i].req != name_nul)
			ck_assert_msg(strcmp(raw_problem(&r), URN "bad-framing") == 0,
				      "case %zu: %s", i, r.buf);
		ck_assert(r.closed);
		raw_free(&r);
	}
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM persons WHERE external_ref LIKE 'NUL15-%'", NULL),
		0);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM idempotency_keys WHERE key LIKE 'nul15%'", NULL),
		0);
}
END_TEST

/* The walk over the head must not refuse what ordinary clients send: a
 * request with many and long headers, bare LF line ends, extra blanks. */
START_TEST(ordinary_heads_still_pass)
{
	static const char bare_lf[] = "GET /v1/me HTTP/1.1\nHost: localhost\nX-A:\n\n";
	static const char blanks[] =
		"GET  /v1/me?x=1&y HTTP/1.1\r\nHost:   localhost  \r\nX-B:\tv\r\n\r\n";
	char big[9000], hdr[6000];
	const char *headers[] = {hdr, "X-Other: 1", "Accept: application/json", NULL};
	struct raw r;
	struct resp c;
	int n;

	raw_exchange(bare_lf, sizeof(bare_lf) - 1, 1500, &r);
	ck_assert_msg(r.status == 200, "%.300s", r.buf);
	raw_free(&r);
	raw_exchange(blanks, sizeof(blanks) - 1, 1500, &r);
	ck_assert_msg(r.status == 200, "%.300s", r.buf);
	raw_free(&r);
	memset(hdr, 0, sizeof(hdr));
	n = snprintf(hdr, sizeof(hdr), "X-Long: ");
	memset(hdr + n, 'v', sizeof(hdr) - (size_t)n - 1);
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, headers, &c), 0);
	ck_assert_int_eq(c.status, 200);
	resp_free(&c);
	/* Several requests on one connection, each head checked. */
	n = snprintf(big, sizeof(big),
		     "GET /v1/me HTTP/1.1\r\nHost: localhost\r\n\r\n"
		     "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-A: 1\r\n\r\n"
		     "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
	raw_exchange(big, (size_t)n, 3000, &r);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(r.responses == 3, "%.600s", r.buf);
	raw_free(&r);
}
END_TEST

/* Item 16: a backslash before a multi-byte character made the parser's
 * message split the character, and the problem was a 500. */
START_TEST(hostile_utf8_answers_4xx)
{
	struct resp r;

	ck_assert_int_eq(call("orga", "POST", "/v1/persons", "[\"\\\xf0\x9f\x8c\x80\"]", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), URN "malformed-json");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/%FF%FE", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(problem_type(&r), URN "not-found");
	ck_assert_ptr_nonnull(r.json); /* valid JSON, so valid UTF-8 */
	resp_free(&r);
}
END_TEST

/* Item 17: a declared body over the cap was waited for (the connection
 * timeout) before the 413; "chunked " with a trailing blank made
 * libmicrohttpd read the body to the end of the connection. */
START_TEST(declared_size_and_bad_coding_answer_at_once)
{
	static const char huge[] = HEAD_PERSONS "Content-Length: 99999999999\r\n\r\n{}";
	static const char over[] = HEAD_PERSONS "Content-Length: 16385\r\n\r\n{}";
	static const char te[] = HEAD_PERSONS
		"Transfer-Encoding: chunked \r\n\r\n"
		"30\r\n{\"external_ref\":\"TE17-xxxxxx\",\"birth_year\":1990}\r\n0\r\n\r\n";
	struct raw r;

	raw_exchange(huge, sizeof(huge) - 1, 2500, &r);
	ck_assert_msg(r.status == 413, "%.200s", r.buf);
	ck_assert_str_eq(raw_problem(&r), URN "body-too-large");
	ck_assert(r.closed);
	ck_assert_msg(r.ms < 2000, "answered after %.0f ms", r.ms);
	raw_free(&r);
	raw_exchange(over, sizeof(over) - 1, 2500, &r);
	ck_assert_msg(r.status == 413, "%.200s", r.buf);
	ck_assert(r.closed);
	raw_free(&r);
	raw_exchange(te, sizeof(te) - 1, 2500, &r);
	ck_assert_msg(r.status == 400, "%.200s", r.buf);
	ck_assert_str_eq(raw_problem(&r), URN "bad-framing");
	ck_assert(r.closed);
	ck_assert_msg(r.ms < 2000, "answered after %.0f ms", r.ms);
	raw_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM persons WHERE external_ref = 'TE17-xxxxxx'", NULL),
		0);
}
END_TEST

/* Item 18: a bad query parameter is not a bad body. */
START_TEST(query_errors_are_titled_as_such)
{
	struct resp r;
	json_t *e;

	ck_assert_int_eq(call("orga", "GET", "/v1/referrals?role=bogus", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), URN "invalid-query");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "title")),
			 "Invalid query parameter");
	e = json_array_get(json_object_get(r.json, "errors"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "role");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/organisations?limit=0", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), URN "invalid-query");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", "/v1/persons", "{\"bogus\":1}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), URN "validation");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "title")),
			 "Invalid request body");
	resp_free(&r);
}
END_TEST

/* Item 10: the audit's request id is the gateway's own.  Two requests that
 * send the same X-Request-Id get it echoed, but are audited under two
 * different ids of the gateway's, the ones in X-Refgw-Request-Id. */
START_TEST(audit_request_id_is_the_gateways_own)
{
	const char *hdr[] = {"X-Request-Id: same-id-10", NULL};
	char ids[2][80];
	struct resp r;
	int i;

	for (i = 0; i < 2; i++) {
		PGconn *c;
		const char *p[2];
		ck_assert_int_eq(call("orga", "POST", "/v1/persons",
				      "{\"external_ref\":\"RID-10\",\"birth_year\":1990}", hdr, &r),
				 0);
		ck_assert_int_eq(r.status, 201);
		ck_assert_str_eq(r.request_id, "same-id-10");
		ck_assert_int_eq(strlen(r.gateway_request_id), 32);
		ck_assert_int_eq(strspn(r.gateway_request_id, "0123456789abcdef"), 32);
		snprintf(ids[i], sizeof(ids[i]), "%s", r.gateway_request_id);
		p[0] = json_string_value(json_object_get(r.json, "id"));
		p[1] = ids[i];
		c = sql_admin();
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(*) FROM audit_log WHERE action = 'person.create' "
				 "AND resource_id = $1 AND request_id = $2",
				 2, p),
			1);
		PQfinish(c);
		resp_free(&r);
	}
	ck_assert_str_ne(ids[0], ids[1]);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE request_id = $1", "same-id-10"), 0);
	/* Without one, X-Request-Id is the gateway's id. */
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_str_eq(r.request_id, r.gateway_request_id);
	resp_free(&r);
}
END_TEST

/* Items 16 and 24: every line of the gateway's log is JSON (jansson
 * refuses invalid UTF-8) whatever the suite sent it, and access lines carry
 * an RFC 3339 UTC timestamp and the client's request id apart from ours.
 * Runs after the hostile requests above. */
START_TEST(every_log_line_is_json_with_a_timestamp)
{
	FILE *f = fopen(env_or_die("REFGW_TEST_GW_LOG"), "r");
	char *line = NULL;
	size_t cap = 0;
	long lines = 0, access = 0, hostile_path = 0, client_id = 0;
	ssize_t n;

	ck_assert_ptr_nonnull(f);
	while ((n = getline(&line, &cap, f)) > 0) {
		json_error_t err;
		json_t *j = json_loads(line, 0, &err);
		const char *ts, *type, *path;
		ck_assert_msg(j != NULL, "log line %ld is not JSON (%s): %.200s", lines + 1,
			      err.text, line);
		lines++;
		ts = json_string_value(json_object_get(j, "ts"));
		ck_assert_msg(ts != NULL, "no ts: %.200s", line);
		ck_assert_msg(strlen(ts) == 24 && ts[4] == '-' && ts[10] == 'T' && ts[19] == '.' &&
				      ts[23] == 'Z',
			      "ts %s", ts);
		type = json_string_value(json_object_get(j, "type"));
		path = json_string_value(json_object_get(j, "path"));
		if (type && strcmp(type, "access") == 0) {
			access++;
			if (path && strcmp(path, "/v1/\xef\xbf\xbd\xef\xbf\xbd") == 0)
				hostile_path++;
			if (json_object_get(j, "client_request_id") &&
			    strcmp(json_string_value(json_object_get(j, "client_request_id")),
				   "same-id-10") == 0) {
				client_id++;
				ck_assert_str_ne(
					json_string_value(json_object_get(j, "request_id")),
					"same-id-10");
			}
		}
		json_decref(j);
	}
	free(line);
	fclose(f);
	ck_assert_int_gt(access, 10);
	ck_assert_int_ge(hostile_path, 1); /* GET /v1/%FF%FE, logged as U+FFFD */
	ck_assert_int_ge(client_id, 2);
}
END_TEST

Suite *
framing_suite(void)
{
	Suite *s = suite_create("framing");
	TCase *t = tcase_create("hostile");

	tcase_add_test(t, header_name_with_blank_is_refused_and_nothing_smuggled);
	tcase_add_test(t, nul_in_head_is_refused);
	tcase_add_test(t, ordinary_heads_still_pass);
	tcase_add_test(t, hostile_utf8_answers_4xx);
	tcase_add_test(t, declared_size_and_bad_coding_answer_at_once);
	tcase_add_test(t, query_errors_are_titled_as_such);
	tcase_add_test(t, audit_request_id_is_the_gateways_own);
	tcase_add_test(t, every_log_line_is_json_with_a_timestamp); /* last: reads the log */
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	return s;
}
