/* totp: RFC 6238 over RFC 4226's HOTP.  See totp.h. */
#include "totp.h"

#include <string.h>

#include "crypto.h"

int
totp_code(const unsigned char *secret, size_t len, int64_t step, int digits, char *out)
{
	unsigned char counter[8], mac[SHA1_LEN];
	uint32_t bin, mod = 1;
	int i, off;

	if (digits < 6 || digits > 8 || step < 0)
		return -1;
	for (i = 7; i >= 0; i--) {
		counter[i] = (unsigned char)(step & 0xff);
		step >>= 8;
	}
	if (crypto_hmac_sha1(secret, len, counter, sizeof(counter), mac) != 0)
		return -1;
	off = mac[SHA1_LEN - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
	for (i = 0; i < digits; i++)
		mod *= 10;
	bin %= mod;
	for (i = digits - 1; i >= 0; i--) {
		out[i] = (char)('0' + bin % 10);
		bin /= 10;
	}
	out[digits] = '\0';
	return 0;
}

/* Compares every byte (no early exit on the first difference). */
static bool
same(const char *a, const char *b, size_t n)
{
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int64_t
totp_match(const unsigned char *secret, size_t len, const char *code, time_t now, int64_t after)
{
	int64_t step = (int64_t)now / TOTP_STEP_S, s, found = -1;
	char want[TOTP_DIGITS + 1];
	size_t i;

	if (strlen(code) != TOTP_DIGITS)
		return -1;
	for (i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return -1;
	for (s = step - 1; s <= step + 1; s++) {
		if (s <= after || totp_code(secret, len, s, TOTP_DIGITS, want) != 0)
			continue;
		if (same(want, code, TOTP_DIGITS) && found < 0)
			found = s;
	}
	return found;
}

void
base32_encode(const unsigned char *in, size_t len, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t acc = 0;
	int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
}
