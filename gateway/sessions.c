/* sessions: activation, sign-in, the session and the sign-in throttle
 * (schema/052).  See sessions.h and docs/security.md, "People in browsers".
 *
 * Every answer of a failed sign-in is the same 401 `sign-in-failed`,
 * whatever failed (no such email, wrong password, an invited or disabled
 * user, a suspended organisation, an account locked by the throttle), and
 * the same work is done for an unknown email as for a known one (Argon2id
 * against a dummy hash): neither the answer nor its time tells whether an
 * account exists.  The throttle's counters are written even when the answer
 * is a refusal (the route's ROUTE_COMMIT_REFUSALS). */
#include "sessions.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "identity.h"
#include "keyring.h"
#include "log.h"
#include "password.h"
#include "statements.h"
#include "totp.h"
#include "users.h"
#include "validate.h"

static struct {
	long idle_s, lifetime_s;
	const char *origin;
} settings = {900, 8 * 3600, "https://localhost:8444"};

void
sessions_configure(long idle_s, long lifetime_s, const char *origin)
{
	settings.idle_s = idle_s;
	settings.lifetime_s = lifetime_s;
	settings.origin = origin;
}

long
sessions_idle_s(void)
{
	return settings.idle_s;
}

const char *
sessions_origin(void)
{
	return settings.origin;
}

static const struct field_spec signin_fields[] = {
	{"email", FT_STRING, true, 254, 0, 0, NULL},
	{"password", FT_STRING, true, 1024, 0, 0, NULL},
};
static const struct field_spec second_factor_fields[] = {
	{"code", FT_STRING, true, 16, 0, 0, NULL},
};
static const struct field_spec account_fields[] = {
	{"language", FT_ENUM, true, 0, 0, 0, user_languages},
};
static const struct field_spec enrol_fields[] = {
	{"invitation_token", FT_STRING, true, 64, 0, 0, NULL},
	{"password", FT_STRING, true, 1024, 0, 0, NULL},
};
static const struct field_spec confirm_fields[] = {
	{"invitation_token", FT_STRING, true, 64, 0, 0, NULL},
	{"code", FT_STRING, true, 16, 0, 0, NULL},
};

static bool
is_b64url(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
			return false;
	return s[n] == '\0' || s[n] == ';' || s[n] == ' ';
}

bool
session_cookie(struct request *r, char id[SESSION_ID_LEN + 1])
{
	static const char name[] = SESSION_COOKIE "=";
	const char *c = req_header(r, "Cookie"), *p;

	for (p = c; p != NULL && *p; p++) {
		/* A cookie starts the header or follows "; ". */
		if ((p == c || (p >= c + 2 && p[-1] == ' ' && p[-2] == ';')) &&
		    strncmp(p, name, sizeof(name) - 1) == 0) {
			p += sizeof(name) - 1;
			if (strlen(p) < SESSION_ID_LEN || !is_b64url(p, SESSION_ID_LEN))
				return false;
			memcpy(id, p, SESSION_ID_LEN);
			id[SESSION_ID_LEN] = '\0';
			return true;
		}
	}
	return false;
}

void
session_id_hash(const char *id, char hex[65])
{
	unsigned char h[SHA256_LEN];

	crypto_sha256(id, strlen(id), h);
	hex_encode(h, sizeof(h), hex);
}

bool
session_csrf_token(const char *id, char token[44])
{
	unsigned char mac[SHA256_LEN];

	if (keyring_mac("refgw-csrf-v1", id, strlen(id), mac) != 0)
		return false;
	base64url_encode(mac, sizeof(mac), token);
	return true;
}

bool
session_csrf_ok(const char *id, const char *given)
{
	char want[44];
	unsigned char d = 0;
	size_t i;

	if (given == NULL || strlen(given) != 43 || !session_csrf_token(id, want))
		return false;
	for (i = 0; i < 43; i++)
		d |= (unsigned char)(want[i] ^ given[i]);
	wipe(want, sizeof(want));
	return d == 0;
}

/* A new session id: 256 bits from OpenSSL's RAND_bytes. */
static int
session_new(char id[SESSION_ID_LEN + 1], char hash[65])
{
	unsigned char raw[32];

	if (crypto_random(raw, sizeof(raw)) != 0)
		return -1;
	base64url_encode(raw, sizeof(raw), id);
	wipe(raw, sizeof(raw));
	session_id_hash(id, hash);
	return 0;
}

