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
#include "referrals.h"
#include "seal.h"
#include "statements.h"
#include "validate.h"

/* The outcomes of a placement (and of a referral's completion): the list
 * docs/openapi.yaml documents (Outcome). */
const char *const placement_outcomes[] = {
	"durable_housing", "transit_housing", "returned_to_street",
	"prison",          "hospital",        "deceased",
	"lost_contact",    "other",           NULL};
/* schema/008's codes, still accepted, mapped as schema/022 migrated them. */
static const struct {
	const char *old, *now;
} outcome_aliases[] = {
	{"other_transit", "transit_housing"},
	{"street", "returned_to_street"},
	{"unknown", "lost_contact"},
	{"family", "other"},
};
static const char *const outcomes[] = {"durable_housing",
				       "transit_housing",
				       "returned_to_street",
				       "prison",
				       "hospital",
				       "deceased",
				       "lost_contact",
				       "other",
				       "other_transit",
				       "street",
				       "unknown",
				       "family",
				       NULL};
/* Where a placement found outside refgw is (a unit's placement is made by
 * POST /v1/occupancies). */
static const char *const placement_kinds[] = {"private_market", "social_housing",
					      "social_rental_agency", "other", NULL};
/* The document under which the person lives there (schema/029). */
static const char *const convention_kinds[] = {"precarious_occupation", "transit_convention",
					       "lease", "community_house_convention", NULL};
/* The referent: an organisation and a staff member (not the person). */
static const struct field_spec referent_fields[] = {
	{"organisation_id", FT_UUID, true, 0, 0, 0, NULL},
	{"name", FT_STRING, false, 200, 0, 0, NULL},
	{"role", FT_STRING, false, 200, 0, 0, NULL},
};
static const struct field_spec convention_fields[] = {
	{"kind", FT_ENUM, true, 0, 0, 0, convention_kinds},
	{"reference", FT_STRING, false, 100, 0, 0, NULL},
	{"signed_on", FT_DATE, false, 0, 0, 0, NULL},
	{"signed_by", FT_STRING, false, 200, 0, 0, NULL},
	{"end_date", FT_DATE, false, 0, 0, 0, NULL},
};
/* The planned end may be left out (or null) under a lease: an open-ended
 * lease (refgw_occupancy_terms checks the unit's terms). */
static const struct field_spec start_fields[] = {
	{"proposal_id", FT_UUID, true, 0, 0, 0, NULL},
	{"start_date", FT_DATE, true, 0, 0, 0, NULL},
	{"planned_end_date", FT_DATE, false, 0, 0, 0, NULL},
	{"referent", FT_ANY, false, 0, 0, 0, NULL},
	{"convention", FT_ANY, false, 0, 0, 0, NULL},
};
static const struct field_spec record_fields[] = {
	{"kind", FT_ENUM, true, 0, 0, 0, placement_kinds},
	{"start_date", FT_DATE, true, 0, 0, 0, NULL},
	{"planned_end_date", FT_DATE, false, 0, 0, 0, NULL},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
	{"referent", FT_ANY, false, 0, 0, 0, NULL},
	{"convention", FT_ANY, false, 0, 0, 0, NULL},
};
static const struct field_spec patch_fields[] = {
	{"referent", FT_ANY, false, 0, 0, 0, NULL},
	{"convention", FT_ANY, false, 0, 0, 0, NULL},
};
static const struct field_spec end_fields[] = {
	{"end_date", FT_DATE, true, 0, 0, 0, NULL},
	{"outcome", FT_ENUM, true, 0, 0, 0, outcomes},
};

/* A nested member (referent, convention): an object or null, its fields
 * checked, each error named "<member>.<field>". */
static void
check_member(json_t *body, const char *member, const struct field_spec *specs, size_t n,
	     json_t *errors)
{
	json_t *v = json_object_get(body, member), *found;
	const char *s;
	size_t i;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_object(v)) {
		field_error(errors, member, "must be an object or null");
		return;
	}
	if ((found = json_array()) == NULL)
		abort(); /* out of memory: never answer as if the input were valid */
	validate_fields(v, specs, n, found);
	for (i = 0; i < n; i++)
		if (specs[i].type == FT_STRING && (s = json_str(v, specs[i].name)) && *s == '\0')
			field_error(found, specs[i].name, "must not be empty");
	field_errors_nested(errors, member, found);
	json_decref(found);
}

