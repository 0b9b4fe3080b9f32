/* Integration suite "review13" (hostile review of issue 13's refactor):
 * what the old gateway did and the refactor must keep. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define ALL_CATEGORIES                                                                             \
	"\"identity\",\"contact\",\"housing_situation\",\"income\",\"family\",\"justice\","        \
	"\"health\""

/* Personal fields are sealed under their person's key, bound to the
 * person and the field (schema/045, gateway/seal.c).  Before, this test
 * stored a number jsonb prints beyond 64 bits (1e20) into referral_data
 * by SQL: PostgreSQL no longer reads or prints the values, so the attack
 * on a stored value is now to move one: the sealed income of one person
 * copied by SQL into another's referral does not open (the read fails,
 * shows nothing and audits nothing), and the source's own read still
 * works. */
static char *
referral_with_income(const char *ref, char **person_out)
{
	char *person = post_id("orga", "/v1/persons", "{\"external_ref\":\"R13\"}", 201), *consent,
	     body[2048], *id;

	ck_assert_ptr_nonnull(person);
	consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"data\":{\"income\":{\"monthly_amount_eur\":%s}}}",
		 person, org_id("orgb"), consent, ref);
	id = post_id("orga", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(id);
	free(consent);
	*person_out = person;
	return id;
}

START_TEST(a_sealed_value_moved_to_another_person_does_not_open)
{
	char *p1, *p2, *a = referral_with_income("900", &p1), *b = referral_with_income("455", &p2),
		       path[160];
	const char *ab[2] = {a, b};
	struct resp r;
	PGconn *c = sql_admin();

	/* Stored sealed: the amount is nowhere in clear. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referral_data WHERE referral_id = $1::uuid "
			 "AND data->>'income' LIKE 'rgw1.%' AND data::text NOT LIKE '%900%'",
			 1, ab),
		1);
	ck_assert_int_eq(sql_long(c,
				  "WITH u AS (UPDATE referral_data SET data = (SELECT data FROM "
				  "referral_data WHERE referral_id = $2::uuid) WHERE referral_id = "
				  "$1::uuid RETURNING 1) SELECT count(*) FROM u",
				  2, ab),
			 1);
	unsetenv("REFGW_TEST_RESPONSES"); /* a 500 on purpose */
	snprintf(path, sizeof(path), "/v1/referrals/%s", a);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	{
		/* The request id is random hex: "455" may stand in it by chance. */
		char *masked = strdup(r.body), *rid;

		ck_assert_ptr_nonnull(masked);
		if ((rid = strstr(masked, "request id ")) != NULL)
			for (rid += 11; *rid && *rid != ')'; rid++)
				*rid = 'x';
		ck_assert_msg(r.status == 500 && strstr(masked, "455") == NULL, "%ld %s", r.status,
			      r.body);
		free(masked);
	}
	resp_free(&r);
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			 "resource_id = $1",
			 1, ab),
		0);
	snprintf(path, sizeof(path), "/v1/referrals/%s", b);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200 &&
			      json_integer_value(json_object_get(
				      json_object_get(json_object_get(r.json, "data"), "income"),
				      "monthly_amount_eur")) == 455,
		      "%ld %s", r.status, r.body);
	resp_free(&r);
	PQfinish(c);
	free(a);
	free(b);
	free(p1);
	free(p2);
}
END_TEST

Suite *
review13_suite(void)
{
	Suite *s = suite_create("review13");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, a_sealed_value_moved_to_another_person_does_not_open);
	suite_add_tcase(s, tc);
	return s;
}
