/* referrals: one person sent from one organisation to another, for a
 * program, under a consent: the row, the state machine (a table others and
 * the tests read) and the handlers. */
#ifndef REFGW_REFERRALS_H
#define REFGW_REFERRALS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "rows.h"

/* A referral as every party may see it whatever the consent (lists,
 * transitions, events): no personal field. */
#define REFERRAL_COLUMNS(C)                                                                        \
	C(REFERRAL_ID, "id", "r.id", COL_PLAIN, 0, NULL)                                           \
	C(REFERRAL_STATUS, "status", "r.status", COL_PLAIN, 0, NULL)                               \
	C(REFERRAL_VERSION, "version", "r.version", COL_INTEGER, 0, NULL)                          \
	C(REFERRAL_PERSON, "person_id", "r.person_id", COL_PLAIN, COL_PERSON, NULL)                \
	C(REFERRAL_FROM, "from_organisation_id", "r.from_org", COL_PLAIN, 0, NULL)                 \
	C(REFERRAL_TO, "to_organisation_id", "r.to_org", COL_PLAIN, 0, NULL)                       \
	C(REFERRAL_PROGRAM, "program", "r.program", COL_STRING, 0, NULL)                           \
	C(REFERRAL_CONSENT, "consent_id", "r.consent_id", COL_PLAIN, 0, NULL)                      \
	C(REFERRAL_PURPOSE, "purpose", "r.purpose", COL_STRING, 0, NULL)                           \
	C(REFERRAL_INTAKE, "intake", "r.from_org = r.to_org", COL_BOOLEAN, 0, NULL)                \
	C(REFERRAL_RELAYS, "relays_referral_id", "r.relays_referral_id", COL_PLAIN, COL_NULLABLE,  \
	  NULL)                                                                                    \
	C(REFERRAL_CREATED, "created_at", TS("r.created_at"), COL_PLAIN, 0, NULL)                  \
	C(REFERRAL_UPDATED, "updated_at", TS("r.updated_at"), COL_PLAIN, 0, NULL)                  \
	C(REFERRAL_KEY, "cursor_key", "r.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* The same and its personal fields (referral_data, behind row-level
 * security: present while the caller is a party and the consent holds).
 * reason, release_date, each category of data and each field of needs are
 * sealed (seal.h, schema/045 and 051), opened when rendered with the
 * person's data key.
 * needs and data carry a category per field (categories.c). */
#define REFERRAL_FULL_COLUMNS(C)                                                                   \
	REFERRAL_COLUMNS(C)                                                                        \
	C(REFERRAL_VISIBLE, "visible", "d.referral_id IS NOT NULL", COL_KEY, 0, NULL)              \
	C(REFERRAL_REASON, "reason", "d.reason", COL_STRING,                                       \
	  COL_PERSONAL | COL_NULLABLE | COL_SEALED, "housing_situation")                           \
	C(REFERRAL_NEEDS, "needs", "coalesce(d.needs, '{}')::text", COL_JSON,                      \
	  COL_PERSONAL | COL_SEALED, NULL)                                                         \
	C(REFERRAL_RELEASE, "release_date", "d.release_date", COL_PLAIN,                           \
	  COL_PERSONAL | COL_NULLABLE | COL_SEALED, "justice")                                     \
	C(REFERRAL_DATA, "data", "d.data::text", COL_JSON,                                         \
	  COL_PERSONAL | COL_OMIT_NULL | COL_SEALED, NULL)                                         \
	C(REFERRAL_PARALLEL, "parallel", "refgw_referral_parallel(r.id)::text", COL_JSON,          \
	  COL_OMIT_NULL, NULL)                                                                     \
	PLACEMENT_COLUMNS(C)                                                                       \
	RELAYED_COLUMNS(C)

/* The referral's latest placement (schema/022: refgw_referral_placement,
 * LEFT JOIN LATERAL pl in GET /v1/referrals/{id} only, not in the lists),
 * as the nested object "placement", absent when there is none.  The outcome
 * only while the consent holds, the unit's address only while it holds and
 * covers contact (both audited with the read). */
