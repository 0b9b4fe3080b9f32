/* Integration suite for consent integrity and the database's own defences
 * (issue 12, items 1, 2, 4, 6, 11, 12; schema/015_consent_integrity.sql). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* orga's person (external_ref tag) and a consent for orgb and housing operators. */
static char *
new_consent(const char *tag, char **person_out)
{
	char body[1024];
	char *person, *consent;

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", tag);
	person = must(post_id("orga", "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"},"
		 "{\"kind\":\"housing_operator\"}],\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],\"valid_until\":\"2099-"
		 "01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	consent = must(post_id("orga", "/v1/consents", body, 201));
	*person_out = person;
	return consent;
}

static void
referral_body(char *body, size_t size, const char *person, const char *consent)
{
	snprintf(body, size,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"needs "
		 "housing\","
		 "\"data\":{\"identity\":{\"given_name\":\"Ana\"}}}",
		 person, org_id("orgb"), consent);
}

static char *
new_referral(const char *tag, char **consent_out)
{
	char body[1024], *person, *consent = new_consent(tag, &person), *ref;

	referral_body(body, sizeof(body), person, consent);
	ref = must(post_id("orga", "/v1/referrals", body, 201));
	free(person);
	*consent_out = consent;
	return ref;
}

/* Another referral of the same person under the same consent: accepting
 * a proposal withdraws the referral's other open proposals (issue 14), so a
 * test that needs open and accepted proposals under one consent gives each
 * its own referral. */
static char *
sibling_referral(const char *ref)
{
	char body[1024], path[128];
	struct resp r;
	char *id;

	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	referral_body(body, sizeof(body), json_string_value(json_object_get(r.json, "person_id")),
		      json_string_value(json_object_get(r.json, "consent_id")));
	resp_free(&r);
	id = must(post_id("orga", "/v1/referrals", body, 201));
	return id;
}

/* orgc publishes a unit for homeless services and orgd. */
static char *
new_unit(void)
{
	char body[1024];
	char *site = must(post_id(
		"orgc", "/v1/sites",
		"{\"name\":\"Integrity\",\"commune\":\"Forest\",\"period_from\":\"2023-03-01\"}",
		201));

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"I-1\",\"type\":\"studio\",\"bedrooms\":0,"
		 "\"commune\":\"Forest\",\"address\":\"Rue Secrète 9, 1190 Forest\","
		 "\"available_from\":\"2026-12-01\",\"terms\":\"transit\","
		 "\"audience\":[{\"kind\":\"homeless_service\"},{\"organisation_id\":\"%s\"}],"
		 "\"status\":\"published\"}",
		 site, org_id("orgd"));
	free(site);
	return must(post_id("orgc", "/v1/units", body, 201));
}

static char *
propose(const char *unit, const char *referral)
{
	char path[128], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", referral);
	return must(post_id("orgb", path, body, 201));
}

/* orgc accepts; the status and problem type come back. */
static long
accept_proposal(const char *proposal, char *type, size_t size)
{
	char path[128];
	struct resp r;
	long status;

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	status = r.status;
	snprintf(type, size, "%s", problem_type(&r));
	resp_free(&r);
	return status;
}

static long
start(const char *proposal, char *type, size_t size)
{
	char body[256];
	struct resp r;
	long status;

	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2027-01-01\",\"planned_end_date\":"
		 "\"2027-06-01\"}",
		 proposal);
	ck_assert_int_eq(call("orgc", "POST", "/v1/occupancies", body, NULL, &r), 0);
	status = r.status;
	snprintf(type, size, "%s", problem_type(&r));
	resp_free(&r);
	return status;
}

