/* router: the route table (the whole API on one screen) and the dispatch of
 * one authenticated request: one transaction, the calling organisation set
 * for row-level security, a permission check, the handler, commit. */
#ifndef REFGW_ROUTER_H
#define REFGW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

struct route {
	enum http_method method;
	const char *pattern; /* segments; {id} is a UUID, {sha256} 64 hex digits */
	int (*handler)(struct request *r);
	const char *action; /* access rule the caller needs; NULL: any organisation */
	const char *name;   /* metrics label */
	bool idempotent;    /* a creating POST: honours Idempotency-Key */
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

/* The thread that re-reads stale identity cache entries (idcache.h):
 * started before requests are served, stopped after the last one. */
int router_start(void) MUSTCHECK;
void router_stop(void);

/* Runs the request whose TLS peer was verified with this fingerprint. */
void router_dispatch(struct request *r, const char *cert_sha256);

#endif
