/* tls: peer verification for every request and X.509 inspection.
 *
 * libmicrohttpd only *requests* a client certificate: a handshake without
 * one, or with a self-signed one, completes.  So the gateway verifies the
 * peer itself with gnutls_certificate_verify_peers2() against the client CA
 * libmicrohttpd was given, then takes the fingerprint, validity and extended
 * key usage from the very DER bytes GnuTLS verified (never from subject
 * text), and checks the CRL with OpenSSL.  The default branch refuses. */
#include "tls.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "log.h"
#include "messages.h"

/* The TLS material: the server's certificate and key (as GnuTLS
 * credentials that also carry the client CA as trust list), the client CA
 * for OpenSSL-side checks and the CRL.  SIGHUP loads a new set beside the
 * old one (tls_reload); each connection takes a reference to the set that
 * was current when it was accepted (tls_peer_start: its session is switched
 * to that set's credentials before the handshake) and drops it when it
 * closes.  So new connections get the new material, existing ones keep
 * theirs, and a set is freed by whoever drops its last reference.  A reload
 * that fails keeps the current set. */
struct tls_material {
	atomic_int refs;
	unsigned long generation;
	gnutls_certificate_credentials_t cred; /* NULL without a server certificate (CLI) */
	X509_STORE *store;
	X509_CRL *crl;
	bool has_server;
	time_t server_not_after;
	char server_sha256_hex[65];
};

static pthread_mutex_t material_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_material *current; /* holds one reference */
static unsigned long generations;
static struct {
	char *cert, *key, *ca, *crl;
} paths;

/* Verified peers, process-wide, keyed by the SHA-256 of the exact chain the
 * client sent.  Partners reconnect with the same certificate: a full
 * handshake then skips the chain verification and the DER parse (a third
 * of the gateway's handshake CPU).  Sound because the verdict depends only
 * on those bytes, the trust list and the CRL (a verdict is only reused
 * under the material generation that gave it: a reload starts afresh); the dates are re-checked on
 * every request; and possession of the key is proven by the handshake itself (GnuTLS checks the
 * client's CertificateVerify before any request).  Only accepted peers are kept, each for
 * PEER_CACHE_LIFE_S at most. */
#define PEER_CACHE_SLOTS 128
#define PEER_CACHE_LIFE_S 300
static struct peer_slot {
	pthread_rwlock_t lock;
	bool used;
	unsigned char chain_sha256[32];
	unsigned long generation; /* of the material that verified it */
	time_t stored;
	unsigned char sha256[32];
	time_t not_before, not_after;
} peer_cache[PEER_CACHE_SLOTS];
static pthread_once_t peer_cache_once = PTHREAD_ONCE_INIT;
static atomic_ulong peer_cache_hits;

static void
peer_cache_init(void)
{
	size_t i;

	for (i = 0; i < PEER_CACHE_SLOTS; i++)
		pthread_rwlock_init(&peer_cache[i].lock, NULL);
}

unsigned long
tls_peer_cache_hits(void)
{
	return atomic_load(&peer_cache_hits);
}

