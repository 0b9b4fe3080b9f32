/* statements: the gateway's SQL, in one place.  Parameters only; every
 * statement runs inside the request's transaction, after
 * refgw_authenticate() has set the calling organisation for row-level
 * security. */
#include "statements.h"

#include "candidates.h"
#include "events.h"
#include "occupancies.h"
#include "proposals.h"
#include "referrals.h"
#include "rows.h"
#include "sites.h"
#include "units.h"

/* id, name, kind, programs, status, version, created_at, updated_at */
#define ORG_COLS                                                                                   \
	"id, name, kind, array_to_string(programs, ','), status, version, " TS(                    \
		"created_at") ", " TS("updated_at")

/* sha256, organisation_id, subject, issuer, serial, not_before, not_after,
 * registered_at, revoked_at, revocation_reason, confirmed_at, registered_by,
 * confirmed_by */
#define CERT_COLS                                                                                                                                                \
	"encode(sha256, 'hex'), organisation_id, subject, issuer, serial, " TS(                                                                                  \
		"not_before") ", " TS("not_after") ", " TS("registered_at") ", " TS("revoked_at") ", revocation_reason, " TS("confirmed_at") ", registered_by, " \
																	     "confirmed_by"

/* id, person_id, created_by, recipient_orgs, recipient_kinds, purposes,
 * data_categories, valid_until, evidence, status, withdrawn_at,
 * withdrawal_reason, created_at */
#define CONSENT_COLS                                                                               \
	"id, person_id, created_by, array_to_string(recipient_orgs, ','), "                        \
	"array_to_string(recipient_kinds, ','), array_to_string(purposes, ','), "                  \
	"array_to_string(data_categories, ','), valid_until::text, evidence::text, "               \
	"status, " TS("withdrawn_at") ", withdrawal_reason, " TS("created_at")

/* The keyset condition is always a range of bare parameters (no "$2 IS NULL
 * OR", no coalesce: the first page passes KEYSET_FIRST_*), so that the cached
 * generic plan starts its index scan at the cursor.  Under row-level
 * security a condition reaches the index only if everything in it is
 * leakproof; coalesce() is not, and a coalesce'd keyset was a filter: a deep
 * page read every row before it (docs/performance.md). */
/* status, on (available on), commune, min_bedrooms, accessibility, terms,
 * after_date/after_id (the keyset: $7 and $8, tests/integration/test_plans.c),
 * limit. */
/* The page is chosen first, the columns computed for its rows only: the
 * address sub-query (row-level security with sub-plans) was otherwise run for
 * every matching unit before the sort (docs/performance.md). */
#define UNIT_SEARCH(commune_cond)                                                                  \
	"SELECT {cols} FROM (SELECT * FROM units u WHERE u.status = $status "                      \
	"AND ($on::date IS NULL OR (u.available_from <= $on::date AND "                            \
	"(u.available_until IS NULL OR u.available_until >= $on::date))) "                         \
	"AND " commune_cond " "                                                                    \
	"AND ($min_bedrooms::int IS NULL OR u.bedrooms >= $min_bedrooms::int) "                    \
	"AND ($accessibility::text IS NULL OR u.accessibility = $accessibility) "                  \
	"AND ($terms::text IS NULL OR u.terms = $terms) "                                          \
	"AND (u.available_from, u.id) > ($after_date::date, $after_id::uuid) "                     \
	"ORDER BY u.available_from, u.id LIMIT $limit::int) u ORDER BY u.available_from, u.id"
#define UNIT_SEARCH_PARAMS                                                                         \
	"status on commune min_bedrooms accessibility terms after_date after_id limit"

#define REFERRAL_LIST(side)                                                                        \
	"SELECT {cols} FROM referrals r WHERE r." side " = refgw_caller() "                        \
	"AND ($status::text IS NULL OR r.status = $status) "                                       \
	"AND (r.created_at, r.id) > ($after_time::timestamptz, $after_id::uuid) "                  \
	"ORDER BY r.created_at, r.id LIMIT $limit::int"

