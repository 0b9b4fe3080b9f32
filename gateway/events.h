/* events: each organisation's own feed (outbound only: partners poll or
 * long-poll it), written in the transaction of what it reports. */
#ifndef REFGW_EVENTS_H
#define REFGW_EVENTS_H

#include "request.h"
#include "rows.h"

/* The feed's id is its sequence number, as a string; the resource a nested
 * object of two columns (rows.h: "group.key"). */
#define EVENT_COLUMNS(C)                                                                           \
	C(EVENT_ID, "id", "seq::text", COL_PLAIN, 0, NULL)                                         \
	C(EVENT_TYPE, "type", "type", COL_STRING, 0, NULL)                                         \
	C(EVENT_RESOURCE_TYPE, "resource.type", "resource_type", COL_STRING, 0, NULL)              \
	C(EVENT_RESOURCE_ID, "resource.id", "resource_id", COL_PLAIN, 0, NULL)                     \
	C(EVENT_CREATED, "created_at", TS("created_at"), COL_PLAIN, 0, NULL)

enum event_col { EVENT_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc event_row;

/* An event for organisation org about a resource, in the request's
 * transaction (refgw_emit_event: the caller must be a party).  0 or -1. */
int event_emit(struct request *r, const char *org, const char *type, const char *resource_type,
	       const char *resource_id) MUSTCHECK;

int handle_event_list(struct request *r);

#endif
