/* reports: aggregates only, computed by PostgreSQL functions that suppress
 * every count of people below 5 (schema/010_reports.sql).  A suppressed
 * figure is null with "suppressed": true, never a small number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "handlers.h"
#include "statements.h"

static json_t *
count_or_null(const struct db_res *res, int row, int col)
{
	return db_null(res, row, col) ? json_null()
				      : json_integer(strtol(db_val(res, row, col), NULL, 10));
}

int
handle_report_occupancy(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_REPORT_OCCUPANCY, 0, NULL, &res);
	json_t *sites, *ops;
	int i, status;

	if (s != DB_OK)
		return reply_db_error(r, s);
	sites = json_array();
	ops = json_object();
	for (i = 0; i < db_rows(res); i++) {
		json_t *op;
		json_array_append_new(
			sites,
			json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s?, s:s, s:o, s:o, s:o, "
				  "s:b}",
				  "site_id", db_val(res, i, 0), "site", db_val(res, i, 1),
				  "operator_organisation_id", db_val(res, i, 2), "operator",
				  db_val(res, i, 3), "commune", db_val(res, i, 4), "units",
				  count_or_null(res, i, 5), "period_from", db_val(res, i, 6),
				  "period_until", db_null(res, i, 7) ? NULL : db_val(res, i, 7),
				  "status", db_val(res, i, 8), "occupancies",
				  count_or_null(res, i, 9), "occupied_days",
				  count_or_null(res, i, 10), "vacant_days",
				  count_or_null(res, i, 11), "suppressed", db_null(res, i, 9)));
		/* Per operator: sums over its sites; suppressed if any site's is. */
		op = json_object_get(ops, db_val(res, i, 2));
		if (op == NULL) {
			op = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:b}",
				       "operator_organisation_id", db_val(res, i, 2), "operator",
				       db_val(res, i, 3), "sites", 0, "units", 0, "occupancies", 0,
				       "occupied_days", 0, "vacant_days", 0, "suppressed", 0);
			json_object_set_new(ops, db_val(res, i, 2), op);
		}
		json_object_set_new(
			op, "sites",
			json_integer(json_integer_value(json_object_get(op, "sites")) + 1));
		json_object_set_new(op, "units",
				    json_integer(json_integer_value(json_object_get(op, "units")) +
						 strtol(db_val(res, i, 5), NULL, 10)));
		if (db_null(res, i, 9)) {
			json_object_set_new(op, "suppressed", json_true());
		} else {
			static const char *const keys[] = {"occupancies", "occupied_days",
							   "vacant_days"};
			int k;
			for (k = 0; k < 3; k++)
				json_object_set_new(
					op, keys[k],
					json_integer(
						json_integer_value(json_object_get(op, keys[k])) +
						strtol(db_val(res, i, 9 + k), NULL, 10)));
		}
	}
	db_res_free(res);
	{
		json_t *list = json_array(), *op;
		const char *key;
		json_object_foreach(ops, key, op) {
			if (json_is_true(json_object_get(op, "suppressed"))) {
				json_object_set_new(op, "occupancies", json_null());
				json_object_set_new(op, "occupied_days", json_null());
				json_object_set_new(op, "vacant_days", json_null());
			}
			json_array_append(list, op);
		}
		json_decref(ops);
		status = reply_json(r, 200,
				    json_pack("{s:o, s:o, s:i}", "sites", sites, "operators", list,
					      "suppression_threshold", 5));
	}
	return status;
}

int
handle_report_referrals(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_REPORT_REFERRALS, 0, NULL, &res);
	json_t *rows;
	int i;

	if (s != DB_OK)
		return reply_db_error(r, s);
	rows = json_array();
	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(rows,
				      json_pack("{s:s, s:s, s:s, s:s?, s:o, s:b}", "month",
						db_val(res, i, 0), "program", db_val(res, i, 1),
						"status", db_val(res, i, 2), "outcome",
						db_null(res, i, 3) ? NULL : db_val(res, i, 3),
						"referrals", count_or_null(res, i, 4), "suppressed",
						db_null(res, i, 4)));
	db_res_free(res);
	return reply_json(r, 200,
			  json_pack("{s:o, s:i}", "items", rows, "suppression_threshold", 5));
}
