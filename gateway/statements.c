/* statements: the gateway's SQL, in one place.  Parameters only; every
 * statement runs inside the request's transaction, after
 * refgw_authenticate() has set the calling organisation for row-level
 * security. */
#include "statements.h"

#include "access_rules.h"
#include "alert_thresholds.h"
#include "audit.h"
#include "audit_trail.h"
#include "candidates.h"
#include "certificates.h"
#include "checkpoint.h"
#include "cli.h"
#include "consents.h"
#include "events.h"
#include "export.h"
#include "follow_ups.h"
#include "hsds.h"
#include "idempotency.h"
#include "identity.h"
#include "journal.h"
#include "notify.h"
#include "occupancies.h"
#include "organisations.h"
#include "persons.h"
#include "programs.h"
#include "proposals.h"
#include "referrals.h"
#include "reports.h"
#include "retention.h"
#include "rows.h"
#include "sessions.h"
#include "sites.h"
#include "units.h"
#include "users.h"

/* The keyset condition is always a range of bare parameters (no "$x IS NULL
 * OR", no coalesce: the first page passes KEYSET_FIRST_*), so that the cached
 * generic plan starts its index scan at the cursor.  Under row-level
 * security a condition reaches the index only if everything in it is
 * leakproof; coalesce() is not, and a coalesce'd keyset was a filter: a deep
 * page read every row before it (docs/performance.md). */
/* status, on (available on), commune, min_bedrooms, accessibility, terms,
 * after_date/after_id (the keyset: parameters 7 and 8, tests/integration/test_plans.c),
 * limit. */
/* The page is chosen first, the columns computed for its rows only: the
 * address sub-query (row-level security with sub-plans) was otherwise run for
 * every matching unit before the sort (docs/performance.md). */
#define UNIT_SEARCH(commune_cond)                                                                  \
	"SELECT {cols} FROM (SELECT * FROM units u WHERE u.status = $status "                      \
	"AND (u.status <> 'published' OR u.available_until IS NULL "                               \
	"OR u.available_until >= current_date) "                                                   \
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

/* A newest-first page of the caller's proposals (GET /v1/proposals), on one
 * side or both: the keyset descends from KEYSET_LAST_* (schema/056's
 * indexes).  Row-level security shows the same rows again. */
#define PROPOSAL_LIST_MINE(side_cond)                                                              \
	"SELECT {cols} FROM proposals p WHERE " side_cond " "                                      \
	"AND ($status::text IS NULL OR p.status = $status) "                                       \
	"AND ($unit::uuid IS NULL OR p.unit_id = $unit::uuid) "                                    \
	"AND (p.created_at, p.id) < ($before_time::timestamptz, $before_id::uuid) "                \
	"ORDER BY p.created_at DESC, p.id DESC LIMIT $limit::int"
#define PROPOSAL_LIST_MINE_PARAMS "status unit before_time before_id limit"

ROW_DESC(referral_row, REFERRAL_COLUMNS);
ROW_DESC(referral_full_row, REFERRAL_FULL_COLUMNS);
ROW_DESC(referral_create_row, REFERRAL_CREATE_COLUMNS);
ROW_DESC(transition_row, TRANSITION_COLUMNS);
ROW_DESC(event_row, EVENT_COLUMNS);
ROW_DESC(identity_row, IDENTITY_COLUMNS);
ROW_DESC(scalar_row, SCALAR_COLUMNS);

/* access rules, the audit trail, reports, idempotency, the audit log, and
 * the services and the CLI that read rows (issue 13, h4) */
ROW_DESC(rule_row, RULE_COLUMNS);
ROW_DESC(caller_may_row, CALLER_MAY_COLUMNS);
ROW_DESC(rule_target_row, RULE_TARGET_COLUMNS);
ROW_DESC(audit_entry_row, AUDIT_ENTRY_COLUMNS);
ROW_DESC(report_site_row, REPORT_SITE_COLUMNS);
ROW_DESC(report_referral_row, REPORT_REFERRAL_COLUMNS);
ROW_DESC(idem_row, IDEM_COLUMNS);
ROW_DESC(audit_walk_row, AUDIT_WALK_COLUMNS);
ROW_DESC(audit_head_row, AUDIT_HEAD_COLUMNS);
ROW_DESC(lane_head_row, LANE_HEAD_COLUMNS);
ROW_DESC(lane_now_row, LANE_NOW_COLUMNS);
ROW_DESC(expiry_row, EXPIRY_COLUMNS);
ROW_DESC(ending_row, ENDING_COLUMNS);
ROW_DESC(expired_row, EXPIRED_COLUMNS);
ROW_DESC(event_head_row, EVENT_HEAD_COLUMNS);
ROW_DESC(retention_row, RETENTION_COLUMNS);
ROW_DESC(cli_org_row, CLI_ORG_COLUMNS);
ROW_DESC(cli_org_ref_row, CLI_ORG_REF_COLUMNS);

/* organisations, certificates, persons, consents (issue 13, h3) */
ROW_DESC(org_row, ORG_COLUMNS);
ROW_DESC(caller_actions_row, CALLER_ACTIONS_COLUMNS);
ROW_DESC(program_row, PROGRAM_COLUMNS);
ROW_DESC(follow_up_row, FOLLOW_UP_COLUMNS);
ROW_DESC(follow_up_entry_row, FOLLOW_UP_ENTRY_COLUMNS);
ROW_DESC(follow_up_check_row, FOLLOW_UP_CHECK_COLUMNS);
ROW_DESC(hsds_org_row, HSDS_ORG_COLUMNS);
ROW_DESC(hsds_service_row, HSDS_SERVICE_COLUMNS);
ROW_DESC(hsds_area_row, HSDS_AREA_COLUMNS);
ROW_DESC(cert_row, CERT_COLUMNS);
ROW_DESC(cert_verdict_row, CERT_VERDICT_COLUMNS);
ROW_DESC(person_row, PERSON_COLUMNS);
ROW_DESC(person_list_row, PERSON_LIST_COLUMNS);
ROW_DESC(person_visible_row, PERSON_VISIBLE_COLUMNS);
ROW_DESC(person_erasure_row, PERSON_ERASURE_COLUMNS);
ROW_DESC(person_export_row, PERSON_EXPORT_COLUMNS);
ROW_DESC(consent_row, CONSENT_COLUMNS);
ROW_DESC(consent_withdrawal_row, CONSENT_WITHDRAWAL_COLUMNS);

