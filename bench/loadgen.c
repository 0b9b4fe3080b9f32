/* loadgen: a small closed-loop HTTPS load generator that presents a client
 * certificate.  N threads, each with its own libcurl handle; keep-alive by
 * default (--new-connections: a full mTLS handshake per request).  Prints
 * throughput and latency percentiles, and counts non-2xx answers so that an
 * error is never measured as throughput.
 *
 *   loadgen --url URL --cert C --key K --cacert CA [-c 16] [-d 10] [--new-connections]
 *           [--body JSON] [--idempotency-keys] [--rate R]
 * --idempotency-keys: each request carries an Idempotency-Key of its own
 * (never a replay), as a partner that retries safely sends them.
 * --rate R: open loop.  Request i is due at start + i/R whatever became of
 * the ones before, and its latency counts from when it was due, not from when
 * a connection was free to send it (wrk2's correction for coordinated
 * omission): a server that stalls shows its stall in every request that was
 * due meanwhile.  -c is then the number of connections, the most requests in
 * flight at once; the rate achieved is printed beside the one asked.  A slot
 * due before -d ends is sent late if the server is behind, but not after a
 * second -d: unsent= counts the slots due that were never sent.
 */
#include <curl/curl.h>
#include <errno.h>
#include <math.h> /* isfinite: a macro, no libm */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *url, *cert, *key, *cacert, *body;
	int conc, secs, fresh, idem;
	double rate;                /* requests per second, open loop; 0: closed loop */
	double start;               /* when request 0 is due */
	atomic_ulong next_due;      /* the next request to send, open loop */
	pthread_barrier_t warm, go; /* open loop: every connection made before request 0 is due */
};

