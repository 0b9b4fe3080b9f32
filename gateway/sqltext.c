/* sqltext: expands the statement table once at start-up (sqltext.h). */
#include "sqltext.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

int
sqltext_param(const struct db_stmt *st, const char *name)
{
	int i;

	for (i = 0; i < st->nparams; i++)
		if (strcmp(st->param[i], name) == 0)
			return i;
	return -1;
}

static int
parse_params(struct db_stmt *st, char *err, size_t errlen)
{
	const char *p = st->params;

	st->nparams = 0;
	while (p && *p) {
		size_t n = strcspn(p, " ");
		if (n == 0) {
			p++;
			continue;
		}
		if (st->nparams == DB_MAX_PARAMS || n >= sizeof(st->param[0])) {
			snprintf(err, errlen, "statement %s: too many or too long parameters",
				 st->name);
			return -1;
		}
		memcpy(st->param[st->nparams], p, n);
		st->param[st->nparams][n] = '\0';
		if (sqltext_param(st, st->param[st->nparams]) >= 0) {
			snprintf(err, errlen, "statement %s: parameter %s declared twice", st->name,
				 st->param[st->nparams]);
			return -1;
		}
		st->nparams++;
		p += n;
	}
	return 0;
}

static int
cols_write(struct buf *b, const struct row_desc *d)
{
	int i;

	for (i = 0; i < d->ncols; i++)
		if (buf_cat(b, i ? ", " : "", d->cols[i].sql, " AS \"", d->cols[i].name, "\"",
			    (char *)NULL) != 0)
			return -1;
	return 0;
}

static bool
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The length of what the $name scanner must copy untouched at p (0: none):
 * a -- or C-style comment (a quote or a $name in it is not SQL), a
 * dollar-quoted string ($$...$$, $tag$...$tag$), or the '$' inside an
 * identifier (a$b).  prev is the character before p. */
static size_t
verbatim_len(const char *p, char prev)
{
	const char *e;
	size_t n;

	if (p[0] == '-' && p[1] == '-')
		return strcspn(p, "\n");
	if (p[0] == '/' && p[1] == '*')
		return (e = strstr(p + 2, "*/")) ? (size_t)(e + 2 - p) : strlen(p);
	if (p[0] != '$')
		return 0;
	if (ident_char(prev))
		return 1;
	n = 1;
	if (isalpha((unsigned char)p[1]) || p[1] == '_')
		while (ident_char(p[n]))
			n++;
	if (p[n] != '$')
		return 0; /* $name, $1 */
	n++;              /* the tag, $...$: up to the same tag again */
	{
		const char *q = p + n;
		while ((q = strchr(q, '$')) != NULL && strncmp(q, p, n) != 0)
			q++;
		return q ? (size_t)(q + n - p) : strlen(p);
	}
}

static int
expand_one(struct db_stmt *st, char *err, size_t errlen)
{
	struct buf with_cols, out;
	const char *p;
	unsigned used = 0;
	int legacy_max = 0, rc = -1;
	char quote = 0;

	buf_init(&with_cols, 1u << 20);
	buf_init(&out, 1u << 20);
	if (parse_params(st, err, errlen) != 0)
		goto out;
	/* {cols} first: a column's expression may name parameters too. */
	for (p = st->sql; *p;) {
		const char *m = strstr(p, "{cols}");
		size_t n = m ? (size_t)(m - p) : strlen(p);
		if (buf_append(&with_cols, p, n) != 0)
			goto oom;
		if (m == NULL)
			break;
		if (st->row == NULL) {
			snprintf(err, errlen, "statement %s: {cols} without a row", st->name);
			goto out;
		}
		if (cols_write(&with_cols, st->row) != 0)
			goto oom;
		p = m + 6;
	}
	for (p = with_cols.data ? with_cols.data : ""; *p;) {
		size_t skip;
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if ((skip = verbatim_len(p, p > with_cols.data ? p[-1] : ' ')) > 0) {
			/* a comment, a dollar-quoted string, an identifier's '$' */
			if (buf_append(&out, p, skip) != 0)
				goto oom;
			p += skip;
			continue;
		} else if (*p == '$' && (islower((unsigned char)p[1]) || p[1] == '_')) {
			char name[sizeof(st->param[0])];
			size_t n = 1;
			int k;
			char num[16];
			while (islower((unsigned char)p[n]) || isdigit((unsigned char)p[n]) ||
			       p[n] == '_')
				n++;
			if (n - 1 >= sizeof(name)) {
				snprintf(err, errlen, "statement %s: parameter name too long",
					 st->name);
				goto out;
			}
			memcpy(name, p + 1, n - 1);
			name[n - 1] = '\0';
			if ((k = sqltext_param(st, name)) < 0) {
				snprintf(err, errlen, "statement %s: $%s is not declared", st->name,
					 name);
				goto out;
			}
			used |= 1u << k;
			snprintf(num, sizeof(num), "$%d", k + 1);
			if (buf_append(&out, num, strlen(num)) != 0)
				goto oom;
			p += n;
			continue;
		} else if (*p == '$' && isdigit((unsigned char)p[1])) {
			/* positional ($1): only in a statement that declares no names */
			int v = (int)strtol(p + 1, NULL, 10);
			if (st->params) {
				snprintf(err, errlen,
					 "statement %s: mixes $%d with named parameters", st->name,
					 v);
				goto out;
			}
			if (v > legacy_max)
				legacy_max = v;
		}
		if (buf_append(&out, p, 1) != 0)
			goto oom;
		p++;
	}
	if (st->params == NULL)
		st->nparams = legacy_max;
	else if (used != (st->nparams ? (1u << st->nparams) - 1 : 0)) {
		snprintf(err, errlen, "statement %s: a declared parameter is not used", st->name);
		goto out;
	}
	st->text = buf_steal(&out);
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "statement %s: out of memory", st->name);
out:
	buf_free(&with_cols);
	buf_free(&out);
	return rc;
}

int
sqltext_expand(struct db_stmt *stmts, size_t n, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (stmts[i].text == NULL && expand_one(&stmts[i], err, errlen) != 0)
			return -1;
	return 0;
}

void
sqltext_free(struct db_stmt *stmts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(stmts[i].text);
		stmts[i].text = NULL;
	}
}
