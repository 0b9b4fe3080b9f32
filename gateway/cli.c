/* cli: migrate, bootstrap organisations and certificates without the API,
 * verify and checkpoint the audit chain, load demo data.  Runs with the admin (owner)
 * connection, REFGW_ADMIN_DATABASE_URL; every change is audited.  This is the
 * operator's out-of-band path: a certificate registered here is active at
 * once (no authenticated caller, schema/017), like a reactivation. */
#include "cli.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "checkpoint.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "keyring.h"
#include "keystore.h"
#include "organisations.h"
#include "retention.h"
#include "statements.h"
#include "tls.h"
#include "users.h"
#include "util.h"

static struct db_conn *
admin_connect(const struct config *cfg)
{
	struct db_conn *c = NULL;

	if (db_connect(cfg->admin_database_url, &c) != DB_OK) {
		fprintf(stderr, "refgw: REFGW_ADMIN_DATABASE_URL: %s\n",
			c ? db_last_error(c) : "?");
		db_close(c);
		return NULL;
	}
	return c;
}

static int
migration_name_ok(const char *n)
{
	size_t len = strlen(n);

	return len > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' && n[2] >= '0' &&
	       n[2] <= '9' && n[3] == '_' && strcmp(n + len - 4, ".sql") == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key store's one table (schema/keystore.sql), in its own database or
 * the data's. */
static int
migrate_keystore(const struct config *cfg)
{
	struct db_conn *k = NULL;
	char path[4096], *sql = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/keystore.sql", cfg->schema_dir);
	if (read_file(path, 1 << 20, &sql, NULL) != 0) {
		fprintf(stderr, "refgw: cannot read %s\n", path);
		return -1;
	}
	if (db_connect(cfg->keystore_admin_url, &k) != DB_OK || db_exec_script(k, sql) != DB_OK) {
		fprintf(stderr, "refgw: migrate: the key store (REFGW_KEYSTORE_ADMIN_URL): %s\n",
			k ? db_last_error(k) : "out of memory");
		goto out;
	}
	printf("key store up to date\n");
	rc = 0;
out:
	if (k)
		db_close(k);
	free(sql);
	return rc;
}

int
cli_migrate(const struct config *cfg)
{
	struct db_conn *c = admin_connect(cfg);
	struct db_res *res = NULL;
	DIR *d = NULL;
	struct dirent *de;
	char *names[1000], path[4096], *sql = NULL, vtext[8];
	size_t n = 0, i;
	int rc = 1, applied = 0;

	if (c == NULL)
		return 1;
	d = opendir(cfg->schema_dir);
	if (d == NULL) {
		fprintf(stderr, "refgw: REFGW_SCHEMA_DIR: cannot open %s\n", cfg->schema_dir);
		goto out;
	}
	while ((de = readdir(d)) != NULL && n < ARRAY_LEN(names))
		if (migration_name_ok(de->d_name))
			names[n++] = strdup(de->d_name);
	qsort(names, n, sizeof(names[0]), cmp_names);

	if (db_query(c, ST_CLI_RUNTIME_ROLE, &res, (char *)NULL) != DB_OK || db_rows(res) != 1) {
		fprintf(stderr, "refgw: the runtime role refgw_app does not exist; create it first "
				"(docs/operations.md, \"Database roles\")\n");
		goto out;
	}
	db_res_free(res);
	res = NULL;
	/* One migrator at a time, across machines. */
	if (db_exec_script(c, "SET client_min_messages = warning;"
			      "SELECT pg_advisory_lock(7301001);"
			      "CREATE TABLE IF NOT EXISTS schema_migrations ("
			      " version integer PRIMARY KEY, name text NOT NULL,"
			      " applied_at timestamptz NOT NULL DEFAULT now());"
			      "GRANT SELECT ON schema_migrations TO refgw_app;") != DB_OK) {
		fprintf(stderr, "refgw: migrate: %s\n", db_last_error(c));
		goto out;
	}
	for (i = 0; i < n; i++) {
		memcpy(vtext, names[i], 3);
		vtext[3] = '\0';
		if (db_query(c, ST_MIGRATION_APPLIED, &res, "version", vtext, (char *)NULL) !=
		    DB_OK)
			goto out_err;
		if (db_rows(res) > 0) {
			db_res_free(res);
			res = NULL;
			continue;
		}
		db_res_free(res);
		res = NULL;
		snprintf(path, sizeof(path), "%s/%s", cfg->schema_dir, names[i]);
		if (read_file(path, 8u << 20, &sql, NULL) != 0) {
			fprintf(stderr, "refgw: cannot read %s\n", path);
			goto out;
		}
		if (db_begin(c) != DB_OK || db_exec_script(c, sql) != DB_OK ||
		    db_query(c, ST_MIGRATION_RECORD, NULL, "version", vtext, "name", names[i],
			     (char *)NULL) != DB_OK ||
		    db_commit(c) != DB_OK) {
			fprintf(stderr, "refgw: migration %s failed: %s\n", names[i],
				db_last_error(c));
			db_rollback(c);
			goto out;
		}
		free(sql);
		sql = NULL;
		printf("applied %s\n", names[i]);
		applied++;
	}
	printf("schema up to date (%d applied now, %zu known)\n", applied, n);
	if (migrate_keystore(cfg) != 0)
		goto out;
	rc = 0;
	goto out;
out_err:
	fprintf(stderr, "refgw: migrate: %s\n", db_last_error(c));
out:
	db_res_free(res);
	free(sql);
	for (i = 0; i < n; i++)
		free(names[i]);
	if (d)
		closedir(d);
	db_close(c);
	return rc;
}

static const char *
opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* Last argument that is neither an option nor an option's value. */
static const char *
positional(int argc, char **argv)
{
	const char *last = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			i++;
			continue;
		}
		last = argv[i];
	}
	return last;
}

