/* categories: one table of personal fields, and the documents that list it
 * (docs/data-protection.md, docs/openapi.yaml) say the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "categories.h"
#include "suites.h"

extern const char *const data_categories[];

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	ck_assert_int_eq(fread(text, 1, (size_t)n, f), n);
	fclose(f);
	return text;
}

START_TEST(every_category_has_its_fields)
{
	size_t i, j, k, without = 0;

	for (i = 0; data_categories[i]; i++) {
		const struct category *c = category_find(data_categories[i]);
		/* follow_up: no referral field, the entries of a follow-up
		 * (follow_ups.c, schema/030) */
		if (strcmp(data_categories[i], "follow_up") == 0) {
			ck_assert_ptr_null(c);
			without++;
			continue;
		}
		ck_assert_msg(c != NULL, "no field set for %s", data_categories[i]);
		ck_assert_int_gt(c->nfields, 0);
		for (j = 0; j < c->nfields; j++)
			for (k = 0; k < j; k++)
				ck_assert_str_ne(c->fields[j].name, c->fields[k].name);
	}
	ck_assert_uint_eq(without, 1);
	ck_assert_uint_eq(i, ncategories + without);
	ck_assert_ptr_null(category_find("dna"));
}
END_TEST

START_TEST(top_level_fields_have_a_category)
{
	static const struct {
		const char *field, *category;
	} want[] = {
		{"reason", "housing_situation"},
		{"release_date", "justice"},
		{"needs.household_size", "family"},
		{"needs.accessibility", "health"},
		{"needs.avoid_communes", "housing_situation"},
		{"needs.preferred_communes", "housing_situation"},
		{"needs.excluded_communes", "justice"},
		{"needs.income_band", "income"},
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_str_eq(personal_field_category(want[i].field), want[i].category);
	ck_assert_ptr_null(personal_field_category("program"));
	ck_assert_ptr_null(personal_field_category("needs.hiv_status"));
}
END_TEST

START_TEST(unknown_field_in_a_category_is_named)
{
	json_t *data = json_loads("{\"identity\":{\"given_name\":\"J\",\"hiv_status\":\"x\"},"
				  "\"health\":{\"care_needs\":\"y\"},\"dna\":{}}",
				  0, NULL),
	       *errors = json_array(), *e;
	size_t i;
	int hiv = 0, dna = 0;

	categories_check_data(data, errors);
	json_array_foreach(errors, i, e) {
		const char *f = json_string_value(json_object_get(e, "field"));
		hiv |= strcmp(f, "data.identity.hiv_status") == 0;
		dna |= strcmp(f, "data.dna") == 0;
		ck_assert_ptr_null(strstr(f, "health"));
	}
	ck_assert(hiv && dna);
	json_decref(errors);
	json_decref(data);
}
END_TEST

/* docs/data-protection.md: a table row "| `category` | ... |" naming each field. */
START_TEST(data_protection_lists_every_field)
{
	char *doc = slurp("docs/data-protection.md");
	size_t i, j;

	for (i = 0; i < ncategories; i++) {
		char head[64], *row, *end;
		snprintf(head, sizeof(head), "| `%s` |", categories[i].name);
		row = strstr(doc, head);
		ck_assert_msg(row != NULL, "docs/data-protection.md: no row for %s",
			      categories[i].name);
		end = strchr(row, '\n');
		for (j = 0; j < categories[i].nfields; j++) {
			char name[80], *at;
			snprintf(name, sizeof(name), "`%s`", categories[i].fields[j].name);
			at = strstr(row, name);
			ck_assert_msg(at != NULL && (end == NULL || at < end),
				      "docs/data-protection.md: %s does not list %s",
				      categories[i].name, name);
		}
	}
	free(doc);
}
END_TEST

/* docs/openapi.yaml: ReferralData lists each category and, under it, each field. */
START_TEST(openapi_lists_every_field)
{
	char *doc = slurp("docs/openapi.yaml"), *schema;
	size_t i, j;

	schema = strstr(doc, "\n    ReferralData:\n");
	ck_assert_msg(schema != NULL, "docs/openapi.yaml: no ReferralData schema");
	{
		char *next = strstr(schema + 1, "\n    Referral:\n");
		if (next)
			*next = '\0';
	}
	for (i = 0; i < ncategories; i++) {
		char head[64], *block, *end;
		snprintf(head, sizeof(head), "\n        %s:\n", categories[i].name);
		block = strstr(schema, head);
		ck_assert_msg(block != NULL, "ReferralData has no %s", categories[i].name);
		block += strlen(head);
		/* The block ends at the next line indented as a category. */
		for (end = block; (end = strstr(end, "\n        ")) && end[9] == ' '; end++)
			;
		for (j = 0; j < categories[i].nfields; j++) {
			char name[80], *at;
			snprintf(name, sizeof(name),
				 "\n            %s:", categories[i].fields[j].name);
			at = strstr(block, name);
			ck_assert_msg(at != NULL && (end == NULL || at < end),
				      "ReferralData.%s does not list %s", categories[i].name,
				      categories[i].fields[j].name);
		}
	}
	free(doc);
}
END_TEST

Suite *
categories_suite(void)
{
	Suite *s = suite_create("categories");
	TCase *t = tcase_create("table");

	tcase_add_test(t, every_category_has_its_fields);
	tcase_add_test(t, top_level_fields_have_a_category);
	tcase_add_test(t, unknown_field_in_a_category_is_named);
	tcase_add_test(t, data_protection_lists_every_field);
	tcase_add_test(t, openapi_lists_every_field);
	suite_add_tcase(s, t);
	return s;
}
