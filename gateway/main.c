/* main: start-up, signals, and the subcommand table of the refgw binary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain_verify.h"
#include "checkpoint.h"
#include "cli.h"
#include "common.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "identity.h"
#include "keyring.h"
#include "keystore.h"
#include "log.h"
#include "password.h"
#include "persons.h"
#include "router.h"
#include "sessions.h"
#include "sqltext.h"
#include "statements.h"
#include "tls.h"

#ifndef REFGW_SCHEMA_VERSION
#error "REFGW_SCHEMA_VERSION must be defined by the build (highest migration number)"
#endif

/* Refuse to serve with a role that could read past row-level security. */
static const char runtime_role_check[] =
	"SELECT NOT (r.rolsuper OR r.rolbypassrls) AND NOT EXISTS ("
	" SELECT 1 FROM pg_class c WHERE c.relowner = r.oid"
	" AND c.relnamespace = 'public'::regnamespace)"
	" FROM pg_roles r WHERE r.rolname = current_user";

static void
usage(void)
{
	fprintf(stderr,
		"usage: refgw [serve]                 run the gateway\n"
		"       refgw migrate                 apply schema/ migrations (admin URL)\n"
		"       refgw org add --name N --kind K [--programs a,b]\n"
		"       refgw org list\n"
		"       refgw org activate ID|NAME    reactivate a suspended organisation\n"
		"       refgw user add --org ID|NAME --email E --role R [--name N] [--language L]\n"
		"                                     print a new user's invitation token\n"
		"       refgw user list --org ID|NAME\n"
		"       refgw user disable USER_ID     (ends the user's sessions)\n"
		"       refgw cert register --org ID|NAME FILE.pem\n"
		"       refgw cert revoke --org ID|NAME SHA256 [--reason TEXT]\n"
		"       refgw audit verify [--checkpoint FILE [--key PUBLIC.pem]]\n"
		"       refgw audit checkpoint [--key PRIVATE.pem] [--file FILE]\n"
		"       refgw audit keygen PRIVATE.pem PUBLIC.pem\n"
		"       refgw keys generate           print a new master key line\n"
		"       refgw keys status             data keys per master key\n"
		"       refgw keys rewrap [--batch N] re-wrap data keys under the first master "
		"key\n"
		"       refgw seed FILE.sql           load demo data (admin URL)\n"
		"       refgw retention [--dry-run]   apply the retention schedule, or print "
		"what it would remove: CATEGORY COUNT OLDEST (admin URL)\n"
		"       refgw routes                  print the route table: METHOD PATTERN ACTION "
		"NAME\n"
		"configuration: REFGW_* environment variables, see docs/operations.md\n");
}

static const char *
env(const char *name)
{
	return getenv(name);
}

/* SIGHUP: server certificate and key, client CA and CRL read again; new
 * connections get them, open ones keep what they started with. */
static void
reload_tls(void)
{
	char err[512], sha[65];
	time_t not_after;

	if (tls_reload(err, sizeof(err)) != 0) {
		log_warnx("SIGHUP: TLS material not reloaded, the current one stays: %s", err);
		return;
	}
	if (tls_server_certificate(&not_after, sha) == 0)
		log_info("SIGHUP: TLS material reloaded; server certificate %.16s valid until %lld",
			 sha, (long long)not_after);
}

