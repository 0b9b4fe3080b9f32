/* Integration suite: a real HTTPS client (libcurl) against a live gateway
 * on a throwaway PostgreSQL, started by tests/run-integration.sh. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static void
unique_name(char *out, size_t len, const char *prefix)
{
	static int n;

	snprintf(out, len, "%s %d-%d-%ld", prefix, (int)getpid(), n++, (long)random());
}

static long
count_orgs(void)
{
	PGconn *c = sql_admin();
	long n = sql_long(c, "SELECT count(*) FROM organisations", 0, NULL);

	PQfinish(c);
	return n;
}

static long
count_audit(void)
{
	PGconn *c = sql_admin();
	long n = sql_long(c, "SELECT count(*) FROM audit_log", 0, NULL);

	PQfinish(c);
	return n;
}

/* Runs `refgw audit verify`, returns its exit code and output. */
static int
audit_verify(char *out, size_t outlen)
{
	char cmd[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s audit verify 2>&1", env_or_die("REFGW_TEST_BIN"));
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- identity ---- */

START_TEST(me_resolves_organisation_from_certificate)
{
	struct resp r;

	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(r.content_type, "application/json");
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "organisation"), "id")),
		org_id("orga"));
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "organisation"), "kind")),
		"justice_aid");
	ck_assert_int_eq(strlen(json_string_value(json_object_get(
				 json_object_get(r.json, "certificate"), "sha256"))),
			 64);
	/* The access rules of a justice_aid organisation, as strings. */
	{
		json_t *acts = json_object_get(r.json, "allowed_actions");
		size_t i, n = json_array_size(acts);
		bool create = false;
		ck_assert(json_is_array(acts));
		for (i = 0; i < n; i++) {
			ck_assert(json_is_string(json_array_get(acts, i)));
			create |= strcmp(json_string_value(json_array_get(acts, i)),
					 "referral.create") == 0;
		}
		ck_assert(create);
	}
	resp_free(&r);
}
END_TEST

static const struct {
	const char *slug; /* NULL: no client certificate */
	long status;
	const char *type;
} refusals[] = {
	{NULL, 401, URN "certificate-required"},
	{"test-self-signed", 401, URN "certificate-untrusted"},
	{"test-other-ca-client", 401, URN "certificate-untrusted"},
	{"test-expired", 401, URN "certificate-expired"},
	{"test-not-yet-valid", 401, URN "certificate-not-yet-valid"},
	{"test-server-only", 401, URN "certificate-wrong-purpose"},
	{"test-crl-revoked", 401, URN "certificate-revoked"},
	{"unregistered", 401, URN "certificate-unknown"},
	{"revoked", 401, URN "certificate-revoked"},
};

START_TEST(refusal_reasons)
{
	struct resp r;

	ck_assert_int_eq(call(refusals[_i].slug, "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_msg(r.status == refusals[_i].status, "%s: status %ld", refusals[_i].slug,
		      r.status);
	ck_assert_str_eq(r.content_type, "application/problem+json");
	ck_assert_str_eq(problem_type(&r), refusals[_i].type);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "status")),
			 refusals[_i].status);
	ck_assert_ptr_nonnull(json_object_get(r.json, "detail"));
	resp_free(&r);
	/* Refused on every path, existing or not. */
	ck_assert_int_eq(call(refusals[_i].slug, "GET", "/v1/nowhere", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, refusals[_i].status);
	resp_free(&r);
}
END_TEST

START_TEST(suspended_organisation_refused)
{
	char path[128], etag[40];
	const char *hdr[2] = {etag, NULL};
	struct resp r;
	json_int_t version;

	snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("suspendee"));
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	version = json_integer_value(json_object_get(r.json, "version"));
	resp_free(&r);
	snprintf(etag, sizeof(etag), "If-Match: \"%lld\"", (long long)version);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"suspended\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	ck_assert_int_eq(call("suspendee", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 403);
	ck_assert_str_eq(problem_type(&r), URN "organisation-suspended");
	resp_free(&r);

	snprintf(etag, sizeof(etag), "If-Match: \"%lld\"", (long long)version + 1);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"active\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call("suspendee", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

/* The fingerprint GET /v1/me reports for the certificate behind h. */
static void
me_sha(CURL *h, char sha[65])
{
	struct resp r;

	ck_assert_int_eq(client_call(h, "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	snprintf(sha, 65, "%s",
		 json_string_value(
			 json_object_get(json_object_get(r.json, "certificate"), "sha256")));
	resp_free(&r);
}

/* The coordinator revokes slug's certificate sha: 200, the answer in out. */
static void
revoke_cert(const char *slug, const char *sha, const char *body, struct resp *out)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates/%s/revoke", org_id(slug),
		 sha);
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, out), 0);
	ck_assert_int_eq(out->status, 200);
}

/* ---- the identity cache of GET /v1/me (gateway/idcache.h) ---- */

/* A counter's value on the first instance's /metrics, -1 when absent. */
static long
metric_value(const char *name)
{
	return ops_metric("REFGW_TEST_OPS", name);
}

#define CACHE_HITS "refgw_identity_cache_total{result=\"hit\"}"
#define CACHE_MISSES "refgw_identity_cache_total{result=\"miss\"}"
#define REFRESHES "refgw_identity_refreshes_total"

