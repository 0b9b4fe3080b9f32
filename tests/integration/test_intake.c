/* Integration suite for issue 14, items 1 and 3: an organisation's own
 * intake (orga plays Rizome-Bxl taking in a detainee for its transit
 * program), and a housing operator (orgc plays an AIS or a SISP) inside the
 * consented flow: reading what a proposal shares, receiving referrals for its
 * own program. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

/* Not shown: absent, or null. */
static bool
absent(const json_t *v)
{
	return v == NULL || json_is_null(v);
}

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* The operator (orgc) publishes a studio for orga. */
static char *
operator_unit(void)
{
	char body[1024];
	char *site = must(post_id("orgc", "/v1/sites",
				  "{\"name\":\"Rue Heyvaert\",\"commune\":\"Anderlecht\","
				  "\"units\":4,\"period_from\":\"2026-01-01\"}",
				  201)),
	     *unit;

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"H-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Anderlecht\","
		 "\"address\":\"Rue Heyvaert 12, 1070 Anderlecht\",\"monthly_contribution_eur\":"
		 "300,\"available_from\":\"2026-12-01\",\"terms\":\"lease\","
		 "\"max_stay_months\":18,\"audience\":[{\"organisation_id\":\"%s\"}],"
		 "\"status\":\"published\"}",
		 site, org_id("orga"));
	unit = must(post_id("orgc", "/v1/units", body, 201));
	free(site);
	return unit;
}

/* A person orga meets itself, and its consent: recipients (JSON list),
 * categories identity, housing_situation, family, justice. */
static char *
person_and_consent(char **consent, const char *recipients)
{
	char body[1024];
	char *person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"RZ-IN\"}", 201));

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":%s,\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\",\"family\","
		 "\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":"
		 "\"signed_form\",\"reference\":\"RZ-F-7\",\"recorded_by\":\"A. Peeters\"}}",
		 person, recipients);
	*consent = must(post_id("orga", "/v1/consents", body, 201));
	return person;
}

static void
intake_body(char *body, size_t n, const char *person, const char *consent, const char *program)
{
	snprintf(body, n,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"Candidature from Haren, no housing at release\","
		 "\"release_date\":\"2027-01-15\",\"needs\":{\"household_size\":1},"
		 "\"data\":{\"identity\":{\"given_name\":\"Jean\"},"
		 "\"justice\":{\"prison\":\"Haren\",\"status\":\"detained\"}}}",
		 person, org_id("orga"), program, consent);
}

/* orga takes a person in for its own program; the intake's id. */
static char *
new_intake(const char *recipients, char **consent_out)
{
	char body[2048], *consent, *person = person_and_consent(&consent, recipients), *id;

	intake_body(body, sizeof(body), person, consent, "a.transit");
	id = must(post_id("orga", "/v1/referrals", body, 201));
	free(person);
	if (consent_out)
		*consent_out = consent;
	else
		free(consent);
	return id;
}

static char *
operator_recipient(void)
{
	static char recipients[256];

	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgc"));
	return recipients;
}

static char *
propose(const char *unit, const char *referral, long want)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"released in January\"}",
		 referral);
	return post_id("orga", path, body, want);
}

static bool
list_has(const char *slug, const char *path, const char *key, const char *id)
{
	struct resp r;
	json_t *item;
	size_t i;
	bool found = false;

	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, key), i, item)
		found |= strcmp(json_string_value(json_object_get(item, "referral_id")
							  ? json_object_get(item, "referral_id")
							  : json_object_get(item, "id")),
				id) == 0;
	resp_free(&r);
	return found;
}

START_TEST(intake_waitlisted_at_once)
{
	char body[2048], path[160], *consent, *person, *id;
	long events = sql_count("SELECT count(*) FROM events", NULL);
	struct resp r;
	json_t *items;

	person = person_and_consent(&consent, operator_recipient());
	intake_body(body, sizeof(body), person, consent, "a.transit");
	ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "waitlisted");
	ck_assert(json_is_true(json_object_get(r.json, "intake")));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "from_organisation_id")),
			 org_id("orga"));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "to_organisation_id")),
			 org_id("orga"));
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	/* Its history: one step, null -> waitlisted; nobody else told; audited. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/history", id);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	items = json_object_get(r.json, "items");
	ck_assert_int_eq(json_array_size(items), 1);
	ck_assert(json_is_null(json_object_get(json_array_get(items, 0), "from")));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "to")),
			 "waitlisted");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events", NULL), events);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
				   "'referral.intake' AND resource_id = $1",
				   id),
			 1);
	/* Its organisation reads it in full, as both parties. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "release_date")), "2027-01-15");
	resp_free(&r);
	/* With the referrals received: in the waitlist. */
	ck_assert(list_has("orga", "/v1/referrals?role=received&status=waitlisted&limit=200",
			   "items", id));
	/* A referral between two organisations is not an intake. */
	ck_assert_int_eq(call("orgb", "GET", "/v1/referrals?role=received&limit=1", NULL, NULL, &r),
			 0);
	if (json_array_size(json_object_get(r.json, "items")) > 0)
		ck_assert(json_is_false(json_object_get(
			json_array_get(json_object_get(r.json, "items"), 0), "intake")));
	resp_free(&r);
	/* A program it does not offer: 422, nothing created. */
	{
		long before = sql_count("SELECT count(*) FROM referrals", NULL);
		intake_body(body, sizeof(body), person, consent, "issue.axis1");
		ck_assert_int_eq(call("orga", "POST", "/v1/referrals", body, NULL, &r), 0);
		ck_assert_int_eq(r.status, 422);
		ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:program-not-offered");
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
	}
	free(person), free(consent), free(id);
}
END_TEST

