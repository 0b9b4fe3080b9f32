/* reports: aggregates only (GET /v1/reports/...), computed by PostgreSQL
 * functions that suppress every count of people below 5
 * (schema/010_reports.sql, 012). */
#ifndef REFGW_REPORTS_H
#define REFGW_REPORTS_H

#include "request.h"
#include "rows.h"

/* One site: a suppressed count is NULL, shown as null with "suppressed". */
#define REPORT_SITE_COLUMNS(C)                                                                     \
	C(REPORT_SITE_ID, "site_id", "o.site_id", COL_PLAIN, 0, NULL)                              \
	C(REPORT_SITE_NAME, "site", "o.site", COL_STRING, 0, NULL)                                 \
	C(REPORT_SITE_OPERATOR_ID, "operator_organisation_id", "o.operator_id", COL_PLAIN, 0,      \
	  NULL)                                                                                    \
	C(REPORT_SITE_OPERATOR, "operator", "o.operator", COL_STRING, 0, NULL)                     \
	C(REPORT_SITE_COMMUNE, "commune", "o.commune", COL_STRING, 0, NULL)                        \
	C(REPORT_SITE_UNITS, "units", "o.units", COL_INTEGER, COL_NULLABLE, NULL)                  \
	C(REPORT_SITE_FROM, "period_from", "o.period_from::text", COL_PLAIN, 0, NULL)              \
	C(REPORT_SITE_UNTIL, "period_until", "o.period_until::text", COL_PLAIN, COL_NULLABLE,      \
	  NULL)                                                                                    \
	C(REPORT_SITE_STATUS, "status", "o.status", COL_STRING, 0, NULL)                           \
	C(REPORT_SITE_OCCUPANCIES, "occupancies", "o.occupancies", COL_INTEGER, COL_NULLABLE,      \
	  NULL)                                                                                    \
	C(REPORT_SITE_OCCUPIED, "occupied_days", "o.occupied_days", COL_INTEGER, COL_NULLABLE,     \
	  NULL)                                                                                    \
	C(REPORT_SITE_VACANT, "vacant_days", "o.vacant_days", COL_INTEGER, COL_NULLABLE, NULL)     \
	C(REPORT_SITE_SUPPRESSED, "suppressed", "o.occupancies IS NULL", COL_BOOLEAN, 0, NULL)

/* One month x program x status x outcome. */
#define REPORT_REFERRAL_COLUMNS(C)                                                                 \
	C(REPORT_MONTH, "month", "f.month", COL_STRING, 0, NULL)                                   \
	C(REPORT_PROGRAM, "program", "f.program", COL_STRING, 0, NULL)                             \
	C(REPORT_STATUS, "status", "f.status", COL_STRING, 0, NULL)                                \
	C(REPORT_OUTCOME, "outcome", "f.outcome", COL_STRING, COL_NULLABLE, NULL)                  \
	C(REPORT_REFERRALS, "referrals", "f.referrals", COL_INTEGER, COL_NULLABLE, NULL)           \
	C(REPORT_SUPPRESSED, "suppressed", "f.referrals IS NULL", COL_BOOLEAN, 0, NULL)

enum report_site_col { REPORT_SITE_COLUMNS(COLUMN_ENUM) };
enum report_referral_col { REPORT_REFERRAL_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc report_site_row, report_referral_row;

int handle_report_occupancy(struct request *r);
int handle_report_referrals(struct request *r);

#endif
