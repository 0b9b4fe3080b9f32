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

/* The caller's waitlisted referrals in order of application (ST_WAITLIST),
 * each with what ranking it against a unit needs: its date of application
 * (Brussels), whether its consent still holds (visible: its needs and
 * release date are given, sealed, as refgw_waitlist_needs() gives them,
 * schema/016 and 051; a need the ranking does not read, income_band, is not
 * even sent), whether it is back because its unit was taken back
 * (refgw_waitlist_taken_back(), schema/033), and the database's today.
 * candidates.c opens the needs with the persons' keys and measures and
 * orders them itself (docs/candidates.md); nothing of it is sent to a
 * client but the id, the date of application, the rank and the reasons.
 * WL_HOUSEHOLD to WL_PREFERRED are the needs, in this order, each named as
 * its member of needs (the label it is sealed under: "needs.<name>");
 * WL_RANKING, when the referral has it (schema/055), is all of them and the
 * release date as one sealed object (label "ranking"), and the members are
 * then NULL. */
#define WAITLIST_COLUMNS(C)                                                                        \
	C(WL_ID, "referral_id", "r.id", COL_KEY, 0, NULL)                                          \
	C(WL_PERSON, "person_id", "r.person_id", COL_KEY, 0, NULL)                                 \
	C(WL_APPLIED, "applied_at", TS("r.created_at"), COL_KEY, 0, NULL)                          \
	C(WL_APP_DAY, "application_day",                                                           \
	  "(r.created_at AT TIME ZONE 'Europe/Brussels')::date::text", COL_KEY, 0, NULL)           \
	C(WL_VISIBLE, "visible", "n.referral_id IS NOT NULL", COL_KEY, 0, NULL)                    \
	C(WL_TAKEN_BACK, "taken_back", "b.referral_id IS NOT NULL", COL_KEY, 0, NULL)              \
	C(WL_TODAY, "today", "current_date::text", COL_KEY, 0, NULL)                               \
	C(WL_RELEASE, "release_date", "n.release_date", COL_KEY, 0, NULL)                          \
	C(WL_HOUSEHOLD, "household_size", "n.needs->>'household_size'", COL_KEY, 0, NULL)          \
	C(WL_ACCESS, "accessibility", "n.needs->>'accessibility'", COL_KEY, 0, NULL)               \
	C(WL_AVOID, "avoid_communes", "n.needs->>'avoid_communes'", COL_KEY, 0, NULL)              \
	C(WL_EXCLUDED, "excluded_communes", "n.needs->>'excluded_communes'", COL_KEY, 0, NULL)     \
	C(WL_PREFERRED, "preferred_communes", "n.needs->>'preferred_communes'", COL_KEY, 0, NULL)  \
	C(WL_RANKING, "ranking", "n.ranking", COL_KEY, 0, NULL)

enum waitlist_col { WAITLIST_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc waitlist_row;

int handle_unit_candidates(struct request *r);

#endif
