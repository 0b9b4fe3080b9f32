/* audit: the append-only, hash-chained log of every coordinator action and
 * every access to personal data, written in the same transaction as the
 * action (no log, no answer), and its verification. */
#ifndef REFGW_AUDIT_H
#define REFGW_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "request.h"
#include "rows.h"
#include "util.h"

/* The verification's walk over the log (ST_AUDIT_WALK, read through a
 * cursor): every column as text, as the chain's hash covers it. */
#define AUDIT_WALK_COLUMNS(C)                                                                      \
	C(WALK_LANE, "lane", "a.lane::text", COL_KEY, 0, NULL)                                     \
	C(WALK_SEQ, "seq", "a.seq::text", COL_KEY, 0, NULL)                                        \
	C(WALK_AT_US, "at_us", "(extract(epoch FROM a.at) * 1000000)::bigint::text", COL_KEY, 0,   \
	  NULL)                                                                                    \
	C(WALK_ORG, "organisation_id", "a.organisation_id::text", COL_KEY, 0, NULL)                \
	C(WALK_CERT, "certificate_sha256", "encode(a.certificate_sha256, 'hex')", COL_KEY, 0,      \
	  NULL)                                                                                    \
	C(WALK_REQUEST, "request_id", "a.request_id", COL_KEY, 0, NULL)                            \
	C(WALK_ACTION, "action", "a.action", COL_KEY, 0, NULL)                                     \
	C(WALK_RTYPE, "resource_type", "a.resource_type", COL_KEY, 0, NULL)                        \
	C(WALK_RID, "resource_id", "a.resource_id", COL_KEY, 0, NULL)                              \
	C(WALK_PERSON, "person_id", "a.person_id::text", COL_KEY, 0, NULL)                         \
	C(WALK_DETAIL, "detail", "a.detail::text", COL_KEY, 0, NULL)                               \
	C(WALK_USER, "user_id", "a.user_id::text", COL_KEY, 0, NULL)                               \
	C(WALK_USER_LABEL, "user_label", "a.user_label", COL_KEY, 0, NULL)                         \
	C(WALK_PREV_HASH, "prev_hash", "encode(a.prev_hash, 'hex')", COL_KEY, 0, NULL)             \
	C(WALK_HASH, "hash", "encode(a.hash, 'hex')", COL_KEY, 0, NULL)

/* A lane whose head does not match its last row (ST_AUDIT_HEAD_BROKEN). */
#define AUDIT_HEAD_COLUMNS(C)                                                                      \
	C(HEAD_LANE, "lane", "h.lane::text", COL_KEY, 0, NULL)                                     \
	C(HEAD_SEQ, "seq", "h.seq::text", COL_KEY, 0, NULL)

enum audit_walk_col { AUDIT_WALK_COLUMNS(COLUMN_ENUM) };
enum audit_head_col { AUDIT_HEAD_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc audit_walk_row, audit_head_row;

struct db_conn;

/* One row as text, exactly as PostgreSQL prints its columns. */
struct audit_row {
	const char *lane, *seq, *at_us, *organisation_id, *certificate_hex, *request_id, *action,
		*resource_type, *resource_id, *person_id, *detail;
	/* A signed-in person (schema/053): NULL for a system's row. */
	const char *user_id, *user_label;
};

/* Appends, in r's transaction.  -1 means the caller must fail the request. */
/* The certificate an audit row names: NULL for a signed-in person. */
const char *audit_certificate(const struct request *r);
int audit_record(struct request *r, const char *action, const char *resource_type,
		 const char *resource_id, const char *person_id, json_t *detail) MUSTCHECK;
/* One `action` row per referral read at once (e.g. the candidates of a
 * unit): referrals and persons are PostgreSQL array literals of the same
 * length, "{id,id}" and "{person,person}". */
int audit_record_reads(struct request *r, const char *action, const char *referrals,
		       const char *persons, json_t *detail) MUSTCHECK;
/* The same for resources of another type: ids and persons as above; a
 * person may be NULL. */
int audit_record_reads_of(struct request *r, const char *action, const char *resource_type,
			  const char *ids, const char *persons, json_t *detail) MUSTCHECK;
/* One `action` row per row of a page (the first n rows of res) that shows
 * personal data -- its column `shown`, or `also` (-1: none), not NULL --
 * naming the row's id (column id_col) and its person (person_col).  The
 * lists of proposals, occupancies and persons (issue 18).  0 when nothing
 * was shown. */
int audit_record_page(struct request *r, const char *action, const char *resource_type,
		      const struct db_res *res, int n, int id_col, int person_col, int shown,
		      int also, json_t *detail) MUSTCHECK;
/* The same on a connection outside a request: the CLI, connected as the schema
 * owner, through refgw_audit_append_system (no organisation), in its transaction. */
int audit_record_conn(struct db_conn *c, const char *request_id, const char *action,
		      const char *resource_type, const char *resource_id, json_t *detail) MUSTCHECK;

/* The bytes a row's hash covers (see refgw_audit_canonical in schema/). */
int audit_canonical(const struct audit_row *row, struct buf *out) MUSTCHECK;
/* hash = sha256(prev || canonical). */
void audit_hash(const unsigned char *prev, size_t prevlen, const struct buf *canonical,
		unsigned char out[32]);

struct audit_report {
	long rows;
	long lanes;
	bool ok;
	char first_broken[512]; /* names the first broken row, when !ok */
};

/* Recomputes every lane of the chain.  Returns -1 on a database error. */
int audit_verify(struct db_conn *c, struct audit_report *rep) MUSTCHECK;

#endif
