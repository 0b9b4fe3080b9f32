/* audit_trail: GET /v1/audit, who accessed a person's data, read from the
 * audit log that audit.c writes; GET /v1/audit/chain, the chain's status. */
#ifndef REFGW_AUDIT_TRAIL_H
#define REFGW_AUDIT_TRAIL_H

#include "request.h"
#include "rows.h"

/* One entry; the cursor is its (at, lane, seq). */
#define AUDIT_ENTRY_COLUMNS(C)                                                                     \
	C(AUDIT_ENTRY_AT, "at", TS("a.at"), COL_PLAIN, 0, NULL)                                    \
	C(AUDIT_ENTRY_ORG, "organisation_id", "a.organisation_id", COL_PLAIN, COL_NULLABLE, NULL)  \
	C(AUDIT_ENTRY_ACTION, "action", "a.action", COL_STRING, 0, NULL)                           \
	C(AUDIT_ENTRY_RTYPE, "resource_type", "a.resource_type", COL_STRING, 0, NULL)              \
	C(AUDIT_ENTRY_RID, "resource_id", "a.resource_id", COL_STRING, 0, NULL)                    \
	C(AUDIT_ENTRY_REQUEST, "request_id", "a.request_id", COL_STRING, 0, NULL)                  \
	/* which certificate acted (issue 12) */                                                   \
	C(AUDIT_ENTRY_CERT, "certificate_sha256", "encode(a.certificate_sha256, 'hex')",           \
	  COL_PLAIN, COL_NULLABLE, NULL)                                                           \
	/* the person, when a signed-in user acted (schema/053) */                                 \
	C(AUDIT_ENTRY_USER, "user",                                                                \
	  "CASE WHEN a.user_id IS NOT NULL THEN json_build_object('id', a.user_id, 'label', "      \
	  "a.user_label) END",                                                                     \
	  COL_JSON, COL_OMIT_NULL, NULL)                                                           \
	C(AUDIT_ENTRY_KEY_AT, "key_at", "a.at::text", COL_KEY, 0, NULL)                            \
	C(AUDIT_ENTRY_KEY_LANE, "key_lane", "a.lane", COL_KEY, 0, NULL)                            \
	C(AUDIT_ENTRY_KEY_SEQ, "key_seq", "a.seq", COL_KEY, 0, NULL)

enum audit_entry_col { AUDIT_ENTRY_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc audit_entry_row;

int handle_audit_list(struct request *r);
int handle_audit_chain(struct request *r);

#endif
