/* The fault suite: the gateway under kill -9, database outages, pool
 * exhaustion, slow clients, protocol abuse, and a generated access matrix.
 * Run by tests/faults/run.sh (make faults: full; make check: the fast
 * sizes).  Each scenario prints one line:
 *   PASS|FAIL <scenario>: <what it counted>
 * and the program exits non-zero when any failed.
 *   faults [--fast] [scenario...]   (default: all, in the order below) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

static bool fast;
static char stable_base[128]; /* the gateway run.sh started; never killed */

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void
sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static int
report(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return ok ? 0 : 1;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
percentile(double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)ceil(p * (double)n) - 1;
	return v[i < n ? i : n - 1];
}

/* CPU time the process used so far, in clock ticks (user + system). */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "(comm)": state is field 3; utime and stime are 14 and 15 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

static long
rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A gauge from the stable gateway's /metrics, or -1. */
static long
metric(const char *name)
{
	struct resp r;
	long v = -1;
	char *p;

	if (ops_get("/metrics", &r) == 0 && r.body) {
		for (p = r.body; (p = strstr(p, name)) != NULL; p++)
			if ((p == r.body || p[-1] == '\n') && p[strlen(name)] == ' ') {
				v = strtol(p + strlen(name) + 1, NULL, 10);
				break;
			}
	}
	resp_free(&r);
	return v;
}

/* Everything a request could write, as one digest (the audit log aside:
 * reads of personal data are logged by design). */
static char *
state_digest(void)
{
	PGconn *c = sql_admin();
	PGresult *r = PQexec(c, "SELECT concat_ws(' ',"
				" 'persons=' || (SELECT count(*) FROM persons),"
				" 'consents=' || (SELECT count(*) FROM consents),"
				" 'referrals=' || (SELECT md5(coalesce(string_agg(id::text || status || version, ','"
				"   ORDER BY id), '')) FROM referrals),"
				" 'events=' || (SELECT count(*) FROM events), 'sites=' || (SELECT count(*) FROM sites),"
				" 'units=' || (SELECT md5(coalesce(string_agg(id::text || status || version, ','"
				"   ORDER BY id), '')) FROM units),"
				" 'proposals=' || (SELECT count(*) FROM proposals),"
				" 'occupancies=' || (SELECT count(*) FROM occupancies),"
				" 'organisations=' || (SELECT md5(string_agg(id::text || version, ',' ORDER BY id))"
				"   FROM organisations),"
				" 'certificates=' || (SELECT count(*) FROM certificates WHERE revoked_at IS NULL),"
				" 'rules=' || (SELECT md5(string_agg(action || allowed, ',' ORDER BY action, kind))"
				"   FROM access_rules))");
	char *d = NULL;

	/* NULL when it cannot be computed, and same_state() is then false: an
	 * error message would compare equal before and after any change. */
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		d = strdup(PQgetvalue(r, 0, 0));
	else
		printf("  state digest not computed: %s", PQresultErrorMessage(r));
	PQclear(r);
	PQfinish(c);
	return d;
}

/* Both digests computed, and equal. */
static bool
same_state(const char *before, const char *after)
{
	return before != NULL && after != NULL && strcmp(before, after) == 0;
}

/* ------------------------------------------------------------------ */
/* A second gateway process that this program starts, kills and restarts. */

static pid_t victim_pid;
static int victim_port;
static char victim_base[128], victim_portfile[256];

static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int
victim_start(void)
{
	char port[16];
	double deadline = now_ms() + 15000;
	FILE *f;

	if (victim_port == 0) {
		victim_port = free_port();
		snprintf(victim_base, sizeof(victim_base), "https://localhost:%d", victim_port);
		snprintf(victim_portfile, sizeof(victim_portfile), "%s/victim.ports",
			 env_or_die("REFGW_FAULT_TMP"));
	}
	unlink(victim_portfile);
	victim_pid = fork();
	if (victim_pid == 0) {
		char log[300];
		int fd;
		snprintf(log, sizeof(log), "%s/victim.log", env_or_die("REFGW_FAULT_TMP"));
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		snprintf(port, sizeof(port), "%d", victim_port);
		setenv("REFGW_LISTEN_PORT", port, 1);
		setenv("REFGW_OPS_PORT", "0", 1);
		setenv("REFGW_PORT_FILE", victim_portfile, 1);
		execl(env_or_die("REFGW_TEST_BIN"), "refgw", "serve", (char *)NULL);
		_exit(127);
	}
	while (now_ms() < deadline) {
		char buf[64] = "";
		if ((f = fopen(victim_portfile, "r")) != NULL) {
			bool ready = fgets(buf, sizeof(buf), f) != NULL;
			fclose(f);
			if (ready)
				return 0;
		}
		if (waitpid(victim_pid, NULL, WNOHANG) == victim_pid)
			return -1;
		sleep_ms(20);
	}
	return -1;
}

static void
victim_stop(int sig)
{
	if (victim_pid > 0) {
		kill(victim_pid, sig);
		waitpid(victim_pid, NULL, 0);
		victim_pid = 0;
	}
}

/* ------------------------------------------------------------------ */
/* kill -9 during writes */

struct ack {
	char key[48];
	char *body;
	size_t len;
};

static char k9_person[40], k9_consent[40], k9_run[16];
static atomic_bool k9_stop;
static atomic_int k9_retries, k9_unexpected, k9_kills;

struct k9_worker {
	int id;
	struct ack *acks;
	size_t nacks, cap;
};

static void
k9_body(char *out, size_t len, const char *key)
{
	snprintf(out, len,
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"reason\":\"%s\","
		 "\"data\":{\"identity\":{\"given_name\":\"K\"}}}",
		 k9_person, org_id("orgb"), k9_consent, key);
}

