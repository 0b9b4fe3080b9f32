/* cli: the bootstrap and maintenance subcommands of the refgw binary. */
#ifndef REFGW_CLI_H
#define REFGW_CLI_H

#include "config.h"
#include "rows.h"

/* refgw org list: one line per organisation (ST_CLI_ORG_LIST). */
#define CLI_ORG_COLUMNS(C)                                                                         \
	C(CLI_ORG_ID, "id", "o.id", COL_KEY, 0, NULL)                                              \
	C(CLI_ORG_KIND, "kind", "o.kind", COL_KEY, 0, NULL)                                        \
	C(CLI_ORG_STATUS, "status", "o.status", COL_KEY, 0, NULL)                                  \
	C(CLI_ORG_NAME, "name", "o.name", COL_KEY, 0, NULL)

/* An organisation named by id or exact name (ST_CLI_ORG_RESOLVE). */
#define CLI_ORG_REF_COLUMNS(C) C(CLI_ORG_REF_ID, "id", "o.id", COL_KEY, 0, NULL)

enum cli_org_col { CLI_ORG_COLUMNS(COLUMN_ENUM) };
enum cli_org_ref_col { CLI_ORG_REF_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc cli_org_row, cli_org_ref_row;

int cli_migrate(const struct config *cfg);
int cli_org(const struct config *cfg, int argc, char **argv);
/* refgw user add|list|disable: people's accounts (schema/052). */
int cli_user(const struct config *cfg, int argc, char **argv);
int cli_cert(const struct config *cfg, int argc, char **argv);
int cli_audit(const struct config *cfg, int argc, char **argv);
/* Needs no configuration (no database). */
int cli_audit_keygen(int argc, char **argv);
/* refgw keys generate | status | rewrap: the master keys (keyring.c). */
int cli_keys(const struct config *cfg, int argc, char **argv);
int cli_seed(const struct config *cfg, int argc, char **argv);
/* refgw retention [--dry-run]: one line per category, "CATEGORY COUNT
 * OLDEST" (what would go, or what went). */
int cli_retention(const struct config *cfg, int argc, char **argv);

#endif