/* The body's fields, its referent and its convention checked: true when
 * valid, else answered 400.  A planned end is needed unless the convention
 * is a lease (need_end: a unit's occupancy). */
static bool
valid_body(struct request *r, json_t *body, const struct field_spec *specs, size_t n, bool need_end)
{
	json_t *errors = json_array(), *convention;

	if (errors == NULL)
		abort();
	validate_fields(body, specs, n, errors);
	check_member(body, "referent", referent_fields, ARRAY_LEN(referent_fields), errors);
	check_member(body, "convention", convention_fields, ARRAY_LEN(convention_fields), errors);
	convention = json_object_get(body, "convention");
	if (need_end && json_str(body, "planned_end_date") == NULL &&
	    !(json_is_object(convention) && json_str(convention, "kind") &&
	      strcmp(json_str(convention, "kind"), "lease") == 0))
		field_error(errors, "planned_end_date",
			    "is required unless the convention is a lease");
	if (json_array_size(errors) == 0) {
		json_decref(errors);
		return true;
	}
	reply_invalid(r, errors);
	return false;
}

/* What refgw_occupancy_terms refused, by the field it named. */
static const struct {
	const char *field, *message;
} terms_refusals[] = {
	{"referent.organisation_id", N_("names no active organisation")},
	{"convention.signed_on", N_("must not be in the future")},
	{"convention.end_date", N_("must not be before signed_on")},
	{"planned_end_date",
	 N_("is required unless the unit is let on lease terms with no maximum stay and no end "
	    "of availability")},
	{"convention.kind", N_("must be lease: the occupancy has no planned end")},
};

/* Sets the referent and the convention the body names (a member left out
 * is left as it is); version: the If-Match of a PATCH, or NULL right after
 * the start.  0 when done, else the status of the answer given. */
static int
set_terms(struct request *r, const char *id, const char *version, json_t *body)
{
	char *referent = NULL, *convention = NULL;
	const char *word, *field;
	struct db_res *res = NULL;
	enum db_status s;
	json_t *v;
	size_t i;
	int rc = 0;

	if (((v = json_object_get(body, "referent")) &&
	     (referent = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL) ||
	    ((v = json_object_get(body, "convention")) &&
	     (convention = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)) {
		rc = reply_internal(r);
		goto out;
	}
	if ((s = db_query(r->db, ST_OCC_TERMS, &res, "id", id, "version", version, "referent",
			  referent, "convention", convention, (char *)NULL)) != DB_OK) {
		rc = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, OCC_TERMS_RESULT);
	if (strcmp(word, "ok") == 0)
		goto out;
	if (strcmp(word, "not_found") == 0) {
		rc = reply_problem(r, 404, "not-found", "Not found", "no occupancy %s of yours",
				   id);
	} else if (strcmp(word, "stale") == 0) {
		rc = reply_problem(r, 412, "version-mismatch", "Stale version",
				   "the occupancy is not at version %s; read it again", version);
	} else if (strcmp(word, "ended") == 0) {
		rc = reply_problem(r, 409, "occupancy-ended", "Occupancy already ended",
				   "this occupancy has already ended");
	} else if (strcmp(word, "uncovered:referent.organisation_id") == 0) {
		rc = reply_unprocessable_field(
			r, "Occupancy terms refused", "referent.organisation_id",
			"is not covered by the referral's consent (by organisation or kind), or "
			"the consent no longer holds");
	} else {
		field = strncmp(word, "invalid:", 8) == 0 ? word + 8 : word;
		rc = -1;
		for (i = 0; i < ARRAY_LEN(terms_refusals); i++)
			if (strcmp(field, terms_refusals[i].field) == 0)
				rc = reply_unprocessable_field(r, "Occupancy terms refused", field,
							       terms_refusals[i].message);
		if (rc < 0)
			rc = reply_internal(r);
	}
out:
	free(referent);
	free(convention);
	db_res_free(res);
	return rc;
}

/* The documented code of an outcome (an old code's new name). */
static const char *
outcome_code(const char *code)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(outcome_aliases); i++)
		if (strcmp(code, outcome_aliases[i].old) == 0)
			return outcome_aliases[i].now;
	return code;
}

/* The outcome (prison, hospital, deceased) and the note are personal: their
 * read is audited, or they are not shown. */