START_TEST(me_from_identity_cache_equals_database_answer)
{
	CURL *h = client_new("orga");
	struct resp first, again;
	long hits;

	ck_assert_int_eq(client_call(h, "GET", "/v1/me", NULL, NULL, &first), 0);
	ck_assert_int_eq(first.status, 200);
	hits = metric_value(CACHE_HITS);
	ck_assert_int_ge(hits, 0);
	ck_assert_int_eq(client_call(h, "GET", "/v1/me", NULL, NULL, &again), 0);
	ck_assert_int_eq(again.status, 200);
	ck_assert_int_eq(metric_value(CACHE_HITS), hits + 1);
	/* Same bytes, from memory or from the database. */
	ck_assert_str_eq(again.body, first.body);
	resp_free(&first);
	resp_free(&again);
	curl_easy_cleanup(h);
}
END_TEST

static void
rename_org(const char *slug, const char *name, bool notify)
{
	const char *params[2] = {name, org_id(slug)};
	PGconn *admin = sql_admin();
	PGresult *res;

	/* Without the trigger: a change the instances never hear of, as if
	 * its notification were lost. */
	res = PQexec(admin, notify ? "BEGIN"
				   : "BEGIN; ALTER TABLE organisations DISABLE TRIGGER "
				     "organisations_identity_changed");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexecParams(admin, "UPDATE organisations SET name = $1 WHERE id = $2::uuid", 2, NULL,
			   params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	res = PQexec(admin, notify ? "COMMIT"
				   : "ALTER TABLE organisations ENABLE TRIGGER "
				     "organisations_identity_changed; COMMIT");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(admin);
}

/* The third instance keeps entries 1 s (run-integration.sh).  Past that
 * an entry is still served, and re-read in the background: no request
 * waits for the database, and what the database says arrives within two
 * times to live even when no notification does. */
START_TEST(stale_identity_is_served_while_refreshed_in_background)
{
	static const char renamed[] = "Cachee, renamed without notification";
	long misses, refreshes, ms = -1, stale = 0;
	struct timespec t0, t1;
	struct resp r;
	char *before;
	int i;

	ck_assert_int_eq(call_at("REFGW_TEST_BASE3", "cachee", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	before = strdup(json_string_value(
		json_object_get(json_object_get(r.json, "organisation"), "name")));
	resp_free(&r);
	misses = ops_metric("REFGW_TEST_OPS3", CACHE_MISSES);
	refreshes = ops_metric("REFGW_TEST_OPS3", REFRESHES);
	ck_assert_int_ge(misses, 1);
	rename_org("cachee", renamed, false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 60 && ms < 0; i++) {
		ck_assert_int_eq(
			call_at("REFGW_TEST_BASE3", "cachee", "GET", "/v1/me", NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		if (strcmp(json_string_value(json_object_get(
				   json_object_get(r.json, "organisation"), "name")),
			   renamed) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		} else {
			stale++;
		}
		resp_free(&r);
		usleep(100000);
	}
	/* First the remembered name (nothing told the instance), then the new
	 * one, within two times to live. */
	ck_assert_int_ge(stale, 1);
	ck_assert_msg(ms >= 0 && ms < 3000, "the rename was seen after %ld ms", ms);
	ck_assert_int_ge(ops_metric("REFGW_TEST_OPS3", REFRESHES), refreshes + 1);
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS3", CACHE_MISSES), misses);
	rename_org("cachee", before, true);
	free(before);
}
END_TEST

/* Polls GET /v1/me on the second instance until it answers want; returns
 * the milliseconds it took, or -1 after 5 s. */
static long
me_at_second_until(const char *slug, long want, const char *name)
{
	struct timespec t0, t1;
	struct resp r;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 500; i++) {
		bool ok;
		ck_assert_int_eq(call_at("REFGW_TEST_BASE2", slug, "GET", "/v1/me", NULL, NULL, &r),
				 0);
		ok = r.status == want &&
		     (name == NULL ||
		      strcmp(json_string_value(json_object_get(
				     json_object_get(r.json, "organisation"), "name"))
				     ?: "",
			     name) == 0);
		resp_free(&r);
		if (ok) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		}
		usleep(10000);
	}
	return -1;
}

static void
warm_second(const char *slug)
{
	struct resp r;
	int i;

	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(call_at("REFGW_TEST_BASE2", slug, "GET", "/v1/me", NULL, NULL, &r),
				 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
}

/* The runner sets a 30 s time to live: only the notifications of schema/014
 * can make the second instance see these changes within a second. */
START_TEST(identity_changes_reach_every_instance_cache)
{
	char path[256], etag[40], sha[65];
	const char *hdr[2] = {etag, NULL};
	const char *params[2];
	struct resp r;
	long ms;
	PGconn *admin;
	PGresult *res;
	CURL *h;

	/* A change made outside the gateway (SQL), seen through the trigger. */
	warm_second("cachee");
	admin = sql_admin();
	params[0] = "Test \"Cachee\" renamed, R\xc3\xa9gie \\ 1";
	params[1] = org_id("cachee");
	res = PQexecParams(admin, "UPDATE organisations SET name = $1 WHERE id = $2::uuid", 2, NULL,
			   params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	PQfinish(admin);
	ms = me_at_second_until("cachee", 200, "Test \"Cachee\" renamed, R\xc3\xa9gie \\ 1");
	ck_assert_msg(ms >= 0 && ms < 1000, "rename seen by the second instance after %ld ms", ms);

	/* Suspension through the first instance. */
	warm_second("cachee");
	snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("cachee"));
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	snprintf(etag, sizeof(etag), "If-Match: \"%lld\"",
		 (long long)json_integer_value(json_object_get(r.json, "version")));
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"suspended\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	snprintf(etag, sizeof(etag), "If-Match: \"%lld\"",
		 (long long)json_integer_value(json_object_get(r.json, "version")));
	resp_free(&r);
	ms = me_at_second_until("cachee", 403, NULL);
	ck_assert_msg(ms >= 0 && ms < 1000, "suspension seen by the second instance after %ld ms",
		      ms);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"active\"}", hdr, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	/* Revocation through the first instance. */
	warm_second("cachee");
	h = client_new("cachee");
	me_sha(h, sha);
	curl_easy_cleanup(h);
	revoke_cert("cachee", sha, "{\"reason\":\"cache test\"}", &r);
	resp_free(&r);
	/* The instance that committed it: the very next request. */
	ck_assert_int_eq(call("cachee", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);
	ms = me_at_second_until("cachee", 401, NULL);
	ck_assert_msg(ms >= 0 && ms < 1000, "revocation seen by the second instance after %ld ms",
		      ms);
}
END_TEST

/* New connections with a chain already verified skip the verification
 * (tls.c); what is refused is never remembered as verified. */
START_TEST(verified_chains_are_remembered_refusals_are_not)
{
	const char *refused[] = {"test-self-signed", "test-other-ca-client", "test-expired",
				 "test-server-only", "test-crl-revoked"};
	long hits;
	struct resp r;
	size_t i;
	int k;

	ck_assert_int_eq(call("orgb", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	hits = metric_value("refgw_tls_peer_cache_hits_total");
	ck_assert_int_ge(hits, 0);
	ck_assert_int_eq(call("orgb", "GET", "/v1/me", NULL, NULL, &r), 0); /* a new connection */
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(metric_value("refgw_tls_peer_cache_hits_total"), hits + 1);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		for (k = 0; k < 2; k++) {
			ck_assert_int_eq(call(refused[i], "GET", "/v1/me", NULL, NULL, &r), 0);
			ck_assert_msg(r.status == 401, "%s, connection %d: %ld", refused[i], k + 1,
				      r.status);
			resp_free(&r);
		}
	ck_assert_int_eq(metric_value("refgw_tls_peer_cache_hits_total"), hits + 1);
}
END_TEST

/* ---- keep-alive and revocation on a kept-alive connection ---- */

START_TEST(keep_alive_reuses_one_connection)
{
	CURL *h = client_new("orga");
	struct resp r;
	long connects = 0;
	int i;

	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(client_call(h, "GET", "/v1/me", NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(r.connection_close, 0);
		connects += r.num_connects;
		resp_free(&r);
	}
	/* One TLS handshake for five requests. */
	ck_assert_int_eq(connects, 1);
	curl_easy_cleanup(h);
}
END_TEST

START_TEST(revocation_applies_to_kept_alive_connection)
{
	CURL *h = client_new("revokee");
	struct resp r;
	char path[256], sha[65];

	me_sha(h, sha);
	revoke_cert("revokee", sha, "{\"reason\":\"laptop stolen\"}", &r);
	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates/%s/revoke",
		 org_id("revokee"), sha);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "revoked");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "revocation_reason")),
			 "laptop stolen");
	resp_free(&r);

	/* Same connection, next request: refused. */
	ck_assert_int_eq(client_call(h, "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.num_connects, 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), URN "certificate-revoked");
	resp_free(&r);
	curl_easy_cleanup(h);

	/* Revoking again answers the same, changes nothing. */
	ck_assert_int_eq(call("coord", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "revocation_reason")),
			 "laptop stolen");
	resp_free(&r);
}
END_TEST

/* ---- organisations ---- */

START_TEST(coordinator_only_endpoints_refuse_others_and_change_nothing)
{
	static const char *const callers[] = {"orga", "orgb", "orgc"};
	char body[256], name[96], path[256];
	const char *ifm[] = {"If-Match: \"1\"", NULL};
	struct resp r;
	long orgs = count_orgs(), audits = count_audit();
	size_t i;

	for (i = 0; i < 3; i++) {
		unique_name(name, sizeof(name), "Intruder");
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"cpas\"}", name);
		ck_assert_int_eq(call(callers[i], "POST", "/v1/organisations", body, NULL, &r), 0);
		ck_assert_int_eq(r.status, 403);
		ck_assert_str_eq(problem_type(&r), URN "forbidden");
		resp_free(&r);

		snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("orgb"));
		ck_assert_int_eq(
			call(callers[i], "PATCH", path, "{\"status\":\"suspended\"}", ifm, &r), 0);
		ck_assert_int_eq(r.status, 403);
		resp_free(&r);

		snprintf(path, sizeof(path), "/v1/organisations/%s/certificates", org_id("orgb"));
		ck_assert_int_eq(call(callers[i], "POST", path, "{\"pem\":\"x\"}", NULL, &r), 0);
		ck_assert_int_eq(r.status, 403);
		resp_free(&r);
	}
	ck_assert_int_eq(count_orgs(), orgs);
	ck_assert_int_eq(count_audit(), audits);
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
}
END_TEST

START_TEST(organisation_create_update_and_audit)
{
	char body[512], name[96], path[256];
	const char *stale[] = {"If-Match: \"7\"", NULL}, *fresh[] = {"If-Match: \"1\"", NULL};
	struct resp r;
	long audits = count_audit();
	char id[64];

	unique_name(name, sizeof(name), "Régie Foncière");
	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"kind\":\"housing_operator\",\"programs\":[\"regie.units\"]}",
		 name);
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.json, "id")));
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "name")), name);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
	ck_assert_str_eq(r.etag, "\"1\"");
	snprintf(path, sizeof(path), "/v1/organisations/%s", id);
	ck_assert_str_eq(r.location, path);
	resp_free(&r);
	ck_assert_int_eq(count_audit(), audits + 1);

	/* Same name again: 409, nothing written. */
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "organisation-exists");
	resp_free(&r);

	ck_assert_int_eq(call("coord", "PATCH", path, "{\"programs\":[\"a\",\"b\"]}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 428);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"programs\":[\"a\",\"b\"]}", stale, &r),
			 0);
	ck_assert_int_eq(r.status, 412);
	ck_assert_str_eq(problem_type(&r), URN "version-mismatch");
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"kind\":\"coordinator\"}", fresh, &r), 0);
	ck_assert_int_eq(r.status, 400); /* kind is not changeable */
	resp_free(&r);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"programs\":[\"a\",\"b\"]}", fresh, &r),
			 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "programs")), 2);
	ck_assert_str_eq(r.etag, "\"2\"");
	resp_free(&r);
	ck_assert_int_eq(count_audit(), audits + 2);

	/* Everyone sees the directory entry. */
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "programs"), 1)),
			 "b");
	resp_free(&r);
}
END_TEST

