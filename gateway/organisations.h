/* organisations: the caller (/v1/me), the directory, and its management by
 * coordinators. */
#ifndef REFGW_ORGANISATIONS_H
#define REFGW_ORGANISATIONS_H

#include "request.h"
#include "rows.h"

/* An organisation of the directory.  The list's keyset is (name, id). */
#define ORG_COLUMNS(C)                                                                             \
	C(ORG_ID, "id", "id", COL_PLAIN, 0, NULL)                                                  \
	C(ORG_NAME, "name", "name", COL_STRING, COL_CURSOR, NULL)                                  \
	C(ORG_KIND, "kind", "kind", COL_PLAIN, 0, NULL)                                            \
	C(ORG_PROGRAMS, "programs", "array_to_string(programs, ',')", COL_LIST, 0, NULL)           \
	C(ORG_STATUS, "status", "status", COL_PLAIN, 0, NULL)                                      \
	C(ORG_VERSION, "version", "version", COL_INTEGER, 0, NULL)                                 \
	C(ORG_CREATED, "created_at", TS("created_at"), COL_PLAIN, 0, NULL)                         \
	C(ORG_UPDATED, "updated_at", TS("updated_at"), COL_PLAIN, 0, NULL)

/* What the access rules let the caller do, space-separated (GET /v1/me). */
#define CALLER_ACTIONS_COLUMNS(C)                                                                  \
	C(CALLER_ACTIONS, "actions", "array_to_string(refgw_caller_actions(), ' ')", COL_KEY, 0,   \
	  NULL)

enum org_col { ORG_COLUMNS(COLUMN_ENUM) };
enum caller_actions_col { CALLER_ACTIONS_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc org_row, caller_actions_row;

int handle_me(struct request *r);
int handle_org_list(struct request *r);
int handle_org_get(struct request *r);
int handle_org_create(struct request *r);
int handle_org_update(struct request *r);

#endif
