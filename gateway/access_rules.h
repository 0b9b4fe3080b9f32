/* access_rules: who may do what (GET/PUT /v1/access-rules).  A rule names an
 * organisation or a kind, never both (schema/004). */
#ifndef REFGW_ACCESS_RULES_H
#define REFGW_ACCESS_RULES_H

#include "request.h"
#include "rows.h"

/* One rule: organisation_id or kind, the other key absent. */
#define RULE_COLUMNS(C)                                                                            \
	C(RULE_ID, "id", "a.id", COL_PLAIN, 0, NULL)                                               \
	C(RULE_ORG, "organisation_id", "a.organisation_id", COL_PLAIN, COL_OMIT_NULL, NULL)        \
	C(RULE_KIND, "kind", "a.kind", COL_PLAIN, COL_OMIT_NULL, NULL)                             \
	C(RULE_ACTION, "action", "a.action", COL_PLAIN, 0, NULL)                                   \
	C(RULE_ALLOWED, "allowed", "a.allowed", COL_BOOLEAN, 0, NULL)                              \
	C(RULE_UPDATED, "updated_at", TS("a.updated_at"), COL_PLAIN, 0, NULL)

/* Whether the caller may do $action under the rules of its transaction. */
#define CALLER_MAY_COLUMNS(C) C(CALLER_MAY, "may", "refgw_caller_may($action)", COL_KEY, 0, NULL)

/* The organisation a single rule is for: its kind, and whether it is a
 * coordinator (no hosting for coordinators, schema/031). */
#define RULE_TARGET_COLUMNS(C) C(RULE_TARGET_KIND, "kind", "o.kind", COL_KEY, 0, NULL)

enum rule_col { RULE_COLUMNS(COLUMN_ENUM) };
enum caller_may_col { CALLER_MAY_COLUMNS(COLUMN_ENUM) };
enum rule_target_col { RULE_TARGET_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc rule_row, caller_may_row, rule_target_row;

int handle_rules_list(struct request *r);
int handle_rules_replace(struct request *r);
/* PUT /v1/access-rules/{organisation_id}/{action} {"allowed": bool}: sets one
 * organisation's rule; DELETE removes it (its kind's rule applies again).
 * Both answer that organisation's rules. */
int handle_rule_put(struct request *r);
int handle_rule_delete(struct request *r);

#endif
