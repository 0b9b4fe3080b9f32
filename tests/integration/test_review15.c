/* Integration suite review15: a hostile review of issue 15 (follow-ups,
 * referents and conventions, relays and hosting, sites and partnerships,
 * the life of a unit).  Each test states what should hold and fails on the
 * code as reviewed: a defect found, proven, left for the lead to fix.
 *
 * The day is the follow_ups suite's: DIOGENES (orgd) refers a person to a
 * homeless service (orgb), which proposes a studio of a housing operator
 * (orgc); the person moves in. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

static void
ok(const char *slug, const char *method, const char *path, const char *body,
   const char *const *headers, long want)
{
	struct resp r;

	ck_assert_int_eq(call(slug, method, path, body, headers, &r), 0);
	if (r.status != want)
		fprintf(stderr, "review15: %s %s as %s: %ld %s\n", method, path, slug, r.status,
			r.body ? r.body : "");
	ck_assert_int_eq(r.status, want);
	resp_free(&r);
}

/* The status of one call (the body printed to stderr, for the report). */
static long
status_of(const char *slug, const char *method, const char *path, const char *body,
	  const char *const *headers)
{
	struct resp r;
	long st;

	ck_assert_int_eq(call(slug, method, path, body, headers, &r), 0);
	st = r.status;
	fprintf(stderr, "review15: %s %s as %s: %ld %.300s\n", method, path, slug, r.status,
		r.body ? r.body : "");
	resp_free(&r);
	return st;
}

static char *
new_site(const char *name)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"commune\":\"Anderlecht\",\"managing_partner\":\"Communa\","
		 "\"period_from\":\"2024-01-01\",\"period_until\":\"2030-12-31\"}",
		 name);
	return must(post_id("orgc", "/v1/sites", body, 201));
}

/* orgc publishes a studio for homeless services on site; its id, or NULL
 * when the answer is not want. */
static char *
new_unit_on(const char *site, long want)
{
	char body[1024];

	snprintf(
		body, sizeof(body),
		"{\"site_id\":\"%s\",\"label\":\"R-15\",\"type\":\"studio\",\"bedrooms\":0,"
		"\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Anderlecht\","
		"\"address\":\"Rue Heyvaert 15, 1070 Anderlecht\",\"monthly_contribution_eur\":300,"
		"\"available_from\":\"2026-01-01\",\"available_until\":\"2030-06-30\","
		"\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		"\"audience\":[{\"kind\":\"homeless_service\"}],\"status\":\"published\"}",
		site);
	return post_id("orgc", "/v1/units", body, want);
}

struct day {
	char *person, *consent, *referral, *unit, *proposal, *occupancy;
};

/* orgd refers a person to orgb under a consent for `recipients` (JSON
 * array items) and `categories`; orgb waitlists. */
static void
referred(struct day *d, const char *recipients, const char *categories)
{
	char body[2048], path[160];
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};

	memset(d, 0, sizeof(*d));
	d->person = must(post_id("orgd", "/v1/persons", "{\"external_ref\":\"DIO-R15\"}", 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[%s],\"purposes\":[\"housing_referral\","
		 "\"housing_support\"],\"data_categories\":[%s],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"SL-R15\","
		 "\"recorded_by\":\"Worker D\"}}",
		 d->person, recipients, categories);
	d->consent = must(post_id("orgd", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"issue.axis1\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\"}",
		 d->person, org_id("orgb"), d->consent);
	d->referral = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", d->referral);
	ok("orgb", "POST", path, "{\"to\":\"received\"}", v1, 200);
	ok("orgb", "POST", path, "{\"to\":\"waitlisted\"}", v2, 200);
}

/* ... and the person moves into a new unit of orgc. */
static void
housed(struct day *d, const char *recipients, const char *categories)
{
	char body[1024], path[160], *site;

	referred(d, recipients, categories);
	site = new_site("Heyvaert R15");
	d->unit = must(new_unit_on(site, 201));
	free(site);
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", d->unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", d->referral);
	d->proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", d->proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-11-02\","
		 "\"planned_end_date\":\"2028-05-01\"}",
		 d->proposal);
	d->occupancy = must(post_id("orgc", "/v1/occupancies", body, 201));
}

static void
day_free(struct day *d)
{
	free(d->person), free(d->consent), free(d->referral), free(d->unit), free(d->proposal),
		free(d->occupancy);
}

static void
withdraw(const struct day *d)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", d->consent);
	ok("orgd", "POST", path, "{\"reason\":\"the person asked\"}", NULL, 200);
}

