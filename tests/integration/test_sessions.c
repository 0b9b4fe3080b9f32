/* People on the browser listener (issue 17): sign-in with a password and a
 * TOTP second factor, the session cookie, CSRF, the throttle, timeouts,
 * logout, the security headers, and each threat of the issue as a test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "people.h"

#define COOKIE_ATTRS "; Path=/; Secure; HttpOnly; SameSite=Strict"

static void
setup(void)
{
	throttle_reset();
}

static long
count_of(const char *query, const char *param)
{
	return sql_count(query, param);
}

/* The whole path: password, second factor (a new cookie), the Session of
 * the contract, the exact cookie, the security headers. */
START_TEST(sign_in_gives_a_session_with_exact_cookie_and_headers)
{
	struct person p;
	struct resp r;
	char pending[64], cookie[64], want[160];

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_password(&p, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "state")), "second_factor");
	cookie_value(r.set_cookie, pending, sizeof(pending));
	ck_assert_uint_eq(strlen(pending), 43);
	snprintf(want, sizeof(want), "__Host-refgw-session=%s" COOKIE_ATTRS, pending);
	ck_assert_str_eq(r.set_cookie, want);
	resp_free(&r);
	ck_assert_int_eq(person_second_factor(&p, NULL, pending, &r), 0);
	ck_assert_int_eq(r.status, 200);
	cookie_value(r.set_cookie, cookie, sizeof(cookie));
	snprintf(want, sizeof(want), "__Host-refgw-session=%s" COOKIE_ATTRS, cookie);
	ck_assert_str_eq(r.set_cookie, want);
	ck_assert_str_ne(cookie, pending);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "user"), "email")),
		p.email);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "user"), "role")),
		"worker");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "organisation"), "id")),
		org_id("orga"));
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(r.json, "csrf_token"))), 43);
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "expires_at")));
	ck_assert_ptr_nonnull(json_string_value(json_object_get(r.json, "idle_expires_at")));
	/* Security headers on every browser answer. */
	ck_assert_str_eq(r.csp, "default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self'; connect-src 'self'; form-action 'self'; "
				"base-uri 'none'; frame-ancestors 'none'");
	ck_assert_str_eq(r.hsts, "max-age=31536000");
	ck_assert_str_eq(r.referrer_policy, "no-referrer");
	ck_assert_str_eq(r.content_type_options, "nosniff");
	ck_assert_str_eq(r.cache_control, "no-store");
	snprintf(p.session, sizeof(p.session), "%s", cookie);
	snprintf(p.csrf, sizeof(p.csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	resp_free(&r);
	ck_assert_int_eq(person_call(&p, NULL, "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.csp, "default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self'; connect-src 'self'; form-action 'self'; "
				"base-uri 'none'; frame-ancestors 'none'");
	resp_free(&r);
	/* A refusal carries them too, and the console's page. */
	ck_assert_int_eq(browser_call(NULL, "GET", "/v1/session", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:unauthenticated");
	ck_assert_str_eq(r.hsts, "max-age=31536000");
	resp_free(&r);
	ck_assert_int_eq(browser_call(NULL, "GET", "/console/", NULL, NULL, &r), 0);
	ck_assert_str_eq(r.referrer_policy, "no-referrer");
	ck_assert_str_eq(r.content_type_options, "nosniff");
	resp_free(&r);
	/* The language preference. */
	ck_assert_int_eq(person_call(&p, NULL, "PATCH", "/v1/account", "{\"language\":\"en\"}", &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "user"), "language")),
		"en");
	resp_free(&r);
}
END_TEST

/* Session fixation: a cookie the client had before signing in is never the
 * session; the pending one ends at the second factor. */
START_TEST(session_fixation_is_impossible)
{
	static const char planted[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
	struct person p;
	struct resp r;
	char pending[64], cookie[64], hdr[128];
	const char *h[] = {hdr, NULL};

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_password(&p, NULL, planted, &r), 0);
	ck_assert_int_eq(r.status, 200);
	cookie_value(r.set_cookie, pending, sizeof(pending));
	ck_assert_str_ne(pending, planted);
	resp_free(&r);
	/* The planted cookie cannot carry the second factor. */
	ck_assert_int_eq(person_second_factor(&p, NULL, planted, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	p.next_step--;
	/* A pending session is no session. */
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-refgw-session=%s", pending);
	ck_assert_int_eq(browser_call(NULL, "GET", "/v1/session", NULL, h, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ck_assert_int_eq(person_second_factor(&p, NULL, pending, &r), 0);
	ck_assert_int_eq(r.status, 200);
	cookie_value(r.set_cookie, cookie, sizeof(cookie));
	ck_assert_str_ne(cookie, pending);
	ck_assert_str_ne(cookie, planted);
	resp_free(&r);
	/* The pending id is ended: neither a session nor a second chance. */
	ck_assert_int_eq(browser_call(NULL, "GET", "/v1/session", NULL, h, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ck_assert_int_eq(person_second_factor(&p, NULL, pending, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	snprintf(hdr, sizeof(hdr), "Cookie: __Host-refgw-session=%s", cookie);
	ck_assert_int_eq(browser_call(NULL, "GET", "/v1/session", NULL, h, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

/* A TOTP code is good once. */
START_TEST(a_code_is_used_once)
{
	struct person p;
	struct resp r;
	char pending[64];

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&p, NULL), 0);
	p.next_step--; /* the same code again */
	ck_assert_int_eq(person_password(&p, NULL, NULL, &r), 0);
	cookie_value(r.set_cookie, pending, sizeof(pending));
	resp_free(&r);
	ck_assert_int_eq(person_second_factor(&p, NULL, pending, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:sign-in-failed");
	resp_free(&r);
}
END_TEST

/* CSRF: a change from another origin, without an origin, without or with a
 * wrong token is refused 403 and changes nothing. */
START_TEST(csrf_is_refused_and_changes_nothing)
{
	struct person p;
	struct resp r;
	char cookie[128], token[128];
	const char *body = "{\"external_ref\":\"CSRF-1\"}";
	const char *no_origin[] = {cookie, token, NULL};
	const char *evil[] = {"Origin: https://evil.example", cookie, token, NULL};
	const char *no_token[] = {browser_origin, cookie, NULL};
	const char *bad_token[] = {browser_origin, cookie,
				   "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				   NULL};
	const char *const *refused[] = {no_origin, evil, no_token, bad_token};
	long before;
	size_t i;

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&p, NULL), 0);
	snprintf(cookie, sizeof(cookie), "Cookie: __Host-refgw-session=%s", p.session);
	snprintf(token, sizeof(token), "X-CSRF-Token: %s", p.csrf);
	before = count_of("SELECT count(*) FROM persons WHERE external_ref = $1", "CSRF-1");
	ck_assert_int_eq(before, 0);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ck_assert_int_eq(browser_call(NULL, "POST", "/v1/persons", body, refused[i], &r),
				 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:csrf");
		resp_free(&r);
	}
	/* Logout is a change too. */
	ck_assert_int_eq(browser_call(NULL, "DELETE", "/v1/session", NULL, evil, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM persons WHERE external_ref = $1", "CSRF-1"),
			 0);
	/* With both: done, and the audit names the person who did it. */
	ck_assert_int_eq(person_call(&p, NULL, "POST", "/v1/persons", body, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq(count_of("SELECT count(*) FROM audit_log WHERE request_id = $1 "
				  "AND user_id IS NOT NULL AND organisation_id IS NOT NULL "
				  "AND user_label LIKE '%<p%'",
				  r.gateway_request_id),
			 1);
	resp_free(&r);
}
END_TEST

/* The audit names the user, GET /v1/audit shows it, the chain verifies. */
START_TEST(audit_names_the_user_and_verifies)
{
	struct person admin;
	struct resp r;
	char cmd[1024], line[512], path[160], person[64];
	FILE *f;
	int ok = 0;

	ck_assert_int_eq(person_enrol(&admin, org_id("coord"), "coordinator_admin", NULL), 0);
	ck_assert_int_eq(person_sign_in(&admin, NULL), 0);
	/* The sign-in itself is audited under the user. */
	ck_assert_int_eq(count_of("SELECT count(*) FROM audit_log WHERE action = 'user.sign_in' "
				  "AND user_id = $1::uuid",
				  admin.id),
			 1);
	/* A person's journal read by the coordinator's person. */
	ck_assert_int_eq(
		call("orga", "POST", "/v1/persons", "{\"external_ref\":\"AUD-1\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	snprintf(person, sizeof(person), "%s", json_string_value(json_object_get(r.json, "id")));
	snprintf(path, sizeof(path), "/v1/audit?person_id=%s", person);
	resp_free(&r);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* Her export as a page, in a browser: it runs and loads nothing, and
	 * its own style applies (not the console's policy). */
	snprintf(path, sizeof(path), "/v1/persons/%s/export?format=html", person);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.csp, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
				"form-action 'none'; frame-ancestors 'none'");
	resp_free(&r);
	snprintf(cmd, sizeof(cmd), "%s audit verify 2>&1", env_or_die("REFGW_TEST_BIN"));
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "audit chain intact"))
			ok = 1;
	ck_assert_int_eq(pclose(f), 0);
	ck_assert(ok);
}
END_TEST

/* Brute force: the same answer for an unknown account and a known one;
 * five failures lock the account (the right password is then refused the
 * same way); thirty from one address answer 429. */
START_TEST(brute_force_is_throttled_alike)
{
	struct person p, ghost;
	struct resp r, g;
	char right[64];
	int i;

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ghost = p;
	snprintf(ghost.email, sizeof(ghost.email), "nobody.%d@test.example", (int)getpid());
	snprintf(right, sizeof(right), "%s", p.password);
	snprintf(p.password, sizeof(p.password), "wrong password here");
	snprintf(ghost.password, sizeof(ghost.password), "wrong password here");
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(person_password(&p, NULL, NULL, &r), 0);
		ck_assert_int_eq(person_password(&ghost, NULL, NULL, &g), 0);
		ck_assert_int_eq(r.status, 401);
		ck_assert_int_eq(g.status, 401);
		ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:sign-in-failed");
		ck_assert_str_eq(problem_type(&g), problem_type(&r));
		ck_assert_str_eq(json_string_value(json_object_get(g.json, "detail")),
				 json_string_value(json_object_get(r.json, "detail")));
		ck_assert_str_eq(r.set_cookie, "");
		resp_free(&r);
		resp_free(&g);
	}
	/* Locked: the right password is refused, as an unknown account is. */
	snprintf(p.password, sizeof(p.password), "%s", right);
	ck_assert_int_eq(person_password(&p, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:sign-in-failed");
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM signin_throttle WHERE key LIKE 'account:%' "
				  "AND locked_until > now() + interval '50 seconds' AND $1 = $1",
				  "x"),
			 2);
	/* Per source: 30 failures in 10 minutes. */
	throttle_reset();
	for (i = 0; i < 30; i++) {
		snprintf(ghost.email, sizeof(ghost.email), "n%d.%d@test.example", i, (int)getpid());
		ck_assert_int_eq(person_password(&ghost, NULL, NULL, &g), 0);
		ck_assert_int_eq(g.status, 401);
		resp_free(&g);
	}
	ck_assert_int_eq(person_password(&p, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 429);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:too-many-attempts");
	ck_assert(atoi(r.retry_after) > 0 && atoi(r.retry_after) <= 600);
	resp_free(&r);
	throttle_reset();
	ck_assert_int_eq(person_sign_in(&p, NULL), 0);
}
END_TEST

/* A user disabled, an organisation suspended: their live sessions are
 * refused at once, on every instance. */
START_TEST(disabled_user_and_suspended_organisation_lose_their_sessions)
{
	struct person p, q;
	struct resp r;
	char path[160], org[64], cmd[512];
	const char *ifm[] = {"If-Match: \"2\"", NULL};
	FILE *f;

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&p, NULL), 0);
	ck_assert_int_eq(person_call(&p, NULL, "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/users/%s", p.id);
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"status\":\"disabled\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(person_call(&p, NULL, "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM sessions WHERE user_id = $1::uuid "
				  "AND ended_at IS NULL",
				  p.id),
			 0);
	/* A new organisation, its user signed in, then suspended. */
	snprintf(cmd, sizeof(cmd), "%s org add --name 'Suspended People %d' --kind street_work",
		 env_or_die("REFGW_TEST_BIN"), (int)getpid());
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(org, sizeof(org), f));
	pclose(f);
	org[strcspn(org, "\n")] = '\0';
	ck_assert_int_eq(person_enrol(&q, org, "org_admin", NULL), 0);
	ck_assert_int_eq(person_sign_in(&q, NULL), 0);
	snprintf(path, sizeof(path), "/v1/organisations/%s/users", org);
	ck_assert_int_eq(person_call(&q, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/organisations/%s", org);
	{
		const char *ifm1[] = {"If-Match: \"1\"", NULL};
		ck_assert_int_eq(
			call("coord", "PATCH", path, "{\"status\":\"suspended\"}", ifm1, &r), 0);
	}
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(person_call(&q, NULL, "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ck_assert_int_eq(count_of("SELECT count(*) FROM sessions WHERE organisation_id = $1::uuid "
				  "AND ended_at IS NULL",
				  org),
			 0);
}
END_TEST

/* A user of one organisation with another's ids: row-level security
 * answers, as for a system; a worker has no user.* at all. */
START_TEST(another_organisations_ids_are_not_found)
{
	struct person admin, worker, other;
	struct resp r;
	char path[160];

	ck_assert_int_eq(person_enrol(&admin, org_id("orga"), "org_admin", NULL), 0);
	ck_assert_int_eq(person_enrol(&worker, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_enrol(&other, org_id("orgb"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&admin, NULL), 0);
	ck_assert_int_eq(person_sign_in(&worker, NULL), 0);
	ck_assert_int_eq(person_sign_in(&other, NULL), 0);
	snprintf(path, sizeof(path), "/v1/users/%s", other.id);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/users/%s", worker.id);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	/* A worker: no user.* */
	ck_assert_int_eq(person_call(&worker, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/users/%s/reset", admin.id);
	ck_assert_int_eq(person_call(&worker, NULL, "POST", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
	/* The other organisation's list is empty to the admin (RLS). */
	snprintf(path, sizeof(path), "/v1/organisations/%s/users", org_id("orgb"));
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
	resp_free(&r);
	/* A coordinator's route: the organisation's rules say no. */
	ck_assert_int_eq(person_call(&admin, NULL, "POST", "/v1/organisations",
				     "{\"name\":\"X\",\"kind\":\"cpas\"}", &r),
			 0);
	ck_assert_int_eq(r.status, 403);
	resp_free(&r);
}
END_TEST

/* A signed-in person reads problems in the language of their account
 * (French by default), whatever the browser asks, and at once in the one
 * they choose (PATCH /v1/account). */
START_TEST(the_accounts_language_wins)
{
	struct person admin, other;
	struct resp r;
	char path[160];

	ck_assert_int_eq(person_enrol(&admin, org_id("orga"), "org_admin", NULL), 0);
	ck_assert_int_eq(person_enrol(&other, org_id("orgb"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&admin, NULL), 0);
	snprintf(path, sizeof(path), "/v1/users/%s", other.id);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.content_language, "fr");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "title")), "Introuvable");
	resp_free(&r);
	ck_assert_int_eq(
		person_call(&admin, NULL, "PATCH", "/v1/account", "{\"language\":\"nl\"}", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_language, "nl");
	resp_free(&r);
	ck_assert_int_eq(person_call(&admin, NULL, "GET", path, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.content_language, "nl");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "title")), "Niet gevonden");
	resp_free(&r);
}
END_TEST

/* Logout ends the session in PostgreSQL: the old cookie is refused, on
 * another instance too. */
START_TEST(logout_ends_the_session)
{
	struct person p;
	struct resp r;

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	ck_assert_int_eq(person_sign_in(&p, NULL), 0);
	ck_assert_int_eq(person_call(&p, NULL, "DELETE", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 204);
	ck_assert_str_eq(r.set_cookie, "__Host-refgw-session=" COOKIE_ATTRS "; Max-Age=0");
	resp_free(&r);
	ck_assert_int_eq(person_call(&p, NULL, "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ck_assert_int_eq(person_call(&p, "REFGW_TEST_BROWSER5", "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
}
END_TEST

/* Idle timeout (2 s) and absolute lifetime (5 s) on the fifth instance. */
START_TEST(idle_and_absolute_timeouts)
{
	struct person p;
	struct resp r;
	int i, refused_at = -1;

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", "REFGW_TEST_BROWSER5"), 0);
	ck_assert_int_eq(person_sign_in(&p, "REFGW_TEST_BROWSER5"), 0);
	sleep(3);
	ck_assert_int_eq(person_call(&p, "REFGW_TEST_BROWSER5", "GET", "/v1/session", NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	/* Active every half second: still ends at the lifetime. */
	ck_assert_int_eq(person_sign_in(&p, "REFGW_TEST_BROWSER5"), 0);
	for (i = 0; i < 16 && refused_at < 0; i++) {
		usleep(500000);
		ck_assert_int_eq(
			person_call(&p, "REFGW_TEST_BROWSER5", "GET", "/v1/session", NULL, &r), 0);
		if (r.status == 401)
			refused_at = i;
		else
			ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
	ck_assert_int_ge(refused_at, 7); /* not before about 4 s */
	ck_assert_int_le(refused_at, 12);
}
END_TEST

/* The session's routes exist only on the browser listener; the
 * certificate's only on the mTLS one. */
START_TEST(listeners_keep_their_routes)
{
	struct resp r;
	const char *hdr[] = {browser_origin, NULL};

	ck_assert_int_eq(call("orga", "GET", "/v1/session", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(r.csp, "");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", "/v1/session",
			      "{\"email\":\"a@b.c\",\"password\":\"x\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "POST", "/v1/account/enrol",
			      "{\"invitation_token\":\"x\",\"password\":\"x\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(browser_call(NULL, "GET", "/v1/me", NULL, hdr, &r), 0);
	ck_assert_int_eq(r.status, 401); /* not signed in, first */
	resp_free(&r);
	/* Plain HTTP to the browser listener: no answer at all (TLS only), so
	 * no cookie ever travels in clear; the cookie is Secure besides. */
	{
		char base[128];
		CURL *h = client_browser();
		snprintf(base, sizeof(base), "http://%s",
			 env_or_die("REFGW_TEST_BROWSER") + strlen("https://"));
		client_quiet = true;
		ck_assert_int_eq(client_call_base(h, base, "GET", "/v1/session", NULL, NULL, &r),
				 -1);
		client_quiet = false;
		resp_free(&r);
		curl_easy_cleanup(h);
	}
	/* The password policy, in the problem. */
	ck_assert_int_eq(browser_call(NULL, "POST", "/v1/account/enrol",
				      "{\"invitation_token\":\"x\",\"password\":\"short\"}", hdr,
				      &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), "urn:refgw:problem:invalid");
	ck_assert_ptr_nonnull(strstr(r.body, "12 to 128"));
	resp_free(&r);
}
END_TEST

Suite *
sessions_suite(void)
{
	Suite *s = suite_create("sessions");
	TCase *t = tcase_create("sessions");

	tcase_set_timeout(t, 120);
	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, sign_in_gives_a_session_with_exact_cookie_and_headers);
	tcase_add_test(t, session_fixation_is_impossible);
	tcase_add_test(t, a_code_is_used_once);
	tcase_add_test(t, csrf_is_refused_and_changes_nothing);
	tcase_add_test(t, audit_names_the_user_and_verifies);
	tcase_add_test(t, brute_force_is_throttled_alike);
	tcase_add_test(t, disabled_user_and_suspended_organisation_lose_their_sessions);
	tcase_add_test(t, another_organisations_ids_are_not_found);
	tcase_add_test(t, the_accounts_language_wins);
	tcase_add_test(t, logout_ends_the_session);
	tcase_add_test(t, idle_and_absolute_timeouts);
	tcase_add_test(t, listeners_keep_their_routes);
	suite_add_tcase(s, t);
	return s;
}
