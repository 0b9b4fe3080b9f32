/* crypto: hashing and randomness (OpenSSL), for request ids and the audit
 * chain, and the Ed25519 keys of audit checkpoints.  X.509 and the TLS
 * session live in tls.c. */
#ifndef REFGW_CRYPTO_H
#define REFGW_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define SHA256_LEN 32

void crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);
/* Incremental: sha256(a || b). */
void crypto_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		     unsigned char out[SHA256_LEN]);
int crypto_random(void *out, size_t len) MUSTCHECK;
/* A random (version 4) UUID, lower case, into out[37]. */
int crypto_uuid(char out[37]) MUSTCHECK;
/* HMAC-SHA256(key, data). */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
		       unsigned char out[SHA256_LEN]) MUSTCHECK;

/* HMAC-SHA1: only for TOTP (RFC 6238's default, what authenticator apps
 * compute; totp.c). */
#define SHA1_LEN 20
int crypto_hmac_sha1(const void *key, size_t keylen, const void *data, size_t len,
		     unsigned char out[SHA1_LEN]) MUSTCHECK;
/* AES-256-GCM (the data keys of persons, keyring.c and seal.c): out gets
 * nonce (12) || ciphertext (len) || tag (16), AEAD_OVERHEAD more bytes than
 * the plaintext, under a fresh random nonce.  crypto_aead_open answers -1
 * for a wrong key, wrong aad or any altered byte, and writes nothing then. */
#define AEAD_KEY_LEN 32
#define AEAD_NONCE_LEN 12
#define AEAD_TAG_LEN 16
#define AEAD_OVERHEAD (AEAD_NONCE_LEN + AEAD_TAG_LEN)
int crypto_aead_seal(const unsigned char key[AEAD_KEY_LEN], const void *aad, size_t aadlen,
		     const void *plain, size_t len, unsigned char *out) MUSTCHECK;
int crypto_aead_open(const unsigned char key[AEAD_KEY_LEN], const void *aad, size_t aadlen,
		     const unsigned char *sealed, size_t sealedlen, unsigned char *plain) MUSTCHECK;
/* Many openings in one thread under few keys, one after the other (a
 * waitlist: several fields per person): one cipher context, whose key
 * schedule is computed again only when the key changes.  The same answers
 * as crypto_aead_open.  Not shared between threads. */
struct aead_opener;
struct aead_opener *crypto_aead_opener_new(void);
void crypto_aead_opener_free(struct aead_opener *o);
int crypto_aead_open_by(struct aead_opener *o, const unsigned char key[AEAD_KEY_LEN],
			const void *aad, size_t aadlen, const unsigned char *sealed,
			size_t sealedlen, unsigned char *plain) MUSTCHECK;

/* Ed25519 (audit checkpoints): a key the database does not hold. */
#define ED25519_SIG_LEN 64
#define CRYPTO_KEY_ID_LEN 16 /* hex digits of sha256(raw public key) */
struct crypto_key;

/* Writes a new key pair as PEM: the private key (PKCS#8, mode 0600) and the
 * public key; never overwrites an existing file.  key_id gets
 * CRYPTO_KEY_ID_LEN + 1 bytes. */
int crypto_ed25519_keygen(const char *private_path, const char *public_path, char *key_id,
			  char *err, size_t errlen) MUSTCHECK;
/* A PEM Ed25519 key.  want_private: an unencrypted private key; otherwise a
 * public key, or a private key whose public half is used. */
struct crypto_key *crypto_key_load(const char *path, bool want_private, char *err, size_t errlen);
void crypto_key_free(struct crypto_key *k);
const char *crypto_key_id(const struct crypto_key *k);
bool crypto_key_has_private(const struct crypto_key *k);
int crypto_sign(const struct crypto_key *k, const void *msg, size_t len,
		unsigned char sig[ED25519_SIG_LEN]) MUSTCHECK;
bool crypto_verify(const struct crypto_key *k, const void *msg, size_t len,
		   const unsigned char sig[ED25519_SIG_LEN]);

#endif
