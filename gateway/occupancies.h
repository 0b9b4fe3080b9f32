/* occupancies: a placement: a stay in a unit, started from an accepted
 * proposal, or one found outside refgw (the private market...), ended with
 * an outcome; the referral follows it (schema/022). */
#ifndef REFGW_OCCUPANCIES_H
#define REFGW_OCCUPANCIES_H

#include "request.h"
#include "rows.h"

/* The outcome (prison, hospital, deceased...) is the operator's to tell the
 * referring organisation under the consent: hidden from it once the
 * consent stops holding (issue 12).  The person is for the audit of its
 * read. */
#define OCCUPANCY_COLUMNS(C)                                                                       \
	C(OCCUPANCY_ID, "id", "o.id", COL_PLAIN, 0, NULL)                                          \
	C(OCCUPANCY_KIND, "kind", "o.kind", COL_PLAIN, 0, NULL)                                    \
	C(OCCUPANCY_UNIT, "unit_id", "o.unit_id", COL_PLAIN, COL_NULLABLE, NULL)                   \
	C(OCCUPANCY_PROPOSAL, "proposal_id", "o.proposal_id", COL_PLAIN, COL_NULLABLE, NULL)       \
	C(OCCUPANCY_REFERRAL, "referral_id", "o.referral_id", COL_PLAIN, 0, NULL)                  \
	C(OCCUPANCY_OPERATOR, "operator_organisation_id", "o.operator_org", COL_PLAIN,             \
	  COL_NULLABLE, NULL)                                                                      \
	C(OCCUPANCY_REFERRING, "referring_organisation_id", "o.referring_org", COL_PLAIN, 0, NULL) \
	C(OCCUPANCY_START, "start_date", "o.start_date::text", COL_PLAIN, 0, NULL)                 \
	C(OCCUPANCY_PLANNED_END, "planned_end_date", "o.planned_end_date::text", COL_PLAIN,        \
	  COL_NULLABLE, NULL)                                                                      \
	C(OCCUPANCY_END, "end_date", "o.end_date::text", COL_PLAIN, COL_NULLABLE, NULL)            \
	C(OCCUPANCY_OUTCOME, "outcome",                                                            \
	  "CASE WHEN o.operator_org = refgw_caller() OR "                                          \
	  "refgw_referral_data_visible(o.referral_id) THEN o.outcome END",                         \
	  COL_STRING, COL_NULLABLE, NULL)                                                          \
	C(OCCUPANCY_NOTE, "note",                                                                  \
	  "CASE WHEN o.note IS NOT NULL AND refgw_referral_data_visible(o.referral_id) "           \
	  "THEN o.note END",                                                                       \
	  COL_STRING, COL_OMIT_NULL | COL_SEALED, NULL)                                            \
	C(OCCUPANCY_REFERENT, "referent",                                                          \
	  "CASE WHEN o.referent_org IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object("        \
	  "'organisation_id', o.referent_org, 'name', o.referent_name, "                           \
	  "'role', o.referent_role))::text END",                                                   \
	  COL_JSON, COL_NULLABLE, NULL)                                                            \
	C(OCCUPANCY_CONVENTION, "convention",                                                      \
	  "CASE WHEN o.convention_kind IS NOT NULL THEN jsonb_strip_nulls(jsonb_build_object("     \
	  "'kind', o.convention_kind, 'reference', o.convention_reference, "                       \
	  "'signed_on', o.convention_signed_on, 'signed_by', o.convention_signed_by, "             \
	  "'end_date', o.convention_end_date))::text END",                                         \
	  COL_JSON, COL_NULLABLE, NULL)                                                            \
	C(OCCUPANCY_VERSION, "version", "o.version", COL_INTEGER, 0, NULL)                         \
	C(OCCUPANCY_CREATED, "created_at", TS("o.created_at"), COL_PLAIN, 0, NULL)                 \
	/* when housekeeping alerted the caller that the planned end is near                       \
	 * (its own row of occupancy_alerts, schema/056) */                                        \
	C(OCCUPANCY_ENDING_SOON, "ending_soon_alerted_at",                                         \
	  TS("(SELECT s.sent_at FROM occupancy_alerts s WHERE s.occupancy_id = o.id "              \
	     "AND s.organisation_id = refgw_caller() AND s.type = 'occupancy.ending_soon')"),      \
	  COL_PLAIN, COL_OMIT_NULL, NULL)                                                          \
	/* set from the referral on insert (schema/049): its key opens the note */                 \
	C(OCCUPANCY_PERSON, "person_id", "o.person_id", COL_KEY, COL_PERSON, NULL)                 \
	C(OCCUPANCY_KEY, "cursor_key", "o.created_at::text", COL_KEY, COL_CURSOR, NULL)