/* housing: sites, units, proposals, candidates, occupancies */
ROW_DESC(site_row, SITE_COLUMNS);
ROW_DESC(site_busy_row, SITE_BUSY_COLUMNS);
ROW_DESC(partnership_row, PARTNERSHIP_COLUMNS);
ROW_DESC(partnership_site_row, PARTNERSHIP_SITE_COLUMNS);
ROW_DESC(unit_row, UNIT_COLUMNS);
ROW_DESC(unit_key_row, UNIT_KEY_COLUMNS);
ROW_DESC(take_back_row, TAKE_BACK_COLUMNS);
ROW_DESC(proposal_row, PROPOSAL_COLUMNS);
ROW_DESC(coverage_row, COVERAGE_COLUMNS);
ROW_DESC(accept_row, ACCEPT_COLUMNS);
ROW_DESC(declined_row, DECLINED_COLUMNS);
ROW_DESC(waitlist_row, WAITLIST_COLUMNS);
ROW_DESC(occupancy_row, OCCUPANCY_COLUMNS);
ROW_DESC(occ_start_row, OCC_START_COLUMNS);
ROW_DESC(occ_end_row, OCC_END_COLUMNS);
ROW_DESC(occ_terms_row, OCC_TERMS_COLUMNS);
ROW_DESC(alert_thresholds_row, ALERT_THRESHOLDS_COLUMNS);
ROW_DESC(alert_replace_row, ALERT_REPLACE_COLUMNS);
ROW_DESC(placement_record_row, PLACEMENT_RECORD_COLUMNS);
ROW_DESC(release_row, RELEASE_COLUMNS);
ROW_DESC(release_sealed_row, RELEASE_SEALED_COLUMNS);

/* people: users and sessions (schema/052) */
ROW_DESC(user_row, USER_COLUMNS);
ROW_DESC(session_auth_row, SESSION_AUTH_COLUMNS);
ROW_DESC(throttle_row, THROTTLE_COLUMNS);
ROW_DESC(signin_user_row, SIGNIN_USER_COLUMNS);
ROW_DESC(pending_row, PENDING_COLUMNS);
ROW_DESC(invitation_row, INVITATION_COLUMNS);
ROW_DESC(receipt_row, RECEIPT_COLUMNS);

