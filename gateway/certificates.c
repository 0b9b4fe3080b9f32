/* certificates: registration, confirmation and revocation of organisations'
 * client certificates.  The gateway identifies a caller by the SHA-256 of its
 * certificate's DER, so registering (and confirming, for a certificate a
 * coordinator registered for someone else: schema/017) is what grants access
 * and revoking is what withdraws it, from the very next request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "handlers.h"
#include "statements.h"
#include "tls.h"
#include "validate.h"

static const struct field_spec register_fields[] = {
	{"pem", FT_STRING, true, 16384, 0, 0, NULL},
};
static const struct field_spec revoke_fields[] = {
	{"reason", FT_STRING, false, 500, 0, 0, NULL},
};

/* Row of CERT_COLS → JSON. */
static json_t *
cert_json(const struct db_res *res, int row)
{
	const char *status = !db_null(res, row, 8)   ? "revoked"
			     : db_null(res, row, 10) ? "pending"
						     : "active";
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "sha256",
			      db_val(res, row, 0), "organisation_id", db_val(res, row, 1),
			      "subject", db_val(res, row, 2), "issuer", db_val(res, row, 3),
			      "serial", db_val(res, row, 4), "not_before", db_val(res, row, 5),
			      "not_after", db_val(res, row, 6), "registered_at",
			      db_val(res, row, 7), "status", status);
	int col;

	if (!db_null(res, row, 8)) {
		json_object_set_new(j, "revoked_at", json_string(db_val(res, row, 8)));
		json_object_set_new(j, "revocation_reason",
				    db_null(res, row, 9) ? json_null()
							 : json_string(db_val(res, row, 9)));
	}
	/* NULL: not confirmed yet; registered or confirmed by the operator's CLI. */
	for (col = 10; col <= 12; col++) {
		static const char *const names[] = {"confirmed_at", "registered_by",
						    "confirmed_by"};
		json_object_set_new(j, names[col - 10],
				    db_null(res, row, col) ? json_null()
							   : json_string(db_val(res, row, col)));
	}
	return j;
}

static int
org_exists(struct request *r, const char *org, bool *exists)
{
	const char *params[1] = {org};
	struct db_res *res = NULL;
	enum db_status s = db_exec(r->db, ST_ORG_GET, 1, params, &res);

	if (s != DB_OK)
		return reply_db_error(r, s);
	*exists = db_rows(res) > 0;
	db_res_free(res);
	if (!*exists)
		return reply_problem(r, 404, "not-found", "Not found", "no organisation %s", org);
	return 0;
}

