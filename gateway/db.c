/* db: pool, statements and results over libpq. */
#include "db.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rows.h"
#include "sqltext.h"

struct db_conn {
	PGconn *pg;
	bool in_pool;
	bool busy;
	bool broken;
	char errmsg[256];
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db_conn *conns;
	int size;
	int in_use;
	int open;                /* slots holding a session */
	unsigned long discarded; /* sessions ended because they were lost */
	int acquire_timeout_ms;
	char statement_timeout[16]; /* for set_config; "" when none */
	char *conninfo;
	const char *connect_check; /* must answer one row 't' */
	/* Reconnect backoff, shared: while PostgreSQL is down, requests fail
	 * fast instead of each waiting for a connect timeout. */
	bool down;
	uint64_t next_attempt_us;
	int backoff_ms;
	bool described; /* the result columns were checked against the rows */
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

/* The statement table, shared by the pool and single connections. */
static const struct db_stmt *stmts;
static size_t nstmts;

void
db_statements(const struct db_stmt *table, size_t n)
{
	stmts = table;
	nstmts = n;
}

static const char *const status_names[] = {
	[DB_OK] = "ok",
	[DB_UNAVAILABLE] = "unavailable",
	[DB_POOL_TIMEOUT] = "pool_timeout",
	[DB_TIMEOUT] = "statement_timeout",
	[DB_UNIQUE] = "unique_violation",
	[DB_CONSTRAINT] = "constraint_violation",
	[DB_UNKNOWN_ORG] = "unknown_organisation",
	[DB_CONSENT] = "consent_not_holding",
	[DB_SITE_CLOSED] = "site_closed",
	[DB_PERSON_ERASED] = "person_erased",
	[DB_FORBIDDEN] = "forbidden",
	[DB_SERIALIZATION] = "serialization_failure",
	[DB_BAD_INPUT] = "bad_input",
	[DB_ERROR] = "error",
};

const char *
db_status_name(enum db_status s)
{
	return (unsigned)s < ARRAY_LEN(status_names) ? status_names[s] : "?";
}

static void
conn_note(struct db_conn *c, const char *what)
{
	const char *m = c->pg ? PQerrorMessage(c->pg) : "";
	size_t n;

	snprintf(c->errmsg, sizeof(c->errmsg), "%s%s%s", what, *m ? ": " : "", m);
	n = strlen(c->errmsg);
	while (n > 0 && (c->errmsg[n - 1] == '\n' || c->errmsg[n - 1] == ' '))
		c->errmsg[--n] = '\0';
}

bool
db_lost(const struct db_conn *c)
{
	return c == NULL || c->broken || c->pg == NULL || PQstatus(c->pg) == CONNECTION_BAD;
}

const char *
db_last_error(const struct db_conn *c)
{
	return c->errmsg;
}

static enum db_status
classify(struct db_conn *c, PGresult *res)
{
	const char *state;

	if (res != NULL) {
		ExecStatusType st = PQresultStatus(res);
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
			return DB_OK;
	}
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		c->broken = true;
		conn_note(c, "connection lost");
		return DB_UNAVAILABLE;
	}
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(c->errmsg, sizeof(c->errmsg), "%s %s", state ? state : "?",
		 res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg));
	c->errmsg[strcspn(c->errmsg, "\n")] = '\0';
	if (state == NULL)
		return DB_ERROR;
	if (strcmp(state, "23505") == 0)
		return DB_UNIQUE;
	if (strcmp(state, "23R01") == 0)
		return DB_UNKNOWN_ORG;
	if (strcmp(state, "23R02") == 0)
		return DB_CONSENT;
	if (strcmp(state, "23R03") == 0)
		return DB_SITE_CLOSED;
	if (strcmp(state, "23R04") == 0)
		return DB_PERSON_ERASED;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "42501") == 0)
		return DB_FORBIDDEN;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_SERIALIZATION;
	if (strncmp(state, "22", 2) == 0)
		return DB_BAD_INPUT;
	if (strcmp(state, "57014") == 0)
		return DB_TIMEOUT;
	/* admin shutdown, crash shutdown, cannot connect now */
	if (strncmp(state, "57P", 3) == 0 || strncmp(state, "08", 2) == 0) {
		c->broken = true;
		return DB_UNAVAILABLE;
	}
	return DB_ERROR;
}