#define PLACEMENT_COLUMNS(C)                                                                       \
	C(PLACEMENT_ID, "placement.occupancy_id", "pl.id", COL_PLAIN, COL_OMIT_NULL, NULL)         \
	C(PLACEMENT_KIND, "placement.kind", "pl.kind", COL_PLAIN, COL_OMIT_NULL, NULL)             \
	C(PLACEMENT_OPERATOR, "placement.operator_organisation_id", "pl.operator_org", COL_PLAIN,  \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(PLACEMENT_UNIT, "placement.unit_id", "pl.unit_id", COL_PLAIN, COL_OMIT_NULL, NULL)       \
	C(PLACEMENT_ADDRESS, "placement.address", "pl.address", COL_STRING, COL_OMIT_NULL, NULL)   \
	C(PLACEMENT_START, "placement.start_date", "pl.start_date::text", COL_PLAIN,               \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(PLACEMENT_PLANNED_END, "placement.planned_end_date", "pl.planned_end_date::text",        \
	  COL_PLAIN, COL_OMIT_NULL, NULL)                                                          \
	C(PLACEMENT_END, "placement.end_date", "pl.end_date::text", COL_PLAIN, COL_OMIT_NULL,      \
	  NULL)                                                                                    \
	C(PLACEMENT_OUTCOME, "placement.outcome", "pl.outcome", COL_PLAIN, COL_OMIT_NULL, NULL)

/* For the receiver of a relay (schema/031: refgw_relayed_placement, LEFT
 * JOIN LATERAL rp in GET /v1/referrals/{id} only), the placement it
 * continues: the relayed referral's latest occupancy, while the relay's
 * consent holds and covers the receiver and housing_situation (audited with
 * the read); staff data and the unit's commune, never the address. */
#define RELAYED_COLUMNS(C)                                                                         \
	C(RELAYED_ID, "relayed_placement.occupancy_id", "rp.id", COL_PLAIN, COL_OMIT_NULL, NULL)   \
	C(RELAYED_KIND, "relayed_placement.kind", "rp.kind", COL_PLAIN, COL_OMIT_NULL, NULL)       \
	C(RELAYED_OPERATOR, "relayed_placement.operator_organisation_id", "rp.operator_org",       \
	  COL_PLAIN, COL_OMIT_NULL, NULL)                                                          \
	C(RELAYED_COMMUNE, "relayed_placement.commune", "rp.commune", COL_STRING, COL_OMIT_NULL,   \
	  NULL)                                                                                    \
	C(RELAYED_START, "relayed_placement.start_date", "rp.start_date::text", COL_PLAIN,         \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(RELAYED_PLANNED_END, "relayed_placement.planned_end_date", "rp.planned_end_date::text",  \
	  COL_PLAIN, COL_OMIT_NULL, NULL)                                                          \
	C(RELAYED_END, "relayed_placement.end_date", "rp.end_date::text", COL_PLAIN,               \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(RELAYED_REFERENT, "relayed_placement.referent_organisation_id", "rp.referent_org",       \
	  COL_PLAIN, COL_OMIT_NULL, NULL)                                                          \
	C(RELAYED_REFERENT_NAME, "relayed_placement.referent_name", "rp.referent_name",            \
	  COL_STRING, COL_OMIT_NULL, NULL)                                                         \
	C(RELAYED_REFERENT_ROLE, "relayed_placement.referent_role", "rp.referent_role",            \
	  COL_STRING, COL_OMIT_NULL, NULL)

/* One step of a referral's history; the note, and the outcome of a
 * completion (its reason code), only while the consent holds. */
#define TRANSITION_COLUMNS(C)                                                                      \
	C(TRANSITION_FROM, "from", "from_status", COL_PLAIN, COL_NULLABLE, NULL)                   \
	C(TRANSITION_TO, "to", "to_status", COL_PLAIN, 0, NULL)                                    \
	C(TRANSITION_REASON, "reason_code",                                                        \
	  "CASE WHEN to_status <> 'completed' OR refgw_referral_consent_covers(referral_id, "      \
	  "'{}') "                                                                                 \
	  "THEN reason_code END",                                                                  \
	  COL_STRING, COL_NULLABLE, NULL)                                                          \
	C(TRANSITION_NOTE, "note",                                                                 \
	  "CASE WHEN refgw_referral_consent_covers(referral_id, '{}') THEN note END", COL_STRING,  \
	  COL_NULLABLE | COL_SEALED, NULL)                                                         \
	C(TRANSITION_PERSON, "person_id", "person_id", COL_KEY, COL_PERSON, NULL)                  \
	C(TRANSITION_BY, "by_organisation_id", "by_org", COL_PLAIN, COL_NULLABLE, NULL)            \
	C(TRANSITION_AT, "at", TS("at"), COL_PLAIN, 0, NULL)

/* A new referral as refgw_referral_create answers it (schema/060): the
 * referral's columns, then the outcome ("created", or the refusal that
 * wrote nothing) and its detail (the consent's gaps, space-separated:
 * "recipient", "purpose:<p>", "category:<c>"...). */
#define REFERRAL_CREATE_OUTCOME_COLUMNS(C)                                                         \
	C(CREATE_OUTCOME, "outcome", "r.outcome", COL_KEY, 0, NULL)                                \
	C(CREATE_DETAIL, "detail", "r.detail", COL_KEY, COL_NULLABLE, NULL)
#define REFERRAL_CREATE_COLUMNS(C)                                                                 \
	REFERRAL_COLUMNS(C)                                                                        \
	REFERRAL_CREATE_OUTCOME_COLUMNS(C)

enum referral_col { REFERRAL_FULL_COLUMNS(COLUMN_ENUM) };
enum transition_col { TRANSITION_COLUMNS(COLUMN_ENUM) };
/* After the referral's columns (REFERRAL_KEY is the last of them). */
enum referral_create_col {
	CREATE_AFTER_REFERRAL = REFERRAL_KEY,
	REFERRAL_CREATE_OUTCOME_COLUMNS(COLUMN_ENUM)
};

extern const struct row_desc referral_row, referral_full_row, transition_row, referral_create_row;

enum referral_party { PARTY_RECEIVER, PARTY_SENDER };

/* Whether `by` may move a referral from `from` to `to`. */
bool referral_transition_allowed(const char *from, const char *to, enum referral_party by);
/* Writes the states `by` may move `from` to, comma-separated ("" if none). */
void referral_allowed_targets(const char *from, enum referral_party by, char *out, size_t outlen);
/* Whether reason_code is one of the documented codes for moving to `to`. */
bool referral_reason_valid(const char *to, const char *reason_code);

int handle_referral_create(struct request *r);
int handle_referral_list(struct request *r);
int handle_referral_get(struct request *r);
int handle_referral_transition(struct request *r);
int handle_referral_history(struct request *r);

#endif