static int
audit_outcome_read(struct request *r, const char *id, const struct db_res *res)
{
	json_t *fields = json_array(), *detail = json_pack("{s:o}", "fields", fields);
	int rc = -1;

	if (detail == NULL)
		return -1;
	if ((!row_null(res, 0, OCCUPANCY_OUTCOME) &&
	     json_array_append_new(fields, json_string("outcome")) != 0) ||
	    (!row_null(res, 0, OCCUPANCY_NOTE) &&
	     json_array_append_new(fields, json_string("note")) != 0))
		goto out;
	rc = audit_record(r, "occupancy.read", "occupancy", id, row_str(res, 0, OCCUPANCY_PERSON),
			  detail);
out:
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
	else {
		/* A created occupancy's answer carries its note, free text about
		 * the person: an Idempotency-Key's stored replay of it is sealed
		 * under their key, and ends with their erasure (idempotency.c). */
		if (status == 201 && !row_null(res, 0, OCCUPANCY_PERSON))
			snprintf(r->answer_person, sizeof(r->answer_person), "%s",
				 row_val(res, 0, OCCUPANCY_PERSON));
		rc = reply_row(r, status, &occupancy_row, res, 0, ROW_PUBLIC);
	}
	db_res_free(res);
	return rc;
}

/* The person's release date (of the referral named, or through the
 * proposal), sealed (schema/051), opened into out for the "before release"
 * check that refgw_start_occupancy and refgw_record_placement make on it:
 * "" when there is none, or the caller is no party (those functions then
 * answer not_found), or the person was erased meanwhile (their consents
 * are withdrawn: no start).  0, or the status answered. */
