/* http: libmicrohttpd daemons, request life cycle, access log.
 *
 * Life cycle (libmicrohttpd's examples): the first call of the access
 * handler only allocates the request state and returns MHD_YES; queueing a
 * response in that first call makes libmicrohttpd 0.9.75 answer
 * "Connection: close", which kills keep-alive — wanted only for a request
 * refused on sight (bad framing, a declared body over the cap), which is
 * answered there.  Body chunks are appended to a capped buffer; the last call
 * (upload size 0) verifies the TLS peer, runs the request and queues the one
 * response; the completion callback frees it.  The request state itself is
 * allocated a step earlier, by the URI log callback, which alone sees the
 * request target as received. */
#include "http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "console.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "request.h"
#include "router.h"
#include "rows.h"
#include "sessions.h"
#include "statements.h"
#include "tls.h"

/* The access handler's closure: which listener a request arrived on. */
struct listener {
	struct http_server *srv;
	bool browser;
};

struct http_server {
	struct MHD_Daemon *api;
	struct MHD_Daemon *browser;
	struct MHD_Daemon *ops;
	struct listener api_listener, browser_listener;
	const struct config *cfg;
	long schema_version;
	atomic_int in_flight;
	char *cert_pem, *key_pem, *ca_pem;
	size_t key_len;
};

/* Per TLS connection: the verified peer, cached. */
struct conn_state {
	struct tls_peer peer;
	bool certificate_counted; /* in /metrics' client certificate expiry */
};

static enum http_method
method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	if (strcmp(m, "PUT") == 0)
		return HTTP_PUT;
	if (strcmp(m, "PATCH") == 0)
		return HTTP_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return HTTP_DELETE;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	return HTTP_OTHER;
}

/* The request's lookup (request.h): libmicrohttpd's parse of the head, read
 * in place for the request's life; nothing is copied. */
static const char *
lookup(void *conn, enum req_part part, const char *name)
{
	return MHD_lookup_connection_value(
		conn, part == REQ_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND, name);
}

/* What http.c alone keeps about a request, around what handlers see. */
struct http_request {
	struct request r;      /* first: handlers and the notifier see only this */
	size_t raw_target_len; /* the request target as received, up to a NUL */
	bool encoded_nul;      /* "%00" in it: a NUL once decoded */
	/* The client's X-Request-Id when sane: echoed and logged, never the
	 * audit's request id (two clients may send the same one). */
	char client_id[65];
};

/* libmicrohttpd's URI log callback: called once per request with the
 * request target as received, before libmicrohttpd splits off the query
 * and decodes both in place, which is the one moment its length can be
 * measured (framing_problem compares it with the room it takes in the
 * request line).  What it returns is the request's *req_cls. */
static void *
on_request_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_server *srv = cls;
	struct http_request *hr = calloc(1, sizeof(*hr));

	(void)conn;
	if (hr == NULL)
		return NULL;
	if (uri) {
		hr->raw_target_len = strlen(uri);
		hr->encoded_nul = strstr(uri, "%00") != NULL;
	}
	atomic_fetch_add(&srv->in_flight, 1);
	return hr;
}

/* The first call of the access handler: the head is parsed. */
static int
request_init(struct http_request *hr, struct MHD_Connection *conn, const char *url,
	     const char *method, size_t max_body)
{
	struct request *r = &hr->r;
	const char *rid;
	unsigned char rnd[16];

	r->http = conn;
	r->lookup = lookup;
	r->path = url;
	r->method_name = method;
	r->method = method_of(method);
	r->route_index = -1;
	r->started_us = now_monotonic_us();
	/* Before anything can answer: a refused framing or certificate is
	 * answered in the caller's language too. */
	request_negotiate_language(r);
	buf_init(&r->body, max_body);
	/* The gateway's own id, always: it names the request in the audit,
	 * in problem details and in every log line. */
	if (crypto_random(rnd, sizeof(rnd)) != 0)
		return -1;
	hex_encode(rnd, sizeof(rnd), r->id);
	rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	if (rid && is_sane_token(rid, 64))
		snprintf(hr->client_id, sizeof(hr->client_id), "%s", rid);
	return 0;
}

