/* follow_ups: an organisation follows a person on a referral it sent,
 * received or took in (schema/030).  The follow-up's status and period are
 * its organisation's to change; its entries are personal data of category
 * follow_up: written by that organisation while the consent holds and lists
 * follow_up, read by it and the organisations the consent names, each read
 * audited.  Row-level security decides what a caller sees; the handlers
 * only explain a refusal. */
#include "follow_ups.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "seal.h"
#include "statements.h"
#include "validate.h"

static const char *const follow_up_statuses[] = {"active", "tenancy_at_risk", "relayed", "closed",
						 NULL};
/* A follow-up starts active, or already with the tenancy at risk. */
static const char *const follow_up_first_statuses[] = {"active", "tenancy_at_risk", NULL};
static const char *const entry_kinds[] = {"visit",         "call", "meeting",
					  "accompaniment", "note", NULL};

static const struct field_spec create_fields[] = {
	{"referral_id", FT_UUID, true, 0, 0, 0, NULL},
	{"occupancy_id", FT_UUID, false, 0, 0, 0, NULL},
	{"period_from", FT_DATE, true, 0, 0, 0, NULL},
	{"period_until", FT_DATE, false, 0, 0, 0, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, follow_up_first_statuses},
};
/* period_until: a date, or null (open-ended again). */
static const struct field_spec update_fields[] = {
	{"status", FT_ENUM, false, 0, 0, 0, follow_up_statuses},
	{"period_until", FT_ANY, false, 0, 0, 0, NULL},
};
static const struct field_spec entry_fields[] = {
	{"date", FT_DATE, true, 0, 0, 0, NULL},
	{"kind", FT_ENUM, false, 0, 0, 0, entry_kinds},
	{"text", FT_STRING, true, 4000, 0, 0, NULL},
};

static int
reply_follow_up_not_found(struct request *r, const char *id)
{
	return reply_problem(r, 404, "not-found", "Not found", "no follow-up %s", id);
}

/* The follow-up r->params[0] as the caller sees it (row-level security),
 * into *res; 0, or the status answered (404 when it is not seen). */
static int
follow_up_read(struct request *r, struct db_res **res)
{
	enum db_status s = db_query(r->db, ST_FOLLOW_UP_GET, res, "id", r->params[0], (char *)NULL);

	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(*res) == 0)
		return reply_follow_up_not_found(r, r->params[0]);
	return 0;
}

/* Nothing but its own organisation changes a follow-up or writes its
 * entries: 403 for another that sees it. */
static int
reply_not_owner(struct request *r, const struct db_res *res)
{
	return reply_problem(r, 403, "forbidden", "Forbidden",
			     "only organisation %s, which follows the person, changes this "
			     "follow-up and writes its entries",
			     row_val(res, 0, FOLLOW_UP_ORG));
}

