/* export: GET /v1/persons/{id}/export, the person's access and portability
 * (GDPR arts. 15, 20): all that refgw holds about one person and their
 * journal, for the coordinator acting on the person's request, as JSON or
 * as a printable HTML page; the export itself is audited. */
#ifndef REFGW_EXPORT_H
#define REFGW_EXPORT_H

#include "request.h"
#include "rows.h"

/* At most this many rows (consents, referrals, their transitions, proposals
 * and occupancies, follow-ups, their entries, journal lines) in one export;
 * beyond, 422 export-too-large (docs/data-protection.md). */
#define EXPORT_ROWS_MAX 5000

/* refgw_person_export (schema/048): whether the person exists for the
 * caller, how many rows the document holds, and the document with the
 * sealed values as stored (NULL beyond the limit). */
#define PERSON_EXPORT_COLUMNS(C)                                                                   \
	C(EXPORT_FOUND, "found", "e.found", COL_KEY, 0, NULL)                                      \
	C(EXPORT_ROWS, "row_count", "e.row_count", COL_KEY, 0, NULL)                               \
	C(EXPORT_DOCUMENT, "document", "e.document::text", COL_KEY, 0, NULL)

enum person_export_col { PERSON_EXPORT_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc person_export_row;

int handle_person_export(struct request *r);

#endif
