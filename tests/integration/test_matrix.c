/* The access matrix: every endpoint of the referral flow, called by each
 * role around one referral (sender, receiver, a third organisation, the
 * coordinator, a housing operator), with the expected status — and proof
 * that every refused call changed nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static char person[40], consent[40], referral[40];

/* A digest of everything a call could change (the audit log excluded:
 * successful reads of personal data are logged by design). */
static char *
state_digest(void)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(
		c, "SELECT md5(concat_ws('|',"
		   " (SELECT count(*) FROM persons),"
		   " (SELECT string_agg(id::text || status, ',' ORDER BY id) FROM consents),"
		   " (SELECT string_agg(id::text || status || version, ',' ORDER BY id) FROM "
		   "referrals),"
		   " (SELECT count(*) FROM referral_transitions),"
		   " (SELECT count(*) FROM events),"
		   " (SELECT string_agg(id::text || version, ',' ORDER BY id) FROM organisations),"
		   " (SELECT count(*) FROM certificates WHERE revoked_at IS NULL),"
		   " (SELECT string_agg(action || allowed, ',' ORDER BY action, kind) FROM "
		   "access_rules)))");
	char *d;

	/* A digest that cannot be computed fails the test: a constant would
	 * compare equal before and after whatever the call changed. */
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		ck_abort_msg("state digest: %s", PQresultErrorMessage(r));
	d = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	PQfinish(c);
	return d;
}

