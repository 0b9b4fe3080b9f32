/* People on the browser listener, for test_accounts.c and test_sessions.c:
 * users invited with the CLI, enrolled, signed in; TOTP codes computed here
 * independently of the gateway (RFC 6238 with OpenSSL's HMAC-SHA1). */
#include "people.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const browser_origin = "Origin: https://localhost:8444";

static int
base32_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

size_t
base32_decode(const char *in, unsigned char *out, size_t outmax)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t n = 0;

	for (; *in && *in != '='; in++) {
		if ((v = base32_value(*in)) < 0)
			return 0;
		acc = (acc << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			if (n == outmax)
				return 0;
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return n;
}

void
totp_at(const char *secret_b32, long long step, char code[7])
{
	unsigned char key[64], counter[8], mac[20];
	unsigned int maclen = sizeof(mac);
	size_t keylen = base32_decode(secret_b32, key, sizeof(key));
	unsigned bin;
	int i, off;

	for (i = 7; i >= 0; i--, step >>= 8)
		counter[i] = (unsigned char)(step & 0xff);
	HMAC(EVP_sha1(), key, (int)keylen, counter, sizeof(counter), mac, &maclen);
	off = mac[19] & 0x0f;
	bin = ((unsigned)(mac[off] & 0x7f) << 24) | ((unsigned)mac[off + 1] << 16) |
	      ((unsigned)mac[off + 2] << 8) | mac[off + 3];
	snprintf(code, 7, "%06u", bin % 1000000u);
}

long long
totp_now_step(void)
{
	return (long long)time(NULL) / 30;
}

char *
cli_user_add(const char *org, const char *email, const char *role)
{
	char cmd[2048], line[256];
	FILE *p;
	char *token = NULL;
	int lines = 0;

	snprintf(cmd, sizeof(cmd), "%s user add --org '%s' --email '%s' --role %s --name 'T %s'",
		 env_or_die("REFGW_TEST_BIN"), org, email, role, role);
	p = popen(cmd, "r");
	if (p == NULL)
		return NULL;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		lines++;
		free(token);
		token = strdup(line);
	}
	if (pclose(p) != 0 || lines != 1 || token == NULL || strlen(token) != 43) {
		free(token);
		return NULL;
	}
	return token;
}

int
person_enrol(struct person *who, const char *org, const char *role, const char *base_env)
{
	static int n;
	char body[512];
	struct resp r;
	const char *hdr[] = {browser_origin, NULL};
	char *token;
	int rc = -1;

	memset(who, 0, sizeof(*who));
	snprintf(who->email, sizeof(who->email), "p%d.%ld.%d@test.example", ++n, (long)time(NULL),
		 (int)getpid());
	snprintf(who->password, sizeof(who->password), "correct horse battery %d", n);
	token = cli_user_add(org, who->email, role);
	if (token == NULL)
		return -1;
	snprintf(body, sizeof(body), "{\"invitation_token\":\"%s\",\"password\":\"%s\"}", token,
		 who->password);
	if (browser_call(base_env, "POST", "/v1/account/enrol", body, hdr, &r) != 0 ||
	    r.status != 200)
		goto out;
	snprintf(who->secret, sizeof(who->secret), "%s",
		 json_string_value(json_object_get(r.json, "totp_secret")));
	resp_free(&r);
	who->next_step = totp_now_step() - 1;
	{
		char code[7];
		totp_at(who->secret, who->next_step++, code);
		snprintf(body, sizeof(body), "{\"invitation_token\":\"%s\",\"code\":\"%s\"}", token,
			 code);
	}
	if (browser_call(base_env, "POST", "/v1/account/confirm", body, hdr, &r) != 0 ||
	    r.status != 204)
		goto out;
	rc = 0;
out:
	resp_free(&r);
	free(token);
	return rc;
}

/* The value of the session cookie in a Set-Cookie header, or "". */
void
cookie_value(const char *set_cookie, char *out, size_t outlen)
{
	const char *p = strstr(set_cookie, "__Host-refgw-session=");
	size_t n;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen("__Host-refgw-session=");
	n = strcspn(p, ";");
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int
person_password(struct person *who, const char *base_env, const char *cookie, struct resp *r)
{
	char body[512], cookie_hdr[128];
	const char *hdr[] = {browser_origin, cookie_hdr, NULL};

	snprintf(cookie_hdr, sizeof(cookie_hdr), "Cookie: __Host-refgw-session=%s",
		 cookie ? cookie : "");
	if (cookie == NULL)
		hdr[1] = NULL;
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", who->email,
		 who->password);
	return browser_call(base_env, "POST", "/v1/session", body, hdr, r);
}

int
person_second_factor(struct person *who, const char *base_env, const char *pending, struct resp *r)
{
	char body[64], cookie_hdr[128], code[7];
	const char *hdr[] = {browser_origin, cookie_hdr, NULL};

	snprintf(cookie_hdr, sizeof(cookie_hdr), "Cookie: __Host-refgw-session=%s", pending);
	totp_at(who->secret, who->next_step++, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	return browser_call(base_env, "POST", "/v1/session/second-factor", body, hdr, r);
}

int
person_sign_in(struct person *who, const char *base_env)
{
	struct resp r;
	char pending[64];
	int rc = -1;

	if (person_password(who, base_env, NULL, &r) != 0 || r.status != 200)
		goto out;
	cookie_value(r.set_cookie, pending, sizeof(pending));
	resp_free(&r);
	if (who->next_step < totp_now_step() - 1)
		who->next_step = totp_now_step() - 1;
	if (person_second_factor(who, base_env, pending, &r) != 0 || r.status != 200)
		goto out;
	cookie_value(r.set_cookie, who->session, sizeof(who->session));
	snprintf(who->csrf, sizeof(who->csrf), "%s",
		 json_string_value(json_object_get(r.json, "csrf_token")));
	snprintf(who->id, sizeof(who->id), "%s",
		 json_string_value(json_object_get(json_object_get(r.json, "user"), "id")));
	rc = 0;
out:
	resp_free(&r);
	return rc;
}

int
person_call(struct person *who, const char *base_env, const char *method, const char *path,
	    const char *body, struct resp *r)
{
	char cookie_hdr[128], csrf_hdr[128];
	const char *hdr[] = {browser_origin, cookie_hdr, csrf_hdr, NULL};

	snprintf(cookie_hdr, sizeof(cookie_hdr), "Cookie: __Host-refgw-session=%s", who->session);
	snprintf(csrf_hdr, sizeof(csrf_hdr), "X-CSRF-Token: %s", who->csrf);
	return browser_call(base_env, method, path, body, hdr, r);
}

void
throttle_reset(void)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(c, "DELETE FROM signin_throttle");

	PQclear(r);
	PQfinish(c);
}
