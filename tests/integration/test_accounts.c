/* Accounts (schema/052): users of an organisation, invited by the CLI or
 * the API, their rules (row-level security, roles) and their secrets, which
 * never leave the database in an answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "people.h"

static char *
unique_email(const char *tag)
{
	static int n;
	char *e = malloc(128);

	snprintf(e, 128, "%s.%d.%ld.%d@Test.Example", tag, ++n, (long)time(NULL), (int)getpid());
	return e;
}

/* refgw user add prints the invitation token and nothing else on stdout. */
START_TEST(cli_user_add_prints_only_the_token)
{
	char *email = unique_email("cli"), *token = cli_user_add(org_id("orga"), email, "worker");
	char path[128];
	struct resp r;
	size_t i;
	json_t *u;
	bool seen = false;

	ck_assert_ptr_nonnull(token);
	ck_assert_uint_eq(strlen(token), 43);
	/* The coordinator reads it; no secret in the answer. */
	snprintf(path, sizeof(path), "/v1/organisations/%s/users?limit=200", org_id("orga"));
	ck_assert_int_eq(call("coord", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, u) {
		if (strcmp(json_string_value(json_object_get(u, "email")), email) == 0) {
			seen = true;
			ck_assert_str_eq(json_string_value(json_object_get(u, "status")),
					 "invited");
			ck_assert_str_eq(json_string_value(json_object_get(u, "role")), "worker");
		}
	}
	ck_assert(seen);
	ck_assert_ptr_null(strstr(r.body, "password"));
	ck_assert_ptr_null(strstr(r.body, "secret"));
	ck_assert_ptr_null(strstr(r.body, token));
	resp_free(&r);
	/* A second account with the same email, whatever its case: refused. */
	for (i = 0; email[i]; i++)
		email[i] = (char)(email[i] >= 'a' && email[i] <= 'z' ? email[i] - 32 : email[i]);
	ck_assert_ptr_null(cli_user_add(org_id("orga"), email, "worker"));
	free(token);
	free(email);
}
END_TEST

/* An organisation manages its own users through its system (mTLS): create,
 * read, change with If-Match, reset; another organisation sees nothing. */
START_TEST(organisation_manages_its_own_users)
{
	char *email = unique_email("api"), body[512], path[160], id[37], etag[40];
	const char *ifm[2] = {NULL, NULL};
	char ifm_hdr[64];
	struct resp r;

	snprintf(body, sizeof(body),
		 "{\"email\":\"%s\",\"display_name\":\"Ana <b>\",\"role\":\"worker\","
		 "\"language\":\"nl\"}",
		 email);
	snprintf(path, sizeof(path), "/v1/organisations/%s/users", org_id("orga"));
	ck_assert_int_eq(call("orga", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 201);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(r.json, "invitation_token"))),
			  43);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "invited");
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	/* Another organisation: as if it did not exist. */
	snprintf(path, sizeof(path), "/v1/users/%s", id);
	ck_assert_int_eq(call("orgb", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/organisations/%s/users", org_id("orga"));
	ck_assert_int_eq(call("orgb", "POST", path, body, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	/* The organisation reads and changes it. */
	snprintf(path, sizeof(path), "/v1/users/%s", id);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "display_name")), "Ana <b>");
	snprintf(etag, sizeof(etag), "%s", r.etag);
	resp_free(&r);
	snprintf(ifm_hdr, sizeof(ifm_hdr), "If-Match: %s", etag);
	ifm[0] = ifm_hdr;
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"role\":\"org_admin\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "role")), "org_admin");
	resp_free(&r);
	/* Stale version; an invited user cannot be made active by a PATCH. */
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"role\":\"worker\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 412);
	resp_free(&r);
	snprintf(ifm_hdr, sizeof(ifm_hdr), "If-Match: \"2\"");
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"status\":\"active\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 409);
	resp_free(&r);
	/* coordinator_admin only in a coordinator organisation. */
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"role\":\"coordinator_admin\"}", ifm, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);
	/* Unknown fields are refused (no mass assignment of secrets). */
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"password_hash\":\"x\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 400);
	resp_free(&r);
	/* A bad email, an empty name, an unknown organisation. */
	snprintf(path, sizeof(path), "/v1/organisations/%s/users", org_id("orga"));
	ck_assert_int_eq(call("orga", "POST", path,
			      "{\"email\":\"no at sign\",\"display_name\":\"X\",\"role\":"
			      "\"worker\",\"language\":\"fr\"}",
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);
	ck_assert_int_eq(call("coord", "POST",
			      "/v1/organisations/00000000-0000-4000-8000-000000000000/users", body,
			      NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	snprintf(path, sizeof(path), "/v1/users/%s", id);
	snprintf(ifm_hdr, sizeof(ifm_hdr), "If-Match: \"2\"");
	ck_assert_int_eq(call("orga", "PATCH", path, "{\"display_name\":\"\"}", ifm, &r), 0);
	ck_assert_int_eq(r.status, 422);
	resp_free(&r);
	/* Reset: a new token. */
	snprintf(path, sizeof(path), "/v1/users/%s/reset", id);
	ck_assert_int_eq(call("orga", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_uint_eq(strlen(json_string_value(json_object_get(r.json, "invitation_token"))),
			  43);
	resp_free(&r);
	ck_assert_int_eq(call("orgb", "POST", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 404);
	resp_free(&r);
	free(email);
}
END_TEST

/* The runtime role cannot read a password hash, a TOTP secret or an
 * invitation hash; the TOTP secret at rest is sealed, not the secret. */
START_TEST(secrets_stay_in_the_database_sealed)
{
	struct person p;
	PGconn *app = sql_app(), *admin = sql_admin();
	PGresult *res;
	unsigned char secret[32];
	size_t n;
	const char *params[1];

	ck_assert_int_eq(person_enrol(&p, org_id("orga"), "worker", NULL), 0);
	res = PQexec(app, "SELECT password_hash FROM users LIMIT 1");
	ck_assert_int_ne(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	res = PQexec(app, "SELECT totp_secret, invitation_hash FROM users LIMIT 1");
	ck_assert_int_ne(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	res = PQexec(app, "SELECT count(*) FROM sessions");
	ck_assert_int_ne(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	n = base32_decode(p.secret, secret, sizeof(secret));
	ck_assert_uint_eq(n, 20);
	params[0] = p.email;
	res = PQexecParams(admin,
			   "SELECT encode(totp_secret, 'hex'), password_hash, status FROM users "
			   "WHERE email = $1",
			   1, NULL, params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(res), 1);
	{
		char hex[41];
		size_t i;
		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", secret[i]);
		ck_assert_ptr_null(strstr(PQgetvalue(res, 0, 0), hex));
		ck_assert_uint_eq(strlen(PQgetvalue(res, 0, 0)), 2 * (20 + 28));
	}
	ck_assert_int_eq(strncmp(PQgetvalue(res, 0, 1), "$argon2id$", 10), 0);
	ck_assert_str_eq(PQgetvalue(res, 0, 2), "active");
	PQclear(res);
	PQfinish(app);
	PQfinish(admin);
}
END_TEST

Suite *
accounts_suite(void)
{
	Suite *s = suite_create("accounts");
	TCase *t = tcase_create("accounts");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, cli_user_add_prints_only_the_token);
	tcase_add_test(t, organisation_manages_its_own_users);
	tcase_add_test(t, secrets_stay_in_the_database_sealed);
	suite_add_tcase(s, t);
	return s;
}
