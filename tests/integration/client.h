/* Test client: libcurl against the live gateway started by
 * tests/run-integration.sh, plus direct SQL for what must be proven from
 * the database side. */
#ifndef REFGW_TEST_CLIENT_H
#define REFGW_TEST_CLIENT_H

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

struct resp {
	long status;
	char *body;
	size_t len;
	json_t *json;
	char content_type[128];
	char request_id[80];
	char gateway_request_id[80]; /* X-Refgw-Request-Id */
	char allow[80];
	char retry_after[16];
	char etag[32];
	char location[256];
	char content_language[16];
	char vary[128];
	/* The browser listener's headers (test_sessions.c). */
	char set_cookie[256];
	char csp[512];
	char hsts[64];
	char referrer_policy[32];
	char content_type_options[32];
	char cache_control[64];
	int connection_close;
	int replayed;
	long num_connects;
};

/* Set by the fault suite, which expects refused connections. */
extern bool client_quiet;

/* A client presenting certs/<slug>.pem (NULL: no certificate). */
CURL *client_new(const char *slug);
/* method, path (under the API base), body (NULL: none), extra headers. */
int client_call(CURL *h, const char *method, const char *path, const char *body,
		const char *const *headers, struct resp *out);
/* The same against another base URL ("https://localhost:PORT"). */
int client_call_base(CURL *h, const char *base, const char *method, const char *path,
		     const char *body, const char *const *headers, struct resp *out);
/* One-shot: new client, one call, cleanup. */
int call(const char *slug, const char *method, const char *path, const char *body,
	 const char *const *headers, struct resp *out);
/* The same, against the gateway whose base URL is in environment variable
 * base_env (REFGW_TEST_BASE2: a second gateway process on the same database). */
int call_at(const char *base_env, const char *slug, const char *method, const char *path,
	    const char *body, const char *const *headers, struct resp *out);
void resp_free(struct resp *r);

/* The browser listener (REFGW_TEST_BROWSER, or base_env's): a client with no
 * certificate, as a browser; cookies and the Origin / X-CSRF-Token headers
 * are what the caller puts in headers (nothing is kept between calls). */
CURL *client_browser(void);
int browser_call(const char *base_env, const char *method, const char *path, const char *body,
		 const char *const *headers, struct resp *out);
/* The problem type of a problem+json response, or "". */
const char *problem_type(const struct resp *r);

const char *org_id(const char *slug);
/* {"pem": certs/<slug>.pem}, the body that registers it (malloc'd). */
char *pem_body(const char *slug);
/* slug records person's consent for recipient (slug), purpose housing_referral,
 * categories as a JSON list body ("\"identity\""); its id (malloc'd) or fails. */
char *post_consent(const char *slug, const char *person, const char *recipient,
		   const char *categories);
const char *env_or_die(const char *name);

PGconn *sql_admin(void);
PGconn *sql_app(void);
/* First column of the first row of a parameterised query, as a long. */
long sql_long(PGconn *c, const char *query, int nparams, const char *const *params);

/* count(*)-style query as the owner, with at most one parameter. */
long sql_count(const char *query, const char *param);
long events_of(const char *slug, const char *type, const char *resource);
/* POST as slug; the new resource's "id" (malloc'd) when the status is want, else NULL. */
char *post_id(const char *slug, const char *path, const char *body, long want);

/* Follows a list's next_cursor from the first page to the last (limit items
 * per page), asserting 200s, page sizes and that no id repeats; returns the
 * number of items seen. */
long walk_pages(const char *slug, const char *path, int limit);

Suite *referrals_suite(void);
Suite *units_suite(void);
Suite *matrix_suite(void);
Suite *plans_suite(void);
Suite *framing_suite(void);
Suite *audit_checkpoint_suite(void);
Suite *identity_suite(void);
Suite *personal_fields_suite(void);
Suite *operations_suite(void);
Suite *consent_integrity_suite(void);
Suite *review13_suite(void);
Suite *programs_suite(void);
Suite *intake_suite(void);
Suite *ranking_suite(void);
Suite *placements_suite(void);
Suite *journeys_suite(void);
Suite *review14_suite(void);
Suite *sites_suite(void);
Suite *unit_life_suite(void);
Suite *journeys15_suite(void);
Suite *follow_ups_suite(void);
Suite *alerts_conventions_suite(void);
Suite *relay_hosting_suite(void);
Suite *review15_suite(void);
Suite *host_own_suite(void);
Suite *erasure_suite(void);
Suite *retention_suite(void);
Suite *keys_suite(void);
Suite *export_suite(void);
Suite *review16_suite(void);
Suite *languages_suite(void);
Suite *accounts_suite(void);
Suite *sessions_suite(void);
Suite *journal_suite(void);
Suite *lists_suite(void);
Suite *events_suite(void);
Suite *audit_chain_suite(void);
Suite *review19_suite(void);

/* Plain GET on the operations listener. */
int ops_get(const char *path, struct resp *out);
/* The same on the instance whose operations URL is in ops_env. */
int ops_get_at(const char *ops_env, const char *path, struct resp *out);
/* A metric's value (name with its labels) on that instance; -1 if absent. */
long ops_metric(const char *ops_env, const char *name);

#endif
