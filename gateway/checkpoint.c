/* checkpoint: signed anchors of the audit chain.  One record is one line:
 *
 *   {"at":"…Z","format":"refgw-audit-checkpoint-v1","key_id":"…",
 *    "lanes":[{"head":"<hex>","lane":N,"seq":N},…],"signature":"<hex>"}
 *
 * The signature (Ed25519) covers the record without its "signature" member,
 * serialised compactly with sorted keys, which is exactly the line without
 * ,"signature":"…" (the member sorts last), so openssl alone can check it.
 * The database holds neither the private key nor the file: an owner who
 * deletes or rewrites a lane cannot make the lane match a signed record. */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "statements.h"

#define MAX_LINE (64u << 20) /* a checkpoint of ~700 000 lanes */

void
checkpoint_free(struct checkpoint *cp)
{
	free(cp->lanes);
	cp->lanes = NULL;
	cp->nlanes = 0;
}

static void
now_rfc3339_us(char *out, size_t outlen)
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%06dZ", base, (int)(ts.tv_nsec / 1000));
}

int
checkpoint_sign_line(const struct checkpoint *cp, const struct crypto_key *k, char **line)
{
	json_t *root = NULL, *lanes = json_array();
	unsigned char sig[ED25519_SIG_LEN];
	char sighex[2 * ED25519_SIG_LEN + 1], *payload = NULL;
	struct buf out;
	size_t i, len;
	int rc = -1;

	*line = NULL;
	buf_init(&out, MAX_LINE);
	if (lanes == NULL)
		goto out;
	for (i = 0; i < cp->nlanes; i++)
		if (json_array_append_new(lanes,
					  json_pack("{s:s, s:I, s:I}", "head", cp->lanes[i].head,
						    "lane", (json_int_t)cp->lanes[i].lane, "seq",
						    (json_int_t)cp->lanes[i].seq)) != 0)
			goto out;
	root = json_pack("{s:s, s:s, s:s, s:O}", "at", cp->at, "format", CHECKPOINT_FORMAT,
			 "key_id", crypto_key_id(k), "lanes", lanes);
	if (root == NULL)
		goto out;
	payload = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (payload == NULL || (len = strlen(payload)) < 2 || payload[len - 1] != '}' ||
	    crypto_sign(k, payload, len, sig) != 0)
		goto out;
	hex_encode(sig, sizeof(sig), sighex);
	if (buf_append(&out, payload, len - 1) != 0 ||
	    buf_cat(&out, ",\"signature\":\"", sighex, "\"}\n", (char *)NULL) != 0)
		goto out;
	*line = buf_steal(&out);
	rc = *line ? 0 : -1;
out:
	buf_free(&out);
	free(payload);
	json_decref(root);
	json_decref(lanes);
	return rc;
}

static int
parse_lanes(json_t *lanes, struct checkpoint *cp, char *err, size_t errlen)
{
	size_t i;

	if (!json_is_array(lanes)) {
		snprintf(err, errlen, "\"lanes\" is not an array");
		return -1;
	}
	cp->nlanes = json_array_size(lanes);
	cp->lanes = calloc(cp->nlanes ? cp->nlanes : 1, sizeof(*cp->lanes));
	if (cp->lanes == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < cp->nlanes; i++) {
		json_t *e = json_array_get(lanes, i), *lane = json_object_get(e, "lane"),
		       *seq = json_object_get(e, "seq"), *head = json_object_get(e, "head");
		struct checkpoint_lane *l = &cp->lanes[i];
		unsigned char h[SHA256_LEN];

		if (!json_is_integer(lane) || !json_is_integer(seq) || !json_is_string(head) ||
		    json_integer_value(lane) < -2147483648LL ||
		    json_integer_value(lane) > 2147483647LL || json_integer_value(seq) < 0 ||
		    json_string_length(head) >= sizeof(l->head)) {
			snprintf(err, errlen, "lane entry %zu is malformed", i);
			return -1;
		}
		l->lane = (long)json_integer_value(lane);
		l->seq = json_integer_value(seq);
		memcpy(l->head, json_string_value(head), json_string_length(head) + 1);
		if (l->seq > 0 ? hex_decode(l->head, h, sizeof(h)) != 0 : l->head[0] != '\0') {
			snprintf(err, errlen, "lane %ld: malformed head", l->lane);
			return -1;
		}
	}
	return 0;
}

