/* units: housing operators publish sites and units to an audience; social
 * organisations propose referred persons; the operator accepts one proposal
 * (which reserves the unit, atomically, in refgw_accept_proposal) or
 * declines.  A unit outside the caller's audience does not exist for it
 * (404); its exact address appears only after the caller's proposal was
 * accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "log.h"
#include "statements.h"
#include "validate.h"

static const char *const unit_types[] = {
	"room", "studio", "apartment", "house", "shared_house_room", NULL};
static const char *const accessibility[] = {"none", "ground_floor", "lift", "wheelchair", NULL};
static const char *const terms[] = {"precarious_occupation", "transit", "lease", NULL};
static const char *const create_statuses[] = {"draft", "published", NULL};
static const char *const decisions[] = {"accept", "decline", NULL};
static const char *const decline_reasons[] = {
	"household_does_not_fit", "needs_not_met", "person_unreachable",
	"unit_unavailable",       "other",         NULL};

static const struct field_spec site_fields[] = {
	{"name", FT_STRING, true, 200, 0, 0, NULL},
	{"commune", FT_STRING, true, 64, 0, 0, NULL},
	{"managing_partner", FT_STRING, false, 200, 0, 0, NULL},
	{"units", FT_INTEGER, false, 0, 0, 10000, NULL},
	{"period_from", FT_DATE, true, 0, 0, 0, NULL},
	{"period_until", FT_DATE, false, 0, 0, 0, NULL},
};
static const struct field_spec unit_fields[] = {
	{"site_id", FT_UUID, true, 0, 0, 0, NULL},
	{"label", FT_STRING, true, 64, 0, 0, NULL},
	{"type", FT_ENUM, true, 0, 0, 0, unit_types},
	{"bedrooms", FT_INTEGER, true, 0, 0, 4, NULL},
	{"furnished", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"accessibility", FT_ENUM, false, 0, 0, 0, accessibility},
	{"commune", FT_STRING, true, 64, 0, 0, NULL},
	{"address", FT_STRING, true, 300, 0, 0, NULL},
	{"monthly_contribution_eur", FT_INTEGER, false, 0, 0, 100000, NULL},
	{"available_from", FT_DATE, true, 0, 0, 0, NULL},
	{"available_until", FT_DATE, false, 0, 0, 0, NULL},
	{"terms", FT_ENUM, true, 0, 0, 0, terms},
	{"max_stay_months", FT_INTEGER, false, 0, 1, 120, NULL},
	{"audience", FT_ANY, true, 0, 0, 0, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, create_statuses},
};
static const struct field_spec audience_fields[] = {
	{"organisation_id", FT_UUID, false, 0, 0, 0, NULL},
	{"kind", FT_ENUM, false, 0, 0, 0, org_kinds},
};
static const struct field_spec patch_fields[] = {
	{"status", FT_ENUM, false, 0, 0, 0,
	 (const char *const[]){"published", "withdrawn", "closed", NULL}},
	{"label", FT_STRING, false, 64, 0, 0, NULL},
	{"address", FT_STRING, false, 300, 0, 0, NULL},
	{"monthly_contribution_eur", FT_INTEGER, false, 0, 0, 100000, NULL},
	{"available_until", FT_DATE, false, 0, 0, 0, NULL},
	{"max_stay_months", FT_INTEGER, false, 0, 1, 120, NULL},
	{"audience", FT_ANY, false, 0, 0, 0, NULL},
};
static const struct field_spec proposal_fields[] = {
	{"referral_id", FT_UUID, true, 0, 0, 0, NULL},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};
static const struct field_spec decision_fields[] = {
	{"decision", FT_ENUM, true, 0, 0, 0, decisions},
	{"reason_code", FT_ENUM, false, 0, 0, 0, decline_reasons},
	{"note", FT_STRING, false, 2000, 0, 0, NULL},
};

/* Unit status moves the operator makes by PATCH (reservation and occupancy
 * have their own endpoints). */
static const struct {
	const char *from, *to;
} unit_moves[] = {
	{"draft", "published"}, {"published", "withdrawn"}, {"withdrawn", "published"},
	{"draft", "closed"},    {"published", "closed"},    {"withdrawn", "closed"},
};

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* "a,b" (array_to_string) -> {"KEY":"a"},{"KEY":"b"}; ids and kinds need no
 * escaping (uuid, kind-checked text). */
