/* consents: what a person agreed to share, with whom, for what, until when,
 * and how the agreement was recorded.  Withdrawal is as easy as giving and
 * takes effect in the same transaction (refgw_withdraw_consent). */
#include "consents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "persons.h"
#include "seal.h"
#include "statements.h"
#include "validate.h"

const char *const consent_purposes[] = {"housing_referral", "social_aid",  "rights_opening",
					"housing_support",  "health_care", NULL};
/* follow_up: a follow-up's dated entries (follow_ups.c), no referral field. */
const char *const data_categories[] = {"identity", "contact",   "housing_situation",
				       "income",   "family",    "justice",
				       "health",   "follow_up", NULL};
static const char *const evidence_methods[] = {"signed_form", "oral", "electronic_signature", NULL};

static const struct field_spec consent_fields[] = {
	{"person_id", FT_UUID, true, 0, 0, 0, NULL},
	{"recipients", FT_ANY, true, 0, 0, 0, NULL},
	{"purposes", FT_TOKEN_ARRAY, true, 32, 1, 8, NULL},
	{"data_categories", FT_TOKEN_ARRAY, true, 32, 0, 8, NULL},
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

/* Only an organisation that follows the person records its consent: its
 * creator, or a party to an open referral for it (PostgreSQL checks the same,
 * consents_insert_follows).  A person the caller cannot see does not exist
 * for it.  0 when the caller follows the person, else the status answered. */
static int
check_follows(struct request *r, const char *person)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_PERSON_VISIBLE, &res, "id", person, (char *)NULL);
	int status = 0;

	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found", "no person %s", person);
	else if (!row_bool(res, 0, PERSON_FOLLOWED))
		status = reply_problem(
			r, 403, "person-not-followed", "Person not followed",
			"only the organisation that created person %s, or a party to an "
			"open referral for them, records their consent",
			person);
	db_res_free(res);
	return status;
}

int
handle_consent_create(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	struct db_res *res = NULL;
	struct buf orgs, kindb, purposes, cats;
	char *evidence = NULL;
	const char *person;
	enum db_status s;
	enum seal_status ss;
	int status = 500;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 1024);
	buf_init(&purposes, 1024);
	buf_init(&cats, 1024);
	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, consent_fields, ARRAY_LEN(consent_fields), errors);
	check_consent(body, errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	person = json_string_value(json_object_get(body, "person_id"));
	if ((status = check_follows(r, person)) != 0)
		goto out;
	ss = seal_value(person, "evidence", json_object_get(body, "evidence"), &evidence);
	if (ss != SEAL_OK) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	if (array_literal(&orgs, json_object_get(body, "recipients"), "organisation_id") != 0 ||
	    array_literal(&kindb, json_object_get(body, "recipients"), "kind") != 0 ||
	    array_literal(&purposes, json_object_get(body, "purposes"), NULL) != 0 ||
	    array_literal(&cats, json_object_get(body, "data_categories"), NULL) != 0 ||
	    !evidence) {
		status =
			reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
		goto out;
	}
	s = db_query(r->db, ST_CONSENT_INSERT, &res, "person", person, "recipient_orgs", orgs.data,
		     "recipient_kinds", kindb.data, "purposes", purposes.data, "data_categories",
		     cats.data, "valid_until",
		     json_string_value(json_object_get(body, "valid_until")), "evidence", evidence,
		     (char *)NULL);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unprocessable consent", "recipients",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "consent.create", "consent", row_val(res, 0, CONSENT_ID), person,
			 NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/consents/%s", row_val(res, 0, CONSENT_ID));
	status = reply_row(r, 201, &consent_row, res, 0, ROW_PUBLIC);
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
	struct buf out;
	enum db_status s;
	size_t n;
	int status = 500;

	buf_init(&out, 16u << 20);
	if (person == NULL || !is_uuid(person)) {
		json_t *errors = json_array();
		field_error(errors, "person_id", "is required: the person whose consents to list");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	s = db_query(r->db, ST_CONSENT_LIST, &res, "person", person, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	/* Every consent of the person at once: the list has no further page. */
	if (write_rows(&out, res, db_rows(res), &consent_row) != 0 ||
	    APPEND_LITERAL(&out, "null}") != 0) {
		status = reply_internal(r);
		goto out;
	}
	/* What a person agreed to, and its evidence, is about that person. */
	if (db_rows(res) > 0 &&
	    audit_record(r, "consent.list", "person", person, person, NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
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
handle_consent_withdraw(struct request *r)
{
	json_t *body = NULL, *detail = NULL, *reason = NULL;
	struct db_res *res = NULL;
	char *sealed = NULL;
	enum db_status s;
	enum seal_status ss;
	int status = 500;

	if (r->body.len > 0) {
		if ((body = body_json(r)) == NULL) {
			status = r->status;
			goto out;
		}
		if (!validate_body(r, body, withdraw_fields, ARRAY_LEN(withdraw_fields))) {
			status = r->status;
			goto out;
		}
		reason = json_object_get(body, "reason");
	}
	/* The reason is about the person: sealed under their key, in the
	 * consent and in the audit detail alike (the chain covers the sealed
	 * text, and verifies after the key is destroyed). */
	s = db_query(r->db, ST_CONSENT_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no consent %s you may withdraw", r->params[0]);
		goto out;
	}
	ss = seal_value(row_val(res, 0, CONSENT_PERSON), "withdrawal_reason",
			reason ? reason : json_null(), &sealed);
	if (ss != SEAL_OK) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_CONSENT_WITHDRAW, &res, "id", r->params[0], "reason", sealed,
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (row_null(res, 0, WITHDRAWN_REFERRALS)) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no consent %s you may withdraw", r->params[0]);
		goto out;
	}
	detail = json_pack("{s:s, s:s?}", "referrals_withdrawn",
			   row_val(res, 0, WITHDRAWN_REFERRALS), "reason", reason ? sealed : NULL);
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_CONSENT_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1) {
		status = reply_problem(r, 404, "not-found", "Not found", "no consent");
		goto out;
	}
	if (audit_record(r, "consent.withdraw", "consent", r->params[0],
			 row_val(res, 0, CONSENT_PERSON), detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_row(r, 200, &consent_row, res, 0, ROW_PUBLIC);
out:
	free(sealed);
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}