static int
audit_cli(struct db_conn *c, const char *action, const char *rtype, const char *rid, json_t *detail)
{
	const char *user = getenv("USER");
	int rc;

	json_object_set_new(detail, "via", json_string("cli"));
	json_object_set_new(detail, "os_user", json_string(user ? user : "?"));
	rc = audit_record_conn(c, "cli", action, rtype, rid, detail);
	json_decref(detail);
	return rc;
}

/* Organisation id from an id or an exact name. */
static int
resolve_org(struct db_conn *c, const char *ref, char id[37])
{
	struct db_res *res = NULL;
	int rc = -1;

	if (db_query(c, ST_CLI_ORG_RESOLVE, &res, "ref", ref, (char *)NULL) == DB_OK &&
	    db_rows(res) == 1) {
		snprintf(id, 37, "%s", row_val(res, 0, CLI_ORG_REF_ID));
		rc = 0;
	} else {
		fprintf(stderr, "refgw: no organisation with id or name \"%s\"\n", ref);
	}
	db_res_free(res);
	return rc;
}

static bool
is_org_kind(const char *kind)
{
	size_t i;

	for (i = 0; org_kinds[i]; i++)
		if (strcmp(org_kinds[i], kind) == 0)
			return true;
	return false;
}

int
cli_org(const struct config *cfg, int argc, char **argv)
{
	struct db_conn *c = NULL;
	struct db_res *res = NULL;
	int rc = 1, i;

	if (argc < 1) {
		fprintf(stderr, "usage: refgw org add|list|activate ...\n");
		return 2;
	}
	if ((c = admin_connect(cfg)) == NULL)
		return 1;
	if (strcmp(argv[0], "list") == 0) {
		if (db_query(c, ST_CLI_ORG_LIST, &res, (char *)NULL) != DB_OK)
			goto fail;
		for (i = 0; i < db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\n", row_val(res, i, CLI_ORG_ID),
			       row_val(res, i, CLI_ORG_KIND), row_val(res, i, CLI_ORG_STATUS),
			       row_val(res, i, CLI_ORG_NAME));
		rc = 0;
	} else if (strcmp(argv[0], "add") == 0) {
		const char *params[4] = {opt(argc, argv, "--name"), opt(argc, argv, "--kind"),
					 opt(argc, argv, "--programs"), NULL};
		if (params[0] == NULL || params[1] == NULL) {
			fprintf(stderr,
				"usage: refgw org add --name N --kind K [--programs a,b]\n");
			rc = 2;
			goto out;
		}
		if (!is_org_kind(params[1])) {
			fprintf(stderr,
				"refgw org add: unknown kind \"%s\"; the kinds are:", params[1]);
			for (i = 0; org_kinds[i]; i++)
				fprintf(stderr, " %s", org_kinds[i]);
			fprintf(stderr, "\n");
			rc = 2;
			goto out;
		}
		if (params[2] == NULL)
			params[2] = "";
		params[3] = "active";
		/* The API's statement: one definition of what creating means. */
		if (db_begin(c) != DB_OK ||
		    db_query(c, ST_ORG_INSERT, &res, "name", params[0], "kind", params[1],
			     "programs", params[2], "status", params[3], (char *)NULL) != DB_OK)
			goto fail;
		if (audit_cli(c, "organisation.create", "organisation", row_val(res, 0, ORG_ID),
			      json_pack("{s:s, s:s}", "name", params[0], "kind", params[1])) != 0 ||
		    db_commit(c) != DB_OK)
			goto fail;
		printf("%s\n", row_val(res, 0, ORG_ID));
		rc = 0;
	} else if (strcmp(argv[0], "activate") == 0) {
		/* The way back when no coordinator can act through the API (every
		 * coordinator suspended before schema/017, or its certificates
		 * lost): the operator's out-of-band path, audited. */
		char id[37];
		if (argc < 2) {
			fprintf(stderr, "usage: refgw org activate ID|NAME\n");
			rc = 2;
			goto out;
		}
		if (resolve_org(c, argv[1], id) != 0)
			goto out;
		if (db_begin(c) != DB_OK ||
		    db_query(c, ST_CLI_ORG_ACTIVATE, &res, "id", id, (char *)NULL) != DB_OK)
			goto fail;
		if (db_rows(res) == 0) {
			db_rollback(c);
			printf("%s already active\n", id);
			rc = 0;
			goto out;
		}
		if (audit_cli(c, "organisation.update", "organisation", id,
			      json_pack("{s:s}", "status", "active")) != 0 ||
		    db_commit(c) != DB_OK)
			goto fail;
		printf("%s active\n", id);
		rc = 0;
	} else {
		fprintf(stderr, "refgw org: unknown subcommand %s\n", argv[0]);
		rc = 2;
	}
	goto out;
fail:
	fprintf(stderr, "refgw org: %s\n", db_last_error(c));
out:
	db_res_free(res);
	db_close(c);
	return rc;
}

