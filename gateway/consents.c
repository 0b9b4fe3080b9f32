/* consents: what a person agreed to share, with whom, for what, until when,
 * and how the agreement was recorded.  Withdrawal is as easy as giving and
 * takes effect in the same transaction (refgw_withdraw_consent). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "statements.h"
#include "validate.h"

const char *const consent_purposes[] = {"housing_referral", "social_aid",  "rights_opening",
					"housing_support",  "health_care", NULL};
const char *const data_categories[] = {
	"identity", "contact", "housing_situation", "income", "family", "justice", "health", NULL};
static const char *const evidence_methods[] = {"signed_form", "oral", "electronic_signature", NULL};

static const struct field_spec consent_fields[] = {
	{"person_id", FT_UUID, true, 0, 0, 0, NULL},
	{"recipients", FT_ANY, true, 0, 0, 0, NULL},
	{"purposes", FT_TOKEN_ARRAY, true, 32, 1, 8, NULL},
	{"data_categories", FT_TOKEN_ARRAY, true, 32, 0, 7, NULL},
	{"valid_until", FT_DATE, true, 0, 0, 0, NULL},
	{"evidence", FT_ANY, true, 0, 0, 0, NULL},
};
static const struct field_spec recipient_fields[] = {
	{"organisation_id", FT_UUID, false, 0, 0, 0, NULL},
	{"kind", FT_ENUM, false, 0, 0, 0, org_kinds},
};
static const struct field_spec evidence_fields[] = {
	{"method", FT_ENUM, true, 0, 0, 0, evidence_methods},
	{"reference", FT_STRING, false, 100, 0, 0, NULL},
	{"witness", FT_STRING, false, 200, 0, 0, NULL},
	{"recorded_by", FT_STRING, true, 200, 0, 0, NULL},
};
static const struct field_spec withdraw_fields[] = {
	{"reason", FT_STRING, false, 500, 0, 0, NULL},
};

/* Appends "{a,b}" (a PostgreSQL array literal of validated tokens). */
static int
array_literal(struct buf *b, json_t *strings, const char *key)
{
	size_t i, n = 0;
	json_t *v;

	if (buf_append(b, "{", 1) != 0)
		return -1;
	json_array_foreach(strings, i, v) {
		const char *s =
			key ? json_string_value(json_object_get(v, key)) : json_string_value(v);
		if (s == NULL)
			continue;
		if ((n++ && buf_append(b, ",", 1) != 0) || buf_append(b, s, strlen(s)) != 0)
			return -1;
	}
	return buf_append(b, "}", 1);
}

/* Row of CONSENT_COLS → JSON; evidence only for its creator. */
static json_t *
consent_json(struct request *r, const struct db_res *res, int row)
{
	json_t *recipients = json_array(), *orgs = json_split(db_val(res, row, 3)),
	       *kindv = json_split(db_val(res, row, 4)), *v, *j;
	size_t i;

	json_array_foreach(orgs, i, v)
		json_array_append_new(recipients, json_pack("{s:O}", "organisation_id", v));
	json_array_foreach(kindv, i, v)
		json_array_append_new(recipients, json_pack("{s:O}", "kind", v));
	json_decref(orgs);
	json_decref(kindv);
	j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s}", "id", db_val(res, row, 0),
		      "person_id", db_val(res, row, 1), "created_by", db_val(res, row, 2),
		      "recipients", recipients, "purposes", json_split(db_val(res, row, 5)),
		      "data_categories", json_split(db_val(res, row, 6)), "valid_until",
		      db_val(res, row, 7), "status", db_val(res, row, 9), "created_at",
		      db_val(res, row, 12));
	if (strcmp(db_val(res, row, 2), r->who.organisation_id) == 0)
		json_object_set_new(j, "evidence", json_loads(db_val(res, row, 8), 0, NULL));
	if (!db_null(res, row, 10)) {
		json_object_set_new(j, "withdrawn_at", json_string(db_val(res, row, 10)));
		json_object_set_new(j, "withdrawal_reason",
				    db_null(res, row, 11) ? json_null()
							  : json_string(db_val(res, row, 11)));
	}
	return j;
}

