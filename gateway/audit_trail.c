/* audit_trail: GET /v1/audit?person_id=, every access to one person's data,
 * oldest first; GET /v1/audit/chain, the chain's status as housekeeping
 * last verified it (schema/057).  A file of its own, not audit.c: audit.c owns the log
 * itself (the append inside a request's transaction, the CLI's append, the
 * verification of the chain) and is used by the CLI and the checkpoints,
 * which serve no HTTP; this is one resource that reads it, shaped like the
 * other resources (a row description, one handler). */
#include "audit_trail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "statements.h"
#include "validate.h"

int
handle_audit_list(struct request *r)
{
	const char *person = req_query(r, "person_id"), *c = req_query(r, "cursor");
	char limit_text[16], ts[128] = "", lane[128] = "", seq[128] = "";
	struct db_res *res = NULL;
	struct buf out;
	size_t n;
	int limit, rows;
	int status = 500;
	enum db_status s;

	buf_init(&out, 16u << 20);
	if (person == NULL || !is_uuid(person)) {
		json_t *errors = json_array();
		field_error(errors, "person_id", "is required: the person whose accesses to list");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	if ((limit = query_limit(r)) < 0) {
		status = r->status;
		goto out;
	}
	if (c) {
		/* cursor: "at|lane|seq" in base64url */
		unsigned char raw[128];
		long len = strlen(c) < 160 ? base64url_decode(c, raw, sizeof(raw) - 1) : -1;
		char *a, *b;
		if (len > 0) {
			raw[len] = '\0';
			a = strchr((char *)raw, '|');
			b = a ? strchr(a + 1, '|') : NULL;
			if (a && b && (size_t)(a - (char *)raw) < sizeof(ts)) {
				*a = *b = '\0';
				snprintf(ts, sizeof(ts), "%s", (char *)raw);
				snprintf(lane, sizeof(lane), "%s", a + 1);
				snprintf(seq, sizeof(seq), "%s", b + 1);
			}
		}
		if (!ts[0]) {
			status = reply_invalid_cursor(r);
			goto out;
		}
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit + 1);
	s = db_query(r->db, ST_AUDIT_LIST, &res, "person", person, "after_at", c ? ts : NULL,
		     "after_lane", c ? lane : NULL, "after_seq", c ? seq : NULL, "limit",
		     limit_text, (char *)NULL);
	if (s == DB_BAD_INPUT || (s == DB_ERROR && c)) {
		status = reply_invalid_cursor(r);
		goto out;
	}
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	rows = db_rows(res);
	if (write_rows(&out, res, rows < limit ? rows : limit, &audit_entry_row) != 0)
		goto internal;
	if (rows > limit) {
		char key[128], enc[200];
		snprintf(key, sizeof(key), "%s|%s|%s", row_val(res, limit - 1, AUDIT_ENTRY_KEY_AT),
			 row_val(res, limit - 1, AUDIT_ENTRY_KEY_LANE),
			 row_val(res, limit - 1, AUDIT_ENTRY_KEY_SEQ));
		base64url_encode((unsigned char *)key, strlen(key), enc);
		if (buf_cat(&out, "\"", enc, "\"}", (char *)NULL) != 0)
			goto internal;
	} else if (APPEND_LITERAL(&out, "null}") != 0) {
		goto internal;
	}
	n = out.len;
	status = reply_json_text(r, 200, buf_steal(&out), n);
	goto out;
internal:
	status = reply_internal(r);
out:
	buf_free(&out);
	db_res_free(res);
	return status;
}

/* The document is built by refgw_audit_chain_status() (schema/057), which
 * checks the caller again: counts, positions, hashes and times only. */
int
handle_audit_chain(struct request *r)
{
	struct db_res *res = NULL;
	json_t *doc = NULL;
	json_error_t err;
	enum db_status s;
	int status = 500;

	if ((s = db_query(r->db, ST_AUDIT_CHAIN_STATUS, &res, (char *)NULL)) != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (db_rows(res) != 1 || row_null(res, 0, SCALAR_VALUE) ||
	    (doc = json_loads(row_val(res, 0, SCALAR_VALUE), JSON_REJECT_DUPLICATES, &err)) ==
		    NULL) {
		status = reply_internal(r);
		goto out;
	}
	status = reply_json(r, 200, doc);
	doc = NULL;
out:
	json_decref(doc);
	db_res_free(res);
	return status;
}
