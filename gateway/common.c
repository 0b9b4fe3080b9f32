/* common: helpers every resource handler shares. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "seal.h"

bool
is_coordinator(const struct request *r)
{
	return strcmp(r->who.kind, "coordinator") == 0;
}

int
reply_key_store_error(struct request *r, int status)
{
	switch ((enum seal_status)status) {
	case SEAL_ERASED:
		return reply_problem(r, 410, "person-erased", "Person erased",
				     "this person was erased: nothing about them can be recorded "
				     "or read any more");
	case SEAL_UNAVAILABLE:
		r->retry_after = 1;
		return reply_problem(r, 503, "key-store-unavailable", "Key store unavailable",
				     "the gateway cannot reach its key store; nothing was "
				     "changed, retry after a second");
	case SEAL_OK:
	case SEAL_ERROR:
		break;
	}
	log_request_warnx(r->id, r->who.organisation_id, "a person's data key could not be used");
	return reply_problem(r, 500, "internal", "Internal error",
			     "the request failed inside the gateway (request id %s)", r->id);
}

int
reply_db_error(struct request *r, int status)
{
	switch ((enum db_status)status) {
	case DB_TIMEOUT:
		r->retry_after = 1;
		return reply_problem(
			r, 503, "busy", "Gateway busy",
			"the database did not answer in time; nothing was changed, retry");
	case DB_UNAVAILABLE:
	case DB_POOL_TIMEOUT:
		r->retry_after = 1;
		reply_problem(r, 503, "database-unavailable", "Database unavailable",
			      "the gateway cannot reach its database; retry after a second");
		r->retry_after = 1;
		return 503;
	case DB_UNIQUE:
		return reply_problem(r, 409, "conflict", "Conflict",
				     "a resource with the same unique value already exists");
	case DB_FORBIDDEN:
		return reply_problem(r, 403, "forbidden", "Forbidden",
				     "this organisation may not do this");
	case DB_SERIALIZATION:
		return reply_problem(r, 409, "conflict-retry", "Concurrent change",
				     "a concurrent change conflicted with this one; retry");
	case DB_CONSENT:
		return reply_problem(
			r, 409, "consent-not-holding", "Consent no longer holds",
			"the referral's consent has been withdrawn or has expired; nothing "
			"was created or changed");
	case DB_PERSON_ERASED:
		return reply_key_store_error(r, SEAL_ERASED);
	case DB_CONSTRAINT:
	case DB_UNKNOWN_ORG:
	case DB_SITE_CLOSED:
	case DB_BAD_INPUT:
		return reply_problem(r, 422, "unprocessable", "Unprocessable request",
				     "the request conflicts with the data's rules");
	default:
		log_request_warnx(r->id, r->who.organisation_id, "database error: %s",
				  db_last_error(r->db));
		return reply_problem(r, 500, "internal", "Internal error",
				     "the request failed inside the gateway (request id %s)",
				     r->id);
	}
}

int
reply_commit_error(struct request *r, int status)
{
	log_request_warnx(r->id, r->who.organisation_id, "commit failed: %s",
			  db_status_name((enum db_status)status));
	reply_reset(r);
	switch ((enum db_status)status) {
	case DB_UNAVAILABLE:
	case DB_POOL_TIMEOUT:
		return reply_db_error(r, DB_UNAVAILABLE);
	case DB_TIMEOUT:
		r->retry_after = 1;
		return reply_problem(r, 503, "busy", "Gateway busy",
				     "every database connection is in use; retry after a second");
	case DB_SERIALIZATION:
		return reply_db_error(r, DB_SERIALIZATION);
	default:
		return reply_problem(r, 500, "internal", "Internal error",
				     "the change could not be committed (request %s)", r->id);
	}
}

int
query_limit(struct request *r)
{
	const char *v = req_query(r, "limit");
	long n;

	if (v == NULL)
		return 50;
	if (parse_long(v, 1, 200, &n) != 0) {
		json_t *errors = json_array();
		field_error(errors, "limit", "must be a whole number from 1 to 200");
		reply_invalid_query(r, errors);
		return -1;
	}
	return (int)n;
}

long
if_match_version(struct request *r)
{
	const char *v = req_header(r, "If-Match");
	char tmp[24];
	size_t n;
	long version;

	if (v == NULL) {
		reply_problem(r, 428, "precondition-required", "If-Match required",
			      "send If-Match: \"<version>\" with the version you last read");
		return -1;
	}
	n = strlen(v);
	if (n >= 3 && n < sizeof(tmp) + 2 && v[0] == '"' && v[n - 1] == '"') {
		memcpy(tmp, v + 1, n - 2);
		tmp[n - 2] = '\0';
		if (parse_long(tmp, 1, 2147483647L, &version) == 0)
			return version;
	}
	reply_problem(r, 400, "invalid-if-match", "Invalid If-Match",
		      "If-Match must be a quoted version number, e.g. \"3\"");
	return -1;
}

const char *const org_kinds[] = {"justice_aid",      "street_work", "homeless_service", "cpas",
				 "housing_operator", "coordinator", "home_guidance",    NULL};

json_t *
json_split(const char *joined)
{
	json_t *a = json_array();

	while (*joined) {
		size_t n = strcspn(joined, ",");
		json_array_append_new(a, json_stringn(joined, n));
		joined += n;
		if (*joined == ',')
			joined++;
	}
	return a;
}

int
cursor_decode(struct request *r, char *key, size_t keylen, char id[37])
{
	const char *c = req_query(r, "cursor");
	unsigned char raw[512];
	json_t *j = NULL;
	long n;

	if (c == NULL)
		return 0;
	n = strlen(c) < 680 ? base64url_decode(c, raw, sizeof(raw)) : -1;
	if (n > 0)
		j = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL || !json_is_array(j) || json_array_size(j) != 2 ||
	    !json_is_string(json_array_get(j, 0)) ||
	    json_string_length(json_array_get(j, 0)) >= keylen ||
	    !json_is_string(json_array_get(j, 1)) ||
	    !is_uuid(json_string_value(json_array_get(j, 1)))) {
		json_decref(j);
		reply_invalid_cursor(r);
		return -1;
	}
	snprintf(key, keylen, "%s", json_string_value(json_array_get(j, 0)));
	snprintf(id, 37, "%s", json_string_value(json_array_get(j, 1)));
	json_decref(j);
	return 1;
}

json_t *
cursor_encode(const char *key, const char *id)
{
	json_t *a = json_pack("[s, s]", key, id);
	char *text = json_dumps(a, JSON_COMPACT), out[700];
	json_t *s;

	json_decref(a);
	if (text == NULL || strlen(text) > 500) {
		free(text);
		return json_null();
	}
	base64url_encode((unsigned char *)text, strlen(text), out);
	s = json_string(out);
	free(text);
	return s;
}

int
reply_invalid_cursor(struct request *r)
{
	return reply_problem(r, 400, "invalid-cursor", "Invalid cursor",
			     "cursor must be a next_cursor value returned by this list");
}

/* A page of a list as its query s left it: 400 when PostgreSQL refused the
 * cursor's values (DB_BAD_INPUT), the database error, or the rows. */
