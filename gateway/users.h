/* users: the people of an organisation who sign in on the browser listener
 * (schema/052): their accounts, invitations and resets.  Their secrets
 * (password hash, TOTP secret, invitation token hash) are never among these
 * columns: the runtime role cannot read them, and no answer carries them. */
#ifndef REFGW_USERS_H
#define REFGW_USERS_H

#include "request.h"
#include "rows.h"
#include "util.h"

/* A user.  The list's keyset is (lower(email), id) within an organisation. */
#define USER_COLUMNS(C)                                                                            \
	C(USER_ID, "id", "u.id", COL_PLAIN, 0, NULL)                                               \
	C(USER_ORG, "organisation_id", "u.organisation_id", COL_PLAIN, 0, NULL)                    \
	C(USER_EMAIL, "email", "u.email", COL_STRING, 0, NULL)                                     \
	C(USER_NAME, "display_name", "u.display_name", COL_STRING, 0, NULL)                        \
	C(USER_ROLE, "role", "u.role", COL_PLAIN, 0, NULL)                                         \
	C(USER_LANGUAGE, "language", "u.language", COL_PLAIN, 0, NULL)                             \
	C(USER_STATUS, "status", "u.status", COL_PLAIN, 0, NULL)                                   \
	C(USER_VERSION, "version", "u.version", COL_INTEGER, 0, NULL)                              \
	C(USER_CREATED, "created_at", TS("u.created_at"), COL_PLAIN, 0, NULL)                      \
	C(USER_UPDATED, "updated_at", TS("u.updated_at"), COL_PLAIN, 0, NULL)                      \
	C(USER_KEY, "cursor_key", "lower(u.email)", COL_KEY, COL_CURSOR, NULL)

enum user_col { USER_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc user_row;

/* An invitation is valid this long (POST .../users, .../reset, refgw user add). */
#define USER_INVITATION_HOURS 72

extern const char *const user_roles[];
extern const char *const user_languages[];

/* A new invitation token (256 random bits, base64url, 43 characters) and
 * the hex SHA-256 the database keeps of it. */
int user_invitation_new(char token[44], char hash_hex[65]) MUSTCHECK;

int handle_user_list(struct request *r);
int handle_user_create(struct request *r);
int handle_user_get(struct request *r);
int handle_user_update(struct request *r);
int handle_user_reset(struct request *r);

#endif
