/* console: the lookup of a console file (only names in the compiled table
 * exist: no traversal, no decoding, no case folding), media types by
 * extension, and console_serve's answers. */
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "suites.h"

START_TEST(index_and_named_files_are_found)
{
	const struct console_asset *a;

	a = console_lookup("/console/");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->name, "index.html");
	ck_assert_ptr_eq(console_lookup("/console/index.html"), a);
	ck_assert_ptr_nonnull(console_lookup("/console/app.js"));
	ck_assert_ptr_nonnull(console_lookup("/console/strings.js"));
	ck_assert_ptr_nonnull(console_lookup("/console/style.css"));
}
END_TEST

static const char *const unknown[] = {
	NULL,
	"",
	"/console",
	"/consoleindex.html",
	"/consolex/index.html",
	"/v1/console/index.html",
	"console/index.html",
	"/console/nothing.js",
	"/console/INDEX.HTML",
	"/console/index.html/",
	"/console/index.html?x=1",
	"/console//index.html",
	"/console/./index.html",
	"/console/../Makefile",
	"/console/../console/index.html",
	"/console/..%2fMakefile",
	"/console/%2e%2e/Makefile",
	"/console/index%2ehtml",
	"/console/../../../../etc/passwd",
	"/console/..\\Makefile",
	"/console/.",
	"/console/..",
	"/console/index.html\n",
};

START_TEST(any_other_path_names_nothing)
{
	ck_assert_msg(console_lookup(unknown[_i]) == NULL, "%s found", unknown[_i]);
}
END_TEST

static const struct {
	const char *suffix, *type;
} types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
};

START_TEST(every_file_has_its_media_type_and_an_etag)
{
	size_t i, j, n, s;

	ck_assert_uint_gt(console_nassets, 0);
	for (i = 0; i < console_nassets; i++) {
		const struct console_asset *a = &console_assets[i];
		int typed = 0;

		n = strlen(a->name);
		ck_assert_ptr_null(strchr(a->name, '/'));
		for (j = 0; j < sizeof(types) / sizeof(types[0]); j++) {
			s = strlen(types[j].suffix);
			if (n > s && strcmp(a->name + n - s, types[j].suffix) == 0) {
				ck_assert_str_eq(a->content_type, types[j].type);
				typed = 1;
			}
		}
		ck_assert_msg(typed, "%s: an unexpected extension", a->name);
		ck_assert_uint_eq(strlen(a->etag), 26);
		ck_assert_int_eq(a->etag[0], '"');
		ck_assert_int_eq(a->etag[25], '"');
		ck_assert_uint_eq(strlen(a->data), a->len); /* text, no NUL inside */
	}
}
END_TEST

static const char *if_none_match;

static const char *
head(void *http, enum req_part part, const char *name)
{
	(void)http;
	if (part == REQ_HEADER && strcmp(name, "If-None-Match") == 0)
		return if_none_match;
	return NULL;
}

static int
serve(struct request *r, enum http_method method, const char *path, const char *inm)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->path = path;
	r->lookup = head;
	if_none_match = inm;
	return console_serve(r);
}

START_TEST(serve_answers_files_redirects_and_problems)
{
	const struct console_asset *index = console_lookup("/console/");
	const struct console_asset *css = console_lookup("/console/style.css");
	struct request r;
	char other[64];

	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/", NULL), 200);
	ck_assert_str_eq(r.content_type, "text/html; charset=utf-8");
	ck_assert_uint_eq(r.resp_len, index->len);
	ck_assert_int_eq(memcmp(r.resp, index->data, index->len), 0);
	ck_assert_str_eq(r.etag, index->etag);
	free(r.resp);

	ck_assert_int_eq(serve(&r, HTTP_HEAD, "/console/style.css", NULL), 200);
	ck_assert_str_eq(r.content_type, "text/css; charset=utf-8");
	ck_assert_uint_eq(r.resp_len, css->len);
	free(r.resp);

	/* A matching validator (alone, in a list, weak) is 304 without a body;
	 * another is the file. */
	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/style.css", css->etag), 304);
	ck_assert_uint_eq(r.resp_len, 0);
	ck_assert_str_eq(r.etag, css->etag);
	free(r.resp);
	snprintf(other, sizeof(other), "\"x\", W/%s", css->etag);
	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/style.css", other), 304);
	free(r.resp);
	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/style.css", index->etag), 200);
	free(r.resp);
	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/style.css", "\"3\""), 200);
	free(r.resp);

	ck_assert_int_eq(serve(&r, HTTP_GET, "/console", NULL), 301);
	ck_assert_str_eq(r.location, "/console/");
	free(r.resp);

	ck_assert_int_eq(serve(&r, HTTP_GET, "/console/../Makefile", NULL), 404);
	ck_assert_str_eq(r.content_type, "application/problem+json");
	ck_assert_str_eq(r.problem_slug, "not-found");
	ck_assert_str_eq(r.etag, "");
	free(r.resp);

	ck_assert_int_eq(serve(&r, HTTP_POST, "/console/", NULL), 405);
	ck_assert_str_eq(r.allow, "GET, HEAD");
	free(r.resp);
	ck_assert_int_eq(serve(&r, HTTP_DELETE, "/console/app.js", NULL), 405);
	free(r.resp);
}
END_TEST

Suite *
console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, index_and_named_files_are_found);
	tcase_add_loop_test(tc, any_other_path_names_nothing, 0,
			    (int)(sizeof(unknown) / sizeof(unknown[0])));
	tcase_add_test(tc, every_file_has_its_media_type_and_an_etag);
	tcase_add_test(tc, serve_answers_files_redirects_and_problems);
	suite_add_tcase(s, tc);
	return s;
}
