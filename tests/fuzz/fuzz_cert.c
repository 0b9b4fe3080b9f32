/* libFuzzer driver: certificate parsing.  The input is a DER certificate
 * (the peer path: tls_der_facts on what GnuTLS hands over) and the same
 * bytes wrapped as PEM (the registration path: tls_inspect_pem against the
 * client CA named by REFGW_FUZZ_CA, default tests/fuzz/corpus/ca.pem).
 * What must hold: no crash or leak, every refusal says why, and when both
 * paths accept the bytes they compute the same fingerprint. */
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tls.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *ca = getenv("REFGW_FUZZ_CA");
	char err[256];

	(void)argc, (void)argv;
	if (tls_init(ca ? ca : "tests/fuzz/corpus/ca.pem", NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_cert: %s\n", err);
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sha[32];
	char hex[65], err[256];
	time_t nb, na;
	bool client_auth;
	struct tls_cert_info info;
	int der_ok, pem_ok, len;
	char *pem;

	if (size > 16384)
		return 0;
	der_ok = tls_der_facts(data, size, sha, &nb, &na, &client_auth) == 0;
	/* PEM: base64 in 64-column lines between the markers. */
	pem = malloc(size * 2 + 128);
	len = sprintf(pem, "-----BEGIN CERTIFICATE-----\n");
	for (size_t off = 0; off < size; off += 48) {
		size_t n = size - off < 48 ? size - off : 48;
		len += EVP_EncodeBlock((unsigned char *)pem + len, data + off, (int)n);
		pem[len++] = '\n';
	}
	len += sprintf(pem + len, "-----END CERTIFICATE-----\n");
	pem_ok = tls_inspect_pem(pem, (size_t)len, &info, err, sizeof(err)) == 0;
	if (pem_ok) {
		/* The fingerprint registered must be the one the peer path will
		 * compute for the same certificate, or it could never log in
		 * (or, worse, match another). */
		hex_encode(sha, 32, hex);
		if (der_ok && strcmp(hex, info.sha256_hex) != 0)
			abort();
		tls_cert_info_free(&info);
	} else if (err[0] == '\0') {
		abort(); /* every refusal says why */
	}
	free(pem);
	return 0;
}
