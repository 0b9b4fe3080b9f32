/* persons: pseudonymous persons, and the key that protects their national
 * register numbers. */
#ifndef REFGW_PERSONS_H
#define REFGW_PERSONS_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "rows.h"

/* A person as its creator sees it on creation (the NISS never leaves). */
#define PERSON_COLUMNS(C)                                                                          \
	C(PERSON_ID, "id", "id", COL_PLAIN, 0, NULL)                                               \
	C(PERSON_EXTERNAL_REF, "external_ref", "external_ref", COL_STRING, COL_NULLABLE, NULL)     \
	C(PERSON_BIRTH_YEAR, "birth_year", "birth_year", COL_INTEGER, COL_NULLABLE, NULL)          \
	C(PERSON_CREATED, "created_at", TS("created_at"), COL_PLAIN, 0, NULL)

/* Whether the caller follows a person it can see (its creator, or a party
 * to an open referral for them): who may record their consent. */
#define PERSON_VISIBLE_COLUMNS(C)                                                                  \
	C(PERSON_FOLLOWED, "followed", "refgw_caller_follows(id)", COL_KEY, 0, NULL)

enum person_col { PERSON_COLUMNS(COLUMN_ENUM) };
enum person_visible_col { PERSON_VISIBLE_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc person_row, person_visible_row;

/* The HMAC key for national register numbers (REFGW_NISS_KEY_FILE). */
int persons_init(const char *key_file, bool required, char *err, size_t errlen);
bool niss_valid(const char *niss);

int handle_person_create(struct request *r);

#endif
