/* response: JSON and problem+json (RFC 9457) answers.  A problem never
 * carries SQL text, library messages or file paths: only what the caller
 * can act on. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

void
reply_reset(struct request *r)
{
	free(r->resp);
	r->resp = NULL;
	r->resp_len = 0;
	r->problem_slug = NULL;
	r->etag[0] = r->location[0] = r->allow[0] = '\0';
	r->retry_after = 0;
}

static int
set_body(struct request *r, int status, json_t *body, const char *ctype)
{
	char *text;

	/* Headers set before the body (ETag, Location, Allow) are kept. */
	free(r->resp);
	r->resp = NULL;
	r->resp_len = 0;
	r->problem_slug = NULL;
	text = json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(body);
	if (text == NULL) {
		static const char oom[] =
			"{\"type\":\"urn:refgw:problem:internal\",\"title\":\"Internal error\","
			"\"status\":500}";
		r->status = 500;
		r->resp = strdup(oom);
		r->resp_len = r->resp ? strlen(r->resp) : 0;
		r->content_type = "application/problem+json";
		return 500;
	}
	r->status = status;
	r->resp = text;
	r->resp_len = strlen(text);
	r->content_type = ctype;
	return status;
}

int
reply_json_text(struct request *r, int status, char *text, size_t len)
{
	free(r->resp);
	r->resp = text;
	r->resp_len = len;
	r->problem_slug = NULL;
	r->status = status;
	r->content_type = "application/json";
	return status;
}

int
reply_text(struct request *r, int status, const char *ctype, char *text, size_t len)
{
	int s = reply_json_text(r, status, text, len);

	r->content_type = ctype;
	return s;
}

int
reply_json(struct request *r, int status, json_t *body)
{
	return set_body(r, status, body, "application/json");
}

static json_t *
problem_body(int status, const char *slug, const char *title, const char *detail)
{
	char type[96];

	snprintf(type, sizeof(type), "urn:refgw:problem:%s", slug);
	return json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status,
			 "detail", detail);
}

int
reply_problem(struct request *r, int status, const char *slug, const char *title, const char *fmt,
	      ...)
{
	char detail[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* A detail may quote what the client sent (a path, a parser's view of
	 * the body), and the cut above may split a character: jansson refuses
	 * a string that is not UTF-8, and a 400 would have become a 500. */
	utf8_scrub(detail);
	rc = set_body(r, status, problem_body(status, slug, title, detail),
		      "application/problem+json");
	r->problem_slug = slug;
	return rc;
}

static int
invalid(struct request *r, json_t *errors, const char *slug, const char *title, const char *noun,
	const char *of)
{
	json_t *body;
	size_t n = json_array_size(errors);
	char detail[160];
	int rc;

	snprintf(detail, sizeof(detail), "%zu %s%s%s %s not valid; see errors", n, noun,
		 n == 1 ? "" : "s", of, n == 1 ? "is" : "are");
	body = problem_body(400, slug, title, detail);
	json_object_set_new(body, "errors", errors);
	rc = set_body(r, 400, body, "application/problem+json");
	r->problem_slug = slug;
	return rc;
}

int
reply_invalid(struct request *r, json_t *errors)
{
	return invalid(r, errors, "validation", "Invalid request body", "field",
		       " of the request body");
}

int
reply_invalid_query(struct request *r, json_t *errors)
{
	return invalid(r, errors, "invalid-query", "Invalid query parameter", "query parameter",
		       "");
}

int
reply_problem_errors(struct request *r, int status, const char *slug, const char *title,
		     json_t *errors, const char *fmt, ...)
{
	char detail[512];
	json_t *body;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	body = problem_body(status, slug, title, detail);
	if (json_array_size(errors) > 0)
		json_object_set(body, "errors", errors);
	json_decref(errors);
	rc = set_body(r, status, body, "application/problem+json");
	r->problem_slug = slug;
	return rc;
}

/* 422 unprocessable for one field: the body was valid, the data it names is not. */
int
reply_unprocessable_field(struct request *r, const char *title, const char *field,
			  const char *message)
{
	json_t *body = problem_body(422, "unprocessable", title, message), *errors = json_array();
	int rc;

	field_error(errors, field, "%s", message);
	json_object_set_new(body, "errors", errors);
	rc = set_body(r, 422, body, "application/problem+json");
	r->problem_slug = "unprocessable";
	return rc;
}

void
field_error(json_t *errors, const char *field, const char *fmt, ...)
{
	char msg[256], name[256];
	json_t *e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_scrub(msg);
	/* The field name may quote the client (a key cut at a byte limit, in
	 * the middle of a character): jansson refuses a string that is not
	 * UTF-8, and an error that vanished would let the request through. */
	snprintf(name, sizeof(name), "%s", field);
	utf8_scrub(name);
	e = json_pack("{s:s, s:s}", "field", name, "message", msg);
	if (e == NULL)
		e = json_pack("{s:s, s:s}", "field", "?", "message", "not valid");
	if (e == NULL || json_array_append_new(errors, e) != 0)
		abort(); /* out of memory: never answer as if the input were valid */
}
