/* idempotency: Idempotency-Key on creating POSTs.  Same key and same request
 * replays the first response byte for byte; same key and a different request
 * is refused with 422; concurrent requests with one key create once. */
#ifndef REFGW_IDEMPOTENCY_H
#define REFGW_IDEMPOTENCY_H

#include <stdbool.h>

#include "db.h"
#include "request.h"
#include "rows.h"

/* The stored outcome of a key (never rendered: replayed byte for byte). */
#define IDEM_COLUMNS(C)                                                                            \
	C(IDEM_HASH, "request_hash", "encode(request_hash, 'hex')", COL_KEY, 0, NULL)              \
	C(IDEM_ROUTE, "route", "route", COL_KEY, 0, NULL)                                          \
	C(IDEM_STATUS, "status", "status", COL_KEY, 0, NULL)                                       \
	C(IDEM_RESPONSE, "response", "response", COL_KEY, 0, NULL)                                 \
	C(IDEM_LOCATION, "location", "location", COL_KEY, 0, NULL)                                 \
	C(IDEM_ETAG, "etag", "etag", COL_KEY, 0, NULL)                                             \
	C(IDEM_PERSON, "person_id", "person_id", COL_KEY, 0, NULL)

enum idem_col { IDEM_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc idem_row;

/* Claims key for r inside r's transaction.  Returns 0 when r must run (the
 * key is new), or the status of the answer already set on r (a replay, or a
 * refusal). */
int idem_claim(struct request *r, const char *key);
/* Stores r's successful answer under key and commits, in one round trip:
 * *commit says whether COMMIT went through.  -1: the record could not be
 * written (nothing committed), the request must fail. */
int idem_store(struct request *r, const char *key, enum db_status *commit);

#endif