/* PostgreSQL, whatever the gateway sends: an intake starts waitlisted, a
 * referral submitted. */
START_TEST(database_holds_the_first_states)
{
	char *consent, *person = person_and_consent(&consent, operator_recipient());
	const char *a[1] = {org_id("orga")}, *p[3] = {person, consent, NULL};
	static const char *const inserts[] = {
		/* an intake left submitted */
		"INSERT INTO referrals (person_id, from_org, to_org, program, consent_id, purpose) "
		"VALUES ($1::uuid, refgw_caller(), refgw_caller(), 'a.transit', $2::uuid, "
		"'housing_referral')",
		/* a referral put on the waitlist without its receiver */
		"INSERT INTO referrals (person_id, from_org, to_org, program, consent_id, purpose, "
		"status) VALUES ($1::uuid, refgw_caller(), $3::uuid, 'issue.axis1', $2::uuid, "
		"'housing_referral', 'waitlisted')",
	};
	PGconn *app = sql_app();
	PGresult *res;
	size_t i;

	p[2] = org_id("orgb");
	for (i = 0; i < 2; i++) {
		res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(sql_long(app,
					  "SELECT count(*) FROM (SELECT set_config('refgw.org_id', "
					  "$1, true)) s",
					  1, a),
				 1);
		res = PQexecParams(app, inserts[i], i == 0 ? 2 : 3, NULL, p, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "insert %zu accepted", i);
		ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
		PQclear(res);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
	}
	PQfinish(app);
	free(person), free(consent);
}
END_TEST

/* Whether a create is an intake is PostgreSQL's to tell (schema/068):
 * a p_intake that disagrees with the recipient is refused (42501) and
 * writes nothing, through the gateway's call and 060's. */
START_TEST(create_call_refuses_a_disagreeing_intake)
{
	char *consent, *person = person_and_consent(&consent, operator_recipient());
	const char *a[1] = {org_id("orga")}, *p[4] = {NULL, person, NULL, consent};
	static const char *const calls[] = {
		"SELECT outcome FROM refgw_referral_create($1::boolean, $2::uuid, $3::uuid, "
		"'a.transit', $4::uuid, 'housing_referral', NULL, '{}', '{}', NULL, '{}', NULL, "
		"NULL, NULL, 'test', false)",
		"SELECT outcome FROM refgw_referral_create($1::boolean, $2::uuid, $3::uuid, "
		"'a.transit', $4::uuid, 'housing_referral', NULL, '{}', '{}', NULL, '{}', NULL, "
		"NULL, NULL, 'test')",
	};
	PGconn *app = sql_app();
	PGresult *res;
	long before =
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person);
	size_t i, intake;

	for (i = 0; i < 2; i++)
		for (intake = 0; intake < 2; intake++) {
			/* an intake to another organisation; a referral to oneself */
			p[0] = intake ? "true" : "false";
			p[2] = intake ? org_id("orgb") : org_id("orga");
			PQclear(PQexec(app, "BEGIN"));
			ck_assert_int_eq(sql_long(app,
						  "SELECT count(*) FROM (SELECT "
						  "set_config('refgw.org_id', $1, true)) s",
						  1, a),
					 1);
			res = PQexecParams(app, calls[i], 4, NULL, p, NULL, NULL, 0);
			ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR,
				      "call %zu intake %zu accepted: %s", i, intake,
				      PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
			ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
			PQclear(res);
			PQclear(PQexec(app, "ROLLBACK"));
		}
	PQfinish(app);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM referrals WHERE person_id = $1::uuid", person),
		before);
	free(person), free(consent);
}
END_TEST

