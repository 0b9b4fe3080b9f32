/* metrics: counters for /metrics (Prometheus text format), lock-free. */
#ifndef REFGW_METRICS_H
#define REFGW_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tls.h"
#include "util.h"

/* route_index: index in the route table, or -1 for no route. */
void metrics_request(int route_index, int status, uint64_t duration_us);
void metrics_tls_refusal(enum tls_verdict v);
void metrics_refusal(const char *slug);
/* GET /v1/me answered from the identity cache (hit) or the database. */
void metrics_identity_cache(bool hit);
/* An identity cache entry re-read in the background. */
void metrics_identity_refresh(void);
/* The notify thread read the event heads of the organisations whose
 * long-polls wait. */
void metrics_event_head_read(void);
/* A client certificate authenticated (once per connection): its days left
 * appear in /metrics. */
void metrics_client_certificate(const char *sha256_hex, const char *organisation, time_t not_after,
				time_t now);
/* Every active registered client certificate (housekeeping reads them from
 * the database): from then on /metrics shows these, not only the ones seen. */
#define METRICS_CERTS_MAX 1024
struct metrics_cert {
	char sha256[65];
	char organisation[201];
	time_t not_after;
};
void metrics_set_registered_certificates(const struct metrics_cert *certs, size_t n);
/* This instance's housekeeping applied the retention schedule (it held the
 * lock): what it removed, per category (retention.h's order). */
void metrics_retention(const long *removed, size_t n, time_t at);
/* Renders everything (pool figures passed in to keep the arrows one way). */
int metrics_render(struct buf *out, int pool_in_use, int pool_size, int pool_up,
		   int long_polls_parked, int pool_open, unsigned long pool_discarded) MUSTCHECK;

#endif
