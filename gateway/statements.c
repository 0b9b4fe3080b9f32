/* statements: the gateway's SQL, in one place.  Parameters only; every
 * statement runs inside the request's transaction, after
 * refgw_authenticate() has set the calling organisation for row-level
 * security. */
#include "statements.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* id, name, kind, programs, status, version, created_at, updated_at */
#define ORG_COLS "id, name, kind, array_to_string(programs, ','), status, version, " \
		 TS("created_at") ", " TS("updated_at")

/* sha256, organisation_id, subject, issuer, serial, not_before, not_after,
 * registered_at, revoked_at, revocation_reason */
#define CERT_COLS "encode(sha256, 'hex'), organisation_id, subject, issuer, serial, " \
		  TS("not_before") ", " TS("not_after") ", " TS("registered_at") ", " \
		  TS("revoked_at") ", revocation_reason"

const struct db_stmt statements[ST_COUNT] = {
    [ST_AUTHENTICATE] = {"authenticate",
			 "SELECT organisation_id, organisation_name, kind, org_status, revoked, org_set, "
			 "coalesce(actions, '') "
			 "FROM refgw_authenticate(decode($1, 'hex'))",
			 1},
    [ST_READY] = {"ready", "SELECT coalesce(max(version), 0) FROM schema_migrations", 0},
    [ST_AUDIT_APPEND] = {"audit_append",
			 "SELECT refgw_audit_append(decode($1, 'hex'), $2, $3, $4, $5, $6::uuid, $7::jsonb)",
			 7},
    [ST_ORG_LIST] = {"org_list",
		     "SELECT " ORG_COLS " FROM organisations "
		     "WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid) "
		     "ORDER BY name, id LIMIT $3::int",
		     3},
    [ST_ORG_GET] = {"org_get", "SELECT " ORG_COLS " FROM organisations WHERE id = $1::uuid", 1},
    [ST_ORG_INSERT] = {"org_insert",
		       "INSERT INTO organisations (name, kind, programs, status) "
		       "VALUES ($1, $2, string_to_array($3, ','), $4) RETURNING " ORG_COLS,
		       4},
    [ST_ORG_UPDATE] = {"org_update",
		       "UPDATE organisations SET name = coalesce($2, name), "
		       "programs = coalesce(string_to_array($3, ','), programs), "
		       "status = coalesce($4, status), version = version + 1, updated_at = now() "
		       "WHERE id = $1::uuid AND version = $5::int RETURNING " ORG_COLS,
		       5},
    [ST_CERT_LIST] = {"cert_list",
		      "SELECT " CERT_COLS " FROM certificates WHERE organisation_id = $1::uuid "
		      "ORDER BY registered_at, sha256",
		      1},
    [ST_CERT_GET] = {"cert_get",
		     "SELECT " CERT_COLS " FROM certificates "
		     "WHERE organisation_id = $1::uuid AND sha256 = decode($2, 'hex')",
		     2},
    [ST_CERT_INSERT] = {"cert_insert",
			"INSERT INTO certificates (sha256, organisation_id, subject, issuer, serial, "
			"not_before, not_after, pem) VALUES (decode($1, 'hex'), $2::uuid, $3, $4, $5, "
			"to_timestamp($6::bigint), to_timestamp($7::bigint), $8) RETURNING " CERT_COLS,
			8},
    [ST_CERT_REVOKE] = {"cert_revoke",
			"UPDATE certificates SET revoked_at = now(), revocation_reason = $3 "
			"WHERE organisation_id = $1::uuid AND sha256 = decode($2, 'hex') "
			"AND revoked_at IS NULL RETURNING " CERT_COLS,
			3},
    [ST_IDEM_CLAIM] = {"idem_claim",
		       "INSERT INTO idempotency_keys (organisation_id, key, route, request_hash) "
		       "VALUES (refgw_caller(), $1, $2, decode($3, 'hex')) "
		       "ON CONFLICT DO NOTHING RETURNING 1",
		       3},
    [ST_IDEM_GET] = {"idem_get",
		     "SELECT encode(request_hash, 'hex'), route, status, response, location, etag "
		     "FROM idempotency_keys WHERE organisation_id = refgw_caller() AND key = $1",
		     1},
    [ST_IDEM_STORE] = {"idem_store",
		       "UPDATE idempotency_keys SET status = $2::int, response = $3, location = $4, "
		       "etag = $5 WHERE organisation_id = refgw_caller() AND key = $1",
		       5},
};