static char *
follow(const struct day *d)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":\"2026-11-02\"}",
		 d->referral, d->occupancy);
	return must(post_id("orgd", "/v1/follow-ups", body, 201));
}

static void
recipients_b_and(char *out, size_t size, const char *extra)
{
	snprintf(out, size, "{\"organisation_id\":\"%s\"}%s%s", org_id("orgb"), extra ? "," : "",
		 extra ? extra : "");
}

/* 1. A follow-up moves to tenancy_at_risk after the consent is withdrawn:
 * schema/030 says a follow-up is "created and changed only while its
 * referral's consent holds", but only INSERT has the trigger; the move is
 * accepted and the operator is told about the person's tenancy after the
 * person withdrew. */
START_TEST(follow_up_changed_and_told_after_withdrawal)
{
	struct day d;
	char rcp[256], path[160], *fu;
	const char *v1[] = {"If-Match: \"1\"", NULL};
	long st;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\",\"follow_up\"");
	fu = follow(&d);
	withdraw(&d);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	st = status_of("orgd", "PATCH", path, "{\"status\":\"tenancy_at_risk\"}", v1);
	/* the operator must hear nothing about a person who withdrew */
	ck_assert_int_eq(events_of("orgc", "follow_up.tenancy_at_risk", fu), 0);
	ck_assert_int_eq(st, 409);
	free(fu);
	day_free(&d);
}
END_TEST

/* 2. Entries to every organisation of a kind the consent names: a CPAS that
 * never saw the referral nor the person lists the follow-up and reads the
 * worker's notes about the person's home (refgw_follow_up_entries_visible:
 * me.kind = ANY (c.recipient_kinds)). */
START_TEST(follow_up_entries_read_by_a_stranger_of_a_named_kind)
{
	struct day d;
	char rcp[256], path[160], *fu;
	struct resp r;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"},{\"kind\":\"cpas\"}");
	housed(&d, rcp, "\"identity\",\"follow_up\"");
	fu = follow(&d);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", fu);
	ok("orgd", "POST", path, "{\"date\":\"2026-11-09\",\"text\":\"Rent unpaid, debts\"}", NULL,
	   201);
	/* cachee: a CPAS, no party to anything of this person */
	ck_assert_int_eq(call("cachee", "GET", path, NULL, NULL, &r), 0);
	fprintf(stderr, "review15: cachee reads entries: %ld %.300s\n", r.status,
		r.body ? r.body : "");
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	free(fu);
	day_free(&d);
}
END_TEST

/* 3. A referent is any organisation the operator names; it then reads the
 * occupancy (unit, dates, referral) with no consent covering it, unaudited,
 * and still after the person withdrew the consent.  The relay's placement,
 * the same facts, is housing_situation under the consent (schema/031). */
START_TEST(referent_reads_the_placement_after_withdrawal)
{
	struct day d;
	char rcp[256], path[160], body[512], extra[128];
	const char *v1[] = {"If-Match: \"1\"", NULL};
	struct resp r;
	long st;

	/* the consent names the home-guidance service (orgh), not orga */
	snprintf(extra, sizeof(extra),
		 "{\"kind\":\"housing_operator\"},{\"organisation_id\":\"%s\"}", org_id("orgh"));
	recipients_b_and(rcp, sizeof(rcp), extra);
	housed(&d, rcp, "\"identity\",\"housing_situation\"");
	snprintf(path, sizeof(path), "/v1/occupancies/%s", d.occupancy);
	/* schema/040: a referent the consent does not cover is refused, naming
	 * the field, and nothing changes */
	snprintf(body, sizeof(body),
		 "{\"referent\":{\"organisation_id\":\"%s\",\"name\":\"A. Peeters\","
		 "\"role\":\"housing referent\"}}",
		 org_id("orga"));
	ck_assert_int_eq(call("orgc", "PATCH", path, body, v1, &r), 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_ptr_nonnull(strstr(r.body, "referent.organisation_id"));
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT version FROM occupancies WHERE id = $1::uuid AND "
				   "referent_org IS NULL",
				   d.occupancy),
			 1);
	ck_assert_int_eq(status_of("orga", "GET", path, NULL, NULL), 404);
	/* a covered referent reads the stay while the consent holds, not after */
	snprintf(body, sizeof(body),
		 "{\"referent\":{\"organisation_id\":\"%s\",\"name\":\"K. Peeters\","
		 "\"role\":\"home guidance\"}}",
		 org_id("orgh"));
	ok("orgc", "PATCH", path, body, v1, 200);
	ck_assert_int_eq(status_of("orgh", "GET", path, NULL, NULL), 200);
	withdraw(&d);
	st = status_of("orgh", "GET", path, NULL, NULL);
	ck_assert_int_eq(st, 404);
	day_free(&d);
}
END_TEST

