/* alert_thresholds: when an organisation wants its "ending soon" alerts,
 * per convention kind (GET/PUT /v1/alert-thresholds; schema/029).  Each
 * organisation reads and replaces its own rows; without one, the
 * server-wide REFGW_ENDING_SOON_DAYS. */
#ifndef REFGW_ALERT_THRESHOLDS_H
#define REFGW_ALERT_THRESHOLDS_H

#include "request.h"
#include "rows.h"

/* The caller's thresholds as one JSON list, the kind-wide one (null) last. */
#define ALERT_THRESHOLDS_COLUMNS(C)                                                                \
	C(ALERT_THRESHOLDS_ITEMS, "items",                                                         \
	  "coalesce(jsonb_agg(jsonb_build_object('convention_kind', t.convention_kind, "           \
	  "'days_before', t.days_before) ORDER BY t.convention_kind NULLS LAST), "                 \
	  "'[]'::jsonb)::text",                                                                    \
	  COL_JSON, 0, NULL)

/* refgw_replace_alert_thresholds: how many the caller has now. */
#define ALERT_REPLACE_COLUMNS(C)                                                                   \
	C(ALERT_REPLACED, "replaced", "refgw_replace_alert_thresholds($items::jsonb)", COL_KEY, 0, \
	  NULL)

enum alert_thresholds_col { ALERT_THRESHOLDS_COLUMNS(COLUMN_ENUM) };
enum alert_replace_col { ALERT_REPLACE_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc alert_thresholds_row, alert_replace_row;

int handle_alert_thresholds_get(struct request *r);
int handle_alert_thresholds_put(struct request *r);

#endif
