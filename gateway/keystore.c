/* keystore: persons' data keys, in the key store's `person_keys`, with a
 * bounded cache of unwrapped keys.  A few connections of its own (the key
 * store may be another database than the data), each used by one thread
 * at a time; a lost one is reopened at its next use. */
#include "keystore.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "keyring.h"
#include "log.h"
#include "rows.h"

#define KS_MAX_CONNS 8

/* The key store's statements: the table is not in the data's database,
 * so they cannot be prepared with the pool's (statements.c). */
#define SQL_KEY_GET "SELECT kid, encode(wrapped, 'hex') FROM person_keys WHERE person_id = $1"
#define SQL_KEY_INSERT                                                                             \
	"INSERT INTO person_keys (person_id, kid, wrapped) VALUES ($1, $2, decode($3, 'hex'))"
#define SQL_KEY_DELETE "DELETE FROM person_keys WHERE person_id = $1"
#define SQL_KEY_STALE                                                                              \
	"SELECT person_id, kid, encode(wrapped, 'hex') FROM person_keys WHERE kid <> $1 "          \
	"ORDER BY person_id LIMIT $2 FOR UPDATE SKIP LOCKED"
#define SQL_KEY_REWRAP                                                                             \
	"UPDATE person_keys SET kid = $2, wrapped = decode($3, 'hex'), rewrapped_at = now() "      \
	"WHERE person_id = $1 AND kid = $4"
#define SQL_KEY_LEFT "SELECT count(*) FROM person_keys WHERE kid <> $1"
#define SQL_KEY_CENSUS "SELECT kid, count(*) FROM person_keys GROUP BY kid ORDER BY kid"

/* What the statements above return, read by name (rows.h). */
#define KEY_COLUMNS(C)                                                                             \
	C(KEY_PERSON, "person_id", "person_id", COL_KEY, 0, NULL)                                  \
	C(KEY_KID, "kid", "kid", COL_KEY, 0, NULL)                                                 \
	C(KEY_WRAPPED, "wrapped", "encode(wrapped, 'hex')", COL_KEY, 0, NULL)
#define KEY_GET_COLUMNS(C)                                                                         \
	C(KEY_GET_KID, "kid", "kid", COL_KEY, 0, NULL)                                             \
	C(KEY_GET_WRAPPED, "wrapped", "encode(wrapped, 'hex')", COL_KEY, 0, NULL)
#define KEY_COUNT_COLUMNS(C)                                                                       \
	C(KEY_COUNT_KID, "kid", "kid", COL_KEY, 0, NULL)                                           \
	C(KEY_COUNT_N, "count", "count(*)", COL_KEY, 0, NULL)
enum key_col { KEY_COLUMNS(COLUMN_ENUM) };
enum key_get_col { KEY_GET_COLUMNS(COLUMN_ENUM) };
#define KEY_LEFT_COLUMNS(C) C(KEY_LEFT_N, "count", "count(*)", COL_KEY, 0, NULL)
enum key_count_col { KEY_COUNT_COLUMNS(COLUMN_ENUM) };
enum key_left_col { KEY_LEFT_COLUMNS(COLUMN_ENUM) };

struct ks_conn {
	pthread_mutex_t lock;
	struct db_conn *c;
};

struct cached_key {
	unsigned char person[16];
	unsigned char dek[AEAD_KEY_LEN];
	uint64_t until_us; /* 0: empty */
};

static struct {
	char *conninfo;
	struct ks_conn conns[KS_MAX_CONNS];
	int nconns;
	atomic_uint next;
	pthread_mutex_t cache_lock;
	struct cached_key *cache;
	size_t cache_mask;
	uint64_t ttl_us;
	atomic_ulong hits, misses, absent, errors;
} ks = {.cache_lock = PTHREAD_MUTEX_INITIALIZER};

static int
uuid_bytes(const char *s, unsigned char out[16])
{
	char hex[33];
	size_t i, j = 0;

	if (!is_uuid(s))
		return -1;
	for (i = 0; s[i] && j < 32; i++)
		if (s[i] != '-')
			hex[j++] = s[i];
	hex[j] = '\0';
	return j == 32 ? hex_decode(hex, out, 16) : -1;
}