static const struct {
	const char *body;
	const char *ctype;
	long status;
	const char *type;
	const char *field; /* expected in errors[], or NULL */
} bad_bodies[] = {
	{"{\"name\":\"X\",\"kind\":\"cpas\",\"admin\":true}", NULL, 400, URN "validation", "admin"},
	{"{\"name\":\"X\",\"kind\":\"bank\"}", NULL, 400, URN "validation", "kind"},
	{"{\"kind\":\"cpas\"}", NULL, 400, URN "validation", "name"},
	{"{\"name\":\"\",\"kind\":\"cpas\"}", NULL, 400, URN "validation", "name"},
	{"{\"name\":\"X\",\"kind\":\"cpas\",\"programs\":[\"Bad Program\"]}", NULL, 400,
	 URN "validation", "programs"},
	{"{\"name\":\"X\",\"kind\":\"cpas\",\"programs\":[\"a\",\"a\"]}", NULL, 400,
	 URN "validation", "programs"},
	{"{\"name\":42,\"kind\":\"cpas\"}", NULL, 400, URN "validation", "name"},
	{"{\"name\":\"X\",\"name\":\"Y\",\"kind\":\"cpas\"}", NULL, 400, URN "malformed-json",
	 NULL},
	{"{\"name\":\"X\",", NULL, 400, URN "malformed-json", NULL},
	{"[1,2]", NULL, 400, URN "malformed-json", NULL},
	{"{\"name\":\"\xff\xfe\",\"kind\":\"cpas\"}", NULL, 400, URN "malformed-json", NULL},
	{"{\"name\":\"a\\u0000b\",\"kind\":\"cpas\"}", NULL, 400, URN "malformed-json", NULL},
	{"name=X", "Content-Type: application/x-www-form-urlencoded", 415,
	 URN "unsupported-media-type", NULL},
};

