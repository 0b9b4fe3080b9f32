/* util: small, bounded helpers shared by every module (buffers, checked
 * number parsing, hex, base64url, UUID and time formatting). */
#ifndef REFGW_UTIL_H
#define REFGW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MUSTCHECK __attribute__((warn_unused_result))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A growable byte buffer with a hard cap (curl's dynbuf). */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* hard cap; appending beyond it fails and sets toobig */
	bool toobig;
	bool oom;
};

void buf_init(struct buf *b, size_t max);
int buf_append(struct buf *b, const void *data, size_t len) MUSTCHECK;
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3))) MUSTCHECK;
void buf_free(struct buf *b);
/* Appends several NUL-terminated strings, up to a NULL: cheaper than
 * buf_printf on hot paths that only concatenate. */
int buf_cat(struct buf *b, ...) __attribute__((sentinel)) MUSTCHECK;
/* A string literal, its length known at compile time. */
#define APPEND_LITERAL(b, s) buf_append((b), (s), sizeof(s) - 1)
/* Hands the NUL-terminated data over to the caller, leaving b empty. */
char *buf_steal(struct buf *b);

/* Checked integer parsing: whole string, base 10, within [min, max]. */
int parse_long(const char *s, long min, long max, long *out) MUSTCHECK;

void hex_encode(const unsigned char *in, size_t len, char *out /* 2*len+1 */);
/* Lower- or upper-case hex of exactly outlen bytes; -1 on anything else. */
int hex_decode(const char *in, unsigned char *out, size_t outlen) MUSTCHECK;

/* base64url without padding; out must hold 4*ceil(len/3)+1. */
void base64url_encode(const unsigned char *in, size_t len, char *out);
/* Returns decoded length or -1. */
long base64url_decode(const char *in, unsigned char *out, size_t outmax) MUSTCHECK;

/* Canonical lower-case 8-4-4-4-12 form. */
bool is_uuid(const char *s);
/* A request id a client may send: 1..64 of [A-Za-z0-9._-]. */
bool is_sane_token(const char *s, size_t maxlen);
/* The length of the well-formed UTF-8 sequence at p (1-4; no overlong
 * form, no surrogate, nothing past U+10FFFF), 0 when the bytes there are
 * not one.  p points at a NUL-terminated string. */
size_t utf8_seq_len(const unsigned char *p);
/* Replaces every byte that is not part of well-formed UTF-8 with '?', in
 * place: what a client sent becomes safe to put into JSON. */
void utf8_scrub(char *s);
/* A calendar date YYYY-MM-DD that exists. */
bool is_date(const char *s);

/* RFC 3339 UTC with seconds, e.g. 2026-11-24T14:16:03Z; out >= 21 bytes. */
void format_rfc3339(time_t t, char *out, size_t outlen);
uint64_t now_monotonic_us(void);

/* Overwrites memory the compiler may not elide (key material). */
void wipe(void *p, size_t len);
/* Reads a whole file (at most max bytes) NUL-terminated into *out. */
int read_file(const char *path, size_t max, char **out, size_t *len) MUSTCHECK;

#endif
