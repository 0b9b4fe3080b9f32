/* candidates: the caller's waitlisted referrals measured against one unit
 * (candidates.h): eligible ones ranked by fit, then order of application
 * (by day), then release urgency, then preferred communes (a referral back
 * on the waitlist because its unit was taken back before all), each with its
 * reasons; excluded ones with the constraints they fail.  One statement
 * reads the waitlist in order of application with its needs sealed
 * (ST_WAITLIST); the needs are opened here with the persons' keys, and the
 * measuring, the order and the reasons (one sentence and one code per
 * factor) are C (docs/candidates.md: the rules, as schema/009 first wrote
 * them in SQL). */
#include "candidates.h"

#include <limits.h>
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

/* The unit as the ranking reads it. */
struct unit_facts {
	const char *type, *commune, *access, *until; /* until: NULL, no end */
	long capacity;
};

/* One waitlisted referral measured against the unit: row is its row of
 * ST_WAITLIST (in order of application), the rest what the needs say. */
struct cand {
	int row;
	bool visible, taken_back, fits, access_ok, commune_ok, justice_ok, release_ok, preferred,
		eligible;
	long household, excluded_n, preferred_n, release_in;
	char access[32];  /* the accessibility need, "none" when none given */
	char release[11]; /* YYYY-MM-DD, "" when none */
	/* the sort keys, as day numbers: the day of application; the
	 * eligible's release date, today when past (LONG_MAX: none) */
	long app_day, urgency;
	long rank, n, day_rank, day_n;
};

/* refgw_unit_capacity (schema/009): how many people the unit houses. */
static long
unit_capacity(const char *type, const char *bedrooms)
{
	long b = 0;

	if (strcmp(type, "room") == 0 || strcmp(type, "shared_house_room") == 0)
		return 1;
	if (strcmp(type, "studio") == 0)
		return 2;
	if (bedrooms == NULL || parse_long(bedrooms, 0, 1000, &b) != 0)
		b = 0;
	return 2 * b > 2 ? 2 * b : 2;
}

/* refgw_access_fits (schema/009): the unit's accessibility meets the need. */
static bool
access_fits(const char *need, const char *unit)
{
	if (strcmp(need, "none") == 0)
		return true;
	if (unit == NULL)
		return false;
	if (strcmp(need, "lift") == 0)
		return strcmp(unit, "lift") == 0 || strcmp(unit, "ground_floor") == 0 ||
		       strcmp(unit, "wheelchair") == 0;
	if (strcmp(need, "ground_floor") == 0)
		return strcmp(unit, "ground_floor") == 0 || strcmp(unit, "wheelchair") == 0;
	if (strcmp(need, "wheelchair") == 0)
		return strcmp(unit, "wheelchair") == 0;
	return false;
}

/* The day number of a YYYY-MM-DD date (days from civil, proleptic
 * Gregorian), or LONG_MIN when it is not one. */
