/* categories: the personal fields of a referral and the consent category
 * each belongs to.  A field not in this table cannot be sent (400), so
 * health data cannot travel under `identity` (identity.hiv_status), and a
 * referral carries a field only when its consent covers the field's
 * category (referrals.c asks refgw_consent_gaps; PostgreSQL checks again on
 * insert).  The choices are explained in docs/data-protection.md. */
#include "categories.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const genders[] = {"female", "male", "x", "unknown", NULL};
static const char *const residence_statuses[] = {
	"belgian", "eu_citizen", "residence_permit", "asylum_seeker", "no_legal_residence",
	"unknown", NULL};
static const char *const id_documents[] = {"eid",  "residence_card", "passport",
					   "none", "other",          NULL};
static const char *const channels[] = {"phone", "email", "post", "through_referrer", NULL};
static const char *const housing_now[] = {
	"street", "emergency_shelter", "shelter",        "transit_housing",
	"prison", "hospital",          "institution",    "family_or_friends",
	"squat",  "private_rental",    "social_housing", "other",
	NULL};
static const char *const income_bands[] = {
	"none", "integration_income", "replacement_income", "work_income", "unknown", NULL};
static const char *const income_sources[] = {"integration_income",
					     "unemployment_benefit",
					     "sickness_or_disability_benefit",
					     "pension",
					     "work",
					     "none",
					     "other",
					     NULL};
static const char *const custody[] = {"none", "full", "shared", "visiting_rights", NULL};
static const char *const justice_statuses[] = {"detained",
					       "limited_detention",
					       "electronic_monitoring",
					       "conditional_release",
					       "sentence_served",
					       "probation",
					       "awaiting_trial",
					       "other",
					       NULL};
static const char *const accessibility[] = {"none", "ground_floor", "lift", "wheelchair", NULL};

static const struct field_spec identity_fields[] = {
	{"given_name", FT_STRING, false, 100, 0, 0, NULL},
	{"family_name", FT_STRING, false, 100, 0, 0, NULL},
	{"birth_date", FT_DATE, false, 0, 0, 0, NULL},
	{"birth_place", FT_STRING, false, 100, 0, 0, NULL},
	{"gender", FT_ENUM, false, 0, 0, 0, genders},
	{"nationality", FT_STRING, false, 64, 0, 0, NULL},
	{"languages", FT_TOKEN_ARRAY, false, 16, 0, 10, NULL},
	{"residence_status", FT_ENUM, false, 0, 0, 0, residence_statuses},
	{"id_document", FT_ENUM, false, 0, 0, 0, id_documents},
};
static const struct field_spec contact_fields[] = {
	{"phone", FT_STRING, false, 32, 0, 0, NULL},
	{"email", FT_STRING, false, 254, 0, 0, NULL},
	{"postal_address", FT_STRING, false, 300, 0, 0, NULL},
	{"reference_address", FT_STRING, false, 300, 0, 0, NULL},
	{"contact_person", FT_STRING, false, 200, 0, 0, NULL},
	{"preferred_channel", FT_ENUM, false, 0, 0, 0, channels},
};
static const struct field_spec housing_fields[] = {
	{"current", FT_ENUM, false, 0, 0, 0, housing_now},
	{"since", FT_DATE, false, 0, 0, 0, NULL},
	{"last_address", FT_STRING, false, 300, 0, 0, NULL},
	{"commune", FT_STRING, false, 64, 0, 0, NULL},
	{"social_housing_application", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"eviction_pending", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"notes", FT_STRING, false, 1000, 0, 0, NULL},
};
static const struct field_spec income_fields[] = {
	{"band", FT_ENUM, false, 0, 0, 0, income_bands},
	{"source", FT_ENUM, false, 0, 0, 0, income_sources},
	{"monthly_amount_eur", FT_INTEGER, false, 0, 0, 100000, NULL},
	{"paying_cpas", FT_STRING, false, 64, 0, 0, NULL},
	{"debt_mediation", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"rent_guarantee_needed", FT_BOOLEAN, false, 0, 0, 0, NULL},
};
static const struct field_spec family_fields[] = {
	{"household_size", FT_INTEGER, false, 0, 1, 20, NULL},
	{"adults", FT_INTEGER, false, 0, 1, 20, NULL},
	{"children", FT_INTEGER, false, 0, 0, 20, NULL},
	{"children_custody", FT_ENUM, false, 0, 0, 0, custody},
	{"notes", FT_STRING, false, 1000, 0, 0, NULL},
};
static const struct field_spec justice_fields[] = {
	{"prison", FT_STRING, false, 100, 0, 0, NULL},
	{"status", FT_ENUM, false, 0, 0, 0, justice_statuses},
	{"sentence_end", FT_DATE, false, 0, 0, 0, NULL},
	{"conditions", FT_STRING, false, 1000, 0, 0, NULL},
	{"justice_assistant", FT_STRING, false, 200, 0, 0, NULL},
};
static const struct field_spec health_fields[] = {
	{"accessibility", FT_ENUM, false, 0, 0, 0, accessibility},
	{"care_needs", FT_STRING, false, 1000, 0, 0, NULL},
	{"care_provider", FT_STRING, false, 200, 0, 0, NULL},
	{"mental_health_follow_up", FT_BOOLEAN, false, 0, 0, 0, NULL},
	{"addiction_follow_up", FT_BOOLEAN, false, 0, 0, 0, NULL},
};

#define CATEGORY(name, fields)                                                                     \
	{                                                                                          \
		name, fields, ARRAY_LEN(fields)                                                    \
	}
