/* candidates: GET /v1/units/{id}/candidates, the caller's waitlisted
 * referrals for one unit, the eligible ones ranked by fit, then order of
 * application (by day), then release urgency, then preferred communes, each
 * with its reasons and their codes; the excluded ones with the constraints
 * they fail (a commune a justice condition excludes among them).
 * Rules: schema/009_candidates.sql and docs/candidates.md. */
#ifndef REFGW_CANDIDATES_H
#define REFGW_CANDIDATES_H

#include "request.h"
#include "rows.h"

/* One waitlisted referral measured against the unit (ST_CANDIDATES' w).
 * Only its id and date of application are rendered as columns; the rank,
 * the failed constraints and the reasons are written from the others.
 * needs and release_date come from refgw_waitlist_needs(), opened by the
 * gateway (WAITLIST_NEED_COLUMNS) and passed back as $needs: a referral
 * whose consent no longer holds has none (visible false) and is never
 * eligible. */
#define CANDIDATE_COLUMNS(C)                                                                       \
	C(CC_ID, "referral_id", "w.id", COL_PLAIN, 0, NULL)                                        \
	C(CC_APPLIED, "applied_at", TS("w.created_at"), COL_PLAIN, 0, NULL)                        \
	C(CC_HOUSEHOLD, "household_size", "w.hs", COL_KEY, 0, NULL)                                \
	C(CC_CAPACITY, "capacity", "w.cap", COL_KEY, 0, NULL)                                      \
	C(CC_ACCESS, "accessibility", "w.acc", COL_KEY, 0, NULL)                                   \
	C(CC_AVOID, "avoid_communes", "w.avoid::text", COL_KEY, 0, NULL)                           \
	C(CC_RELEASE, "release_date", "w.release_date::text", COL_KEY, 0, NULL)                    \
	C(CC_FITS, "fits", "w.fits", COL_KEY, 0, NULL)                                             \
	C(CC_ACCESS_OK, "access_ok", "w.access_ok", COL_KEY, 0, NULL)                              \
	C(CC_COMMUNE_OK, "commune_ok", "w.commune_ok", COL_KEY, 0, NULL)                           \
	C(CC_JUSTICE_OK, "justice_ok", "w.justice_ok", COL_KEY, 0, NULL)                           \
	C(CC_EXCLUDED_N, "excluded_n", "w.excl_n", COL_KEY, 0, NULL)                               \
	C(CC_PREFERRED_N, "preferred_n", "w.pref_n", COL_KEY, 0, NULL)                             \
	C(CC_PREFERRED, "preferred", "w.preferred", COL_KEY, 0, NULL)                              \
	C(CC_RELEASE_IN, "release_in", "w.release_in", COL_KEY, 0, NULL)                           \
	C(CC_APP_DAY, "application_day", "w.app_day::text", COL_KEY, 0, NULL)                      \
	C(CC_DAY_N, "day_size", "w.day_n", COL_KEY, 0, NULL)                                       \
	C(CC_DAY_RANK, "day_rank", "w.day_rn", COL_KEY, 0, NULL)                                   \
	C(CC_RELEASE_OK, "release_ok", "w.release_ok", COL_KEY, 0, NULL)                           \
	C(CC_ELIGIBLE, "eligible", "w.eligible", COL_KEY, 0, NULL)                                 \
	C(CC_RANK, "rank", "w.rn", COL_KEY, 0, NULL)                                               \
	C(CC_GROUP_SIZE, "group_size", "w.n", COL_KEY, 0, NULL)                                    \
	C(CC_VISIBLE, "visible", "w.visible", COL_KEY, 0, NULL)                                    \
	C(CC_PERSON, "person_id", "w.person_id", COL_KEY, 0, NULL)                                 \
	C(CC_TAKEN_BACK, "taken_back", "w.taken_back", COL_KEY, 0, NULL)

/* The caller's waitlisted referrals whose consent holds, their release
 * date and the needs the ranking reads, sealed (schema/051:
 * refgw_waitlist_needs(); a need it does not read, income_band, is not
 * even sent).  Opened by candidates.c with the person's key into the JSON
 * array ST_CANDIDATES reads with jsonb_to_recordset; never sent to a
 * client.  WN_HOUSEHOLD to WN_PREFERRED are the needs, in this order, each
 * named as its member of needs (the label it is sealed under:
 * "needs.<name>"). */
#define WAITLIST_NEED_COLUMNS(C)                                                                   \
	C(WN_ID, "referral_id", "w.referral_id", COL_KEY, 0, NULL)                                 \
	C(WN_PERSON, "person_id", "w.person_id", COL_KEY, 0, NULL)                                 \
	C(WN_RELEASE, "release_date", "w.release_date", COL_KEY, 0, NULL)                          \
	C(WN_HOUSEHOLD, "household_size", "w.needs->>'household_size'", COL_KEY, 0, NULL)          \
	C(WN_ACCESS, "accessibility", "w.needs->>'accessibility'", COL_KEY, 0, NULL)               \
	C(WN_AVOID, "avoid_communes", "w.needs->>'avoid_communes'", COL_KEY, 0, NULL)              \
	C(WN_EXCLUDED, "excluded_communes", "w.needs->>'excluded_communes'", COL_KEY, 0, NULL)     \
	C(WN_PREFERRED, "preferred_communes", "w.needs->>'preferred_communes'", COL_KEY, 0, NULL)

enum candidate_col { CANDIDATE_COLUMNS(COLUMN_ENUM) };
enum waitlist_need_col { WAITLIST_NEED_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc candidate_row, waitlist_need_row;

int handle_unit_candidates(struct request *r);

#endif
