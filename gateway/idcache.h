/* idcache: who a certificate belongs to, remembered for a short time so that
 * GET /v1/me -- the call partners make to check their set-up, and poll as a
 * liveness probe -- costs no database transaction.  Only that route reads
 * it: every other route authenticates in its own transaction, so data access
 * always follows the database.  The storage of identity.c, which alone calls
 * it (when to read, store, drop and re-read: identity.h).
 *
 * An entry is served only while (a) it is younger than the configured time
 * to live, (b) the LISTEN connection is up and no refgw_identity
 * notification (any change to organisations, certificates or access rules,
 * from any instance; schema/014) arrived since its database read began, and
 * (c) this process committed no identity change since then.  A revocation
 * made through this instance applies to its next request; through another
 * instance, once the notification arrives (milliseconds; docs/security.md). */
#ifndef REFGW_IDCACHE_H
#define REFGW_IDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "request.h"

/* ttl_ms 0 turns the cache off. */
void idcache_configure(long ttl_ms);

/* The generation to store a read under: take it before the database read.
 * 0 when nothing may be cached now (cache off, listener down). */
uint64_t idcache_generation(void);

/* Fills who's organisation (id, name, kind) and the caller's allowed actions
 * for this certificate, if an entry may be served.  *refresh: the entry is
 * past its time to live (still served, for one more at most) and this
 * caller is the one to have it re-read, off the request path. */
bool idcache_get(const char *cert_sha256, uint64_t now_us, struct identity *who, char *actions,
		 size_t actions_len, bool *refresh);
/* Stores nothing for an identity whose certificate is not confirmed. */
void idcache_put(uint64_t generation, const char *cert_sha256, uint64_t now_us,
		 const struct identity *who, const char *actions);

/* A re-read found the certificate refused (unknown, revoked, suspended):
 * forget it now rather than serve it until it expires. */
void idcache_drop(const char *cert_sha256);

/* This process committed a change to organisations, certificates or access
 * rules: no entry read before it may be served. */
void idcache_invalidate(void);

#endif
