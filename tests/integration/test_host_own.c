/* Integration suite "host_own": gaps left by issue 15's parts.
 *
 * ORS's whole day (orga, a justice_aid service given site.host): it runs a
 * community house and houses people it follows itself (seed 004: "une
 * convention a été écrite pour encadrer l'entrée dans la maison.  Un suivi
 * personnel sera effectué par l'ORS").  It takes a person in under a consent
 * it records (naming DIOGENES, orgd, not itself), proposes them for its own
 * room, accepts, starts the stay under a community house convention with
 * itself as referent, opens the follow-up and writes an entry; it hears of
 * each thing once.  A third operator (orgc) is still refused without the
 * consent covering it.
 *
 * Then the end of a house: closing a site withdraws its published and draft
 * units and declines their open proposals; no unit is created or published
 * on a closed site; a reservation at the moment of closing is seen (the
 * close locks the site's units first).  And a published unit withdrawn by
 * PATCH declines its open proposals, and is offered nowhere. */
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

static long
rule(const char *method, const char *action, struct resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/access-rules/%s/%s", org_id("orga"), action);
	ck_assert_int_eq(call("coord", method, path, method[0] == 'P' ? "{\"allowed\":true}" : NULL,
			      NULL, r),
			 0);
	return r->status;
}

static const char *
errors_field(const struct resp *r)
{
	json_t *e = json_array_get(json_object_get(r->json, "errors"), 0);
	return e ? json_string_value(json_object_get(e, "field")) : "";
}

/* The largest number of events of one type about one resource in slug's
 * feed after its event `since` (seq), counting the events not numbered yet
 * (schema/067: a duplicate must not hide by being written after the last
 * numbering). */
static long
most_of_one_kind(const char *slug, long since)
{
	char q[512];

	snprintf(q, sizeof(q),
		 "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM events "
		 "WHERE organisation_id = '%s' AND (seq > $1::bigint OR seq IS NULL) "
		 "GROUP BY type, resource_id) x",
		 org_id(slug));
	{
		char s[32];
		snprintf(s, sizeof(s), "%ld", since);
		return sql_count(q, s);
	}
}

static char *
site_of(const char *slug, const char *name)
{
	char body[512];

	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"commune\":\"Saint-Gilles\",\"units\":5,"
		 "\"period_from\":\"2026-01-01\"}",
		 name);
	return must(post_id(slug, "/v1/sites", body, 201));
}

static long
post_unit(const char *slug, const char *site, const char *label, const char *status, struct resp *r)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"%s\",\"type\":\"room\",\"bedrooms\":1,"
		 "\"furnished\":true,\"accessibility\":\"none\",\"commune\":\"Saint-Gilles\","
		 "\"address\":\"Rue de la Maison 3, 1060 Saint-Gilles\","
		 "\"monthly_contribution_eur\":200,\"available_from\":\"2026-12-01\","
		 "\"available_until\":\"2029-12-31\",\"terms\":\"transit\",\"max_stay_months\":12,"
		 "\"audience\":[{\"organisation_id\":\"%s\"},{\"kind\":\"justice_aid\"}],"
		 "\"status\":\"%s\"}",
		 site, label, org_id("orga"), status);
	ck_assert_int_eq(call(slug, "POST", "/v1/units", body, NULL, r), 0);
	return r->status;
}

static char *
unit_of(const char *slug, const char *site, const char *label, const char *status)
{
	struct resp r;
	char *id;

	ck_assert_int_eq(post_unit(slug, site, label, status, &r), 201);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	return id;
}

/* ORS takes a person in for its own transit program: a consent it records
 * (recipients: recipient, a slug; categories incl. follow_up), the intake.
 * The intake's id. */
static char *
intake(const char *ref, const char *recipient)
{
	char body[2048], *person, *consent, *id;

	snprintf(body, sizeof(body), "{\"external_ref\":\"%s\"}", ref);
	person = must(post_id("orga", "/v1/persons", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\","
		 "\"housing_situation\",\"justice\",\"follow_up\"],\"valid_until\":\"2099-01-01\","
		 "\"evidence\":{\"method\":\"signed_form\",\"reference\":\"ORS-F-3\","
		 "\"recorded_by\":\"M. Diallo\"}}",
		 person, org_id(recipient));
	consent = must(post_id("orga", "/v1/consents", body, 201));
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"a.transit\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"leaves Haren in December, no housing\","
		 "\"data\":{\"identity\":{\"given_name\":\"Karim\"},"
		 "\"justice\":{\"prison\":\"Haren\",\"status\":\"detained\"}}}",
		 person, org_id("orga"), consent);
	id = must(post_id("orga", "/v1/referrals", body, 201));
	free(person);
	free(consent);
	return id;
}

