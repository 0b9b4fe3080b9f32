/* journal: the receipt code's printed form (Crockford base32) and how it
 * is read back. */
#include <string.h>

#include <stdlib.h>

#include "journal.h"
#include "qr.h"
#include "suites.h"

/* Known bytes, known code: the bit order is the standard one (big-endian,
 * the 26th digit's two low bits zero). */
START_TEST(encode_known_value)
{
	unsigned char raw[RECEIPT_CODE_BYTES], back[RECEIPT_CODE_BYTES];
	char code[RECEIPT_CODE_LEN];

	memset(raw, 0, sizeof(raw));
	receipt_code_encode(raw, code);
	ck_assert_str_eq(code, "0000-0000-0000-0000-0000-0000-00");
	memset(raw, 0xff, sizeof(raw));
	receipt_code_encode(raw, code);
	ck_assert_str_eq(code, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW");
	ck_assert_uint_eq(strlen(code), RECEIPT_CODE_LEN - 1);
	ck_assert(receipt_code_decode(code, back));
	ck_assert_mem_eq(back, raw, sizeof(raw));
}
END_TEST

/* Every byte value in every position survives the round trip. */
START_TEST(round_trip)
{
	unsigned char raw[RECEIPT_CODE_BYTES], back[RECEIPT_CODE_BYTES];
	char code[RECEIPT_CODE_LEN];
	size_t i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(_i * 17 + i * 31);
	receipt_code_encode(raw, code);
	ck_assert(receipt_code_decode(code, back));
	ck_assert_mem_eq(back, raw, sizeof(raw));
}
END_TEST

static const struct {
	const char *in;
	bool ok;
} typed[] = {
	{"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW", true},
	{"zzzz zzzz zzzz zzzz zzzz zzzz zw", true},   /* lower case, spaces */
	{"ZZZZZZZZZZZZZZZZZZZZZZZZZW", true},         /* no separator */
	{"oooo-0000-llll-IIII-1111-0000-00", true},   /* O is 0, I and L are 1 */
	{"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZ", false},  /* pad bits set */
	{"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-Z", false},   /* 25 digits */
	{"ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW0", false}, /* 27 digits */
	{"UUUU-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW", false},  /* U is no digit */
	{"ZZZZ_ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZW", false},  /* _ is no separator */
	{"", false},
};

START_TEST(typed_back)
{
	unsigned char raw[RECEIPT_CODE_BYTES];

	ck_assert_msg(receipt_code_decode(typed[_i].in, raw) == typed[_i].ok, "%s", typed[_i].in);
}
END_TEST

/* A QR code as SVG: the frame, a white square of the whole size, runs of
 * black modules, nothing else; bigger for a longer text; the same text
 * gives the same document. */
START_TEST(qr_svg_is_paths_only)
{
	char *a = qr_svg(
		"https://localhost:8444/console/journal.html#K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ");
	char *b = qr_svg(
		"https://localhost:8444/console/journal.html#K7QD-R2M9-PX4A-ZZ1B-0C3D-EF9G-HJ");
	char *small = qr_svg("x");
	const char *d;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(small);
	ck_assert_str_eq(a, b);
	/* Version 1 (21 modules) and a quiet zone of 4 each side. */
	ck_assert_ptr_nonnull(strstr(small, "viewBox=\"0 0 29 29\""));
	ck_assert_uint_gt(strlen(a), strlen(small));
	d = strstr(a, "<path fill=\"#000\" d=\"");
	ck_assert_ptr_nonnull(d);
	d += strlen("<path fill=\"#000\" d=\"");
	ck_assert_uint_eq(strspn(d, "0123456789Mhvz -"), strlen(d) - strlen("\"/></svg>"));
	ck_assert_str_eq(d + strlen(d) - 9, "\"/></svg>");
	free(a), free(b), free(small);
}
END_TEST

Suite *
journal_unit_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("receipt code");

	tcase_add_test(t, encode_known_value);
	tcase_add_loop_test(t, round_trip, 0, 64);
	tcase_add_loop_test(t, typed_back, 0, (int)(sizeof(typed) / sizeof(typed[0])));
	tcase_add_test(t, qr_svg_is_paths_only);
	suite_add_tcase(s, t);
	return s;
}