const struct category categories[] = {
	CATEGORY("identity", identity_fields),
	CATEGORY("contact", contact_fields),
	CATEGORY("housing_situation", housing_fields),
	CATEGORY("income", income_fields),
	CATEGORY("family", family_fields),
	CATEGORY("justice", justice_fields),
	CATEGORY("health", health_fields),
};
const size_t ncategories = ARRAY_LEN(categories);

/* needs: what the candidates ranking reads (schema/009, docs/candidates.md),
 * each field in its category.  excluded_communes are the communes a judicial
 * condition forbids (justice: a hard constraint of the ranking);
 * avoid_communes are where the person would rather not live
 * (housing_situation). */
static const struct field_spec needs_fields[] = {
	{"household_size", FT_INTEGER, false, 0, 1, 20, NULL},
	{"accessibility", FT_ENUM, false, 0, 0, 0, accessibility},
	{"avoid_communes", FT_ANY, false, 0, 0, 0, NULL},
	{"preferred_communes", FT_ANY, false, 0, 0, 0, NULL},
	{"excluded_communes", FT_ANY, false, 0, 0, 0, NULL},
	{"income_band", FT_ENUM, false, 0, 0, 0, income_bands},
};
static const struct {
	const char *field, *category;
} personal_fields[] = {
	{"reason", "housing_situation"},
	{"release_date", "justice"},
	{"needs.household_size", "family"},
	{"needs.accessibility", "health"},
	{"needs.avoid_communes", "housing_situation"},
	{"needs.preferred_communes", "housing_situation"},
	{"needs.excluded_communes", "justice"},
	{"needs.income_band", "income"},
};

const struct category *
category_find(const char *name)
{
	size_t i;

	for (i = 0; i < ncategories; i++)
		if (strcmp(categories[i].name, name) == 0)
			return &categories[i];
	return NULL;
}

const char *
personal_field_category(const char *field)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(personal_fields); i++)
		if (strcmp(personal_fields[i].field, field) == 0)
			return personal_fields[i].category;
	return NULL;
}

/* validate_fields names a field by its key; name it by its path. */
static void
check_prefixed(json_t *obj, const struct field_spec *specs, size_t n, const char *prefix,
	       json_t *errors)
{
	json_t *found = json_array();

	validate_fields(obj, specs, n, found);
	field_errors_nested(errors, prefix, found);
	json_decref(found);
}

static void
list_fields(const struct category *c, char *out, size_t len)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < c->nfields; i++) {
		if (i)
			strncat(out, ", ", len - strlen(out) - 1);
		strncat(out, c->fields[i].name, len - strlen(out) - 1);
	}
}

void
categories_check_data(json_t *data, json_t *errors)
{
	const char *key;
	json_t *v;

	if (!json_is_object(data))
		return;
	json_object_foreach(data, key, v) {
		const struct category *c = category_find(key);
		char prefix[80];
		snprintf(prefix, sizeof(prefix), "data.%.60s", key);
		if (c == NULL) {
			field_error(errors, prefix, "unknown data category");
		} else if (!json_is_object(v)) {
			field_error(errors, prefix, "must be an object");
		} else {
			size_t before = json_array_size(errors);
			check_prefixed(v, c->fields, c->nfields, prefix, errors);
			if (json_array_size(errors) > before) {
				/* Say once which fields the category has. */
				char names[512];
				list_fields(c, names, sizeof(names));
				field_error(errors, prefix, "the fields of %s are: %s", c->name,
					    names);
			}
		}
	}
}

/* Communes: an array of up to 19 non-empty names (Brussels has 19). */
static void
check_communes(json_t *v, const char *field, json_t *errors)
{
	size_t i;
	json_t *c;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_array(v) || json_array_size(v) > 19) {
		field_error(errors, field, "must be an array of at most 19 commune names");
		return;
	}
	json_array_foreach(v, i, c)
		if (!json_is_string(c) || json_string_length(c) == 0 ||
		    json_string_length(c) > 64 || !is_clean_text(json_string_value(c))) {
			field_error(errors, field,
				    "item %zu must be a commune name (1 to 64 bytes)", i);
			return;
		}
}

void
categories_check_needs(json_t *needs, json_t *errors)
{
	if (!json_is_object(needs))
		return;
	check_prefixed(needs, needs_fields, ARRAY_LEN(needs_fields), "needs", errors);
	check_communes(json_object_get(needs, "avoid_communes"), "needs.avoid_communes", errors);
	check_communes(json_object_get(needs, "preferred_communes"), "needs.preferred_communes",
		       errors);
	check_communes(json_object_get(needs, "excluded_communes"), "needs.excluded_communes",
		       errors);
}

static void
used(json_t *out, const char *field, const char *category)
{
	json_array_append_new(out, json_pack("{s:s, s:s}", "field", field, "category", category));
}

json_t *
personal_fields_used(json_t *body)
{
	json_t *out = json_array(), *data = json_object_get(body, "data"),
	       *needs = json_object_get(body, "needs"), *v;
	const char *key;

	json_object_foreach(data, key, v) {
		char field[80];
		snprintf(field, sizeof(field), "data.%.60s", key);
		used(out, field, key);
	}
	if (json_is_string(json_object_get(body, "reason")))
		used(out, "reason", personal_field_category("reason"));
	if (json_is_string(json_object_get(body, "release_date")))
		used(out, "release_date", personal_field_category("release_date"));
	json_object_foreach(needs, key, v) {
		char field[80];
		const char *category;
		if (json_is_null(v))
			continue;
		snprintf(field, sizeof(field), "needs.%.60s", key);
		if ((category = personal_field_category(field)) != NULL)
			used(out, field, category);
	}
	return out;
}
