/* cli: the bootstrap and maintenance subcommands of the refgw binary. */
#ifndef REFGW_CLI_H
#define REFGW_CLI_H

#include "config.h"

int cli_migrate(const struct config *cfg);
int cli_org(const struct config *cfg, int argc, char **argv);
int cli_cert(const struct config *cfg, int argc, char **argv);
int cli_audit(const struct config *cfg, int argc, char **argv);
/* Needs no configuration (no database). */
int cli_audit_keygen(int argc, char **argv);
int cli_seed(const struct config *cfg, int argc, char **argv);

#endif
