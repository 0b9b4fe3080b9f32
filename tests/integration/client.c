/* Test client helpers. */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *
env_or_die(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0') {
		fprintf(stderr, "%s not set: run through tests/run-integration.sh\n", name);
		exit(2);
	}
	return v;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	char *nb = realloc(r->body, r->len + size * n + 1);

	if (nb == NULL)
		return 0;
	r->body = nb;
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

static void
header_value(const char *line, size_t n, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), vl;

	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	line += nl + 1, n -= nl + 1;
	while (n && *line == ' ')
		line++, n--;
	vl = n;
	while (vl && (line[vl - 1] == '\r' || line[vl - 1] == '\n'))
		vl--;
	if (vl >= outlen)
		vl = outlen - 1;
	memcpy(out, line, vl);
	out[vl] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t len = size * n;
	char conn[32] = "", replayed[16] = "";

	header_value(p, len, "Content-Type", r->content_type, sizeof(r->content_type));
	header_value(p, len, "X-Request-Id", r->request_id, sizeof(r->request_id));
	header_value(p, len, "X-Refgw-Request-Id", r->gateway_request_id,
		     sizeof(r->gateway_request_id));
	header_value(p, len, "Allow", r->allow, sizeof(r->allow));
	header_value(p, len, "Retry-After", r->retry_after, sizeof(r->retry_after));
	header_value(p, len, "ETag", r->etag, sizeof(r->etag));
	header_value(p, len, "Location", r->location, sizeof(r->location));
	header_value(p, len, "Content-Language", r->content_language, sizeof(r->content_language));
	header_value(p, len, "Vary", r->vary, sizeof(r->vary));
	header_value(p, len, "Set-Cookie", r->set_cookie, sizeof(r->set_cookie));
	header_value(p, len, "Content-Security-Policy", r->csp, sizeof(r->csp));
	header_value(p, len, "Strict-Transport-Security", r->hsts, sizeof(r->hsts));
	header_value(p, len, "Referrer-Policy", r->referrer_policy, sizeof(r->referrer_policy));
	header_value(p, len, "X-Content-Type-Options", r->content_type_options,
		     sizeof(r->content_type_options));
	header_value(p, len, "Cache-Control", r->cache_control, sizeof(r->cache_control));
	header_value(p, len, "Connection", conn, sizeof(conn));
	if (strcasecmp(conn, "close") == 0)
		r->connection_close = 1;
	header_value(p, len, "Idempotent-Replayed", replayed, sizeof(replayed));
	if (strcmp(replayed, "true") == 0)
		r->replayed = 1;
	return len;
}

CURL *
client_new(const char *slug)
{
	const char *dir = env_or_die("REFGW_TEST_CERTS");
	char path[1024];
	CURL *h = curl_easy_init();

	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	curl_easy_setopt(h, CURLOPT_CAINFO, path);
	if (slug) {
		snprintf(path, sizeof(path), "%s/%s.pem", dir, slug);
		curl_easy_setopt(h, CURLOPT_SSLCERT, path);
		snprintf(path, sizeof(path), "%s/%s.key", dir, slug);
		curl_easy_setopt(h, CURLOPT_SSLKEY, path);
	}
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	return h;
}

/* Appends one response, as one JSON line, to the file named by
 * REFGW_TEST_RESPONSES (tests/check-responses.py validates each against
 * docs/openapi.yaml after the suite).  Tests run in threads and in Check's
 * forked children: each line goes out in one write() on an O_APPEND
 * descriptor, so lines never interleave. */
static void
record_response(const char *method, const char *path, const struct resp *r)
{
	const char *file = getenv("REFGW_TEST_RESPONSES");
	json_t *line, *body;
	char *text;
	size_t len, off = 0;
	int fd;

	if (file == NULL || *file == '\0')
		return;
	/* NULL when the body is not UTF-8: recorded as such, and refused. */
	body = json_stringn(r->body ? r->body : "", r->len);
	line = json_pack("{s:s, s:s, s:I, s:s, s:s, s:o?}", "method", method, "path", path,
			 "status", (json_int_t)r->status, "content_type", r->content_type,
			 "request_id", r->request_id, "body", body);
	if (line == NULL)
		goto fail;
	if (body == NULL)
		json_object_set_new(line, "body_not_utf8", json_true());
	text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(line);
	if (text == NULL)
		goto fail;
	len = strlen(text);
	text[len++] = '\n'; /* json_dumps's NUL becomes the line's end */
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		goto fail;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	free(text);
	if (off == len)
		return;
fail:
	/* A response that cannot be recorded cannot be validated: stop here
	 * rather than let the check pass on what it did not see. */
	fprintf(stderr, "record_response %s %s: cannot append to %s\n", method, path, file);
	abort();
}

