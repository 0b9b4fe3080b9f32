/* Integration suite "personal_fields" (issue 12, items 3 and 5): a
 * referral's reason, needs and release_date belong to consent categories,
 * are refused when the consent does not cover them, hidden when it stops
 * holding (GET, lists, candidates), and their reads audited; each category
 * has its own fields; the person's journal shows an organisation only its
 * own relations, and only an organisation that follows a person records its
 * consent. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"
#define ALL_CATEGORIES                                                                             \
	"\"identity\",\"contact\",\"housing_situation\",\"income\",\"family\",\"justice\","        \
	"\"health\""

static char *
must_post(const char *slug, const char *path, const char *body, long want)
{
	char *id = post_id(slug, path, body, want);

	ck_assert_msg(id != NULL, "POST %s as %s did not answer %ld", path, slug, want);
	return id;
}

static char *
new_person(const char *slug)
{
	return must_post(slug, "/v1/persons", "{\"external_ref\":\"PF-1\"}", 201);
}

/* A referral body from orga to `to` (program issue.axis1 for orgb,
 * diogenes.housing_support for orgd) with `extra` members appended. */
static void
referral_body(char *out, size_t len, const char *person, const char *to, const char *consent,
	      const char *extra)
{
	snprintf(out, len,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"%s}",
		 person, org_id(to),
		 strcmp(to, "orgd") == 0 ? "diogenes.housing_support" : "issue.axis1", consent,
		 extra);
}

/* Every personal field, with a name, a diagnosis and a conviction in the
 * free text: what the hostile review sent under a consent with no category. */
#define EVERY_PERSONAL_FIELD                                                                       \
	",\"reason\":\"Jean Dupont, HIV positive, convicted of theft\","                           \
	"\"data\":{\"identity\":{\"given_name\":\"Jean\"},\"justice\":{\"prison\":\"Haren\"}},"    \
	"\"needs\":{\"household_size\":2,\"accessibility\":\"wheelchair\","                        \
	"\"avoid_communes\":[\"Forest\"],\"income_band\":\"integration_income\"},"                 \
	"\"release_date\":\"2027-01-15\""

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

static long
audit_count(const char *action, const char *resource_id)
{
	const char *p[2] = {action, resource_id};
	PGconn *c = sql_admin();
	long n = sql_long(
		c, "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2", 2, p);

	PQfinish(c);
	return n;
}

static void
expire_consent(const char *consent)
{
	PGconn *admin = sql_admin();
	const char *p[1] = {consent};
	PGresult *res = PQexecParams(
		admin, "UPDATE consents SET valid_until = current_date - 1 WHERE id = $1::uuid", 1,
		NULL, p, NULL, NULL, 0);

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
	snprintf(body, sizeof(body), "{\"to\":\"%s\"%s}", to,
		 strcmp(to, "declined") == 0 ? ",\"reason_code\":\"no_capacity\"" : "");
	ck_assert_int_eq(call(slug, "POST", path, body, hdr, &r), 0);
	status = r.status;
	resp_free(&r);
	return status;
}

/* The personal members a referral object may carry. */
static const char *const personal[] = {"reason", "needs", "release_date", "data"};

static void
assert_no_personal(json_t *referral, const char *where)
{
	size_t i;

	for (i = 0; i < sizeof(personal) / sizeof(personal[0]); i++)
		ck_assert_msg(json_object_get(referral, personal[i]) == NULL, "%s shows %s", where,
			      personal[i]);
}

/* The item of a referral list with this id, or NULL. */
static json_t *
list_item(const struct resp *r, const char *id)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(r->json, "items"), i, item)
		if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
			return item;
	return NULL;
}

