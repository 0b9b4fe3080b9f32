/* users: an organisation's people (schema/052): list, invite, read, change,
 * reset.  Row-level security shows an organisation its own users and the
 * coordinator all of them, never to a worker's session; another
 * organisation's user is answered 404, as any row it cannot see. */
#include "users.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "organisations.h"
#include "statements.h"
#include "validate.h"

const char *const user_roles[] = {"org_admin", "worker", "coordinator_admin", NULL};
const char *const user_languages[] = {"fr", "nl", "en", NULL};
static const char *const settable_statuses[] = {"active", "disabled", NULL};

static const struct field_spec user_create_fields[] = {
	{"email", FT_STRING, true, 254, 0, 0, NULL},
	{"display_name", FT_STRING, true, 200, 0, 0, NULL},
	{"role", FT_ENUM, true, 0, 0, 0, user_roles},
	{"language", FT_ENUM, true, 0, 0, 0, user_languages},
};

static const struct field_spec user_update_fields[] = {
	{"display_name", FT_STRING, false, 200, 0, 0, NULL},
	{"role", FT_ENUM, false, 0, 0, 0, user_roles},
	{"language", FT_ENUM, false, 0, 0, 0, user_languages},
	{"status", FT_ENUM, false, 0, 0, 0, settable_statuses},
};

int
user_invitation_new(char token[44], char hash_hex[65])
{
	unsigned char raw[32], hash[SHA256_LEN];

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	base64url_encode(raw, sizeof(raw), token);
	crypto_sha256(token, strlen(token), hash);
	hex_encode(hash, sizeof(hash), hash_hex);
	wipe(raw, sizeof(raw));
	return 0;
}

/* One '@' with something on each side, no blank, no control character:
 * what a sign-in form can type back (the mailbox is the operator's
 * business). */
static bool
email_ok(const char *e)
{
	const char *at = strchr(e, '@');
	size_t i;

	if (at == NULL || at == e || at[1] == '\0' || strchr(at + 1, '@') != NULL)
		return false;
	for (i = 0; e[i]; i++)
		if ((unsigned char)e[i] <= 0x20 || e[i] == 0x7f)
			return false;
	return strlen(e) >= 3;
}

/* The user of row 0 as the answer, its version as the ETag. */
static int
reply_user(struct request *r, int status, const struct db_res *res, const char *token)
{
	json_t *o = row_json(&user_row, res, 0, ROW_PUBLIC);

	if (o == NULL)
		return reply_internal(r);
	if (token)
		json_object_set_new(o, "invitation_token", json_string(token));
	snprintf(r->etag, sizeof(r->etag), "\"%s\"", row_val(res, 0, USER_VERSION));
	return reply_json(r, status, o);
}

