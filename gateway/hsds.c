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

static int
reply_hsds_page(struct request *r, enum stmt_id id, const struct row_desc *d)
{
	struct db_res *res = NULL;
	struct buf out;
	char head[256];
	enum db_status s;
	int i, n, status = 500;
	size_t len;

	buf_init(&out, 64u << 20);
	s = db_query(r->db, id, &res, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	n = db_rows(res);
	snprintf(head, sizeof(head),
		 "{\"total_items\":%d,\"total_pages\":1,\"page_number\":1,\"size\":%d,"
		 "\"first_page\":true,\"last_page\":true,\"empty\":%s,\"contents\":[",
		 n, n, n ? "false" : "true");
	if (buf_append(&out, head, strlen(head)) != 0) {
		status = reply_internal(r);
		goto out;
	}
	for (i = 0; i < n; i++)
		if ((i && APPEND_LITERAL(&out, ",") != 0) ||
		    row_write(&out, d, res, i, ROW_PUBLIC) != 0) {
			status = reply_internal(r);
			goto out;
		}
	if (APPEND_LITERAL(&out, "]}") != 0) {
		status = reply_internal(r);
		goto out;
	}
	len = out.len;
	status = reply_json_text(r, 200, buf_steal(&out), len);
out:
	buf_free(&out);
	db_res_free(res);
	return status;
}

int
handle_hsds_organizations(struct request *r)
{
	return reply_hsds_page(r, ST_HSDS_ORGANIZATIONS, &hsds_org_row);
}

int
handle_hsds_services(struct request *r)
{
	return reply_hsds_page(r, ST_HSDS_SERVICES, &hsds_service_row);
}

int
handle_hsds_service_areas(struct request *r)
{
	return reply_hsds_page(r, ST_HSDS_SERVICE_AREAS, &hsds_area_row);
}
