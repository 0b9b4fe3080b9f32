/* journal: receipt codes of consents and the person's journal read with
 * one (schema/054, docs/data-protection.md, "The person's own journal"). */
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "common.h"
#include "crypto.h"
#include "db.h"
#include "qr.h"
#include "sessions.h"
#include "statements.h"
#include "validate.h"

/* Crockford's base32: no I, L, O, U. */
static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define CODE_DIGITS 26 /* ceil(128 / 5) */

/* Not required by the table: an empty code is a wrong code (404), not a
 * wrong body; an absent one is 400 (below). */
static const struct field_spec journal_fields[] = {
	{"code", FT_STRING, false, RECEIPT_CODE_INPUT_MAX, 0, 0, NULL},
};

/* What an entry says, in the reader's language. */
static const struct {
	const char *code, *label;
} entry_kinds[] = {
	{"recorded", N_("recorded your file")},
	{"consent_recorded", N_("recorded your consent")},
	{"consent_withdrawn", N_("recorded the withdrawal of your consent")},
	{"received", N_("received your data")},
	{"read", N_("read your data")},
	{"exported", N_("exported your data, at your request")},
};

static const struct {
	const char *code, *label;
} purposes[] = {
	{"housing_referral", N_("a housing referral")},
	{"social_aid", N_("social aid")},
	{"rights_opening", N_("opening your rights")},
	{"housing_support", N_("support in housing")},
	{"health_care", N_("health care")},
};

void
receipt_code_encode(const unsigned char raw[RECEIPT_CODE_BYTES], char out[RECEIPT_CODE_LEN])
{
	unsigned acc = 0;
	int bits = 0;
	size_t i, n = 0, o = 0;

	for (i = 0; i < RECEIPT_CODE_BYTES; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			if (n > 0 && n % 4 == 0)
				out[o++] = '-';
			out[o++] = crockford[(acc >> (bits - 5)) & 31u];
			bits -= 5;
			n++;
		}
	}
	if (bits > 0) { /* the last digit: 3 bits and two zero ones */
		if (n % 4 == 0)
			out[o++] = '-';
		out[o++] = crockford[(acc << (5 - bits)) & 31u];
	}
	out[o] = '\0';
}

static int
digit_value(char c)
{
	const char *p;

	if (c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 'A');
	if (c == 'I' || c == 'L')
		c = '1';
	else if (c == 'O')
		c = '0';
	p = c ? strchr(crockford, c) : NULL;
	return p ? (int)(p - crockford) : -1;
}

