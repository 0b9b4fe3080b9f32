/* messages: the languages refgw answers in (French, Dutch, English) and the
 * catalogue of every message a client reads -- problem titles, detail
 * formats, field messages.  Code writes the English text; it is the key
 * the catalogue translates (docs/architecture.md, "Adding a message";
 * scripts/messages.py, in `make lint`, fails when one lacks a language). */
#ifndef REFGW_MESSAGES_H
#define REFGW_MESSAGES_H

#include <stddef.h>

enum lang { LANG_EN, LANG_FR, LANG_NL, LANG_COUNT };

/* Marks a literal as a message kept for later (in a table, or passed as a
 * "%s" argument): scripts/messages.py extracts it like a reply_problem
 * title.  Translate it where it is used, with msg_text or tr (request.h). */
#define N_(s) (s)

/* "en", "fr", "nl". */
const char *lang_code(enum lang l);
/* A language tag (fr, nl-BE, EN...): 0 and *out set, or -1 when it is none of ours. */
int lang_parse(const char *tag, enum lang *out);
/* RFC 9110 Accept-Language: the acceptable language of highest quality among
 * fr, nl and en (a range names one by its primary subtag: fr-BE is fr; * names
 * every one not named; q=0 excludes; on a tie the range given first wins,
 * then en, fr, nl).  English when the header is absent, malformed or accepts
 * none of ours. */
enum lang lang_negotiate(const char *accept_language);

/* The translation of an English message (a format keeps the English one's
 * conversions, in the same order: checked by scripts/messages.py).  A text
 * with no words (only conversions and punctuation, "%s") is its own
 * translation.  A message missing from the catalogue answers English, logs a
 * warning once and counts in msg_misses (refgw_message_misses_total). */
const char *msg_text(const char *english, enum lang l);
unsigned long msg_misses(void);

/* The catalogue, for the unit tests: entry i in language l (NULL past the end). */
const char *msg_entry(size_t i, enum lang l);

#endif