/* The columns PostgreSQL says a prepared statement returns must be the
 * row's, by name and in order: a handler reads them by name (rows.h), so
 * a statement that drifted from its row description must never serve. */
static int
describe_check(struct db_conn *c, const struct db_stmt *st)
{
	PGresult *r = PQdescribePrepared(c->pg, st->name);
	int i, n, rc = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		log_warnx("db: cannot describe %s: %s", st->name, PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	n = PQnfields(r);
	if (st->row && n != st->row->ncols) {
		log_warnx("db: statement %s returns %d columns, its row %s has %d", st->name, n,
			  st->row->name, st->row->ncols);
		rc = -1;
	}
	for (i = 0; rc == 0 && st->row && i < n; i++)
		if (strcmp(PQfname(r, i), st->row->cols[i].name) != 0) {
			log_warnx("db: statement %s column %d is \"%s\", its row %s says \"%s\"",
				  st->name, i + 1, PQfname(r, i), st->row->name,
				  st->row->cols[i].name);
			rc = -1;
		}
	PQclear(r);
	return rc;
}

static int
prepare_all(struct db_conn *c)
{
	size_t i;

	for (i = 0; i < nstmts; i++) {
		PGresult *r =
			PQprepare(c->pg, stmts[i].name, stmts[i].text, stmts[i].nparams, NULL);
		enum db_status s = classify(c, r);
		PQclear(r);
		if (s != DB_OK) {
			log_warnx("db: cannot prepare %s: %s", stmts[i].name, c->errmsg);
			return -1;
		}
	}
	/* Once per process, on the first session: the table does not change. */
	if (!pool.described) {
		for (i = 0; i < nstmts; i++)
			if (stmts[i].row && describe_check(c, &stmts[i]) != 0) {
				snprintf(c->errmsg, sizeof(c->errmsg),
					 "statement %s does not match its row description",
					 stmts[i].name);
				return -1;
			}
		pool.described = true;
	}
	return 0;
}

/* Ends a pooled session that was lost (or left in a state no request may
 * inherit) and leaves its slot empty: its socket and memory go now, not
 * when the slot is next used, and the next acquire of the slot connects
 * anew.  Called by the slot's owner, without the pool lock. */
static void
discard(struct db_conn *c)
{
	if (c->pg == NULL)
		return;
	PQfinish(c->pg);
	c->pg = NULL;
	c->broken = false;
	pthread_mutex_lock(&pool.lock);
	pool.open--;
	pool.discarded++;
	pthread_mutex_unlock(&pool.lock);
}

static int
open_conn(struct db_conn *c, const char *conninfo, bool prepare)
{
	if (c->pg && c->in_pool)
		discard(c);
	else if (c->pg)
		PQfinish(c->pg);
	c->pg = PQconnectdb(conninfo);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		conn_note(c, "cannot connect");
		PQfinish(c->pg);
		c->pg = NULL;
		return -1;
	}
	c->broken = false;
	if (prepare && pool.connect_check) {
		PGresult *r = PQexec(c->pg, pool.connect_check);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
			  strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (!ok) {
			snprintf(c->errmsg, sizeof(c->errmsg),
				 "REFGW_DATABASE_URL: the role \"%s\" is a superuser, can bypass "
				 "row-level security or owns tables; connect as the runtime role "
				 "(refgw_app)",
				 PQuser(c->pg));
			log_warnx("db: %s", c->errmsg);
			PQfinish(c->pg);
			c->pg = NULL;
			return -1;
		}
	}
	if (prepare) {
		/* DB_POOL_SETTINGS (db.h): a pool session without them is
		 * refused, as one without its statements */
		const char *p[1] = {pool.statement_timeout[0] ? pool.statement_timeout : "0"};
		PGresult *r = PQexecParams(c->pg, DB_POOL_SETTINGS, 1, NULL, p, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		if (!ok) {
			conn_note(c, "cannot set the session's settings");
			PQfinish(c->pg);
			c->pg = NULL;
			return -1;
		}
	} else {
		/* The other sessions (housekeeping, the chain's verification,
		 * the key store, the command line) work without the planner's
		 * settings: a server that refuses them is noted, not refused. */
		PGresult *r = PQexec(c->pg, "SELECT " DB_PLANNER_SETTINGS);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;

		PQclear(r);
		if (!ok) {
			conn_note(c, "cannot set the planner's settings (jit off, "
				     "random_page_cost)");
			if (PQstatus(c->pg) == CONNECTION_BAD) { /* lost, not refused */
				PQfinish(c->pg);
				c->pg = NULL;
				return -1;
			}
			log_warnx("db: %s@%s: %s", PQuser(c->pg), PQdb(c->pg), c->errmsg);
		}
	}
	if (prepare && prepare_all(c) != 0) {
		PQfinish(c->pg);
		c->pg = NULL;
		return -1;
	}
	if (c->in_pool) {
		pthread_mutex_lock(&pool.lock);
		pool.open++;
		pthread_mutex_unlock(&pool.lock);
	}
	return 0;
}

int
db_pool_init(const char *conninfo, int size, int acquire_timeout_ms, int statement_timeout_ms,
	     const char *connect_check)
{
	int i, opened = 0;

	pool.conns = calloc((size_t)size, sizeof(*pool.conns));
	pool.conninfo = strdup(conninfo);
	if (pool.conns == NULL || pool.conninfo == NULL)
		return -1;
	pool.size = size;
	pool.acquire_timeout_ms = acquire_timeout_ms;
	if (statement_timeout_ms > 0)
		snprintf(pool.statement_timeout, sizeof(pool.statement_timeout), "%d",
			 statement_timeout_ms);
	pool.connect_check = connect_check;
	pool.backoff_ms = 100;
	/* Connect eagerly but do not insist: the gateway must start (and say
	 * 503) while PostgreSQL is still coming up. */
	for (i = 0; i < size; i++) {
		pool.conns[i].in_pool = true;
		if (open_conn(&pool.conns[i], conninfo, true) == 0)
			opened++;
		else if (i == 0)
			log_warnx("db: %s; will retry", pool.conns[i].errmsg);
		if (opened == 0)
			break;
	}
	pool.down = opened == 0;
	return 0;
}

void
db_pool_shutdown(void)
{
	int i;

	for (i = 0; i < pool.size; i++)
		if (pool.conns[i].pg)
			PQfinish(pool.conns[i].pg);
	pool.open = 0;
	free(pool.conns);
	free(pool.conninfo);
	pool.conns = NULL;
	pool.conninfo = NULL;
	pool.size = 0;
}

int
db_pool_in_use(void)
{
	int n;

	pthread_mutex_lock(&pool.lock);
	n = pool.in_use;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

int
db_pool_size(void)
{
	return pool.size;
}

void
db_pool_sessions(int *open, unsigned long *discarded)
{
	pthread_mutex_lock(&pool.lock);
	*open = pool.open;
	*discarded = pool.discarded;
	pthread_mutex_unlock(&pool.lock);
}

bool
db_pool_up(void)
{
	bool up;

	pthread_mutex_lock(&pool.lock);
	up = !pool.down;
	pthread_mutex_unlock(&pool.lock);
	return up;
}

static void
mark_down(void)
{
	pthread_mutex_lock(&pool.lock);
	if (!pool.down) {
		log_warnx("db: PostgreSQL unreachable, answering 503 until it is back");
		pool.backoff_ms = 100;
	} else {
		pool.backoff_ms = pool.backoff_ms * 2 > 5000 ? 5000 : pool.backoff_ms * 2;
	}
	pool.down = true;
	pool.next_attempt_us = now_monotonic_us() + (uint64_t)pool.backoff_ms * 1000u;
	pthread_mutex_unlock(&pool.lock);
}

static void
mark_up(void)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.down)
		log_info("db: PostgreSQL reachable again");
	pool.down = false;
	pool.backoff_ms = 100;
	pthread_mutex_unlock(&pool.lock);
}

