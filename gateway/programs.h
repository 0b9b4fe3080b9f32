/* programs: what an organisation offers, as rows of their own
 * (schema/024): the directory's richer view, each organisation opening and
 * closing its own programs, and the check a new referral or intake makes. */
#ifndef REFGW_PROGRAMS_H
#define REFGW_PROGRAMS_H

#include "request.h"
#include "rows.h"

/* A program of the directory: no personal data.  Keyset: code. */
#define PROGRAM_COLUMNS(C)                                                                         \
	C(PROGRAM_ID, "id", "p.id", COL_PLAIN, 0, NULL)                                            \
	C(PROGRAM_ORG, "organisation_id", "p.organisation_id", COL_PLAIN, 0, NULL)                 \
	C(PROGRAM_CODE, "code", "p.code", COL_STRING, 0, NULL)                                     \
	C(PROGRAM_KIND, "kind", "p.kind", COL_PLAIN, 0, NULL)                                      \
	C(PROGRAM_DESCRIPTION, "description", "p.description", COL_STRING, 0, NULL)                \
	C(PROGRAM_COMMUNES, "communes_served", "to_json(p.communes_served)::text", COL_JSON, 0,    \
	  NULL)                                                                                    \
	C(PROGRAM_STATUS, "status", "p.status", COL_PLAIN, 0, NULL)                                \
	C(PROGRAM_VERSION, "version", "p.version", COL_INTEGER, 0, NULL)                           \
	C(PROGRAM_CREATED, "created_at", TS("p.created_at"), COL_PLAIN, 0, NULL)                   \
	C(PROGRAM_UPDATED, "updated_at", TS("p.updated_at"), COL_PLAIN, 0, NULL)                   \
	C(PROGRAM_KEY, "cursor_key", "p.code", COL_KEY, COL_CURSOR, NULL)

enum program_col { PROGRAM_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc program_row;

/* A new referral or intake to `program` of organisation `org`, which is
 * closed (refgw_referral_create said so, schema/060): 422 program-closed. */
int program_reply_closed(struct request *r, const char *org, const char *program);

int handle_program_list(struct request *r);
int handle_program_update(struct request *r);

#endif