static void
withdraw(const char *consent)
{
	char path[128];
	struct resp r;

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", consent);
	ck_assert_int_eq(call("orga", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}

/* ---------------------------------------------------------------- item 1 */

#define RACE_ROUNDS 25
#define RACE_CREATORS 3

struct racer {
	pthread_barrier_t *go;
	const char *person, *consent;
	bool withdraws;
	long status;
	char type[96];
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	CURL *h = client_new("orga");
	char body[1024], path[128];
	struct resp r;

	/* The handshake before the barrier: only the requests race. */
	if (client_call(h, "GET", "/v1/me", NULL, NULL, &r) == 0)
		resp_free(&r);
	if (x->withdraws)
		snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", x->consent);
	else
		referral_body(body, sizeof(body), x->person, x->consent);
	pthread_barrier_wait(x->go);
	x->status = -1;
	if (client_call(h, "POST", x->withdraws ? path : "/v1/referrals",
			x->withdraws ? NULL : body, NULL, &r) == 0) {
		x->status = r.status;
		snprintf(x->type, sizeof(x->type), "%s", problem_type(&r));
		resp_free(&r);
	}
	curl_easy_cleanup(h);
	return NULL;
}

START_TEST(withdrawal_never_leaves_a_referral_open_under_it)
{
	const char *tag[1] = {"RACE-015"};
	/* The persons of the race, by id (external_ref is sealed, schema/045):
	 * a PostgreSQL array literal. */
	static char ids[RACE_ROUNDS * 40 + 3];
	const char *set[1] = {ids};
	long created = 0, refused = 0, at_commit = 0;
	PGconn *c;
	int round, i;

	for (round = 0; round < RACE_ROUNDS; round++) {
		pthread_barrier_t go;
		pthread_t t[RACE_CREATORS + 1];
		struct racer x[RACE_CREATORS + 1];
		char *person, *consent = new_consent(tag[0], &person);

		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", round ? "," : "{",
			 person);
		pthread_barrier_init(&go, NULL, RACE_CREATORS + 1);
		for (i = 0; i <= RACE_CREATORS; i++) {
			x[i] = (struct racer){&go, person, consent, i == RACE_CREATORS, 0, ""};
			ck_assert_int_eq(pthread_create(&t[i], NULL, race, &x[i]), 0);
		}
		for (i = 0; i <= RACE_CREATORS; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		ck_assert_int_eq(x[RACE_CREATORS].status, 200);
		for (i = 0; i < RACE_CREATORS; i++) {
			/* Created, refused before (403 withdrawn) or at commit (409). */
			if (x[i].status == 201) {
				created++;
				continue;
			}
			refused++;
			at_commit += x[i].status == 409;
			ck_assert_msg((x[i].status == 403 &&
				       strcmp(x[i].type, URN "consent-not-covering") == 0) ||
					      (x[i].status == 409 &&
					       strcmp(x[i].type, URN "consent-not-holding") == 0),
				      "round %d: create answered %ld %s", round, x[i].status,
				      x[i].type);
		}
		free(person);
		free(consent);
	}
	fprintf(stderr,
		"withdrawal race: %ld created then withdrawn, %ld refused (%ld at commit)\n",
		created, refused, at_commit);
	snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "}");
	c = sql_admin();
	/* No referral left open under a withdrawn consent. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referrals r JOIN consents k ON k.id = r.consent_id "
			 "JOIN persons p ON p.id = r.person_id WHERE p.id = ANY ($1::uuid[]) "
			 "AND k.status = 'withdrawn' AND r.status NOT IN ('consent_withdrawn', "
			 "'declined', 'cancelled', 'completed')",
			 1, set),
		0);
	/* Every receiver told of a referral was told of its withdrawal. */
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM events e JOIN referrals r ON r.id = e.resource_id "
			 "JOIN persons p ON p.id = r.person_id WHERE p.id = ANY ($1::uuid[]) "
			 "AND e.type = 'referral.received' AND NOT EXISTS (SELECT 1 FROM events w "
			 "WHERE w.organisation_id = e.organisation_id AND w.resource_id = "
			 "e.resource_id "
			 "AND w.type = 'referral.consent_withdrawn')",
			 1, set),
		0);
	ck_assert_int_eq(
		sql_long(c,
			 "SELECT count(*) FROM referrals r JOIN persons p ON p.id = r.person_id "
			 "WHERE p.id = ANY ($1::uuid[])",
			 1, set),
		created);
	PQfinish(c);
}
END_TEST

/* ---------------------------------------------------------------- item 2 */

