/* crypto: thin wrappers over OpenSSL's EVP digest, RAND, HMAC and the
 * Ed25519 keys that sign audit checkpoints. */
#include "crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
crypto_sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	crypto_sha256_2(data, len, NULL, 0, out);
}

void
crypto_sha256_2(const void *a, size_t alen, const void *b, size_t blen,
		unsigned char out[SHA256_LEN])
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
crypto_uuid(char out[37])
{
	unsigned char b[16];
	char hex[33];

	if (crypto_random(b, sizeof(b)) != 0)
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	hex_encode(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return 0;
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

int
crypto_hmac_sha1(const void *key, size_t keylen, const void *data, size_t len,
		 unsigned char out[SHA1_LEN])
{
	unsigned int n = SHA1_LEN;

	return HMAC(EVP_sha1(), key, (int)keylen, data, len, out, &n) != NULL && n == SHA1_LEN ? 0
											       : -1;
}

/* ---- AES-256-GCM: persons' data keys and their fields ---- */

/* The cipher fetched once: EVP_aes_256_gcm() makes OpenSSL 3 fetch it
 * again, under a lock, at every initialisation (a ranking opens tens of
 * thousands of fields: bench/candidates.sh). */
static EVP_CIPHER *aes_gcm;
static pthread_once_t aes_gcm_once = PTHREAD_ONCE_INIT;

static void
aes_gcm_fetch(void)
{
	aes_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static const EVP_CIPHER *
cipher(void)
{
	pthread_once(&aes_gcm_once, aes_gcm_fetch);
	return aes_gcm != NULL ? aes_gcm : EVP_aes_256_gcm();
}

int
crypto_aead_seal(const unsigned char key[AEAD_KEY_LEN], const void *aad, size_t aadlen,
		 const void *plain, size_t len, unsigned char *out)
{
	EVP_CIPHER_CTX *ctx;
	int n, rc = -1;

	if (len > INT_MAX - AEAD_OVERHEAD || crypto_random(out, AEAD_NONCE_LEN) != 0)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (EVP_EncryptInit_ex(ctx, cipher(), NULL, key, out) != 1 ||
	    (aadlen && EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1) ||
	    (len && EVP_EncryptUpdate(ctx, out + AEAD_NONCE_LEN, &n, plain, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(ctx, out + AEAD_NONCE_LEN + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, AEAD_TAG_LEN,
				out + AEAD_NONCE_LEN + len) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

/* Opens sealed with ctx, whose key is already key when keyed (only the
 * nonce is set then: the key schedule and GCM's hash key are kept). */
static int
open_in(EVP_CIPHER_CTX *ctx, bool keyed, const unsigned char key[AEAD_KEY_LEN], const void *aad,
	size_t aadlen, const unsigned char *sealed, size_t sealedlen, unsigned char *plain)
{
	size_t len;
	int n;

	if (sealedlen < AEAD_OVERHEAD || sealedlen > INT_MAX)
		return -1;
	len = sealedlen - AEAD_OVERHEAD;
	if ((keyed ? EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, sealed)
		   : EVP_DecryptInit_ex(ctx, cipher(), NULL, key, sealed)) != 1 ||
	    (aadlen && EVP_DecryptUpdate(ctx, NULL, &n, aad, (int)aadlen) != 1) ||
	    (len && EVP_DecryptUpdate(ctx, plain, &n, sealed + AEAD_NONCE_LEN, (int)len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, AEAD_TAG_LEN,
				(void *)(sealed + AEAD_NONCE_LEN + len)) != 1 ||
	    EVP_DecryptFinal_ex(ctx, plain + len, &n) != 1) {
		wipe(plain, len);
		return -1;
	}
	return 0;
}

int
crypto_aead_open(const unsigned char key[AEAD_KEY_LEN], const void *aad, size_t aadlen,
		 const unsigned char *sealed, size_t sealedlen, unsigned char *plain)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int rc;

	if (ctx == NULL)
		return -1;
	rc = open_in(ctx, false, key, aad, aadlen, sealed, sealedlen, plain);
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

struct aead_opener {
	EVP_CIPHER_CTX *ctx;
	unsigned char key[AEAD_KEY_LEN]; /* the key ctx holds, when keyed */
	bool keyed;
};

struct aead_opener *
crypto_aead_opener_new(void)
{
	struct aead_opener *o = calloc(1, sizeof(*o));

	if (o != NULL && (o->ctx = EVP_CIPHER_CTX_new()) == NULL) {
		free(o);
		o = NULL;
	}
	return o;
}

void
crypto_aead_opener_free(struct aead_opener *o)
{
	if (o == NULL)
		return;
	EVP_CIPHER_CTX_free(o->ctx); /* cleanses the key schedule */
	wipe(o->key, sizeof(o->key));
	free(o);
}

int
crypto_aead_open_by(struct aead_opener *o, const unsigned char key[AEAD_KEY_LEN], const void *aad,
		    size_t aadlen, const unsigned char *sealed, size_t sealedlen,
		    unsigned char *plain)
{
	bool same = o->keyed && CRYPTO_memcmp(o->key, key, AEAD_KEY_LEN) == 0;
	int rc = open_in(o->ctx, same, key, aad, aadlen, sealed, sealedlen, plain);

	/* a failure may leave ctx in any state: the next opening sets the key */
	o->keyed = rc == 0;
	if (rc == 0 && !same)
		memcpy(o->key, key, AEAD_KEY_LEN);
	return rc;
}

/* ---- Ed25519 keys: the audit checkpoints' signatures (checkpoint.c) ---- */

struct crypto_key {
	EVP_PKEY *pkey;
	bool has_private;
	char id[CRYPTO_KEY_ID_LEN + 1];
};

static void
openssl_error(char *err, size_t errlen, const char *what, const char *path)
{
	char reason[200];
	unsigned long e = ERR_get_error();

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "unknown error");
	ERR_clear_error();
	snprintf(err, errlen, "%s %s: %s", what, path, reason);
}

/* Never prompt on a terminal for a passphrase: an encrypted key is refused. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return 0;
}

static int
key_finish(struct crypto_key *k)
{
	unsigned char raw[32], digest[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	size_t len = sizeof(raw);

	if (EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(k->pkey, raw, &len) != 1 || len != sizeof(raw))
		return -1;
	crypto_sha256(raw, len, digest);
	hex_encode(digest, sizeof(digest), hex);
	memcpy(k->id, hex, CRYPTO_KEY_ID_LEN);
	k->id[CRYPTO_KEY_ID_LEN] = '\0';
	return 0;
}

struct crypto_key *
crypto_key_load(const char *path, bool want_private, char *err, size_t errlen)
{
	struct crypto_key *k = NULL;
	char *pem = NULL;
	size_t len = 0;
	BIO *bio = NULL;

	if (read_file(path, 1 << 16, &pem, &len) != 0) {
		snprintf(err, errlen, "cannot read the key file %s", path);
		return NULL;
	}
	k = calloc(1, sizeof(*k));
	bio = BIO_new_mem_buf(pem, (int)len);
	if (k == NULL || bio == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* A private key file also serves to verify (its public half). */
	k->pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	k->has_private = k->pkey != NULL;
	if (k->pkey == NULL && !want_private) {
		ERR_clear_error();
		(void)BIO_reset(bio);
		k->pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	if (k->pkey == NULL) {
		openssl_error(err, errlen,
			      want_private ? "not an unencrypted PEM private key:"
					   : "not a PEM public or private key:",
			      path);
		goto fail;
	}
	if (key_finish(k) != 0) {
		snprintf(err, errlen, "%s: not an Ed25519 key", path);
		goto fail;
	}
	BIO_free(bio);
	wipe(pem, len);
	free(pem);
	return k;
fail:
	BIO_free(bio);
	wipe(pem, len);
	free(pem);
	crypto_key_free(k);
	return NULL;
}

void
crypto_key_free(struct crypto_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *
crypto_key_id(const struct crypto_key *k)
{
	return k->id;
}

bool
crypto_key_has_private(const struct crypto_key *k)
{
	return k->has_private;
}

static int
write_pem(const char *path, mode_t mode, EVP_PKEY *pkey, bool private_key, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f;
	int ok;

	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
			 errno == EEXIST ? " (an existing key is never overwritten)" : "");
		return -1;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	ok = private_key ? PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL)
			 : PEM_write_PUBKEY(f, pkey);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = 0;
	if (fclose(f) != 0 || ok != 1) {
		snprintf(err, errlen, "cannot write %s", path);
		ERR_clear_error();
		return -1;
	}
	return 0;
}

int
crypto_ed25519_keygen(const char *private_path, const char *public_path, char *key_id, char *err,
		      size_t errlen)
{
	struct crypto_key k = {0};
	int rc = -1;

	k.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (k.pkey == NULL || key_finish(&k) != 0) {
		openssl_error(err, errlen, "Ed25519 key generation failed", "");
		goto out;
	}
	if (write_pem(private_path, 0600, k.pkey, true, err, errlen) != 0)
		goto out;
	if (write_pem(public_path, 0644, k.pkey, false, err, errlen) != 0) {
		unlink(private_path); /* a private key without its public half helps nobody */
		goto out;
	}
	memcpy(key_id, k.id, CRYPTO_KEY_ID_LEN + 1);
	rc = 0;
out:
	EVP_PKEY_free(k.pkey);
	return rc;
}

int
crypto_sign(const struct crypto_key *k, const void *msg, size_t len,
	    unsigned char sig[ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx;
	size_t siglen = ED25519_SIG_LEN;
	int rc = -1;

	if (!k->has_private || (ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	/* Ed25519 hashes the message itself: no digest (NULL md), one shot. */
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == ED25519_SIG_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

bool
crypto_verify(const struct crypto_key *k, const void *msg, size_t len,
	      const unsigned char sig[ED25519_SIG_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok;

	if (ctx == NULL)
		return false;
	ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
	     EVP_DigestVerify(ctx, sig, ED25519_SIG_LEN, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}
