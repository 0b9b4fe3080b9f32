/* hsds: the directory as Open Referral HSDS 3 pages (docs/hsds.md).  One
 * page holds the whole directory (a few hundred programs at most); the page
 * fields are HSDS 3's API page: total_items, total_pages, page_number,
 * size, first_page, last_page, empty, contents. */
#include "hsds.h"

#include <stdio.h>
#include <string.h>

#include "common.h"
#include "db.h"
#include "statements.h"

/* The rows of res as one HSDS page. */
static int
reply_hsds_page(struct request *r, const struct db_res *res, const struct row_desc *d)
{
	struct buf out;
	char head[256];
	int i, n = db_rows(res);
	size_t len;

	buf_init(&out, 64u << 20);
	snprintf(head, sizeof(head),
		 "{\"total_items\":%d,\"total_pages\":1,\"page_number\":1,\"size\":%d,"
		 "\"first_page\":true,\"last_page\":true,\"empty\":%s,\"contents\":[",
		 n, n, n ? "false" : "true");
	if (buf_append(&out, head, strlen(head)) != 0)
		goto fail;
	for (i = 0; i < n; i++)
		if ((i && APPEND_LITERAL(&out, ",") != 0) ||
		    row_write(&out, d, res, i, ROW_PUBLIC) != 0)
			goto fail;
	if (APPEND_LITERAL(&out, "]}") != 0)
		goto fail;
	len = out.len;
	return reply_json_text(r, 200, buf_steal(&out), len);
fail:
	buf_free(&out);
	return reply_internal(r);
}

int
handle_hsds_organizations(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_HSDS_ORGANIZATIONS, &res, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_hsds_page(r, res, &hsds_org_row);
out:
	db_res_free(res);
	return status;
}

int
handle_hsds_services(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_HSDS_SERVICES, &res, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_hsds_page(r, res, &hsds_service_row);
out:
	db_res_free(res);
	return status;
}

int
handle_hsds_service_areas(struct request *r)
{
	struct db_res *res = NULL;
	enum db_status s;
	int status = 500;

	s = db_query(r->db, ST_HSDS_SERVICE_AREAS, &res, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	status = reply_hsds_page(r, res, &hsds_area_row);
out:
	db_res_free(res);
	return status;
}
