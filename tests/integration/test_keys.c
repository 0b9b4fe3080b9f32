/* Integration suite "keys" (issue 16, item 4): key hygiene.
 *
 * Rizome's and ISSUE's referrals carry their reasons sealed under each
 * person's data key, wrapped by the master key of REFGW_MASTER_KEY_FILE,
 * which the four test gateways share.  The operator rotates it while they
 * serve: a new key first in the file, `refgw keys rewrap` until none is
 * left under the old one (a person recorded meanwhile by an instance that
 * had not reread the file yet is taken by a second run), `refgw keys
 * status`, the old line removed, SIGHUP.  Every instance reads every
 * reason throughout, also one that never met the new key (it rereads the
 * file on a key id it does not know).
 *
 * The key file is changed in place (the gateways read its path from their
 * environment); the tcase's teardown puts the original back, with every
 * data key wrapped under it again, whatever the test left.
 *
 * A key file with a bad line, a key id twice or no key stops `refgw serve`
 * at start, naming the file and the line, never a key.  No master key
 * reaches a gateway's log, the data's database, the key store's, /metrics
 * or the CLI's output.  /metrics counts the key cache and the key store's
 * errors and names the current master key by its id. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"

#define RELOADED "SIGHUP: master keys reloaded"

static const char *const bases[] = {"REFGW_TEST_BASE", "REFGW_TEST_BASE2", "REFGW_TEST_BASE3",
				    "REFGW_TEST_BASE4"};
static const char *const opses[] = {"REFGW_TEST_OPS", "REFGW_TEST_OPS2", "REFGW_TEST_OPS3",
				    "REFGW_TEST_OPS4"};
static const char *const pids[] = {"REFGW_TEST_GW_PID", "REFGW_TEST_GW2_PID", "REFGW_TEST_GW3_PID",
				   "REFGW_TEST_GW4_PID"};
static const char *const logs[] = {"REFGW_TEST_GW_LOG", "REFGW_TEST_GW2_LOG", "REFGW_TEST_GW3_LOG",
				   "REFGW_TEST_GW4_LOG"};

/* The key file as the suite found it (read by the unchecked fixture, in
 * the runner's process, before any test forks). */
static char original[8192];

static char *
must(char *id)
{
	ck_assert_ptr_nonnull(id);
	return id;
}