static bool
in_list(const char *v, const char *const *values)
{
	size_t i;

	for (i = 0; values[i]; i++)
		if (strcmp(values[i], v) == 0)
			return true;
	return false;
}

/* refgw user add: prints only the invitation token (one line on stdout), so
 * that a script can hand it on; the user's id goes to stderr. */
static int
user_add(struct db_conn *c, int argc, char **argv)
{
	struct db_res *res = NULL;
	const char *org = opt(argc, argv, "--org"), *email = opt(argc, argv, "--email"),
		   *role = opt(argc, argv, "--role"), *name = opt(argc, argv, "--name"),
		   *language = opt(argc, argv, "--language");
	char id[37], token[44] = "", hash[65], hours[8];
	int rc = 1;

	if (org == NULL || email == NULL || role == NULL) {
		fprintf(stderr, "usage: refgw user add --org ID|NAME --email E --role R "
				"[--name N] [--language fr|nl|en]\n");
		return 2;
	}
	if (!in_list(role, user_roles) || (language && !in_list(language, user_languages))) {
		fprintf(stderr, "refgw user add: the roles are org_admin, worker, "
				"coordinator_admin; the languages fr, nl, en\n");
		return 2;
	}
	if (resolve_org(c, org, id) != 0)
		return 1;
	if (user_invitation_new(token, hash) != 0)
		return 1;
	snprintf(hours, sizeof(hours), "%d", USER_INVITATION_HOURS);
	if (db_begin(c) != DB_OK ||
	    db_query(c, ST_USER_INSERT, &res, "org", id, "email", email, "name",
		     name ? name : email, "role", role, "language", language ? language : "fr",
		     "invitation", hash, "hours", hours, (char *)NULL) != DB_OK) {
		fprintf(stderr, "refgw user add: %s\n", db_last_error(c));
		goto out;
	}
	if (audit_cli(c, "user.create", "user", row_val(res, 0, USER_ID),
		      json_pack("{s:s, s:s}", "organisation_id", id, "role", role)) != 0 ||
	    db_commit(c) != DB_OK) {
		fprintf(stderr, "refgw user add: %s\n", db_last_error(c));
		goto out;
	}
	fprintf(stderr, "user %s invited; the token below is valid %d hours\n",
		row_val(res, 0, USER_ID), USER_INVITATION_HOURS);
	printf("%s\n", token);
	rc = 0;
out:
	wipe(token, sizeof(token));
	db_res_free(res);
	return rc;
}

