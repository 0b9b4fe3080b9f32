/* hsds: the directory, read-only, as Open Referral HSDS 3 (organization,
 * service, service_area; docs/hsds.md): for the field's service
 * directories to import.  No personal data is in any of it. */
#ifndef REFGW_HSDS_H
#define REFGW_HSDS_H

#include "request.h"
#include "rows.h"

/* HSDS organization: an active organisation of the directory. */
#define HSDS_ORG_COLUMNS(C)                                                                        \
	C(HSDS_ORG_ID, "id", "o.id", COL_PLAIN, 0, NULL)                                           \
	C(HSDS_ORG_NAME, "name", "o.name", COL_STRING, 0, NULL)                                    \
	C(HSDS_ORG_DESCRIPTION, "description", "'refgw organisation of kind ' || o.kind",          \
	  COL_PLAIN, 0, NULL)

/* HSDS service: a program (active while open and its organisation active). */
#define HSDS_SERVICE_COLUMNS(C)                                                                    \
	C(HSDS_SERVICE_ID, "id", "p.id", COL_PLAIN, 0, NULL)                                       \
	C(HSDS_SERVICE_ORG, "organization_id", "p.organisation_id", COL_PLAIN, 0, NULL)            \
	C(HSDS_SERVICE_NAME, "name", "p.code", COL_STRING, 0, NULL)                                \
	C(HSDS_SERVICE_DESCRIPTION, "description", "p.description", COL_STRING, 0, NULL)           \
	C(HSDS_SERVICE_STATUS, "status",                                                           \
	  "CASE WHEN p.status = 'open' AND o.status = 'active' THEN 'active' ELSE 'inactive' END", \
	  COL_PLAIN, 0, NULL)

/* HSDS service_area: one per commune served, or the whole region. */
#define HSDS_AREA_COLUMNS(C)                                                                       \
	C(HSDS_AREA_ID, "id", "a.id", COL_PLAIN, 0, NULL)                                          \
	C(HSDS_AREA_SERVICE, "service_id", "a.service_id", COL_PLAIN, 0, NULL)                     \
	C(HSDS_AREA_NAME, "name", "a.name", COL_STRING, 0, NULL)                                   \
	C(HSDS_AREA_DESCRIPTION, "description", "a.description", COL_STRING, 0, NULL)

enum hsds_org_col { HSDS_ORG_COLUMNS(COLUMN_ENUM) };
enum hsds_service_col { HSDS_SERVICE_COLUMNS(COLUMN_ENUM) };
enum hsds_area_col { HSDS_AREA_COLUMNS(COLUMN_ENUM) };

extern const struct row_desc hsds_org_row, hsds_service_row, hsds_area_row;

int handle_hsds_organizations(struct request *r);
int handle_hsds_services(struct request *r);
int handle_hsds_service_areas(struct request *r);

#endif
