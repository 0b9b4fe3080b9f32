/* password: people's passwords, hashed with Argon2id by libsodium
 * (crypto_pwhash_str: the string holds salt and parameters), never by
 * hand-rolled code.  The only module that includes sodium.h. */
#ifndef REFGW_PASSWORD_H
#define REFGW_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define PASSWORD_MIN 12
#define PASSWORD_MAX 128
/* crypto_pwhash_STRBYTES */
#define PASSWORD_HASH_MAX 128

/* Initialises libsodium and the dummy hash that sign-in verifies against
 * when there is no account (the same work either way). */
int password_init(void) MUSTCHECK;
/* The policy: PASSWORD_MIN..PASSWORD_MAX characters (UTF-8 code points). */
bool password_acceptable(const char *password);
/* Hashes into out (PASSWORD_HASH_MAX bytes). */
int password_hash(const char *password, char out[PASSWORD_HASH_MAX]) MUSTCHECK;
/* true when password matches hash.  hash NULL: verifies against the dummy
 * hash (always false), so that an unknown account costs the same. */
bool password_verify(const char *hash, const char *password);

#endif
