/* crypto: hashing and randomness (OpenSSL), for request ids and the audit
 * chain.  X.509 and the TLS session live in tls.c. */
#ifndef REFGW_CRYPTO_H
#define REFGW_CRYPTO_H

#include <stddef.h>

#include "util.h"

#define SHA256_LEN 32

void crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Incremental: sha256(a || b). */
void crypto_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		     unsigned char out[SHA256_LEN]);
int crypto_random(void *out, size_t len) MUSTCHECK;
/* HMAC-SHA256(key, data). */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
		       unsigned char out[SHA256_LEN]) MUSTCHECK;

#endif
