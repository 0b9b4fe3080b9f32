/* referrals: one person sent from one organisation to another, for a
 * program, under a consent; the receiver answers and the sender sees the
 * outcome.  Personal data ("data") is stored apart (referral_data) and is
 * readable only by the two parties while the consent holds: PostgreSQL
 * enforces that, the gateway only renders what it is given. */
#include "referrals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "categories.h"
#include "common.h"
#include "db.h"
#include "events.h"
#include "log.h"
#include "occupancies.h"
#include "programs.h"
#include "seal.h"
#include "statements.h"
#include "validate.h"

static const struct {
	const char *from, *to;
	enum referral_party by;
} transitions[] = {
	{"submitted", "received", PARTY_RECEIVER},   {"received", "accepted", PARTY_RECEIVER},
	{"received", "declined", PARTY_RECEIVER},    {"received", "waitlisted", PARTY_RECEIVER},
	{"waitlisted", "accepted", PARTY_RECEIVER},  {"waitlisted", "declined", PARTY_RECEIVER},
	{"accepted", "in_progress", PARTY_RECEIVER}, {"in_progress", "completed", PARTY_RECEIVER},
	{"submitted", "cancelled", PARTY_SENDER},    {"received", "cancelled", PARTY_SENDER},
	{"waitlisted", "cancelled", PARTY_SENDER},   {"accepted", "cancelled", PARTY_SENDER},
	{"in_progress", "cancelled", PARTY_SENDER},
};

/* Reason codes (docs/openapi.yaml lists them). */
static const char *const decline_reasons[] = {"no_capacity",
					      "criteria_not_met",
					      "person_unreachable",
					      "person_declined",
					      "duplicate",
					      "other",
					      NULL};
static const char *const cancel_reasons[] = {
	"person_housed_elsewhere", "person_declined", "person_unreachable",
	"sent_in_error",           "other",           NULL};

extern const char *const consent_purposes[];

bool
referral_transition_allowed(const char *from, const char *to, enum referral_party by)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(transitions); i++)
		if (strcmp(transitions[i].from, from) == 0 && strcmp(transitions[i].to, to) == 0 &&
		    transitions[i].by == by)
			return true;
	return false;
}

void
referral_allowed_targets(const char *from, enum referral_party by, char *out, size_t outlen)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ARRAY_LEN(transitions); i++) {
		if (strcmp(transitions[i].from, from) != 0 || transitions[i].by != by)
			continue;
		if (out[0])
			strncat(out, ", ", outlen - strlen(out) - 1);
		strncat(out, transitions[i].to, outlen - strlen(out) - 1);
	}
}

/* A completion's reason code is its outcome (placement_outcomes,
 * occupancies.c); a cancellation takes a cancel reason or an outcome (the
 * person died, went to prison...). */
bool
referral_reason_valid(const char *to, const char *code)
{
	if (strcmp(to, "declined") == 0)
		return validate_in(code, decline_reasons);
	if (strcmp(to, "cancelled") == 0)
		return validate_in(code, cancel_reasons) || validate_in(code, placement_outcomes);
	if (strcmp(to, "completed") == 0)
		return validate_in(code, placement_outcomes);
	return false; /* other moves take no reason code */
}

static const char *const states[] = {"submitted",         "received",    "accepted",  "declined",
				     "waitlisted",        "in_progress", "completed", "cancelled",
				     "consent_withdrawn", NULL};

static const struct field_spec referral_fields[] = {
	{"person_id", FT_UUID, true, 0, 0, 0, NULL},
	{"to_organisation_id", FT_UUID, true, 0, 0, 0, NULL},
	{"program", FT_TOKEN, true, 64, 0, 0, NULL},
	{"consent_id", FT_UUID, true, 0, 0, 0, NULL},
	{"purpose", FT_ENUM, true, 0, 0, 0, consent_purposes},
	{"reason", FT_STRING, false, 2000, 0, 0, NULL},
	{"data", FT_OBJECT, false, 0, 0, 0, NULL},
	{"needs", FT_OBJECT, false, 0, 0, 0, NULL},
	{"release_date", FT_DATE, false, 0, 0, 0, NULL},
	{"relays_referral_id", FT_UUID, false, 0, 0, 0, NULL},
};
static const struct field_spec transition_fields[] = {
	{"to", FT_ENUM, true, 0, 0, 0, states},
	{"reason_code", FT_TOKEN, false, 64, 0, 0, NULL},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};