static void *
k9_work(void *arg)
{
	struct k9_worker *w = arg;
	CURL *h[2] = {client_new("orga"), client_new("orga")};
	unsigned n = 0;

	while (!atomic_load(&k9_stop)) {
		char key[48], body[1024], hdr[80];
		const char *headers[2] = {hdr, NULL};
		int attempt;

		snprintf(key, sizeof(key), "k9:%s:%d:%u", k9_run, w->id, n++);
		k9_body(body, sizeof(body), key);
		snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
		/* Retry on anything until acknowledged, like a partner should. */
		for (attempt = 0;; attempt++) {
			struct resp r;
			int which = (n + (unsigned)attempt) % 3 == 0; /* 2 of 3 to the victim */
			client_call_base(h[which], which ? stable_base : victim_base, "POST", "/v1/referrals",
					 body, headers, &r);
			if (r.status == 201) {
				struct ack *a;
				if (w->nacks == w->cap) {
					w->cap = w->cap ? 2 * w->cap : 256;
					w->acks = realloc(w->acks, w->cap * sizeof(*w->acks));
				}
				a = &w->acks[w->nacks++];
				snprintf(a->key, sizeof(a->key), "%s", key);
				a->body = r.body;
				a->len = r.len;
				r.body = NULL;
				resp_free(&r);
				break;
			}
			if (r.status != 0 && r.status != 503 && r.status != 409 && r.status != 500)
				atomic_fetch_add(&k9_unexpected, 1);
			resp_free(&r);
			atomic_fetch_add(&k9_retries, 1);
			if (attempt > 400) {
				atomic_fetch_add(&k9_unexpected, 1);
				break;
			}
			sleep_ms(20);
		}
	}
	curl_easy_cleanup(h[0]);
	curl_easy_cleanup(h[1]);
	return NULL;
}

static void *
k9_killer(void *arg)
{
	(void)arg;
	while (!atomic_load(&k9_stop)) {
		sleep_ms(300 + rand() % 900);
		if (atomic_load(&k9_stop))
			break;
		victim_stop(SIGKILL);
		atomic_fetch_add(&k9_kills, 1);
		if (victim_start() != 0) {
			fprintf(stderr, "kill9: the gateway did not restart\n");
			atomic_fetch_add(&k9_unexpected, 1000);
			break;
		}
	}
	return NULL;
}

