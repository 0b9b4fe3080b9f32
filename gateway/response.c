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
	r->vary_language = false;
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
	r->vary_language = false;
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
	r->vary_language = false;
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

/* The members of an error holding a message's translations (field_error),
 * by language; none for English, the message itself. */
static const char *const message_member[LANG_COUNT] = {NULL, "message@fr", "message@nl"};

/* Keeps the request's language in each {field, message}: the translations
 * field_error added go, and never reach the client. */
static void
errors_localize(json_t *errors, enum lang lang)
{
	size_t i;
	int l;
	json_t *e, *m;

	json_array_foreach(errors, i, e) {
		if (message_member[lang] && (m = json_object_get(e, message_member[lang])) != NULL)
			json_object_set(e, "message", m);
		for (l = 0; l < LANG_COUNT; l++)
			if (message_member[l])
				json_object_del(e, message_member[l]);
	}
}

/* Sets the problem's body: the slug and the errors (stolen, may be NULL) are
 * the API and stay as they are; title and detail are in r's language. */
static int
set_problem(struct request *r, int status, const char *slug, json_t *body, json_t *errors)
{
	int rc;

	if (errors) {
		errors_localize(errors, r->lang);
		json_object_set_new(body, "errors", errors);
	}
	rc = set_body(r, status, body, "application/problem+json");
	r->problem_slug = slug;
	r->vary_language = true;
	return rc;
}

/* detail: fmt (English) translated, then formatted; the catalogue keeps a
 * format's conversions in the same order (scripts/messages.py). */
static void
format_detail(char *detail, size_t len, enum lang lang, const char *fmt, va_list ap)
{
	vsnprintf(detail, len, msg_text(fmt, lang), ap);
	/* A detail may quote what the client sent (a path, a parser's view of
	 * the body), and the cut above may split a character: jansson refuses
	 * a string that is not UTF-8, and a 400 would have become a 500. */
	utf8_scrub(detail);
}

int
reply_problem(struct request *r, int status, const char *slug, const char *title, const char *fmt,
	      ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	format_detail(detail, sizeof(detail), r->lang, fmt, ap);
	va_end(ap);
	return set_problem(r, status, slug,
			   problem_body(status, slug, msg_text(title, r->lang), detail), NULL);
}

static int
invalid(struct request *r, json_t *errors, const char *slug, const char *title, const char *one,
	const char *many)
{
	size_t n = json_array_size(errors);
	char detail[256];

	if (n == 1)
		snprintf(detail, sizeof(detail), "%s", msg_text(one, r->lang));
	else
		snprintf(detail, sizeof(detail), msg_text(many, r->lang), n);
	return set_problem(r, 400, slug, problem_body(400, slug, msg_text(title, r->lang), detail),
			   errors);
}

int
reply_invalid(struct request *r, json_t *errors)
{
	return invalid(r, errors, "validation", N_("Invalid request body"),
		       N_("1 field of the request body is not valid; see errors"),
		       N_("%zu fields of the request body are not valid; see errors"));
}

int
reply_invalid_query(struct request *r, json_t *errors)
{
	return invalid(r, errors, "invalid-query", N_("Invalid query parameter"),
		       N_("1 query parameter is not valid; see errors"),
		       N_("%zu query parameters are not valid; see errors"));
}

int
reply_problem_errors(struct request *r, int status, const char *slug, const char *title,
		     json_t *errors, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	format_detail(detail, sizeof(detail), r->lang, fmt, ap);
	va_end(ap);
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		errors = NULL;
	}
	return set_problem(r, status, slug,
			   problem_body(status, slug, msg_text(title, r->lang), detail), errors);
}

/* 422 unprocessable for one field: the body was valid, the data it names is not. */
int
reply_unprocessable_field(struct request *r, const char *title, const char *field,
			  const char *message)
{
	json_t *errors = json_array();

	field_error(errors, field, "%s", msg_text(message, r->lang));
	return set_problem(r, 422, "unprocessable",
			   problem_body(422, "unprocessable", msg_text(title, r->lang),
					msg_text(message, r->lang)),
			   errors);
}

void
field_error(json_t *errors, const char *field, const char *fmt, ...)
{
	char msg[256], name[256];
	json_t *e;
	va_list ap;
	int l;

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
	if (e == NULL)
		abort(); /* out of memory: never answer as if the input were valid */
	/* The reply that sends the array picks the request's language
	 * (errors_localize): a validation failure formats three times, a valid
	 * body never. */
	for (l = 0; l < LANG_COUNT; l++) {
		const char *tfmt = message_member[l] ? msg_text(fmt, (enum lang)l) : fmt;
		if (tfmt == fmt)
			continue;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), tfmt, ap);
		va_end(ap);
		utf8_scrub(msg);
		if (json_object_set_new(e, message_member[l], json_string(msg)) != 0)
			abort();
	}
	if (json_array_append_new(errors, e) != 0)
		abort();
}

void
field_errors_nested(json_t *errors, const char *prefix, json_t *from)
{
	char name[256];
	size_t i;
	json_t *e, *copy;

	json_array_foreach(from, i, e) {
		snprintf(name, sizeof(name), "%s.%s", prefix,
			 json_string_value(json_object_get(e, "field")));
		utf8_scrub(name);
		if ((copy = json_deep_copy(e)) == NULL ||
		    json_object_set_new(copy, "field", json_string(name)) != 0 ||
		    json_array_append_new(errors, copy) != 0)
			abort(); /* out of memory: never answer as if the input were valid */
	}
}