static void
request_free(struct http_request *hr)
{
	buf_free(&hr->r.body);
	free(hr->r.resp);
	free(hr);
}

static void
access_log(const struct http_server *srv, struct http_request *hr, uint64_t dur_us)
{
	struct request *r = &hr->r;
	struct buf line;
	char ts[32];

	if (!srv->cfg->access_log)
		return;
	log_timestamp(ts, sizeof(ts));
	buf_init(&line, 4096);
	if (buf_printf(&line, "{\"ts\":\"%s\",\"type\":\"access\",\"request_id\":\"%s\"", ts,
		       r->id) == 0 &&
	    (hr->client_id[0] == '\0' || (buf_append(&line, ",\"client_request_id\":", 21) == 0 &&
					  json_quote(&line, hr->client_id) == 0)) &&
	    buf_append(&line, ",\"method\":", 10) == 0 && json_quote(&line, r->method_name) == 0 &&
	    buf_append(&line, ",\"path\":", 8) == 0 && json_quote(&line, r->path) == 0 &&
	    buf_printf(&line, ",\"route\":\"%s\",\"status\":%d,\"duration_us\":%llu,\"bytes\":%zu",
		       r->route ? r->route->name : "", r->status, (unsigned long long)dur_us,
		       r->resp_len) == 0 &&
	    (r->who.organisation_id[0] == '\0' ||
	     buf_printf(&line, ",\"organisation_id\":\"%s\"", r->who.organisation_id) == 0) &&
	    (r->who.certificate_sha256[0] == '\0' ||
	     buf_printf(&line, ",\"certificate\":\"%.16s\"", r->who.certificate_sha256) == 0) &&
	    (r->who.user_id[0] == '\0' ||
	     buf_printf(&line, ",\"user_id\":\"%s\"", r->who.user_id) == 0) &&
	    (r->problem_slug == NULL ||
	     buf_printf(&line, ",\"problem\":\"%s\"", r->problem_slug) == 0) &&
	    buf_append(&line, "}", 1) == 0)
		log_write_line(&line);
	buf_free(&line);
}

