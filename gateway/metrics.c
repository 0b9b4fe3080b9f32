/* metrics: requests by route and status, a latency histogram, refusals by
 * reason, pool use.  Relaxed atomics: figures, not synchronisation. */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keyring.h"
#include "keystore.h"
#include "messages.h"
#include "retention.h"
#include "router.h"

#define MAX_ROUTES 128
static const int status_codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
				   409, 412, 413, 415, 422, 428, 429, 500, 503};
#define NSTATUS (ARRAY_LEN(status_codes) + 1) /* + "other" */
static const double buckets_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				   0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS ARRAY_LEN(buckets_s)

static atomic_ulong requests[MAX_ROUTES + 1][NSTATUS];
static atomic_ulong latency_le[NBUCKETS + 1]; /* last = +Inf */
static atomic_ulong latency_sum_us, latency_count;
static atomic_ulong tls_refusals[TLS_VERDICT_COUNT];
static atomic_ulong identity_cache[2]; /* misses, hits */
static atomic_ulong identity_refreshes;
static atomic_ulong event_head_reads;
static atomic_ulong retention_removed[RETENTION_CATEGORIES];
static atomic_llong retention_last_run; /* seconds since the epoch; 0: never */

/* Client certificates that authenticated at this instance, for their days
 * left, until housekeeping has read every registered one (below).  Bounded;
 * the least recently seen goes. */
#define CLIENT_CERTS_MAX 256
static struct client_cert {
	char sha256[65];
	char organisation[201];
	time_t not_after, last_seen;
} client_certs[CLIENT_CERTS_MAX];
static pthread_mutex_t client_certs_lock = PTHREAD_MUTEX_INITIALIZER;
/* Every active registered certificate, as housekeeping last read it
 * (refgw_certificate_expiries(), schema/019); until its first read, or while
 * it cannot read, the table above stands in.  Same lock. */
static struct metrics_cert registered[METRICS_CERTS_MAX];
static long registered_n = -1;

#ifndef REFGW_VERSION
#define REFGW_VERSION "unknown"
#endif

static const char *const refusal_slugs[] = {"certificate-unknown", "certificate-revoked",
					    "organisation-suspended"};
static atomic_ulong refusals[ARRAY_LEN(refusal_slugs)];

