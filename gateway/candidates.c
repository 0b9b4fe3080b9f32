/* candidates: the caller's waitlisted referrals measured against one unit
 * (candidates.h): eligible ones ranked by order of application, each with
 * its reasons, excluded ones with the constraints they fail.  The
 * measuring is SQL (ST_CANDIDATES, schema/009_candidates.sql); the reasons
 * are written here from its boolean columns. */
#include "candidates.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "units.h"

/* The reasons of candidate i for the unit, the constraints it fails added
 * to failed. */
static json_t *
candidate_reasons(const struct db_res *res, int i, const struct db_res *unit, json_t *failed)
{
	json_t *reasons = json_array();
	const char *type = row_val(unit, 0, UNIT_TYPE), *commune = row_val(unit, 0, UNIT_COMMUNE),
		   *unit_acc = row_val(unit, 0, UNIT_ACCESSIBILITY),
		   *until = row_str(unit, 0, UNIT_AVAILABLE_UNTIL),
		   *hs = row_val(res, i, CC_HOUSEHOLD), *cap = row_val(res, i, CC_CAPACITY),
		   *acc = row_val(res, i, CC_ACCESS), *release = row_str(res, i, CC_RELEASE);
	char text[256];
	bool fits = row_bool(res, i, CC_FITS), access_ok = row_bool(res, i, CC_ACCESS_OK),
	     commune_ok = row_bool(res, i, CC_COMMUNE_OK),
	     release_ok = row_bool(res, i, CC_RELEASE_OK);

	/* The consent no longer holds: its needs are hidden, nothing is said
	 * about them, and it is not ranked. */
	if (!row_bool(res, i, CC_VISIBLE)) {
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
		if (!row_bool(res, i, CC_VISIBLE))
			continue;
		if ((n++ && buf_append(b, ",", 1) != 0) ||
		    buf_append(b, row_val(res, i, col), strlen(row_val(res, i, col))) != 0)
			return -1;
	}
	return buf_append(b, "}", 1);
}

/* The reasons show each referral's needs: one read of its personal fields,
 * audited as GET /v1/referrals/{id} is.  0 or -1. */
static int
audit_needs_read(struct request *r, const struct db_res *res)
{
	struct buf ids, persons;
	json_t *detail = json_pack("{s:s, s:s}", "via", "candidates", "unit_id", r->params[0]);
	int rc;

	buf_init(&ids, 1u << 20);
	buf_init(&persons, 1u << 20);
	rc = shown_literal(&ids, res, CC_ID) != 0 || shown_literal(&persons, res, CC_PERSON) != 0
		     ? -1
		     : (strcmp(ids.data, "{}") == 0
				? 0
				: audit_record_reads(r, "referral.read", ids.data, persons.data,
						     detail));
	json_decref(detail);
	buf_free(&ids);
	buf_free(&persons);
	return rc;
}

/* The answer: the eligible candidates and the excluded ones, from the
 * candidate rows (their id and date of application) and their reasons. */
static json_t *
candidates_json(const char *unit_id, const struct db_res *res, const struct db_res *unit)
{
	json_t *candidates = json_array(), *excluded = json_array();
	long eligible_n = 0, excluded_n = 0;
	int i;

	for (i = 0; i < db_rows(res); i++) {
		json_t *failed = json_array(), *reasons = candidate_reasons(res, i, unit, failed);
		json_t *c = row_json(&candidate_row, res, i, ROW_PUBLIC);
		long rank = row_long(res, i, CC_RANK), n = row_long(res, i, CC_GROUP_SIZE);
		if (row_bool(res, i, CC_ELIGIBLE)) {
			char text[160];
			eligible_n = n;
			snprintf(text, sizeof(text),
				 "applied %s: %ld of %ld eligible, by order of application",
				 row_val(res, i, CC_APPLIED), rank, n);
			json_array_append_new(reasons, json_string(text));
			json_object_set_new(c, "rank", json_integer(rank));
			json_decref(failed);
			json_array_append_new(candidates, c);
		} else {
			excluded_n = n;
			json_object_set_new(c, "failed", failed);
			json_array_append_new(excluded, c);
		}
		json_object_set_new(c, "reasons", reasons);
	}
	return json_pack("{s:s, s:i, s:i, s:o, s:o}", "unit_id", unit_id, "eligible_count",
			 (int)eligible_n, "excluded_count", (int)excluded_n, "candidates",
			 candidates, "excluded", excluded);
}

int
handle_unit_candidates(struct request *r)
{
	struct db_res *unit = NULL, *res = NULL;
	char limit_text[16];
	int limit;
	int status = 500;
	enum db_status s;

	if ((limit = query_limit(r)) < 0) {
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
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	if ((s = db_query(r->db, ST_CANDIDATES, &res, "unit", r->params[0], "limit", limit_text,
			  (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_needs_read(r, res) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_json(r, 200, candidates_json(r->params[0], res, unit));
out:
	db_res_free(res);
	db_res_free(unit);
	return status;
}
