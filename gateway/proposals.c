/* proposals: a social organisation proposes one of its referrals for a
 * published unit, sharing what the referral's consent covers; the unit's
 * operator accepts (refgw_accept_proposal reserves the unit, atomically) or
 * declines.  Each side hears of it on its event feed. */
#include "proposals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "events.h"
#include "referrals.h"
#include "seal.h"
#include "statements.h"
#include "units.h"
#include "validate.h"

static const char *const decisions[] = {"accept", "decline", NULL};
static const char *const decline_reasons[] = {
	"household_does_not_fit", "needs_not_met", "person_unreachable",
	"unit_unavailable",       "other",         NULL};

static const struct field_spec proposal_fields[] = {
	{"referral_id", FT_UUID, true, 0, 0, 0, NULL},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};
static const struct field_spec decision_fields[] = {
	{"decision", FT_ENUM, true, 0, 0, 0, decisions},
	{"reason_code", FT_ENUM, false, 0, 0, 0, decline_reasons},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};

int
handle_proposal_create(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL, *unit = NULL;
	const char *operator_org, *id;
	enum db_status s;
	int status = 500;
	char shared[256], *note = NULL;
	enum seal_status ss;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, proposal_fields, ARRAY_LEN(proposal_fields))) {
		status = r->status;
		goto out;
	}
	if ((s = db_query(r->db, ST_UNIT_GET, &unit, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(unit) == 0) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
		goto out;
	}
	if (row_bool(unit, 0, UNIT_ENDED)) {
		status = reply_problem(
			r, 409, "unit-not-available", "Unit not available",
			"the unit's availability ended on %s: it is no longer offered",
			row_val(unit, 0, UNIT_AVAILABLE_UNTIL));
		goto out;
	}
	if (strcmp(row_val(unit, 0, UNIT_STATUS), "published") != 0) {
		status = reply_problem(r, 409, "unit-not-available", "Unit not available",
				       "the unit is %s: proposals are taken while it is published",
				       row_val(unit, 0, UNIT_STATUS));
		goto out;
	}
	operator_org = row_val(unit, 0, UNIT_OPERATOR);
	if ((s = db_query(r->db, ST_PROPOSAL_COVERAGE, &res, "referral",
			  json_str(body, "referral_id"), "operator", operator_org, (char *)NULL)) !=
	    DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	snprintf(shared, sizeof(shared), "%s", row_val(res, 0, COVERAGE_SHARED));
	db_res_free(res);
	res = NULL;
	if (strcmp(shared, "!referral") == 0) {
		status = reply_problem(
			r, 422, "referral-not-proposable", "Referral cannot be proposed",
			"the referral is not one you sent, received or took in yourself (an "
			"intake), or it is closed");
		goto out;
	}
	if (strcmp(shared, "!consent") == 0) {
		status = reply_problem(
			r, 403, "consent-not-covering", "Consent does not cover this",
			"the referral's consent does not cover the unit's operator (by "
			"organisation or by its kind, whatever it is), or no longer holds");
		goto out;
	}
	/* The note may say anything about the person: sealed under their key
	 * (the proposer is a party to the referral: it reads its person). */
	if (json_str(body, "note")) {
		db_res_free(res);
		res = NULL;
		if ((s = db_query(r->db, ST_REFERRAL_GET, &res, "id", json_str(body, "referral_id"),
				  (char *)NULL)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		ss = db_rows(res) == 1 ? seal_value(row_val(res, 0, REFERRAL_PERSON), "note",
						    json_object_get(body, "note"), &note)
				       : SEAL_ERROR;
		if (ss != SEAL_OK) {
			status = reply_key_store_error(r, ss);
			goto out;
		}
		db_res_free(res);
		res = NULL;
	}
	s = db_query(r->db, ST_PROPOSAL_INSERT, &res, "unit", r->params[0], "referral",
		     json_str(body, "referral_id"), "operator", operator_org, "shared", shared,
		     "note", note, (char *)NULL);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "conflict", "Already proposed",
				       "this referral already has an open proposal for this unit");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	id = row_val(res, 0, PROPOSAL_ID);
	if (event_emit(r, operator_org, "proposal.received", "proposal", id) != 0 ||
	    audit_record(r, "proposal.create", "proposal", id, NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/proposals/%s", id);
	/* Its note is free text about the person: an Idempotency-Key's stored
	 * replay is sealed under their key and ends with their erasure. */
	if (!row_null(res, 0, PROPOSAL_PERSON))
		snprintf(r->answer_person, sizeof(r->answer_person), "%s",
			 row_val(res, 0, PROPOSAL_PERSON));
	status = reply_row(r, 201, &proposal_row, res, 0, ROW_PUBLIC);
out:
	free(note);
	db_res_free(unit);
	db_res_free(res);
	json_decref(body);
	return status;
}

static const char *const proposal_states[] = {"open", "accepted", "declined", NULL};

/* A proposal's note is free text about the person: each one a page shows
 * (its referral's consent holds, refgw_referral_consent_covers) is an
 * audited read, one proposal.read row per proposal naming its person, as
 * the referrals a ranking reads are (candidates.c).  -1 when it could not
 * be written. */
static int
audit_note_reads(struct request *r, const struct db_res *res, int n)
{
	json_t *detail = json_pack("{s:[s]}", "fields", "note");
	int rc = detail ? audit_record_page(r, "proposal.read", "proposal", res, n, PROPOSAL_ID,
					    PROPOSAL_PERSON, PROPOSAL_NOTE, -1, detail)
			: -1;

	json_decref(detail);
	return rc;
}

int
handle_proposal_list(struct request *r)
{
	struct db_res *res = NULL;
	struct buf out;
	enum db_status s;
	size_t n;
	int status = 500;

	buf_init(&out, 16u << 20);
	if ((s = db_query(r->db, ST_UNIT_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if ((s = db_query(r->db, ST_PROPOSAL_LIST, &res, "unit", r->params[0], (char *)NULL)) !=
	    DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	/* every proposal of the unit, one page */
	if (audit_note_reads(r, res, db_rows(res)) != 0 ||
	    write_rows(&out, res, db_rows(res), &proposal_row) != 0 ||
	    APPEND_LITERAL(&out, "null}") != 0) {
		status = reply_internal(r);
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
handle_proposal_list_mine(struct request *r)
{
	const char *role = req_query(r, "role"), *status_q = req_query(r, "status"),
		   *unit = req_query(r, "unit_id");
	char ts[64] = KEYSET_LAST_TIME, id[37] = KEYSET_LAST_ID, limit_text[16];
	struct db_res *res = NULL;
	json_t *errors = json_array();
	enum stmt_id st;
	enum db_status s;
	int limit, status = 500;

	if (role && strcmp(role, "operator") != 0 && strcmp(role, "proposer") != 0)
		field_error(errors, "role", "must be operator or proposer");
	if (status_q && !validate_in(status_q, proposal_states))
		field_error(errors, "status", "must be one of: %s", "open, accepted, declined");
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
	st = role == NULL                    ? ST_PROPOSAL_LIST_MINE
	     : strcmp(role, "operator") == 0 ? ST_PROPOSAL_LIST_OPERATOR
					     : ST_PROPOSAL_LIST_PROPOSER;
	s = db_query(r->db, st, &res, "status", status_q, "unit", unit, "before_time", ts,
		     "before_id", id, "limit", limit_text, (char *)NULL);
	if (s == DB_OK &&
	    audit_note_reads(r, res, db_rows(res) < limit ? db_rows(res) : limit) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_page(r, s, res, limit, &proposal_row);
out:
	json_decref(errors);
	db_res_free(res);
	return status;
}

/* A decline: the reason, the proposal declined if still open, its proposer
 * told.  *outcome "declined" or "not_open"; 0, or the status answered. */
static int
decide_decline(struct request *r, json_t *body, const char **outcome)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 0;

	if (json_str(body, "reason_code") == NULL ||
	    (strcmp(json_str(body, "reason_code"), "other") == 0 &&
	     json_str(body, "note") == NULL)) {
		json_t *errors = json_array();
		field_error(errors, "reason_code",
			    "a decline needs one of household_does_not_fit, needs_not_met, "
			    "person_unreachable, unit_unavailable, other (with a note)");
		return reply_invalid(r, errors);
	}
	if ((s = db_query(r->db, ST_PROPOSAL_DECLINE, &res, "id", r->params[0], "reason_code",
			  json_str(body, "reason_code"), (char *)NULL)) != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) != 1)
		*outcome = "not_open";
	else if (event_emit(r, row_val(res, 0, DECLINED_PROPOSER), "proposal.declined", "proposal",
			    r->params[0]) != 0)
		status = reply_internal(r);
	else
		*outcome = "declined";
	db_res_free(res);
	return status;
}

/* The operator's proposal for a unit whose availability has ended: 409
 * (housekeeping withdraws the unit; until then it is not offered either).
 * 0, or the status answered. */
static int
refuse_ended_unit(struct request *r)
{
	struct db_res *p = NULL, *unit = NULL;
	enum db_status s;
	int status = 0;

	if ((s = db_query(r->db, ST_PROPOSAL_GET, &p, "id", r->params[0], (char *)NULL)) != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(p) == 0 ||
		 strcmp(row_val(p, 0, PROPOSAL_OPERATOR), r->who.organisation_id) != 0)
		status = 0; /* refgw_accept_proposal answers */
	else if ((s = db_query(r->db, ST_UNIT_GET, &unit, "id", row_val(p, 0, PROPOSAL_UNIT),
			       (char *)NULL)) != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(unit) == 1 && row_bool(unit, 0, UNIT_ENDED))
		status = reply_problem(r, 409, "unit-not-available", "Unit not available",
				       "the unit's availability ended on %s: no proposal is "
				       "accepted for it",
				       row_val(unit, 0, UNIT_AVAILABLE_UNTIL));
	db_res_free(unit);
	db_res_free(p);
	return status;
}

/* An accept: the unit reserved for this proposal.  0, or the status
 * answered. */
static int
decide_accept(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	const char *outcome;
	int status = 0;

	if ((status = refuse_ended_unit(r)) != 0)
		return status;
	if ((s = db_query(r->db, ST_PROPOSAL_ACCEPT, &res, "id", r->params[0], (char *)NULL)) !=
	    DB_OK)
		status = s == DB_CONSTRAINT
				 ? reply_problem(r, 409, "proposal-not-open", "Proposal not open",
						 "this proposal was already decided")
				 : reply_db_error(r, s);
	else if ((outcome = row_str(res, 0, ACCEPT_OUTCOME)) == NULL)
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no proposal %s for a unit of yours", r->params[0]);
	else if (strcmp(outcome, "person_placed") == 0)
		status = reply_problem(r, 409, "person-placed", "Person already placed",
				       "the referral's person is placed already (another proposal "
				       "of theirs was accepted, or a placement is running)");
	else if (strcmp(outcome, "unit_taken") == 0)
		status = reply_problem(r, 409, "unit-taken", "Unit already taken",
				       "the unit is no longer published (another proposal was "
				       "accepted, or it was withdrawn)");
	db_res_free(res);
	return status;
}

int
handle_proposal_decision(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	const char *outcome = "accepted";
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, decision_fields, ARRAY_LEN(decision_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = strcmp(json_str(body, "decision"), "decline") == 0
			      ? decide_decline(r, body, &outcome)
			      : decide_accept(r)) != 0)
		goto out;
	status = 500;
	if ((s = db_query(r->db, ST_PROPOSAL_GET, &res, "id", r->params[0], (char *)NULL)) !=
	    DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no proposal %s for a unit of yours", r->params[0]);
		goto out;
	}
	if (strcmp(outcome, "not_open") == 0) {
		status = reply_problem(r, 409, "proposal-not-open", "Proposal not open",
				       "this proposal is already %s",
				       row_val(res, 0, PROPOSAL_STATUS));
		goto out;
	}
	if (audit_record(r,
			 strcmp(outcome, "accepted") == 0 ? "proposal.accept" : "proposal.decline",
			 "proposal", r->params[0], NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_row(r, 200, &proposal_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}
