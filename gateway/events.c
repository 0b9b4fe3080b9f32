/* events: the feed of one organisation (GET /v1/events?after=&wait=) and
 * the writing of its entries.  A long-poll parks the request in http.c
 * until notify.c hears of news for the organisation or the wait ends. */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "db.h"
#include "notify.h"
#include "statements.h"

int
event_emit(struct request *r, const char *org, const char *type, const char *resource_type,
	   const char *resource_id)
{
	return db_query(r->db, ST_EMIT_EVENT, NULL, "organisation", org, "type", type,
			"resource_type", resource_type, "resource_id", resource_id,
			(char *)NULL) == DB_OK
		       ? 0
		       : -1;
}

int
handle_event_list(struct request *r)
{
	const char *after = req_query(r, "after"), *wait_q = req_query(r, "wait");
	char limit_text[16];
	long wait = 0, seq = 0;
	struct db_res *res = NULL;
	struct buf out;
	size_t n;
	int limit, rows, status = 500;
	enum db_status s, commit = DB_OK;

	buf_init(&out, 16u << 20);
	if (after && parse_long(after, 0, 0x7fffffffffffffffL, &seq) != 0) {
		json_t *errors = json_array();
		field_error(errors, "after", "must be a next_cursor value of this feed");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	if ((limit = query_limit(r)) < 0) {
		status = r->status;
		goto out;
	}
	if (wait_q && parse_long(wait_q, 0, 30, &wait) != 0) {
		json_t *errors = json_array();
		field_error(errors, "wait", "must be a whole number of seconds from 0 to 30");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	if (after == NULL)
		after = "0";
	/* Numbered first: the feed shows numbered events only, and an event
	 * committed before this request is in it (schema/067).  The page goes
	 * with COMMIT, and is answered only if the numbers it shows committed:
	 * numbers a rollback took back would be given again to other events. */
	s = db_query(r->db, ST_EVENTS_NUMBER, NULL, (char *)NULL);
	if (s == DB_OK)
		s = db_query_commit(r->db, &commit, ST_EVENT_LIST, &res, "after", after, "limit",
				    limit_text, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (commit != DB_OK) {
		status = reply_commit_error(r, commit);
		goto out;
	}
	r->committed = true;
	rows = db_rows(res);
	if (rows == 0 && wait > 0 && !r->no_wait) {
		r->want_wait = true;
		/* Woken once the organisation's head passes the cursor: an
		 * event committed after this query's snapshot, even before the
		 * park, is seen at the next read of the heads. */
		r->wait_after = seq;
		r->wait_deadline_us = now_monotonic_us() + (uint64_t)wait * 1000000u;
	}
	/* Written straight into the body, as the other hot lists.  The cursor
	 * is the last event's number: resuming from it after a crash misses
	 * nothing and repeats nothing. */
	if (write_rows(&out, res, rows, &event_row) != 0 ||
	    buf_cat(&out, "\"", rows > 0 ? row_val(res, rows - 1, EVENT_ID) : after, "\"}",
		    (char *)NULL) != 0) {
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