START_TEST(withdrawal_declines_proposals_and_refuses_accept_and_start)
{
	/* A person is placed once (schema/027): the occupied unit is another
	 * person's, under a consent of its own, withdrawn with the first. */
	char *consent, *consent2, *ref = new_referral("PROP-015", &consent);
	char *ref2 = sibling_referral(ref), *ref3 = new_referral("PROP-015B", &consent2);
	char *u_open = new_unit(), *u_reserved = new_unit(), *u_occupied = new_unit();
	char *p_open = propose(u_open, ref), *p_reserved = propose(u_reserved, ref2),
	     *p_occupied = propose(u_occupied, ref3), type[96], path[128];
	struct resp r;

	ck_assert_int_eq(accept_proposal(p_reserved, type, sizeof(type)), 200);
	ck_assert_int_eq(accept_proposal(p_occupied, type, sizeof(type)), 200);
	ck_assert_int_eq(start(p_occupied, type, sizeof(type)), 201);
	withdraw(consent);
	withdraw(consent2);

	/* Open and reserved-not-occupied proposals: declined, both sides told. */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND status = "
			  "'declined' AND reason_code = 'consent_withdrawn'",
			  p_open),
		1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND status = "
			  "'declined' AND reason_code = 'consent_withdrawn'",
			  p_reserved),
		1);
	ck_assert_int_eq(events_of("orgb", "proposal.consent_withdrawn", p_open), 1);
	ck_assert_int_eq(events_of("orgc", "proposal.consent_withdrawn", p_open), 1);
	ck_assert_int_eq(events_of("orgb", "proposal.consent_withdrawn", p_reserved), 1);
	ck_assert_int_eq(events_of("orgc", "proposal.consent_withdrawn", p_reserved), 1);
	/* The reserved unit is published again, its address hidden from the proposer. */
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  u_reserved),
		1);
	snprintf(path, sizeof(path), "/v1/units/%s", u_reserved);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_null(json_object_get(r.json, "address"));
	resp_free(&r);
	/* The occupancy stays: the person lives there. */
	ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals WHERE id = $1::uuid AND status "
				   "= 'accepted'",
				   p_occupied),
			 1);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'occupied'",
			  u_occupied),
		1);
	ck_assert_int_eq(events_of("orgb", "proposal.consent_withdrawn", p_occupied), 0);
	/* It ends; its outcome is the operator's, no longer told to the referrer. */
	{
		PGconn *c = sql_admin();
		const char *q[1] = {p_occupied};
		PGresult *res =
			PQexecParams(c, "SELECT id FROM occupancies WHERE proposal_id = $1::uuid",
				     1, NULL, q, NULL, NULL, 0);

		ck_assert_int_eq(PQntuples(res), 1);
		snprintf(path, sizeof(path), "/v1/occupancies/%s/end", PQgetvalue(res, 0, 0));
		PQclear(res);
		PQfinish(c);
		ck_assert_int_eq(call("orgc", "POST", path,
				      "{\"end_date\":\"2027-03-01\",\"outcome\":\"hospital\"}",
				      NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
		path[strlen(path) - strlen("/end")] = '\0';
		ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "end_date")),
				 "2027-03-01");
		ck_assert(json_is_null(json_object_get(r.json, "outcome")));
		resp_free(&r);
		{
			/* The operator's read of the outcome is audited (a read that
			 * showed none is not). */
			const char *occ[1] = {path + strlen("/v1/occupancies/")};
			const char *count = "SELECT count(*) FROM audit_log WHERE action = "
					    "'occupancy.read' AND resource_id = $1";
			PGconn *ac = sql_admin();
			long before = sql_long(ac, count, 1, occ);

			ck_assert_int_eq(before, 0);
			ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
			ck_assert_str_eq(json_string_value(json_object_get(r.json, "outcome")),
					 "hospital");
			resp_free(&r);
			ck_assert_int_eq(sql_long(ac, count, 1, occ), 1);
			PQfinish(ac);
		}
	}

	/* Accepting and starting refuse, with their own problem type. */
	ck_assert_int_eq(accept_proposal(p_open, type, sizeof(type)), 409);
	ck_assert_str_eq(type, URN "consent-not-holding");
	ck_assert_int_eq(start(p_reserved, type, sizeof(type)), 409);
	ck_assert_str_eq(type, URN "consent-not-holding");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM occupancies WHERE proposal_id = $1::uuid",
				   p_reserved),
			 0);
	/* A new proposal of it: refused. */
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", u_reserved);
	{
		char body[128];
		snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", ref);
		ck_assert_int_eq(call("orgb", "POST", path, body, NULL, &r), 0);
		ck_assert_int_ge(r.status, 400);
		resp_free(&r);
	}
	free(consent);
	free(consent2);
	free(ref);
	free(ref2);
	free(ref3);
	free(u_open);
	free(u_reserved);
	free(u_occupied);
	free(p_open);
	free(p_reserved);
	free(p_occupied);
}
END_TEST

