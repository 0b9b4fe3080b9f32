/* Integration suite "ranking" (issue 14, item 4): Rizome-Bxl's candidature
 * list.  A prison social service (orgb) sends detainees' candidatures to
 * Rizome's transit program (orga, a.transit); a justice condition that
 * forbids a commune is a need of its own (needs.excluded_communes, category
 * justice) and a hard constraint; Rizome's list for a studio ranks by fit,
 * then order of application (by day), then release urgency, then preferred
 * communes, every factor in the reasons (docs/candidates.md). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"
#define COVERED "\"housing_situation\",\"family\",\"health\",\"justice\""

static char *
must_post(const char *slug, const char *path, const char *body, long want)
{
	char *id = post_id(slug, path, body, want);

	ck_assert_msg(id != NULL, "POST %s as %s did not answer %ld", path, slug, want);
	return id;
}

static void
admin_exec(const char *query, const char *param)
{
	PGconn *admin = sql_admin();
	const char *p[1] = {param};
	PGresult *res = PQexecParams(admin, query, 1, NULL, p, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", query,
		      PQerrorMessage(admin));
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(admin);
}

static long
move(const char *slug, const char *id, int version, const char *to)
{
	char path[128], ifm[32], body[64];
	const char *hdr[2] = {ifm, NULL};
	struct resp r;
	long status;

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
	snprintf(ifm, sizeof(ifm), "If-Match: \"%d\"", version);
	snprintf(body, sizeof(body), "{\"to\":\"%s\"}", to);
	ck_assert_int_eq(call(slug, "POST", path, body, hdr, &r), 0);
	status = r.status;
	resp_free(&r);
	return status;
}

/* The body of a candidature orgb -> Rizome (orga, a.transit) for person
 * under consent, with `extra` members appended. */
static void
candidature_body(char *out, size_t len, const char *person, const char *consent, const char *extra)
{
	snprintf(out, len,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"%s}",
		 person, org_id("orga"), consent, extra);
}

/* A candidature with these needs (and release date, if any), on Rizome's
 * waitlist, sent at `applied` (a timestamp: the order of application is
 * the point); its consent to *consent if asked. */
static char *
waitlisted(const char *needs, const char *release, const char *applied, char **consent)
{
	char extra[1024], body[2048];
	char *person = must_post("orgb", "/v1/persons", "{\"external_ref\":\"RZ-C\"}", 201);
	char *c = post_consent("orgb", person, "orga", COVERED), *id;

	snprintf(extra, sizeof(extra),
		 ",\"reason\":\"candidature from detention\",\"needs\":%s%s%s%s", needs,
		 release ? ",\"release_date\":\"" : "", release ? release : "",
		 release ? "\"" : "");
	candidature_body(body, sizeof(body), person, c, extra);
	id = must_post("orgb", "/v1/referrals", body, 201);
	ck_assert_int_eq(move("orga", id, 1, "received"), 200);
	ck_assert_int_eq(move("orga", id, 2, "waitlisted"), 200);
	{
		PGconn *admin = sql_admin();
		const char *p[2] = {applied, id};
		PGresult *res = PQexecParams(
			admin,
			"UPDATE referrals SET created_at = $1::timestamptz WHERE id = $2::uuid", 2,
			NULL, p, NULL, NULL, 0);
		ck_assert_str_eq(PQcmdTuples(res), "1");
		PQclear(res);
		PQfinish(admin);
	}
	free(person);
	if (consent != NULL)
		*consent = c;
	else
		free(c);
	return id;
}

/* A studio (capacity 2, lift) in Molenbeek-Saint-Jean until 2030-06-30,
 * offered to Rizome. */
static char *
studio(void)
{
	char body[1024];
	char *site =
		must_post("orgc", "/v1/sites",
			  "{\"name\":\"Transit Molenbeek\",\"commune\":\"Molenbeek-Saint-Jean\","
			  "\"units\":4,\"period_from\":\"2026-01-01\"}",
			  201);

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"T-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"lift\",\"commune\":\"Molenbeek-Saint-"
		 "Jean\",\"address\":\"Rue Ransfort 3, 1080 Molenbeek\","
		 "\"monthly_contribution_eur\":300,\"available_from\":\"2026-12-01\","
		 "\"available_until\":\"2030-06-30\",\"terms\":\"precarious_occupation\","
		 "\"max_stay_months\":18,\"audience\":[{\"organisation_id\":\"%s\"}],"
		 "\"status\":\"published\"}",
		 site, org_id("orga"));
	free(site);
	return must_post("orgc", "/v1/units", body, 201);
}

/* Rizome's candidates for the unit (200). */
static void
candidates(const char *unit, struct resp *r)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", unit);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, r), 0);
	ck_assert_int_eq(r->status, 200);
}

