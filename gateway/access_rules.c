/* access_rules: who may do what.  Every organisation reads the rules that
 * apply to it; coordinators replace the whole set in one transaction.  The
 * same rules are enforced by the router (the route's action) and by
 * PostgreSQL's policies (refgw_caller_may). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "statements.h"
#include "validate.h"

static const char *const actions[] = {
	"person.create",       "consent.create",     "consent.read",
	"consent.withdraw",    "referral.create",    "referral.read",
	"referral.transition", "audit.read",         "event.read",
	"organisation.manage", "certificate.manage", "access_rule.manage",
	"site.manage",         "unit.manage",        "unit.read",
	"proposal.create",     "proposal.decide",    "occupancy.manage",
	"occupancy.read",      "report.read",        NULL};
static const struct field_spec rule_fields[] = {
	{"organisation_id", FT_UUID, false, 0, 0, 0, NULL},
	{"kind", FT_ENUM, false, 0, 0, 0, org_kinds},
	{"action", FT_ENUM, true, 0, 0, 0, actions},
	{"allowed", FT_BOOLEAN, true, 0, 0, 0, NULL},
};
static const struct field_spec put_fields[] = {
	{"rules", FT_ANY, true, 0, 0, 0, NULL},
};

static json_t *
rules_json(const struct db_res *res)
{
	json_t *items = json_array();
	int i;

	for (i = 0; i < db_rows(res); i++) {
		json_t *j =
			json_pack("{s:s, s:s, s:b, s:s}", "id", db_val(res, i, 0), "action",
				  db_val(res, i, 3), "allowed", strcmp(db_val(res, i, 4), "t") == 0,
				  "updated_at", db_val(res, i, 5));
		if (db_null(res, i, 1))
			json_object_set_new(j, "kind", json_string(db_val(res, i, 2)));
		else
			json_object_set_new(j, "organisation_id", json_string(db_val(res, i, 1)));
		json_array_append_new(items, j);
	}
	return json_pack("{s:o, s:n}", "items", items, "next_cursor");
}

int
handle_rules_list(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_RULES_LIST, 0, NULL, &res);
	int status;

	if (s != DB_OK)
		return reply_db_error(r, s);
	status = reply_json(r, 200, rules_json(res));
	db_res_free(res);
	return status;
}

int
handle_rules_replace(struct request *r)
{
	json_t *body = body_json(r), *errors = NULL, *rules, *rule, *detail = NULL;
	const char *may[1] = {"access_rule.manage"};
	struct db_res *res = NULL;
	char *text = NULL;
	enum db_status s;
	size_t i;
	int status;

	if (body == NULL)
		return r->status;
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
	if ((s = db_exec(r->db, ST_RULES_DELETE_ALL, 0, NULL, NULL)) != DB_OK ||
	    (s = db_exec(r->db, ST_RULES_INSERT_SET, 1, (const char *const *)&text, NULL)) !=
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
	if ((s = db_exec(r->db, ST_CALLER_MAY, 1, may, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (strcmp(db_val(res, 0, 0), "t") != 0) {
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
	if ((s = db_exec(r->db, ST_RULES_LIST, 0, NULL, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_json(r, 200, rules_json(res));
out:
	json_decref(detail);
	json_decref(errors);
	free(text);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_audit_list(struct request *r)
{
	const char *person = req_query(r, "person_id"), *c = req_query(r, "cursor");
	char limit_text[16], ts[128] = "", lane[128] = "", seq[128] = "";
	const char *params[5] = {person, NULL, NULL, NULL, limit_text};
	struct db_res *res = NULL;
	json_t *items, *next = json_null();
	int limit, i, rows;
	enum db_status s;

	if (person == NULL || !is_uuid(person)) {
		json_t *errors = json_array();
		field_error(errors, "person_id", "is required: the person whose accesses to list");
		json_decref(next);
		return reply_invalid_query(r, errors);
	}
	if ((limit = query_limit(r)) < 0)
		return r->status;
	if (c) {
		/* cursor: "at|lane|seq" in base64url */
		unsigned char raw[128];
		long n = strlen(c) < 160 ? base64url_decode(c, raw, sizeof(raw) - 1) : -1;
		char *a, *b;
		if (n > 0) {
			raw[n] = '\0';
			a = strchr((char *)raw, '|');
			b = a ? strchr(a + 1, '|') : NULL;
			if (a && b && (size_t)(a - (char *)raw) < sizeof(ts)) {
				*a = *b = '\0';
				snprintf(ts, sizeof(ts), "%s", (char *)raw);
				snprintf(lane, sizeof(lane), "%s", a + 1);
				snprintf(seq, sizeof(seq), "%s", b + 1);
			}
		}
		if (!ts[0]) {
			return reply_problem(
				r, 400, "invalid-cursor", "Invalid cursor",
				"cursor must be a next_cursor value returned by this list");
		}
		params[1] = ts;
		params[2] = lane;
		params[3] = seq;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_exec(r->db, ST_AUDIT_LIST, 5, params, &res);
	if (s == DB_BAD_INPUT || (s == DB_ERROR && c))
		return reply_problem(r, 400, "invalid-cursor", "Invalid cursor",
				     "cursor must be a next_cursor value returned by this list");
	if (s != DB_OK)
		return reply_db_error(r, s);
	rows = db_rows(res);
	items = json_array();
	for (i = 0; i < rows && i < limit; i++)
		json_array_append_new(
			items,
			json_pack("{s:s, s:s?, s:s, s:s, s:s, s:s, s:s?}", "at", db_val(res, i, 0),
				  "organisation_id", db_null(res, i, 1) ? NULL : db_val(res, i, 1),
				  "action", db_val(res, i, 2), "resource_type", db_val(res, i, 3),
				  "resource_id", db_val(res, i, 4), "request_id", db_val(res, i, 5),
				  /* which certificate acted (issue 12) */
				  "certificate_sha256",
				  db_null(res, i, 9) ? NULL : db_val(res, i, 9)));
	if (rows > limit) {
		char key[128], enc[200];
		snprintf(key, sizeof(key), "%s|%s|%s", db_val(res, limit - 1, 6),
			 db_val(res, limit - 1, 7), db_val(res, limit - 1, 8));
		base64url_encode((unsigned char *)key, strlen(key), enc);
		next = json_string(enc);
	}
	db_res_free(res);
	return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}
