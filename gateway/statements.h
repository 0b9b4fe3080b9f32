/* statements: every SQL statement the gateway prepares, by name. */
#ifndef REFGW_STATEMENTS_H
#define REFGW_STATEMENTS_H

#include <stddef.h>

#include "db.h"

enum stmt_id {
	ST_AUTHENTICATE,
	ST_READY,
	ST_AUDIT_APPEND,
	ST_ORG_LIST,
	ST_ORG_GET,
	ST_ORG_INSERT,
	ST_ORG_UPDATE,
	ST_CERT_LIST,
	ST_CERT_GET,
	ST_CERT_INSERT,
	ST_CERT_REVOKE,
	ST_IDEM_CLAIM,
	ST_IDEM_GET,
	ST_IDEM_STORE,
	ST_COUNT
};

extern const struct db_stmt statements[ST_COUNT];

#endif
