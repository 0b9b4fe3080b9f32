/* audit: the canonical encoding and the chain of hashes.  The vectors were
 * computed independently (Python hashlib) from the documented encoding; the
 * integration suite proves PostgreSQL's side produces the same chain. */
#include <string.h>

#include "audit.h"
#include "suites.h"
#include "util.h"

static const struct audit_row row1 = {"4242",
				      "1",
				      "1700000000000000",
				      "orgx",
				      NULL,
				      "r1",
				      "org.add",
				      "organisation",
				      "9",
				      NULL,
				      "{}",
				      NULL,
				      NULL};
static const struct audit_row row2 = {
	"4242", "2", "1700000000000001",      "orgx", "ab", "r2", "org.add", "",
	"",     "p", "{\"a\": \"\xc3\xa9\"}", NULL,   NULL};
/* A signed-in person's row (schema/053): v2, the user after the detail. */
static const struct audit_row row3 = {"4242", "3",       "1700000000000002", "orgx", NULL,
				      "r3",   "org.add", "organisation",     "9",    NULL,
				      "{}",   "u1",      "Ana <a@b.c>"};

START_TEST(canonical_is_length_prefixed)
{
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(audit_canonical(&row1, &b), 0);
	ck_assert_str_eq(b.data, "refgw-audit-v14:42421:116:17000000000000004:orgx0:2:r17:org.add"
				 "12:organisation1:90:2:{}");
	buf_free(&b);
	buf_init(&b, 4096);
	ck_assert_int_eq(audit_canonical(&row2, &b), 0);
	ck_assert_str_eq(b.data, "refgw-audit-v14:42421:216:17000000000000014:orgx2:ab2:r27:org.add"
				 "0:0:1:p11:{\"a\": \"\xc3\xa9\"}");
	buf_free(&b);
	buf_init(&b, 4096);
	ck_assert_int_eq(audit_canonical(&row3, &b), 0);
	ck_assert_str_eq(b.data, "refgw-audit-v24:42421:316:17000000000000024:orgx0:2:r37:org.add"
				 "12:organisation1:90:2:{}2:u111:Ana <a@b.c>");
	buf_free(&b);
}
END_TEST

START_TEST(separators_cannot_be_forged)
{
	/* Moving bytes between two fields changes the encoding. */
	struct audit_row a = row1, b = row1;
	struct buf x, y;

	a.action = "org.add";
	a.resource_type = "organisation";
	b.action = "org.addorganisation";
	b.resource_type = "";
	buf_init(&x, 4096);
	buf_init(&y, 4096);
	ck_assert_int_eq(audit_canonical(&a, &x), 0);
	ck_assert_int_eq(audit_canonical(&b, &y), 0);
	ck_assert_str_ne(x.data, y.data);
	buf_free(&x);
	buf_free(&y);
}
END_TEST

START_TEST(chain_links_each_row_to_the_previous)
{
	unsigned char h1[32], h2[32], h2_unlinked[32];
	char hex[65];
	struct buf b;

	buf_init(&b, 4096);
	ck_assert_int_eq(audit_canonical(&row1, &b), 0);
	audit_hash(NULL, 0, &b, h1);
	buf_free(&b);
	hex_encode(h1, 32, hex);
	ck_assert_str_eq(hex, "cf07b47596d1644cebec03214bc1c21b9a67b3c7af52ed5ecd76e6acaf5d7002");

	buf_init(&b, 4096);
	ck_assert_int_eq(audit_canonical(&row2, &b), 0);
	audit_hash(h1, 32, &b, h2);
	audit_hash(NULL, 0, &b, h2_unlinked);
	buf_free(&b);
	hex_encode(h2, 32, hex);
	ck_assert_str_eq(hex, "4ad1ae154cdb79ee420ac82521477f3f22b0a755d16af2623f6bd8315f947e22");
	ck_assert_mem_ne(h2, h2_unlinked, 32);
}
END_TEST

Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *t = tcase_create("chain");

	tcase_add_test(t, canonical_is_length_prefixed);
	tcase_add_test(t, separators_cannot_be_forged);
	tcase_add_test(t, chain_links_each_row_to_the_previous);
	suite_add_tcase(s, t);
	return s;
}
