/* sites: a housing operator's site (a building or a programme of units),
 * the frame its units are published in; partnerships (ISSUE) whose members
 * read the site table of the sites attached to them (schema/032). */
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
	C(SITE_STATUS, "status", "s.status", COL_PLAIN, 0, NULL)                                   \
	C(SITE_PARTNERSHIP, "partnership_id", "s.partnership_id", COL_PLAIN, COL_NULLABLE, NULL)   \
	C(SITE_VERSION, "version", "s.version", COL_INTEGER, 0, NULL)                              \
	C(SITE_CREATED, "created_at", TS("s.created_at"), COL_PLAIN, 0, NULL)                      \
	C(SITE_UPDATED, "updated_at", TS("s.updated_at"), COL_PLAIN, 0, NULL)                      \
	C(SITE_KEY, "cursor_key", "s.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* Reserved or occupied units of a site (closing it is refused while any). */
#define SITE_BUSY_COLUMNS(C)                                                                       \
	C(SITE_BUSY_COUNT, "busy", "b.busy", COL_INTEGER, 0, NULL)                                 \
	C(SITE_BUSY_LABELS, "labels", "b.labels", COL_STRING, 0, NULL)

#define PARTNERSHIP_COLUMNS(C)                                                                     \
	C(PARTNERSHIP_ID, "id", "p.id", COL_PLAIN, 0, NULL)                                        \
	C(PARTNERSHIP_NAME, "name", "p.name", COL_STRING, 0, NULL)                                 \
	C(PARTNERSHIP_MEMBERS, "members", "array_to_string(p.members, ',')", COL_LIST, 0, NULL)    \
	C(PARTNERSHIP_VERSION, "version", "p.version", COL_INTEGER, 0, NULL)                       \
	C(PARTNERSHIP_CREATED, "created_at", TS("p.created_at"), COL_PLAIN, 0, NULL)               \
	C(PARTNERSHIP_UPDATED, "updated_at", TS("p.updated_at"), COL_PLAIN, 0, NULL)               \
	C(PARTNERSHIP_KEY, "cursor_key", "p.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* One line of a partnership's site table: a suppressed count is null, with
 * "suppressed": true (as in the reports). */
#define PARTNERSHIP_SITE_COLUMNS(C)                                                                \
	C(PSITE_ID, "site_id", "t.site_id", COL_PLAIN, 0, NULL)                                    \
	C(PSITE_NAME, "site", "t.site", COL_STRING, 0, NULL)                                       \
	C(PSITE_OPERATOR_ID, "operator_organisation_id", "t.operator_id", COL_PLAIN, 0, NULL)      \
	C(PSITE_OPERATOR, "operator", "t.operator", COL_STRING, 0, NULL)                           \
	C(PSITE_COMMUNE, "commune", "t.commune", COL_STRING, 0, NULL)                              \
	C(PSITE_PARTNER, "managing_partner", "t.managing_partner", COL_STRING, COL_NULLABLE, NULL) \
	C(PSITE_UNITS, "units", "t.units", COL_INTEGER, 0, NULL)                                   \
	C(PSITE_FROM, "period_from", "t.period_from::text", COL_PLAIN, 0, NULL)                    \
	C(PSITE_UNTIL, "period_until", "t.period_until::text", COL_PLAIN, COL_NULLABLE, NULL)      \
	C(PSITE_STATUS, "status", "t.status", COL_PLAIN, 0, NULL)                                  \
	C(PSITE_OCCUPANCIES, "occupancies", "t.occupancies", COL_INTEGER, COL_NULLABLE, NULL)      \
	C(PSITE_HOUSED, "housed_now", "t.housed_now", COL_INTEGER, COL_NULLABLE, NULL)             \
	C(PSITE_SUPPRESSED, "suppressed", "(t.occupancies IS NULL OR t.housed_now IS NULL)",       \
	  COL_BOOLEAN, 0, NULL)

enum site_col { SITE_COLUMNS(COLUMN_ENUM) };
enum site_busy_col { SITE_BUSY_COLUMNS(COLUMN_ENUM) };
enum partnership_col { PARTNERSHIP_COLUMNS(COLUMN_ENUM) };
enum partnership_site_col { PARTNERSHIP_SITE_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc site_row, site_busy_row, partnership_row, partnership_site_row;

int handle_site_create(struct request *r);
int handle_site_list(struct request *r);
int handle_site_get(struct request *r);
int handle_site_update(struct request *r);
int handle_partnership_create(struct request *r);
int handle_partnership_list(struct request *r);
int handle_partnership_get(struct request *r);
int handle_partnership_update(struct request *r);
int handle_partnership_sites(struct request *r);

#endif