START_TEST(consent_without_category_refuses_personal_fields)
{
	char *person = new_person("orga"), *bare = post_consent("orga", person, "orgb", ""),
	     body[4096];
	char *housing = post_consent("orga", person, "orgb", "\"housing_situation\"");
	long before = sql_count("SELECT count(*) FROM referrals", NULL);
	struct resp r;
	static const char *const fields[] = {"reason",
					     "release_date",
					     "needs.household_size",
					     "needs.accessibility",
					     "needs.avoid_communes",
					     "needs.income_band",
					     "data.identity",
					     "data.justice"};
	size_t i;

	/* A name, a diagnosis and a conviction under a consent with no category. */
	referral_body(body, sizeof(body), person, "orgb", bare, EVERY_PERSONAL_FIELD);
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 403, "%ld %s", r.status, r.body);
	ck_assert_str_eq(problem_type(&r), URN "consent-not-covering");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ck_assert_msg(has_error(&r, fields[i]), "no error for %s: %s", fields[i], r.body);
	resp_free(&r);
	/* Each field alone, each for its own category. */
	{
		static const struct {
			const char *extra, *field, *category;
		} one[] = {
			{",\"reason\":\"no housing\"", "reason", "housing_situation"},
			{",\"release_date\":\"2027-01-15\"", "release_date", "justice"},
			{",\"needs\":{\"household_size\":3}", "needs.household_size", "family"},
			{",\"needs\":{\"accessibility\":\"lift\"}", "needs.accessibility",
			 "health"},
			{",\"needs\":{\"preferred_communes\":[\"Ixelles\"]}",
			 "needs.preferred_communes", "housing_situation"},
			{",\"needs\":{\"income_band\":\"none\"}", "needs.income_band", "income"},
		};
		for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
			char want[64];
			referral_body(body, sizeof(body), person, "orgb", bare, one[i].extra);
			ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
			ck_assert_msg(r.status == 403 && has_error(&r, one[i].field),
				      "case %zu: %ld %s", i, r.status, r.body);
			snprintf(want, sizeof(want), "category:%s", one[i].category);
			ck_assert_msg(strstr(r.body, want) != NULL, "case %zu: %s", i, r.body);
			resp_free(&r);
		}
	}
	/* housing_situation covers the reason, not the release date. */
	referral_body(body, sizeof(body), person, "orgb", housing,
		      ",\"reason\":\"no housing\",\"release_date\":\"2027-01-15\"");
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	ck_assert(has_error(&r, "release_date"));
	ck_assert(!has_error(&r, "reason"));
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 1);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
	/* Without personal fields, the bare consent still refers. */
	referral_body(body, sizeof(body), person, "orgb", bare, "");
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	resp_free(&r);
	free(person);
	free(bare);
	free(housing);
}
END_TEST