START_TEST(bad_bodies_are_refused_and_change_nothing)
{
	const char *hdr[2] = {bad_bodies[_i].ctype, NULL};
	long orgs = count_orgs();
	struct resp r;
	json_t *e;
	size_t k;
	int found = 0;

	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", bad_bodies[_i].body,
			      bad_bodies[_i].ctype ? hdr : NULL, &r),
			 0);
	ck_assert_msg(r.status == bad_bodies[_i].status, "case %d: status %ld: %s", _i, r.status,
		      r.body);
	ck_assert_str_eq(r.content_type, "application/problem+json");
	ck_assert_str_eq(problem_type(&r), bad_bodies[_i].type);
	if (bad_bodies[_i].field) {
		json_array_foreach(json_object_get(r.json, "errors"), k, e)
			if (strcmp(json_string_value(json_object_get(e, "field")),
				   bad_bodies[_i].field) == 0)
				found = 1;
		ck_assert_msg(found, "case %d: no error for %s in %s", _i, bad_bodies[_i].field,
			      r.body);
	}
	resp_free(&r);
	ck_assert_int_eq(count_orgs(), orgs);
}
END_TEST

START_TEST(malformed_json_reports_position)
{
	struct resp r;

	ck_assert_int_eq(call("coord", "POST", "/v1/organisations",
			      "{\n  \"name\": \"X\",\n  kind }", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "detail")), "line 3"));
	resp_free(&r);
}
END_TEST

START_TEST(body_over_limit_is_413)
{
	size_t n = 20000; /* the suite runs with REFGW_MAX_BODY_BYTES=16384 */
	char *body = malloc(n + 64);
	long orgs = count_orgs();
	struct resp r;

	memset(body, 'a', n + 64);
	memcpy(body, "{\"name\":\"", 9);
	memcpy(body + n, "\",\"kind\":\"cpas\"}", 17);
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 413);
	ck_assert_str_eq(problem_type(&r), URN "body-too-large");
	resp_free(&r);
	free(body);
	ck_assert_int_eq(count_orgs(), orgs);
}
END_TEST

START_TEST(unknown_path_404_wrong_method_405)
{
	struct resp r;

	ck_assert_int_eq(call("orga", "GET", "/v1/referralz", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	ck_assert_str_eq(problem_type(&r), URN "not-found");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/organisations/not-a-uuid", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "DELETE", "/v1/organisations", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 405);
	ck_assert_str_eq(r.allow, "GET, POST");
	ck_assert_str_eq(problem_type(&r), URN "method-not-allowed");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET",
			      "/v1/organisations/00000000-0000-4000-8000-000000000000", NULL, NULL,
			      &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
}
END_TEST

START_TEST(request_id_echoed_or_generated)
{
	const char *sane[] = {"X-Request-Id: partner-42.retry_1", NULL};
	const char *insane[] = {"X-Request-Id: <script>", NULL};
	struct resp r;

	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, sane, &r), 0);
	ck_assert_str_eq(r.request_id, "partner-42.retry_1");
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, insane, &r), 0);
	ck_assert_int_eq(strlen(r.request_id), 32);
	ck_assert_int_eq(strspn(r.request_id, "0123456789abcdef"), 32);
	resp_free(&r);
	ck_assert_int_eq(call(NULL, "GET", "/v1/me", NULL, sane, &r), 0);
	ck_assert_str_eq(r.request_id, "partner-42.retry_1");
	resp_free(&r);
}
END_TEST

