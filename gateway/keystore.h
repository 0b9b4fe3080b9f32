/* keystore: each person's data key, wrapped under the master key
 * (keyring.c), in a table `person_keys` of the key store: its own database
 * (REFGW_KEYSTORE_URL), so that destroying a key reaches every copy and
 * backup of the data at once (docs/data-protection.md, "Erasure").  Keys
 * in use are cached unwrapped in memory, bounded and for a limited time. */
#ifndef REFGW_KEYSTORE_H
#define REFGW_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "crypto.h"
#include "util.h"

enum ks_status {
	KS_OK = 0,
	KS_ABSENT,      /* no key for that person: erased (or never had one) */
	KS_UNAVAILABLE, /* the key store did not answer */
	KS_BROKEN,      /* a wrapped key that does not open: wrong master key file */
};

int keystore_init(const char *conninfo, int connections, long cache_entries, long cache_seconds,
		  char *err, size_t errlen) MUSTCHECK;
void keystore_shutdown(void);
/* A new person's id and data key (stored already: made ahead, a batch at a
 * time). */
enum ks_status keystore_create(char person[37], unsigned char dek[AEAD_KEY_LEN]) MUSTCHECK;
enum ks_status keystore_get(const char *person, unsigned char dek[AEAD_KEY_LEN]) MUSTCHECK;
/* The keys of n persons at once: those not cached fetched in ONE query of
 * the key store (candidates.c opens a whole waitlist).  KS_OK, each
 * person's own status in status[i] (KS_OK: deks[i] holds the key;
 * KS_ABSENT: erased; KS_BROKEN), or KS_UNAVAILABLE (no key given) when the
 * key store did not answer.  The caller wipes deks. */
enum ks_status keystore_get_many(const char *const *persons, size_t n,
				 unsigned char (*deks)[AEAD_KEY_LEN],
				 enum ks_status *status) MUSTCHECK;
/* Destroys the key (and this instance's cached copy): KS_OK also when it
 * was already gone. */
enum ks_status keystore_destroy(const char *person) MUSTCHECK;
/* Forgets a cached key (another instance destroyed it: notify.c hears
 * refgw_erased, schema/050). */
void keystore_forget(const char *person);
/* Forgets every cached key (the notifications of erasures were not heard
 * for a while). */
void keystore_forget_all(void);

/* Rotation: re-wraps up to batch keys not under the current master key;
 * *rewrapped gets how many, *left how many remain under another key. */
int keystore_rewrap(long batch, long *rewrapped, long *left) MUSTCHECK;
/* How many keys each master key id wraps ("id count" lines into out). */
int keystore_census(struct buf *out) MUSTCHECK;

/* Counters for /metrics. */
struct keystore_stats {
	unsigned long hits, misses, absent, errors;
};
void keystore_stats(struct keystore_stats *out);

#endif