/* The cache is set-associative, KS_WAYS entries a set: a waitlist of
 * 10 000 persons in 16 384 entries kept direct-mapped lost a quarter of
 * its keys to collisions at every ranking (bench/candidates.sh); in sets of
 * 4, the entry replaced is an empty or expired one, else the one that
 * expires first. */
#define KS_WAYS 4

/* The first entry of the person's set. */
static struct cached_key *
set_of(const unsigned char person[16])
{
	uint64_t h;

	memcpy(&h, person, sizeof(h)); /* random (v4) ids: their bytes are a hash */
	return &ks.cache[((size_t)h & ks.cache_mask) & ~(size_t)(KS_WAYS - 1)];
}

static bool
cache_get(const unsigned char person[16], unsigned char dek[AEAD_KEY_LEN])
{
	struct cached_key *e;
	uint64_t now;
	bool hit = false;
	int w;

	if (ks.cache == NULL)
		return false;
	now = now_monotonic_us();
	pthread_mutex_lock(&ks.cache_lock);
	e = set_of(person);
	for (w = 0; w < KS_WAYS && !hit; w++)
		if (e[w].until_us > now && memcmp(e[w].person, person, 16) == 0) {
			memcpy(dek, e[w].dek, AEAD_KEY_LEN);
			hit = true;
		}
	pthread_mutex_unlock(&ks.cache_lock);
	return hit;
}

static void
cache_put(const unsigned char person[16], const unsigned char dek[AEAD_KEY_LEN])
{
	struct cached_key *e, *victim;
	uint64_t now;
	int w;

	if (ks.cache == NULL)
		return;
	now = now_monotonic_us();
	pthread_mutex_lock(&ks.cache_lock);
	e = set_of(person);
	victim = NULL;
	for (w = 0; w < KS_WAYS && victim == NULL; w++)
		if (memcmp(e[w].person, person, 16) == 0)
			victim = &e[w]; /* its own entry */
	if (victim == NULL) {           /* else the one that expires first (empty: 0) */
		victim = &e[0];
		for (w = 1; w < KS_WAYS; w++)
			if (e[w].until_us < victim->until_us)
				victim = &e[w];
	}
	memcpy(victim->person, person, 16);
	memcpy(victim->dek, dek, AEAD_KEY_LEN);
	victim->until_us = now + ks.ttl_us;
	pthread_mutex_unlock(&ks.cache_lock);
}

static void
cache_drop(const unsigned char person[16])
{
	struct cached_key *e;
	int w;

	if (ks.cache == NULL)
		return;
	pthread_mutex_lock(&ks.cache_lock);
	e = set_of(person);
	for (w = 0; w < KS_WAYS; w++)
		if (memcmp(e[w].person, person, 16) == 0)
			wipe(&e[w], sizeof(e[w]));
	pthread_mutex_unlock(&ks.cache_lock);
}

int
keystore_init(const char *conninfo, int connections, long cache_entries, long cache_seconds,
	      char *err, size_t errlen)
{
	size_t n = 1;
	int i;

	if (connections < 1 || connections > KS_MAX_CONNS) {
		snprintf(err, errlen, "key store: 1 to %d connections", KS_MAX_CONNS);
		return -1;
	}
	ks.conninfo = strdup(conninfo);
	if (ks.conninfo == NULL)
		goto oom;
	ks.nconns = connections;
	for (i = 0; i < connections; i++) {
		pthread_mutex_init(&ks.conns[i].lock, NULL);
		ks.conns[i].c = NULL;
	}
	if (cache_entries > 0) {
		n = KS_WAYS;
		while (n < (size_t)cache_entries)
			n <<= 1;
		ks.cache = calloc(n, sizeof(*ks.cache));
		if (ks.cache == NULL)
			goto oom;
		ks.cache_mask = n - 1;
		ks.ttl_us = (uint64_t)cache_seconds * 1000000u;
	}
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	keystore_shutdown();
	return -1;
}

static void drop_ready(void);

