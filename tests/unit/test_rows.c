/* rows and sqltext: a row rendered from its description, and the statement
 * table's text as PostgreSQL prepares it.  Results are built client-side
 * with libpq (PQmakeEmptyPGresult, PQsetvalue): no server needed. */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "rows.h"
#include "sqltext.h"
#include "statements.h"
#include "suites.h"

#define SAMPLE_COLUMNS(C)                                                                          \
	C(S_ID, "id", "s.id", COL_PLAIN, 0, NULL)                                                  \
	C(S_LABEL, "label", "s.label", COL_STRING, 0, NULL)                                        \
	C(S_N, "n", "s.n", COL_INTEGER, COL_NULLABLE, NULL)                                        \
	C(S_EUR, "eur", "s.eur::text", COL_DECIMAL, COL_OMIT_NULL, NULL)                           \
	C(S_OK, "ok", "s.ok", COL_BOOLEAN, 0, NULL)                                                \
	C(S_TAGS, "tags", "array_to_string(s.tags, ',')", COL_LIST, 0, NULL)                       \
	C(S_AUD, "audience", "s.aud", COL_AUDIENCE, 0, NULL)                                       \
	C(S_DOC, "doc", "s.doc::text", COL_JSON, COL_PERSONAL | COL_OMIT_NULL, "health")           \
	C(S_NOTE, "note", "s.note", COL_STRING, COL_PERSONAL | COL_NULLABLE, "identity")           \
	C(S_KEY, "cursor_key", "s.at::text", COL_KEY, COL_CURSOR, NULL)

enum sample_col { SAMPLE_COLUMNS(COLUMN_ENUM) S_NCOLS };
ROW_DESC(sample_row, SAMPLE_COLUMNS);

/* One row of values (NULL: SQL NULL). */
static struct db_res *
result_of(const char *const values[S_NCOLS])
{
	PGresAttDesc att[S_NCOLS];
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	int i;

	memset(att, 0, sizeof(att));
	for (i = 0; i < S_NCOLS; i++) {
		att[i].name = (char *)sample_row.cols[i].name;
		att[i].format = 0;
		att[i].typlen = -1;
	}
	ck_assert_int_eq(PQsetResultAttrs(r, S_NCOLS, att), 1);
	for (i = 0; i < S_NCOLS; i++)
		ck_assert_int_eq(PQsetvalue(r, 0, i, (char *)values[i],
					    values[i] ? (int)strlen(values[i]) : -1),
				 1);
	return (struct db_res *)r;
}

static char *
render(const struct db_res *res, unsigned show)
{
	struct buf b;

	buf_init(&b, 1u << 16);
	ck_assert_int_eq(row_write(&b, &sample_row, res, 0, show), 0);
	return buf_steal(&b);
}

START_TEST(row_renders_each_type)
{
	const char *v[S_NCOLS] = {
		"8c1f", "a \"quoted\"\nlabel", "42",        "12.50", "t",
		"x,y",  "o1,o2;cpas",          "{\"a\":1}", "n",     "2026-01-01"};
	struct db_res *res = result_of(v);
	char *out = render(res, ROW_PUBLIC | ROW_PERSONAL);

	ck_assert_str_eq(out, "{\"id\":\"8c1f\",\"label\":\"a \\\"quoted\\\"\\nlabel\",\"n\":42,"
			      "\"eur\":12.5,\"ok\":true,\"tags\":[\"x\",\"y\"],\"audience\":["
			      "{\"organisation_id\":\"o1\"},{\"organisation_id\":\"o2\"},"
			      "{\"kind\":\"cpas\"}],\"doc\":{\"a\":1},\"note\":\"n\"}");
	free(out);
	db_res_free(res);
}
END_TEST

START_TEST(row_nulls_personal_and_keys)
{
	const char *v[S_NCOLS] = {"8c1f", "l", NULL, NULL, "f", "", ";", NULL, NULL, "k"};
	struct db_res *res = result_of(v);
	char *pub = render(res, ROW_PUBLIC), *all = render(res, ROW_PUBLIC | ROW_PERSONAL);

	/* n nullable -> null, eur omitted, empty lists, no key column; the
	 * personal fields only when asked: doc omitted (NULL), note null */
	ck_assert_str_eq(pub, "{\"id\":\"8c1f\",\"label\":\"l\",\"n\":null,\"ok\":false,"
			      "\"tags\":[],\"audience\":[]}");
	ck_assert_str_eq(all, "{\"id\":\"8c1f\",\"label\":\"l\",\"n\":null,\"ok\":false,"
			      "\"tags\":[],\"audience\":[],\"note\":null}");
	ck_assert_int_eq(row_cursor_col(&sample_row), S_KEY);
	ck_assert_str_eq(row_val(res, 0, S_KEY), "k");
	ck_assert_ptr_null(row_str(res, 0, S_N));
	ck_assert_str_eq(row_val(res, 0, S_N), "");
	ck_assert(!row_bool(res, 0, S_OK));
	free(pub);
	free(all);
	db_res_free(res);
}
END_TEST

