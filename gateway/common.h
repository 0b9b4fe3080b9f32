/* common: what every resource handler shares: database errors as
 * problems, ?limit= and cursors, If-Match, and pages of rows written from
 * their description (rows.h). */
#ifndef REFGW_COMMON_H
#define REFGW_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "rows.h"

/* Shared by handlers. */
int reply_db_error(struct request *r, int db_status);
/* COMMIT failed (db.h's status): nothing was acknowledged, the client may
 * retry: 503, 409 conflict-retry, else 500. */
int reply_commit_error(struct request *r, int db_status);
/* A person's data key could not be used (seal.h's status): 410 erased,
 * 503 key store unavailable, else 500. */
int reply_key_store_error(struct request *r, int seal_status);
/* ?limit=: default 50, 1..200; -1 after answering 400. */
int query_limit(struct request *r);
/* If-Match: "N" → N; -1 after answering 428/400. */
long if_match_version(struct request *r);
bool is_coordinator(const struct request *r);
/* The organisation kinds, NULL-terminated. */
extern const char *const org_kinds[];
/* "a,b" (PostgreSQL's array_to_string) → ["a","b"]. */
json_t *json_split(const char *joined);
/* Keyset cursors: base64url of ["key","uuid"].  decode: 0 none, 1 found,
 * -1 after answering 400. */
int cursor_decode(struct request *r, char *key, size_t keylen, char id[37]);
json_t *cursor_encode(const char *key, const char *id);

/* The keyset of a first page: before every row (statements.c). */
#define KEYSET_FIRST_TIME "-infinity"
#define KEYSET_FIRST_ID "00000000-0000-0000-0000-000000000000"
/* The keyset of a first page of a newest-first list: after every row. */
#define KEYSET_LAST_TIME "infinity"
#define KEYSET_LAST_ID "ffffffff-ffff-ffff-ffff-ffffffffffff"

struct db_res;
struct buf;
/* 500 internal, naming the request id. */
int reply_internal(struct request *r);
/* 200 {"items":[...],"next_cursor":...} from a page query that fetched
 * limit + 1 rows of row description d (its first column the id, its
 * COL_CURSOR column the key), written straight into the body: hot lists
 * are not built as jansson trees (docs/performance.md). */
int reply_rows(struct request *r, const struct db_res *res, int limit, const struct row_desc *d);
int reply_page(struct request *r, int db_status, const struct db_res *res, int limit,
	       const struct row_desc *d);
int reply_invalid_cursor(struct request *r);
/* The start of such a body: {"items":[the first n rows],"next_cursor":
 * -- the caller appends its cursor and the closing brace. */
int write_rows(struct buf *b, const struct db_res *res, int n, const struct row_desc *d) MUSTCHECK;
/* One row as the whole response. */
int reply_row(struct request *r, int status, const struct row_desc *d, const struct db_res *res,
	      int row, unsigned show);

#endif
