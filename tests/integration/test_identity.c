/* Identity (issue 12, items 7-9): certificate registration is two-party, a CA
 * certificate is no client identity, the last active coordinator stays, and
 * the journal names the certificate that acted.  docs/security.md,
 * "Certificate registration is two-party (issue 12)". */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

static const char *
str(const struct resp *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r->json, key));

	return v ? v : "";
}

/* A new organisation of kind cpas, created by the coordinator: its id in out. */
static void
new_org(const char *prefix, char out[37], char *name, size_t namelen)
{
	char body[256];
	struct resp r;

	snprintf(name, namelen, "%s %d-%ld", prefix, (int)getpid(), (long)random());
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"kind\":\"cpas\"}", name);
	ck_assert_int_eq(call("coord", "POST", "/v1/organisations", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	snprintf(out, 37, "%s", str(&r, "id"));
	resp_free(&r);
}

/* caller registers slug's certificate for org (path "me": its own); the
 * answer's status ("active"/"pending") is checked against want, sha out. */
static void
register_cert(const char *caller, const char *org, const char *slug, const char *want, char sha[65])
{
	char path[256], *body = pem_body(slug);
	struct resp r;

	if (org)
		snprintf(path, sizeof(path), "/v1/organisations/%s/certificates", org);
	else
		snprintf(path, sizeof(path), "/v1/me/certificates");
	ck_assert_int_eq(call(caller, "POST", path, body, NULL, &r), 0);
	free(body);
	ck_assert_msg(r.status == 201, "register %s by %s: %ld %s", slug, caller, r.status, r.body);
	ck_assert_str_eq(str(&r, "status"), want);
	snprintf(sha, 65, "%s", str(&r, "sha256"));
	resp_free(&r);
}

/* caller confirms org's certificate sha: the status, the answer in out. */
static long
confirm(const char *caller, const char *org, const char *sha, struct resp *out)
{
	char path[300];

	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates/%s/confirm", org, sha);
	ck_assert_int_eq(call(caller, "POST", path, NULL, NULL, out), 0);
	return out->status;
}

static void
assert_refused(const char *base_env, const char *slug, const char *path, long status,
	       const char *type)
{
	struct resp r;

	ck_assert_int_eq(base_env ? call_at(base_env, slug, "GET", path, NULL, NULL, &r)
				  : call(slug, "GET", path, NULL, NULL, &r),
			 0);
	ck_assert_msg(r.status == status && strcmp(problem_type(&r), type) == 0,
		      "%s %s: %ld %s, expected %ld %s", slug, path, r.status, problem_type(&r),
		      status, type);
	resp_free(&r);
}

static void
assert_me(const char *slug, const char *org)
{
	struct resp r;

	ck_assert_int_eq(call(slug, "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_msg(r.status == 200, "%s GET /v1/me: %ld %s", slug, r.status, r.body);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_object_get(r.json, "organisation"), "id")),
		org);
	resp_free(&r);
}

/* The event types of slug's feed, space-separated, in order. */
static void
event_types(const char *slug, char *out, size_t len)
{
	struct resp r;
	json_t *e;
	size_t i;

	out[0] = '\0';
	ck_assert_int_eq(call(slug, "GET", "/v1/events", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, e) {
		const char *t = json_string_value(json_object_get(e, "type"));
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? " " : "", t ? t : "?");
	}
	resp_free(&r);
}

/* Runs the CLI (REFGW_TEST_BIN, with the environment the runner exported):
 * its exit status, its output in out. */
static int
cli(const char *args, char *out, size_t outlen)
{
	char cmd[2048];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", env_or_die("REFGW_TEST_BIN"), args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(coordinator_registration_waits_for_the_organisation)
{
	char org[37], name[128], first[65], second[65], types[512];
	const char *p[1];
	struct resp r;
	PGconn *app;
	PGresult *res;

	new_org("Identity pending", org, name, sizeof(name));
	/* The first certificate: active at once, someone has to start. */
	register_cert("coord", org, "idpend-1", "active", first);
	assert_me("idpend-1", org);
	/* A second one by the coordinator: pending, refused everywhere. */
	register_cert("coord", org, "idpend-2", "pending", second);
	assert_refused(NULL, "idpend-2", "/v1/me", 401, URN "certificate-pending");
	assert_refused("REFGW_TEST_BASE2", "idpend-2", "/v1/me", 401, URN "certificate-pending");
	assert_refused("REFGW_TEST_BASE3", "idpend-2", "/v1/me", 401, URN "certificate-pending");
	assert_refused(NULL, "idpend-2", "/v1/events", 401, URN "certificate-pending");

	/* PostgreSQL itself: a pending certificate sets no caller. */
	app = sql_app();
	p[0] = second;
	res = PQexec(app, "BEGIN");
	PQclear(res);
	ck_assert_int_eq(sql_long(app,
				  "SELECT (pending AND org_set IS NULL)::int FROM "
				  "refgw_authenticate(decode($1, 'hex'), NULL)",
				  1, p),
			 1);
	ck_assert_int_eq(sql_long(app, "SELECT (refgw_caller() IS NULL)::int", 0, NULL), 1);
	res = PQexec(app, "ROLLBACK");
	PQclear(res);
	/* ... and a coordinator cannot confirm it by SQL either (the trigger). */
	{
		const char *q[1] = {org_id("coord")};
		res = PQexec(app, "BEGIN");
		PQclear(res);
		ck_assert_int_eq(
			sql_long(app, "SELECT count(*) FROM set_config('refgw.org_id', $1, true)",
				 1, q),
			1);
		res = PQexecParams(app,
				   "UPDATE certificates SET confirmed_at = now() "
				   "WHERE sha256 = decode($1, 'hex')",
				   1, NULL, p, NULL, NULL, 0);
		ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
		ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
		PQclear(res);
		res = PQexec(app, "ROLLBACK");
		PQclear(res);
	}
	PQfinish(app);

	/* The organisation still holds a key: the coordinator may not confirm,
	 * a third organisation does not see the certificate. */
	ck_assert_int_eq(confirm("coord", org, second, &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "confirmation-by-organisation");
	resp_free(&r);
	ck_assert_int_eq(confirm("orga", org, second, &r), 404);
	resp_free(&r);
	assert_refused(NULL, "idpend-2", "/v1/me", 401, URN "certificate-pending");

	/* The organisation confirms with its current certificate. */
	ck_assert_int_eq(confirm("idpend-1", org, second, &r), 200);
	ck_assert_str_eq(str(&r, "status"), "active");
	ck_assert_str_eq(str(&r, "confirmed_by"), org);
	ck_assert_str_eq(str(&r, "registered_by"), org_id("coord"));
	resp_free(&r);
	ck_assert_int_eq(confirm("idpend-1", org, second, &r), 200); /* again: unchanged */
	ck_assert_str_eq(str(&r, "status"), "active");
	resp_free(&r);
	assert_me("idpend-2", org);
	{
		const char *q[1] = {org};
		ck_assert_int_eq(sql_count("SELECT count(*) FROM audit_log WHERE action = "
					   "'certificate.confirm' AND resource_id = $1",
					   q[0]),
				 1);
	}
	event_types("idpend-2", types, sizeof(types));
	ck_assert_str_eq(types,
			 "certificate.registered certificate.registered certificate.confirmed");
}
END_TEST

START_TEST(organisation_rotates_its_own_certificate)
{
	char org[37], name[128], first[65], second[65], types[512], *body;
	struct resp r;

	new_org("Identity rotation", org, name, sizeof(name));
	register_cert("coord", org, "idrot-1", "active", first);
	/* By the organisation itself, with a current certificate: active. */
	register_cert("idrot-1", NULL, "idrot-2", "active", second);
	assert_me("idrot-2", org);
	body = pem_body("idrot-2");
	ck_assert_int_eq(call("idrot-1", "POST", "/v1/me/certificates", body, NULL, &r), 0);
	free(body);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	/* A certificate registered for oneself is one's own: not another's. */
	{
		char path[256];
		snprintf(path, sizeof(path), "/v1/organisations/%s/certificates", org);
		ck_assert_int_eq(call("idrot-2", "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
		resp_free(&r);
	}
	event_types("idrot-2", types, sizeof(types));
	ck_assert_str_eq(types, "certificate.registered certificate.registered");
}
END_TEST

START_TEST(four_eyes_for_an_organisation_that_lost_every_key)
{
	char org[37], name[128], old[65], lost[65], coord3[65], out[1024], args[1200], path[300],
		types[512];
	struct resp r;

	new_org("Identity lost keys", org, name, sizeof(name));
	register_cert("coord", org, "idlost-1", "active", old);
	/* A second coordinator certificate, registered out of band by the
	 * operator (another person); a third one the coordinator registers
	 * for itself, which is therefore in its own line. */
	snprintf(args, sizeof(args), "cert register --org \"Test Coordinator\" %s/coord2.pem",
		 env_or_die("REFGW_TEST_CERTS"));
	ck_assert_msg(cli(args, out, sizeof(out)) == 0, "%s", out);
	register_cert("coord", NULL, "coord3", "active", coord3);
	assert_me("coord2", org_id("coord"));

	/* The organisation loses its only key. */
	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates/%s/revoke", org, old);
	ck_assert_int_eq(call("coord", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	register_cert("coord", org, "idlost-2", "pending", lost);
	assert_refused(NULL, "idlost-2", "/v1/me", 401, URN "certificate-pending");

	/* Not the registering certificate, nor one it registered. */
	ck_assert_int_eq(confirm("coord", org, lost, &r), 403);
	ck_assert_str_eq(problem_type(&r), URN "four-eyes");
	resp_free(&r);
	ck_assert_int_eq(confirm("coord3", org, lost, &r), 403);
	ck_assert_str_eq(problem_type(&r), URN "four-eyes");
	resp_free(&r);
	ck_assert_int_eq(confirm("orga", org, lost, &r), 404);
	resp_free(&r);
	assert_refused(NULL, "idlost-2", "/v1/me", 401, URN "certificate-pending");

	/* A second coordinator certificate confirms. */
	ck_assert_int_eq(confirm("coord2", org, lost, &r), 200);
	ck_assert_str_eq(str(&r, "status"), "active");
	ck_assert_str_eq(str(&r, "confirmed_by"), org_id("coord"));
	resp_free(&r);
	assert_me("idlost-2", org);
	event_types("idlost-2", types, sizeof(types));
	ck_assert_str_eq(types, "certificate.registered certificate.revoked certificate.registered "
				"certificate.confirmed");
	/* A revoked certificate is not confirmed. */
	ck_assert_int_eq(confirm("idlost-2", org, old, &r), 409);
	ck_assert_str_eq(problem_type(&r), URN "certificate-not-pending");
	resp_free(&r);
}
END_TEST

START_TEST(ca_certificate_is_no_client_identity)
{
	char path[256], *body = pem_body("test-ca-client");
	struct resp r;

	snprintf(path, sizeof(path), "/v1/organisations/%s/certificates", org_id("orgd"));
	ck_assert_int_eq(call("coord", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(problem_type(&r), URN "certificate-refused");
	ck_assert_ptr_nonnull(strstr(str(&r, "detail"), "CA certificate"));
	resp_free(&r);
	ck_assert_int_eq(call("orgd", "POST", "/v1/me/certificates", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);
	free(body);
	/* At the handshake, whatever the database says. */
	assert_refused(NULL, "test-ca-client", "/v1/me", 401, URN "certificate-is-ca");
}
END_TEST

START_TEST(last_coordinator_cannot_suspend_itself)
{
	char path[256], etag[32], ifm[64];
	const char *headers[2] = {ifm, NULL}, *p[1] = {org_id("coord")};
	struct resp r;
	PGconn *admin;
	PGresult *res;

	snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("coord"));
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	snprintf(etag, sizeof(etag), "%s", r.etag);
	resp_free(&r);
	snprintf(ifm, sizeof(ifm), "If-Match: %s", etag);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"suspended\"}", headers, &r),
			 0);
	ck_assert_int_eq(r.status, 409);
	ck_assert_str_eq(problem_type(&r), URN "last-coordinator");
	resp_free(&r);
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(str(&r, "status"), "active");
	ck_assert_str_eq(r.etag, etag);
	resp_free(&r);
	/* PostgreSQL refuses it whoever asks, the owner included. */
	admin = sql_admin();
	res = PQexecParams(admin,
			   "UPDATE organisations SET status = 'suspended' WHERE id = $1::uuid", 1,
			   NULL, p, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "23514");
	PQclear(res);
	PQfinish(admin);
}
END_TEST

START_TEST(cli_reactivates_an_organisation)
{
	char org[37], name[128], path[256], args[300], out[1024];
	const char *ifm[] = {"If-Match: \"1\"", NULL};
	struct resp r;

	new_org("Identity reactivated", org, name, sizeof(name));
	snprintf(path, sizeof(path), "/v1/organisations/%s", org);
	ck_assert_int_eq(call("coord", "PATCH", path, "{\"status\":\"suspended\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	snprintf(args, sizeof(args), "org activate \"%s\"", name);
	ck_assert_msg(cli(args, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "active"));
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_str_eq(str(&r, "status"), "active");
	ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 3);
	resp_free(&r);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM audit_log WHERE action = 'organisation.update' "
			  "AND resource_id = $1 AND detail->>'via' = 'cli'",
			  org),
		1);
	/* Again: nothing to do, said so. */
	ck_assert_msg(cli(args, out, sizeof(out)) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "already active"));
}
END_TEST

START_TEST(journal_names_the_certificate)
{
	char body[1024], person[40], sha[65];
	struct resp r;
	json_t *e;
	size_t i;
	int seen = 0;
	const char *readers[] = {"orga", "coord"};

	ck_assert_int_eq(call("orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	snprintf(sha, sizeof(sha), "%s",
		 json_string_value(
			 json_object_get(json_object_get(r.json, "certificate"), "sha256")));
	resp_free(&r);
	ck_assert_int_eq(
		call("orga", "POST", "/v1/persons", "{\"external_ref\":\"ID-1\"}", NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	snprintf(person, sizeof(person), "%s", str(&r, "id"));
	resp_free(&r);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\",\"witness\":"
		 "\"W\","
		 "\"recorded_by\":\"R\"}}",
		 person, org_id("orgb"));
	ck_assert_int_eq(call("orga", "POST", "/v1/consents", body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	resp_free(&r);
	for (size_t k = 0; k < 2; k++) {
		char path[200];
		snprintf(path, sizeof(path), "/v1/audit?person_id=%s", person);
		ck_assert_int_eq(call(readers[k], "GET", path, NULL, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		json_array_foreach(json_object_get(r.json, "items"), i, e) {
			if (strcmp(json_string_value(json_object_get(e, "action")),
				   "consent.create") != 0)
				continue;
			ck_assert_str_eq(
				json_string_value(json_object_get(e, "certificate_sha256")), sha);
			seen++;
		}
		resp_free(&r);
	}
	ck_assert_int_eq(seen, 2);
}
END_TEST

Suite *
identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *t = tcase_create("identity");

	tcase_add_test(t, coordinator_registration_waits_for_the_organisation);
	tcase_add_test(t, organisation_rotates_its_own_certificate);
	tcase_add_test(t, four_eyes_for_an_organisation_that_lost_every_key);
	tcase_add_test(t, ca_certificate_is_no_client_identity);
	tcase_add_test(t, last_coordinator_cannot_suspend_itself);
	tcase_add_test(t, cli_reactivates_an_organisation);
	tcase_add_test(t, journal_names_the_certificate);
	suite_add_tcase(s, t);
	return s;
}