void
keystore_shutdown(void)
{
	int i;

	if (ks.nconns > 0)
		drop_ready();
	for (i = 0; i < ks.nconns; i++) {
		if (ks.conns[i].c)
			db_close(ks.conns[i].c);
		ks.conns[i].c = NULL;
		pthread_mutex_destroy(&ks.conns[i].lock);
	}
	ks.nconns = 0;
	if (ks.cache) {
		wipe(ks.cache, (ks.cache_mask + 1) * sizeof(*ks.cache));
		free(ks.cache);
		ks.cache = NULL;
	}
	free(ks.conninfo);
	ks.conninfo = NULL;
}

/* A connection of the key store, locked; NULL when it cannot be opened. */
static struct ks_conn *
acquire(void)
{
	struct ks_conn *k;
	int i, start;

	if (ks.nconns == 0)
		return NULL;
	start = (int)(atomic_fetch_add(&ks.next, 1) % (unsigned)ks.nconns);
	for (i = 0; i < ks.nconns; i++) {
		k = &ks.conns[(start + i) % ks.nconns];
		if (pthread_mutex_trylock(&k->lock) == 0)
			goto got;
	}
	k = &ks.conns[start];
	pthread_mutex_lock(&k->lock);
got:
	if (k->c && db_lost(k->c)) {
		db_close(k->c);
		k->c = NULL;
	}
	if (k->c == NULL) {
		struct db_conn *c = NULL;

		if (db_connect(ks.conninfo, &c) != DB_OK) {
			log_warnx("key store: cannot connect: %s", c ? db_last_error(c) : "?");
			if (c)
				db_close(c);
			pthread_mutex_unlock(&k->lock);
			return NULL;
		}
		k->c = c;
	}
	return k;
}

static void
release(struct ks_conn *k)
{
	pthread_mutex_unlock(&k->lock);
}

/* One statement on a connection of the key store; a connection found dead
 * (the key store restarted while it was idle) is reopened and the
 * statement tried again, until each connection has been tried once. */
static enum ks_status
exec(const char *sql, int n, const char *const *params, struct db_res **res)
{
	struct ks_conn *k;
	enum db_status s = DB_ERROR;
	bool lost;
	int attempt;

	for (attempt = 0; attempt <= ks.nconns; attempt++) {
		if ((k = acquire()) == NULL)
			return KS_UNAVAILABLE;
		s = db_exec_params(k->c, sql, n, params, res);
		lost = s != DB_OK && db_lost(k->c);
		if (s != DB_OK && !lost)
			log_warnx("key store: %s", db_last_error(k->c));
		release(k);
		if (!lost)
			break;
	}
	return s == DB_OK ? KS_OK : KS_UNAVAILABLE;
}

/* Data keys made ahead, KS_READY at a time in one insert: a new person
 * takes one, so that creating a person costs no commit of the key store
 * (one per KS_READY persons).  A key made ahead and never taken (the
 * process stopped) wraps nothing: keystore_shutdown removes those it
 * still holds. */
#define KS_READY 64

static struct {
	pthread_mutex_t lock;
	int n;
	char ids[KS_READY][37];
	unsigned char deks[KS_READY][AEAD_KEY_LEN];
} ready = {.lock = PTHREAD_MUTEX_INITIALIZER};

#define SQL_KEY_INSERT_MANY                                                                        \
	"INSERT INTO person_keys (person_id, kid, wrapped) SELECT p, $2, decode(w, 'hex') "        \
	"FROM unnest($1::uuid[], $3::text[]) AS k(p, w)"
#define SQL_KEY_DELETE_MANY "DELETE FROM person_keys WHERE person_id = ANY ($1::uuid[])"

