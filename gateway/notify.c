/* notify: the long-polls' wake-ups (reading the event heads while some
 * wait), LISTEN refgw_identity and refgw_erased, and housekeeping, on a
 * dedicated connection in its own thread. */
#include "notify.h"

#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "keystore.h"
#include "log.h"
#include "metrics.h"
#include "retention.h"
#include "statements.h"
#include "util.h"

struct parked {
	char org[37];
	int64_t after;
	uint64_t deadline_us;
	void *ctx;
	struct parked *next;
};

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool running, stop, up;
	char *conninfo;
	notify_wake_fn wake;
	struct parked *parked;
	int nparked;
	int wake_pipe[2]; /* re-arms poll() when a request parks */
	uint64_t poll_us; /* event heads read every poll_us while requests wait */
	/* refgw_identity notifications and listener (re)connections; read on
	 * every GET /v1/me, so without the lock. */
	atomic_ulong identity_gen;
	atomic_bool identity_up;
	long housekeeping_s;
	char ending_days[16];
	struct retention_schedule retention;
} n = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake_pipe = {-1, -1}};

bool
notify_park(const char *org, int64_t after, uint64_t deadline_us, void *ctx)
{
	struct parked *p;
	bool parked = false;

	pthread_mutex_lock(&n.lock);
	if (n.up && !n.stop && (p = calloc(1, sizeof(*p))) != NULL) {
		memcpy(p->org, org, 36);
		p->after = after;
		p->deadline_us = deadline_us;
		p->ctx = ctx;
		p->next = n.parked;
		n.parked = p;
		n.nparked++;
		parked = true;
	}
	pthread_mutex_unlock(&n.lock);
	if (parked && n.wake_pipe[1] >= 0 && write(n.wake_pipe[1], "x", 1) < 0) {
		/* poll() will still wake at the next read of the heads */
	}
	return parked;
}

int
notify_parked(void)
{
	int c;

	pthread_mutex_lock(&n.lock);
	c = n.nparked;
	pthread_mutex_unlock(&n.lock);
	return c;
}

/* Unlinks the entries of org whose cursor is below head, or all, or those
 * past now; wakes them after the lock is released. */
static void
wake_matching(const char *org, int64_t head, uint64_t now_us, bool all)
{
	struct parked **pp, *p, *woken = NULL;

	pthread_mutex_lock(&n.lock);
	for (pp = &n.parked; (p = *pp) != NULL;) {
		if (all || (org && p->after < head && strcmp(p->org, org) == 0) ||
		    (now_us && p->deadline_us <= now_us)) {
			*pp = p->next;
			p->next = woken;
			woken = p;
			n.nparked--;
		} else {
			pp = &p->next;
		}
	}
	pthread_mutex_unlock(&n.lock);
	while ((p = woken) != NULL) {
		woken = p->next;
		n.wake(p->ctx);
		free(p);
	}
}

void
notify_wake_all(void)
{
	wake_matching(NULL, 0, 0, true);
}

static int
compare_org(const void *a, const void *b)
{
	return memcmp(a, b, 36);
}

/* The organisations that wait, once each, as a PostgreSQL array literal
 * ("{id,id}"); 1 when none waits, -1 when out of memory. */
static int
waiting_organisations(struct buf *out)
{
	char(*orgs)[37] = NULL;
	struct parked *p;
	size_t k = 0, i, count;
	int rc = -1;

	pthread_mutex_lock(&n.lock);
	count = (size_t)n.nparked;
	if (count > 0 && (orgs = calloc(count, sizeof(*orgs))) != NULL)
		for (p = n.parked; p && k < count; p = p->next)
			memcpy(orgs[k++], p->org, 37);
	pthread_mutex_unlock(&n.lock);
	if (count == 0)
		return 1;
	if (orgs == NULL)
		return -1;
	qsort(orgs, k, sizeof(*orgs), compare_org);
	if (buf_cat(out, "{", (char *)NULL) != 0)
		goto out;
	for (i = 0, count = 0; i < k; i++) {
		if (i > 0 && memcmp(orgs[i], orgs[i - 1], 36) == 0)
			continue;
		if (buf_cat(out, count++ ? "," : "", orgs[i], (char *)NULL) != 0)
			goto out;
	}
	rc = buf_cat(out, "}", (char *)NULL) == 0 ? 0 : -1;
out:
	free(orgs);
	return rc;
}