START_TEST(each_category_has_its_fields)
{
	char *person = new_person("orga"),
	     *consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	char body[4096];
	long before = sql_count("SELECT count(*) FROM referrals", NULL);
	struct resp r;
	static const struct {
		const char *extra, *field;
	} bad[] = {
		{",\"data\":{\"identity\":{\"given_name\":\"J\",\"hiv_status\":\"positive\"}}",
		 "data.identity.hiv_status"},
		{",\"data\":{\"contact\":{\"diagnosis\":\"x\"}}", "data.contact.diagnosis"},
		{",\"data\":{\"health\":{\"conviction\":\"theft\"}}", "data.health.conviction"},
		{",\"data\":{\"identity\":{\"birth_date\":\"15/01/1987\"}}",
		 "data.identity.birth_date"},
		{",\"needs\":{\"hiv_status\":\"positive\"}", "needs.hiv_status"},
		{",\"needs\":{\"household_size\":0}", "needs.household_size"},
		{",\"reason\":\"\"", "reason"},
		/* A key cut at the error's byte limit in the middle of a character
		 * (hostile review): the error must not vanish with it. */
		{",\"data\":{\"housing_situation\":{\"hiv_status"
		 "_____________________________________________________\xc3\xa9\":\"HIV "
		 "positive\"}}",
		 NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		referral_body(body, sizeof(body), person, "orgb", consent, bad[i].extra);
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
		ck_assert_msg(r.status == 400, "case %zu: %ld %s", i, r.status, r.body);
		ck_assert_str_eq(problem_type(&r), URN "validation");
		ck_assert_msg(bad[i].field == NULL || has_error(&r, bad[i].field), "case %zu: %s",
			      i, r.body);
		resp_free(&r);
	}
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
	/* The documented fields of every category are accepted. */
	referral_body(body, sizeof(body), person, "orgb", consent,
		      ",\"data\":{\"identity\":{\"given_name\":\"Jean\",\"family_name\":\"D.\","
		      "\"birth_date\":\"1987-01-01\",\"languages\":[\"fr\",\"ar\"]},"
		      "\"contact\":{\"phone\":\"+32 470 00 00 00\",\"reference_address\":\"CPAS\"},"
		      "\"housing_situation\":{\"current\":\"prison\",\"since\":\"2024-05-01\"},"
		      "\"income\":{\"band\":\"integration_income\",\"debt_mediation\":true},"
		      "\"family\":{\"household_size\":1,\"children\":0},"
		      "\"justice\":{\"prison\":\"Haren\",\"status\":\"conditional_release\","
		      "\"conditions\":\"no contact with the victim\"},"
		      "\"health\":{\"accessibility\":\"none\",\"mental_health_follow_up\":true}}");
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	resp_free(&r);
	free(person);
	free(consent);
}
END_TEST

START_TEST(hidden_after_withdrawal_reads_audited)
{
	char *person = new_person("orga"),
	     *consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	char body[4096], path[160], *id;
	struct resp r;
	long reads;
	size_t i;

	referral_body(body, sizeof(body), person, "orgb", consent, EVERY_PERSONAL_FIELD);
	/* The 201 carries none: an idempotent replay would answer from that
	 * stored copy after a withdrawal (hostile review). */
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	assert_no_personal(r.json, "the 201 of the create");
	ck_assert_ptr_null(strstr(r.body, "HIV"));
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	/* A transition's free-text note, shown while the consent holds. */
	{
		static const char *const if1[] = {"If-Match: \"1\"", NULL};
		char tpath[200];
		snprintf(tpath, sizeof(tpath), "%s/transitions", path);
		ck_assert_int_eq(call("orgb", "POST", tpath,
				      "{\"to\":\"received\",\"note\":\"psychiatric ward\"}", if1,
				      &r),
				 0);
		ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
		resp_free(&r);
		snprintf(tpath, sizeof(tpath), "%s/history", path);
		ck_assert_int_eq(call("orga", "GET", tpath, NULL, NULL, &r), 0);
		ck_assert_ptr_nonnull(strstr(r.body, "psychiatric"));
		resp_free(&r);
	}

	/* While the consent holds: shown to the receiver, each read audited
	 * with the categories it disclosed. */
	reads = audit_count("referral.read", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	for (i = 0; i < sizeof(personal) / sizeof(personal[0]); i++)
		ck_assert_msg(json_object_get(r.json, personal[i]) != NULL, "no %s: %s",
			      personal[i], r.body);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "release_date")), "2027-01-15");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(r.json, "needs"),
							    "household_size")),
			 2);
	resp_free(&r);
	ck_assert_int_eq(audit_count("referral.read", id), reads + 1);
	{
		const char *p[1] = {id};
		PGconn *c = sql_admin();
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				 "AND resource_id = $1 AND detail->'categories' ?& "
				 "ARRAY['family','health','housing_situation','identity','income',"
				 "'justice']",
				 1, p),
			1);
		PQfinish(c);
	}
	/* Lists never carry them (and are not audited per referral). */
	reads = audit_count("referral.read", id);
	ck_assert_int_eq(
		call("orgb", "GET", "/v1/referrals?role=received&limit=200", NULL, NULL, &r), 0);
	ck_assert_ptr_nonnull(list_item(&r, id));
	assert_no_personal(list_item(&r, id), "the received list");
	ck_assert_ptr_null(strstr(r.body, "HIV"));
	resp_free(&r);
	ck_assert_int_eq(audit_count("referral.read", id), reads);

	/* Withdrawn: hidden from both parties, in GET and lists, at once. */
	{
		char wpath[160];
		snprintf(wpath, sizeof(wpath), "/v1/consents/%s/withdraw", consent);
		ck_assert_int_eq(call("orga", "POST", wpath, "{\"reason\":\"asked\"}", NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
	reads = audit_count("referral.read", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "consent_withdrawn");
	assert_no_personal(r.json, "GET after withdrawal (receiver)");
	ck_assert_ptr_null(strstr(r.body, "HIV"));
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	assert_no_personal(r.json, "GET after withdrawal (sender)");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/referrals?role=sent&limit=200", NULL, NULL, &r),
			 0);
	assert_no_personal(list_item(&r, id), "the sent list");
	resp_free(&r);
	/* Nothing was shown, nothing is recorded as read. */
	ck_assert_int_eq(audit_count("referral.read", id), reads);
	/* The note is hidden like the fields. */
	{
		char tpath[200];
		snprintf(tpath, sizeof(tpath), "%s/history", path);
		ck_assert_int_eq(call("orga", "GET", tpath, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_null(strstr(r.body, "psychiatric"));
		resp_free(&r);
	}
	/* Events never carry them. */
	ck_assert_int_eq(call("orgb", "GET", "/v1/events?limit=200", NULL, NULL, &r), 0);
	ck_assert_ptr_null(strstr(r.body, "HIV"));
	ck_assert_ptr_null(strstr(r.body, "2027-01-15"));
	resp_free(&r);
	/* Row-level security, not the gateway, hides them: the runtime role
	 * as the receiver finds no row, and the referral itself has none. */
	{
		PGconn *app = sql_app();
		const char *b[1] = {org_id("orgb")}, *p[1] = {id};
		PGresult *res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(
			sql_long(app,
				 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, "
				 "true)) s",
				 1, b),
			1);
		ck_assert_int_eq(sql_long(app,
					  "SELECT count(*) FROM referral_data WHERE referral_id = "
					  "$1::uuid",
					  1, p),
				 0);
		ck_assert_int_eq(
			sql_long(app, "SELECT count(*) FROM referrals WHERE id = $1::uuid", 1, p),
			1);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
		PQfinish(app);
	}
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM information_schema.columns WHERE table_name = "
			  "'referrals' AND column_name IN ('reason', 'needs', 'release_date')",
			  NULL),
		0);
	free(id);
	free(person);
	free(consent);
}
END_TEST

/* orgc publishes a studio with a lift in Molenbeek until 2030-06-30, for homeless services. */
static char *
new_unit(void)
{
	char body[1024];
	char *site = must_post("orgc", "/v1/sites",
			       "{\"name\":\"PF site\",\"commune\":\"Molenbeek-Saint-Jean\","
			       "\"period_from\":\"2023-03-01\",\"period_until\":\"2030-07-15\"}",
			       201);

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"PF-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"accessibility\":\"lift\",\"commune\":\"Molenbeek-Saint-Jean\","
		 "\"address\":\"Rue PF 1\",\"available_from\":\"2026-12-01\","
		 "\"available_until\":\"2030-06-30\",\"terms\":\"precarious_occupation\","
		 "\"max_stay_months\":18,\"audience\":[{\"kind\":\"homeless_service\"}],"
		 "\"status\":\"published\"}",
		 site);
	free(site);
	return must_post("orgc", "/v1/units", body, 201);
}