static int
audience_write(struct buf *b, const char *joined, const char *key, bool *first)
{
	while (*joined) {
		size_t n = strcspn(joined, ",");
		if ((!*first && APPEND_LITERAL(b, ",") != 0) ||
		    buf_cat(b, "{\"", key, "\":\"", (char *)NULL) != 0 ||
		    buf_append(b, joined, n) != 0 || APPEND_LITERAL(b, "\"}") != 0)
			return -1;
		*first = false;
		joined += n;
		if (*joined == ',')
			joined++;
	}
	return 0;
}

/* numeric(8,2) text as a JSON number without its trailing zeros: "250.00"
 * -> 250, "12.50" -> 12.5 (exact, where a double would print 12.5 but
 * 12.34 as 12.339999999999999). */
static int
euros_write(struct buf *b, const char *numeric)
{
	size_t n = strlen(numeric);

	if (strchr(numeric, '.')) {
		while (n > 0 && numeric[n - 1] == '0')
			n--;
		if (n > 0 && numeric[n - 1] == '.')
			n--;
	}
	return buf_append(b, numeric, n);
}

/* One unit (UNIT_COLS) as JSON, straight into b: a 50-unit page built as a
 * jansson tree and dumped spent 40 % of the gateway's CPU in jansson.
 * Ids, enum-checked texts, numbers, dates and to_char timestamps need no
 * escaping; the free texts (label, commune, address) go through
 * json_quote. */
static int
unit_write(struct buf *b, const struct db_res *res, int row)
{
	bool first = true;

	if (buf_cat(b, "{\"id\":\"", db_val(res, row, 0), "\",\"site_id\":\"", db_val(res, row, 1),
		    "\",\"operator_organisation_id\":\"", db_val(res, row, 2),
		    "\",\"label\":", (char *)NULL) != 0 ||
	    json_quote(b, db_val(res, row, 3)) != 0 ||
	    buf_cat(b, ",\"type\":\"", db_val(res, row, 4), "\",\"bedrooms\":", db_val(res, row, 5),
		    ",\"furnished\":", strcmp(db_val(res, row, 6), "t") == 0 ? "true" : "false",
		    ",\"accessibility\":\"", db_val(res, row, 7),
		    "\",\"commune\":", (char *)NULL) != 0 ||
	    json_quote(b, db_val(res, row, 8)) != 0 ||
	    buf_cat(b, ",\"available_from\":\"", db_val(res, row, 10),
		    "\",\"available_until\":", (char *)NULL) != 0 ||
	    (db_null(res, row, 11)
		     ? APPEND_LITERAL(b, "null")
		     : buf_cat(b, "\"", db_val(res, row, 11), "\"", (char *)NULL)) != 0 ||
	    buf_cat(b, ",\"terms\":\"", db_val(res, row, 12), "\",\"audience\":[", (char *)NULL) !=
		    0 ||
	    audience_write(b, db_val(res, row, 14), "organisation_id", &first) != 0 ||
	    audience_write(b, db_val(res, row, 15), "kind", &first) != 0 ||
	    buf_cat(b, "],\"status\":\"", db_val(res, row, 16), "\",\"version\":",
		    db_val(res, row, 17), ",\"created_at\":\"", db_val(res, row, 18),
		    "\",\"updated_at\":\"", db_val(res, row, 19), "\"", (char *)NULL) != 0)
		return -1;
	if (!db_null(res, row, 9) && (APPEND_LITERAL(b, ",\"monthly_contribution_eur\":") != 0 ||
				      euros_write(b, db_val(res, row, 9)) != 0))
		return -1;
	if (buf_cat(b, ",\"max_stay_months\":",
		    db_null(res, row, 13) ? "null" : db_val(res, row, 13), (char *)NULL) != 0)
		return -1;
	if (!db_null(res, row, 20) &&
	    (APPEND_LITERAL(b, ",\"address\":") != 0 || json_quote(b, db_val(res, row, 20)) != 0))
		return -1;
	return APPEND_LITERAL(b, "}");
}

/* One unit as the response, with its version as the ETag. */
static int
reply_unit(struct request *r, int status, const struct db_res *res)
{
	struct buf out;
	size_t n;

	snprintf(r->etag, sizeof(r->etag), "\"%s\"", db_val(res, 0, 17));
	buf_init(&out, 1u << 20);
	if (unit_write(&out, res, 0) != 0) {
		buf_free(&out);
		return reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
	}
	n = out.len;
	return reply_json_text(r, status, buf_steal(&out), n);
}