/* refgw_start_occupancy: the new occupancy's id, or a word saying why not
 * (not_found, not_accepted, exists, too_long, ...). */
#define OCC_START_COLUMNS(C)                                                                       \
	C(OCC_START_RESULT, "result",                                                              \
	  "refgw_start_occupancy($proposal::uuid, $start_date::date, $planned_end_date::date, "    \
	  "$release::date)",                                                                       \
	  COL_KEY, 0, NULL)

/* refgw_end_occupancy: ok, ended, before_start or not_found. */
#define OCC_END_COLUMNS(C)                                                                         \
	C(OCC_END_RESULT, "result", "refgw_end_occupancy($id::uuid, $end_date::date, $outcome)",   \
	  COL_KEY, 0, NULL)

/* refgw_record_placement: a placement found outside refgw (kind other
 * than unit): the new occupancy's id, or a word saying why not. */
#define PLACEMENT_RECORD_COLUMNS(C)                                                                \
	C(PLACEMENT_RECORD_RESULT, "result",                                                       \
	  "refgw_record_placement($referral::uuid, $kind, $start_date::date, "                     \
	  "$planned_end_date::date, $note, $release::date)",                                       \
	  COL_KEY, 0, NULL)

/* refgw_occupancy_terms (schema/029): sets the referent and the convention
 * (NULL: unchanged, JSON null: cleared); ok, not_found, stale, ended or
 * invalid:<field>. */
#define OCC_TERMS_COLUMNS(C)                                                                       \
	C(OCC_TERMS_RESULT, "result",                                                              \
	  "refgw_occupancy_terms($id::uuid, $version::integer, $referent::jsonb, "                 \
	  "$convention::jsonb)",                                                                   \
	  COL_KEY, 0, NULL)

/* The person's release date (opened by the gateway: $release), when the
 * caller may read it (a party of the referral whose consent covers
 * justice); NULL otherwise. */
#define RELEASE_COLUMNS(C)                                                                         \
	C(RELEASE_DATE, "release_date",                                                            \
	  "refgw_release_date_for_caller($proposal::uuid, $referral::uuid, $release::date)::text", \
	  COL_KEY, 0, NULL)

/* The sealed release date of the referral (named, or through the
 * proposal) and its person, for the "before release" check of a start or
 * a placement (schema/051: refgw_release_sealed); no row when the caller is
 * no party to them.  Opened by the gateway, never rendered. */
#define RELEASE_SEALED_COLUMNS(C)                                                                  \
	C(RELEASE_SEALED_PERSON, "person_id", "s.person_id", COL_KEY, 0, NULL)                     \
	C(RELEASE_SEALED_DATE, "release_date", "s.release_date", COL_KEY, 0, NULL)

enum occupancy_col { OCCUPANCY_COLUMNS(COLUMN_ENUM) };
enum placement_record_col { PLACEMENT_RECORD_COLUMNS(COLUMN_ENUM) };
enum release_col { RELEASE_COLUMNS(COLUMN_ENUM) };
enum release_sealed_col { RELEASE_SEALED_COLUMNS(COLUMN_ENUM) };
enum occ_start_col { OCC_START_COLUMNS(COLUMN_ENUM) };
enum occ_end_col { OCC_END_COLUMNS(COLUMN_ENUM) };
enum occ_terms_col { OCC_TERMS_COLUMNS(COLUMN_ENUM) };
extern const struct row_desc occupancy_row, occ_start_row, occ_end_row, occ_terms_row,
	placement_record_row, release_row, release_sealed_row;

/* The outcome codes of a placement and of a referral's completion. */
extern const char *const placement_outcomes[];

int handle_occupancy_start(struct request *r);
int handle_occupancy_end(struct request *r);
int handle_occupancy_get(struct request *r);
/* GET /v1/occupancies: those the caller may read, newest first. */
int handle_occupancy_list(struct request *r);
int handle_occupancy_update(struct request *r);
int handle_placement_record(struct request *r);

#endif