/* The candidate (or excluded) entry of referral id, and in which list. */
static json_t *
candidate(const struct resp *r, const char *id, bool *eligible)
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

START_TEST(hidden_after_expiry_in_get_lists_and_candidates)
{
	char *person = new_person("orga"),
	     *consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	char *unit = new_unit(), body[4096], path[160], cpath[160], *id;
	struct resp r;
	json_t *e;
	bool eligible = false;
	long reads;

	referral_body(body, sizeof(body), person, "orgb", consent,
		      ",\"reason\":\"street since May\",\"needs\":{\"household_size\":1,"
		      "\"accessibility\":\"lift\"},\"release_date\":\"2027-02-01\"");
	id = must_post("orga", "/v1/referrals", body, 201);
	ck_assert_int_eq(move("orgb", id, 1, "received"), 200);
	ck_assert_int_eq(move("orgb", id, 2, "waitlisted"), 200);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	snprintf(cpath, sizeof(cpath), "/v1/units/%s/candidates?limit=200", unit);

	/* While the consent holds: ranked on its needs, the read audited. */
	reads = audit_count("referral.read", id);
	ck_assert_int_eq(call("orgb", "GET", cpath, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	e = candidate(&r, id, &eligible);
	ck_assert_msg(e != NULL && eligible, "%s", r.body);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "reasons"), 1)),
			 "needs lift access: the unit has lift");
	resp_free(&r);
	ck_assert_int_eq(audit_count("referral.read", id), reads + 1);
	{
		const char *p[2] = {id, unit};
		PGconn *c = sql_admin();
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				 "AND resource_id = $1 AND detail->>'via' = 'candidates' "
				 "AND detail->>'unit_id' = $2 AND person_id IS NOT NULL",
				 2, p),
			1);
		PQfinish(c);
	}

	/* Time passes: the consent ended yesterday. */
	expire_consent(consent);
	reads = audit_count("referral.read", id);
	ck_assert_int_eq(call("orgb", "GET", cpath, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	e = candidate(&r, id, &eligible);
	ck_assert_msg(e != NULL && !eligible, "%s", r.body);
	ck_assert_int_eq(json_array_size(json_object_get(e, "failed")), 1);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(e, "failed"), 0)),
			 "consent");
	ck_assert_int_eq(json_array_size(json_object_get(e, "reasons")), 1);
	ck_assert_ptr_null(strstr(
		json_string_value(json_array_get(json_object_get(e, "reasons"), 0)), "lift"));
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "waitlisted");
	assert_no_personal(r.json, "GET after expiry");
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET",
			      "/v1/referrals?role=received&status=waitlisted&limit=200", NULL, NULL,
			      &r),
			 0);
	ck_assert_ptr_nonnull(list_item(&r, id));
	assert_no_personal(list_item(&r, id), "the list after expiry");
	resp_free(&r);
	ck_assert_int_eq(audit_count("referral.read", id), reads);
	/* Out of the way of other suites' candidates. */
	ck_assert_int_eq(move("orga", id, 3, "cancelled"), 200);
	free(id);
	free(unit);
	free(person);
	free(consent);
}
END_TEST

