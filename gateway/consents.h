/* consents: what a person agreed to share, with whom, for what, until when,
 * and how the agreement was recorded. */
#ifndef REFGW_CONSENTS_H
#define REFGW_CONSENTS_H

#include "request.h"
#include "rows.h"

/* A consent.  recipients: {organisation_id} entries, then {kind} ones.
 * evidence only for the organisation that recorded it, and only until the
 * retention schedule removed it (evidence_removed_at, schema/046); withdrawn_at and
 * withdrawal_reason only once withdrawn (the reason then null when none was
 * given).  Both are sealed under the person's data key (seal.h): a
 * withdrawal seals its reason, null included. */
#define CONSENT_COLUMNS(C)                                                                         \
	C(CONSENT_ID, "id", "id", COL_PLAIN, 0, NULL)                                              \
	C(CONSENT_PERSON, "person_id", "person_id", COL_PLAIN, COL_PERSON, NULL)                   \
	C(CONSENT_CREATED_BY, "created_by", "created_by", COL_PLAIN, 0, NULL)                      \
	C(CONSENT_RECIPIENTS, "recipients",                                                        \
	  "array_to_string(recipient_orgs, ',') || ';' || array_to_string(recipient_kinds, ',')",  \
	  COL_AUDIENCE, 0, NULL)                                                                   \
	C(CONSENT_PURPOSES, "purposes", "array_to_string(purposes, ',')", COL_LIST, 0, NULL)       \
	C(CONSENT_CATEGORIES, "data_categories", "array_to_string(data_categories, ',')",          \
	  COL_LIST, 0, NULL)                                                                       \
	C(CONSENT_VALID_UNTIL, "valid_until", "valid_until::text", COL_PLAIN, 0, NULL)             \
	C(CONSENT_EVIDENCE, "evidence", "CASE WHEN created_by = refgw_caller() THEN evidence END", \
	  COL_STRING, COL_OMIT_NULL | COL_SEALED, NULL)                                            \
	C(CONSENT_EVIDENCE_REMOVED, "evidence_removed_at", TS("evidence_removed_at"), COL_PLAIN,   \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(CONSENT_STATUS, "status", "status", COL_PLAIN, 0, NULL)                                  \
	C(CONSENT_WITHDRAWN, "withdrawn_at", TS("withdrawn_at"), COL_PLAIN, COL_OMIT_NULL, NULL)   \
	C(CONSENT_WITHDRAWAL_REASON, "withdrawal_reason",                                          \
	  "CASE WHEN withdrawn_at IS NOT NULL THEN coalesce(withdrawal_reason, 'null') END",       \
	  COL_STRING, COL_OMIT_NULL | COL_SEALED, NULL)                                            \
	C(CONSENT_CREATED, "created_at", TS("created_at"), COL_PLAIN, 0, NULL)

/* Withdrawal (refgw_withdraw_consent): how many referrals it withdrew,
 * NULL when the caller may not withdraw that consent. */
#define CONSENT_WITHDRAWAL_COLUMNS(C)                                                              \
	C(WITHDRAWN_REFERRALS, "referrals_withdrawn",                                              \
	  "refgw_withdraw_consent($id::uuid, $reason)", COL_KEY, 0, NULL)

enum consent_col { CONSENT_COLUMNS(COLUMN_ENUM) };
enum consent_withdrawal_col { CONSENT_WITHDRAWAL_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc consent_row, consent_withdrawal_row;

/* The purposes and data categories a consent may name, NULL-terminated. */
extern const char *const consent_purposes[];
extern const char *const data_categories[];

int handle_consent_create(struct request *r);
int handle_consent_list(struct request *r);
int handle_consent_withdraw(struct request *r);

#endif