static enum MHD_Result
send_response(struct MHD_Connection *conn, struct http_request *hr)
{
	struct request *r = &hr->r;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char num[16];

	if (r->resp == NULL)
		reply_problem(r, 500, "internal", "Internal error", "no response was produced");
	resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		return MHD_NO;
	r->resp = NULL; /* owned by libmicrohttpd now; keep the length for the log */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	/* The design's promise: X-Request-Id echoes a sane one the client
	 * sent.  The gateway's own id, the one the audit and the logs know,
	 * is always in X-Refgw-Request-Id. */
	MHD_add_response_header(resp, "X-Request-Id", hr->client_id[0] ? hr->client_id : r->id);
	MHD_add_response_header(resp, "X-Refgw-Request-Id", r->id);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	/* The language of the gateway's own words (a problem's title and
	 * detail, the export's page); Vary when the body depends on it. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_LANGUAGE, lang_code(r->lang));
	if (r->vary_language)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Language");
	if (r->browser) {
		/* Every answer to a browser (docs/security.md, "People in
		 * browsers"): no inline script, no framing, no referrer.  A
		 * page the API answers (the person's export, routed) runs and
		 * loads nothing: only its own inline style. */
		bool page = r->route_index >= 0 && strncmp(r->content_type, "text/html", 9) == 0;

		MHD_add_response_header(
			resp, "Content-Security-Policy",
			page ? "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
			       "form-action 'none'; frame-ancestors 'none'"
			     : "default-src 'none'; script-src 'self'; style-src 'self'; img-src "
			       "'self'; "
			       "connect-src 'self'; form-action 'self'; base-uri 'none'; "
			       "frame-ancestors 'none'");
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
		if (r->set_cookie[0])
			MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
	} else if (strncmp(r->content_type, "text/html", 9) == 0) {
		/* A page (the person's export): nothing it holds may run or load. */
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; style-src 'unsafe-inline'");
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	}
	if (r->etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
	if (r->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
	if (r->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
	if (r->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (r->close_connection)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	if (r->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", r->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, num);
	}
	ret = MHD_queue_response(conn, (unsigned int)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static const struct {
	const char *slug, *title, *detail;
	int status;
} tls_problems[TLS_VERDICT_COUNT] = {
	[TLS_NO_CERTIFICATE] =
		{"certificate-required", N_("Client certificate required"),
		 N_("present the client certificate registered for your organisation"), 401},
	[TLS_UNTRUSTED] = {"certificate-untrusted", N_("Client certificate not trusted"),
			   N_("the client certificate was not issued by the gateway's client CA"),
			   401},
	[TLS_EXPIRED] =
		{"certificate-expired", N_("Client certificate expired"),
		 N_("the client certificate has expired; ask the coordinator for a new one"), 401},
	[TLS_NOT_YET_VALID] = {"certificate-not-yet-valid", N_("Client certificate not yet valid"),
			       N_("the client certificate's validity has not started yet"), 401},
	[TLS_NOT_CLIENT_AUTH] =
		{"certificate-wrong-purpose", N_("Certificate not for client authentication"),
		 N_("the certificate's extended key usage does not include clientAuth"), 401},
	[TLS_REVOKED_BY_CRL] = {"certificate-revoked", N_("Certificate revoked"),
				N_("the client certificate is listed on the CA's revocation list"),
				401},
	[TLS_BAD_CERTIFICATE] = {"certificate-invalid", N_("Client certificate unreadable"),
				 N_("the client certificate could not be parsed"), 401},
	[TLS_CA_CERTIFICATE] =
		{"certificate-is-ca", N_("CA certificate refused"),
		 N_("the client certificate is a CA certificate (basicConstraints CA:TRUE); "
		    "present an end-entity client certificate"),
		 401},
};

/* Request framing that a proxy in front of us could read differently from
 * libmicrohttpd — the stuff of request smuggling — is refused outright, and
 * the connection closed: two Content-Length headers (libmicrohttpd uses the
 * first), Content-Length with Transfer-Encoding, a transfer coding other
 * than chunked (libmicrohttpd would read a body of "chunked " to the end of
 * the connection), a header name that is not an RFC 9110 token
 * ("Content-Length : 5" is a header libmicrohttpd calls "Content-Length ",
 * so it reads no body and runs the body as the next request), a control
 * byte in a header value (a lone CR), and a NUL anywhere in the head. */
struct framing {
	int content_length, transfer_encoding;
	bool te_not_chunked;
};

static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
	      const char *value, size_t value_size)
{
	struct framing *f = cls;

	(void)kind;
	(void)key_size;
	(void)value_size;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		f->content_length++;
	if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->transfer_encoding++;
		if (value == NULL || strcasecmp(value, "chunked") != 0)
			f->te_not_chunked = true;
	}
	return MHD_YES;
}

/* libmicrohttpd 0.9.75 hands the head over as C strings and cuts each at a
 * NUL without a word: "Idempotency-Key: k\0AAAA" arrives as "k", and
 * "/v1/me\0/../x" as "/v1/me".  It parses the head in place, though, in
 * one buffer that starts at the method and is header_size bytes long
 * (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE), turning each CR, LF, the
 * space after the method and the colon of each header into a NUL.  So the
 * head, walked from the method through the target, the version and every
 * header in order, must be those strings and nothing but those NULs (and
 * the blanks libmicrohttpd skips) between them: any other byte there is
 * what followed a NUL the client sent.  A folded header line (obs-fold)
 * moves its header out of the buffer and is refused the same way, as RFC
 * 9112 allows.  Should a later libmicrohttpd lay the head out otherwise,
 * every request fails this walk: the integration suite shows it at once. */
struct head_walk {
	uintptr_t pos, end; /* where the previous string ended; end of head */
	const char *why;
};

static bool
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Only NULs from pos up to next, and from min to max of them. */
static bool
nul_gap(const struct head_walk *w, const char *next, size_t min, size_t max)
{
	uintptr_t n = (uintptr_t)next;
	const char *p = (const char *)w->pos;

	if (n < w->pos || n > w->end || n - w->pos < min || n - w->pos > max)
		return false;
	for (; (uintptr_t)p < n; p++)
		if (*p != '\0')
			return false;
	return true;
}

static enum MHD_Result
walk_header(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size, const char *value,
	    size_t value_size)
{
	struct head_walk *w = cls;
	const char *p;
	size_t i;

	(void)kind;
	for (i = 0; i < key_size; i++)
		if (!is_tchar((unsigned char)key[i])) {
			w->why = N_("a header name holds whitespace or a character a name may not");
			return MHD_NO;
		}
	if (key_size == 0 || value == NULL || !nul_gap(w, key, 1, 2))
		goto nul;
	p = key + key_size;
	if ((uintptr_t)p >= w->end || *p != '\0')
		goto nul;
	for (p++; (uintptr_t)p < w->end && (*p == ' ' || *p == '\t'); p++)
		;
	if (p != value || (uintptr_t)value + value_size > w->end)
		goto nul;
	for (i = 0; i < value_size; i++)
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') || value[i] == 0x7f) {
			w->why = N_("a header value holds a control character");
			return MHD_NO;
		}
	w->pos = (uintptr_t)value + value_size;
	return MHD_YES;
nul:
	w->why = N_("the request head holds a NUL byte or a folded header line");
	return MHD_NO;
}

static const char *
head_problem(struct MHD_Connection *conn, const struct http_request *hr, const char *method,
	     const char *url, const char *version)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	static const char *const nul = N_("the request head holds a NUL byte");
	struct head_walk w;
	const char *p;

	if (hr->encoded_nul)
		return N_("the request target holds an encoded NUL byte (%00)");
	if (ci == NULL)
		return nul;
	w.pos = (uintptr_t)method;
	w.end = w.pos + ci->header_size;
	w.why = NULL;
	/* METHOD NUL [blanks] target NUL version */
	p = method + strlen(method);
	if ((uintptr_t)p >= w.end || *p != '\0')
		return nul;
	for (p++; (uintptr_t)p < w.end && *p == ' '; p++)
		;
	if (p != url || (uintptr_t)version <= (uintptr_t)url ||
	    (uintptr_t)version - (uintptr_t)url != hr->raw_target_len + 1 || version[-1] != '\0')
		return nul;
	w.pos = (uintptr_t)version + strlen(version);
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, walk_header, &w);
	if (w.why)
		return w.why;
	/* The last line's end and the empty line's: two to four NULs. */
	if (!nul_gap(&w, (const char *)w.end, 2, 4))
		return nul;
	return NULL;
}