int
handle_cert_list(struct request *r)
{
	const char *params[1] = {r->params[0]};
	struct db_res *res = NULL;
	json_t *items;
	enum db_status s;
	bool exists;
	int i;

	/* Another organisation's certificates do not exist for the caller. */
	if (!is_coordinator(r) && strcmp(r->params[0], r->who.organisation_id) != 0)
		return reply_problem(r, 404, "not-found", "Not found", "no organisation %s",
				     r->params[0]);
	if (org_exists(r, r->params[0], &exists) != 0)
		return r->status;
	s = db_exec(r->db, ST_CERT_LIST, 1, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	items = json_array();
	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(items, cert_json(res, i));
	db_res_free(res);
	return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* Registers a certificate for organisation org.  PostgreSQL decides its state
 * (schema/017): active when the organisation registers it itself or when it
 * is the organisation's first, pending when a coordinator registers another. */
static int
register_for(struct request *r, const char *org)
{
	json_t *body = NULL, *detail = NULL;
	struct tls_cert_info info = {0};
	struct db_res *res = NULL;
	char why[256], nb[24], na[24];
	const char *params[8];
	enum db_status s;
	bool exists;
	int status;

	if ((body = body_json(r)) == NULL)
		return r->status;
	if (!validate_body(r, body, register_fields, ARRAY_LEN(register_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = org_exists(r, org, &exists)) != 0)
		goto out;
	{
		const char *pem = json_string_value(json_object_get(body, "pem"));
		if (tls_inspect_pem(pem, strlen(pem), &info, why, sizeof(why)) != 0) {
			status = reply_problem(r, 422, "certificate-refused", "Certificate refused",
					       "%s", why);
			goto out;
		}
	}
	snprintf(nb, sizeof(nb), "%lld", (long long)info.not_before);
	snprintf(na, sizeof(na), "%lld", (long long)info.not_after);
	params[0] = info.sha256_hex;
	params[1] = org;
	params[2] = info.subject;
	params[3] = info.issuer;
	params[4] = info.serial;
	params[5] = nb;
	params[6] = na;
	params[7] = info.pem;
	s = db_exec(r->db, ST_CERT_INSERT, 8, params, &res);
	if (s == DB_UNIQUE) {
		status = reply_problem(
			r, 409, "certificate-exists", "Certificate already registered",
			"the certificate sha256 %s is already registered", info.sha256_hex);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	detail = json_pack("{s:s, s:s, s:s}", "sha256", info.sha256_hex, "subject", info.subject,
			   "status", db_null(res, 0, 10) ? "pending" : "active");
	if (audit_record(r, "certificate.register", "organisation", org, NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/organisations/%s/certificates/%s", org,
		 info.sha256_hex);
	status = reply_json(r, 201, cert_json(res, 0));
out:
	tls_cert_info_free(&info);
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_cert_register(struct request *r)
{
	return register_for(r, r->params[0]);
}

/* POST /v1/me/certificates: rotation, authenticated by a current certificate
 * of the organisation itself. */
int
handle_me_cert_register(struct request *r)
{
	return register_for(r, r->who.organisation_id);
}

int
handle_cert_revoke(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	const char *params[3] = {r->params[0], r->params[1], NULL};
	enum db_status s;
	int status;

	/* The body is optional: {"reason": "..."}. */
	if (r->body.len > 0) {
		if ((body = body_json(r)) == NULL)
			return r->status;
		if (!validate_body(r, body, revoke_fields, ARRAY_LEN(revoke_fields))) {
			status = r->status;
			goto out;
		}
		params[2] = json_string_value(json_object_get(body, "reason"));
	}
	s = db_exec(r->db, ST_CERT_REVOKE, 3, params, &res);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		/* Unknown, or already revoked: revoking twice is a no-op, so that
		 * a retried call gets the same answer. */
		db_res_free(res);
		res = NULL;
		s = db_exec(r->db, ST_CERT_GET, 2, params, &res);
		if (s != DB_OK)
			status = reply_db_error(r, s);
		else if (db_rows(res) == 0)
			status = reply_problem(r, 404, "not-found", "Not found",
					       "organisation %s has no certificate %s",
					       r->params[0], r->params[1]);
		else
			status = reply_json(r, 200, cert_json(res, 0));
		goto out;
	}
	detail = json_pack("{s:s, s:s?}", "sha256", r->params[1], "reason", params[2]);
	if (audit_record(r, "certificate.revoke", "organisation", r->params[0], NULL, detail) !=
	    0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_json(r, 200, cert_json(res, 0));
out:
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

int
handle_cert_confirm(struct request *r)
{
	const char *params[2] = {r->params[0], r->params[1]};
	struct db_res *res = NULL;
	json_t *detail = NULL;
	enum db_status s;
	int status;
	char verdict[32];

	s = db_exec(r->db, ST_CERT_CONFIRM, 2, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	snprintf(verdict, sizeof(verdict), "%s", db_null(res, 0, 0) ? "" : db_val(res, 0, 0));
	db_res_free(res);
	res = NULL;
	if (strcmp(verdict, "not_found") == 0)
		return reply_problem(r, 404, "not-found", "Not found",
				     "organisation %s has no certificate %s", r->params[0],
				     r->params[1]);
	if (strcmp(verdict, "revoked") == 0)
		return reply_problem(r, 409, "certificate-not-pending", "Certificate revoked",
				     "the certificate %s is revoked: register a new one",
				     r->params[1]);
	if (strcmp(verdict, "organisation_must_confirm") == 0)
		return reply_problem(r, 409, "confirmation-by-organisation",
				     "The organisation confirms its certificates",
				     "organisation %s has an active certificate: it confirms the "
				     "certificate itself (POST this route with one of its own)",
				     r->params[0]);
	if (strcmp(verdict, "four_eyes") == 0)
		return reply_problem(
			r, 403, "four-eyes", "A second coordinator certificate must confirm",
			"the organisation has no active certificate: a coordinator "
			"certificate other than the one that registered this certificate, "
			"and not registered by it (nor it by this one), must confirm it");
	if (strcmp(verdict, "forbidden") == 0)
		return reply_problem(
			r, 403, "forbidden", "Forbidden",
			"only the organisation itself, or a coordinator when the "
			"organisation has no active certificate, confirms a certificate");
	if (strcmp(verdict, "confirmed") != 0 && strcmp(verdict, "unchanged") != 0)
		return reply_problem(r, 500, "internal", "Internal error",
				     "unexpected confirmation verdict (request id %s)", r->id);
	if (strcmp(verdict, "confirmed") == 0) {
		detail = json_pack("{s:s}", "sha256", r->params[1]);
		if (audit_record(r, "certificate.confirm", "organisation", r->params[0], NULL,
				 detail) != 0) {
			status = reply_problem(r, 500, "internal", "Internal error",
					       "the audit log could not be written (request id %s)",
					       r->id);
			goto out;
		}
	}
	s = db_exec(r->db, ST_CERT_GET, 2, params, &res);
	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found",
				       "organisation %s has no certificate %s", r->params[0],
				       r->params[1]);
	else
		status = reply_json(r, 200, cert_json(res, 0));
out:
	json_decref(detail);
	db_res_free(res);
	return status;
}