/* Makes sure c has a live session; called without the pool lock. */
static enum db_status
ensure_open(struct db_conn *c)
{
	bool try;

	if (c->pg && !c->broken)
		return DB_OK;
	pthread_mutex_lock(&pool.lock);
	try = !pool.down || now_monotonic_us() >= pool.next_attempt_us;
	if (try && pool.down) /* one attempt per backoff period */
		pool.next_attempt_us = now_monotonic_us() + (uint64_t)pool.backoff_ms * 1000u;
	pthread_mutex_unlock(&pool.lock);
	if (!try)
		return DB_UNAVAILABLE;
	if (open_conn(c, pool.conninfo, true) != 0) {
		mark_down();
		return DB_UNAVAILABLE;
	}
	mark_up();
	return DB_OK;
}

enum db_status
db_acquire(struct db_conn **out)
{
	struct timespec deadline;
	struct db_conn *c = NULL;
	enum db_status s;
	int i;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += pool.acquire_timeout_ms / 1000;
	deadline.tv_nsec += (long)(pool.acquire_timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		for (i = 0; i < pool.size; i++) {
			if (!pool.conns[i].busy) {
				c = &pool.conns[i];
				break;
			}
		}
		if (c != NULL)
			break;
		if (pthread_cond_timedwait(&pool.freed, &pool.lock, &deadline) != 0) {
			pthread_mutex_unlock(&pool.lock);
			return DB_POOL_TIMEOUT;
		}
	}
	c->busy = true;
	pool.in_use++;
	pthread_mutex_unlock(&pool.lock);

	s = ensure_open(c);
	if (s != DB_OK) {
		db_release(c);
		return s;
	}
	*out = c;
	return DB_OK;
}