static int
scenario_kill9(void)
{
	enum { NW = 4 };
	struct k9_worker w[NW];
	pthread_t t[NW], killer;
	char body[1024], *id;
	long seconds = fast ? 6 : 30, acked = 0, lost = 0, dups = 0, rows, replay_bad = 0, i;
	PGconn *c;
	PGresult *res;
	char like[32];
	const char *params[1] = {like};

	snprintf(k9_run, sizeof(k9_run), "%ld", (long)time(NULL) % 100000);
	id = post_id("orga", "/v1/persons", "{\"external_ref\":\"K9\"}", 201);
	snprintf(k9_person, sizeof(k9_person), "%s", id ? id : "");
	free(id);
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],"
		 "\"purposes\":[\"housing_referral\"],"
		 "\"data_categories\":[\"identity\",\"housing_situation\"],"
		 "\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"oral\",\"witness\":\"W\","
		 "\"recorded_by\":\"R\"}}",
		 k9_person, org_id("orgb"));
	id = post_id("orga", "/v1/consents", body, 201);
	snprintf(k9_consent, sizeof(k9_consent), "%s", id ? id : "");
	free(id);
	if (!k9_person[0] || !k9_consent[0] || victim_start() != 0)
		return report(false, "kill9", "setup failed");

	memset(w, 0, sizeof(w));
	atomic_store(&k9_stop, false);
	for (i = 0; i < NW; i++) {
		w[i].id = (int)i;
		pthread_create(&t[i], NULL, k9_work, &w[i]);
	}
	pthread_create(&killer, NULL, k9_killer, NULL);
	sleep_ms(seconds * 1000);
	atomic_store(&k9_stop, true);
	pthread_join(killer, NULL);
	for (i = 0; i < NW; i++)
		pthread_join(t[i], NULL);

	/* The clients' acknowledged history against the database. */
	c = sql_admin();
	snprintf(like, sizeof(like), "k9:%s:%%", k9_run);
	/* The reason is sealed (schema/045): each key's referral is found
	 * through the idempotency record's location, and the person's
	 * referrals beyond one per stored key are duplicates. */
	res = PQexecParams(c, "SELECT i.key, count(r.id) FROM idempotency_keys i LEFT JOIN referrals r "
			   "ON i.location = '/v1/referrals/' || r.id::text WHERE i.key LIKE $1 GROUP BY i.key",
			   1, NULL, params, NULL, NULL, 0);
	rows = PQntuples(res);
	for (int row = 0; row < rows; row++)
		if (strcmp(PQgetvalue(res, row, 1), "1") != 0)
			dups++;
	for (i = 0; i < NW; i++)
		for (size_t k = 0; k < w[i].nacks; k++) {
			bool found = false;
			acked++;
			for (int row = 0; row < rows && !found; row++)
				found = strcmp(PQgetvalue(res, row, 0), w[i].acks[k].key) == 0 &&
					strcmp(PQgetvalue(res, row, 1), "1") == 0;
			if (!found)
				lost++;
		}
	PQclear(res);
	{
		const char *pp[1] = {k9_person};
		long referrals = -1;
		res = PQexecParams(c, "SELECT count(*) FROM referrals WHERE person_id = $1::uuid", 1, NULL,
				   pp, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			referrals = atol(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (referrals < 0 || referrals > rows)
			dups += referrals < 0 ? 1 : referrals - rows;
	}
	PQfinish(c);

	/* Every acknowledged response replays byte for byte. */
	{
		CURL *h = client_new("orga");
		for (i = 0; i < NW; i++)
			for (size_t k = 0; k < w[i].nacks; k++) {
				char hdr[80];
				const char *headers[2] = {hdr, NULL};
				struct resp r;
				snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", w[i].acks[k].key);
				k9_body(body, sizeof(body), w[i].acks[k].key);
				client_call_base(h, (k & 1) ? victim_base : stable_base, "POST", "/v1/referrals",
						 body, headers, &r);
				if (r.status != 201 || !r.replayed || r.len != w[i].acks[k].len ||
				    memcmp(r.body, w[i].acks[k].body, r.len) != 0)
					replay_bad++;
				resp_free(&r);
				free(w[i].acks[k].body);
			}
		curl_easy_cleanup(h);
	}
	for (i = 0; i < NW; i++)
		free(w[i].acks);
	victim_stop(SIGTERM);
	return report(acked > 0 && lost == 0 && dups == 0 && rows >= acked && replay_bad == 0 &&
			      atomic_load(&k9_kills) > 0 && atomic_load(&k9_unexpected) == 0,
		      "kill9",
		      "%ld s, %d kills, %ld acknowledged, %d retries, %ld lost, %ld duplicates, "
		      "%ld rows for %ld keys, %ld replays not byte-identical, %d unexpected statuses",
		      seconds, atomic_load(&k9_kills), acked, atomic_load(&k9_retries), lost, dups, rows,
		      acked, replay_bad, atomic_load(&k9_unexpected));
}

/* ------------------------------------------------------------------ */
/* PostgreSQL stopped and restarted under load */

static atomic_bool po_stop;
static atomic_long po_ok, po_503, po_503_no_retry, po_other, po_connfail;
static _Atomic double po_first_ok_after; /* ms timestamp; 0 until seen */
static _Atomic double po_started_at;

struct po_worker {
	char (*ids)[40];
	size_t nids, cap;
};

static void *
po_work(void *arg)
{
	struct po_worker *w = arg;
	CURL *h = client_new("orga");
	unsigned n = 0;

	while (!atomic_load(&po_stop)) {
		struct resp r;
		bool post = (n++ & 1) != 0;

		client_call_base(h, stable_base, post ? "POST" : "GET", post ? "/v1/persons" : "/v1/me",
				 post ? "{\"external_ref\":\"PO\"}" : NULL, NULL, &r);
		if (r.status == 200 || r.status == 201) {
			double started = atomic_load(&po_started_at);
			atomic_fetch_add(&po_ok, 1);
			if (started > 0 && atomic_load(&po_first_ok_after) == 0)
				atomic_store(&po_first_ok_after, now_ms());
			if (r.status == 201) {
				if (w->nids == w->cap) {
					w->cap = w->cap ? 2 * w->cap : 256;
					w->ids = realloc(w->ids, w->cap * sizeof(*w->ids));
				}
				snprintf(w->ids[w->nids++], 40, "%s",
					 json_string_value(json_object_get(r.json, "id")) ?: "");
			}
		} else if (r.status == 503) {
			atomic_fetch_add(&po_503, 1);
			if (r.retry_after[0] == '\0')
				atomic_fetch_add(&po_503_no_retry, 1);
			sleep_ms(50);
		} else if (r.status == 0) {
			atomic_fetch_add(&po_connfail, 1);
			sleep_ms(50);
		} else {
			if (atomic_fetch_add(&po_other, 1) < 3)
				printf("  pg-outage: %s answered %ld %s\n", post ? "POST /v1/persons" : "GET /v1/me",
				       r.status, problem_type(&r));
		}
		resp_free(&r);
	}
	curl_easy_cleanup(h);
	return NULL;
}

static int
scenario_pg_outage(void)
{
	enum { NW = 4 };
	struct po_worker w[NW];
	pthread_t t[NW];
	double stopped_at, recovery_ms;
	long in_use, up, pool = strtol(env_or_die("REFGW_DB_POOL_SIZE"), NULL, 10), backends, missing = 0,
			 acked = 0;
	int i;
	PGconn *c;

	memset(w, 0, sizeof(w));
	for (i = 0; i < NW; i++)
		pthread_create(&t[i], NULL, po_work, &w[i]);
	sleep_ms(1000);
	stopped_at = now_ms();
	if (system(env_or_die("REFGW_TEST_PG_STOP")) != 0)
		return report(false, "pg-outage", "could not stop PostgreSQL");
	sleep_ms(fast ? 2000 : 5000);
	if (system(env_or_die("REFGW_TEST_PG_START")) != 0)
		return report(false, "pg-outage", "could not start PostgreSQL");
	atomic_store(&po_started_at, now_ms());
	while (atomic_load(&po_first_ok_after) == 0 && now_ms() - atomic_load(&po_started_at) < 20000)
		sleep_ms(20);
	recovery_ms = atomic_load(&po_first_ok_after) ? atomic_load(&po_first_ok_after) - atomic_load(&po_started_at)
						       : -1;
	sleep_ms(1000);
	atomic_store(&po_stop, true);
	for (i = 0; i < NW; i++)
		pthread_join(t[i], NULL);
	sleep_ms(200);
	in_use = metric("refgw_db_pool_in_use");
	up = metric("refgw_db_up");
	c = sql_admin();
	/* (the key store's connections, to its own database, are not the pool's) */
	backends = sql_long(c,
			    "SELECT count(*) FROM pg_stat_activity WHERE usename = 'refgw_app' "
			    "AND datname = current_database()",
			    0, NULL);
	for (i = 0; i < NW; i++) {
		for (size_t k = 0; k < w[i].nids; k++) {
			const char *p[1] = {w[i].ids[k]};
			acked++;
			if (sql_long(c, "SELECT count(*) FROM persons WHERE id = $1::uuid", 1, p) != 1)
				missing++;
		}
		free(w[i].ids);
	}
	PQfinish(c);
	/* One instance: its pool plus its LISTEN connection and the audit
	 * chain's verification's (chain_verify.c) at most. */
	return report(atomic_load(&po_503) > 0 && atomic_load(&po_503_no_retry) == 0 &&
			      atomic_load(&po_other) == 0 && atomic_load(&po_connfail) == 0 &&
			      recovery_ms >= 0 && recovery_ms <= 10000 && in_use == 0 && up == 1 &&
			      backends <= pool + 2 && missing == 0,
		      "pg-outage",
		      "down %.1f s; %ld ok, %ld 503 (%ld without Retry-After), %ld other statuses, "
		      "%ld refused connections; serving again %.0f ms after PostgreSQL was back; pool in "
		      "use %ld, db up %ld, %ld app backends (pool %ld); %ld acknowledged creates, %ld missing",
		      (atomic_load(&po_started_at) - stopped_at) / 1000, atomic_load(&po_ok),
		      atomic_load(&po_503), atomic_load(&po_503_no_retry), atomic_load(&po_other),
		      atomic_load(&po_connfail), recovery_ms, in_use, up, backends, pool, acked, missing);
}

/* ------------------------------------------------------------------ */
/* Pool exhaustion: every connection held by a transaction blocked on a lock
 * (persons is locked by another session); the blocked creates keep coming
 * until the lock is released. */

static atomic_bool pe_release;
static atomic_long pe_blocked_201, pe_blocked_503, pe_blocked_other, pe_503, pe_200, pe_other;
static _Atomic double pe_max_ms;

static void
pe_note_ms(double dt)
{
	double m = atomic_load(&pe_max_ms);

	while (dt > m && !atomic_compare_exchange_weak(&pe_max_ms, &m, dt))
		;
}

static void *
pe_block(void *arg)
{
	(void)arg;
	while (!atomic_load(&pe_release)) {
		struct resp r;
		double t0 = now_ms();
		call("orga", "POST", "/v1/persons", "{\"external_ref\":\"PE\"}", NULL, &r);
		pe_note_ms(now_ms() - t0);
		if (r.status == 201)
			atomic_fetch_add(&pe_blocked_201, 1);
		else if (r.status == 503 && r.retry_after[0])
			atomic_fetch_add(&pe_blocked_503, 1);
		else
			atomic_fetch_add(&pe_blocked_other, 1);
		resp_free(&r);
	}
	return NULL;
}

static void *
pe_probe(void *arg)
{
	long n = (long)(intptr_t)arg;
	/* At least a second of probing, whatever n: the blocked creates start
	 * together and time out together, so the pool frees all its
	 * connections at once every statement timeout; a handful of quick
	 * probes could fall in one such window and never meet a held pool
	 * (seen once in CI: 64 probes, all 200). */
	double until = now_ms() + 1000;

	while (n-- > 0 || now_ms() < until) {
		struct resp r;
		double t0 = now_ms();
		/* A route that needs a connection (GET /v1/me may come from the
		 * identity cache); a new connection: any thread. */
		call("orgb", "GET", "/v1/organisations", NULL, NULL, &r);
		pe_note_ms(now_ms() - t0);
		if (r.status == 503 && r.retry_after[0])
			atomic_fetch_add(&pe_503, 1);
		else if (r.status == 200)
			atomic_fetch_add(&pe_200, 1);
		else
			atomic_fetch_add(&pe_other, 1);
		resp_free(&r);
	}
	return NULL;
}

static int
scenario_pool(void)
{
	enum { NP = 8 };
	long pool = strtol(env_or_die("REFGW_DB_POOL_SIZE"), NULL, 10),
	     wait_ms = strtol(env_or_die("REFGW_DB_ACQUIRE_TIMEOUT_MS"), NULL, 10),
	     stmt_ms = strtol(env_or_die("REFGW_STATEMENT_TIMEOUT_MS"), NULL, 10), per = fast ? 4 : 16,
	     nblock = pool + 1, rss0, rss1, rss2, max_in_use = 0, in_use_after, stored, probe_after;
	long persons_before = sql_count("SELECT count(*) FROM persons", NULL);
	pid_t gw = (pid_t)strtol(env_or_die("REFGW_TEST_GW_PID"), NULL, 10);
	/* ASan keeps freed memory in quarantine: RSS grows by design there. */
	bool sanitized = getenv("REFGW_SANITIZED") && strcmp(getenv("REFGW_SANITIZED"), "1") == 0;
	pthread_t tb[64], tp[NP];
	PGconn *lock = sql_admin();
	PGresult *res;
	struct resp r;
	/* A libmicrohttpd thread serves its connections one request at a
	 * time: a request queued on a thread behind blocked ones waits for
	 * their statement timeouts too.  The bound is the worst case, every
	 * blocked create stacked on one thread: what it proves is that no
	 * request waits for the lock itself, however long it is held. */
	double t0, bound = (double)((nblock + 1) * stmt_ms + wait_ms + 1000);
	int i, round;

	if (nblock > 64)
		return report(false, "pool", "pool larger than the test supports");
	res = PQexec(lock, "BEGIN; LOCK TABLE persons IN ACCESS EXCLUSIVE MODE");
	PQclear(res);
	atomic_store(&pe_release, false);
	for (i = 0; i < nblock; i++)
		pthread_create(&tb[i], NULL, pe_block, NULL);
	t0 = now_ms();
	while (max_in_use < pool && now_ms() - t0 < 10000) {
		long v = metric("refgw_db_pool_in_use");
		if (v > max_in_use)
			max_in_use = v;
		sleep_ms(20);
	}
	/* Two rounds of probes: answered within the bounds, memory flat. */
	rss0 = rss_kb(gw);
	rss1 = 0;
	for (round = 0; round < 2; round++) {
		for (i = 0; i < NP; i++)
			pthread_create(&tp[i], NULL, pe_probe, (void *)(intptr_t)per);
		for (i = 0; i < NP; i++)
			pthread_join(tp[i], NULL);
		if (round == 0)
			rss1 = rss_kb(gw);
	}
	rss2 = rss_kb(gw);
	atomic_store(&pe_release, true);
	for (i = 0; i < nblock; i++)
		pthread_join(tb[i], NULL);
	res = PQexec(lock, "COMMIT");
	PQclear(res);
	PQfinish(lock);
	sleep_ms(100);
	in_use_after = metric("refgw_db_pool_in_use");
	/* external_ref is sealed (schema/045): the persons stored since the start. */
	stored = sql_count("SELECT count(*) FROM persons", NULL) - persons_before;
	call("orgb", "GET", "/v1/organisations", NULL, NULL, &r);
	probe_after = r.status;
	resp_free(&r);
	return report(max_in_use == pool && atomic_load(&pe_other) == 0 && atomic_load(&pe_503) > 0 &&
			      atomic_load(&pe_blocked_other) == 0 && atomic_load(&pe_blocked_503) > 0 &&
			      atomic_load(&pe_blocked_201) == 0 && stored == 0 &&
			      atomic_load(&pe_max_ms) <= bound && in_use_after == 0 && probe_after == 200 &&
			      (rss2 - rss1 < 1024 || sanitized),
		      "pool",
		      "%ld/%ld connections held by transactions blocked on a lock; %ld creates behind the "
		      "lock answered 503 + Retry-After at the %ld ms statement timeout (%ld stored, %ld "
		      "otherwise); probes: %ld 503 + Retry-After after the %ld ms bounded wait, %ld 200, %ld "
		      "otherwise; slowest answer %.0f ms (bound %.0f); RSS %ld -> %ld -> %ld kB; after "
		      "release: pool in use %ld, GET /v1/organisations %ld",
		      max_in_use, pool, atomic_load(&pe_blocked_503), stmt_ms, stored,
		      atomic_load(&pe_blocked_other), atomic_load(&pe_503), wait_ms, atomic_load(&pe_200),
		      atomic_load(&pe_other), atomic_load(&pe_max_ms), bound, rss0, rss1, rss2, in_use_after,
		      probe_after);
}

/* ------------------------------------------------------------------ */
/* Raw TLS, for what libcurl will not send */

static SSL_CTX *tls_ctx;

static SSL_CTX *
raw_ctx(void)
{
	char path[512];
	const char *dir = env_or_die("REFGW_TEST_CERTS");

	if (tls_ctx)
		return tls_ctx;
	tls_ctx = SSL_CTX_new(TLS_client_method());
	snprintf(path, sizeof(path), "%s/orga.pem", dir);
	SSL_CTX_use_certificate_file(tls_ctx, path, SSL_FILETYPE_PEM);
	snprintf(path, sizeof(path), "%s/orga.key", dir);
	SSL_CTX_use_PrivateKey_file(tls_ctx, path, SSL_FILETYPE_PEM);
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	SSL_CTX_load_verify_locations(tls_ctx, path, NULL);
	SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_PEER, NULL);
	return tls_ctx;
}

