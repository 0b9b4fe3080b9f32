/* journal: the person's own journal without eID (issue 18, schema/054).
 * The organisation that recorded a consent gives its slip a receipt code
 * (POST /v1/consents/{id}/receipt, shown once; DELETE revokes it); whoever
 * holds the code reads, on the browser listener and without a session,
 * which organisations recorded, read, received or exported the person's
 * data, when and for what purpose (POST /v1/journal/entries): no staff
 * name, no certificate, no data.  The code is 128 bits from RAND_bytes in
 * Crockford base32; only its SHA-256 is stored. */
#ifndef REFGW_JOURNAL_H
#define REFGW_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "request.h"
#include "rows.h"

#define RECEIPT_CODE_BYTES 16
/* 26 base32 digits in groups of 4 ("K7QD-R2M9-...-HJ"), and the NUL. */
#define RECEIPT_CODE_LEN 33
/* The longest code a body may carry (spaces and hyphens as a person types). */
#define RECEIPT_CODE_INPUT_MAX 64

/* A receipt as the statements answer it. */
#define RECEIPT_COLUMNS(C)                                                                         \
	C(RECEIPT_CONSENT, "consent_id", "cr.consent_id", COL_PLAIN, 0, NULL)                      \
	C(RECEIPT_PERSON, "person_id", "cr.person_id", COL_KEY, 0, NULL)                           \
	C(RECEIPT_ISSUED, "issued_at", TS("cr.issued_at"), COL_PLAIN, 0, NULL)                     \
	C(RECEIPT_REVOKED, "revoked_at", TS("cr.revoked_at"), COL_PLAIN, COL_OMIT_NULL, NULL)

enum receipt_col { RECEIPT_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc receipt_row;

/* 16 bytes as the printed code (RECEIPT_CODE_LEN with its NUL). */
void receipt_code_encode(const unsigned char raw[RECEIPT_CODE_BYTES], char out[RECEIPT_CODE_LEN]);
/* A code as typed back (any case; hyphens and spaces anywhere; I and L
 * read as 1, O as 0): true and raw filled when it is one. */
bool receipt_code_decode(const char *in, unsigned char raw[RECEIPT_CODE_BYTES]);

int handle_receipt_issue(struct request *r);
int handle_receipt_revoke(struct request *r);
int handle_journal_read(struct request *r);

#endif