static void
cookie_set(struct request *r, const char *id)
{
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		 SESSION_COOKIE "=%s; Path=/; Secure; HttpOnly; SameSite=Strict", id);
}

/* The throttle's account key: a keyed hash of the lowercased email, so that
 * an unknown email is throttled as a known one. */
static int
account_key(const char *email, char hex[65])
{
	unsigned char mac[SHA256_LEN];
	char lower[256];
	size_t i;

	for (i = 0; email[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)tolower((unsigned char)email[i]);
	lower[i] = '\0';
	if (keyring_mac("refgw-signin-v1", lower, i, mac) != 0)
		return -1;
	hex_encode(mac, sizeof(mac), hex);
	return 0;
}

static const char *
source_of(const struct request *r)
{
	return r->source[0] ? r->source : "unknown";
}

/* 0: go on; otherwise the status answered (429 for the source). *locked
 * tells whether the account waits. */
static int
throttle_check(struct request *r, const char *account, bool *locked)
{
	struct db_res *res = NULL;
	enum db_status s;
	long source_wait = 0, account_wait = 0;
	int status = 0;

	s = db_query(r->db, ST_SIGNIN_THROTTLED, &res, "account", account, "source", source_of(r),
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (parse_long(row_val(res, 0, THROTTLE_SOURCE_WAIT), 0, 86400, &source_wait) != 0 ||
	    parse_long(row_val(res, 0, THROTTLE_ACCOUNT_WAIT), 0, 86400, &account_wait) != 0) {
		status = reply_internal(r);
		goto out;
	}
	*locked = account_wait > 0;
	if (source_wait > 0) {
		r->retry_after = (int)source_wait;
		status = reply_problem(r, 429, "too-many-attempts", "Too many attempts",
				       "too many failed sign-ins from this address; retry after "
				       "%ld seconds",
				       source_wait);
	}
out:
	db_res_free(res);
	return status;
}

/* Counts a failure (account may be NULL: the source alone) and answers the
 * one refusal of a sign-in. */
static int
signin_failed(struct request *r, const char *account)
{
	enum db_status s = db_query(r->db, ST_SIGNIN_FAILED, NULL, "account", account, "source",
				    source_of(r), (char *)NULL);

	if (s != DB_OK)
		return reply_db_error(r, s);
	return reply_problem(r, 401, "sign-in-failed", "Sign-in failed",
			     "the email, the password or the code is not right, or the "
			     "account cannot sign in now; try again in a minute");
}

/* {"user":…, "organisation":…, "csrf_token", "expires_at",
 * "idle_expires_at"} of r's session (id: its cookie value). */
static int
reply_session(struct request *r, const char *id)
{
	char csrf[44];
	json_t *o;

	if (!session_csrf_token(id, csrf))
		return reply_internal(r);
	o = json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:s, s:s}", "user",
		      "id", r->who.user_id, "email", r->who.user_email, "display_name",
		      r->who.user_name, "role", r->who.user_role, "language", r->who.user_language,
		      "organisation", "id", r->who.organisation_id, "name",
		      r->who.organisation_name, "kind", r->who.kind, "csrf_token", csrf,
		      "expires_at", r->who.session_expires_at, "idle_expires_at",
		      r->who.session_idle_expires_at);
	wipe(csrf, sizeof(csrf));
	if (o == NULL)
		return reply_internal(r);
	return reply_json(r, 200, o);
}

/* A body of nothing (204). */
static int
reply_no_content(struct request *r)
{
	char *empty = strdup("");

	if (empty == NULL)
		return reply_internal(r);
	return reply_text(r, 204, "application/json", empty, 0);
}

