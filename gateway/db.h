/* db: the only module that speaks libpq.  A fixed pool of connections to the
 * runtime role, named prepared statements declared in one table
 * (statements.c), bounded waits, reconnect with backoff, and a ROLLBACK for
 * any connection handed back inside a transaction. */
#ifndef REFGW_DB_H
#define REFGW_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE,   /* PostgreSQL unreachable: 503 + Retry-After */
	DB_POOL_TIMEOUT,  /* every connection busy past the bounded wait: 503 */
	DB_UNIQUE,        /* 23505 */
	DB_CONSTRAINT,    /* other class 23 */
	DB_UNKNOWN_ORG,   /* 23R01: an array names an organisation that does not exist */
	DB_CONSENT,       /* 23R02: the consent it stands on does not hold (schema/015) */
	DB_SITE_CLOSED,   /* 23R03: a unit offered on a closed site (schema/037) */
	DB_PERSON_ERASED, /* 23R04: something new about an erased person (schema/047) */
	DB_FORBIDDEN,     /* 42501: a row-level security policy said no */
	DB_SERIALIZATION, /* 40001 / 40P01 */
	DB_BAD_INPUT,     /* 22xxx: data exception */
	DB_TIMEOUT,       /* 57014: the statement ran past REFGW_STATEMENT_TIMEOUT_MS: 503 */
	DB_ERROR,
};

#define DB_MAX_PARAMS 16

/* The settings of the sessions the gateway opens (db.c, open_conn); the
 * integration suite checks them on sessions db.c opened (test_plans.c).
 * Every session (the pool's, housekeeping's, the chain verification's, the
 * key store's, the command line's) sets DB_PLANNER_SETTINGS:
 * random_page_cost 1.1 (the usual figure for data in RAM or on SSD): with
 * the default 4 the generic units search of a commune read all its units
 * by bitmap and sorted them, 3.6 ms, instead of walking units_commune_idx
 * for one page, 1.0 ms; and the chain's verification sorted its 20 000
 * rows on disk (9 MB) instead of reading them in the index's order.
 * jit off: no statement here runs long enough to repay a compilation.  The
 * retention pass's search of the closed referrals, costed past
 * jit_above_cost, spent 340 ms of a core compiling every minute to run for
 * 57 ms at 72 000 referrals, beside the requests (issue 19; schema/031
 * once worked around the same on GET /v1/referrals/{id}).
 * The pool's sessions also set (DB_POOL_SETTINGS, $1 the timeout):
 * statement_timeout: a transaction stuck behind a lock would hold its pool
 * connection and its libmicrohttpd thread for ever.
 * plan_cache_mode force_generic_plan: every statement is written for its
 * generic plan (keyset ranges, "$n IS NULL OR ..."); left to choose,
 * PostgreSQL kept custom plans for the units search that walk the whole
 * published list at 1 M units (docs/performance.md).  Not the others: the
 * housekeeping functions are written for custom plans (the chain's
 * verification resumes with "v.lane IS NULL OR (lane, seq) > (v.lane,
 * v.seq)", an index condition only once v is folded in; generic, it read
 * every row verified before). */
#define DB_PLANNER_SETTINGS                                                                        \
	"set_config('random_page_cost', '1.1', false), set_config('jit', 'off', false)"
#define DB_POOL_SETTINGS                                                                           \
	"SELECT set_config('statement_timeout', $1, false), "                                      \
	"set_config('plan_cache_mode', 'force_generic_plan', false), " DB_PLANNER_SETTINGS

struct row_desc;

/* A named statement.  sql is written with named parameters ($person,
 * $version::int), declared in params ("person version"), and, for a
 * statement that returns rows, {cols} where the row's SELECT list goes
 * (rows.h).  sqltext_expand() fills the rest once at start-up: the text
 * PostgreSQL prepares ($1, $2, ... in the order of params) and the names. */
struct db_stmt {
	const char *name;
	const char *sql;
	const char *params;         /* space-separated names; NULL: none */
	const struct row_desc *row; /* the columns it returns; NULL: none read */
	char *text;
	int nparams;
	char param[DB_MAX_PARAMS][24];
};

