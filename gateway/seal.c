/* seal: personal fields sealed under their person's data key. */
#include "seal.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "keystore.h"
#include "log.h"

#define SEAL_MAX_PLAIN (1u << 20)

static _Thread_local bool unavailable;

bool
seal_unavailable_take(void)
{
	bool was = unavailable;

	unavailable = false;
	return was;
}

static enum seal_status
from_ks(enum ks_status s)
{
	switch (s) {
	case KS_OK:
		return SEAL_OK;
	case KS_ABSENT:
		return SEAL_ERASED;
	case KS_UNAVAILABLE:
		unavailable = true;
		return SEAL_UNAVAILABLE;
	case KS_BROKEN:
		break;
	}
	return SEAL_ERROR;
}

static size_t
field_aad(char *aad, size_t len, const char *person, const char *label)
{
	static const char prefix[] = "refgw-field-v1|";
	size_t p = strlen(person), l = strlen(label),
	       n = sizeof(prefix) - 1 + p + 1 + l; /* prefix person | label */

	/* concatenated, not printed: every sealed field a read opens has one */
	if (n >= len)
		return 0;
	memcpy(aad, prefix, sizeof(prefix) - 1);
	memcpy(aad + sizeof(prefix) - 1, person, p);
	aad[sizeof(prefix) - 1 + p] = '|';
	memcpy(aad + sizeof(prefix) + p, label, l + 1);
	return n;
}

enum seal_status
seal_text(const char *person, const char *label, const char *json, size_t len, char **out)
{
	unsigned char dek[AEAD_KEY_LEN], *sealed = NULL;
	char aad[256];
	size_t aadlen = field_aad(aad, sizeof(aad), person, label), slen = len + AEAD_OVERHEAD;
	enum seal_status s;

	*out = NULL;
	if (aadlen == 0 || len > SEAL_MAX_PLAIN)
		return SEAL_ERROR;
	s = from_ks(keystore_get(person, dek));
	if (s != SEAL_OK)
		return s;
	s = SEAL_ERROR;
	sealed = malloc(slen);
	*out = malloc(sizeof(SEAL_PREFIX) - 1 + 4 * ((slen + 2) / 3) + 1);
	if (sealed == NULL || *out == NULL ||
	    crypto_aead_seal(dek, aad, aadlen, json, len, sealed) != 0) {
		free(*out);
		*out = NULL;
		goto out;
	}
	memcpy(*out, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1);
	base64url_encode(sealed, slen, *out + sizeof(SEAL_PREFIX) - 1);
	s = SEAL_OK;
out:
	wipe(dek, sizeof(dek));
	free(sealed);
	return s;
}

enum seal_status
seal_value(const char *person, const char *label, const json_t *value, char **out)
{
	char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	enum seal_status s;

	*out = NULL;
	if (text == NULL)
		return SEAL_ERROR;
	s = seal_text(person, label, text, strlen(text), out);
	wipe(text, strlen(text));
	free(text);
	return s;
}