static long
propose(const char *slug, const char *unit, const char *referral, struct resp *r)
{
	char path[160], body[256];

	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	snprintf(body, sizeof(body), "{\"referral_id\":\"%s\",\"note\":\"a quiet room\"}",
		 referral);
	ck_assert_int_eq(call(slug, "POST", path, body, NULL, r), 0);
	return r->status;
}

static char *
proposed(const char *slug, const char *unit, const char *referral)
{
	struct resp r;
	char *id;

	ck_assert_int_eq(propose(slug, unit, referral, &r), 201);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	return id;
}

static void
get_ok(const char *slug, const char *path, struct resp *r)
{
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, r), 0);
	ck_assert_msg(r->status == 200, "GET %s: %ld %s", path, r->status, r->body);
}

static const char *
field(const struct resp *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r->json, key));
	return v ? v : "";
}

START_TEST(ors_houses_its_own)
{
	char *site, *unit, *ref, *proposal, *occ, *fu, body[2048], path[160];
	long since, before;
	struct resp r;
	const char *v1[] = {"If-Match: \"1\"", NULL};
	json_t *referent;

	/* The coordinator grants hosting with one call. */
	ck_assert_int_eq(rule("PUT", "site.host", &r), 200);
	resp_free(&r);
	since = sql_count("SELECT refgw_events_number($1::uuid)", org_id("orga"));

	/* ORS publishes its house. */
	site = site_of("orga", "Maison communautaire ORS");
	unit = unit_of("orga", site, "Chambre 1", "published");

	/* It takes a person in, under a consent naming DIOGENES only. */
	ref = intake("ORS-K-1", "orgd");

	/* A third operator's unit: the consent does not name it: 403. */
	{
		char *csite = site_of("orgc", "Rue Heyvaert ORS"),
		     *cunit = unit_of("orgc", csite, "H-9", "published");

		before = sql_count("SELECT count(*) FROM proposals", NULL);
		ck_assert_int_eq(propose("orga", cunit, ref, &r), 403);
		ck_assert_str_eq(problem_type(&r), URN "consent-not-covering");
		resp_free(&r);
		ck_assert_int_eq(sql_count("SELECT count(*) FROM proposals", NULL), before);
		free(csite);
		free(cunit);
	}

	/* Its own room: it holds the data already; covered. */
	ck_assert_int_eq(propose("orga", unit, ref, &r), 201);
	ck_assert_str_eq(field(&r, "operator_organisation_id"), org_id("orga"));
	proposal = strdup(field(&r, "id"));
	resp_free(&r);

	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", proposal);
	ck_assert_int_eq(call("orga", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_msg(r.status == 200, "decision: %ld %s", r.status, r.body);
	resp_free(&r);

	/* The stay, under the house's convention, ORS its own referent. */
	snprintf(body, sizeof(body),
		 "{\"proposal_id\":\"%s\",\"start_date\":\"2026-12-01\","
		 "\"planned_end_date\":\"2027-11-30\","
		 "\"referent\":{\"organisation_id\":\"%s\",\"name\":\"M. Diallo\","
		 "\"role\":\"suivi personnel\"},"
		 "\"convention\":{\"kind\":\"community_house_convention\","
		 "\"reference\":\"ORS-MC-1\"}}",
		 proposal, org_id("orga"));
	ck_assert_int_eq(call("orga", "POST", "/v1/occupancies", body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "occupancy: %ld %s", r.status, r.body);
	referent = json_object_get(r.json, "referent");
	ck_assert_str_eq(json_string_value(json_object_get(referent, "organisation_id")),
			 org_id("orga"));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "convention"), "kind")),
		"community_house_convention");
	occ = strdup(field(&r, "id"));
	resp_free(&r);

	/* The personal follow-up, and its first entry. */
	snprintf(body, sizeof(body),
		 "{\"referral_id\":\"%s\",\"occupancy_id\":\"%s\",\"period_from\":\"2026-12-01\"}",
		 ref, occ);
	fu = must(post_id("orga", "/v1/follow-ups", body, 201));
	snprintf(path, sizeof(path), "/v1/follow-ups/%s/entries", fu);
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"date\":\"2026-12-03\",\"kind\":\"visit\",\"text\":\"Moved in, "
			      "house rules signed\"}",
			      NULL, &r),
			 0);
	ck_assert_msg(r.status == 201, "entry: %ld %s", r.status, r.body);
	resp_free(&r);
	get_ok("orga", path, &r);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
	resp_free(&r);

	/* It reads its intake whole, as its own. */
	snprintf(path, sizeof(path), "/v1/referrals/%s", ref);
	get_ok("orga", path, &r);
	ck_assert_ptr_nonnull(strstr(r.body, "Karim"));
	resp_free(&r);

	/* Told of each thing once: the stay's start, the placement. */
	ck_assert_int_eq(events_of("orga", "occupancy.started", occ), 1);
	ck_assert_int_eq(events_of("orga", "placement.started", ref), 1);
	ck_assert_int_le(most_of_one_kind("orga", since), 1);

	/* The stay ends: once too. */
	snprintf(path, sizeof(path), "/v1/occupancies/%s/end", occ);
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"end_date\":\"2026-12-20\",\"outcome\":\"durable_housing\"}", v1,
			      &r),
			 0);
	ck_assert_msg(r.status == 200, "end: %ld %s", r.status, r.body);
	resp_free(&r);
	ck_assert_int_eq(events_of("orga", "occupancy.ended", occ), 1);
	ck_assert_int_le(most_of_one_kind("orga", since), 1);

	ck_assert_int_eq(rule("DELETE", "site.host", &r), 200);
	resp_free(&r);
	free(site), free(unit), free(ref), free(proposal), free(occ), free(fu);
}
END_TEST

