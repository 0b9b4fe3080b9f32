/* sites: a housing operator declares a site (sites.h); its units are
 * published under it (units.c). */
#include "sites.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

static const struct field_spec site_fields[] = {
	{"name", FT_STRING, true, 200, 0, 0, NULL},
	{"commune", FT_STRING, true, 64, 0, 0, NULL},
	{"managing_partner", FT_STRING, false, 200, 0, 0, NULL},
	{"units", FT_INTEGER, false, 0, 0, 10000, NULL},
	{"period_from", FT_DATE, true, 0, 0, 0, NULL},
	{"period_until", FT_DATE, false, 0, 0, 0, NULL},
};

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
		     json_str(body, "period_until"), (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "site.create", "site", row_val(res, 0, SITE_ID), NULL, NULL) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/sites/%s", row_val(res, 0, SITE_ID));
	status = reply_row(r, 201, &site_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}
