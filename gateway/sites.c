/* sites: a housing operator declares a site (sites.h), lists and changes
 * it (period, managing partner, status, partnership); its units are
 * published under it (units.c).  Partnerships (schema/032): the
 * coordinator names one and its members; an operator attaches its site to
 * it; the members read the partnership's site table, where any count of
 * people from 1 to 4 is suppressed. */
#include "sites.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "util.h"
#include "validate.h"

static const char *const site_statuses[] = {"running", "closed", NULL};

static const struct field_spec site_fields[] = {
	{"name", FT_STRING, true, 200, 0, 0, NULL},
	{"commune", FT_STRING, true, 64, 0, 0, NULL},
	{"managing_partner", FT_STRING, false, 200, 0, 0, NULL},
	{"units", FT_INTEGER, false, 0, 0, 10000, NULL},
	{"period_from", FT_DATE, true, 0, 0, 0, NULL},
	{"period_until", FT_DATE, false, 0, 0, 0, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, site_statuses},
	{"partnership_id", FT_UUID, false, 0, 0, 0, NULL},
};

static const struct field_spec site_patch_fields[] = {
	{"managing_partner", FT_STRING, false, 200, 0, 0, NULL},
	{"period_from", FT_DATE, false, 0, 0, 0, NULL},
	{"period_until", FT_DATE, false, 0, 0, 0, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, site_statuses},
	{"partnership_id", FT_UUID, false, 0, 0, 0, NULL},
};

static const struct field_spec partnership_fields[] = {
	{"name", FT_STRING, true, 200, 0, 0, NULL},
	{"members", FT_ANY, false, 0, 0, 0, NULL},
};

static const struct field_spec partnership_patch_fields[] = {
	{"name", FT_STRING, false, 200, 0, 0, NULL},
	{"members", FT_ANY, false, 0, 0, 0, NULL},
};

#define MEMBERS_MAX 64

/* A foreign key said no: the partnership named does not exist. */
static int
reply_no_partnership(struct request *r, const char *title)
{
	return reply_unprocessable_field(r, title, "partnership_id", "names no partnership");
}

/* managing_partner: a name, or absent (null clears it on a PATCH); never
 * the empty string, which would be stored as a partner with no name. */
static void
partner_not_empty(json_t *body, json_t *errors)
{
	const char *p = json_str(body, "managing_partner");

	if (p && p[0] == '\0')
		field_error(errors, "managing_partner",
			    "must not be empty: a partner's name, or null for none");
}

