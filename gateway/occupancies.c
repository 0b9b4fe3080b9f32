/* occupancies: a stay in a unit, started from an accepted proposal and
 * ended with an outcome.  The checks (maximum stay, availability window) and
 * the unit's status changes happen in one PostgreSQL function each, in the
 * request's transaction. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
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

static json_t *
occupancy_json(const struct db_res *res)
{
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:s}", "id",
		db_val(res, 0, 0), "unit_id", db_val(res, 0, 1), "proposal_id", db_val(res, 0, 2),
		"referral_id", db_val(res, 0, 3), "operator_organisation_id", db_val(res, 0, 4),
		"referring_organisation_id", db_val(res, 0, 5), "start_date", db_val(res, 0, 6),
		"planned_end_date", db_val(res, 0, 7), "end_date",
		db_null(res, 0, 8) ? NULL : db_val(res, 0, 8), "outcome",
		db_null(res, 0, 9) ? NULL : db_val(res, 0, 9), "created_at", db_val(res, 0, 10));
}

/* The outcome (prison, hospital, deceased) is personal: its read is
 * audited, or it is not shown. */
static int
audit_outcome_read(struct request *r, const char *id, const struct db_res *res)
{
	json_t *detail = json_pack("{s:[s]}", "fields", "outcome");
	int rc;

	if (detail == NULL)
		return -1;
	rc = audit_record(r, "occupancy.read", "occupancy", id,
			  db_null(res, 0, 11) ? NULL : db_val(res, 0, 11), detail);
	json_decref(detail);
	return rc;
}

static int
reply_occupancy(struct request *r, int status, const char *id, bool read)
{
	const char *params[1] = {id};
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_OCC_GET, 1, params, &res);
	int rc;

	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0) {
		rc = reply_problem(r, 404, "not-found", "Not found", "no occupancy %s", id);
	} else if (read && !db_null(res, 0, 9) && audit_outcome_read(r, id, res) != 0) {
		rc = reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
	} else {
		rc = reply_json(r, status, occupancy_json(res));
	}
	db_res_free(res);
	return rc;
}

int
handle_occupancy_start(struct request *r)
{
	json_t *body = body_json(r);
	struct db_res *res = NULL;
	const char *params[3], *word;
	enum db_status s;
	int status;

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, start_fields, ARRAY_LEN(start_fields))) {
		status = r->status;
		goto out;
	}
	params[0] = json_string_value(json_object_get(body, "proposal_id"));
	params[1] = json_string_value(json_object_get(body, "start_date"));
	params[2] = json_string_value(json_object_get(body, "planned_end_date"));
	if ((s = db_exec(r->db, ST_OCC_START, 3, params, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = db_val(res, 0, 0);
	if (is_uuid(word)) {
		char id[37];
		snprintf(id, sizeof(id), "%s", word);
		if (audit_record(r, "occupancy.start", "occupancy", id, NULL, NULL) != 0) {
			status = reply_problem(r, 500, "internal", "Internal error",
					       "request id %s", r->id);
			goto out;
		}
		snprintf(r->location, sizeof(r->location), "/v1/occupancies/%s", id);
		status = reply_occupancy(r, 201, id, false);
	} else if (strcmp(word, "not_found") == 0) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no proposal %s of yours or for a unit of yours", params[0]);
	} else if (strcmp(word, "not_accepted") == 0 || strcmp(word, "exists") == 0) {
		status = reply_problem(
			r, 409, "occupancy-not-startable", "Occupancy cannot start", "%s",
			strcmp(word, "exists") == 0 ? "this proposal's unit is already occupied"
						    : "the proposal has not been accepted");
	} else {
		status = reply_problem(
			r, 422, "occupancy-out-of-bounds", "Occupancy outside the unit's terms",
			"%s",
			strcmp(word, "too_long") == 0
				? "the planned end exceeds the unit's maximum stay"
			: strcmp(word, "after_available") == 0
				? "the planned end is after the unit's availability ends"
			: strcmp(word, "before_available") == 0
				? "the start is before the unit is available"
				: "the planned end must be after the start");
	}
out:
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_occupancy_end(struct request *r)
{
	json_t *body = body_json(r);
	struct db_res *res = NULL;
	const char *params[3] = {r->params[0], NULL, NULL}, *word;
	enum db_status s;
	int status;

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, end_fields, ARRAY_LEN(end_fields))) {
		status = r->status;
		goto out;
	}
	params[1] = json_string_value(json_object_get(body, "end_date"));
	params[2] = json_string_value(json_object_get(body, "outcome"));
	if ((s = db_exec(r->db, ST_OCC_END, 3, params, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = db_val(res, 0, 0);
	if (strcmp(word, "ok") == 0) {
		json_t *detail = json_pack("{s:s}", "outcome", params[2]);
		int rc = audit_record(r, "occupancy.end", "occupancy", r->params[0], NULL, detail);
		json_decref(detail);
		status = rc != 0 ? reply_problem(r, 500, "internal", "Internal error",
						 "request id %s", r->id)
				 : reply_occupancy(r, 200, r->params[0], false);
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
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_occupancy_get(struct request *r)
{
	return reply_occupancy(r, 200, r->params[0], true);
}