void
db_release(struct db_conn *c)
{
	if (c == NULL)
		return;
	if (c->pg && !c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		db_rollback(c);
	/* lost, or still inside a transaction the rollback could not end */
	if (c->pg &&
	    (PQstatus(c->pg) == CONNECTION_BAD || PQtransactionStatus(c->pg) != PQTRANS_IDLE))
		c->broken = true;
	if (!c->in_pool) {
		db_close(c);
		return;
	}
	if (c->broken)
		discard(c);
	pthread_mutex_lock(&pool.lock);
	c->busy = false;
	pool.in_use--;
	pthread_cond_signal(&pool.freed);
	pthread_mutex_unlock(&pool.lock);
}

enum db_status
db_connect(const char *conninfo, struct db_conn **out)
{
	struct db_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return DB_ERROR;
	if (open_conn(c, conninfo, false) != 0) {
		*out = c; /* so the caller can read the message */
		return DB_UNAVAILABLE;
	}
	*out = c;
	return DB_OK;
}

void
db_close(struct db_conn *c)
{
	if (c == NULL)
		return;
	if (c->pg)
		PQfinish(c->pg);
	free(c);
}

/* COMMIT of a transaction that had already failed answers "ROLLBACK" with
 * a success status: only the tag "COMMIT" says the changes are kept. */
static enum db_status
commit_status(struct db_conn *c, PGresult *r)
{
	enum db_status s = classify(c, r);

	if (s == DB_OK && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		conn_note(c, "COMMIT answered as ROLLBACK");
		s = DB_ERROR;
	}
	return s;
}

static enum db_status
simple(struct db_conn *c, const char *sql)
{
	PGresult *r = PQexec(c->pg, sql);
	enum db_status s = classify(c, r);

	PQclear(r);
	return s;
}

enum db_status
db_begin(struct db_conn *c)
{
	enum db_status s = simple(c, "BEGIN");

	/* A pooled session that died while idle (PostgreSQL restarted): nothing
	 * has happened yet in this transaction, so reconnect and try once more. */
	if (s == DB_UNAVAILABLE && c->in_pool) {
		if (ensure_open(c) != DB_OK)
			return DB_UNAVAILABLE;
		s = simple(c, "BEGIN");
	}
	return s;
}

/* Reads a two-statement pipeline's results up to its SYNC (a result, a
 * NULL, the next, a NULL, PIPELINE_SYNC), keeps the first two, and leaves
 * pipeline mode.  sent: the pipeline went out whole.  1 when SYNC came. */
static int
pipeline_two(struct db_conn *c, int sent, PGresult **first, PGresult **second)
{
	PGresult *r;
	int got = 0;

	while (sent) {
		r = PQgetResult(c->pg);
		if (r == NULL) {
			if (PQstatus(c->pg) == CONNECTION_BAD)
				break;
			continue; /* end of one query's results */
		}
		if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			got = 1;
			break;
		}
		if (*first == NULL)
			*first = r;
		else if (*second == NULL)
			*second = r;
		else
			PQclear(r);
	}
	if (PQpipelineStatus(c->pg) != PQ_PIPELINE_OFF && PQexitPipelineMode(c->pg) != 1)
		c->broken = true;
	return got;
}