int
cli_user(const struct config *cfg, int argc, char **argv)
{
	struct db_conn *c = NULL;
	struct db_res *res = NULL;
	char id[37];
	int rc = 1, i;

	if (argc < 1) {
		fprintf(stderr, "usage: refgw user add|list|disable ...\n");
		return 2;
	}
	if ((c = admin_connect(cfg)) == NULL)
		return 1;
	if (strcmp(argv[0], "add") == 0) {
		rc = user_add(c, argc, argv);
	} else if (strcmp(argv[0], "list") == 0) {
		const char *org = opt(argc, argv, "--org");
		if (org == NULL) {
			fprintf(stderr, "usage: refgw user list --org ID|NAME\n");
			rc = 2;
			goto out;
		}
		if (resolve_org(c, org, id) != 0)
			goto out;
		if (db_query(c, ST_CLI_USER_LIST, &res, "org", id, (char *)NULL) != DB_OK)
			goto fail;
		for (i = 0; i < db_rows(res); i++)
			printf("%s\t%s\t%s\t%s\t%s\n", row_val(res, i, USER_ID),
			       row_val(res, i, USER_ROLE), row_val(res, i, USER_STATUS),
			       row_val(res, i, USER_EMAIL), row_val(res, i, USER_NAME));
		rc = 0;
	} else if (strcmp(argv[0], "disable") == 0) {
		if (argc < 2 || !is_uuid(argv[1])) {
			fprintf(stderr, "usage: refgw user disable USER_ID\n");
			rc = 2;
			goto out;
		}
		/* The trigger of schema/052 ends the user's sessions. */
		if (db_begin(c) != DB_OK ||
		    db_query(c, ST_CLI_USER_DISABLE, &res, "id", argv[1], (char *)NULL) != DB_OK)
			goto fail;
		if (db_rows(res) == 0) {
			db_rollback(c);
			fprintf(stderr, "refgw user disable: no user %s\n", argv[1]);
			goto out;
		}
		if (audit_cli(c, "user.update", "user", argv[1],
			      json_pack("{s:s}", "status", "disabled")) != 0 ||
		    db_commit(c) != DB_OK)
			goto fail;
		printf("%s disabled\n", argv[1]);
		rc = 0;
	} else {
		fprintf(stderr, "refgw user: unknown subcommand %s\n", argv[0]);
		rc = 2;
	}
	goto out;
fail:
	fprintf(stderr, "refgw user: %s\n", db_last_error(c));
out:
	db_res_free(res);
	db_close(c);
	return rc;
}