static int
serve(const struct config *cfg)
{
	struct http_server *srv = NULL;
	sigset_t set;
	char err[512];
	int sig = 0;
	FILE *f;

	/* Block the signals before any thread exists; main waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (tls_init(cfg->tls_client_ca, cfg->tls_crl, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		return 2;
	}
	if (tls_init_server(cfg->tls_cert, cfg->tls_key, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		tls_shutdown();
		return 2;
	}
	if (persons_init(cfg->niss_key_file, cfg->niss_key_explicit, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		tls_shutdown();
		return 2;
	}
	if (keyring_load(cfg->master_key_file, err, sizeof(err)) != 0 ||
	    keystore_init(cfg->keystore_url, (int)cfg->keystore_connections, cfg->key_cache_entries,
			  cfg->key_cache_s, err, sizeof(err)) != 0) {
		log_warnx("%s", err);
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	if (db_pool_init(cfg->database_url, (int)cfg->db_pool_size, (int)cfg->db_acquire_timeout_ms,
			 (int)cfg->statement_timeout_ms, runtime_role_check) != 0) {
		log_warnx("cannot allocate the database pool");
		keystore_shutdown();
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	sessions_configure(cfg->session_idle_s, cfg->session_lifetime_s, cfg->browser_origin);
	if (password_init() != 0 || identity_start(cfg->identity_cache_ms) != 0) {
		log_warnx("cannot start the identity refresher");
		db_pool_shutdown();
		keystore_shutdown();
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	if (http_start(cfg, REFGW_SCHEMA_VERSION, &srv) != 0) {
		identity_stop();
		db_pool_shutdown();
		keystore_shutdown();
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	if (checkpoint_schedule_start(cfg->database_url, cfg->audit_checkpoint_s,
				      cfg->audit_signing_key, cfg->audit_checkpoint_file, err,
				      sizeof(err)) != 0) {
		log_warnx("REFGW_AUDIT_SIGNING_KEY: %s", err);
		http_stop(srv, 0);
		identity_stop();
		db_pool_shutdown();
		keystore_shutdown();
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	if (chain_verify_start(cfg->database_url, cfg->housekeeping_s, cfg->audit_verify_rows) !=
	    0) {
		log_warnx("cannot start the audit chain's verification");
		checkpoint_schedule_stop();
		http_stop(srv, 0);
		identity_stop();
		db_pool_shutdown();
		keystore_shutdown();
		keyring_unload();
		tls_shutdown();
		return 2;
	}
	if (cfg->port_file) {
		f = fopen(cfg->port_file, "w");
		if (f == NULL ||
		    fprintf(f, "%d %d %d\n", http_api_port(srv), http_ops_port(srv),
			    http_browser_port(srv)) < 0 ||
		    fclose(f) != 0)
			log_warn("REFGW_PORT_FILE: cannot write %s", cfg->port_file);
	}
	log_info("refgw listening on https://%s:%d (operations on http://%s:%d, browsers on "
		 "https://%s:%d), %ld threads, pool of %ld",
		 cfg->listen_addr, http_api_port(srv), cfg->ops_addr, http_ops_port(srv),
		 cfg->browser_addr, http_browser_port(srv), cfg->threads, cfg->db_pool_size);
	while (sig != SIGINT && sig != SIGTERM) {
		if (sigwait(&set, &sig) != 0)
			break;
		if (sig == SIGHUP) {
			reload_tls();
			if (keyring_reload(err, sizeof(err)) != 0)
				log_warnx("SIGHUP: master keys not reloaded, the current ones "
					  "stay: %s",
					  err);
			else
				log_info("SIGHUP: master keys reloaded");
		}
	}
	log_info("signal %d: finishing in-flight requests (up to %ld s), then stopping", sig,
		 cfg->shutdown_grace_s);
	http_stop(srv, cfg->shutdown_grace_s);
	identity_stop(); /* after the last request that could ask it */
	chain_verify_stop();
	checkpoint_schedule_stop();
	db_pool_shutdown();
	keystore_shutdown();
	keyring_unload();
	tls_shutdown();
	log_info("stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	struct config cfg;
	char err[512];
	const char *cmd = argc > 1 ? argv[1] : "serve";
	int rc;

	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage();
		return 0;
	}
	if (strcmp(cmd, "routes") == 0) {
		/* The API as data, for tests and operators; needs no configuration. */
		char method[16];
		for (size_t i = 0; i < nroutes; i++) {
			router_allow_header((int)routes[i].method, method, sizeof(method));
			printf("%s %s %s %s\n", method, routes[i].pattern,
			       routes[i].action ? routes[i].action : "-", routes[i].name);
		}
		return 0;
	}
	if (strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "keygen") == 0)
		return cli_audit_keygen(argc - 2, argv + 2);
	if (config_load(&cfg, env, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw: configuration: %s\n", err);
		return 2;
	}
	/* The statement table, expanded once (a malformed one never serves). */
	if (sqltext_expand(statements, ST_COUNT, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw: %s\n", err);
		sqltext_free(statements, ST_COUNT);
		return 2;
	}
	db_statements(statements, ST_COUNT);
	if (strcmp(cmd, "serve") == 0)
		rc = serve(&cfg);
	else if (strcmp(cmd, "migrate") == 0)
		rc = cli_migrate(&cfg);
	else if (strcmp(cmd, "org") == 0)
		rc = cli_org(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "user") == 0)
		rc = cli_user(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "cert") == 0)
		rc = cli_cert(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "audit") == 0)
		rc = cli_audit(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "keys") == 0)
		rc = cli_keys(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "seed") == 0)
		rc = cli_seed(&cfg, argc - 2, argv + 2);
	else if (strcmp(cmd, "retention") == 0)
		rc = cli_retention(&cfg, argc - 2, argv + 2);
	else {
		usage();
		rc = 2;
	}
	sqltext_free(statements, ST_COUNT);
	return rc;
}
