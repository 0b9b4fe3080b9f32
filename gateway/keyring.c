/* keyring: master keys from a file, and the wrapping of data keys. */
#include "keyring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

#define KEYRING_MAX 16

struct master_key {
	char id[KEYRING_ID_MAX + 1];
	unsigned char key[AEAD_KEY_LEN];
};

static struct {
	pthread_rwlock_t lock;
	char *path;
	struct master_key keys[KEYRING_MAX];
	int n; /* keys[0] is the current one */
} ring = {.lock = PTHREAD_RWLOCK_INITIALIZER};

static bool
id_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > KEYRING_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

/* Parses the file into keys; never copies a key into err. */
static int
parse(const char *path, char *text, struct master_key *keys, int *n, char *err, size_t errlen)
{
	char *line = text, *next;
	int lineno = 0, i;

	*n = 0;
	for (; line && *line; line = next) {
		char *sp, *hex;
		size_t idlen;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		sp = line + strcspn(line, " \t");
		idlen = (size_t)(sp - line);
		hex = sp;
		while (*hex == ' ' || *hex == '\t')
			hex++;
		hex[strcspn(hex, " \t")] = '\0';
		if (!id_valid(line, idlen) || strlen(hex) != 2 * AEAD_KEY_LEN) {
			snprintf(err, errlen,
				 "REFGW_MASTER_KEY_FILE: %s line %d: expected \"<id> <64 hex "
				 "digits>\" (id: 1 to %d of a-z 0-9 - _ .)",
				 path, lineno, KEYRING_ID_MAX);
			return -1;
		}
		if (*n == KEYRING_MAX) {
			snprintf(err, errlen, "REFGW_MASTER_KEY_FILE: %s: more than %d keys", path,
				 KEYRING_MAX);
			return -1;
		}
		memcpy(keys[*n].id, line, idlen);
		keys[*n].id[idlen] = '\0';
		for (i = 0; i < *n; i++)
			if (strcmp(keys[i].id, keys[*n].id) == 0) {
				snprintf(err, errlen,
					 "REFGW_MASTER_KEY_FILE: %s line %d: key id %s twice", path,
					 lineno, keys[*n].id);
				return -1;
			}
		if (hex_decode(hex, keys[*n].key, AEAD_KEY_LEN) != 0) {
			snprintf(err, errlen, "REFGW_MASTER_KEY_FILE: %s line %d: not hex", path,
				 lineno);
			return -1;
		}
		(*n)++;
	}
	if (*n == 0) {
		snprintf(err, errlen, "REFGW_MASTER_KEY_FILE: %s holds no key", path);
		return -1;
	}
	return 0;
}

static int
load_into(const char *path, char *err, size_t errlen)
{
	struct master_key keys[KEYRING_MAX];
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int n = 0, rc;

	if (read_file(path, 1 << 16, &text, &len) != 0) {
		snprintf(err, errlen, "REFGW_MASTER_KEY_FILE: cannot read %s", path);
		return -1;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 0077))
		log_warnx("REFGW_MASTER_KEY_FILE: %s is readable by others than its owner (mode "
			  "%03o): it should be 0600",
			  path, (unsigned)(st.st_mode & 0777));
	rc = parse(path, text, keys, &n, err, errlen);
	wipe(text, len);
	free(text);
	if (rc == 0) {
		pthread_rwlock_wrlock(&ring.lock);
		wipe(ring.keys, sizeof(ring.keys));
		memcpy(ring.keys, keys, sizeof(keys[0]) * (size_t)n);
		ring.n = n;
		pthread_rwlock_unlock(&ring.lock);
	}
	wipe(keys, sizeof(keys));
	return rc;
}

int
keyring_load(const char *path, char *err, size_t errlen)
{
	char *copy = strdup(path);

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load_into(path, err, errlen) != 0) {
		free(copy);
		return -1;
	}
	free(ring.path);
	ring.path = copy;
	return 0;
}

int
keyring_reload(char *err, size_t errlen)
{
	if (ring.path == NULL) {
		snprintf(err, errlen, "REFGW_MASTER_KEY_FILE: no keyring loaded");
		return -1;
	}
	return load_into(ring.path, err, errlen);
}

void
keyring_unload(void)
{
	pthread_rwlock_wrlock(&ring.lock);
	wipe(ring.keys, sizeof(ring.keys));
	ring.n = 0;
	pthread_rwlock_unlock(&ring.lock);
	free(ring.path);
	ring.path = NULL;
}

bool
keyring_loaded(void)
{
	bool loaded;

	pthread_rwlock_rdlock(&ring.lock);
	loaded = ring.n > 0;
	pthread_rwlock_unlock(&ring.lock);
	return loaded;
}

