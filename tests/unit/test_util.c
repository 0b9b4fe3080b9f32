/* util: checked parsing, encodings, bounded buffers. */
#include <string.h>

#include "log.h"
#include "suites.h"
#include "util.h"

static const struct {
	const char *in;
	long min, max;
	int ok;
	long want;
} longs[] = {
	{"42", 0, 100, 0, 42},   {"-5", -10, 10, 0, -5},
	{"101", 0, 100, -1, 0},  {"", 0, 1, -1, 0},
	{" 4", 0, 9, -1, 0},     {"4 ", 0, 9, -1, 0},
	{"0x10", 0, 99, -1, 0},  {"99999999999999999999", 0, 1, -1, 0},
	{"1e3", 0, 9999, -1, 0},
};

START_TEST(parse_long_table)
{
	long v = -77;
	int rc = parse_long(longs[_i].in, longs[_i].min, longs[_i].max, &v);

	ck_assert_int_eq(rc, longs[_i].ok);
	if (rc == 0)
		ck_assert_int_eq(v, longs[_i].want);
}
END_TEST

START_TEST(hex_roundtrip_and_rejects)
{
	unsigned char in[4] = {0x00, 0xab, 0x10, 0xff}, out[4];
	char hex[9];

	hex_encode(in, 4, hex);
	ck_assert_str_eq(hex, "00ab10ff");
	ck_assert_int_eq(hex_decode(hex, out, 4), 0);
	ck_assert_mem_eq(in, out, 4);
	ck_assert_int_eq(hex_decode("00AB10FF", out, 4), 0);
	ck_assert_int_eq(hex_decode("00ab10f", out, 4), -1);
	ck_assert_int_eq(hex_decode("00ab10fg", out, 4), -1);
}
END_TEST

START_TEST(base64url_roundtrip)
{
	const char *samples[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "[\"a\",\"b\"]"};
	unsigned char back[64];
	char enc[64];
	size_t i;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		base64url_encode((const unsigned char *)samples[i], strlen(samples[i]), enc);
		ck_assert_int_eq(strcspn(enc, "+/="), strlen(enc));
		ck_assert_int_eq(base64url_decode(enc, back, sizeof(back)),
				 (long)strlen(samples[i]));
		ck_assert_mem_eq(back, samples[i], strlen(samples[i]));
	}
	base64url_encode((const unsigned char *)"foobar", 6, enc);
	ck_assert_str_eq(enc, "Zm9vYmFy");
	ck_assert_int_eq(base64url_decode("Zm9v!", back, sizeof(back)), -1);
	ck_assert_int_eq(base64url_decode("Zm9vYmFyZm9vYmFy", back, 4), -1); /* too long */
	ck_assert_int_eq(base64url_decode("Zh", back, sizeof(back)), -1); /* non-canonical bits */
}
END_TEST

START_TEST(uuid_date_token)
{
	ck_assert(is_uuid("0efc4ba8-fd87-403f-9b53-c0932c4cb062"));
	ck_assert(!is_uuid("0EFC4BA8-fd87-403f-9b53-c0932c4cb062"));
	ck_assert(!is_uuid("0efc4ba8fd87-403f-9b53-c0932c4cb062x"));
	ck_assert(!is_uuid("0efc4ba8-fd87-403f-9b53-c0932c4cb06"));
	ck_assert(is_date("2024-02-29"));
	ck_assert(!is_date("2023-02-29"));
	ck_assert(!is_date("2023-13-01"));
	ck_assert(!is_date("2023-1-01"));
	ck_assert(is_sane_token("abc-1.2_3", 64));
	ck_assert(!is_sane_token("a b", 64));
	ck_assert(!is_sane_token("", 64));
	ck_assert(!is_sane_token("abcdef", 5));
}
END_TEST

START_TEST(buf_has_a_hard_cap)
{
	struct buf b;

	buf_init(&b, 8);
	ck_assert_int_eq(buf_append(&b, "12345", 5), 0);
	ck_assert_int_eq(buf_append(&b, "678", 3), 0);
	ck_assert_str_eq(b.data, "12345678");
	ck_assert_int_eq(buf_append(&b, "9", 1), -1);
	ck_assert(b.toobig);
	ck_assert_int_eq(b.len, 8);
	ck_assert_int_eq(buf_printf(&b, "%d", 1), -1);
	buf_free(&b);
}
END_TEST

/* json_quote: runs of plain bytes copied whole, escapes in between. */
static const struct {
	const char *in, *out;
} quotes[] = {
	{"", "\"\""},
	{"plain", "\"plain\""},
	{"a\"b", "\"a\\\"b\""},
	{"back\\slash", "\"back\\\\slash\""},
	{"line\nfeed\r\ttab", "\"line\\nfeed\\r\\ttab\""},
	{"\x01"
	 "ctl\x1f",
	 "\"\\u0001ctl\\u001f\""},
	{"Molenbeek-Saint-Jean \xc3\xa9\xe2\x82\xac",
	 "\"Molenbeek-Saint-Jean \xc3\xa9\xe2\x82\xac\""},
	{"\"\"", "\"\\\"\\\"\""},
	{"end\\", "\"end\\\\\""},
};

START_TEST(buf_cat_concatenates_and_respects_the_cap)
{
	struct buf b;

	buf_init(&b, 12);
	ck_assert_int_eq(buf_cat(&b, "ab", "", "cde", (char *)NULL), 0);
	ck_assert_str_eq(b.data, "abcde");
	ck_assert_int_ne(buf_cat(&b, "fgh", "ijklmn", (char *)NULL), 0); /* 14 > 12 */
	ck_assert(b.toobig);
	ck_assert_str_eq(b.data, "abcdefgh"); /* what fitted stays */
	buf_free(&b);
}
END_TEST

START_TEST(json_quote_table)
{
	struct buf b;

	buf_init(&b, 1024);
	ck_assert_int_eq(json_quote(&b, quotes[_i].in), 0);
	ck_assert_str_eq(b.data, quotes[_i].out);
	buf_free(&b);
}
END_TEST

Suite *
util_suite(void)
{
	Suite *s = suite_create("util");
	TCase *t = tcase_create("core");

	tcase_add_loop_test(t, parse_long_table, 0, (int)(sizeof(longs) / sizeof(longs[0])));
	tcase_add_test(t, hex_roundtrip_and_rejects);
	tcase_add_test(t, base64url_roundtrip);
	tcase_add_test(t, uuid_date_token);
	tcase_add_test(t, buf_has_a_hard_cap);
	tcase_add_test(t, buf_cat_concatenates_and_respects_the_cap);
	tcase_add_loop_test(t, json_quote_table, 0, (int)(sizeof(quotes) / sizeof(quotes[0])));
	suite_add_tcase(s, t);
	return s;
}
