/* follow_ups: an organisation's accompaniment of a person after (or
 * around) a placement, on a referral it sent, received or took in
 * (schema/030): a period, a status, and dated entries that are personal
 * data under the consent category follow_up. */
#ifndef REFGW_FOLLOW_UPS_H
#define REFGW_FOLLOW_UPS_H

#include "request.h"
#include "rows.h"

/* A follow-up: no personal data of its own (the entries are).  The person
 * is for the audit of an entry read; consent says whether entries may be
 * written (refgw_follow_up_consent). */
#define FOLLOW_UP_COLUMNS(C)                                                                       \
	C(FOLLOW_UP_ID, "id", "f.id", COL_PLAIN, 0, NULL)                                          \
	C(FOLLOW_UP_ORG, "organisation_id", "f.organisation_id", COL_PLAIN, 0, NULL)               \
	C(FOLLOW_UP_REFERRAL, "referral_id", "f.referral_id", COL_PLAIN, 0, NULL)                  \
	C(FOLLOW_UP_OCCUPANCY, "occupancy_id", "f.occupancy_id", COL_PLAIN, COL_NULLABLE, NULL)    \
	C(FOLLOW_UP_FROM, "period_from", "f.period_from::text", COL_PLAIN, 0, NULL)                \
	C(FOLLOW_UP_UNTIL, "period_until", "f.period_until::text", COL_PLAIN, COL_NULLABLE, NULL)  \
	C(FOLLOW_UP_STATUS, "status", "f.status", COL_PLAIN, 0, NULL)                              \
	C(FOLLOW_UP_VERSION, "version", "f.version", COL_INTEGER, 0, NULL)                         \
	C(FOLLOW_UP_CREATED, "created_at", TS("f.created_at"), COL_PLAIN, 0, NULL)                 \
	C(FOLLOW_UP_UPDATED, "updated_at", TS("f.updated_at"), COL_PLAIN, 0, NULL)                 \
	C(FOLLOW_UP_PERSON, "person_id", "refgw_follow_up_person(f.id)", COL_KEY, 0, NULL)         \
	C(FOLLOW_UP_CONSENT, "consent_state", "refgw_follow_up_consent(f.id)", COL_KEY, 0, NULL)   \
	C(FOLLOW_UP_KEY, "cursor_key", "f.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* An entry: its text is personal data (category follow_up), shown only
 * where row-level security shows the row (refgw_follow_up_entries_visible)
 * and each read audited. */
#define FOLLOW_UP_ENTRY_COLUMNS(C)                                                                 \
	C(ENTRY_ID, "id", "e.id", COL_PLAIN, 0, NULL)                                              \
	C(ENTRY_FOLLOW_UP, "follow_up_id", "e.follow_up_id", COL_PLAIN, 0, NULL)                   \
	C(ENTRY_DATE, "date", "e.entry_date::text", COL_PLAIN, 0, NULL)                            \
	C(ENTRY_KIND, "kind", "e.kind", COL_PLAIN, 0, NULL)                                        \
	C(ENTRY_TEXT, "text", "e.text", COL_STRING, COL_SEALED, NULL)                              \
	C(ENTRY_PERSON, "person_id", "$person::uuid", COL_KEY, COL_PERSON, NULL)                   \
	C(ENTRY_ORG, "organisation_id", "e.written_by", COL_PLAIN, 0, NULL)                        \
	C(ENTRY_CREATED, "created_at", TS("e.created_at"), COL_PLAIN, 0, NULL)                     \
	C(ENTRY_KEY, "cursor_key", "e.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* refgw_follow_up_check: ok, referral, occupancy or consent. */
#define FOLLOW_UP_CHECK_COLUMNS(C)                                                                 \
	C(FOLLOW_UP_CHECK_RESULT, "result",                                                        \
	  "refgw_follow_up_check($referral::uuid, $occupancy::uuid)", COL_KEY, 0, NULL)

enum follow_up_col { FOLLOW_UP_COLUMNS(COLUMN_ENUM) };
enum follow_up_entry_col { FOLLOW_UP_ENTRY_COLUMNS(COLUMN_ENUM) };
enum follow_up_check_col { FOLLOW_UP_CHECK_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc follow_up_row, follow_up_entry_row, follow_up_check_row;

int handle_follow_up_create(struct request *r);
int handle_follow_up_list(struct request *r);
int handle_follow_up_get(struct request *r);
int handle_follow_up_update(struct request *r);
int handle_follow_up_entry_create(struct request *r);
int handle_follow_up_entry_list(struct request *r);

#endif