/* 4. A closed site keeps offering its units: closing checks only reserved
 * and occupied units, and nothing looks at the site's status afterwards; a
 * homeless service proposes for a published unit of a closed site and the
 * operator reserves it. */
START_TEST(closed_site_still_offers_and_reserves_its_units)
{
	struct day d;
	char rcp[256], path[160], body[256], *site, *unit, *proposal;
	const char *v1[] = {"If-Match: \"1\"", NULL};

	site = new_site("Peterbos R15");
	unit = must(new_unit_on(site, 201));
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ok("orgc", "PATCH", path, "{\"status\":\"closed\"}", v1, 200);
	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	referred(&d, rcp, "\"identity\"");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", d.referral);
	proposal = post_id("orgb", path, body, 201);
	if (proposal) {
		snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
		status_of("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL);
		fprintf(stderr, "review15: unit on closed site now %ld reserved\n",
			sql_count("SELECT count(*) FROM units WHERE id = $1::uuid AND status = "
				  "'reserved'",
				  unit));
	}
	ck_assert_ptr_null(proposal);
	free(site), free(unit);
	day_free(&d);
}
END_TEST

/* 4b. ... and a new unit is published on a closed site. */
START_TEST(unit_published_on_a_closed_site)
{
	char path[160], *site, *unit;
	const char *v1[] = {"If-Match: \"1\"", NULL};

	site = new_site("Grande Haie R15");
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ok("orgc", "PATCH", path, "{\"status\":\"closed\"}", v1, 200);
	unit = new_unit_on(site, 201);
	ck_assert_ptr_null(unit);
	free(site);
}
END_TEST

/* An app connection in a transaction acting as organisation slug. */
static PGconn *
app_as(const char *slug)
{
	const char *o[1] = {org_id(slug)};
	PGconn *c = sql_app();
	PGresult *res = PQexec(c, "BEGIN");

	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(
		sql_long(c, "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, true)) s",
			 1, o),
		1);
	return c;
}

/* The SQLSTATE of the query sent on c ("" when it succeeded), then COMMIT. */
static void
finish(PGconn *c, char *state, size_t size)
{
	PGresult *res;

	state[0] = '\0';
	while ((res = PQgetResult(c)) != NULL) {
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			snprintf(state, size, "%s", st ? st : "?");
			fprintf(stderr, "review15: %s", PQresultErrorMessage(res));
		} else
			fprintf(stderr, "review15: -> %s\n", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	res = PQexec(c, state[0] ? "ROLLBACK" : "COMMIT");
	PQclear(res);
	PQfinish(c);
}

/* PostgreSQL's count of deadlocks detected in the test database (its
 * statistics flushed a moment after the transaction ends). */
static long
deadlocks(void)
{
	PGconn *c = sql_admin();
	long n;

	usleep(1200000);
	n = sql_long(c, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()",
		     0, NULL);
	PQfinish(c);
	return n;
}

/* 5. Lock order: refgw_take_back_unit (schema/033) locks referral, unit,
 * then occupancy; refgw_end_occupancy (022) locks occupancy, unit, then
 * referral.  The operator taking its unit back while the referring
 * organisation ends the occupancy at the same moment deadlock; PostgreSQL
 * kills one (40P01, a 409 conflict-retry through the gateway).  A third
 * transaction holds the unit's row a moment so that both reach it. */
START_TEST(take_back_and_end_of_occupancy_deadlock)
{
	struct day d;
	char rcp[256], s1[8], s2[8];
	const char *u[1], *t[1], *e[1];
	PGconn *hold, *take, *end;
	PGresult *res;
	long before;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\"");
	before = deadlocks();
	u[0] = d.unit;
	hold = sql_admin();
	res = PQexec(hold, "BEGIN");
	PQclear(res);
	res = PQexecParams(hold, "SELECT 1 FROM units WHERE id = $1::uuid FOR UPDATE", 1, NULL, u,
			   NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	take = app_as("orgc");
	t[0] = d.unit;
	ck_assert_int_eq(PQsendQueryParams(take,
					   "SELECT refgw_take_back_unit($1::uuid, current_date)", 1,
					   NULL, t, NULL, NULL, 0),
			 1);
	usleep(300000);
	end = app_as("orgb");
	e[0] = d.occupancy;
	ck_assert_int_eq(PQsendQueryParams(end,
					   "SELECT refgw_end_occupancy($1::uuid, current_date, "
					   "'durable_housing')",
					   1, NULL, e, NULL, NULL, 0),
			 1);
	usleep(300000);
	res = PQexec(hold, "COMMIT");
	PQclear(res);
	PQfinish(hold);
	finish(take, s1, sizeof(s1));
	finish(end, s2, sizeof(s2));
	ck_assert_msg(strcmp(s1, "40P01") != 0 && strcmp(s2, "40P01") != 0,
		      "take-back and end of occupancy deadlocked: take-back %s, end %s; "
		      "PostgreSQL deadlocks %ld -> %ld",
		      s1[0] ? s1 : "ok", s2[0] ? s2 : "ok", before, deadlocks());
	/* The take-back came first: the referral waits again, first in line
	 * (unit_withdrawn); closed here, or it heads later suites' candidates
	 * (journeys15's next studio). */
	withdraw(&d);
	day_free(&d);
}
END_TEST

/* 6. The same at the same moment: the operator closes the site while an
 * acceptance of one of its units is under way.  refgw_site_busy reads the
 * units in the UPDATE's snapshot and locks nothing; the acceptance locks
 * the unit, not the site: both commit, and the site is closed with a unit
 * reserved. */
START_TEST(site_closed_while_a_unit_is_being_reserved)
{
	struct day d;
	char rcp[256], path[160], body[256], *site, *unit, *proposal;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *p[1];
	PGconn *acc;
	PGresult *res;
	long st;

	site = new_site("Dubrucq R15");
	unit = must(new_unit_on(site, 201));
	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	referred(&d, rcp, "\"identity\"");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", d.referral);
	proposal = must(post_id("orgb", path, body, 201));
	acc = app_as("orgc");
	p[0] = proposal;
	res = PQexecParams(acc, "SELECT refgw_accept_proposal($1::uuid)", 1, NULL, p, NULL, NULL,
			   0);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK &&
			      strcmp(PQgetvalue(res, 0, 0), "accepted") == 0,
		      "accept: %s", PQresultErrorMessage(res));
	PQclear(res);
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	st = status_of("orgc", "PATCH", path, "{\"status\":\"closed\"}", v1);
	res = PQexec(acc, "COMMIT");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(acc);
	ck_assert_msg(
		!(st == 200 && sql_count("SELECT count(*) FROM units u JOIN sites s ON s.id = "
					 "u.site_id WHERE u.id = $1::uuid AND u.status = "
					 "'reserved' AND s.status = 'closed'",
					 unit) == 1),
		"the site was closed (%ld) while its unit was being reserved", st);
	free(site), free(unit), free(proposal);
	day_free(&d);
}
END_TEST

/* 7. The relay's receiver keeps seeing where the person lives after it
 * declined the relay: refgw_relayed_placement (schema/031) asks only that
 * the caller is the relay's receiver and the consent holds, not that the
 * relay is still open; a declined referral's receiver follows no one. */
START_TEST(declined_relay_still_shows_the_placement)
{
	struct day d;
	char rcp[256], path[160], body[1024], *consent, *relay;
	const char *v1[] = {"If-Match: \"1\"", NULL}, *v2[] = {"If-Match: \"2\"", NULL};
	struct resp r;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\",\"housing_situation\"");
	consent =
		must(post_consent("orgd", d.person, "orgh", "\"identity\",\"housing_situation\""));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"relays_referral_id\":\"%s\"}",
		 d.person, org_id("orgh"), consent, d.referral);
	relay = must(post_id("orgd", "/v1/referrals", body, 201));
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", relay);
	ok("orgh", "POST", path, "{\"to\":\"received\"}", v1, 200);
	ok("orgh", "POST", path, "{\"to\":\"declined\",\"reason_code\":\"no_capacity\"}", v2, 200);
	snprintf(path, sizeof(path), "/v1/referrals/%s", relay);
	ck_assert_int_eq(call("orgh", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_msg(json_object_get(r.json, "relayed_placement") == NULL,
		      "a declined relay still shows the placement: %.400s", r.body);
	resp_free(&r);
	free(consent), free(relay);
	day_free(&d);
}
END_TEST

struct put_call {
	struct resp r;
	int done;
};

static void *
put_thresholds(void *arg)
{
	struct put_call *a = arg;

	if (call("orgc", "PUT", "/v1/alert-thresholds",
		 "{\"items\":[{\"days_before\":60},{\"convention_kind\":\"lease\","
		 "\"days_before\":30}]}",
		 NULL, &a->r) != 0)
		a->r.status = -1;
	__atomic_store_n(&a->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* 8. PUT /v1/alert-thresholds replaces the caller's thresholds (DELETE then
 * INSERT, refgw_replace_alert_thresholds, schema/029) without serialising:
 * two replacements at once (two consoles, a retry on another instance) and
 * the second's INSERT meets the first's new rows: 409 "a resource with the
 * same unique value already exists" for a PUT, which replaces. */
START_TEST(concurrent_threshold_replacements_conflict)
{
	struct put_call second = {0};
	struct resp r;
	char *saved;
	PGconn *first;
	PGresult *res;
	pthread_t th;

	ck_assert_int_eq(call("orgc", "GET", "/v1/alert-thresholds", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	saved = json_dumps(r.json, JSON_COMPACT);
	resp_free(&r);
	ok("orgc", "PUT", "/v1/alert-thresholds", "{\"items\":[{\"days_before\":90}]}", NULL, 200);
	first = app_as("orgc");
	res = PQexec(first, "SELECT refgw_replace_alert_thresholds('[{\"convention_kind\":null,"
			    "\"days_before\":45}]'::jsonb)");
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "first: %s",
		      PQresultErrorMessage(res));
	PQclear(res);
	ck_assert_int_eq(pthread_create(&th, NULL, put_thresholds, &second), 0);
	usleep(500000);
	res = PQexec(first, "COMMIT");
	PQclear(res);
	PQfinish(first);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	fprintf(stderr, "review15: second PUT: %ld %.300s\n", second.r.status,
		second.r.body ? second.r.body : "");
	/* orgc's thresholds as they were, before the verdict (later suites) */
	ok("orgc", "PUT", "/v1/alert-thresholds", saved, NULL, 200);
	free(saved);
	ck_assert_int_eq(second.r.status, 200);
	resp_free(&second.r);
}
END_TEST

/* 9. After the person withdrew the consent under which the homeless service
 * (orgb) received them, DIOGENES relays the old referral under a new
 * consent that names only the home-guidance service; orgb, no longer
 * entitled to anything about the person, is told `referral.relayed`: that
 * the person is followed elsewhere now (refgw_relay_notify, schema/031,
 * tells the earlier referral's parties whatever its consent). */
START_TEST(relay_told_to_a_party_after_its_consent_was_withdrawn)
{
	struct day d;
	char rcp[256], body[1024], *consent, *relay;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\",\"housing_situation\"");
	withdraw(&d);
	consent =
		must(post_consent("orgd", d.person, "orgh", "\"identity\",\"housing_situation\""));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
		 "\"h.home_guidance\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"relays_referral_id\":\"%s\"}",
		 d.person, org_id("orgh"), consent, d.referral);
	relay = must(post_id("orgd", "/v1/referrals", body, 201));
	ck_assert_int_eq(events_of("orgb", "referral.relayed", d.referral), 0);
	free(consent), free(relay);
	day_free(&d);
}
END_TEST

struct withdraw_call {
	const char *consent;
	struct resp r;
};

static void *
withdraw_in_thread(void *arg)
{
	struct withdraw_call *a = arg;
	char path[160];

	snprintf(path, sizeof(path), "/v1/consents/%s/withdraw", a->consent);
	if (call("orgd", "POST", path, "{\"reason\":\"the person asked\"}", NULL, &a->r) != 0)
		a->r.status = -1;
	return NULL;
}

/* 10. Lock order against a withdrawal: refgw_take_back_unit locks the
 * referral, then (writing its events) the organisations' event heads; a
 * withdrawal (refgw_close_under_withdrawn, 020/035) locks the event heads,
 * then the referrals.  The operator taking the unit back while the person
 * withdraws: a deadlock, one of them killed.  (A third transaction holds the
 * unit a moment so that the take-back holds the referral when the
 * withdrawal starts.) */
START_TEST(take_back_and_withdrawal_deadlock)
{
	struct day d;
	struct withdraw_call w = {0};
	char rcp[256], s1[8];
	const char *u[1], *t[1];
	PGconn *hold, *take;
	PGresult *res;
	pthread_t th;
	long before;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\"");
	before = deadlocks();
	u[0] = d.unit;
	hold = sql_admin();
	res = PQexec(hold, "BEGIN");
	PQclear(res);
	res = PQexecParams(hold, "SELECT 1 FROM units WHERE id = $1::uuid FOR UPDATE", 1, NULL, u,
			   NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	take = app_as("orgc");
	t[0] = d.unit;
	ck_assert_int_eq(PQsendQueryParams(take,
					   "SELECT refgw_take_back_unit($1::uuid, current_date)", 1,
					   NULL, t, NULL, NULL, 0),
			 1);
	usleep(300000);
	w.consent = d.consent;
	ck_assert_int_eq(pthread_create(&th, NULL, withdraw_in_thread, &w), 0);
	usleep(500000);
	res = PQexec(hold, "COMMIT");
	PQclear(res);
	PQfinish(hold);
	finish(take, s1, sizeof(s1));
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	fprintf(stderr, "review15: withdrawal beside take-back: %ld %.200s\n", w.r.status,
		w.r.body ? w.r.body : "");
	ck_assert_msg(strcmp(s1, "40P01") != 0 && w.r.status == 200,
		      "take-back and withdrawal deadlocked: take-back %s, withdrawal %ld; "
		      "PostgreSQL deadlocks %ld -> %ld",
		      s1[0] ? s1 : "ok", w.r.status, before, deadlocks());
	resp_free(&w.r);
	day_free(&d);
}
END_TEST

/* Checked and sound (passes): bad input on the new routes is never a 5xx,
 * and a site whose period ends before it starts is refused. */
START_TEST(bad_input_on_the_new_routes)
{
	struct day d;
	char rcp[256], path[200], body[512], *site, *fu;
	const char *v1[] = {"If-Match: \"1\"", NULL};
	long worst = 0, st, bad_site;
	struct {
		const char *slug, *method, *path_fmt, *body;
		int if_match;
	} probes[] = {
		{"orgc", "PATCH", "/v1/sites/%s", "{\"period_from\":null}", 1},
		{"orgc", "PATCH", "/v1/sites/%s",
		 "{\"partnership_id\":\"00000000-0000-4000-8000-000000000000\"}", 1},
		{"orgc", "PATCH", "/v1/sites/%s", "{\"managing_partner\":\"\"}", 1},
		{"orgc", "PATCH", "/v1/sites/%s", "{\"units\":3}", 1},
		{"orgd", "PATCH", "/v1/follow-ups/%s", "{\"period_until\":\"2020-01-01\"}", 1},
		{"orgd", "PATCH", "/v1/follow-ups/%s", "{\"period_until\":20200101}", 1},
		{"orgd", "PATCH", "/v1/follow-ups/%s", "{\"status\":null}", 1},
		{"orgd", "POST", "/v1/follow-ups/%s/entries",
		 "{\"date\":\"2026-02-30\",\"text\":\"x\"}", 0},
		{"orgd", "POST", "/v1/follow-ups/%s/entries",
		 "{\"date\":\"2026-11-30\",\"text\":\"\"}", 0},
		{"orgd", "GET", "/v1/follow-ups?status=open&x=%s", NULL, 0},
		{"orgd", "GET", "/v1/follow-ups?cursor=%s", NULL, 0},
		{"orgc", "GET", "/v1/sites?operator=%s", NULL, 0},
		{"orgc", "GET", "/v1/sites?partnership_id=%s", NULL, 0},
		{"orgc", "GET", "/v1/sites?cursor=zz%s", NULL, 0},
		{"coord", "PUT", "/v1/access-rules/%s/site.host", "{\"allowed\":\"yes\"}", 0},
		{"coord", "PUT", "/v1/access-rules/%s/no.such", "{\"allowed\":true}", 0},
		{"coord", "POST", "/v1/partnerships?x=%s",
		 "{\"name\":\"P\",\"members\":[\"nope\"]}", 0},
		{"orgc", "PUT", "/v1/alert-thresholds?x=%s",
		 "{\"items\":[{\"convention_kind\":\"lease\",\"days_before\":-1}]}", 0},
	};
	size_t i;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\",\"follow_up\"");
	fu = follow(&d);
	site = new_site("Trefles R15");
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		const char *arg = strstr(probes[i].path_fmt, "sites/%s")       ? site
				  : strstr(probes[i].path_fmt, "access-rules") ? org_id("orga")
									       : fu;
		snprintf(path, sizeof(path), probes[i].path_fmt, arg);
		st = status_of(probes[i].slug, probes[i].method, path, probes[i].body,
			       probes[i].if_match ? v1 : NULL);
		if (st > worst)
			worst = st;
	}
	snprintf(body, sizeof(body),
		 "{\"name\":\"Backwards "
		 "R15\",\"commune\":\"Ixelles\",\"period_from\":\"2025-01-01\","
		 "\"period_until\":\"2020-01-01\"}");
	bad_site = status_of("orgc", "POST", "/v1/sites", body, NULL);
	ck_assert_int_lt(worst, 500);
	ck_assert_int_ne(bad_site, 201);
	free(site), free(fu);
	day_free(&d);
}
END_TEST

