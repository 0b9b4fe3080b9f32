/* units: a unit of a site, published by its operator to an audience of
 * organisations and kinds.  A unit outside the caller's audience does not
 * exist for it (row-level security); its exact address appears only to its
 * operator and to the organisation whose proposal was accepted. */
#ifndef REFGW_UNITS_H
#define REFGW_UNITS_H

#include "request.h"
#include "rows.h"

/* The unit as every reader sees it (GET /v1/units is a hot list: written
 * straight into the buffer by row_write, docs/performance.md).  Its
 * audience is one column, "orgs;kinds"; the address is NULL unless the
 * caller may see it (unit_addresses' row-level security). */
#define UNIT_COLUMNS(C)                                                                            \
	C(UNIT_ID, "id", "u.id", COL_PLAIN, 0, NULL)                                               \
	C(UNIT_SITE, "site_id", "u.site_id", COL_PLAIN, 0, NULL)                                   \
	C(UNIT_OPERATOR, "operator_organisation_id", "u.operator_org", COL_PLAIN, 0, NULL)         \
	C(UNIT_LABEL, "label", "u.label", COL_STRING, 0, NULL)                                     \
	C(UNIT_TYPE, "type", "u.type", COL_PLAIN, 0, NULL)                                         \
	C(UNIT_BEDROOMS, "bedrooms", "u.bedrooms", COL_INTEGER, 0, NULL)                           \
	C(UNIT_FURNISHED, "furnished", "u.furnished", COL_BOOLEAN, 0, NULL)                        \
	C(UNIT_ACCESSIBILITY, "accessibility", "u.accessibility", COL_PLAIN, 0, NULL)              \
	C(UNIT_COMMUNE, "commune", "u.commune", COL_STRING, 0, NULL)                               \
	C(UNIT_CONTRIBUTION, "monthly_contribution_eur", "u.monthly_contribution_eur::text",       \
	  COL_DECIMAL, COL_OMIT_NULL, NULL)                                                        \
	C(UNIT_AVAILABLE_FROM, "available_from", "u.available_from::text", COL_PLAIN, COL_CURSOR,  \
	  NULL)                                                                                    \
	C(UNIT_AVAILABLE_UNTIL, "available_until", "u.available_until::text", COL_PLAIN,           \
	  COL_NULLABLE, NULL)                                                                      \
	C(UNIT_TERMS, "terms", "u.terms", COL_PLAIN, 0, NULL)                                      \
	C(UNIT_MAX_STAY, "max_stay_months", "u.max_stay_months", COL_INTEGER, COL_NULLABLE, NULL)  \
	C(UNIT_AUDIENCE, "audience",                                                               \
	  "array_to_string(u.audience_orgs, ',') || ';' || array_to_string(u.audience_kinds, "     \
	  "',')",                                                                                  \
	  COL_AUDIENCE, 0, NULL)                                                                   \
	C(UNIT_STATUS, "status", "u.status", COL_PLAIN, 0, NULL)                                   \
	C(UNIT_VERSION, "version", "u.version", COL_INTEGER, 0, NULL)                              \
	C(UNIT_CREATED, "created_at", TS("u.created_at"), COL_PLAIN, 0, NULL)                      \
	C(UNIT_UPDATED, "updated_at", TS("u.updated_at"), COL_PLAIN, 0, NULL)                      \
	C(UNIT_ADDRESS, "address",                                                                 \
	  "(SELECT a.address FROM unit_addresses a WHERE a.unit_id = u.id)", COL_STRING,           \
	  COL_OMIT_NULL, NULL)                                                                     \
	C(UNIT_ENDED, "availability_ended", "(u.available_until < current_date)", COL_KEY, 0, NULL)

/* The id a unit insert or update returns (an update that matched no row,
 * at that version and status, returns none). */
#define UNIT_KEY_COLUMNS(C) C(UNIT_KEY_ID, "id", "u.id", COL_KEY, 0, NULL)

/* refgw_take_back_unit (schema/033): occupancy:<id> or proposal:<id> (ended
 * or declined), ok, not_found, changed, before_start or after_today. */
#define TAKE_BACK_COLUMNS(C)                                                                       \
	C(TAKE_BACK_RESULT, "result", "refgw_take_back_unit($id::uuid, $end_date::date)", COL_KEY, \
	  0, NULL)

enum unit_col { UNIT_COLUMNS(COLUMN_ENUM) };
enum unit_key_col { UNIT_KEY_COLUMNS(COLUMN_ENUM) };
enum take_back_col { TAKE_BACK_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc unit_row, unit_key_row, take_back_row;

int handle_unit_create(struct request *r);
int handle_unit_get(struct request *r);
int handle_unit_search(struct request *r);
int handle_unit_update(struct request *r);

#endif
