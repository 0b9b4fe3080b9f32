/* identity: authentication; the identity cache's policy -- when an entry is
 * served, stored, dropped or re-read (idcache.c holds the entries) -- and the
 * thread that re-reads stale ones.  See identity.h. */
#include "identity.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "idcache.h"
#include "metrics.h"
#include "sessions.h"
#include "statements.h"

/* Resolves the organisation from the fingerprint and sets it for RLS. */
int
identity_authenticate(struct request *r, const char *fp, const char *action)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 0;

	/* One round trip: BEGIN and the authentication. */
	s = db_begin_query(r->db, ST_AUTHENTICATE, &res, "fingerprint", fp, "action", action,
			   (char *)NULL);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0) {
		status = reply_problem(
			r, 401, "certificate-unknown", "Certificate not registered",
			"the client certificate (sha256 %s) is not registered with the "
			"gateway; ask the coordinator to register it",
			fp);
	} else if (row_bool(res, 0, IDENTITY_REVOKED)) {
		status = reply_problem(r, 401, "certificate-revoked", "Certificate revoked",
				       "the client certificate (sha256 %s) has been revoked", fp);
	} else if (row_bool(res, 0, IDENTITY_PENDING)) {
		status = reply_problem(
			r, 401, "certificate-pending", "Certificate not confirmed",
			"the client certificate (sha256 %s) was registered by a "
			"coordinator and waits for confirmation: your organisation "
			"confirms it with a current certificate of its own (POST "
			"/v1/organisations/%s/certificates/%s/confirm), or, if it has "
			"none left, a second coordinator certificate does",
			fp, row_val(res, 0, IDENTITY_ORG), fp);
	} else if (strcmp(row_val(res, 0, IDENTITY_ORG_STATUS), "active") != 0) {
		status = reply_problem(r, 403, "organisation-suspended", "Organisation suspended",
				       "the organisation of this certificate is suspended");
	} else {
		snprintf(r->who.organisation_id, sizeof(r->who.organisation_id), "%s",
			 row_val(res, 0, IDENTITY_ORG));
		snprintf(r->who.organisation_name, sizeof(r->who.organisation_name), "%s",
			 row_val(res, 0, IDENTITY_ORG_NAME));
		snprintf(r->who.kind, sizeof(r->who.kind), "%s", row_val(res, 0, IDENTITY_KIND));
		snprintf(r->who.certificate_sha256, sizeof(r->who.certificate_sha256), "%s", fp);
		r->who.may = row_bool(res, 0, IDENTITY_MAY);
		r->who.certificate_confirmed = true;
		r->authenticated = true;
	}
	db_res_free(res);
	return status;
}

int
identity_from_session(struct request *r, const struct db_res *res)
{
	struct identity *w = &r->who;

	if (db_rows(res) < 1)
		return -1;
	snprintf(w->organisation_id, sizeof(w->organisation_id), "%s",
		 row_val(res, 0, SESSION_ORG));
	snprintf(w->organisation_name, sizeof(w->organisation_name), "%s",
		 row_val(res, 0, SESSION_ORG_NAME));
	snprintf(w->kind, sizeof(w->kind), "%s", row_val(res, 0, SESSION_KIND));
	snprintf(w->user_id, sizeof(w->user_id), "%s", row_val(res, 0, SESSION_USER));
	snprintf(w->user_email, sizeof(w->user_email), "%s", row_val(res, 0, SESSION_EMAIL));
	snprintf(w->user_name, sizeof(w->user_name), "%s", row_val(res, 0, SESSION_NAME));
	snprintf(w->user_role, sizeof(w->user_role), "%s", row_val(res, 0, SESSION_ROLE));
	snprintf(w->user_language, sizeof(w->user_language), "%s",
		 row_val(res, 0, SESSION_LANGUAGE));
	/* A signed-in person reads the gateway's words in the language they
	 * chose (docs/security.md), whatever their browser says. */
	if (w->user_language[0])
		(void)request_set_language(r, w->user_language);
	snprintf(w->session_expires_at, sizeof(w->session_expires_at), "%s",
		 row_val(res, 0, SESSION_EXPIRES));
	snprintf(w->session_idle_expires_at, sizeof(w->session_idle_expires_at), "%s",
		 row_val(res, 0, SESSION_IDLE_EXPIRES));
	w->certificate_sha256[0] = '\0';
	w->may = row_bool(res, 0, SESSION_MAY);
	w->certificate_confirmed = false;
	r->authenticated = true;
	return 0;
}

int
identity_authenticate_session(struct request *r, const char *session_hash, const char *action)
{
	struct db_res *res = NULL;
	enum db_status s;
	char idle[24];
	int status = 0;

	snprintf(idle, sizeof(idle), "%ld", sessions_idle_s());
	s = db_begin_query(r->db, ST_SESSION_AUTHENTICATE, &res, "session", session_hash, "action",
			   action, "idle", idle, (char *)NULL);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0 || identity_from_session(r, res) != 0)
		status = reply_problem(r, 401, "unauthenticated", "Not signed in",
				       "no valid session: it ended, timed out, or its user or "
				       "organisation was disabled; sign in again");
	db_res_free(res);
	return status;
}