static const char *
framing_problem(struct MHD_Connection *conn, const struct http_request *hr, const char *method,
		const char *url, const char *version)
{
	struct framing f = {0, 0, false};
	const char *why = head_problem(conn, hr, method, url, version);

	if (why)
		return why;
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, count_framing, &f);
	if (f.content_length > 1)
		return N_("more than one Content-Length header");
	if (f.content_length && f.transfer_encoding)
		return N_("both Content-Length and Transfer-Encoding");
	if (f.transfer_encoding > 1 || f.te_not_chunked)
		return N_("the only transfer coding accepted is a single \"chunked\"");
	return NULL;
}

/* The peer's address, for the sign-in throttle. */
static void
source_address(struct MHD_Connection *conn, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	out[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)outlen);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)outlen);
}

/* The browser listener: no client certificate; the console's pages, or a
 * /v1 route authenticated by session (router.c). */
static void
run_browser_request(struct MHD_Connection *conn, struct request *r)
{
	source_address(conn, r->source, sizeof(r->source));
	if (strcmp(r->path, "/console") == 0 || strncmp(r->path, "/console/", 9) == 0) {
		console_serve(r); /* GET and HEAD only: it answers 405 to the rest */
		return;
	}
	router_dispatch(r, NULL);
}

static void
run_request(struct http_server *srv, struct MHD_Connection *conn, struct request *r)
{
	const union MHD_ConnectionInfo *ci;
	struct conn_state *cs = NULL;
	enum tls_verdict v;
	void *session = NULL;

	if (r->bad_framing) {
		r->close_connection = true;
		reply_problem(r, 400, "bad-framing", "Ambiguous request framing", "%s",
			      tr(r, r->bad_framing));
		return;
	}
	if (r->body.toobig) {
		reply_problem(r, 413, "body-too-large", "Request body too large",
			      "the request body exceeds %ld bytes", srv->cfg->max_body_bytes);
		return;
	}
	if (r->browser) {
		run_browser_request(conn, r);
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci)
		cs = ci->socket_context;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci)
		session = ci->tls_session;
	if (cs == NULL) {
		reply_problem(r, 500, "internal", "Internal error", "connection state missing");
		return;
	}
	v = tls_check_peer(session, &cs->peer, time(NULL));
	if (v != TLS_OK) {
		metrics_tls_refusal(v);
		reply_problem(r, tls_problems[v].status, tls_problems[v].slug,
			      tls_problems[v].title, "%s", tr(r, tls_problems[v].detail));
		return;
	}
	r->who.certificate_not_before = cs->peer.not_before;
	r->who.certificate_not_after = cs->peer.not_after;
	router_dispatch(r, cs->peer.sha256_hex);
	if (!r->authenticated) {
		metrics_refusal(r->problem_slug);
	} else if (!cs->certificate_counted) {
		cs->certificate_counted = true;
		metrics_client_certificate(cs->peer.sha256_hex, r->who.organisation_name,
					   cs->peer.not_after, time(NULL));
	}
}