/* A proposal's status and reason code. */
static void
proposal_is(const char *id, const char *status, const char *reason)
{
	char q[256];

	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM proposals WHERE id = $1::uuid AND status = '%s' "
		 "AND reason_code IS NOT DISTINCT FROM %s",
		 status, reason);
	ck_assert_msg(sql_count(q, id) == 1, "proposal %s not %s %s", id, status, reason);
}

static long
patch(const char *slug, const char *path, const char *body, struct resp *r)
{
	char im[64];
	const char *h[] = {im, NULL};

	get_ok(slug, path, r);
	snprintf(im, sizeof(im), "If-Match: %s", r->etag);
	resp_free(r);
	ck_assert_int_eq(call(slug, "PATCH", path, body, h, r), 0);
	return r->status;
}

static const char *
status_of(const char *slug, const char *path, char *out, size_t n)
{
	struct resp r;

	get_ok(slug, path, &r);
	snprintf(out, n, "%s", field(&r, "status"));
	resp_free(&r);
	return out;
}

struct close_arg {
	char path[160];
	char if_match[64];
	long status;
	char problem[80];
};

static void *
close_site(void *arg)
{
	struct close_arg *a = arg;
	const char *h[] = {a->if_match, NULL};
	struct resp r;

	if (call("orgc", "PATCH", a->path, "{\"status\":\"closed\"}", h, &r) == 0) {
		a->status = r.status;
		snprintf(a->problem, sizeof(a->problem), "%s", problem_type(&r));
	}
	resp_free(&r);
	return NULL;
}

/* h14's race: a unit reserved (the accept's UPDATE, not yet committed)
 * while the site closes.  The close locks the site's units before counting
 * the busy ones, so it waits and then sees the reservation: 409, the site
 * still running, the unit still reserved. */
