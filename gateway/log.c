/* log: structured JSON log lines, valid JSON (and UTF-8) whatever they quote. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static int quiet;

void
log_set_quiet(int q)
{
	quiet = q;
}

int
json_quote(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run;
	size_t n;

	if (buf_append(b, "\"", 1) != 0)
		return -1;
	for (;;) {
		int rc;
		/* Bytes that need no escape go in one append: per-byte appends
		 * were the top of the profile for 50-row lists. */
		for (run = p;;) {
			if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
				p++;
			else if (*p >= 0x80 && (n = utf8_seq_len(p)) > 0)
				p += n;
			else
				break;
		}
		if (p > run && buf_append(b, run, (size_t)(p - run)) != 0)
			return -1;
		switch (*p) {
		case '\0':
			return buf_append(b, "\"", 1);
		case '"':
			rc = buf_append(b, "\\\"", 2);
			break;
		case '\\':
			rc = buf_append(b, "\\\\", 2);
			break;
		case '\n':
			rc = buf_append(b, "\\n", 2);
			break;
		case '\r':
			rc = buf_append(b, "\\r", 2);
			break;
		case '\t':
			rc = buf_append(b, "\\t", 2);
			break;
		default:
			/* A byte that is not UTF-8 (a client's path, say) becomes
			 * U+FFFD: every line stays JSON whatever was sent. */
			rc = *p >= 0x80 ? buf_append(b, "\\ufffd", 6)
					: buf_printf(b, "\\u%04x", *p);
		}
		if (rc != 0)
			return -1;
		p++;
	}
}

void
log_timestamp(char *out, size_t outlen)
{
	char ts[32];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03ldZ", ts, (long)tv.tv_usec / 1000);
}

void
log_write_line(struct buf *line)
{
	ssize_t n;
	size_t off = 0;

	if (buf_append(line, "\n", 1) != 0)
		return;
	while (off < line->len) {
		n = write(STDERR_FILENO, line->data + off, line->len - off);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		off += (size_t)n;
	}
}

static void
vlog(const char *level, const char *request_id, const char *org_id, int with_errno, const char *fmt,
     va_list ap)
{
	char msg[1024], ts[32];
	struct buf line;
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	log_timestamp(ts, sizeof(ts));
	buf_init(&line, 8192);
	if (buf_printf(&line, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, level) != 0)
		goto out;
	if (request_id &&
	    (buf_append(&line, ",\"request_id\":", 14) != 0 || json_quote(&line, request_id) != 0))
		goto out;
	if (org_id &&
	    (buf_append(&line, ",\"organisation_id\":", 19) != 0 || json_quote(&line, org_id) != 0))
		goto out;
	if (buf_append(&line, ",\"msg\":", 7) != 0 || json_quote(&line, msg) != 0 ||
	    buf_append(&line, "}", 1) != 0)
		goto out;
	log_write_line(&line);
out:
	buf_free(&line);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vlog("info", NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", NULL, NULL, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", NULL, NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_request_warnx(const char *request_id, const char *org_id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn", request_id, org_id, 0, fmt, ap);
	va_end(ap);
}