int
cli_cert(const struct config *cfg, int argc, char **argv)
{
	struct db_conn *c = NULL;
	struct db_res *res = NULL;
	struct tls_cert_info info = {0};
	const char *org = opt(argc, argv, "--org"), *arg = positional(argc, argv);
	char id[37], err[256], *pem = NULL, nb[24], na[24];
	size_t len;
	int rc = 1;

	if (argc < 1 || org == NULL || arg == NULL) {
		fprintf(stderr, "usage: refgw cert register --org ID|NAME FILE.pem\n"
				"       refgw cert revoke --org ID|NAME SHA256 [--reason TEXT]\n");
		return 2;
	}
	if ((c = admin_connect(cfg)) == NULL)
		return 1;
	if (resolve_org(c, org, id) != 0)
		goto out;
	if (strcmp(argv[0], "register") == 0) {
		if (tls_init(cfg->tls_client_ca, cfg->tls_crl, err, sizeof(err)) != 0) {
			fprintf(stderr, "refgw: %s\n", err);
			goto out;
		}
		if (read_file(arg, 1 << 16, &pem, &len) != 0) {
			fprintf(stderr, "refgw: cannot read %s\n", arg);
			goto out;
		}
		if (tls_inspect_pem(pem, len, &info, err, sizeof(err)) != 0) {
			fprintf(stderr, "refgw: %s: %s\n", arg, err);
			goto out;
		}
		snprintf(nb, sizeof(nb), "%lld", (long long)info.not_before);
		snprintf(na, sizeof(na), "%lld", (long long)info.not_after);
		{
			const char *params[8] = {info.sha256_hex, id, info.subject, info.issuer,
						 info.serial,     nb, na,           info.pem};
			enum db_status s;
			if (db_begin(c) != DB_OK)
				goto fail;
			s = db_query(c, ST_CERT_INSERT, NULL, "sha256", params[0], "organisation",
				     params[1], "subject", params[2], "issuer", params[3], "serial",
				     params[4], "not_before", params[5], "not_after", params[6],
				     "pem", params[7], (char *)NULL);
			if (s == DB_UNIQUE) {
				printf("%s already registered\n", info.sha256_hex);
				rc = 0;
				goto out;
			}
			if (s != DB_OK ||
			    audit_cli(c, "certificate.register", "organisation", id,
				      json_pack("{s:s, s:s}", "sha256", info.sha256_hex, "subject",
						info.subject)) != 0 ||
			    db_commit(c) != DB_OK)
				goto fail;
		}
		printf("%s registered for %s (%s)\n", info.sha256_hex, id, info.subject);
		rc = 0;
	} else if (strcmp(argv[0], "revoke") == 0) {
		const char *params[3] = {id, arg, opt(argc, argv, "--reason")};
		if (db_begin(c) != DB_OK ||
		    db_query(c, ST_CERT_REVOKE, &res, "organisation", params[0], "sha256",
			     params[1], "reason", params[2], (char *)NULL) != DB_OK)
			goto fail;
		if (db_rows(res) == 0) {
			fprintf(stderr, "refgw: no active certificate %s for %s\n", arg, id);
			goto out;
		}
		if (audit_cli(c, "certificate.revoke", "organisation", id,
			      json_pack("{s:s, s:s?}", "sha256", arg, "reason", params[2])) != 0 ||
		    db_commit(c) != DB_OK)
			goto fail;
		printf("%s revoked\n", arg);
		rc = 0;
	} else {
		fprintf(stderr, "refgw cert: unknown subcommand %s\n", argv[0]);
		rc = 2;
	}
	goto out;
fail:
	fprintf(stderr, "refgw cert: %s\n", db_last_error(c));
out:
	tls_cert_info_free(&info);
	tls_shutdown();
	free(pem);
	db_res_free(res);
	db_close(c);
	return rc;
}

static const char audit_usage[] =
	"usage: refgw audit verify [--checkpoint FILE [--key PUBLIC.pem]]\n"
	"       refgw audit checkpoint [--key PRIVATE.pem] [--file FILE]\n"
	"       refgw audit keygen PRIVATE.pem PUBLIC.pem\n";