/* The audit or the event feed could not be written: nothing of the request
 * stays (the transaction rolls back). */
static int
fail_audit(struct request *r)
{
	return reply_problem(r, 500, "internal", "Internal error",
			     "the audit log or event feed could not be written (request id %s)",
			     r->id);
}

/* The distinct categories of fields (personal_fields_used) as a PostgreSQL
 * array literal of validated tokens. */
static int
categories_literal(struct buf *b, json_t *fields)
{
	json_t *seen = json_object(), *f;
	size_t i;
	int rc = buf_append(b, "{", 1);

	json_array_foreach(fields, i, f) {
		const char *c = json_string_value(json_object_get(f, "category"));
		if (rc != 0 || json_object_get(seen, c))
			continue;
		json_object_set_new(seen, c, json_true());
		rc = (json_object_size(seen) > 1 && buf_append(b, ",", 1) != 0) ||
		     buf_append(b, c, strlen(c)) != 0;
	}
	json_decref(seen);
	return rc != 0 ? -1 : buf_append(b, "}", 1);
}

/* For each "category:<c>" gap, the fields of that category the body sent. */
static json_t *
uncovered_fields(const char *gaps, json_t *fields)
{
	json_t *errors = json_array(), *f;
	size_t i;

	json_array_foreach(fields, i, f) {
		const char *c = json_string_value(json_object_get(f, "category"));
		char gap[64];
		const char *p;
		size_t n = (size_t)snprintf(gap, sizeof(gap), "category:%s", c);
		for (p = strstr(gaps, gap); p; p = strstr(p + 1, gap))
			if ((p == gaps || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
				break;
		if (p)
			field_error(errors, json_string_value(json_object_get(f, "field")),
				    "is %s data; the consent does not cover %s", c, c);
	}
	return errors;
}

/* needs as stored: its fields without nulls (a null is not sent). */
static json_t *
needs_stored(json_t *needs)
{
	json_t *out = json_object(), *v;
	const char *key;

	json_object_foreach(needs, key, v)
		if (!json_is_null(v))
			json_object_set(out, key, v);
	return out;
}

/* What the candidates ranking reads of the needs, and the release date, as
 * one sealed object (label "ranking", schema/055): the ranking of a waitlist
 * opens one value per referral instead of five (candidates.c).  A copy of
 * members the coverage check has seen, never more. */
static enum seal_status
seal_ranking(const char *person, const json_t *needs, const json_t *release, char **out)
{
	static const char *const read[] = {"household_size", "accessibility", "avoid_communes",
					   "excluded_communes", "preferred_communes"};
	json_t *o = json_object();
	enum seal_status s;
	size_t i;

	for (i = 0; o != NULL && i < ARRAY_LEN(read); i++)
		if (json_object_get(needs, read[i]) != NULL)
			json_object_set(o, read[i], json_object_get(needs, read[i]));
	if (o != NULL && json_is_string(release))
		json_object_set(o, "release_date", (json_t *)release);
	s = o != NULL ? seal_value(person, "ranking", o, out) : SEAL_ERROR;
	json_decref(o);
	return s;
}

/* A create refgw_referral_create refused (schema/060: nothing written):
 * the problem answered, as when each check was a statement of its own. */
static int
reply_create_refused(struct request *r, json_t *body, const struct db_res *res, json_t *fields)
{
	const char *outcome = row_val(res, 0, CREATE_OUTCOME),
		   *to = json_str(body, "to_organisation_id"), *program = json_str(body, "program");

	if (strcmp(outcome, "recipient-unavailable") == 0)
		return reply_problem(r, 422, "recipient-unavailable", "Recipient unavailable",
				     "organisation %s does not exist or is suspended", to);
	if (strcmp(outcome, "program-not-offered") == 0)
		return reply_problem(r, 422, "program-not-offered", "Program not offered",
				     "organisation %s does not offer the program \"%s\" (see "
				     "GET /v1/organisations)",
				     to, program);
	if (strcmp(outcome, "program-closed") == 0)
		return program_reply_closed(r, to, program);
	if (strcmp(outcome, "consent-not-covering") == 0)
		return reply_problem_errors(
			r, 403, "consent-not-covering", "Consent does not cover this",
			uncovered_fields(row_val(res, 0, CREATE_DETAIL), fields),
			"the consent does not cover: %s", row_val(res, 0, CREATE_DETAIL));
	/* Every check passed but the person has no data key (erased, or
	 * never created: schema/068): the answer of a consent that is not
	 * for a person that never existed, so that neither is told apart. */
	if (strcmp(outcome, "person-unknown") == 0)
		return reply_problem_errors(r, 403, "consent-not-covering",
					    "Consent does not cover this", json_array(),
					    "the consent does not cover: %s", "person");
	if (strcmp(outcome, "relay-refused") == 0)
		return reply_unprocessable_field(
			r, "Referral cannot be relayed", "relays_referral_id",
			"must be an earlier referral of the same person that you sent, received or "
			"took in");
	log_request_warnx(r->id, r->who.organisation_id, "referral create: outcome \"%s\"",
			  outcome);
	return reply_internal(r);
}

int
handle_referral_create(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *needs = NULL, *sealed_needs = NULL, *data = NULL,
	       *fields = NULL;
	struct db_res *res = NULL;
	struct buf cats;
	char *data_text = NULL, *needs_text = NULL, *reason = NULL, *release = NULL,
	     *ranking = NULL;
	const char *to, *person;
	enum db_status s, commit = DB_OK;
	enum seal_status ss;
	bool intake, key_absent;
	int status = 500;

	buf_init(&cats, 1024);
	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, referral_fields, ARRAY_LEN(referral_fields), errors);
	categories_check_data(json_object_get(body, "data"), errors);
	categories_check_needs(json_object_get(body, "needs"), errors);
	if (json_str(body, "reason") && *json_str(body, "reason") == '\0')
		field_error(errors, "reason", "must not be empty: leave it out instead");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	to = json_str(body, "to_organisation_id");
	intake = strcmp(to, r->who.organisation_id) == 0;
	/* The categories of every personal field sent (data's, reason, needs,
	 * release_date: gateway/categories.c), which the consent must cover. */
	fields = personal_fields_used(body);
	if (categories_literal(&cats, fields) != 0) {
		status = reply_internal(r);
		goto out;
	}
	/* Each category of data, each field of needs, the reason and the
	 * release date sealed under the person's data key: PostgreSQL sees
	 * the categories and the needs' names, not the values (045, 051).
	 * Sealed before the call, which checks and writes in one go.  A
	 * person without a key (erased, or never created) is still checked
	 * by the call, with no personal value (schema/068): the recipient,
	 * program, consent and relay refuse as for anyone else. */
	person = json_str(body, "person_id");
	needs = needs_stored(json_object_get(body, "needs"));
	ss = json_is_object(json_object_get(body, "data"))
		     ? seal_members(person, "data", json_object_get(body, "data"), &data)
		     : ((data = json_object()) ? SEAL_OK : SEAL_ERROR);
	if (ss == SEAL_OK && json_object_get(body, "reason"))
		ss = seal_value(person, "reason", json_object_get(body, "reason"), &reason);
	if (ss == SEAL_OK && json_is_string(json_object_get(body, "release_date")))
		ss = seal_value(person, "release_date", json_object_get(body, "release_date"),
				&release);
	if (ss == SEAL_OK)
		ss = seal_members(person, "needs", needs, &sealed_needs);
	if (ss == SEAL_OK)
		ss = seal_ranking(person, needs, json_object_get(body, "release_date"), &ranking);
	key_absent = ss == SEAL_ERASED;
	if (ss != SEAL_OK && !key_absent) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	if (key_absent) {
		free(reason);
		free(release);
		free(ranking);
		reason = release = ranking = NULL;
	} else {
		needs_text = json_dumps(sealed_needs, JSON_COMPACT);
		data_text = json_dumps(data, JSON_COMPACT);
		if (needs_text == NULL || data_text == NULL) {
			status = reply_internal(r);
			goto out;
		}
	}
	/* One call (schema/060), sent with COMMIT: one round trip.  With an
	 * Idempotency-Key the router commits, with the stored answer. */
#define REFERRAL_CREATE_ARGS                                                                       \
	ST_REFERRAL_CREATE, &res, "intake", intake ? "true" : "false", "person", person, "to", to, \
		"program", json_str(body, "program"), "consent", json_str(body, "consent_id"),     \
		"purpose", json_str(body, "purpose"), "relays",                                    \
		json_str(body, "relays_referral_id"), "categories", cats.data, "data", data_text,  \
		"reason", reason, "needs", needs_text, "release_date", release, "ranking",         \
		ranking, "certificate", audit_certificate(r), "request", r->id, "key_absent",      \
		key_absent ? "true" : "false", (char *)NULL
	s = r->idempotent ? db_query(r->db, REFERRAL_CREATE_ARGS)
			  : db_query_commit(r->db, &commit, REFERRAL_CREATE_ARGS);
#undef REFERRAL_CREATE_ARGS
	/* A refusal of PostgreSQL's own (016's coverage check: 409 consent
	 * not holding; an erased person; a constraint) as before. */
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (strcmp(row_val(res, 0, CREATE_OUTCOME), "created") != 0) {
		status = reply_create_refused(r, body, res, fields);
		goto out;
	}
	if (commit != DB_OK) {
		status = reply_commit_error(r, commit);
		goto out;
	}
	r->committed = !r->idempotent;
	snprintf(r->location, sizeof(r->location), "/v1/referrals/%s",
		 row_val(res, 0, REFERRAL_ID));
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, REFERRAL_VERSION));
	/* No personal field in the 201: an idempotent replay answers from a
	 * stored copy of it, which neither withdrawal nor erasure reaches
	 * (hostile review).  They are read, audited, with GET. */
	status = reply_row(r, 201, &referral_create_row, res, 0, ROW_PUBLIC);