START_TEST(expired_consent_refuses_accept_and_start)
{
	char *consent, *ref = new_referral("EXP-015", &consent);
	char *ref2 = sibling_referral(ref);
	char *u1 = new_unit(), *u2 = new_unit(), *p_open = propose(u1, ref),
	     *p_accepted = propose(u2, ref2), type[96];
	PGconn *c;
	const char *p[1] = {consent};

	ck_assert_int_eq(accept_proposal(p_accepted, type, sizeof(type)), 200);
	c = sql_admin();
	ck_assert_int_eq(sql_long(c,
				  "WITH x AS (UPDATE consents SET valid_until = current_date - 1 "
				  "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM x",
				  1, p),
			 1);
	PQfinish(c);
	ck_assert_int_eq(accept_proposal(p_open, type, sizeof(type)), 409);
	ck_assert_str_eq(type, URN "consent-not-holding");
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = 'published'",
			  u1),
		1);
	ck_assert_int_eq(start(p_accepted, type, sizeof(type)), 409);
	ck_assert_str_eq(type, URN "consent-not-holding");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM occupancies WHERE proposal_id = $1::uuid",
				   p_accepted),
			 0);
	free(consent);
	free(ref);
	free(ref2);
	free(u1);
	free(u2);
	free(p_open);
	free(p_accepted);
}
END_TEST

/* ---------------------------------------------------------------- item 4 */

START_TEST(withdrawal_tells_both_parties_of_a_completed_referral)
{
	char *consent, *ref = new_referral("DONE-015", &consent);
	PGconn *c = sql_admin();
	const char *p[1] = {ref};

	ck_assert_int_eq(sql_long(c,
				  "WITH x AS (UPDATE referrals SET status = 'completed' "
				  "WHERE id = $1::uuid RETURNING 1) SELECT count(*) FROM x",
				  1, p),
			 1);
	PQfinish(c);
	withdraw(consent);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals WHERE id = $1::uuid AND status "
				   "= 'completed'",
				   ref),
			 1);
	ck_assert_int_eq(events_of("orga", "referral.consent_withdrawn", ref), 1);
	ck_assert_int_eq(events_of("orgb", "referral.consent_withdrawn", ref), 1);
	free(consent);
	free(ref);
}
END_TEST

/* ---------------------------------------------------------------- item 6 */

static void
assert_field_422(const struct resp *r, const char *field)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);

	ck_assert_int_eq(r->status, 422);
	ck_assert_str_eq(problem_type(r), URN "unprocessable");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(json_string_value(json_object_get(e, "field")), field);
}

START_TEST(unknown_organisations_are_refused)
{
	static const char ghost[] = "00000000-0000-4000-8000-00000000dead";
	char body[1024], path[128],
		*person = must(post_id("orga", "/v1/persons", "{\"external_ref\":\"G\"}", 201));
	char *site, *unit = new_unit();
	const char *p[1];
	struct resp r;
	PGconn *c;
	PGresult *res;

	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"kind\":\"cpas\"},{\"organisation_id\":"
		 "\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[],\"valid_until\":"
		 "\"2099-01-01\","
		 "\"evidence\":{\"method\":\"oral\",\"witness\":\"W\",\"recorded_by\":\"R\"}}",
		 person, ghost);
	ck_assert_int_eq(call("orga", "POST", "/v1/consents", body, NULL, &r), 0);
	assert_field_422(&r, "recipients");
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM consents WHERE person_id = $1::uuid", person), 0);

	site = must(post_id(
		"orgc", "/v1/sites",
		"{\"name\":\"Ghost\",\"commune\":\"Forest\",\"period_from\":\"2023-03-01\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"G-1\",\"type\":\"room\",\"bedrooms\":1,"
		 "\"commune\":\"Forest\",\"address\":\"Rue 1\",\"available_from\":\"2026-12-01\","
		 "\"terms\":\"transit\",\"audience\":[{\"organisation_id\":\"%s\"}]}",
		 site, ghost);
	ck_assert_int_eq(call("orgc", "POST", "/v1/units", body, NULL, &r), 0);
	assert_field_422(&r, "audience");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM units WHERE site_id = $1::uuid", site), 0);

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	snprintf(body, sizeof(body), "{\"audience\":[{\"organisation_id\":\"%s\"}]}", ghost);
	{
		const char *h[] = {"If-Match: \"1\"", NULL};
		ck_assert_int_eq(call("orgc", "PATCH", path, body, h, &r), 0);
	}
	assert_field_422(&r, "audience");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND version = 1 "
				   "AND audience_orgs = ARRAY[(SELECT id FROM organisations WHERE "
				   "name = 'Test Org D')]",
				   unit),
			 1);

	/* The rule is PostgreSQL's, whoever writes. */
	c = sql_admin();
	p[0] = unit;
	res = PQexecParams(
		c,
		"UPDATE units SET audience_orgs = '{00000000-0000-4000-8000-00000000dead}' "
		"WHERE id = $1::uuid",
		1, NULL, p, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23R01");
	PQclear(res);
	PQfinish(c);
	free(person);
	free(site);
	free(unit);
}
END_TEST