int
cli_audit_keygen(int argc, char **argv)
{
	char err[512], key_id[CRYPTO_KEY_ID_LEN + 1];

	if (argc != 3) {
		fputs(audit_usage, stderr);
		return 2;
	}
	if (crypto_ed25519_keygen(argv[1], argv[2], key_id, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw audit keygen: %s\n", err);
		return 1;
	}
	printf("key %s: private key %s (mode 0600: keep it off the database host), public key "
	       "%s\n",
	       key_id, argv[1], argv[2]);
	return 0;
}

/* An option given without its value is a usage error, not "absent". */
static bool
opt_dangling(int argc, char **argv, const char *name)
{
	return argc > 0 && strcmp(argv[argc - 1], name) == 0;
}

static int
audit_checkpoint_cli(const struct config *cfg, int argc, char **argv)
{
	const char *key_path = opt(argc, argv, "--key"), *file = opt(argc, argv, "--file");
	struct crypto_key *key = NULL;
	struct db_conn *c = NULL;
	struct checkpoint cp;
	char err[512];
	int rc = 1;

	key_path = key_path ? key_path : cfg->audit_signing_key;
	file = file ? file : cfg->audit_checkpoint_file;
	if (key_path == NULL || file == NULL || opt_dangling(argc, argv, "--key") ||
	    opt_dangling(argc, argv, "--file")) {
		fprintf(stderr,
			"%srefgw audit checkpoint: the signing key (--key or "
			"REFGW_AUDIT_SIGNING_KEY) and the file (--file or "
			"REFGW_AUDIT_CHECKPOINT_FILE) are needed\n",
			audit_usage);
		return 2;
	}
	if ((key = crypto_key_load(key_path, true, err, sizeof(err))) == NULL) {
		fprintf(stderr, "refgw audit checkpoint: %s\n", err);
		return 1;
	}
	if ((c = admin_connect(cfg)) == NULL)
		goto out;
	if (checkpoint_take(c, key, file, &cp, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw audit checkpoint: %s\n", err);
		goto out;
	}
	printf("checkpoint of %s: %zu lanes signed with key %s, appended to %s\n", cp.at, cp.nlanes,
	       crypto_key_id(key), file);
	checkpoint_free(&cp);
	rc = 0;
out:
	db_close(c);
	crypto_key_free(key);
	return rc;
}

static int
audit_verify_cli(const struct config *cfg, int argc, char **argv)
{
	const char *file = opt(argc, argv, "--checkpoint"), *key_path = opt(argc, argv, "--key");
	struct checkpoint_report ck;
	struct audit_report rep;
	struct crypto_key *key = NULL;
	struct db_conn *c = NULL;
	char err[512];
	int rc = 1;

	key_path =
		key_path ? key_path
			 : (cfg->audit_verify_key ? cfg->audit_verify_key : cfg->audit_signing_key);
	if (opt_dangling(argc, argv, "--checkpoint") || opt_dangling(argc, argv, "--key")) {
		fputs(audit_usage, stderr);
		return 2;
	}
	if (file != NULL) {
		if (key_path == NULL) {
			fprintf(stderr, "refgw audit verify: --checkpoint needs the verify key "
					"(--key PUBLIC.pem or REFGW_AUDIT_VERIFY_KEY)\n");
			return 2;
		}
		if ((key = crypto_key_load(key_path, false, err, sizeof(err))) == NULL) {
			fprintf(stderr, "refgw audit verify: %s\n", err);
			return 1;
		}
	}
	if ((c = admin_connect(cfg)) == NULL)
		goto out;
	if (audit_verify(c, &rep) != 0) {
		fprintf(stderr, "refgw audit verify: %s\n", db_last_error(c));
		goto out;
	}
	if (rep.ok)
		printf("audit chain intact: %ld rows in %ld lanes\n", rep.rows, rep.lanes);
	else
		printf("audit chain BROKEN at %s\n", rep.first_broken);
	rc = rep.ok ? 0 : 3;
	if (file == NULL)
		goto out;
	/* Even on a broken chain: the checkpoints say which lanes lost rows. */
	if (checkpoint_verify_file(c, file, key, stdout, &ck, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw audit verify: %s\n", err);
		rc = 1;
		goto out;
	}
	if (ck.problems == 0) {
		printf("audit checkpoints hold: %ld signed checkpoints of %s (key %s); the latest, "
		       "of "
		       "%s, covers %ld lanes\n",
		       ck.checkpoints, file, crypto_key_id(key), ck.latest_at, ck.latest_lanes);
	} else {
		printf("audit checkpoints FAILED: %ld problems against %ld signed checkpoints of "
		       "%s "
		       "(key %s)\n",
		       ck.problems, ck.checkpoints, file, crypto_key_id(key));
		rc = 3;
	}
out:
	db_close(c);
	crypto_key_free(key);
	return rc;
}

int
cli_audit(const struct config *cfg, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "verify") == 0)
		return audit_verify_cli(cfg, argc, argv);
	if (argc >= 1 && strcmp(argv[0], "checkpoint") == 0)
		return audit_checkpoint_cli(cfg, argc, argv);
	fputs(audit_usage, stderr);
	return 2;
}

int
cli_seed(const struct config *cfg, int argc, char **argv)
{
	struct db_conn *c;
	char *sql = NULL;
	int rc = 1;

	if (argc < 1) {
		fprintf(stderr, "usage: refgw seed FILE.sql\n");
		return 2;
	}
	if (read_file(argv[0], 8u << 20, &sql, NULL) != 0) {
		fprintf(stderr, "refgw: cannot read %s\n", argv[0]);
		return 1;
	}
	if ((c = admin_connect(cfg)) == NULL) {
		free(sql);
		return 1;
	}
	if (db_begin(c) == DB_OK && db_exec_script(c, sql) == DB_OK && db_commit(c) == DB_OK) {
		printf("loaded %s\n", argv[0]);
		rc = 0;
	} else {
		fprintf(stderr, "refgw seed: %s\n", db_last_error(c));
	}
	free(sql);
	db_close(c);
	return rc;
}

/* ---- refgw keys: the master keys and the data keys they wrap ---- */

static int
keys_open(const struct config *cfg)
{
	char err[512];

	if (keyring_load(cfg->master_key_file, err, sizeof(err)) != 0 ||
	    keystore_init(cfg->keystore_url, 1, 0, 1, err, sizeof(err)) != 0) {
		fprintf(stderr, "refgw: keys: %s\n", err);
		keyring_unload();
		return -1;
	}
	return 0;
}

static void
keys_close(void)
{
	keystore_shutdown();
	keyring_unload();
}

/* A new master key line for REFGW_MASTER_KEY_FILE (printed; the operator
 * puts it first in the file). */
static int
keys_generate(void)
{
	unsigned char key[AEAD_KEY_LEN], idb[4];
	char hex[2 * AEAD_KEY_LEN + 1], id[2 * sizeof(idb) + 1], day[16];
	time_t now = time(NULL);
	struct tm tm;

	if (crypto_random(key, sizeof(key)) != 0 || crypto_random(idb, sizeof(idb)) != 0) {
		fprintf(stderr, "refgw: keys generate: no randomness\n");
		return 1;
	}
	hex_encode(key, sizeof(key), hex);
	hex_encode(idb, sizeof(idb), id);
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	printf("k%s-%s %s\n", day, id, hex);
	wipe(key, sizeof(key));
	wipe(hex, sizeof(hex));
	return 0;
}

static int
keys_status(void)
{
	struct buf out;
	char id[KEYRING_ID_MAX + 1];
	int rc = 1;

	buf_init(&out, 1 << 20);
	keyring_current_id(id);
	if (keystore_census(&out) != 0) {
		fprintf(stderr, "refgw: keys status: the key store did not answer\n");
		goto out;
	}
	printf("current master key: %s\ndata keys per master key:\n%s", id,
	       out.len ? out.data : "(none)\n");
	rc = 0;
out:
	buf_free(&out);
	return rc;
}

/* Re-wraps every data key under the current master key, in batches, while
 * the gateways serve (each batch is one short transaction of the key
 * store; rows being re-wrapped elsewhere are skipped and taken next). */
static int
keys_rewrap(int argc, char **argv)
{
	long batch = 500, done, left = 0, total = 0;
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc &&
		    parse_long(argv[i + 1], 1, 100000, &batch) == 0)
			i++;
		else {
			fprintf(stderr, "usage: refgw keys rewrap [--batch N]\n");
			return 2;
		}
	do {
		if (keystore_rewrap(batch, &done, &left) != 0) {
			fprintf(stderr, "refgw: keys rewrap: stopped after %ld (see the log)\n",
				total);
			return 1;
		}
		total += done;
	} while (done > 0 && left > 0);
	printf("rewrapped %ld data keys; %ld left under another master key\n", total, left);
	return left == 0 ? 0 : 1;
}