void
metrics_request(int route_index, int status, uint64_t duration_us)
{
	size_t s, b,
		ri = route_index >= 0 && route_index < MAX_ROUTES ? (size_t)route_index + 1 : 0;

	for (s = 0; s < ARRAY_LEN(status_codes); s++)
		if (status_codes[s] == status)
			break;
	atomic_fetch_add_explicit(&requests[ri][s], 1, memory_order_relaxed);
	for (b = 0; b < NBUCKETS; b++)
		if ((double)duration_us <= buckets_s[b] * 1e6)
			break;
	atomic_fetch_add_explicit(&latency_le[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us, duration_us, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_count, 1, memory_order_relaxed);
}

void
metrics_tls_refusal(enum tls_verdict v)
{
	if ((unsigned)v < TLS_VERDICT_COUNT)
		atomic_fetch_add_explicit(&tls_refusals[v], 1, memory_order_relaxed);
}

void
metrics_identity_cache(bool hit)
{
	atomic_fetch_add_explicit(&identity_cache[hit], 1, memory_order_relaxed);
}

void
metrics_identity_refresh(void)
{
	atomic_fetch_add_explicit(&identity_refreshes, 1, memory_order_relaxed);
}

void
metrics_event_head_read(void)
{
	atomic_fetch_add_explicit(&event_head_reads, 1, memory_order_relaxed);
}

void
metrics_retention(const long *removed, size_t n, time_t at)
{
	size_t i;

	for (i = 0; i < n && i < RETENTION_CATEGORIES; i++)
		if (removed[i] > 0)
			atomic_fetch_add_explicit(&retention_removed[i], (unsigned long)removed[i],
						  memory_order_relaxed);
	atomic_store(&retention_last_run, (long long)at);
}

void
metrics_refusal(const char *slug)
{
	size_t i;

	for (i = 0; slug && i < ARRAY_LEN(refusal_slugs); i++)
		if (strcmp(slug, refusal_slugs[i]) == 0)
			atomic_fetch_add_explicit(&refusals[i], 1, memory_order_relaxed);
}

void
metrics_client_certificate(const char *sha256_hex, const char *organisation, time_t not_after,
			   time_t now)
{
	size_t i, slot = 0;

	pthread_mutex_lock(&client_certs_lock);
	for (i = 0; i < CLIENT_CERTS_MAX; i++) {
		if (strcmp(client_certs[i].sha256, sha256_hex) == 0) {
			slot = i;
			break;
		}
		if (client_certs[i].last_seen < client_certs[slot].last_seen)
			slot = i; /* empty (0) or least recently seen */
	}
	snprintf(client_certs[slot].sha256, sizeof(client_certs[slot].sha256), "%s", sha256_hex);
	snprintf(client_certs[slot].organisation, sizeof(client_certs[slot].organisation), "%s",
		 organisation);
	client_certs[slot].not_after = not_after;
	client_certs[slot].last_seen = now;
	pthread_mutex_unlock(&client_certs_lock);
}

void
metrics_set_registered_certificates(const struct metrics_cert *certs, size_t n)
{
	if (n > METRICS_CERTS_MAX)
		n = METRICS_CERTS_MAX;
	pthread_mutex_lock(&client_certs_lock);
	memcpy(registered, certs, n * sizeof(*certs));
	registered_n = (long)n;
	pthread_mutex_unlock(&client_certs_lock);
}

/* A label value in the text format: backslash, quote and newline escaped. */
static int
label_value(struct buf *o, const char *v)
{
	int rc = 0;

	for (; *v && rc == 0; v++) {
		if (*v == '\\' || *v == '"')
			rc = buf_printf(o, "\\%c", *v);
		else if (*v == '\n')
			rc = buf_printf(o, "\\n");
		else
			rc = buf_append(o, v, 1);
	}
	return rc;
}

static int
render_certificates(struct buf *o, time_t now)
{
	char sha[65];
	time_t not_after;
	size_t i;
	int rc = 0;

	rc |= buf_printf(o,
			 "# HELP refgw_build_info The gateway's version and the schema version it "
			 "needs.\n# TYPE refgw_build_info gauge\n"
			 "refgw_build_info{version=\"%s\",schema=\"%d\"} 1\n",
			 REFGW_VERSION, REFGW_SCHEMA_VERSION);
	if (tls_server_certificate(&not_after, sha) == 0)
		rc |= buf_printf(o,
				 "# HELP refgw_server_certificate_expiry_days Days left before the "
				 "server certificate (as last loaded) expires.\n"
				 "# TYPE refgw_server_certificate_expiry_days gauge\n"
				 "refgw_server_certificate_expiry_days{sha256=\"%s\"} %.3f\n",
				 sha, difftime(not_after, now) / 86400.0);
	rc |= buf_printf(o, "# HELP refgw_client_certificate_expiry_days Days left before each "
			    "active registered client certificate expires (before housekeeping's "
			    "first read: those that authenticated at this instance).\n"
			    "# TYPE refgw_client_certificate_expiry_days gauge\n");
	pthread_mutex_lock(&client_certs_lock);
	for (i = 0; registered_n >= 0 && i < (size_t)registered_n && rc == 0; i++) {
		rc |= buf_printf(o, "refgw_client_certificate_expiry_days{organisation=\"");
		rc |= label_value(o, registered[i].organisation);
		rc |= buf_printf(o, "\",sha256=\"%s\"} %.3f\n", registered[i].sha256,
				 difftime(registered[i].not_after, now) / 86400.0);
	}
	for (i = 0; registered_n < 0 && i < CLIENT_CERTS_MAX && rc == 0; i++) {
		if (client_certs[i].last_seen == 0)
			continue;
		rc |= buf_printf(o, "refgw_client_certificate_expiry_days{organisation=\"");
		rc |= label_value(o, client_certs[i].organisation);
		rc |= buf_printf(o, "\",sha256=\"%s\"} %.3f\n", client_certs[i].sha256,
				 difftime(client_certs[i].not_after, now) / 86400.0);
	}
	pthread_mutex_unlock(&client_certs_lock);
	return rc;
}

/* The key store's cache and errors, and the id (never the key) of the
 * master key that wraps new data keys. */
static int
render_keys(struct buf *o)
{
	struct keystore_stats ks;
	char id[KEYRING_ID_MAX + 1];
	int rc = 0;

	keystore_stats(&ks);
	keyring_current_id(id);
	rc |= buf_printf(
		o,
		"# HELP refgw_key_cache_hits_total Persons' data keys found unwrapped in "
		"this instance's cache.\n"
		"# TYPE refgw_key_cache_hits_total counter\n"
		"refgw_key_cache_hits_total %lu\n"
		"# HELP refgw_key_cache_misses_total Persons' data keys read from the key "
		"store (and unwrapped).\n"
		"# TYPE refgw_key_cache_misses_total counter\n"
		"refgw_key_cache_misses_total %lu\n"
		"# HELP refgw_key_absent_total Data keys asked for and not in the key store "
		"(erased persons).\n"
		"# TYPE refgw_key_absent_total counter\n"
		"refgw_key_absent_total %lu\n"
		"# HELP refgw_keystore_errors_total Key store failures: unreachable, or a "
		"data key that does not open with the master keys.\n"
		"# TYPE refgw_keystore_errors_total counter\n"
		"refgw_keystore_errors_total %lu\n"
		"# HELP refgw_message_misses_total Messages answered in English because the "
		"catalogue lacks them (gateway/messages.c); each is logged once.\n"
		"# TYPE refgw_message_misses_total counter\n"
		"refgw_message_misses_total %lu\n",
		ks.hits, ks.misses, ks.absent, ks.errors, msg_misses());
	if (id[0])
		rc |= buf_printf(o,
				 "# HELP refgw_master_key_info The master key that wraps new data "
				 "keys (its id only).\n"
				 "# TYPE refgw_master_key_info gauge\n"
				 "refgw_master_key_info{id=\"%s\"} 1\n",
				 id);
	return rc;
}

int
metrics_render(struct buf *o, int pool_in_use, int pool_size, int pool_up, int long_polls_parked,
	       int pool_open, unsigned long pool_discarded)
{
	size_t r, s, b;
	unsigned long cum = 0;
	int rc = 0;

	rc |= buf_printf(o, "# HELP refgw_requests_total API requests by route and status.\n"
			    "# TYPE refgw_requests_total counter\n");
	for (r = 0; r <= nroutes && r <= MAX_ROUTES; r++) {
		for (s = 0; s < NSTATUS; s++) {
			unsigned long n =
				atomic_load_explicit(&requests[r][s], memory_order_relaxed);
			char code[8];
			if (n == 0)
				continue;
			if (s < ARRAY_LEN(status_codes))
				snprintf(code, sizeof(code), "%d", status_codes[s]);
			else
				snprintf(code, sizeof(code), "other");
			rc |= buf_printf(o,
					 "refgw_requests_total{route=\"%s\",status=\"%s\"} %lu\n",
					 r == 0 ? "none" : routes[r - 1].name, code, n);
		}
	}
	rc |= buf_printf(o, "# HELP refgw_request_duration_seconds API request latency.\n"
			    "# TYPE refgw_request_duration_seconds histogram\n");
	for (b = 0; b <= NBUCKETS; b++) {
		cum += atomic_load_explicit(&latency_le[b], memory_order_relaxed);
		if (b < NBUCKETS)
			rc |= buf_printf(o,
					 "refgw_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
					 buckets_s[b], cum);
		else
			rc |= buf_printf(
				o, "refgw_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	}
	rc |= buf_printf(o, "refgw_request_duration_seconds_sum %.6f\n",
			 (double)atomic_load(&latency_sum_us) / 1e6);
	rc |= buf_printf(o, "refgw_request_duration_seconds_count %lu\n",
			 atomic_load(&latency_count));
	rc |= buf_printf(o,
			 "# HELP refgw_tls_refusals_total Requests refused by client certificate "
			 "checks, by reason.\n# TYPE refgw_tls_refusals_total counter\n");
	for (s = 1; s < TLS_VERDICT_COUNT; s++)
		rc |= buf_printf(o, "refgw_tls_refusals_total{reason=\"%s\"} %lu\n",
				 tls_verdict_name((enum tls_verdict)s),
				 atomic_load(&tls_refusals[s]));
	for (s = 0; s < ARRAY_LEN(refusal_slugs); s++)
		rc |= buf_printf(o, "refgw_tls_refusals_total{reason=\"%s\"} %lu\n",
				 refusal_slugs[s], atomic_load(&refusals[s]));
	rc |= buf_printf(o,
			 "# HELP refgw_tls_peer_cache_hits_total New connections whose certificate "
			 "chain was already verified by this process.\n"
			 "# TYPE refgw_tls_peer_cache_hits_total counter\n"
			 "refgw_tls_peer_cache_hits_total %lu\n",
			 tls_peer_cache_hits());
	rc |= buf_printf(o,
			 "# HELP refgw_identity_cache_total GET /v1/me answered from the identity "
			 "cache (hit) or the database (miss).\n"
			 "# TYPE refgw_identity_cache_total counter\n"
			 "refgw_identity_cache_total{result=\"hit\"} %lu\n"
			 "refgw_identity_cache_total{result=\"miss\"} %lu\n"
			 "# HELP refgw_identity_refreshes_total Identity cache entries re-read in "
			 "the background, off the request path.\n"
			 "# TYPE refgw_identity_refreshes_total counter\n"
			 "refgw_identity_refreshes_total %lu\n",
			 atomic_load(&identity_cache[1]), atomic_load(&identity_cache[0]),
			 atomic_load(&identity_refreshes));
	rc |= buf_printf(o,
			 "# HELP refgw_db_pool_in_use Database connections in use.\n"
			 "# TYPE refgw_db_pool_in_use gauge\nrefgw_db_pool_in_use %d\n"
			 "# HELP refgw_db_pool_size Database pool size.\n"
			 "# TYPE refgw_db_pool_size gauge\nrefgw_db_pool_size %d\n"
			 "# HELP refgw_db_up Whether PostgreSQL is reachable.\n"
			 "# TYPE refgw_db_up gauge\nrefgw_db_up %d\n"
			 "# HELP refgw_long_polls_parked GET /v1/events?wait= requests waiting for "
			 "news.\n"
			 "# TYPE refgw_long_polls_parked gauge\nrefgw_long_polls_parked %d\n"
			 "# HELP refgw_event_head_reads_total Reads of the event heads of the "
			 "organisations whose long-polls wait (none while none waits).\n"
			 "# TYPE refgw_event_head_reads_total counter\n"
			 "refgw_event_head_reads_total %lu\n",
			 pool_in_use, pool_size, pool_up, long_polls_parked,
			 atomic_load(&event_head_reads));
	rc |= buf_printf(o,
			 "# HELP refgw_db_pool_open Database connections the pool holds open.\n"
			 "# TYPE refgw_db_pool_open gauge\nrefgw_db_pool_open %d\n"
			 "# HELP refgw_db_pool_discarded_total Pool connections ended because "
			 "they were lost (found ended by the server, or broken by a request).\n"
			 "# TYPE refgw_db_pool_discarded_total counter\n"
			 "refgw_db_pool_discarded_total %lu\n",
			 pool_open, pool_discarded);
	rc |= buf_printf(o, "# HELP refgw_retention_removed_total Rows of personal data this "
			    "instance's housekeeping removed under the retention schedule, by "
			    "category (consent_*: evidence set to null).\n"
			    "# TYPE refgw_retention_removed_total counter\n");
	for (s = 0; s < RETENTION_CATEGORIES; s++)
		rc |= buf_printf(o, "refgw_retention_removed_total{category=\"%s\"} %lu\n",
				 retention_categories[s], atomic_load(&retention_removed[s]));
	rc |= buf_printf(o,
			 "# HELP refgw_retention_last_run_timestamp_seconds When this instance's "
			 "housekeeping last applied the retention schedule (0: not yet).\n"
			 "# TYPE refgw_retention_last_run_timestamp_seconds gauge\n"
			 "refgw_retention_last_run_timestamp_seconds %lld\n",
			 (long long)atomic_load(&retention_last_run));
	rc |= render_keys(o);
	rc |= render_certificates(o, time(NULL));
	return rc ? -1 : 0;
}
