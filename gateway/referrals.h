/* referrals: the state machine, as a table others (and tests) can read. */
#ifndef REFGW_REFERRALS_H
#define REFGW_REFERRALS_H

#include <stdbool.h>
#include <stddef.h>

enum referral_party { PARTY_RECEIVER, PARTY_SENDER };

/* Whether `by` may move a referral from `from` to `to`. */
bool referral_transition_allowed(const char *from, const char *to, enum referral_party by);
/* Writes the states `by` may move `from` to, comma-separated ("" if none). */
void referral_allowed_targets(const char *from, enum referral_party by, char *out, size_t outlen);
/* Whether reason_code is one of the documented codes for moving to `to`. */
bool referral_reason_valid(const char *to, const char *reason_code);

#endif