struct db_stmt statements[ST_COUNT] = {
	/* identity (identity.h) */
	[ST_AUTHENTICATE] = {"authenticate",
			     "SELECT {cols} FROM refgw_authenticate(decode($fingerprint, 'hex'), "
			     "$action)",
			     "fingerprint action", &identity_row},
	/* organisations (organisations.h): GET /v1/me */
	[ST_CALLER_ACTIONS] = {"caller_actions", "SELECT {cols}", NULL, &caller_actions_row},
	/* a single value, read as SCALAR_VALUE (statements.h) */
	[ST_READY] = {"ready", "SELECT coalesce(max(version), 0) AS value FROM schema_migrations",
		      NULL, &scalar_row},
	[ST_AUDIT_APPEND] =
		{"audit_append",
		 "SELECT refgw_audit_append(decode($certificate, 'hex'), $request, "
		 "$action, $resource_type, $resource_id, $person::uuid, $detail::jsonb)",
		 "certificate request action resource_type resource_id person detail", NULL},
	/* organisations (organisations.h) */
	[ST_ORG_LIST] = {"org_list",
			 "SELECT {cols} FROM organisations o WHERE $after_name::text IS NULL OR "
			 "(o.name, o.id) > ($after_name::text, $after_id::uuid) "
			 "ORDER BY o.name, o.id LIMIT $limit::int",
			 "after_name after_id limit", &org_row},
	[ST_ORG_GET] = {"org_get", "SELECT {cols} FROM organisations WHERE id = $id::uuid", "id",
			&org_row},
	/* also the CLI's (org add): one definition of what creating means */
	[ST_ORG_INSERT] = {"org_insert",
			   "INSERT INTO organisations (name, kind, programs, status) "
			   "VALUES ($name, $kind, string_to_array($programs, ','), $status) "
			   "RETURNING {cols}",
			   "name kind programs status", &org_row},
	[ST_ORG_UPDATE] = {"org_update",
			   "UPDATE organisations SET name = coalesce($name, name), "
			   "programs = coalesce(string_to_array($programs, ','), programs), "
			   "status = coalesce($status, status), version = version + 1, "
			   "updated_at = now() WHERE id = $id::uuid AND version = $version::int "
			   "RETURNING {cols}",
			   "id name programs status version", &org_row},
	/* certificates (certificates.h) */
	[ST_CERT_LIST] = {"cert_list",
			  /* ORDER BY qualified columns: a bare name would be the
			   * output column of that name (to_char, hex) */
			  "SELECT {cols} FROM certificates c WHERE c.organisation_id = "
			  "$organisation::uuid ORDER BY c.registered_at, c.sha256",
			  "organisation", &cert_row},
	[ST_CERT_GET] = {"cert_get",
			 "SELECT {cols} FROM certificates WHERE organisation_id = "
			 "$organisation::uuid AND sha256 = decode($sha256, 'hex')",
			 "organisation sha256", &cert_row},
	/* also the CLI's (cert register, cert revoke) */
	[ST_CERT_INSERT] = {"cert_insert",
			    "INSERT INTO certificates (sha256, organisation_id, subject, issuer, "
			    "serial, not_before, not_after, pem) VALUES (decode($sha256, 'hex'), "
			    "$organisation::uuid, $subject, $issuer, $serial, "
			    "to_timestamp($not_before::bigint), to_timestamp($not_after::bigint), "
			    "$pem) RETURNING {cols}",
			    "sha256 organisation subject issuer serial not_before not_after pem",
			    &cert_row},
	[ST_CERT_REVOKE] = {"cert_revoke",
			    "UPDATE certificates SET revoked_at = now(), revocation_reason = "
			    "$reason WHERE organisation_id = $organisation::uuid AND sha256 = "
			    "decode($sha256, 'hex') AND revoked_at IS NULL RETURNING {cols}",
			    "organisation sha256 reason", &cert_row},
	[ST_CERT_CONFIRM] = {"cert_confirm", "SELECT {cols}", "organisation sha256",
			     &cert_verdict_row},
	/* idempotency (idempotency.h): the claim's one row says "new" */
	[ST_IDEM_CLAIM] = {"idem_claim",
			   "INSERT INTO idempotency_keys (organisation_id, key, route, "
			   "request_hash) VALUES (refgw_caller(), $key, $route, decode($hash, "
			   "'hex')) ON CONFLICT DO NOTHING RETURNING 1",
			   "key route hash", NULL},
	[ST_IDEM_GET] = {"idem_get",
			 "SELECT {cols} FROM idempotency_keys WHERE organisation_id = "
			 "refgw_caller() AND key = $key",
			 "key", &idem_row},
	[ST_IDEM_STORE] = {"idem_store",
			   "UPDATE idempotency_keys SET status = $status::int, response = "
			   "$response, location = $location, etag = $etag, person_id = "
			   "$person::uuid WHERE organisation_id = refgw_caller() AND key = $key",
			   "key status response location etag person", NULL},
	/* persons (persons.h) */
	[ST_PERSON_INSERT] = {"person_insert",
			      "INSERT INTO persons (id, created_by, external_ref, birth_year, "
			      "niss_hmac) VALUES ($id::uuid, refgw_caller(), $external_ref, "
			      "$birth_year, decode($niss_hmac, 'hex')) RETURNING {cols}",
			      "id external_ref birth_year niss_hmac", &person_row},
	[ST_PERSON_ERASE] = {"person_erase", "SELECT {cols} FROM refgw_erase_person($id::uuid) e",
			     "id", &person_erasure_row},
	/* The caller's own records, newest first (row-level security:
	 * persons_read; schema/056's index) */
	[ST_PERSON_LIST] = {"person_list",
			    "SELECT {cols} FROM persons p WHERE p.created_by = refgw_caller() "
			    "AND (p.created_at, p.id) < ($before_time::timestamptz, "
			    "$before_id::uuid) ORDER BY p.created_at DESC, p.id DESC "
			    "LIMIT $limit::int",
			    "before_time before_id limit", &person_list_row},
	[ST_PERSON_VISIBLE] = {"person_visible", "SELECT {cols} FROM persons WHERE id = $id::uuid",
			       "id", &person_visible_row},
	/* the person's export (export.h, schema/048) */
	[ST_PERSON_EXPORT] = {"person_export",
			      "SELECT {cols} FROM refgw_person_export($id::uuid, $limit::int) e",
			      "id limit", &person_export_row},
	/* consents (consents.h) */
	[ST_CONSENT_INSERT] = {"consent_insert",
			       "INSERT INTO consents (person_id, created_by, recipient_orgs, "
			       "recipient_kinds, purposes, data_categories, valid_until, evidence) "
			       "VALUES ($person::uuid, refgw_caller(), $recipient_orgs::uuid[], "
			       "$recipient_kinds::text[], $purposes::text[], "
			       "$data_categories::text[], $valid_until::date, $evidence) "
			       "RETURNING {cols}",
			       "person recipient_orgs recipient_kinds purposes data_categories "
			       "valid_until evidence",
			       &consent_row},
	[ST_CONSENT_LIST] = {"consent_list",
			     /* ORDER BY qualified columns: a bare name would be the
			      * output column of that name (to_char) */
			     "SELECT {cols} FROM consents c WHERE c.person_id = $person::uuid "
			     "ORDER BY c.created_at, c.id",
			     "person", &consent_row},
	[ST_CONSENT_GET] = {"consent_get", "SELECT {cols} FROM consents WHERE id = $id::uuid", "id",
			    &consent_row},
	[ST_CONSENT_WITHDRAW] = {"consent_withdraw", "SELECT {cols}", "id reason",
				 &consent_withdrawal_row},
	/* referrals (referrals.h) */
	/* The whole create, one call (schema/060, 068): recipient, program,
	 * consent and relay checked (also for a person without a data key), the referral, its
	 * personal fields, its first transition, the event, the audit row and a relay's notices;
	 * sent with COMMIT (db_query_commit). */
	[ST_REFERRAL_CREATE] = {"referral_create",
				"SELECT {cols} FROM refgw_referral_create($intake::boolean, "
				"$person::uuid, $to::uuid, $program, $consent::uuid, $purpose, "
				"$relays::uuid, $categories::text[], $data::jsonb, $reason, "
				"$needs::jsonb, $release_date, $ranking, decode($certificate, "
				"'hex'), $request, $key_absent::boolean) r",
				"intake person to program consent purpose relays categories data "
				"reason needs release_date ranking certificate request key_absent",
				&referral_create_row},
	[ST_TRANSITION_INSERT] = {"transition_insert",
				  "INSERT INTO referral_transitions (referral_id, from_status, "
				  "to_status, reason_code, note, by_org) VALUES ($id::uuid, $from, "
				  "$to, $reason_code, $note, refgw_caller())",
				  "id from to reason_code note", NULL},
	[ST_REFERRAL_GET] = {"referral_get",
			     /* the personal fields the caller may see, filtered by
			      * PostgreSQL (schema/021): all of them for a party,
			      * the shared categories for a proposal's operator;
			      * the latest placement (schema/022) */
			     "SELECT {cols} FROM referrals r LEFT JOIN "
			     "refgw_referral_data_shown($id::uuid) d ON d.referral_id = r.id "
			     "LEFT JOIN LATERAL refgw_referral_placement(r.id) pl ON true "
			     /* only a relay looks for the placement it continues:
			      * a one-time filter skips the function otherwise
			      * (OFFSET 0 keeps the subquery from being flattened
			      * into a join qual, which would call it anyway) */
			     "LEFT JOIN LATERAL (SELECT * FROM refgw_relayed_placement(r.id) x "
			     "WHERE r.relays_referral_id IS NOT NULL OFFSET 0) rp ON true "
			     "WHERE r.id = $id::uuid",
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
	/* The notify thread, without a caller (notify.c, schema/065). */
	/* The caller's committed events numbered, before its feed is read
	 * (schema/067). */
	[ST_EVENTS_NUMBER] = {"events_number", "SELECT refgw_events_number(refgw_caller())", NULL,
			      NULL},
	/* Housekeeping: the events no reader numbered yet (schema/067). */
	[ST_EVENTS_NUMBER_ALL] = {"events_number_all", "SELECT refgw_events_number_all()", NULL,
				  NULL},
	[ST_EVENT_HEADS] = {"event_heads",
			    "SELECT {cols} FROM refgw_event_heads($organisations::uuid[]) h",
			    "organisations", &event_head_row},
	/* access rules (access_rules.h) */
	[ST_RULES_LIST] = {"rules_list",
			   /* qualified: a bare name would be the output column */
			   "SELECT {cols} FROM access_rules a ORDER BY a.kind NULLS LAST, "
			   "a.organisation_id, a.action",
			   NULL, &rule_row},
	[ST_RULES_DELETE_ALL] = {"rules_delete_all", "DELETE FROM access_rules", NULL, NULL},
	[ST_RULES_INSERT_SET] =
		{"rules_insert_set",
		 "INSERT INTO access_rules (organisation_id, kind, action, allowed) "
		 "SELECT x.organisation_id, x.kind, x.action, x.allowed "
		 "FROM jsonb_to_recordset($rules::jsonb) AS x(organisation_id uuid, kind text, "
		 "action text, allowed boolean)",
		 "rules", NULL},
	[ST_CALLER_MAY] = {"caller_may", "SELECT {cols}", "action", &caller_may_row},
	/* One organisation's rule (schema/031: site.host and the others). */
	[ST_RULE_TARGET] = {"rule_target",
			    "SELECT {cols} FROM organisations o WHERE o.id = "
			    "$org::uuid",
			    "org", &rule_target_row},
	[ST_RULE_UPSERT] = {"rule_upsert",
			    "INSERT INTO access_rules AS a (organisation_id, action, allowed) "
			    "VALUES ($org::uuid, $action, $allowed::boolean) ON CONFLICT "
			    "(organisation_id, action) WHERE organisation_id IS NOT NULL DO UPDATE "
			    "SET allowed = EXCLUDED.allowed, updated_at = now() RETURNING {cols}",
			    "org action allowed", &rule_row},
	[ST_RULE_DELETE] = {"rule_delete",
			    "DELETE FROM access_rules a WHERE a.organisation_id = $org::uuid AND "
			    "a.action = $action RETURNING {cols}",
			    "org action", &rule_row},
	[ST_RULES_OF_ORG] = {"rules_of_org",
			     "SELECT {cols} FROM access_rules a WHERE a.organisation_id = "
			     "$org::uuid ORDER BY a.action",
			     "org", &rule_row},
	/* the audit trail (audit_trail.h) */
	[ST_AUDIT_LIST] = {"audit_list",
			   "SELECT {cols} FROM audit_log a WHERE a.person_id = $person::uuid AND "
			   "($after_at::timestamptz IS NULL OR (a.at, a.lane, a.seq) > "
			   "($after_at::timestamptz, $after_lane::int, $after_seq::bigint)) "
			   "ORDER BY a.at, a.lane, a.seq LIMIT $limit::int",
			   "person after_at after_lane after_seq limit", &audit_entry_row},
	/* housing (sites.h, units.h, proposals.h, candidates.h, occupancies.h) */
	[ST_SITE_INSERT] =
		{"site_insert",
		 "INSERT INTO sites AS s (operator_org, name, commune, managing_partner, "
		 "units_planned, period_from, period_until, status, partnership_id) VALUES "
		 "(refgw_caller(), $name, $commune, $managing_partner, $units::int, "
		 "$period_from::date, $period_until::date, coalesce($status, 'running'), "
		 "$partnership::uuid) RETURNING {cols}",
		 "name commune managing_partner units period_from period_until status partnership",
		 &site_row},
	/* Row-level security (schema/032) shows the caller's own sites, those of
	 * its partnerships, and every site to a coordinator. */
	[ST_SITE_GET] = {"site_get", "SELECT {cols} FROM sites s WHERE s.id = $id::uuid", "id",
			 &site_row},
	[ST_SITE_LIST] = {"site_list",
			  "SELECT {cols} FROM sites s WHERE ($status::text IS NULL OR s.status = "
			  "$status) AND ($partnership::uuid IS NULL OR s.partnership_id = "
			  "$partnership::uuid) AND ($operator::uuid IS NULL OR s.operator_org = "
			  "$operator::uuid) AND (s.created_at, s.id) > ($after_time::timestamptz, "
			  "$after_id::uuid) ORDER BY s.created_at, s.id LIMIT $limit::int",
			  "status partnership operator after_time after_id limit", &site_row},
	/* clear: the comma-separated nullable fields sent as null. */
	[ST_SITE_UPDATE] =
		{"site_update",
		 "UPDATE sites AS s SET period_from = coalesce($period_from::date, s.period_from), "
		 "period_until = CASE WHEN 'period_until' = ANY (string_to_array($clear, ',')) "
		 "THEN NULL ELSE coalesce($period_until::date, s.period_until) END, "
		 "managing_partner = CASE WHEN 'managing_partner' = ANY (string_to_array($clear, "
		 "',')) THEN NULL ELSE coalesce($managing_partner, s.managing_partner) END, "
		 "partnership_id = CASE WHEN 'partnership_id' = ANY (string_to_array($clear, ',')) "
		 "THEN NULL ELSE coalesce($partnership::uuid, s.partnership_id) END, "
		 "status = coalesce($status, s.status), version = s.version + 1, updated_at = "
		 "now() "
		 "WHERE s.id = $id::uuid AND s.version = $version::int "
		 "AND s.operator_org = refgw_caller() AND (coalesce($status, s.status) = 'running' "
		 "OR s.status = 'closed' OR (SELECT b.busy FROM refgw_site_busy(s.id) b) = 0) "
		 "RETURNING {cols}",
		 "id version period_from period_until managing_partner partnership status clear",
		 &site_row},
	[ST_SITE_BUSY] = {"site_busy", "SELECT {cols} FROM refgw_site_close_lock($id::uuid) b",
			  "id", &site_busy_row},
	/* partnerships: members and whoever manages them read (schema/032) */
	[ST_PARTNERSHIP_INSERT] = {"partnership_insert",
				   "INSERT INTO partnerships AS p (name, members) VALUES ($name, "
				   "$members::uuid[]) RETURNING {cols}",
				   "name members", &partnership_row},
	[ST_PARTNERSHIP_LIST] =
		{"partnership_list",
		 "SELECT {cols} FROM partnerships p WHERE (p.created_at, p.id) > "
		 "($after_time::timestamptz, $after_id::uuid) ORDER BY p.created_at, "
		 "p.id LIMIT $limit::int",
		 "after_time after_id limit", &partnership_row},
	[ST_PARTNERSHIP_GET] = {"partnership_get",
				"SELECT {cols} FROM partnerships p WHERE p.id = $id::uuid", "id",
				&partnership_row},
	[ST_PARTNERSHIP_UPDATE] = {"partnership_update",
				   "UPDATE partnerships AS p SET name = coalesce($name, p.name), "
				   "members = coalesce($members::uuid[], p.members), version = "
				   "p.version + 1, updated_at = now() WHERE p.id = $id::uuid AND "
				   "p.version = $version::int RETURNING {cols}",
				   "id version name members", &partnership_row},
	[ST_PARTNERSHIP_SITES] = {"partnership_sites",
				  "SELECT {cols} FROM refgw_partnership_sites($id::uuid) t", "id",
				  &partnership_site_row},
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
	[ST_UNIT_TAKE_BACK] = {"unit_take_back", "SELECT {cols}", "id end_date", &take_back_row},
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
	[ST_PROPOSAL_LIST_OPERATOR] = {"proposal_list_operator",
				       PROPOSAL_LIST_MINE("p.operator_org = refgw_caller()"),
				       PROPOSAL_LIST_MINE_PARAMS, &proposal_row},
	[ST_PROPOSAL_LIST_PROPOSER] = {"proposal_list_proposer",
				       PROPOSAL_LIST_MINE("p.proposer_org = refgw_caller()"),
				       PROPOSAL_LIST_MINE_PARAMS, &proposal_row},
	[ST_PROPOSAL_LIST_MINE] = {"proposal_list_mine",
				   PROPOSAL_LIST_MINE("(p.operator_org = refgw_caller() OR "
						      "p.proposer_org = refgw_caller())"),
				   PROPOSAL_LIST_MINE_PARAMS, &proposal_row},
	[ST_PROPOSAL_ACCEPT] = {"proposal_accept", "SELECT {cols}", "id", &accept_row},
	[ST_PROPOSAL_DECLINE] =
		{"proposal_decline",
		 "UPDATE proposals SET status = 'declined', reason_code = $reason_code, "
		 "decided_at = now() WHERE id = $id::uuid AND status = 'open' "
		 "AND operator_org = refgw_caller() RETURNING {cols}",
		 "id reason_code", &declined_row},
	[ST_OCC_START] = {"occ_start", "SELECT {cols}",
			  "proposal start_date planned_end_date release", &occ_start_row},
	[ST_OCC_END] = {"occ_end", "SELECT {cols}", "id end_date outcome", &occ_end_row},
	/* alert thresholds (alert_thresholds.h): the caller's own rows (RLS) */
	[ST_ALERT_THRESHOLDS_LIST] = {"alert_thresholds_list",
				      "SELECT {cols} FROM alert_thresholds t "
				      "WHERE t.organisation_id = refgw_caller()",
				      NULL, &alert_thresholds_row},
	[ST_ALERT_THRESHOLDS_REPLACE] = {"alert_thresholds_replace", "SELECT {cols}", "items",
					 &alert_replace_row},
	[ST_OCC_TERMS] = {"occ_terms", "SELECT {cols}", "id version referent convention",
			  &occ_terms_row},
	[ST_OCC_RELEASE] = {"occ_release", "SELECT {cols}", "proposal referral release",
			    &release_row},
	[ST_RELEASE_SEALED] = {"release_sealed",
			       "SELECT {cols} FROM refgw_release_sealed($proposal::uuid, "
			       "$referral::uuid) s",
			       "proposal referral", &release_sealed_row},
	[ST_PLACEMENT_RECORD] = {"placement_record", "SELECT {cols}",
				 "referral kind start_date planned_end_date note release",
				 &placement_record_row},
	[ST_OCC_GET] = {"occ_get", "SELECT {cols} FROM occupancies o WHERE o.id = $id::uuid", "id",
			&occupancy_row},
	/* The occupancies the caller reads (GET /v1/occupancies): as operator,
	 * referring organisation or referent (row-level security adds the
	 * referent's consent and occupancy.read), newest first; $ended NULL:
	 * both, true: ended, false: current (schema/056's indexes). */
	[ST_OCC_LIST] =
		{"occ_list",
		 "SELECT {cols} FROM occupancies o WHERE (o.operator_org = refgw_caller() "
		 "OR o.referring_org = refgw_caller() OR o.referent_org = refgw_caller()) "
		 "AND ($ended::boolean IS NULL OR (o.end_date IS NOT NULL) = $ended::boolean) "
		 "AND ($unit::uuid IS NULL OR o.unit_id = $unit::uuid) "
		 "AND (o.created_at, o.id) < ($before_time::timestamptz, $before_id::uuid) "
		 "ORDER BY o.created_at DESC, o.id DESC LIMIT $limit::int",
		 "ended unit before_time before_id limit", &occupancy_row},
	/* The caller's waitlisted referrals in order of application (the day
	 * of application follows the time), those whose consent holds with
	 * their needs and release date, sealed (refgw_waitlist_needs(),
	 * schema/016 and 051: referral_data's read rule, applied to the set),
	 * those back because their unit was taken back marked
	 * (refgw_waitlist_taken_back(), schema/033).  candidates.c opens,
	 * measures and orders them (docs/candidates.md). */
	[ST_WAITLIST] = {"waitlist",
			 "SELECT {cols} FROM referrals r "
			 "LEFT JOIN refgw_waitlist_needs() n ON n.referral_id = r.id "
			 "LEFT JOIN refgw_waitlist_taken_back() b ON b.referral_id = r.id "
			 "WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted' "
			 "ORDER BY r.created_at, r.id",
			 NULL, &waitlist_row},
	/* One audit row per referral whose personal fields a response showed:
	 * $referrals ids and $persons their persons, as array literals. */
	[ST_AUDIT_APPEND_READS] =
		{"audit_append_reads",
		 "SELECT count(refgw_audit_append(decode($certificate, 'hex'), $request, $action, "
		 "$type, x.id::text, x.person, $detail::jsonb)) FROM "
		 "unnest($ids::uuid[], $persons::uuid[]) AS x(id, person)",
		 "certificate request action type ids persons detail", NULL},
	/* reports (reports.h): the functions' own order */
	[ST_REPORT_OCCUPANCY] = {"report_occupancy",
				 "SELECT {cols} FROM refgw_report_occupancy() o", NULL,
				 &report_site_row},
	[ST_REPORT_REFERRALS] = {"report_referrals",
				 "SELECT {cols} FROM refgw_report_referrals() f", NULL,
				 &report_referral_row},
	/* programs (programs.h), the directory as HSDS 3 (hsds.h): the whole
	 * directory in one page, bounded */
	[ST_PROGRAM_LIST] = {"program_list",
			     "SELECT {cols} FROM programs p WHERE p.organisation_id = $org::uuid "
			     "ORDER BY p.code",
			     "org", &program_row},
	[ST_PROGRAM_GET] = {"program_get",
			    "SELECT {cols} FROM programs p WHERE p.organisation_id = $org::uuid "
			    "AND p.code = $code",
			    "org code", &program_row},
	[ST_PROGRAM_UPDATE] = {"program_update",
			       "UPDATE programs AS p SET status = coalesce($status, p.status), "
			       "kind = coalesce($kind, p.kind), "
			       "description = coalesce($description, p.description), "
			       "communes_served = CASE WHEN $communes::jsonb IS NULL THEN "
			       "p.communes_served ELSE ARRAY(SELECT jsonb_array_elements_text("
			       "$communes::jsonb)) END, "
			       "version = p.version + 1, updated_at = now() "
			       "WHERE p.organisation_id = $org::uuid AND p.code = $code "
			       "AND p.version = $version::int RETURNING {cols}",
			       "org code status kind description communes version", &program_row},
	/* follow-ups (follow_ups.h): row-level security shows the caller's
	 * own and those shared with it, and entries only under the consent */
	[ST_FOLLOW_UP_CHECK] = {"follow_up_check", "SELECT {cols}", "referral occupancy",
				&follow_up_check_row},
	[ST_FOLLOW_UP_INSERT] =
		{"follow_up_insert",
		 "INSERT INTO follow_ups AS f (organisation_id, referral_id, "
		 "occupancy_id, period_from, period_until, status) VALUES "
		 "(refgw_caller(), $referral::uuid, $occupancy::uuid, "
		 "$period_from::date, $period_until::date, coalesce($status, 'active')) "
		 "RETURNING f.id AS value",
		 "referral occupancy period_from period_until status", &scalar_row},
	[ST_FOLLOW_UP_LIST] =
		{"follow_up_list",
		 "SELECT {cols} FROM follow_ups f "
		 "WHERE ($status::text IS NULL OR f.status = $status) "
		 "AND (f.created_at, f.id) > ($after_time::timestamptz, $after_id::uuid) "
		 "ORDER BY f.created_at, f.id LIMIT $limit::int",
		 "status after_time after_id limit", &follow_up_row},
	[ST_FOLLOW_UP_GET] = {"follow_up_get",
			      "SELECT {cols} FROM follow_ups f WHERE f.id = $id::uuid", "id",
			      &follow_up_row},
	[ST_FOLLOW_UP_UPDATE] = {"follow_up_update",
				 "UPDATE follow_ups AS f SET status = coalesce($status, f.status), "
				 "period_until = CASE WHEN $set_until::boolean THEN "
				 "$period_until::date ELSE f.period_until END, "
				 "version = f.version + 1, updated_at = now() "
				 "WHERE f.id = $id::uuid AND f.version = $version::int "
				 "AND f.status <> 'closed' AND ($status::text IS NULL OR "
				 "refgw_follow_up_move_ok(f.status, $status)) "
				 "RETURNING {cols}",
				 "id version status set_until period_until", &follow_up_row},
	[ST_FOLLOW_UP_ENTRY_INSERT] =
		{"follow_up_entry_insert",
		 "INSERT INTO follow_up_entries AS e (follow_up_id, entry_date, "
		 "kind, text, written_by) VALUES ($follow_up::uuid, $date::date, "
		 "coalesce($kind, 'note'), $text, refgw_caller()) RETURNING {cols}",
		 "follow_up date kind text person", &follow_up_entry_row},
	[ST_FOLLOW_UP_ENTRY_LIST] =
		{"follow_up_entry_list",
		 "SELECT {cols} FROM follow_up_entries e "
		 "WHERE e.follow_up_id = $follow_up::uuid AND (e.created_at, e.id) > "
		 "($after_time::timestamptz, $after_id::uuid) "
		 "ORDER BY e.created_at, e.id LIMIT $limit::int",
		 "follow_up after_time after_id limit person", &follow_up_entry_row},
	[ST_HSDS_ORGANIZATIONS] = {"hsds_organizations",
				   "SELECT {cols} FROM organisations o WHERE o.status = 'active' "
				   "AND o.kind <> 'coordinator' ORDER BY o.name, o.id LIMIT 10000",
				   NULL, &hsds_org_row},
	[ST_HSDS_SERVICES] =
		{"hsds_services",
		 "SELECT {cols} FROM programs p JOIN organisations o ON o.id = "
		 "p.organisation_id WHERE o.kind <> 'coordinator' AND o.status = 'active' "
		 "ORDER BY o.name, p.code LIMIT 10000",
		 NULL, &hsds_service_row},
	[ST_HSDS_SERVICE_AREAS] =
		{"hsds_service_areas",
		 "SELECT {cols} FROM (SELECT md5(p.id::text || '/' || c)::uuid AS id, "
		 "p.id AS service_id, c AS name, 'commune of the Brussels-Capital Region' "
		 "AS description, o.name AS org_name, p.code, 1 AS n "
		 "FROM programs p JOIN organisations o ON o.id = p.organisation_id, "
		 "unnest(p.communes_served) c WHERE o.kind <> 'coordinator' AND o.status = "
		 "'active' "
		 "UNION ALL SELECT md5(p.id::text || '/')::uuid, p.id, "
		 "'Région de Bruxelles-Capitale', 'the whole Brussels-Capital Region', o.name, "
		 "p.code, 0 FROM programs p JOIN organisations o ON o.id = p.organisation_id "
		 "WHERE o.kind <> 'coordinator' AND o.status = 'active' "
		 "AND cardinality(p.communes_served) = 0) a "
		 "ORDER BY a.org_name, a.code, a.n, a.name LIMIT 10000",
		 NULL, &hsds_area_row},

	/* The services and the CLI, on connections of their own (db_query runs
	 * the text there; prepared on the pool too, never run by it).  The CLI's
	 * and the checkpoints' run as the schema owner (audit.h, checkpoint.h,
	 * notify.h, cli.h). */
	[ST_AUDIT_APPEND_SYSTEM] = {"audit_append_system",
				    "SELECT refgw_audit_append_system(NULL::bytea, $request, "
				    "$action, $resource_type, $resource_id, NULL::uuid, "
				    "$detail::jsonb)",
				    "request action resource_type resource_id detail", NULL},
	/* Read through a cursor (audit_verify: DECLARE ... FOR this text). */
	[ST_AUDIT_WALK] = {"audit_walk", "SELECT {cols} FROM audit_log a ORDER BY a.lane, a.seq",
			   NULL, &audit_walk_row},
	/* The first lane whose head does not match its last row. */
	[ST_AUDIT_HEAD_BROKEN] =
		{"audit_head_broken",
		 "SELECT {cols} FROM audit_lanes h "
		 "LEFT JOIN LATERAL (SELECT max(seq) AS seq, (array_agg(hash ORDER BY "
		 "seq DESC))[1] AS hash FROM audit_log l WHERE l.lane = h.lane) t "
		 "ON true WHERE coalesce(t.seq, 0) <> h.seq OR "
		 "(h.seq > 0 AND t.hash IS DISTINCT FROM h.head) ORDER BY h.lane LIMIT 1",
		 NULL, &audit_head_row},
	[ST_AUDIT_LANE_HEADS] = {"audit_lane_heads",
				 "SELECT {cols} FROM refgw_audit_lane_heads() h", NULL,
				 &lane_head_row},
	[ST_CHECKPOINT_LANES] =
		{"checkpoint_lanes",
		 "SELECT {cols} FROM unnest($lanes::int[], $seqs::bigint[]) WITH ORDINALITY "
		 "AS c(lane, seq, i) LEFT JOIN audit_lanes h ON h.lane = c.lane "
		 "LEFT JOIN audit_log l ON l.lane = c.lane AND l.seq = c.seq ORDER BY c.i",
		 "lanes seqs", &lane_now_row},
	[ST_CERTIFICATE_EXPIRIES] = {"certificate_expiries",
				     "SELECT {cols} FROM refgw_certificate_expiries() e", NULL,
				     &expiry_row},
	[ST_NOTIFY_ENDING_SOON] = {"notify_ending_soon", "SELECT {cols}", "days", &ending_row},
	[ST_WITHDRAW_EXPIRED_UNITS] = {"withdraw_expired_units", "SELECT {cols}", NULL,
				       &expired_row},
	/* The retention schedule (schema/046): no row when another session
	 * is applying it. */
	[ST_RETENTION_APPLY] =
		{"retention_apply",
		 "SELECT {cols} FROM refgw_retention_apply($dry_run::boolean, "
		 "$referral_m::int, $withdrawn_m::int, $expired_m::int, "
		 "$follow_up_m::int, $idem_days::int, $batch::int, $by) x",
		 "dry_run referral_m withdrawn_m expired_m follow_up_m idem_days batch by",
		 &retention_row},
	[ST_CLI_RUNTIME_ROLE] = {"cli_runtime_role",
				 "SELECT 1 FROM pg_roles WHERE rolname = 'refgw_app'", NULL, NULL},
	[ST_MIGRATION_APPLIED] = {"migration_applied",
				  "SELECT 1 FROM schema_migrations WHERE version = $version::int",
				  "version", NULL},
	[ST_MIGRATION_RECORD] = {"migration_record",
				 "INSERT INTO schema_migrations (version, name) VALUES "
				 "($version::int, $name)",
				 "version name", NULL},
	[ST_CLI_ORG_RESOLVE] = {"cli_org_resolve",
				"SELECT {cols} FROM organisations o WHERE o.id::text = $ref OR "
				"o.name = $ref",
				"ref", &cli_org_ref_row},
	[ST_CLI_ORG_LIST] = {"cli_org_list",
			     "SELECT {cols} FROM organisations o ORDER BY o.kind, o.name", NULL,
			     &cli_org_row},
	[ST_CLI_ORG_ACTIVATE] =
		{"cli_org_activate",
		 "UPDATE organisations SET status = 'active', version = version + "
		 "1, updated_at = now() WHERE id = $id::uuid AND status <> 'active' "
		 "RETURNING id",
		 "id", NULL},
	/* users (users.h): row-level security shows an organisation its own,
	 * the coordinator all, a worker's session none */
	[ST_USER_LIST] = {"user_list",
			  "SELECT {cols} FROM users u WHERE u.organisation_id = $org::uuid "
			  "AND (lower(u.email), u.id) > ($after_key::text, $after_id::uuid) "
			  "ORDER BY lower(u.email), u.id LIMIT $limit::int",
			  "org after_key after_id limit", &user_row},
	[ST_USER_GET] = {"user_get", "SELECT {cols} FROM users u WHERE u.id = $id::uuid", "id",
			 &user_row},
	/* also the CLI's (user add) */
	[ST_USER_INSERT] =
		{"user_insert",
		 "INSERT INTO users AS u (organisation_id, email, display_name, role, "
		 "language, invitation_hash, invitation_expires_at) "
		 "VALUES ($org::uuid, $email, $name, $role, $language, "
		 "decode($invitation, 'hex'), now() + make_interval(hours => $hours::int)) "
		 "RETURNING {cols}",
		 "org email name role language invitation hours", &user_row},
	[ST_USER_UPDATE] =
		{"user_update",
		 "UPDATE users AS u SET display_name = coalesce($name, u.display_name), "
		 "role = coalesce($role, u.role), "
		 "language = coalesce($language, u.language), "
		 "status = coalesce($status, u.status), version = u.version + 1, "
		 "updated_at = now() WHERE u.id = $id::uuid AND u.version = $version::int "
		 "RETURNING {cols}",
		 "id name role language status version", &user_row},
	[ST_USER_RESET] = {"user_reset",
			   "SELECT refgw_user_reset($id::uuid, decode($invitation, 'hex'), "
			   "$hours::int) AS value",
			   "id invitation hours", &scalar_row},
	/* the CLI, as the owner */
	[ST_CLI_USER_LIST] = {"cli_user_list",
			      "SELECT {cols} FROM users u WHERE u.organisation_id = $org::uuid "
			      "ORDER BY lower(u.email), u.id",
			      "org", &user_row},
	[ST_CLI_USER_DISABLE] =
		{"cli_user_disable",
		 "UPDATE users AS u SET status = 'disabled', version = u.version + 1, "
		 "updated_at = now() WHERE u.id = $id::uuid RETURNING {cols}",
		 "id", &user_row},
	/* sessions (sessions.h) */
	[ST_SESSION_AUTHENTICATE] = {"session_authenticate",
				     "SELECT {cols} FROM refgw_session_authenticate("
				     "decode($session, 'hex'), $action, $idle::int)",
				     "session action idle", &session_auth_row},
	[ST_SIGNIN_THROTTLED] = {"signin_throttled",
				 "SELECT {cols} FROM refgw_signin_throttled($account, $source)",
				 "account source", &throttle_row},
	[ST_SIGNIN_FAILED] = {"signin_failed",
			      "SELECT refgw_signin_failed($account, $source) IS NULL AS value",
			      "account source", &scalar_row},
	[ST_SIGNIN_CLEARED] = {"signin_cleared",
			       "SELECT refgw_signin_cleared($account) IS NULL AS value", "account",
			       &scalar_row},
	[ST_SIGNIN_USER] = {"signin_user", "SELECT {cols} FROM refgw_signin_user($email)", "email",
			    &signin_user_row},
	[ST_SESSION_START] = {"session_start",
			      "SELECT refgw_session_start(decode($session, 'hex'), $user::uuid, "
			      "$second_factor::boolean, $lifetime::int) IS NULL AS value",
			      "session user second_factor lifetime", &scalar_row},
	[ST_SESSION_PENDING] = {"session_pending",
				"SELECT {cols} FROM refgw_session_pending(decode($session, 'hex'))",
				"session", &pending_row},
	[ST_SESSION_PROMOTE] = {"session_promote",
				"SELECT refgw_session_promote(decode($pending, 'hex'), "
				"decode($session, 'hex'), $user::uuid, $step::bigint, "
				"$lifetime::int) AS value",
				"pending session user step lifetime", &scalar_row},
	[ST_SESSION_END] = {"session_end",
			    "SELECT refgw_session_end(decode($session, 'hex')) IS NULL AS value",
			    "session", &scalar_row},
	[ST_ACCOUNT_LANGUAGE] = {"account_language",
				 "SELECT refgw_account_language($language) IS NULL AS value",
				 "language", &scalar_row},
	[ST_INVITATION_USER] = {"invitation_user",
				"SELECT {cols} FROM refgw_invitation_user(decode($token, 'hex'))",
				"token", &invitation_row},
	[ST_INVITATION_ENROL] = {"invitation_enrol",
				 "SELECT refgw_invitation_enrol(decode($token, 'hex'), $password, "
				 "$key_id, decode($secret, 'hex')) AS value",
				 "token password key_id secret", &scalar_row},
	[ST_INVITATION_CONFIRM] = {"invitation_confirm",
				   "SELECT refgw_invitation_confirm(decode($token, 'hex'), "
				   "$step::bigint) AS value",
				   "token step", &scalar_row},
	/* receipts (journal.h): row-level security, the recorder of the
	 * consent only; a new code replaces the old one. */
	[ST_RECEIPT_ISSUE] = {"receipt_issue",
			      "WITH c AS (SELECT c.id, c.created_by, c.person_id FROM consents c "
			      "WHERE c.id = $id::uuid AND c.created_by = refgw_caller()) "
			      "INSERT INTO consent_receipts AS cr (consent_id, organisation_id, "
			      "person_id, code_hash) SELECT c.id, c.created_by, c.person_id, "
			      "decode($hash, 'hex') FROM c ON CONFLICT (consent_id) DO UPDATE "
			      "SET code_hash = EXCLUDED.code_hash, issued_at = now(), "
			      "revoked_at = NULL RETURNING {cols}",
			      "id hash", &receipt_row},
	[ST_RECEIPT_REVOKE] = {"receipt_revoke",
			       "UPDATE consent_receipts AS cr "
			       "SET revoked_at = coalesce(cr.revoked_at, now()) "
			       "WHERE cr.consent_id = $id::uuid RETURNING {cols}",
			       "id", &receipt_row},
	/* The journal: no caller, SECURITY DEFINER functions (schema/054). */
	[ST_JOURNAL_THROTTLE] = {"journal_throttle",
				 "SELECT refgw_journal_throttle($source) AS value", "source",
				 &scalar_row},
	[ST_JOURNAL] = {"journal",
			"SELECT refgw_journal(decode($hash, 'hex'), $request)::text AS value",
			"hash request", &scalar_row},
	[ST_AUDIT_CHAIN_VERIFY] = {"audit_chain_verify",
				   "SELECT refgw_audit_chain_verify($rows::int) AS value", "rows",
				   &scalar_row},
	[ST_AUDIT_CHAIN_STATUS] = {"audit_chain_status",
				   "SELECT refgw_audit_chain_status()::text AS value", NULL,
				   &scalar_row},
	[ST_AUDIT_CHECKPOINT_NOTE] =
		{"audit_checkpoint_note",
		 "SELECT refgw_audit_checkpoint_note($at::timestamptz, $key_id, "
		 "$lanes::int, $entries::bigint)",
		 "at key_id lanes entries", NULL},
};