/* Reads the heads of the organisations that wait and wakes the waiters
 * whose organisation's head passed their cursor.  A request that parks
 * while this runs is checked at the next read: a head is never stale for
 * more than one interval. */
static void
read_event_heads(struct db_conn *c)
{
	struct buf orgs;
	struct db_res *res = NULL;
	int i, rows, w;
	long head;

	buf_init(&orgs, 16u << 20);
	if ((w = waiting_organisations(&orgs)) != 0) {
		if (w < 0)
			log_warnx("notify: event heads: out of memory");
		buf_free(&orgs);
		return;
	}
	if (db_query(c, ST_EVENT_HEADS, &res, "organisations", orgs.data, (char *)NULL) != DB_OK) {
		log_warnx("notify: event heads: %s", db_last_error(c));
		goto out;
	}
	metrics_event_head_read();
	rows = db_rows(res);
	for (i = 0; i < rows; i++)
		if (parse_long(row_val(res, i, EVENT_HEAD_SEQ), 0, LONG_MAX, &head) == 0)
			wake_matching(row_val(res, i, EVENT_HEAD_ORG), head, 0, false);
out:
	db_res_free(res);
	buf_free(&orgs);
}

static int
next_timeout_ms(uint64_t next_heads_us)
{
	uint64_t now = now_monotonic_us(), soonest = UINT64_MAX;
	struct parked *p;

	pthread_mutex_lock(&n.lock);
	for (p = n.parked; p; p = p->next)
		if (p->deadline_us < soonest)
			soonest = p->deadline_us;
	pthread_mutex_unlock(&n.lock);
	if (soonest == UINT64_MAX)
		return 1000; /* none waits: no read of the heads */
	if (next_heads_us < soonest)
		soonest = next_heads_us;
	return soonest <= now ? 0 : (int)((soonest - now) / 1000 + 1);
}

static struct db_conn *
listen_connect(void)
{
	struct db_conn *c = NULL;

	if (db_listen(n.conninfo, "LISTEN refgw_identity; LISTEN refgw_erased", &c) != DB_OK) {
		db_close(c);
		return NULL;
	}
	return c;
}

static void
on_notification(const char *channel, const char *payload)
{
	if (strcmp(channel, "refgw_identity") == 0)
		atomic_fetch_add(&n.identity_gen, 1);
	else if (strcmp(channel, "refgw_erased") == 0)
		keystore_forget(payload); /* erased through another instance (schema/050) */
}

bool
notify_identity_generation(uint64_t *gen)
{
	bool up = atomic_load(&n.identity_up);

	*gen = atomic_load(&n.identity_gen);
	return up;
}

/* Every active registered certificate's expiry, for /metrics. */
static void
read_certificate_expiries(struct db_conn *c)
{
	static struct metrics_cert certs[METRICS_CERTS_MAX]; /* only this thread */
	struct db_res *res = NULL;
	size_t i, rows;

	if (db_query(c, ST_CERTIFICATE_EXPIRIES, &res, (char *)NULL) != DB_OK) {
		log_warnx("housekeeping: certificate expiries: %s", db_last_error(c));
		db_res_free(res);
		return;
	}
	rows = (size_t)db_rows(res);
	if (rows > METRICS_CERTS_MAX)
		rows = METRICS_CERTS_MAX;
	for (i = 0; i < rows; i++) {
		long t = 0;
		snprintf(certs[i].organisation, sizeof(certs[i].organisation), "%s",
			 row_val(res, (int)i, EXPIRY_ORG));
		snprintf(certs[i].sha256, sizeof(certs[i].sha256), "%s",
			 row_val(res, (int)i, EXPIRY_SHA256));
		if (parse_long(row_val(res, (int)i, EXPIRY_NOT_AFTER), 0, LONG_MAX, &t) != 0)
			t = 0;
		certs[i].not_after = (time_t)t;
	}
	db_res_free(res);
	metrics_set_registered_certificates(certs, rows);
}

