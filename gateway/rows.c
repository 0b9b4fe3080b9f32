/* rows: reading result rows by column name, and rendering them as JSON from
 * the row's description (rows.h). */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "seal.h"

const char *
row_str(const struct db_res *res, int row, int col)
{
	return db_null(res, row, col) ? NULL : db_val(res, row, col);
}

const char *
row_val(const struct db_res *res, int row, int col)
{
	return db_val(res, row, col);
}

bool
row_null(const struct db_res *res, int row, int col)
{
	return db_null(res, row, col);
}

bool
row_bool(const struct db_res *res, int row, int col)
{
	return strcmp(db_val(res, row, col), "t") == 0;
}

long
row_long(const struct db_res *res, int row, int col)
{
	long v;

	return parse_long(db_val(res, row, col), -0x7fffffffffffffffL, 0x7fffffffffffffffL, &v) == 0
		       ? v
		       : 0;
}

int
row_cursor_col(const struct row_desc *d)
{
	int i;

	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].flags & COL_CURSOR)
			return i;
	return -1;
}

/* numeric text without its trailing zeros (a double would print 12.34 as
 * 12.339999999999999). */
static int
decimal_write(struct buf *b, const char *numeric)
{
	size_t n = strlen(numeric);

	if (strchr(numeric, '.')) {
		while (n > 0 && numeric[n - 1] == '0')
			n--;
		if (n > 0 && numeric[n - 1] == '.')
			n--;
	}
	return buf_append(b, numeric, n);
}

/* Comma-separated tokens up to `end` as JSON strings, each as
 * {"key":"v"} when key is given; *first tracks the separator. */
static int
list_write(struct buf *b, const char *s, const char *end, const char *key, bool *first)
{
	while (s < end) {
		size_t n = strcspn(s, ",");
		if (s + n > end)
			n = (size_t)(end - s);
		if ((!*first && APPEND_LITERAL(b, ",") != 0) ||
		    (key && buf_cat(b, "{\"", key, "\":", (char *)NULL) != 0))
			return -1;
		{
			/* tokens are validated by the gateway; json_quote anyway
			 * (it needs a NUL-terminated string) */
			char small[128], *tok = n < sizeof(small) ? small : malloc(n + 1);
			int rc;
			if (tok == NULL)
				return -1;
			memcpy(tok, s, n);
			tok[n] = '\0';
			rc = json_quote(b, tok) != 0 || (key && APPEND_LITERAL(b, "}") != 0);
			if (tok != small)
				free(tok);
			if (rc)
				return -1;
		}
		*first = false;
		s += n;
		if (s < end && *s == ',')
			s++;
	}
	return 0;
}

static int
value_write(struct buf *b, const struct column *c, const char *v)
{
	bool first = true;
	const char *semi;

	switch (c->type) {
	case COL_PLAIN:
		return buf_cat(b, "\"", v, "\"", (char *)NULL);
	case COL_STRING:
		return json_quote(b, v);
	case COL_INTEGER:
	case COL_JSON:
		return buf_append(b, v, strlen(v));
	case COL_DECIMAL:
		return decimal_write(b, v);
	case COL_BOOLEAN:
		return strcmp(v, "t") == 0 ? APPEND_LITERAL(b, "true") : APPEND_LITERAL(b, "false");
	case COL_LIST:
		return (APPEND_LITERAL(b, "[") != 0 ||
			list_write(b, v, v + strlen(v), NULL, &first) != 0)
			       ? -1
			       : APPEND_LITERAL(b, "]");
	case COL_AUDIENCE:
		semi = strchr(v, ';');
		if (semi == NULL)
			semi = v + strlen(v);
		return (APPEND_LITERAL(b, "[") != 0 ||
			list_write(b, v, semi, "organisation_id", &first) != 0 ||
			(*semi &&
			 list_write(b, semi + 1, semi + 1 + strlen(semi + 1), "kind", &first) != 0))
			       ? -1
			       : APPEND_LITERAL(b, "]");
	case COL_KEY:
		break;
	}
	return -1;
}

