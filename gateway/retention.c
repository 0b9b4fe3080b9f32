/* retention: one call of refgw_retention_apply (schema/046), read by
 * category. */
#include "retention.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "statements.h"
#include "util.h"

const char *const retention_categories[RETENTION_CATEGORIES] = {
	"referral_data", "consent_withdrawn", "consent_expired", "follow_up_entries",
	"idempotency_keys"};

int
retention_run(struct db_conn *c, const struct retention_schedule *s, bool dry_run, const char *by,
	      struct retention_result *out)
{
	struct db_res *res = NULL;
	char v[6][24];
	int i, k, rc = -1;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < RETENTION_CATEGORIES; k++)
		snprintf(out->oldest[k], sizeof(out->oldest[k]), "-");
	snprintf(v[0], sizeof(v[0]), "%ld", s->referral_months);
	snprintf(v[1], sizeof(v[1]), "%ld", s->consent_withdrawn_months);
	snprintf(v[2], sizeof(v[2]), "%ld", s->consent_expired_months);
	snprintf(v[3], sizeof(v[3]), "%ld", s->follow_up_months);
	snprintf(v[4], sizeof(v[4]), "%ld", s->idempotency_days);
	snprintf(v[5], sizeof(v[5]), "%ld", s->batch);
	if (db_query(c, ST_RETENTION_APPLY, &res, "dry_run", dry_run ? "true" : "false",
		     "referral_m", v[0], "withdrawn_m", v[1], "expired_m", v[2], "follow_up_m",
		     v[3], "idem_days", v[4], "batch", v[5], "by", by, (char *)NULL) != DB_OK)
		goto out;
	out->ran = db_rows(res) > 0;
	for (i = 0; i < db_rows(res); i++) {
		const char *cat = row_val(res, i, RETENTION_CATEGORY);
		for (k = 0; k < RETENTION_CATEGORIES; k++) {
			if (strcmp(cat, retention_categories[k]) != 0)
				continue;
			if (parse_long(row_val(res, i, RETENTION_REMOVED), 0, LONG_MAX,
				       &out->removed[k]) != 0)
				goto out;
			snprintf(out->oldest[k], sizeof(out->oldest[k]), "%s",
				 row_val(res, i, RETENTION_OLDEST));
		}
	}
	rc = 0;
out:
	db_res_free(res);
	return rc;
}
