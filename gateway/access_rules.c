/* access_rules: who may do what.  Every organisation reads the rules that
 * apply to it; coordinators replace the whole set in one transaction.  The
 * same rules are enforced by the router (the route's action) and by
 * PostgreSQL's policies (refgw_caller_may). */
#include "access_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

static const char *const actions[] = {
	"person.create",   "consent.create",      "consent.read",        "consent.withdraw",
	"referral.create", "referral.read",       "referral.transition", "audit.read",
	"event.read",      "organisation.manage", "certificate.manage",  "access_rule.manage",
	"site.manage",     "unit.manage",         "unit.read",           "proposal.create",
	"proposal.decide", "occupancy.manage",    "occupancy.read",      "report.read",
	"program.manage",  "follow_up.manage",    "follow_up.read",      "partnership.manage",
	"site.host",       "person.erase",        "person.export",       "user.read",
	"user.manage",     "consent.receipt",     "audit.chain",         NULL};
static const struct field_spec rule_fields[] = {
	{"organisation_id", FT_UUID, false, 0, 0, 0, NULL},
	{"kind", FT_ENUM, false, 0, 0, 0, org_kinds},
	{"action", FT_ENUM, true, 0, 0, 0, actions},
	{"allowed", FT_BOOLEAN, true, 0, 0, 0, NULL},
};
static const struct field_spec put_fields[] = {
	{"rules", FT_ANY, true, 0, 0, 0, NULL},
};

/* 200 {"items":[every rule],"next_cursor":null}: the set is small and
 * read whole. */
static int
reply_rules(struct request *r, const struct db_res *res)
{
	struct buf out;
	size_t n;

	buf_init(&out, 16u << 20);
	if (write_rows(&out, res, db_rows(res), &rule_row) != 0 ||
	    APPEND_LITERAL(&out, "null}") != 0) {
		buf_free(&out);
		return reply_internal(r);
	}
	n = out.len;
	return reply_json_text(r, 200, buf_steal(&out), n);
}