static json_t *
proposal_json(const struct db_res *res, int row)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:s?, s:s?, s:s}", "id",
			 db_val(res, row, 0), "unit_id", db_val(res, row, 1), "referral_id",
			 db_val(res, row, 2), "proposer_organisation_id", db_val(res, row, 3),
			 "operator_organisation_id", db_val(res, row, 4), "shared_categories",
			 json_split(db_val(res, row, 5)), "note",
			 db_null(res, row, 6) ? NULL : db_val(res, row, 6), "status",
			 db_val(res, row, 7), "reason_code",
			 db_null(res, row, 8) ? NULL : db_val(res, row, 8), "decided_at",
			 db_null(res, row, 9) ? NULL : db_val(res, row, 9), "created_at",
			 db_val(res, row, 10));
}

static int
internal(struct request *r)
{
	return reply_problem(r, 500, "internal", "Internal error",
			     "the request failed inside the gateway (request id %s)", r->id);
}

int
handle_site_create(struct request *r)
{
	json_t *body = body_json(r), *j;
	struct db_res *res = NULL;
	char units[16] = "";
	const char *params[6];
	enum db_status s;
	int status;

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, site_fields, ARRAY_LEN(site_fields))) {
		status = r->status;
		goto out;
	}
	if (str(body, "period_until") &&
	    strcmp(str(body, "period_until"), str(body, "period_from")) < 0) {
		json_t *errors = json_array();
		field_error(errors, "period_until", "must not be before period_from");
		status = reply_invalid(r, errors);
		goto out;
	}
	if ((j = json_object_get(body, "units")) && json_is_integer(j))
		snprintf(units, sizeof(units), "%lld", (long long)json_integer_value(j));
	params[0] = str(body, "name");
	params[1] = str(body, "commune");
	params[2] = str(body, "managing_partner");
	params[3] = units[0] ? units : NULL;
	params[4] = str(body, "period_from");
	params[5] = str(body, "period_until");
	s = db_exec(r->db, ST_SITE_INSERT, 6, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "site.create", "site", db_val(res, 0, 0), NULL, NULL) != 0) {
		status = internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/sites/%s", db_val(res, 0, 0));
	j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s?, s:s}", "id", db_val(res, 0, 0),
		      "operator_organisation_id", db_val(res, 0, 1), "name", db_val(res, 0, 2),
		      "commune", db_val(res, 0, 3), "managing_partner",
		      db_null(res, 0, 4) ? NULL : db_val(res, 0, 4), "period_from",
		      db_val(res, 0, 6), "period_until",
		      db_null(res, 0, 7) ? NULL : db_val(res, 0, 7), "created_at",
		      db_val(res, 0, 8));
	json_object_set_new(j, "units",
			    db_null(res, 0, 5) ? json_null()
					       : json_integer(strtol(db_val(res, 0, 5), NULL, 10)));
	status = reply_json(r, 201, j);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}

/* "{a,b}" from the audience entries having key. */
static int
audience_literal(struct buf *b, json_t *audience, const char *key)
{
	size_t i, n = 0;
	json_t *v;

	if (buf_append(b, "{", 1) != 0)
		return -1;
	json_array_foreach(audience, i, v) {
		const char *s = str(v, key);
		if (s && ((n++ && buf_append(b, ",", 1) != 0) || buf_append(b, s, strlen(s)) != 0))
			return -1;
	}
	return buf_append(b, "}", 1);
}

/* The audience array, validated; errors into errors. */
static void
check_audience(json_t *audience, json_t *errors)
{
	size_t i;
	json_t *v;

	if (!json_is_array(audience) || json_array_size(audience) == 0 ||
	    json_array_size(audience) > 100) {
		field_error(errors, "audience",
			    "must be an array of 1 to 100 {organisation_id} or {kind}");
		return;
	}
	json_array_foreach(audience, i, v) {
		char name[48];
		snprintf(name, sizeof(name), "audience[%zu]", i);
		if (!json_is_object(v) || json_object_size(v) != 1)
			field_error(errors, name,
				    "must be {\"organisation_id\": ...} or {\"kind\": ...}");
		else
			validate_fields(v, audience_fields, ARRAY_LEN(audience_fields), errors);
	}
}