/* The outcome of one statement on c, as its SQLSTATE ("" when it ran). */
static const char *
sqlstate_of(PGconn *c, const char *query, const char *param, char *out, size_t len)
{
	const char *p[1] = {param};
	PGresult *res = PQexecParams(c, query, 1, NULL, p, NULL, NULL, 0);
	const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	snprintf(out, len, "%s", st ? st : "");
	PQclear(res);
	return out;
}

/* needs and release_date are sealed at rest like data and reason (schema/
 * 051): the table holds the needs' names (PostgreSQL decides on their
 * categories) with sealed values and a sealed release date, no clear value;
 * the API still answers the clear ones; and PostgreSQL refuses a clear
 * value written past the gateway. */
START_TEST(needs_and_release_date_sealed_at_rest)
{
	char *person = new_person("orga"),
	     *consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	char body[4096], path[160], state[8], *id;
	PGconn *c;
	const char *p[1];
	json_t *needs;
	struct resp r;

	referral_body(body, sizeof(body), person, "orgb", consent, EVERY_PERSONAL_FIELD);
	id = must_post("orga", "/v1/referrals", body, 201);
	p[0] = id;
	c = sql_admin();
	/* What the owner sees: sealed values under the needs' names. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid "
			 "AND release_date LIKE 'rgw1.%' AND release_date NOT LIKE '%2027%' "
			 "AND needs ?& ARRAY['household_size','accessibility','avoid_communes',"
			 "'income_band'] AND (SELECT count(*) FROM jsonb_object_keys(needs)) = 4 "
			 "AND NOT jsonb_path_exists(needs, '$.* ? (@.type() != \"string\" || "
			 "!(@ starts with \"rgw1.\"))') "
			 "AND needs::text NOT LIKE '%wheelchair%' AND needs::text NOT LIKE "
			 "'%Forest%' "
			 "AND needs::text NOT LIKE '%integration_income%' "
			 /* the ranking's copy (schema/055): one sealed value */
			 "AND ranking LIKE 'rgw1.%' AND ranking NOT LIKE '%wheelchair%' "
			 "AND ranking NOT LIKE '%Forest%' AND ranking NOT LIKE '%2027%'",
			 1, p),
		1);
	/* PostgreSQL still tells the categories from the names. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid AND "
			 "refgw_personal_categories(data, reason, needs, release_date) = "
			 "'{family,health,housing_situation,identity,income,justice}'",
			 1, p),
		1);
	/* A clear value written past the gateway is refused (even by the
	 * owner): nothing changes. */
	PQclear(PQexec(c, "BEGIN"));
	ck_assert_str_eq(sqlstate_of(c,
				     "UPDATE referral_data SET release_date = '2027-01-15' "
				     "WHERE referral_id = $1::uuid",
				     id, state, sizeof(state)),
			 "23514");
	PQclear(PQexec(c, "ROLLBACK"));
	PQclear(PQexec(c, "BEGIN"));
	ck_assert_str_eq(sqlstate_of(c,
				     "UPDATE referral_data SET needs = needs || "
				     "'{\"household_size\": 2}' WHERE referral_id = $1::uuid",
				     id, state, sizeof(state)),
			 "23514");
	PQclear(PQexec(c, "ROLLBACK"));
	PQfinish(c);
	/* The parties read the clear values. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "release_date")), "2027-01-15");
	needs = json_object_get(r.json, "needs");
	ck_assert_int_eq(json_integer_value(json_object_get(needs, "household_size")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(needs, "accessibility")), "wheelchair");
	ck_assert_str_eq(
		json_string_value(json_array_get(json_object_get(needs, "avoid_communes"), 0)),
		"Forest");
	ck_assert_str_eq(json_string_value(json_object_get(needs, "income_band")),
			 "integration_income");
	ck_assert_ptr_null(strstr(r.body, "rgw1."));
	resp_free(&r);
	free(id);
	free(person);
	free(consent);
}
END_TEST

/* PostgreSQL refuses personal fields the consent does not cover, whatever
 * the gateway checked (schema/016, referral_data_insert_covered).  Values
 * are sealed (schema/045): the categories are the keys it sees. */