START_TEST(directory_pages_with_cursor)
{
	struct resp r;
	long total = count_orgs(), seen = walk_pages("orgb", "/v1/organisations", 3);

	ck_assert_int_ge(seen, total); /* concurrent tests may add, never lose */
	ck_assert_int_eq(call("orgb", "GET", "/v1/organisations?limit=0", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", "/v1/organisations?limit=201", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "GET", "/v1/organisations?cursor=garbage!", NULL, NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 400);
	ck_assert_str_eq(problem_type(&r), URN "invalid-cursor");
	resp_free(&r);
}
END_TEST

/* ---- certificates ---- */

START_TEST(certificate_registration)
{
	char path[256], confirm[400], sha[65], *body;
	struct resp r;

	/* Not registered yet: refused. */
	ck_assert_int_eq(call("newcert", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	resp_free(&r);

	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates", org_id("orgc"));
	body = pem_body("test-other-ca-client");
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, &r), 0);
	free(body);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(problem_type(&r), URN "certificate-refused");
	resp_free(&r);

	body = pem_body("test-server-only");
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, &r), 0);
	free(body);
	ck_assert_int_eq(r.status, 422);
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "detail")), "clientAuth"));
	resp_free(&r);

	ck_assert_int_eq(call("coord", "POST", path, "{\"pem\":\"not a certificate\"}", NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);

	body = pem_body("newcert");
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq(strlen(json_string_value(json_object_get(r.json, "sha256"))), 64);
	snprintf(sha, sizeof(sha), "%s", json_string_value(json_object_get(r.json, "sha256")));
	/* orgc has a certificate already: a coordinator's registration waits for
	 * orgc's confirmation (issue 12, test_identity.c has the rest). */
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "pending");
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "subject")), "CN=newcert"));
	ck_assert_ptr_nonnull(json_object_get(r.json, "not_after"));
	resp_free(&r);
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	free(body);
	ck_assert_int_eq(call("newcert", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), URN "certificate-pending");
	resp_free(&r);
	snprintf(confirm, sizeof(confirm), "%s/%s/confirm", path, sha);
	ck_assert_int_eq(call("orgc", "POST", confirm, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "active");
	resp_free(&r);

	/* Now it identifies orgc. */
	ck_assert_int_eq(call("newcert", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "organisation"), "id")),
		org_id("orgc"));
	resp_free(&r);

	/* Its own list: orgc sees both; orga does not see orgc's. */
	ck_assert_int_eq(call("orgc", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
	resp_free(&r);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
}
END_TEST

/* ---- row-level security, from SQL ---- */

START_TEST(rls_hides_other_organisations_rows)
{
	PGconn *app = sql_app();
	const char *a[1] = {org_id("orga")}, *b[1] = {org_id("orgb")};
	PGresult *res;

	/* No organisation set: nothing at all. */
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM organisations", 0, NULL), 0);
	ck_assert_int_eq(sql_long(app, "SELECT count(*) FROM certificates", 0, NULL), 0);

	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_ge(sql_long(app,
				  "SELECT count(*) FROM (SELECT set_config('refgw.org_id', $1, "
				  "true)) s",
				  1, a),
			 1);
	/* Organisation A sees its own certificate, none of B's, no audit. */
	ck_assert_int_ge(
		sql_long(app, "SELECT count(*) FROM certificates WHERE organisation_id = $1", 1, a),
		1);
	ck_assert_int_eq(
		sql_long(app, "SELECT count(*) FROM certificates WHERE organisation_id = $1", 1, b),
		0);
	ck_assert_int_eq(sql_long(app,
				  "SELECT count(*) FROM certificates WHERE organisation_id <> $1",
				  1, a),
			 0);
	/* The audit log: only rows about persons whose consents A created. */
	ck_assert_int_eq(sql_long(app,
				  "SELECT count(*) FROM audit_log a WHERE a.person_id IS NULL "
				  "OR NOT EXISTS (SELECT 1 FROM consents c WHERE c.person_id = "
				  "a.person_id AND c.created_by = $1::uuid)",
				  1, a),
			 0);
	/* Writes the policies forbid fail. */
	res = PQexecParams(app,
			   "UPDATE certificates SET revoked_at = now() WHERE organisation_id = $1",
			   1, NULL, b, NULL, NULL, 0);
	ck_assert_str_eq(PQcmdTuples(res), "0");
	PQclear(res);
	res = PQexec(app, "INSERT INTO organisations (name, kind) VALUES ('RLS intruder', 'cpas')");
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);

	/* The runtime role can never change or delete audit rows. */
	res = PQexec(app, "UPDATE audit_log SET action = 'x'");
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	res = PQexec(app, "DELETE FROM audit_log");
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	res = PQexec(app,
		     "INSERT INTO audit_log (lane, seq, at, request_id, action, prev_hash, hash) "
		     "VALUES (1, 1, now(), 'x', 'forged', '', '')");
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	/* Nor set its own organisation to bypass authentication of kind. */
	ck_assert_int_eq(sql_long(app,
				  "SELECT rolbypassrls::int + rolsuper::int FROM pg_roles WHERE "
				  "rolname = current_user",
				  0, NULL),
			 0);
	PQfinish(app);
}
END_TEST