out:
	buf_free(&cats);
	free(data_text);
	free(needs_text);
	free(reason);
	free(release);
	free(ranking);
	json_decref(data);
	json_decref(needs);
	json_decref(sealed_needs);
	json_decref(fields);
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* The distinct categories of the personal fields a referral shows, for its
 * audit row: {"categories": [...]} (new reference); NULL when they cannot
 * be told (the read then fails rather than show data audited as none).
 * needs and data are parsed on their own, big integers as reals: jsonb
 * prints 1e20 as an integer jansson refuses, and a parse of the whole
 * rendered row failed there while row_write still showed the data. */
static json_t *
shown_categories(const struct db_res *res)
{
	json_t *shown = json_object(), *fields, *f, *cats, *v;
	const char *text;
	size_t i;

	if ((text = row_str(res, 0, REFERRAL_REASON)) != NULL)
		json_object_set_new(shown, "reason", json_string(text));
	if ((text = row_str(res, 0, REFERRAL_RELEASE)) != NULL)
		json_object_set_new(shown, "release_date", json_string(text));
	if ((text = row_str(res, 0, REFERRAL_NEEDS)) != NULL) {
		if ((v = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL)) == NULL)
			goto fail;
		json_object_set_new(shown, "needs", v);
	}
	if ((text = row_str(res, 0, REFERRAL_DATA)) != NULL) {
		if ((v = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL)) == NULL)
			goto fail;
		json_object_set_new(shown, "data", v);
	}
	cats = json_array();
	fields = personal_fields_used(shown);
	json_array_foreach(fields, i, f) {
		json_t *c = json_object_get(f, "category"), *seen;
		size_t k;
		bool dup = false;
		json_array_foreach(cats, k, seen)
			dup |= json_equal(seen, c);
		if (!dup)
			json_array_append(cats, c);
	}
	json_decref(fields);
	json_decref(shown);
	return json_pack("{s:o}", "categories", cats);