int
handle_follow_up_create(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	struct db_res *res = NULL;
	const char *word, *from, *until;
	char id[37];
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, create_fields, ARRAY_LEN(create_fields), errors);
	from = json_str(body, "period_from");
	until = json_str(body, "period_until");
	if (json_array_size(errors) == 0 && until && strcmp(until, from) < 0)
		field_error(errors, "period_until", "must not be before period_from");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	s = db_query(r->db, ST_FOLLOW_UP_CHECK, &res, "referral", json_str(body, "referral_id"),
		     "occupancy", json_str(body, "occupancy_id"), (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, FOLLOW_UP_CHECK_RESULT);
	if (strcmp(word, "referral") == 0) {
		status = reply_unprocessable_field(
			r, "Unprocessable follow-up", "referral_id",
			"must be a referral this organisation sent, received or took in");
		goto out;
	}
	if (strcmp(word, "occupancy") == 0) {
		status = reply_unprocessable_field(r, "Unprocessable follow-up", "occupancy_id",
						   "must be an occupancy of the referral");
		goto out;
	}
	if (strcmp(word, "ok") != 0) {
		status = reply_db_error(r, DB_CONSENT);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_FOLLOW_UP_INSERT, &res, "referral", json_str(body, "referral_id"),
		     "occupancy", json_str(body, "occupancy_id"), "period_from", from,
		     "period_until", until, "status", json_str(body, "status"), (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	snprintf(id, sizeof(id), "%s", row_val(res, 0, SCALAR_VALUE));
	db_res_free(res);
	res = NULL;
	if ((s = db_query(r->db, ST_FOLLOW_UP_GET, &res, "id", id, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1 || audit_record(r, "follow_up.create", "follow_up", id,
					      row_str(res, 0, FOLLOW_UP_PERSON), NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/follow-ups/%s", id);
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, FOLLOW_UP_VERSION));
	status = reply_row(r, 201, &follow_up_row, res, 0, ROW_PUBLIC);
out:
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_follow_up_list(struct request *r)
{
	const char *status_q = req_query(r, "status");
	char ts[64] = KEYSET_FIRST_TIME, id[37] = KEYSET_FIRST_ID, limit_text[16];
	struct db_res *res = NULL;
	int limit, status = 500;
	enum db_status s;

	if (status_q && !validate_in(status_q, follow_up_statuses)) {
		json_t *errors = json_array();
		field_error(errors, "status",
			    "must be one of: active, tenancy_at_risk, relayed, closed");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_FOLLOW_UP_LIST, &res, "status", status_q, "after_time", ts,
		     "after_id", id, "limit", limit_text, (char *)NULL);
	status = reply_page(r, s, res, limit, &follow_up_row);
out:
	db_res_free(res);
	return status;
}

int
handle_follow_up_get(struct request *r)
{
	struct db_res *res = NULL;
	int status = 500;

	if ((status = follow_up_read(r, &res)) != 0)
		goto out;
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, FOLLOW_UP_VERSION));
	status = reply_row(r, 200, &follow_up_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}

/* Why an update changed no row: 404, 403, 409 (closed, or a move the
 * status does not make) or 412. */
static int
reply_not_updated(struct request *r, long expected, const char *to)
{
	struct db_res *res = NULL;
	const char *from;
	int status;

	if ((status = follow_up_read(r, &res)) != 0)
		goto out;
	from = row_val(res, 0, FOLLOW_UP_STATUS);
	if (strcmp(row_val(res, 0, FOLLOW_UP_ORG), r->who.organisation_id) != 0)
		status = reply_not_owner(r, res);
	else if (strcmp(from, "closed") == 0 || (to && strcmp(from, to) == 0)) {
		json_t *errors = json_array();
		if (strcmp(from, "closed") == 0 && to)
			field_error(errors, "status",
				    "a follow-up closed cannot move to %s (closed is final)", to);
		else if (strcmp(from, "closed") == 0)
			field_error(errors, "status",
				    "a follow-up closed cannot change (closed is final)");
		else
			field_error(errors, "status", "a follow-up %s cannot move to %s", from, to);
		status = reply_problem_errors(r, 409, "invalid-transition",
					      "Transition not allowed", errors,
					      "the follow-up is %s; nothing was changed", from);
	} else
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the follow-up is at version %s, not %ld; read it again",
				       row_val(res, 0, FOLLOW_UP_VERSION), expected);
out:
	db_res_free(res);
	return status;
}

int
handle_follow_up_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *until, *detail = NULL;
	struct db_res *res = NULL;
	const char *to;
	char version[24];
	long expected;
	enum db_status s;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, update_fields, ARRAY_LEN(update_fields), errors);
	/* status: one of the statuses or absent; null would change nothing and
	 * still bump the version. */
	if (json_is_null(json_object_get(body, "status")))
		field_error(errors, "status", "must not be null: a status, or leave it out");
	until = json_object_get(body, "period_until");
	if (until && !json_is_null(until)) {
		json_t *one = json_pack("{sO}", "period_until", until);
		static const struct field_spec date_spec[] = {
			{"period_until", FT_DATE, false, 0, 0, 0, NULL}};
		validate_fields(one, date_spec, 1, errors);
		json_decref(one);
	}
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if (json_object_size(body) == 0) {
		status = reply_problem(r, 400, "validation", "Nothing to change",
				       "send at least one of status, period_until");
		goto out;
	}
	to = json_str(body, "status");
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_FOLLOW_UP_UPDATE, &res, "id", r->params[0], "version", version,
		     "status", to, "set_until", until ? "true" : "false", "period_until",
		     json_string_value(until), (char *)NULL);
	if (s == DB_CONSTRAINT) {
		status = reply_unprocessable_field(r, "Unprocessable follow-up", "period_until",
						   "must not be before period_from");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_not_updated(r, expected, to);
		goto out;
	}
	detail = json_deep_copy(body);
	if (audit_record(r, "follow_up.update", "follow_up", r->params[0],
			 row_str(res, 0, FOLLOW_UP_PERSON), detail) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, FOLLOW_UP_VERSION));
	status = reply_row(r, 200, &follow_up_row, res, 0, ROW_PUBLIC);
