/* organisations: the caller (/v1/me), the directory, and its management by
 * coordinators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
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

/* Row of ORG_COLS → JSON. */
static json_t *
org_json(const struct db_res *res, int row)
{
	long version = 0;

	if (parse_long(db_val(res, row, 5), 0, 2147483647L, &version) != 0)
		version = 0;
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:i, s:s, s:s}", "id", db_val(res, row, 0),
			 "name", db_val(res, row, 1), "kind", db_val(res, row, 2), "programs",
			 json_split(db_val(res, row, 3)), "status", db_val(res, row, 4), "version",
			 (int)version, "created_at", db_val(res, row, 6), "updated_at",
			 db_val(res, row, 7));
}

static int
reply_org(struct request *r, int status, const struct db_res *res)
{
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", db_val(res, 0, 5));
	return reply_json(r, status, org_json(res, 0));
}

/* Rendered without a jansson tree: GET /v1/me is the route partners poll,
 * and building then dumping the tree was a sixth of its CPU. */
int
handle_me(struct request *r)
{
	char nb[32], na[32];
	struct db_res *res = NULL;
	const char *p = r->caller_actions;
	struct buf out;
	bool first = true;
	size_t n;

	/* Without a connection the router answered from the identity cache. */
	if (r->db != NULL) {
		enum db_status s = db_exec(r->db, ST_CALLER_ACTIONS, 0, NULL, &res);
		if (s != DB_OK)
			return reply_db_error(r, s);
		p = db_val(res, 0, 0);
		r->caller_actions_truncated =
			(size_t)snprintf(r->caller_actions, sizeof(r->caller_actions), "%s", p) >=
			sizeof(r->caller_actions);
	}
	format_rfc3339(r->who.certificate_not_before, nb, sizeof(nb));
	format_rfc3339(r->who.certificate_not_after, na, sizeof(na));
	buf_init(&out, 1u << 20);
	if (APPEND_LITERAL(&out, "{\"organisation\":{\"id\":") != 0 ||
	    json_quote(&out, r->who.organisation_id) != 0 ||
	    APPEND_LITERAL(&out, ",\"name\":") != 0 ||
	    json_quote(&out, r->who.organisation_name) != 0 ||
	    APPEND_LITERAL(&out, ",\"kind\":") != 0 || json_quote(&out, r->who.kind) != 0 ||
	    APPEND_LITERAL(&out, "},\"certificate\":{\"sha256\":") != 0 ||
	    json_quote(&out, r->who.certificate_sha256) != 0 ||
	    APPEND_LITERAL(&out, ",\"not_before\":") != 0 || json_quote(&out, nb) != 0 ||
	    APPEND_LITERAL(&out, ",\"not_after\":") != 0 || json_quote(&out, na) != 0 ||
	    APPEND_LITERAL(&out, "},\"allowed_actions\":[") != 0)
		goto oom;
	while (*p) {
		size_t len = strcspn(p, " ");
		if (len) {
			if ((!first && buf_append(&out, ",\"", 2) != 0) ||
			    (first && buf_append(&out, "\"", 1) != 0))
				goto oom;
			/* Action names match ^[a-z_]+\.[a-z_]+$ (schema/004): no escapes. */
			if (buf_append(&out, p, len) != 0 || buf_append(&out, "\"", 1) != 0)
				goto oom;
			first = false;
		}
		p += len;
		if (*p == ' ')
			p++;
	}
	if (buf_append(&out, "]}", 2) != 0)
		goto oom;
	db_res_free(res);
	n = out.len;
	return reply_json_text(r, 200, buf_steal(&out), n);
oom:
	buf_free(&out);
	db_res_free(res);
	return reply_problem(r, 500, "internal", "Internal error", "out of memory");
}

int
handle_org_list(struct request *r)
{
	char name[256], id[37], limit_text[16];
	const char *params[3] = {NULL, NULL, limit_text};
	struct db_res *res = NULL;
	json_t *items, *body;
	int limit, have, i, rows;
	enum db_status s;

	if ((limit = query_limit(r)) < 0)
		return r->status;
	if ((have = cursor_decode(r, name, sizeof(name), id)) < 0)
		return r->status;
	if (have) {
		params[0] = name;
		params[1] = id;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_exec(r->db, ST_ORG_LIST, 3, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	rows = db_rows(res);
	items = json_array();
	for (i = 0; i < rows && i < limit; i++)
		json_array_append_new(items, org_json(res, i));
	body = json_pack(
		"{s:o, s:o}", "items", items, "next_cursor",
		rows > limit ? cursor_encode(db_val(res, limit - 1, 1), db_val(res, limit - 1, 0))
			     : json_null());
	db_res_free(res);
	return reply_json(r, 200, body);
}

int
handle_org_get(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL;
	enum db_status s;
	int status;

	s = db_exec(r->db, ST_ORG_GET, 1, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s",
				       r->params[0]);
	else
		status = reply_org(r, 200, res);
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
	json_t *body = body_json(r), *detail;
	struct db_res *res = NULL;
	char *programs = NULL;
	const char *params[4];
	enum db_status s;
	int status;

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, org_create_fields, ARRAY_LEN(org_create_fields))) {
		status = r->status;
		goto out;
	}
	programs = join_programs(json_object_get(body, "programs"));
	params[0] = opt_string(body, "name");
	params[1] = opt_string(body, "kind");
	params[2] = programs ? programs : "";
	params[3] = opt_string(body, "status") ? opt_string(body, "status") : "active";
	s = db_exec(r->db, ST_ORG_INSERT, 4, params, &res);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "organisation-exists", "Organisation exists",
				       "an organisation named \"%s\" already exists", params[0]);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	detail = json_pack("{s:s, s:s}", "name", params[0], "kind", params[1]);
	if (audit_record(r, "organisation.create", "organisation", db_val(res, 0, 0), NULL,
			 detail) != 0) {
		json_decref(detail);
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	json_decref(detail);
	snprintf(r->location, sizeof(r->location), "/v1/organisations/%s", db_val(res, 0, 0));
	status = reply_org(r, 201, res);
out:
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
	const char *params[5];
	long expected;
	enum db_status s;
	int status;

	if ((expected = if_match_version(r)) < 0)
		return r->status;
	if ((body = body_json(r)) == NULL)
		return r->status;
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
	params[0] = r->params[0];
	params[1] = opt_string(body, "name");
	params[2] = programs ? programs
			     : (json_is_array(json_object_get(body, "programs")) ? "" : NULL);
	params[3] = opt_string(body, "status");
	params[4] = version;
	s = db_exec(r->db, ST_ORG_UPDATE, 5, params, &res);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "organisation-exists", "Organisation exists",
				       "another organisation is named \"%s\"", params[1]);
		goto out;
	}
	/* schema/017's trigger: the last active coordinator stays active (the
	 * only constraint an update with a validated body can break). */
	if (s == DB_CONSTRAINT && params[3] != NULL && strcmp(params[3], "active") != 0) {
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
		s = db_exec(r->db, ST_ORG_GET, 1, params, &res);
		if (s != DB_OK)
			status = reply_db_error(r, s);
		else if (db_rows(res) == 0)
			status = reply_problem(r, 404, "not-found", "Not found",
					       "no organisation %s", r->params[0]);
		else
			status = reply_problem(
				r, 412, "version-mismatch", "Stale version",
				"the organisation is at version %s, not %ld; read it again",
				db_val(res, 0, 5), expected);
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