int
handle_site_create(struct request *r)
{
	json_t *body = NULL, *j;
	struct db_res *res = NULL;
	char units[16] = "";
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, site_fields, ARRAY_LEN(site_fields))) {
		status = r->status;
		goto out;
	}
	if (json_str(body, "managing_partner") && json_str(body, "managing_partner")[0] == '\0') {
		json_t *errors = json_array();
		partner_not_empty(body, errors);
		status = reply_invalid(r, errors);
		goto out;
	}
	if (json_str(body, "period_until") &&
	    strcmp(json_str(body, "period_until"), json_str(body, "period_from")) < 0) {
		json_t *errors = json_array();
		field_error(errors, "period_until", "must not be before period_from");
		status = reply_invalid(r, errors);
		goto out;
	}
	if ((j = json_object_get(body, "units")) && json_is_integer(j))
		snprintf(units, sizeof(units), "%lld", (long long)json_integer_value(j));
	s = db_query(r->db, ST_SITE_INSERT, &res, "name", json_str(body, "name"), "commune",
		     json_str(body, "commune"), "managing_partner",
		     json_str(body, "managing_partner"), "units", units[0] ? units : NULL,
		     "period_from", json_str(body, "period_from"), "period_until",
		     json_str(body, "period_until"), "status", json_str(body, "status"),
		     "partnership", json_str(body, "partnership_id"), (char *)NULL);
	if (s == DB_CONSTRAINT && json_str(body, "partnership_id")) {
		status = reply_no_partnership(r, N_("Site refused"));
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "site.create", "site", row_val(res, 0, SITE_ID), NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/sites/%s", row_val(res, 0, SITE_ID));
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, SITE_VERSION));
	status = reply_row(r, 201, &site_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_site_list(struct request *r)
{
	const char *st = req_query(r, "status"), *partnership = req_query(r, "partnership_id"),
		   *operator= req_query(r, "operator_organisation_id");
	char ts[64] = KEYSET_FIRST_TIME, id[37] = KEYSET_FIRST_ID, limit_text[16];
	json_t *errors = json_array();
	struct db_res *res = NULL;
	int limit, status = 500;
	enum db_status s;

	if (st && !validate_in(st, site_statuses))
		field_error(errors, "status", "must be running or closed");
	if (partnership && !is_uuid(partnership))
		field_error(errors, "partnership_id", "must be a lower-case UUID");
	if (operator&& !is_uuid(operator))
		field_error(errors, "operator_organisation_id", "must be a lower-case UUID");
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
	s = db_query(r->db, ST_SITE_LIST, &res, "status", st, "partnership", partnership,
		     "operator", operator, "after_time", ts, "after_id", id, "limit", limit_text,
		     (char *)NULL);
	status = reply_page(r, s, res, limit, &site_row);
out:
	json_decref(errors);
	db_res_free(res);
	return status;
}

int
handle_site_get(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if (!is_uuid(r->params[0])) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no site %s", r->params[0]);
		goto out;
	}
	if ((s = db_query(r->db, ST_SITE_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) { /* or one the caller may not see (RLS) */
		status =
			reply_problem(r, 404, "not-found", "Not found", "no site %s", r->params[0]);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, SITE_VERSION));
	status = reply_row(r, 200, &site_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}

/* The fields of a PATCH sent as null, comma-separated: those that may be
 * cleared are; the others are named in errors. */
static void
site_patch_nulls(json_t *body, char *clear, size_t len, json_t *errors)
{
	static const char *const clearable[] = {"period_until", "managing_partner",
						"partnership_id", NULL};
	const char *key;
	json_t *v;

	clear[0] = '\0';
	json_object_foreach(body, key, v) {
		if (!json_is_null(v))
			continue;
		if (!validate_in(key, clearable)) {
			field_error(errors, key, "must not be null");
			continue;
		}
		if (clear[0])
			strncat(clear, ",", len - strlen(clear) - 1);
		strncat(clear, key, len - strlen(clear) - 1);
	}
}

/* Closing a site whose units are reserved or occupied: 409 naming them;
 * 0 when none. */
static int
reply_site_busy(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 0;

	s = db_query(r->db, ST_SITE_BUSY, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) > 0 && row_long(res, 0, SITE_BUSY_COUNT) > 0)
		status = reply_problem(r, 409, "site-occupied", "Site still occupied",
				       "site %s cannot close while %ld of its units are reserved "
				       "or occupied (%s): take them back first (PATCH "
				       "/v1/units/{id}, or end their occupancies)",
				       r->params[0], row_long(res, 0, SITE_BUSY_COUNT),
				       row_val(res, 0, SITE_BUSY_LABELS));
	db_res_free(res);
	return status;
}

int
handle_site_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	struct db_res *res = NULL, *upd = NULL;
	const char *from, *until, *to;
	char version[24], clear[64];
	long expected;
	enum db_status s = DB_OK;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, site_patch_fields, ARRAY_LEN(site_patch_fields), errors);
	site_patch_nulls(body, clear, sizeof(clear), errors);
	partner_not_empty(body, errors);
	if (json_array_size(errors) == 0 && json_object_size(body) == 0)
		field_error(errors, "",
			    "send at least one of period_from, period_until, "
			    "managing_partner, status, partnership_id");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if (!is_uuid(r->params[0]) ||
	    (s = db_query(r->db, ST_SITE_GET, &res, "id", r->params[0], (char *)NULL)) != DB_OK ||
	    db_rows(res) == 0 ||
	    strcmp(row_val(res, 0, SITE_OPERATOR), r->who.organisation_id) != 0) {
		if (res == NULL && is_uuid(r->params[0]))
			status = reply_db_error(r, s);
		else
			status = reply_problem(r, 404, "not-found", "Not found",
					       "no site %s of yours", r->params[0]);
		goto out;
	}
	if (row_long(res, 0, SITE_VERSION) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the site is at version %s, not %ld; read it again",
				       row_val(res, 0, SITE_VERSION), expected);
		goto out;
	}
	/* The period as it would be: until never before from. */
	from = json_str(body, "period_from") ? json_str(body, "period_from")
					     : row_val(res, 0, SITE_PERIOD_FROM);
	until = json_is_null(json_object_get(body, "period_until")) ? NULL
		: json_str(body, "period_until")                    ? json_str(body, "period_until")
						 : row_str(res, 0, SITE_PERIOD_UNTIL);
	if (until && strcmp(until, from) < 0) {
		/* errors: the empty array of the validation above */
		field_error(errors, json_str(body, "period_until") ? "period_until" : "period_from",
			    "the period would end (%s) before it starts (%s)", until, from);
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	to = json_str(body, "status");
	if (to && strcmp(to, "closed") == 0 &&
	    strcmp(row_val(res, 0, SITE_STATUS), "closed") != 0 &&
	    (status = reply_site_busy(r)) != 0)
		goto out;
	status = 500;
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_SITE_UPDATE, &upd, "id", r->params[0], "version", version,
		     "period_from", json_str(body, "period_from"), "period_until",
		     json_str(body, "period_until"), "managing_partner",
		     json_str(body, "managing_partner"), "partnership",
		     json_str(body, "partnership_id"), "status", to, "clear", clear, (char *)NULL);
	if (s == DB_CONSTRAINT && json_str(body, "partnership_id")) {
		status = reply_no_partnership(r, N_("Site change refused"));
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(upd) == 0) { /* changed meanwhile, or a unit was reserved since */
		if (to && strcmp(to, "closed") == 0 && (status = reply_site_busy(r)) != 0)
			goto out;
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the site changed meanwhile; read it again");
		goto out;
	}
	if (audit_record(r, "site.update", "site", r->params[0], NULL, body) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(upd, 0, SITE_VERSION));
	status = reply_row(r, 200, &site_row, upd, 0, ROW_PUBLIC);