/* Runs a shell command; its exit status, its output (stdout and stderr). */
static int
sh(const char *cmd, char *out, size_t len)
{
	char full[4096];
	FILE *p;
	size_t n = 0, got;
	int st;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (p == NULL)
		return -1;
	while (n + 1 < len && (got = fread(out + n, 1, len - 1 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	while (fread(full, 1, sizeof(full), p) > 0) /* what did not fit */
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* `refgw keys ARGS` with the runner's environment (the shared key file). */
static int
keys_cli(const char *args, char *out, size_t len)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s keys %s", env_or_die("REFGW_TEST_BIN"), args);
	return sh(cmd, out, len);
}

static int
file_read(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	return 0;
}

/* Replaces the file at once (a new file renamed over it, mode 0600): a
 * gateway rereading it meanwhile sees the old one or the new one. */
static int
file_write(const char *path, const char *text)
{
	char tmp[1024];
	FILE *f;
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.next", path);
	unlink(tmp);
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	rc = chmod(tmp, 0600);
	if (fputs(text, f) < 0)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc == 0 ? rename(tmp, path) : -1;
}

static const char *
key_file(void)
{
	return env_or_die("REFGW_MASTER_KEY_FILE");
}

/* The id of the file's first key (the current one). */
static void
first_id(const char *text, char *id, size_t len)
{
	const char *p = text;

	while (*p == '#' || *p == '\n') /* comments and blank lines */
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p);
	snprintf(id, len, "%.*s", (int)strcspn(p, " \t\n"), p);
}

/* Every 64-hex-digit key of a key file, in keys[] (up to max). */
static int
file_keys(const char *text, char keys[][65], int max)
{
	const char *p = text;
	int n = 0;

	while (*p && n < max) {
		size_t len = strcspn(p, "\n"), sp = strcspn(p, " \t");

		if (*p != '#' && sp < len && len - sp - 1 >= 64) {
			memcpy(keys[n], p + sp + 1, 64);
			keys[n++][64] = '\0';
		}
		p += len + (p[len] == '\n');
	}
	return n;
}

static long
log_lines(int instance, const char *needle)
{
	char cmd[2048], out[64];
	const char *log = getenv(logs[instance]);

	if (log == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "grep -c -F '%s' '%s' || true", needle, log);
	sh(cmd, out, sizeof(out));
	return strtol(out, NULL, 10);
}

/* SIGHUP to every instance, and waits (up to 10 s each) until each has
 * logged that it reread the key file; false when one did not. */
static bool
hangup_all(void)
{
	long before[4];
	int i, tries;
	bool ok = true;

	for (i = 0; i < 4; i++) {
		before[i] = log_lines(i, RELOADED);
		if (kill((pid_t)strtol(env_or_die(pids[i]), NULL, 10), SIGHUP) != 0)
			ok = false;
	}
	for (i = 0; i < 4; i++) {
		for (tries = 0; tries < 200 && log_lines(i, RELOADED) <= before[i]; tries++)
			usleep(50000);
		if (log_lines(i, RELOADED) <= before[i])
			ok = false;
	}
	return ok;
}

static void
save_key_file(void)
{
	if (file_read(key_file(), original, sizeof(original)) != 0)
		original[0] = '\0';
}

/* Teardown, in the runner's process, whatever the test left: the original
 * key first and every other key of the file after it (so every data key
 * opens), every instance rereads, every data key back under the original
 * key, then the original file alone. */
static void
restore_key_file(void)
{
	char now[8192], both[16384], out[4096];
	const char *p;

	if (original[0] == '\0' || file_read(key_file(), now, sizeof(now)) != 0 ||
	    strcmp(now, original) == 0)
		return;
	snprintf(both, sizeof(both), "%s", original);
	for (p = now; *p;) {
		size_t len = strcspn(p, "\n"), idlen = strcspn(p, " \t\n");
		char id[64];

		snprintf(id, sizeof(id), "%.*s ", (int)idlen, p);
		if (*p != '#' && len > 0 && strstr(original, id) == NULL)
			snprintf(both + strlen(both), sizeof(both) - strlen(both), "%.*s\n",
				 (int)len, p);
		p += len + (p[len] == '\n');
	}
	if (file_write(key_file(), both) != 0 || !hangup_all() ||
	    keys_cli("rewrap", out, sizeof(out)) != 0) {
		fprintf(stderr, "keys suite: the key file keeps its keys (%s)\n", out);
		return;
	}
	if (file_write(key_file(), original) != 0 || !hangup_all())
		fprintf(stderr, "keys suite: the original key file could not be put back\n");
}

/* How many data keys `refgw keys status` counts under id (under every
 * other id when other). */
static long
census(const char *status, const char *id, bool other)
{
	const char *p = strstr(status, "data keys per master key:\n");
	long n = 0;

	ck_assert_ptr_nonnull(p);
	for (p = strchr(p, '\n') + 1; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
		size_t idlen = strcspn(p, " ");
		bool same = idlen == strlen(id) && strncmp(p, id, idlen) == 0;

		if (p[idlen] == ' ' && same != other)
			n += strtol(p + idlen + 1, NULL, 10);
	}
	return n;
}

static long
status_count(const char *id, bool other)
{
	char out[8192];

	ck_assert_int_eq(keys_cli("status", out, sizeof(out)), 0);
	return census(out, id, other);
}

/* POST as orga at one instance; the new id. */
static char *
post_at(const char *base, const char *path, const char *body)
{
	struct resp r;
	char *id = NULL;

	ck_assert_int_eq(call_at(base, "orga", "POST", path, body, NULL, &r), 0);
	ck_assert_msg(r.status == 201, "POST %s at %s: %ld %s", path, base, r.status, r.body);
	id = strdup(json_string_value(json_object_get(r.json, "id")));
	resp_free(&r);
	return must(id);
}

/* Rizome (orga) records a person at instance base and refers them to
 * ISSUE (orgb), the reason sealed under the person's data key. */
struct case_ {
	char *person, *referral;
	char reason[96];
};

static void
refer_at(const char *base, struct case_ *c, const char *tag)
{
	char body[1024], *consent;

	snprintf(body, sizeof(body), "{\"external_ref\":\"RZ-%s\"}", tag);
	c->person = post_at(base, "/v1/persons", body);
	consent = must(post_consent("orga", c->person, "orgb", "\"housing_situation\""));
	snprintf(c->reason, sizeof(c->reason), "street since the spring (%s)", tag);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"%s\"}",
		 c->person, org_id("orgb"), consent, c->reason);
	c->referral = post_at(base, "/v1/referrals", body);
	free(consent);
}

static void
case_free(struct case_ *c)
{
	free(c->person);
	free(c->referral);
}

/* GET the referral at instance base (as orga, then ISSUE): its reason. */
static void
reads_at(const char *base, const struct case_ *c, const char *when)
{
	static const char *const slugs[] = {"orga", "orgb"};
	char path[128];
	struct resp r;
	int i;

	snprintf(path, sizeof(path), "/v1/referrals/%s", c->referral);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(call_at(base, slugs[i], "GET", path, NULL, NULL, &r), 0);
		ck_assert_msg(r.status == 200, "%s: %s at %s read %s: %ld %s", when, slugs[i], base,
			      path, r.status, r.body);
		ck_assert_str_eq(json_string_value(json_object_get(r.json, "reason")), c->reason);
		resp_free(&r);
	}
}

