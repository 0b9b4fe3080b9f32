/* sessions: people on the browser listener (schema/052) -- activation
 * (enrol, confirm), sign-in with a password and a TOTP second factor, the
 * session itself (read, end), the account's language, and the sign-in
 * throttle.  A session id is 256 random bits, sent as the cookie
 * __Host-refgw-session and kept in PostgreSQL only as its SHA-256; its CSRF
 * token is derived from it by HMAC under the master key (keyring.c), never
 * stored.  docs/security.md, "People in browsers", says what it defends. */
#ifndef REFGW_SESSIONS_H
#define REFGW_SESSIONS_H

#include <stdbool.h>

#include "request.h"
#include "rows.h"
#include "util.h"

#define SESSION_COOKIE "__Host-refgw-session"
/* base64url of 32 bytes. */
#define SESSION_ID_LEN 43

/* What refgw_session_authenticate answers (identity.c reads it). */
#define SESSION_AUTH_COLUMNS(C)                                                                    \
	C(SESSION_ORG, "organisation_id", "organisation_id", COL_KEY, 0, NULL)                     \
	C(SESSION_ORG_NAME, "organisation_name", "organisation_name", COL_KEY, 0, NULL)            \
	C(SESSION_KIND, "kind", "kind", COL_KEY, 0, NULL)                                          \
	C(SESSION_USER, "user_id", "user_id", COL_KEY, 0, NULL)                                    \
	C(SESSION_EMAIL, "email", "email", COL_KEY, 0, NULL)                                       \
	C(SESSION_NAME, "display_name", "display_name", COL_KEY, 0, NULL)                          \
	C(SESSION_ROLE, "role", "role", COL_KEY, 0, NULL)                                          \
	C(SESSION_LANGUAGE, "language", "language", COL_KEY, 0, NULL)                              \
	C(SESSION_MAY, "may", "may", COL_KEY, 0, NULL)                                             \
	C(SESSION_ORG_SET, "org_set", "org_set", COL_KEY, 0, NULL)                                 \
	C(SESSION_EXPIRES, "expires_at", "expires_at", COL_KEY, 0, NULL)                           \
	C(SESSION_IDLE_EXPIRES, "idle_expires_at", "idle_expires_at", COL_KEY, 0, NULL)

#define THROTTLE_COLUMNS(C)                                                                        \
	C(THROTTLE_ACCOUNT_WAIT, "account_wait", "account_wait", COL_KEY, 0, NULL)                 \
	C(THROTTLE_SOURCE_WAIT, "source_wait", "source_wait", COL_KEY, 0, NULL)

#define SIGNIN_USER_COLUMNS(C)                                                                     \
	C(SIGNIN_USER_ID, "user_id", "user_id", COL_KEY, 0, NULL)                                  \
	C(SIGNIN_PASSWORD_HASH, "password_hash", "password_hash", COL_KEY, 0, NULL)                \
	C(SIGNIN_MAY, "may_sign_in", "may_sign_in", COL_KEY, 0, NULL)

/* A pending session's user and its sealed TOTP secret (hex). */
#define PENDING_COLUMNS(C)                                                                         \
	C(PENDING_USER, "user_id", "user_id", COL_KEY, 0, NULL)                                    \
	C(PENDING_EMAIL, "email", "email", COL_KEY, 0, NULL)                                       \
	C(PENDING_KEY_ID, "totp_key_id", "totp_key_id", COL_KEY, 0, NULL)                          \
	C(PENDING_SECRET, "totp_secret", "totp_secret", COL_KEY, 0, NULL)                          \
	C(PENDING_LAST_STEP, "totp_last_step", "totp_last_step", COL_KEY, 0, NULL)

/* The invited user of a token. */
#define INVITATION_COLUMNS(C)                                                                      \
	C(INVITATION_USER, "user_id", "user_id", COL_KEY, 0, NULL)                                 \
	C(INVITATION_EMAIL, "email", "email", COL_KEY, 0, NULL)                                    \
	C(INVITATION_KEY_ID, "totp_key_id", "totp_key_id", COL_KEY, 0, NULL)                       \
	C(INVITATION_SECRET, "totp_secret", "totp_secret", COL_KEY, 0, NULL)

enum session_auth_col { SESSION_AUTH_COLUMNS(COLUMN_ENUM) };
enum throttle_col { THROTTLE_COLUMNS(COLUMN_ENUM) };
enum signin_user_col { SIGNIN_USER_COLUMNS(COLUMN_ENUM) };
enum pending_col { PENDING_COLUMNS(COLUMN_ENUM) };
enum invitation_col { INVITATION_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc session_auth_row, throttle_row, signin_user_row, pending_row,
	invitation_row;

/* The settings (config.c): idle timeout and absolute lifetime in seconds,
 * the browser origin the CSRF check expects.  Before requests are served. */
void sessions_configure(long idle_s, long lifetime_s, const char *origin);
long sessions_idle_s(void);
const char *sessions_origin(void);

/* The session id the request's cookie carries (SESSION_ID_LEN characters),
 * or false. */
bool session_cookie(struct request *r, char id[SESSION_ID_LEN + 1]);
/* Its SHA-256 in hex, as the database keys it. */
void session_id_hash(const char *id, char hex[65]);
/* The CSRF token of a session id (43 characters): false without a master key. */
bool session_csrf_token(const char *id, char token[44]);

/* The X-CSRF-Token header given (NULL: none) is the session's token;
 * compared in constant time. */
bool session_csrf_ok(const char *id, const char *given);

int handle_session_create(struct request *r);
int handle_session_second_factor(struct request *r);
int handle_session_get(struct request *r);
int handle_session_delete(struct request *r);
int handle_account_update(struct request *r);
int handle_account_enrol(struct request *r);
int handle_account_confirm(struct request *r);

#endif