/* ---------------------------------------------------------------- item 11 */

/* One statement in its own transaction as the runtime role, for org slug. */
static ExecStatusType
app_exec(const char *slug, const char *sql, int nparams, const char *const *params, char *state,
	 size_t size)
{
	PGconn *app = sql_app();
	const char *o[1] = {org_id(slug)};
	PGresult *res = PQexec(app, "BEGIN");
	ExecStatusType st;

	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	res = PQexecParams(app, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	snprintf(state, size, "%s",
		 PQresultErrorField(res, PG_DIAG_SQLSTATE)
			 ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
			 : "");
	PQclear(res);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
	return st;
}

START_TEST(insert_policies_check_the_caller_is_party)
{
	char *consent, *ref = new_referral("RLS-015", &consent), *unit = new_unit(), state[8];
	const char *tp[2] = {ref, NULL}, *pp[3] = {unit, ref, NULL};
	static const char transition[] =
		"INSERT INTO referral_transitions (referral_id, from_status, to_status, by_org) "
		"VALUES ($1::uuid, 'submitted', 'received', $2::uuid)";
	static const char proposal[] =
		"INSERT INTO proposals (unit_id, referral_id, proposer_org, operator_org) "
		"VALUES ($1::uuid, $2::uuid, $3::uuid, (SELECT id FROM organisations WHERE name = "
		"'Test Org C'))";

	/* orgd: in the unit's audience, may propose, but party to nothing here. */
	tp[1] = org_id("orgd");
	ck_assert_int_eq(app_exec("orgd", transition, 2, tp, state, sizeof(state)),
			 PGRES_FATAL_ERROR);
	ck_assert_str_eq(state, "42501");
	pp[2] = org_id("orgd");
	ck_assert_int_eq(app_exec("orgd", proposal, 3, pp, state, sizeof(state)),
			 PGRES_FATAL_ERROR);
	ck_assert_str_eq(state, "42501");
	/* The parties may (rolled back). */
	tp[1] = org_id("orgb");
	ck_assert_int_eq(app_exec("orgb", transition, 2, tp, state, sizeof(state)),
			 PGRES_COMMAND_OK);
	pp[2] = org_id("orgb");
	ck_assert_int_eq(app_exec("orgb", proposal, 3, pp, state, sizeof(state)), PGRES_COMMAND_OK);
	/* A proposal naming an operator other than the unit's: refused. */
	{
		static const char wrong[] =
			"INSERT INTO proposals (unit_id, referral_id, proposer_org, operator_org) "
			"VALUES ($1::uuid, $2::uuid, $3::uuid, $3::uuid)";
		ck_assert_int_eq(app_exec("orgb", wrong, 3, pp, state, sizeof(state)),
				 PGRES_FATAL_ERROR);
		ck_assert_str_eq(state, "42501");
	}
	free(consent);
	free(ref);
	free(unit);
}
END_TEST

/* ---------------------------------------------------------------- item 12 */

START_TEST(events_and_audit_need_an_authenticated_caller)
{
	PGconn *app = sql_app();
	const char *o[1] = {org_id("orgb")};
	static const char *const refused[] = {
		"SELECT refgw_emit_event($1::uuid, 'x.y', 'referral', gen_random_uuid())",
		"SELECT refgw_audit_append(NULL, 'test', 'x.y', 'referral', '', NULL, '{}') WHERE "
		"$1::text IS NOT NULL",
		"SELECT refgw_event_write($1::uuid, 'x.y', 'referral', gen_random_uuid())",
		"SELECT refgw_audit_append_system(NULL, 'test', 'x.y', '', '', NULL, '{}') WHERE "
		"$1::text IS NOT NULL",
	};
	PGresult *res;
	size_t i;

	/* Without a caller, as the runtime role: every writer refuses. */
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		res = PQexecParams(app, refused[i], 1, NULL, o, NULL, NULL, 0);
		ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR, "ran without a caller: %s",
			      refused[i]);
		ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
		PQclear(res);
	}
	/* With one, the gateway's two run (rolled back). */
	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_eq(
		sql_long(app,
			 "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s", 1,
			 o),
		1);
	ck_assert_int_ge(sql_long(app, refused[0], 1, o), 1);
	ck_assert_int_ge(sql_long(app, refused[1], 1, o), 1);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	PQfinish(app);
}
END_TEST