/* Checked and sound (passes): site.host lets an organisation run its own
 * sites, not another's: Rizome (orga) hosting reads and changes none of
 * the operator's (orgc) site or unit; the coordinator is never a host. */
START_TEST(hosting_does_not_reach_another_operator)
{
	char path[200], *site, *unit;
	const char *v1[] = {"If-Match: \"1\"", NULL};

	snprintf(path, sizeof(path), "/v1/access-rules/%s/site.host", org_id("orga"));
	ok("coord", "PUT", path, "{\"allowed\":true}", NULL, 200);
	site = new_site("Ganshoren R15");
	unit = must(new_unit_on(site, 201));
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ok("orga", "GET", path, NULL, NULL, 404);
	ok("orga", "PATCH", path, "{\"status\":\"closed\"}", v1, 404);
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ok("orga", "PATCH", path, "{\"status\":\"withdrawn\"}", v1, 404);
	snprintf(path, sizeof(path), "/v1/access-rules/%s/site.host", org_id("coord"));
	ok("coord", "PUT", path, "{\"allowed\":true}", NULL, 422);
	snprintf(path, sizeof(path), "/v1/access-rules/%s/site.host", org_id("orga"));
	ok("coord", "DELETE", path, NULL, NULL, 200);
	free(site), free(unit);
}
END_TEST