/* The retention schedule (schema/046): every instance calls it, the one
 * that takes the lock acts (the others get no row); a batch per category
 * per period, the next period goes on. */
static void
apply_retention(struct db_conn *c)
{
	struct retention_result rr;
	long total = 0;
	int k;

	if (retention_run(c, &n.retention, false, "housekeeping", &rr) != 0) {
		log_warnx("housekeeping: retention: %s", db_last_error(c));
		return;
	}
	if (!rr.ran)
		return;
	metrics_retention(rr.removed, RETENTION_CATEGORIES, time(NULL));
	for (k = 0; k < RETENTION_CATEGORIES; k++)
		total += rr.removed[k];
	if (total > 0)
		log_info(
			"housekeeping: retention removed %ld referral_data, %ld consent_withdrawn, "
			"%ld consent_expired, %ld follow_up_entries, %ld idempotency_keys",
			rr.removed[0], rr.removed[1], rr.removed[2], rr.removed[3], rr.removed[4]);
}

/* Work no request triggers: occupancies ending soon (every instance runs
 * it; the SQL functions claim each row once: occupancy.ending_soon to the
 * operator, the proposer and the referent, placement.ending_soon to the
 * referral's sender and receiver, each at its own threshold (schema/029);
 * published units whose availability ended withdrawn (unit.expired to the
 * operator, open proposals declined unit_unavailable, schema/033); the
 * retention schedule (above); and the certificates' expiries that /metrics
 * shows.  The audit chain's verification has a thread of its own
 * (chain_verify.c): seconds a step, which notifications must not wait. */
static void
housekeeping(struct db_conn *c)
{
	struct db_res *res = NULL;

	if (db_query(c, ST_NOTIFY_ENDING_SOON, &res, "days", n.ending_days, (char *)NULL) != DB_OK)
		log_warnx("housekeeping: %s", db_last_error(c));
	else if (strcmp(row_val(res, 0, ENDING_NOTIFIED), "0") != 0)
		log_info("housekeeping: %s ending-soon alerts sent",
			 row_val(res, 0, ENDING_NOTIFIED));
	db_res_free(res);
	res = NULL;
	if (db_lost(c))
		return;
	if (db_query(c, ST_WITHDRAW_EXPIRED_UNITS, &res, (char *)NULL) != DB_OK)
		log_warnx("housekeeping: expired units: %s", db_last_error(c));
	else if (strcmp(row_val(res, 0, EXPIRED_WITHDRAWN), "0") != 0)
		log_info("housekeeping: %s units whose availability ended withdrawn",
			 row_val(res, 0, EXPIRED_WITHDRAWN));
	db_res_free(res);
	/* Events no feed read numbered (schema/067): their heads move even
	 * when nobody reads. */
	if (!db_lost(c) && db_query(c, ST_EVENTS_NUMBER_ALL, NULL, (char *)NULL) != DB_OK)
		log_warnx("housekeeping: events: %s", db_last_error(c));
	if (!db_lost(c))
		apply_retention(c);
	if (!db_lost(c))
		read_certificate_expiries(c);
}

