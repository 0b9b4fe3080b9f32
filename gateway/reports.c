/* reports: aggregates only, computed by PostgreSQL functions that suppress
 * every count of people below 5 (schema/010_reports.sql).  A suppressed
 * figure is null with "suppressed": true, never a small number. */
#include "reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "statements.h"

/* Adds v to the integer at key of o. */
static void
add_to(json_t *o, const char *key, long v)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + v));
}

int
handle_report_occupancy(struct request *r)
{
	struct db_res *res = NULL;
	json_t *sites = NULL, *ops = NULL, *list = NULL, *op;
	const char *key;
	enum db_status s;
	int i;
	int status = 500;

	if ((s = db_query(r->db, ST_REPORT_OCCUPANCY, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	sites = json_array();
	ops = json_object();
	for (i = 0; i < db_rows(res); i++) {
		const char *op_id = row_val(res, i, REPORT_SITE_OPERATOR_ID);
		json_t *site = row_json(&report_site_row, res, i, ROW_PUBLIC);
		if (site == NULL) { /* never a report with a row left out */
			status = reply_internal(r);
			goto out;
		}
		json_array_append_new(sites, site);
		/* Per operator: sums over its sites; suppressed if any site's is. */
		op = json_object_get(ops, op_id);
		if (op == NULL) {
			op = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b}",
				       "operator_organisation_id", op_id, "operator",
				       row_val(res, i, REPORT_SITE_OPERATOR), "sites", 0, "units",
				       0, "occupancies", 0, "occupied_days", 0, "vacant_days", 0,
				       "suppressed", 0);
			json_object_set_new(ops, op_id, op);
		}
		add_to(op, "sites", 1);
		add_to(op, "units", row_long(res, i, REPORT_SITE_UNITS));
		if (row_bool(res, i, REPORT_SITE_SUPPRESSED)) {
			json_object_set_new(op, "suppressed", json_true());
		} else {
			add_to(op, "occupancies", row_long(res, i, REPORT_SITE_OCCUPANCIES));
			add_to(op, "occupied_days", row_long(res, i, REPORT_SITE_OCCUPIED));
			add_to(op, "vacant_days", row_long(res, i, REPORT_SITE_VACANT));
		}
	}
	list = json_array();
	json_object_foreach(ops, key, op) {
		if (json_is_true(json_object_get(op, "suppressed"))) {
			json_object_set_new(op, "occupancies", json_null());
			json_object_set_new(op, "occupied_days", json_null());
			json_object_set_new(op, "vacant_days", json_null());
		}
		json_array_append(list, op);
	}
	status = reply_json(r, 200,
			    json_pack("{s:o, s:o, s:i}", "sites", sites, "operators", list,
				      "suppression_threshold", 5));
	sites = list = NULL;
out:
	json_decref(ops);
	db_res_free(res);
	return status;
}

int
handle_report_referrals(struct request *r)
{
	struct db_res *res = NULL;
	json_t *rows = NULL;
	enum db_status s;
	int i;
	int status = 500;

	if ((s = db_query(r->db, ST_REPORT_REFERRALS, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	rows = json_array();
	for (i = 0; i < db_rows(res); i++) {
		json_t *row = row_json(&report_referral_row, res, i, ROW_PUBLIC);
		if (row == NULL) { /* never a report with a row left out */
			status = reply_internal(r);
			goto out;
		}
		json_array_append_new(rows, row);
	}
	status = reply_json(r, 200,
			    json_pack("{s:o, s:i}", "items", rows, "suppression_threshold", 5));
	rows = NULL;
out:
	json_decref(rows);
	db_res_free(res);
	return status;
}
