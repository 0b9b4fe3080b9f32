/* tls: everything that touches GnuTLS sessions and X.509 (OpenSSL).
 * The rest of the gateway sees a verdict and a fingerprint, never a session. */
#ifndef REFGW_TLS_H
#define REFGW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "util.h"

enum tls_verdict {
	TLS_OK = 0,
	TLS_NO_CERTIFICATE,
	TLS_UNTRUSTED, /* not issued by the client CA (incl. self-signed) */
	TLS_EXPIRED,
	TLS_NOT_YET_VALID,
	TLS_NOT_CLIENT_AUTH, /* extended key usage lacks clientAuth */
	TLS_REVOKED_BY_CRL,
	TLS_BAD_CERTIFICATE, /* unparsable */
	TLS_CA_CERTIFICATE,  /* basicConstraints CA:TRUE: a CA is no client identity */
	TLS_VERDICT_COUNT
};

/* The peer of one TLS connection.  Verification of the chain is cached for
 * the connection, keyed on the exact DER bytes; validity dates are
 * re-checked on every request. */
struct tls_material;

struct tls_peer {
	struct tls_material *material; /* the connection's TLS material (tls.c) */
	enum tls_verdict verdict;
	unsigned char sha256[32];
	char sha256_hex[65];
	time_t not_before, not_after;
	unsigned char *der;
	size_t der_len;
};

/* Facts about a PEM certificate offered for registration. */
struct tls_cert_info {
	char sha256_hex[65];
	char subject[512];
	char issuer[512];
	char serial[96];
	time_t not_before, not_after;
	char *pem; /* normalised PEM, malloc'd */
};

/* Loads the client CA (and CRL) for OpenSSL-side checks. */
int tls_init(const char *client_ca_path, const char *crl_path, char *err, size_t errlen) MUSTCHECK;
/* Adds the server's certificate and key (after tls_init): from then on each
 * connection is given the material current when it starts. */
int tls_init_server(const char *cert_path, const char *key_path, char *err,
		    size_t errlen) MUSTCHECK;
/* Reads certificate, key, client CA and CRL again from the same paths (on
 * SIGHUP).  New connections get the new material, existing ones keep theirs;
 * on failure the current material stays and err says why. */
int tls_reload(char *err, size_t errlen) MUSTCHECK;
void tls_shutdown(void);
/* The current server certificate's end of validity and fingerprint. */
int tls_server_certificate(time_t *not_after, char sha256_hex[65]) MUSTCHECK;

/* Verifies the peer of a GnuTLS session (void * so callers need no GnuTLS
 * header) and fills peer.  Returns peer->verdict. */
enum tls_verdict tls_check_peer(void *gnutls_session, struct tls_peer *peer, time_t now);
/* A connection's start (before its handshake) and end: its session gets the
 * current material's credentials, held until tls_peer_end. */
void tls_peer_start(struct tls_peer *peer, void *gnutls_session);
void tls_peer_end(struct tls_peer *peer);
/* A session of the browser listener: no client certificate is requested. */
void tls_session_no_client_certificate(void *gnutls_session);
/* Forgets the verified certificate (the material stays). */
void tls_peer_clear(struct tls_peer *peer);

/* Parses one PEM certificate, checks it was issued by the client CA, is not
 * expired, is meant for client authentication and is not a CA certificate.  On refusal returns -1
 * and a reason for the user in err. */
int tls_inspect_pem(const char *pem, size_t len, struct tls_cert_info *info, char *err,
		    size_t errlen) MUSTCHECK;
void tls_cert_info_free(struct tls_cert_info *info);

/* Fingerprint, EKU and dates of one DER certificate (no CA check): for tests
 * and for the peer path. */
int tls_der_facts(const unsigned char *der, size_t len, unsigned char sha256[32], time_t *nb,
		  time_t *na, bool *client_auth) MUSTCHECK;

const char *tls_verdict_name(enum tls_verdict v);

/* New connections whose peer chain was found among those already verified
 * by this process (tls.c explains why that is sound). */
unsigned long tls_peer_cache_hits(void);

#endif