/* ---------------------------------------------------------------- repair (020) */

/* What the race left before 015 (simulated: the consent marked withdrawn
 * behind the withdrawal function's back) is closed by the owner's repair,
 * each party told once; the runtime role may not run it. */
START_TEST(repair_closes_what_a_withdrawal_left_open)
{
	char *consent, *id = new_referral("repair-020", &consent), state[8];
	const char *p[1] = {consent}, *q[1] = {id};
	static const char open_q[] =
		"SELECT count(*) FROM referrals WHERE id = $1::uuid AND status = 'submitted'";
	PGconn *c = sql_admin();
	PGresult *res =
		PQexecParams(c,
			     "UPDATE consents SET status = 'withdrawn', withdrawn_at = now(), "
			     "withdrawn_by = created_by WHERE id = $1::uuid",
			     1, NULL, p, NULL, NULL, 0);

	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(sql_long(c, open_q, 1, q), 1);
	ck_assert_int_eq(app_exec("orga", "SELECT refgw_repair_withdrawn_consents()", 0, NULL,
				  state, sizeof(state)),
			 PGRES_FATAL_ERROR);
	ck_assert_str_eq(state, "42501");
	ck_assert_int_ge(sql_long(c, "SELECT refgw_repair_withdrawn_consents()", 0, NULL), 1);
	ck_assert_int_eq(sql_long(c, open_q, 1, q), 0);
	ck_assert_int_eq(sql_long(c,
				  "SELECT count(*) FROM referrals WHERE id = $1::uuid "
				  "AND status = 'consent_withdrawn'",
				  1, q),
			 1);
	ck_assert_int_eq(events_of("orgb", "referral.consent_withdrawn", id), 1);
	ck_assert_int_eq(events_of("orga", "referral.consent_withdrawn", id), 1);
	/* Again: nothing left to close, nobody told twice. */
	ck_assert_int_eq(sql_long(c, "SELECT refgw_repair_withdrawn_consents()", 0, NULL), 0);
	ck_assert_int_eq(events_of("orgb", "referral.consent_withdrawn", id), 1);
	PQfinish(c);
	free(consent);
	free(id);
}
END_TEST

Suite *
consent_integrity_suite(void)
{
	Suite *s = suite_create("consent_integrity");
	TCase *t = tcase_create("consent_integrity");

	tcase_add_test(t, withdrawal_never_leaves_a_referral_open_under_it);
	tcase_add_test(t, withdrawal_declines_proposals_and_refuses_accept_and_start);
	tcase_add_test(t, expired_consent_refuses_accept_and_start);
	tcase_add_test(t, withdrawal_tells_both_parties_of_a_completed_referral);
	tcase_add_test(t, unknown_organisations_are_refused);
	tcase_add_test(t, insert_policies_check_the_caller_is_party);
	tcase_add_test(t, events_and_audit_need_an_authenticated_caller);
	tcase_add_test(t, repair_closes_what_a_withdrawal_left_open);
	tcase_set_timeout(t, 180);
	suite_add_tcase(s, t);
	return s;
}
