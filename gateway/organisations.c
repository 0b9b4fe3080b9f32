/* organisations: the caller (/v1/me), the directory, and its management by
 * coordinators. */
#include "organisations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "log.h"
#include "statements.h"
#include "validate.h"

static const char *const statuses[] = {"active", "suspended", NULL};

static const struct field_spec org_create_fields[] = {
	{"name", FT_STRING, true, 200, 0, 0, NULL},
	{"kind", FT_ENUM, true, 0, 0, 0, org_kinds},
	{"programs", FT_TOKEN_ARRAY, false, 64, 0, 32, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, statuses},
};

static const struct field_spec org_update_fields[] = {
	{"name", FT_STRING, false, 200, 0, 0, NULL},
	{"programs", FT_TOKEN_ARRAY, false, 64, 0, 32, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, statuses},
};

/* The organisation of row 0 as the whole response, its version as the ETag. */
static int
reply_org(struct request *r, int status, const struct db_res *res)
{
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, ORG_VERSION));
	return reply_row(r, status, &org_row, res, 0, ROW_PUBLIC);
}

/* The allowed actions, space-separated, as a JSON array into out.  Action
 * names match ^[a-z_]+\.[a-z_]+$ (schema/004): no escapes. */
static int
actions_write(struct buf *out, const char *p)
{
	bool first = true;

	while (*p) {
		size_t len = strcspn(p, " ");
		if (len) {
			if ((!first && buf_append(out, ",\"", 2) != 0) ||
			    (first && buf_append(out, "\"", 1) != 0) ||
			    buf_append(out, p, len) != 0 || buf_append(out, "\"", 1) != 0)
				return -1;
			first = false;
		}
		p += len;
		if (*p == ' ')
			p++;
	}
	return 0;
}

/* Rendered without a jansson tree: GET /v1/me is the route partners poll,
 * and building then dumping the tree was a sixth of its CPU. */