ROW_DESC(referral_row, REFERRAL_COLUMNS);
ROW_DESC(referral_full_row, REFERRAL_FULL_COLUMNS);
ROW_DESC(transition_row, TRANSITION_COLUMNS);
ROW_DESC(recipient_row, RECIPIENT_COLUMNS);
ROW_DESC(consent_gaps_row, CONSENT_GAPS_COLUMNS);
ROW_DESC(event_row, EVENT_COLUMNS);
/* housing: sites, units, proposals, candidates, occupancies */
ROW_DESC(site_row, SITE_COLUMNS);
ROW_DESC(unit_row, UNIT_COLUMNS);
ROW_DESC(unit_key_row, UNIT_KEY_COLUMNS);
ROW_DESC(proposal_row, PROPOSAL_COLUMNS);
ROW_DESC(coverage_row, COVERAGE_COLUMNS);
ROW_DESC(accept_row, ACCEPT_COLUMNS);
ROW_DESC(declined_row, DECLINED_COLUMNS);
ROW_DESC(candidate_row, CANDIDATE_COLUMNS);
ROW_DESC(occupancy_row, OCCUPANCY_COLUMNS);
ROW_DESC(occ_start_row, OCC_START_COLUMNS);
ROW_DESC(occ_end_row, OCC_END_COLUMNS);

