/* http: the only module that includes microhttpd.h.  Three listeners: the
 * mutual-TLS API, the browser listener (server certificate only: people
 * signed in by session, /console/ and the same /v1 routes; 0 turns it off)
 * and the plain-HTTP operations listener (/healthz, /readyz, /metrics,
 * bound to localhost by default). */
#ifndef REFGW_HTTP_H
#define REFGW_HTTP_H

#include "config.h"
#include "util.h"

struct http_server;

int http_start(const struct config *cfg, long schema_version, struct http_server **out) MUSTCHECK;
/* Ports actually bound (useful when configured as 0). */
int http_api_port(const struct http_server *s);
int http_ops_port(const struct http_server *s);
/* The browser listener's port; 0 when it is off. */
int http_browser_port(const struct http_server *s);
/* Stops accepting, lets in-flight requests finish (up to grace seconds),
 * then closes everything. */
void http_stop(struct http_server *s, long grace_s);

#endif