/* No key of keys[] (its first 16 hex digits, either case) in any gateway's
 * log, in a dump of the data's database or of the key store's, or in any
 * instance's /metrics. */
static void
assert_no_leak(char keys[][65], int n, const char *when)
{
	static const char *const dbs[] = {"REFGW_ADMIN_DATABASE_URL", "REFGW_KEYSTORE_ADMIN_URL"};
	char cmd[4096], out[256], dump[1024], prefix[17];
	struct resp r;
	int i, k;

	snprintf(dump, sizeof(dump), "/tmp/refgw-keys-dump.%d", (int)getpid());
	for (k = 0; k < n; k++) {
		snprintf(prefix, sizeof(prefix), "%.16s", keys[k]);
		for (i = 0; i < 4; i++) {
			const char *log = getenv(logs[i]);

			ck_assert_msg(log != NULL, "%s is not set", logs[i]);
			snprintf(cmd, sizeof(cmd), "grep -c -i -F '%s' '%s'", prefix, log);
			ck_assert_msg(sh(cmd, out, sizeof(out)) == 1 && strtol(out, NULL, 10) == 0,
				      "%s: %s holds a master key (%s)", when, log, out);
			ck_assert_int_eq(ops_get_at(opses[i], "/metrics", &r), 0);
			ck_assert_int_eq(r.status, 200);
			ck_assert_msg(strcasestr(r.body, prefix) == NULL,
				      "%s: %s's /metrics shows a master key", when, opses[i]);
			resp_free(&r);
		}
		for (i = 0; i < 2; i++) {
			/* The dump holds the rows (a table every database has), and no key. */
			snprintf(cmd, sizeof(cmd), "pg_dump '%s' > '%s' && grep -c -F '%s' '%s'",
				 env_or_die(dbs[i]), dump, i ? "person_keys" : "audit_log", dump);
			ck_assert_msg(sh(cmd, out, sizeof(out)) == 0 && strtol(out, NULL, 10) > 0,
				      "pg_dump of %s: %s", dbs[i], out);
			snprintf(cmd, sizeof(cmd), "grep -c -i -F '%s' '%s'", prefix, dump);
			ck_assert_msg(sh(cmd, out, sizeof(out)) == 1 && strtol(out, NULL, 10) == 0,
				      "%s: the database of %s holds a master key", when, dbs[i]);
		}
	}
	unlink(dump);
}

static char new_line[256];
static atomic_int rewrap_rc = -2;

static void *
rewrap_thread(void *arg)
{
	char out[4096];

	(void)arg;
	atomic_store(&rewrap_rc, keys_cli("rewrap --batch 20", out, sizeof(out)));
	return NULL;
}