/* Fills ready (empty, locked) with KS_READY new keys, stored in one insert. */
static enum ks_status
refill(void)
{
	char kid[KEYRING_ID_MAX + 1];
	const char *params[3];
	struct buf ids, wrapped;
	enum ks_status s = KS_BROKEN;
	int i;

	buf_init(&ids, 1 << 16);
	buf_init(&wrapped, 1 << 16);
	keyring_current_id(kid);
	for (i = 0; i < KS_READY; i++) {
		unsigned char w[KEYRING_WRAPPED_LEN];
		char hex[2 * KEYRING_WRAPPED_LEN + 1], id[KEYRING_ID_MAX + 1];

		if (crypto_uuid(ready.ids[i]) != 0 ||
		    crypto_random(ready.deks[i], AEAD_KEY_LEN) != 0 ||
		    keyring_wrap(ready.ids[i], ready.deks[i], id, w) != 0 || strcmp(id, kid) != 0)
			goto out;
		hex_encode(w, sizeof(w), hex);
		if (buf_cat(&ids, i ? "," : "{", ready.ids[i], (char *)NULL) != 0 ||
		    buf_cat(&wrapped, i ? "," : "{", hex, (char *)NULL) != 0)
			goto out;
	}
	if (APPEND_LITERAL(&ids, "}") != 0 || APPEND_LITERAL(&wrapped, "}") != 0)
		goto out;
	params[0] = ids.data;
	params[1] = kid;
	params[2] = wrapped.data;
	s = exec(SQL_KEY_INSERT_MANY, 3, params, NULL);
	if (s == KS_OK)
		ready.n = KS_READY;
out:
	if (s != KS_OK)
		wipe(ready.deks, sizeof(ready.deks));
	buf_free(&ids);
	buf_free(&wrapped);
	return s;
}

enum ks_status
keystore_create(char person[37], unsigned char dek[AEAD_KEY_LEN])
{
	unsigned char id[16];
	enum ks_status s = KS_OK;

	pthread_mutex_lock(&ready.lock);
	if (ready.n == 0)
		s = refill();
	if (s == KS_OK) {
		ready.n--;
		memcpy(person, ready.ids[ready.n], 37);
		memcpy(dek, ready.deks[ready.n], AEAD_KEY_LEN);
		wipe(ready.deks[ready.n], AEAD_KEY_LEN);
	}
	pthread_mutex_unlock(&ready.lock);
	if (s != KS_OK) {
		atomic_fetch_add(&ks.errors, 1);
		return s;
	}
	if (uuid_bytes(person, id) == 0)
		cache_put(id, dek);
	return KS_OK;
}

/* The keys made ahead and not taken: removed (best effort). */
static void
drop_ready(void)
{
	struct buf ids;
	const char *params[1];
	int i;

	pthread_mutex_lock(&ready.lock);
	buf_init(&ids, 1 << 16);
	for (i = 0; i < ready.n; i++)
		if (buf_cat(&ids, i ? "," : "{", ready.ids[i], (char *)NULL) != 0)
			break;
	if (ready.n > 0 && i == ready.n && APPEND_LITERAL(&ids, "}") == 0) {
		params[0] = ids.data;
		(void)exec(SQL_KEY_DELETE_MANY, 1, params, NULL);
	}
	wipe(ready.deks, sizeof(ready.deks));
	ready.n = 0;
	buf_free(&ids);
	pthread_mutex_unlock(&ready.lock);
}

enum ks_status
keystore_get(const char *person, unsigned char dek[AEAD_KEY_LEN])
{
	unsigned char id[16], wrapped[KEYRING_WRAPPED_LEN];
	const char *params[1] = {person};
	struct db_res *res = NULL;
	enum ks_status s;

	if (uuid_bytes(person, id) != 0)
		return KS_ABSENT;
	if (cache_get(id, dek)) {
		atomic_fetch_add(&ks.hits, 1);
		return KS_OK;
	}
	atomic_fetch_add(&ks.misses, 1);
	s = exec(SQL_KEY_GET, 1, params, &res);
	if (s != KS_OK) {
		atomic_fetch_add(&ks.errors, 1);
		return s;
	}
	if (db_rows(res) == 0) {
		db_res_free(res);
		atomic_fetch_add(&ks.absent, 1);
		return KS_ABSENT;
	}
	if (hex_decode(row_val(res, 0, KEY_GET_WRAPPED), wrapped, sizeof(wrapped)) != 0 ||
	    keyring_unwrap(person, row_val(res, 0, KEY_GET_KID), wrapped, dek) != 0) {
		log_warnx("key store: the data key of person %s does not open with the master "
			  "key %s (REFGW_MASTER_KEY_FILE)",
			  person, row_val(res, 0, KEY_GET_KID));
		db_res_free(res);
		atomic_fetch_add(&ks.errors, 1);
		return KS_BROKEN;
	}
	db_res_free(res);
	cache_put(id, dek);
	return KS_OK;
}

