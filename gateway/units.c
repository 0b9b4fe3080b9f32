/* units: housing operators publish units to an audience (units.h); a unit
 * outside the caller's audience does not exist for it (404); its exact
 * address appears only after the caller's proposal was accepted.  Sites,
 * proposals and candidates have files of their own. */
#include "units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "log.h"
#include "statements.h"
#include "validate.h"

static const char *const unit_types[] = {
	"room", "studio", "apartment", "house", "shared_house_room", NULL};
static const char *const accessibility[] = {"none", "ground_floor", "lift", "wheelchair", NULL};
static const char *const terms[] = {"precarious_occupation", "transit", "lease", NULL};
static const char *const create_statuses[] = {"draft", "published", NULL};

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
	{"end_date", FT_DATE, false, 0, 0, 0, NULL},
};

/* Unit status moves the operator makes by PATCH (reservation and occupancy
 * have their own endpoints).  A reserved or occupied unit withdrawn or
 * closed is taken back (refgw_take_back_unit, schema/033). */
static const struct {
	const char *from, *to;
} unit_moves[] = {
	{"draft", "published"},    {"published", "withdrawn"}, {"withdrawn", "published"},
	{"draft", "closed"},       {"published", "closed"},    {"withdrawn", "closed"},
	{"reserved", "withdrawn"}, {"reserved", "closed"},     {"occupied", "withdrawn"},
	{"occupied", "closed"},
};

/* One unit as the response, with its version as the ETag. */
static int
reply_unit(struct request *r, int status, const struct db_res *res)
{
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, UNIT_VERSION));
	return reply_row(r, status, &unit_row, res, 0, ROW_PUBLIC);
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
		const char *s = json_str(v, key);
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

/* An optional integer field of the body as text ("" when absent). */
static void
integer_text(json_t *body, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(body, key);

	if (v && json_is_integer(v))
		snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	else
		out[0] = '\0';
}