int
cli_keys(const struct config *cfg, int argc, char **argv)
{
	int rc;

	if (argc >= 1 && strcmp(argv[0], "generate") == 0)
		return keys_generate();
	if (argc < 1 || (strcmp(argv[0], "status") != 0 && strcmp(argv[0], "rewrap") != 0)) {
		fprintf(stderr, "usage: refgw keys generate | status | rewrap [--batch N]\n");
		return 2;
	}
	if (keys_open(cfg) != 0)
		return 1;
	rc = strcmp(argv[0], "status") == 0 ? keys_status() : keys_rewrap(argc, argv);
	keys_close();
	return rc;
}

#define RETENTION_CLI_TRIES 50
#define RETENTION_CLI_WAIT_US 200000

/* The retention schedule of the configuration (REFGW_RETAIN_*).  --dry-run:
 * what it would remove now, counted in a transaction rolled back.  Without:
 * applied batch after batch until none is full (each batch its own
 * transaction and, when it removed anything, its own audit row); while
 * another session (an instance's housekeeping) is applying it, waits for its
 * turn, up to 10 s (then says so and stops: exit 0). */
int
cli_retention(const struct config *cfg, int argc, char **argv)
{
	struct retention_result rr, total;
	struct db_conn *c = NULL;
	bool dry = false, full;
	int i, k, busy = 0, rc = 1;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--dry-run") == 0) {
			dry = true;
		} else {
			fprintf(stderr, "usage: refgw retention [--dry-run]\n");
			return 2;
		}
	}
	if ((c = admin_connect(cfg)) == NULL)
		return 1;
	memset(&total, 0, sizeof(total));
	for (k = 0; k < RETENTION_CATEGORIES; k++)
		snprintf(total.oldest[k], sizeof(total.oldest[k]), "-");
	if (dry) {
		if (db_begin(c) != DB_OK ||
		    retention_run(c, &cfg->retention, true, "cli", &total) != 0) {
			fprintf(stderr, "refgw retention: %s\n", db_last_error(c));
			goto out;
		}
		db_rollback(c);
	} else {
		do {
			full = false;
			if (retention_run(c, &cfg->retention, false, "cli", &rr) != 0) {
				fprintf(stderr, "refgw retention: %s\n", db_last_error(c));
				goto out;
			}
			if (!rr.ran && ++busy <= RETENTION_CLI_TRIES) {
				/* an instance's housekeeping holds the lock for a
				 * batch: wait for its turn */
				full = true;
				usleep(RETENTION_CLI_WAIT_US);
				continue;
			}
			if (!rr.ran) {
				fprintf(stderr,
					"refgw retention: another session kept applying the "
					"schedule for 10 s; nothing more done here\n");
				break;
			}
			busy = 0;
			for (k = 0; k < RETENTION_CATEGORIES; k++) {
				total.removed[k] += rr.removed[k];
				if (strcmp(total.oldest[k], "-") == 0)
					memcpy(total.oldest[k], rr.oldest[k], sizeof(rr.oldest[k]));
				full = full || rr.removed[k] >= cfg->retention.batch;
			}
		} while (full);
	}
	for (k = 0; k < RETENTION_CATEGORIES; k++)
		printf("%s %ld %s\n", retention_categories[k], total.removed[k], total.oldest[k]);
	rc = 0;
out:
	db_close(c);
	return rc;
}