/* The nested parts the flat field table cannot check. */
static void
check_consent(json_t *body, json_t *errors)
{
	json_t *recipients = json_object_get(body, "recipients"), *evidence, *v;
	char today[16];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (!json_is_array(recipients) || json_array_size(recipients) == 0 ||
	    json_array_size(recipients) > 50) {
		field_error(errors, "recipients",
			    "must be an array of 1 to 50 {organisation_id} or {kind}");
	} else {
		json_array_foreach(recipients, i, v) {
			char name[48];
			snprintf(name, sizeof(name), "recipients[%zu]", i);
			if (!json_is_object(v) || json_object_size(v) != 1) {
				field_error(
					errors, name,
					"must be {\"organisation_id\": ...} or {\"kind\": ...}");
				continue;
			}
			validate_fields(v, recipient_fields, ARRAY_LEN(recipient_fields), errors);
		}
	}
	json_array_foreach(json_object_get(body, "purposes"), i, v)
		if (json_is_string(v) && !validate_in(json_string_value(v), consent_purposes))
			field_error(errors, "purposes", "unknown purpose \"%s\"",
				    json_string_value(v));
	json_array_foreach(json_object_get(body, "data_categories"), i, v)
		if (json_is_string(v) && !validate_in(json_string_value(v), data_categories))
			field_error(errors, "data_categories", "unknown category \"%s\"",
				    json_string_value(v));
	evidence = json_object_get(body, "evidence");
	if (!json_is_object(evidence)) {
		field_error(errors, "evidence",
			    "must be an object {method, reference, witness, recorded_by}");
	} else if (validate_fields(evidence, evidence_fields, ARRAY_LEN(evidence_fields), errors) ==
		   0) {
		const char *m = json_string_value(json_object_get(evidence, "method"));
		if (strcmp(m, "signed_form") == 0 &&
		    !json_is_string(json_object_get(evidence, "reference")))
			field_error(errors, "evidence.reference",
				    "a signed form needs its reference");
		if (strcmp(m, "oral") == 0 && !json_is_string(json_object_get(evidence, "witness")))
			field_error(errors, "evidence.witness", "an oral consent needs a witness");
	}
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	v = json_object_get(body, "valid_until");
	if (json_is_string(v) && is_date(json_string_value(v)) &&
	    strcmp(json_string_value(v), today) < 0)
		field_error(errors, "valid_until", "must not be in the past");
}