/* One more person placed in unit (orgd -> orgb -> orgc) from start; ended
 * on end when end is not NULL.  The occupancy's id. */
static char *
placed_in(const char *unit, const char *start, const char *end)
{
	struct day d;
	char rcp[256], body[512], path[160], *proposal, *occ;

	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	referred(&d, rcp, "\"identity\"");
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\"}", d.referral);
	proposal = must(post_id("orgb", path, body, 201));
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ok("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, 200);
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"%s\",\"planned_end_date\":\"2027-06-"
		 "30\"}",
		 proposal, start);
	occ = must(post_id("orgc", "/v1/occupancies", body, 201));
	if (end) {
		snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occ);
		snprintf(body, sizeof(body),
			 "{\"end_date\":\"%s\",\"outcome\":\"durable_housing\"}", end);
		ok("orgc", "POST", path, body, NULL, 200);
	}
	free(proposal);
	day_free(&d);
	return occ;
}

/* The row of site in partnership's site table as orgb reads it (JSON). */
static char *
site_row(const char *partnership, const char *site)
{
	char path[200], *out;
	struct resp r;
	json_t *row = NULL, *it;
	size_t i;

	snprintf(path, sizeof(path), "/v1/partnerships/%s/sites", partnership);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "sites"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "site_id")), site) == 0)
			row = it;
	ck_assert_msg(row != NULL, "no row: %.600s", r.body);
	fprintf(stderr, "review15: units %lld occupancies %s housed_now %s\n",
		json_integer_value(json_object_get(row, "units")),
		json_is_null(json_object_get(row, "occupancies")) ? "null" : "shown",
		json_is_null(json_object_get(row, "housed_now")) ? "null" : "shown");
	out = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
	resp_free(&r);
	return out;
}

