/* certificates: registration, confirmation and revocation of organisations'
 * client certificates.  The gateway identifies a caller by the SHA-256 of its
 * certificate's DER, so registering (and confirming, for a certificate a
 * coordinator registered for someone else: schema/017) is what grants access
 * and revoking is what withdraws it, from the very next request. */
#include "certificates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "statements.h"
#include "tls.h"
#include "validate.h"

static const struct field_spec register_fields[] = {
	{"pem", FT_STRING, true, 16384, 0, 0, NULL},
};
static const struct field_spec revoke_fields[] = {
	{"reason", FT_STRING, false, 500, 0, 0, NULL},
};

/* 0 when organisation org exists, else the status answered (404 or the
 * database's error). */
static int
org_exists(struct request *r, const char *org)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_ORG_GET, &res, "id", org, (char *)NULL);
	int status = 0;

	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s", org);
	db_res_free(res);
	return status;
}

/* The certificate organisation/sha256 as the response, whatever its state
 * (a retried revocation, a confirmation). */
static int
reply_cert(struct request *r, const char *org, const char *sha256)
{
	struct db_res *res = NULL;
	enum db_status s = db_query(r->db, ST_CERT_GET, &res, "organisation", org, "sha256", sha256,
				    (char *)NULL);
	int status;

	if (s != DB_OK)
		status = reply_db_error(r, s);
	else if (db_rows(res) == 0)
		status = reply_problem(r, 404, "not-found", "Not found",
				       "organisation %s has no certificate %s", org, sha256);
	else
		status = reply_row(r, 200, &cert_row, res, 0, ROW_PUBLIC);
	db_res_free(res);
	return status;
}

int
handle_cert_list(struct request *r)
{
	struct db_res *res = NULL;
	struct buf out;
	enum db_status s;
	size_t n;
	int status = 500;

	buf_init(&out, 16u << 20);
	/* Another organisation's certificates do not exist for the caller. */
	if (!is_coordinator(r) && strcmp(r->params[0], r->who.organisation_id) != 0) {
		status = reply_problem(r, 404, "not-found", "Not found", "no organisation %s",
				       r->params[0]);
		goto out;
	}
	if ((status = org_exists(r, r->params[0])) != 0)
		goto out;
	s = db_query(r->db, ST_CERT_LIST, &res, "organisation", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	/* Every certificate at once: the list has no further page. */
	if (write_rows(&out, res, db_rows(res), &cert_row) != 0 ||
	    APPEND_LITERAL(&out, "null}") != 0) {
		status = reply_internal(r);
		goto out;
	}
	n = out.len;
	status = reply_json_text(r, 200, buf_steal(&out), n);
out:
	buf_free(&out);
	db_res_free(res);
	return status;
}

/* Registers a certificate for the organisation of the route, or for the
 * caller itself on POST /v1/me/certificates (a route without {id}).
 * PostgreSQL decides its state (schema/017): active when the organisation
 * registers it itself or when it is the organisation's first, pending when a
 * coordinator registers another. */
int
handle_cert_register(struct request *r)
{
	const char *org = r->nparams > 0 ? r->params[0] : r->who.organisation_id;
	json_t *body = NULL, *detail = NULL;
	struct tls_cert_info info = {0};
	struct db_res *res = NULL;
	char why[256], nb[24], na[24];
	enum db_status s;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, register_fields, ARRAY_LEN(register_fields))) {
		status = r->status;
		goto out;
	}
	if ((status = org_exists(r, org)) != 0)
		goto out;
	{
		const char *pem = json_string_value(json_object_get(body, "pem"));
		if (tls_inspect_pem(pem, strlen(pem), &info, why, sizeof(why)) != 0) {
			status = reply_problem(r, 422, "certificate-refused", "Certificate refused",
					       "%s", tr(r, why));
			goto out;
		}
	}
	snprintf(nb, sizeof(nb), "%lld", (long long)info.not_before);
	snprintf(na, sizeof(na), "%lld", (long long)info.not_after);
	s = db_query(r->db, ST_CERT_INSERT, &res, "sha256", info.sha256_hex, "organisation", org,
		     "subject", info.subject, "issuer", info.issuer, "serial", info.serial,
		     "not_before", nb, "not_after", na, "pem", info.pem, (char *)NULL);
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
			   "status", row_val(res, 0, CERT_STATUS));
	if (audit_record(r, "certificate.register", "organisation", org, NULL, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/organisations/%s/certificates/%s", org,
		 info.sha256_hex);
	status = reply_row(r, 201, &cert_row, res, 0, ROW_PUBLIC);
out:
	tls_cert_info_free(&info);
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* POST /v1/me/certificates: rotation, authenticated by a current certificate
 * of the organisation itself. */
int
handle_me_cert_register(struct request *r)
{
	int status = 500;

	/* The route has no {id}: handle_cert_register registers for the caller. */
	if (r->nparams != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = handle_cert_register(r);
out:
	return status;
}

int
handle_cert_revoke(struct request *r)
{
	json_t *body = NULL, *detail = NULL;
	struct db_res *res = NULL;
	const char *reason = NULL;
	enum db_status s;
	int status = 500;

	/* The body is optional: {"reason": "..."}. */
	if (r->body.len > 0) {
		if ((body = body_json(r)) == NULL) {
			status = r->status;
			goto out;
		}
		if (!validate_body(r, body, revoke_fields, ARRAY_LEN(revoke_fields))) {
			status = r->status;
			goto out;
		}
		reason = json_string_value(json_object_get(body, "reason"));
	}
	s = db_query(r->db, ST_CERT_REVOKE, &res, "organisation", r->params[0], "sha256",
		     r->params[1], "reason", reason, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 0) {
		/* Unknown, or already revoked: revoking twice is a no-op, so that
		 * a retried call gets the same answer. */
		status = reply_cert(r, r->params[0], r->params[1]);
		goto out;
	}
	detail = json_pack("{s:s, s:s?}", "sha256", r->params[1], "reason", reason);
	if (audit_record(r, "certificate.revoke", "organisation", r->params[0], NULL, detail) !=
	    0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_row(r, 200, &cert_row, res, 0, ROW_PUBLIC);
out:
	json_decref(detail);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* What each refusal of refgw_confirm_certificate answers. */
static int
reply_verdict(struct request *r, const char *verdict)
{
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
	return reply_problem(r, 500, "internal", "Internal error",
			     "unexpected confirmation verdict (request id %s)", r->id);
}

int
handle_cert_confirm(struct request *r)
{
	struct db_res *res = NULL;
	json_t *detail = NULL;
	const char *verdict;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_CERT_CONFIRM, &res, "organisation", r->params[0], "sha256",
		     r->params[1], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	verdict = row_val(res, 0, CERT_VERDICT);
	if (strcmp(verdict, "confirmed") != 0 && strcmp(verdict, "unchanged") != 0) {
		status = reply_verdict(r, verdict);
		goto out;
	}
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
	status = reply_cert(r, r->params[0], r->params[1]);
out:
	json_decref(detail);
	db_res_free(res);
	return status;
}
