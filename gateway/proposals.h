/* proposals: a social organisation proposes a referred person for a
 * published unit; the unit's operator accepts one (which reserves the unit,
 * atomically, in refgw_accept_proposal) or declines. */
#ifndef REFGW_PROPOSALS_H
#define REFGW_PROPOSALS_H

#include "request.h"
#include "rows.h"

/* The note may say anything about the person: shown only while the
 * referral's consent holds (hostile review of issue 12), like its data. */
#define PROPOSAL_COLUMNS(C)                                                                        \
	C(PROPOSAL_ID, "id", "p.id", COL_PLAIN, 0, NULL)                                           \
	C(PROPOSAL_UNIT, "unit_id", "p.unit_id", COL_PLAIN, 0, NULL)                               \
	C(PROPOSAL_REFERRAL, "referral_id", "p.referral_id", COL_PLAIN, 0, NULL)                   \
	C(PROPOSAL_PROPOSER, "proposer_organisation_id", "p.proposer_org", COL_PLAIN, 0, NULL)     \
	C(PROPOSAL_OPERATOR, "operator_organisation_id", "p.operator_org", COL_PLAIN, 0, NULL)     \
	C(PROPOSAL_SHARED, "shared_categories", "array_to_string(p.shared_categories, ',')",       \
	  COL_LIST, 0, NULL)                                                                       \
	C(PROPOSAL_NOTE, "note",                                                                   \
	  "CASE WHEN refgw_referral_consent_covers(p.referral_id, '{}') THEN p.note END",          \
	  COL_STRING, COL_NULLABLE | COL_SEALED, NULL)                                             \
	C(PROPOSAL_PERSON, "person_id", "p.person_id", COL_KEY, COL_PERSON, NULL)                  \
	C(PROPOSAL_STATUS, "status", "p.status", COL_PLAIN, 0, NULL)                               \
	C(PROPOSAL_REASON, "reason_code", "p.reason_code", COL_STRING, COL_NULLABLE, NULL)         \
	C(PROPOSAL_DECIDED, "decided_at", TS("p.decided_at"), COL_PLAIN, COL_NULLABLE, NULL)       \
	C(PROPOSAL_CREATED, "created_at", TS("p.created_at"), COL_PLAIN, 0, NULL)                  \
	C(PROPOSAL_KEY, "cursor_key", "p.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* What the referral's consent lets the proposer share with the operator:
 * its categories, comma-separated, or "!referral" / "!consent". */
#define COVERAGE_COLUMNS(C)                                                                        \
	C(COVERAGE_SHARED, "shared", "refgw_proposal_coverage($referral::uuid, $operator::uuid)",  \
	  COL_KEY, 0, NULL)

/* refgw_accept_proposal: NULL (no such proposal for the caller),
 * "unit_taken" or the accepted proposal's id. */
#define ACCEPT_COLUMNS(C)                                                                          \
	C(ACCEPT_OUTCOME, "outcome", "refgw_accept_proposal($id::uuid)", COL_KEY, 0, NULL)

/* A declined proposal's proposer (told by an event). */
#define DECLINED_COLUMNS(C) C(DECLINED_PROPOSER, "proposer_org", "proposer_org", COL_KEY, 0, NULL)

enum proposal_col { PROPOSAL_COLUMNS(COLUMN_ENUM) };
enum coverage_col { COVERAGE_COLUMNS(COLUMN_ENUM) };
enum accept_col { ACCEPT_COLUMNS(COLUMN_ENUM) };
enum declined_col { DECLINED_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc proposal_row, coverage_row, accept_row, declined_row;

int handle_proposal_create(struct request *r);
int handle_proposal_list(struct request *r);
/* GET /v1/proposals: the caller's, as operator or proposer, newest first. */
int handle_proposal_list_mine(struct request *r);
int handle_proposal_decision(struct request *r);

#endif
