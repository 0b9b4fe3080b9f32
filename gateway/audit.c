/* audit: append through refgw_audit_append() (chained in PostgreSQL, one
 * lane per backend), verify by recomputing every hash here in C. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "rows.h"
#include "statements.h"

/* detail as the chain stores it: compact, sorted keys ("{}" when none). */
static char *
detail_text(json_t *detail)
{
	return detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : strdup("{}");
}

/* A signed-in person acted through no certificate: NULL, not "". */
const char *
audit_certificate(const struct request *r)
{
	return r->who.certificate_sha256[0] ? r->who.certificate_sha256 : NULL;
}

int
audit_record(struct request *r, const char *action, const char *rtype, const char *rid,
	     const char *person, json_t *detail)
{
	char *text = detail_text(detail);
	enum db_status s;

	if (text == NULL)
		return -1;
	s = db_query(r->db, ST_AUDIT_APPEND, NULL, "certificate", audit_certificate(r), "request",
		     r->id, "action", action, "resource_type", rtype, "resource_id", rid, "person",
		     person, "detail", text, (char *)NULL);
	free(text);
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
	return audit_record_reads_of(r, action, "referral", referrals, persons, detail);
}

int
audit_record_reads_of(struct request *r, const char *action, const char *resource_type,
		      const char *ids, const char *persons, json_t *detail)
{
	char *text = detail_text(detail);
	enum db_status s;

	if (text == NULL)
		return -1;
	s = db_query(r->db, ST_AUDIT_APPEND_READS, NULL, "certificate", audit_certificate(r),
		     "request", r->id, "action", action, "type", resource_type, "ids", ids,
		     "persons", persons, "detail", text, (char *)NULL);
	free(text);
	if (s != DB_OK) {
		log_request_warnx(r->id, r->who.organisation_id, "audit append failed: %s",
				  db_status_name(s));
		return -1;
	}
	return 0;
}

int
audit_record_page(struct request *r, const char *action, const char *resource_type,
		  const struct db_res *res, int n, int id_col, int person_col, int shown, int also,
		  json_t *detail)
{
	struct buf ids, persons;
	int i, rc = -1, read = 0;

	buf_init(&ids, 1u << 20);
	buf_init(&persons, 1u << 20);
	if (APPEND_LITERAL(&ids, "{") != 0 || APPEND_LITERAL(&persons, "{") != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (row_null(res, i, shown) && (also < 0 || row_null(res, i, also)))
			continue;
		if (buf_cat(&ids, read ? "," : "", row_val(res, i, id_col), (char *)NULL) != 0 ||
		    buf_cat(&persons, read ? "," : "",
			    row_null(res, i, person_col) ? "NULL" : row_val(res, i, person_col),
			    (char *)NULL) != 0)
			goto out;
		read++;
	}
	if (read == 0)
		rc = 0;
	else if (APPEND_LITERAL(&ids, "}") == 0 && APPEND_LITERAL(&persons, "}") == 0)
		rc = audit_record_reads_of(r, action, resource_type, ids.data, persons.data,
					   detail);
out:
	buf_free(&ids);
	buf_free(&persons);
	return rc;
}

int
audit_record_conn(struct db_conn *c, const char *request_id, const char *action, const char *rtype,
		  const char *rid, json_t *detail)
{
	char *text = detail_text(detail);
	enum db_status s;

	if (text == NULL)
		return -1;
	s = db_query(c, ST_AUDIT_APPEND_SYSTEM, NULL, "request", request_id, "action", action,
		     "resource_type", rtype, "resource_id", rid, "detail", text, (char *)NULL);
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

	/* v2: a row that names a person (schema/053) adds its id and label. */
	if (buf_append(out, row->user_id ? "refgw-audit-v2" : "refgw-audit-v1", 14) != 0)
		return -1;
	for (i = 0; i < ARRAY_LEN(fields); i++)
		if (field(out, fields[i]) != 0)
			return -1;
	if (row->user_id && (field(out, row->user_id) != 0 || field(out, row->user_label) != 0))
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
	struct buf declare = {0};
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
	/* A cursor over the statement table's walk: DECLARE cannot be a
	 * prepared statement, its rows are read by name all the same. */
	buf_init(&declare, 1 << 16);
	if (buf_cat(&declare, "DECLARE audit_walk NO SCROLL CURSOR FOR ",
		    statements[ST_AUDIT_WALK].text, (char *)NULL) != 0)
		goto out;
	s = db_exec_params(c, declare.data, 0, NULL, NULL);
	if (s != DB_OK)
		goto out;
	for (;;) {
		s = db_exec_params(c, "FETCH " VERIFY_BATCH " FROM audit_walk", 0, NULL, &res);
		if (s != DB_OK)
			goto out;
		if (db_rows(res) == 0)
			break;
		for (i = 0; i < db_rows(res) && rep->ok; i++) {
			struct audit_row row = {
				row_val(res, i, WALK_LANE),      row_val(res, i, WALK_SEQ),
				row_val(res, i, WALK_AT_US),     row_str(res, i, WALK_ORG),
				row_str(res, i, WALK_CERT),      row_val(res, i, WALK_REQUEST),
				row_val(res, i, WALK_ACTION),    row_val(res, i, WALK_RTYPE),
				row_val(res, i, WALK_RID),       row_str(res, i, WALK_PERSON),
				row_val(res, i, WALK_DETAIL),    row_str(res, i, WALK_USER),
				row_str(res, i, WALK_USER_LABEL)};
			unsigned char stored_prev[32];
			size_t stored_prevlen = strlen(row_val(res, i, WALK_PREV_HASH)) / 2;
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
				   (prevlen && (hex_decode(row_val(res, i, WALK_PREV_HASH),
							   stored_prev, 32) != 0 ||
						memcmp(stored_prev, prev, 32) != 0))) {
				snprintf(rep->first_broken, sizeof(rep->first_broken),
					 "lane %ld seq %ld (request %s, action %s): prev_hash does "
					 "not "
					 "match the previous row's hash",
					 lane, seq, row.request_id, row.action);
				rep->ok = false;
			} else if (hex_decode(row_val(res, i, WALK_HASH), stored, 32) != 0 ||
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
		s = db_query(c, ST_AUDIT_HEAD_BROKEN, &heads, (char *)NULL);
		if (s != DB_OK)
			goto out;
		if (db_rows(heads) > 0) {
			snprintf(rep->first_broken, sizeof(rep->first_broken),
				 "lane %s: the chain head (seq %s) does not match the last row "
				 "(rows missing at the end)",
				 row_val(heads, 0, HEAD_LANE), row_val(heads, 0, HEAD_SEQ));
			rep->ok = false;
		}
	}
	rc = 0;
out:
	buf_free(&declare);
	db_res_free(res);
	db_res_free(heads);
	db_rollback(c);
	return rc;
}