START_TEST(intake_moved_by_its_organisation)
{
	char *id = new_intake(operator_recipient(), NULL), path[128], ifm[32];
	const char *hdr[2] = {ifm, NULL};
	struct resp r;

	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
	/* Not a step an intake skipped. */
	snprintf(ifm, sizeof(ifm), "If-Match: \"1\"");
	ck_assert_int_eq(call("orga", "POST", path, "{\"to\":\"received\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", path, "{\"to\":\"accepted\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "accepted");
	resp_free(&r);
	/* And cancelled, as a sender would. */
	snprintf(ifm, sizeof(ifm), "If-Match: \"2\"");
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"to\":\"cancelled\",\"reason_code\":\"person_housed_elsewhere\"}",
			      hdr, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events WHERE resource_id = $1::uuid", id),
			 0);
	free(id);
}
END_TEST

START_TEST(intake_ranked_and_proposed_under_consent)
{
	char *unit = operator_unit(), *covered = new_intake(operator_recipient(), NULL), *other,
	     recipients[256], path[160], *p;
	long before;
	struct resp r;

	/* Among the unit's candidates, with the referrals received. */
	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", unit);
	ck_assert(list_has("orga", path, "candidates", covered));
	/* Proposed: its consent covers the operator. */
	p = must(propose(unit, covered, 201));
	/* Not when the consent does not name the operator: nothing leaves. */
	snprintf(recipients, sizeof(recipients), "[{\"organisation_id\":\"%s\"}]", org_id("orgb"));
	other = new_intake(recipients, NULL);
	before = sql_count("SELECT count(*) FROM proposals", NULL);
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	{
		char body[256];
		snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", other);
		ck_assert_int_eq(call("orga", "POST", path, body, NULL, &r), 0);
	}
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:consent-not-covering");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals", NULL), before);
	/* The operator reads neither the intake not proposed to it... */
	snprintf(path, sizeof(path), "/v1/referrals/%s", other);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	free(unit), free(covered), free(other), free(p);
}
END_TEST

START_TEST(operator_reads_the_shared_categories_only)
{
	char *unit = operator_unit(), *consent, *id = new_intake(operator_recipient(), &consent),
	     path[160], *p;
	long reads;
	struct resp r;
	json_t *data, *needs;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	/* Before a proposal: as if it did not exist. */
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	p = must(propose(unit, id, 201));
	/* The proposal shares data's categories the consent covers: identity, justice. */
	reads = sql_count(
		"SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
		"resource_id = $1 AND detail->'categories' @> '[\"identity\",\"justice\"]'",
		id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert(json_is_true(json_object_get(r.json, "intake")));
	data = json_object_get(r.json, "data");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(data, "identity"), "given_name")),
		"Jean");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(data, "justice"), "prison")),
		"Haren");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "release_date")), "2027-01-15");
	/* Not the others: the reason (housing_situation) and the household (family). */
	ck_assert(absent(json_object_get(r.json, "reason")));
	needs = json_object_get(r.json, "needs");
	ck_assert_ptr_null(json_object_get(needs, "household_size"));
	ck_assert_ptr_null(strstr(r.body, "Candidature from Haren"));
	resp_free(&r);
	/* Audited, with the categories shown, as the operator. */
	ck_assert_int_eq(
		sql_count(
			"SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			"resource_id = $1 AND detail->'categories' @> '[\"identity\",\"justice\"]'",
			id),
		reads + 1);
	{
		const char *params[2] = {id, org_id("orgc")};
		PGconn *c = sql_admin();
		ck_assert_int_eq(
			sql_long(c,
				 "SELECT count(*) FROM audit_log WHERE action = "
				 "'referral.read' AND resource_id = $1 AND organisation_id "
				 "= $2::uuid AND NOT detail->'categories' ? "
				 "'housing_situation' AND NOT detail->'categories' ? 'family'",
				 2, params),
			1);
		PQfinish(c);
	}
	/* PostgreSQL filters: a proposal sharing identity alone shows identity alone. */
	{
		PGconn *c = sql_admin();
		const char *params[1] = {p};
		sql_long(
			c,
			"WITH x AS (UPDATE proposals SET shared_categories = '{identity}' WHERE id "
			"= $1::uuid RETURNING 1) SELECT count(*) FROM x",
			1, params);
		PQfinish(c);
		ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "Jean"));
		ck_assert_ptr_null(json_object_get(json_object_get(r.json, "data"), "justice"));
		ck_assert(absent(json_object_get(r.json, "release_date")));
		resp_free(&r);
	}
	/* It reads; it neither moves the referral nor reads its history. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/history", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	{
		const char *hdr[2] = {"If-Match: \"1\"", NULL};
		snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
		ck_assert_int_eq(call("orgc", "POST", path, "{\"to\":\"accepted\"}", hdr, &r), 0);
		ck_assert_int_eq(r.status, 404);
		resp_free(&r);
	}
	/* The consent withdrawn: no personal field any more. */
	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(call("orga", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* The intake's organisation, its sender and receiver, is told once
	 * (schema/035), and so is the operator of its proposal. */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events WHERE resource_id = $1::uuid "
				   "AND type = 'referral.consent_withdrawn'",
				   id),
			 1);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events WHERE resource_id = $1::uuid "
				   "AND type = 'proposal.consent_withdrawn'",
				   p),
			 2);
	reads = sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' AND "
			  "resource_id = $1",
			  id);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert(r.status == 404 || r.status == 200);
	ck_assert_ptr_null(strstr(r.body, "Jean"));
	ck_assert_ptr_null(strstr(r.body, "Haren"));
	ck_assert_ptr_null(strstr(r.body, "2027-01-15"));
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = 'referral.read' "
				   "AND resource_id = $1",
				   id),
			 reads);
	free(unit), free(consent), free(id), free(p);
}
END_TEST

