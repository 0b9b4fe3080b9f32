/* Operations suite: TLS material reloaded on SIGHUP without dropping
 * connections, and the certificate and build figures of /metrics.
 *
 * Runs against the fourth gateway instance of tests/run-integration.sh,
 * whose certificate, key, client CA and CRL are copies under
 * REFGW_TEST_RELOAD_DIR that only this suite changes. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define URN "urn:refgw:problem:"

/* Runs a shell command; its standard output's first line, trimmed, in out. */
static void
sh_line(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	ck_assert_ptr_nonnull(p);
	out[0] = '\0';
	if (fgets(out, (int)outlen, p) == NULL)
		out[0] = '\0';
	n = strlen(out);
	while (n && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '-'))
		out[--n] = '\0';
	ck_assert_msg(pclose(p) == 0, "command failed: %s", cmd);
}

static void
sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	ck_assert_msg(system(cmd) == 0, "command failed: %s", cmd);
}

/* SHA-256 of a PEM certificate's DER, in hex. */
static void
cert_sha256(const char *pem_path, char out[65])
{
	char cmd[2048], line[128];

	snprintf(cmd, sizeof(cmd), "openssl x509 -in '%s' -outform DER | sha256sum", pem_path);
	sh_line(cmd, line, sizeof(line));
	ck_assert_uint_ge(strlen(line), 64);
	memcpy(out, line, 64);
	out[64] = '\0';
}

/* libcurl's pin of a key's public half: sha256//BASE64. */
static void
key_pin(const char *key_path, char *out, size_t outlen)
{
	char cmd[2048], line[64];

	snprintf(cmd, sizeof(cmd),
		 "openssl pkey -in '%s' -pubout -outform DER | openssl dgst -sha256 -binary | "
		 "base64",
		 key_path);
	sh_line(cmd, line, sizeof(line));
	snprintf(out, outlen, "sha256//%s", line);
}

static const char *
reload_path(const char *file, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", env_or_die("REFGW_TEST_RELOAD_DIR"), file);
	return buf;
}

/* The fingerprint label of refgw_server_certificate_expiry_days and its
 * value; -1 when absent. */