START_TEST(a_reservation_at_the_moment_of_closing)
{
	char *site = site_of("orgc", "Rue Heyvaert race"),
	     *unit = unit_of("orgc", site, "HR-1", "published");
	struct close_arg a;
	pthread_t t;
	struct resp r;
	PGconn *c = sql_admin();
	PGresult *res;
	const char *params[1] = {unit};
	char st[32], path[160];

	snprintf(a.path, sizeof(a.path), "/v1/sites/%s", site);
	get_ok("orgc", a.path, &r);
	snprintf(a.if_match, sizeof(a.if_match), "If-Match: %s", r.etag);
	resp_free(&r);
	a.status = 0;
	a.problem[0] = '\0';

	res = PQexec(c, "BEGIN");
	PQclear(res);
	res = PQexecParams(c,
			   "UPDATE units SET status = 'reserved', version = version + 1 "
			   "WHERE id = $1::uuid AND status = 'published'",
			   1, NULL, params, NULL, NULL, 0);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	pthread_create(&t, NULL, close_site, &a);
	usleep(700 * 1000);
	res = PQexec(c, "COMMIT");
	PQclear(res);
	pthread_join(t, NULL);
	PQfinish(c);

	ck_assert_msg(a.status == 409, "close during a reservation: %ld", a.status);
	ck_assert_str_eq(a.problem, URN "site-occupied");
	ck_assert_str_eq(status_of("orgc", a.path, st, sizeof(st)), "running");
	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_str_eq(status_of("orgc", path, st, sizeof(st)), "reserved");
	free(site), free(unit);
}
END_TEST

/* Whether slug's answer at path names id anywhere. */
static bool
body_has(const char *slug, const char *path, const char *id)
{
	struct resp r;
	bool found;

	get_ok(slug, path, &r);
	found = strstr(r.body, id) != NULL;
	resp_free(&r);
	return found;
}

START_TEST(closing_a_site_withdraws_its_units)
{
	char *site, *pub, *draft, *busy, *ref, *ref2, *ref3, *p1, *p2, *p3, path[160], st[32];
	long units_before, events_before;
	struct resp r;

	/* The AIS (orgc) runs a site: a published room, a draft, and one
	 * reserved for ORS's person. */
	site = site_of("orgc", "Rue Heyvaert closing");
	pub = unit_of("orgc", site, "HC-1", "published");
	draft = unit_of("orgc", site, "HC-2", "draft");
	busy = unit_of("orgc", site, "HC-3", "published");
	ref = intake("ORS-K-2", "orgc");
	ref2 = intake("ORS-K-3", "orgc");
	ref3 = intake("ORS-K-6", "orgc");
	p1 = proposed("orga", pub, ref);
	p2 = proposed("orga", busy, ref2);
	p3 = proposed("orga", pub, ref3);
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p2);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	/* While HC-3 is reserved: 409, nothing changes. */
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"closed\"}", &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "site-occupied");
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/units/%s", pub);
	ck_assert_str_eq(status_of("orgc", path, st, sizeof(st)), "published");
	proposal_is(p1, "open", "NULL");

	/* HC-3 taken back; then the site closes. */
	snprintf(path, sizeof(path), "/v1/units/%s", busy);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"withdrawn\"}", &r), 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"closed\"}", &r), 200);
	ck_assert_str_eq(field(&r, "status"), "closed");
	resp_free(&r);

	/* Its units are off offer, their open proposals declined, the
	 * proposer told, the operator told of each unit withdrawn. */
	snprintf(path, sizeof(path), "/v1/units/%s", pub);
	ck_assert_str_eq(status_of("orgc", path, st, sizeof(st)), "withdrawn");
	snprintf(path, sizeof(path), "/v1/units/%s", draft);
	ck_assert_str_eq(status_of("orgc", path, st, sizeof(st)), "withdrawn");
	proposal_is(p1, "declined", "'unit_unavailable'");
	proposal_is(p3, "declined", "'unit_unavailable'");
	ck_assert_int_eq(events_of("orga", "proposal.declined", p1), 1);
	ck_assert_int_eq(events_of("orga", "proposal.declined", p3), 1);
	ck_assert_int_eq(events_of("orgc", "unit.withdrawn", pub), 1);
	ck_assert_int_eq(events_of("orgc", "unit.withdrawn", draft), 1);
	ck_assert_int_eq(events_of("orgc", "unit.withdrawn", busy), 0); /* withdrawn already */
	/* Offered to ORS no longer; a proposal for it: 409. */
	ck_assert(!body_has("orga", "/v1/units?limit=200", pub));
	ck_assert_int_eq(propose("orga", pub, ref, &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "unit-not-available");
	resp_free(&r);

	/* No unit on a closed site: 422 naming site_id, nothing created. */
	units_before = sql_count("SELECT count(*) FROM units", NULL);
	events_before = sql_count("SELECT count(*) FROM events", NULL);
	ck_assert_int_eq(post_unit("orgc", site, "HC-4", "published", &r), 422);
	ck_assert_str_eq(errors_field(&r), "site_id");
	resp_free(&r);
	ck_assert_int_eq(post_unit("orgc", site, "HC-4", "draft", &r), 422);
	ck_assert_str_eq(errors_field(&r), "site_id");
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM units", NULL), units_before);
	/* ... nor published again: 422 naming status. */
	snprintf(path, sizeof(path), "/v1/units/%s", pub);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"published\"}", &r), 422);
	ck_assert_str_eq(errors_field(&r), "status");
	resp_free(&r);
	ck_assert_str_eq(status_of("orgc", path, st, sizeof(st)), "withdrawn");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM events", NULL), events_before);

	/* Reopened, the room can be offered again. */
	snprintf(path, sizeof(path), "/v1/sites/%s", site);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"running\"}", &r), 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/units/%s", pub);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"published\"}", &r), 200);
	resp_free(&r);

	free(site), free(pub), free(draft), free(busy), free(ref), free(ref2), free(ref3);
	free(p1), free(p2), free(p3);
}
END_TEST

