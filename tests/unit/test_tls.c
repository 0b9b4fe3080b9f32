/* tls: fingerprint, subject, validity and purpose from certificates made by
 * certs/gen.sh (REFGW_TEST_CERTS, prepared by `make check`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include "tls.h"
#include "util.h"

static char dir[1024];

static void
setup(void)
{
	const char *d = getenv("REFGW_TEST_CERTS");
	char path[1200], err[256];

	ck_assert_msg(d != NULL, "REFGW_TEST_CERTS not set");
	snprintf(dir, sizeof(dir), "%s", d);
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	ck_assert_msg(tls_init(path, NULL, err, sizeof(err)) == 0, "%s", err);
}

static void
teardown(void)
{
	tls_shutdown();
}

static char *
slurp(const char *name, size_t *len)
{
	char path[1200], *data = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(read_file(path, 1 << 16, &data, len), 0);
	return data;
}

/* The fingerprint as the openssl CLI computes it. */
static void
openssl_fingerprint(const char *name, char out[65])
{
	char cmd[1400];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/%s -outform DER | sha256sum", dir, name);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(fscanf(p, "%64s", out), 1);
	pclose(p);
}

START_TEST(inspect_extracts_fingerprint_subject_validity)
{
	struct tls_cert_info info;
	char err[256], want[65];
	size_t len;
	char *pem = slurp("orga.pem", &len);

	ck_assert_msg(tls_inspect_pem(pem, len, &info, err, sizeof(err)) == 0, "%s", err);
	openssl_fingerprint("orga.pem", want);
	ck_assert_str_eq(info.sha256_hex, want);
	ck_assert_ptr_nonnull(strstr(info.subject, "CN=orga"));
	ck_assert_ptr_nonnull(strstr(info.issuer, "refgw DEV CA"));
	ck_assert(info.not_before <= time(NULL) && info.not_after > time(NULL));
	ck_assert_ptr_nonnull(strstr(info.pem, "BEGIN CERTIFICATE"));
	ck_assert_uint_gt(strlen(info.serial), 0);
	tls_cert_info_free(&info);
	free(pem);
}
END_TEST

static const struct {
	const char *file;
	const char *reason; /* substring of the refusal */
} refused[] = {
	{"test-other-ca-client.pem", "not issued"},
	{"test-self-signed.pem", "not issued"},
	{"test-expired.pem", "expired"},
	{"test-server-only.pem", "clientAuth"},
	{"test-ca-client.pem", "CA certificate"}, /* clientAuth, but CA:TRUE (issue 12) */
	{"ca.key", "not a PEM certificate"},
};

START_TEST(inspect_refuses_with_a_reason)
{
	struct tls_cert_info info;
	char err[256];
	size_t len;
	char *pem = slurp(refused[_i].file, &len);

	ck_assert_int_eq(tls_inspect_pem(pem, len, &info, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, refused[_i].reason) != NULL, "%s: %s", refused[_i].file, err);
	tls_cert_info_free(&info);
	free(pem);
}
END_TEST

START_TEST(not_yet_valid_may_be_registered_ahead)
{
	struct tls_cert_info info;
	char err[256];
	size_t len;
	char *pem = slurp("test-not-yet-valid.pem", &len);

	ck_assert_msg(tls_inspect_pem(pem, len, &info, err, sizeof(err)) == 0, "%s", err);
	ck_assert(info.not_before > time(NULL));
	tls_cert_info_free(&info);
	free(pem);
}
END_TEST

START_TEST(der_facts_match_the_pem_path)
{
	char cmd[1400], want[65], hex[65];
	unsigned char der[4096], sha[32];
	size_t n;
	time_t nb, na;
	bool client_auth;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/test-server-only.pem -outform DER", dir);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(der, 1, sizeof(der), p);
	pclose(p);
	ck_assert_int_eq(tls_der_facts(der, n, sha, &nb, &na, &client_auth), 0);
	ck_assert(!client_auth);
	hex_encode(sha, 32, hex);
	openssl_fingerprint("test-server-only.pem", want);
	ck_assert_str_eq(hex, want);
	/* Trailing garbage after the DER is refused. */
	ck_assert_int_eq(tls_der_facts(der, n + 1, sha, &nb, &na, &client_auth), -1);
	ck_assert_int_eq(tls_der_facts(der, n / 2, sha, &nb, &na, &client_auth), -1);
}
END_TEST

START_TEST(crl_must_be_signed_by_the_ca)
{
	char ca[1200], crl[1200], err[256];

	tls_shutdown();
	snprintf(ca, sizeof(ca), "%s/other-ca.pem", dir);
	snprintf(crl, sizeof(crl), "%s/crl.pem", dir);
	ck_assert_int_eq(tls_init(ca, crl, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "REFGW_TLS_CRL"));
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	ck_assert_msg(tls_init(ca, crl, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

Suite *
tls_suite(void)
{
	Suite *s = suite_create("tls");
	TCase *t = tcase_create("x509");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, inspect_extracts_fingerprint_subject_validity);
	tcase_add_loop_test(t, inspect_refuses_with_a_reason, 0,
			    (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(t, not_yet_valid_may_be_registered_ahead);
	tcase_add_test(t, der_facts_match_the_pem_path);
	tcase_add_test(t, crl_must_be_signed_by_the_ca);
	suite_add_tcase(s, t);
	return s;
}