START_TEST(rotation_rewraps_online_and_every_instance_reads)
{
	char old_id[64], new_id[64], text[16384], out[4096], tag[64], keys[8][65];
	struct case_ before[3], during, after[4];
	pthread_t t;
	struct stat st;
	long rounds = 0;
	int i, j, n;

	ck_assert_msg(original[0] != '\0', "no key file at %s", key_file());
	first_id(original, old_id, sizeof(old_id));
	/* Before: Rizome records three persons at the first instance. */
	for (i = 0; i < 3; i++) {
		snprintf(tag, sizeof(tag), "ROT-%d-%ld", i, random() % 100000);
		refer_at("REFGW_TEST_BASE", &before[i], tag);
	}
	ck_assert_int_gt(status_count(old_id, false), 2);

	/* 1. A new key, first in the file; the old one stays, to unwrap. */
	ck_assert_int_eq(keys_cli("generate", new_line, sizeof(new_line)), 0);
	first_id(new_line, new_id, sizeof(new_id));
	ck_assert_msg(strlen(new_id) > 0 && strlen(new_line) == strlen(new_id) + 1 + 64 + 1,
		      "keys generate printed %s", new_line);
	ck_assert_str_ne(new_id, old_id);
	snprintf(text, sizeof(text), "%s%s", new_line, original);
	ck_assert_int_eq(file_write(key_file(), text), 0);
	ck_assert_int_eq(stat(key_file(), &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);

	/* 2. keys rewrap, in batches, while the first, second and fourth
	 * instances read (the third stays out of it: it has not reread the
	 * file, and still wraps under the old key). */
	ck_assert_int_eq(pthread_create(&t, NULL, rewrap_thread, NULL), 0);
	do {
		for (i = 0; i < 3; i++)
			for (j = 0; j < 4; j++)
				if (j != 2)
					reads_at(bases[j], &before[i], "during the rewrap");
		rounds++;
	} while (atomic_load(&rewrap_rc) == -2);
	pthread_join(t, NULL);
	ck_assert_int_eq(atomic_load(&rewrap_rc), 0);
	ck_assert_int_eq(status_count(new_id, true), 0);
	ck_assert_int_gt(status_count(new_id, false), 2);

	/* 3. The third instance records a person: its data key was made
	 * under the old key, still first in its ring (made ahead, a batch
	 * of them at a time: keystore.c), unless its batch was made before
	 * the rewrap, which took it.  status says how many; the old key may
	 * not go while any is left.  A second rewrap takes them all. */
	snprintf(tag, sizeof(tag), "ROT-late-%ld", random() % 100000);
	refer_at("REFGW_TEST_BASE3", &during, tag);
	{
		long late = status_count(old_id, false);
		char want[96];

		snprintf(want, sizeof(want), "rewrapped %ld data keys; 0 left", late);
		ck_assert_int_eq(keys_cli("rewrap", out, sizeof(out)), 0);
		ck_assert_msg(strstr(out, want) != NULL, "%s (want: %s)", out, want);
	}
	ck_assert_int_eq(status_count(old_id, false), 0);

	/* 4. Every instance reads every reason: the third meets the new key's
	 * id for the first time and rereads the file. */
	for (j = 0; j < 4; j++) {
		for (i = 0; i < 3; i++)
			reads_at(bases[j], &before[i], "after the rewrap");
		reads_at(bases[j], &during, "after the rewrap");
	}

	/* 5. The old key leaves the file; SIGHUP; everything still reads, and
	 * what is recorded now is wrapped under the new key. */
	ck_assert_int_eq(file_write(key_file(), new_line), 0);
	ck_assert(hangup_all());
	for (j = 0; j < 4; j++) {
		snprintf(tag, sizeof(tag), "ROT-new-%d-%ld", j, random() % 100000);
		refer_at(bases[j], &after[j], tag);
	}
	for (j = 0; j < 4; j++) {
		char name[128];

		snprintf(name, sizeof(name), "refgw_master_key_info{id=\"%s\"}", new_id);
		ck_assert_int_eq(ops_metric(opses[j], name), 1);
		for (i = 0; i < 3; i++)
			reads_at(bases[j], &before[i], "after the old key left");
		reads_at(bases[j], &during, "after the old key left");
		for (i = 0; i < 4; i++)
			reads_at(bases[j], &after[i], "after the old key left");
	}
	ck_assert_int_eq(status_count(new_id, true), 0);
	ck_assert_int_gt(rounds, 0);
	/* Neither key, the old one nor the new, reached a log or a database. */
	n = file_keys(original, keys, 7);
	ck_assert_int_gt(n, 0);
	memcpy(keys[n], new_line + strlen(new_id) + 1, 64);
	keys[n][64] = '\0';
	assert_no_leak(keys, n + 1, "after the rotation");
	for (i = 0; i < 3; i++)
		case_free(&before[i]);
	case_free(&during);
	for (i = 0; i < 4; i++)
		case_free(&after[i]);
}
END_TEST

/* The master key file as it is: none of its keys in a log, a database,
 * /metrics, nor in what `refgw keys status` prints. */
START_TEST(master_key_reaches_no_log_database_or_output)
{
	char text[8192], keys[8][65], out[8192];
	struct case_ c;
	int n, k;

	ck_assert_int_eq(file_read(key_file(), text, sizeof(text)), 0);
	n = file_keys(text, keys, 8);
	ck_assert_int_gt(n, 0);
	/* Some traffic first: a person, a referral, reads at every instance. */
	refer_at("REFGW_TEST_BASE2", &c, "LEAK");
	for (k = 0; k < 4; k++)
		reads_at(bases[k], &c, "leak check");
	ck_assert_int_eq(keys_cli("status", out, sizeof(out)), 0);
	for (k = 0; k < n; k++)
		ck_assert_msg(strcasestr(out, keys[k]) == NULL && strstr(out, "per master key"),
			      "keys status: %s", out);
	assert_no_leak(keys, n, "after a day's traffic");
	case_free(&c);
}
END_TEST

/* A key file that is wrong stops `refgw serve` (and `refgw keys`) at once:
 * the message names the file and the line, and shows no key. */
START_TEST(bad_key_file_stops_the_gateway_without_showing_a_key)
{
	static const char *const hexa =
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	static const char *const hexb =
		"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	static const struct {
		const char *text_fmt, *says;
	} cases[] = {
		{"# rotation of May\nk-good %s\nk-bad %.63s\n", "line 3"},
		{"k1 %s\nk1 %s\n", "line 2: key id k1 twice"},
		{"# no key here\n\n", "holds no key"},
		{"k1 %s\nk2 zz%.62s\n", "line 2: not hex"},
		{"K1 %s\n", "line 1"},
	};
	char dir[] = "/tmp/refgw-badkeys.XXXXXX", path[512], text[1024], cmd[4096], out[8192];
	size_t i;
	int rc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/master.keys", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), cases[i].text_fmt, hexa, hexb);
		ck_assert_int_eq(file_write(path, text), 0);
		snprintf(cmd, sizeof(cmd),
			 "REFGW_MASTER_KEY_FILE='%s' REFGW_PORT_FILE='%s/port' timeout 20 %s serve",
			 path, dir, env_or_die("REFGW_TEST_BIN"));
		rc = sh(cmd, out, sizeof(out));
		ck_assert_msg(rc == 2, "serve with key file %zu: exit %d: %s", i, rc, out);
		ck_assert_msg(strstr(out, path) && strstr(out, cases[i].says),
			      "serve with key file %zu does not say \"%s\": %s", i, cases[i].says,
			      out);
		ck_assert_msg(strcasestr(out, "0011223344556677") == NULL &&
				      strcasestr(out, "fedcba9876543210") == NULL,
			      "serve with key file %zu shows a key: %s", i, out);
		snprintf(cmd, sizeof(cmd), "REFGW_MASTER_KEY_FILE='%s' %s keys status", path,
			 env_or_die("REFGW_TEST_BIN"));
		rc = sh(cmd, out, sizeof(out));
		ck_assert_msg(rc == 1 && strstr(out, path) && strstr(out, cases[i].says) &&
				      strcasestr(out, "0011223344556677") == NULL &&
				      strcasestr(out, "fedcba9876543210") == NULL,
			      "keys status with key file %zu: exit %d: %s", i, rc, out);
	}
	unlink(path);
	snprintf(cmd, sizeof(cmd), "%s/port", dir);
	unlink(cmd);
	rmdir(dir);
}
END_TEST

