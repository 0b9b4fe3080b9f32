/* idempotency: Idempotency-Key on creating POSTs.  Same key and same request
 * replays the first response byte for byte; same key and a different request
 * is refused with 422; concurrent requests with one key create once. */
#ifndef REFGW_IDEMPOTENCY_H
#define REFGW_IDEMPOTENCY_H

#include <stdbool.h>

#include "request.h"

/* Claims key for r inside r's transaction.  Returns 0 when r must run (the
 * key is new), or the status of the answer already set on r (a replay, or a
 * refusal). */
int idem_claim(struct request *r, const char *key);
/* Stores r's successful answer under key.  -1: the request must fail. */
int idem_store(struct request *r, const char *key);

#endif