static double
server_expiry(char sha[65])
{
	static const char name[] = "refgw_server_certificate_expiry_days{sha256=\"";
	struct resp r;
	const char *p;
	double days = -1;

	sha[0] = '\0';
	ck_assert_int_eq(ops_get_at("REFGW_TEST_OPS4", "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	p = strstr(r.body, name);
	if (p && strlen(p) > sizeof(name) - 1 + 66) {
		p += sizeof(name) - 1;
		memcpy(sha, p, 64);
		sha[64] = '\0';
		days = strtod(p + 66, NULL);
	}
	resp_free(&r);
	return days;
}

static long
log_lines(const char *needle)
{
	char cmd[2048], line[64];

	snprintf(cmd, sizeof(cmd), "grep -c -F '%s' '%s' || true", needle,
		 env_or_die("REFGW_TEST_GW4_LOG"));
	sh_line(cmd, line, sizeof(line));
	return strtol(line, NULL, 10);
}

static void
hangup(void)
{
	ck_assert_int_eq(kill((pid_t)strtol(env_or_die("REFGW_TEST_GW4_PID"), NULL, 10), SIGHUP),
			 0);
}

/* Waits (up to 10 s) until the gateway logged needle more than before times. */
static void
await_log(const char *needle, long before)
{
	int i;

	for (i = 0; i < 200 && log_lines(needle) <= before; i++)
		usleep(50000);
	ck_assert_msg(log_lines(needle) > before, "the gateway never logged \"%s\"", needle);
}

/* GET /v1/me on the fourth instance with h; returns curl's verdict. */
static int
me(CURL *h, struct resp *r)
{
	return client_call_base(h, env_or_die("REFGW_TEST_BASE4"), "GET", "/v1/me", NULL, NULL, r);
}

/* A new server certificate for localhost from the dev CA, valid 30 days,
 * with a new key, in dir/next.pem and dir/next.key. */
static void
make_server_certificate(const char *dir)
{
	const char *certs = env_or_die("REFGW_TEST_CERTS");
	char cmd[4096];

	snprintf(
		cmd, sizeof(cmd),
		"set -e; cd '%s'; umask 077;"
		"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out next.key "
		"2>/dev/null;"
		"openssl req -new -key next.key -subj '/O=refgw test/CN=localhost' -out next.csr;"
		"printf 'basicConstraints=critical,CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
		"extendedKeyUsage=serverAuth\\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\\n'"
		" "
		"> next.ext;"
		"openssl x509 -req -in next.csr -CA '%s/ca.pem' -CAkey '%s/ca.key' -days 30 "
		"-sha256 "
		"-set_serial 0x$(openssl rand -hex 8) -extfile next.ext -out next.pem 2>/dev/null",
		dir, certs, certs);
	ck_assert_msg(system(cmd) == 0, "could not make a server certificate");
}

START_TEST(metrics_show_build_and_certificate_expiry)
{
	char line[256], sha[65], orga_sha[65], path[1024];
	struct resp r;
	const char *p;
	double days;

	/* A request on a new connection: its certificate is counted. */
	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);

	ck_assert_int_eq(ops_get_at("REFGW_TEST_OPS4", "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	snprintf(line, sizeof(line), "refgw_build_info{version=\"");
	ck_assert_msg(strstr(r.body, line) != NULL, "no build information");
	snprintf(line, sizeof(line), "\",schema=\"%d\"} 1\n", REFGW_SCHEMA_VERSION);
	ck_assert_msg(strstr(r.body, line) != NULL, "build information without schema %d",
		      REFGW_SCHEMA_VERSION);

	cert_sha256(reload_path("server.pem", path, sizeof(path)), orga_sha);
	days = server_expiry(sha);
	ck_assert_str_eq(sha, orga_sha);
	ck_assert_msg(days > 1 && days <= 3651, "server certificate expiry %g days", days);

	snprintf(path, sizeof(path), "%s/orga.pem", env_or_die("REFGW_TEST_CERTS"));
	cert_sha256(path, orga_sha);
	snprintf(line, sizeof(line),
		 "refgw_client_certificate_expiry_days{organisation=\"Test Org A\",sha256=\"%s\"} ",
		 orga_sha);
	p = strstr(r.body, line);
	ck_assert_msg(p != NULL, "no expiry for orga's certificate");
	days = strtod(p + strlen(line), NULL);
	ck_assert_msg(days > 1 && days <= 3651, "client certificate expiry %g days", days);
	resp_free(&r);

	/* Every active registered certificate, also one that never called this
	 * instance (orgd), read by housekeeping (1 s here); a revoked one not. */
	snprintf(path, sizeof(path), "%s/orgd.pem", env_or_die("REFGW_TEST_CERTS"));
	cert_sha256(path, orga_sha);
	snprintf(line, sizeof(line),
		 "refgw_client_certificate_expiry_days{organisation=\"Test Org D\",sha256=\"%s\"} ",
		 orga_sha);
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(ops_get_at("REFGW_TEST_OPS4", "/metrics", &r), 0);
		if ((p = strstr(r.body, line)) != NULL)
			break;
		resp_free(&r);
		usleep(100000);
	}
	ck_assert_msg(p != NULL, "no expiry for orgd's certificate (never used here)");
	days = strtod(p + strlen(line), NULL);
	ck_assert_msg(days > 1 && days <= 3651, "orgd's certificate expiry %g days", days);
	ck_assert_msg(strstr(r.body, "organisation=\"Test Revoked\"") == NULL,
		      "a revoked certificate in the expiry metric");
	resp_free(&r);
}
END_TEST

/* A CRL of the second test CA, listing nothing, in dir/other-crl.pem. */
static void
make_other_crl(const char *dir)
{
	const char *certs = env_or_die("REFGW_TEST_CERTS");
	char cmd[4096];

	snprintf(cmd, sizeof(cmd),
		 "set -e; cd '%s'; : > index.txt; echo 1000 > crlnumber;"
		 "printf '[ca]\ndefault_ca=o\n[o]\ndatabase=./index.txt\ncrlnumber=./crlnumber\n"
		 "default_md=sha256\ndefault_crl_days=30\n' > other.cnf;"
		 "openssl ca -batch -config other.cnf -cert '%s/other-ca.pem' -keyfile "
		 "'%s/other-ca.key' "
		 "-gencrl -out other-crl.pem 2>/dev/null",
		 dir, certs, certs);
	ck_assert_msg(system(cmd) == 0, "could not make a CRL for the second CA");
}

static void
reload_and_wait(void)
{
	long before = log_lines("TLS material reloaded");

	hangup();
	await_log("TLS material reloaded", before);
}

/* The client CA and the CRL are reloaded.  With the second test CA (and
 * its CRL) in their place, on new connections a client of the dev CA is
 * untrusted, even though this process verified its chain before (a
 * verdict is only reused under the material that gave it), and a client
 * of the second CA is trusted (then unknown: not registered); a
 * connection opened before goes on. */
START_TEST(reload_reads_the_client_ca_and_crl_again)
{
	const char *certs = env_or_die("REFGW_TEST_CERTS");
	char dir[] = "/tmp/refgw-reload.XXXXXX", ca[1024], crl[1024], from[1024];
	struct resp r;
	CURL *kept;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_other_crl(dir);
	kept = client_new("orga");
	ck_assert_int_eq(me(kept, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "test-other-ca-client", "GET", "/v1/me", NULL,
				 NULL, &r),
			 0);
	ck_assert_str_eq(problem_type(&r), URN "certificate-untrusted");
	resp_free(&r);

	reload_path("ca.pem", ca, sizeof(ca));
	reload_path("crl.pem", crl, sizeof(crl));
	snprintf(from, sizeof(from), "%s/other-ca.pem", certs);
	sh("cp '%s' '%s'", from, ca);
	snprintf(from, sizeof(from), "%s/other-crl.pem", dir);
	sh("cp '%s' '%s'", from, crl);
	reload_and_wait();

	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), URN "certificate-untrusted");
	resp_free(&r);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "test-other-ca-client", "GET", "/v1/me", NULL,
				 NULL, &r),
			 0);
	ck_assert_int_eq(r.status, 401);
	ck_assert_str_eq(problem_type(&r), URN "certificate-unknown");
	resp_free(&r);
	ck_assert_int_eq(me(kept, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.num_connects, 0);
	resp_free(&r);
	curl_easy_cleanup(kept);

	/* Back to the dev CA and its CRL. */
	snprintf(from, sizeof(from), "%s/ca.pem", certs);
	sh("cp '%s' '%s'", from, ca);
	snprintf(from, sizeof(from), "%s/crl.pem", certs);
	sh("cp '%s' '%s'", from, crl);
	reload_and_wait();
	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "orga", "GET", "/v1/me", NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	sh("rm -rf '%s'%s", dir, "");
}
END_TEST