static long
day_number(const char *d)
{
	int y, m, dd;
	long era, yoe, doy;

	if (strlen(d) != 10 || sscanf(d, "%4d-%2d-%2d", &y, &m, &dd) != 3 || m < 1 || m > 12 ||
	    dd < 1 || dd > 31)
		return LONG_MIN;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* s is among the strings of the JSON array a (jsonb's a ? s). */
static bool
among(const json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* What the openings of one request share: a buffer for each opened need,
 * and one cipher context (the key set again only when the person changes). */
struct opening {
	struct buf scratch;
	struct aead_opener *opener;
};

/* The need of column col of row i, opened with the person's key and
 * parsed; NULL in *out when the row has none.  0 or -1. */
static int
need_open(struct opening *op, const struct db_res *res, int i, int col, const unsigned char *dek,
	  json_t **out)
{
	/* the labels the needs are sealed under (seal.h): "needs.<member>" */
	static const char *const labels[] = {
		[WL_RELEASE] = "release_date",
		[WL_HOUSEHOLD] = "needs.household_size",
		[WL_ACCESS] = "needs.accessibility",
		[WL_AVOID] = "needs.avoid_communes",
		[WL_EXCLUDED] = "needs.excluded_communes",
		[WL_PREFERRED] = "needs.preferred_communes",
		[WL_RANKING] = "ranking",
	};
	const char *sealed = row_str(res, i, col), *person = row_val(res, i, WL_PERSON),
		   *label = labels[col];
	struct buf *scratch = &op->scratch;
	int rc = 0;

	*out = NULL;
	if (sealed == NULL)
		return 0;
	scratch->len = 0;
	if (seal_open_write_with(op->opener, scratch, dek, person, label, sealed) != SEAL_OK ||
	    (*out = json_loadb(scratch->data, scratch->len, JSON_DECODE_ANY, NULL)) == NULL)
		rc = -1;
	wipe(scratch->data, scratch->len);
	return rc;
}

/* Measures row i against the unit into c: its needs opened with dek (NULL:
 * the person is erased, no needs), its hard constraints, its tie-breakers.
 * 0 or -1 (a need that does not open or is not of its type). */
static int
measure(struct cand *c, const struct db_res *res, int i, const unsigned char *dek,
	const struct unit_facts *u, long today, struct opening *op)
{
	json_t *v[WL_PREFERRED + 1] = {NULL};
	const char *acc = "none";
	int col, rc = -1;

	memset(c, 0, sizeof(*c));
	c->row = i;
	c->visible = row_bool(res, i, WL_VISIBLE);
	c->taken_back = row_bool(res, i, WL_TAKEN_BACK);
	c->household = 1;
	c->urgency = LONG_MAX;
	if ((c->app_day = day_number(row_val(res, i, WL_APP_DAY))) == LONG_MIN)
		goto out;
	if (c->visible && dek != NULL && !row_null(res, i, WL_RANKING)) {
		/* one opening: the ranking's copy of the needs (schema/055) */
		json_t *all = NULL;

		if (need_open(op, res, i, WL_RANKING, dek, &all) != 0 || !json_is_object(all)) {
			json_decref(all);
			goto out;
		}
		for (col = WL_RELEASE; col <= WL_PREFERRED; col++) {
			v[col] = json_object_get(all, waitlist_row.cols[col].name);
			if (json_is_null(v[col]))
				v[col] = NULL;
			json_incref(v[col]);
		}
		json_decref(all);
	} else
		for (col = WL_RELEASE; c->visible && dek != NULL && col <= WL_PREFERRED; col++)
			if (need_open(op, res, i, col, dek, &v[col]) != 0)
				goto out;
	if (v[WL_HOUSEHOLD] != NULL) {
		if (!json_is_integer(v[WL_HOUSEHOLD]))
			goto out;
		c->household = (long)json_integer_value(v[WL_HOUSEHOLD]);
	}
	if (v[WL_ACCESS] != NULL) {
		if (!json_is_string(v[WL_ACCESS]))
			goto out;
		acc = json_string_value(v[WL_ACCESS]);
	}
	snprintf(c->access, sizeof(c->access), "%s", acc);
	if (v[WL_RELEASE] != NULL) {
		long n;

		if (!json_is_string(v[WL_RELEASE]) ||
		    (n = day_number(json_string_value(v[WL_RELEASE]))) == LONG_MIN)
			goto out;
		memcpy(c->release, json_string_value(v[WL_RELEASE]), 11);
		c->release_in = n - today;
		c->urgency = n > today ? n : today;
	}
	for (col = WL_AVOID; col <= WL_PREFERRED; col++)
		if (v[col] != NULL && !json_is_array(v[col]))
			goto out;
	c->fits = c->household <= u->capacity;
	c->access_ok = access_fits(c->access, u->access);
	c->commune_ok = !among(v[WL_AVOID], u->commune);
	c->justice_ok = !among(v[WL_EXCLUDED], u->commune);
	c->excluded_n = (long)json_array_size(v[WL_EXCLUDED]);
	c->preferred_n = (long)json_array_size(v[WL_PREFERRED]);
	c->preferred = among(v[WL_PREFERRED], u->commune);
	c->release_ok =
		c->release[0] == '\0' || u->until == NULL || strcmp(c->release, u->until) < 0;
	c->eligible = c->visible && c->fits && c->access_ok && c->commune_ok && c->justice_ok &&
		      c->release_ok;
	/* the tie-breakers order the eligible only: the excluded stay in
	 * order of application */
	if (!c->eligible)
		c->urgency = LONG_MAX;
	rc = 0;
out:
	for (col = WL_RELEASE; col <= WL_PREFERRED; col++)
		json_decref(v[col]);
	return rc;
}

/* The order within a day of the eligible: a referral back because its unit
 * was taken back first, then release urgency (none last), then the unit's
 * commune among the preferred ones, then the order of application. */
static int
tie_break(const struct cand *a, const struct cand *b)
{
	if (a->eligible && (a->taken_back != b->taken_back))
		return a->taken_back ? -1 : 1;
	if (a->urgency != b->urgency)
		return a->urgency < b->urgency ? -1 : 1;
	if (a->eligible && a->preferred != b->preferred)
		return a->preferred ? -1 : 1;
	return a->row - b->row;
}

/* The ranking: the eligible before the excluded; among the eligible, one
 * taken back first, then the day of application, then the tie-breakers; the
 * excluded in order of application. */
static int
rank_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->eligible != b->eligible)
		return a->eligible ? -1 : 1;
	if (a->eligible && a->taken_back != b->taken_back)
		return a->taken_back ? -1 : 1;
	if (a->app_day != b->app_day)
		return a->app_day < b->app_day ? -1 : 1;
	return tie_break(a, b);
}

/* The day groups: the applications of one day of each group, in their order
 * of that day. */
static int
day_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	if (a->eligible != b->eligible)
		return a->eligible ? -1 : 1;
	if (a->app_day != b->app_day)
		return a->app_day < b->app_day ? -1 : 1;
	return tie_break(a, b);
}