#define SQL_KEY_GET_MANY                                                                           \
	"SELECT person_id, kid, encode(wrapped, 'hex') FROM person_keys "                          \
	"WHERE person_id = ANY ($1::uuid[])"

/* A person of a keystore_get_many call not in the cache, by id. */
struct wanted {
	unsigned char id[16];
	size_t at;
};

static int
wanted_cmp(const void *a, const void *b)
{
	return memcmp(((const struct wanted *)a)->id, ((const struct wanted *)b)->id, 16);
}

/* Fetches the keys of the n wanted persons (sorted by id) in one query,
 * unwraps and caches them; each found one's status becomes KS_OK or
 * KS_BROKEN. */
static enum ks_status
fetch_many(const char *const *persons, struct wanted *want, size_t n,
	   unsigned char (*deks)[AEAD_KEY_LEN], enum ks_status *status)
{
	struct buf ids;
	struct db_res *res = NULL;
	const char *params[1];
	enum ks_status s = KS_UNAVAILABLE;
	size_t i;
	int row;

	buf_init(&ids, (size_t)n * 40 + 16);
	for (i = 0; i < n; i++)
		if (buf_cat(&ids, i ? "," : "{", persons[want[i].at], (char *)NULL) != 0)
			goto out;
	if (APPEND_LITERAL(&ids, "}") != 0)
		goto out;
	params[0] = ids.data;
	if ((s = exec(SQL_KEY_GET_MANY, 1, params, &res)) != KS_OK)
		goto out;
	for (row = 0; row < db_rows(res); row++) {
		struct wanted key = {.at = 0}, *hit;
		unsigned char wrapped[KEYRING_WRAPPED_LEN], dek[AEAD_KEY_LEN];
		const char *person = row_val(res, row, KEY_PERSON),
			   *kid = row_val(res, row, KEY_KID);
		bool ok;

		if (uuid_bytes(person, key.id) != 0 ||
		    (hit = bsearch(&key, want, n, sizeof(*want), wanted_cmp)) == NULL)
			continue;
		ok = hex_decode(row_val(res, row, KEY_WRAPPED), wrapped, sizeof(wrapped)) == 0 &&
		     keyring_unwrap(person, kid, wrapped, dek) == 0;
		if (!ok)
			log_warnx("key store: the data key of person %s does not open with the "
				  "master key %s (REFGW_MASTER_KEY_FILE)",
				  person, kid);
		else
			cache_put(key.id, dek);
		/* the same person may be wanted more than once: every entry */
		while (hit > want && memcmp(hit[-1].id, key.id, 16) == 0)
			hit--;
		for (; hit < want + n && memcmp(hit->id, key.id, 16) == 0; hit++) {
			status[hit->at] = ok ? KS_OK : KS_BROKEN;
			if (ok)
				memcpy(deks[hit->at], dek, AEAD_KEY_LEN);
		}
		wipe(dek, sizeof(dek));
	}
out:
	db_res_free(res);
	buf_free(&ids);
	return s;
}

enum ks_status
keystore_get_many(const char *const *persons, size_t n, unsigned char (*deks)[AEAD_KEY_LEN],
		  enum ks_status *status)
{
	struct wanted *want = NULL;
	size_t i, nwant = 0;
	enum ks_status s = KS_OK;

	if (n == 0)
		return KS_OK;
	if ((want = malloc(n * sizeof(*want))) == NULL)
		return KS_BROKEN;
	for (i = 0; i < n; i++) {
		status[i] = KS_ABSENT;
		if (uuid_bytes(persons[i], want[nwant].id) != 0)
			continue;
		if (cache_get(want[nwant].id, deks[i])) {
			atomic_fetch_add(&ks.hits, 1);
			status[i] = KS_OK;
			continue;
		}
		want[nwant++].at = i;
	}
	if (nwant > 0) {
		atomic_fetch_add(&ks.misses, nwant);
		qsort(want, nwant, sizeof(*want), wanted_cmp);
		s = fetch_many(persons, want, nwant, deks, status);
		if (s != KS_OK)
			atomic_fetch_add(&ks.errors, 1);
		for (i = 0; i < nwant && s == KS_OK; i++)
			if (status[want[i].at] == KS_ABSENT)
				atomic_fetch_add(&ks.absent, 1);
	}
	free(want);
	if (s != KS_OK)
		wipe(deks, n * AEAD_KEY_LEN);
	return s;
}