/* The entry of referral id, and in which list. */
static json_t *
entry(const struct resp *r, const char *id, bool *eligible)
{
	static const char *const lists[] = {"candidates", "excluded"};
	json_t *e;
	size_t i, l;

	for (l = 0; l < 2; l++)
		json_array_foreach(json_object_get(r->json, lists[l]), i, e)
			if (strcmp(json_string_value(json_object_get(e, "referral_id")), id) == 0) {
				*eligible = l == 0;
				return e;
			}
	return NULL;
}

/* The reason of entry e whose code is code, or NULL; reasons and codes
 * go together. */
static const char *
reason_for(json_t *e, const char *code)
{
	json_t *codes = json_object_get(e, "reason_codes"), *c;
	size_t i;

	ck_assert_int_eq(json_array_size(codes), json_array_size(json_object_get(e, "reasons")));
	json_array_foreach(codes, i, c)
		if (strcmp(json_string_value(c), code) == 0)
			return json_string_value(json_array_get(json_object_get(e, "reasons"), i));
	return NULL;
}

static void
assert_reason(json_t *e, const char *code, const char *text)
{
	const char *got = reason_for(e, code);

	ck_assert_msg(got != NULL, "no reason %s in %s", code,
		      json_dumps(json_object_get(e, "reason_codes"), 0));
	if (text != NULL)
		ck_assert_msg(strstr(got, text) != NULL, "reason %s: \"%s\" lacks \"%s\"", code,
			      got, text);
}

static bool
has_error(const struct resp *r, const char *field)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(r->json, "errors"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
			return true;
	return false;
}

/* Out of the way of the other suites: the sender cancels. */
static void
cancel(char *id)
{
	ck_assert_int_eq(move("orgb", id, 3, "cancelled"), 200);
	free(id);
}

/* A judge forbade Forest: the communes go under justice, and a consent
 * without justice cannot carry them. */
START_TEST(excluded_communes_need_justice_coverage)
{
	char *person = must_post("orgb", "/v1/persons", "{\"external_ref\":\"RZ-J\"}", 201);
	char *narrow = post_consent("orgb", person, "orga", "\"housing_situation\",\"family\"");
	char *full = post_consent("orgb", person, "orga", COVERED);
	char body[2048], path[160], *id;
	struct resp r;
	long before =
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person);

	candidature_body(body, sizeof(body), person, narrow,
			 ",\"needs\":{\"household_size\":1,\"excluded_communes\":[\"Forest\"]}");
	ck_assert_int_eq(call("orgb", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), URN "consent-not-covering");
	ck_assert_msg(has_error(&r, "needs.excluded_communes"), "%s", r.body);
	ck_assert_msg(!has_error(&r, "needs.household_size"), "%s", r.body);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person),
		before);

	/* Not a list of communes: 400 naming it. */
	candidature_body(body, sizeof(body), person, full,
			 ",\"needs\":{\"excluded_communes\":\"Forest\"}");
	ck_assert_int_eq(call("orgb", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_msg(has_error(&r, "needs.excluded_communes"), "%s", r.body);
	resp_free(&r);
	candidature_body(body, sizeof(body), person, full,
			 ",\"needs\":{\"excluded_communes\":[\"\"]}");
	ck_assert_int_eq(call("orgb", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_msg(has_error(&r, "needs.excluded_communes"), "%s", r.body);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person),
		before);

	/* Under a consent covering justice: stored with the needs, read back. */
	candidature_body(body, sizeof(body), person, full,
			 ",\"needs\":{\"excluded_communes\":[\"Forest\"]}");
	id = must_post("orgb", "/v1/referrals", body, 201);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(
		json_string_value(json_array_get(
			json_object_get(json_object_get(r.json, "needs"), "excluded_communes"), 0)),
		"Forest");
	resp_free(&r);
	/* The database's own check maps it to justice too (schema/023). */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid "
			  "AND refgw_personal_categories(data, reason, needs, release_date) "
			  "= '{justice}'",
			  id),
		1);
	ck_assert_int_eq(move("orgb", id, 1, "cancelled"), 200);
	free(id);
	free(person);
	free(narrow);
	free(full);
}
END_TEST

/* A unit in a commune a justice condition excludes is never eligible; a
 * commune the person would rather avoid is another constraint. */