START_TEST(rls_refuses_uncovered_personal_fields)
{
	char *person = new_person("orga"),
	     *consent = post_consent("orga", person, "orgb", "\"identity\"");
	PGconn *app = sql_app();
	const char *a[1] = {org_id("orga")};
	const char *p[3] = {person, org_id("orgb"), consent};
	PGresult *res;
	char id[40];
	static const char *const inserts[] = {
		"INSERT INTO referral_data (referral_id, data, reason) VALUES ($1::uuid, '{}', "
		"'rgw1.x')",
		"INSERT INTO referral_data (referral_id, data, release_date) VALUES ($1::uuid, "
		"'{}', "
		"'2027-01-01')",
		"INSERT INTO referral_data (referral_id, data, needs) VALUES ($1::uuid, '{}', "
		"'{\"accessibility\":\"lift\"}')",
		"INSERT INTO referral_data (referral_id, data, needs) VALUES ($1::uuid, '{}', "
		"'{\"anything\":1}')",
		"INSERT INTO referral_data (referral_id, data) VALUES ($1::uuid, "
		"'{\"health\":\"rgw1.x\"}')",
	};
	size_t i;

	for (i = 0; i <= sizeof(inserts) / sizeof(inserts[0]); i++) {
		const char *ip[1] = {id};
		res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(
			sql_long(app,
				 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, "
				 "true)) s",
				 1, a),
			1);
		res = PQexecParams(
			app,
			"INSERT INTO referrals (person_id, from_org, to_org, program, consent_id, "
			"purpose) VALUES ($1::uuid, refgw_caller(), $2::uuid, 'issue.axis1', "
			"$3::uuid, 'housing_referral') RETURNING id",
			3, NULL, p, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
			      PQresultErrorMessage(res));
		snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		if (i < sizeof(inserts) / sizeof(inserts[0])) {
			res = PQexecParams(app, inserts[i], 1, NULL, ip, NULL, NULL, 0);
			ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR &&
					      strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE),
						     "42501") == 0,
				      "insert %zu: %s %s", i, PQresStatus(PQresultStatus(res)),
				      PQresultErrorMessage(res));
		} else {
			/* What the consent covers goes in. */
			res = PQexecParams(app,
					   "INSERT INTO referral_data (referral_id, data) VALUES "
					   "($1::uuid, '{\"identity\":\"rgw1.x\"}')",
					   1, NULL, ip, NULL, NULL, 0);
			ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
				      PQresultErrorMessage(res));
		}
		PQclear(res);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
	}
	PQfinish(app);
	free(person);
	free(consent);
}
END_TEST