int
reply_page(struct request *r, int s, const struct db_res *res, int limit, const struct row_desc *d)
{
	if (s == DB_BAD_INPUT)
		return reply_invalid_cursor(r);
	if (s != DB_OK)
		return reply_db_error(r, s);
	return reply_rows(r, res, limit, d);
}

int
reply_internal(struct request *r)
{
	/* A renderer that could not open a sealed field because the key
	 * store did not answer: retry, as for the database. */
	if (seal_unavailable_take())
		return reply_key_store_error(r, SEAL_UNAVAILABLE);
	return reply_problem(r, 500, "internal", "Internal error",
			     "the request failed inside the gateway (request id %s)", r->id);
}

int
write_rows(struct buf *b, const struct db_res *res, int n, const struct row_desc *d)
{
	int i;

	if (APPEND_LITERAL(b, "{\"items\":[") != 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((i && APPEND_LITERAL(b, ",") != 0) || row_write(b, d, res, i, ROW_PUBLIC) != 0)
			return -1;
	return APPEND_LITERAL(b, "],\"next_cursor\":");
}

int
reply_rows(struct request *r, const struct db_res *res, int limit, const struct row_desc *d)
{
	int rows = db_rows(res), key = row_cursor_col(d), rc;
	struct buf out;
	size_t n;

	buf_init(&out, 16u << 20);
	rc = key < 0 ? -1 : write_rows(&out, res, rows < limit ? rows : limit, d);
	if (rc == 0 && rows > limit) {
		/* the id is the row's first column */
		json_t *c = cursor_encode(row_val(res, limit - 1, key), row_val(res, limit - 1, 0));
		rc = json_is_string(c)
			     ? buf_cat(&out, "\"", json_string_value(c), "\"}", (char *)NULL)
			     : APPEND_LITERAL(&out, "null}");
		json_decref(c);
	} else if (rc == 0) {
		rc = APPEND_LITERAL(&out, "null}");
	}
	if (rc != 0) {
		buf_free(&out);
		return reply_internal(r);
	}
	n = out.len;
	return reply_json_text(r, 200, buf_steal(&out), n);
}

int
reply_row(struct request *r, int status, const struct row_desc *d, const struct db_res *res,
	  int row, unsigned show)
{
	struct buf out;
	size_t n;

	buf_init(&out, 16u << 20);
	if (row_write(&out, d, res, row, show) != 0) {
		buf_free(&out);
		return reply_internal(r);
	}
	n = out.len;
	return reply_json_text(r, status, buf_steal(&out), n);
}