/* Numbers the candidates c (n of them, in the order of day_cmp) within their
 * day, then sorts them in the order of the ranking and numbers them within
 * their group. */
static void
rank(struct cand *c, int n)
{
	int i, j;

	qsort(c, (size_t)n, sizeof(*c), day_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && c[j].eligible == c[i].eligible && c[j].app_day == c[i].app_day;
		     j++)
			c[j].day_rank = j - i + 1;
		for (int k = i; k < j; k++)
			c[k].day_n = j - i;
	}
	qsort(c, (size_t)n, sizeof(*c), rank_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && c[j].eligible == c[i].eligible; j++)
			c[j].rank = j - i + 1;
		for (int k = i; k < j; k++)
			c[k].n = j - i;
	}
}

/* The hard constraints of candidate c for the unit, the ones it fails
 * added to failed. */
static void
constraint_reasons(const struct cand *c, const struct unit_facts *u, json_t *reasons, json_t *codes,
		   json_t *failed)
{
	if (c->fits)
		reason(reasons, codes, "household.fits",
		       "household of %ld fits a %s (capacity %ld)", c->household, u->type,
		       u->capacity);
	else {
		reason(reasons, codes, "household.exceeds",
		       "household of %ld exceeds the %s's capacity of %ld", c->household, u->type,
		       u->capacity);
		json_array_append_new(failed, json_string("household"));
	}
	if (strcmp(c->access, "none") == 0)
		reason(reasons, codes, "accessibility.none", "no accessibility need");
	else if (c->access_ok)
		reason(reasons, codes, "accessibility.fits", "needs %s access: the unit has %s",
		       c->access, u->access);
	else {
		reason(reasons, codes, "accessibility.lacks", "needs %s access; the unit offers %s",
		       c->access, u->access);
		json_array_append_new(failed, json_string("accessibility"));
	}
	if (c->commune_ok)
		reason(reasons, codes, "commune.not_avoided",
		       "%s is not among the communes to avoid", u->commune);
	else {
		reason(reasons, codes, "commune.avoided", "%s is among the communes to avoid",
		       u->commune);
		json_array_append_new(failed, json_string("commune"));
	}
	if (c->release[0] == '\0')
		reason(reasons, codes, "release_date.none", "no release date");
	else if (u->until == NULL)
		reason(reasons, codes, "release_date.no_end",
		       "released %s; the unit has no end date", c->release);
	else if (c->release_ok)
		reason(reasons, codes, "release_date.before_end",
		       "released %s, before the unit's end %s", c->release, u->until);
	else {
		reason(reasons, codes, "release_date.after_end",
		       "released %s, not before the unit's end %s", c->release, u->until);
		json_array_append_new(failed, json_string("release_date"));
	}
	if (c->excluded_n == 0)
		reason(reasons, codes, "justice.none",
		       "no commune excluded by a justice condition");
	else if (c->justice_ok)
		reason(reasons, codes, "justice.not_excluded",
		       "%s is not excluded by a justice condition", u->commune);
	else {
		reason(reasons, codes, "justice.excluded", "%s is excluded by a justice condition",
		       u->commune);
		json_array_append_new(failed, json_string("justice"));
	}
}

/* The tie-breakers of candidate c: release urgency, preferred communes. */
static void
order_reasons(const struct cand *c, const struct unit_facts *u, json_t *reasons, json_t *codes)
{
	if (c->release[0] == '\0')
		reason(reasons, codes, "urgency.unknown",
		       "release urgency: no release date, after those with one");
	else if (c->release_in <= 0)
		reason(reasons, codes, "urgency.released",
		       "release urgency: released %s, already out (most urgent)", c->release);
	else
		reason(reasons, codes, "urgency.upcoming",
		       "release urgency: released %s, in %ld days", c->release, c->release_in);
	if (c->preferred_n == 0)
		reason(reasons, codes, "preference.none", "preferred communes: none given");
	else if (c->preferred)
		reason(reasons, codes, "preference.preferred",
		       "preferred communes: %s is among them", u->commune);
	else
		reason(reasons, codes, "preference.not_preferred",
		       "preferred communes: %s is not among them", u->commune);
}