/* 12. The partnership's site table suppresses housed_now from 1 to 4, but
 * shows the site's number of units beside it: for a one-unit site (seed
 * 002's Ganshoren, Trèfles) with five or more occupancies shown, a
 * suppressed housed_now can only be 1, and the day it turns 0 is the day
 * that one person left (refgw_partnership_sites, schema/032).  Fixed
 * (schema/041): under 5 units housed_now is suppressed once anyone lived
 * there, 0 as well as 1; the row reads the same before and after the
 * sixth person leaves. */
START_TEST(one_unit_site_undoes_the_suppression)
{
	char path[200], body[512], *site, *unit, *partnership, *occ, *before, *after;
	const char *v1[] = {"If-Match: \"1\"", NULL};
	const char *starts[] = {"2026-01-05", "2026-02-05", "2026-03-05",
				"2026-04-05", "2026-05-05", "2026-06-05"};
	const char *ends[] = {"2026-01-20", "2026-02-20", "2026-03-20", "2026-04-20", "2026-05-20"};
	size_t i;

	snprintf(body, sizeof(body), "{\"name\":\"ISSUE R15\",\"members\":[\"%s\",\"%s\"]}",
		 org_id("orgb"), org_id("orgc"));
	partnership = must(post_id("coord", "/v1/partnerships", body, 201));
	site = new_site("Ganshoren one unit R15");
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	snprintf(body, sizeof(body), "{\"partnership_id\":\"%s\"}", partnership);
	ok("orgc", "PATCH", path, body, v1, 200);
	unit = must(new_unit_on(site, 201));
	for (i = 0; i < 5; i++)
		free(placed_in(unit, starts[i], ends[i]));
	occ = placed_in(unit, starts[5], NULL);
	before = site_row(partnership, site);
	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occ);
	ok("orgc", "POST", path, "{\"end_date\":\"2026-06-20\",\"outcome\":\"durable_housing\"}",
	   NULL, 200);
	after = site_row(partnership, site);
	/* the sixth person's departure cannot be read from the table */
	ck_assert_msg(strcmp(before, after) == 0, "the row changed when the person left: %s -> %s",
		      before, after);
	free(before), free(after);
	free(site), free(unit), free(partnership), free(occ);
}
END_TEST