out:
	json_decref(errors);
	db_res_free(upd);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* members: an array of at most MEMBERS_MAX distinct organisation ids, as a
 * PostgreSQL array literal in out; errors name the field. */
static void
members_literal(json_t *members, char *out, size_t len, json_t *errors)
{
	json_t *m;
	size_t i, k;

	out[0] = '\0';
	if (members == NULL)
		return;
	if (!json_is_array(members) || json_array_size(members) > MEMBERS_MAX) {
		field_error(errors, "members", "must be an array of at most %d organisation ids",
			    MEMBERS_MAX);
		return;
	}
	strncat(out, "{", len - strlen(out) - 1);
	json_array_foreach(members, i, m) {
		const char *id = json_string_value(m);
		if (id == NULL || !is_uuid(id)) {
			field_error(errors, "members", "item %zu must be a lower-case UUID", i);
			return;
		}
		for (k = 0; k < i; k++)
			if (json_equal(m, json_array_get(members, k))) {
				field_error(errors, "members", "item %zu repeats %s", i, id);
				return;
			}
		if (i > 0)
			strncat(out, ",", len - strlen(out) - 1);
		strncat(out, id, len - strlen(out) - 1);
	}
	strncat(out, "}", len - strlen(out) - 1);
}

#define MEMBERS_TEXT (MEMBERS_MAX * 37 + 4)

int
handle_partnership_create(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	struct db_res *res = NULL;
	char members[MEMBERS_TEXT];
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, partnership_fields, ARRAY_LEN(partnership_fields), errors);
	members_literal(json_object_get(body, "members"), members, sizeof(members), errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	s = db_query(r->db, ST_PARTNERSHIP_INSERT, &res, "name", json_str(body, "name"), "members",
		     members[0] ? members : "{}", (char *)NULL);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Partnership refused", "members",
						   "an item names no organisation");
		goto out;
	}
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "conflict", "Conflict",
				       "a partnership is already named \"%s\"",
				       json_str(body, "name"));
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "partnership.create", "partnership", row_val(res, 0, PARTNERSHIP_ID),
			 NULL, body) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/partnerships/%s",
		 row_val(res, 0, PARTNERSHIP_ID));
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, PARTNERSHIP_VERSION));
	status = reply_row(r, 201, &partnership_row, res, 0, ROW_PUBLIC);
out:
	json_decref(errors);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_partnership_list(struct request *r)
{
	char ts[64] = KEYSET_FIRST_TIME, id[37] = KEYSET_FIRST_ID, limit_text[16];
	struct db_res *res = NULL;
	int limit, status = 500;
	enum db_status s;

	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_PARTNERSHIP_LIST, &res, "after_time", ts, "after_id", id, "limit",
		     limit_text, (char *)NULL);
	status = reply_page(r, s, res, limit, &partnership_row);