static int
tcp_connect(const char *base)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	const char *colon = strrchr(base, ':');
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_port = htons((unsigned short)strtol(colon + 1, NULL, 10));
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static SSL *
tls_connect(const char *base, int *fdp)
{
	int fd = tcp_connect(base);
	SSL *s;

	if (fd < 0)
		return NULL;
	s = SSL_new(raw_ctx());
	SSL_set_fd(s, fd);
	SSL_set_tlsext_host_name(s, "localhost");
	if (SSL_connect(s) != 1) {
		SSL_free(s);
		close(fd);
		return NULL;
	}
	*fdp = fd;
	return s;
}

/* Sends req as is and returns the response's status (0: the connection
 * closed without one). */
static int
raw_request(const char *req, size_t len, char *head, size_t headlen)
{
	int fd, status = 0;
	SSL *s = tls_connect(stable_base, &fd);
	char buf[16384];
	size_t got = 0;
	struct timeval tv = {10, 0};

	if (s == NULL)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (SSL_write(s, req, (int)len) > 0) {
		int n;
		while (got < sizeof(buf) - 1 && (n = SSL_read(s, buf + got, (int)(sizeof(buf) - 1 - got))) > 0) {
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n"))
				break;
		}
	}
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	if (head)
		snprintf(head, headlen, "%.*s", (int)strcspn(buf, "\r"), buf);
	SSL_free(s);
	close(fd);
	return status;
}

