/* programs: each organisation's programs as rows (schema/024).  The
 * coordinator still decides which codes an organisation offers
 * (PATCH /v1/organisations/{id}, programs); the organisation itself says
 * what each one is, where it serves and whether it takes anyone now. */
#include "programs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

static const char *const program_statuses[] = {"open", "closed", NULL};
static const char *const program_kinds[] = {
	"transit_housing", "durable_housing", "housing_first", "community_house", "rest_and_rights",
	"coaching",        "income_support",  "home_guidance", "other",           NULL};

static const struct field_spec program_update_fields[] = {
	{"status", FT_ENUM, false, 0, 0, 0, program_statuses},
	{"kind", FT_ENUM, false, 0, 0, 0, program_kinds},
	{"description", FT_STRING, false, 2000, 0, 0, NULL},
	{"communes_served", FT_ANY, false, 0, 0, 0, NULL},
};

#define COMMUNES_MAX 32

int
program_reply_closed(struct request *r, const char *org, const char *program)
{
	return reply_problem(r, 422, "program-closed", "Program closed",
			     "the program \"%s\" of organisation %s is closed: it takes "
			     "no new referral or intake now (see GET "
			     "/v1/organisations/%s/programs)",
			     program, org, org);
}

int
handle_program_list(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_ORG_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s",
				       r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_PROGRAM_LIST, &res, "org", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	/* at most 32 codes (organisations.programs): one page */
	status = reply_rows(r, res, 100, &program_row);
out:
	db_res_free(res);
	return status;
}

/* communes_served: an array of at most COMMUNES_MAX distinct commune names
 * (1 to 64 bytes of clean text); [] is the whole region. */
static void
communes_check(json_t *communes, json_t *errors)
{
	json_t *c, *d;
	size_t i, k;

	if (communes == NULL)
		return;
	if (!json_is_array(communes) || json_array_size(communes) > COMMUNES_MAX) {
		field_error(errors, "communes_served",
			    "must be an array of at most %d commune names ([] : the whole region)",
			    COMMUNES_MAX);
		return;
	}
	json_array_foreach(communes, i, c) {
		const char *s = json_string_value(c);
		if (s == NULL || *s == '\0' || strlen(s) > 64 || !is_clean_text(s)) {
			field_error(errors, "communes_served",
				    "item %zu must be a commune name of 1 to 64 bytes", i);
			return;
		}
		for (k = 0; k < i; k++) {
			d = json_array_get(communes, k);
			if (json_equal(c, d)) {
				field_error(errors, "communes_served", "\"%s\" is listed twice", s);
				return;
			}
		}
	}
}

/* Why an update changed no row: 404, 403 (neither the organisation nor a
 * coordinator: row-level security hid the row from the UPDATE) or 412. */
static int
reply_not_updated(struct request *r, long expected)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status;

	s = db_query(r->db, ST_PROGRAM_GET, &res, "org", r->params[0], "code", r->params[1],
		     (char *)NULL);
	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found",
				       "organisation %s has no program \"%s\"", r->params[0],
				       r->params[1]);
	else if (strcmp(r->params[0], r->who.organisation_id) != 0 &&
		 strcmp(r->who.kind, "coordinator") != 0)
		status = reply_problem(r, 403, "forbidden", "Forbidden",
				       "only organisation %s (or a coordinator) changes its "
				       "programs",
				       r->params[0]);
	else
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the program is at version %s, not %ld; read it again",
				       row_val(res, 0, PROGRAM_VERSION), expected);
	db_res_free(res);
	return status;
}

int
handle_program_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *detail = NULL, *communes;
	struct db_res *res = NULL;
	char *communes_text = NULL, version[24];
	long expected;
	enum db_status s;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, program_update_fields, ARRAY_LEN(program_update_fields), errors);
	communes = json_object_get(body, "communes_served");
	communes_check(communes, errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if (json_object_size(body) == 0) {
		status = reply_problem(r, 400, "validation", "Nothing to change",
				       "send at least one of status, kind, description, "
				       "communes_served");
		goto out;
	}
	if (communes != NULL && (communes_text = json_dumps(communes, JSON_COMPACT)) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_PROGRAM_UPDATE, &res, "org", r->params[0], "code", r->params[1],
		     "status", json_string_value(json_object_get(body, "status")), "kind",
		     json_string_value(json_object_get(body, "kind")), "description",
		     json_string_value(json_object_get(body, "description")), "communes",
		     communes_text, "version", version, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_not_updated(r, expected);
		goto out;
	}
	detail = json_deep_copy(body);
	json_object_set_new(detail, "code", json_string(r->params[1]));
	if (audit_record(r, "program.update", "program", row_val(res, 0, PROGRAM_ID), NULL,
			 detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, PROGRAM_VERSION));
	status = reply_row(r, 200, &program_row, res, 0, ROW_PUBLIC);
out:
	free(communes_text);
	json_decref(detail);
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}
