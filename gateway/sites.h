/* sites: a housing operator's site (a building or a programme of units),
 * the frame its units are published in. */
#ifndef REFGW_SITES_H
#define REFGW_SITES_H

#include "request.h"
#include "rows.h"

#define SITE_COLUMNS(C)                                                                            \
	C(SITE_ID, "id", "s.id", COL_PLAIN, 0, NULL)                                               \
	C(SITE_OPERATOR, "operator_organisation_id", "s.operator_org", COL_PLAIN, 0, NULL)         \
	C(SITE_NAME, "name", "s.name", COL_STRING, 0, NULL)                                        \
	C(SITE_COMMUNE, "commune", "s.commune", COL_STRING, 0, NULL)                               \
	C(SITE_MANAGING_PARTNER, "managing_partner", "s.managing_partner", COL_STRING,             \
	  COL_NULLABLE, NULL)                                                                      \
	C(SITE_UNITS, "units", "s.units_planned", COL_INTEGER, COL_NULLABLE, NULL)                 \
	C(SITE_PERIOD_FROM, "period_from", "s.period_from::text", COL_PLAIN, 0, NULL)              \
	C(SITE_PERIOD_UNTIL, "period_until", "s.period_until::text", COL_PLAIN, COL_NULLABLE,      \
	  NULL)                                                                                    \
	C(SITE_CREATED, "created_at", TS("s.created_at"), COL_PLAIN, 0, NULL)

enum site_col { SITE_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc site_row;

int handle_site_create(struct request *r);

#endif