static int
scenario_abuse(void)
{
	static char deep[6400];
	static char bigheader[70000];
	static char chunked_big[80000];
	/* expect: 4 = a 4xx; 'c' = a 4xx or the connection closed without an
	 * answer (libmicrohttpd itself refuses some framings that way);
	 * 'k' = a known deviation: the answer the deviation gives (200: the
	 * request served as if the bytes were not there) is reported as known,
	 * a 4xx passes (the deviation fixed), anything else fails. */
	struct {
		const char *name;
		const char *req;
		size_t len; /* 0: strlen */
		char expect;
	} cases[] = {
	    {"two Content-Length",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 27\r\nContent-Length: 5\r\n\r\n{\"external_ref\":\"SMUGGLED\"}",
	     0, 4},
	    {"Content-Length + Transfer-Encoding",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n1b\r\n{\"external_ref\":\"SMUGGLED\"}\r\n0\r\n\r\n",
	     0, 4},
	    {"Transfer-Encoding not chunked",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Transfer-Encoding: gzip, chunked\r\n\r\n1b\r\n{\"external_ref\":\"SMUGGLED\"}\r\n0\r\n\r\n",
	     0, 'c'},
	    {"bad chunk size",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Transfer-Encoding: chunked\r\n\r\nzz\r\n{\"external_ref\":\"SMUGGLED\"}\r\n0\r\n\r\n",
	     0, 4},
	    {"negative Content-Length",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: -27\r\n\r\n{\"external_ref\":\"SMUGGLED\"}",
	     0, 4},
	    {"obsolete line folding",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     " folded\r\nContent-Length: 27\r\n\r\n{\"external_ref\":\"SMUGGLED\"}",
	     0, 4},
	    /* libmicrohttpd 0.9.75 hands header values over as C strings cut at
	     * the NUL; http.c walks the head it parsed in place and finds the
	     * bytes after the NUL (issue 12; tests/integration/test_framing.c). */
	    {"NUL in a header",
	     "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n",
	     sizeof("GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-A: a\0b\r\n\r\n") - 1, 4},
	    {"NUL in the body",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 28\r\n\r\n{\"external_ref\":\"SMUG\0GLED\"}",
	     sizeof("POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
		    "Content-Length: 28\r\n\r\n{\"external_ref\":\"SMUG\0GLED\"}") -
		 1, 4},
	    {"invalid UTF-8",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 28\r\n\r\n{\"external_ref\":\"SMUG\xc3\x28LED\"}",
	     0, 4},
	    {"overlong UTF-8",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 28\r\n\r\n{\"external_ref\":\"SMUG\xc0\xafLED\"}",
	     0, 4},
	    {"duplicate JSON keys",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 45\r\n\r\n{\"external_ref\":\"A\",\"external_ref\":\"SMUGGLED\"}",
	     0, 4},
	    {"huge number",
	     "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	     "Content-Length: 65\r\n\r\n{\"external_ref\":\"SMUGGLED\",\"birth_year\":99999999999999999999999999}",
	     0, 4},
	    {"3000-deep JSON", deep, 0, 4},
	    /* libmicrohttpd answers 431, but may close while the client is
	     * still sending, and the client then sees only the close. */
	    {"oversized headers", bigheader, 0, 'c'},
	    {"chunked body over the cap", chunked_big, 0, 4},
	    {"HTTP/1.0 absolute URI to another host",
	     "POST http://evil.example/v1/persons HTTP/1.0\r\nContent-Type: application/json\r\n"
	     "Content-Length: 27\r\n\r\n{\"external_ref\":\"SMUGGLED\"}",
	     0, 4},
	};
	char *before, *after, head[200];
	int i, bad = 0, known = 0, n = (int)(sizeof(cases) / sizeof(cases[0]));
	size_t off;
	struct resp r;

	off = (size_t)snprintf(deep, sizeof(deep),
			       "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			       "Content-Length: %d\r\n\r\n",
			       6000);
	memset(deep + off, '[', 3000);
	memset(deep + off + 3000, ']', 3000);
	deep[off + 6000] = '\0';
	off = (size_t)snprintf(bigheader, sizeof(bigheader),
			       "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Big: ");
	memset(bigheader + off, 'a', 65536);
	snprintf(bigheader + off + 65536, sizeof(bigheader) - off - 65536, "\r\n\r\n");
	off = (size_t)snprintf(chunked_big, sizeof(chunked_big),
			       "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
			       "Transfer-Encoding: chunked\r\n\r\n%x\r\n{\"external_ref\":\"",
			       70000 + 20);
	memset(chunked_big + off, 'S', 70000);
	snprintf(chunked_big + off + 70000, sizeof(chunked_big) - off - 70000, "\"}\r\n0\r\n\r\n");

	before = state_digest();
	for (i = 0; i < n; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].req);
		int status = raw_request(cases[i].req, len, head, sizeof(head));
		bool ok = (status >= 400 && status < 500) || (cases[i].expect == 'c' && status == 0);
		bool deviates = cases[i].expect == 'k' && status == 200;
		if (deviates)
			known++;
		else if (!ok)
			bad++;
		printf("  %s %-46s -> %s\n", deviates ? "known" : ok ? "ok   " : "BAD  ", cases[i].name,
		       status > 0 ? head : status == 0 ? "connection closed without a response" : "no connection");
	}
	after = state_digest();
	if (!same_state(before, after))
		printf("  state before: %s\n  state after:  %s\n", before ? before : "(not computed)",
		       after ? after : "(not computed)");
	call("orga", "GET", "/v1/me", NULL, NULL, &r);
	/* The state digest counts persons: none smuggled in. */
	i = report(bad == 0 && same_state(before, after) && r.status == 200,
		   "abuse", "%d hostile requests, %d refused, %d known deviation, state %s, gateway %s", n,
		   n - bad - known, known,
		   same_state(before, after) ? "unchanged" : "CHANGED or unknown",
		   r.status == 200 ? "alive" : "DOWN");
	resp_free(&r);
	free(before);
	free(after);
	return i;
}

/* ------------------------------------------------------------------ */
/* Slow clients */

struct slow_sock {
	int fd;
	SSL *ssl;
	double opened_ms, closed_ms; /* closed_ms: when the close was seen */
	atomic_bool closed;
};

static atomic_bool sl_stop;
static struct slow_sock *sl_socks;
static atomic_int sl_open;

/* One byte to every open socket, once a second, spread over the second in
 * 20 slices as independent slow clients would be (not one burst of all). */
static void *
sl_trickle(void *arg)
{
	(void)arg;
	for (unsigned slice = 0; !atomic_load(&sl_stop); slice = (slice + 1) % 20) {
		int n = atomic_load(&sl_open);
		double start = now_ms();
		for (int i = (int)slice; i < n; i += 20) {
			struct slow_sock *s = &sl_socks[i];
			if (s->closed)
				continue;
			if (s->ssl ? SSL_write(s->ssl, "a", 1) <= 0 : send(s->fd, "\x01", 1, MSG_NOSIGNAL) <= 0) {
				s->closed_ms = now_ms();
				atomic_store(&s->closed, true);
			}
		}
		if (now_ms() < start + 50)
			sleep_ms((long)(start + 50 - now_ms()));
	}
	return NULL;
}

static void
measure(CURL *h, double *lat, int n, long *errors)
{
	for (int i = 0; i < n; i++) {
		struct resp r;
		double t0 = now_ms();
		client_call_base(h, stable_base, "GET", "/v1/me", NULL, NULL, &r);
		lat[i] = now_ms() - t0;
		if (r.status != 200)
			(*errors)++;
		resp_free(&r);
	}
}

/* Three windows of n requests; the median window's p50 and p99.  One burst
 * of scheduler noise on this shared machine then moves one window, not the
 * verdict. */
static void
windows(CURL *h, double *lat, int n, long *errors, double *p50, double *p99)
{
	double w50[3], w99[3];

	for (int w = 0; w < 3; w++) {
		measure(h, lat, n, errors);
		w50[w] = percentile(lat, (size_t)n, 0.50);
		w99[w] = percentile(lat, (size_t)n, 0.99);
	}
	qsort(w50, 3, sizeof(double), cmp_double);
	qsort(w99, 3, sizeof(double), cmp_double);
	*p50 = w50[1];
	*p99 = w99[1];
}

static int
scenario_slowloris(void)
{
	int nslow = fast ? 200 : 1000, nreq = fast ? 300 : 1000, i, tls_ok = 0, still_open, timeout_s,
	    hs_closed = 0;
	double *lat = calloc((size_t)nreq, sizeof(double)), p99_base, p99_loaded, p50_base, p50_loaded,
	       t0, closed_by = 0, hs_life = 0;
	long errors = 0, ticks0;
	double cpu_pct;
	pid_t gw = (pid_t)strtol(env_or_die("REFGW_TEST_GW_PID"), NULL, 10);
	pthread_t trickle;
	CURL *h = client_new("orgb");
	bool ok;

	timeout_s = (int)strtol(env_or_die("REFGW_CONNECTION_TIMEOUT"), NULL, 10);
	measure(h, lat, 50, &errors); /* warm */
	windows(h, lat, nreq, &errors, &p50_base, &p99_base);

	sl_socks = calloc((size_t)nslow, sizeof(*sl_socks));
	atomic_store(&sl_stop, false);
	pthread_create(&trickle, NULL, sl_trickle, NULL);
	for (i = 0; i < nslow; i++) {
		struct slow_sock *s = &sl_socks[i];
		const char *only = getenv("REFGW_FAULT_SLOW_ONLY"); /* diagnosis: header|handshake */
		s->opened_ms = now_ms();
		if (only ? strcmp(only, "header") == 0 : i % 2 == 0) {
			/* Slow request: a verified TLS session sending its headers a
			 * byte a second. */
			s->ssl = tls_connect(stable_base, &s->fd);
			if (s->ssl == NULL || SSL_write(s->ssl, "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Slow: ",
							47) <= 0) {
				atomic_store(&s->closed, true);
				continue;
			}
			tls_ok++;
		} else {
			/* Slow handshake: a TLS record header, then a byte a second. */
			s->fd = tcp_connect(stable_base);
			if (s->fd < 0 || send(s->fd, "\x16\x03\x01\x02\x00", 5, MSG_NOSIGNAL) != 5)
				atomic_store(&s->closed, true);
		}
		atomic_store(&sl_open, i + 1);
	}
	/* Two quiet seconds, only the slow sockets: what do they cost? (A
	 * libmicrohttpd epoll loop once spun at 100 % of every core on
	 * half-received TLS records; the gateway polls since.) */
	sleep_ms(500);
	ticks0 = cpu_ticks(gw);
	sleep_ms(2000);
	cpu_pct = 100.0 * (double)(cpu_ticks(gw) - ticks0) / (double)sysconf(_SC_CLK_TCK) / 2.0;
	/* The slow requests (verified sessions still sending) must all be
	 * alive; slow handshakes are not counted: libmicrohttpd gives a
	 * handshake the connection timeout from connect, trickle or not. */
	still_open = 0;
	for (i = 0; i < nslow; i++)
		still_open += sl_socks[i].ssl && !atomic_load(&sl_socks[i].closed);
	windows(h, lat, nreq, &errors, &p50_loaded, &p99_loaded);

	/* Stop trickling: every slow socket is now idle and must be closed by
	 * the gateway at the connection timeout. */
	atomic_store(&sl_stop, true);
	pthread_join(trickle, NULL);
	t0 = now_ms();
	for (;;) {
		int open_now = 0;
		for (i = 0; i < nslow; i++) {
			struct slow_sock *s = &sl_socks[i];
			char c;
			ssize_t n;
			if (atomic_load(&s->closed))
				continue;
			n = recv(s->fd, &c, 1, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
			    (n > 0 && s->ssl == NULL)) { /* n > 0: an alert, the handshake refused */
				s->closed_ms = now_ms();
				atomic_store(&s->closed, true);
				if (s->ssl && now_ms() - t0 > closed_by)
					closed_by = now_ms() - t0;
			} else {
				open_now++;
			}
		}
		if (open_now == 0)
			break;
		if (now_ms() - t0 > (timeout_s + 10) * 1000.0) {
			closed_by = -1; /* some never closed */
			break;
		}
		sleep_ms(100);
	}
	for (i = 0; i < nslow; i++) {
		struct slow_sock *s = &sl_socks[i];
		if (s->ssl || s->fd < 0)
			continue;
		hs_closed += atomic_load(&s->closed);
		if (atomic_load(&s->closed) && s->closed_ms - s->opened_ms > hs_life)
			hs_life = s->closed_ms - s->opened_ms;
	}
	for (i = 0; i < nslow; i++) {
		if (sl_socks[i].ssl)
			SSL_free(sl_socks[i].ssl);
		if (sl_socks[i].fd > 0)
			close(sl_socks[i].fd);
	}
	free(sl_socks);
	curl_easy_cleanup(h);
	free(lat);
	/* "≤ 2× baseline", with 2 ms of grace: a sub-millisecond baseline on a
	 * shared 2-core VM doubles from scheduler noise alone. */
	/* Detection lags: the trickle notices a close at its next byte (1 s),
	 * the idle loop within 0.1 s; the last byte went up to 1 s before the
	 * stop. */
	ok = still_open == nslow / 2 && tls_ok == nslow / 2 && errors == 0 && cpu_pct < 25 &&
	     p99_loaded <= 2 * p99_base + 2.0 && closed_by > 0 &&
	     closed_by <= (timeout_s + 4) * 1000.0 && hs_closed == nslow - nslow / 2 &&
	     hs_life <= (timeout_s + 3) * 1000.0;
	return report(ok, "slowloris",
		      "%d slow sockets: %d slow requests on verified TLS sessions, all %d still open while "
		      "trickling, closed %.1f s after going idle; %d slow handshakes, all closed at most "
		      "%.1f s after connect, trickling or not (%d closed); the gateway spent %.0f %% of a "
		      "core on them; normal client (median of 3 windows) p50 %.2f -> %.2f ms, p99 %.2f -> "
		      "%.2f ms (%.2fx), %ld errors; timeout %d s",
		      nslow, tls_ok, still_open, closed_by / 1000, nslow - nslow / 2, hs_life / 1000,
		      hs_closed, cpu_pct, p50_base, p50_loaded, p99_base, p99_loaded, p99_loaded / p99_base,
		      errors, timeout_s);
}

/* ------------------------------------------------------------------ */
/* The generated access matrix */

static int
scenario_matrix(void)
{
	static const char *const slugs[] = {"coord", "orga", "orgb", "orgc", "orgd"};
	FILE *p;
	char cmd[600], method[16], pattern[200], action[64], name[64];
	long calls = 0, refused = 0, wrong = 0, enumerated = 0, leaks = 0, changed = 0;
	PGconn *c = sql_admin();
	size_t s;

	snprintf(cmd, sizeof(cmd), "%s routes", env_or_die("REFGW_TEST_BIN"));
	p = popen(cmd, "r");
	while (p && fscanf(p, "%15s %199s %63s %63s", method, pattern, action, name) == 4) {
		for (s = 0; s < sizeof(slugs) / sizeof(slugs[0]); s++) {
			const char *params[2] = {org_id(slugs[s]), action};
			bool allowed = true, has_id = strchr(pattern, '{') != NULL;
			char path[400], *o = path;
			const char *q;
			int reps = has_id && strcmp(method, "GET") == 0 ? (fast ? 3 : 20) : 1;

			if (strcmp(action, "-") != 0)
				/* The organisation's own rule, else site.host for what
				 * hosting implies (schema/031; never a coordinator), else
				 * its kind's rule, else no. */
				allowed = sql_long(c,
						   "SELECT coalesce("
						   "(SELECT r.allowed FROM access_rules r WHERE r.organisation_id ="
						   " o.id AND r.action = $2),"
						   " CASE WHEN o.kind <> 'coordinator' AND $2 IN ('site.manage',"
						   " 'unit.manage', 'unit.read', 'proposal.decide', 'occupancy.manage',"
						   " 'occupancy.read', 'referral.read', 'event.read') AND coalesce(("
						   "SELECT r.allowed FROM access_rules r WHERE r.action = 'site.host'"
						   " AND (r.organisation_id = o.id OR r.kind = o.kind) ORDER BY"
						   " r.organisation_id IS NULL LIMIT 1), false) THEN true END,"
						   " (SELECT r.allowed FROM access_rules r WHERE r.kind = o.kind AND"
						   " r.action = $2), false)::int FROM organisations o WHERE o.id ="
						   " $1::uuid",
						   2, params) == 1;
			for (int rep = 0; rep < reps; rep++) {
				const char *headers[] = {"If-Match: \"1\"", NULL};
				struct resp r;
				unsigned char rnd[32];
				/* Fill the pattern with random ids: nothing exists there. */
				o = path;
				for (q = pattern; *q && o < path + sizeof(path) - 80;) {
					if (strncmp(q, "{id}", 4) == 0) {
						RAND_bytes(rnd, 16);
						o += sprintf(o, "%02x%02x%02x%02x-%02x%02x-4%x%02x-8%x%02x-%02x%02x%02x%02x%02x%02x",
							     rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6] & 15,
							     rnd[7], rnd[8] & 15, rnd[9], rnd[10], rnd[11], rnd[12],
							     rnd[13], rnd[14], rnd[15]);
						q += 4;
					} else if (strncmp(q, "{sha256}", 8) == 0) {
						RAND_bytes(rnd, 32);
						for (int k = 0; k < 32; k++)
							o += sprintf(o, "%02x", rnd[k]);
						q += 8;
					} else {
						*o++ = *q++;
					}
				}
				*o = '\0';
				char *before = allowed ? NULL : state_digest(), *after;
				call(slugs[s], method, path, strcmp(method, "GET") == 0 ? NULL : "{}", headers, &r);
				calls++;
				if (!allowed) {
					refused++;
					after = state_digest();
					if (!same_state(before, after)) {
						changed++;
						printf("  %s %s as %s was refused but changed the state (or it could "
						       "not be read):\n    %s\n    %s\n",
						       method, pattern, slugs[s], before ? before : "(not computed)",
						       after ? after : "(not computed)");
					}
					free(before);
					free(after);
					if (r.status != 403 || strstr(problem_type(&r), "forbidden") == NULL) {
						wrong++;
						printf("  %s %s as %s: %ld, expected 403 (action %s)\n", method, pattern,
						       slugs[s], r.status, action);
					}
				} else if (has_id && r.status >= 200 && r.status < 300) {
					leaks++;
					printf("  %s %s as %s: %ld for a random id\n", method, path, slugs[s], r.status);
				} else if (r.status == 403 || r.status >= 500 || r.status == 0) {
					wrong++;
					printf("  %s %s as %s: %ld, allowed by the rules\n", method, pattern, slugs[s],
					       r.status);
				} else if (has_id && strcmp(method, "GET") == 0) {
					enumerated++;
					if (r.status != 404) {
						wrong++;
						printf("  %s %s as %s: %ld, expected 404 for a random id\n", method,
						       pattern, slugs[s], r.status);
					}
				}
				resp_free(&r);
			}
		}
	}
	if (p)
		pclose(p);
	PQfinish(c);
	return report(calls > 100 && wrong == 0 && leaks == 0 && changed == 0, "matrix",
		      "%ld calls (route table x %zu organisations), %ld refused by the access rules "
		      "(%ld of them changed the state), %ld random ids probed (all 404), %ld unexpected, "
		      "%ld leaks",
		      calls, sizeof(slugs) / sizeof(slugs[0]), refused, changed, enumerated, wrong, leaks);
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*run)(void);
} scenarios[] = {
    {"abuse", scenario_abuse},       {"matrix", scenario_matrix}, {"pool", scenario_pool},
    {"slowloris", scenario_slowloris}, {"kill9", scenario_kill9},  {"pg-outage", scenario_pg_outage},
};

int
main(int argc, char **argv)
{
	int i, failed = 0, ran = 0;
	size_t k;

	signal(SIGPIPE, SIG_IGN);
	client_quiet = true;
	curl_global_init(CURL_GLOBAL_ALL);
	snprintf(stable_base, sizeof(stable_base), "%s", env_or_die("REFGW_TEST_BASE"));
	if (argc > 1 && strcmp(argv[1], "--fast") == 0) {
		fast = true;
		argc--, argv++;
	}
	for (k = 0; k < sizeof(scenarios) / sizeof(scenarios[0]); k++) {
		bool wanted = argc == 1;
		for (i = 1; i < argc; i++)
			wanted |= strcmp(argv[i], scenarios[k].name) == 0;
		if (!wanted)
			continue;
		ran++;
		failed += scenarios[k].run();
	}
	victim_stop(SIGTERM);
	if (tls_ctx)
		SSL_CTX_free(tls_ctx);
	curl_global_cleanup();
	printf("faults: %d scenarios, %d failed\n", ran, failed);
	return failed ? 1 : 0;
}