static __thread const char *base_override;
bool client_quiet; /* the fault suite expects refused connections */

int
call_at(const char *base_env, const char *slug, const char *method, const char *path,
	const char *body, const char *const *headers, struct resp *out)
{
	int rc;

	base_override = env_or_die(base_env);
	rc = call(slug, method, path, body, headers, out);
	base_override = NULL;
	return rc;
}

int
client_call_base(CURL *h, const char *base, const char *method, const char *path, const char *body,
		 const char *const *headers, struct resp *out)
{
	int rc;

	base_override = base;
	rc = client_call(h, method, path, body, headers, out);
	base_override = NULL;
	return rc;
}

int
client_call(CURL *h, const char *method, const char *path, const char *body,
	    const char *const *headers, struct resp *out)
{
	struct curl_slist *hl = NULL;
	char url[2048];
	CURLcode rc;
	json_error_t jerr;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s%s",
		 base_override ? base_override : env_or_die("REFGW_TEST_BASE"), path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, out);
	if (body) {
		const char *const *p;
		int has_ctype = 0;
		for (p = headers; p && *p; p++)
			if (strncasecmp(*p, "Content-Type:", 13) == 0)
				has_ctype = 1;
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
		if (!has_ctype)
			hl = curl_slist_append(hl, "Content-Type: application/json");
	} else {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}
	hl = curl_slist_append(hl, "Expect:");
	for (; headers && *headers; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(h);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		if (!client_quiet)
			fprintf(stderr, "curl %s %s: %s\n", method, path, curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &out->num_connects);
	if (out->body)
		out->json = json_loads(out->body, 0, &jerr);
	record_response(method, path, out);
	return 0;
}

int
call(const char *slug, const char *method, const char *path, const char *body,
     const char *const *headers, struct resp *out)
{
	CURL *h = client_new(slug);
	int rc = client_call(h, method, path, body, headers, out);

	curl_easy_cleanup(h);
	return rc;
}

CURL *
client_browser(void)
{
	return client_new(NULL);
}

int
browser_call(const char *base_env, const char *method, const char *path, const char *body,
	     const char *const *headers, struct resp *out)
{
	CURL *h = client_browser();
	int rc = client_call_base(h, env_or_die(base_env ? base_env : "REFGW_TEST_BROWSER"), method,
				  path, body, headers, out);

	curl_easy_cleanup(h);
	return rc;
}

void
resp_free(struct resp *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
problem_type(const struct resp *r)
{
	const char *t = json_string_value(json_object_get(r->json, "type"));

	return t ? t : "";
}

const char *
org_id(const char *slug)
{
	static char ids[32][2][64];
	static int n = -1;
	int i;

	if (n < 0) {
		FILE *f = fopen(env_or_die("REFGW_TEST_ORGS"), "r");
		n = 0;
		while (f && n < 32 && fscanf(f, "%63s %63s", ids[n][0], ids[n][1]) == 2)
			n++;
		if (f)
			fclose(f);
	}
	for (i = 0; i < n; i++)
		if (strcmp(ids[i][0], slug) == 0)
			return ids[i][1];
	fprintf(stderr, "no test organisation %s\n", slug);
	exit(2);
}

static PGconn *
sql_connect(const char *env)
{
	PGconn *c = PQconnectdb(env_or_die(env));

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "%s: %s", env, PQerrorMessage(c));
		exit(2);
	}
	return c;
}

PGconn *
sql_admin(void)
{
	return sql_connect("REFGW_ADMIN_DATABASE_URL");
}

PGconn *
sql_app(void)
{
	return sql_connect("REFGW_DATABASE_URL");
}