int
checkpoint_parse_line(const char *line, const struct crypto_key *k, struct checkpoint *cp,
		      char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	const char *format, *key_id, *at, *sighex;
	unsigned char sig[ED25519_SIG_LEN];
	char *payload = NULL;
	int rc = -1;

	memset(cp, 0, sizeof(*cp));
	if (!json_is_object(root)) {
		snprintf(err, errlen, "not a checkpoint record (%s)",
			 root ? "not a JSON object" : jerr.text);
		goto out;
	}
	format = json_string_value(json_object_get(root, "format"));
	key_id = json_string_value(json_object_get(root, "key_id"));
	at = json_string_value(json_object_get(root, "at"));
	sighex = json_string_value(json_object_get(root, "signature"));
	if (format == NULL || strcmp(format, CHECKPOINT_FORMAT) != 0) {
		snprintf(err, errlen, "not a checkpoint record (format is not %s)",
			 CHECKPOINT_FORMAT);
		goto out;
	}
	if (key_id == NULL || at == NULL || strlen(at) >= sizeof(cp->at)) {
		snprintf(err, errlen, "not a checkpoint record (no key_id or at)");
		goto out;
	}
	if (sighex == NULL || strlen(sighex) != 2 * ED25519_SIG_LEN ||
	    hex_decode(sighex, sig, sizeof(sig)) != 0) {
		snprintf(err, errlen, "no valid signature member");
		goto out;
	}
	if (strcmp(key_id, crypto_key_id(k)) != 0) {
		snprintf(err, errlen, "signed by key %.20s, not by the verify key %s", key_id,
			 crypto_key_id(k));
		goto out;
	}
	/* What was signed: the record without its signature, as it was written. */
	json_object_del(root, "signature");
	payload = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	if (payload == NULL || !crypto_verify(k, payload, strlen(payload), sig)) {
		snprintf(err, errlen,
			 "the signature does not verify with key %s (forged or altered)",
			 crypto_key_id(k));
		goto out;
	}
	snprintf(cp->at, sizeof(cp->at), "%s", at);
	snprintf(cp->key_id, sizeof(cp->key_id), "%s", key_id);
	if (parse_lanes(json_object_get(root, "lanes"), cp, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		checkpoint_free(cp);
	free(payload);
	json_decref(root);
	return rc;
}

static int
read_heads(struct db_conn *c, struct checkpoint *cp, char *err, size_t errlen)
{
	struct db_res *res = NULL;
	int i;

	if (db_query(c, ST_AUDIT_LANE_HEADS, &res, (char *)NULL) != DB_OK) {
		snprintf(err, errlen, "reading the lane heads: %s", db_last_error(c));
		return -1;
	}
	cp->nlanes = (size_t)db_rows(res);
	cp->lanes = calloc(cp->nlanes ? cp->nlanes : 1, sizeof(*cp->lanes));
	if (cp->lanes == NULL) {
		db_res_free(res);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < db_rows(res); i++) {
		struct checkpoint_lane *l = &cp->lanes[i];
		long seq;

		if (parse_long(row_val(res, i, LANE_HEAD_LANE), -2147483648L, 2147483647L,
			       &l->lane) != 0 ||
		    parse_long(row_val(res, i, LANE_HEAD_SEQ), 0, 0x7fffffffffffffffL, &seq) != 0 ||
		    strlen(row_val(res, i, LANE_HEAD_HASH)) >= sizeof(l->head)) {
			db_res_free(res);
			snprintf(err, errlen, "unexpected lane head row");
			return -1;
		}
		l->seq = seq;
		snprintf(l->head, sizeof(l->head), "%s", row_val(res, i, LANE_HEAD_HASH));
	}
	db_res_free(res);
	return 0;
}

static int
append_line(const char *path, const char *line, char *err, size_t errlen)
{
	size_t len = strlen(line), off = 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* One write() with O_APPEND: a concurrent writer's line is never mixed in. */
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		snprintf(err, errlen, "cannot sync %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The database's note of the checkpoint just written (schema/057), shown
 * by GET /v1/audit/chain; the signed line in the file is the proof, so a
 * note that fails is only logged. */
static void
note_in_db(struct db_conn *c, const struct checkpoint *cp)
{
	char lanes[24], entries[24];
	long long total = 0, used = 0;
	size_t i;

	for (i = 0; i < cp->nlanes; i++)
		if (cp->lanes[i].seq > 0) {
			total += cp->lanes[i].seq;
			used++;
		}
	snprintf(lanes, sizeof(lanes), "%lld", used);
	snprintf(entries, sizeof(entries), "%lld", total);
	if (db_query(c, ST_AUDIT_CHECKPOINT_NOTE, NULL, "at", cp->at, "key_id", cp->key_id, "lanes",
		     lanes, "entries", entries, (char *)NULL) != DB_OK)
		log_warnx("audit checkpoint: written, but not noted in the database: %s",
			  db_last_error(c));
}

int
checkpoint_take(struct db_conn *c, const struct crypto_key *k, const char *path,
		struct checkpoint *cp, char *err, size_t errlen)
{
	char *line = NULL;
	int rc = -1;

	memset(cp, 0, sizeof(*cp));
	if (!crypto_key_has_private(k)) {
		snprintf(err, errlen, "the signing key is a public key");
		return -1;
	}
	if (read_heads(c, cp, err, errlen) != 0)
		goto out;
	now_rfc3339_us(cp->at, sizeof(cp->at));
	snprintf(cp->key_id, sizeof(cp->key_id), "%s", crypto_key_id(k));
	if (checkpoint_sign_line(cp, k, &line) != 0) {
		snprintf(err, errlen, "cannot sign the checkpoint");
		goto out;
	}
	if (append_line(path, line, err, errlen) != 0)
		goto out;
	note_in_db(c, cp);
	rc = 0;
out:
	free(line);
	if (rc != 0)
		checkpoint_free(cp);
	return rc;
}

/* ---- verification ---- */

struct seen {
	long *lanes;
	size_t n, cap;
};

/* Each broken lane is reported once, at the first checkpoint it fails. */
static bool
seen_add(struct seen *s, long lane)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->lanes[i] == lane)
			return false;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		long *p = realloc(s->lanes, cap * sizeof(*p));
		if (p == NULL)
			return true; /* report it again rather than lose it */
		s->lanes = p;
		s->cap = cap;
	}
	s->lanes[s->n++] = lane;
	return true;
}

static void problem(FILE *out, struct checkpoint_report *rep, struct seen *seen, long lane,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
problem(FILE *out, struct checkpoint_report *rep, struct seen *seen, long lane, const char *fmt,
	...)
{
	va_list ap;

	if (seen && !seen_add(seen, lane))
		return;
	rep->problems++;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* One query per checkpoint: for each lane it recorded, what is there now. */
static int
check_against_db(struct db_conn *c, const struct checkpoint *cp, long lineno, FILE *out,
		 struct checkpoint_report *rep, struct seen *seen, char *err, size_t errlen)
{
	struct buf lanes, seqs;
	struct db_res *res = NULL;
	size_t i;
	int rc = -1, r;

	buf_init(&lanes, MAX_LINE);
	buf_init(&seqs, MAX_LINE);
	if (APPEND_LITERAL(&lanes, "{") != 0 || APPEND_LITERAL(&seqs, "{") != 0)
		goto out;
	for (i = 0; i < cp->nlanes; i++)
		if (buf_printf(&lanes, "%s%ld", i ? "," : "", cp->lanes[i].lane) != 0 ||
		    buf_printf(&seqs, "%s%lld", i ? "," : "", cp->lanes[i].seq) != 0)
			goto out;
	if (APPEND_LITERAL(&lanes, "}") != 0 || APPEND_LITERAL(&seqs, "}") != 0)
		goto out;
	if (db_query(c, ST_CHECKPOINT_LANES, &res, "lanes", lanes.data, "seqs", seqs.data,
		     (char *)NULL) != DB_OK) {
		snprintf(err, errlen, "%s", db_last_error(c));
		goto out;
	}
	for (r = 0; r < db_rows(res); r++) {
		long idx, head_seq, rows;
		const struct checkpoint_lane *l;
		const char *hash = row_val(res, r, LANE_NOW_HASH);

		if (parse_long(row_val(res, r, LANE_NOW_INDEX), 1, (long)cp->nlanes, &idx) != 0 ||
		    parse_long(row_val(res, r, LANE_NOW_HEAD_SEQ), -1, 0x7fffffffffffffffL,
			       &head_seq) != 0 ||
		    parse_long(row_val(res, r, LANE_NOW_ROWS), 0, 0x7fffffffffffffffL, &rows) !=
			    0) {
			snprintf(err, errlen, "unexpected answer to the lane query");
			goto out;
		}
		l = &cp->lanes[idx - 1];
		if (l->seq == 0)
			continue; /* nothing recorded */
		if (head_seq < 0 && rows == 0)
			problem(out, rep, seen, l->lane,
				"lane %ld vanished: the checkpoint of %s (line %ld) recorded %lld "
				"rows, none is left",
				l->lane, cp->at, lineno, l->seq);
		else if (rows < l->seq)
			problem(out, rep, seen, l->lane,
				"lane %ld shrank: the checkpoint of %s (line %ld) recorded %lld "
				"rows, "
				"%ld are left",
				l->lane, cp->at, lineno, l->seq, rows);
		else if (hash[0] == '\0')
			problem(out, rep, seen, l->lane,
				"lane %ld lost row seq %lld, recorded by the checkpoint of %s "
				"(line "
				"%ld)",
				l->lane, l->seq, cp->at, lineno);
		else if (strcmp(hash, l->head) != 0)
			problem(out, rep, seen, l->lane,
				"lane %ld diverged: row seq %lld no longer has the hash the "
				"checkpoint "
				"of %s (line %ld) recorded (%.16s…, now %.16s…)",
				l->lane, l->seq, cp->at, lineno, l->head, hash);
		else if (head_seq < l->seq)
			problem(out, rep, seen, l->lane,
				"lane %ld: its head was moved back to seq %ld; the checkpoint of "
				"%s "
				"(line %ld) recorded %lld rows",
				l->lane, head_seq, cp->at, lineno, l->seq);
	}
	rc = 0;
out:
	db_res_free(res);
	buf_free(&lanes);
	buf_free(&seqs);
	return rc;
}

int
checkpoint_verify_file(struct db_conn *c, const char *path, const struct crypto_key *k, FILE *out,
		       struct checkpoint_report *rep, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct seen seen = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	if (f == NULL) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	/* One snapshot for the whole comparison. */
	if (db_exec_params(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, NULL) !=
	    DB_OK) {
		snprintf(err, errlen, "%s", db_last_error(c));
		goto out;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct checkpoint cp;
		char why[256];

		lineno++;
		if ((size_t)n > MAX_LINE) {
			problem(out, rep, NULL, 0, "%s line %ld: longer than %u bytes", path,
				lineno, MAX_LINE);
			continue;
		}
		if (strspn(line, " \t\r\n") == (size_t)n)
			continue; /* blank */
		if (n == 0 || line[n - 1] != '\n') {
			problem(out, rep, NULL, 0, "%s line %ld: cut short (no end of line)", path,
				lineno);
			continue;
		}
		if (checkpoint_parse_line(line, k, &cp, why, sizeof(why)) != 0) {
			problem(out, rep, NULL, 0, "%s line %ld: %s", path, lineno, why);
			continue;
		}
		rep->checkpoints++;
		rep->latest_lanes = (long)cp.nlanes;
		snprintf(rep->latest_at, sizeof(rep->latest_at), "%s", cp.at);
		if (check_against_db(c, &cp, lineno, out, rep, &seen, err, errlen) != 0) {
			checkpoint_free(&cp);
			goto out;
		}
		checkpoint_free(&cp);
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read %s", path);
		goto out;
	}
	if (rep->checkpoints == 0 && rep->problems == 0) {
		snprintf(err, errlen, "%s holds no checkpoint", path);
		goto out;
	}
	rc = 0;
out:
	db_rollback(c);
	free(line);
	free(seen.lanes);
	fclose(f);
	return rc;
}

/* ---- the gateway's schedule ---- */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running, stop;
	char *conninfo, *path;
	struct crypto_key *key;
	long period_s;
} sched = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
scheduled_checkpoint(void)
{
	struct db_conn *c = NULL;
	struct checkpoint cp;
	char err[512];

	if (db_connect(sched.conninfo, &c) != DB_OK) {
		log_warnx("audit checkpoint: cannot connect: %s", c ? db_last_error(c) : "?");
		db_close(c);
		return;
	}
	if (checkpoint_take(c, sched.key, sched.path, &cp, err, sizeof(err)) != 0) {
		log_warnx("audit checkpoint: %s", err);
	} else {
		log_info("audit checkpoint: %zu lanes signed (key %s) into %s", cp.nlanes,
			 crypto_key_id(sched.key), sched.path);
		checkpoint_free(&cp);
	}
	db_close(c);
}

static void *
scheduler(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sched.lock);
	while (!sched.stop) {
		struct timespec deadline;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += sched.period_s;
		while (!sched.stop &&
		       pthread_cond_timedwait(&sched.cond, &sched.lock, &deadline) != ETIMEDOUT)
			;
		if (sched.stop)
			break;
		pthread_mutex_unlock(&sched.lock);
		scheduled_checkpoint();
		pthread_mutex_lock(&sched.lock);
	}
	pthread_mutex_unlock(&sched.lock);
	return NULL;
}

int
checkpoint_schedule_start(const char *conninfo, long period_s, const char *key_path,
			  const char *file, char *err, size_t errlen)
{
	pthread_condattr_t attr;

	if (period_s <= 0)
		return 0;
	sched.key = crypto_key_load(key_path, true, err, errlen);
	if (sched.key == NULL)
		return -1;
	sched.conninfo = strdup(conninfo);
	sched.path = strdup(file);
	sched.period_s = period_s;
	sched.stop = false;
	if (sched.conninfo == NULL || sched.path == NULL || pthread_condattr_init(&attr) != 0)
		goto fail;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&sched.cond, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		goto fail;
	}
	pthread_condattr_destroy(&attr);
	if (pthread_create(&sched.thread, NULL, scheduler, NULL) != 0) {
		pthread_cond_destroy(&sched.cond);
		goto fail;
	}
	sched.running = true;
	log_info("audit checkpoints every %ld s into %s (key %s)", period_s, file,
		 crypto_key_id(sched.key));
	return 0;
fail:
	snprintf(err, errlen, "cannot start the audit checkpoint thread");
	free(sched.conninfo);
	free(sched.path);
	crypto_key_free(sched.key);
	sched.key = NULL;
	return -1;
}

void
checkpoint_schedule_stop(void)
{
	if (!sched.running)
		return;
	pthread_mutex_lock(&sched.lock);
	sched.stop = true;
	pthread_cond_signal(&sched.cond);
	pthread_mutex_unlock(&sched.lock);
	pthread_join(sched.thread, NULL);
	pthread_cond_destroy(&sched.cond);
	free(sched.conninfo);
	free(sched.path);
	crypto_key_free(sched.key);
	sched.key = NULL;
	sched.running = false;
}