/* Identity cache entries past their time to live are re-read here, by one
 * thread, off the request path: the request that finds one stale is
 * answered from it at once (idcache.h).  Re-reading in that request made
 * it wait for PostgreSQL, up to seconds on a CPU-saturated machine
 * (docs/performance.md). */
#define REFRESH_QUEUE 64

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stop;
	struct {
		char fp[65];
		int (*answer)(struct request *r); /* the route's handler */
	} queue[REFRESH_QUEUE];
	unsigned head, count;
} refresher = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The same reads as GET /v1/me, in a transaction of their own (its route
 * needs no action); refusals drop the entry, other failures leave it to
 * expire. */
static void
refresh_identity(const char *fp, int (*answer)(struct request *r))
{
	struct request *r = calloc(1, sizeof(*r));
	uint64_t generation = idcache_generation(); /* before the reads */

	if (r == NULL || generation == 0)
		goto out;
	snprintf(r->id, sizeof(r->id), "identity-refresh");
	if (db_acquire(&r->db) != DB_OK)
		goto out;
	if (identity_authenticate(r, fp, NULL) != 0) {
		if (r->status == 401 || r->status == 403)
			idcache_drop(fp);
		goto out;
	}
	if (answer(r) == 200 && !r->caller_actions_truncated && db_commit(r->db) == DB_OK) {
		idcache_put(generation, fp, now_monotonic_us(), &r->who, r->caller_actions);
		metrics_identity_refresh();
	}
out:
	if (r != NULL) {
		db_release(r->db);
		free(r->resp);
		free(r);
	}
}

static void *
refresher_main(void *unused)
{
	char fp[65];
	int (*answer)(struct request *);

	(void)unused;
	pthread_mutex_lock(&refresher.lock);
	while (!refresher.stop) {
		if (refresher.count == 0) {
			pthread_cond_wait(&refresher.wake, &refresher.lock);
			continue;
		}
		memcpy(fp, refresher.queue[refresher.head].fp, sizeof(fp));
		answer = refresher.queue[refresher.head].answer;
		refresher.head = (refresher.head + 1) % REFRESH_QUEUE;
		refresher.count--;
		pthread_mutex_unlock(&refresher.lock);
		refresh_identity(fp, answer);
		pthread_mutex_lock(&refresher.lock);
	}
	pthread_mutex_unlock(&refresher.lock);
	return NULL;
}

/* Not queued (queue full, or no refresher): the entry expires and the next
 * request reads the database itself. */
static void
refresh_later(const char *fp, int (*answer)(struct request *r))
{
	pthread_mutex_lock(&refresher.lock);
	if (refresher.running && refresher.count < REFRESH_QUEUE) {
		unsigned tail = (refresher.head + refresher.count) % REFRESH_QUEUE;
		snprintf(refresher.queue[tail].fp, sizeof(refresher.queue[tail].fp), "%s", fp);
		refresher.queue[tail].answer = answer;
		refresher.count++;
		pthread_cond_signal(&refresher.wake);
	}
	pthread_mutex_unlock(&refresher.lock);
}

int
identity_start(long cache_ttl_ms)
{
	idcache_configure(cache_ttl_ms);
	pthread_mutex_lock(&refresher.lock);
	refresher.stop = false;
	refresher.count = 0;
	refresher.running = pthread_create(&refresher.thread, NULL, refresher_main, NULL) == 0;
	pthread_mutex_unlock(&refresher.lock);
	return refresher.running ? 0 : -1;
}

void
identity_stop(void)
{
	bool running;

	pthread_mutex_lock(&refresher.lock);
	running = refresher.running;
	refresher.stop = true;
	refresher.running = false;
	pthread_cond_signal(&refresher.wake);
	pthread_mutex_unlock(&refresher.lock);
	if (running)
		pthread_join(refresher.thread, NULL);
}

/* GET /v1/me from the identity cache (idcache.h), without a transaction. */
bool
identity_answer_from_cache(struct request *r, const char *fp, int (*answer)(struct request *r))
{
	bool refresh;

	if (!idcache_get(fp, now_monotonic_us(), &r->who, r->caller_actions,
			 sizeof(r->caller_actions), &refresh)) {
		metrics_identity_cache(false);
		return false;
	}
	metrics_identity_cache(true);
	if (refresh)
		refresh_later(fp, answer);
	snprintf(r->who.certificate_sha256, sizeof(r->who.certificate_sha256), "%s", fp);
	r->who.may = true;                   /* the route needs no action */
	r->who.certificate_confirmed = true; /* only confirmed ones are stored */
	r->authenticated = true;
	answer(r);
	return true;
}

uint64_t
identity_cache_generation(void)
{
	return idcache_generation();
}

void
identity_cache_put(uint64_t generation, const char *fp, const struct request *r)
{
	idcache_put(generation, fp, now_monotonic_us(), &r->who, r->caller_actions);
}

void
identity_cache_invalidate(void)
{
	idcache_invalidate();
}
