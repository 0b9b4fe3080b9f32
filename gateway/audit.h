/* audit: the append-only, hash-chained log of every coordinator action and
 * every access to personal data, written in the same transaction as the
 * action (no log, no answer), and its verification. */
#ifndef REFGW_AUDIT_H
#define REFGW_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "request.h"
#include "util.h"

struct db_conn;

/* One row as text, exactly as PostgreSQL prints its columns. */
struct audit_row {
	const char *lane, *seq, *at_us, *organisation_id, *certificate_hex, *request_id, *action,
		*resource_type, *resource_id, *person_id, *detail;
};

/* Appends, in r's transaction.  -1 means the caller must fail the request. */
int audit_record(struct request *r, const char *action, const char *resource_type,
		 const char *resource_id, const char *person_id, json_t *detail) MUSTCHECK;
/* One `action` row per referral read at once (e.g. the candidates of a
 * unit): referrals and persons are PostgreSQL array literals of the same
 * length, "{id,id}" and "{person,person}". */
int audit_record_reads(struct request *r, const char *action, const char *referrals,
		       const char *persons, json_t *detail) MUSTCHECK;
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