int
handle_consent_create(struct request *r)
{
	json_t *body = body_json(r), *errors = NULL;
	struct db_res *res = NULL;
	struct buf orgs, kindb, purposes, cats;
	char *evidence = NULL;
	const char *params[7];
	enum db_status s;
	int status;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 1024);
	buf_init(&purposes, 1024);
	buf_init(&cats, 1024);
	if (body == NULL)
		return r->status;
	errors = json_array();
	validate_fields(body, consent_fields, ARRAY_LEN(consent_fields), errors);
	check_consent(body, errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	/* Only an organisation that follows the person records its consent:
	 * its creator, or a party to an open referral for it (PostgreSQL checks
	 * the same, consents_insert_follows).  A person the caller cannot see
	 * does not exist for it. */
	params[0] = json_string_value(json_object_get(body, "person_id"));
	s = db_exec(r->db, ST_PERSON_VISIBLE, 1, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no person %s", params[0]);
		goto out;
	}
	if (strcmp(db_val(res, 0, 1), "t") != 0) {
		status = reply_problem(
			r, 403, "person-not-followed", "Person not followed",
			"only the organisation that created person %s, or a party to an "
			"open referral for them, records their consent",
			params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	evidence = json_dumps(json_object_get(body, "evidence"), JSON_COMPACT | JSON_SORT_KEYS);
	if (array_literal(&orgs, json_object_get(body, "recipients"), "organisation_id") != 0 ||
	    array_literal(&kindb, json_object_get(body, "recipients"), "kind") != 0 ||
	    array_literal(&purposes, json_object_get(body, "purposes"), NULL) != 0 ||
	    array_literal(&cats, json_object_get(body, "data_categories"), NULL) != 0 ||
	    !evidence) {
		status =
			reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
		goto out;
	}
	params[1] = orgs.data;
	params[2] = kindb.data;
	params[3] = purposes.data;
	params[4] = cats.data;
	params[5] = json_string_value(json_object_get(body, "valid_until"));
	params[6] = evidence;
	s = db_exec(r->db, ST_CONSENT_INSERT, 7, params, &res);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unprocessable consent", "recipients",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "consent.create", "consent", db_val(res, 0, 0), params[0], NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/consents/%s", db_val(res, 0, 0));
	status = reply_json(r, 201, consent_json(r, res, 0));
out:
	json_decref(errors);
	free(evidence);
	buf_free(&orgs);
	buf_free(&kindb);
	buf_free(&purposes);
	buf_free(&cats);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_consent_list(struct request *r)
{
	const char *person = req_query(r, "person_id");
	struct db_res *res = NULL;
	json_t *items;
	enum db_status s;
	int i;

	if (person == NULL || !is_uuid(person)) {
		json_t *errors = json_array();
		field_error(errors, "person_id", "is required: the person whose consents to list");
		return reply_invalid_query(r, errors);
	}
	s = db_exec(r->db, ST_CONSENT_LIST, 1, &person, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	items = json_array();
	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(items, consent_json(r, res, i));
	db_res_free(res);
	/* What a person agreed to, and its evidence, is about that person. */
	if (json_array_size(items) > 0 &&
	    audit_record(r, "consent.list", "person", person, person, NULL) != 0) {
		json_decref(items);
		return reply_problem(r, 500, "internal", "Internal error",
				     "the audit log could not be written (request id %s)", r->id);
	}
	return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int
handle_consent_withdraw(struct request *r)
{
	json_t *body = NULL;
	const char *params[2] = {r->params[0], NULL};
	struct db_res *res = NULL;
	enum db_status s;
	int status;

	if (r->body.len > 0) {
		if ((body = body_json(r)) == NULL)
			return r->status;
		if (!validate_body(r, body, withdraw_fields, ARRAY_LEN(withdraw_fields))) {
			status = r->status;
			goto out;
		}
		params[1] = json_string_value(json_object_get(body, "reason"));
	}
	s = db_exec(r->db, ST_CONSENT_WITHDRAW, 2, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_null(res, 0, 0)) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no consent %s you may withdraw", r->params[0]);
		goto out;
	}
	{
		json_t *detail = json_pack("{s:s, s:s?}", "referrals_withdrawn", db_val(res, 0, 0),
					   "reason", params[1]);
		db_res_free(res);
		res = NULL;
		s = db_exec(r->db, ST_CONSENT_GET, 1, params, &res);
		if (s != DB_OK || db_rows(res) != 1) {
			json_decref(detail);
			status = s != DB_OK ? reply_db_error(r, s)
					    : reply_problem(r, 404, "not-found", "Not found",
							    "no consent");
			goto out;
		}
		if (audit_record(r, "consent.withdraw", "consent", r->params[0], db_val(res, 0, 1),
				 detail) != 0) {
			json_decref(detail);
			status = reply_problem(r, 500, "internal", "Internal error",
					       "the audit log could not be written (request id %s)",
					       r->id);
			goto out;
		}
		json_decref(detail);
	}
	status = reply_json(r, 200, consent_json(r, res, 0));
out:
	db_res_free(res);
	json_decref(body);
	return status;
}