/* The first field an error answer names ("" when none). */
static const char *
first_field(const struct resp *r)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);

	return e && json_string_value(json_object_get(e, "field"))
		       ? json_string_value(json_object_get(e, "field"))
		       : "";
}

/* A PATCH refused naming field; then GET path still reads version 1, and
 * key still has its value want (a string, or NULL when not checked). */
static void
refused_unchanged(const char *slug, const char *path, const char *body, const char *field,
		  const char *key, const char *want)
{
	const char *v1[] = {"If-Match: \"1\"", NULL};
	struct resp r;

	ck_assert_int_eq(call(slug, "PATCH", path, body, v1, &r), 0);
	fprintf(stderr, "review15: PATCH %s %s: %ld %.300s\n", path, body, r.status,
		r.body ? r.body : "");
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(first_field(&r), field);
	resp_free(&r);
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
	if (want)
		ck_assert_str_eq(json_string_value(json_object_get(r.json, key)), want);
	resp_free(&r);
}

/* 12. PATCH /v1/sites/{id} with managing_partner "" answered 200 and stored
 * a partner with no name; PATCH /v1/follow-ups/{id} with status null
 * answered 200 and bumped the version, changing nothing.  Both are now 400
 * naming the field, and nothing changes (null clears managing_partner). */
START_TEST(empty_partner_and_null_status_accepted)
{
	struct day d;
	char rcp[256], path[160], *site, *fu;

	site = new_site("Delta R15");
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	refused_unchanged("orgc", path, "{\"managing_partner\":\"\"}", "managing_partner",
			  "managing_partner", "Communa");
	recipients_b_and(rcp, sizeof(rcp), "{\"kind\":\"housing_operator\"}");
	housed(&d, rcp, "\"identity\",\"follow_up\"");
	fu = follow(&d);
	snprintf(path, sizeof(path), "/v1/follow-ups/%s", fu);
	refused_unchanged("orgd", path, "{\"status\":null}", "status", "status", NULL);
	free(site), free(fu);
	day_free(&d);
}
END_TEST

