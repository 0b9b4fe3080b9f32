/* chain_verify: the rolling verification of the audit chain (schema/057,
 * 066), one step every period, on a thread and a database connection of
 * its own. */
#ifndef REFGW_CHAIN_VERIFY_H
#define REFGW_CHAIN_VERIFY_H

#include "util.h"

/* Starts the thread: a step at once, then one every period_s seconds, each
 * verifying up to rows audit rows (REFGW_AUDIT_VERIFY_ROWS). */
int chain_verify_start(const char *conninfo, long period_s, long rows) MUSTCHECK;
/* Stops it, after the step under way if any, and closes its connection. */
void chain_verify_stop(void);

#endif
