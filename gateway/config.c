/* config: REFGW_* environment variables, their defaults and their checks. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

struct int_setting {
	const char *name;
	long *slot;
	long def, min, max;
};

static const char *
str_or(config_getenv_fn get, const char *name, const char *def)
{
	const char *v = get(name);

	return (v != NULL && *v != '\0') ? v : def;
}

int
config_load(struct config *cfg, config_getenv_fn get, char *err, size_t errlen)
{
	size_t i;
	struct int_setting ints[] = {
		{"REFGW_LISTEN_PORT", &cfg->listen_port, 8443, 0, 65535},
		{"REFGW_OPS_PORT", &cfg->ops_port, 9090, 0, 65535},
		/* The browser listener (docs/operations.md); 0 turns it off, -1
		 * takes any free port (tests). */
		{"REFGW_BROWSER_PORT", &cfg->browser_port, 8444, -1, 65535},
		{"REFGW_SESSION_IDLE", &cfg->session_idle_s, 900, 1, 86400},
		{"REFGW_SESSION_LIFETIME", &cfg->session_lifetime_s, 8 * 3600, 1, 7 * 86400},
		{"REFGW_DB_POOL_SIZE", &cfg->db_pool_size, 4, 1, 256},
		{"REFGW_DB_ACQUIRE_TIMEOUT_MS", &cfg->db_acquire_timeout_ms, 2000, 1, 60000},
		{"REFGW_STATEMENT_TIMEOUT_MS", &cfg->statement_timeout_ms, 10000, 0, 3600000},
		{"REFGW_THREADS", &cfg->threads, 8, 1, 256},
		{"REFGW_MAX_CONNECTIONS", &cfg->max_connections, 2048, 1, 100000},
		{"REFGW_CONNECTION_TIMEOUT", &cfg->connection_timeout_s, 30, 1, 3600},
		{"REFGW_MAX_BODY_BYTES", &cfg->max_body_bytes, 65536, 1024, 16 * 1024 * 1024},
		{"REFGW_SHUTDOWN_GRACE", &cfg->shutdown_grace_s, 10, 0, 600},
		{"REFGW_ACCESS_LOG", &cfg->access_log, 1, 0, 1},
		{"REFGW_HOUSEKEEPING_SECONDS", &cfg->housekeeping_s, 60, 1, 86400},
		{"REFGW_EVENT_POLL_MS", &cfg->event_poll_ms, 200, 10, 1000},
		{"REFGW_ENDING_SOON_DAYS", &cfg->ending_soon_days, 90, 1, 3650},
		{"REFGW_IDENTITY_CACHE_MS", &cfg->identity_cache_ms, 5000, 0, 60000},
		{"REFGW_AUDIT_CHECKPOINT_SECONDS", &cfg->audit_checkpoint_s, 0, 0, 7 * 86400},
		/* Rows of the audit chain housekeeping verifies per run (schema/057). */
		{"REFGW_AUDIT_VERIFY_ROWS", &cfg->audit_verify_rows, 20000, 1, 10000000},
		{"REFGW_KEYSTORE_CONNECTIONS", &cfg->keystore_connections, 2, 1, 8},
		{"REFGW_KEY_CACHE_ENTRIES", &cfg->key_cache_entries, 16384, 0, 1 << 22},
		{"REFGW_KEY_CACHE_SECONDS", &cfg->key_cache_s, 300, 1, 86400},
		/* Retention (docs/data-protection.md, "Retention", says why these). */
		{"REFGW_RETAIN_REFERRAL_DATA_MONTHS", &cfg->retention.referral_months, 24, 1, 1200},
		{"REFGW_RETAIN_CONSENT_WITHDRAWN_MONTHS", &cfg->retention.consent_withdrawn_months,
		 60, 1, 1200},
		{"REFGW_RETAIN_CONSENT_EXPIRED_MONTHS", &cfg->retention.consent_expired_months, 60,
		 1, 1200},
		{"REFGW_RETAIN_FOLLOW_UP_MONTHS", &cfg->retention.follow_up_months, 24, 1, 1200},
		{"REFGW_RETAIN_IDEMPOTENCY_DAYS", &cfg->retention.idempotency_days, 30, 1, 36500},
		{"REFGW_RETENTION_BATCH", &cfg->retention.batch, 1000, 1, 1000000},
	};

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_LEN(ints); i++) {
		const char *v = get(ints[i].name);
		if (v == NULL || *v == '\0') {
			*ints[i].slot = ints[i].def;
		} else if (parse_long(v, ints[i].min, ints[i].max, ints[i].slot) != 0) {
			snprintf(err, errlen,
				 "%s: must be a whole number from %ld to %ld (got \"%.40s\")",
				 ints[i].name, ints[i].min, ints[i].max, v);
			return -1;
		}
	}
	cfg->listen_addr = str_or(get, "REFGW_LISTEN_ADDR", "127.0.0.1");
	cfg->ops_addr = str_or(get, "REFGW_OPS_ADDR", "127.0.0.1");
	cfg->browser_addr = str_or(get, "REFGW_BROWSER_ADDR", cfg->listen_addr);
	cfg->browser_origin = str_or(get, "REFGW_BROWSER_ORIGIN", "https://localhost:8444");
	cfg->tls_cert = str_or(get, "REFGW_TLS_CERT", "certs/dev/server.pem");
	cfg->tls_key = str_or(get, "REFGW_TLS_KEY", "certs/dev/server.key");
	cfg->tls_client_ca = str_or(get, "REFGW_TLS_CLIENT_CA", "certs/dev/ca.pem");
	cfg->tls_crl = str_or(get, "REFGW_TLS_CRL", NULL);
	cfg->tls_priorities =
		str_or(get, "REFGW_TLS_PRIORITIES",
		       "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:"
		       "+AES-256-GCM:+CHACHA20-POLY1305:+AES-128-GCM:%SERVER_PRECEDENCE");
	cfg->database_url = str_or(get, "REFGW_DATABASE_URL", NULL);
	cfg->admin_database_url = str_or(get, "REFGW_ADMIN_DATABASE_URL", cfg->database_url);
	cfg->schema_dir = str_or(get, "REFGW_SCHEMA_DIR", "schema");
	cfg->port_file = str_or(get, "REFGW_PORT_FILE", NULL);
	cfg->niss_key_file = str_or(get, "REFGW_NISS_KEY_FILE", NULL);
	cfg->niss_key_explicit = cfg->niss_key_file != NULL;
	if (cfg->niss_key_file == NULL)
		cfg->niss_key_file = "certs/dev/niss-hmac.key";
	cfg->master_key_file = str_or(get, "REFGW_MASTER_KEY_FILE", NULL);
	cfg->master_key_explicit = cfg->master_key_file != NULL;
	if (cfg->master_key_file == NULL)
		cfg->master_key_file = "certs/dev/master.keys";
	cfg->keystore_url = str_or(get, "REFGW_KEYSTORE_URL", NULL);
	cfg->keystore_admin_url = str_or(get, "REFGW_KEYSTORE_ADMIN_URL", NULL);
	if (cfg->keystore_admin_url == NULL)
		cfg->keystore_admin_url =
			cfg->keystore_url ? cfg->keystore_url : cfg->admin_database_url;
	if (cfg->keystore_url == NULL)
		cfg->keystore_url = cfg->database_url;
	cfg->audit_signing_key = str_or(get, "REFGW_AUDIT_SIGNING_KEY", NULL);
	cfg->audit_verify_key = str_or(get, "REFGW_AUDIT_VERIFY_KEY", NULL);
	cfg->audit_checkpoint_file = str_or(get, "REFGW_AUDIT_CHECKPOINT_FILE", NULL);
	if (cfg->audit_checkpoint_s > 0 &&
	    (cfg->audit_signing_key == NULL || cfg->audit_checkpoint_file == NULL)) {
		snprintf(err, errlen,
			 "REFGW_AUDIT_CHECKPOINT_SECONDS: needs REFGW_AUDIT_SIGNING_KEY "
			 "and REFGW_AUDIT_CHECKPOINT_FILE");
		return -1;
	}
	if (cfg->database_url == NULL) {
		snprintf(err, errlen,
			 "REFGW_DATABASE_URL: not set (a libpq connection string for the "
			 "runtime role, e.g. postgresql://refgw_app@db/refgw)");
		return -1;
	}
	if (strncmp(cfg->browser_origin, "https://", 8) != 0 || strlen(cfg->browser_origin) > 200 ||
	    strchr(cfg->browser_origin + 8, '/') != NULL) {
		snprintf(err, errlen,
			 "REFGW_BROWSER_ORIGIN: an https origin without a path, as browsers "
			 "send it (e.g. https://refgw.example.be)");
		return -1;
	}
	if (cfg->browser_port > 0 && cfg->browser_port == cfg->listen_port &&
	    strcmp(cfg->browser_addr, cfg->listen_addr) == 0) {
		snprintf(err, errlen,
			 "REFGW_BROWSER_PORT: must differ from REFGW_LISTEN_PORT (%ld)",
			 cfg->listen_port);
		return -1;
	}
	if (cfg->listen_port != 0 && cfg->listen_port == cfg->ops_port &&
	    strcmp(cfg->listen_addr, cfg->ops_addr) == 0) {
		snprintf(err, errlen, "REFGW_OPS_PORT: must differ from REFGW_LISTEN_PORT (%ld)",
			 cfg->listen_port);
		return -1;
	}
	return 0;
}
