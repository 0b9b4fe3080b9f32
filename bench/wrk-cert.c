/* LD_PRELOAD shim that makes wrk (which has no client-certificate option)
 * present one: every SSL_CTX wrk creates gets the certificate and key named
 * by REFGW_WRK_CERT and REFGW_WRK_KEY.
 *   LD_PRELOAD=build/wrk-cert.so REFGW_WRK_CERT=c.pem REFGW_WRK_KEY=c.key wrk ...
 * Built by make bench; used only by bench/tls.sh. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>

SSL_CTX *SSL_CTX_new(const SSL_METHOD *method);

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
	static SSL_CTX *(*real)(const SSL_METHOD *);
	const char *cert = getenv("REFGW_WRK_CERT"), *key = getenv("REFGW_WRK_KEY");
	SSL_CTX *ctx;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "SSL_CTX_new");
	if (real == NULL)
		abort();
	ctx = real(method);
	if (ctx && cert && key &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)) {
		fprintf(stderr, "wrk-cert: cannot load %s / %s\n", cert, key);
		abort();
	}
	return ctx;
}
