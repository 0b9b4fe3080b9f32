/* request: the state of one HTTP request, from libmicrohttpd's first call to
 * its completion callback, and the helpers handlers use to read it and to
 * answer.  Handlers never see libmicrohttpd, GnuTLS or libpq. */
#ifndef REFGW_REQUEST_H
#define REFGW_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "messages.h"
#include "util.h"

enum http_method {
	HTTP_OTHER = 0,
	HTTP_GET = 1 << 0,
	HTTP_POST = 1 << 1,
	HTTP_PUT = 1 << 2,
	HTTP_PATCH = 1 << 3,
	HTTP_DELETE = 1 << 4,
	HTTP_HEAD = 1 << 5,
};

#define ROUTE_MAX_PARAMS 4
#define ROUTE_PARAM_MAX 96

/* Who is calling: resolved from the client certificate on every request. */
struct identity {
	char organisation_id[37];
	char organisation_name[201];
	char kind[32];
	char certificate_sha256[65];
	bool may; /* the access rules allow the route's action */
	/* Authenticated by a confirmed (not pending) certificate: the only kind
	 * the identity cache keeps (schema/017). */
	bool certificate_confirmed;
	time_t certificate_not_before, certificate_not_after;
	/* A person signed in on the browser listener (schema/052): the
	 * session's user; user_id is "" for a certificate. */
	char user_id[37];
	char user_email[255];
	char user_name[201];
	char user_role[24];
	char user_language[4];
	char session_expires_at[32], session_idle_expires_at[32];
};

struct route;
struct db_conn;

/* Which part of the request's head a lookup reads. */
enum req_part { REQ_HEADER, REQ_QUERY };

/* Finds a header (case-insensitive) or a query argument by name in the head
 * as received; NULL when absent.  Set by the code that hands the request over
 * (http.c: libmicrohttpd's own parse of the head, read in place, nothing
 * copied), so that what a handler reads never reaches back into http.c. */
typedef const char *(*req_lookup_fn)(void *http, enum req_part part, const char *name);

#define CALLER_ACTIONS_MAX 1024

struct request {
	char id[65];
	enum http_method method;
	const char *method_name;
	const char *path;
	struct buf body;
	const struct route *route;
	int route_index; /* for metrics; -1 when no route matched */
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
	int nparams;
	struct identity who;
	bool authenticated;
	/* GET /v1/me: the caller's allowed actions, space-separated, from the
	 * database or the identity cache (""; truncated: not cached). */
	char caller_actions[CALLER_ACTIONS_MAX];
	bool caller_actions_truncated;
	struct db_conn *db;
	void *http;           /* the server connection, opaque to handlers */
	req_lookup_fn lookup; /* reads the head through http; NULL: an empty head */
	uint64_t started_us;
	/* The language of the gateway's words in the answer: Accept-Language
	 * (request_negotiate_language), or a signed-in user's preference
	 * (request_set_language).  Sent as Content-Language. */
	enum lang lang;
	/* Arrived on the browser listener (server certificate only, sessions
	 * by cookie, CSRF checks, security headers: docs/security.md). */
	bool browser;
	char source[64];      /* the peer's address, for the sign-in throttle */
	char set_cookie[160]; /* a Set-Cookie header to send, or "" */

	/* The answer, built once. */
	int status;
	char *resp;
	size_t resp_len;
	const char *content_type;
	const char *problem_slug; /* for the access log */
	char etag[32];
	char location[200];
	/* The person whose personal fields the answer carries (a created
	 * person, consent or follow-up entry): an Idempotency-Key's stored
	 * replay is sealed under that person's key (idempotency.c). */
	char answer_person[37];
	char allow[64];
	int retry_after;
	bool replayed;         /* answered from an Idempotency-Key record */
	bool idempotent;       /* an Idempotency-Key claimed: the router commits with its record */
	bool committed;        /* the handler committed with its one call (db_query_commit) */
	bool vary_language;    /* the body depends on lang: Vary: Accept-Language */
	bool close_connection; /* the framing cannot be trusted: no keep-alive */
	const char *bad_framing; /* why, when the framing was refused */

	/* Long-poll (GET /v1/events?wait=): the handler asks to wait for news of
	 * its organisation; http.c parks the connection and runs it again. */
	bool want_wait;
	bool parked;
	bool no_wait;
	int64_t wait_after; /* the feed's cursor the long-poll waits beyond */
	uint64_t wait_deadline_us;
};

/* Implemented by request.c: what a handler reads from a request. */
const char *req_header(struct request *r, const char *name);
const char *req_query(struct request *r, const char *name);
/* Parses the request body as one JSON object.  On failure answers 400
 * (malformed JSON, with line/column/position) or 415 and returns NULL. */
json_t *body_json(struct request *r);
/* Sets r->lang from Accept-Language (once, when the request arrives). */
void request_negotiate_language(struct request *r);
/* A preference that overrides Accept-Language (a signed-in user's
 * language: "fr", "nl", "en", or a tag such as "nl-BE"): 0, or -1 and
 * r->lang unchanged when it is none of ours. */
int request_set_language(struct request *r, const char *tag);
/* An English message (an N_() literal) in the request's language, for a
 * message passed as "%s" argument. */
const char *tr(const struct request *r, const char *english);

/* Implemented by response.c.  Each returns the status it set. */
int reply_json(struct request *r, int status, json_t *body /* stolen */);
/* A JSON body already rendered (hot lists are written without jansson). */
int reply_json_text(struct request *r, int status, char *text /* stolen */, size_t len);
/* Another media type (the HTML export): text stolen, ctype a literal. */
int reply_text(struct request *r, int status, const char *ctype, char *text /* stolen */,
	       size_t len);
int reply_problem(struct request *r, int status, const char *slug, const char *title,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int reply_invalid(struct request *r, json_t *errors /* stolen: [{field,message}] */);
/* The same for query parameters: type invalid-query, "Invalid query parameter". */
int reply_invalid_query(struct request *r, json_t *errors /* stolen */);
/* A problem that also names the fields at fault (errors stolen; omitted when empty). */
int reply_problem_errors(struct request *r, int status, const char *slug, const char *title,
			 json_t *errors, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* 422 `unprocessable` with errors: [{field, message}]. */
int reply_unprocessable_field(struct request *r, const char *title, const char *field,
			      const char *message);
void reply_reset(struct request *r);
/* Adds {field, message} to an errors array.  The message is formatted in
 * every language (the request is not known here); the reply that sends the
 * array keeps the request's one. */
void field_error(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Appends the errors of from (validate_fields of a nested object) to errors,
 * each field renamed "prefix.field", translations kept. */
void field_errors_nested(json_t *errors, const char *prefix, json_t *from);

#endif
