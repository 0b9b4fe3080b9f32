/* keyring: the master keys, which live outside the database
 * (REFGW_MASTER_KEY_FILE), and the wrapping of persons' data keys under
 * them.  The file holds one key per line, "<id> <64 hex digits>"; the first
 * wraps new data keys, the others only unwrap (a rotation in progress,
 * docs/operations.md).  No key ever reaches a log, the database or a
 * message: errors name the file and the line. */
#ifndef REFGW_KEYRING_H
#define REFGW_KEYRING_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"
#include "util.h"

#define KEYRING_ID_MAX 32
/* A wrapped data key: nonce || AES-256-GCM(data key) || tag. */
#define KEYRING_WRAPPED_LEN (AEAD_KEY_LEN + AEAD_OVERHEAD)

/* Loads (or, on SIGHUP and on an unknown key id, reloads) the file; a
 * reload that fails keeps the keys already loaded. */
int keyring_load(const char *path, char *err, size_t errlen) MUSTCHECK;
int keyring_reload(char *err, size_t errlen) MUSTCHECK;
void keyring_unload(void);
bool keyring_loaded(void);
/* The id of the key that wraps new data keys (copied into id). */
void keyring_current_id(char id[KEYRING_ID_MAX + 1]);
/* Whether the file holds a key of that id. */
bool keyring_has(const char *id);

/* Wraps a person's data key under the current master key; the person's id
 * is bound to it (a wrapped key copied to another person does not open). */
int keyring_wrap(const char *person, const unsigned char dek[AEAD_KEY_LEN],
		 char id[KEYRING_ID_MAX + 1], unsigned char wrapped[KEYRING_WRAPPED_LEN]) MUSTCHECK;
/* 0: dek filled; -1: no key of that id, or the wrapped key does not open. */
int keyring_unwrap(const char *person, const char *id,
		   const unsigned char wrapped[KEYRING_WRAPPED_LEN],
		   unsigned char dek[AEAD_KEY_LEN]) MUSTCHECK;

/* Seals a small secret of a subject (a user's TOTP secret: purpose "totp",
 * subject its user id) under the current master key, bound to purpose,
 * subject and key id: out gets len + AEAD_OVERHEAD bytes. */
int keyring_seal(const char *purpose, const char *subject, const void *plain, size_t len,
		 char id[KEYRING_ID_MAX + 1], unsigned char *out) MUSTCHECK;
/* 0: plain gets sealedlen - AEAD_OVERHEAD bytes; -1: no such key, or it
 * does not open. */
int keyring_open(const char *purpose, const char *subject, const char *id,
		 const unsigned char *sealed, size_t sealedlen, unsigned char *plain) MUSTCHECK;
/* HMAC-SHA256 under a key derived from the current master key for purpose
 * (the sign-in throttle's account key, a session's CSRF token): stable
 * while the first master key stays first. */
int keyring_mac(const char *purpose, const void *data, size_t len,
		unsigned char out[SHA256_LEN]) MUSTCHECK;

#endif