out:
	db_res_free(res);
	return status;
}

/* The partnership r->params[0] as the caller may see it (its members and
 * whoever manages partnerships): 0 and *res, or the status answered (404). */
static int
partnership_fetch(struct request *r, struct db_res **res)
{
	enum db_status s;

	if (!is_uuid(r->params[0]))
		return reply_problem(r, 404, "not-found", "Not found", "no partnership %s",
				     r->params[0]);
	if ((s = db_query(r->db, ST_PARTNERSHIP_GET, res, "id", r->params[0], (char *)NULL)) !=
	    DB_OK)
		return reply_db_error(r, s);
	if (db_rows(*res) == 0)
		return reply_problem(r, 404, "not-found", "Not found",
				     "no partnership %s of which this organisation is a member",
				     r->params[0]);
	return 0;
}

int
handle_partnership_get(struct request *r)
{
	struct db_res *res = NULL;
	int status = 500;

	if ((status = partnership_fetch(r, &res)) != 0)
		goto out;
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, PARTNERSHIP_VERSION));
	status = reply_row(r, 200, &partnership_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}

int
handle_partnership_update(struct request *r)
{
	json_t *body = NULL, *errors = NULL;
	struct db_res *res = NULL, *upd = NULL;
	char members[MEMBERS_TEXT], version[24];
	long expected;
	enum db_status s;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	errors = json_array();
	validate_fields(body, partnership_patch_fields, ARRAY_LEN(partnership_patch_fields),
			errors);
	if (json_is_null(json_object_get(body, "name")))
		field_error(errors, "name", "must not be null");
	members_literal(json_object_get(body, "members"), members, sizeof(members), errors);
	if (json_array_size(errors) == 0 && json_object_size(body) == 0)
		field_error(errors, "", "send at least one of name, members");
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if ((status = partnership_fetch(r, &res)) != 0)
		goto out;
	status = 500;
	if (row_long(res, 0, PARTNERSHIP_VERSION) != expected) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the partnership is at version %s, not %ld; read it again",
				       row_val(res, 0, PARTNERSHIP_VERSION), expected);
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	s = db_query(r->db, ST_PARTNERSHIP_UPDATE, &upd, "id", r->params[0], "version", version,
		     "name", json_str(body, "name"), "members", members[0] ? members : NULL,
		     (char *)NULL);
	if (s == DB_UNKNOWN_ORG) {
		status = reply_unprocessable_field(r, "Partnership change refused", "members",
						   "an item names no organisation");
		goto out;
	}
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "conflict", "Conflict",
				       "a partnership is already named \"%s\"",
				       json_str(body, "name"));
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(upd) == 0) {
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the partnership changed meanwhile; read it again");
		goto out;
	}
	if (audit_record(r, "partnership.update", "partnership", r->params[0], NULL, body) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(upd, 0, PARTNERSHIP_VERSION));
	status = reply_row(r, 200, &partnership_row, upd, 0, ROW_PUBLIC);
out:
	json_decref(errors);
	db_res_free(upd);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* The site table of seed 002: a partnership's sites with their operator,
 * units, period and status, and the people counted, suppressed from 1 to 4
 * (refgw_partnership_sites, schema/032).  Members only: 404 to others. */
int
handle_partnership_sites(struct request *r)
{
	struct db_res *res = NULL, *sites = NULL;
	json_t *items = NULL, *site;
	enum db_status s;
	int i;
	int status = 500;

	if ((status = partnership_fetch(r, &res)) != 0)
		goto out;
	status = 500;
	if ((s = db_query(r->db, ST_PARTNERSHIP_SITES, &sites, "id", r->params[0], (char *)NULL)) !=
	    DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	items = json_array();
	for (i = 0; i < db_rows(sites); i++) {
		if ((site = row_json(&partnership_site_row, sites, i, ROW_PUBLIC)) == NULL) {
			status = reply_internal(r); /* never a table with a row left out */
			goto out;
		}
		json_array_append_new(items, site);
	}
	status = reply_json(r, 200,
			    json_pack("{s:s, s:s, s:o, s:i}", "partnership_id",
				      row_val(res, 0, PARTNERSHIP_ID), "partnership",
				      row_val(res, 0, PARTNERSHIP_NAME), "sites", items,
				      "suppression_threshold", 5));
	items = NULL;
out:
	json_decref(items);
	db_res_free(sites);
	db_res_free(res);
	return status;
}
