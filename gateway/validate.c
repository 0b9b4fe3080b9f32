/* validate: field tables. */
#include "validate.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

bool
is_token(const char *s, size_t maxlen)
{
	size_t n = strlen(s);

	if (n == 0 || n > maxlen)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

bool
is_clean_text(const char *s)
{
	/* jansson already guarantees valid UTF-8 and no NUL. */
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

static const struct field_spec *
find_spec(const struct field_spec *specs, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(specs[i].name, name) == 0)
			return &specs[i];
	return NULL;
}

bool
validate_in(const char *s, const char *const *values)
{
	for (; *values; values++)
		if (strcmp(s, *values) == 0)
			return true;
	return false;
}

static void
check_value(const struct field_spec *f, json_t *v, json_t *errors)
{
	const char *s;
	size_t i;
	json_t *item;

	switch (f->type) {
	case FT_STRING:
	case FT_TOKEN:
	case FT_ENUM:
	case FT_UUID:
	case FT_DATE:
		if (!json_is_string(v)) {
			field_error(errors, f->name, "must be a string");
			return;
		}
		s = json_string_value(v);
		if (f->type == FT_STRING) {
			if (strlen(s) == 0 && f->required)
				field_error(errors, f->name, "must not be empty");
			else if (strlen(s) > f->maxlen)
				field_error(errors, f->name, "must be at most %zu bytes",
					    f->maxlen);
			else if (!is_clean_text(s))
				field_error(errors, f->name, "must not contain control characters");
		} else if (f->type == FT_TOKEN && !is_token(s, f->maxlen)) {
			field_error(errors, f->name, "must be 1 to %zu of a-z 0-9 . _ -",
				    f->maxlen);
		} else if (f->type == FT_ENUM && !validate_in(s, f->values)) {
			char list[256] = "";
			const char *const *p;
			for (p = f->values; *p; p++) {
				if (p != f->values)
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
				strncat(list, *p, sizeof(list) - strlen(list) - 1);
			}
			field_error(errors, f->name, "must be one of: %s", list);
		} else if (f->type == FT_UUID && !is_uuid(s)) {
			field_error(errors, f->name, "must be a lower-case UUID");
		} else if (f->type == FT_DATE && !is_date(s)) {
			field_error(errors, f->name, "must be a date YYYY-MM-DD");
		}
		return;
	case FT_INTEGER:
		if (!json_is_integer(v))
			field_error(errors, f->name, "must be a whole number");
		else if (json_integer_value(v) < f->min || json_integer_value(v) > f->max)
			field_error(errors, f->name, "must be from %ld to %ld", f->min, f->max);
		return;
	case FT_OBJECT:
		if (!json_is_object(v))
			field_error(errors, f->name, "must be an object");
		return;
	case FT_ANY:
		return;
	case FT_BOOLEAN:
		if (!json_is_boolean(v))
			field_error(errors, f->name, "must be true or false");
		return;
	case FT_TOKEN_ARRAY:
		if (!json_is_array(v)) {
			field_error(errors, f->name, "must be an array of strings");
			return;
		}
		if ((long)json_array_size(v) > f->max || (long)json_array_size(v) < f->min) {
			field_error(errors, f->name, "must have %ld to %ld items", f->min, f->max);
			return;
		}
		json_array_foreach(v, i, item) {
			size_t j;
			if (!json_is_string(item) ||
			    !is_token(json_string_value(item), f->maxlen)) {
				field_error(errors, f->name,
					    "item %zu must be 1 to %zu of a-z 0-9 . _ -", i,
					    f->maxlen);
				return;
			}
			for (j = 0; j < i; j++)
				if (json_equal(item, json_array_get(v, j))) {
					field_error(errors, f->name, "item %zu repeats \"%s\"", i,
						    json_string_value(item));
					return;
				}
		}
		return;
	}
}

size_t
validate_fields(json_t *obj, const struct field_spec *specs, size_t nspecs, json_t *errors)
{
	size_t before = json_array_size(errors), i;
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		const struct field_spec *f = find_spec(specs, nspecs, key);
		if (f == NULL) {
			char shown[80];
			snprintf(shown, sizeof(shown), "%.64s", key);
			field_error(errors, shown, "unknown field");
			continue;
		}
		if (json_is_null(v) && !f->required)
			continue;
		check_value(f, v, errors);
	}
	for (i = 0; i < nspecs; i++)
		if (specs[i].required && json_object_get(obj, specs[i].name) == NULL)
			field_error(errors, specs[i].name, "is required");
	return json_array_size(errors) - before;
}

bool
validate_body(struct request *r, json_t *obj, const struct field_spec *specs, size_t nspecs)
{
	json_t *errors = json_array();

	if (validate_fields(obj, specs, nspecs, errors) == 0) {
		json_decref(errors);
		return true;
	}
	reply_invalid(r, errors);
	return false;
}

const char *
json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}