fail:
	log_warnx("referrals: cannot tell the categories a read of a referral shows");
	json_decref(shown);
	return NULL;
}

/* Adds to an audit detail what the placement shows that is personal: its
 * outcome, and its address (category contact). */
static int
placement_shown(json_t *detail, const struct db_res *res)
{
	json_t *fields = json_array(), *cats = json_object_get(detail, "categories");
	bool address = !row_null(res, 0, PLACEMENT_ADDRESS), listed = false;
	json_t *c;
	size_t i;

	if (fields == NULL || !json_is_array(cats))
		goto fail;
	if (!row_null(res, 0, PLACEMENT_OUTCOME))
		json_array_append_new(fields, json_string("outcome"));
	if (address) {
		json_array_append_new(fields, json_string("address"));
		json_array_foreach(cats, i, c)
			listed |= json_is_string(c) && strcmp(json_string_value(c), "contact") == 0;
		if (!listed)
			json_array_append_new(cats, json_string("contact"));
	}
	if (json_array_size(fields) == 0) {
		json_decref(fields);
		return 0;
	}
	return json_object_set_new(detail, "placement", fields);
fail:
	json_decref(fields);
	return -1;
}

/* Adds to an audit detail the placement a relay continues, when shown:
 * {"relayed_placement": occupancy id}, category housing_situation. */
