/* statements: every SQL statement the gateway prepares, by name. */
#ifndef REFGW_STATEMENTS_H
#define REFGW_STATEMENTS_H

#include <stddef.h>

#include "db.h"
#include "rows.h"

enum stmt_id {
	ST_AUTHENTICATE,
	ST_CALLER_ACTIONS,
	ST_READY,
	ST_AUDIT_APPEND,
	ST_ORG_LIST,
	ST_ORG_GET,
	ST_ORG_INSERT,
	ST_ORG_UPDATE,
	ST_CERT_LIST,
	ST_CERT_GET,
	ST_CERT_INSERT,
	ST_CERT_REVOKE,
	ST_CERT_CONFIRM,
	ST_IDEM_CLAIM,
	ST_IDEM_GET,
	ST_IDEM_STORE,
	ST_PERSON_INSERT,
	ST_PERSON_VISIBLE,
	ST_CONSENT_INSERT,
	ST_CONSENT_LIST,
	ST_CONSENT_GET,
	ST_CONSENT_WITHDRAW,
	ST_ORG_PROGRAM,
	ST_CONSENT_GAPS,
	ST_REFERRAL_INSERT,
	ST_REFERRAL_DATA_INSERT,
	ST_TRANSITION_INSERT,
	ST_EMIT_EVENT,
	ST_REFERRAL_GET,
	ST_REFERRAL_LIST_SENT,
	ST_REFERRAL_LIST_RECEIVED,
	ST_REFERRAL_TRANSITION,
	ST_REFERRAL_HISTORY,
	ST_EVENT_LIST,
	ST_RULES_LIST,
	ST_RULES_DELETE_ALL,
	ST_RULES_INSERT_SET,
	ST_CALLER_MAY,
	ST_AUDIT_LIST,
	ST_SITE_INSERT,
	ST_UNIT_INSERT,
	ST_UNIT_ADDRESS_INSERT,
	ST_UNIT_GET,
	ST_UNIT_SEARCH,
	/* The same with a commune: a plain equality, so that even the cached
	 * generic plan walks units_commune_idx (011) and reads one page of
	 * that commune, not the whole published list filtered (1 M units:
	 * docs/performance.md). */
	ST_UNIT_SEARCH_COMMUNE,
	ST_UNIT_UPDATE,
	ST_UNIT_ADDRESS_UPDATE,
	ST_PROPOSAL_COVERAGE,
	ST_PROPOSAL_INSERT,
	ST_PROPOSAL_GET,
	ST_PROPOSAL_LIST,
	ST_PROPOSAL_ACCEPT,
	ST_PROPOSAL_DECLINE,
	ST_OCC_START,
	ST_OCC_END,
	ST_OCC_RELEASE,
	ST_PLACEMENT_RECORD,
	ST_OCC_GET,
	ST_CANDIDATES,
	ST_AUDIT_APPEND_READS,
	ST_REPORT_OCCUPANCY,
	ST_REPORT_REFERRALS,
	/* the services and the CLI (statements.c says which connection) */
	ST_AUDIT_APPEND_SYSTEM,
	ST_AUDIT_WALK,
	ST_AUDIT_HEAD_BROKEN,
	ST_AUDIT_LANE_HEADS,
	ST_CHECKPOINT_LANES,
	ST_CERTIFICATE_EXPIRIES,
	ST_NOTIFY_ENDING_SOON,
	ST_CLI_RUNTIME_ROLE,
	ST_MIGRATION_APPLIED,
	ST_MIGRATION_RECORD,
	ST_CLI_ORG_RESOLVE,
	ST_CLI_ORG_LIST,
	ST_CLI_ORG_ACTIVATE,
	ST_COUNT
};

/* A statement that answers one value names it "value" in its own SELECT
 * list (`SELECT f(...) AS value`) and takes scalar_row: read with
 * row_val(res, 0, SCALAR_VALUE). */
#define SCALAR_COLUMNS(C) C(SCALAR_VALUE, "value", "NULL", COL_KEY, 0, NULL)
enum scalar_col { SCALAR_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc scalar_row;

/* Expanded once at start-up (sqltext_expand), then read-only. */
extern struct db_stmt statements[ST_COUNT];

#endif
