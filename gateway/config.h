/* config: every setting comes from one REFGW_* environment variable, with a
 * default that works for `make run`.  A bad value stops start-up with a
 * message naming the variable. */
#ifndef REFGW_CONFIG_H
#define REFGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* The retention schedule (docs/data-protection.md, "Retention"): how long
 * each category of personal data is kept once its state allows removal,
 * and how many rows of each one call removes (schema/046). */
struct retention_schedule {
	long referral_months;          /* a closed referral's referral_data */
	long consent_withdrawn_months; /* a withdrawn consent's evidence */
	long consent_expired_months;   /* an expired consent's evidence */
	long follow_up_months;         /* a closed follow-up's entries */
	long idempotency_days;         /* idempotency replays */
	long batch;                    /* rows per category per call */
};

struct config {
	const char *listen_addr;
	long listen_port;
	const char *ops_addr;
	long ops_port;
	/* The browser listener: people signed in by session (docs/security.md). */
	const char *browser_addr;
	long browser_port;          /* 0: off; -1: any free port */
	const char *browser_origin; /* what Origin must say on a state change */
	long session_idle_s;
	long session_lifetime_s;
	const char *tls_cert;
	const char *tls_key;
	const char *tls_client_ca;
	const char *tls_crl; /* NULL: no CRL */
	const char *tls_priorities;
	const char *database_url;       /* runtime role */
	const char *admin_database_url; /* owner, for migrate and CLI */
	const char *schema_dir;
	const char *port_file;     /* tests: write "api ops" ports here */
	const char *niss_key_file; /* HMAC key for national register numbers */
	bool niss_key_explicit;    /* set by the operator: must be readable */
	/* Persons' data keys (keyring.c, keystore.c): the master keys' file,
	 * and the key store's database (default: the data's own). */
	const char *master_key_file;
	bool master_key_explicit;
	const char *keystore_url;
	const char *keystore_admin_url;
	long keystore_connections;
	long key_cache_entries;
	long key_cache_s;
	long db_pool_size;
	long db_acquire_timeout_ms;
	long statement_timeout_ms; /* 0: none */
	long threads;
	long max_connections;
	long connection_timeout_s;
	long max_body_bytes;
	long shutdown_grace_s;
	long access_log;        /* 0 or 1 */
	long housekeeping_s;    /* period of the background housekeeping */
	long event_poll_ms;     /* event heads read while long-polls wait */
	long ending_soon_days;  /* occupancies ending within: one event */
	long identity_cache_ms; /* GET /v1/me identity cache; 0: off */
	/* Audit checkpoints (gateway/checkpoint.c); NULL: not set. */
	const char *audit_signing_key;     /* Ed25519 private key, PEM */
	const char *audit_verify_key;      /* its public key, PEM */
	const char *audit_checkpoint_file; /* the signed records are appended here */
	long audit_checkpoint_s;           /* the gateway writes one every N s; 0: off */
	long audit_verify_rows;            /* chain rows verified per housekeeping run */
	struct retention_schedule retention;
};

/* getenv-like lookup, replaceable in tests. */
typedef const char *(*config_getenv_fn)(const char *name);

/* Fills cfg from the environment.  On error returns -1 and writes a message
 * naming the variable into err. */
int config_load(struct config *cfg, config_getenv_fn get, char *err, size_t errlen);

#endif
