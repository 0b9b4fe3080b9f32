/* checkpoint and its Ed25519 keys (crypto.c): key files, signatures that
 * verify only with the right key over the right bytes, and checkpoint
 * records that cannot be altered or re-signed by another key unnoticed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "config.h"
#include "crypto.h"
#include "suites.h"

static char dir[64];
static char priv_a[128], pub_a[128], priv_b[128], pub_b[128];
static struct crypto_key *key_a, *key_b, *pubkey_a;

static void
setup(void)
{
	char err[256], id[CRYPTO_KEY_ID_LEN + 1];

	snprintf(dir, sizeof(dir), "/tmp/refgw-unit-ckpt.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(priv_a, sizeof(priv_a), "%s/a.key", dir);
	snprintf(pub_a, sizeof(pub_a), "%s/a.pub", dir);
	snprintf(priv_b, sizeof(priv_b), "%s/b.key", dir);
	snprintf(pub_b, sizeof(pub_b), "%s/b.pub", dir);
	ck_assert_msg(crypto_ed25519_keygen(priv_a, pub_a, id, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(crypto_ed25519_keygen(priv_b, pub_b, id, err, sizeof(err)) == 0, "%s", err);
	key_a = crypto_key_load(priv_a, true, err, sizeof(err));
	ck_assert_msg(key_a != NULL, "%s", err);
	key_b = crypto_key_load(priv_b, true, err, sizeof(err));
	ck_assert_msg(key_b != NULL, "%s", err);
	pubkey_a = crypto_key_load(pub_a, false, err, sizeof(err));
	ck_assert_msg(pubkey_a != NULL, "%s", err);
}

static void
teardown(void)
{
	crypto_key_free(key_a);
	crypto_key_free(key_b);
	crypto_key_free(pubkey_a);
	unlink(priv_a);
	unlink(pub_a);
	unlink(priv_b);
	unlink(pub_b);
	rmdir(dir);
}

START_TEST(keygen_writes_a_private_key_only_its_owner_reads)
{
	struct stat st;
	char err[256], id[CRYPTO_KEY_ID_LEN + 1];

	ck_assert_int_eq(stat(priv_a, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* An existing key is never overwritten. */
	ck_assert_int_eq(crypto_ed25519_keygen(priv_a, pub_b, id, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "never overwritten"));
	/* The public file and the private file name the same key. */
	ck_assert_str_eq(crypto_key_id(key_a), crypto_key_id(pubkey_a));
	ck_assert_str_ne(crypto_key_id(key_a), crypto_key_id(key_b));
	ck_assert_int_eq((int)strlen(crypto_key_id(key_a)), CRYPTO_KEY_ID_LEN);
	/* A public key cannot serve where a signing key is needed. */
	ck_assert_ptr_null(crypto_key_load(pub_a, true, err, sizeof(err)));
	ck_assert(!crypto_key_has_private(pubkey_a));
}
END_TEST

START_TEST(sign_then_verify_round_trip)
{
	static const char msg[] = "lane 42 seq 7";
	unsigned char sig[ED25519_SIG_LEN];

	ck_assert_int_eq(crypto_sign(key_a, msg, sizeof(msg) - 1, sig), 0);
	ck_assert(crypto_verify(pubkey_a, msg, sizeof(msg) - 1, sig));
	ck_assert(crypto_verify(key_a, msg, sizeof(msg) - 1, sig));
	/* Only a private key signs. */
	ck_assert_int_eq(crypto_sign(pubkey_a, msg, sizeof(msg) - 1, sig), -1);
}
END_TEST

START_TEST(tampered_signature_or_message_fails)
{
	static const char msg[] = "lane 42 seq 7";
	static const char other[] = "lane 42 seq 6";
	unsigned char sig[ED25519_SIG_LEN];
	size_t i;

	ck_assert_int_eq(crypto_sign(key_a, msg, sizeof(msg) - 1, sig), 0);
	ck_assert(!crypto_verify(pubkey_a, other, sizeof(other) - 1, sig));
	for (i = 0; i < ED25519_SIG_LEN; i += 9) {
		sig[i] ^= 0x01;
		ck_assert_msg(!crypto_verify(pubkey_a, msg, sizeof(msg) - 1, sig),
			      "a signature with byte %zu flipped verified", i);
		sig[i] ^= 0x01;
	}
	ck_assert(crypto_verify(pubkey_a, msg, sizeof(msg) - 1, sig));
}
END_TEST