/* Metrics, the access-log line and the one response. */
static enum MHD_Result
finish(struct http_server *srv, struct MHD_Connection *conn, struct http_request *hr)
{
	uint64_t dur = now_monotonic_us() - hr->r.started_us;

	metrics_request(hr->r.route_index, hr->r.status, dur);
	access_log(srv, hr, dur);
	return send_response(conn, hr);
}

static enum MHD_Result
on_api_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	       const char *version, const char *upload_data, size_t *upload_data_size,
	       void **req_cls)
{
	struct listener *l = cls;
	struct http_server *srv = l->srv;
	struct http_request *hr = *req_cls;
	struct request *r;

	if (hr == NULL)
		return MHD_NO; /* on_request_target found no memory */
	r = &hr->r;
	if (r->http == NULL) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		long n;
		if (request_init(hr, conn, url, method, (size_t)srv->cfg->max_body_bytes) != 0)
			return MHD_NO;
		r->browser = l->browser;
		r->bad_framing = framing_problem(conn, hr, method, url, version);
		if (cl && (parse_long(cl, 0, 0x7fffffffL, &n) != 0 || n > srv->cfg->max_body_bytes))
			r->body.toobig = true;
		if (r->bad_framing == NULL && !r->body.toobig)
			return MHD_YES; /* answered on the last call, for keep-alive */
		/* Refused on sight: a body that will not be read (a declared
		 * size over the cap, a framing we do not trust) is not waited
		 * for.  A response queued now makes libmicrohttpd drop the rest
		 * of the request and close the connection. */
		run_request(srv, conn, r);
		return finish(srv, conn, hr);
	}
	if (*upload_data_size != 0) {
		/* buf_append marks toobig itself when the cap is passed. */
		if (!r->body.toobig && buf_append(&r->body, upload_data, *upload_data_size) != 0)
			r->body.toobig = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->parked) {
		/* Woken (news for the organisation, deadline, or shutdown): answer
		 * with whatever the feed holds now. */
		r->parked = false;
		r->no_wait = true;
		reply_reset(r);
		r->status = 0;
		r->authenticated = false;
	} else if (r->status != 0) {
		return MHD_YES; /* already answered */
	}
	run_request(srv, conn, r);
	if (r->want_wait) {
		r->want_wait = false;
		/* Suspended before it is parked: the notify thread may wake a
		 * parked request at once, and libmicrohttpd must never see its
		 * resume before its suspend. */
		r->parked = true;
		MHD_suspend_connection(conn);
		if (!notify_park(r->who.organisation_id, r->wait_after, r->wait_deadline_us, r))
			/* No listener: resumed at once, the next call looks again
			 * and answers with what the feed holds. */
			MHD_resume_connection(conn);
		return MHD_YES;
	}
	return finish(srv, conn, hr);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct http_request *hr = *req_cls;

	(void)conn;
	(void)toe;
	if (hr == NULL)
		return;
	if (hr->r.db)
		db_release(hr->r.db);
	request_free(hr);
	*req_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
	      enum MHD_ConnectionNotificationCode toe)
{
	const struct listener *l = cls;
	const union MHD_ConnectionInfo *ci;
	struct conn_state *cs;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* libmicrohttpd 0.9.75 calls this after creating the TLS session
		 * and before the handshake, and NOTIFY_CLOSED after gnutls_deinit:
		 * the connection holds its TLS material for exactly its life. */
		cs = calloc(1, sizeof(struct conn_state));
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
		if (cs)
			tls_peer_start(&cs->peer, ci ? ci->tls_session : NULL);
		/* Browsers are never asked for a certificate. */
		if (l->browser && ci)
			tls_session_no_client_certificate(ci->tls_session);
		*socket_context = cs;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		cs = *socket_context;
		if (cs) {
			tls_peer_end(&cs->peer);
			free(cs);
		}
		*socket_context = NULL;
	}
}