/* BEGIN and the first statement in one round trip (libpq pipeline mode). */
static enum db_status
pipelined_begin(struct db_conn *c, const struct db_stmt *st, int nparams, const char *const *params,
		struct db_res **res)
{
	PGresult *first = NULL, *second = NULL;
	enum db_status s = DB_ERROR;
	int sent = 1, got;

	*res = NULL;
	if (PQenterPipelineMode(c->pg) != 1 ||
	    PQsendQueryParams(c->pg, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryPrepared(c->pg, st->name, nparams, params, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(c->pg) != 1)
		sent = 0;
	/* BEGIN's result, NULL, the statement's result, NULL, PIPELINE_SYNC. */
	got = pipeline_two(c, sent, &first, &second);
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		c->broken = true;
		conn_note(c, "connection lost");
		s = DB_UNAVAILABLE;
	} else if (!got || first == NULL || second == NULL) {
		s = first ? classify(c, first) : DB_ERROR;
		if (s == DB_OK)
			s = DB_ERROR;
	} else if ((s = classify(c, first)) == DB_OK && (s = classify(c, second)) == DB_OK) {
		*res = (struct db_res *)second;
		second = NULL;
	}
	PQclear(first);
	PQclear(second);
	return s;
}

/* The values of a db_query call, in the statement's order; every
 * parameter named exactly once. */
static int
bind_named(int stmt, va_list ap, const char **values)
{
	const struct db_stmt *st;
	const char *name;
	unsigned seen = 0;
	int k;

	if (stmt < 0 || (size_t)stmt >= nstmts)
		return -1;
	st = &stmts[stmt];
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		if ((k = sqltext_param(st, name)) < 0 || (seen & (1u << k))) {
			log_warnx("db: statement %s: parameter %s %s", st->name, name,
				  k < 0 ? "unknown" : "given twice");
			return -1;
		}
		seen |= 1u << k;
		values[k] = value;
	}
	if (seen != (st->nparams ? (1u << st->nparams) - 1 : 0u)) {
		for (k = 0; k < st->nparams; k++)
			if (!(seen & (1u << k)))
				log_warnx("db: statement %s: parameter %s not given", st->name,
					  st->param[k]);
		return -1;
	}
	return 0;
}

static enum db_status
begin_exec(struct db_conn *c, int stmt, const char *const *params, struct db_res **res)
{
	enum db_status s;

	s = pipelined_begin(c, &stmts[stmt], stmts[stmt].nparams, params, res);
	/* A pooled session that died while idle (PostgreSQL restarted): the
	 * transaction never committed, so reconnect and try once more. */
	if (s == DB_UNAVAILABLE && c->in_pool) {
		if (ensure_open(c) != DB_OK)
			return DB_UNAVAILABLE;
		s = pipelined_begin(c, &stmts[stmt], stmts[stmt].nparams, params, res);
	}
	return s;
}

enum db_status
db_begin_query(struct db_conn *c, int stmt, struct db_res **res, ...)
{
	const char *values[DB_MAX_PARAMS] = {0};
	struct db_res *ignored = NULL;
	enum db_status s;
	va_list ap;
	int rc;

	va_start(ap, res);
	rc = bind_named(stmt, ap, values);
	va_end(ap);
	if (rc != 0)
		return DB_ERROR;
	s = begin_exec(c, stmt, values, res ? res : &ignored);
	db_res_free(ignored);
	return s;
}

/* The statement and COMMIT in one pipeline: the statement's result, NULL,
 * COMMIT's (PIPELINE_ABORTED when the statement failed), NULL, SYNC. */
static enum db_status
pipelined_commit(struct db_conn *c, const struct db_stmt *st, const char *const *params,
		 struct db_res **res, enum db_status *commit)
{
	PGresult *first = NULL, *second = NULL;
	enum db_status s = DB_ERROR;
	int sent = 1, got;