/* Each certificate's length, then its bytes: no two chains hash alike. */
static int
chain_key(const gnutls_datum_t *certs, unsigned int n, unsigned char key[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int i, len = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1;

	for (i = 0; ok && i < n; i++) {
		unsigned char be[4] = {
			(unsigned char)(certs[i].size >> 24), (unsigned char)(certs[i].size >> 16),
			(unsigned char)(certs[i].size >> 8), (unsigned char)certs[i].size};
		ok = EVP_DigestUpdate(ctx, be, 4) == 1 &&
		     EVP_DigestUpdate(ctx, certs[i].data, certs[i].size) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(ctx, key, &len) == 1 && len == 32;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static bool
peer_cache_get(const unsigned char key[32], unsigned long generation, time_t now,
	       struct tls_peer *peer)
{
	struct peer_slot *s = &peer_cache[key[0] % PEER_CACHE_SLOTS];
	bool hit;

	pthread_once(&peer_cache_once, peer_cache_init);
	pthread_rwlock_rdlock(&s->lock);
	hit = s->used && memcmp(s->chain_sha256, key, 32) == 0 && s->generation == generation &&
	      now >= s->stored && now - s->stored < PEER_CACHE_LIFE_S;
	if (hit) {
		memcpy(peer->sha256, s->sha256, 32);
		peer->not_before = s->not_before;
		peer->not_after = s->not_after;
	}
	pthread_rwlock_unlock(&s->lock);
	if (hit)
		atomic_fetch_add(&peer_cache_hits, 1);
	return hit;
}

static void
peer_cache_put(const unsigned char key[32], unsigned long generation, time_t now,
	       const struct tls_peer *peer)
{
	struct peer_slot *s = &peer_cache[key[0] % PEER_CACHE_SLOTS];

	pthread_once(&peer_cache_once, peer_cache_init);
	pthread_rwlock_wrlock(&s->lock);
	s->used = true;
	memcpy(s->chain_sha256, key, 32);
	s->generation = generation;
	s->stored = now;
	memcpy(s->sha256, peer->sha256, 32);
	s->not_before = peer->not_before;
	s->not_after = peer->not_after;
	pthread_rwlock_unlock(&s->lock);
}

static const char *const verdict_names[TLS_VERDICT_COUNT] = {
	[TLS_OK] = "ok",
	[TLS_NO_CERTIFICATE] = "no_certificate",
	[TLS_UNTRUSTED] = "untrusted_issuer",
	[TLS_EXPIRED] = "expired",
	[TLS_NOT_YET_VALID] = "not_yet_valid",
	[TLS_NOT_CLIENT_AUTH] = "not_client_auth",
	[TLS_REVOKED_BY_CRL] = "revoked_by_crl",
	[TLS_BAD_CERTIFICATE] = "bad_certificate",
	[TLS_CA_CERTIFICATE] = "ca_certificate",
};

const char *
tls_verdict_name(enum tls_verdict v)
{
	return (unsigned)v < TLS_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

static int
asn1_to_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static bool
has_client_auth(X509 *x)
{
	/* Fail closed: the extension must be there and name clientAuth. */
	return (X509_get_extension_flags(x) & EXFLAG_XKUSAGE) &&
	       (X509_get_extended_key_usage(x) & XKU_SSL_CLIENT);
}

/* basicConstraints CA:TRUE.  A CA certificate is no client identity: whoever
 * holds its key could issue certificates (issue 12, item 8). */
static bool
is_ca(X509 *x)
{
	return (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
}

/* Parses one DER certificate, strictly (no trailing bytes), and reads its
 * facts; the caller frees the X509 it gets back. */
static X509 *
der_parse_facts(const unsigned char *der, size_t len, unsigned char sha256[32], time_t *nb,
		time_t *na, bool *client_auth)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);

	if (x == NULL || p != der + len || asn1_to_time(X509_get0_notBefore(x), nb) != 0 ||
	    asn1_to_time(X509_get0_notAfter(x), na) != 0) {
		X509_free(x);
		return NULL;
	}
	*client_auth = has_client_auth(x);
	crypto_sha256(der, len, sha256);
	return x;
}

int
tls_der_facts(const unsigned char *der, size_t len, unsigned char sha256[32], time_t *nb,
	      time_t *na, bool *client_auth)
{
	X509 *x = der_parse_facts(der, len, sha256, nb, na, client_auth);
	int rc = x ? 0 : -1;

	X509_free(x);
	return rc;
}

static void
material_free(struct tls_material *m)
{
	if (m == NULL)
		return;
	if (m->cred)
		gnutls_certificate_free_credentials(m->cred);
	X509_CRL_free(m->crl);
	X509_STORE_free(m->store);
	free(m);
}

static void
material_release(struct tls_material *m)
{
	if (m && atomic_fetch_sub(&m->refs, 1) == 1)
		material_free(m);
}

/* The current set, with a reference the caller releases. */
static struct tls_material *
material_acquire(void)
{
	struct tls_material *m;

	pthread_mutex_lock(&material_lock);
	m = current;
	if (m)
		atomic_fetch_add(&m->refs, 1);
	pthread_mutex_unlock(&material_lock);
	return m;
}

/* The client CA and the CRL, which must be signed by a CA we trust for
 * clients. */
static int
load_client_ca(struct tls_material *m, const char *ca_path, const char *crl_path, char *err,
	       size_t errlen)
{
	STACK_OF(X509_OBJECT) * objs;
	X509 *ca;
	FILE *f;
	int i, ok = 0;

	m->store = X509_STORE_new();
	if (m->store == NULL || X509_STORE_load_file(m->store, ca_path) != 1) {
		snprintf(err, errlen, "REFGW_TLS_CLIENT_CA: cannot load CA certificates from %s",
			 ca_path);
		return -1;
	}
	if (crl_path == NULL)
		return 0;
	f = fopen(crl_path, "r");
	if (f == NULL || (m->crl = PEM_read_X509_CRL(f, NULL, NULL, NULL)) == NULL) {
		if (f)
			fclose(f);
		snprintf(err, errlen, "REFGW_TLS_CRL: cannot read a PEM CRL from %s", crl_path);
		return -1;
	}
	fclose(f);
	objs = X509_STORE_get0_objects(m->store);
	for (i = 0; i < sk_X509_OBJECT_num(objs) && !ok; i++) {
		ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (ca &&
		    X509_NAME_cmp(X509_get_subject_name(ca), X509_CRL_get_issuer(m->crl)) == 0) {
			EVP_PKEY *pk = X509_get0_pubkey(ca);
			ok = pk && X509_CRL_verify(m->crl, pk) == 1;
		}
	}
	if (!ok) {
		snprintf(err, errlen, "REFGW_TLS_CRL: %s is not signed by the client CA", crl_path);
		return -1;
	}
	if (X509_CRL_get0_nextUpdate(m->crl) &&
	    X509_cmp_current_time(X509_CRL_get0_nextUpdate(m->crl)) < 0)
		log_warnx("REFGW_TLS_CRL: %s is past its nextUpdate; still enforcing it", crl_path);
	if (X509_STORE_add_crl(m->store, m->crl) != 1) {
		snprintf(err, errlen, "REFGW_TLS_CRL: cannot use the CRL in %s", crl_path);
		return -1;
	}
	return 0;
}

/* The server's certificate and key as GnuTLS credentials, with the client CA
 * as their trust list (gnutls_certificate_verify_peers2 reads it), and the
 * certificate's expiry and fingerprint for /metrics and the log. */
static int
load_server(struct tls_material *m, const char *cert_path, const char *key_path,
	    const char *ca_path, char *err, size_t errlen)
{
	unsigned char *der = NULL, sha[32];
	X509 *x = NULL;
	FILE *f;
	int ret, derlen, rc = -1;

	f = fopen(cert_path, "r");
	if (f == NULL || (x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "REFGW_TLS_CERT: cannot read a PEM certificate from %s",
			 cert_path);
		goto out;
	}
	derlen = i2d_X509(x, &der);
	if (derlen <= 0 || asn1_to_time(X509_get0_notAfter(x), &m->server_not_after) != 0) {
		snprintf(err, errlen, "REFGW_TLS_CERT: cannot read the certificate in %s",
			 cert_path);
		goto out;
	}
	crypto_sha256(der, (size_t)derlen, sha);
	hex_encode(sha, sizeof(sha), m->server_sha256_hex);
	if (gnutls_certificate_allocate_credentials(&m->cred) != 0) {
		m->cred = NULL;
		snprintf(err, errlen, "cannot allocate TLS credentials");
		goto out;
	}
	/* GnuTLS checks that the key belongs to the certificate. */
	ret = gnutls_certificate_set_x509_key_file(m->cred, cert_path, key_path,
						   GNUTLS_X509_FMT_PEM);
	if (ret < 0) {
		snprintf(err, errlen, "REFGW_TLS_CERT / REFGW_TLS_KEY: %s and %s: %s", cert_path,
			 key_path, gnutls_strerror(ret));
		goto out;
	}
	ret = gnutls_certificate_set_x509_trust_file(m->cred, ca_path, GNUTLS_X509_FMT_PEM);
	if (ret <= 0) {
		snprintf(err, errlen, "REFGW_TLS_CLIENT_CA: no CA certificate in %s%s%s", ca_path,
			 ret < 0 ? ": " : "", ret < 0 ? gnutls_strerror(ret) : "");
		goto out;
	}
	m->has_server = true;
	rc = 0;
out:
	if (f)
		fclose(f);
	OPENSSL_free(der);
	X509_free(x);
	return rc;
}

/* Loads a whole new set from the recorded paths and makes it current. */
static int
material_swap_in(char *err, size_t errlen)
{
	struct tls_material *m = calloc(1, sizeof(*m)), *old;

	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	atomic_init(&m->refs, 1);
	if (load_client_ca(m, paths.ca, paths.crl, err, errlen) != 0 ||
	    (paths.cert && load_server(m, paths.cert, paths.key, paths.ca, err, errlen) != 0)) {
		material_free(m);
		return -1;
	}
	pthread_mutex_lock(&material_lock);
	m->generation = ++generations;
	old = current;
	current = m;
	pthread_mutex_unlock(&material_lock);
	material_release(old);
	return 0;
}

static void
paths_free(void)
{
	free(paths.cert);
	free(paths.key);
	free(paths.ca);
	free(paths.crl);
	memset(&paths, 0, sizeof(paths));
}

static int
path_set(char **slot, const char *path)
{
	free(*slot);
	*slot = path ? strdup(path) : NULL;
	return path && *slot == NULL ? -1 : 0;
}

int
tls_init(const char *ca_path, const char *crl_path, char *err, size_t errlen)
{
	tls_shutdown();
	if (path_set(&paths.ca, ca_path) != 0 || path_set(&paths.crl, crl_path) != 0) {
		snprintf(err, errlen, "out of memory");
		paths_free();
		return -1;
	}
	if (material_swap_in(err, errlen) != 0) {
		paths_free();
		return -1;
	}
	return 0;
}

int
tls_init_server(const char *cert_path, const char *key_path, char *err, size_t errlen)
{
	if (path_set(&paths.cert, cert_path) != 0 || path_set(&paths.key, key_path) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return material_swap_in(err, errlen);
}

int
tls_reload(char *err, size_t errlen)
{
	if (paths.ca == NULL) {
		snprintf(err, errlen, "TLS was never initialised");
		return -1;
	}
	return material_swap_in(err, errlen);
}

void
tls_shutdown(void)
{
	struct tls_material *old;

	pthread_mutex_lock(&material_lock);
	old = current;
	current = NULL;
	pthread_mutex_unlock(&material_lock);
	material_release(old);
	paths_free();
}

int
tls_server_certificate(time_t *not_after, char sha256_hex[65])
{
	struct tls_material *m = material_acquire();
	int rc = -1;

	if (m && m->has_server) {
		*not_after = m->server_not_after;
		memcpy(sha256_hex, m->server_sha256_hex, 65);
		rc = 0;
	}
	material_release(m);
	return rc;
}

void
tls_peer_start(struct tls_peer *peer, void *session)
{
	memset(peer, 0, sizeof(*peer));
	peer->material = material_acquire();
	/* Before the handshake: this connection presents and trusts the
	 * material current now, whatever a later reload brings. */
	if (session && peer->material && peer->material->cred)
		gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, peer->material->cred);
}

void
tls_session_no_client_certificate(void *session)
{
	if (session)
		gnutls_certificate_server_set_request(session, GNUTLS_CERT_IGNORE);
}

void
tls_peer_end(struct tls_peer *peer)
{
	struct tls_material *m = peer->material;

	tls_peer_clear(peer);
	material_release(m);
}

/* Forgets the verified certificate; the connection keeps its material. */
void
tls_peer_clear(struct tls_peer *peer)
{
	struct tls_material *m = peer->material;

	free(peer->der);
	memset(peer, 0, sizeof(*peer));
	peer->material = m;
}

static enum tls_verdict
verify_new_peer(gnutls_session_t session, const gnutls_datum_t *certs, unsigned int ncerts,
		time_t now, struct tls_peer *peer)
{
	const gnutls_datum_t *cert = &certs[0];
	unsigned int status = 0;
	unsigned char key[32];
	bool client_auth = false, keyed;
	const struct tls_material *m = peer->material;
	X509 *x;
	int ret;

	if (m == NULL) /* tls_peer_start was not called: nothing to trust */
		return TLS_UNTRUSTED;
	keyed = chain_key(certs, ncerts, key) == 0;
	if (keyed && peer_cache_get(key, m->generation, now, peer)) {
		hex_encode(peer->sha256, sizeof(peer->sha256), peer->sha256_hex);
		return TLS_OK;
	}
	ret = gnutls_certificate_verify_peers2(session, &status);
	if (ret == GNUTLS_E_NO_CERTIFICATE_FOUND)
		return TLS_NO_CERTIFICATE;
	if (ret < 0)
		return TLS_UNTRUSTED;
	if (status &
	    ~(unsigned)(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED | GNUTLS_CERT_NOT_ACTIVATED))
		return TLS_UNTRUSTED;
	if (status & GNUTLS_CERT_EXPIRED)
		return TLS_EXPIRED;
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		return TLS_NOT_YET_VALID;
	if (status != 0)
		return TLS_UNTRUSTED;

	/* One parse for the facts and the CRL lookup (OpenSSL 3's decoder
	 * is a visible share of a full handshake: docs/performance.md). */
	x = der_parse_facts(cert->data, cert->size, peer->sha256, &peer->not_before,
			    &peer->not_after, &client_auth);
	if (x == NULL)
		return TLS_BAD_CERTIFICATE;
	if (!client_auth) {
		X509_free(x);
		return TLS_NOT_CLIENT_AUTH;
	}
	if (is_ca(x)) {
		X509_free(x);
		return TLS_CA_CERTIFICATE;
	}
	if (m->crl) {
		X509_REVOKED *rev = NULL;
		int found = X509_CRL_get0_by_cert(m->crl, &rev, x);
		if (found == 1) {
			X509_free(x);
			return TLS_REVOKED_BY_CRL;
		}
	}
	X509_free(x);
	hex_encode(peer->sha256, sizeof(peer->sha256), peer->sha256_hex);
	if (keyed)
		peer_cache_put(key, m->generation, now, peer);
	return TLS_OK;
}

enum tls_verdict
tls_check_peer(void *sess, struct tls_peer *peer, time_t now)
{
	gnutls_session_t session = sess;
	const gnutls_datum_t *certs;
	unsigned int n = 0;

	if (session == NULL)
		return TLS_NO_CERTIFICATE;
	certs = gnutls_certificate_get_peers(session, &n);
	if (certs == NULL || n == 0) {
		tls_peer_clear(peer);
		peer->verdict = TLS_NO_CERTIFICATE;
		return peer->verdict;
	}
	/* Same certificate as the last request on this connection? */
	if (peer->der == NULL || peer->der_len != certs[0].size ||
	    memcmp(peer->der, certs[0].data, certs[0].size) != 0) {
		tls_peer_clear(peer);
		peer->verdict = verify_new_peer(session, certs, n, now, peer);
		peer->der = malloc(certs[0].size);
		if (peer->der == NULL) {
			peer->verdict = TLS_BAD_CERTIFICATE;
			return peer->verdict;
		}
		memcpy(peer->der, certs[0].data, certs[0].size);
		peer->der_len = certs[0].size;
	}
	if (peer->verdict != TLS_OK)
		return peer->verdict;
	/* A long-lived connection can outlive its certificate. */
	if (now > peer->not_after)
		return TLS_EXPIRED;
	if (now < peer->not_before)
		return TLS_NOT_YET_VALID;
	return TLS_OK;
}

static void
name_text(X509_NAME *name, char *out, size_t outlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_read(bio, out, (int)outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(bio);
}

int
tls_inspect_pem(const char *pem, size_t len, struct tls_cert_info *info, char *err, size_t errlen)
{
	BIO *in = NULL, *out = NULL;
	X509 *x = NULL;
	X509_STORE_CTX *ctx = NULL;
	unsigned char *der = NULL, sha[32];
	int derlen, rc = -1, vr;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	char *p;
	long n;
	struct tls_material *m = material_acquire();

	memset(info, 0, sizeof(*info));
	if (errlen)
		err[0] = '\0';
	in = BIO_new_mem_buf(pem, (int)len);
	if (in == NULL || (x = PEM_read_bio_X509(in, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "%s",
			 N_("not a PEM certificate (expected -----BEGIN CERTIFICATE-----)"));
		goto out;
	}
	if (m == NULL) {
		snprintf(err, errlen, "%s", N_("no client CA configured"));
		goto out;
	}
	ctx = X509_STORE_CTX_new();
	if (ctx == NULL || X509_STORE_CTX_init(ctx, m->store, x, NULL) != 1)
		goto out;
	if (m->crl)
		X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_CRL_CHECK);
	if (X509_verify_cert(ctx) != 1) {
		vr = X509_STORE_CTX_get_error(ctx);
		if (vr == X509_V_ERR_CERT_HAS_EXPIRED)
			snprintf(err, errlen, "%s", N_("the certificate has expired"));
		else if (vr == X509_V_ERR_CERT_NOT_YET_VALID)
			/* Registering ahead of validity is allowed (planned rollover). */
			vr = X509_V_OK;
		else if (vr == X509_V_ERR_CERT_REVOKED)
			snprintf(err, errlen, "%s",
				 N_("the certificate is revoked by the CA's CRL"));
		else
			/* OpenSSL's own words stay out of the answer (a
			 * library message, in English only). */
			snprintf(err, errlen, "%s",
				 N_("the certificate was not issued by the gateway's client CA"));
		if (vr != X509_V_OK)
			goto out;
	}
	if (!has_client_auth(x)) {
		snprintf(err, errlen, "%s",
			 N_("the certificate's extended key usage does not include clientAuth"));
		goto out;
	}
	if (is_ca(x)) {
		snprintf(err, errlen, "%s",
			 N_("the certificate is a CA certificate (basicConstraints CA:TRUE): "
			    "a client identity must be an end-entity certificate"));
		goto out;
	}
	derlen = i2d_X509(x, &der);
	if (derlen <= 0)
		goto out;
	crypto_sha256(der, (size_t)derlen, sha);
	hex_encode(sha, sizeof(sha), info->sha256_hex);
	name_text(X509_get_subject_name(x), info->subject, sizeof(info->subject));
	name_text(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer));
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	hex = bn ? BN_bn2hex(bn) : NULL;
	snprintf(info->serial, sizeof(info->serial), "%s", hex ? hex : "");
	if (asn1_to_time(X509_get0_notBefore(x), &info->not_before) != 0 ||
	    asn1_to_time(X509_get0_notAfter(x), &info->not_after) != 0)
		goto out;
	out = BIO_new(BIO_s_mem());
	if (out == NULL || PEM_write_bio_X509(out, x) != 1)
		goto out;
	n = BIO_get_mem_data(out, &p);
	info->pem = malloc((size_t)n + 1);
	if (info->pem == NULL)
		goto out;
	memcpy(info->pem, p, (size_t)n);
	info->pem[n] = '\0';
	rc = 0;
out:
	if (rc != 0 && err[0] == '\0')
		snprintf(err, errlen, "the certificate could not be read");
	OPENSSL_free(hex);
	BN_free(bn);
	OPENSSL_free(der);
	X509_STORE_CTX_free(ctx);
	material_release(m);
	X509_free(x);
	BIO_free(in);
	BIO_free(out);
	return rc;
}

void
tls_cert_info_free(struct tls_cert_info *info)
{
	free(info->pem);
	info->pem = NULL;
}
