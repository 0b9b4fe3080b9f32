/* idempotency: claim a key by inserting it in the request's transaction;
 * PostgreSQL's primary key makes a concurrent twin wait for the outcome. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "crypto.h"
#include "db.h"
#include "persons.h"
#include "router.h"
#include "seal.h"
#include "statements.h"

static bool
key_ok(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > 255)
		return false;
	for (; *k; k++)
		if (*k < 0x21 || *k > 0x7e)
			return false;
	return true;
}

/* A digest of method, path and body: what "the same request" means.
 * Keyed (REFGW_NISS_KEY_FILE, persons.c): a body may hold a national
 * register number, which a plain sha256 would give away to whoever tries
 * the valid ones against the stored hash (suite review16).  Without that
 * key (no numbers accepted then) a plain sha256. */
static void
request_hash(struct request *r, char hex[65])
{
	struct buf b;
	unsigned char h[32];

	buf_init(&b, (size_t)-1 / 2);
	if (buf_printf(&b, "%s %s\n", r->method_name, r->path) != 0 ||
	    buf_append(&b, r->body.data ? r->body.data : "", r->body.len) != 0) {
		buf_free(&b);
		memset(hex, '0', 64);
		hex[64] = '\0';
		return;
	}
	if (persons_keyed_digest(b.data, b.len, h) != 0)
		crypto_sha256(b.data, b.len, h);
	hex_encode(h, 32, hex);
	buf_free(&b);
}

/* A stored answer that carries a person's fields is sealed under their
 * key: opened into r->resp (0), or answered (410 erased, 503, 500). */
static int
replay_sealed(struct request *r, const char *person, const char *sealed)
{
	struct buf plain;
	bool erased = false;
	enum seal_status s;

	buf_init(&plain, 16u << 20);
	s = seal_open_write(&plain, person, "idempotency.response", sealed, &erased);
	if (s == SEAL_OK && erased)
		s = SEAL_ERASED;
	if (s != SEAL_OK) {
		wipe(plain.data, plain.len);
		buf_free(&plain);
		return reply_key_store_error(r, s);
	}
	reply_reset(r);
	r->resp_len = plain.len;
	r->resp = buf_steal(&plain);
	return 0;
}

int
idem_claim(struct request *r, const char *key)
{
	char hash[65];
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	if (!key_ok(key)) {
		status = reply_problem(
			r, 400, "invalid-idempotency-key", "Invalid Idempotency-Key",
			"Idempotency-Key must be 1 to 255 printable ASCII characters");
		goto out;
	}
	request_hash(r, hash);
	s = db_query(r->db, ST_IDEM_CLAIM, &res, "key", key, "route", r->route->name, "hash", hash,
		     (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) == 1) {
		status = 0; /* first time: run it */
		goto out;
	}
	db_res_free(res);
	res = NULL;
	s = db_query(r->db, ST_IDEM_GET, &res, "key", key, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1 || row_null(res, 0, IDEM_STATUS)) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "idempotency record unreadable (request id %s)", r->id);
	} else if (strcmp(row_val(res, 0, IDEM_HASH), hash) != 0 ||
		   strcmp(row_val(res, 0, IDEM_ROUTE), r->route->name) != 0) {
		status = reply_problem(
			r, 422, "idempotency-key-reused", "Idempotency-Key reused",
			"this Idempotency-Key was used for a different request; use a "
			"new key for a new request");
	} else if (!row_null(res, 0, IDEM_PERSON) &&
		   (status = replay_sealed(r, row_str(res, 0, IDEM_PERSON),
					   row_val(res, 0, IDEM_RESPONSE))) != 0) {
		/* the person erased, or the key store down: answered */
	} else {
		long st = 0;
		if (row_null(res, 0, IDEM_PERSON)) {
			reply_reset(r);
			r->resp = strdup(row_val(res, 0, IDEM_RESPONSE));
			r->resp_len = r->resp ? strlen(r->resp) : 0;
		}
		if (parse_long(row_val(res, 0, IDEM_STATUS), 200, 299, &st) != 0)
			st = 500;
		r->status = (int)st;
		r->content_type = "application/json";
		/* row_val: "" for NULL */
		snprintf(r->location, sizeof(r->location), "%s", row_val(res, 0, IDEM_LOCATION));
		snprintf(r->etag, sizeof(r->etag), "%s", row_val(res, 0, IDEM_ETAG));
		r->replayed = true;
		status = r->resp ? r->status
				 : reply_problem(r, 500, "internal", "Internal error",
						 "out of memory");
	}
out:
	db_res_free(res);
	return status;
}

int
idem_store(struct request *r, const char *key, enum db_status *commit)
{
	char status[8], *sealed = NULL;
	const char *person = r->answer_person[0] ? r->answer_person : NULL;
	int rc;

	*commit = DB_ERROR;
	snprintf(status, sizeof(status), "%d", r->status);
	/* Personal fields are never stored in clear, replays included. */
	if (person &&
	    seal_text(person, "idempotency.response", r->resp, r->resp_len, &sealed) != SEAL_OK)
		return -1;
	rc = db_query_commit(r->db, commit, ST_IDEM_STORE, NULL, "key", key, "status", status,
			     "response", sealed ? sealed : r->resp, "location",
			     r->location[0] ? r->location : NULL, "etag",
			     r->etag[0] ? r->etag : NULL, "person", person, (char *)NULL) == DB_OK
		     ? 0
		     : -1;
	free(sealed);
	return rc;
}
