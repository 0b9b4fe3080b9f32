/* certificates: registration, confirmation and revocation of organisations'
 * client certificates. */
#ifndef REFGW_CERTIFICATES_H
#define REFGW_CERTIFICATES_H

#include "request.h"
#include "rows.h"

/* A registered certificate.  Its status: revoked once revoked, pending until
 * confirmed (schema/017), else active.  revoked_at and revocation_reason
 * only once revoked (the reason then null when none was given);
 * confirmed_at, registered_by, confirmed_by null when not confirmed yet or
 * when the operator's CLI registered or confirmed it. */
#define CERT_COLUMNS(C)                                                                            \
	C(CERT_SHA256, "sha256", "encode(sha256, 'hex')", COL_PLAIN, 0, NULL)                      \
	C(CERT_ORG, "organisation_id", "organisation_id", COL_PLAIN, 0, NULL)                      \
	C(CERT_SUBJECT, "subject", "subject", COL_STRING, 0, NULL)                                 \
	C(CERT_ISSUER, "issuer", "issuer", COL_STRING, 0, NULL)                                    \
	C(CERT_SERIAL, "serial", "serial", COL_STRING, 0, NULL)                                    \
	C(CERT_NOT_BEFORE, "not_before", TS("not_before"), COL_PLAIN, 0, NULL)                     \
	C(CERT_NOT_AFTER, "not_after", TS("not_after"), COL_PLAIN, 0, NULL)                        \
	C(CERT_REGISTERED, "registered_at", TS("registered_at"), COL_PLAIN, 0, NULL)               \
	C(CERT_STATUS, "status",                                                                   \
	  "CASE WHEN revoked_at IS NOT NULL THEN 'revoked' "                                       \
	  "WHEN confirmed_at IS NULL THEN 'pending' ELSE 'active' END",                            \
	  COL_PLAIN, 0, NULL)                                                                      \
	C(CERT_REVOKED, "revoked_at", TS("revoked_at"), COL_PLAIN, COL_OMIT_NULL, NULL)            \
	C(CERT_REVOCATION_REASON, "revocation_reason",                                             \
	  "CASE WHEN revoked_at IS NOT NULL THEN "                                                 \
	  "coalesce(to_jsonb(revocation_reason), 'null')::text END",                               \
	  COL_JSON, COL_OMIT_NULL, NULL)                                                           \
	C(CERT_CONFIRMED, "confirmed_at", TS("confirmed_at"), COL_PLAIN, COL_NULLABLE, NULL)       \
	C(CERT_REGISTERED_BY, "registered_by", "registered_by", COL_PLAIN, COL_NULLABLE, NULL)     \
	C(CERT_CONFIRMED_BY, "confirmed_by", "confirmed_by", COL_PLAIN, COL_NULLABLE, NULL)

/* What refgw_confirm_certificate decided (schema/017): confirmed,
 * unchanged, not_found, revoked, organisation_must_confirm, four_eyes,
 * forbidden. */
#define CERT_VERDICT_COLUMNS(C)                                                                    \
	C(CERT_VERDICT, "verdict",                                                                 \
	  "refgw_confirm_certificate($organisation::uuid, "                                        \
	  "decode($sha256, 'hex'))",                                                               \
	  COL_KEY, 0, NULL)

enum cert_col { CERT_COLUMNS(COLUMN_ENUM) };
enum cert_verdict_col { CERT_VERDICT_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc cert_row, cert_verdict_row;

int handle_cert_list(struct request *r);
int handle_cert_register(struct request *r);
int handle_cert_revoke(struct request *r);
int handle_cert_confirm(struct request *r);
/* POST /v1/me/certificates */
int handle_me_cert_register(struct request *r);

#endif
