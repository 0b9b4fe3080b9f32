/* console: serves the console's files from the table compiled into the
 * binary (console.h).  No file system, no database: the pages call the /v1
 * API like any client, so they can never do more than it allows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"

#define CONSOLE_PREFIX "/console/"

const struct console_asset *
console_lookup(const char *path)
{
	const char *name;
	size_t i;

	if (path == NULL || strncmp(path, CONSOLE_PREFIX, strlen(CONSOLE_PREFIX)) != 0)
		return NULL;
	name = path + strlen(CONSOLE_PREFIX);
	if (*name == '\0')
		name = "index.html";
	for (i = 0; i < console_nassets; i++)
		if (strcmp(console_assets[i].name, name) == 0)
			return &console_assets[i];
	return NULL;
}

/* An exact match of one of If-None-Match's entity tags (or "*"); weak
 * validators compare weakly, as RFC 9110 13.1.2 asks of a GET. */
static int
etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match;
	size_t n = strlen(etag);

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

int
console_serve(struct request *r)
{
	const struct console_asset *a;
	char *copy = NULL;
	int status = 500;

	if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
		snprintf(r->allow, sizeof(r->allow), "GET, HEAD");
		status = reply_problem(r, 405, "method-not-allowed", "Method not allowed",
				       "the console's files are read with GET or HEAD");
		goto out;
	}
	if (strcmp(r->path, "/console") == 0) {
		/* Relative URLs of the page resolve against /console/. */
		if ((copy = strdup("/console/\n")) == NULL)
			goto out;
		snprintf(r->location, sizeof(r->location), "%s", CONSOLE_PREFIX);
		status = reply_text(r, 301, "text/plain; charset=utf-8", copy, strlen(copy));
		copy = NULL;
		goto out;
	}
	if ((a = console_lookup(r->path)) == NULL) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "the console has no file of that name");
		goto out;
	}
	snprintf(r->etag, sizeof(r->etag), "%s", a->etag);
	if (etag_matches(req_header(r, "If-None-Match"), a->etag)) {
		/* An empty body: libmicrohttpd needs a buffer, not NULL. */
		if ((copy = calloc(1, 1)) == NULL)
			goto out;
		status = reply_text(r, 304, a->content_type, copy, 0);
		copy = NULL;
		goto out;
	}
	/* The answer owns its body (response.c frees it): a copy of the
	 * asset, which is at most a few tens of kilobytes. */
	if ((copy = malloc(a->len ? a->len : 1)) == NULL)
		goto out;
	memcpy(copy, a->data, a->len);
	status = reply_text(r, 200, a->content_type, copy, a->len);
	copy = NULL;
out:
	free(copy);
	return status;
}