void
keyring_current_id(char id[KEYRING_ID_MAX + 1])
{
	pthread_rwlock_rdlock(&ring.lock);
	snprintf(id, KEYRING_ID_MAX + 1, "%s", ring.n ? ring.keys[0].id : "");
	pthread_rwlock_unlock(&ring.lock);
}

static int
find(const char *id)
{
	int i;

	for (i = 0; i < ring.n; i++)
		if (strcmp(ring.keys[i].id, id) == 0)
			return i;
	return -1;
}

bool
keyring_has(const char *id)
{
	bool has;

	pthread_rwlock_rdlock(&ring.lock);
	has = find(id) >= 0;
	pthread_rwlock_unlock(&ring.lock);
	return has;
}

/* What a wrapped key is bound to: its purpose, the person and the master
 * key's id. */
static size_t
wrap_aad(char *aad, size_t len, const char *person, const char *id)
{
	int n = snprintf(aad, len, "refgw-dek-v1|%s|%s", person, id);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

int
keyring_wrap(const char *person, const unsigned char dek[AEAD_KEY_LEN], char id[KEYRING_ID_MAX + 1],
	     unsigned char wrapped[KEYRING_WRAPPED_LEN])
{
	char aad[128];
	size_t aadlen;
	int rc = -1;

	pthread_rwlock_rdlock(&ring.lock);
	if (ring.n > 0) {
		snprintf(id, KEYRING_ID_MAX + 1, "%s", ring.keys[0].id);
		aadlen = wrap_aad(aad, sizeof(aad), person, id);
		if (aadlen)
			rc = crypto_aead_seal(ring.keys[0].key, aad, aadlen, dek, AEAD_KEY_LEN,
					      wrapped);
	}
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

int
keyring_unwrap(const char *person, const char *id, const unsigned char wrapped[KEYRING_WRAPPED_LEN],
	       unsigned char dek[AEAD_KEY_LEN])
{
	char aad[128], err[256];
	size_t aadlen = wrap_aad(aad, sizeof(aad), person, id);
	int i, rc = -1;

	if (aadlen == 0)
		return -1;
	pthread_rwlock_rdlock(&ring.lock);
	i = find(id);
	pthread_rwlock_unlock(&ring.lock);
	/* A key added by a rotation that this instance has not read yet. */
	if (i < 0 && keyring_reload(err, sizeof(err)) != 0)
		log_warnx("keyring: %s", err);
	pthread_rwlock_rdlock(&ring.lock);
	i = find(id);
	if (i >= 0)
		rc = crypto_aead_open(ring.keys[i].key, aad, aadlen, wrapped, KEYRING_WRAPPED_LEN,
				      dek);
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

/* What a sealed secret is bound to: its purpose, its subject and the key. */
static size_t
seal_aad(char *aad, size_t len, const char *purpose, const char *subject, const char *id)
{
	int n = snprintf(aad, len, "refgw-secret-v1|%s|%s|%s", purpose, subject, id);

	return n < 0 || (size_t)n >= len ? 0 : (size_t)n;
}

int
keyring_seal(const char *purpose, const char *subject, const void *plain, size_t len,
	     char id[KEYRING_ID_MAX + 1], unsigned char *out)
{
	char aad[192];
	size_t aadlen;
	int rc = -1;

	pthread_rwlock_rdlock(&ring.lock);
	if (ring.n > 0) {
		snprintf(id, KEYRING_ID_MAX + 1, "%s", ring.keys[0].id);
		aadlen = seal_aad(aad, sizeof(aad), purpose, subject, id);
		if (aadlen)
			rc = crypto_aead_seal(ring.keys[0].key, aad, aadlen, plain, len, out);
	}
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

int
keyring_open(const char *purpose, const char *subject, const char *id, const unsigned char *sealed,
	     size_t sealedlen, unsigned char *plain)
{
	char aad[192];
	size_t aadlen = seal_aad(aad, sizeof(aad), purpose, subject, id);
	int i, rc = -1;

	if (aadlen == 0 || sealedlen < AEAD_OVERHEAD)
		return -1;
	pthread_rwlock_rdlock(&ring.lock);
	i = find(id);
	if (i >= 0)
		rc = crypto_aead_open(ring.keys[i].key, aad, aadlen, sealed, sealedlen, plain);
	pthread_rwlock_unlock(&ring.lock);
	return rc;
}

int
keyring_mac(const char *purpose, const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	unsigned char derived[SHA256_LEN];
	int rc = -1;

	pthread_rwlock_rdlock(&ring.lock);
	if (ring.n > 0 && crypto_hmac_sha256(ring.keys[0].key, AEAD_KEY_LEN, purpose,
					     strlen(purpose), derived) == 0)
		rc = crypto_hmac_sha256(derived, sizeof(derived), data, len, out);
	pthread_rwlock_unlock(&ring.lock);
	wipe(derived, sizeof(derived));
	return rc;
}