int
handle_unit_create(struct request *r)
{
	json_t *body = body_json(r), *errors = NULL, *audience, *v;
	struct db_res *res = NULL;
	struct buf orgs, kindb;
	char bedrooms[8], contribution[24] = "", stay[8] = "";
	const char *params[15];
	enum db_status s;
	int status;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 512);
	if (body == NULL)
		return r->status;
	errors = json_array();
	validate_fields(body, unit_fields, ARRAY_LEN(unit_fields), errors);
	audience = json_object_get(body, "audience");
	check_audience(audience, errors);
	if (str(body, "available_until") && str(body, "available_from") &&
	    strcmp(str(body, "available_until"), str(body, "available_from")) < 0)
		field_error(errors, "available_until", "must not be before available_from");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if (audience_literal(&orgs, audience, "organisation_id") != 0 ||
	    audience_literal(&kindb, audience, "kind") != 0) {
		status = internal(r);
		goto out;
	}
	snprintf(bedrooms, sizeof(bedrooms), "%lld",
		 (long long)json_integer_value(json_object_get(body, "bedrooms")));
	if ((v = json_object_get(body, "monthly_contribution_eur")) && json_is_integer(v))
		snprintf(contribution, sizeof(contribution), "%lld",
			 (long long)json_integer_value(v));
	if ((v = json_object_get(body, "max_stay_months")) && json_is_integer(v))
		snprintf(stay, sizeof(stay), "%lld", (long long)json_integer_value(v));
	params[0] = str(body, "site_id");
	params[1] = str(body, "label");
	params[2] = str(body, "type");
	params[3] = bedrooms;
	params[4] = json_is_true(json_object_get(body, "furnished")) ? "true" : "false";
	params[5] = str(body, "accessibility") ? str(body, "accessibility") : "none";
	params[6] = str(body, "commune");
	params[7] = contribution[0] ? contribution : NULL;
	params[8] = str(body, "available_from");
	params[9] = str(body, "available_until");
	params[10] = str(body, "terms");
	params[11] = stay[0] ? stay : NULL;
	params[12] = orgs.data;
	params[13] = kindb.data;
	params[14] = str(body, "status") ? str(body, "status") : "draft";
	s = db_exec(r->db, ST_UNIT_INSERT, 15, params, &res);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unit refused", "audience",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s == DB_FORBIDDEN || s == DB_CONSTRAINT) {
		status = reply_problem(r, 422, "unprocessable", "Unit refused",
				       "the site is not one of yours");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	{
		char id[37];
		const char *ap[2] = {id, str(body, "address")};
		snprintf(id, sizeof(id), "%s", db_val(res, 0, 0));
		db_res_free(res);
		res = NULL;
		if ((s = db_exec(r->db, ST_UNIT_ADDRESS_INSERT, 2, ap, NULL)) != DB_OK ||
		    (s = db_exec(r->db, ST_UNIT_GET, 1, ap, &res)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		if (audit_record(r, "unit.create", "unit", id, NULL, NULL) != 0) {
			status = internal(r);
			goto out;
		}
		snprintf(r->location, sizeof(r->location), "/v1/units/%s", id);
	}
	status = reply_unit(r, 201, res);
out:
	json_decref(errors);
	buf_free(&orgs);
	buf_free(&kindb);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_unit_get(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_UNIT_GET, 1, params, &res);
	int status;

	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0)
		status =
			reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
	else
		status = reply_unit(r, 200, res);
	db_res_free(res);
	return status;
}

