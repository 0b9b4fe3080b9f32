/* totp: RFC 6238 time-based one-time passwords (HMAC-SHA1, 30-second steps,
 * 6 digits, one step of clock skew either way) and the base32 that
 * authenticator apps read (RFC 4648, no padding). */
#ifndef REFGW_TOTP_H
#define REFGW_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util.h"

#define TOTP_SECRET_LEN 20 /* 160 bits, RFC 4226's recommendation */
#define TOTP_STEP_S 30
#define TOTP_DIGITS 6

/* The code of a time step (digits digits, 6 or 8) into out (digits + 1). */
int totp_code(const unsigned char *secret, size_t len, int64_t step, int digits,
	      char *out) MUSTCHECK;
/* The step in which code is valid at time now (now's step, or one before or
 * after), later than after (-1: any); -1 when none matches. */
int64_t totp_match(const unsigned char *secret, size_t len, const char *code, time_t now,
		   int64_t after);
/* base32 (upper case, no padding); out holds (len * 8 + 4) / 5 + 1. */
void base32_encode(const unsigned char *in, size_t len, char *out);

#endif