bool
receipt_code_decode(const char *in, unsigned char raw[RECEIPT_CODE_BYTES])
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t n = 0, o = 0;

	for (; *in; in++) {
		if (*in == '-' || *in == ' ')
			continue;
		if (n == CODE_DIGITS || (v = digit_value(*in)) < 0)
			return false;
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		n++;
		if (bits >= 8) {
			raw[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	/* 26 digits make 16 bytes and two bits, which must be zero. */
	return n == CODE_DIGITS && o == RECEIPT_CODE_BYTES && (acc & ((1u << bits) - 1u)) == 0;
}

/* A body of nothing (204). */
static int
reply_no_content(struct request *r)
{
	char *empty = strdup("");

	if (empty == NULL)
		return reply_internal(r);
	return reply_text(r, 204, "application/json", empty, 0);
}

static int
reply_receipt_missing(struct request *r)
{
	return reply_problem(r, 404, "not-found", "Not found",
			     "no consent %s with a receipt you may manage", r->params[0]);
}

/* 201 {consent_id, receipt_code, issued_at, journal_url, receipt_qr_svg}:
 * the code is in this answer only (not idempotent: a stored replay would
 * keep it).  The QR code holds the journal's address with the code in its
 * fragment, which a browser never sends: the page reads it and removes it
 * from the address. */
int
handle_receipt_issue(struct request *r)
{
	struct db_res *res = NULL;
	unsigned char raw[RECEIPT_CODE_BYTES], hash[SHA256_LEN];
	char code[RECEIPT_CODE_LEN], hash_hex[2 * SHA256_LEN + 1], url[512], qr_url[600];
	char *svg = NULL;
	enum db_status s;
	json_t *o = NULL;
	int status = 500;

	if (crypto_random(raw, sizeof(raw)) != 0) {
		status = reply_internal(r);
		goto out;
	}
	receipt_code_encode(raw, code);
	crypto_sha256(raw, sizeof(raw), hash);
	hex_encode(hash, sizeof(hash), hash_hex);
	s = db_query(r->db, ST_RECEIPT_ISSUE, &res, "id", r->params[0], "hash", hash_hex,
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no consent %s you recorded", r->params[0]);
		goto out;
	}
	if (audit_record(r, "consent.receipt.issue", "consent", r->params[0],
			 row_val(res, 0, RECEIPT_PERSON), NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	if ((o = row_json(&receipt_row, res, 0, ROW_PUBLIC)) == NULL) {
		status = reply_internal(r);
		goto out;
	}
	snprintf(url, sizeof(url), "%s/console/journal.html", sessions_origin());
	snprintf(qr_url, sizeof(qr_url), "%s#%s", url, code);
	if ((svg = qr_svg(qr_url)) == NULL ||
	    json_object_set_new(o, "receipt_code", json_string(code)) != 0 ||
	    json_object_set_new(o, "journal_url", json_string(url)) != 0 ||
	    json_object_set_new(o, "receipt_qr_svg", json_string(svg)) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_json(r, 201, o);
	o = NULL;
out:
	wipe(raw, sizeof(raw));
	wipe(code, sizeof(code));
	wipe(qr_url, sizeof(qr_url));
	free(svg);
	json_decref(o);
	db_res_free(res);
	return status;
}

/* 204; the code stops working at once.  Revoking a revoked receipt is 204
 * too (and audited again: someone asked). */
int
handle_receipt_revoke(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_RECEIPT_REVOKE, &res, "id", r->params[0], (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1) {
		status = reply_receipt_missing(r);
		goto out;
	}
	if (audit_record(r, "consent.receipt.revoke", "consent", r->params[0],
			 row_val(res, 0, RECEIPT_PERSON), NULL) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	status = reply_no_content(r);
out:
	db_res_free(res);
	return status;
}

static const char *
label_of(const struct request *r, const char *code, bool kind)
{
	size_t i;

	if (code == NULL)
		return NULL;
	if (kind) {
		for (i = 0; i < ARRAY_LEN(entry_kinds); i++)
			if (strcmp(entry_kinds[i].code, code) == 0)
				return tr(r, entry_kinds[i].label);
	} else {
		for (i = 0; i < ARRAY_LEN(purposes); i++)
			if (strcmp(purposes[i].code, code) == 0)
				return tr(r, purposes[i].label);
	}
	return code;
}

/* Each entry gets kind_label and purpose_label in r's language. */
static int
label_entries(const struct request *r, json_t *doc)
{
	json_t *entries = json_object_get(doc, "entries"), *e;
	size_t i;

	if (!json_is_array(entries))
		return -1;
	json_array_foreach(entries, i, e) {
		const char *purpose = json_str(e, "purpose");

		if (json_object_set_new(e, "kind_label",
					json_string(label_of(r, json_str(e, "kind"), true))) != 0 ||
		    json_object_set_new(e, "purpose_label",
					purpose ? json_string(label_of(r, purpose, false))
						: json_null()) != 0)
			return -1;
	}
	return 0;
}

/* The body's shape (a wrong one is 400 and counts nothing), the throttle,
 * then always one hash and one query, whatever the code: unknown,
 * malformed, revoked, replaced or an erased person's answer the same 404. */
int
handle_journal_read(struct request *r)
{
	static const char malformed[] = "refgw-journal-malformed|";
	struct db_res *res = NULL;
	unsigned char raw[RECEIPT_CODE_BYTES], hash[SHA256_LEN];
	char hash_hex[2 * SHA256_LEN + 1];
	const char *code, *source = r->source[0] ? r->source : "unknown";
	json_t *body = NULL, *doc = NULL;
	json_error_t err;
	enum db_status s;
	long wait = 0;
	int status = 500;

	r->vary_language = true;
	if ((body = body_json(r)) == NULL) {
		status = r->status;
		goto out;
	}
	if (!validate_body(r, body, journal_fields, ARRAY_LEN(journal_fields))) {
		status = r->status;
		goto out;
	}
	if ((code = json_str(body, "code")) == NULL) {
		json_t *errors = json_array();

		field_error(errors, "code", "is required");
		status = reply_invalid(r, errors);
		goto out;
	}
	/* A wrong body changed nothing (400 above); every reading that could
	 * open a journal counts, found or not. */
	s = db_query(r->db, ST_JOURNAL_THROTTLE, &res, "source", source, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (parse_long(row_val(res, 0, SCALAR_VALUE), 0, 86400, &wait) != 0) {
		status = reply_internal(r);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if (wait > 0) {
		r->retry_after = (int)wait;
		status = reply_problem(r, 429, "too-many-attempts", "Too many attempts",
				       "too many journal readings from this address or in all; "
				       "retry after %ld seconds",
				       wait);
		goto out;
	}
	if (receipt_code_decode(code, raw))
		crypto_sha256(raw, sizeof(raw), hash);
	else /* hashed all the same, and never a code's hash */
		crypto_sha256_2(malformed, sizeof(malformed) - 1, code, strlen(code), hash);
	wipe(raw, sizeof(raw));
	hex_encode(hash, sizeof(hash), hash_hex);
	s = db_query(r->db, ST_JOURNAL, &res, "hash", hash_hex, "request", r->id, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1 || row_null(res, 0, SCALAR_VALUE)) {
		status = reply_problem(r, 404, "receipt-unknown", "Unknown receipt code",
				       "no journal answers this code: check it against the slip, "
				       "or ask the organisation that gave it to you (a code can "
				       "be replaced or revoked)");
		goto out;
	}
	doc = json_loads(row_val(res, 0, SCALAR_VALUE), JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL || label_entries(r, doc) != 0) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_json(r, 200, doc);
	doc = NULL;
out:
	json_decref(doc);
	json_decref(body);
	db_res_free(res);
	return status;
}