START_TEST(withdrawing_a_unit_declines_its_proposals)
{
	char *site, *unit, *ref, *ref2, *p1, *p2, path[160];
	struct resp r;

	site = site_of("orgc", "Rue Heyvaert withdraw");
	unit = unit_of("orgc", site, "HW-1", "published");
	ref = intake("ORS-K-4", "orgc");
	ref2 = intake("ORS-K-5", "orgc");
	p1 = proposed("orga", unit, ref);
	p2 = proposed("orga", unit, ref2);
	ck_assert(body_has("orga", "/v1/units?limit=200", unit));

	snprintf(path, sizeof(path), "/v1/units/%s", unit);
	ck_assert_int_eq(patch("orgc", path, "{\"status\":\"withdrawn\"}", &r), 200);
	resp_free(&r);
	proposal_is(p1, "declined", "'unit_unavailable'");
	proposal_is(p2, "declined", "'unit_unavailable'");
	ck_assert_int_eq(events_of("orga", "proposal.declined", p1), 1);
	ck_assert_int_eq(events_of("orga", "proposal.declined", p2), 1);

	/* The operator's list shows both declined, and why. */
	snprintf(path, sizeof(path), "/v1/units/%s/proposals", unit);
	get_ok("orgc", path, &r);
	{
		json_t *items = json_object_get(r.json, "items"), *it;
		size_t i;

		ck_assert_int_eq(json_array_size(items), 2);
		json_array_foreach(items, i, it) {
			ck_assert_str_eq(json_string_value(json_object_get(it, "status")),
					 "declined");
			ck_assert_str_eq(json_string_value(json_object_get(it, "reason_code")),
					 "unit_unavailable");
		}
	}
	resp_free(&r);

	/* Offered nowhere: not listed, no candidates, no new proposal, none
	 * accepted. */
	ck_assert(!body_has("orga", "/v1/units?limit=200", unit));
	snprintf(path, sizeof(path), "/v1/units/%s/candidates", unit);
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "unit-not-available");
	resp_free(&r);
	ck_assert_int_eq(propose("orga", unit, ref, &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "unit-not-available");
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/proposals/%s/decision", p1);
	ck_assert_int_eq(call("orgc", "POST", path, "{\"decision\":\"accept\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);

	free(site), free(unit), free(ref), free(ref2), free(p1), free(p2);
}
END_TEST

Suite *
host_own_suite(void)
{
	Suite *s = suite_create("host_own");
	TCase *t = tcase_create("host_own");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, ors_houses_its_own);
	tcase_add_test(t, closing_a_site_withdraws_its_units);
	tcase_add_test(t, withdrawing_a_unit_declines_its_proposals);
	tcase_add_test(t, a_reservation_at_the_moment_of_closing);
	suite_add_tcase(s, t);
	return s;
}
