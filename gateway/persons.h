/* persons: pseudonymous persons, and the key that protects their national
 * register numbers. */
#ifndef REFGW_PERSONS_H
#define REFGW_PERSONS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "rows.h"

/* A person as its creator sees it on creation (the NISS never leaves);
 * external_ref and birth_year are sealed under the person's data key. */
#define PERSON_COLUMNS(C)                                                                          \
	C(PERSON_ID, "id", "id", COL_PLAIN, COL_PERSON, NULL)                                      \
	C(PERSON_EXTERNAL_REF, "external_ref", "external_ref", COL_STRING,                         \
	  COL_NULLABLE | COL_SEALED, NULL)                                                         \
	C(PERSON_BIRTH_YEAR, "birth_year", "birth_year", COL_INTEGER, COL_NULLABLE | COL_SEALED,   \
	  NULL)                                                                                    \
	C(PERSON_CREATED, "created_at", TS("created_at"), COL_PLAIN, 0, NULL)

/* A person in its creator's list (GET /v1/persons), newest first: an erased
 * person stays, with erased_at and without external_ref and birth_year
 * (erasure cleared them, schema/047). */
#define PERSON_LIST_COLUMNS(C)                                                                     \
	C(PERSON_LIST_ID, "id", "p.id", COL_PLAIN, COL_PERSON, NULL)                               \
	C(PERSON_LIST_EXTERNAL_REF, "external_ref",                                                \
	  "CASE WHEN p.erased_at IS NULL THEN p.external_ref END", COL_STRING,                     \
	  COL_NULLABLE | COL_SEALED, NULL)                                                         \
	C(PERSON_LIST_BIRTH_YEAR, "birth_year",                                                    \
	  "CASE WHEN p.erased_at IS NULL THEN p.birth_year END", COL_INTEGER,                      \
	  COL_NULLABLE | COL_SEALED, NULL)                                                         \
	C(PERSON_LIST_CREATED, "created_at", TS("p.created_at"), COL_PLAIN, 0, NULL)               \
	C(PERSON_LIST_ERASED, "erased_at", TS("p.erased_at"), COL_PLAIN, COL_NULLABLE, NULL)       \
	C(PERSON_LIST_KEY, "cursor_key", "p.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* Whether the caller follows a person it can see (its creator, or a party
 * to an open referral for them): who may record their consent. */
#define PERSON_VISIBLE_COLUMNS(C)                                                                  \
	C(PERSON_FOLLOWED, "followed", "refgw_caller_follows(id)", COL_KEY, 0, NULL)

/* Erasure (refgw_erase_person, schema/047): the answer is the person's id
 * and when they were erased; the rest is for the audit row. */
#define PERSON_ERASURE_COLUMNS(C)                                                                  \
	C(ERASURE_ID, "id", "$id::text", COL_PLAIN, 0, NULL)                                       \
	C(ERASURE_AT, "erased_at", TS("e.erased_at"), COL_PLAIN, COL_NULLABLE, NULL)               \
	C(ERASURE_OUTCOME, "outcome", "e.outcome", COL_KEY, 0, NULL)                               \
	C(ERASURE_CONSENTS, "consents_withdrawn", "e.consents_withdrawn", COL_KEY, 0, NULL)        \
	C(ERASURE_REFERRALS, "referrals_closed", "e.referrals_closed", COL_KEY, 0, NULL)           \
	C(ERASURE_TOLD, "organisations_told", "e.organisations_told", COL_KEY, 0, NULL)

enum person_col { PERSON_COLUMNS(COLUMN_ENUM) };
enum person_list_col { PERSON_LIST_COLUMNS(COLUMN_ENUM) };
enum person_erasure_col { PERSON_ERASURE_COLUMNS(COLUMN_ENUM) };
enum person_visible_col { PERSON_VISIBLE_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc person_row, person_list_row, person_visible_row, person_erasure_row;

/* The HMAC key for national register numbers (REFGW_NISS_KEY_FILE). */
int persons_init(const char *key_file, bool required, char *err, size_t errlen);
bool niss_valid(const char *niss);
/* HMAC-SHA256 under that key (-1 when there is none): what the database
 * keeps to recognise a request (idempotency.c) without holding a digest of
 * its body that trying the national register numbers would reverse. */
int persons_keyed_digest(const void *data, size_t len, unsigned char out[32]) MUSTCHECK;

int handle_person_create(struct request *r);
/* GET /v1/persons: the persons the calling organisation recorded. */
int handle_person_list(struct request *r);
/* DELETE /v1/persons/{id}: erasure by crypto-shredding (docs/data-protection.md). */
int handle_person_erase(struct request *r);

#endif
