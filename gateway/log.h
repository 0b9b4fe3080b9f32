/* log: one JSON object per line on stderr, for operators and log shippers.
 * log_warn appends strerror(errno) (OpenBSD's log_warn); log_warnx does not. */
#ifndef REFGW_LOG_H
#define REFGW_LOG_H

#include <stddef.h>

#include "util.h"

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A line with a request's context. */
void log_request_warnx(const char *request_id, const char *org_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends s as a JSON string literal (with quotes); a byte that is not
 * well-formed UTF-8 becomes \ufffd. */
int json_quote(struct buf *b, const char *s) MUSTCHECK;
/* Now as RFC 3339 UTC with milliseconds, e.g. 2026-11-30T23:05:01.042Z. */
void log_timestamp(char *out, size_t outlen);
/* Writes one finished line to stderr in a single write(2). */
void log_write_line(struct buf *line);
/* Quiet the info level (tests). */
void log_set_quiet(int quiet);

#endif