int
handle_session_create(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	char account[65], id[SESSION_ID_LEN + 1] = "", hash[65], lifetime[24];
	const char *email, *password, *stored = NULL;
	bool locked = false, ok;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, signin_fields, ARRAY_LEN(signin_fields))) {
		status = r->status;
		goto out;
	}
	email = json_str(body, "email");
	password = json_str(body, "password");
	if (account_key(email, account) != 0) {
		status = reply_internal(r);
		goto out;
	}
	if ((status = throttle_check(r, account, &locked)) != 0)
		goto out;
	status = 500;
	if (locked) {
		/* Same answer; the failure counts for the source only. */
		status = signin_failed(r, NULL);
		goto out;
	}
	s = db_query(r->db, ST_SIGNIN_USER, &res, "email", email, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	ok = db_rows(res) == 1 && row_bool(res, 0, SIGNIN_MAY);
	if (ok)
		stored = row_str(res, 0, SIGNIN_PASSWORD_HASH);
	/* Argon2id either way: against the dummy hash without an account. */
	if (!password_verify(stored, password) || !ok) {
		status = signin_failed(r, account);
		goto out;
	}
	if (session_new(id, hash) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(lifetime, sizeof(lifetime), "%ld", settings.lifetime_s);
	s = db_query(r->db, ST_SESSION_START, NULL, "session", hash, "user",
		     row_val(res, 0, SIGNIN_USER_ID), "second_factor", "false", "lifetime",
		     lifetime, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	cookie_set(r, id);
	status = reply_json(r, 200, json_pack("{s:s}", "state", "second_factor"));
out:
	wipe(id, sizeof(id));
	db_res_free(res);
	json_decref(body);
	return status;
}

/* Opens a sealed TOTP secret (hex) of a user. */
static int
secret_open(const char *user, const char *key_id, const char *sealed_hex,
	    unsigned char secret[TOTP_SECRET_LEN])
{
	unsigned char sealed[TOTP_SECRET_LEN + AEAD_OVERHEAD];

	if (key_id == NULL || sealed_hex == NULL ||
	    hex_decode(sealed_hex, sealed, sizeof(sealed)) != 0)
		return -1;
	return keyring_open("totp", user, key_id, sealed, sizeof(sealed), secret);
}

int
handle_session_second_factor(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL, *auth = NULL;
	unsigned char secret[TOTP_SECRET_LEN];
	char pending[SESSION_ID_LEN + 1] = "", pending_hash[65], id[SESSION_ID_LEN + 1] = "";
	char hash[65], account[65], step_text[24], lifetime[24], idle[24];
	long last = -1;
	int64_t step;
	bool locked = false;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, second_factor_fields, ARRAY_LEN(second_factor_fields))) {
		status = r->status;
		goto out;
	}
	if (!session_cookie(r, pending)) {
		status = reply_problem(r, 401, "unauthenticated", "Not signed in",
				       "no sign-in in progress: send your email and password to "
				       "POST /v1/session first");
		goto out;
	}
	session_id_hash(pending, pending_hash);
	s = db_query(r->db, ST_SESSION_PENDING, &res, "session", pending_hash, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_problem(r, 401, "unauthenticated", "Not signed in",
				       "no sign-in in progress, or it took longer than 5 minutes: "
				       "sign in again");
		goto out;
	}
	if (account_key(row_val(res, 0, PENDING_EMAIL), account) != 0) {
		status = reply_internal(r);
		goto out;
	}
	if ((status = throttle_check(r, account, &locked)) != 0)
		goto out;
	status = 500;
	if (locked) {
		status = signin_failed(r, NULL);
		goto out;
	}
	if (!row_null(res, 0, PENDING_LAST_STEP) &&
	    parse_long(row_val(res, 0, PENDING_LAST_STEP), 0, 0x7fffffffffffffffL, &last) != 0) {
		status = reply_internal(r);
		goto out;
	}
	if (secret_open(row_val(res, 0, PENDING_USER), row_str(res, 0, PENDING_KEY_ID),
			row_str(res, 0, PENDING_SECRET), secret) != 0) {
		log_request_warnx(r->id, "", "a TOTP secret did not open (master key missing?)");
		status = reply_internal(r);
		goto out;
	}
	step = totp_match(secret, sizeof(secret), json_str(body, "code"), time(NULL), last);
	wipe(secret, sizeof(secret));
	if (step < 0) {
		status = signin_failed(r, account);
		goto out;
	}
	if (session_new(id, hash) != 0) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(step_text, sizeof(step_text), "%lld", (long long)step);
	snprintf(lifetime, sizeof(lifetime), "%ld", settings.lifetime_s);
	snprintf(idle, sizeof(idle), "%ld", settings.idle_s);
	s = db_query(r->db, ST_SESSION_PROMOTE, &auth, "pending", pending_hash, "session", hash,
		     "user", row_val(res, 0, PENDING_USER), "step", step_text, "lifetime", lifetime,
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(auth, 0, SCALAR_VALUE)) { /* that code was used already */
		status = signin_failed(r, account);
		goto out;
	}
	db_res_free(auth);
	auth = NULL;
	s = db_query(r->db, ST_SIGNIN_CLEARED, NULL, "account", account, (char *)NULL);
	if (s == DB_OK)
		s = db_query(r->db, ST_SESSION_AUTHENTICATE, &auth, "session", hash, "action",
			     (char *)NULL, "idle", idle, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(auth) == 0 || identity_from_session(r, auth) != 0) {
		status = reply_internal(r);
		goto out;
	}
	detail = json_pack("{s:s}", "source", source_of(r));
	if (audit_record(r, "user.sign_in", "user", r->who.user_id, NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	cookie_set(r, id);
	status = reply_session(r, id);
out:
	wipe(id, sizeof(id));
	wipe(pending, sizeof(pending));
	json_decref(detail);
	db_res_free(auth);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_session_get(struct request *r)
{
	char id[SESSION_ID_LEN + 1] = "";
	int status = 500;

	if (!session_cookie(r, id)) { /* the router authenticated it */
		status = reply_internal(r);
		goto out;
	}
	status = reply_session(r, id);
out:
	wipe(id, sizeof(id));
	return status;
}

int
handle_session_delete(struct request *r)
{
	char id[SESSION_ID_LEN + 1] = "", hash[65];
	enum db_status s;
	int status = 500;

	if (!session_cookie(r, id)) {
		status = reply_internal(r);
		goto out;
	}
	session_id_hash(id, hash);
	s = db_query(r->db, ST_SESSION_END, NULL, "session", hash, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "user.sign_out", "user", r->who.user_id, NULL, NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->set_cookie, sizeof(r->set_cookie),
		 SESSION_COOKIE "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
	status = reply_no_content(r);
out:
	wipe(id, sizeof(id));
	return status;
}

int
handle_account_update(struct request *r)
{
	json_t *body = NULL;
	char id[SESSION_ID_LEN + 1] = "";
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, account_fields, ARRAY_LEN(account_fields))) {
		status = r->status;
		goto out;
	}
	if (!session_cookie(r, id)) {
		status = reply_internal(r);
		goto out;
	}
	s = db_query(r->db, ST_ACCOUNT_LANGUAGE, NULL, "language", json_str(body, "language"),
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	snprintf(r->who.user_language, sizeof(r->who.user_language), "%s",
		 json_str(body, "language"));
	(void)request_set_language(r, r->who.user_language);
	status = reply_session(r, id);
out:
	wipe(id, sizeof(id));
	json_decref(body);
	return status;
}

/* The hex SHA-256 of an invitation token, as the database keys it. */
static void
token_hash(const char *token, char hex[65])
{
	unsigned char h[SHA256_LEN];

	crypto_sha256(token, strlen(token), h);
	hex_encode(h, sizeof(h), hex);
}

/* 400 `invalid` naming one field (message: an N_() of the catalogue); a
 * failure from this address counts. */
static int
reply_invalid_field(struct request *r, bool count, const char *field, const char *message)
{
	json_t *errors = json_array();
	enum db_status s = count ? db_query(r->db, ST_SIGNIN_FAILED, NULL, "account", (char *)NULL,
					    "source", source_of(r), (char *)NULL)
				 : DB_OK;

	if (s != DB_OK) {
		json_decref(errors);
		return reply_db_error(r, s);
	}
	field_error(errors, field, "%s", tr(r, message));
	return reply_problem_errors(r, 400, "invalid", "Invalid request", errors, "%s",
				    tr(r, message));
}

/* otpauth://totp/refgw:<email>?secret=…: the email percent-encoded but
 * for its letters, digits, "@", ".", "-" and "_". */
static char *
otpauth_uri(const char *email, const char *secret)
{
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	if (buf_printf(&b, "otpauth://totp/refgw:") != 0)
		goto fail;
	for (i = 0; email[i]; i++) {
		unsigned char c = (unsigned char)email[i];
		if ((isalnum(c) || strchr("@.-_", c)) && c < 0x80) {
			if (buf_append(&b, (const char *)&c, 1) != 0)
				goto fail;
		} else if (buf_printf(&b, "%%%02X", c) != 0) {
			goto fail;
		}
	}
	if (buf_printf(&b, "?secret=%s&issuer=refgw&algorithm=SHA1&digits=%d&period=%d", secret,
		       TOTP_DIGITS, TOTP_STEP_S) != 0)
		goto fail;
	return buf_steal(&b);
fail:
	buf_free(&b);
	return NULL;
}

int
handle_account_enrol(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	unsigned char secret[TOTP_SECRET_LEN], sealed[TOTP_SECRET_LEN + AEAD_OVERHEAD];
	char token[65], pw_hash[PASSWORD_HASH_MAX] = "", key_id[KEYRING_ID_MAX + 1];
	char sealed_hex[2 * sizeof(sealed) + 1], b32[(TOTP_SECRET_LEN * 8 + 4) / 5 + 1] = "";
	char *uri = NULL;
	const char *password;
	bool locked = false;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, enrol_fields, ARRAY_LEN(enrol_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = throttle_check(r, NULL, &locked)) != 0)
		goto out;
	password = json_str(body, "password");
	if (!password_acceptable(password)) {
		status = reply_invalid_field(r, false, "password",
					     N_("a password of 12 to 128 characters"));
		goto out;
	}
	token_hash(json_str(body, "invitation_token"), token);
	s = db_query(r->db, ST_INVITATION_USER, &res, "token", token, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_invalid_field(r, true, "invitation_token",
					     N_("unknown, used or expired invitation: ask your "
						"administrator for a new one"));
		goto out;
	}
	if (password_hash(password, pw_hash) != 0 || crypto_random(secret, sizeof(secret)) != 0 ||
	    keyring_seal("totp", row_val(res, 0, INVITATION_USER), secret, sizeof(secret), key_id,
			 sealed) != 0) {
		status = reply_internal(r);
		goto out;
	}
	hex_encode(sealed, sizeof(sealed), sealed_hex);
	base32_encode(secret, sizeof(secret), b32);
	s = db_query(r->db, ST_INVITATION_ENROL, NULL, "token", token, "password", pw_hash,
		     "key_id", key_id, "secret", sealed_hex, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if ((uri = otpauth_uri(row_val(res, 0, INVITATION_EMAIL), b32)) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	status =
		reply_json(r, 200, json_pack("{s:s, s:s}", "totp_secret", b32, "otpauth_uri", uri));
out:
	wipe(secret, sizeof(secret));
	wipe(b32, sizeof(b32));
	wipe(pw_hash, sizeof(pw_hash));
	if (uri)
		wipe(uri, strlen(uri));
	free(uri);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_account_confirm(struct request *r)
{
	json_t *body = NULL;
	struct db_res *res = NULL;
	unsigned char secret[TOTP_SECRET_LEN];
	char token[65], step_text[24];
	bool locked = false;
	int64_t step;
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, confirm_fields, ARRAY_LEN(confirm_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = throttle_check(r, NULL, &locked)) != 0)
		goto out;
	token_hash(json_str(body, "invitation_token"), token);
	s = db_query(r->db, ST_INVITATION_USER, &res, "token", token, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		status = reply_invalid_field(r, true, "invitation_token",
					     N_("unknown, used or expired invitation: ask your "
						"administrator for a new one"));
		goto out;
	}
	if (row_null(res, 0, INVITATION_SECRET)) {
		status = reply_invalid_field(r, false, "invitation_token",
					     N_("enrol first (POST /v1/account/enrol): choose a "
						"password and receive the second factor's secret"));
		goto out;
	}
	if (secret_open(row_val(res, 0, INVITATION_USER), row_str(res, 0, INVITATION_KEY_ID),
			row_str(res, 0, INVITATION_SECRET), secret) != 0) {
		status = reply_internal(r);
		goto out;
	}
	step = totp_match(secret, sizeof(secret), json_str(body, "code"), time(NULL), -1);
	wipe(secret, sizeof(secret));
	if (step < 0) {
		status = reply_invalid_field(r, true, "code",
					     N_("the code does not match: type the 6 digits your "
						"authenticator shows now (is its clock right?)"));
		goto out;
	}
	snprintf(step_text, sizeof(step_text), "%lld", (long long)step);
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_INVITATION_CONFIRM, &res, "token", token, "step", step_text,
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(res, 0, SCALAR_VALUE)) {
		status = reply_invalid_field(r, true, "invitation_token",
					     N_("unknown, used or expired invitation: ask your "
						"administrator for a new one"));
		goto out;
	}
	status = reply_no_content(r);
out:
	db_res_free(res);
	json_decref(body);
	return status;
}
