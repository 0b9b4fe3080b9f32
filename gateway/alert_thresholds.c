/* alert_thresholds: an organisation's own "ending soon" thresholds, per
 * convention kind.  Row-level security keeps each to its own rows, which
 * refgw_replace_alert_thresholds replaces; the housekeeping reads them all
 * (refgw_notify_ending_soon, schema/029). */
#include "alert_thresholds.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

/* The convention kinds (schema/029), and null: any kind. */
static const char *const kinds[] = {"precarious_occupation", "transit_convention", "lease",
				    "community_house_convention", NULL};
static const struct field_spec put_fields[] = {
	{"items", FT_ANY, true, 0, 0, 0, NULL},
};
static const struct field_spec item_fields[] = {
	{"convention_kind", FT_ENUM, false, 0, 0, 0, kinds},
	{"days_before", FT_INTEGER, true, 0, 0, 3650, NULL},
};

/* The caller's thresholds as the answer. */
static int
reply_thresholds(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_ALERT_THRESHOLDS_LIST, &res, (char *)NULL);
	int rc = s != DB_OK ? reply_db_error(r, s)
			    : reply_row(r, 200, &alert_thresholds_row, res, 0, ROW_PUBLIC);

	db_res_free(res);
	return rc;
}

int
handle_alert_thresholds_get(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if ((s = db_query(r->db, ST_ALERT_THRESHOLDS_LIST, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_row(r, 200, &alert_thresholds_row, res, 0, ROW_PUBLIC);
out:
	db_res_free(res);
	return status;
}

/* Checks the items: each valid, no convention kind twice (null once). */
static void
check_items(json_t *items, json_t *errors)
{
	json_t *item, *found;
	size_t i, j;
	char name[48];

	if (!json_is_array(items) || json_array_size(items) > 5) {
		field_error(errors, "items", "must be an array of at most 5 thresholds");
		return;
	}
	json_array_foreach(items, i, item) {
		snprintf(name, sizeof(name), "items[%zu]", i);
		if (!json_is_object(item)) {
			field_error(errors, name, "must be an object");
			continue;
		}
		if ((found = json_array()) == NULL)
			abort(); /* out of memory: never answer as if valid */
		validate_fields(item, item_fields, ARRAY_LEN(item_fields), found);
		field_errors_nested(errors, name, found);
		json_decref(found);
		for (j = 0; j < i; j++) {
			json_t *a = json_object_get(item, "convention_kind"),
			       *b = json_object_get(json_array_get(items, j), "convention_kind");
			if ((a == NULL || json_is_null(a)) ? (b == NULL || json_is_null(b))
							   : json_equal(a, b)) {
				snprintf(name, sizeof(name), "items[%zu].convention_kind", i);
				field_error(errors, name, "repeats items[%zu]'s kind", j);
				break;
			}
		}
	}
}

/* PUT: the caller's thresholds replaced by the items. */
int
handle_alert_thresholds_put(struct request *r)
{
	json_t *body = NULL, *errors = NULL, *detail = NULL;
	struct db_res *res = NULL;
	char *text = NULL;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if ((errors = json_array()) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	validate_fields(body, put_fields, ARRAY_LEN(put_fields), errors);
	if (json_object_get(body, "items"))
		check_items(json_object_get(body, "items"), errors);
	if (json_array_size(errors) > 0) {
		status = reply_invalid(r, errors);
		errors = NULL;
		goto out;
	}
	if ((text = json_dumps(json_object_get(body, "items"), JSON_COMPACT)) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	if ((s = db_query(r->db, ST_ALERT_THRESHOLDS_REPLACE, &res, "items", text, (char *)NULL)) !=
	    DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if ((detail = json_pack("{s:O}", "items", json_object_get(body, "items"))) == NULL ||
	    audit_record(r, "alert_thresholds.replace", "organisation", r->who.organisation_id,
			 NULL, detail) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_thresholds(r);
out:
	free(text);
	db_res_free(res);
	json_decref(detail);
	json_decref(errors);
	json_decref(body);
	return status;
}