/* Called by the notify thread: the parked request may run again. */
static void
wake_request(void *ctx)
{
	struct request *r = ctx;

	MHD_resume_connection(r->http);
}

/* ---- operations listener ---- */

static enum MHD_Result
ops_send(struct MHD_Connection *conn, int status, const char *ctype, char *body, size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, (unsigned int)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int
ready_check(struct http_server *srv, char *why, size_t whylen)
{
	struct db_conn *c = NULL;
	struct db_res *res = NULL;
	long applied = -1;
	enum db_status s;

	s = db_acquire(&c);
	if (s != DB_OK) {
		snprintf(why, whylen, "database %s", db_status_name(s));
		return -1;
	}
	s = db_query(c, ST_READY, &res, (char *)NULL);
	if (s == DB_OK && parse_long(row_val(res, 0, SCALAR_VALUE), 0, 1000000, &applied) != 0)
		applied = -1;
	db_res_free(res);
	db_release(c);
	if (s != DB_OK) {
		snprintf(why, whylen, "database %s", db_status_name(s));
		return -1;
	}
	if (applied < srv->schema_version) {
		snprintf(why, whylen, "schema at version %ld, gateway needs %ld: run refgw migrate",
			 applied, srv->schema_version);
		return -1;
	}
	return 0;
}

static enum MHD_Result
on_ops_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	       const char *version, const char *upload_data, size_t *upload_data_size,
	       void **req_cls)
{
	struct http_server *srv = cls;
	struct buf b;
	char why[200];

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		*req_cls = (void *)1;
		return MHD_YES;
	}
	*upload_data_size = 0;
	buf_init(&b, 1 << 20);
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		if (buf_printf(&b, "method not allowed\n") != 0)
			return MHD_NO;
		return ops_send(conn, 405, "text/plain", buf_steal(&b), b.len);
	}
	if (strcmp(url, "/healthz") == 0) {
		if (buf_printf(&b, "ok\n") != 0)
			return MHD_NO;
		return ops_send(conn, 200, "text/plain", buf_steal(&b), 3);
	}
	if (strcmp(url, "/readyz") == 0) {
		size_t n;
		int st = ready_check(srv, why, sizeof(why)) == 0 ? 200 : 503;
		if (buf_printf(&b, "%s\n", st == 200 ? "ready" : why) != 0)
			return MHD_NO;
		n = b.len;
		return ops_send(conn, st, "text/plain", buf_steal(&b), n);
	}
	if (strcmp(url, "/metrics") == 0) {
		size_t n;
		int open;
		unsigned long discarded;
		db_pool_sessions(&open, &discarded);
		if (metrics_render(&b, db_pool_in_use(), db_pool_size(), db_pool_up(),
				   notify_parked(), open, discarded) != 0) {
			buf_free(&b);
			return MHD_NO;
		}
		n = b.len;
		return ops_send(conn, 200, "text/plain; version=0.0.4", buf_steal(&b), n);
	}
	if (buf_printf(&b, "not found\n") != 0)
		return MHD_NO;
	return ops_send(conn, 404, "text/plain", buf_steal(&b), 10);
}