static int
relayed_shown(json_t *detail, const struct db_res *res)
{
	json_t *cats = json_object_get(detail, "categories"), *c;
	bool listed = false;
	size_t i;

	if (row_null(res, 0, RELAYED_ID))
		return 0;
	if (!json_is_array(cats))
		return -1;
	json_array_foreach(cats, i, c)
		listed |=
			json_is_string(c) && strcmp(json_string_value(c), "housing_situation") == 0;
	if (!listed && json_array_append_new(cats, json_string("housing_situation")) != 0)
		return -1;
	return json_object_set_new(detail, "relayed_placement",
				   json_string(row_val(res, 0, RELAYED_ID)));
}

int
handle_referral_get(struct request *r)
{
	struct db_res *res = NULL;
	json_t *detail = NULL, *parallel = NULL;
	unsigned show = ROW_PUBLIC;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_REFERRAL_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	/* Personal fields: present only while the consent holds (RLS decides),
	 * and every time they are shown, audited with their categories; so
	 * are the placement's outcome and address (schema/022). */
	if (row_bool(res, 0, REFERRAL_VISIBLE) || !row_null(res, 0, PLACEMENT_OUTCOME) ||
	    !row_null(res, 0, PLACEMENT_ADDRESS) || !row_null(res, 0, RELAYED_ID)) {
		if (row_bool(res, 0, REFERRAL_VISIBLE)) {
			show |= ROW_PERSONAL;
			detail = shown_categories(res);
		} else {
			detail = json_pack("{s:[]}", "categories");
		}
		if (detail == NULL || placement_shown(detail, res) != 0 ||
		    relayed_shown(detail, res) != 0 ||
		    audit_record(r, "referral.read", "referral", r->params[0],
				 row_val(res, 0, REFERRAL_PERSON), detail) != 0) {
			status = fail_audit(r);
			goto out;
		}
	}
	/* Another open housing referral of the same person elsewhere: its kind
	 * and month only, shown to the receiver and audited (schema/024); not as
	 * a "referral" row, which the sender's journal would show. */
	if (!row_null(res, 0, REFERRAL_PARALLEL) &&
	    ((parallel = json_pack("{s:o}", "parallel",
				   json_loads(row_val(res, 0, REFERRAL_PARALLEL), 0, NULL))) ==
		     NULL ||
	     audit_record(r, "referral.parallel_notice", "parallel_notice", r->params[0],
			  row_val(res, 0, REFERRAL_PERSON), parallel) != 0)) {
		status = fail_audit(r);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, REFERRAL_VERSION));
	status = reply_row(r, 200, &referral_full_row, res, 0, show);