struct db_conn;
struct db_res;

/* connect_check: run on every new session; it must answer one row 't' or the
 * session is refused (the gateway fails closed on a privileged role). */
/* The statement table (expanded by sqltext_expand): for the pool and for
 * single connections alike. */
void db_statements(const struct db_stmt *stmts, size_t nstmts);
int db_pool_init(const char *conninfo, int size, int acquire_timeout_ms, int statement_timeout_ms,
		 const char *connect_check) MUSTCHECK;
void db_pool_shutdown(void);
enum db_status db_acquire(struct db_conn **out) MUSTCHECK;
void db_release(struct db_conn *c);
int db_pool_in_use(void);
int db_pool_size(void);
/* Sessions the pool holds open, and how many it ended because they were
 * lost (db_release, or found ended by the server before a use). */
void db_pool_sessions(int *open, unsigned long *discarded);
bool db_pool_up(void);

/* A single connection outside the pool (CLI, migrations, tests). */
enum db_status db_connect(const char *conninfo, struct db_conn **out) MUSTCHECK;
void db_close(struct db_conn *c);

enum db_status db_begin(struct db_conn *c) MUSTCHECK;
enum db_status db_commit(struct db_conn *c) MUSTCHECK;
void db_rollback(struct db_conn *c);

/* A statement of the table, its parameters given by name:
 *	db_query(c, ST_REFERRAL_GET, &res, "id", id, (char *)NULL);
 * Every parameter of the statement must be named exactly once (a value may
 * be NULL: SQL NULL); anything else is DB_ERROR, logged with the names.
 * res may be NULL when the rows are not read. */
/* SQL NULL as a db_query value (a bare NULL through `...` is not a pointer
 * everywhere). */
#define SQL_NULL ((const char *)NULL)
enum db_status db_query(struct db_conn *c, int stmt, struct db_res **res, ...)
	__attribute__((sentinel)) MUSTCHECK;
/* BEGIN and then db_query's statement in one round trip; reconnects once if
 * the pooled session had died while idle. */
enum db_status db_begin_query(struct db_conn *c, int stmt, struct db_res **res, ...)
	__attribute__((sentinel)) MUSTCHECK;
/* db_query's statement and COMMIT in one round trip (libpq pipeline mode),
 * inside the transaction the request's authentication began: the one
 * server-side call of a write (docs/performance.md).  Returns the
 * statement's status; *commit is DB_OK once committed, else why not (the
 * statement failed: nothing committed, the transaction is left aborted for
 * db_release to roll back; or COMMIT itself failed). */
enum db_status db_query_commit(struct db_conn *c, enum db_status *commit, int stmt,
			       struct db_res **res, ...) __attribute__((sentinel)) MUSTCHECK;
/* A parameterised statement given as text (CLI and migrations only). */
enum db_status db_exec_params(struct db_conn *c, const char *sql, int nparams,
			      const char *const *params, struct db_res **res) MUSTCHECK;
/* A whole SQL script without parameters (migration files). */
enum db_status db_exec_script(struct db_conn *c, const char *sql) MUSTCHECK;

int db_rows(const struct db_res *r);
/* By position: for rows.c and the CLI's ad hoc queries; handlers read rows
 * by column name (rows.h). */
const char *db_val(const struct db_res *r, int row, int col);
bool db_null(const struct db_res *r, int row, int col);
void db_res_free(struct db_res *r);
/* The last error's message, for logs and the CLI (never for clients). */
const char *db_last_error(const struct db_conn *c);
/* The connection was lost during this request (PostgreSQL went away). */
bool db_lost(const struct db_conn *c);

const char *db_status_name(enum db_status s);

/* LISTEN on a connection of its own (channel_sql: "LISTEN name"). */
enum db_status db_listen(const char *conninfo, const char *channel_sql,
			 struct db_conn **out) MUSTCHECK;
int db_socket(const struct db_conn *c);
/* Reads what arrived and calls fn for each notification (channel, payload); -1 when
 * the connection is lost. */
int db_notifications(struct db_conn *c,
		     void (*fn)(const char *channel, const char *payload)) MUSTCHECK;

#endif
