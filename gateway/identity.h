/* identity: who is calling.  Authenticates a request's certificate
 * fingerprint in the request's own transaction (refgw_authenticate, which
 * also sets the caller for row-level security), and keeps the identity cache
 * that a route needing no action may answer from (GET /v1/me; idcache.c is
 * its storage, used by this module alone) with the thread that re-reads its
 * stale entries off the request path. */
#ifndef REFGW_IDENTITY_H
#define REFGW_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"
#include "rows.h"
#include "util.h"

/* What refgw_authenticate(fingerprint, action) answers (schema/017). */
#define IDENTITY_COLUMNS(C)                                                                        \
	C(IDENTITY_ORG, "organisation_id", "organisation_id", COL_KEY, 0, NULL)                    \
	C(IDENTITY_ORG_NAME, "organisation_name", "organisation_name", COL_KEY, 0, NULL)           \
	C(IDENTITY_KIND, "kind", "kind", COL_KEY, 0, NULL)                                         \
	C(IDENTITY_ORG_STATUS, "org_status", "org_status", COL_KEY, 0, NULL)                       \
	C(IDENTITY_REVOKED, "revoked", "revoked", COL_KEY, 0, NULL)                                \
	C(IDENTITY_ORG_SET, "org_set", "org_set", COL_KEY, 0, NULL)                                \
	C(IDENTITY_MAY, "may", "may", COL_KEY, 0, NULL)                                            \
	C(IDENTITY_PENDING, "pending", "pending", COL_KEY, 0, NULL)

enum identity_col { IDENTITY_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc identity_row;

/* Sets the cache's time to live (0 turns it off) and starts the refresher
 * thread: before requests are served; identity_stop after the last one. */
int identity_start(long cache_ttl_ms) MUSTCHECK;
void identity_stop(void);

/* BEGIN on r->db and refgw_authenticate(fingerprint, action) in one round
 * trip.  Returns 0 with r->who filled and r->authenticated set, or the
 * status it answered (401, 403, or the database's error). */
int identity_authenticate(struct request *r, const char *cert_sha256, const char *action) MUSTCHECK;

/* The same for a person on the browser listener: BEGIN and
 * refgw_session_authenticate(session hash, action, idle timeout) in one
 * round trip (schema/052), which checks the session, its user and its
 * organisation, and sets the organisation and the user for row-level
 * security and the audit.  Returns 0 with r->who filled (user included), or
 * the status it answered (401 unauthenticated, or the database's error). */
int identity_authenticate_session(struct request *r, const char *session_hash,
				  const char *action) MUSTCHECK;
/* Fills r->who from row 0 of what refgw_session_authenticate answered. */
int identity_from_session(struct request *r, const struct db_res *res) MUSTCHECK;

/* For a route that needs no action and answers from r->who and
 * r->caller_actions when r->db is NULL (reading them itself when it has a
 * connection): answers r with answer from the cache, without a transaction,
 * when an entry may be served, and has a stale one re-read in the
 * background by the same answer.  false: no entry, nothing answered. */
bool identity_answer_from_cache(struct request *r, const char *cert_sha256,
				int (*answer)(struct request *r));

/* The generation to remember a read under: take it before the database read.
 * 0 when nothing may be remembered now (cache off, listener down). */
uint64_t identity_cache_generation(void);
/* Remembers r's identity and allowed actions for this certificate. */
void identity_cache_put(uint64_t generation, const char *cert_sha256, const struct request *r);
/* This process committed a change to organisations, certificates or access
 * rules: no entry read before it may be served. */
void identity_cache_invalidate(void);

#endif