/* The reasons of candidate c for the unit and their codes (to codes), the
 * constraints it fails added to failed. */
static json_t *
candidate_reasons(const struct cand *c, const struct db_res *res, const struct unit_facts *u,
		  json_t *codes, json_t *failed)
{
	json_t *reasons = json_array();
	const char *applied = row_val(res, c->row, WL_APPLIED);

	/* The consent no longer holds: its needs are hidden, nothing is said
	 * about them, and it is not ranked. */
	if (!c->visible) {
		json_array_append_new(failed, json_string("consent"));
		reason(reasons, codes, "consent.not_holding",
		       "the consent no longer holds (withdrawn or expired): its needs are hidden, "
		       "it cannot be ranked");
		return reasons;
	}
	constraint_reasons(c, u, reasons, codes, failed);
	order_reasons(c, u, reasons, codes);
	if (c->taken_back)
		reason(reasons, codes, "priority.unit_withdrawn",
		       "priority: back on the waitlist because the unit of its placement was taken "
		       "back; %s",
		       c->eligible ? "ranks before the other applications"
				   : "ranks first once eligible");
	if (!c->eligible) {
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
		       applied, names != NULL ? names : "");
		free(names);
	} else if (c->day_n == 1)
		reason(reasons, codes, "order.rank",
		       "rank %ld of %ld eligible: applied %s, the only eligible application of %s",
		       c->rank, c->n, applied, row_val(res, c->row, WL_APP_DAY));
	else
		reason(reasons, codes, "order.same_day",
		       "rank %ld of %ld eligible: applied %s, %ld of the %ld eligible applications "
		       "of %s, which rank by release urgency, then preferred communes, then time",
		       c->rank, c->n, applied, c->day_rank, c->day_n,
		       row_val(res, c->row, WL_APP_DAY));
	return reasons;
}

/* "{a,b}" of the column of the shown candidates (the first shown of c)
 * whose needs were read. */
static int
shown_literal(struct buf *b, const struct cand *c, int shown, const struct db_res *res, int col)
{
	int i, n = 0;

	if (buf_append(b, "{", 1) != 0)
		return -1;
	for (i = 0; i < shown; i++) {
		const char *v = row_val(res, c[i].row, col);

		if (!c[i].visible)
			continue;
		if ((n++ && buf_append(b, ",", 1) != 0) || buf_append(b, v, strlen(v)) != 0)
			return -1;
	}
	return buf_append(b, "}", 1);
}

/* The reasons show each referral's needs: one read of its personal fields,
 * audited as GET /v1/referrals/{id} is.  0 or -1. */