int
handle_user_list(struct request *r)
{
	char key[256], id[37], limit_text[16];
	struct db_res *res = NULL;
	int limit, have = 0;
	int status = 500;
	enum db_status s;

	if ((limit = query_limit(r)) < 0 || (have = cursor_decode(r, key, sizeof(key), id)) < 0) {
		status = r->status;
		goto out;
	}
	/* An organisation that does not exist is 404, as for its programs. */
	s = db_query(r->db, ST_ORG_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK || db_rows(res) == 0) {
		status = s != DB_OK ? reply_db_error(r, s)
				    : reply_problem(r, 404, "not-found", "Not found",
						    "no organisation %s", r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_USER_LIST, &res, "org", r->params[0], "after_key", have ? key : "",
		     "after_id", have ? id : KEYSET_FIRST_ID, "limit", limit_text, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_rows(r, res, limit, &user_row);
out:
	db_res_free(res);
	return status;
}

int
handle_user_create(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	char token[44] = "", hash[65], hours[8];
	const char *email, *role;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, user_create_fields, ARRAY_LEN(user_create_fields))) {
		status = r->status;
		goto out;
	}
	email = json_str(body, "email");
	role = json_str(body, "role");
	if (!email_ok(email)) {
		status = reply_unprocessable_field(r, "Invalid email", "email",
						   "an email address: one @, no blanks");
		goto out;
	}
	/* The directory is everyone's: an organisation that does not exist is
	 * 404 here, and a constraint below is the email's. */
	s = db_query(r->db, ST_ORG_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK || db_rows(res) == 0) {
		status = s != DB_OK ? reply_db_error(r, s)
				    : reply_problem(r, 404, "not-found", "Not found",
						    "no organisation %s", r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if (user_invitation_new(token, hash) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(hours, sizeof(hours), "%d", USER_INVITATION_HOURS);
	s = db_query(r->db, ST_USER_INSERT, &res, "org", r->params[0], "email", email, "name",
		     json_str(body, "display_name"), "role", role, "language",
		     json_str(body, "language"), "invitation", hash, "hours", hours, (char *)NULL);
	if (s == DB_UNIQUE) {
		status = reply_problem(r, 409, "user-exists", "User exists",
				       "a user with this email already exists");
		goto out;
	}
	if (s == DB_CONSTRAINT && strcmp(role, "coordinator_admin") == 0) {
		status = reply_unprocessable_field(
			r, "Role not allowed here", "role",
			"coordinator_admin exists only in a coordinator organisation");
		goto out;
	}
	if (s == DB_CONSTRAINT) { /* the organisation exists (checked above) */
		status = reply_unprocessable_field(r, "Invalid email", "email",
						   "an email address: one @, no blanks");
		goto out;
	}
	if (s == DB_FORBIDDEN) {
		/* Another organisation's users: as any row row-level security
		 * hides. */
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no organisation %s whose users you manage", r->params[0]);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	detail = json_pack("{s:s, s:s}", "organisation_id", r->params[0], "role", role);
	if (audit_record(r, "user.create", "user", row_val(res, 0, USER_ID), NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/users/%s", row_val(res, 0, USER_ID));
	status = reply_user(r, 201, res, token);
out:
	wipe(token, sizeof(token));
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_user_get(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_USER_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0)
		status =
			reply_problem(r, 404, "not-found", "Not found", "no user %s", r->params[0]);
	else
		status = reply_user(r, 200, res, NULL);
out:
	db_res_free(res);
	return status;
}

/* Why an update changed nothing: 404, or 412 with the current version. */
static int
reply_unchanged(struct request *r, long expected)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_USER_GET, &res, "id", r->params[0], (char *)NULL);
	int status;

	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status =
			reply_problem(r, 404, "not-found", "Not found", "no user %s", r->params[0]);
	else
		status = reply_problem(r, 412, "version-mismatch", "Stale version",
				       "the user is at version %s, not %ld; read it again",
				       row_val(res, 0, USER_VERSION), expected);
	db_res_free(res);
	return status;
}

int
handle_user_update(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	char version[24];
	const char *user_status, *role;
	long expected;
	enum db_status s;
	int status = 500;

	if ((expected = if_match_version(r)) < 0 || (body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, user_update_fields, ARRAY_LEN(user_update_fields))) {
		status = r->status;
		goto out;
	}
	if (json_object_size(body) == 0) {
		status = reply_problem(r, 400, "validation", "Nothing to change",
				       "send at least one of display_name, role, language, status");
		goto out;
	}
	snprintf(version, sizeof(version), "%ld", expected);
	user_status = json_str(body, "status");
	role = json_str(body, "role");
	s = db_query(r->db, ST_USER_UPDATE, &res, "id", r->params[0], "name",
		     json_str(body, "display_name"), "role", role, "language",
		     json_str(body, "language"), "status", user_status, "version", version,
		     (char *)NULL);
	if (s == DB_CONSTRAINT && role && strcmp(role, "coordinator_admin") == 0) {
		status = reply_unprocessable_field(
			r, "Role not allowed here", "role",
			"coordinator_admin exists only in a coordinator organisation");
		goto out;
	}
	if (s == DB_CONSTRAINT && user_status && strcmp(user_status, "active") == 0) {
		status = reply_problem(r, 409, "user-not-enrolled", "User not enrolled",
				       "an invited user becomes active by enrolling (password and "
				       "second factor), not by a change of status");
		goto out;
	}
	if (s == DB_CONSTRAINT) {
		status = reply_unprocessable_field(r, "Invalid display name", "display_name",
						   "1 to 200 characters");
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_unchanged(r, expected);
		goto out;
	}
	detail = json_deep_copy(body);
	if (audit_record(r, "user.update", "user", r->params[0], NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_user(r, 200, res, NULL);
out:
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_user_reset(struct request *r)
{
	struct db_res *res = NULL;
	char token[44] = "", hash[65], hours[8];
	enum db_status s;
	int status = 500;

	if (user_invitation_new(token, hash) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(hours, sizeof(hours), "%d", USER_INVITATION_HOURS);
	s = db_query(r->db, ST_USER_RESET, &res, "id", r->params[0], "invitation", hash, "hours",
		     hours, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(res, 0, SCALAR_VALUE)) {
		status =
			reply_problem(r, 404, "not-found", "Not found", "no user %s", r->params[0]);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_USER_GET, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK || db_rows(res) == 0) {
		status = s != DB_OK ? reply_db_error(r, s) : reply_internal(r);
		goto out;
	}
	if (audit_record(r, "user.reset", "user", r->params[0], NULL, NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_user(r, 200, res, token);
out:
	wipe(token, sizeof(token));
	db_res_free(res);
	return status;
}