START_TEST(wrong_key_fails)
{
	static const char msg[] = "lane 42 seq 7";
	unsigned char sig[ED25519_SIG_LEN];

	ck_assert_int_eq(crypto_sign(key_b, msg, sizeof(msg) - 1, sig), 0);
	ck_assert(!crypto_verify(pubkey_a, msg, sizeof(msg) - 1, sig));
	ck_assert(crypto_verify(key_b, msg, sizeof(msg) - 1, sig));
}
END_TEST

START_TEST(not_an_ed25519_key_is_refused)
{
	const char *certs = getenv("REFGW_TEST_CERTS");
	char path[512], err[256];

	/* A key file that does not exist, then an ECDSA/RSA key of the dev PKI. */
	snprintf(path, sizeof(path), "%s/missing.pem", dir);
	ck_assert_ptr_null(crypto_key_load(path, false, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "cannot read"));
	if (certs == NULL)
		return;
	snprintf(path, sizeof(path), "%s/server.key", certs);
	ck_assert_ptr_null(crypto_key_load(path, true, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not an Ed25519 key"));
}
END_TEST

static struct checkpoint_lane lanes[] = {
	{4242, 3, "cf07b47596d1644cebec03214bc1c21b9a67b3c7af52ed5ecd76e6acaf5d7002"},
	{-7, 0, ""},
	{2147483647, 5, "4ad1ae154cdb79ee420ac82521477f3f22b0a755d16af2623f6bd8315f947e22"},
};

static char *
signed_line(const struct crypto_key *k)
{
	struct checkpoint cp = {"2026-11-30T23:04:22.123456Z", "", lanes, ARRAY_LEN(lanes)};
	char *line = NULL;

	ck_assert_int_eq(checkpoint_sign_line(&cp, k, &line), 0);
	return line;
}

/* Replaces the first occurrence of from by to, in place (same length). */
static void
patch(char *line, const char *from, const char *to)
{
	char *p = strstr(line, from);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(strlen(from), strlen(to));
	memcpy(p, to, strlen(to));
}

START_TEST(checkpoint_line_round_trip)
{
	char *line = signed_line(key_a), err[256], *sigpos;
	unsigned char sig[ED25519_SIG_LEN];
	struct checkpoint cp;
	size_t i;

	ck_assert_uint_eq(line[strlen(line) - 1], '\n');
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
	ck_assert_msg(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(cp.at, "2026-11-30T23:04:22.123456Z");
	ck_assert_str_eq(cp.key_id, crypto_key_id(key_a));
	ck_assert_uint_eq(cp.nlanes, ARRAY_LEN(lanes));
	for (i = 0; i < cp.nlanes; i++) {
		ck_assert_int_eq(cp.lanes[i].lane, lanes[i].lane);
		ck_assert_int_eq(cp.lanes[i].seq, lanes[i].seq);
		ck_assert_str_eq(cp.lanes[i].head, lanes[i].head);
	}
	checkpoint_free(&cp);
	/* The documented property: the signed bytes are the line without its
	 * signature member (openssl can check a line on its own). */
	sigpos = strstr(line, ",\"signature\":\"");
	ck_assert_ptr_nonnull(sigpos);
	sigpos[14 + 2 * ED25519_SIG_LEN] = '\0';
	ck_assert_int_eq(hex_decode(sigpos + 14, sig, sizeof(sig)), 0);
	sigpos[0] = '}';
	ck_assert(crypto_verify(pubkey_a, line, (size_t)(sigpos + 1 - line), sig));
	free(line);
}
END_TEST

START_TEST(altered_or_forged_checkpoint_lines_fail)
{
	char *line, err[256];
	struct checkpoint cp;

	/* A lane's length lowered (to hide a deleted tail). */
	line = signed_line(key_a);
	patch(line, "\"seq\":5", "\"seq\":4");
	ck_assert_int_eq(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not verify"));
	free(line);

	/* A head changed by one digit. */
	line = signed_line(key_a);
	patch(line, "cf07b475", "cf07b476");
	ck_assert_int_eq(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not verify"));
	free(line);

	/* A whole lane removed from the record. */
	line = signed_line(key_a);
	{
		char *p = strstr(line, "{\"head\":\"\",\"lane\":-7,\"seq\":0},");
		ck_assert_ptr_nonnull(p);
		memmove(p, p + 30, strlen(p + 30) + 1);
	}
	ck_assert_int_eq(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not verify"));
	free(line);

	/* Signed by another key: named as such. */
	line = signed_line(key_b);
	ck_assert_int_eq(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "not by the verify key"));
	/* ... and claiming the right key id does not help. */
	patch(line, crypto_key_id(key_b), crypto_key_id(key_a));
	ck_assert_int_eq(checkpoint_parse_line(line, pubkey_a, &cp, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "does not verify"));
	free(line);

	/* No signature, or not JSON. */
	ck_assert_int_eq(
		checkpoint_parse_line("{\"at\":\"x\",\"format\":\"refgw-audit-checkpoint-v1\","
				      "\"key_id\":\"00\",\"lanes\":[]}\n",
				      pubkey_a, &cp, err, sizeof(err)),
		-1);
	ck_assert_ptr_nonnull(strstr(err, "signature"));
	ck_assert_int_eq(checkpoint_parse_line("lane 1 seq 2\n", pubkey_a, &cp, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "not a checkpoint record"));
}
END_TEST

static const char *const *fake_env;

static const char *
fake_getenv(const char *name)
{
	const char *const *p;
	size_t n = strlen(name);

	for (p = fake_env; p && *p; p++)
		if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
			return *p + n + 1;
	return NULL;
}

START_TEST(a_schedule_without_key_or_file_stops_start_up)
{
	static const char *const off[] = {"REFGW_DATABASE_URL=host=/x", NULL};
	static const char *const no_file[] = {"REFGW_DATABASE_URL=host=/x",
					      "REFGW_AUDIT_CHECKPOINT_SECONDS=60",
					      "REFGW_AUDIT_SIGNING_KEY=/k.pem", NULL};
	static const char *const on[] = {
		"REFGW_DATABASE_URL=host=/x", "REFGW_AUDIT_CHECKPOINT_SECONDS=60",
		"REFGW_AUDIT_SIGNING_KEY=/k.pem", "REFGW_AUDIT_CHECKPOINT_FILE=/c.jsonl", NULL};
	struct config c;
	char err[256];

	fake_env = off;
	ck_assert_int_eq(config_load(&c, fake_getenv, err, sizeof(err)), 0);
	ck_assert_int_eq(c.audit_checkpoint_s, 0); /* off by default */
	ck_assert_ptr_null(c.audit_signing_key);
	fake_env = no_file;
	ck_assert_int_eq(config_load(&c, fake_getenv, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "REFGW_AUDIT_CHECKPOINT_SECONDS"));
	ck_assert_ptr_nonnull(strstr(err, "REFGW_AUDIT_CHECKPOINT_FILE"));
	fake_env = on;
	ck_assert_int_eq(config_load(&c, fake_getenv, err, sizeof(err)), 0);
	ck_assert_int_eq(c.audit_checkpoint_s, 60);
	ck_assert_str_eq(c.audit_checkpoint_file, "/c.jsonl");
}
END_TEST

Suite *
checkpoint_suite(void)
{
	Suite *s = suite_create("checkpoint");
	TCase *t = tcase_create("ed25519");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, keygen_writes_a_private_key_only_its_owner_reads);
	tcase_add_test(t, sign_then_verify_round_trip);
	tcase_add_test(t, tampered_signature_or_message_fails);
	tcase_add_test(t, wrong_key_fails);
	tcase_add_test(t, not_an_ed25519_key_is_refused);
	tcase_add_test(t, checkpoint_line_round_trip);
	tcase_add_test(t, altered_or_forged_checkpoint_lines_fail);
	suite_add_tcase(s, t);
	t = tcase_create("config");
	tcase_add_test(t, a_schedule_without_key_or_file_stops_start_up);
	suite_add_tcase(s, t);
	return s;
}