int
handle_me(struct request *r)
{
	char nb[32], na[32];
	struct db_res *res = NULL;
	const char *actions = r->caller_actions;
	struct buf out;
	size_t n;
	int status = 500;

	buf_init(&out, 1u << 20);
	/* Without a connection the router answered from the identity cache. */
	if (r->db != NULL) {
		enum db_status s = db_query(r->db, ST_CALLER_ACTIONS, &res, (char *)NULL);
		if (s != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		actions = row_val(res, 0, CALLER_ACTIONS);
		r->caller_actions_truncated =
			(size_t)snprintf(r->caller_actions, sizeof(r->caller_actions), "%s",
					 actions) >= sizeof(r->caller_actions);
	}
	format_rfc3339(r->who.certificate_not_before, nb, sizeof(nb));
	format_rfc3339(r->who.certificate_not_after, na, sizeof(na));
	if (APPEND_LITERAL(&out, "{\"organisation\":{\"id\":") != 0 ||
	    json_quote(&out, r->who.organisation_id) != 0 ||
	    APPEND_LITERAL(&out, ",\"name\":") != 0 ||
	    json_quote(&out, r->who.organisation_name) != 0 ||
	    APPEND_LITERAL(&out, ",\"kind\":") != 0 || json_quote(&out, r->who.kind) != 0 ||
	    APPEND_LITERAL(&out, "},\"certificate\":{\"sha256\":") != 0 ||
	    json_quote(&out, r->who.certificate_sha256) != 0 ||
	    APPEND_LITERAL(&out, ",\"not_before\":") != 0 || json_quote(&out, nb) != 0 ||
	    APPEND_LITERAL(&out, ",\"not_after\":") != 0 || json_quote(&out, na) != 0 ||
	    APPEND_LITERAL(&out, "},\"allowed_actions\":[") != 0 ||
	    actions_write(&out, actions) != 0 || buf_append(&out, "]}", 2) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error", "out of memory");
		goto out;
	}
	n = out.len;
	status = reply_json_text(r, 200, buf_steal(&out), n);
out:
	buf_free(&out);
	db_res_free(res);
	return status;
}

int
handle_org_list(struct request *r)
{
	char name[256], id[37], limit_text[16];
	struct db_res *res = NULL;
	int limit, have = 0;
	int status = 500;
	enum db_status s;

	if ((limit = query_limit(r)) < 0 || (have = cursor_decode(r, name, sizeof(name), id)) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_ORG_LIST, &res, "after_name", have ? name : NULL, "after_id",
		     have ? id : NULL, "limit", limit_text, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_rows(r, res, limit, &org_row);
out:
	db_res_free(res);
	return status;
}

int
handle_org_get(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_ORG_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s",
				       r->params[0]);
	else
		status = reply_org(r, 200, res);
out:
	db_res_free(res);
	return status;
}

/* Joins a validated token array with commas (NULL when absent). */
static char *
join_programs(json_t *programs)
{
	struct buf b;
	size_t i;
	json_t *p;

	if (programs == NULL || json_is_null(programs))
		return NULL;
	buf_init(&b, 32 * 65);
	json_array_foreach(programs, i, p) {
		if ((i && buf_append(&b, ",", 1) != 0) ||
		    buf_append(&b, json_string_value(p), strlen(json_string_value(p))) != 0) {
			buf_free(&b);
			return NULL;
		}
	}
	return buf_steal(&b);
}

static const char *
opt_string(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
handle_org_create(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	char *programs = NULL;
	const char *name, *kind, *org_status;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, org_create_fields, ARRAY_LEN(org_create_fields))) {
		status = r->status;
		goto out;
	}
	programs = join_programs(json_object_get(body, "programs"));
	name = opt_string(body, "name");
	kind = opt_string(body, "kind");
	org_status = opt_string(body, "status") ? opt_string(body, "status") : "active";
	s = db_query(r->db, ST_ORG_INSERT, &res, "name", name, "kind", kind, "programs",
		     programs ? programs : "", "status", org_status, (char *)NULL);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "organisation-exists", "Organisation exists",
				       "an organisation named \"%s\" already exists", name);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	detail = json_pack("{s:s, s:s}", "name", name, "kind", kind);
	if (audit_record(r, "organisation.create", "organisation", row_val(res, 0, ORG_ID), NULL,
			 detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/organisations/%s", row_val(res, 0, ORG_ID));
	status = reply_org(r, 201, res);
out:
	json_decref(detail);
	free(programs);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_org_update(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	char *programs = NULL, version[24];
	const char *name, *program_list, *org_status;
	long expected;
	enum db_status s;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, org_update_fields, ARRAY_LEN(org_update_fields))) {
		status = r->status;
		goto out;
	}
	if (json_object_size(body) == 0) {
		status = reply_problem(r, 400, "validation", "Nothing to change",
				       "send at least one of name, programs, status");
		goto out;
	}
	programs = join_programs(json_object_get(body, "programs"));
	snprintf(version, sizeof(version), "%ld", expected);
	name = opt_string(body, "name");
	program_list = programs ? programs
				: (json_is_array(json_object_get(body, "programs")) ? "" : NULL);
	org_status = opt_string(body, "status");
	s = db_query(r->db, ST_ORG_UPDATE, &res, "id", r->params[0], "name", name, "programs",
		     program_list, "status", org_status, "version", version, (char *)NULL);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "organisation-exists", "Organisation exists",
				       "another organisation is named \"%s\"", name);
		goto out;
	}
	/* schema/017's trigger: the last active coordinator stays active (the
	 * only constraint an update with a validated body can break). */
	if (s == DB_CONSTRAINT && org_status != NULL && strcmp(org_status, "active") != 0) {
		status = reply_problem(
			r, 409, "last-coordinator", "Last active coordinator",
			"organisation %s is the last active coordinator: suspending it "
			"would leave no one to manage organisations and certificates; "
			"make another coordinator active first",
			r->params[0]);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		db_res_free(res);
		res = NULL;
		s = db_query(r->db, ST_ORG_GET, &res, "id", r->params[0], (char *)NULL);
		if (s != DB_OK)
			status = reply_db_error(r, s);
		else if (db_rows(res) == 0)
			status = reply_problem(r, 404, "not-found", "Not found",
					       "no organisation %s", r->params[0]);
		else
			status = reply_problem(
				r, 412, "version-mismatch", "Stale version",
				"the organisation is at version %s, not %ld; read it again",
				row_val(res, 0, ORG_VERSION), expected);
		goto out;
	}
	detail = json_deep_copy(body);
	if (audit_record(r, "organisation.update", "organisation", r->params[0], NULL, detail) !=
	    0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_org(r, 200, res);
out:
	json_decref(detail);
	free(programs);
	db_res_free(res);
	json_decref(body);
	return status;
}