enum seal_status
seal_members(const char *person, const char *label, const json_t *object, json_t **out)
{
	const char *key;
	json_t *value;
	enum seal_status s = SEAL_OK;

	*out = json_object();
	if (*out == NULL || !json_is_object(object))
		s = SEAL_ERROR;
	json_object_foreach((json_t *)object, key, value) {
		char sub[128], *sealed = NULL;

		if (s != SEAL_OK)
			break;
		if ((size_t)snprintf(sub, sizeof(sub), "%s.%s", label, key) >= sizeof(sub)) {
			s = SEAL_ERROR;
			break;
		}
		s = seal_value(person, sub, value, &sealed);
		if (s == SEAL_OK && json_object_set_new(*out, key, json_string(sealed)) != 0)
			s = SEAL_ERROR;
		free(sealed);
	}
	if (s != SEAL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	return s;
}

/* Opens sealed with the person's key into a new NUL-terminated plaintext
 * (*plain, *len). */
static enum seal_status
open_with(struct aead_opener *o, const unsigned char dek[AEAD_KEY_LEN], const char *person,
	  const char *label, const char *sealed, char **plain, size_t *len)
{
	unsigned char *raw = NULL;
	char aad[256];
	size_t aadlen = field_aad(aad, sizeof(aad), person, label), max;
	long n;
	enum seal_status s = SEAL_ERROR;

	*plain = NULL;
	if (aadlen == 0 || strncmp(sealed, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1) != 0) {
		log_warnx("seal: a %s of person %s is not sealed", label, person);
		return SEAL_ERROR;
	}
	sealed += sizeof(SEAL_PREFIX) - 1;
	max = strlen(sealed) * 3 / 4 + 3;
	raw = malloc(max);
	if (raw == NULL)
		goto out;
	n = base64url_decode(sealed, raw, max);
	if (n < (long)AEAD_OVERHEAD || (*plain = malloc((size_t)n - AEAD_OVERHEAD + 1)) == NULL)
		goto bad;
	if ((o != NULL ? crypto_aead_open_by(o, dek, aad, aadlen, raw, (size_t)n,
					     (unsigned char *)*plain)
		       : crypto_aead_open(dek, aad, aadlen, raw, (size_t)n,
					  (unsigned char *)*plain)) != 0) {
		free(*plain);
		*plain = NULL;
		goto bad;
	}
	*len = (size_t)n - AEAD_OVERHEAD;
	(*plain)[*len] = '\0';
	s = SEAL_OK;
	goto out;
bad:
	log_warnx("seal: a %s of person %s does not open (altered, or moved from another "
		  "person or field)",
		  label, person);
out:
	free(raw);
	return s;
}

/* Opens sealed into a new NUL-terminated plaintext (*plain, *len). */
static enum seal_status
open_plain(const char *person, const char *label, const char *sealed, char **plain, size_t *len)
{
	unsigned char dek[AEAD_KEY_LEN];
	enum seal_status s;

	*plain = NULL;
	if (strncmp(sealed, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1) != 0) {
		log_warnx("seal: a %s of person %s is not sealed", label, person);
		return SEAL_ERROR;
	}
	s = from_ks(keystore_get(person, dek));
	if (s == SEAL_OK)
		s = open_with(NULL, dek, person, label, sealed, plain, len);
	wipe(dek, sizeof(dek));
	return s;
}

enum seal_status
seal_keys(const char *const *persons, size_t n, unsigned char (*deks)[AEAD_KEY_LEN],
	  enum seal_status *status)
{
	enum ks_status *ks = n ? calloc(n, sizeof(*ks)) : NULL;
	enum seal_status s = SEAL_ERROR;
	size_t i;

	if (n == 0)
		return SEAL_OK;
	if (ks == NULL)
		return SEAL_ERROR;
	s = from_ks(keystore_get_many(persons, n, deks, ks));
	for (i = 0; i < n && s == SEAL_OK; i++)
		status[i] = from_ks(ks[i]);
	free(ks);
	return s;
}

enum seal_status
seal_open_write_with(struct aead_opener *o, struct buf *b, const unsigned char dek[AEAD_KEY_LEN],
		     const char *person, const char *label, const char *sealed)
{
	char *plain = NULL;
	size_t len = 0;
	enum seal_status s = open_with(o, dek, person, label, sealed, &plain, &len);

	if (s == SEAL_OK && buf_append(b, plain, len) != 0)
		s = SEAL_ERROR;
	if (plain) {
		wipe(plain, len);
		free(plain);
	}
	return s;
}

enum seal_status
seal_open_write(struct buf *b, const char *person, const char *label, const char *sealed,
		bool *erased)
{
	char *plain = NULL;
	size_t len = 0;
	enum seal_status s = open_plain(person, label, sealed, &plain, &len);

	if (erased)
		*erased = s == SEAL_ERASED;
	if (s == SEAL_ERASED)
		return APPEND_LITERAL(b, "null") == 0 ? SEAL_OK : SEAL_ERROR;
	if (s == SEAL_OK && buf_append(b, plain, len) != 0)
		s = SEAL_ERROR;
	if (plain) {
		wipe(plain, len);
		free(plain);
	}
	return s;
}

enum seal_status
seal_open_members_write(struct buf *b, const char *person, const char *label, const char *json,
			bool *erased)
{
	json_t *object = json_loads(json, 0, NULL), *value;
	const char *key;
	bool first = true, gone = false;
	enum seal_status s = SEAL_OK;

	if (erased)
		*erased = false;
	if (!json_is_object(object)) {
		json_decref(object);
		return SEAL_ERROR;
	}
	if (APPEND_LITERAL(b, "{") != 0)
		s = SEAL_ERROR;
	json_object_foreach(object, key, value) {
		char sub[128];
		size_t mark = b->len;

		if (s != SEAL_OK)
			break;
		if (!json_is_string(value) ||
		    (size_t)snprintf(sub, sizeof(sub), "%s.%s", label, key) >= sizeof(sub) ||
		    (!first && APPEND_LITERAL(b, ",") != 0) || json_quote(b, key) != 0 ||
		    APPEND_LITERAL(b, ":") != 0) {
			s = SEAL_ERROR;
			break;
		}
		s = seal_open_write(b, person, sub, json_string_value(value), &gone);
		if (gone) { /* erased: no member at all */
			b->len = mark;
			b->data[mark] = '\0';
			continue;
		}
		first = false;
	}
	if (s == SEAL_OK && APPEND_LITERAL(b, "}") != 0)
		s = SEAL_ERROR;
	if (erased)
		*erased = gone;
	json_decref(object);
	return s;
}

json_t *
seal_open_json(const char *person, const char *label, const char *sealed, enum seal_status *status)
{
	char *plain = NULL;
	size_t len = 0;
	json_t *j = NULL;

	*status = open_plain(person, label, sealed, &plain, &len);
	if (*status == SEAL_OK) {
		j = json_loadb(plain, len, JSON_DECODE_ANY, NULL);
		if (j == NULL)
			*status = SEAL_ERROR;
	}
	if (plain) {
		wipe(plain, len);
		free(plain);
	}
	return j;
}