/* /metrics: the key cache (a person's key read once from the key store,
 * then from the cache), the key store's errors (a wrapped key under a
 * master key no file holds), and the current master key by its id. */
START_TEST(metrics_count_the_key_cache_and_name_the_master_key)
{
	char text[8192], id[64], name[128], path[128];
	const char *p[1];
	struct case_ c, broken;
	struct resp r;
	long hits, misses, errors, absent;
	PGconn *ks;
	PGresult *res;
	int i;

	ck_assert_int_eq(file_read(key_file(), text, sizeof(text)), 0);
	first_id(text, id, sizeof(id));
	snprintf(name, sizeof(name), "refgw_master_key_info{id=\"%s\"}", id);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(ops_metric(opses[i], name), 1);

	/* Recorded at the first instance, read at the second: a miss, then hits. */
	refer_at("REFGW_TEST_BASE", &c, "METRICS");
	misses = ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_misses_total");
	hits = ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_hits_total");
	absent = ops_metric("REFGW_TEST_OPS2", "refgw_key_absent_total");
	errors = ops_metric("REFGW_TEST_OPS2", "refgw_keystore_errors_total");
	ck_assert(misses >= 0 && hits >= 0 && errors >= 0 && absent >= 0);
	reads_at("REFGW_TEST_BASE2", &c, "metrics");
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_misses_total"), misses + 1);
	ck_assert_int_gt(ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_hits_total"), hits);
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS2", "refgw_keystore_errors_total"), errors);

	/* A data key said to be wrapped by a master key no file holds: the
	 * read fails, the error is counted; the id is put back at once. */
	refer_at("REFGW_TEST_BASE", &broken, "METRICS-BROKEN");
	ks = PQconnectdb(env_or_die("REFGW_KEYSTORE_ADMIN_URL"));
	ck_assert_int_eq(PQstatus(ks), CONNECTION_OK);
	p[0] = broken.person;
	res = PQexecParams(ks,
			   "UPDATE person_keys SET kid = 'gone-' || kid WHERE person_id = $1::uuid",
			   1, NULL, p, NULL, NULL, 0);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	snprintf(path, sizeof(path), "/v1/referrals/%s", broken.referral);
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orga", "GET", path, NULL, NULL, &r), 0);
	res = PQexecParams(ks,
			   "UPDATE person_keys SET kid = substr(kid, 6) WHERE person_id = $1::uuid",
			   1, NULL, p, NULL, NULL, 0);
	ck_assert_str_eq(PQcmdTuples(res), "1");
	PQclear(res);
	PQfinish(ks);
	ck_assert_int_eq(r.status, 500);
	ck_assert(strstr(r.body, broken.reason) == NULL);
	resp_free(&r);
	ck_assert_int_gt(ops_metric("REFGW_TEST_OPS2", "refgw_keystore_errors_total"), errors);
	/* Once the key store is right again, the same instance reads it. */
	reads_at("REFGW_TEST_BASE2", &broken, "metrics, repaired");
	case_free(&c);
	case_free(&broken);
}
END_TEST

/* Candidates ranked at an instance that holds none of the waitlist's keys
 * (bench/candidates.sh: 10 000 key store round trips, one per person, made
 * a cold ranking last seconds): it takes them all in one query of the key
 * store (keystore_get_many) and answers what the instance that created
 * them answers; a second ranking there reads them from its cache. */
START_TEST(candidates_take_the_waitlists_keys_at_once)
{
	char body[2048], path[160];
	char *site, *unit;
	struct resp one, two, again;
	long misses, after;
	int i;

	site = post_id("orgc", "/v1/sites",
		       "{\"name\":\"Keys Forest\",\"commune\":\"Forest\",\"units\":2,"
		       "\"period_from\":\"2026-01-01\"}",
		       201);
	ck_assert_ptr_nonnull(site);
	snprintf(body, sizeof(body),
		 "{\"site_id\":\"%s\",\"label\":\"K-1\",\"type\":\"apartment\",\"bedrooms\":2,"
		 "\"furnished\":false,\"accessibility\":\"lift\",\"commune\":\"Forest\","
		 "\"address\":\"Rue des Clefs 1, 1190 Forest\",\"monthly_contribution_eur\":350,"
		 "\"available_from\":\"2026-12-01\",\"available_until\":\"2030-06-30\","
		 "\"terms\":\"precarious_occupation\",\"max_stay_months\":18,"
		 "\"audience\":[{\"organisation_id\":\"%s\"}],\"status\":\"published\"}",
		 site, org_id("orga"));
	unit = post_id("orgc", "/v1/units", body, 201);
	ck_assert_ptr_nonnull(unit);
	/* Six intakes of orga (waitlisted at once), needs of every kind. */
	for (i = 0; i < 6; i++) {
		char *person = post_id("orga", "/v1/persons", "{\"external_ref\":\"KEYS-W\"}", 201),
		     *consent, *referral;

		ck_assert_ptr_nonnull(person);
		consent = post_consent("orga", person, "orga",
				       "\"housing_situation\",\"family\",\"health\",\"justice\"");
		snprintf(body, sizeof(body),
			 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":"
			 "\"a.transit\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
			 "\"needs\":{\"household_size\":%d,\"accessibility\":\"%s\","
			 "\"avoid_communes\":%s,\"excluded_communes\":%s,"
			 "\"preferred_communes\":[\"Forest\"]}%s}",
			 person, org_id("orga"), consent, 1 + i % 4, i % 3 ? "none" : "wheelchair",
			 i == 4 ? "[\"Forest\"]" : "[]", i == 5 ? "[\"Forest\"]" : "[]",
			 i % 2 ? ",\"release_date\":\"2027-03-01\"" : "");
		referral = post_id("orga", "/v1/referrals", body, 201);
		ck_assert_msg(referral != NULL, "intake %d refused", i);
		free(person), free(consent), free(referral);
	}
	snprintf(path, sizeof(path), "/v1/units/%s/candidates?limit=200", unit);
	ck_assert_int_eq(call("orga", "GET", path, NULL, NULL, &one), 0);
	ck_assert_msg(one.status == 200, "%ld %s", one.status, one.body);
	misses = ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_misses_total");
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orga", "GET", path, NULL, NULL, &two), 0);
	ck_assert_msg(two.status == 200, "%ld %s", two.status, two.body);
	after = ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_misses_total");
	ck_assert_msg(after >= misses + 6, "6 keys it never held, %ld misses", after - misses);
	ck_assert_msg(strcmp(two.body, one.body) == 0,
		      "the instance that fetched the keys answers %.400s, the other %.400s",
		      two.body, one.body);
	ck_assert(strstr(two.body, "needs wheelchair access") != NULL);
	ck_assert(strstr(two.body, "Forest is excluded by a justice condition") != NULL);
	/* Its cache holds the whole waitlist now. */
	ck_assert_int_eq(call_at("REFGW_TEST_BASE2", "orga", "GET", path, NULL, NULL, &again), 0);
	ck_assert_int_eq(again.status, 200);
	ck_assert_int_eq(ops_metric("REFGW_TEST_OPS2", "refgw_key_cache_misses_total"), after);
	ck_assert_msg(strcmp(again.body, one.body) == 0, "from its cache: %.400s", again.body);
	resp_free(&one);
	resp_free(&two);
	resp_free(&again);
	free(site);
	free(unit);
}
END_TEST

Suite *
keys_suite(void)
{
	Suite *s = suite_create("keys");
	TCase *t = tcase_create("hygiene");
	TCase *rot = tcase_create("rotation");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, bad_key_file_stops_the_gateway_without_showing_a_key);
	tcase_add_test(t, metrics_count_the_key_cache_and_name_the_master_key);
	tcase_add_test(t, candidates_take_the_waitlists_keys_at_once);
	tcase_add_test(t, master_key_reaches_no_log_database_or_output);
	suite_add_tcase(s, t);
	/* The key file is changed in place: the teardown puts it back, in the
	 * runner's process, also when the test failed. */
	tcase_set_timeout(rot, 240);
	tcase_add_unchecked_fixture(rot, save_key_file, restore_key_file);
	tcase_add_test(rot, rotation_rewraps_online_and_every_instance_reads);
	suite_add_tcase(s, rot);
	return s;
}
