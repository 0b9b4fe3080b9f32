/* sqltext: the statement table's text as PostgreSQL prepares it: {cols}
 * becomes the row's SELECT list, named parameters become $1, $2, ... in
 * the order the statement declares them.  Pure text, no libpq: the
 * integration tests expand the gateway's statements with it too. */
#ifndef REFGW_SQLTEXT_H
#define REFGW_SQLTEXT_H

#include <stddef.h>

#include "db.h"

/* Expands every statement; on error names the statement and the fault in
 * err and returns -1 (a start-up failure: the table is wrong). */
int sqltext_expand(struct db_stmt *stmts, size_t n, char *err, size_t errlen);
void sqltext_free(struct db_stmt *stmts, size_t n);
/* The index of a parameter by name, -1 when the statement has none. */
int sqltext_param(const struct db_stmt *st, const char *name);

#endif