struct db_stmt statements[ST_COUNT] = {
	[ST_AUTHENTICATE] =
		{"authenticate",
		 "SELECT organisation_id, organisation_name, kind, org_status, revoked, org_set, "
		 "may, pending FROM refgw_authenticate(decode($1, 'hex'), $2)"},
	[ST_CALLER_ACTIONS] = {"caller_actions",
			       "SELECT array_to_string(refgw_caller_actions(), ' ')"},
	[ST_READY] = {"ready", "SELECT coalesce(max(version), 0) FROM schema_migrations"},
	[ST_AUDIT_APPEND] = {"audit_append",
			     "SELECT refgw_audit_append(decode($1, 'hex'), $2, $3, $4, $5, "
			     "$6::uuid, $7::jsonb)"},
	[ST_ORG_LIST] = {"org_list", "SELECT " ORG_COLS " FROM organisations "
				     "WHERE $1::text IS NULL OR (name, id) > ($1::text, $2::uuid) "
				     "ORDER BY name, id LIMIT $3::int"},
	[ST_ORG_GET] = {"org_get", "SELECT " ORG_COLS " FROM organisations WHERE id = $1::uuid"},
	[ST_ORG_INSERT] = {"org_insert",
			   "INSERT INTO organisations (name, kind, programs, status) "
			   "VALUES ($1, $2, string_to_array($3, ','), $4) RETURNING " ORG_COLS},
	[ST_ORG_UPDATE] =
		{"org_update",
		 "UPDATE organisations SET name = coalesce($2, name), "
		 "programs = coalesce(string_to_array($3, ','), programs), "
		 "status = coalesce($4, status), version = version + 1, updated_at = now() "
		 "WHERE id = $1::uuid AND version = $5::int RETURNING " ORG_COLS},
	[ST_CERT_LIST] = {"cert_list",
			  "SELECT " CERT_COLS " FROM certificates WHERE organisation_id = $1::uuid "
			  "ORDER BY registered_at, sha256"},
	[ST_CERT_GET] = {"cert_get",
			 "SELECT " CERT_COLS " FROM certificates "
			 "WHERE organisation_id = $1::uuid AND sha256 = decode($2, 'hex')"},
	[ST_CERT_INSERT] =
		{"cert_insert",
		 "INSERT INTO certificates (sha256, organisation_id, subject, issuer, serial, "
		 "not_before, not_after, pem) VALUES (decode($1, 'hex'), $2::uuid, $3, $4, $5, "
		 "to_timestamp($6::bigint), to_timestamp($7::bigint), $8) RETURNING " CERT_COLS},
	[ST_CERT_REVOKE] = {"cert_revoke",
			    "UPDATE certificates SET revoked_at = now(), revocation_reason = $3 "
			    "WHERE organisation_id = $1::uuid AND sha256 = decode($2, 'hex') "
			    "AND revoked_at IS NULL RETURNING " CERT_COLS},
	[ST_CERT_CONFIRM] = {"cert_confirm",
			     "SELECT refgw_confirm_certificate($1::uuid, decode($2, 'hex'))"},
	[ST_IDEM_CLAIM] =
		{"idem_claim",
		 "INSERT INTO idempotency_keys (organisation_id, key, route, request_hash) "
		 "VALUES (refgw_caller(), $1, $2, decode($3, 'hex')) "
		 "ON CONFLICT DO NOTHING RETURNING 1"},
	[ST_IDEM_GET] =
		{"idem_get",
		 "SELECT encode(request_hash, 'hex'), route, status, response, location, etag "
		 "FROM idempotency_keys WHERE organisation_id = refgw_caller() AND key = $1"},
	[ST_IDEM_STORE] =
		{"idem_store",
		 "UPDATE idempotency_keys SET status = $2::int, response = $3, location = $4, "
		 "etag = $5 WHERE organisation_id = refgw_caller() AND key = $1"},
	[ST_PERSON_INSERT] =
		{"person_insert",
		 "INSERT INTO persons (created_by, external_ref, birth_year, niss_hmac) "
		 "VALUES (refgw_caller(), $1, $2::int, decode($3, 'hex')) "
		 "RETURNING id, external_ref, " TS("created_at")},
	[ST_PERSON_VISIBLE] =
		{"person_visible",
		 "SELECT created_by = refgw_caller(), refgw_caller_follows(id) FROM persons "
		 "WHERE id = $1::uuid"},
	[ST_CONSENT_INSERT] =
		{"consent_insert",
		 "INSERT INTO consents (person_id, created_by, recipient_orgs, "
		 "recipient_kinds, purposes, data_categories, valid_until, evidence) "
		 "VALUES ($1::uuid, refgw_caller(), $2::uuid[], $3::text[], $4::text[], "
		 "$5::text[], $6::date, $7::jsonb) RETURNING " CONSENT_COLS},
	[ST_CONSENT_LIST] = {"consent_list",
			     "SELECT " CONSENT_COLS " FROM consents WHERE person_id = $1::uuid "
			     "ORDER BY created_at, id"},
	[ST_CONSENT_GET] = {"consent_get",
			    "SELECT " CONSENT_COLS " FROM consents WHERE id = $1::uuid"},
	[ST_CONSENT_WITHDRAW] = {"consent_withdraw", "SELECT refgw_withdraw_consent($1::uuid, $2)"},
	/* referrals (referrals.h) */
	[ST_ORG_PROGRAM] = {"org_program", "SELECT {cols} FROM organisations WHERE id = $id::uuid",
			    "id program", &recipient_row},
	[ST_CONSENT_GAPS] = {"consent_gaps", "SELECT {cols}",
			     "consent person to purpose categories", &consent_gaps_row},
	[ST_REFERRAL_INSERT] = {"referral_insert",
				"INSERT INTO referrals AS r (person_id, from_org, to_org, program, "
				"consent_id, purpose) VALUES ($person::uuid, refgw_caller(), "
				"$to::uuid, $program, $consent::uuid, $purpose) RETURNING {cols}",
				"person to program consent purpose", &referral_row},
	[ST_REFERRAL_DATA_INSERT] = {"referral_data_insert",
				     "INSERT INTO referral_data (referral_id, data, reason, needs, "
				     "release_date) VALUES ($id::uuid, $data::jsonb, $reason, "
				     "$needs::jsonb, $release_date::date)",
				     "id data reason needs release_date", NULL},
	[ST_TRANSITION_INSERT] = {"transition_insert",
				  "INSERT INTO referral_transitions (referral_id, from_status, "
				  "to_status, reason_code, note, by_org) VALUES ($id::uuid, $from, "
				  "$to, $reason_code, $note, refgw_caller())",
				  "id from to reason_code note", NULL},
	[ST_REFERRAL_GET] = {"referral_get",
			     "SELECT {cols} FROM referrals r LEFT JOIN referral_data d ON "
			     "d.referral_id = r.id WHERE r.id = $id::uuid",
			     "id", &referral_full_row},
	[ST_REFERRAL_LIST_SENT] = {"referral_list_sent", REFERRAL_LIST("from_org"),
				   "status after_time after_id limit", &referral_row},
	[ST_REFERRAL_LIST_RECEIVED] = {"referral_list_received", REFERRAL_LIST("to_org"),
				       "status after_time after_id limit", &referral_row},
	[ST_REFERRAL_TRANSITION] =
		{"referral_transition",
		 "UPDATE referrals AS r SET status = $to, version = r.version + 1, "
		 "updated_at = now() WHERE r.id = $id::uuid AND r.version = "
		 "$version::int AND r.status = $from RETURNING {cols}",
		 "id version to from", &referral_row},
	[ST_REFERRAL_HISTORY] = {"referral_history",
				 /* ORDER BY a qualified column: a bare name would
				  * be the output column of that name (to_char) */
				 "SELECT {cols} FROM referral_transitions t WHERE t.referral_id = "
				 "$id::uuid ORDER BY t.at, t.id",
				 "id", &transition_row},