enum ks_status
keystore_destroy(const char *person)
{
	unsigned char id[16];
	const char *params[1] = {person};

	enum ks_status s;

	if (uuid_bytes(person, id) != 0)
		return KS_ABSENT;
	cache_drop(id);
	s = exec(SQL_KEY_DELETE, 1, params, NULL);
	/* again: a read in between may have cached it anew */
	cache_drop(id);
	return s;
}

void
keystore_forget(const char *person)
{
	unsigned char id[16];

	if (uuid_bytes(person, id) == 0)
		cache_drop(id);
}

void
keystore_forget_all(void)
{
	if (ks.cache == NULL)
		return;
	pthread_mutex_lock(&ks.cache_lock);
	wipe(ks.cache, (ks.cache_mask + 1) * sizeof(*ks.cache));
	pthread_mutex_unlock(&ks.cache_lock);
}

int
keystore_rewrap(long batch, long *rewrapped, long *left)
{
	char kid[KEYRING_ID_MAX + 1], limit[24];
	const char *params[2] = {kid, limit};
	struct ks_conn *k;
	struct db_res *res = NULL;
	int i, rc = -1;

	*rewrapped = 0;
	*left = -1;
	keyring_current_id(kid);
	snprintf(limit, sizeof(limit), "%ld", batch);
	if ((k = acquire()) == NULL)
		return -1;
	if (db_begin(k->c) != DB_OK ||
	    db_exec_params(k->c, SQL_KEY_STALE, 2, params, &res) != DB_OK)
		goto out;
	for (i = 0; i < db_rows(res); i++) {
		const char *person = row_val(res, i, KEY_PERSON), *old = row_val(res, i, KEY_KID);
		unsigned char wrapped[KEYRING_WRAPPED_LEN], dek[AEAD_KEY_LEN];
		char hex[2 * KEYRING_WRAPPED_LEN + 1], now[KEYRING_ID_MAX + 1];
		const char *up[4] = {person, now, hex, old};
		int bad = hex_decode(row_val(res, i, KEY_WRAPPED), wrapped, sizeof(wrapped)) != 0 ||
			  keyring_unwrap(person, old, wrapped, dek) != 0 ||
			  keyring_wrap(person, dek, now, wrapped) != 0;

		wipe(dek, sizeof(dek));
		if (bad) {
			log_warnx("keys rewrap: the data key of person %s does not open with the "
				  "master key %s: is that key still in REFGW_MASTER_KEY_FILE?",
				  person, old);
			goto out;
		}
		hex_encode(wrapped, sizeof(wrapped), hex);
		if (db_exec_params(k->c, SQL_KEY_REWRAP, 4, up, NULL) != DB_OK)
			goto out;
		(*rewrapped)++;
	}
	if (db_commit(k->c) != DB_OK)
		goto out;
	db_res_free(res);
	res = NULL;
	if (db_exec_params(k->c, SQL_KEY_LEFT, 1, params, &res) != DB_OK ||
	    parse_long(row_val(res, 0, KEY_LEFT_N), 0, 0x7fffffffffffffffL, left) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		log_warnx("keys rewrap: %s", db_last_error(k->c));
		db_rollback(k->c);
	}
	db_res_free(res);
	release(k);
	return rc;
}

int
keystore_census(struct buf *out)
{
	struct db_res *res = NULL;
	int i, rc = 0;

	if (exec(SQL_KEY_CENSUS, 0, NULL, &res) != KS_OK)
		return -1;
	for (i = 0; i < db_rows(res) && rc == 0; i++)
		rc = buf_printf(out, "%s %s\n", row_val(res, i, KEY_COUNT_KID),
				row_val(res, i, KEY_COUNT_N));
	db_res_free(res);
	return rc;
}

void
keystore_stats(struct keystore_stats *out)
{
	out->hits = atomic_load(&ks.hits);
	out->misses = atomic_load(&ks.misses);
	out->absent = atomic_load(&ks.absent);
	out->errors = atomic_load(&ks.errors);
}
