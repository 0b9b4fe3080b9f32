/* router: the route table (the whole API on one screen) and the dispatch of
 * one request: one transaction in which identity.c authenticates the caller
 * and sets it for row-level security, a permission check, the handler,
 * commit. */
#ifndef REFGW_ROUTER_H
#define REFGW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

enum route_flag {
	/* A creating POST: honours Idempotency-Key. */
	ROUTE_IDEMPOTENT = 1 << 0,
	/* Answered from the identity cache when it may be (identity.h), without
	 * a transaction: a GET that needs no action, whose handler renders from
	 * r->who and r->caller_actions when it has no connection. */
	ROUTE_IDENTITY_CACHE = 1 << 1,
	/* Commits a change the identity cache depends on (organisations,
	 * certificates, access rules; schema/014 notifies the same): the cache
	 * serves nothing read before it. */
	ROUTE_CHANGES_IDENTITY = 1 << 2,
	/* Only on the browser listener (sessions and accounts, schema/052): a
	 * partner system's listener answers 404. */
	ROUTE_BROWSER_ONLY = 1 << 3,
	/* Only with a client certificate (it is about the certificate: /v1/me,
	 * rotation, confirmation): the browser listener answers 404. */
	ROUTE_CERTIFICATE_ONLY = 1 << 4,
	/* Before a session exists (sign-in, activation): no authentication,
	 * the Origin check alone; the handler reads what it needs through
	 * SECURITY DEFINER functions. */
	ROUTE_NO_SESSION = 1 << 5,
	/* Commits what a refusal wrote too (the sign-in throttle's counters). */
	ROUTE_COMMIT_REFUSALS = 1 << 6,
};

struct route {
	enum http_method method;
	const char *pattern; /* segments; {id} is a UUID, {sha256} 64 hex digits */
	int (*handler)(struct request *r);
	const char *action; /* access rule the caller needs; NULL: any organisation */
	const char *name;   /* metrics label */
	unsigned flags;     /* enum route_flag */
};

extern const struct route routes[];
extern const size_t nroutes;

/* Finds the route for method and path, filling params.  When the path
 * exists under other methods only, returns NULL and sets *allow to the
 * methods' bit mask; when it does not exist, NULL and *allow = 0. */
const struct route *router_match(enum http_method method, const char *path,
				 char params[][ROUTE_PARAM_MAX], int *nparams, int *allow);

/* Writes "GET, POST" for a method mask. */
void router_allow_header(int allow, char *out, size_t outlen);

/* Runs the request whose TLS peer was verified with this fingerprint, or,
 * on the browser listener (r->browser, cert_sha256 NULL), the request of a
 * session cookie: the Origin and CSRF checks, then the same routes. */
void router_dispatch(struct request *r, const char *cert_sha256);

#endif
