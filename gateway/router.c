/* router: route table, matching and request dispatch. */
#include "router.h"

#include <stdio.h>
#include <string.h>

#include "access_rules.h"
#include "alert_thresholds.h"
#include "audit.h"
#include "audit_trail.h"
#include "candidates.h"
#include "certificates.h"
#include "common.h"
#include "consents.h"
#include "db.h"
#include "events.h"
#include "export.h"
#include "follow_ups.h"
#include "hsds.h"
#include "idempotency.h"
#include "identity.h"
#include "journal.h"
#include "log.h"
#include "metrics.h"
#include "occupancies.h"
#include "organisations.h"
#include "persons.h"
#include "programs.h"
#include "proposals.h"
#include "referrals.h"
#include "reports.h"
#include "seal.h"
#include "sessions.h"
#include "sites.h"
#include "units.h"
#include "users.h"

const struct route routes[] = {
	{HTTP_GET, "/v1/me", handle_me, NULL, "me", ROUTE_IDENTITY_CACHE | ROUTE_CERTIFICATE_ONLY},
	/* Any organisation, for itself: rotation (docs/security.md). */
	{HTTP_POST, "/v1/me/certificates", handle_me_cert_register, NULL, "certificates.rotate",
	 ROUTE_IDEMPOTENT | ROUTE_CHANGES_IDENTITY | ROUTE_CERTIFICATE_ONLY},
	/* People on the browser listener (schema/052, docs/security.md). */
	{HTTP_POST, "/v1/session", handle_session_create, NULL, "session.create",
	 ROUTE_BROWSER_ONLY | ROUTE_NO_SESSION | ROUTE_COMMIT_REFUSALS},
	{HTTP_POST, "/v1/session/second-factor", handle_session_second_factor, NULL,
	 "session.second_factor", ROUTE_BROWSER_ONLY | ROUTE_NO_SESSION | ROUTE_COMMIT_REFUSALS},
	{HTTP_GET, "/v1/session", handle_session_get, NULL, "session.get", ROUTE_BROWSER_ONLY},
	{HTTP_DELETE, "/v1/session", handle_session_delete, NULL, "session.delete",
	 ROUTE_BROWSER_ONLY},
	{HTTP_PATCH, "/v1/account", handle_account_update, NULL, "account.update",
	 ROUTE_BROWSER_ONLY},
	{HTTP_POST, "/v1/account/enrol", handle_account_enrol, NULL, "account.enrol",
	 ROUTE_BROWSER_ONLY | ROUTE_NO_SESSION | ROUTE_COMMIT_REFUSALS},
	{HTTP_POST, "/v1/account/confirm", handle_account_confirm, NULL, "account.confirm",
	 ROUTE_BROWSER_ONLY | ROUTE_NO_SESSION | ROUTE_COMMIT_REFUSALS},
	{HTTP_GET, "/v1/organisations", handle_org_list, NULL, "organisations.list", 0},
	{HTTP_POST, "/v1/organisations", handle_org_create, "organisation.manage",
	 "organisations.create", ROUTE_IDEMPOTENT | ROUTE_CHANGES_IDENTITY},
	{HTTP_GET, "/v1/organisations/{id}", handle_org_get, NULL, "organisations.get", 0},
	{HTTP_PATCH, "/v1/organisations/{id}", handle_org_update, "organisation.manage",
	 "organisations.update", ROUTE_CHANGES_IDENTITY},
	/* Its own programs: the organisation itself or a coordinator (RLS). */
	{HTTP_GET, "/v1/organisations/{id}/programs", handle_program_list, NULL,
	 "organisations.programs", 0},
	{HTTP_PATCH, "/v1/organisations/{id}/programs/{code}", handle_program_update,
	 "program.manage", "organisations.programs.update", 0},
	/* The directory as Open Referral HSDS 3 (docs/hsds.md). */
	/* Its people (schema/052): the organisation itself, a coordinator
	 * any organisation's (RLS); never a worker's session. */
	{HTTP_GET, "/v1/organisations/{id}/users", handle_user_list, "user.read", "users.list", 0},
	/* Not idempotent: a stored replay would keep the invitation token in
	 * clear; a retry is 409 user-exists. */
	{HTTP_POST, "/v1/organisations/{id}/users", handle_user_create, "user.manage",
	 "users.create", 0},
	{HTTP_GET, "/v1/users/{id}", handle_user_get, "user.read", "users.get", 0},
	{HTTP_PATCH, "/v1/users/{id}", handle_user_update, "user.manage", "users.update", 0},
	{HTTP_POST, "/v1/users/{id}/reset", handle_user_reset, "user.manage", "users.reset", 0},
	{HTTP_GET, "/v1/hsds/organizations", handle_hsds_organizations, NULL, "hsds.organizations",
	 0},
	{HTTP_GET, "/v1/hsds/services", handle_hsds_services, NULL, "hsds.services", 0},
	{HTTP_GET, "/v1/hsds/service_areas", handle_hsds_service_areas, NULL, "hsds.service_areas",
	 0},
	{HTTP_GET, "/v1/organisations/{id}/certificates", handle_cert_list, NULL,
	 "certificates.list", 0},
	{HTTP_POST, "/v1/organisations/{id}/certificates", handle_cert_register,
	 "certificate.manage", "certificates.register", ROUTE_IDEMPOTENT | ROUTE_CHANGES_IDENTITY},
	{HTTP_POST, "/v1/organisations/{id}/certificates/{sha256}/revoke", handle_cert_revoke,
	 "certificate.manage", "certificates.revoke", ROUTE_CHANGES_IDENTITY},
	/* The organisation itself; coordinators only for one without an active
	 * certificate (four eyes), decided by PostgreSQL. */
	{HTTP_POST, "/v1/organisations/{id}/certificates/{sha256}/confirm", handle_cert_confirm,
	 NULL, "certificates.confirm", ROUTE_CHANGES_IDENTITY | ROUTE_CERTIFICATE_ONLY},
	{HTTP_POST, "/v1/persons", handle_person_create, "person.create", "persons.create",
	 ROUTE_IDEMPOTENT},
	/* The persons it recorded, newest first (issue 18): whoever may
	 * record them (RLS persons_read; the statement keeps its own). */
	{HTTP_GET, "/v1/persons", handle_person_list, "person.create", "persons.list", 0},
	/* Its recorder, or a coordinator on the person's request (schema/047). */
	{HTTP_DELETE, "/v1/persons/{id}", handle_person_erase, "person.erase", "persons.erase", 0},
	/* The coordinator, for the person: all refgw holds about them (schema/048). */
	{HTTP_GET, "/v1/persons/{id}/export", handle_person_export, "person.export",
	 "persons.export", 0},
	{HTTP_POST, "/v1/consents", handle_consent_create, "consent.create", "consents.create",
	 ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/consents", handle_consent_list, "consent.read", "consents.list", 0},
	{HTTP_POST, "/v1/consents/{id}/withdraw", handle_consent_withdraw, "consent.withdraw",
	 "consents.withdraw", 0},
	/* The slip's receipt code (schema/054): its recorder only (RLS).  Not
	 * idempotent: a stored replay would keep the code in clear; a retry
	 * issues a new one, which revokes the first. */
	{HTTP_POST, "/v1/consents/{id}/receipt", handle_receipt_issue, "consent.receipt",
	 "consents.receipt.issue", 0},
	{HTTP_DELETE, "/v1/consents/{id}/receipt", handle_receipt_revoke, "consent.receipt",
	 "consents.receipt.revoke", 0},
	/* The person's journal by receipt code: anyone holding one, on the
	 * browser listener, without a session; throttled per address and in
	 * all (counts committed whatever the answer). */
	{HTTP_POST, "/v1/journal/entries", handle_journal_read, NULL, "journal.read",
	 ROUTE_BROWSER_ONLY | ROUTE_NO_SESSION | ROUTE_COMMIT_REFUSALS},
	{HTTP_POST, "/v1/referrals", handle_referral_create, "referral.create", "referrals.create",
	 ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/referrals", handle_referral_list, "referral.read", "referrals.list", 0},
	{HTTP_GET, "/v1/referrals/{id}", handle_referral_get, "referral.read", "referrals.get", 0},
	{HTTP_POST, "/v1/referrals/{id}/transitions", handle_referral_transition,
	 "referral.transition", "referrals.transition", 0},
	{HTTP_GET, "/v1/referrals/{id}/history", handle_referral_history, "referral.read",
	 "referrals.history", 0},
	{HTTP_POST, "/v1/referrals/{id}/placements", handle_placement_record, "occupancy.manage",
	 "referrals.placements", ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/events", handle_event_list, "event.read", "events.list", 0},
	{HTTP_GET, "/v1/access-rules", handle_rules_list, NULL, "access_rules.list", 0},
	{HTTP_PUT, "/v1/access-rules", handle_rules_replace, "access_rule.manage",
	 "access_rules.replace", ROUTE_CHANGES_IDENTITY},
	{HTTP_PUT, "/v1/access-rules/{id}/{action}", handle_rule_put, "access_rule.manage",
	 "access_rules.set", ROUTE_CHANGES_IDENTITY},
	{HTTP_DELETE, "/v1/access-rules/{id}/{action}", handle_rule_delete, "access_rule.manage",
	 "access_rules.remove", ROUTE_CHANGES_IDENTITY},
	{HTTP_GET, "/v1/audit", handle_audit_list, "audit.read", "audit.list", 0},
	/* The chain's status as housekeeping verified it: coordinators only,
	 * no row's contents (schema/057). */
	{HTTP_GET, "/v1/audit/chain", handle_audit_chain, "audit.chain", "audit.chain", 0},
	{HTTP_POST, "/v1/sites", handle_site_create, "site.manage", "sites.create",
	 ROUTE_IDEMPOTENT},
	/* Its own sites, its partnerships' sites, every site to a coordinator (RLS). */
	{HTTP_GET, "/v1/sites", handle_site_list, NULL, "sites.list", 0},
	{HTTP_GET, "/v1/sites/{id}", handle_site_get, NULL, "sites.get", 0},
	{HTTP_PATCH, "/v1/sites/{id}", handle_site_update, "site.manage", "sites.update", 0},
	{HTTP_POST, "/v1/partnerships", handle_partnership_create, "partnership.manage",
	 "partnerships.create", ROUTE_IDEMPOTENT},
	/* Its members and whoever manages partnerships (RLS). */
	{HTTP_GET, "/v1/partnerships", handle_partnership_list, NULL, "partnerships.list", 0},
	{HTTP_GET, "/v1/partnerships/{id}", handle_partnership_get, NULL, "partnerships.get", 0},
	{HTTP_PATCH, "/v1/partnerships/{id}", handle_partnership_update, "partnership.manage",
	 "partnerships.update", 0},
	{HTTP_GET, "/v1/partnerships/{id}/sites", handle_partnership_sites, NULL,
	 "partnerships.sites", 0},
	{HTTP_POST, "/v1/units", handle_unit_create, "unit.manage", "units.create",
	 ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/units", handle_unit_search, "unit.read", "units.search", 0},
	{HTTP_GET, "/v1/units/{id}", handle_unit_get, "unit.read", "units.get", 0},
	{HTTP_PATCH, "/v1/units/{id}", handle_unit_update, "unit.manage", "units.update", 0},
	{HTTP_POST, "/v1/units/{id}/proposals", handle_proposal_create, "proposal.create",
	 "proposals.create", ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/units/{id}/proposals", handle_proposal_list, "unit.read", "proposals.list",
	 0},
	{HTTP_GET, "/v1/units/{id}/candidates", handle_unit_candidates, "unit.read",
	 "units.candidates", 0},
	/* Every proposal of the caller's, as the units' operator or as the
	 * proposer (RLS shows the same), newest first (issue 18). */
	{HTTP_GET, "/v1/proposals", handle_proposal_list_mine, "unit.read", "proposals.mine", 0},
	{HTTP_POST, "/v1/proposals/{id}/decision", handle_proposal_decision, "proposal.decide",
	 "proposals.decide", 0},
	{HTTP_POST, "/v1/occupancies", handle_occupancy_start, "occupancy.manage",
	 "occupancies.start", ROUTE_IDEMPOTENT},
	/* Those it may read (operator, referring organisation, referent
	 * under the consent: RLS), newest first (issue 18). */
	{HTTP_GET, "/v1/occupancies", handle_occupancy_list, "occupancy.read", "occupancies.list",
	 0},
	{HTTP_GET, "/v1/occupancies/{id}", handle_occupancy_get, "occupancy.read",
	 "occupancies.get", 0},
	{HTTP_POST, "/v1/occupancies/{id}/end", handle_occupancy_end, "occupancy.manage",
	 "occupancies.end", 0},
	/* Follow-ups: their own organisation changes them; row-level security
	 * shows the caller's own and those shared with it (schema/030). */
	{HTTP_POST, "/v1/follow-ups", handle_follow_up_create, "follow_up.manage",
	 "follow_ups.create", ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/follow-ups", handle_follow_up_list, "follow_up.read", "follow_ups.list", 0},
	{HTTP_GET, "/v1/follow-ups/{id}", handle_follow_up_get, "follow_up.read", "follow_ups.get",
	 0},
	{HTTP_PATCH, "/v1/follow-ups/{id}", handle_follow_up_update, "follow_up.manage",
	 "follow_ups.update", 0},
	{HTTP_POST, "/v1/follow-ups/{id}/entries", handle_follow_up_entry_create,
	 "follow_up.manage", "follow_ups.entries.create", ROUTE_IDEMPOTENT},
	{HTTP_GET, "/v1/follow-ups/{id}/entries", handle_follow_up_entry_list, "follow_up.read",
	 "follow_ups.entries.list", 0},
	{HTTP_PATCH, "/v1/occupancies/{id}", handle_occupancy_update, "occupancy.manage",
	 "occupancies.update", 0},
	{HTTP_GET, "/v1/alert-thresholds", handle_alert_thresholds_get, "event.read",
	 "alert_thresholds.get", 0},
	{HTTP_PUT, "/v1/alert-thresholds", handle_alert_thresholds_put, "event.read",
	 "alert_thresholds.put", 0},
	{HTTP_GET, "/v1/reports/occupancy", handle_report_occupancy, "report.read",
	 "reports.occupancy", 0},
	{HTTP_GET, "/v1/reports/referrals", handle_report_referrals, "report.read",
	 "reports.referrals", 0},
};
const size_t nroutes = ARRAY_LEN(routes);

static bool
is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Matches path against pattern segment by segment. */
static bool
match(const char *pattern, const char *path, char params[][ROUTE_PARAM_MAX], int *nparams)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return false;
		p++, s++;
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		if (*p == '{') {
			char tmp[ROUTE_PARAM_MAX];
			if (slen == 0 || slen >= ROUTE_PARAM_MAX || n >= ROUTE_MAX_PARAMS)
				return false;
			memcpy(tmp, s, slen);
			tmp[slen] = '\0';
			if (strncmp(p, "{id}", plen) == 0 && !is_uuid(tmp))
				return false;
			if (strncmp(p, "{sha256}", plen) == 0 && !is_hex64(tmp, slen))
				return false;
			memcpy(params[n++], tmp, slen + 1);
		} else if (plen != slen || memcmp(p, s, plen) != 0) {
			return false;
		}
		p += plen, s += slen;
	}
	if (*p || *s)
		return false;
	*nparams = n;
	return true;
}

const struct route *
router_match(enum http_method method, const char *path, char params[][ROUTE_PARAM_MAX],
	     int *nparams, int *allow)
{
	const struct route *found = NULL;
	char scratch[ROUTE_MAX_PARAMS][ROUTE_PARAM_MAX];
	int n;
	size_t i;

	*allow = 0;
	*nparams = 0;
	for (i = 0; i < nroutes; i++) {
		if (!match(routes[i].pattern, path, scratch, &n))
			continue;
		*allow |= routes[i].method;
		if (routes[i].method == method && found == NULL) {
			found = &routes[i];
			memcpy(params, scratch, sizeof(scratch));
			*nparams = n;
		}
	}
	if (found)
		*allow = 0;
	return found;
}

void
router_allow_header(int allow, char *out, size_t outlen)
{
	static const struct {
		int bit;
		const char *name;
	} names[] = {{HTTP_GET, "GET"},     {HTTP_POST, "POST"},     {HTTP_PUT, "PUT"},
		     {HTTP_PATCH, "PATCH"}, {HTTP_DELETE, "DELETE"}, {HTTP_HEAD, "HEAD"}};
	size_t i;

	out[0] = '\0';
	for (i = 0; i < ARRAY_LEN(names); i++) {
		if (!(allow & names[i].bit))
			continue;
		if (out[0])
			strncat(out, ", ", outlen - strlen(out) - 1);
		strncat(out, names[i].name, outlen - strlen(out) - 1);
	}
}

static int
unavailable(struct request *r, enum db_status s)
{
	r->retry_after = 1;
	if (s == DB_POOL_TIMEOUT)
		reply_problem(r, 503, "busy", "Gateway busy",
			      "every database connection is in use; retry after a second");
	else
		reply_problem(r, 503, "database-unavailable", "Database unavailable",
			      "the gateway cannot reach its database; retry after a second");
	r->retry_after = 1;
	return 503;
}

static bool
changes_state(enum http_method m)
{
	return m == HTTP_POST || m == HTTP_PUT || m == HTTP_PATCH || m == HTTP_DELETE;
}

/* The browser listener's first check of a state change, before anything
 * else: the Origin the browser sent must be ours (an absent one is
 * refused).  SameSite=Strict alone leaves sibling sites and old browsers. */
static bool
origin_refused(struct request *r)
{
	const char *origin = req_header(r, "Origin");

	if (!changes_state(r->method) || (origin && strcmp(origin, sessions_origin()) == 0))
		return false;
	if (origin)
		reply_problem(r, 403, "csrf", "Cross-site request refused",
			      "a change must come from %s (the Origin header): this request came "
			      "from another origin",
			      sessions_origin());
	else
		reply_problem(r, 403, "csrf", "Cross-site request refused",
			      "a change must come from %s (the Origin header): this request named "
			      "no origin",
			      sessions_origin());
	return true;
}

/* Authenticates a browser request by its session cookie (r->db acquired):
 * 0, or the status answered.  A state change then needs the session's CSRF
 * token in X-CSRF-Token. */
static int
authenticate_browser(struct request *r, const char *action)
{
	char id[SESSION_ID_LEN + 1], hash[65];
	int status;

	if (!session_cookie(r, id))
		return reply_problem(r, 401, "unauthenticated", "Not signed in",
				     "sign in first (POST /v1/session): no session cookie");
	session_id_hash(id, hash);
	status = identity_authenticate_session(r, hash, action);
	if (status == 0 && changes_state(r->method) &&
	    !session_csrf_ok(id, req_header(r, "X-CSRF-Token"))) {
		r->authenticated = false;
		status = reply_problem(r, 403, "csrf", "CSRF token missing or wrong",
				       "send the session's csrf_token (GET /v1/session) in the "
				       "X-CSRF-Token header with every change");
	}
	wipe(id, sizeof(id));
	return status;
}

void
router_dispatch(struct request *r, const char *fp)
{
	const struct route *rt;
	const char *idem_key;
	enum db_status s;
	int allow = 0, status;
	uint64_t identity_generation = 0;

	rt = router_match(r->method, r->path, r->params, &r->nparams, &allow);
	/* A route of the other listener is not there at all. */
	if (rt && (rt->flags & (r->browser ? ROUTE_CERTIFICATE_ONLY : ROUTE_BROWSER_ONLY))) {
		rt = NULL;
		allow = 0;
	}
	r->route = rt;
	r->route_index = rt ? (int)(rt - routes) : -1;
	if (r->browser && origin_refused(r))
		return;

	if (!r->browser && rt && (rt->flags & ROUTE_IDENTITY_CACHE)) {
		if (identity_answer_from_cache(r, fp, rt->handler))
			return;
		identity_generation = identity_cache_generation(); /* before the reads */
	}
	s = db_acquire(&r->db);
	if (s != DB_OK) {
		unavailable(r, s);
		return;
	}
	if (r->browser && rt && (rt->flags & ROUTE_NO_SESSION)) {
		s = db_begin(r->db);
		if (s != DB_OK) {
			reply_db_error(r, s);
			goto out;
		}
	} else if (r->browser ? authenticate_browser(r, rt ? rt->action : NULL) != 0
			      : identity_authenticate(r, fp, rt ? rt->action : NULL) != 0) {
		goto out;
	}
	if (rt == NULL) {
		if (allow) {
			router_allow_header(allow, r->allow, sizeof(r->allow));
			reply_problem(r, 405, "method-not-allowed", "Method not allowed",
				      "%s is not allowed on %s; allowed: %s", r->method_name,
				      r->path, r->allow);
		} else {
			reply_problem(r, 404, "not-found", "Not found", "no resource at %s",
				      r->path);
		}
		goto out;
	}
	if (rt->action && !r->who.may) {
		if (r->browser)
			reply_problem(r, 403, "forbidden", "Forbidden",
				      "the access rules do not allow %s to a %s of this "
				      "organisation",
				      rt->action, r->who.user_role);
		else
			reply_problem(r, 403, "forbidden", "Forbidden",
				      "the access rules do not allow this organisation %s",
				      rt->action);
		goto out;
	}
	idem_key = (rt->flags & ROUTE_IDEMPOTENT) ? req_header(r, "Idempotency-Key") : NULL;
	if (idem_key && idem_claim(r, idem_key) != 0)
		goto out; /* replayed, or refused */
	r->idempotent = idem_key != NULL;
	(void)seal_unavailable_take(); /* nothing left from another request */
	status = rt->handler(r);
	/* The status defaults to 500: a handler that built no answer never
	 * sends an empty 200 (nor commits). */
	if (r->resp == NULL)
		status = reply_internal(r);
	if (status >= 400 && status < 500 && (rt->flags & ROUTE_COMMIT_REFUSALS)) {
		/* The refusal stands; what it counted is kept. */
		if (db_commit(r->db) != DB_OK)
			log_request_warnx(r->id, "", "a refusal's counters were not committed");
		goto out;
	}
	if (status >= 400) {
		/* A write that failed because PostgreSQL went away mid-request
		 * (the audit or event insert, say) was not committed: 503, so
		 * that the partner retries, rather than 500. */
		if (r->status >= 500 && db_lost(r->db)) {
			reply_reset(r);
			unavailable(r, DB_UNAVAILABLE);
		}
		goto out;
	}
	/* A handler whose one call carried COMMIT (db_query_commit) has
	 * committed; else the idempotency record goes with COMMIT, in one
	 * round trip. */
	if (r->committed)
		s = DB_OK;
	else if (idem_key && idem_store(r, idem_key, &s) != 0) {
		reply_reset(r);
		if (db_lost(r->db))
			unavailable(r, DB_UNAVAILABLE);
		else
			reply_problem(r, 500, "internal", "Internal error",
				      "the idempotency record could not be written (request id %s)",
				      r->id);
		goto out;
	} else if (!idem_key)
		s = db_commit(r->db);
	if (s != DB_OK) {
		/* Nothing was acknowledged: the client may retry. */
		reply_commit_error(r, s);
	} else if (rt->flags & ROUTE_CHANGES_IDENTITY) {
		identity_cache_invalidate();
	} else if (identity_generation && !r->browser && r->status == 200 &&
		   !r->caller_actions_truncated) {
		identity_cache_put(identity_generation, fp, r);
	}
out:
	db_release(r->db); /* rolls back anything not committed */
	r->db = NULL;
}
