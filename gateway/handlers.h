/* handlers: one function per route, int handle_x(struct request *). */
#ifndef REFGW_HANDLERS_H
#define REFGW_HANDLERS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"

int handle_me(struct request *r);
int handle_org_list(struct request *r);
int handle_org_get(struct request *r);
int handle_org_create(struct request *r);
int handle_org_update(struct request *r);
int handle_cert_list(struct request *r);
int handle_cert_register(struct request *r);
int handle_cert_revoke(struct request *r);
int handle_cert_confirm(struct request *r);
int handle_me_cert_register(struct request *r);
int handle_person_create(struct request *r);
int handle_consent_create(struct request *r);
int handle_consent_list(struct request *r);
int handle_consent_withdraw(struct request *r);
int handle_referral_create(struct request *r);
int handle_referral_list(struct request *r);
int handle_referral_get(struct request *r);
int handle_referral_transition(struct request *r);
int handle_referral_history(struct request *r);
int handle_event_list(struct request *r);
int handle_rules_list(struct request *r);
int handle_rules_replace(struct request *r);
int handle_audit_list(struct request *r);
int handle_site_create(struct request *r);
int handle_unit_create(struct request *r);
int handle_unit_get(struct request *r);
int handle_unit_search(struct request *r);
int handle_unit_update(struct request *r);
int handle_proposal_create(struct request *r);
int handle_proposal_list(struct request *r);
int handle_proposal_decision(struct request *r);
int handle_unit_candidates(struct request *r);
int handle_occupancy_start(struct request *r);
int handle_occupancy_end(struct request *r);
int handle_occupancy_get(struct request *r);
int handle_report_occupancy(struct request *r);
int handle_report_referrals(struct request *r);

/* persons.c: the HMAC key for national register numbers. */
int persons_init(const char *key_file, bool required, char *err, size_t errlen);
bool niss_valid(const char *niss);

/* Shared by handlers. */
int reply_db_error(struct request *r, int db_status);
/* ?limit=: default 50, 1..200; -1 after answering 400. */
int query_limit(struct request *r);
/* If-Match: "N" → N; -1 after answering 428/400. */
long if_match_version(struct request *r);
bool is_coordinator(const struct request *r);
/* The organisation kinds, NULL-terminated. */
extern const char *const org_kinds[];
/* "a,b" (PostgreSQL's array_to_string) → ["a","b"]. */
json_t *json_split(const char *joined);
/* Keyset cursors: base64url of ["key","uuid"].  decode: 0 none, 1 found,
 * -1 after answering 400. */
int cursor_decode(struct request *r, char *key, size_t keylen, char id[37]);
json_t *cursor_encode(const char *key, const char *id);

/* The keyset of a first page: before every row (statements.c). */
#define KEYSET_FIRST_TIME "-infinity"
#define KEYSET_FIRST_ID "00000000-0000-0000-0000-000000000000"

struct db_res;
struct buf;
/* 200 {"items":[...],"next_cursor":...} from a page query that fetched
 * limit + 1 rows (column 0 the id, key_col the cursor's key), each row
 * written by write_row straight into the body: hot lists are not built
 * as jansson trees (docs/performance.md). */
int reply_page(struct request *r, const struct db_res *res, int limit, int key_col,
	       int (*write_row)(struct buf *b, const struct db_res *res, int row));
/* The start of such a body: {"items":[the first n rows],"next_cursor":
 * -- the caller appends its cursor and the closing brace. */
int write_items(struct buf *b, const struct db_res *res, int n,
		int (*write_row)(struct buf *b, const struct db_res *res, int row)) MUSTCHECK;

#endif