	*res = NULL;
	*commit = DB_ERROR;
	if (PQenterPipelineMode(c->pg) != 1 ||
	    (c->in_pool ? PQsendQueryPrepared(c->pg, st->name, st->nparams, params, NULL, NULL, 0)
			: PQsendQueryParams(c->pg, st->text, st->nparams, NULL, params, NULL, NULL,
					    0)) != 1 ||
	    PQsendQueryParams(c->pg, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(c->pg) != 1)
		sent = 0;
	got = pipeline_two(c, sent, &first, &second);
	if (PQstatus(c->pg) == CONNECTION_BAD) {
		c->broken = true;
		conn_note(c, "connection lost");
		s = *commit = DB_UNAVAILABLE;
	} else if (!got || first == NULL || second == NULL) {
		s = first ? classify(c, first) : DB_ERROR;
		if (s == DB_OK)
			s = DB_ERROR;
	} else if ((s = classify(c, first)) == DB_OK) {
		*commit = commit_status(c, second);
		*res = (struct db_res *)first;
		first = NULL;
	}
	PQclear(first);
	PQclear(second);
	return s;
}

enum db_status
db_query_commit(struct db_conn *c, enum db_status *commit, int stmt, struct db_res **res, ...)
{
	const char *values[DB_MAX_PARAMS] = {0};
	struct db_res *ignored = NULL;
	enum db_status s;
	va_list ap;
	int rc;

	*commit = DB_ERROR;
	va_start(ap, res);
	rc = bind_named(stmt, ap, values);
	va_end(ap);
	if (rc != 0) {
		if (res)
			*res = NULL;
		return DB_ERROR;
	}
	s = pipelined_commit(c, &stmts[stmt], values, res ? res : &ignored, commit);
	db_res_free(ignored);
	return s;
}

enum db_status
db_commit(struct db_conn *c)
{
	PGresult *r = PQexec(c->pg, "COMMIT");
	enum db_status s = commit_status(c, r);

	PQclear(r);
	return s;
}

void
db_rollback(struct db_conn *c)
{
	if (c->pg && !c->broken)
		(void)simple(c, "ROLLBACK");
}

static enum db_status
exec_values(struct db_conn *c, int stmt, const char *const *params, struct db_res **res)
{
	const struct db_stmt *st = &stmts[stmt];
	PGresult *r;
	enum db_status s;

	/* A single connection (the CLI) has nothing prepared. */
	r = c->in_pool ? PQexecPrepared(c->pg, st->name, st->nparams, params, NULL, NULL, 0)
		       : PQexecParams(c->pg, st->text, st->nparams, NULL, params, NULL, NULL, 0);
	s = classify(c, r);
	if (s == DB_OK && res) {
		*res = (struct db_res *)r;
		return s;
	}
	PQclear(r);
	if (res)
		*res = NULL;
	return s;
}

enum db_status
db_query(struct db_conn *c, int stmt, struct db_res **res, ...)
{
	const char *values[DB_MAX_PARAMS] = {0};
	va_list ap;
	int rc;

	va_start(ap, res);
	rc = bind_named(stmt, ap, values);
	va_end(ap);
	if (rc != 0) {
		if (res)
			*res = NULL;
		return DB_ERROR;
	}
	return exec_values(c, stmt, values, res);
}

enum db_status
db_exec_params(struct db_conn *c, const char *sql, int nparams, const char *const *params,
	       struct db_res **res)
{
	PGresult *r = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
	enum db_status s = classify(c, r);

	if (s == DB_OK && res) {
		*res = (struct db_res *)r;
		return s;
	}
	PQclear(r);
	if (res)
		*res = NULL;
	return s;
}

enum db_status
db_exec_script(struct db_conn *c, const char *sql)
{
	return simple(c, sql);
}

int
db_rows(const struct db_res *r)
{
	return r ? PQntuples((const PGresult *)r) : 0;
}

const char *
db_val(const struct db_res *r, int row, int col)
{
	return PQgetvalue((const PGresult *)r, row, col);
}

bool
db_null(const struct db_res *r, int row, int col)
{
	return PQgetisnull((const PGresult *)r, row, col) != 0;
}

void
db_res_free(struct db_res *r)
{
	PQclear((PGresult *)r);
}

enum db_status
db_listen(const char *conninfo, const char *channel_sql, struct db_conn **out)
{
	enum db_status s = db_connect(conninfo, out);

	if (s != DB_OK)
		return s;
	return simple(*out, channel_sql);
}

int
db_socket(const struct db_conn *c)
{
	return PQsocket(c->pg);
}

int
db_notifications(struct db_conn *c, void (*fn)(const char *channel, const char *payload))
{
	PGnotify *note;

	if (PQconsumeInput(c->pg) != 1)
		return -1;
	while ((note = PQnotifies(c->pg)) != NULL) {
		fn(note->relname, note->extra ? note->extra : "");
		PQfreemem(note);
	}
	return 0;
}