int
handle_unit_create(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *audience;
	struct db_res *res = NULL;
	struct buf orgs, kindb;
	char id[37], bedrooms[24], contribution[24], stay[24];
	enum db_status s;
	int status = 500;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 512);
	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, unit_fields, ARRAY_LEN(unit_fields), errors);
	audience = json_object_get(body, "audience");
	check_audience(audience, errors);
	if (json_str(body, "available_until") && json_str(body, "available_from") &&
	    strcmp(json_str(body, "available_until"), json_str(body, "available_from")) < 0)
		field_error(errors, "available_until", "must not be before available_from");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if (audience_literal(&orgs, audience, "organisation_id") != 0 ||
	    audience_literal(&kindb, audience, "kind") != 0) {
		status = reply_internal(r);
		goto out;
	}
	integer_text(body, "bedrooms", bedrooms, sizeof(bedrooms));
	integer_text(body, "monthly_contribution_eur", contribution, sizeof(contribution));
	integer_text(body, "max_stay_months", stay, sizeof(stay));
	s = db_query(r->db, ST_UNIT_INSERT, &res, "site", json_str(body, "site_id"), "label",
		     json_str(body, "label"), "type", json_str(body, "type"), "bedrooms", bedrooms,
		     "furnished",
		     json_is_true(json_object_get(body, "furnished")) ? "true" : "false",
		     "accessibility",
		     json_str(body, "accessibility") ? json_str(body, "accessibility") : "none",
		     "commune", json_str(body, "commune"), "contribution",
		     contribution[0] ? contribution : NULL, "available_from",
		     json_str(body, "available_from"), "available_until",
		     json_str(body, "available_until"), "terms", json_str(body, "terms"),
		     "max_stay", stay[0] ? stay : NULL, "audience_orgs", orgs.data,
		     "audience_kinds", kindb.data, "status",
		     json_str(body, "status") ? json_str(body, "status") : "draft", (char *)NULL);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unit refused", "audience",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s == DB_SITE_CLOSED) {
		status = reply_unprocessable_field(r, "Unit refused", "site_id",
						   "the site is closed: reopen it first (PATCH "
						   "/v1/sites/{id} status running)");
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
	snprintf(id, sizeof(id), "%s", row_val(res, 0, UNIT_KEY_ID));
	db_res_free(res);
	res = NULL;
	if ((s = db_query(r->db, ST_UNIT_ADDRESS_INSERT, NULL, "unit", id, "address",
			  json_str(body, "address"), (char *)NULL)) != DB_OK ||
	    (s = db_query(r->db, ST_UNIT_GET, &res, "id", id, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "unit.create", "unit", id, NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/units/%s", id);
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
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if ((s = db_query(r->db, ST_UNIT_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no unit %s", r->params[0]);
		goto out;
	}
	status = reply_unit(r, 200, res);
out:
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
	json_t *errors = json_array();
	struct db_res *res = NULL;
	long bedrooms;
	int limit;
	int status = 500;
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
	if (json_array_size(errors) > 0) {
		status = reply_invalid_query(r, errors);
		errors = NULL;
		goto out;
	}
	if (cursor && (cursor_decode(r, cdate, sizeof(cdate), cid) < 0 || !is_date(cdate))) {
		if (r->status == 0)
			reply_invalid_cursor(r);
		status = r->status;
		goto out;
	}
	if ((limit = query_limit(r)) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, commune ? ST_UNIT_SEARCH_COMMUNE : ST_UNIT_SEARCH, &res, "status",
		     st ? st : "published", "on", on, "commune", commune, "min_bedrooms", minb,
		     "accessibility", acc, "terms", term, "after_date",
		     cursor ? cdate : KEYSET_FIRST_TIME, "after_id", cursor ? cid : KEYSET_FIRST_ID,
		     "limit", limit_text, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_rows(r, res, limit, &unit_row);
out:
	json_decref(errors);
	db_res_free(res);
	return status;
}

/* The PATCH's status move from the unit's status `from`: true when allowed,
 * else the moves that are (", "-separated, "none") in allowed. */
static bool
unit_move_allowed(const char *from, const char *to, char *allowed, size_t len)
{
	size_t i;

	allowed[0] = '\0';
	for (i = 0; i < ARRAY_LEN(unit_moves); i++)
		if (strcmp(unit_moves[i].from, from) == 0) {
			if (allowed[0])
				strncat(allowed, ", ", len - strlen(allowed) - 1);
			strncat(allowed, unit_moves[i].to, len - strlen(allowed) - 1);
			if (strcmp(unit_moves[i].to, to) == 0)
				return true;
		}
	return false;
}

/* A reserved or occupied unit moving to withdrawn or closed: its occupancy
 * ended on end_date (today when NULL) with unit_withdrawn, or its accepted
 * proposal declined, the referral back on the waitlist, in this transaction,
 * and audited (occupancy.end or proposal.decline, outcome or reason
 * unit_withdrawn).  0, or the status answered (nothing changed then). */
static int
take_back(struct request *r, const char *end_date)
{
	struct db_res *res = NULL;
	enum db_status s;
	const char *word;
	json_t *errors;
	int status = 0;

	if ((s = db_query(r->db, ST_UNIT_TAKE_BACK, &res, "id", r->params[0], "end_date", end_date,
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	word = row_val(res, 0, TAKE_BACK_RESULT);
	if (strcmp(word, "ok") == 0)
		goto out;
	if (strncmp(word, "occupancy:", 10) == 0 || strncmp(word, "proposal:", 9) == 0) {
		bool occ = word[0] == 'o';
		json_t *detail =
			json_pack("{s:s}", occ ? "outcome" : "reason_code", "unit_withdrawn");
		if (detail == NULL || audit_record(r, occ ? "occupancy.end" : "proposal.decline",
						   occ ? "occupancy" : "proposal",
						   strchr(word, ':') + 1, NULL, detail) != 0)
			status = reply_internal(r);
		json_decref(detail);
		goto out;
	}
	if (strcmp(word, "before_start") == 0 || strcmp(word, "after_today") == 0) {
		errors = json_array();
		if (strcmp(word, "before_start") == 0)
			field_error(errors, "end_date",
				    "must not be before the occupancy's start date");
		else
			field_error(errors, "end_date", "must not be after today");
		status = reply_invalid(r, errors);
	} else if (strcmp(word, "changed") == 0) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the unit changed meanwhile; read it again");
	} else {
		status = reply_problem(r, 404, "not-found", "Not found", "no unit %s of yours",
				       r->params[0]);
	}
out:
	db_res_free(res);
	return status;
}

int
handle_unit_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *v;
	struct db_res *res = NULL, *upd = NULL;
	const char *to;
	char version[24], allowed[160], contribution[24], stay[24], from[32];
	struct buf orgs, kindb;
	long expected;
	enum db_status s;
	int status = 500;

	buf_init(&orgs, 8192);
	buf_init(&kindb, 512);
	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, patch_fields, ARRAY_LEN(patch_fields), errors);
	if (json_object_get(body, "audience"))
		check_audience(json_object_get(body, "audience"), errors);
	if (json_array_size(errors) == 0 && json_object_size(body) == 0)
		field_error(errors, "", "send at least one field to change");
	if (json_str(body, "end_date") && (json_str(body, "status") == NULL ||
					   strcmp(json_str(body, "status"), "published") == 0))
		field_error(errors, "end_date",
			    "only with status withdrawn or closed, taking an occupied unit back");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if ((s = db_query(r->db, ST_UNIT_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0 ||
	    strcmp(row_val(res, 0, UNIT_OPERATOR), r->who.organisation_id) != 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no unit %s of yours",
				       r->params[0]);
		goto out;
	}
	if (row_long(res, 0, UNIT_VERSION) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the unit is at version %s, not %ld; read it again",
				       row_val(res, 0, UNIT_VERSION), expected);
		goto out;
	}
	snprintf(from, sizeof(from), "%s", row_val(res, 0, UNIT_STATUS));
	to = json_str(body, "status");
	if (to && !unit_move_allowed(from, to, allowed, sizeof(allowed))) {
		status = reply_problem(r, 409, "invalid-transition", "Transition not allowed",
				       "a %s unit cannot become %s; allowed: %s", from, to,
				       allowed[0] ? allowed : tr(r, N_("none")));
		goto out;
	}
	if (json_str(body, "end_date") && strcmp(from, "occupied") != 0) {
		json_t *e = json_array();
		field_error(e, "end_date",
			    "only when an occupied unit is taken back (the unit is not occupied)");
		status = reply_invalid(r, e);
		goto out;
	}
	if (to && (strcmp(from, "reserved") == 0 || strcmp(from, "occupied") == 0) &&
	    (status = take_back(r, json_str(body, "end_date"))) != 0)
		goto out;
	status = 500;
	integer_text(body, "monthly_contribution_eur", contribution, sizeof(contribution));
	integer_text(body, "max_stay_months", stay, sizeof(stay));
	if ((v = json_object_get(body, "audience")) &&
	    (audience_literal(&orgs, v, "organisation_id") != 0 ||
	     audience_literal(&kindb, v, "kind") != 0)) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_UNIT_UPDATE, &upd, "id", r->params[0], "version", version, "status",
		     to, "from", from, "label", json_str(body, "label"), "contribution",
		     contribution[0] ? contribution : NULL, "available_until",
		     json_str(body, "available_until"), "max_stay", stay[0] ? stay : NULL,
		     "audience_orgs", orgs.len ? orgs.data : NULL, "audience_kinds",
		     kindb.len ? kindb.data : NULL, (char *)NULL);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Unit change refused", "audience",
						   "an organisation_id names no organisation");
		goto out;
	}
	if (s == DB_SITE_CLOSED) {
		status = reply_unprocessable_field(r, "Unit change refused", "status",
						   "the unit's site is closed: reopen it first "
						   "(PATCH /v1/sites/{id} status running)");
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
	if (db_rows(upd) == 0) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the unit changed meanwhile; read it again");
		goto out;
	}
	if (json_str(body, "address") &&
	    (s = db_query(r->db, ST_UNIT_ADDRESS_UPDATE, NULL, "unit", r->params[0], "address",
			  json_str(body, "address"), (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if ((s = db_query(r->db, ST_UNIT_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "unit.update", "unit", r->params[0], NULL, body) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_unit(r, 200, res);
out:
	buf_free(&orgs);
	buf_free(&kindb);
	json_decref(errors);
	db_res_free(upd);
	db_res_free(res);
	json_decref(body);
	return status;
}