out:
	json_decref(detail);
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_follow_up_entry_create(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL, *entry = NULL;
	const char *consent, *person;
	char *text = NULL;
	enum db_status s;
	enum seal_status ss;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, entry_fields, ARRAY_LEN(entry_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = follow_up_read(r, &res)) != 0)
		goto out;
	status = 500;
	consent = row_val(res, 0, FOLLOW_UP_CONSENT);
	if (strcmp(row_val(res, 0, FOLLOW_UP_ORG), r->who.organisation_id) != 0) {
		status = reply_not_owner(r, res);
		goto out;
	}
	if (strcmp(row_val(res, 0, FOLLOW_UP_STATUS), "closed") == 0) {
		status = reply_problem(r, 409, "follow-up-closed", "Follow-up closed",
				       "the follow-up is closed: it takes no new entry");
		goto out;
	}
	if (strcmp(consent, "not_holding") == 0) {
		status = reply_db_error(r, DB_CONSENT);
		goto out;
	}
	if (strcmp(consent, "ok") != 0) {
		json_t *errors = json_array();
		field_error(errors, "text", "the person's consent does not list follow_up");
		status = reply_problem_errors(r, 403, "consent-not-covering",
					      "Consent does not cover this", errors,
					      "an entry is personal data of category follow_up, "
					      "which the referral's consent does not list");
		goto out;
	}
	/* The text is about the person: sealed under their data key. */
	person = row_str(res, 0, FOLLOW_UP_PERSON);
	ss = person ? seal_value(person, "text", json_object_get(body, "text"), &text) : SEAL_ERROR;
	if (ss != SEAL_OK) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	s = db_query(r->db, ST_FOLLOW_UP_ENTRY_INSERT, &entry, "follow_up", r->params[0], "date",
		     json_str(body, "date"), "kind", json_str(body, "kind"), "text", text, "person",
		     person, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "follow_up.entry.create", "follow_up", r->params[0],
			 row_str(res, 0, FOLLOW_UP_PERSON), NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/follow-ups/%s/entries", r->params[0]);
	snprintf(r->answer_person, sizeof(r->answer_person), "%s", person);
	status = reply_row(r, 201, &follow_up_entry_row, entry, 0, ROW_PUBLIC);
out:
	free(text);
	db_res_free(entry);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* The entries the caller may read (row-level security: none once the
 * consent stops holding), each page of them audited as one read. */
int
handle_follow_up_entry_list(struct request *r)
{
	char ts[64] = KEYSET_FIRST_TIME, id[37] = KEYSET_FIRST_ID, limit_text[16];
	struct db_res *res = NULL, *entries = NULL;
	json_t *detail = NULL;
	int limit, n, status = 500;
	enum db_status s;

	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	if ((status = follow_up_read(r, &res)) != 0)
		goto out;
	status = 500;
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_FOLLOW_UP_ENTRY_LIST, &entries, "follow_up", r->params[0],
		     "after_time", ts, "after_id", id, "limit", limit_text, "person",
		     row_str(res, 0, FOLLOW_UP_PERSON), (char *)NULL);
	if (s == DB_BAD_INPUT) {
		status = reply_invalid_cursor(r);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	n = db_rows(entries) < limit ? db_rows(entries) : limit;
	if (n > 0) {
		detail = json_pack("{s:i}", "entries", n);
		if (detail == NULL ||
		    audit_record(r, "follow_up.entries.read", "follow_up", r->params[0],
				 row_str(res, 0, FOLLOW_UP_PERSON), detail) != 0) {
			status = reply_internal(r);
			goto out;
		}
	}
	status = reply_rows(r, entries, limit, &follow_up_entry_row);
out:
	json_decref(detail);
	db_res_free(entries);
	db_res_free(res);
	return status;
}
