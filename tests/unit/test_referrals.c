/* referrals: the state machine table and the reason codes; persons: the
 * national register number check. */
#include <string.h>

#include "common.h"
#include "persons.h"
#include "referrals.h"
#include "suites.h"

static const char *const all[] = {"submitted", "received",   "accepted",
				  "declined",  "waitlisted", "in_progress",
				  "completed", "cancelled",  "consent_withdrawn"};

/* The brief's machine, written out independently of gateway/referrals.c. */
static int
expected(const char *from, const char *to, enum referral_party by)
{
	static const char *const receiver[][2] = {
		{"submitted", "received"},   {"received", "accepted"},
		{"received", "declined"},    {"received", "waitlisted"},
		{"waitlisted", "accepted"},  {"waitlisted", "declined"},
		{"accepted", "in_progress"}, {"in_progress", "completed"}};
	static const char *const cancellable[] = {"submitted", "received", "waitlisted", "accepted",
						  "in_progress"};
	size_t i;

	if (by == PARTY_RECEIVER) {
		for (i = 0; i < sizeof(receiver) / sizeof(receiver[0]); i++)
			if (strcmp(receiver[i][0], from) == 0 && strcmp(receiver[i][1], to) == 0)
				return 1;
		return 0;
	}
	if (strcmp(to, "cancelled") != 0)
		return 0;
	for (i = 0; i < sizeof(cancellable) / sizeof(cancellable[0]); i++)
		if (strcmp(cancellable[i], from) == 0)
			return 1;
	return 0;
}

START_TEST(every_pair_of_states_for_both_parties)
{
	size_t f, t;
	int by;

	for (by = PARTY_RECEIVER; by <= PARTY_SENDER; by++)
		for (f = 0; f < 9; f++)
			for (t = 0; t < 9; t++)
				ck_assert_msg(
					referral_transition_allowed(all[f], all[t],
								    (enum referral_party)by) ==
						expected(all[f], all[t], (enum referral_party)by),
					"%s -> %s by %s", all[f], all[t],
					by ? "sender" : "receiver");
}
END_TEST

START_TEST(terminal_states_allow_nothing)
{
	static const char *const terminal[] = {"completed", "declined", "cancelled",
					       "consent_withdrawn"};
	char out[128];
	size_t i;

	for (i = 0; i < 4; i++) {
		referral_allowed_targets(terminal[i], PARTY_RECEIVER, out, sizeof(out));
		ck_assert_str_eq(out, "");
		referral_allowed_targets(terminal[i], PARTY_SENDER, out, sizeof(out));
		ck_assert_str_eq(out, "");
	}
	referral_allowed_targets("received", PARTY_RECEIVER, out, sizeof(out));
	ck_assert_str_eq(out, "accepted, declined, waitlisted");
}
END_TEST

START_TEST(reason_codes)
{
	ck_assert(referral_reason_valid("declined", "no_capacity"));
	ck_assert(referral_reason_valid("declined", "other"));
	ck_assert(!referral_reason_valid("declined", "sent_in_error"));
	ck_assert(referral_reason_valid("cancelled", "sent_in_error"));
	ck_assert(!referral_reason_valid("accepted", "no_capacity"));
	/* completed: an outcome; cancelled: a cancel reason or an outcome */
	ck_assert(referral_reason_valid("completed", "durable_housing"));
	ck_assert(referral_reason_valid("completed", "lost_contact"));
	ck_assert(!referral_reason_valid("completed", "sent_in_error"));
	ck_assert(!referral_reason_valid("completed", "street")); /* 008's code: not here */
	ck_assert(referral_reason_valid("cancelled", "deceased"));
}
END_TEST

static const struct {
	const char *niss;
	bool valid;
} nisses[] = {
	{"87010112332", true}, /* born 1987: 97 - (870101123 mod 97) = 32 */
	{"87010112345", false},
	{"00010112304", false},
	{"0001011230", false},
	{"8701011233x", false},
	{"", false},
	{"01010100126", true}, /* born 2001: 97 - (2010101001 mod 97) = 26 */
};

START_TEST(national_register_numbers)
{
	ck_assert_msg(niss_valid(nisses[_i].niss) == nisses[_i].valid, "%s", nisses[_i].niss);
}
END_TEST

Suite *
referrals_unit_suite(void)
{
	Suite *s = suite_create("referrals");
	TCase *t = tcase_create("state machine");

	tcase_add_test(t, every_pair_of_states_for_both_parties);
	tcase_add_test(t, terminal_states_allow_nothing);
	tcase_add_test(t, reason_codes);
	tcase_add_loop_test(t, national_register_numbers, 0,
			    (int)(sizeof(nisses) / sizeof(nisses[0])));
	suite_add_tcase(s, t);
	return s;
}