START_TEST(justice_exclusion_is_a_hard_constraint)
{
	char *unit = studio();
	char *banned = waitlisted("{\"excluded_communes\":[\"Molenbeek-Saint-Jean\",\"Forest\"]}",
				  "2027-02-01", "2026-02-02T09:00:00+01", NULL);
	char *avoids = waitlisted("{\"avoid_communes\":[\"Molenbeek-Saint-Jean\"]}", NULL,
				  "2026-02-02T09:10:00+01", NULL);
	char *elsewhere = waitlisted("{\"excluded_communes\":[\"Forest\"]}", "2027-02-01",
				     "2026-02-02T09:20:00+01", NULL);
	struct resp r;
	json_t *e;
	bool eligible = true;

	candidates(unit, &r);
	e = entry(&r, banned, &eligible);
	ck_assert_msg(e != NULL && !eligible, "not excluded");
	ck_assert_int_eq(json_array_size(json_object_get(e, "failed")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
			 "justice");
	assert_reason(e, "justice.excluded",
		      "Molenbeek-Saint-Jean is excluded by a justice condition");
	assert_reason(e, "commune.not_avoided", NULL);
	assert_reason(e, "order.not_ranked", "fails justice");
	ck_assert_ptr_null(json_object_get(e, "rank"));

	e = entry(&r, avoids, &eligible);
	ck_assert_msg(e != NULL && !eligible, "not excluded");
	ck_assert_int_eq(json_array_size(json_object_get(e, "failed")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
			 "commune");
	assert_reason(e, "commune.avoided", NULL);
	assert_reason(e, "justice.none", "no commune excluded by a justice condition");

	e = entry(&r, elsewhere, &eligible);
	ck_assert_msg(e != NULL && eligible, "not eligible");
	assert_reason(e, "justice.not_excluded",
		      "Molenbeek-Saint-Jean is not excluded by a justice condition");
	/* The list of excluded communes itself is not repeated. */
	ck_assert_ptr_null(strstr(r.body, "Forest"));
	resp_free(&r);
	cancel(banned), cancel(avoids), cancel(elsewhere);
	free(unit);
}
END_TEST

/* Rizome's list for the studio: fit first (an unfit older candidature is
 * not ranked), then the day of application (an older one ranks before more
 * urgent ones), then among one day's candidatures the release urgency (one
 * already released first, none last), then the preferred communes, then the
 * time. */
START_TEST(ranked_by_fit_application_urgency_preference)
{
	char *unit = studio();
	/* 3 February: a family of three, too many for a studio. */
	char *unfit =
		waitlisted("{\"household_size\":3}", "2026-03-01", "2026-02-03T10:00:00+01", NULL);
	/* 4 February: released late, but applied first. */
	char *early =
		waitlisted("{\"household_size\":1}", "2029-06-01", "2026-02-04T16:00:00+01", NULL);
	/* 5 February, in this order of time. */
	char *no_date = waitlisted("{}", NULL, "2026-02-05T09:00:00+01", NULL);
	char *march = waitlisted("{\"preferred_communes\":[\"Ixelles\"]}", "2027-03-01",
				 "2026-02-05T09:10:00+01", NULL);
	char *no_date_pref = waitlisted("{\"preferred_communes\":[\"Molenbeek-Saint-Jean\"]}", NULL,
					"2026-02-05T09:20:00+01", NULL);
	char *march_pref =
		waitlisted("{\"preferred_communes\":[\"Anderlecht\",\"Molenbeek-Saint-Jean\"]}",
			   "2027-03-01", "2026-02-05T09:30:00+01", NULL);
	char *released = waitlisted("{}", "2026-01-15", "2026-02-05T09:40:00+01", NULL);
	/* Late on the 5th (in Brussels), like no_date: after it, by time. */
	char *late = waitlisted("{}", NULL, "2026-02-05T23:30:00+01", NULL);
	/* Half past midnight on the 6th in Brussels (still the 5th in UTC):
	 * the next day, after all of the 5th however urgent. */
	char *next_day = waitlisted("{}", "2026-01-10", "2026-02-06T00:30:00+01", NULL);
	const char *want[] = {early,        released, march_pref, march,
			      no_date_pref, no_date,  late,       next_day};
	struct resp r;
	json_t *e;
	bool eligible;
	long last = 0;
	size_t i;

	candidates(unit, &r);
	e = entry(&r, unfit, &eligible);
	ck_assert_msg(e != NULL && !eligible, "not excluded");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
			 "household");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		long rank;
		e = entry(&r, want[i], &eligible);
		ck_assert_msg(e != NULL && eligible, "candidate %zu not eligible", i);
		rank = json_integer_value(json_object_get(e, "rank"));
		ck_assert_msg(rank > last, "candidate %zu ranks %ld after %ld", i, rank, last);
		last = rank;
	}
	/* Each factor in the reasons. */
	e = entry(&r, early, &eligible);
	assert_reason(e, "household.fits", "household of 1 fits a studio");
	assert_reason(e, "order.rank", "applied 2026-02-04T15:00:00Z");
	assert_reason(e, "urgency.upcoming", "released 2029-06-01");
	assert_reason(e, "preference.none", NULL);
	e = entry(&r, released, &eligible);
	assert_reason(e, "urgency.released", "released 2026-01-15, already out");
	assert_reason(e, "order.same_day", "1 of the 6 eligible applications of 2026-02-05");
	e = entry(&r, march_pref, &eligible);
	assert_reason(e, "urgency.upcoming", "released 2027-03-01");
	assert_reason(e, "preference.preferred", "Molenbeek-Saint-Jean is among them");
	assert_reason(e, "order.same_day", "2 of the 6");
	e = entry(&r, march, &eligible);
	assert_reason(e, "preference.not_preferred", "Molenbeek-Saint-Jean is not among them");
	e = entry(&r, no_date_pref, &eligible);
	assert_reason(e, "urgency.unknown", NULL);
	assert_reason(e, "preference.preferred", NULL);
	e = entry(&r, late, &eligible);
	assert_reason(e, "order.same_day", "6 of the 6 eligible applications of 2026-02-05");
	e = entry(&r, next_day, &eligible);
	assert_reason(e, "order.rank", "the only eligible application of 2026-02-06");
	/* Eligible before excluded, ranks 1..n. */
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_array_get(json_object_get(r.json, "candidates"), 0), "rank")),
			 1);
	/* A row written before schema/055 has no sealed copy of its needs:
	 * ranked from its members, one opening each, the answer is the same. */
	admin_exec("UPDATE referral_data SET ranking = NULL WHERE referral_id = $1::uuid", unfit);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		admin_exec("UPDATE referral_data SET ranking = NULL WHERE referral_id = $1::uuid",
			   want[i]);
	{
		struct resp members;

		candidates(unit, &members);
		ck_assert_msg(json_equal(r.json, members.json),
			      "ranked from the members, the answer differs");
		resp_free(&members);
	}
	resp_free(&r);
	cancel(unfit), cancel(early), cancel(no_date), cancel(march), cancel(no_date_pref);
	cancel(march_pref), cancel(released), cancel(late), cancel(next_day);
	free(unit);
}
END_TEST

