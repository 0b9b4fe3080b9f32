/* router: the table drives matching, 404 and 405 + Allow, and which routes
 * the identity cache answers or is invalidated by. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "router.h"
#include "statements.h"
#include "suites.h"

#define ID "0efc4ba8-fd87-403f-9b53-c0932c4cb062"
#define SHA "baeb7328ed6a472dd0eae5fdbf784526688b5f05b3bbd7fa7957478e2b4c0435"

static const struct {
	enum http_method method;
	const char *path;
	const char *route;  /* expected route name, NULL when none */
	const char *allow;  /* expected Allow when no route */
	const char *param1; /* expected second parameter */
} cases[] = {
	{HTTP_GET, "/v1/me", "me", NULL, NULL},
	{HTTP_POST, "/v1/me", NULL, "GET", NULL},
	{HTTP_GET, "/v1/organisations", "organisations.list", NULL, NULL},
	{HTTP_POST, "/v1/organisations", "organisations.create", NULL, NULL},
	{HTTP_DELETE, "/v1/organisations", NULL, "GET, POST", NULL},
	{HTTP_GET, "/v1/organisations/" ID, "organisations.get", NULL, NULL},
	{HTTP_PATCH, "/v1/organisations/" ID, "organisations.update", NULL, NULL},
	{HTTP_PUT, "/v1/organisations/" ID, NULL, "GET, PATCH", NULL},
	{HTTP_GET, "/v1/organisations/not-a-uuid", NULL, "", NULL},
	{HTTP_GET, "/v1/organisations/" ID "/certificates", "certificates.list", NULL, NULL},
	{HTTP_POST, "/v1/organisations/" ID "/certificates/" SHA "/revoke", "certificates.revoke",
	 NULL, SHA},
	{HTTP_POST, "/v1/organisations/" ID "/certificates/ABC/revoke", NULL, "", NULL},
	{HTTP_POST, "/v1/organisations/" ID "/certificates/" SHA "/confirm", "certificates.confirm",
	 NULL, SHA},
	{HTTP_POST, "/v1/me/certificates", "certificates.rotate", NULL, NULL},
	{HTTP_GET, "/v1/me/certificates", NULL, "POST", NULL},
	{HTTP_GET, "/v1/organisations/", NULL, "", NULL},
	{HTTP_GET, "/v1/me/", NULL, "", NULL},
	{HTTP_GET, "/v1//me", NULL, "", NULL},
	{HTTP_GET, "/v2/me", NULL, "", NULL},
	{HTTP_GET, "", NULL, "", NULL},
};

START_TEST(route_table_cases)
{
	char params[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX], allow_text[64];
	int n = -1, allow = -1;
	const struct route *r = router_match(cases[_i].method, cases[_i].path, params, &n, &allow);

	if (cases[_i].route) {
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(r->name, cases[_i].route);
		ck_assert_int_eq(allow, 0);
		if (strstr(cases[_i].path, ID))
			ck_assert_str_eq(params[0], ID);
		if (cases[_i].param1)
			ck_assert_str_eq(params[1], cases[_i].param1);
	} else {
		ck_assert_ptr_null(r);
		router_allow_header(allow, allow_text, sizeof(allow_text));
		ck_assert_str_eq(allow_text, cases[_i].allow);
	}
}
END_TEST

START_TEST(every_route_is_reachable_and_named)
{
	size_t i, j;

	for (i = 0; i < nroutes; i++) {
		ck_assert_ptr_nonnull(routes[i].handler);
		ck_assert_ptr_nonnull(routes[i].name);
		for (j = 0; j < i; j++)
			ck_assert_msg(!(routes[i].method == routes[j].method &&
					strcmp(routes[i].pattern, routes[j].pattern) == 0),
				      "duplicate route %s", routes[i].pattern);
	}
}
END_TEST

/* The identity cache answers a route without a transaction and without an
 * access check (identity.c sets may): only a GET that needs no action. */
START_TEST(identity_cache_routes_need_no_action)
{
	size_t i, cached = 0;

	for (i = 0; i < nroutes; i++) {
		if (!(routes[i].flags & ROUTE_IDENTITY_CACHE))
			continue;
		cached++;
		ck_assert_msg(routes[i].method == HTTP_GET && routes[i].action == NULL,
			      "%s answers from the identity cache but is not a GET without action",
			      routes[i].name);
		ck_assert_msg(!(routes[i].flags & ROUTE_CHANGES_IDENTITY), "%s", routes[i].name);
	}
	ck_assert_uint_eq(cached, 1); /* GET /v1/me */
}
END_TEST

/* Every route that can change an organisation, a certificate or an access
 * rule (what the identity cache holds) invalidates it when it commits. */
START_TEST(identity_changes_invalidate_the_cache)
{
	static const char *const actions[] = {"organisation.manage", "certificate.manage",
					      "access_rule.manage"};
	static const char *const by_name[] = {"certificates.confirm", "certificates.rotate"};
	size_t i, a, changing = 0;

	for (i = 0; i < nroutes; i++) {
		bool must = false;
		for (a = 0; routes[i].action && a < sizeof(actions) / sizeof(actions[0]); a++)
			must |= strcmp(routes[i].action, actions[a]) == 0;
		for (a = 0; a < sizeof(by_name) / sizeof(by_name[0]); a++)
			must |= strcmp(routes[i].name, by_name[a]) == 0;
		ck_assert_msg((routes[i].flags & ROUTE_CHANGES_IDENTITY) ==
				      (must ? ROUTE_CHANGES_IDENTITY : 0u),
			      "%s: ROUTE_CHANGES_IDENTITY %s", routes[i].name,
			      must ? "missing" : "on a route that changes no identity");
		changing += must;
	}
	ck_assert_uint_eq(changing, 9); /* + PUT and DELETE /v1/access-rules/{id}/{action} */
}
END_TEST

