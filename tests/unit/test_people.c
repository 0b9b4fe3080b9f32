/* People's secrets: TOTP against RFC 6238's test vectors (SHA-1), base32
 * against RFC 4648's, the Argon2id password module, and the TOTP secret
 * sealed under the master key bound to its user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyring.h"
#include "password.h"
#include "suites.h"
#include "totp.h"

static const unsigned char rfc_secret[] = "12345678901234567890";

/* RFC 6238, appendix B, the SHA-1 column (8 digits). */
START_TEST(totp_matches_rfc6238_vectors)
{
	static const struct {
		long long t;
		const char *code;
	} v[] = {{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
		 {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"}};
	char out[9];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(totp_code(rfc_secret, 20, v[i].t / 30, 8, out), 0);
		ck_assert_str_eq(out, v[i].code);
	}
	/* 6 digits: the last six of the same value. */
	ck_assert_int_eq(totp_code(rfc_secret, 20, 59 / 30, 6, out), 0);
	ck_assert_str_eq(out, "287082");
}
END_TEST

/* One step either way, never a used step, never a malformed code. */
START_TEST(totp_match_window_and_replay)
{
	char code[7];
	time_t now = 1111111111; /* step 37037037 */

	ck_assert_int_eq(totp_code(rfc_secret, 20, 37037037, 6, code), 0);
	ck_assert_int_eq(totp_match(rfc_secret, 20, code, now, -1), 37037037);
	ck_assert_int_eq(totp_match(rfc_secret, 20, code, now + 30, -1), 37037037);
	ck_assert_int_eq(totp_match(rfc_secret, 20, code, now - 30, -1), 37037037);
	ck_assert_int_eq(totp_match(rfc_secret, 20, code, now + 60, -1), -1);
	ck_assert_int_eq(totp_match(rfc_secret, 20, code, now, 37037037), -1); /* used */
	ck_assert_int_eq(totp_match(rfc_secret, 20, "12345", now, -1), -1);
	ck_assert_int_eq(totp_match(rfc_secret, 20, "12a456", now, -1), -1);
	ck_assert_int_eq(totp_match(rfc_secret, 20, "1234567", now, -1), -1);
}
END_TEST

START_TEST(base32_matches_rfc4648)
{
	static const struct {
		const char *in, *out;
	} v[] = {{"", ""},
		 {"f", "MY"},
		 {"fo", "MZXQ"},
		 {"foo", "MZXW6"},
		 {"foob", "MZXW6YQ"},
		 {"fooba", "MZXW6YTB"},
		 {"foobar", "MZXW6YTBOI"}};
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		base32_encode((const unsigned char *)v[i].in, strlen(v[i].in), out);
		ck_assert_str_eq(out, v[i].out);
	}
}
END_TEST

START_TEST(password_hash_verify_policy)
{
	char hash[PASSWORD_HASH_MAX];
	char long_pw[200];

	ck_assert_int_eq(password_init(), 0);
	ck_assert_int_eq(password_hash("correct horse battery", hash), 0);
	ck_assert_int_eq(strncmp(hash, "$argon2id$", 10), 0);
	ck_assert(password_verify(hash, "correct horse battery"));
	ck_assert(!password_verify(hash, "correct horse batterY"));
	ck_assert(!password_verify(NULL, "correct horse battery")); /* the dummy: never */
	ck_assert(!password_verify("", "correct horse battery"));
	ck_assert(!password_verify("$argon2id$garbage", "x"));
	/* 12..128 characters, counted as characters, not bytes. */
	ck_assert(!password_acceptable("elevenchars"));
	ck_assert(password_acceptable("twelve chars"));
	ck_assert(!password_acceptable("ééééééééééé")); /* 11 characters, 22 bytes */
	ck_assert(password_acceptable("éééééééééééé"));
	memset(long_pw, 'a', 128);
	long_pw[128] = '\0';
	ck_assert(password_acceptable(long_pw));
	long_pw[128] = 'a';
	long_pw[129] = '\0';
	ck_assert(!password_acceptable(long_pw));
}
END_TEST

/* A TOTP secret sealed for one user opens for that user only. */
START_TEST(totp_secret_sealed_for_its_user)
{
	char path[] = "/tmp/refgw-people-keys.XXXXXX", err[256], id[KEYRING_ID_MAX + 1];
	unsigned char secret[20], sealed[20 + AEAD_OVERHEAD], back[20];
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "k1 %s\n", "1111111111111111111111111111111111111111111111111111111111111111");
	fclose(f);
	ck_assert_int_eq(keyring_load(path, err, sizeof(err)), 0);
	memset(secret, 5, sizeof(secret));
	ck_assert_int_eq(keyring_seal("totp", "user-a", secret, sizeof(secret), id, sealed), 0);
	ck_assert_str_eq(id, "k1");
	ck_assert_int_eq(keyring_open("totp", "user-a", id, sealed, sizeof(sealed), back), 0);
	ck_assert(memcmp(back, secret, sizeof(secret)) == 0);
	ck_assert_int_eq(keyring_open("totp", "user-b", id, sealed, sizeof(sealed), back), -1);
	ck_assert_int_eq(keyring_open("csrf", "user-a", id, sealed, sizeof(sealed), back), -1);
	keyring_unload();
	unlink(path);
}
END_TEST

Suite *
people_suite(void)
{
	Suite *s = suite_create("people");
	TCase *t = tcase_create("people");

	tcase_set_timeout(t, 30);
	tcase_add_test(t, totp_matches_rfc6238_vectors);
	tcase_add_test(t, totp_match_window_and_replay);
	tcase_add_test(t, base32_matches_rfc4648);
	tcase_add_test(t, password_hash_verify_policy);
	tcase_add_test(t, totp_secret_sealed_for_its_user);
	suite_add_tcase(s, t);
	return s;
}
