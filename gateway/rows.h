/* rows: one description per resource row.  A resource's header lists its
 * columns once, as an X-macro:
 *
 *	#define REFERRAL_COLUMNS(C)                                        \
 *		C(REFERRAL_ID, "id", "r.id", COL_PLAIN, 0, NULL)            \
 *		C(REFERRAL_VERSION, "version", "r.version", COL_INTEGER, 0, NULL)
 *
 * and from that one list come the enum that names each column (the only
 * column index a handler ever writes), the SELECT list of the statements
 * that return such rows (statements.c writes `expression AS "name"` in
 * place of {cols}), the check at start-up that PostgreSQL's result
 * columns carry exactly those names in that order (db.c), and the
 * renderers: row_write straight into a buffer (the fast writer of hot
 * lists, docs/performance.md) and row_json for handlers that add to it.
 * Handlers read a row by name: row_str(res, i, REFERRAL_STATUS). */
#ifndef REFGW_ROWS_H
#define REFGW_ROWS_H

#include <jansson.h>
#include <stdbool.h>

#include "util.h"

struct db_res;

enum col_type {
	COL_PLAIN,    /* a string PostgreSQL formats without anything to escape:
		       * uuid, a CHECK-ed enum, to_char time, date, hex */
	COL_STRING,   /* a string that goes through json_quote */
	COL_INTEGER,  /* a JSON number, as PostgreSQL prints an integer */
	COL_DECIMAL,  /* numeric text as a JSON number without trailing zeros:
		       * "250.00" -> 250, "12.50" -> 12.5 (exact) */
	COL_BOOLEAN,  /* t / f */
	COL_JSON,     /* JSON text (jsonb::text), inserted as is */
	COL_LIST,     /* array_to_string(a, ',') of tokens -> ["a","b"] */
	COL_AUDIENCE, /* "orgs;kinds" (two array_to_string) ->
		       * [{"organisation_id":..},{"kind":..}] */
	COL_KEY,      /* read by the handler, never rendered: cursor keys, flags */
};

/* Column flags. */
#define COL_NULLABLE 0x1u  /* SQL NULL renders as null */
#define COL_OMIT_NULL 0x2u /* SQL NULL: the key is left out */
#define COL_PERSONAL 0x4u  /* personal data of `category`: rendered only with ROW_PERSONAL */
#define COL_CURSOR 0x8u    /* the list's keyset key (with the row's first column, its id) */
/* Sealed under the data key of the row's person (seal.h), opened when
 * rendered: a COL_JSON column holds an object whose members are sealed
 * ({"identity": "rgw1..."}), any other type one sealed value.  Its label
 * is the column's name.  The text `null` (never a sealed value) renders as
 * null: the SQL's way to show a key with no value (SQL NULL omits it with
 * COL_OMIT_NULL). */
#define COL_SEALED 0x10u
#define COL_PERSON 0x20u /* the id of the person whose key opens the row's sealed columns */

/* What a renderer shows. */
#define ROW_PUBLIC 0x1u
#define ROW_PERSONAL 0x2u

struct column {
	/* the JSON key, and the SQL alias; "group.key": the member key of the
	 * nested object "group", made of consecutive columns of that group */
	const char *name;
	const char *sql; /* the expression */
	enum col_type type;
	unsigned flags;
	const char *category; /* the consent category of a COL_PERSONAL column */
	const char *key;      /* "name": as written into JSON, and its length */
	size_t keylen;
};

struct row_desc {
	const char *name;
	const struct column *cols;
	int ncols;
};

/* A timestamp column as the API shows it: RFC 3339 UTC, seconds. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define COLUMN_ENUM(id, name, sql, type, flags, category) id,
#define COLUMN_SPEC(id, name, sql, type, flags, category)                                          \
	{name, sql, type, flags, category, "\"" name "\":", sizeof("\"" name "\":") - 1},
/* Defines `const struct row_desc var` from a column list (statements.c). */
#define ROW_DESC(var, LIST)                                                                        \
	static const struct column var##_columns[] = {LIST(COLUMN_SPEC)};                          \
	const struct row_desc var = {#var, var##_columns, (int)ARRAY_LEN(var##_columns)}

/* Reading a row by column name (an enum of the row's list).  row_str: NULL
 * for SQL NULL; row_val: "" for SQL NULL. */
const char *row_str(const struct db_res *res, int row, int col);
const char *row_val(const struct db_res *res, int row, int col);
bool row_null(const struct db_res *res, int row, int col);
/* 't' */
bool row_bool(const struct db_res *res, int row, int col);
/* An integer column (0 when NULL or not a number). */
long row_long(const struct db_res *res, int row, int col);

/* The row as a JSON object, written into b: the keys of the columns that
 * are not COL_KEY, personal ones only when show has ROW_PERSONAL. */
int row_write(struct buf *b, const struct row_desc *d, const struct db_res *res, int row,
	      unsigned show) MUSTCHECK;
/* The same as a jansson object (NULL when out of memory). */
json_t *row_json(const struct row_desc *d, const struct db_res *res, int row, unsigned show);
/* The index of the COL_CURSOR column, -1 when none. */
int row_cursor_col(const struct row_desc *d);

#endif