static void
setup(void)
{
	struct resp r;
	char body[2048];

	ck_assert_int_eq(
		call("orga", "POST", "/v1/persons", "{\"external_ref\":\"M-1\"}", NULL, &r), 0);
	snprintf(person, sizeof(person), "%s", json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\",\"witness\":"
		 "\"W\","
		 "\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	ck_assert_int_eq(call("orga", "POST", "/v1/consents", body, NULL, &r), 0);
	snprintf(consent, sizeof(consent), "%s", json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"data\":{\"identity\":{\"given_name\":\"M\"}}}",
		 person, org_id("orgb"), consent);
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	snprintf(referral, sizeof(referral), "%s",
		 json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
}

/* {R} referral, {P} person, {C} consent, {B} orgb's id. */
static void
expand(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 40 < len; in++) {
		const char *v = NULL;
		if (in[0] == '{' && in[2] == '}') {
			v = in[1] == 'R'   ? referral
			    : in[1] == 'P' ? person
			    : in[1] == 'C' ? consent
			    : in[1] == 'B' ? org_id("orgb")
					   : NULL;
		}
		if (v) {
			o += (size_t)snprintf(out + o, len - o, "%s", v);
			in += 2;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
}

static const struct {
	const char *method, *path, *body, *role;
	long status;
} matrix[] = {
#define ROLES5(m, p, b, s, r, t, c, o)                                                             \
	{m, p, b, "orga", s}, {m, p, b, "orgb", r}, {m, p, b, "orgd", t}, {m, p, b, "coord", c},   \
	{                                                                                          \
		m, p, b, "orgc", o                                                                 \
	}
	ROLES5("GET", "/v1/referrals/{R}", NULL, 200, 200, 404, 403, 404),
	ROLES5("GET", "/v1/referrals/{R}/history", NULL, 200, 200, 404, 403, 404),
	ROLES5("GET", "/v1/referrals?role=received", NULL, 200, 200, 200, 403, 200),
	ROLES5("GET", "/v1/referrals?role=sent", NULL, 200, 200, 200, 403, 200),
	ROLES5("POST", "/v1/referrals/{R}/transitions", "{\"to\":\"completed\"}", 409, 409, 404,
	       403, 404),
	ROLES5("GET", "/v1/consents?person_id={P}", NULL, 200, 200, 200, 200, 403),
	ROLES5("GET", "/v1/audit?person_id={P}", NULL, 200, 200, 200, 200, 403),
	ROLES5("GET", "/v1/events", NULL, 200, 200, 200, 200, 200),
	ROLES5("GET", "/v1/access-rules", NULL, 200, 200, 200, 200, 200),
	/* The caller's own lists (issue 18): unit.read; a coordinator has none. */
	ROLES5("GET", "/v1/proposals", NULL, 200, 200, 200, 403, 200),
	ROLES5("GET", "/v1/occupancies", NULL, 200, 200, 200, 403, 200),
	ROLES5("GET", "/v1/persons", NULL, 200, 200, 200, 403, 403),
	/* The chain's status (schema/057): coordinators only. */
	ROLES5("GET", "/v1/audit/chain", NULL, 403, 403, 403, 200, 403),
	/* Mutations, refused roles only (the allowed ones are exercised elsewhere). */
	{"POST", "/v1/consents/{C}/withdraw", "{}", "orgb", 404},
	{"POST", "/v1/consents/{C}/withdraw", "{}", "orgd", 404},
	{"POST", "/v1/consents/{C}/withdraw", "{}", "orgc", 403},
	{"POST", "/v1/referrals",
	 "{\"person_id\":\"{P}\",\"to_organisation_id\":\"{B}\",\"program\":\"issue.axis1\","
	 "\"consent_id\":\"{C}\",\"purpose\":\"housing_referral\",\"reason\":\"x\"}",
	 "orgd", 403},
	{"POST", "/v1/referrals",
	 "{\"person_id\":\"{P}\",\"to_organisation_id\":\"{B}\",\"program\":\"issue.axis1\","
	 "\"consent_id\":\"{C}\",\"purpose\":\"housing_referral\",\"reason\":\"x\"}",
	 "coord", 403},
	{"POST", "/v1/referrals",
	 "{\"person_id\":\"{P}\",\"to_organisation_id\":\"{B}\",\"program\":\"issue.axis1\","
	 "\"consent_id\":\"{C}\",\"purpose\":\"housing_referral\",\"reason\":\"x\"}",
	 "orgc", 403},
	{"POST", "/v1/persons", "{}", "coord", 403},
	{"POST", "/v1/persons", "{}", "orgc", 403},
	{"POST", "/v1/consents",
	 "{\"person_id\":\"{P}\",\"recipients\":[{\"kind\":\"cpas\"}],\"purposes\":[\"social_aid\"]"
	 ","
	 "\"data_categories\":[],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
	 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
	 "orgd", 404},
	{"POST", "/v1/consents",
	 "{\"person_id\":\"{P}\",\"recipients\":[{\"kind\":\"cpas\"}],\"purposes\":[\"social_aid\"]"
	 ","
	 "\"data_categories\":[],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\","
	 "\"witness\":\"W\",\"recorded_by\":\"R\"}}",
	 "coord", 403},
	{"PUT", "/v1/access-rules", "{\"rules\":[]}", "orga", 403},
	{"PUT", "/v1/access-rules", "{\"rules\":[]}", "orgc", 403},
	/* One organisation's rule (schema/031): coordinators only. */
	{"PUT", "/v1/access-rules/{B}/site.host", "{\"allowed\":true}", "orgb", 403},
	{"PUT", "/v1/access-rules/{B}/site.host", "{\"allowed\":true}", "orgc", 403},
	{"DELETE", "/v1/access-rules/{B}/site.host", NULL, "orga", 403},
	{"DELETE", "/v1/access-rules/{B}/site.host", NULL, "orgd", 403},
	{"POST", "/v1/organisations", "{\"name\":\"Matrix\",\"kind\":\"cpas\"}", "orgb", 403},
};

START_TEST(access_matrix)
{
	char path[512], body[2048], *before, *after;
	const char *ifm[] = {"If-Match: \"1\"", NULL};
	struct resp r;

	expand(matrix[_i].path, path, sizeof(path));
	if (matrix[_i].body)
		expand(matrix[_i].body, body, sizeof(body));
	before = state_digest();
	ck_assert_int_eq(call(matrix[_i].role, matrix[_i].method, path,
			      matrix[_i].body ? body : NULL,
			      strstr(path, "/transitions") ? ifm : NULL, &r),
			 0);
	ck_assert_msg(r.status == matrix[_i].status, "%s %s as %s: %ld, expected %ld: %s",
		      matrix[_i].method, matrix[_i].path, matrix[_i].role, r.status,
		      matrix[_i].status, r.body ? r.body : "");
	/* Data is never shown to anyone but the two parties. */
	if (strcmp(matrix[_i].role, "orga") != 0 && strcmp(matrix[_i].role, "orgb") != 0)
		ck_assert_ptr_null(r.body ? strstr(r.body, "\"name\":\"M\"") : NULL);
	resp_free(&r);
	after = state_digest();
	if (matrix[_i].status >= 400 || strcmp(matrix[_i].method, "GET") == 0)
		ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

Suite *
matrix_suite(void)
{
	Suite *s = suite_create("matrix");
	TCase *t = tcase_create("roles");

	tcase_add_unchecked_fixture(t, setup, NULL);
	tcase_add_loop_test(t, access_matrix, 0, (int)(sizeof(matrix) / sizeof(matrix[0])));
	suite_add_tcase(s, t);
	return s;
}