START_TEST(row_json_matches_row_write)
{
	const char *v[S_NCOLS] = {"8c1f", "é ü", "7",     "250.00", "t",
				  "a",    "o1;", "[1,2]", NULL,     "k"};
	struct db_res *res = result_of(v);
	json_t *j = row_json(&sample_row, res, 0, ROW_PUBLIC | ROW_PERSONAL);
	char *out = render(res, ROW_PUBLIC | ROW_PERSONAL), *dumped;

	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "eur")), 250);
	dumped = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	ck_assert_str_eq(dumped, out);
	free(dumped);
	free(out);
	json_decref(j);
	db_res_free(res);
}
END_TEST

#define NESTED_COLUMNS(C)                                                                          \
	C(N_A, "a", "a", COL_INTEGER, 0, NULL)                                                     \
	C(N_GX, "g.x", "x", COL_PLAIN, 0, NULL)                                                    \
	C(N_GY, "g.y", "y", COL_STRING, COL_OMIT_NULL, NULL)                                       \
	C(N_B, "b", "b", COL_BOOLEAN, 0, NULL)                                                     \
	C(N_HZ, "h.z", "z", COL_INTEGER, COL_NULLABLE, NULL)
enum nested_col { NESTED_COLUMNS(COLUMN_ENUM) N_NCOLS };
ROW_DESC(nested_row, NESTED_COLUMNS);

/* A list element longer than the writer's stack buffer is written whole. */
START_TEST(row_long_list_element)
{
	char tag[301];
	const char *v[S_NCOLS] = {"8c1f", "l", "1", NULL, "t", tag, ";", NULL, NULL, "k"};
	struct db_res *res;
	char *out;

	memset(tag, 'x', 300);
	tag[300] = '\0';
	res = result_of(v);
	out = render(res, ROW_PUBLIC);
	ck_assert_ptr_nonnull(strstr(out, tag));
	ck_assert_int_eq((int)strlen(out), (int)strlen(tag) + 67);
	free(out);
	db_res_free(res);
}
END_TEST

/* "group.key" columns make nested objects, at the start, middle or end. */
START_TEST(row_nests_grouped_columns)
{
	const char *v1[N_NCOLS] = {"1", "p", "q\"", "t", "9"};
	const char *v2[N_NCOLS] = {"1", "p", NULL, "f", NULL};
	PGresAttDesc att[N_NCOLS];
	const char *const *vs[2] = {v1, v2};
	const char *want[2] = {"{\"a\":1,\"g\":{\"x\":\"p\",\"y\":\"q\\\"\"},\"b\":true,"
			       "\"h\":{\"z\":9}}",
			       "{\"a\":1,\"g\":{\"x\":\"p\"},\"b\":false,\"h\":{\"z\":null}}"};
	int k, i;

	memset(att, 0, sizeof(att));
	for (i = 0; i < N_NCOLS; i++) {
		att[i].name = (char *)nested_row.cols[i].name;
		att[i].typlen = -1;
	}
	for (k = 0; k < 2; k++) {
		PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
		struct buf b;
		ck_assert_int_eq(PQsetResultAttrs(r, N_NCOLS, att), 1);
		for (i = 0; i < N_NCOLS; i++)
			ck_assert_int_eq(PQsetvalue(r, 0, i, (char *)vs[k][i],
						    vs[k][i] ? (int)strlen(vs[k][i]) : -1),
					 1);
		buf_init(&b, 4096);
		ck_assert_int_eq(row_write(&b, &nested_row, (struct db_res *)r, 0, ROW_PUBLIC), 0);
		ck_assert_str_eq(b.data, want[k]);
		buf_free(&b);
		PQclear(r);
	}
}
END_TEST

static struct db_stmt
stmt(const char *sql, const char *params, const struct row_desc *row)
{
	struct db_stmt st;

	memset(&st, 0, sizeof(st));
	st.name = "t";
	st.sql = sql;
	st.params = params;
	st.row = row;
	return st;
}