/* ---- audit chain ---- */

struct creator {
	int n;
	int failures;
};

static void *
create_orgs(void *arg)
{
	struct creator *c = arg;
	char body[256], name[96];
	struct resp r;
	int i;

	for (i = 0; i < c->n; i++) {
		unique_name(name, sizeof(name), "Concurrent");
		snprintf(body, sizeof(body), "{\"name\":\"%s %lu\",\"kind\":\"cpas\"}", name,
			 (unsigned long)pthread_self());
		if (call("coord", "POST", "/v1/organisations", body, NULL, &r) != 0 ||
		    r.status != 201)
			c->failures++;
		resp_free(&r);
	}
	return NULL;
}

START_TEST(audit_chain_verifies_then_detects_tampering)
{
	pthread_t t[6];
	struct creator c[6];
	char out[2048];
	PGconn *admin;
	PGresult *res;
	int i;
	long lanes;

	/* Concurrent coordinator actions: several lanes, one valid chain each. */
	for (i = 0; i < 6; i++) {
		c[i].n = 8;
		c[i].failures = 0;
		pthread_create(&t[i], NULL, create_orgs, &c[i]);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(c[i].failures, 0);
	}
	admin = sql_admin();
	lanes = sql_long(admin, "SELECT count(DISTINCT lane) FROM audit_log", 0, NULL);
	ck_assert_int_ge(lanes, 2);

	ck_assert_msg(audit_verify(out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "audit chain intact"));

	/* Tamper with one row as the owner (the trigger must be bypassed). */
	res = PQexec(admin, "UPDATE audit_log SET action = 'x' WHERE seq = 1");
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR); /* append-only trigger */
	PQclear(res);
	res = PQexec(
		admin,
		"BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;"
		"UPDATE audit_log SET detail = detail || '{\"tampered\":true}' "
		"WHERE (lane, seq) = (SELECT lane, seq FROM audit_log ORDER BY lane, seq LIMIT 1 "
		"OFFSET 0);"
		"ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only; COMMIT");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_int_eq(audit_verify(out, sizeof(out)), 3);
	ck_assert_ptr_nonnull(strstr(out, "BROKEN"));
	ck_assert_ptr_nonnull(strstr(out, "seq 1"));
	ck_assert_ptr_nonnull(strstr(out, "modified"));

	/* Put it back: the chain verifies again. */
	res = PQexec(admin,
		     "BEGIN; ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;"
		     "UPDATE audit_log SET detail = detail - 'tampered' WHERE detail ? 'tampered';"
		     "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only; COMMIT");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	ck_assert_msg(audit_verify(out, sizeof(out)) == 0, "%s", out);
	PQfinish(admin);
}
END_TEST

/* ---- Idempotency-Key ---- */

START_TEST(idempotency_key_replays_and_refuses_reuse)
{
	char body[256], other[256], name[96], keyh[128], first[1024];
	const char *hdr[2] = {keyh, NULL};
	struct resp r;
	long orgs;

	unique_name(name, sizeof(name), "Idempotent");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"cpas\"}", name);
	snprintf(other, sizeof(other), "{\"name\":\"%s bis\",\"kind\":\"cpas\"}", name);
	snprintf(keyh, sizeof(keyh), "Idempotency-Key: create-%s", name + 11);
	for (char *p = keyh + 17; *p; p++)
		if (*p == ' ')
			*p = '_';
	orgs = count_orgs();

	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, hdr, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq(r.replayed, 0);
	snprintf(first, sizeof(first), "%s", r.body);
	resp_free(&r);
	/* A retry replays the first answer byte for byte, creating nothing. */
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, hdr, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_int_eq(r.replayed, 1);
	ck_assert_str_eq(r.body, first);
	ck_assert_str_ne(r.location, "");
	resp_free(&r);
	ck_assert_int_eq(count_orgs(), orgs + 1);
	/* Same key, different request: refused, nothing created. */
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", other, hdr, &r), 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(problem_type(&r), URN "idempotency-key-reused");
	resp_free(&r);
	ck_assert_int_eq(count_orgs(), orgs + 1);
	{
		const char *bad[] = {"Idempotency-Key: has space\u00e9", NULL};
		ck_assert_int_eq(call("coord", "POST", "/v1/organisations", other, bad, &r), 0);
		ck_assert_int_eq(r.status, 400);
		ck_assert_str_eq(problem_type(&r), URN "invalid-idempotency-key");
		resp_free(&r);
	}
	ck_assert_int_eq(count_orgs(), orgs + 1);
}
END_TEST

struct twin {
	const char *body, *key;
	long status;
	char response[1024];
};

static void *
post_twin(void *arg)
{
	struct twin *t = arg;
	const char *hdr[2] = {t->key, NULL};
	struct resp r;

	if (call("coord", "POST", "/v1/organisations", t->body, hdr, &r) == 0) {
		t->status = r.status;
		snprintf(t->response, sizeof(t->response), "%s", r.body ? r.body : "");
	}
	resp_free(&r);
	return NULL;
}