/* The journal rows visible to slug for person, as a JSON array (new ref). */
static json_t *
journal(const char *slug, const char *person)
{
	char path[160];
	struct resp r;
	json_t *items;

	snprintf(path, sizeof(path), "/v1/audit?person_id=%s&limit=200", person);
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%s: %ld %s", slug, r.status, r.body);
	items = json_incref(json_object_get(r.json, "items"));
	resp_free(&r);
	return items;
}

static bool
journal_has(json_t *items, const char *resource_id, const char *org, const char *action)
{
	json_t *e;
	size_t i;

	json_array_foreach(items, i, e)
		if ((!resource_id || strcmp(json_string_value(json_object_get(e, "resource_id")),
					    resource_id) == 0) &&
		    (!org || (json_string_value(json_object_get(e, "organisation_id")) &&
			      strcmp(json_string_value(json_object_get(e, "organisation_id")),
				     org) == 0)) &&
		    (!action ||
		     strcmp(json_string_value(json_object_get(e, "action")), action) == 0))
			return true;
	return false;
}

START_TEST(journal_shows_only_own_relations)
{
	char *person = new_person("orga");
	char *to_b = post_consent("orga", person, "orgb", "\"identity\"");
	char *to_d = post_consent("orga", person, "orgd", "\"identity\"");
	char body[2048], path[160], *ref_b, *ref_d, *consent_b;
	const char *data = ",\"data\":{\"identity\":{\"given_name\":\"Jean\"}}";
	struct resp r;
	json_t *items, *e;
	size_t i;

	referral_body(body, sizeof(body), person, "orgb", to_b, data);
	ref_b = must_post("orga", "/v1/referrals", body, 201);
	referral_body(body, sizeof(body), person, "orgd", to_d, data);
	ref_d = must_post("orga", "/v1/referrals", body, 201);
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref_d);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref_b);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	resp_free(&r);
	/* orgb follows the person (an open referral): it may record a consent,
	 * and so reads the journal -- of its own relations only. */
	consent_b = post_consent("orgb", person, "orga", "\"identity\"");
	items = journal("orgb", person);
	ck_assert_msg(journal_has(items, ref_b, org_id("orga"), "referral.create"),
		      "orgb's journal");
	ck_assert(journal_has(items, ref_b, org_id("orgb"), "referral.read"));
	ck_assert(journal_has(items, ref_b, org_id("orga"), "referral.read")); /* reads of it */
	ck_assert(journal_has(items, consent_b, org_id("orgb"), "consent.create"));
	json_array_foreach(items, i, e) {
		const char *rid = json_string_value(json_object_get(e, "resource_id")),
			   *org = json_string_value(json_object_get(e, "organisation_id"));
		ck_assert_msg(strcmp(rid, ref_d) != 0, "orgb sees orgd's referral: %s",
			      json_dumps(e, JSON_COMPACT));
		ck_assert_msg(strcmp(rid, to_b) != 0 && strcmp(rid, to_d) != 0,
			      "orgb sees orga's consents");
		ck_assert_msg(org == NULL || strcmp(org, org_id("orgd")) != 0,
			      "orgb sees orgd act");
		ck_assert_msg(strcmp(rid, person) != 0 || (org && strcmp(org, org_id("orgb")) == 0),
			      "orgb sees another's person row: %s", json_dumps(e, JSON_COMPACT));
	}
	json_decref(items);
	/* The same from the database as the runtime role (the policy, not the gateway). */
	{
		PGconn *app = sql_app();
		const char *b[1] = {org_id("orgb")}, *p[2] = {person, ref_d};
		PGresult *res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(
			sql_long(app,
				 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, "
				 "true)) s",
				 1, b),
			1);
		ck_assert_int_gt(
			sql_long(app, "SELECT count(*) FROM audit_log WHERE person_id = $1::uuid",
				 1, p),
			0);
		ck_assert_int_eq(
			sql_long(app,
				 "SELECT count(*) FROM audit_log WHERE person_id = $1::uuid "
				 "AND resource_id = $2",
				 2, p),
			0);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
		PQfinish(app);
	}
	/* The person's creator sees its referrals to both, and who read them;
	 * not orgb's consent. */
	items = journal("orga", person);
	ck_assert(journal_has(items, ref_d, org_id("orgd"), "referral.read"));
	ck_assert(journal_has(items, ref_b, org_id("orgb"), "referral.read"));
	ck_assert(!journal_has(items, consent_b, NULL, NULL));
	json_decref(items);
	/* The coordinator keeps the whole journal. */
	items = journal("coord", person);
	ck_assert(journal_has(items, ref_d, org_id("orgd"), "referral.read"));
	ck_assert(journal_has(items, ref_b, org_id("orgb"), "referral.read"));
	ck_assert(journal_has(items, consent_b, org_id("orgb"), "consent.create"));
	ck_assert(journal_has(items, person, org_id("orga"), "person.create"));
	json_decref(items);
	free(person);
	free(to_b);
	free(to_d);
	free(ref_b);
	free(ref_d);
	free(consent_b);
}
END_TEST