/* The listeners' routes (issue 17): the session and account routes, and
 * the person's journal by receipt code (issue 18), only on the browser
 * listener; a route without authentication is one of them and
 * changes state only through its own functions; the certificate's routes
 * only on the mTLS listener. */
START_TEST(listener_flags_are_consistent)
{
	size_t i, browser_only = 0, certificate_only = 0;

	for (i = 0; i < nroutes; i++) {
		unsigned f = routes[i].flags;
		bool people = strncmp(routes[i].pattern, "/v1/session", 11) == 0 ||
			      strncmp(routes[i].pattern, "/v1/account", 11) == 0 ||
			      strcmp(routes[i].pattern, "/v1/journal/entries") == 0;
		ck_assert_msg(people == ((f & ROUTE_BROWSER_ONLY) != 0), "%s", routes[i].name);
		ck_assert_msg(!(f & ROUTE_NO_SESSION) || (f & ROUTE_BROWSER_ONLY), "%s",
			      routes[i].name);
		ck_assert_msg(!(f & ROUTE_COMMIT_REFUSALS) || (f & ROUTE_NO_SESSION), "%s",
			      routes[i].name);
		ck_assert_msg(!(f & ROUTE_BROWSER_ONLY) || routes[i].action == NULL, "%s",
			      routes[i].name);
		ck_assert_msg(!((f & ROUTE_BROWSER_ONLY) && (f & ROUTE_CERTIFICATE_ONLY)), "%s",
			      routes[i].name);
		browser_only += (f & ROUTE_BROWSER_ONLY) != 0;
		certificate_only += (f & ROUTE_CERTIFICATE_ONLY) != 0;
	}
	ck_assert_uint_eq(browser_only, 8);     /* + the journal by receipt code */
	ck_assert_uint_eq(certificate_only, 3); /* /v1/me, rotation, confirmation */
}
END_TEST

START_TEST(every_statement_is_defined)
{
	size_t i, j;

	for (i = 0; i < ST_COUNT; i++) {
		ck_assert_msg(statements[i].name != NULL && statements[i].sql != NULL,
			      "statement %zu has no definition", i);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(statements[i].name, statements[j].name);
	}
}
END_TEST

/* The route table and docs/openapi.yaml describe the same API, both ways:
 * every route is documented and every documented operation is routed.  The
 * file is read line by line: paths are the two-space-indented keys under
 * `paths:` and operations the four-space-indented HTTP methods under them. */
START_TEST(routes_equal_openapi)
{
	static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
	static const enum http_method bits[] = {HTTP_GET, HTTP_POST, HTTP_PUT, HTTP_PATCH,
						HTTP_DELETE};
	FILE *f = fopen("docs/openapi.yaml", "r");
	char line[512], path[256] = "";
	bool in_paths = false, seen[128] = {false};
	size_t i, m, documented = 0;

	ck_assert_msg(f != NULL, "docs/openapi.yaml not found (run from the repository root)");
	ck_assert_uint_le(nroutes, sizeof(seen) / sizeof(seen[0]));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != ' ' && line[0] != '\0' && line[0] != '#') {
			in_paths = strcmp(line, "paths:") == 0;
			continue;
		}
		if (!in_paths)
			continue;
		if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
			snprintf(path, sizeof(path), "%.*s", (int)strlen(line) - 3, line + 2);
			continue;
		}
		/* The console's files are served by console.c, not routed. */
		if (strncmp(path, "/console", 8) == 0)
			continue;
		for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
			char want[32];
			snprintf(want, sizeof(want), "    %s:", methods[m]);
			if (strcmp(line, want) != 0)
				continue;
			documented++;
			for (i = 0; i < nroutes; i++)
				if (routes[i].method == bits[m] &&
				    strcmp(routes[i].pattern, path) == 0)
					break;
			ck_assert_msg(i < nroutes, "%s %s is documented but not routed", methods[m],
				      path);
			seen[i] = true;
		}
	}
	fclose(f);
	for (i = 0; i < nroutes; i++)
		ck_assert_msg(seen[i], "%s (%s) is routed but not documented in docs/openapi.yaml",
			      routes[i].pattern, routes[i].name);
	ck_assert_uint_eq(documented, nroutes);
}
END_TEST

Suite *
router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *t = tcase_create("match");

	tcase_add_loop_test(t, route_table_cases, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(t, every_route_is_reachable_and_named);
	tcase_add_test(t, identity_cache_routes_need_no_action);
	tcase_add_test(t, identity_changes_invalidate_the_cache);
	tcase_add_test(t, every_statement_is_defined);
	tcase_add_test(t, listener_flags_are_consistent);
	tcase_add_test(t, routes_equal_openapi);
	suite_add_tcase(s, t);
	return s;
}
