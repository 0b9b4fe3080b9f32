/* persons: pseudonymous persons.  The gateway knows a person by an opaque
 * id; the creator's own file number (external_ref) is shown to the creator
 * only; a national register number (NISS) is kept only as an HMAC under a
 * server key, so two organisations' records of one person can be linked
 * without the number being readable. */
#include "persons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "keystore.h"
#include "seal.h"
#include "statements.h"
#include "validate.h"

static unsigned char niss_key[64];
static size_t niss_key_len;

int
persons_init(const char *key_file, bool required, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;

	if (read_file(key_file, 1024, &text, &len) != 0) {
		if (required) {
			snprintf(err, errlen, "REFGW_NISS_KEY_FILE: cannot read %s", key_file);
			return -1;
		}
		return 0; /* national register numbers will be refused */
	}
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (len < 64 || len > 128 || len % 2 || hex_decode(text, niss_key, len / 2) != 0) {
		wipe(text, len);
		free(text);
		snprintf(err, errlen, "REFGW_NISS_KEY_FILE: %s must hold 32 to 64 bytes in hex",
			 key_file);
		return -1;
	}
	niss_key_len = len / 2;
	wipe(text, len);
	free(text);
	return 0;
}

int
persons_keyed_digest(const void *data, size_t len, unsigned char out[32])
{
	if (niss_key_len == 0)
		return -1;
	return crypto_hmac_sha256(niss_key, niss_key_len, data, len, out);
}

/* Belgian national register number: 11 digits, mod-97 check (born before or
 * from 2000). */
