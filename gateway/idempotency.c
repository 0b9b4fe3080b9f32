/* idempotency: claim a key by inserting it in the request's transaction;
 * PostgreSQL's primary key makes a concurrent twin wait for the outcome. */
#include "idempotency.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "handlers.h"
#include "router.h"
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

/* sha256 over method, path and body: what "the same request" means. */
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
	crypto_sha256(b.data, b.len, h);
	hex_encode(h, 32, hex);
	buf_free(&b);
}

int
idem_claim(struct request *r, const char *key)
{
	char hash[65];
	const char *claim[3] = {key, r->route->name, hash}, *get[1] = {key};
	struct db_res *res = NULL;
	enum db_status s;
	int status;

	if (!key_ok(key))
		return reply_problem(r, 400, "invalid-idempotency-key", "Invalid Idempotency-Key",
				     "Idempotency-Key must be 1 to 255 printable ASCII characters");
	request_hash(r, hash);
	s = db_exec(r->db, ST_IDEM_CLAIM, 3, claim, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 1) {
		db_res_free(res);
		return 0; /* first time: run it */
	}
	db_res_free(res);
	res = NULL;
	s = db_exec(r->db, ST_IDEM_GET, 1, get, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) != 1 || db_null(res, 0, 2)) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "idempotency record unreadable (request id %s)", r->id);
	} else if (strcmp(db_val(res, 0, 0), hash) != 0 ||
		   strcmp(db_val(res, 0, 1), r->route->name) != 0) {
		status = reply_problem(
			r, 422, "idempotency-key-reused", "Idempotency-Key reused",
			"this Idempotency-Key was used for a different request; use a "
			"new key for a new request");
	} else {
		long st = 0;
		reply_reset(r);
		r->resp = strdup(db_val(res, 0, 3));
		r->resp_len = r->resp ? strlen(r->resp) : 0;
		if (parse_long(db_val(res, 0, 2), 200, 299, &st) != 0)
			st = 500;
		r->status = (int)st;
		r->content_type = "application/json";
		snprintf(r->location, sizeof(r->location), "%s",
			 db_null(res, 0, 4) ? "" : db_val(res, 0, 4));
		snprintf(r->etag, sizeof(r->etag), "%s",
			 db_null(res, 0, 5) ? "" : db_val(res, 0, 5));
		r->replayed = true;
		status = r->resp ? r->status
				 : reply_problem(r, 500, "internal", "Internal error",
						 "out of memory");
	}
	db_res_free(res);
	return status;
}

int
idem_store(struct request *r, const char *key)
{
	char status[8];
	const char *params[5] = {key, status, r->resp, r->location[0] ? r->location : NULL,
				 r->etag[0] ? r->etag : NULL};

	snprintf(status, sizeof(status), "%d", r->status);
	return db_exec(r->db, ST_IDEM_STORE, 5, params, NULL) == DB_OK ? 0 : -1;
}