/* The person whose key opens the row's sealed columns. */
static const char *
row_person(const struct row_desc *d, const struct db_res *res, int row)
{
	int i;

	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].flags & COL_PERSON)
			return db_null(res, row, i) ? NULL : db_val(res, row, i);
	return NULL;
}

/* 0 written, 1 the person is erased (null written: a COL_OMIT_NULL
 * column then leaves its key out), -1 failed. */
static int
sealed_write(struct buf *b, const struct column *c, const char *person, const char *v)
{
	enum seal_status s;
	bool erased = false;

	if (strcmp(v, "null") == 0) /* the SQL said "none" (rows.h) */
		return APPEND_LITERAL(b, "null") == 0 ? 0 : -1;
	if (person == NULL)
		return -1;
	s = c->type == COL_JSON ? seal_open_members_write(b, person, c->name, v, &erased)
				: seal_open_write(b, person, c->name, v, &erased);
	return s != SEAL_OK ? -1 : erased ? 1 : 0;
}

/* A column named "group.key" is the member key of the object "group": the
 * consecutive columns of one group make one nested object. */
int
row_write(struct buf *b, const struct row_desc *d, const struct db_res *res, int row, unsigned show)
{
	const char *group = NULL; /* the open nested object's name */
	size_t glen = 0;
	bool first = true, first_in = true, was_first;
	size_t mark;
	int i;

	if (APPEND_LITERAL(b, "{") != 0)
		return -1;
	for (i = 0; i < d->ncols; i++) {
		const struct column *c = &d->cols[i];
		const char *dot;
		bool null = db_null(res, row, i);
		if (c->type == COL_KEY)
			continue;
		if (!(show & ((c->flags & COL_PERSONAL) ? ROW_PERSONAL : ROW_PUBLIC)))
			continue;
		if (null && (c->flags & COL_OMIT_NULL))
			continue;
		mark = b->len;
		was_first = first;
		dot = strchr(c->name, '.');
		if (group && (dot == NULL || (size_t)(dot - c->name) != glen ||
			      memcmp(c->name, group, glen) != 0)) {
			if (APPEND_LITERAL(b, "}") != 0)
				return -1;
			group = NULL;
		}
		if (dot && group == NULL) {
			if ((!first && APPEND_LITERAL(b, ",") != 0) ||
			    APPEND_LITERAL(b, "\"") != 0 ||
			    buf_append(b, c->name, (size_t)(dot - c->name)) != 0 ||
			    APPEND_LITERAL(b, "\":{") != 0)
				return -1;
			first = false;
			group = c->name;
			glen = (size_t)(dot - c->name);
			first_in = true;
		}
		if (group) {
			if ((!first_in && APPEND_LITERAL(b, ",") != 0) ||
			    buf_cat(b, "\"", dot + 1, "\":", (char *)NULL) != 0)
				return -1;
			first_in = false;
		} else {
			if ((!first && APPEND_LITERAL(b, ",") != 0) ||
			    buf_append(b, c->key, c->keylen) != 0)
				return -1;
			first = false;
		}
		if (null) {
			if (APPEND_LITERAL(b, "null") != 0)
				return -1;
		} else if (c->flags & COL_SEALED) {
			int rc = sealed_write(b, c, row_person(d, res, row), db_val(res, row, i));
			if (rc < 0)
				return -1;
			if (rc == 1 && (c->flags & COL_OMIT_NULL) && group == NULL) {
				b->len = mark; /* erased: as if SQL NULL */
				b->data[mark] = '\0';
				first = was_first;
			}
		} else if (value_write(b, c, db_val(res, row, i)) != 0) {
			return -1;
		}
	}
	if (group && APPEND_LITERAL(b, "}") != 0)
		return -1;
	return APPEND_LITERAL(b, "}");
}

json_t *
row_json(const struct row_desc *d, const struct db_res *res, int row, unsigned show)
{
	struct buf b;
	json_t *j = NULL;

	buf_init(&b, 16u << 20);
	if (row_write(&b, d, res, row, show) == 0)
		j = json_loadb(b.data, b.len, 0, NULL);
	if (j == NULL)
		log_warnx("rows: cannot render a %s row", d->name);
	buf_free(&b);
	return j;
}
