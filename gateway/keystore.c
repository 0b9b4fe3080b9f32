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

static size_t
slot_of(const unsigned char person[16])
{
	uint64_t h;

	memcpy(&h, person, sizeof(h)); /* random (v4) ids: their bytes are a hash */
	return (size_t)h & ks.cache_mask;
}

static bool
cache_get(const unsigned char person[16], unsigned char dek[AEAD_KEY_LEN])
{
	struct cached_key *e;
	bool hit = false;

	if (ks.cache == NULL)
		return false;
	pthread_mutex_lock(&ks.cache_lock);
	e = &ks.cache[slot_of(person)];
	if (e->until_us > now_monotonic_us() && memcmp(e->person, person, 16) == 0) {
		memcpy(dek, e->dek, AEAD_KEY_LEN);
		hit = true;
	}
	pthread_mutex_unlock(&ks.cache_lock);
	return hit;
}

static void
cache_put(const unsigned char person[16], const unsigned char dek[AEAD_KEY_LEN])
{
	struct cached_key *e;

	if (ks.cache == NULL)
		return;
	pthread_mutex_lock(&ks.cache_lock);
	e = &ks.cache[slot_of(person)];
	memcpy(e->person, person, 16);
	memcpy(e->dek, dek, AEAD_KEY_LEN);
	e->until_us = now_monotonic_us() + ks.ttl_us;
	pthread_mutex_unlock(&ks.cache_lock);
}

static void
cache_drop(const unsigned char person[16])
{
	struct cached_key *e;

	if (ks.cache == NULL)
		return;
	pthread_mutex_lock(&ks.cache_lock);
	e = &ks.cache[slot_of(person)];
	if (memcmp(e->person, person, 16) == 0) {
		wipe(e, sizeof(*e));
	}
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

void
keystore_shutdown(void)
{
	int i;

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

static enum ks_status
exec(const char *sql, int n, const char *const *params, struct db_res **res)
{
	struct ks_conn *k = acquire();
	enum db_status s;

	if (k == NULL)
		return KS_UNAVAILABLE;
	s = db_exec_params(k->c, sql, n, params, res);
	if (s != DB_OK)
		log_warnx("key store: %s", db_last_error(k->c));
	release(k);
	return s == DB_OK ? KS_OK : KS_UNAVAILABLE;
}

enum ks_status
keystore_create(const char *person, unsigned char dek[AEAD_KEY_LEN])
{
	unsigned char id[16], wrapped[KEYRING_WRAPPED_LEN];
	char kid[KEYRING_ID_MAX + 1], hex[2 * KEYRING_WRAPPED_LEN + 1];
	const char *params[3] = {person, kid, hex};
	enum ks_status s;

	if (uuid_bytes(person, id) != 0 || crypto_random(dek, AEAD_KEY_LEN) != 0 ||
	    keyring_wrap(person, dek, kid, wrapped) != 0) {
		wipe(dek, AEAD_KEY_LEN);
		atomic_fetch_add(&ks.errors, 1);
		return KS_BROKEN;
	}
	hex_encode(wrapped, sizeof(wrapped), hex);
	s = exec(SQL_KEY_INSERT, 3, params, NULL);
	if (s != KS_OK) {
		wipe(dek, AEAD_KEY_LEN);
		atomic_fetch_add(&ks.errors, 1);
		return s;
	}
	cache_put(id, dek);
	return KS_OK;
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
	if (hex_decode(db_val(res, 0, 1), wrapped, sizeof(wrapped)) != 0 ||
	    keyring_unwrap(person, db_val(res, 0, 0), wrapped, dek) != 0) {
		log_warnx("key store: the data key of person %s does not open with the master "
			  "key %s (REFGW_MASTER_KEY_FILE)",
			  person, db_val(res, 0, 0));
		db_res_free(res);
		atomic_fetch_add(&ks.errors, 1);
		return KS_BROKEN;
	}
	db_res_free(res);
	cache_put(id, dek);
	return KS_OK;
}

enum ks_status
keystore_destroy(const char *person)
{
	unsigned char id[16];
	const char *params[1] = {person};

	if (uuid_bytes(person, id) != 0)
		return KS_ABSENT;
	cache_drop(id);
	return exec(SQL_KEY_DELETE, 1, params, NULL);
}

void
keystore_forget(const char *person)
{
	unsigned char id[16];

	if (uuid_bytes(person, id) == 0)
		cache_drop(id);
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
		const char *person = db_val(res, i, 0), *old = db_val(res, i, 1);
		unsigned char wrapped[KEYRING_WRAPPED_LEN], dek[AEAD_KEY_LEN];
		char hex[2 * KEYRING_WRAPPED_LEN + 1], now[KEYRING_ID_MAX + 1];
		const char *up[4] = {person, now, hex, old};
		int bad = hex_decode(db_val(res, i, 2), wrapped, sizeof(wrapped)) != 0 ||
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
	    parse_long(db_val(res, 0, 0), 0, 0x7fffffffffffffffL, left) != 0)
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
		rc = buf_printf(out, "%s %s\n", db_val(res, i, 0), db_val(res, i, 1));
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
