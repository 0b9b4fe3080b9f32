/* crypto: thin wrappers over OpenSSL's EVP digest and RAND. */
#include "crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>

void
crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	crypto_sha256_2(data, len, NULL, 0, out);
}

void
crypto_sha256_2(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[SHA256_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int n = SHA256_LEN;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    (alen && EVP_DigestUpdate(ctx, a, alen) != 1) ||
	    (blen && EVP_DigestUpdate(ctx, b, blen) != 1) || EVP_DigestFinal_ex(ctx, out, &n) != 1)
		abort(); /* out of memory inside OpenSSL: nothing sane to do */
	EVP_MD_CTX_free(ctx);
}

int
crypto_random(void *out, size_t len)
{
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
		   unsigned char out[SHA256_LEN])
{
	unsigned int n = SHA256_LEN;

	return HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &n) != NULL && n == SHA256_LEN
		   ? 0
		   : -1;
}