START_TEST(idempotency_key_concurrent_creates_once)
{
	char body[256], name[96], key[128];
	struct twin tw[10];
	pthread_t t[10];
	long orgs = count_orgs();
	int i;

	unique_name(name, sizeof(name), "Twin");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"cpas\"}", name);
	snprintf(key, sizeof(key), "Idempotency-Key: twin-%d-%ld", (int)getpid(), (long)random());
	for (i = 0; i < 10; i++) {
		tw[i].body = body;
		tw[i].key = key;
		tw[i].status = 0;
		pthread_create(&t[i], NULL, post_twin, &tw[i]);
	}
	for (i = 0; i < 10; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 10; i++) {
		ck_assert_int_eq(tw[i].status, 201);
		ck_assert_str_eq(tw[i].response, tw[0].response);
	}
	ck_assert_int_eq(count_orgs(), orgs + 1);
}
END_TEST

/* ---- slow clients ---- */

START_TEST(idle_and_slow_connections_are_closed_at_the_timeout)
{
	const char *base = env_or_die("REFGW_TEST_BASE");
	int port = (int)strtol(strrchr(base, ':') + 1, NULL, 10), k;

	for (k = 0; k < 2; k++) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct timeval tv = {.tv_sec = 15};
		char buf[256];
		time_t t0;
		ssize_t n;

		inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
		ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (k == 1) /* the start of a TLS ClientHello, then nothing */
			ck_assert_int_eq(write(fd, "\x16\x03\x01\x02\x00\x01", 6), 6);
		t0 = time(NULL);
		errno = 0;
		do
			n = read(fd, buf, sizeof(buf));
		while (n > 0);
		/* Closed by the server (REFGW_CONNECTION_TIMEOUT=3 in this suite):
		 * an end of file or a reset, not our own 15 s receive timeout
		 * (EAGAIN) nor any other error. */
		ck_assert_msg(n == 0 || (n < 0 && errno == ECONNRESET),
			      "connection %d: read gave %zd (%s), not the server's close", k, n,
			      n < 0 ? strerror(errno) : "data");
		ck_assert_int_ge(time(NULL) - t0, 2);
		ck_assert_int_le(time(NULL) - t0, 10);
		close(fd);
	}
}
END_TEST

/* ---- operations listener ---- */

START_TEST(operations_endpoints)
{
	struct resp r;

	ck_assert_int_eq(ops_get("/healthz", &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(ops_get("/readyz", &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call(NULL, "GET", "/v1/me", NULL, NULL, &r), 0);
	resp_free(&r);
	ck_assert_int_eq(ops_get("/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "refgw_requests_total{route=\"me\",status=\"200\"}"));
	ck_assert_ptr_nonnull(strstr(r.body, "refgw_request_duration_seconds_bucket{le=\"+Inf\"}"));
	ck_assert_ptr_nonnull(strstr(r.body, "refgw_db_pool_size 4"));
	ck_assert_ptr_null(strstr(r.body, "refgw_tls_refusals_total{reason=\"no_certificate\"} 0"));
	resp_free(&r);
	ck_assert_int_eq(ops_get("/nothing", &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
}
END_TEST

/* ---- PostgreSQL outage: 503 + Retry-After, then recovery ---- */

START_TEST(database_restart_503_then_recovery)
{
	struct resp r;
	int i, ok = 0;

	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	ck_assert_int_eq(system(env_or_die("REFGW_TEST_PG_STOP")), 0);
	/* GET /v1/me may come from the identity cache until the notification
	 * thread has seen its LISTEN connection close: on a loaded machine the
	 * first call after pg_ctl stop can still be a 200.  Within 2 s the
	 * cache stops serving, and from then on every call is a 503. */
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
		ok = r.status == 503;
		ck_assert_msg(ok || r.status == 200, "GET /v1/me with PostgreSQL down: %ld",
			      r.status);
		resp_free(&r);
		if (ok)
			break;
		usleep(100000);
	}
	ck_assert_msg(ok, "GET /v1/me still answered 200 2 s after PostgreSQL stopped");
	ok = 0;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 503);
		ck_assert_str_eq(r.retry_after, "1");
		ck_assert_str_eq(problem_type(&r), URN "database-unavailable");
		resp_free(&r);
	}
	ck_assert_int_eq(ops_get("/readyz", &r), 0);
	ck_assert_int_eq(r.status, 503);
	resp_free(&r);

	ck_assert_int_eq(system(env_or_die("REFGW_TEST_PG_START")), 0);
	for (i = 0; i < 100 && !ok; i++) { /* within 10 s */
		ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
		ok = r.status == 200;
		resp_free(&r);
		if (!ok)
			usleep(100000);
	}
	ck_assert_msg(ok, "gateway did not recover within 10 s of PostgreSQL restarting");
	/* Every pooled connection recovers, not only the first. */
	for (i = 0; i < 12; i++) {
		ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		resp_free(&r);
	}
}
END_TEST

/* ---- graceful shutdown: in-flight requests finish, no new ones ---- */

struct slow_upload {
	const char *body;
	size_t off, len;
	long status;
};

static size_t
slow_read(char *buf, size_t size, size_t n, void *ud)
{
	struct slow_upload *u = ud;
	size_t chunk = u->off == 0 ? 10 : u->len - u->off;

	if (u->off > 0 && u->off < u->len)
		usleep(1500000); /* the gateway receives SIGTERM meanwhile */
	if (chunk > size * n)
		chunk = size * n;
	memcpy(buf, u->body + u->off, chunk);
	u->off += chunk;
	return chunk;
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static void *
slow_create(void *arg)
{
	struct slow_upload *u = arg;
	CURL *h = client_new("coord");
	struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
	char url[512];

	hl = curl_slist_append(hl, "Expect:");
	snprintf(url, sizeof(url), "%s/v1/organisations", env_or_die("REFGW_TEST_BASE"));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, slow_read);
	curl_easy_setopt(h, CURLOPT_READDATA, u);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)u->len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &u->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(h);
	return NULL;
}

START_TEST(sigterm_lets_in_flight_requests_finish)
{
	pid_t gw = (pid_t)strtol(env_or_die("REFGW_TEST_GW_PID"), NULL, 10);
	char name[96], body[256];
	struct slow_upload u = {0};
	struct resp r;
	pthread_t t;
	int i;

	unique_name(name, sizeof(name), "Last words");
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"cpas\"}", name);
	u.body = body;
	u.len = strlen(body);
	pthread_create(&t, NULL, slow_create, &u);
	usleep(500000);
	ck_assert_int_eq(kill(gw, SIGTERM), 0);
	usleep(300000);
	/* No new connections once stopping. */
	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), -1);
	pthread_join(t, NULL);
	ck_assert_int_eq(u.status, 201); /* the in-flight request completed */
	for (i = 0; i < 100 && kill(gw, 0) == 0; i++)
		usleep(100000);
	ck_assert_msg(kill(gw, 0) != 0, "gateway still running 10 s after SIGTERM");
	{
		PGconn *c = sql_admin();
		const char *p[1] = {name};
		ck_assert_int_eq(
			sql_long(c, "SELECT count(*) FROM organisations WHERE name = $1", 1, p), 1);
		PQfinish(c);
	}
}
END_TEST