START_TEST(consent_only_by_an_organisation_that_follows)
{
	char *person = new_person("orga"),
	     *to_b = post_consent("orga", person, "orgb", "\"identity\"");
	char body[2048], *ref;
	struct resp r;
	long before;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
		 "\"valid_until\":\"2099-06-30\",\"evidence\":{\"method\":\"oral\",\"witness\":"
		 "\"W\","
		 "\"recorded_by\":\"R\"}}",
		 person, org_id("orga"));
	/* Not related at all: the person does not exist for orgd. */
	before = sql_count("SELECT count(*) FROM consents", NULL);
	ck_assert_int_eq(call("orgd", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* orgb received a referral, then declined it: it follows no more. */
	{
		char rb[1024];
		referral_body(rb, sizeof(rb), person, "orgb", to_b, "");
		ref = must_post("orga", "/v1/referrals", rb, 201);
	}
	ck_assert_int_eq(move("orgb", ref, 1, "received"), 200);
	ck_assert_int_eq(move("orgb", ref, 2, "declined"), 200);
	ck_assert_int_eq(call("orgb", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_msg(r.status == 403, "%ld %s", r.status, r.body);
	ck_assert_str_eq(problem_type(&r), URN "person-not-followed");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM consents", NULL), before);
	/* PostgreSQL says the same to the runtime role. */
	{
		PGconn *app = sql_app();
		const char *b[1] = {org_id("orgb")}, *p[2] = {person, org_id("orga")};
		PGresult *res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(
			sql_long(app,
				 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, "
				 "true)) s",
				 1, b),
			1);
		res = PQexecParams(
			app,
			"INSERT INTO consents (person_id, created_by, recipient_orgs, purposes, "
			"data_categories, valid_until, evidence) VALUES ($1::uuid, refgw_caller(), "
			"ARRAY[$2::uuid], '{housing_referral}', '{}', '2099-01-01', '{}')",
			2, NULL, p, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR &&
				      strcmp(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501") ==
					      0,
			      "%s", PQresultErrorMessage(res));
		PQclear(res);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
		PQfinish(app);
	}
	/* The creator still may. */
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"cpas\"}],"
		 "\"purposes\":[\"social_aid\"],\"data_categories\":[],"
		 "\"valid_until\":\"2099-06-30\",\"evidence\":{\"method\":\"oral\",\"witness\":"
		 "\"W\","
		 "\"recorded_by\":\"R\"}}",
		 person);
	free(must_post("orga", "/v1/consents", body, 201));
	free(ref);
	free(person);
	free(to_b);
}
END_TEST

Suite *
personal_fields_suite(void)
{
	Suite *s = suite_create("personal_fields");
	TCase *t = tcase_create("fields_and_journal");

	tcase_add_test(t, consent_without_category_refuses_personal_fields);
	tcase_add_test(t, each_category_has_its_fields);
	tcase_add_test(t, hidden_after_withdrawal_reads_audited);
	tcase_add_test(t, hidden_after_expiry_in_get_lists_and_candidates);
	tcase_add_test(t, needs_and_release_date_sealed_at_rest);
	tcase_add_test(t, rls_refuses_uncovered_personal_fields);
	tcase_add_test(t, journal_shows_only_own_relations);
	tcase_add_test(t, consent_only_by_an_organisation_that_follows);
	tcase_set_timeout(t, 120);
	suite_add_tcase(s, t);
	return s;
}