static void *
listener(void *arg)
{
	struct db_conn *c = NULL;
	int backoff_ms = 100, timeout;
	uint64_t next_housekeeping = 0, next_heads = 0;

	(void)arg;
	while (!n.stop) {
		struct pollfd fds[2];

		if (c == NULL) {
			c = listen_connect();
			pthread_mutex_lock(&n.lock);
			n.up = c != NULL;
			atomic_fetch_add(&n.identity_gen, 1);
			atomic_store(&n.identity_up, c != NULL);
			pthread_mutex_unlock(&n.lock);
			wake_matching(NULL, 0, 0, true);
			if (c == NULL) {
				struct pollfd w = {.fd = n.wake_pipe[0], .events = POLLIN};
				(void)poll(&w, 1, backoff_ms);
				backoff_ms = backoff_ms * 2 > 5000 ? 5000 : backoff_ms * 2;
				continue;
			}
			backoff_ms = 100;
		}
		fds[0].fd = db_socket(c);
		fds[0].events = POLLIN;
		fds[1].fd = n.wake_pipe[0];
		fds[1].events = POLLIN;
		if (now_monotonic_us() >= next_housekeeping) {
			housekeeping(c);
			next_housekeeping =
				now_monotonic_us() + (uint64_t)n.housekeeping_s * 1000000u;
		}
		/* A connection lost under housekeeping's query has no socket any
		 * more (-1): poll() would ignore it and the listener would never
		 * reconnect, the identity cache serving on after a PostgreSQL
		 * restart. */
		if (db_lost(c) || db_socket(c) < 0) {
			log_warnx("notify: LISTEN connection lost; reconnecting");
			atomic_store(&n.identity_up, false);
			atomic_fetch_add(&n.identity_gen, 1);
			keystore_forget_all(); /* erasures may go unheard meanwhile */
			db_close(c);
			c = NULL;
			continue;
		}
		timeout = next_timeout_ms(next_heads);
		if ((uint64_t)timeout * 1000u > next_housekeeping - now_monotonic_us())
			timeout = (int)((next_housekeeping - now_monotonic_us()) / 1000 + 1);
		if (poll(fds, 2, timeout) < 0)
			continue;
		if (fds[1].revents & POLLIN) {
			char buf[64];
			(void)!read(n.wake_pipe[0], buf, sizeof(buf));
		}
		if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			if (db_notifications(c, on_notification) != 0) {
				log_warnx("notify: LISTEN connection lost; reconnecting");
				atomic_store(&n.identity_up, false); /* the cache stops serving */
				atomic_fetch_add(&n.identity_gen, 1);
				keystore_forget_all();
				db_close(c);
				c = NULL;
				continue;
			}
		}
		/* The heads, while someone waits and at most every poll_us (a
		 * request that parks after a quiet spell is checked at once). */
		if (now_monotonic_us() >= next_heads && notify_parked() > 0) {
			read_event_heads(c);
			next_heads = now_monotonic_us() + n.poll_us;
		}
		wake_matching(NULL, 0, now_monotonic_us(), false);
	}
	db_close(c);
	return NULL;
}

int
notify_start(const char *conninfo, notify_wake_fn wake, long event_poll_ms, long housekeeping_s,
	     long ending_soon_days, const struct retention_schedule *retention)
{
	n.poll_us = (uint64_t)event_poll_ms * 1000u;
	n.housekeeping_s = housekeeping_s;
	n.retention = *retention;
	snprintf(n.ending_days, sizeof(n.ending_days), "%ld", ending_soon_days);
	n.conninfo = strdup(conninfo);
	n.wake = wake;
	if (n.conninfo == NULL || pipe(n.wake_pipe) != 0)
		return -1;
	if (pthread_create(&n.thread, NULL, listener, NULL) != 0)
		return -1;
	n.running = true;
	return 0;
}

void
notify_stop(void)
{
	if (!n.running)
		return;
	n.stop = true;
	atomic_store(&n.identity_up, false);
	notify_wake_all();
	if (write(n.wake_pipe[1], "x", 1) < 0) {
		/* the listener wakes within a second anyway */
	}
	pthread_join(n.thread, NULL);
	close(n.wake_pipe[0]);
	close(n.wake_pipe[1]);
	free(n.conninfo);
	n.running = false;
}
