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
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "notify.h"
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

bool
referral_reason_valid(const char *to, const char *code)
{
	if (strcmp(to, "declined") == 0)
		return validate_in(code, decline_reasons);
	if (strcmp(to, "cancelled") == 0)
		return validate_in(code, cancel_reasons);
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
};
static const struct field_spec transition_fields[] = {
	{"to", FT_ENUM, true, 0, 0, 0, states},
	{"reason_code", FT_TOKEN, false, 64, 0, 0, NULL},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};

/* A referral without its personal fields: what lists, transitions and
 * events may show whatever the consent. */
static json_t *
referral_json(const struct db_res *res, int row)
{
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
			 db_val(res, row, RC_ID), "status", db_val(res, row, RC_STATUS), "version",
			 (int)strtol(db_val(res, row, RC_VERSION), NULL, 10), "person_id",
			 db_val(res, row, RC_PERSON), "from_organisation_id",
			 db_val(res, row, RC_FROM), "to_organisation_id", db_val(res, row, RC_TO),
			 "program", db_val(res, row, RC_PROGRAM), "consent_id",
			 db_val(res, row, RC_CONSENT), "purpose", db_val(res, row, RC_PURPOSE),
			 "created_at", db_val(res, row, RC_CREATED), "updated_at",
			 db_val(res, row, RC_UPDATED));
}

/* The personal fields, added to j: reason and release_date (null when not
 * sent), needs and data (objects). */
static void
referral_add_personal(json_t *j, const char *reason, json_t *needs, const char *release,
		      json_t *data)
{
	json_object_set_new(j, "reason", reason ? json_string(reason) : json_null());
	json_object_set_new(j, "needs", needs ? needs : json_object());
	json_object_set_new(j, "release_date", release ? json_string(release) : json_null());
	if (data)
		json_object_set_new(j, "data", data);
}

/* The same object as referral_json, written straight into b: lists of 50
 * referrals are the hot path, and building them as jansson trees cost more
 * than the query (docs/performance.md).  Lists never carry personal
 * fields: they are read, and audited, one referral at a time. */
static int
referral_write(struct buf *b, const struct db_res *res, int row)
{
	static const struct {
		const char *key; /* with its punctuation: appended as is */
		int col;
	} strings[] = {{",\"person_id\":", RC_PERSON},      {",\"from_organisation_id\":", RC_FROM},
		       {",\"to_organisation_id\":", RC_TO}, {",\"program\":", RC_PROGRAM},
		       {",\"consent_id\":", RC_CONSENT},    {",\"purpose\":", RC_PURPOSE}};
	size_t i;

	/* Ids, statuses, numbers and timestamps come from PostgreSQL in forms
	 * that need no escaping (uuid, enum-checked text, int, to_char). */
	if (buf_cat(b, "{\"id\":\"", db_val(res, row, RC_ID), "\",\"status\":\"",
		    db_val(res, row, RC_STATUS), "\",\"version\":", db_val(res, row, RC_VERSION),
		    (char *)NULL) != 0)
		return -1;
	for (i = 0; i < ARRAY_LEN(strings); i++)
		if (buf_append(b, strings[i].key, strlen(strings[i].key)) != 0 ||
		    json_quote(b, db_val(res, row, strings[i].col)) != 0)
			return -1;
	return buf_cat(b, ",\"created_at\":\"", db_val(res, row, RC_CREATED),
		       "\",\"updated_at\":\"", db_val(res, row, RC_UPDATED), "\"}", (char *)NULL);
}

static int
emit(struct request *r, const char *org, const char *type, const char *referral)
{
	const char *params[4] = {org, type, "referral", referral};

	return db_exec(r->db, ST_EMIT_EVENT, 4, params, NULL) == DB_OK ? 0 : -1;
}

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