/* A withdrawn consent's candidature is never eligible: withdrawn through
 * the API it leaves the waitlist; and were it still waitlisted (a
 * withdrawal recorded before its referrals were closed, schema/020), its
 * needs are hidden and it is not ranked. */
START_TEST(withdrawn_consent_never_eligible)
{
	char *unit = studio(), *consent, *other_consent, path[160];
	char *withdrawn = waitlisted("{\"household_size\":1,\"preferred_communes\":"
				     "[\"Molenbeek-Saint-Jean\"]}",
				     "2027-01-10", "2026-02-06T09:00:00+01", &consent);
	char *stale = waitlisted("{\"household_size\":1,\"preferred_communes\":"
				 "[\"Molenbeek-Saint-Jean\"]}",
				 "2027-01-10", "2026-02-06T09:05:00+01", &other_consent);
	struct resp r;
	json_t *e;
	bool eligible = false;

	candidates(unit, &r);
	ck_assert_ptr_nonnull(entry(&r, withdrawn, &eligible));
	ck_assert(eligible);
	resp_free(&r);

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(call("orgb", "POST", path, "{\"reason\":\"asked\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	admin_exec("UPDATE consents SET status = 'withdrawn', withdrawn_at = now() "
		   "WHERE id = $1::uuid",
		   other_consent);

	candidates(unit, &r);
	ck_assert_msg(entry(&r, withdrawn, &eligible) == NULL, "still listed");
	e = entry(&r, stale, &eligible);
	ck_assert_msg(e != NULL && !eligible, "not excluded");
	ck_assert_int_eq(json_array_size(json_object_get(e, "failed")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
			 "consent");
	ck_assert_int_eq(json_array_size(json_object_get(e, "reason_codes")), 1);
	assert_reason(e, "consent.not_holding", NULL);
	ck_assert_ptr_null(json_object_get(e, "rank"));
	resp_free(&r);
	free(withdrawn);
	cancel(stale);
	free(consent), free(other_consent), free(unit);
}
END_TEST

Suite *
ranking_suite(void)
{
	Suite *s = suite_create("ranking");
	TCase *t = tcase_create("ranking");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, excluded_communes_need_justice_coverage);
	tcase_add_test(t, justice_exclusion_is_a_hard_constraint);
	tcase_add_test(t, ranked_by_fit_application_urgency_preference);
	tcase_add_test(t, withdrawn_consent_never_eligible);
	suite_add_tcase(s, t);
	return s;
}