bool
niss_valid(const char *s)
{
	long long body = 0;
	int i, check;

	if (strlen(s) != 11)
		return false;
	for (i = 0; i < 11; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	for (i = 0; i < 9; i++)
		body = body * 10 + (s[i] - '0');
	check = (s[9] - '0') * 10 + (s[10] - '0');
	return 97 - (int)(body % 97) == check || 97 - (int)((2000000000LL + body) % 97) == check;
}

static const struct field_spec person_fields[] = {
	{"external_ref", FT_STRING, false, 100, 0, 0, NULL},
	{"birth_year", FT_INTEGER, false, 0, 1900, 2100, NULL},
	{"niss", FT_STRING, false, 11, 0, 0, NULL},
};

int
handle_person_create(struct request *r)
{
	json_t *body = NULL, *j;
	const char *niss;
	char id[37], hmac_hex[65], *ref = NULL, *year = NULL;
	unsigned char mac[32], dek[AEAD_KEY_LEN];
	struct db_res *res = NULL;
	enum db_status s;
	enum ks_status ks;
	enum seal_status ss = SEAL_OK;
	int status = 500;

	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, person_fields, ARRAY_LEN(person_fields))) {
		status = r->status;
		goto out;
	}
	niss = json_string_value(json_object_get(body, "niss"));
	if (niss && !niss_valid(niss)) {
		json_t *errors = json_array();
		field_error(errors, "niss", "must be a valid national register number (11 digits)");
		status = reply_invalid(r, errors);
		goto out;
	}
	if (niss && niss_key_len == 0) {
		status = reply_problem(
			r, 422, "niss-not-accepted", "National register number not accepted",
			"this gateway has no key to protect national register numbers; "
			"send the person without niss");
		goto out;
	}
	if (niss && crypto_hmac_sha256(niss_key, niss_key_len, niss, strlen(niss), mac) != 0) {
		status =
			reply_problem(r, 500, "internal", "Internal error", "request id %s", r->id);
		goto out;
	}
	if (niss)
		hex_encode(mac, sizeof(mac), hmac_hex);
	/* The person's id and data key, stored in the key store already (made
	 * ahead): a key whose person is never committed wraps nothing. */
	ks = keystore_create(id, dek);
	wipe(dek, sizeof(dek));
	if (ks != KS_OK) {
		status = reply_key_store_error(r, ks == KS_UNAVAILABLE ? SEAL_UNAVAILABLE
								       : SEAL_ERROR);
		goto out;
	}
	if (((j = json_object_get(body, "external_ref")) &&
	     (ss = seal_value(id, "external_ref", j, &ref)) != SEAL_OK) ||
	    ((j = json_object_get(body, "birth_year")) &&
	     (ss = seal_value(id, "birth_year", j, &year)) != SEAL_OK)) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	s = db_query(r->db, ST_PERSON_INSERT, &res, "id", id, "external_ref", ref, "birth_year",
		     year, "niss_hmac", niss ? hmac_hex : NULL, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (audit_record(r, "person.create", "person", row_val(res, 0, PERSON_ID),
			 row_val(res, 0, PERSON_ID), NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	snprintf(r->location, sizeof(r->location), "/v1/persons/%s", row_val(res, 0, PERSON_ID));
	snprintf(r->answer_person, sizeof(r->answer_person), "%s", id);
	status = reply_row(r, 201, &person_row, res, 0, ROW_PUBLIC);
out:
	free(ref);
	free(year);
	db_res_free(res);
	json_decref(body);
	return status;
}

/* The external_ref and birth_year a page shows are the person's data, read
 * by their recorder: one person.read row per person shown (as the ranking
 * audits each referral it reads), so that GET /v1/audit?person_id= names
 * every read.  -1 when it could not be written. */
static int
audit_person_reads(struct request *r, const struct db_res *res, int n)
{
	json_t *detail = json_pack("{s:[s,s]}", "fields", "external_ref", "birth_year");
	int rc = detail ? audit_record_page(r, "person.read", "person", res, n, PERSON_LIST_ID,
					    PERSON_LIST_ID, PERSON_LIST_EXTERNAL_REF,
					    PERSON_LIST_BIRTH_YEAR, detail)
			: -1;

	json_decref(detail);
	return rc;
}

int
handle_person_list(struct request *r)
{
	char ts[64] = KEYSET_LAST_TIME, id[37] = KEYSET_LAST_ID, limit_text[16];
	struct db_res *res = NULL;
	enum db_status s;
	int limit, status = 500;

	if ((limit = query_limit(r)) < 0 || cursor_decode(r, ts, sizeof(ts), id) < 0) {
		status = r->status;
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_PERSON_LIST, &res, "before_time", ts, "before_id", id, "limit",
		     limit_text, (char *)NULL);
	if (s == DB_OK &&
	    audit_person_reads(r, res, db_rows(res) < limit ? db_rows(res) : limit) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_page(r, s, res, limit, &person_list_row);
out:
	db_res_free(res);
	return status;
}

/* Erasure: refgw_erase_person closes and clears what PostgreSQL holds, then
 * the person's data key is destroyed in the key store before the
 * transaction commits.  Should the commit then fail, the key is gone and
 * the data already unreadable; the client's retry finishes the erasure
 * (the key store answers "already gone"). */
int
handle_person_erase(struct request *r)
{
	struct db_res *res = NULL;
	json_t *detail = NULL;
	const char *outcome;
	enum db_status s;
	enum ks_status ks;
	int status = 500;

	s = db_query(r->db, ST_PERSON_ERASE, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	outcome = row_val(res, 0, ERASURE_OUTCOME);
	if (strcmp(outcome, "not_found") == 0) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no person %s that you may erase", r->params[0]);
		goto out;
	}
	if (strcmp(outcome, "erased") == 0) {
		detail = json_pack(
			"{s:I, s:I, s:I}", "consents_withdrawn",
			(json_int_t)row_long(res, 0, ERASURE_CONSENTS), "referrals_closed",
			(json_int_t)row_long(res, 0, ERASURE_REFERRALS), "organisations_told",
			(json_int_t)row_long(res, 0, ERASURE_TOLD));
		if (detail == NULL || audit_record(r, "person.erased", "person", r->params[0],
						   r->params[0], detail) != 0) {
			status = reply_problem(r, 500, "internal", "Internal error",
					       "the audit log could not be written (request id %s)",
					       r->id);
			goto out;
		}
	}
	/* Also when already erased: a key left by a commit that failed. */
	ks = keystore_destroy(r->params[0]);
	if (ks != KS_OK && ks != KS_ABSENT) {
		status = reply_key_store_error(r, SEAL_UNAVAILABLE);
		goto out;
	}
	status = reply_row(r, 200, &person_erasure_row, res, 0, ROW_PUBLIC);
out:
	json_decref(detail);
	db_res_free(res);
	return status;
}