int
handle_rules_list(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if ((s = db_query(r->db, ST_RULES_LIST, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_rules(r, res);
out:
	db_res_free(res);
	return status;
}

int
handle_rules_replace(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *rules, *rule, *detail = NULL;
	struct db_res *res = NULL;
	char *text = NULL;
	enum db_status s;
	size_t i;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, put_fields, ARRAY_LEN(put_fields), errors);
	rules = json_object_get(body, "rules");
	if (!json_is_array(rules) || json_array_size(rules) > 2000) {
		field_error(errors, "rules", "must be an array of at most 2000 rules");
	} else {
		json_array_foreach(rules, i, rule) {
			char name[48];
			snprintf(name, sizeof(name), "rules[%zu]", i);
			if (!json_is_object(rule) ||
			    (json_object_get(rule, "kind") == NULL) ==
				    (json_object_get(rule, "organisation_id") == NULL)) {
				field_error(errors, name,
					    "needs exactly one of kind or organisation_id");
				continue;
			}
			validate_fields(rule, rule_fields, ARRAY_LEN(rule_fields), errors);
		}
	}
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	text = json_dumps(rules, JSON_COMPACT);
	if (text == NULL) {
		status =
			reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
		goto out;
	}
	if ((s = db_query(r->db, ST_RULES_DELETE_ALL, NULL, (char *)NULL)) != DB_OK ||
	    (s = db_query(r->db, ST_RULES_INSERT_SET, NULL, "rules", text, (char *)NULL)) !=
		    DB_OK) {
		if (s == DB_UNIQUE || s == DB_CONSTRAINT)
			status = reply_problem(
				r, 422, "unprocessable", "Rules refused",
				"a rule is repeated, or names an organisation that does "
				"not exist");
		else
			status = reply_db_error(r, s);
		goto out;
	}
	/* Never lock every coordinator out of the rules themselves. */
	if ((s = db_query(r->db, ST_CALLER_MAY, &res, "action", "access_rule.manage",
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(res, 0, CALLER_MAY)) {
		status = reply_problem(r, 422, "unprocessable", "Rules refused",
				       "the new rules would take access_rule.manage away from you; "
				       "keep it for the coordinators");
		goto out;
	}
	db_res_free(res);
	res = NULL;
	detail = json_pack("{s:i}", "rules", (int)json_array_size(rules));
	if (audit_record(r, "access_rule.replace", "access_rules", "", NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	if ((s = db_query(r->db, ST_RULES_LIST, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_rules(r, res);
out:
	json_decref(detail);
	json_decref(errors);
	free(text);
	db_res_free(res);
	json_decref(body);
	return status;
}

static const struct field_spec one_rule_fields[] = {
	{"allowed", FT_BOOLEAN, true, 0, 0, 0, NULL},
};

/* 200: the organisation's own rules after the change. */
static int
reply_org_rules(struct request *r, const char *org)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status;

	if ((s = db_query(r->db, ST_RULES_OF_ORG, &res, "org", org, (char *)NULL)) != DB_OK)
		status = reply_db_error(r, s);
	else
		status = reply_rules(r, res);
	db_res_free(res);
	return status;
}

/* Sets (allowed "true"/"false") or removes (allowed NULL) organisation
 * params[0]'s rule for action params[1], audited access_rule.set or
 * access_rule.remove; a coordinator is never given site.host, and no change
 * may take access_rule.manage away from the caller (as PUT). */
static int
change_rule(struct request *r, const char *allowed)
{
	const char *org = r->params[0], *action = r->params[1];
	struct db_res *res = NULL;
	json_t *detail = NULL;
	enum db_status s;
	int status = 500;

	if (!validate_in(action, actions)) {
		status = reply_unprocessable_field(r, "Unknown action", "action",
						   "is not an action of the access rules (see "
						   "docs/access-rules.md)");
		goto out;
	}
	if ((s = db_query(r->db, ST_RULE_TARGET, &res, "org", org, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s", org);
		goto out;
	}
	if (allowed && strcmp(allowed, "true") == 0 && strcmp(action, "site.host") == 0 &&
	    strcmp(row_val(res, 0, RULE_TARGET_KIND), "coordinator") == 0) {
		status = reply_unprocessable_field(r, "Rule refused", "action",
						   "a coordinator does not host sites");
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = allowed ? db_query(r->db, ST_RULE_UPSERT, &res, "org", org, "action", action, "allowed",
			       allowed, (char *)NULL)
		    : db_query(r->db, ST_RULE_DELETE, &res, "org", org, "action", action,
			       (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (allowed == NULL && db_rows(res) == 0) {
		status =
			reply_problem(r, 404, "not-found", "Not found",
				      "organisation %s has no rule of its own for %s", org, action);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if ((s = db_query(r->db, ST_CALLER_MAY, &res, "action", "access_rule.manage",
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(res, 0, CALLER_MAY)) {
		status = reply_problem(r, 422, "unprocessable", "Rules refused",
				       "the change would take access_rule.manage away from you; "
				       "keep it for the coordinators");
		goto out;
	}
	detail = allowed ? json_pack("{s:s,s:b}", "action", action, "allowed",
				     strcmp(allowed, "true") == 0)
			 : json_pack("{s:s}", "action", action);
	if (audit_record(r, allowed ? "access_rule.set" : "access_rule.remove", "organisation", org,
			 NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_org_rules(r, org);
out:
	json_decref(detail);
	db_res_free(res);
	return status;
}

int
handle_rule_put(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, one_rule_fields, ARRAY_LEN(one_rule_fields), errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	status = change_rule(r, json_is_true(json_object_get(body, "allowed")) ? "true" : "false");
out:
	json_decref(errors);
	json_decref(body);
	return status;
}

int
handle_rule_delete(struct request *r)
{
	int status = 500;

	status = change_rule(r, NULL);
	goto out;
out:
	return status;
}