/* A reload that cannot read its files keeps the material in use, says why
 * in the log, and goes on serving with it. */
static const struct {
	const char *file, *content;
} bad_files[] = {
	{"server.pem", "not a certificate\n"},
	{"server.key", NULL}, /* a valid key that is not the certificate's */
	{"ca.pem", ""},
	{"crl.pem", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"},
};

START_TEST(bad_material_keeps_the_current_one)
{
	char path[1024], saved[1100], sha_before[65], sha_after[65], pin[128], cmd[2048];
	const char *certs = env_or_die("REFGW_TEST_CERTS");
	long failed = log_lines("TLS material not reloaded");
	double days_before, days_after;
	struct resp r;
	CURL *h;
	FILE *f;

	days_before = server_expiry(sha_before);
	reload_path(bad_files[_i].file, path, sizeof(path));
	snprintf(saved, sizeof(saved), "%s.saved", path);
	sh("cp '%s' '%s'", path, saved);
	if (bad_files[_i].content) {
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fputs(bad_files[_i].content, f);
		ck_assert_int_eq(fclose(f), 0);
	} else {
		snprintf(cmd, sizeof(cmd), "%s/orga.key", certs);
		sh("cp '%s' '%s'", cmd, path);
	}
	hangup();
	await_log("TLS material not reloaded", failed);

	/* Same certificate, and new connections are served with it. */
	days_after = server_expiry(sha_after);
	ck_assert_str_eq(sha_after, sha_before);
	ck_assert(days_after <= days_before && days_after > days_before - 0.01);
	sh("mv '%s' '%s'", saved, path);
	key_pin(reload_path("server.key", path, sizeof(path)), pin, sizeof(pin));
	h = client_new("orga");
	curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, pin);
	ck_assert_int_eq(me(h, &r), 0);
	ck_assert_int_eq(r.status, 200);
	resp_free(&r);
	curl_easy_cleanup(h);
}
END_TEST

