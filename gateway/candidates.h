/* candidates: GET /v1/units/{id}/candidates, the caller's waitlisted
 * referrals for one unit, the eligible ones ranked by order of application,
 * each with its reasons; the excluded ones with the constraints they fail.
 * Rules: schema/009_candidates.sql and docs/candidates.md. */
#ifndef REFGW_CANDIDATES_H
#define REFGW_CANDIDATES_H

#include "request.h"
#include "rows.h"

/* One waitlisted referral measured against the unit (ST_CANDIDATES' w).
 * Only its id and date of application are rendered as columns; the rank,
 * the failed constraints and the reasons are written from the others.
 * needs and release_date come from refgw_waitlist_needs(): a referral whose
 * consent no longer holds has none (visible false) and is never eligible. */
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
	C(CC_RELEASE_OK, "release_ok", "w.release_ok", COL_KEY, 0, NULL)                           \
	C(CC_ELIGIBLE, "eligible", "w.eligible", COL_KEY, 0, NULL)                                 \
	C(CC_RANK, "rank", "w.rn", COL_KEY, 0, NULL)                                               \
	C(CC_GROUP_SIZE, "group_size", "w.n", COL_KEY, 0, NULL)                                    \
	C(CC_VISIBLE, "visible", "w.visible", COL_KEY, 0, NULL)                                    \
	C(CC_PERSON, "person_id", "w.person_id", COL_KEY, 0, NULL)

enum candidate_col { CANDIDATE_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc candidate_row;

int handle_unit_candidates(struct request *r);

#endif
