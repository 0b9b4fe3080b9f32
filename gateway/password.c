/* password: Argon2id through libsodium.  See password.h. */
#include "password.h"

#include <sodium.h>
#include <string.h>

/* Interactive limits (libsodium's: 2 passes, 64 MiB): about a tenth of a
 * second per sign-in on one core, far too slow for an offline guesser. */
#define OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static char dummy[crypto_pwhash_STRBYTES];

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "PASSWORD_HASH_MAX");

int
password_init(void)
{
	unsigned char random_password[32];
	int rc;

	if (sodium_init() < 0)
		return -1;
	if (dummy[0] != '\0')
		return 0;
	randombytes_buf(random_password, sizeof(random_password));
	rc = crypto_pwhash_str(dummy, (const char *)random_password, sizeof(random_password), OPS,
			       MEM);
	sodium_memzero(random_password, sizeof(random_password));
	return rc == 0 ? 0 : -1;
}

/* Code points of valid UTF-8 (body_json has checked the encoding). */
static size_t
code_points(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

bool
password_acceptable(const char *password)
{
	size_t n = code_points(password);

	return n >= PASSWORD_MIN && n <= PASSWORD_MAX;
}

int
password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
	return crypto_pwhash_str(out, password, strlen(password), OPS, MEM) == 0 ? 0 : -1;
}

bool
password_verify(const char *hash, const char *password)
{
	bool real = hash != NULL && hash[0] != '\0';
	int rc = crypto_pwhash_str_verify(real ? hash : dummy, password, strlen(password));

	return real && rc == 0;
}
