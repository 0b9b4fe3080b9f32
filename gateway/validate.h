/* validate: request bodies.  Strict JSON (UTF-8, no duplicate keys, no NUL:
 * body_json, request.h), then a table of fields per endpoint: types, lengths,
 * enumerations, required-ness, and no field the table does not name (no mass
 * assignment). */
#ifndef REFGW_VALIDATE_H
#define REFGW_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "request.h"

enum field_type {
	FT_STRING,  /* maxlen, optional pattern check via enum or token */
	FT_TOKEN,   /* [a-z0-9._-]{1,maxlen} */
	FT_ENUM,    /* one of values */
	FT_INTEGER, /* min..max */
	FT_BOOLEAN,
	FT_UUID,
	FT_DATE,        /* YYYY-MM-DD */
	FT_TOKEN_ARRAY, /* array of FT_TOKEN, min..max items, no duplicates */
	FT_OBJECT,      /* a JSON object, checked by the handler */
	FT_ANY,         /* present; checked by the handler */
};

struct field_spec {
	const char *name;
	enum field_type type;
	bool required;
	size_t maxlen;
	long min, max;
	const char *const *values; /* FT_ENUM: NULL-terminated */
};

/* Checks obj against the specs; appends {field, message} to errors for each
 * problem.  Returns the number of problems found. */
size_t validate_fields(json_t *obj, const struct field_spec *specs, size_t nspecs, json_t *errors);

/* Convenience: validate and answer 400 if needed.  true when valid. */
bool validate_body(struct request *r, json_t *obj, const struct field_spec *specs, size_t nspecs);

/* The string member key of o, or NULL (absent, or not a string). */
const char *json_str(json_t *o, const char *key);

bool is_token(const char *s, size_t maxlen);
/* s is one of the NULL-terminated values. */
bool validate_in(const char *s, const char *const *values);
/* Valid UTF-8 without control characters other than \t \n \r. */
bool is_clean_text(const char *s);

#endif
