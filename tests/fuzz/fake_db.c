/* A database that is never there, for the fuzz drivers: every statement
 * fails with the status the driver chose, and every call is counted, so a
 * driver can assert that a refused body reached no statement at all. */
#include <stdlib.h>

#include "db.h"
#include "fake_db.h"

int fake_db_calls;
enum db_status fake_db_status = DB_UNAVAILABLE;

static enum db_status
fail(struct db_res **res)
{
	fake_db_calls++;
	if (res)
		*res = NULL;
	return fake_db_status;
}

enum db_status db_acquire(struct db_conn **out) { *out = NULL; return fail(NULL); }
void db_release(struct db_conn *c) { (void)c; }
enum db_status db_connect(const char *ci, struct db_conn **out) { (void)ci; *out = NULL; return fail(NULL); }
void db_close(struct db_conn *c) { (void)c; }
enum db_status db_begin(struct db_conn *c) { (void)c; return fail(NULL); }
enum db_status
db_query(struct db_conn *c, int stmt, struct db_res **res, ...)
{
	(void)c, (void)stmt;
	return fail(res);
}
enum db_status
db_begin_query(struct db_conn *c, int stmt, struct db_res **res, ...)
{
	(void)c, (void)stmt;
	return fail(res);
}
enum db_status
db_query_commit(struct db_conn *c, enum db_status *commit, int stmt, struct db_res **res, ...)
{
	(void)c, (void)stmt;
	*commit = fake_db_status;
	return fail(res);
}
void db_statements(const struct db_stmt *t, size_t n) { (void)t, (void)n; }
enum db_status db_commit(struct db_conn *c) { (void)c; return fail(NULL); }
void db_rollback(struct db_conn *c) { (void)c; }
enum db_status
db_exec_params(struct db_conn *c, const char *sql, int n, const char *const *p, struct db_res **res)
{
	(void)c, (void)sql, (void)n, (void)p;
	return fail(res);
}
enum db_status db_exec_script(struct db_conn *c, const char *sql) { (void)c, (void)sql; return fail(NULL); }
/* No result ever exists, so these are never reached with one. */
int db_rows(const struct db_res *r) { (void)r; abort(); }
const char *db_val(const struct db_res *r, int row, int col) { (void)r, (void)row, (void)col; abort(); }
bool db_null(const struct db_res *r, int row, int col) { (void)r, (void)row, (void)col; abort(); }
void db_res_free(struct db_res *r) { (void)r; }
const char *db_last_error(const struct db_conn *c) { (void)c; return "fake database"; }
bool db_lost(const struct db_conn *c) { (void)c; return fake_db_status == DB_UNAVAILABLE; }
const char *db_status_name(enum db_status s) { (void)s; return "fake"; }
enum db_status
db_listen(const char *ci, const char *sql, struct db_conn **out)
{
	(void)ci, (void)sql;
	*out = NULL;
	return fail(NULL);
}
int db_socket(const struct db_conn *c) { (void)c; return -1; }
int db_notifications(struct db_conn *c, void (*fn)(const char *, const char *)) { (void)c, (void)fn; return -1; }
