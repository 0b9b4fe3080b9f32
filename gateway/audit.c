/* audit: append through refgw_audit_append() (chained in PostgreSQL, one
 * lane per backend), verify by recomputing every hash here in C. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "statements.h"

static int
append_params(const char *cert, const char *request_id, const char *action, const char *rtype,
	      const char *rid, const char *person, json_t *detail, char **detail_text,
	      const char *params[7])
{
	*detail_text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	if (*detail_text == NULL)
		return -1;
	params[0] = cert;
	params[1] = request_id;
	params[2] = action;
	params[3] = rtype;
	params[4] = rid;
	params[5] = person;
	params[6] = *detail_text;
	return 0;
}

int
audit_record(struct request *r, const char *action, const char *rtype, const char *rid,
	     const char *person, json_t *detail)
{
	const char *params[7];
	char *text = NULL;
	json_t *empty = detail ? NULL : json_object();
	enum db_status s;

	if (append_params(r->who.certificate_sha256, r->id, action, rtype, rid, person,
			  detail ? detail : empty, &text, params) != 0) {
		json_decref(empty);
		return -1;
	}
	s = db_exec(r->db, ST_AUDIT_APPEND, 7, params, NULL);
	free(text);
	json_decref(empty);
	if (s != DB_OK) {
		log_request_warnx(r->id, r->who.organisation_id, "audit append failed: %s",
				  db_status_name(s));
		return -1;
	}
	return 0;
}

int
audit_record_reads(struct request *r, const char *action, const char *referrals,
		   const char *persons, json_t *detail)
{
	char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
	const char *params[6] = {
		r->who.certificate_sha256, r->id, action, referrals, persons, text};
	enum db_status s;

	if (text == NULL)
		return -1;
	s = db_exec(r->db, ST_AUDIT_APPEND_READS, 6, params, NULL);
	free(text);
	if (s != DB_OK) {
		log_request_warnx(r->id, r->who.organisation_id, "audit append failed: %s",
				  db_status_name(s));
		return -1;
	}
	return 0;
}

int
audit_record_conn(struct db_conn *c, const char *request_id, const char *action, const char *rtype,
		  const char *rid, json_t *detail)
{
	const char *params[7];
	char *text = NULL;
	enum db_status s;

	if (append_params(NULL, request_id, action, rtype, rid, NULL, detail, &text, params) != 0)
		return -1;
	s = db_exec_params(c,
			   "SELECT refgw_audit_append_system(decode($1, 'hex'), $2, $3, $4, $5, "
			   "$6::uuid, $7::jsonb)",
			   7, params, NULL);
	free(text);
	return s == DB_OK ? 0 : -1;
}

static int
field(struct buf *out, const char *v)
{
	v = v ? v : "";
	return buf_printf(out, "%zu:", strlen(v)) == 0 ? buf_append(out, v, strlen(v)) : -1;
}

int
audit_canonical(const struct audit_row *row, struct buf *out)
{
	const char *fields[] = {row->lane,
				row->seq,
				row->at_us,
				row->organisation_id,
				row->certificate_hex,
				row->request_id,
				row->action,
				row->resource_type,
				row->resource_id,
				row->person_id,
				row->detail};
	size_t i;

	if (buf_append(out, "refgw-audit-v1", 14) != 0)
		return -1;
	for (i = 0; i < ARRAY_LEN(fields); i++)
		if (field(out, fields[i]) != 0)
			return -1;
	return 0;
}

void
audit_hash(const unsigned char *prev, size_t prevlen, const struct buf *canonical,
	   unsigned char out[32])
{
	crypto_sha256_2(prev, prevlen, canonical->data, canonical->len, out);
}

#define VERIFY_BATCH "2000"

int
audit_verify(struct db_conn *c, struct audit_report *rep)
{
	struct db_res *res = NULL, *heads = NULL;
	unsigned char prev[32], hash[32], stored[32];
	size_t prevlen = 0;
	long cur_lane = 0, expect_seq = 0, lane;
	bool in_lane = false;
	enum db_status s;
	int i, rc = -1;

	memset(rep, 0, sizeof(*rep));
	rep->ok = true;
	if (db_begin(c) != DB_OK)
		return -1;
	s = db_exec_params(
		c,
		"DECLARE audit_walk NO SCROLL CURSOR FOR "
		"SELECT lane::text, seq::text, "
		"(extract(epoch FROM at) * 1000000)::bigint::text, organisation_id::text, "
		"encode(certificate_sha256, 'hex'), request_id, action, resource_type, "
		"resource_id, person_id::text, detail::text, encode(prev_hash, 'hex'), "
		"encode(hash, 'hex') FROM audit_log a ORDER BY a.lane, a.seq",
		0, NULL, NULL);
	if (s != DB_OK)
		goto out;
	for (;;) {
		s = db_exec_params(c, "FETCH " VERIFY_BATCH " FROM audit_walk", 0, NULL, &res);
		if (s != DB_OK)
			goto out;
		if (db_rows(res) == 0)
			break;
		for (i = 0; i < db_rows(res) && rep->ok; i++) {
			struct audit_row row = {db_val(res, i, 0),
						db_val(res, i, 1),
						db_val(res, i, 2),
						db_null(res, i, 3) ? NULL : db_val(res, i, 3),
						db_null(res, i, 4) ? NULL : db_val(res, i, 4),
						db_val(res, i, 5),
						db_val(res, i, 6),
						db_val(res, i, 7),
						db_val(res, i, 8),
						db_null(res, i, 9) ? NULL : db_val(res, i, 9),
						db_val(res, i, 10)};
			unsigned char stored_prev[32];
			size_t stored_prevlen = strlen(db_val(res, i, 11)) / 2;
			struct buf canon;
			long seq;

			if (parse_long(row.lane, -2147483648L, 2147483647L, &lane) != 0 ||
			    parse_long(row.seq, 1, 0x7fffffffffffffffL, &seq) != 0)
				goto out;
			if (!in_lane || lane != cur_lane) {
				in_lane = true;
				cur_lane = lane;
				expect_seq = 1;
				prevlen = 0;
				rep->lanes++;
			}
			buf_init(&canon, 1 << 20);
			if (audit_canonical(&row, &canon) != 0) {
				buf_free(&canon);
				goto out;
			}
			audit_hash(prev, prevlen, &canon, hash);
			buf_free(&canon);
			if (seq != expect_seq) {
				snprintf(rep->first_broken, sizeof(rep->first_broken),
					 "lane %ld: row seq %ld found where seq %ld was expected "
					 "(rows "
					 "missing)",
					 lane, seq, expect_seq);
				rep->ok = false;
			} else if (stored_prevlen != prevlen ||
				   (prevlen &&
				    (hex_decode(db_val(res, i, 11), stored_prev, 32) != 0 ||
				     memcmp(stored_prev, prev, 32) != 0))) {
				snprintf(rep->first_broken, sizeof(rep->first_broken),
					 "lane %ld seq %ld (request %s, action %s): prev_hash does "
					 "not "
					 "match the previous row's hash",
					 lane, seq, row.request_id, row.action);
				rep->ok = false;
			} else if (hex_decode(db_val(res, i, 12), stored, 32) != 0 ||
				   memcmp(stored, hash, 32) != 0) {
				snprintf(rep->first_broken, sizeof(rep->first_broken),
					 "lane %ld seq %ld (request %s, action %s): hash does not "
					 "match "
					 "the row's contents (modified)",
					 lane, seq, row.request_id, row.action);
				rep->ok = false;
			}
			memcpy(prev, hash, 32);
			prevlen = 32;
			expect_seq++;
			rep->rows++;
		}
		db_res_free(res);
		res = NULL;
		if (!rep->ok)
			break;
	}
	/* The lane heads must match the last rows (a deleted tail shows here). */
	if (rep->ok) {
		s = db_exec_params(
			c,
			"SELECT h.lane::text, h.seq::text FROM audit_lanes h "
			"LEFT JOIN LATERAL (SELECT max(seq) AS seq, (array_agg(hash ORDER BY "
			"seq DESC))[1] AS hash FROM audit_log l WHERE l.lane = h.lane) t "
			"ON true WHERE coalesce(t.seq, 0) <> h.seq OR "
			"(h.seq > 0 AND t.hash IS DISTINCT FROM h.head) ORDER BY h.lane LIMIT 1",
			0, NULL, &heads);
		if (s != DB_OK)
			goto out;
		if (db_rows(heads) > 0) {
			snprintf(rep->first_broken, sizeof(rep->first_broken),
				 "lane %s: the chain head (seq %s) does not match the last row "
				 "(rows missing at the end)",
				 db_val(heads, 0, 0), db_val(heads, 0, 1));
			rep->ok = false;
		}
	}
	rc = 0;
out:
	db_res_free(res);
	db_res_free(heads);
	db_rollback(c);
	return rc;
}
