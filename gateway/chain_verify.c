/* chain_verify: the audit chain's rolling verification in the background.
 *
 * Each step calls refgw_audit_chain_verify(rows) (schema/057, 066): the
 * instance that locks the verification state verifies the next rows and
 * records where the pass stands; the others get no row and wait for the
 * next period.  A step over 20 000 rows takes about two seconds.  It ran
 * on the notify thread, whose refgw_erased and refgw_identity
 * notifications and long-poll event-head reads then waited (hostile review
 * of issue 19); it has its own thread and connection now, kept between
 * steps and opened again after a loss. */
#include "chain_verify.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "rows.h"
#include "statements.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	char *conninfo;
	char rows[24];
	long period_s;
} cv = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* One step on *c, connected first if need be; a connection lost is closed
 * (*c NULL) for the next step to open anew. */
static void
step(struct db_conn **c)
{
	struct db_res *res = NULL;

	if (*c == NULL && db_connect(cv.conninfo, c) != DB_OK) {
		log_warnx("audit chain: cannot connect: %s", *c ? db_last_error(*c) : "?");
		db_close(*c);
		*c = NULL;
		return;
	}
	if (db_query(*c, ST_AUDIT_CHAIN_VERIFY, &res, "rows", cv.rows, (char *)NULL) != DB_OK)
		log_warnx("audit chain: %s", db_last_error(*c));
	else if (!row_null(res, 0, SCALAR_VALUE) &&
		 strcmp(row_val(res, 0, SCALAR_VALUE), "broken") == 0)
		log_warnx("housekeeping: the audit chain is broken: GET /v1/audit/chain says "
			  "where, refgw audit verify says why");
	db_res_free(res);
	if (db_lost(*c)) {
		db_close(*c);
		*c = NULL;
	}
}

static void *
verifier(void *arg)
{
	struct db_conn *c = NULL;

	(void)arg;
	pthread_mutex_lock(&cv.lock);
	while (!cv.stop) {
		struct timespec deadline;

		pthread_mutex_unlock(&cv.lock);
		step(&c);
		pthread_mutex_lock(&cv.lock);
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += cv.period_s;
		while (!cv.stop &&
		       pthread_cond_timedwait(&cv.cond, &cv.lock, &deadline) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&cv.lock);
	db_close(c);
	return NULL;
}

int
chain_verify_start(const char *conninfo, long period_s, long rows)
{
	pthread_condattr_t attr;

	cv.conninfo = strdup(conninfo);
	cv.period_s = period_s;
	cv.stop = false;
	snprintf(cv.rows, sizeof(cv.rows), "%ld", rows);
	if (cv.conninfo == NULL || pthread_condattr_init(&attr) != 0)
		goto fail;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&cv.cond, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		goto fail;
	}
	pthread_condattr_destroy(&attr);
	if (pthread_create(&cv.thread, NULL, verifier, NULL) != 0) {
		pthread_cond_destroy(&cv.cond);
		goto fail;
	}
	cv.running = true;
	return 0;
fail:
	free(cv.conninfo);
	cv.conninfo = NULL;
	return -1;
}

void
chain_verify_stop(void)
{
	if (!cv.running)
		return;
	pthread_mutex_lock(&cv.lock);
	cv.stop = true;
	pthread_cond_signal(&cv.cond);
	pthread_mutex_unlock(&cv.lock);
	pthread_join(cv.thread, NULL);
	pthread_cond_destroy(&cv.cond);
	free(cv.conninfo);
	cv.conninfo = NULL;
	cv.running = false;
}