Suite *
review15_suite(void)
{
	Suite *s = suite_create("review15");
	TCase *t = tcase_create("review15");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, follow_up_changed_and_told_after_withdrawal);
	tcase_add_test(t, follow_up_entries_read_by_a_stranger_of_a_named_kind);
	tcase_add_test(t, referent_reads_the_placement_after_withdrawal);
	tcase_add_test(t, closed_site_still_offers_and_reserves_its_units);
	tcase_add_test(t, unit_published_on_a_closed_site);
	tcase_add_test(t, take_back_and_end_of_occupancy_deadlock);
	tcase_add_test(t, site_closed_while_a_unit_is_being_reserved);
	tcase_add_test(t, declined_relay_still_shows_the_placement);
	tcase_add_test(t, concurrent_threshold_replacements_conflict);
	tcase_add_test(t, relay_told_to_a_party_after_its_consent_was_withdrawn);
	tcase_add_test(t, take_back_and_withdrawal_deadlock);
	tcase_add_test(t, bad_input_on_the_new_routes);
	tcase_add_test(t, hosting_does_not_reach_another_operator);
	tcase_add_test(t, one_unit_site_undoes_the_suppression);
	tcase_add_test(t, empty_partner_and_null_status_accepted);
	suite_add_tcase(s, t);
	return s;
}
