/* candidates: the caller's waitlisted referrals measured against one unit
 * (candidates.h): eligible ones ranked by fit, then order of application
 * (by day), then release urgency, then preferred communes (a referral back
 * on the waitlist because its unit was taken back before all), each with its
 * reasons; excluded ones with the constraints they fail.  The measuring and
 * the order are SQL (ST_CANDIDATES, schema/009_candidates.sql); the reasons,
 * one sentence and one code per factor, are written here from its columns
 * (docs/candidates.md). */
#include "candidates.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "seal.h"
#include "statements.h"
#include "units.h"

/* One reason: its code (docs/openapi.yaml, CandidateReasonCode) and its
 * sentence, at the same place in the two arrays. */
static void __attribute__((format(printf, 4, 5)))
reason(json_t *reasons, json_t *codes, const char *code, const char *fmt, ...)
{
	char text[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	json_array_append_new(reasons, json_string(text));
	json_array_append_new(codes, json_string(code));
}

/* The hard constraints of candidate i for the unit, the ones it fails
 * added to failed. */
static void
constraint_reasons(const struct db_res *res, int i, const struct db_res *unit, json_t *reasons,
		   json_t *codes, json_t *failed)
{
	const char *type = row_val(unit, 0, UNIT_TYPE), *commune = row_val(unit, 0, UNIT_COMMUNE),
		   *unit_acc = row_val(unit, 0, UNIT_ACCESSIBILITY),
		   *until = row_str(unit, 0, UNIT_AVAILABLE_UNTIL),
		   *hs = row_val(res, i, CC_HOUSEHOLD), *cap = row_val(res, i, CC_CAPACITY),
		   *acc = row_val(res, i, CC_ACCESS), *release = row_str(res, i, CC_RELEASE);

	if (row_bool(res, i, CC_FITS))
		reason(reasons, codes, "household.fits", "household of %s fits a %s (capacity %s)",
		       hs, type, cap);
	else {
		reason(reasons, codes, "household.exceeds",
		       "household of %s exceeds the %s's capacity of %s", hs, type, cap);
		json_array_append_new(failed, json_string("household"));
	}
	if (strcmp(acc, "none") == 0)
		reason(reasons, codes, "accessibility.none", "no accessibility need");
	else if (row_bool(res, i, CC_ACCESS_OK))
		reason(reasons, codes, "accessibility.fits", "needs %s access: the unit has %s",
		       acc, unit_acc);
	else {
		reason(reasons, codes, "accessibility.lacks", "needs %s access; the unit offers %s",
		       acc, unit_acc);
		json_array_append_new(failed, json_string("accessibility"));
	}
	if (row_bool(res, i, CC_COMMUNE_OK))
		reason(reasons, codes, "commune.not_avoided",
		       "%s is not among the communes to avoid", commune);
	else {
		reason(reasons, codes, "commune.avoided", "%s is among the communes to avoid",
		       commune);
		json_array_append_new(failed, json_string("commune"));
	}
	if (release == NULL)
		reason(reasons, codes, "release_date.none", "no release date");
	else if (until == NULL)
		reason(reasons, codes, "release_date.no_end",
		       "released %s; the unit has no end date", release);
	else if (row_bool(res, i, CC_RELEASE_OK))
		reason(reasons, codes, "release_date.before_end",
		       "released %s, before the unit's end %s", release, until);
	else {
		reason(reasons, codes, "release_date.after_end",
		       "released %s, not before the unit's end %s", release, until);
		json_array_append_new(failed, json_string("release_date"));
	}
	if (row_long(res, i, CC_EXCLUDED_N) == 0)
		reason(reasons, codes, "justice.none",
		       "no commune excluded by a justice condition");
	else if (row_bool(res, i, CC_JUSTICE_OK))
		reason(reasons, codes, "justice.not_excluded",
		       "%s is not excluded by a justice condition", commune);
	else {
		reason(reasons, codes, "justice.excluded", "%s is excluded by a justice condition",
		       commune);
		json_array_append_new(failed, json_string("justice"));
	}
}

/* The tie-breakers of candidate i: release urgency, preferred communes. */
static void
order_reasons(const struct db_res *res, int i, const struct db_res *unit, json_t *reasons,
	      json_t *codes)
{
	const char *commune = row_val(unit, 0, UNIT_COMMUNE),
		   *release = row_str(res, i, CC_RELEASE);
	long in = row_long(res, i, CC_RELEASE_IN);

	if (release == NULL)
		reason(reasons, codes, "urgency.unknown",
		       "release urgency: no release date, after those with one");
	else if (in <= 0)
		reason(reasons, codes, "urgency.released",
		       "release urgency: released %s, already out (most urgent)", release);
	else
		reason(reasons, codes, "urgency.upcoming",
		       "release urgency: released %s, in %ld days", release, in);
	if (row_long(res, i, CC_PREFERRED_N) == 0)
		reason(reasons, codes, "preference.none", "preferred communes: none given");
	else if (row_bool(res, i, CC_PREFERRED))
		reason(reasons, codes, "preference.preferred",
		       "preferred communes: %s is among them", commune);
	else
		reason(reasons, codes, "preference.not_preferred",
		       "preferred communes: %s is not among them", commune);
}

/* The reasons of candidate i for the unit and their codes (to codes), the
 * constraints it fails added to failed. */
static json_t *
candidate_reasons(const struct db_res *res, int i, const struct db_res *unit, json_t *codes,
		  json_t *failed)
{
	json_t *reasons = json_array();
	long day_n = row_long(res, i, CC_DAY_N);

	/* The consent no longer holds: its needs are hidden, nothing is said
	 * about them, and it is not ranked. */
	if (!row_bool(res, i, CC_VISIBLE)) {
		json_array_append_new(failed, json_string("consent"));
		reason(reasons, codes, "consent.not_holding",
		       "the consent no longer holds (withdrawn or expired): its needs are hidden, "
		       "it cannot be ranked");
		return reasons;
	}
	constraint_reasons(res, i, unit, reasons, codes, failed);
	order_reasons(res, i, unit, reasons, codes);
	if (row_bool(res, i, CC_TAKEN_BACK))
		reason(reasons, codes, "priority.unit_withdrawn",
		       "priority: back on the waitlist because the unit of its placement was taken "
		       "back; %s",
		       row_bool(res, i, CC_ELIGIBLE) ? "ranks before the other applications"
						     : "ranks first once eligible");
	if (!row_bool(res, i, CC_ELIGIBLE)) {
		char *names = NULL;
		json_t *f;
		size_t k, len = 0;
		FILE *m = open_memstream(&names, &len);
		json_array_foreach(failed, k, f)
			if (m != NULL)
				fprintf(m, "%s%s", k ? ", " : "", json_string_value(f));
		if (m != NULL)
			fclose(m);
		reason(reasons, codes, "order.not_ranked", "applied %s: not ranked, fails %s",
		       row_val(res, i, CC_APPLIED), names != NULL ? names : "");
		free(names);
	} else if (day_n == 1)
		reason(reasons, codes, "order.rank",
		       "rank %ld of %ld eligible: applied %s, the only eligible application of %s",
		       row_long(res, i, CC_RANK), row_long(res, i, CC_GROUP_SIZE),
		       row_val(res, i, CC_APPLIED), row_val(res, i, CC_APP_DAY));
	else
		reason(reasons, codes, "order.same_day",
		       "rank %ld of %ld eligible: applied %s, %ld of the %ld eligible applications "
		       "of %s, which rank by release urgency, then preferred communes, then time",
		       row_long(res, i, CC_RANK), row_long(res, i, CC_GROUP_SIZE),
		       row_val(res, i, CC_APPLIED), row_long(res, i, CC_DAY_RANK), day_n,
		       row_val(res, i, CC_APP_DAY));
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

/* Waitlist row i as ST_CANDIDATES reads it, {"referral_id", "needs",
 * "release_date"}, opened with its person's key dek; NULL: the person is
 * erased (no needs, no release date, as rows.c renders an erased person).
 * 0 or -1. */
static int
need_write(struct buf *b, const struct db_res *res, int i, const unsigned char *dek)
{
	const char *person = row_val(res, i, WN_PERSON), *release = row_str(res, i, WN_RELEASE);
	bool first = true;
	int c;

	if (buf_cat(b, "{\"referral_id\":\"", row_val(res, i, WN_ID), "\",\"needs\":{",
		    (char *)NULL) != 0)
		return -1;
	for (c = WN_HOUSEHOLD; dek != NULL && c <= WN_PREFERRED; c++) {
		const char *name = waitlist_need_row.cols[c].name, *v = row_str(res, i, c);
		char label[64];

		if (v == NULL)
			continue;
		snprintf(label, sizeof(label), "needs.%s", name);
		if ((!first && APPEND_LITERAL(b, ",") != 0) ||
		    buf_cat(b, "\"", name, "\":", (char *)NULL) != 0 ||
		    seal_open_write_with(b, dek, person, label, v) != SEAL_OK)
			return -1;
		first = false;
	}
	if (APPEND_LITERAL(b, "},\"release_date\":") != 0)
		return -1;
	if (dek == NULL || release == NULL) {
		if (APPEND_LITERAL(b, "null") != 0)
			return -1;
	} else if (seal_open_write_with(b, dek, person, "release_date", release) != SEAL_OK)
		return -1;
	return APPEND_LITERAL(b, "}");
}

/* The caller's waitlisted needs and release dates, opened (ST_WAITLIST_NEEDS),
 * as the JSON array ST_CANDIDATES reads into b: the persons' keys taken at
 * once (seal_keys: those not cached in one query of the key store), then
 * each row opened with its person's key.  0, or the status answered. */
static int
waitlist_needs(struct request *r, struct buf *b)
{
	struct db_res *res = NULL;
	const char **persons = NULL;
	unsigned char(*deks)[AEAD_KEY_LEN] = NULL;
	enum seal_status *st = NULL;
	enum db_status s;
	int i, n = 0, status = 0;

	if ((s = db_query(r->db, ST_WAITLIST_NEEDS, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	n = db_rows(res);
	persons = malloc((size_t)(n ? n : 1) * sizeof(*persons));
	deks = malloc((size_t)(n ? n : 1) * sizeof(*deks));
	st = malloc((size_t)(n ? n : 1) * sizeof(*st));
	if (persons == NULL || deks == NULL || st == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		persons[i] = row_val(res, i, WN_PERSON);
	if (seal_keys(persons, (size_t)n, deks, st) != SEAL_OK || APPEND_LITERAL(b, "[") != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if (st[i] == SEAL_ERROR || (i > 0 && APPEND_LITERAL(b, ",") != 0) ||
		    need_write(b, res, i, st[i] == SEAL_OK ? deks[i] : NULL) != 0)
			goto fail;
	if (APPEND_LITERAL(b, "]") != 0)
		goto fail;
	goto out;
fail:
	status = reply_internal(r); /* 503 when the key store did not answer */
out:
	if (deks != NULL)
		wipe(deks, (size_t)(n ? n : 1) * sizeof(*deks));
	free(deks);
	free(st);
	free(persons);
	db_res_free(res);
	return status;
}

/* The answer: the eligible candidates and the excluded ones, from the
 * candidate rows (their id and date of application) and their reasons;
 * NULL when a row cannot be rendered. */
static json_t *
candidates_json(const char *unit_id, const struct db_res *res, const struct db_res *unit)
{
	json_t *candidates = json_array(), *excluded = json_array();
	long eligible_n = 0, excluded_n = 0;
	int i;

	for (i = 0; i < db_rows(res); i++) {
		json_t *failed = json_array(), *codes = json_array(),
		       *reasons = candidate_reasons(res, i, unit, codes, failed);
		json_t *c = row_json(&candidate_row, res, i, ROW_PUBLIC);
		long rank = row_long(res, i, CC_RANK), n = row_long(res, i, CC_GROUP_SIZE);
		if (c == NULL) { /* never an answer with a candidate left out */
			json_decref(failed);
			json_decref(codes);
			json_decref(reasons);
			json_decref(candidates);
			json_decref(excluded);
			return NULL;
		}
		if (row_bool(res, i, CC_ELIGIBLE)) {
			eligible_n = n;
			json_object_set_new(c, "rank", json_integer(rank));
			json_decref(failed);
			json_array_append_new(candidates, c);
		} else {
			excluded_n = n;
			json_object_set_new(c, "failed", failed);
			json_array_append_new(excluded, c);
		}
		json_object_set_new(c, "reasons", reasons);
		json_object_set_new(c, "reason_codes", codes);
	}
	return json_pack("{s:s, s:i, s:i, s:o, s:o}", "unit_id", unit_id, "eligible_count",
			 (int)eligible_n, "excluded_count", (int)excluded_n, "candidates",
			 candidates, "excluded", excluded);
}

int
handle_unit_candidates(struct request *r)
{
	struct db_res *unit = NULL, *res = NULL;
	struct buf needs;
	char limit_text[16];
	int limit;
	int status = 500;
	enum db_status s;

	buf_init(&needs, 64u << 20);
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
	if (row_bool(unit, 0, UNIT_ENDED)) {
		status = reply_problem(r, 409, "unit-not-available", "Unit not available",
				       "the unit's availability ended on %s: it has no candidates",
				       row_val(unit, 0, UNIT_AVAILABLE_UNTIL));
		goto out;
	}
	if (strcmp(row_val(unit, 0, UNIT_STATUS), "withdrawn") == 0 ||
	    strcmp(row_val(unit, 0, UNIT_STATUS), "closed") == 0) {
		status = reply_problem(r, 409, "unit-not-available", "Unit not available",
				       "the unit is %s: it is offered to nobody, it has no "
				       "candidates",
				       row_val(unit, 0, UNIT_STATUS));
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	if ((status = waitlist_needs(r, &needs)) != 0)
		goto out;
	status = 500;
	if ((s = db_query(r->db, ST_CANDIDATES, &res, "unit", r->params[0], "limit", limit_text,
			  "needs", needs.data, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_needs_read(r, res) != 0) {
		status = reply_internal(r);
		goto out;
	}
	{
		json_t *answer = candidates_json(r->params[0], res, unit);
		status = answer ? reply_json(r, 200, answer) : reply_internal(r);
	}
out:
	if (needs.data != NULL) /* the opened needs */
		wipe(needs.data, needs.len);
	buf_free(&needs);
	db_res_free(res);
	db_res_free(unit);
	return status;
}
