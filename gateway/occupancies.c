/* occupancies: a stay in a unit, started from an accepted proposal and
 * ended with an outcome.  The checks (maximum stay, availability window) and
 * the unit's status changes happen in one PostgreSQL function each, in the
 * request's transaction. */
#include "occupancies.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

static const char *const outcomes[] = {
	"durable_housing", "other_transit", "family",  "street", "prison",
	"hospital",        "deceased",      "unknown", "other",  NULL};
static const struct field_spec start_fields[] = {
	{"proposal_id", FT_UUID, true, 0, 0, 0, NULL},
	{"start_date", FT_DATE, true, 0, 0, 0, NULL},
	{"planned_end_date", FT_DATE, true, 0, 0, 0, NULL},
};
static const struct field_spec end_fields[] = {
	{"end_date", FT_DATE, true, 0, 0, 0, NULL},
	{"outcome", FT_ENUM, true, 0, 0, 0, outcomes},
};

/* The outcome (prison, hospital, deceased) is personal: its read is
 * audited, or it is not shown. */
static int
audit_outcome_read(struct request *r, const char *id, const struct db_res *res)
{
	json_t *detail = json_pack("{s:[s]}", "fields", "outcome");
	int rc;

	if (detail == NULL)
		return -1;
	rc = audit_record(r, "occupancy.read", "occupancy", id, row_str(res, 0, OCCUPANCY_PERSON),
			  detail);
	json_decref(detail);
	return rc;
}

/* The occupancy just started or ended, as the response. */
static int
reply_occupancy(struct request *r, int status, const char *id)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_OCC_GET, &res, "id", id, (char *)NULL);
	int rc;

	if (s != DB_OK)
		rc = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		rc = reply_problem(r, 404, "not-found", "Not found", "no occupancy %s", id);
	else
		rc = reply_row(r, status, &occupancy_row, res, 0, ROW_PUBLIC);
	db_res_free(res);
	return rc;
}

/* What refgw_start_occupancy said instead of an id. */
static int
reply_not_started(struct request *r, const char *word, const char *proposal)
{
	if (strcmp(word, "not_found") == 0)
		return reply_problem(r, 404, "not-found", "Not found",
				     "no proposal %s of yours or for a unit of yours", proposal);
	if (strcmp(word, "not_accepted") == 0 || strcmp(word, "exists") == 0)
		return reply_problem(
			r, 409, "occupancy-not-startable", "Occupancy cannot start", "%s",
			strcmp(word, "exists") == 0 ? "this proposal's unit is already occupied"
						    : "the proposal has not been accepted");
	return reply_problem(
		r, 422, "occupancy-out-of-bounds", "Occupancy outside the unit's terms", "%s",
		strcmp(word, "too_long") == 0 ? "the planned end exceeds the unit's maximum stay"
		: strcmp(word, "after_available") == 0
			? "the planned end is after the unit's availability ends"
		: strcmp(word, "before_available") == 0
			? "the start is before the unit is available"
			: "the planned end must be after the start");
}

int
handle_occupancy_start(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	const char *proposal, *word;
	char id[37];
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, start_fields, ARRAY_LEN(start_fields))) {
		status = r->status;
		goto out;
	}
	proposal = json_string_value(json_object_get(body, "proposal_id"));
	if ((s = db_query(r->db, ST_OCC_START, &res, "proposal", proposal, "start_date",
			  json_string_value(json_object_get(body, "start_date")),
			  "planned_end_date",
			  json_string_value(json_object_get(body, "planned_end_date")),
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, OCC_START_RESULT);
	if (!is_uuid(word)) {
		status = reply_not_started(r, word, proposal);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", word);
	if (audit_record(r, "occupancy.start", "occupancy", id, NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/occupancies/%s", id);
	status = reply_occupancy(r, 201, id);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_occupancy_end(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	const char *outcome, *word;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, end_fields, ARRAY_LEN(end_fields))) {
		status = r->status;
		goto out;
	}
	outcome = json_string_value(json_object_get(body, "outcome"));
	if ((s = db_query(r->db, ST_OCC_END, &res, "id", r->params[0], "end_date",
			  json_string_value(json_object_get(body, "end_date")), "outcome", outcome,
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, OCC_END_RESULT);
	if (strcmp(word, "ok") == 0) {
		detail = json_pack("{s:s}", "outcome", outcome);
		status = audit_record(r, "occupancy.end", "occupancy", r->params[0], NULL,
				      detail) != 0
				 ? reply_internal(r)
				 : reply_occupancy(r, 200, r->params[0]);
	} else if (strcmp(word, "ended") == 0) {
		status = reply_problem(r, 409, "occupancy-ended", "Occupancy already ended",
				       "this occupancy has already ended");
	} else if (strcmp(word, "before_start") == 0) {
		json_t *errors = json_array();
		field_error(errors, "end_date", "must not be before the start date");
		status = reply_invalid(r, errors);
	} else {
		status = reply_problem(r, 404, "not-found", "Not found", "no occupancy %s",
				       r->params[0]);
	}
out:
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_occupancy_get(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if ((s = db_query(r->db, ST_OCC_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no occupancy %s",
				       r->params[0]);
		goto out;
	}
	if (!row_null(res, 0, OCCUPANCY_OUTCOME) && audit_outcome_read(r, r->params[0], res) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_row(r, 200, &occupancy_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}