static Suite *
gateway_suite(void)
{
	Suite *s = suite_create("gateway");
	TCase *t = tcase_create("api");

	tcase_add_test(t, me_resolves_organisation_from_certificate);
	tcase_add_loop_test(t, refusal_reasons, 0, (int)(sizeof(refusals) / sizeof(refusals[0])));
	tcase_add_test(t, suspended_organisation_refused);
	tcase_add_test(t, keep_alive_reuses_one_connection);
	tcase_add_test(t, revocation_applies_to_kept_alive_connection);
	tcase_add_test(t, me_from_identity_cache_equals_database_answer);
	tcase_add_test(t, stale_identity_is_served_while_refreshed_in_background);
	tcase_add_test(t, identity_changes_reach_every_instance_cache);
	tcase_add_test(t, verified_chains_are_remembered_refusals_are_not);
	tcase_add_test(t, coordinator_only_endpoints_refuse_others_and_change_nothing);
	tcase_add_test(t, organisation_create_update_and_audit);
	tcase_add_loop_test(t, bad_bodies_are_refused_and_change_nothing, 0,
			    (int)(sizeof(bad_bodies) / sizeof(bad_bodies[0])));
	tcase_add_test(t, malformed_json_reports_position);
	tcase_add_test(t, body_over_limit_is_413);
	tcase_add_test(t, unknown_path_404_wrong_method_405);
	tcase_add_test(t, request_id_echoed_or_generated);
	tcase_add_test(t, directory_pages_with_cursor);
	tcase_add_test(t, certificate_registration);
	tcase_add_test(t, rls_hides_other_organisations_rows);
	tcase_add_test(t, audit_chain_verifies_then_detects_tampering);
	tcase_add_test(t, idempotency_key_replays_and_refuses_reuse);
	tcase_add_test(t, idempotency_key_concurrent_creates_once);
	tcase_add_test(t, idle_and_slow_connections_are_closed_at_the_timeout);
	tcase_add_test(t, operations_endpoints);
	tcase_add_test(t, database_restart_503_then_recovery);     /* restarts PostgreSQL */
	tcase_add_test(t, sigterm_lets_in_flight_requests_finish); /* last: stops the gateway */
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	srandom((unsigned)getpid());
	/* The gateway suite ends by stopping the gateway: it runs last. */
	sr = srunner_create(referrals_suite());
	srunner_add_suite(sr, events_suite());
	srunner_add_suite(sr, matrix_suite());
	srunner_add_suite(sr, units_suite());
	srunner_add_suite(sr, plans_suite());
	srunner_add_suite(sr, framing_suite());
	srunner_add_suite(sr, audit_checkpoint_suite());
	srunner_add_suite(sr, identity_suite());
	srunner_add_suite(sr, personal_fields_suite());
	srunner_add_suite(sr, operations_suite());
	srunner_add_suite(sr, consent_integrity_suite());
	srunner_add_suite(sr, review13_suite());
	srunner_add_suite(sr, programs_suite());
	srunner_add_suite(sr, intake_suite());
	srunner_add_suite(sr, ranking_suite());
	srunner_add_suite(sr, placements_suite());
	srunner_add_suite(sr, journeys_suite());
	srunner_add_suite(sr, review14_suite());
	srunner_add_suite(sr, sites_suite());
	srunner_add_suite(sr, unit_life_suite());
	srunner_add_suite(sr, follow_ups_suite());
	srunner_add_suite(sr, alerts_conventions_suite());
	srunner_add_suite(sr, relay_hosting_suite());
	srunner_add_suite(sr, journeys15_suite());
	srunner_add_suite(sr, review15_suite());
	srunner_add_suite(sr, host_own_suite());
	srunner_add_suite(sr, erasure_suite());
	srunner_add_suite(sr, retention_suite());
	srunner_add_suite(sr, accounts_suite());
	srunner_add_suite(sr, sessions_suite());
	srunner_add_suite(sr, keys_suite());
	srunner_add_suite(sr, export_suite());
	srunner_add_suite(sr, journal_suite());
	srunner_add_suite(sr, lists_suite());
	srunner_add_suite(sr, audit_chain_suite());
	srunner_add_suite(sr, review16_suite());
	srunner_add_suite(sr, review19_suite());
	srunner_add_suite(sr, languages_suite());
	srunner_add_suite(sr, gateway_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed == 0 ? 0 : 1;
}