static int
sockaddr_for(const char *addr, long port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -1;
}

static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_warnx("http: %s", msg);
}

int
http_start(const struct config *cfg, long schema_version, struct http_server **out)
{
	struct http_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_storage api_addr, ops_addr, browser_addr;
	/* poll(), not epoll: with epoll, libmicrohttpd 0.9.75 spins on a TLS
	 * connection whose handshake record arrived only in part — 100 such
	 * sockets took 177 % of the two cores (make faults, scenario
	 * slowloris).  poll() per worker thread is O(connections of that
	 * thread), a few dozen here. */
	unsigned int flags =
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned int api_flags = flags | MHD_USE_TLS | MHD_ALLOW_SUSPEND_RESUME;

	if (srv == NULL)
		return -1;
	srv->cfg = cfg;
	srv->schema_version = schema_version;
	srv->api_listener = (struct listener){srv, false};
	srv->browser_listener = (struct listener){srv, true};
	if (sockaddr_for(cfg->listen_addr, cfg->listen_port, &api_addr) != 0) {
		log_warnx("REFGW_LISTEN_ADDR: not an IP address: %s", cfg->listen_addr);
		goto fail;
	}
	if (sockaddr_for(cfg->ops_addr, cfg->ops_port, &ops_addr) != 0) {
		log_warnx("REFGW_OPS_ADDR: not an IP address: %s", cfg->ops_addr);
		goto fail;
	}
	if (read_file(cfg->tls_cert, 1 << 20, &srv->cert_pem, NULL) != 0) {
		log_warn("REFGW_TLS_CERT: cannot read %s", cfg->tls_cert);
		goto fail;
	}
	if (read_file(cfg->tls_key, 1 << 20, &srv->key_pem, &srv->key_len) != 0) {
		log_warn("REFGW_TLS_KEY: cannot read %s", cfg->tls_key);
		goto fail;
	}
	if (read_file(cfg->tls_client_ca, 1 << 20, &srv->ca_pem, NULL) != 0) {
		log_warn("REFGW_TLS_CLIENT_CA: cannot read %s", cfg->tls_client_ca);
		goto fail;
	}
	if (notify_start(cfg->database_url, wake_request, cfg->event_poll_ms, cfg->housekeeping_s,
			 cfg->ending_soon_days, &cfg->retention) != 0) {
		log_warnx("cannot start the event listener");
		goto fail;
	}
	srv->api = MHD_start_daemon(
		api_flags, 0, NULL, NULL, on_api_request, &srv->api_listener,
		MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_SOCK_ADDR, &api_addr,
		MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem,
		MHD_OPTION_HTTPS_MEM_TRUST, srv->ca_pem, MHD_OPTION_HTTPS_PRIORITIES,
		cfg->tls_priorities, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
		on_connection, &srv->api_listener, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_URI_LOG_CALLBACK, on_request_target, srv,
		/* libmicrohttpd keeps each connection's memory pool while it is
		 * kept alive: 32 KiB by default, 59 MB for 1 000 idle connections;
		 * 16 KiB (headers up to ~8 KiB, bodies stream through) gives 43 MB. */
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
	/* The browser listener: the same server certificate and key (and their
	 * reload: tls_peer_start switches each connection to the current
	 * material), no client CA: no certificate is requested. */
	if (srv->api != NULL && cfg->browser_port != 0) {
		if (sockaddr_for(cfg->browser_addr, cfg->browser_port < 0 ? 0 : cfg->browser_port,
				 &browser_addr) != 0) {
			log_warnx("REFGW_BROWSER_ADDR: not an IP address: %s", cfg->browser_addr);
			wipe(srv->key_pem, srv->key_len);
			goto fail;
		}
		srv->browser = MHD_start_daemon(
			api_flags, 0, NULL, NULL, on_api_request, &srv->browser_listener,
			MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_SOCK_ADDR,
			&browser_addr, MHD_OPTION_HTTPS_MEM_CERT, srv->cert_pem,
			MHD_OPTION_HTTPS_MEM_KEY, srv->key_pem, MHD_OPTION_HTTPS_PRIORITIES,
			cfg->tls_priorities, MHD_OPTION_THREAD_POOL_SIZE, 2u,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->max_connections,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout_s,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
			MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv->browser_listener,
			MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_URI_LOG_CALLBACK,
			on_request_target, srv, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
			MHD_OPTION_END);
		if (srv->browser == NULL) {
			log_warnx("cannot start the browser listener on %s:%ld (port in use?)",
				  cfg->browser_addr, cfg->browser_port);
			wipe(srv->key_pem, srv->key_len);
			goto fail;
		}
	}
	/* The private key is in GnuTLS's credentials now; our copy goes. */
	wipe(srv->key_pem, srv->key_len);
	if (srv->api == NULL) {
		log_warnx(
			"cannot start the API listener on %s:%ld (port in use, or bad TLS material "
			"in REFGW_TLS_CERT / REFGW_TLS_KEY / REFGW_TLS_CLIENT_CA)",
			cfg->listen_addr, cfg->listen_port);
		goto fail;
	}
	srv->ops = MHD_start_daemon(flags, 0, NULL, NULL, on_ops_request, srv,
				    MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL, MHD_OPTION_SOCK_ADDR,
				    &ops_addr, MHD_OPTION_CONNECTION_LIMIT, 64u,
				    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (srv->ops == NULL) {
		log_warnx("cannot start the operations listener on %s:%ld", cfg->ops_addr,
			  cfg->ops_port);
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	http_stop(srv, 0);
	return -1;
}

static int
port_of(struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di =
		d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;

	return di ? di->port : -1;
}

int
http_api_port(const struct http_server *s)
{
	return port_of(s->api);
}

int
http_ops_port(const struct http_server *s)
{
	return port_of(s->ops);
}

int
http_browser_port(const struct http_server *s)
{
	return s->browser ? port_of(s->browser) : 0;
}

void
http_stop(struct http_server *srv, long grace_s)
{
	uint64_t deadline;

	if (srv == NULL)
		return;
	if (srv->api) {
		/* No new connections; requests already running finish. */
		MHD_socket fd = MHD_quiesce_daemon(srv->api);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
		if (srv->browser) {
			fd = MHD_quiesce_daemon(srv->browser);
			if (fd != MHD_INVALID_SOCKET)
				close(fd);
		}
		/* Parked long-polls answer now, and no new one parks. */
		notify_stop();
		deadline = now_monotonic_us() + (uint64_t)grace_s * 1000000u;
		while (atomic_load(&srv->in_flight) > 0 && now_monotonic_us() < deadline)
			usleep(10000);
		MHD_stop_daemon(srv->api);
		if (srv->browser)
			MHD_stop_daemon(srv->browser);
	}
	if (srv->ops)
		MHD_stop_daemon(srv->ops);
	notify_stop();
	free(srv->cert_pem);
	free(srv->key_pem);
	free(srv->ca_pem);
	free(srv);
}