int
handle_unit_search(struct request *r)
{
	const char *on = req_query(r, "available_on"), *commune = req_query(r, "commune"),
		   *minb = req_query(r, "min_bedrooms"), *acc = req_query(r, "accessibility"),
		   *term = req_query(r, "terms"), *st = req_query(r, "status"),
		   *cursor = req_query(r, "cursor");
	static const char *const statuses[] = {"draft",     "published", "reserved", "occupied",
					       "withdrawn", "closed",    NULL};
	char limit_text[16], cdate[16] = "", cid[40] = "";
	const char *params[9];
	json_t *errors = json_array();
	struct db_res *res = NULL;
	long bedrooms;
	int limit, status;
	enum db_status s;

	if (on && !is_date(on))
		field_error(errors, "available_on", "must be a date YYYY-MM-DD");
	if (minb && parse_long(minb, 0, 4, &bedrooms) != 0)
		field_error(errors, "min_bedrooms", "must be 0 to 4");
	if (acc && !validate_in(acc, accessibility))
		field_error(errors, "accessibility",
			    "must be none, ground_floor, lift or wheelchair");
	if (term && !validate_in(term, terms))
		field_error(errors, "terms", "must be precarious_occupation, transit or lease");
	if (st && !validate_in(st, statuses))
		field_error(errors, "status", "unknown unit status");
	if (commune && (strlen(commune) > 64 || !is_clean_text(commune)))
		field_error(errors, "commune", "must be a commune name");
	if (json_array_size(errors) > 0)
		return reply_invalid_query(r, errors);
	json_decref(errors);
	if (cursor && (cursor_decode(r, cdate, sizeof(cdate), cid) < 0 || !is_date(cdate))) {
		if (r->status == 0)
			reply_problem(r, 400, "invalid-cursor", "Invalid cursor",
				      "cursor must be a next_cursor value returned by this list");
		return r->status;
	}
	if ((limit = query_limit(r)) < 0)
		return r->status;
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	params[0] = st ? st : "published";
	params[1] = on;
	params[2] = commune;
	params[3] = minb;
	params[4] = acc;
	params[5] = term;
	params[6] = cursor ? cdate : KEYSET_FIRST_TIME;
	params[7] = cursor ? cid : KEYSET_FIRST_ID;
	params[8] = limit_text;
	s = db_exec(r->db, commune ? ST_UNIT_SEARCH_COMMUNE : ST_UNIT_SEARCH, 9, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	status = reply_page(r, res, limit, 10, unit_write);
	db_res_free(res);
	return status;
}

int
handle_unit_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *v;
	struct db_res *res = NULL;
	const char *params[10], *to;
	char version[24], allowed[160] = "", contribution[24] = "", stay[8] = "";
	struct buf orgs, kindb;
	long expected;
	enum db_status s;
	size_t i;
	int status;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 512);
	if ((expected = if_match_version(r)) < 0)
		return r->status;
	if ((body = body_json(r)) == NULL)
		return r->status;
	errors = json_array();
	validate_fields(body, patch_fields, ARRAY_LEN(patch_fields), errors);
	if (json_object_get(body, "audience"))
		check_audience(json_object_get(body, "audience"), errors);
	if (json_array_size(errors) == 0 && json_object_size(body) == 0)
		field_error(errors, "", "send at least one field to change");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	params[0] = r->params[0];
	s = db_exec(r->db, ST_UNIT_GET, 1, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0 || strcmp(db_val(res, 0, 2), r->who.organisation_id) != 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no unit %s of yours",
				       r->params[0]);
		goto out;
	}
	if (strtol(db_val(res, 0, 17), NULL, 10) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the unit is at version %s, not %ld; read it again",
				       db_val(res, 0, 17), expected);
		goto out;
	}
	to = str(body, "status");
	if (to) {
		for (i = 0; i < ARRAY_LEN(unit_moves); i++)
			if (strcmp(unit_moves[i].from, db_val(res, 0, 16)) == 0) {
				if (allowed[0])
					strncat(allowed, ", ",
						sizeof(allowed) - strlen(allowed) - 1);
				strncat(allowed, unit_moves[i].to,
					sizeof(allowed) - strlen(allowed) - 1);
				if (strcmp(unit_moves[i].to, to) == 0)
					break;
			}
		if (i == ARRAY_LEN(unit_moves)) {
			status = reply_problem(
				r, 409, "invalid-transition", "Transition not allowed",
				"a %s unit cannot become %s; allowed: %s", db_val(res, 0, 16), to,
				allowed[0] ? allowed : "none");
			goto out;
		}
	}
	if ((v = json_object_get(body, "monthly_contribution_eur")) && json_is_integer(v))
		snprintf(contribution, sizeof(contribution), "%lld",
			 (long long)json_integer_value(v));
	if ((v = json_object_get(body, "max_stay_months")) && json_is_integer(v))
		snprintf(stay, sizeof(stay), "%lld", (long long)json_integer_value(v));
	if ((v = json_object_get(body, "audience")) &&
	    (audience_literal(&orgs, v, "organisation_id") != 0 ||
	     audience_literal(&kindb, v, "kind") != 0)) {
		status = internal(r);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	params[1] = version;
	params[2] = to;
	params[3] = db_val(res, 0, 16);
	params[4] = str(body, "label");
	params[5] = contribution[0] ? contribution : NULL;
	params[6] = str(body, "available_until");
	params[7] = stay[0] ? stay : NULL;
	params[8] = orgs.len ? orgs.data : NULL;
	params[9] = kindb.len ? kindb.data : NULL;
	{
		struct db_res *upd = NULL;
		s = db_exec(r->db, ST_UNIT_UPDATE, 10, params, &upd);
		i = (size_t)db_rows(upd);
		db_res_free(upd);
	}
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unit change refused", "audience",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s == DB_CONSTRAINT) {
		status = reply_problem(r, 422, "unprocessable", "Unit change refused",
				       "available_until would be before available_from");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (i == 0) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the unit changed meanwhile; read it again");
		goto out;
	}
	if (str(body, "address")) {
		const char *ap[2] = {r->params[0], str(body, "address")};
		if ((s = db_exec(r->db, ST_UNIT_ADDRESS_UPDATE, 2, ap, NULL)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
	}
	db_res_free(res);
	res = NULL;
	if ((s = db_exec(r->db, ST_UNIT_GET, 1, params, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "unit.update", "unit", r->params[0], NULL, body) != 0) {
		status = internal(r);
		goto out;
	}
	status = reply_unit(r, 200, res);
out:
	buf_free(&orgs);
	buf_free(&kindb);
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_proposal_create(struct request *r)
{
	json_t *body = body_json(r);
	struct db_res *res = NULL, *unit = NULL;
	const char *params[5];
	enum db_status s;
	int status;
	char shared[256];

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, proposal_fields, ARRAY_LEN(proposal_fields))) {
		status = r->status;
		goto out;
	}
	params[0] = r->params[0];
	if ((s = db_exec(r->db, ST_UNIT_GET, 1, params, &unit)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(unit) == 0) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
		goto out;
	}
	if (strcmp(db_val(unit, 0, 16), "published") != 0) {
		status = reply_problem(r, 409, "unit-not-available", "Unit not available",
				       "the unit is %s: proposals are taken while it is published",
				       db_val(unit, 0, 16));
		goto out;
	}
	params[0] = str(body, "referral_id");
	params[1] = db_val(unit, 0, 2);
	if ((s = db_exec(r->db, ST_PROPOSAL_COVERAGE, 2, params, &res)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	snprintf(shared, sizeof(shared), "%s", db_val(res, 0, 0));
	db_res_free(res);
	res = NULL;
	if (strcmp(shared, "!referral") == 0) {
		status = reply_problem(
			r, 422, "referral-not-proposable", "Referral cannot be proposed",
			"the referral is not one you sent or received, or it is closed");
		goto out;
	}
	if (strcmp(shared, "!consent") == 0) {
		status = reply_problem(
			r, 403, "consent-not-covering", "Consent does not cover this",
			"the referral's consent does not cover the unit's operator (by "
			"organisation or kind housing_operator), or no longer holds");
		goto out;
	}
	params[0] = r->params[0];
	params[1] = str(body, "referral_id");
	params[2] = db_val(unit, 0, 2);
	params[3] = shared;
	params[4] = str(body, "note");
	s = db_exec(r->db, ST_PROPOSAL_INSERT, 5, params, &res);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "conflict", "Already proposed",
				       "this referral already has an open proposal for this unit");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	{
		const char *ep[4] = {db_val(unit, 0, 2), "proposal.received", "proposal",
				     db_val(res, 0, 0)};
		if (db_exec(r->db, ST_EMIT_EVENT, 4, ep, NULL) != DB_OK ||
		    audit_record(r, "proposal.create", "proposal", db_val(res, 0, 0), NULL, NULL) !=
			    0) {
			status = internal(r);
			goto out;
		}
	}
	snprintf(r->location, sizeof(r->location), "/v1/proposals/%s", db_val(res, 0, 0));
	status = reply_json(r, 201, proposal_json(res, 0));
out:
	db_res_free(unit);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_proposal_list(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL;
	json_t *items;
	enum db_status s;
	int i;

	if ((s = db_exec(r->db, ST_UNIT_GET, 1, params, &res)) != DB_OK)
		return reply_db_error(r, s);
	i = db_rows(res);
	db_res_free(res);
	res = NULL;
	if (i == 0)
		return reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
	if ((s = db_exec(r->db, ST_PROPOSAL_LIST, 1, params, &res)) != DB_OK)
		return reply_db_error(r, s);
	items = json_array();
	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(items, proposal_json(res, i));
	db_res_free(res);
	return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

int
handle_proposal_decision(struct request *r)
{
	json_t *body = body_json(r);
	struct db_res *res = NULL;
	const char *params[2] = {r->params[0], NULL}, *decision, *outcome;
	enum db_status s;
	int status;

	if (body == NULL)
		return r->status;
	if (!validate_body(r, body, decision_fields, ARRAY_LEN(decision_fields))) {
		status = r->status;
		goto out;
	}
	decision = str(body, "decision");
	if (strcmp(decision, "decline") == 0) {
		if (str(body, "reason_code") == NULL ||
		    (strcmp(str(body, "reason_code"), "other") == 0 && str(body, "note") == NULL)) {
			json_t *errors = json_array();
			field_error(errors, "reason_code",
				    "a decline needs one of household_does_not_fit, needs_not_met, "
				    "person_unreachable, unit_unavailable, other (with a note)");
			status = reply_invalid(r, errors);
			goto out;
		}
		params[1] = str(body, "reason_code");
		if ((s = db_exec(r->db, ST_PROPOSAL_DECLINE, 2, params, &res)) != DB_OK) {
			status = reply_db_error(r, s);
			goto out;
		}
		if (db_rows(res) == 1) {
			const char *ep[4] = {db_val(res, 0, 0), "proposal.declined", "proposal",
					     r->params[0]};
			if (db_exec(r->db, ST_EMIT_EVENT, 4, ep, NULL) != DB_OK) {
				status = internal(r);
				goto out;
			}
			outcome = "declined";
		} else {
			outcome = "not_open";
		}
	} else {
		if ((s = db_exec(r->db, ST_PROPOSAL_ACCEPT, 1, params, &res)) != DB_OK) {
			status = s == DB_CONSTRAINT
					 ? reply_problem(r, 409, "proposal-not-open",
							 "Proposal not open",
							 "this proposal was already decided")
					 : reply_db_error(r, s);
			goto out;
		}
		outcome = db_null(res, 0, 0) ? NULL : db_val(res, 0, 0);
		if (outcome == NULL) {
			status = reply_problem(r, 404, "not-found", "Not found",
					       "no proposal %s for a unit of yours", r->params[0]);
			goto out;
		}
		if (strcmp(outcome, "unit_taken") == 0) {
			status = reply_problem(
				r, 409, "unit-taken", "Unit already taken",
				"the unit is no longer published (another proposal was "
				"accepted, or it was withdrawn)");
			goto out;
		}
		outcome = "accepted";
	}
	db_res_free(res);
	res = NULL;
	if ((s = db_exec(r->db, ST_PROPOSAL_GET, 1, params, &res)) != DB_OK) {
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
				       "this proposal is already %s", db_val(res, 0, 7));
		goto out;
	}
	if (audit_record(r,
			 strcmp(outcome, "accepted") == 0 ? "proposal.accept" : "proposal.decline",
			 "proposal", r->params[0], NULL, NULL) != 0) {
		status = internal(r);
		goto out;
	}
	status = reply_json(r, 200, proposal_json(res, 0));
out:
	db_res_free(res);
	json_decref(body);
	return status;
}

/* GET /v1/units/{id}/candidates: the caller's waitlisted referrals for this
 * unit, eligible ones ranked by order of application, each with its
 * reasons; excluded ones with the constraints they fail.  Rules:
 * schema/009_candidates.sql and docs/candidates.md. */
static json_t *
candidate_reasons(const struct db_res *res, int i, const struct db_res *unit, json_t *failed)
{
	json_t *reasons = json_array();
	const char *type = db_val(unit, 0, 4), *commune = db_val(unit, 0, 8),
		   *unit_acc = db_val(unit, 0, 7),
		   *until = db_null(unit, 0, 11) ? NULL : db_val(unit, 0, 11),
		   *hs = db_val(res, i, CC_HOUSEHOLD), *cap = db_val(res, i, CC_CAPACITY),
		   *acc = db_val(res, i, CC_ACCESS),
		   *release = db_null(res, i, CC_RELEASE) ? NULL : db_val(res, i, CC_RELEASE);
	char text[256];
	bool fits = db_val(res, i, CC_FITS)[0] == 't',
	     access_ok = db_val(res, i, CC_ACCESS_OK)[0] == 't',
	     commune_ok = db_val(res, i, CC_COMMUNE_OK)[0] == 't',
	     release_ok = db_val(res, i, CC_RELEASE_OK)[0] == 't';

	/* The consent no longer holds: its needs are hidden, nothing is said
	 * about them, and it is not ranked. */
	if (db_val(res, i, CC_VISIBLE)[0] != 't') {
		json_array_append_new(failed, json_string("consent"));
		json_array_append_new(reasons,
				      json_string("the consent no longer holds (withdrawn or "
						  "expired): its needs are hidden, it cannot be "
						  "ranked"));
		return reasons;
	}
	snprintf(text, sizeof(text),
		 fits ? "household of %s fits a %s (capacity %s)"
		      : "household of %s exceeds the %s's capacity of %s",
		 hs, type, cap);
	json_array_append_new(reasons, json_string(text));
	if (!fits)
		json_array_append_new(failed, json_string("household"));
	if (strcmp(acc, "none") == 0)
		snprintf(text, sizeof(text), "no accessibility need");
	else
		snprintf(text, sizeof(text),
			 access_ok ? "needs %s access: the unit has %s"
				   : "needs %s access; the unit offers %s",
			 acc, unit_acc);
	json_array_append_new(reasons, json_string(text));
	if (!access_ok)
		json_array_append_new(failed, json_string("accessibility"));
	snprintf(text, sizeof(text),
		 commune_ok ? "%s is not among the communes to avoid"
			    : "%s is among the communes to avoid",
		 commune);
	json_array_append_new(reasons, json_string(text));
	if (!commune_ok)
		json_array_append_new(failed, json_string("commune"));
	if (release == NULL)
		snprintf(text, sizeof(text), "no release date");
	else if (until == NULL)
		snprintf(text, sizeof(text), "released %s; the unit has no end date", release);
	else
		snprintf(text, sizeof(text),
			 release_ok ? "released %s, before the unit's end %s"
				    : "released %s, not before the unit's end %s",
			 release, until);
	json_array_append_new(reasons, json_string(text));
	if (!release_ok)
		json_array_append_new(failed, json_string("release_date"));
	return reasons;
}

/* "{a,b}" of the column of the rows whose needs were shown. */
static int
shown_literal(struct buf *b, const struct db_res *res, int col)
{
	int i, n = 0;

	if (buf_append(b, "{", 1) != 0)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		if (db_val(res, i, CC_VISIBLE)[0] != 't')
			continue;
		if ((n++ && buf_append(b, ",", 1) != 0) ||
		    buf_append(b, db_val(res, i, col), strlen(db_val(res, i, col))) != 0)
			return -1;
	}
	return buf_append(b, "}", 1);
}

int
handle_unit_candidates(struct request *r)
{
	const char *params[2] = {r->params[0], NULL};
	struct db_res *unit = NULL, *res = NULL;
	json_t *candidates, *excluded, *detail;
	struct buf ids, persons;
	char limit_text[16];
	long eligible_n = 0, excluded_n = 0;
	int limit, i, status, rc;
	enum db_status s;

	if ((limit = query_limit(r)) < 0)
		return r->status;
	if ((s = db_exec(r->db, ST_UNIT_GET, 1, params, &unit)) != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(unit) == 0) {
		db_res_free(unit);
		return reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	params[1] = limit_text;
	if ((s = db_exec(r->db, ST_CANDIDATES, 2, params, &res)) != DB_OK) {
		db_res_free(unit);
		return reply_db_error(r, s);
	}
	/* The reasons show each referral's needs: one read of its personal
	 * fields, audited as GET /v1/referrals/{id} is. */
	buf_init(&ids, 1u << 20);
	buf_init(&persons, 1u << 20);
	detail = json_pack("{s:s, s:s}", "via", "candidates", "unit_id", r->params[0]);
	rc = shown_literal(&ids, res, CC_ID) != 0 || shown_literal(&persons, res, CC_PERSON) != 0
		     ? -1
		     : (strcmp(ids.data, "{}") == 0
				? 0
				: audit_record_reads(r, "referral.read", ids.data, persons.data,
						     detail));
	json_decref(detail);
	buf_free(&ids);
	buf_free(&persons);
	if (rc != 0) {
		db_res_free(res);
		db_res_free(unit);
		return internal(r);
	}
	candidates = json_array();
	excluded = json_array();
	for (i = 0; i < db_rows(res); i++) {
		json_t *failed = json_array(), *reasons = candidate_reasons(res, i, unit, failed);
		long rank = strtol(db_val(res, i, CC_RANK), NULL, 10),
		     n = strtol(db_val(res, i, CC_GROUP_SIZE), NULL, 10);
		if (db_val(res, i, CC_ELIGIBLE)[0] == 't') {
			char text[160];
			eligible_n = n;
			snprintf(text, sizeof(text),
				 "applied %s: %ld of %ld eligible, by order of application",
				 db_val(res, i, CC_APPLIED), rank, n);
			json_array_append_new(reasons, json_string(text));
			json_array_append_new(candidates,
					      json_pack("{s:i, s:s, s:s, s:o}", "rank", (int)rank,
							"referral_id", db_val(res, i, CC_ID),
							"applied_at", db_val(res, i, CC_APPLIED),
							"reasons", reasons));
			json_decref(failed);
		} else {
			excluded_n = n;
			json_array_append_new(excluded,
					      json_pack("{s:s, s:s, s:o, s:o}", "referral_id",
							db_val(res, i, CC_ID), "applied_at",
							db_val(res, i, CC_APPLIED), "failed",
							failed, "reasons", reasons));
		}
	}
	status = reply_json(r, 200,
			    json_pack("{s:s, s:i, s:i, s:o, s:o}", "unit_id", r->params[0],
				      "eligible_count", (int)eligible_n, "excluded_count",
				      (int)excluded_n, "candidates", candidates, "excluded",
				      excluded));
	db_res_free(res);
	db_res_free(unit);
	return status;
}