START_TEST(sqltext_names_become_numbers)
{
	struct db_stmt st = stmt("UPDATE t SET a = $to, b = '$not_a_param', \"$x\" = $from "
				 "WHERE id = $id::uuid AND v = $to",
				 "id from to", NULL);
	char err[256];

	ck_assert_int_eq(sqltext_expand(&st, 1, err, sizeof(err)), 0);
	/* numbered in the declared order, quotes left alone, a name used twice */
	ck_assert_str_eq(st.text, "UPDATE t SET a = $3, b = '$not_a_param', \"$x\" = $2 "
				  "WHERE id = $1::uuid AND v = $3");
	ck_assert_int_eq(st.nparams, 3);
	ck_assert_int_eq(sqltext_param(&st, "to"), 2);
	ck_assert_int_eq(sqltext_param(&st, "nope"), -1);
	sqltext_free(&st, 1);
}
END_TEST

START_TEST(sqltext_cols_expand)
{
	struct db_stmt st = stmt("SELECT {cols} FROM s WHERE s.id = $id", "id", &sample_row);
	char err[256];

	ck_assert_int_eq(sqltext_expand(&st, 1, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(st.text, "SELECT s.id AS \"id\", s.label AS \"label\", "));
	ck_assert_ptr_nonnull(
		strstr(st.text, "s.at::text AS \"cursor_key\" FROM s WHERE s.id = $1"));
	sqltext_free(&st, 1);
}
END_TEST

START_TEST(sqltext_refuses_a_wrong_table)
{
	static const struct {
		const char *sql, *params, *why;
		const struct row_desc *row;
	} bad[] = {
		{"SELECT $a, $b", "a", "$b is not declared", NULL},
		{"SELECT $a", "a b", "a declared parameter is not used", NULL},
		{"SELECT $a, $2", "a", "mixes $2 with named parameters", NULL},
		{"SELECT {cols}", NULL, "{cols} without a row", NULL},
		{"SELECT $a", "a a", "parameter a declared twice", NULL},
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct db_stmt st = stmt(bad[i].sql, bad[i].params, bad[i].row);
		char err[256] = "";
		ck_assert_int_eq(sqltext_expand(&st, 1, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, bad[i].why), "%s: %s", bad[i].sql, err);
		sqltext_free(&st, 1);
	}
}
END_TEST

/* Review of issue 13: what PostgreSQL does not read as SQL (comments,
 * dollar-quoted strings) or as a parameter (a '$' inside an identifier) is
 * copied untouched: a quote in a comment must not hide the parameters
 * after it, nor a $word in a function body be taken for one. */
START_TEST(sqltext_skips_comments_dollar_quotes_and_identifiers)
{
	static const struct {
		const char *sql, *params, *text;
	} ok[] = {
		{"SELECT 1 -- don't use $b here\n, $a", "a", "SELECT 1 -- don't use $b here\n, $1"},
		{"SELECT /* it's $b */ $a", "a", "SELECT /* it's $b */ $1"},
		{"SELECT $body$ it's $b $body$, $a", "a", "SELECT $body$ it's $b $body$, $1"},
		{"SELECT $$ $b ' $$ || $a", "a", "SELECT $$ $b ' $$ || $1"},
		{"SELECT a$b, $a", "a", "SELECT a$b, $1"},
		{"SELECT $total, $to", "to total", "SELECT $2, $1"},
		{"SELECT $to::text::int", "to", "SELECT $1::text::int"},
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(ok); i++) {
		struct db_stmt st = stmt(ok[i].sql, ok[i].params, NULL);
		char err[256] = "";
		ck_assert_msg(sqltext_expand(&st, 1, err, sizeof(err)) == 0, "%s: %s", ok[i].sql,
			      err);
		ck_assert_str_eq(st.text, ok[i].text);
		sqltext_free(&st, 1);
	}
}
END_TEST

/* The gateway's own table expands (a fault here would stop it at start). */
START_TEST(statement_table_expands)
{
	char err[256] = "";
	int i;

	ck_assert_msg(sqltext_expand(statements, ST_COUNT, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < ST_COUNT; i++) {
		ck_assert_ptr_nonnull(statements[i].text);
		ck_assert_msg(strchr(statements[i].text, '{') == NULL ||
				      strstr(statements[i].text, "{cols}") == NULL,
			      "%s", statements[i].name);
	}
}
END_TEST

Suite *
rows_suite(void)
{
	Suite *s = suite_create("rows");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, row_renders_each_type);
	tcase_add_test(tc, row_nulls_personal_and_keys);
	tcase_add_test(tc, row_json_matches_row_write);
	tcase_add_test(tc, row_nests_grouped_columns);
	tcase_add_test(tc, row_long_list_element);
	tcase_add_test(tc, sqltext_names_become_numbers);
	tcase_add_test(tc, sqltext_cols_expand);
	tcase_add_test(tc, sqltext_refuses_a_wrong_table);
	tcase_add_test(tc, sqltext_skips_comments_dollar_quotes_and_identifiers);
	tcase_add_test(tc, statement_table_expands);
	suite_add_tcase(s, tc);
	return s;
}