static int
audit_needs_read(struct request *r, const struct cand *c, int shown, const struct db_res *res)
{
	struct buf ids, persons;
	json_t *detail = json_pack("{s:s, s:s}", "via", "candidates", "unit_id", r->params[0]);
	int rc;

	buf_init(&ids, 1u << 20);
	buf_init(&persons, 1u << 20);
	rc = shown_literal(&ids, c, shown, res, WL_ID) != 0 ||
			     shown_literal(&persons, c, shown, res, WL_PERSON) != 0
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

/* The caller's waitlist measured against the unit: *out the candidates (n
 * of them in *n) in the order of the ranking, their needs opened with their
 * persons' keys (seal_keys: those not cached in one query of the key
 * store).  0, or the status answered. */
static int
measure_all(struct request *r, const struct db_res *res, const struct unit_facts *u,
	    struct cand **out, int *count)
{
	int i, n = db_rows(res), v = 0, status = 0;
	const char **persons = malloc((size_t)(n ? n : 1) * sizeof(*persons));
	unsigned char(*deks)[AEAD_KEY_LEN] = malloc((size_t)(n ? n : 1) * sizeof(*deks));
	enum seal_status *st = malloc((size_t)(n ? n : 1) * sizeof(*st));
	struct cand *c = calloc((size_t)(n ? n : 1), sizeof(*c));
	long today = n ? day_number(row_val(res, 0, WL_TODAY)) : 0;
	struct opening op = {.opener = crypto_aead_opener_new()};

	buf_init(&op.scratch, 1u << 20);
	if (persons == NULL || deks == NULL || st == NULL || c == NULL || op.opener == NULL ||
	    today == LONG_MIN)
		goto fail;
	/* the keys of the persons whose consent holds, only */
	for (i = 0; i < n; i++)
		if (row_bool(res, i, WL_VISIBLE))
			persons[v++] = row_val(res, i, WL_PERSON);
	if (seal_keys(persons, (size_t)v, deks, st) != SEAL_OK)
		goto fail;
	for (i = 0, v = 0; i < n; i++) {
		const unsigned char *dek = NULL;

		if (row_bool(res, i, WL_VISIBLE)) {
			if (st[v] == SEAL_ERROR)
				goto fail;
			dek = st[v] == SEAL_OK ? deks[v] : NULL;
			v++;
		}
		if (measure(&c[i], res, i, dek, u, today, &op) != 0)
			goto fail;
	}
	rank(c, n);
	*out = c;
	*count = n;
	c = NULL;
	goto out;
fail:
	status = reply_internal(r); /* 503 when the key store did not answer */
out:
	if (deks != NULL)
		wipe(deks, (size_t)(n ? n : 1) * sizeof(*deks));
	if (c != NULL)
		wipe(c, (size_t)(n ? n : 1) * sizeof(*c));
	free(c);
	free(deks);
	free(st);
	free(persons);
	buf_free(&op.scratch);
	crypto_aead_opener_free(op.opener);
	return status;
}

/* The answer: the eligible candidates and the excluded ones (the first
 * shown of c, at most limit of each group), their id, date of application
 * and reasons; NULL when one cannot be rendered. */
static json_t *
candidates_json(const char *unit_id, const struct cand *c, int shown, const struct db_res *res,
		const struct unit_facts *u)
{
	json_t *candidates = json_array(), *excluded = json_array();
	long eligible_n = 0, excluded_n = 0;
	int i;

	for (i = 0; i < shown; i++) {
		json_t *failed = json_array(), *codes = json_array(),
		       *reasons = candidate_reasons(&c[i], res, u, codes, failed);
		json_t *o = json_pack("{s:s, s:s}", "referral_id", row_val(res, c[i].row, WL_ID),
				      "applied_at", row_val(res, c[i].row, WL_APPLIED));
		if (o == NULL) { /* never an answer with a candidate left out */
			json_decref(failed);
			json_decref(codes);
			json_decref(reasons);
			json_decref(candidates);
			json_decref(excluded);
			return NULL;
		}
		if (c[i].eligible) {
			eligible_n = c[i].n;
			json_object_set_new(o, "rank", json_integer(c[i].rank));
			json_decref(failed);
			json_array_append_new(candidates, o);
		} else {
			excluded_n = c[i].n;
			json_object_set_new(o, "failed", failed);
			json_array_append_new(excluded, o);
		}
		json_object_set_new(o, "reasons", reasons);
		json_object_set_new(o, "reason_codes", codes);
	}
	return json_pack("{s:s, s:i, s:i, s:o, s:o}", "unit_id", unit_id, "eligible_count",
			 (int)eligible_n, "excluded_count", (int)excluded_n, "candidates",
			 candidates, "excluded", excluded);
}

int
handle_unit_candidates(struct request *r)
{
	struct db_res *unit = NULL, *res = NULL;
	struct cand *c = NULL;
	struct unit_facts u;
	int limit, n = 0, shown = 0, i, status = 500;
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
	u.type = row_val(unit, 0, UNIT_TYPE);
	u.commune = row_val(unit, 0, UNIT_COMMUNE);
	u.access = row_str(unit, 0, UNIT_ACCESSIBILITY);
	u.until = row_str(unit, 0, UNIT_AVAILABLE_UNTIL);
	u.capacity = unit_capacity(u.type, row_str(unit, 0, UNIT_BEDROOMS));
	if ((s = db_query(r->db, ST_WAITLIST, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if ((status = measure_all(r, res, &u, &c, &n)) != 0)
		goto out;
	status = 500;
	/* at most limit of each group: the ranking puts the eligible first */
	for (i = 0; i < n; i++)
		if (c[i].rank <= limit)
			c[shown++] = c[i];
	if (audit_needs_read(r, c, shown, res) != 0) {
		status = reply_internal(r);
		goto out;
	}
	{
		json_t *answer = candidates_json(r->params[0], c, shown, res, &u);
		status = answer ? reply_json(r, 200, answer) : reply_internal(r);
	}
out:
	if (c != NULL) /* what the needs said */
		wipe(c, (size_t)(n ? n : 1) * sizeof(*c));
	free(c);
	db_res_free(res);
	db_res_free(unit);
	return status;
}
