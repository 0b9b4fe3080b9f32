/* AES-256-GCM (crypto.c) and the master keyring (keyring.c): what seals
 * opens only with the same key, the same additional data and unaltered
 * bytes; a wrapped data key opens only for its person; a key file that is
 * wrong is refused with a message that names the line and never the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "keyring.h"
#include "suites.h"

#define KEY_A "1111111111111111111111111111111111111111111111111111111111111111"
#define KEY_B "2222222222222222222222222222222222222222222222222222222222222222"

START_TEST(aead_opens_only_what_it_sealed)
{
	unsigned char key[AEAD_KEY_LEN], other[AEAD_KEY_LEN], sealed[64 + AEAD_OVERHEAD],
		sealed2[64 + AEAD_OVERHEAD], plain[64];
	const char *msg = "{\"given_name\":\"Amina\"}";
	size_t len = strlen(msg);

	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	ck_assert_int_eq(crypto_aead_seal(key, "p|f", 3, msg, len, sealed), 0);
	ck_assert_int_eq(crypto_aead_seal(key, "p|f", 3, msg, len, sealed2), 0);
	/* a fresh nonce each time: the same plaintext never seals the same */
	ck_assert(memcmp(sealed, sealed2, len + AEAD_OVERHEAD) != 0);
	ck_assert(memmem(sealed, len + AEAD_OVERHEAD, "Amina", 5) == NULL);
	ck_assert_int_eq(crypto_aead_open(key, "p|f", 3, sealed, len + AEAD_OVERHEAD, plain), 0);
	ck_assert(memcmp(plain, msg, len) == 0);
	ck_assert_int_eq(crypto_aead_open(other, "p|f", 3, sealed, len + AEAD_OVERHEAD, plain), -1);
	ck_assert_int_eq(crypto_aead_open(key, "q|f", 3, sealed, len + AEAD_OVERHEAD, plain), -1);
	sealed[AEAD_NONCE_LEN + 2] ^= 1;
	ck_assert_int_eq(crypto_aead_open(key, "p|f", 3, sealed, len + AEAD_OVERHEAD, plain), -1);
	ck_assert_int_eq(crypto_aead_open(key, "p|f", 3, sealed, AEAD_OVERHEAD - 1, plain), -1);
}
END_TEST

/* One context for many openings (crypto_aead_open_by): the same answers as
 * crypto_aead_open, whether the key changes between openings, stays, or an
 * opening failed just before (the context is keyed again then). */
START_TEST(aead_opener_answers_as_open)
{
	unsigned char a[AEAD_KEY_LEN], b[AEAD_KEY_LEN], sa[32 + AEAD_OVERHEAD],
		sa2[32 + AEAD_OVERHEAD], sb[32 + AEAD_OVERHEAD], plain[32];
	struct aead_opener *o = crypto_aead_opener_new();
	size_t n = 5 + AEAD_OVERHEAD;

	ck_assert_ptr_nonnull(o);
	memset(a, 7, sizeof(a));
	memset(b, 9, sizeof(b));
	ck_assert_int_eq(crypto_aead_seal(a, "p|x", 3, "alpha", 5, sa), 0);
	ck_assert_int_eq(crypto_aead_seal(a, "p|y", 3, "gamma", 5, sa2), 0);
	ck_assert_int_eq(crypto_aead_seal(b, "q|x", 3, "bravo", 5, sb), 0);
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|x", 3, sa, n, plain), 0);
	ck_assert(memcmp(plain, "alpha", 5) == 0);
	/* the same key, another nonce and aad */
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|y", 3, sa2, n, plain), 0);
	ck_assert(memcmp(plain, "gamma", 5) == 0);
	/* the key the context holds is not the one asked for: refused */
	ck_assert_int_eq(crypto_aead_open_by(o, b, "p|x", 3, sa, n, plain), -1);
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|x", 3, sb, n, plain), -1);
	/* after a failure, and after a change of key, it opens again */
	ck_assert_int_eq(crypto_aead_open_by(o, b, "q|x", 3, sb, n, plain), 0);
	ck_assert(memcmp(plain, "bravo", 5) == 0);
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|x", 3, sa, n, plain), 0);
	sa[AEAD_NONCE_LEN + 1] ^= 1;
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|x", 3, sa, n, plain), -1);
	ck_assert_int_eq(crypto_aead_open_by(o, a, "p|y", 3, sa2, n, plain), 0);
	ck_assert(memcmp(plain, "gamma", 5) == 0);
	crypto_aead_opener_free(o);
}
END_TEST

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(keyring_wraps_for_one_person_and_rotates)
{
	char path[] = "/tmp/refgw-unit-keys.XXXXXX", err[512], id[KEYRING_ID_MAX + 1];
	const char *p1 = "0b6a3f1e-5d2c-4e8a-9f71-2c3d4e5f6a7b",
		   *p2 = "1c7b4a2f-6e3d-4f9b-8a82-3d4e5f6a7b8c";
	unsigned char dek[AEAD_KEY_LEN], back[AEAD_KEY_LEN], wrapped[KEYRING_WRAPPED_LEN];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_file(path, "# master keys\nk-a " KEY_A "\n");
	ck_assert_msg(keyring_load(path, err, sizeof(err)) == 0, "%s", err);
	keyring_current_id(id);
	ck_assert_str_eq(id, "k-a");
	memset(dek, 5, sizeof(dek));
	ck_assert_int_eq(keyring_wrap(p1, dek, id, wrapped), 0);
	ck_assert_int_eq(keyring_unwrap(p1, "k-a", wrapped, back), 0);
	ck_assert(memcmp(dek, back, sizeof(dek)) == 0);
	/* bound to the person: another person's row cannot borrow it */
	ck_assert_int_eq(keyring_unwrap(p2, "k-a", wrapped, back), -1);
	/* rotation: a new first key wraps, the old one still unwraps */
	write_file(path, "k-b " KEY_B "\nk-a " KEY_A "\n");
	ck_assert_msg(keyring_reload(err, sizeof(err)) == 0, "%s", err);
	keyring_current_id(id);
	ck_assert_str_eq(id, "k-b");
	ck_assert_int_eq(keyring_unwrap(p1, "k-a", wrapped, back), 0);
	/* the old key gone: what it wrapped does not open */
	write_file(path, "k-b " KEY_B "\n");
	ck_assert_msg(keyring_reload(err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(keyring_unwrap(p1, "k-a", wrapped, back), -1);
	/* a bad file leaves the keys loaded, names the line, never a key */
	write_file(path, "k-b " KEY_B "\nk-c 12345\n");
	ck_assert_int_eq(keyring_reload(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "line 2") && !strstr(err, "12345") && !strstr(err, "2222"), "%s",
		      err);
	keyring_current_id(id);
	ck_assert_str_eq(id, "k-b");
	write_file(path, "k-b " KEY_B "\nk-b " KEY_A "\n");
	ck_assert_int_eq(keyring_reload(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "twice") && !strstr(err, "1111"), "%s", err);
	write_file(path, "# nothing\n");
	ck_assert_int_eq(keyring_reload(err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no key"), "%s", err);
	keyring_unload();
	unlink(path);
}
END_TEST

Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, aead_opens_only_what_it_sealed);
	tcase_add_test(tc, aead_opener_answers_as_open);
	tcase_add_test(tc, keyring_wraps_for_one_person_and_rotates);
	suite_add_tcase(s, tc);
	return s;
}
