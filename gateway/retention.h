/* retention: the schedule applied (schema/046, refgw_retention_apply), by
 * housekeeping (notify.c) and by `refgw retention [--dry-run]` (cli.c). */
#ifndef REFGW_RETENTION_H
#define REFGW_RETENTION_H

#include <stdbool.h>

#include "config.h"
#include "rows.h"

/* One row per category: what was (or would be) removed and the oldest
 * reference time among those rows ("-" when none). */
#define RETENTION_COLUMNS(C)                                                                       \
	C(RETENTION_CATEGORY, "category", "x.category", COL_KEY, 0, NULL)                          \
	C(RETENTION_REMOVED, "removed", "x.removed", COL_KEY, 0, NULL)                             \
	C(RETENTION_OLDEST, "oldest", "coalesce(" TS("x.oldest") ", '-')", COL_KEY, 0, NULL)

enum retention_col { RETENTION_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc retention_row;

/* The categories, in the function's order (metrics labels, CLI lines). */
#define RETENTION_CATEGORIES 5
extern const char *const retention_categories[RETENTION_CATEGORIES];

struct retention_result {
	bool ran; /* false: another session held the lock, nothing was done */
	long removed[RETENTION_CATEGORIES];
	char oldest[RETENTION_CATEGORIES][32]; /* "-" when none */
};

struct db_conn;

/* One call of refgw_retention_apply (by: "housekeeping" or "cli", the audit
 * row's request id).  0, or -1 on a database error (db_last_error). */
int retention_run(struct db_conn *c, const struct retention_schedule *s, bool dry_run,
		  const char *by, struct retention_result *out);

#endif