/* The server certificate is replaced under a kept-alive connection: that
 * connection goes on (same TCP connection, 200), a new one is served the
 * new certificate (libcurl pinned to the new key connects, pinned to the
 * old one refuses), and /metrics reports the new certificate. */
START_TEST(reload_serves_new_certificate_and_keeps_connections)
{
	char dir[] = "/tmp/refgw-reload.XXXXXX", path[1024], next[1024], old_pin[128], new_pin[128],
	     new_sha[65], sha[65];
	struct resp r;
	double days;
	CURL *kept, *h;
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	make_server_certificate(dir);
	snprintf(next, sizeof(next), "%s/next.pem", dir);
	cert_sha256(next, new_sha);
	snprintf(next, sizeof(next), "%s/next.key", dir);
	key_pin(next, new_pin, sizeof(new_pin));
	key_pin(reload_path("server.key", path, sizeof(path)), old_pin, sizeof(old_pin));
	ck_assert_str_ne(old_pin, new_pin);

	kept = client_new("orga");
	ck_assert_int_eq(me(kept, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.num_connects, 1);
	resp_free(&r);

	/* Each file replaced by a rename, as an operator's tooling would. */
	sh("cp '%s/next.key' '%s.new'", dir, reload_path("server.key", path, sizeof(path)));
	sh("mv '%s.new' '%s'", path, path);
	sh("cp '%s/next.pem' '%s.new'", dir, reload_path("server.pem", path, sizeof(path)));
	sh("mv '%s.new' '%s'", path, path);
	reload_and_wait();
	for (i = 0; i < 100; i++) {
		days = server_expiry(sha);
		if (strcmp(sha, new_sha) == 0)
			break;
		usleep(50000);
	}
	ck_assert_str_eq(sha, new_sha);
	ck_assert_msg(days > 29 && days <= 30.001, "new certificate: %g days left", days);

	/* The connection opened before the reload goes on. */
	ck_assert_int_eq(me(kept, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.num_connects, 0);
	resp_free(&r);
	curl_easy_cleanup(kept);

	h = client_new("orga");
	curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, new_pin);
	ck_assert_int_eq(me(h, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_int_eq(r.num_connects, 1);
	resp_free(&r);
	curl_easy_cleanup(h);

	client_quiet = true;
	h = client_new("orga");
	curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, old_pin);
	ck_assert_int_eq(me(h, &r), -1);
	resp_free(&r);
	curl_easy_cleanup(h);
	client_quiet = false;
	sh("rm -rf '%s'%s", dir, "");
}
END_TEST

/* `refgw org add` with a kind that does not exist names the kinds that do
 * (it printed a PostgreSQL constraint's name) and adds nothing. */
START_TEST(cli_unknown_kind_lists_the_kinds)
{
	char cmd[1024], out[1024];
	FILE *p;
	size_t n;
	int st;

	snprintf(cmd, sizeof(cmd), "%s org add --name 'Kindless %d' --kind shelter 2>&1",
		 env_or_die("REFGW_TEST_BIN"), (int)getpid());
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	st = pclose(p);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d: %s", st, out);
	ck_assert_msg(strstr(out, "unknown kind \"shelter\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, " justice_aid") && strstr(out, " housing_operator") &&
			      strstr(out, " coordinator"),
		      "%s", out);
	ck_assert_msg(strstr(out, "constraint") == NULL, "%s", out);
	ck_assert_int_eq(
		sql_count("SELECT count(*) FROM organisations WHERE name LIKE 'Kindless %'", NULL),
		0);
}
END_TEST

/* A figure of the fourth instance's /metrics ("name "), or fails. */
static long
metric4(const char *name)
{
	struct resp r;
	const char *p;
	long v = -1;

	ck_assert_int_eq(ops_get_at("REFGW_TEST_OPS4", "/metrics", &r), 0);
	ck_assert_int_eq(r.status, 200);
	for (p = strstr(r.body, name); p; p = strstr(p + 1, name))
		if (p == r.body || p[-1] == '\n') {
			v = strtol(p + strlen(name), NULL, 10);
			break;
		}
	resp_free(&r);
	ck_assert_msg(v >= 0, "no %s in /metrics", name);
	return v;
}

/* The fourth instance's sessions in pg_stat_activity (its conninfo names
 * it: tests/run-integration.sh). */
static long
sessions4(PGconn *su, const char *where)
{
	char q[512];

	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'refgw_gw4'%s",
		 where);
	return sql_long(su, q, 0, NULL);
}

static PGconn *
superuser(void)
{
	char conninfo[1024];
	PGconn *su;

	/* user=postgres: ending another role's sessions needs it */
	snprintf(conninfo, sizeof(conninfo), "%s user=postgres",
		 env_or_die("REFGW_ADMIN_DATABASE_URL"));
	su = PQconnectdb(conninfo);
	ck_assert_msg(PQstatus(su) == CONNECTION_OK, "%s", PQerrorMessage(su));
	return su;
}

static long
list4(void)
{
	struct resp r;
	long status;

	ck_assert_int_eq(call_at("REFGW_TEST_BASE4", "orga", "GET", "/v1/referrals?role=sent", NULL,
				 NULL, &r),
			 0);
	status = r.status;
	resp_free(&r);
	return status;
}

/* A pooled session the server ends in the middle of a request (an
 * operator's pg_terminate_backend, a failover) is ended by the gateway
 * when the request lets go of it, and its slot left empty: the next
 * request connects anew, the pool's figures count right, and no session
 * is left over (a hostile review of issue 19: the broken session stayed
 * open until its slot was next used). */
/* The list's session waiting for the lock (housekeeping's may wait too) */
#define LIST_WAITING " AND wait_event_type = 'Lock' AND query LIKE '%r.from_org = refgw_caller()%'"

START_TEST(a_session_lost_mid_request_is_ended_at_release)
{
	PGconn *su = superuser(), *locker = superuser();
	PGresult *res;
	long before, discarded, size, waiting = 0;
	pid_t child;
	int i, st;

	ck_assert_int_eq(list4(), 200);
	size = metric4("refgw_db_pool_size ");
	discarded = metric4("refgw_db_pool_discarded_total ");
	ck_assert_int_eq(metric4("refgw_db_pool_open "), size);
	before = sessions4(su, "");
	ck_assert_int_ge(before, size);
	/* The list waits for the referrals inside its transaction... */
	res = PQexec(locker, "BEGIN; LOCK TABLE referrals IN ACCESS EXCLUSIVE MODE");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(list4() == 503 ? 0 : 1);
	for (i = 0; i < 250 && waiting == 0; i++) {
		usleep(20000);
		waiting = sessions4(su, LIST_WAITING);
	}
	ck_assert_int_eq(waiting, 1);
	/* ...and its session is ended there. */
	ck_assert_int_eq(sql_long(su,
				  "WITH w AS MATERIALIZED (SELECT pid FROM pg_stat_activity WHERE "
				  "application_name = 'refgw_gw4'" LIST_WAITING ") "
				  "SELECT count(*) FROM w WHERE pg_terminate_backend(pid)",
				  0, NULL),
			 1);
	PQclear(PQexec(locker, "ROLLBACK"));
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the request whose session was ended did not answer 503");
	/* Released: ended at once, its slot empty, nothing in use. */
	ck_assert_int_eq(metric4("refgw_db_pool_in_use "), 0);
	ck_assert_int_eq(metric4("refgw_db_pool_discarded_total "), discarded + 1);
	ck_assert_int_eq(metric4("refgw_db_pool_open "), size - 1);
	/* The next requests succeed; the slot connected anew. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(list4(), 200);
	ck_assert_int_eq(metric4("refgw_db_pool_in_use "), 0);
	ck_assert_int_eq(metric4("refgw_db_pool_open "), size);
	ck_assert_int_eq(metric4("refgw_db_pool_discarded_total "), discarded + 1);
	ck_assert_int_le(sessions4(su, ""), before);
	PQfinish(locker);
	PQfinish(su);
}
END_TEST

Suite *
operations_suite(void)
{
	Suite *s = suite_create("operations");
	TCase *t = tcase_create("reload");

	tcase_add_test(t, metrics_show_build_and_certificate_expiry);
	tcase_add_test(t, reload_reads_the_client_ca_and_crl_again);
	tcase_add_loop_test(t, bad_material_keeps_the_current_one, 0,
			    (int)(sizeof(bad_files) / sizeof(bad_files[0])));
	tcase_add_test(t, reload_serves_new_certificate_and_keeps_connections);
	tcase_add_test(t, cli_unknown_kind_lists_the_kinds);
	tcase_add_test(t, a_session_lost_mid_request_is_ended_at_release);
	tcase_set_timeout(t, 60);
	suite_add_tcase(s, t);
	return s;
}
