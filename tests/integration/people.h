/* People on the browser listener, for the accounts and sessions suites. */
#ifndef REFGW_TEST_PEOPLE_H
#define REFGW_TEST_PEOPLE_H

#include <stddef.h>

#include "client.h"

struct person {
	char id[37];
	char email[128];
	char password[64];
	char secret[64];  /* base32 */
	long long next_step; /* the next TOTP step to use (each is used once) */
	char session[64]; /* the signed-in cookie value */
	char csrf[64];
};

extern const char *const browser_origin; /* "Origin: ..." the gateway expects */

size_t base32_decode(const char *in, unsigned char *out, size_t outmax);
void totp_at(const char *secret_b32, long long step, char code[7]);
long long totp_now_step(void);
/* refgw user add: the one line it prints (malloc'd), or NULL. */
char *cli_user_add(const char *org, const char *email, const char *role);
/* A new user of org (id or name) with role, invited, enrolled, confirmed. */
int person_enrol(struct person *who, const char *org, const char *role, const char *base_env);
/* POST /v1/session with the password (cookie: one to send, or NULL). */
int person_password(struct person *who, const char *base_env, const char *cookie, struct resp *r);
/* POST /v1/session/second-factor with the pending cookie and the next code. */
int person_second_factor(struct person *who, const char *base_env, const char *pending,
			 struct resp *r);
/* Both steps: who->session, csrf and id set. */
int person_sign_in(struct person *who, const char *base_env);
/* A call with the session's cookie, Origin and CSRF token. */
int person_call(struct person *who, const char *base_env, const char *method, const char *path,
		const char *body, struct resp *r);
void cookie_value(const char *set_cookie, char *out, size_t outlen);
/* Forgets every sign-in failure counted (tests share one source address). */
void throttle_reset(void);

#endif