struct worker {
	struct opts *o;
	double stop_at;
	uint32_t *lat_us;
	size_t n, cap;
	unsigned long non2xx, errors;
	int id, warmed; /* open loop: the request outside the measure was answered 2xx */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

static void *
run(void *arg)
{
	struct worker *w = arg;
	CURL *h = curl_easy_init();
	struct curl_slist *hl = NULL;

	curl_easy_setopt(h, CURLOPT_URL, w->o->url);
	curl_easy_setopt(h, CURLOPT_SSLCERT, w->o->cert);
	curl_easy_setopt(h, CURLOPT_SSLKEY, w->o->key);
	curl_easy_setopt(h, CURLOPT_CAINFO, w->o->cacert);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L); /* a stalled server: an error, not a hang */
	curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L); /* full handshakes when fresh */
	if (w->o->fresh)
		curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
	if (w->o->body) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, w->o->body);
	}
	if (w->o->rate > 0) {
		/* One request outside the measure, so that the connection's
		 * handshake is not charged to the first requests due. */
		long code = 0;
		if (curl_easy_perform(h) == CURLE_OK &&
		    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK &&
		    code >= 200 && code <= 299)
			w->warmed = 1;
		pthread_barrier_wait(&w->o->warm);
		pthread_barrier_wait(&w->o->go);
	}
	for (;;) {
		double t0 = now_s();
		long code = 0;

		if (w->o->rate > 0) {
			unsigned long i = atomic_fetch_add(&w->o->next_due, 1);
			double due = w->o->start + (double)i / w->o->rate;
			/* The slots due before stop_at, sent late if the server
			 * is behind, but no later than one more duration: what
			 * was due and never sent is printed (unsent=). */
			if (due >= w->stop_at || t0 >= w->stop_at + w->o->secs)
				break;
			if (due > t0) {
				struct timespec ts = {
					.tv_sec = (time_t)due,
					.tv_nsec = (long)((due - (double)(time_t)due) * 1e9)};
				while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
				       EINTR)
					;
			}
			t0 = due;
		} else if (t0 >= w->stop_at)
			break;
		if (w->o->idem) {
			char key[96];
			snprintf(key, sizeof(key), "Idempotency-Key: lg-%ld-%d-%zu-%lu",
				 (long)getpid(), w->id, w->n, w->errors);
			curl_slist_free_all(hl);
			hl = curl_slist_append(NULL, "Content-Type: application/json");
			hl = curl_slist_append(hl, key);
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
		}
		if (curl_easy_perform(h) != CURLE_OK) {
			w->errors++;
			continue;
		}
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		if (code < 200 || code > 299)
			w->non2xx++;
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 65536;
			w->lat_us = realloc(w->lat_us, w->cap * sizeof(*w->lat_us));
		}
		w->lat_us[w->n++] = (uint32_t)((now_s() - t0) * 1e6);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct opts o = {.conc = 16, .secs = 10};
	struct worker *w;
	pthread_t *t;
	uint32_t *all;
	size_t total = 0, k = 0;
	unsigned long non2xx = 0, errors = 0;
	int warmed = 0;
	double start, elapsed;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--new-connections") == 0) {
			o.fresh = 1;
			continue;
		}
		if (strcmp(a, "--idempotency-keys") == 0) {
			o.idem = 1;
			continue;
		}
		if (v == NULL) {
			fprintf(stderr, "missing value for %s\n", a);
			return 2;
		}
		if (strcmp(a, "--url") == 0)
			o.url = v;
		else if (strcmp(a, "--cert") == 0)
			o.cert = v;
		else if (strcmp(a, "--key") == 0)
			o.key = v;
		else if (strcmp(a, "--cacert") == 0)
			o.cacert = v;
		else if (strcmp(a, "--body") == 0)
			o.body = v;
		else if (strcmp(a, "-c") == 0)
			o.conc = (int)strtol(v, NULL, 10);
		else if (strcmp(a, "-d") == 0)
			o.secs = (int)strtol(v, NULL, 10);
		else if (strcmp(a, "--rate") == 0) {
			char *end;
			o.rate = strtod(v, &end);
			if (end == v || *end != '\0' || !isfinite(o.rate) || o.rate <= 0) {
				fprintf(stderr,
					"--rate: a number of requests per second above 0\n");
				return 2;
			}
		} else {
			fprintf(stderr, "unknown option %s\n", a);
			return 2;
		}
		i++;
	}
	if (!o.url || !o.cert || !o.key || !o.cacert || o.conc < 1 || o.secs < 1 || o.rate < 0) {
		fprintf(stderr,
			"usage: loadgen --url URL --cert C --key K --cacert CA [-c N] [-d S] "
			"[--new-connections] [--body JSON] [--idempotency-keys] [--rate R]\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w = calloc((size_t)o.conc, sizeof(*w));
	t = calloc((size_t)o.conc, sizeof(*t));
	pthread_barrier_init(&o.warm, NULL, (unsigned)o.conc + 1);
	pthread_barrier_init(&o.go, NULL, (unsigned)o.conc + 1);
	/* Closed loop: the clock starts before the first thread.  Open loop:
	 * once every thread has its connection (the barriers order the
	 * writes of start and stop_at before the threads read them). */
	start = o.start = now_s();
	for (i = 0; i < o.conc; i++) {
		w[i].o = &o;
		w[i].id = i;
		w[i].stop_at = start + o.secs;
		pthread_create(&t[i], NULL, run, &w[i]);
	}
	if (o.rate > 0) {
		pthread_barrier_wait(&o.warm);
		start = o.start = now_s();
		for (i = 0; i < o.conc; i++)
			w[i].stop_at = start + o.secs;
		pthread_barrier_wait(&o.go);
	}
	for (i = 0; i < o.conc; i++) {
		pthread_join(t[i], NULL);
		total += w[i].n;
		non2xx += w[i].non2xx;
		errors += w[i].errors;
		warmed += w[i].warmed;
	}
	elapsed = now_s() - start;
	all = malloc((total ? total : 1) * sizeof(*all));
	for (i = 0; i < o.conc; i++) {
		memcpy(all + k, w[i].lat_us, w[i].n * sizeof(*all));
		k += w[i].n;
		free(w[i].lat_us);
	}
	qsort(all, total, sizeof(*all), cmp_u32);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] / 1000.0 : 0)
	printf("requests=%zu seconds=%.1f rps=%.0f concurrency=%d mode=%s non2xx=%lu errors=%lu "
	       "p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f",
	       total, elapsed, (double)total / elapsed, o.conc,
	       o.fresh ? "new-connection" : "keep-alive", non2xx, errors, PCT(0.50), PCT(0.90),
	       PCT(0.99), PCT(1.0));
	if (o.rate > 0) { /* warmup: the 2xx answers outside the measure (rows a create wrote) */
		/* the slots due: i with i / rate < secs */
		double x = (double)o.secs * o.rate, due = (double)(unsigned long)x,
		       sent = (double)total + (double)errors;
		if (due < x)
			due += 1;
		printf(" rate_asked=%.0f warmup=%d unsent=%.0f", o.rate, warmed,
		       due > sent ? due - sent : 0);
	}
	printf("\n");
	free(all);
	pthread_barrier_destroy(&o.warm);
	pthread_barrier_destroy(&o.go);
	free(w);
	free(t);
	curl_global_cleanup();
	return non2xx || errors ? 1 : 0;
}
