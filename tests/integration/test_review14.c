/* Integration suite "review14" (hostile review of issue 14): what the
 * intake, operator, placement and parallel-referral flows must not reveal. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* a valid national number (97 - 850101001 mod 97 = 15) used only here */
#define NISS_R14 "85010100115"
/* another (97 - 850101002 mod 97 = 14) */
#define NISS_R14_B "85010100214"

/* A parallel notice is no oracle.  DIOGENES (orgd) must not learn whether
 * a national number it merely types in has an open housing referral
 * elsewhere: it creates a person with that number, a consent it records
 * itself, and an intake to its own program, and reads the intake.  The
 * intake's organisation is its own sender (docs/data-protection.md: the
 * sender never sees a notice); only a receiver to whom another
 * organisation referred the person is told. */
START_TEST(intake_is_no_oracle_for_parallel_referrals)
{
	char body[1024], path[160], *person, *consent, *id, *other_person, *other_consent, *other;
	struct resp r;

	/* ISSUE's partner (orgb) refers the person to Rizome's transit studios */
	other_person = post_id("orgb", "/v1/persons",
			       "{\"external_ref\":\"R14-P\",\"niss\":\"" NISS_R14 "\"}", 201);
	ck_assert_ptr_nonnull(other_person);
	other_consent = post_consent("orgb", other_person, "orga", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"sortie de prison sans logement\"}",
		 other_person, org_id("orga"), other_consent);
	other = post_id("orgb", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(other);

	/* DIOGENES probes the number with an intake of its own */
	person = post_id("orgd", "/v1/persons",
			 "{\"external_ref\":\"R14-PROBE\",\"niss\":\"" NISS_R14 "\"}", 201);
	ck_assert_ptr_nonnull(person);
	consent = post_consent("orgd", person, "orgd", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\","
		 "\"program\":\"diogenes.housing_support\",\"consent_id\":\"%s\","
		 "\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 person, org_id("orgd"), consent);
	ck_assert_int_eq(call("orgd", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "intake answered %ld: %s", r.status, r.body);
	ck_assert_ptr_null(json_object_get(r.json, "parallel"));
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_object_get(r.json, "parallel") == NULL,
		      "an intake tells its own organisation of a referral elsewhere: %s", r.body);
	resp_free(&r);
	/* nor is it audited as a notice given */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
				   "'referral.parallel_notice' AND resource_id = $1",
				   id),
			 0);

	/* Rizome, which received the referral from another organisation, is
	 * still told of DIOGENES' housing track (the intake counts as the
	 * other one). */
	snprintf(path, sizeof(path), "/v1/referrals/%s", other);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "parallel")), 1);
	resp_free(&r);

	free(other_person);
	free(other_consent);
	free(other);
	free(person);
	free(consent);
	free(id);
}
END_TEST

/* The other referral counts only while ITS consent holds: once the person's
 * consent to the first referral has expired (no status changes on expiry),
 * the second receiver must not learn that the first exists. */
START_TEST(parallel_notice_ends_with_the_other_consent)
{
	char body[1024], path[160], *p1, *c1, *first, *p2, *c2, *second;
	struct resp r;

	/* orgb refers the person to Rizome's transit studios ... */
	p1 = post_id("orgb", "/v1/persons",
		     "{\"external_ref\":\"R14-E1\",\"niss\":\"" NISS_R14_B "\"}", 201);
	ck_assert_ptr_nonnull(p1);
	c1 = post_consent("orgb", p1, "orga", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 p1, org_id("orga"), c1);
	first = post_id("orgb", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(first);
	/* ... the CPAS the same person to DIOGENES' housing support */
	p2 = post_id("cachee", "/v1/persons",
		     "{\"external_ref\":\"R14-E2\",\"niss\":\"" NISS_R14_B "\"}", 201);
	ck_assert_ptr_nonnull(p2);
	c2 = post_consent("cachee", p2, "orgd", "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\","
		 "\"program\":\"diogenes.housing_support\",\"consent_id\":\"%s\","
		 "\"purpose\":\"housing_referral\",\"reason\":\"rue\"}",
		 p2, org_id("orgd"), c2);
	second = post_id("cachee", "/v1/referrals", body, 201);
	ck_assert_ptr_nonnull(second);
	snprintf(path, sizeof(path), "/v1/referrals/%s", second);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "parallel")), 1);
	resp_free(&r);

	/* the first consent expires (time passes: set by the owner) */
	ck_assert_int_eq(sql_count("WITH u AS (UPDATE consents SET valid_until = current_date - 1 "
				   "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM u",
				   c1),
			 1);
	ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_object_get(r.json, "parallel") == NULL,
		      "a referral whose consent expired is still told of: %s", r.body);
	resp_free(&r);

	free(p1);
	free(c1);
	free(first);
	free(p2);
	free(c2);
	free(second);
}
END_TEST

Suite *
review14_suite(void)
{
	Suite *s = suite_create("review14");
	TCase *t = tcase_create("review14");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, intake_is_no_oracle_for_parallel_referrals);
	tcase_add_test(t, parallel_notice_ends_with_the_other_consent);
	suite_add_tcase(s, t);
	return s;
}
