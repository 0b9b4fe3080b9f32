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

/* A number PostgreSQL's jsonb prints as an integer beyond 64 bits (1e20
 * becomes 100000000000000000000): the read of the referral that carries it
 * shows its data, so the read's audit row must name the data's category
 * (the categories were taken from a jansson parse of the whole row, which
 * refuses such an integer and audited none). */
START_TEST(read_of_a_big_number_audits_its_category)
{
	char *person = post_id("orga", "/v1/persons", "{\"external_ref\":\"R13-1\"}", 201),
	     *consent = NULL, body[2048], path[160], *id;
	const char *p[1];
	struct resp r;
	PGconn *c;

	ck_assert_ptr_nonnull(person);
	consent = post_consent("orga", person, "orgb", ALL_CATEGORIES);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"data\":{\"income\":{\"monthly_amount_eur\":900}}}",
		 person, org_id("orgb"), consent);
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	/* The API bounds the amount; a value stored otherwise (an import, a
	 * later migration) must still be audited when shown. */
	p[0] = id;
	c = sql_admin();
	ck_assert_int_eq(
		sql_long(c,
			 "WITH u AS (UPDATE referral_data SET data = "
			 "'{\"income\":{\"monthly_amount_eur\":1e20}}' WHERE referral_id = "
			 "$1::uuid RETURNING 1) SELECT count(*) FROM u",
			 1, p),
		1);
	PQfinish(c);
	/* Not in the responses file: the amount is beyond docs/openapi.yaml's
	 * bound on purpose (Check runs each test in its own process). */
	unsetenv("REFGW_TEST_RESPONSES");
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
	/* (the client's jansson refuses the body: look at its text) */
	if (strstr(r.body, "\"data\":") != NULL) {
		/* the data is shown: its category is audited */
		c = sql_admin();
		ck_assert_int_eq(sql_long(c,
					  "SELECT count(*) FROM audit_log WHERE action = "
					  "'referral.read' AND resource_id = $1 AND "
					  "detail->'categories' ? 'income'",
					  1, p),
				 1);
		PQfinish(c);
	}
	resp_free(&r);
	free(id);
	free(consent);
	free(person);
}
END_TEST

Suite *
review13_suite(void)
{
	Suite *s = suite_create("review13");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, read_of_a_big_number_audits_its_category);
	suite_add_tcase(s, tc);
	return s;
}