/* While a proposal is accepted the operator still reads; declined, it does not. */
START_TEST(operator_reads_while_the_proposal_is_open_or_accepted)
{
	char *unit = operator_unit(), *id = new_intake(operator_recipient(), NULL), path[160],
	     *p = must(propose(unit, id, 201));
	struct resp r;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path,
			      "{\"decision\":\"decline\",\"reason_code\":\"needs_not_met\"}", NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_ptr_null(strstr(r.body, "Jean"));
	resp_free(&r);
	free(p);
	p = must(propose(unit, id, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Jean"));
	resp_free(&r);
	/* The consent expired (no withdrawal closing the proposal): the referral's
	 * public fields, no personal one, no read audited. */
	{
		long reads = sql_count("SELECT count(*) FROM audit_log WHERE action = "
				       "'referral.read' AND resource_id = $1",
				       id);
		PGconn *c = sql_admin();
		const char *params[1] = {id};
		sql_long(c,
			 "WITH x AS (UPDATE consents SET valid_until = current_date - 1 WHERE id = "
			 "(SELECT consent_id FROM referrals WHERE id = $1::uuid) RETURNING 1) "
			 "SELECT count(*) FROM x",
			 1, params);
		PQfinish(c);
		ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_null(strstr(r.body, "Jean"));
		ck_assert(absent(json_object_get(r.json, "release_date")));
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
					   "'referral.read' AND resource_id = $1",
					   id),
				 reads);
	}
	free(unit), free(id), free(p);
}
END_TEST

START_TEST(operator_receives_a_referral_for_its_program)
{
	char body[1024], path[128], *person, *consent, *id;
	const char *v1[2] = {"If-Match: \"1\"", NULL}, *v2[2] = {"If-Match: \"2\"", NULL};
	struct resp r;

	/* orgb (a homeless service) refers a person to the AIS's lease program. */
	person = must(post_id("orgb", "/v1/persons", "{\"external_ref\":\"SM-9\"}", 201));
	consent = post_consent("orgb", person, "orgc", "\"identity\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"c.lease\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"data\":{\"identity\":{\"given_name\":\"Lea\"}}}",
		 person, org_id("orgc"), consent);
	ck_assert_int_eq(call("orgb", "POST", "/v1/referrals", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "%s", r.body);
	ck_assert(json_is_false(json_object_get(r.json, "intake")));
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	ck_assert(list_has("orgc", "/v1/referrals?role=received&status=submitted&limit=200",
			   "items", id));
	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "Lea"));
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", id);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"to\":\"received\"}", v1, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"to\":\"accepted\"}", v2, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "accepted");
	resp_free(&r);
	ck_assert_int_ge(sql_count("SELECT count(*) FROM events WHERE type = 'referral.accepted' "
				   "AND resource_id = $1::uuid",
				   id),
			 1);
	free(person), free(consent), free(id);
}
END_TEST

Suite *
intake_suite(void)
{
	Suite *s = suite_create("intake");
	TCase *t = tcase_create("intake");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, intake_waitlisted_at_once);
	tcase_add_test(t, database_holds_the_first_states);
	tcase_add_test(t, create_call_refuses_a_disagreeing_intake);
	tcase_add_test(t, intake_moved_by_its_organisation);
	tcase_add_test(t, intake_ranked_and_proposed_under_consent);
	tcase_add_test(t, operator_reads_the_shared_categories_only);
	tcase_add_test(t, operator_reads_while_the_proposal_is_open_or_accepted);
	tcase_add_test(t, operator_receives_a_referral_for_its_program);
	suite_add_tcase(s, t);
	return s;
}