static int
release_opened(struct request *r, const char *proposal, const char *referral, char *out, size_t len)
{
	struct db_res *res = NULL;
	json_t *date = NULL;
	enum seal_status ss = SEAL_OK;
	enum db_status s;
	int status = 0;

	out[0] = '\0';
	if ((s = db_query(r->db, ST_RELEASE_SEALED, &res, "proposal", proposal, "referral",
			  referral, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
	} else if (db_rows(res) == 1 && !row_null(res, 0, RELEASE_SEALED_DATE)) {
		date = seal_open_json(row_val(res, 0, RELEASE_SEALED_PERSON), "release_date",
				      row_val(res, 0, RELEASE_SEALED_DATE), &ss);
		if (ss == SEAL_OK && json_is_string(date))
			snprintf(out, len, "%s", json_string_value(date));
		else if (ss != SEAL_ERASED)
			status = reply_key_store_error(r, ss == SEAL_OK ? SEAL_ERROR : ss);
	}
	json_decref(date);
	db_res_free(res);
	return status;
}

/* The start is before the person's release date: 422 naming start_date,
 * and the date itself only to a party that may read it (schema/022 and
 * 051: refgw_release_date_for_caller), never to an operator. */
static int
reply_before_release(struct request *r, const char *proposal, const char *referral,
		     const char *release)
{
	struct db_res *res = NULL;
	enum db_status s;
	int rc;

	if ((s = db_query(r->db, ST_OCC_RELEASE, &res, "proposal", proposal, "referral", referral,
			  "release", release, (char *)NULL)) != DB_OK) {
		rc = reply_db_error(r, s);
	} else {
		json_t *errors = json_array();
		const char *shown = row_str(res, 0, RELEASE_DATE);

		/* The 422 reply_unprocessable_field gives, with the date in it. */
		if (shown == NULL) {
			field_error(errors, "start_date",
				    "must not be before the person's release date");
			rc = reply_problem_errors(r, 422, "unprocessable",
						  "Placement before release", errors,
						  "must not be before the person's release date");
		} else {
			field_error(errors, "start_date",
				    "must not be before the person's release date (%s)", shown);
			rc = reply_problem_errors(
				r, 422, "unprocessable", "Placement before release", errors,
				"must not be before the person's release date (%s)", shown);
		}
	}
	db_res_free(res);
	return rc;
}

/* What refgw_start_occupancy or refgw_record_placement said instead of an
 * id (proposal or referral: the one named by the request). */
static int
reply_not_started(struct request *r, const char *word, const char *proposal, const char *referral,
		  const char *release)
{
	if (strcmp(word, "not_found") == 0)
		return proposal ? reply_problem(r, 404, "not-found", "Not found",
						"no proposal %s of yours or for a unit of yours",
						proposal)
				: reply_problem(r, 404, "not-found", "Not found",
						"no referral %s of yours", referral);
	if (strcmp(word, "before_release") == 0)
		return reply_before_release(r, proposal, referral, release);
	if (strcmp(word, "referral_closed") == 0)
		return reply_problem(r, 409, "occupancy-not-startable", "Occupancy cannot start",
				     "the referral is no longer open for a placement (already "
				     "placed, completed, cancelled or declined)");
	if (strcmp(word, "exists") == 0 && proposal == NULL)
		return reply_problem(r, 409, "occupancy-not-startable", "Occupancy cannot start",
				     "the referral already has a placement that has not ended");
	if (strcmp(word, "not_accepted") == 0 || strcmp(word, "exists") == 0)
		return reply_problem(r, 409, "occupancy-not-startable", "Occupancy cannot start",
				     "%s",
				     tr(r, strcmp(word, "exists") == 0
						   ? N_("this proposal's unit is already occupied")
						   : N_("the proposal has not been accepted")));
	return reply_problem(
		r, 422, "occupancy-out-of-bounds", "Occupancy outside the unit's terms", "%s",
		tr(r, strcmp(word, "too_long") == 0
			      ? N_("the planned end exceeds the unit's maximum stay")
		      : strcmp(word, "after_available") == 0
			      ? N_("the planned end is after the unit's availability ends")
		      : strcmp(word, "before_available") == 0
			      ? N_("the start is before the unit is available")
			      : N_("the planned end must be after the start")));
}

int
handle_occupancy_start(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	const char *proposal, *word;
	char id[37], release[16];
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!valid_body(r, body, start_fields, ARRAY_LEN(start_fields), true)) {
		status = r->status;
		goto out;
	}
	proposal = json_string_value(json_object_get(body, "proposal_id"));
	if ((status = release_opened(r, proposal, SQL_NULL, release, sizeof(release))) != 0)
		goto out;
	status = 500;
	if ((s = db_query(r->db, ST_OCC_START, &res, "proposal", proposal, "start_date",
			  json_string_value(json_object_get(body, "start_date")),
			  "planned_end_date",
			  json_string_value(json_object_get(body, "planned_end_date")), "release",
			  release[0] ? release : SQL_NULL, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, OCC_START_RESULT);
	if (!is_uuid(word)) {
		status =
			reply_not_started(r, word, proposal, NULL, release[0] ? release : SQL_NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", word);
	if ((status = set_terms(r, id, NULL, body)) != 0)
		goto out;
	status = 500;
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
	outcome = outcome_code(json_string_value(json_object_get(body, "outcome")));
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
	/* the outcome and the note are the person's: each read of them is audited */
	if ((!row_null(res, 0, OCCUPANCY_OUTCOME) || !row_null(res, 0, OCCUPANCY_NOTE)) &&
	    audit_outcome_read(r, r->params[0], res) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_row(r, 200, &occupancy_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}

/* Each outcome or note a page shows is an audited read, as on GET
 * /v1/occupancies/{id}: one occupancy.read row per occupancy naming its
 * person.  -1 when it could not be written. */
static int
audit_outcome_reads(struct request *r, const struct db_res *res, int n)
{
	json_t *detail = json_pack("{s:[ss]}", "fields", "outcome", "note");
	int rc = detail ? audit_record_page(r, "occupancy.read", "occupancy", res, n, OCCUPANCY_ID,
					    OCCUPANCY_PERSON, OCCUPANCY_OUTCOME, OCCUPANCY_NOTE,
					    detail)
			: -1;

	json_decref(detail);
	return rc;
}

int
handle_occupancy_list(struct request *r)
{
	const char *status_q = req_query(r, "status"), *unit = req_query(r, "unit_id");
	char ts[64] = KEYSET_LAST_TIME, id[37] = KEYSET_LAST_ID, limit_text[16];
	struct db_res *res = NULL;
	json_t *errors = json_array();
	const char *ended = NULL;
	enum db_status s;
	int limit, status = 500;

	if (status_q && strcmp(status_q, "current") == 0)
		ended = "false";
	else if (status_q && strcmp(status_q, "ended") == 0)
		ended = "true";
	else if (status_q)
		field_error(errors, "status", "must be current or ended");
	if (unit && !is_uuid(unit))
		field_error(errors, "unit_id", "must be a lower-case UUID");
	if (json_array_size(errors) > 0) {
		status = reply_invalid_query(r, errors);
		errors = NULL;
		goto out;
	}
	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_OCC_LIST, &res, "ended", ended, "unit", unit, "before_time", ts,
		     "before_id", id, "limit", limit_text, (char *)NULL);
	if (s == DB_OK &&
	    audit_outcome_reads(r, res, db_rows(res) < limit ? db_rows(res) : limit) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_page(r, s, res, limit, &occupancy_row);
out:
	json_decref(errors);
	db_res_free(res);
	return status;
}

/* A placement found outside refgw (the private market, a SISP's or an
 * AIS's lease...), recorded by the referral's sender or receiver: the
 * referral moves as an occupancy's start would move it. */
int
handle_placement_record(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	const char *word;
	char id[37], release[16];
	enum db_status s;
	char *note = NULL;
	enum seal_status ss;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!valid_body(r, body, record_fields, ARRAY_LEN(record_fields), false)) {
		status = r->status;
		goto out;
	}
	/* The note is sealed under the person's key (the caller, a party to
	 * the referral, reads its person; else refgw_record_placement says
	 * not_found below). */
	if (json_object_get(body, "note") && json_is_string(json_object_get(body, "note"))) {
		if ((s = db_query(r->db, ST_REFERRAL_GET, &res, "id", r->params[0],
				  (char *)NULL)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		ss = db_rows(res) == 1 ? seal_value(row_val(res, 0, REFERRAL_PERSON), "note",
						    json_object_get(body, "note"), &note)
				       : SEAL_OK;
		db_res_free(res);
		res = NULL;
		if (ss != SEAL_OK) {
			status = reply_key_store_error(r, ss);
			goto out;
		}
	}
	if ((status = release_opened(r, SQL_NULL, r->params[0], release, sizeof(release))) != 0)
		goto out;
	status = 500;
	if ((s = db_query(
		     r->db, ST_PLACEMENT_RECORD, &res, "referral", r->params[0], "kind",
		     json_string_value(json_object_get(body, "kind")), "start_date",
		     json_string_value(json_object_get(body, "start_date")), "planned_end_date",
		     json_string_value(json_object_get(body, "planned_end_date")), "note", note,
		     "release", release[0] ? release : SQL_NULL, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, PLACEMENT_RECORD_RESULT);
	if (strcmp(word, "not_after_start") == 0) {
		status = reply_unprocessable_field(r, "Unprocessable placement", "planned_end_date",
						   "must be after the start date");
		goto out;
	}
	if (!is_uuid(word)) {
		status = reply_not_started(r, word, NULL, r->params[0],
					   release[0] ? release : SQL_NULL);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", word);
	if ((status = set_terms(r, id, NULL, body)) != 0)
		goto out;
	status = 500;
	if (audit_record(r, "placement.record", "occupancy", id, NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/occupancies/%s", id);
	status = reply_occupancy(r, 201, id);
out:
	free(note);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* PATCH /v1/occupancies/{id}: its referent and its convention, set or
 * changed by its operator or referring organisation (If-Match). */
int
handle_occupancy_update(struct request *r)
{
	json_t *body = NULL, *detail = NULL, *fields;
	char version[24];
	long expected;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!valid_body(r, body, patch_fields, ARRAY_LEN(patch_fields), false)) {
		status = r->status;
		goto out;
	}
	if (json_object_size(body) == 0) {
		json_t *errors = json_array();
		field_error(errors, "", "send referent, convention or both");
		status = reply_invalid(r, errors);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	if ((status = set_terms(r, r->params[0], version, body)) != 0)
		goto out;
	status = 500;
	if ((detail = json_pack("{s:[]}", "fields")) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	fields = json_object_get(detail, "fields");
	if (json_object_get(body, "referent"))
		json_array_append_new(fields, json_string("referent"));
	if (json_object_get(body, "convention"))
		json_array_append_new(fields, json_string("convention"));
	status = audit_record(r, "occupancy.update", "occupancy", r->params[0], NULL, detail) != 0
			 ? reply_internal(r)
			 : reply_occupancy(r, 200, r->params[0]);
out:
	json_decref(detail);
	json_decref(body);
	return status;
}