int
handle_referral_create(struct request *r)
{
	json_t *body = body_json(r), *errors = NULL, *data, *needs = NULL, *fields = NULL;
	struct db_res *res = NULL;
	struct buf cats;
	char *data_text = NULL, *needs_text = NULL;
	const char *params[5], *reason, *release;
	enum db_status s;
	int status;

	buf_init(&cats, 1024);
	if (body == NULL)
		return r->status;
	errors = json_array();
	validate_fields(body, referral_fields, ARRAY_LEN(referral_fields), errors);
	data = json_object_get(body, "data");
	categories_check_data(data, errors);
	categories_check_needs(json_object_get(body, "needs"), errors);
	reason = json_string_value(json_object_get(body, "reason"));
	release = json_string_value(json_object_get(body, "release_date"));
	if (reason && *reason == '\0')
		field_error(errors, "reason", "must not be empty: leave it out instead");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	/* The recipient: active, and offering the program. */
	params[0] = json_string_value(json_object_get(body, "to_organisation_id"));
	params[1] = json_string_value(json_object_get(body, "program"));
	if (strcmp(params[0], r->who.organisation_id) == 0) {
		status = reply_problem(r, 422, "unprocessable", "Unprocessable referral",
				       "an organisation cannot refer to itself");
		goto out;
	}
	s = db_exec(r->db, ST_ORG_PROGRAM, 2, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0 || strcmp(db_val(res, 0, 0), "active") != 0) {
		status = reply_problem(r, 422, "recipient-unavailable", "Recipient unavailable",
				       "organisation %s does not exist or is suspended", params[0]);
		goto out;
	}
	if (strcmp(db_val(res, 0, 2), "t") != 0) {
		status = reply_problem(r, 422, "program-not-offered", "Program not offered",
				       "organisation %s does not offer the program \"%s\" (see "
				       "GET /v1/organisations)",
				       params[0], params[1]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	/* The consent must cover recipient, purpose and the category of every
	 * personal field sent: data's categories, reason, needs, release_date
	 * (gateway/categories.c). */
	fields = personal_fields_used(body);
	if (categories_literal(&cats, fields) != 0)
		goto oom;
	{
		const char *gp[5] = {json_string_value(json_object_get(body, "consent_id")),
				     json_string_value(json_object_get(body, "person_id")),
				     params[0], json_string_value(json_object_get(body, "purpose")),
				     cats.data};
		s = db_exec(r->db, ST_CONSENT_GAPS, 5, gp, &res);
		if (s != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		if (db_val(res, 0, 0)[0] != '\0') {
			status = reply_problem_errors(
				r, 403, "consent-not-covering", "Consent does not cover this",
				uncovered_fields(db_val(res, 0, 0), fields),
				"the consent does not cover: %s", db_val(res, 0, 0));
			goto out;
		}
		db_res_free(res);
		res = NULL;
	}
	needs = needs_stored(json_object_get(body, "needs"));
	needs_text = json_dumps(needs, JSON_COMPACT);
	data_text = json_is_object(data) ? json_dumps(data, JSON_COMPACT) : strdup("{}");
	if (needs_text == NULL || data_text == NULL)
		goto oom;
	params[0] = json_string_value(json_object_get(body, "person_id"));
	params[1] = json_string_value(json_object_get(body, "to_organisation_id"));
	params[2] = json_string_value(json_object_get(body, "program"));
	params[3] = json_string_value(json_object_get(body, "consent_id"));
	params[4] = json_string_value(json_object_get(body, "purpose"));
	s = db_exec(r->db, ST_REFERRAL_INSERT, 5, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	{
		const char *id = db_val(res, 0, RC_ID);
		const char *dp[5] = {id, data_text, reason, needs_text, release};
		const char *tp[5] = {id, NULL, "submitted", NULL, NULL};
		json_t *j;
		/* Refused by PostgreSQL's own coverage check (016): 403 as above. */
		if ((s = db_exec(r->db, ST_REFERRAL_DATA_INSERT, 5, dp, NULL)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		if (db_exec(r->db, ST_TRANSITION_INSERT, 5, tp, NULL) != DB_OK ||
		    emit(r, params[1], "referral.received", id) != 0 ||
		    audit_record(r, "referral.create", "referral", id, params[0], NULL) != 0) {
			status = fail_audit(r);
			goto out;
		}
		snprintf(r->location, sizeof(r->location), "/v1/referrals/%s", id);
		snprintf(r->etag, sizeof(r->etag), "\"%s\"", db_val(res, 0, RC_VERSION));
		/* No personal field in the 201: an idempotent replay answers from a
		 * stored copy of it, which neither withdrawal nor erasure reaches
		 * (hostile review).  They are read, audited, with GET. */
		j = referral_json(res, 0);
		status = reply_json(r, 201, j);
	}
	goto out;
oom:
	status = reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
out:
	free(data_text);
	free(needs_text);
	buf_free(&cats);
	json_decref(needs);
	json_decref(fields);
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_referral_get(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL;
	enum db_status s;
	json_t *j;
	int status;

	s = db_exec(r->db, ST_REFERRAL_GET, 1, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0) {
		db_res_free(res);
		return reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				     r->params[0]);
	}
	j = referral_json(res, 0);
	/* Personal fields: present only while the consent holds (RLS decides),
	 * and every time they are shown, audited with their categories. */
	if (strcmp(db_val(res, 0, RC_VISIBLE), "t") == 0) {
		json_t *fields, *detail, *cats = json_array(), *f;
		size_t i;
		referral_add_personal(
			j, db_null(res, 0, RC_REASON) ? NULL : db_val(res, 0, RC_REASON),
			json_loads(db_val(res, 0, RC_NEEDS), 0, NULL),
			db_null(res, 0, RC_RELEASE) ? NULL : db_val(res, 0, RC_RELEASE),
			json_loads(db_val(res, 0, RC_DATA), 0, NULL));
		fields = personal_fields_used(j);
		json_array_foreach(fields, i, f) {
			json_t *c = json_object_get(f, "category");
			size_t k;
			json_t *seen;
			bool dup = false;
			json_array_foreach(cats, k, seen)
				dup |= json_equal(seen, c);
			if (!dup)
				json_array_append(cats, c);
		}
		json_decref(fields);
		detail = json_pack("{s:o}", "categories", cats);
		if (audit_record(r, "referral.read", "referral", r->params[0],
				 db_val(res, 0, RC_PERSON), detail) != 0) {
			json_decref(detail);
			json_decref(j);
			db_res_free(res);
			return fail_audit(r);
		}
		json_decref(detail);
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", db_val(res, 0, RC_VERSION));
	status = reply_json(r, 200, j);
	db_res_free(res);
	return status;
}

int
handle_referral_list(struct request *r)
{
	const char *role = req_query(r, "role"), *status_q = req_query(r, "status");
	char ts[64], id[37], limit_text[16];
	const char *params[4] = {status_q, KEYSET_FIRST_TIME, KEYSET_FIRST_ID, limit_text};
	struct db_res *res = NULL;
	int limit, have, stmt, status;
	enum db_status s;

	if (role == NULL || (strcmp(role, "sent") != 0 && strcmp(role, "received") != 0)) {
		json_t *errors = json_array();
		field_error(errors, "role", "must be sent or received");
		return reply_invalid_query(r, errors);
	}
	if (status_q && !validate_in(status_q, states)) {
		json_t *errors = json_array();
		field_error(errors, "status", "unknown referral status");
		return reply_invalid_query(r, errors);
	}
	if ((limit = query_limit(r)) < 0)
		return r->status;
	if ((have = cursor_decode(r, ts, sizeof(ts), id)) < 0)
		return r->status;
	if (have) {
		params[1] = ts;
		params[2] = id;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	stmt = strcmp(role, "sent") == 0 ? ST_REFERRAL_LIST_SENT : ST_REFERRAL_LIST_RECEIVED;
	s = db_exec(r->db, stmt, 4, params, &res);
	if (s == DB_BAD_INPUT)
		return reply_problem(r, 400, "invalid-cursor", "Invalid cursor",
				     "cursor must be a next_cursor value returned by this list");
	if (s != DB_OK)
		return reply_db_error(r, s);
	status = reply_page(r, res, limit, RC_KEY, referral_write);
	db_res_free(res);
	return status;
}

int
handle_referral_transition(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL, *cur = NULL;
	const char *to, *code, *note, *params[4];
	char version[24], allowed[160];
	enum referral_party party;
	long expected;
	enum db_status s;
	int status;

	if ((expected = if_match_version(r)) < 0)
		return r->status;
	if ((body = body_json(r)) == NULL)
		return r->status;
	if (!validate_body(r, body, transition_fields, ARRAY_LEN(transition_fields))) {
		status = r->status;
		goto out;
	}
	to = json_string_value(json_object_get(body, "to"));
	code = json_string_value(json_object_get(body, "reason_code"));
	note = json_string_value(json_object_get(body, "note"));
	params[0] = r->params[0];
	s = db_exec(r->db, ST_REFERRAL_GET, 1, params, &cur);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(cur) == 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				       r->params[0]);
		goto out;
	}
	party = strcmp(db_val(cur, 0, RC_TO), r->who.organisation_id) == 0 ? PARTY_RECEIVER
									   : PARTY_SENDER;
	if (strtol(db_val(cur, 0, RC_VERSION), NULL, 10) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the referral is at version %s, not %ld; read it again",
				       db_val(cur, 0, RC_VERSION), expected);
		goto out;
	}
	if (!referral_transition_allowed(db_val(cur, 0, RC_STATUS), to, party)) {
		referral_allowed_targets(db_val(cur, 0, RC_STATUS), party, allowed,
					 sizeof(allowed));
		status = reply_problem(
			r, 409, "invalid-transition", "Transition not allowed",
			"as the %s you cannot move a referral from %s to %s; allowed: %s",
			party == PARTY_RECEIVER ? "receiver" : "sender", db_val(cur, 0, RC_STATUS),
			to, allowed[0] ? allowed : "none");
		goto out;
	}
	if ((strcmp(to, "declined") == 0 && code == NULL) ||
	    (code && !referral_reason_valid(to, code)) ||
	    (code && strcmp(code, "other") == 0 && (note == NULL || *note == '\0'))) {
		json_t *errors = json_array();
		if (code && strcmp(code, "other") == 0)
			field_error(errors, "note", "is required with reason_code other");
		else
			field_error(
				errors, "reason_code",
				"declined needs one of no_capacity, criteria_not_met, "
				"person_unreachable, person_declined, duplicate, other; cancelled "
				"takes person_housed_elsewhere, person_declined, "
				"person_unreachable, "
				"sent_in_error, other; other moves take none");
		status = reply_invalid(r, errors);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	params[1] = version;
	params[2] = to;
	params[3] = db_val(cur, 0, RC_STATUS);
	s = db_exec(r->db, ST_REFERRAL_TRANSITION, 4, params, &res);
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
	{
		const char *tp[5] = {r->params[0], db_val(cur, 0, RC_STATUS), to, code, note};
		const char *other =
			party == PARTY_RECEIVER ? db_val(cur, 0, RC_FROM) : db_val(cur, 0, RC_TO);
		char type[64];
		json_t *detail = json_pack("{s:s, s:s, s:s?}", "from", db_val(cur, 0, RC_STATUS),
					   "to", to, "reason_code", code);
		snprintf(type, sizeof(type), "referral.%s",
			 strcmp(to, "received") == 0 ? "acknowledged" : to);
		if (db_exec(r->db, ST_TRANSITION_INSERT, 5, tp, NULL) != DB_OK ||
		    emit(r, other, type, r->params[0]) != 0 ||
		    audit_record(r, "referral.transition", "referral", r->params[0],
				 db_val(cur, 0, RC_PERSON), detail) != 0) {
			json_decref(detail);
			status = fail_audit(r);
			goto out;
		}
		json_decref(detail);
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", db_val(res, 0, RC_VERSION));
	status = reply_json(r, 200, referral_json(res, 0));
out:
	db_res_free(cur);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_referral_history(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL, *ref = NULL;
	json_t *items;
	enum db_status s;
	int i;

	s = db_exec(r->db, ST_REFERRAL_GET, 1, params, &ref);
	if (s != DB_OK)
		return reply_db_error(r, s);
	i = db_rows(ref);
	db_res_free(ref);
	if (i == 0)
		return reply_problem(r, 404, "not-found", "Not found", "no referral %s",
				     r->params[0]);
	s = db_exec(r->db, ST_REFERRAL_HISTORY, 1, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	items = json_array();
	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(
			items, json_pack("{s:s?, s:s, s:s?, s:s?, s:s?, s:s}", "from",
					 db_null(res, i, 0) ? NULL : db_val(res, i, 0), "to",
					 db_val(res, i, 1), "reason_code",
					 db_null(res, i, 2) ? NULL : db_val(res, i, 2), "note",
					 db_null(res, i, 3) ? NULL : db_val(res, i, 3),
					 "by_organisation_id",
					 db_null(res, i, 4) ? NULL : db_val(res, i, 4), "at",
					 db_val(res, i, 5)));
	db_res_free(res);
	return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* One event; its id (the feed's sequence number), resource id and to_char
 * timestamp need no escaping. */
static int
event_write(struct buf *b, const struct db_res *res, int row)
{
	return (buf_cat(b, "{\"id\":\"", db_val(res, row, 0), "\",\"type\":", (char *)NULL) != 0 ||
		json_quote(b, db_val(res, row, 1)) != 0 ||
		APPEND_LITERAL(b, ",\"resource\":{\"type\":") != 0 ||
		json_quote(b, db_val(res, row, 2)) != 0 ||
		buf_cat(b, ",\"id\":\"", db_val(res, row, 3), "\"},\"created_at\":\"",
			db_val(res, row, 4), "\"}", (char *)NULL) != 0)
		       ? -1
		       : 0;
}

int
handle_event_list(struct request *r)
{
	const char *after = req_query(r, "after"), *wait_q = req_query(r, "wait");
	char limit_text[16];
	long wait = 0, seq;
	uint64_t generation = 0;
	const char *params[2] = {after ? after : "0", limit_text};
	struct db_res *res = NULL;
	struct buf out;
	size_t n;
	int limit, rows, rc;
	enum db_status s;

	if (after && parse_long(after, 0, 0x7fffffffffffffffL, &seq) != 0) {
		json_t *errors = json_array();
		field_error(errors, "after", "must be a next_cursor value of this feed");
		return reply_invalid_query(r, errors);
	}
	if ((limit = query_limit(r)) < 0)
		return r->status;
	if (wait_q && parse_long(wait_q, 0, 30, &wait) != 0) {
		json_t *errors = json_array();
		field_error(errors, "wait", "must be a whole number of seconds from 0 to 30");
		return reply_invalid_query(r, errors);
	}
	/* Read the notification count before the query, so that an event
	 * committed after our snapshot cannot slip between query and park. */
	if (wait > 0 && !r->no_wait)
		generation = notify_generation(r->who.organisation_id);
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	s = db_exec(r->db, ST_EVENT_LIST, 2, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	rows = db_rows(res);
	if (rows == 0 && wait > 0 && !r->no_wait) {
		r->want_wait = true;
		r->wait_generation = generation;
		r->wait_deadline_us = now_monotonic_us() + (uint64_t)wait * 1000000u;
	}
	/* Written straight into the body, as the other hot lists.  The cursor
	 * is the last event's number: resuming from it after a crash misses
	 * nothing and repeats nothing. */
	buf_init(&out, 16u << 20);
	rc = write_items(&out, res, rows, event_write);
	if (rc == 0)
		rc = buf_cat(&out, "\"", rows > 0 ? db_val(res, rows - 1, 0) : params[0], "\"}",
			     (char *)NULL);
	db_res_free(res);
	if (rc != 0) {
		buf_free(&out);
		return reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
	}
	n = out.len;
	return reply_json_text(r, 200, buf_steal(&out), n);
}
