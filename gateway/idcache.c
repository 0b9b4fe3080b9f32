/* idcache: a fixed table of slots indexed by the certificate fingerprint,
 * each under its own read-write lock (every request of one partner reads the
 * same slot: readers must not queue behind one another); nothing is allocated.  See idcache.h for
 * when an entry may be served. */
#include "idcache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "notify.h"

#define SLOTS 256 /* organisations' certificates in use at once, comfortably */

struct slot {
	pthread_rwlock_t lock;
	/* When a refresh of this entry was last asked for: one per time to
	 * live, and asked again if the last one is older than that. */
	atomic_uint_least64_t refresh_asked_us;
	bool used;
	uint64_t generation, stored_us;
	char sha256[65];
	char organisation_id[37];
	char organisation_name[201];
	char kind[32];
	char actions[CALLER_ACTIONS_MAX];
};

static struct slot slots[SLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
static atomic_ulong local_generation = 1;
static atomic_ulong ttl_us;

static void
slots_init(void)
{
	pthread_rwlockattr_t attr;
	size_t i;

	/* Writers first: with every request of a partner reading one slot, a
	 * reader-first lock can keep the request that stores it waiting for
	 * seconds (seen under load). */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	for (i = 0; i < SLOTS; i++)
		pthread_rwlock_init(&slots[i].lock, &attr);
	pthread_rwlockattr_destroy(&attr);
}

void
idcache_configure(long ttl_ms)
{
	pthread_once(&slots_once, slots_init);
	atomic_store(&ttl_us, ttl_ms > 0 ? (unsigned long)ttl_ms * 1000u : 0);
}

/* The fingerprint is a hash already: its first hex digits spread well. */
static struct slot *
slot_of(const char *sha256)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 2 && sha256[i]; i++) {
		char c = sha256[i];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return &slots[v % SLOTS];
}

uint64_t
idcache_generation(void)
{
	uint64_t listener;

	if (atomic_load(&ttl_us) == 0 || !notify_identity_generation(&listener))
		return 0;
	/* Both counters only grow: any change to either changes the sum. */
	return listener + atomic_load(&local_generation);
}

bool
idcache_get(const char *sha256, uint64_t now_us, struct identity *who, char *actions,
	    size_t actions_len, bool *refresh)
{
	uint64_t gen = idcache_generation(), ttl = atomic_load(&ttl_us), age;
	struct slot *s;
	bool hit = false;

	*refresh = false;
	if (gen == 0 || strlen(sha256) != 64)
		return false;
	s = slot_of(sha256);
	pthread_rwlock_rdlock(&s->lock);
	age = now_us > s->stored_us ? now_us - s->stored_us : 0;
	/* Served for up to two times to live (the generation still matches:
	 * nothing is known to have changed); past the first, the request that
	 * asks first has the entry re-read in the background, so that no
	 * request waits for the database at each expiry. */
	if (s->used && s->generation == gen && age < 2 * ttl && strcmp(s->sha256, sha256) == 0 &&
	    strlen(s->actions) < actions_len) {
		memcpy(who->organisation_id, s->organisation_id, sizeof(who->organisation_id));
		memcpy(who->organisation_name, s->organisation_name,
		       sizeof(who->organisation_name));
		memcpy(who->kind, s->kind, sizeof(who->kind));
		snprintf(actions, actions_len, "%s", s->actions);
		hit = true;
		if (age >= ttl) {
			uint64_t asked = atomic_load(&s->refresh_asked_us);
			if ((asked < s->stored_us || (asked <= now_us && now_us - asked >= ttl)) &&
			    atomic_compare_exchange_strong(&s->refresh_asked_us, &asked, now_us))
				*refresh = true;
		}
	}
	pthread_rwlock_unlock(&s->lock);
	return hit;
}

void
idcache_put(uint64_t gen, const char *sha256, uint64_t now_us, const struct identity *who,
	    const char *actions)
{
	struct slot *s;

	/* A pending certificate authenticates nothing: never remember one. */
	if (gen == 0 || strlen(sha256) != 64 || strlen(actions) >= CALLER_ACTIONS_MAX ||
	    !who->certificate_confirmed)
		return;
	s = slot_of(sha256);
	pthread_rwlock_wrlock(&s->lock);
	s->used = true;
	s->generation = gen;
	s->stored_us = now_us;
	memcpy(s->sha256, sha256, 65);
	memcpy(s->organisation_id, who->organisation_id, sizeof(s->organisation_id));
	memcpy(s->organisation_name, who->organisation_name, sizeof(s->organisation_name));
	memcpy(s->kind, who->kind, sizeof(s->kind));
	snprintf(s->actions, sizeof(s->actions), "%s", actions);
	pthread_rwlock_unlock(&s->lock);
}

void
idcache_drop(const char *sha256)
{
	struct slot *s;

	if (strlen(sha256) != 64)
		return;
	s = slot_of(sha256);
	pthread_rwlock_wrlock(&s->lock);
	if (s->used && strcmp(s->sha256, sha256) == 0)
		s->used = false;
	pthread_rwlock_unlock(&s->lock);
}

void
idcache_invalidate(void)
{
	atomic_fetch_add(&local_generation, 1);
}
