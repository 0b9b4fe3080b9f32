/* console: the browser console's static files (console/ in the repository),
 * compiled into the binary (scripts/console-assets.py writes
 * build/console_assets.c at build time) and served on the browser listener
 * under /console/.  Nothing is read from the file system at run time. */
#ifndef REFGW_CONSOLE_H
#define REFGW_CONSOLE_H

#include <stddef.h>

#include "request.h"

struct console_asset {
	const char *name;         /* "index.html", "app.js": no slash */
	const char *content_type; /* decided by the generator from the extension */
	const char *etag;         /* a strong ETag, quoted */
	const char *data;
	size_t len;
};

/* The generated table (build/console_assets.c). */
extern const struct console_asset console_assets[];
extern const size_t console_nassets;

/* The asset a request path names ("/console/" is index.html), or NULL when
 * the path names none: only names in the table exist, so neither "..", a
 * slash nor an encoded byte ever reaches further. */
const struct console_asset *console_lookup(const char *path);

/* GET/HEAD /console, /console/ and /console/<file>: the file with its
 * Content-Type and ETag (304 for a matching If-None-Match), a redirect from
 * /console to /console/, 404 for any other name, 405 for another method.
 * The handler shape (docs/architecture.md). */
int console_serve(struct request *r);

#endif