out:
	json_decref(parallel);
	json_decref(detail);
	db_res_free(res);
	return status;
}

int
handle_referral_list(struct request *r)
{
	const char *role = req_query(r, "role"), *status_q = req_query(r, "status");
	char ts[64] = KEYSET_FIRST_TIME, id[37] = KEYSET_FIRST_ID, limit_text[16];
	struct db_res *res = NULL;
	int limit, status = 500;
	enum db_status s;

	if (role == NULL || (strcmp(role, "sent") != 0 && strcmp(role, "received") != 0)) {
		json_t *errors = json_array();
		field_error(errors, "role", "must be sent or received");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	if (status_q && !validate_in(status_q, states)) {
		json_t *errors = json_array();
		field_error(errors, "status", "unknown referral status");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db,
		     strcmp(role, "sent") == 0 ? ST_REFERRAL_LIST_SENT : ST_REFERRAL_LIST_RECEIVED,
		     &res, "status", status_q, "after_time", ts, "after_id", id, "limit",
		     limit_text, (char *)NULL);
	status = reply_page(r, s, res, limit, &referral_row);
out:
	db_res_free(res);
	return status;
}

/* 0 when `to` and `code` (and the note "other" needs) make a valid move for
 * the documented reason codes, else the status answered. */
static int
check_reason(struct request *r, const char *to, const char *code, const char *note)
{
	json_t *errors;

	if (!(((strcmp(to, "declined") == 0 || strcmp(to, "completed") == 0) && code == NULL) ||
	      (code && !referral_reason_valid(to, code)) ||
	      (code && strcmp(code, "other") == 0 && (note == NULL || *note == '\0'))))
		return 0;
	errors = json_array();
	if (code && strcmp(code, "other") == 0)
		field_error(errors, "note", "is required with reason_code other");
	else if (strcmp(to, "declined") == 0)
		field_error(errors, "reason_code",
			    "declined needs one of no_capacity, criteria_not_met, "
			    "person_unreachable, person_declined, duplicate, other");
	else if (strcmp(to, "completed") == 0)
		field_error(errors, "reason_code",
			    "completed needs an outcome: durable_housing, transit_housing, "
			    "returned_to_street, prison, hospital, deceased, lost_contact, other");
	else if (strcmp(to, "cancelled") == 0)
		field_error(errors, "reason_code",
			    "cancelled takes person_housed_elsewhere, person_declined, "
			    "person_unreachable, sent_in_error, other or an outcome");
	else
		field_error(errors, "reason_code", "this move takes no reason code");
	return reply_invalid(r, errors);
}

/* The caller's part in a referral it reads: receiver, sender, or (an
 * intake) its organisation, which moves it as the receiver does and may
 * cancel it as a sender would.  false for a proposal's operator, which reads
 * a referral without being a party to it. */
static bool
referral_party_of(const struct db_res *cur, const char *caller, enum referral_party *party,
		  bool *intake)
{
	bool to = strcmp(row_val(cur, 0, REFERRAL_TO), caller) == 0,
	     from = strcmp(row_val(cur, 0, REFERRAL_FROM), caller) == 0;

	*intake = to && from;
	*party = to ? PARTY_RECEIVER : PARTY_SENDER;
	return to || from;
}

/* An intake: the receiver's moves, and the sender's cancel. */
static bool
intake_transition_allowed(const char *from, const char *to, enum referral_party party, bool intake)
{
	return referral_transition_allowed(from, to, party) ||
	       (intake && strcmp(to, "cancelled") == 0 &&
		referral_transition_allowed(from, to, PARTY_SENDER));
}

int
handle_referral_transition(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL, *cur = NULL;
	const char *to, *code, *note, *from;
	char version[24], allowed[160], type[64];
	enum referral_party party;
	bool intake;
	long expected;
	enum db_status s;
	enum seal_status ss;
	char *sealed = NULL;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, transition_fields, ARRAY_LEN(transition_fields))) {
		status = r->status;
		goto out;
	}
	to = json_str(body, "to");
	code = json_str(body, "reason_code");
	note = json_str(body, "note");
	s = db_query(r->db, ST_REFERRAL_GET, &cur, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(cur) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	from = row_val(cur, 0, REFERRAL_STATUS);
	if (!referral_party_of(cur, r->who.organisation_id, &party, &intake)) {
		/* A proposal's operator reads the referral, never moves it. */
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	if (row_long(cur, 0, REFERRAL_VERSION) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the referral is at version %s, not %ld; read it again",
				       row_val(cur, 0, REFERRAL_VERSION), expected);
		goto out;
	}
	if (!intake_transition_allowed(from, to, party, intake)) {
		referral_allowed_targets(from, party, allowed, sizeof(allowed));
		if (intake && referral_transition_allowed(from, "cancelled", PARTY_SENDER))
			strncat(allowed, allowed[0] ? ", cancelled" : "cancelled",
				sizeof(allowed) - strlen(allowed) - 1);
		status = reply_problem(
			r, 409, "invalid-transition", "Transition not allowed",
			"as the %s you cannot move a referral from %s to %s; allowed: %s",
			tr(r, intake                    ? N_("intake's organisation")
			      : party == PARTY_RECEIVER ? N_("receiver")
							: N_("sender")),
			from, to, allowed[0] ? allowed : tr(r, N_("none")));
		goto out;
	}
	if ((status = check_reason(r, to, code, note)) != 0)
		goto out;
	status = 500;
	/* The note is about the person as often as about the step: sealed. */
	if (note && (ss = seal_value(row_val(cur, 0, REFERRAL_PERSON), "note",
				     json_object_get(body, "note"), &sealed)) != SEAL_OK) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_REFERRAL_TRANSITION, &res, "id", r->params[0], "version", version,
		     "to", to, "from", from, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		/* A concurrent transition won between our read and our update. */
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the referral changed meanwhile; read it again");
		goto out;
	}
	detail = json_pack("{s:s, s:s, s:s?}", "from", from, "to", to, "reason_code", code);
	snprintf(type, sizeof(type), "referral.%s",
		 strcmp(to, "received") == 0 ? "acknowledged" : to);
	if (db_query(r->db, ST_TRANSITION_INSERT, NULL, "id", r->params[0], "from", from, "to", to,
		     "reason_code", code, "note", sealed, (char *)NULL) != DB_OK ||
	    (!intake &&
	     event_emit(r, row_val(cur, 0, party == PARTY_RECEIVER ? REFERRAL_FROM : REFERRAL_TO),
			type, "referral", r->params[0]) != 0) ||
	    audit_record(r, "referral.transition", "referral", r->params[0],
			 row_val(cur, 0, REFERRAL_PERSON), detail) != 0) {
		status = fail_audit(r);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, REFERRAL_VERSION));
	status = reply_row(r, 200, &referral_row, res, 0, ROW_PUBLIC);
out:
	free(sealed);
	json_decref(detail);
	db_res_free(cur);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_referral_history(struct request *r)
{
	struct db_res *res = NULL;
	struct buf out;
	enum referral_party party;
	enum db_status s;
	bool intake;
	size_t n;
	int status = 500;

	buf_init(&out, 16u << 20);
	s = db_query(r->db, ST_REFERRAL_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	if (!referral_party_of(res, r->who.organisation_id, &party, &intake)) {
		/* A proposal's operator reads the referral, not its history. */
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_REFERRAL_HISTORY, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (write_rows(&out, res, db_rows(res), &transition_row) != 0 ||
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
