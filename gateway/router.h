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

/* Runs the request whose TLS peer was verified with this fingerprint. */
void router_dispatch(struct request *r, const char *cert_sha256);

#endif
