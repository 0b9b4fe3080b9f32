/* seal: a person's personal fields as they are stored, each sealed under
 * the person's data key (keystore.c) with AES-256-GCM:
 *
 *	"rgw1." base64url(nonce || ciphertext || tag)
 *
 * The plaintext is the field's JSON text (a string, number or object) and
 * the additional data binds it to the person and the field's label
 * ("reason", "data.identity"), so a sealed value moved to another person
 * or field does not open.  PostgreSQL sees the sealed text only; the
 * renderers (rows.c) open what a caller may read. */
#ifndef REFGW_SEAL_H
#define REFGW_SEAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"
#include "util.h"

#define SEAL_PREFIX "rgw1."

enum seal_status {
	SEAL_OK = 0,
	SEAL_ERASED,      /* the person has no data key any more: erased */
	SEAL_UNAVAILABLE, /* the key store did not answer: 503 */
	SEAL_ERROR,       /* a value that does not open, or out of memory */
};

/* Seals JSON text (len bytes) into a new string in *out. */
enum seal_status seal_text(const char *person, const char *label, const char *json, size_t len,
			   char **out) MUSTCHECK;
/* Seals a JSON value (a jansson value, dumped compactly). */
enum seal_status seal_value(const char *person, const char *label, const json_t *value,
			    char **out) MUSTCHECK;
/* Seals each member of an object: {"identity": {...}} ->
 * {"identity": "rgw1..."} (labels "<label>.<member>"); a new object. */
enum seal_status seal_members(const char *person, const char *label, const json_t *object,
			      json_t **out) MUSTCHECK;

/* Opens a sealed value and appends its JSON text to b; a person erased
 * appends "null" (*erased set when not NULL). */
enum seal_status seal_open_write(struct buf *b, const char *person, const char *label,
				 const char *sealed, bool *erased) MUSTCHECK;
/* Opens each member of an object whose values are sealed (JSON text in
 * json) and appends the object of their JSON texts; a person erased
 * appends "{}". */
enum seal_status seal_open_members_write(struct buf *b, const char *person, const char *label,
					 const char *json, bool *erased) MUSTCHECK;
/* The data keys of n persons at once, for a batch of openings (a
 * waitlist: keystore_get_many, one query of the key store for the keys not
 * cached): SEAL_OK with each person's own status in status[i] (SEAL_OK:
 * deks[i] holds its key; SEAL_ERASED; SEAL_ERROR), or SEAL_UNAVAILABLE
 * or SEAL_ERROR for all.  The caller wipes deks. */
enum seal_status seal_keys(const char *const *persons, size_t n,
			   unsigned char (*deks)[AEAD_KEY_LEN], enum seal_status *status) MUSTCHECK;
/* seal_open_write with the person's key at hand (seal_keys), opened by o
 * (crypto_aead_open_by: one context for a batch) or, when NULL, alone. */
enum seal_status seal_open_write_with(struct aead_opener *o, struct buf *b,
				      const unsigned char dek[AEAD_KEY_LEN], const char *person,
				      const char *label, const char *sealed) MUSTCHECK;

/* Whether this thread met an unavailable key store since the last call
 * (and forgets it): a failed rendering then answers 503, not 500. */
bool seal_unavailable_take(void);

/* The same as a jansson value (NULL: erased or failed, see *status). */
json_t *seal_open_json(const char *person, const char *label, const char *sealed,
		       enum seal_status *status);

#endif