long
sql_long(PGconn *c, const char *query, int nparams, const char *const *params)
{
	PGresult *r = PQexecParams(c, query, nparams, NULL, params, NULL, NULL, 0);
	long v = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
		v = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "sql_long: %s", PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

int
ops_get(const char *path, struct resp *out)
{
	return ops_get_at("REFGW_TEST_OPS", path, out);
}

int
ops_get_at(const char *ops_env, const char *path, struct resp *out)
{
	CURL *h = curl_easy_init();
	char url[512];
	CURLcode rc;

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s%s", env_or_die(ops_env), path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	rc = curl_easy_perform(h);
	if (rc == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(h);
	return rc == CURLE_OK ? 0 : -1;
}

long
sql_count(const char *query, const char *param)
{
	PGconn *c = sql_admin();
	const char *p[1] = {param};
	long n = sql_long(c, query, param ? 1 : 0, param ? p : NULL);

	PQfinish(c);
	return n;
}

/* How many events of type about resource are in slug's feed (the test
 * fails when the count cannot be read: -1 would pass as "not 1"). */
long
events_of(const char *slug, const char *type, const char *resource)
{
	PGconn *c = sql_admin();
	const char *p[3] = {org_id(slug), type, resource};
	long n = sql_long(c,
			  "SELECT count(*) FROM events WHERE organisation_id = $1::uuid AND "
			  "type = $2 AND resource_id = $3::uuid",
			  3, p);

	PQfinish(c);
	ck_assert_int_ge(n, 0);
	return n;
}

char *
post_id(const char *slug, const char *path, const char *body, long want)
{
	struct resp r;
	char *id = NULL;

	if (call(slug, "POST", path, body, NULL, &r) != 0 || r.status != want) {
		fprintf(stderr, "POST %s as %s: %ld %s\n", path, slug, r.status,
			r.body ? r.body : "");
		resp_free(&r);
		return NULL;
	}
	if (json_string_value(json_object_get(r.json, "id")))
		id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	return id;
}

long
walk_pages(const char *slug, const char *path, int limit)
{
	char url[1024], cur[700] = "";
	json_t *ids = json_object();
	long seen = 0;
	int pages = 0;
	struct resp r;

	for (;;) {
		const char *next;
		json_t *item;
		size_t i;

		snprintf(url, sizeof(url), "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?",
			 limit, cur[0] ? "&cursor=" : "", cur);
		ck_assert_int_eq(call(slug, "GET", url, NULL, NULL, &r), 0);
		ck_assert_msg(r.status == 200, "GET %s: %ld", url, r.status);
		ck_assert_int_le(json_array_size(json_object_get(r.json, "items")), limit);
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			const char *id = json_string_value(json_object_get(item, "id"));
			ck_assert_msg(id && json_object_get(ids, id) == NULL,
				      "%s repeated across pages", id);
			json_object_set_new(ids, id, json_true());
			seen++;
		}
		next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next == NULL) {
			ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
			resp_free(&r);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", next);
		resp_free(&r);
		ck_assert_int_lt(++pages, 1000);
	}
	json_decref(ids);
	return seen;
}

long
ops_metric(const char *ops_env, const char *name)
{
	struct resp r;
	const char *p;
	long v = -1;

	if (ops_get_at(ops_env, "/metrics", &r) != 0)
		return -1;
	for (p = r.body; p && (p = strstr(p, name)) != NULL; p++)
		if ((p == r.body || p[-1] == '\n') && p[strlen(name)] == ' ') {
			v = strtol(p + strlen(name) + 1, NULL, 10);
			break;
		}
	resp_free(&r);
	return v;
}

/* {"pem": certs/<slug>.pem}, the body that registers it (malloc'd). */
char *
pem_body(const char *slug)
{
	char path[1024], pem[8192];
	FILE *f;
	size_t n;
	json_t *j;
	char *out;

	snprintf(path, sizeof(path), "%s/%s.pem", env_or_die("REFGW_TEST_CERTS"), slug);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	fclose(f);
	j = json_pack("{s:s}", "pem", pem);
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

/* slug records person's consent for recipient (a slug), purpose
 * housing_referral, these categories (a JSON list body: "\"identity\"");
 * the consent's id (malloc'd), or the test fails. */
char *
post_consent(const char *slug, const char *person, const char *recipient, const char *categories)
{
	char body[1024], *id;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[%s],"
		 "\"valid_until\":\"2099-06-30\",\"evidence\":{\"method\":\"signed_form\","
		 "\"reference\":\"RZ-F-0142\",\"recorded_by\":\"A. Peeters\"}}",
		 person, org_id(recipient), categories);
	id = post_id(slug, "/v1/consents", body, 201);
	ck_assert_msg(id != NULL, "consent of %s for %s not recorded", slug, recipient);
	return id;
}
