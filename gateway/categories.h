/* categories: every personal field a referral may carry, in the consent
 * category it belongs to (principle 10).  One table for `data`'s fields per
 * category, `needs`' fields, `reason` and `release_date`; docs/data-protection.md
 * and docs/openapi.yaml list the same fields, schema/016_personal_fields.sql
 * repeats the mapping of the top-level fields for the database's own check. */
#ifndef REFGW_CATEGORIES_H
#define REFGW_CATEGORIES_H

#include <jansson.h>
#include <stddef.h>

#include "validate.h"

struct category {
	const char *name;
	const struct field_spec *fields;
	size_t nfields;
};

/* The seven consent categories and their fields, in the order of
 * data_categories (consents.c). */
extern const struct category categories[];
extern const size_t ncategories;

/* The category named name, or NULL. */
const struct category *category_find(const char *name);

/* data: {category: {field: value}}: known categories, each an object of its
 * own fields only.  Problems go to errors as data.<category>[.<field>]. */
void categories_check_data(json_t *data, json_t *errors);

/* needs: its fields, each checked; problems as needs.<field>. */
void categories_check_needs(json_t *needs, json_t *errors);

/* The personal fields present in a referral body, as an array of
 * {"field": "release_date" | "reason" | "needs.<f>" | "data.<c>", "category": c}
 * (new reference). */
json_t *personal_fields_used(json_t *body);

/* The category of a top-level personal field ("reason", "release_date",
 * "needs.household_size", ...), or NULL for a field that is not personal. */
const char *personal_field_category(const char *field);

#endif