	/* events (events.h) */
	[ST_EMIT_EVENT] = {"emit_event",
			   "SELECT refgw_emit_event($organisation::uuid, $type, $resource_type, "
			   "$resource_id::uuid)",
			   "organisation type resource_type resource_id", NULL},
	[ST_EVENT_LIST] = {"event_list",
			   "SELECT {cols} FROM events WHERE organisation_id = refgw_caller() "
			   "AND seq > $after::bigint ORDER BY seq LIMIT $limit::int",
			   "after limit", &event_row},
	[ST_RULES_LIST] = {"rules_list",
			   "SELECT id, organisation_id, kind, action, allowed, " TS(
				   "updated_at") " FROM access_rules ORDER BY kind NULLS LAST, "
						 "organisation_id, action"},
	[ST_RULES_DELETE_ALL] = {"rules_delete_all", "DELETE FROM access_rules"},
	[ST_RULES_INSERT_SET] =
		{"rules_insert_set",
		 "INSERT INTO access_rules (organisation_id, kind, action, allowed) "
		 "SELECT x.organisation_id, x.kind, x.action, x.allowed "
		 "FROM jsonb_to_recordset($1::jsonb) AS x(organisation_id uuid, kind text, "
		 "action text, allowed boolean)"},
	[ST_CALLER_MAY] = {"caller_may", "SELECT refgw_caller_may($1)"},
	[ST_AUDIT_LIST] =
		{"audit_list",
		 "SELECT " TS("at") ", organisation_id, action, resource_type, resource_id, "
				    "request_id, at::text, lane, seq, encode(certificate_sha256, "
				    "'hex') FROM audit_log "
				    "WHERE person_id = $1::uuid AND ($2::timestamptz IS NULL OR "
				    "(at, lane, seq) > ($2::timestamptz, $3::int, $4::bigint)) "
				    "ORDER BY at, lane, seq LIMIT $5::int"},
	/* housing (sites.h, units.h, proposals.h, candidates.h, occupancies.h) */
	[ST_SITE_INSERT] =
		{"site_insert",
		 "INSERT INTO sites AS s (operator_org, name, commune, managing_partner, "
		 "units_planned, period_from, period_until) VALUES (refgw_caller(), $name, "
		 "$commune, $managing_partner, $units::int, $period_from::date, "
		 "$period_until::date) RETURNING {cols}",
		 "name commune managing_partner units period_from period_until", &site_row},
	[ST_UNIT_INSERT] =
		{"unit_insert",
		 "INSERT INTO units AS u (site_id, operator_org, label, type, bedrooms, "
		 "furnished, accessibility, commune, monthly_contribution_eur, "
		 "available_from, available_until, terms, max_stay_months, audience_orgs, "
		 "audience_kinds, status) VALUES ($site::uuid, refgw_caller(), $label, "
		 "$type, $bedrooms::int, $furnished::boolean, $accessibility, $commune, "
		 "$contribution::numeric, $available_from::date, $available_until::date, "
		 "$terms, $max_stay::int, $audience_orgs::uuid[], $audience_kinds::text[], "
		 "$status) RETURNING {cols}",
		 "site label type bedrooms furnished accessibility commune contribution "
		 "available_from available_until terms max_stay audience_orgs audience_kinds "
		 "status",
		 &unit_key_row},
	[ST_UNIT_ADDRESS_INSERT] = {"unit_address_insert",
				    "INSERT INTO unit_addresses (unit_id, address) VALUES "
				    "($unit::uuid, $address)",
				    "unit address", NULL},
	[ST_UNIT_GET] = {"unit_get", "SELECT {cols} FROM units u WHERE u.id = $id::uuid", "id",
			 &unit_row},
	[ST_UNIT_SEARCH] = {"unit_search",
			    UNIT_SEARCH("($commune::text IS NULL OR u.commune = $commune)"),
			    UNIT_SEARCH_PARAMS, &unit_row},
	[ST_UNIT_SEARCH_COMMUNE] = {"unit_search_commune", UNIT_SEARCH("u.commune = $commune"),
				    UNIT_SEARCH_PARAMS, &unit_row},
	[ST_UNIT_UPDATE] =
		{"unit_update",
		 "UPDATE units AS u SET status = coalesce($status, u.status), "
		 "label = coalesce($label, u.label), "
		 "monthly_contribution_eur = coalesce($contribution::numeric, "
		 "u.monthly_contribution_eur), "
		 "available_until = coalesce($available_until::date, u.available_until), "
		 "max_stay_months = coalesce($max_stay::int, u.max_stay_months), "
		 "audience_orgs = coalesce($audience_orgs::uuid[], u.audience_orgs), "
		 "audience_kinds = coalesce($audience_kinds::text[], u.audience_kinds), "
		 "version = u.version + 1, updated_at = now() "
		 "WHERE u.id = $id::uuid AND u.version = $version::int AND u.status = $from "
		 "AND u.operator_org = refgw_caller() RETURNING {cols}",
		 "id version status from label contribution available_until max_stay audience_orgs "
		 "audience_kinds",
		 &unit_key_row},
	[ST_UNIT_ADDRESS_UPDATE] = {"unit_address_update",
				    "UPDATE unit_addresses SET address = $address WHERE unit_id = "
				    "$unit::uuid",
				    "unit address", NULL},
	[ST_PROPOSAL_COVERAGE] = {"proposal_coverage", "SELECT {cols}", "referral operator",
				  &coverage_row},
	[ST_PROPOSAL_INSERT] = {"proposal_insert",
				"INSERT INTO proposals AS p (unit_id, referral_id, proposer_org, "
				"operator_org, shared_categories, note) VALUES ($unit::uuid, "
				"$referral::uuid, refgw_caller(), $operator::uuid, "
				"string_to_array($shared, ','), $note) RETURNING {cols}",
				"unit referral operator shared note", &proposal_row},
	[ST_PROPOSAL_GET] = {"proposal_get",
			     "SELECT {cols} FROM proposals p WHERE p.id = $id::uuid", "id",
			     &proposal_row},
	[ST_PROPOSAL_LIST] = {"proposal_list",
			      "SELECT {cols} FROM proposals p WHERE p.unit_id = $unit::uuid "
			      "ORDER BY p.created_at, p.id",
			      "unit", &proposal_row},
	[ST_PROPOSAL_ACCEPT] = {"proposal_accept", "SELECT {cols}", "id", &accept_row},
	[ST_PROPOSAL_DECLINE] =
		{"proposal_decline",
		 "UPDATE proposals SET status = 'declined', reason_code = $reason_code, "
		 "decided_at = now() WHERE id = $id::uuid AND status = 'open' "
		 "AND operator_org = refgw_caller() RETURNING {cols}",
		 "id reason_code", &declined_row},
	[ST_OCC_START] = {"occ_start", "SELECT {cols}", "proposal start_date planned_end_date",
			  &occ_start_row},
	[ST_OCC_END] = {"occ_end", "SELECT {cols}", "id end_date outcome", &occ_end_row},
	[ST_OCC_GET] = {"occ_get", "SELECT {cols} FROM occupancies o WHERE o.id = $id::uuid", "id",
			&occupancy_row},
	/* The caller's waitlisted referrals measured against one unit (visible
	 * to the caller), at most limit of each group.  needs and release_date
	 * come from refgw_waitlist_needs() (schema/016: referral_data's read
	 * rule, applied to the set): a referral whose consent no longer holds
	 * has none and is never eligible. */
	[ST_CANDIDATES] =
		{"candidates",
		 "WITH u AS (SELECT * FROM units WHERE id = $unit::uuid), "
		 "c AS (SELECT r.id, r.person_id, r.created_at, d.referral_id IS NOT NULL AS "
		 "visible, "
		 " coalesce((d.needs->>'household_size')::int, 1) AS hs, "
		 " refgw_unit_capacity(u.type, u.bedrooms) AS cap, "
		 " coalesce(d.needs->>'accessibility', 'none') AS acc, "
		 " coalesce(d.needs->'avoid_communes', '[]') AS avoid, d.release_date, "
		 " u.commune, u.accessibility AS unit_acc, u.available_until "
		 " FROM referrals r CROSS JOIN u LEFT JOIN refgw_waitlist_needs() d ON "
		 "d.referral_id = r.id "
		 " WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted' "
		 " ORDER BY r.created_at, r.id), "
		 "f AS (SELECT c.*, hs <= cap AS fits, refgw_access_fits(acc, unit_acc) AS "
		 "access_ok, "
		 " NOT (avoid ? commune) AS commune_ok, "
		 " (release_date IS NULL OR available_until IS NULL OR release_date < "
		 "available_until) "
		 " AS release_ok FROM c), "
		 "g AS (SELECT f.*, visible AND fits AND access_ok AND commune_ok AND release_ok "
		 " AS eligible FROM f), "
		 /* running counts in order of application rank each group */
		 "w AS (SELECT g.*, "
		 " CASE WHEN eligible THEN count(*) FILTER (WHERE eligible) OVER o "
		 "  ELSE count(*) FILTER (WHERE NOT eligible) OVER o END AS rn, "
		 " CASE WHEN eligible THEN count(*) FILTER (WHERE eligible) OVER () "
		 "  ELSE count(*) FILTER (WHERE NOT eligible) OVER () END AS n "
		 " FROM g WINDOW o AS (ORDER BY created_at, id ROWS UNBOUNDED PRECEDING)) "
		 /* ORDER BY qualified: a bare name would be an output column */
		 "SELECT {cols} FROM w WHERE w.rn <= $limit::int ORDER BY w.created_at, w.id",
		 "unit limit", &candidate_row},
	/* One audit row per referral whose personal fields a response showed:
	 * $4 referral ids and $5 their persons, as array literals. */
	[ST_AUDIT_APPEND_READS] =
		{"audit_append_reads",
		 "SELECT count(refgw_audit_append(decode($1, 'hex'), $2, $3, 'referral', "
		 "x.id::text, x.person, $6::jsonb)) FROM unnest($4::uuid[], $5::uuid[]) "
		 "AS x(id, person)"},
	[ST_REPORT_OCCUPANCY] = {"report_occupancy",
				 "SELECT site_id, site, operator_id, operator, commune, units, "
				 "period_from::text, period_until::text, status, occupancies, "
				 "occupied_days, vacant_days FROM refgw_report_occupancy()"},
	[ST_REPORT_REFERRALS] =
		{"report_referrals",
		 "SELECT month, program, status, outcome, referrals FROM refgw_report_referrals()"},
};
