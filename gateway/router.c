/* router: route table and request dispatch. */
#include "router.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "candidates.h"
#include "db.h"
#include "events.h"
#include "handlers.h"
#include "idcache.h"
#include "idempotency.h"
#include "log.h"
#include "metrics.h"
#include "occupancies.h"
#include "proposals.h"
#include "referrals.h"
#include "sites.h"
#include "statements.h"
#include "units.h"

const struct route routes[] = {
	{HTTP_GET, "/v1/me", handle_me, NULL, "me", false},
	/* Any organisation, for itself: rotation (docs/security.md). */
	{HTTP_POST, "/v1/me/certificates", handle_me_cert_register, NULL, "certificates.rotate",
	 true},
	{HTTP_GET, "/v1/organisations", handle_org_list, NULL, "organisations.list", false},
	{HTTP_POST, "/v1/organisations", handle_org_create, "organisation.manage",
	 "organisations.create", true},
	{HTTP_GET, "/v1/organisations/{id}", handle_org_get, NULL, "organisations.get", false},
	{HTTP_PATCH, "/v1/organisations/{id}", handle_org_update, "organisation.manage",
	 "organisations.update", false},
	{HTTP_GET, "/v1/organisations/{id}/certificates", handle_cert_list, NULL,
	 "certificates.list", false},
	{HTTP_POST, "/v1/organisations/{id}/certificates", handle_cert_register,
	 "certificate.manage", "certificates.register", true},
	{HTTP_POST, "/v1/organisations/{id}/certificates/{sha256}/revoke", handle_cert_revoke,
	 "certificate.manage", "certificates.revoke", false},
	/* The organisation itself; coordinators only for one without an active
	 * certificate (four eyes), decided by PostgreSQL. */
	{HTTP_POST, "/v1/organisations/{id}/certificates/{sha256}/confirm", handle_cert_confirm,
	 NULL, "certificates.confirm", false},
	{HTTP_POST, "/v1/persons", handle_person_create, "person.create", "persons.create", true},
	{HTTP_POST, "/v1/consents", handle_consent_create, "consent.create", "consents.create",
	 true},
	{HTTP_GET, "/v1/consents", handle_consent_list, "consent.read", "consents.list", false},
	{HTTP_POST, "/v1/consents/{id}/withdraw", handle_consent_withdraw, "consent.withdraw",
	 "consents.withdraw", false},
	{HTTP_POST, "/v1/referrals", handle_referral_create, "referral.create", "referrals.create",
	 true},
	{HTTP_GET, "/v1/referrals", handle_referral_list, "referral.read", "referrals.list", false},
	{HTTP_GET, "/v1/referrals/{id}", handle_referral_get, "referral.read", "referrals.get",
	 false},
	{HTTP_POST, "/v1/referrals/{id}/transitions", handle_referral_transition,
	 "referral.transition", "referrals.transition", false},
	{HTTP_GET, "/v1/referrals/{id}/history", handle_referral_history, "referral.read",
	 "referrals.history", false},
	{HTTP_GET, "/v1/events", handle_event_list, "event.read", "events.list", false},
	{HTTP_GET, "/v1/access-rules", handle_rules_list, NULL, "access_rules.list", false},
	{HTTP_PUT, "/v1/access-rules", handle_rules_replace, "access_rule.manage",
	 "access_rules.replace", false},
	{HTTP_GET, "/v1/audit", handle_audit_list, "audit.read", "audit.list", false},
	{HTTP_POST, "/v1/sites", handle_site_create, "site.manage", "sites.create", true},
	{HTTP_POST, "/v1/units", handle_unit_create, "unit.manage", "units.create", true},
	{HTTP_GET, "/v1/units", handle_unit_search, "unit.read", "units.search", false},
	{HTTP_GET, "/v1/units/{id}", handle_unit_get, "unit.read", "units.get", false},
	{HTTP_PATCH, "/v1/units/{id}", handle_unit_update, "unit.manage", "units.update", false},
	{HTTP_POST, "/v1/units/{id}/proposals", handle_proposal_create, "proposal.create",
	 "proposals.create", true},
	{HTTP_GET, "/v1/units/{id}/proposals", handle_proposal_list, "unit.read", "proposals.list",
	 false},
	{HTTP_GET, "/v1/units/{id}/candidates", handle_unit_candidates, "unit.read",
	 "units.candidates", false},
	{HTTP_POST, "/v1/proposals/{id}/decision", handle_proposal_decision, "proposal.decide",
	 "proposals.decide", false},
	{HTTP_POST, "/v1/occupancies", handle_occupancy_start, "occupancy.manage",
	 "occupancies.start", true},
	{HTTP_GET, "/v1/occupancies/{id}", handle_occupancy_get, "occupancy.read",
	 "occupancies.get", false},
	{HTTP_POST, "/v1/occupancies/{id}/end", handle_occupancy_end, "occupancy.manage",
	 "occupancies.end", false},
	{HTTP_GET, "/v1/reports/occupancy", handle_report_occupancy, "report.read",
	 "reports.occupancy", false},
	{HTTP_GET, "/v1/reports/referrals", handle_report_referrals, "report.read",
	 "reports.referrals", false},
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

/* Resolves the organisation from the fingerprint and sets it for RLS. */
static int
authenticate(struct request *r, const char *fp)
{
	const char *params[2] = {fp, r->route ? r->route->action : NULL};
	struct db_res *res = NULL;
	enum db_status s;
	int status = 0;

	/* One round trip: BEGIN and the authentication. */
	s = db_begin_exec(r->db, ST_AUTHENTICATE, 2, params, &res);
	if (s != DB_OK)
		return reply_db_error(r, s);
	if (db_rows(res) == 0) {
		status = reply_problem(
			r, 401, "certificate-unknown", "Certificate not registered",
			"the client certificate (sha256 %s) is not registered with the "
			"gateway; ask the coordinator to register it",
			fp);
	} else if (strcmp(db_val(res, 0, 4), "t") == 0) {
		status = reply_problem(r, 401, "certificate-revoked", "Certificate revoked",
				       "the client certificate (sha256 %s) has been revoked", fp);
	} else if (strcmp(db_val(res, 0, 7), "t") == 0) {
		status = reply_problem(
			r, 401, "certificate-pending", "Certificate not confirmed",
			"the client certificate (sha256 %s) was registered by a "
			"coordinator and waits for confirmation: your organisation "
			"confirms it with a current certificate of its own (POST "
			"/v1/organisations/%s/certificates/%s/confirm), or, if it has "
			"none left, a second coordinator certificate does",
			fp, db_val(res, 0, 0), fp);
	} else if (strcmp(db_val(res, 0, 3), "active") != 0) {
		status = reply_problem(r, 403, "organisation-suspended", "Organisation suspended",
				       "the organisation of this certificate is suspended");
	} else {
		snprintf(r->who.organisation_id, sizeof(r->who.organisation_id), "%s",
			 db_val(res, 0, 0));
		snprintf(r->who.organisation_name, sizeof(r->who.organisation_name), "%s",
			 db_val(res, 0, 1));
		snprintf(r->who.kind, sizeof(r->who.kind), "%s", db_val(res, 0, 2));
		snprintf(r->who.certificate_sha256, sizeof(r->who.certificate_sha256), "%s", fp);
		r->who.may = strcmp(db_val(res, 0, 6), "t") == 0;
		r->who.certificate_confirmed = true;
		r->authenticated = true;
	}
	db_res_free(res);
	return status;
}

/* What the identity cache depends on (schema/014 notifies the same). */
static bool
changes_identity(const struct route *rt)
{
	static const char *const actions[] = {"organisation.manage", "certificate.manage",
					      "access_rule.manage"};
	size_t i;

	if (rt->handler == handle_cert_confirm || rt->handler == handle_me_cert_register)
		return true;
	for (i = 0; rt->action && i < ARRAY_LEN(actions); i++)
		if (strcmp(rt->action, actions[i]) == 0)
			return true;
	return false;
}

/* Identity cache entries past their time to live are re-read here, by one
 * thread, off the request path: the request that finds one stale is
 * answered from it at once (idcache.h).  Re-reading in that request made
 * it wait for PostgreSQL, up to seconds on a CPU-saturated machine
 * (docs/performance.md). */
#define REFRESH_QUEUE 64

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stop;
	char queue[REFRESH_QUEUE][65];
	unsigned head, count;
} refresher = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The same reads as GET /v1/me, in a transaction of their own; refusals
 * drop the entry, other failures leave it to expire. */
static void
refresh_identity(const char *fp)
{
	struct request *r = calloc(1, sizeof(*r));
	uint64_t generation = idcache_generation(); /* before the reads */
	size_t i;

	if (r == NULL || generation == 0)
		goto out;
	snprintf(r->id, sizeof(r->id), "identity-refresh");
	for (i = 0; i < nroutes; i++)
		if (routes[i].handler == handle_me)
			r->route = &routes[i];
	if (db_acquire(&r->db) != DB_OK)
		goto out;
	if (authenticate(r, fp) != 0) {
		if (r->status == 401 || r->status == 403)
			idcache_drop(fp);
		goto out;
	}
	if (handle_me(r) == 200 && !r->caller_actions_truncated && db_commit(r->db) == DB_OK) {
		idcache_put(generation, fp, now_monotonic_us(), &r->who, r->caller_actions);
		metrics_identity_refresh();
	}
out:
	if (r != NULL) {
		db_release(r->db);
		free(r->resp);
		free(r);
	}
}

static void *
refresher_main(void *unused)
{
	char fp[65];

	(void)unused;
	pthread_mutex_lock(&refresher.lock);
	while (!refresher.stop) {
		if (refresher.count == 0) {
			pthread_cond_wait(&refresher.wake, &refresher.lock);
			continue;
		}
		memcpy(fp, refresher.queue[refresher.head], sizeof(fp));
		refresher.head = (refresher.head + 1) % REFRESH_QUEUE;
		refresher.count--;
		pthread_mutex_unlock(&refresher.lock);
		refresh_identity(fp);
		pthread_mutex_lock(&refresher.lock);
	}
	pthread_mutex_unlock(&refresher.lock);
	return NULL;
}

/* Not queued (queue full, or no refresher): the entry expires and the next
 * request reads the database itself. */
static void
refresh_later(const char *fp)
{
	pthread_mutex_lock(&refresher.lock);
	if (refresher.running && refresher.count < REFRESH_QUEUE) {
		snprintf(refresher.queue[(refresher.head + refresher.count) % REFRESH_QUEUE], 65,
			 "%s", fp);
		refresher.count++;
		pthread_cond_signal(&refresher.wake);
	}
	pthread_mutex_unlock(&refresher.lock);
}

int
router_start(void)
{
	pthread_mutex_lock(&refresher.lock);
	refresher.stop = false;
	refresher.count = 0;
	refresher.running = pthread_create(&refresher.thread, NULL, refresher_main, NULL) == 0;
	pthread_mutex_unlock(&refresher.lock);
	return refresher.running ? 0 : -1;
}

void
router_stop(void)
{
	bool running;

	pthread_mutex_lock(&refresher.lock);
	running = refresher.running;
	refresher.stop = true;
	refresher.running = false;
	pthread_cond_signal(&refresher.wake);
	pthread_mutex_unlock(&refresher.lock);
	if (running)
		pthread_join(refresher.thread, NULL);
}

/* GET /v1/me from the identity cache (idcache.h), without a transaction. */
static bool
answer_from_cache(struct request *r, const char *fp)
{
	bool refresh;

	if (!idcache_get(fp, now_monotonic_us(), &r->who, r->caller_actions,
			 sizeof(r->caller_actions), &refresh)) {
		metrics_identity_cache(false);
		return false;
	}
	metrics_identity_cache(true);
	if (refresh)
		refresh_later(fp);
	snprintf(r->who.certificate_sha256, sizeof(r->who.certificate_sha256), "%s", fp);
	r->who.may = true;                   /* the route needs no action */
	r->who.certificate_confirmed = true; /* only confirmed ones are stored */
	r->authenticated = true;
	handle_me(r);
	return true;
}

void
router_dispatch(struct request *r, const char *fp)
{
	const struct route *rt;
	const char *idem_key;
	enum db_status s;
	int allow = 0;
	uint64_t identity_generation = 0;

	rt = router_match(r->method, r->path, r->params, &r->nparams, &allow);
	r->route = rt;
	r->route_index = rt ? (int)(rt - routes) : -1;

	if (rt && rt->handler == handle_me) {
		if (answer_from_cache(r, fp))
			return;
		identity_generation = idcache_generation(); /* before the reads */
	}
	s = db_acquire(&r->db);
	if (s != DB_OK) {
		unavailable(r, s);
		return;
	}
	if (authenticate(r, fp) != 0)
		goto out;
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
		reply_problem(r, 403, "forbidden", "Forbidden",
			      "the access rules do not allow this organisation %s", rt->action);
		goto out;
	}
	idem_key = rt->idempotent ? req_header(r, "Idempotency-Key") : NULL;
	if (idem_key && idem_claim(r, idem_key) != 0)
		goto out; /* replayed, or refused */
	if (rt->handler(r) >= 400) {
		/* A write that failed because PostgreSQL went away mid-request
		 * (the audit or event insert, say) was not committed: 503, so
		 * that the partner retries, rather than 500. */
		if (r->status >= 500 && db_lost(r->db)) {
			reply_reset(r);
			unavailable(r, DB_UNAVAILABLE);
		}
		goto out;
	}
	if (idem_key && idem_store(r, idem_key) != 0) {
		reply_reset(r);
		if (db_lost(r->db))
			unavailable(r, DB_UNAVAILABLE);
		else
			reply_problem(r, 500, "internal", "Internal error",
				      "the idempotency record could not be written (request id %s)",
				      r->id);
		goto out;
	}
	s = db_commit(r->db);
	if (s != DB_OK) {
		/* Nothing was acknowledged: the client may retry. */
		log_request_warnx(r->id, r->who.organisation_id, "commit failed: %s",
				  db_status_name(s));
		if (s == DB_UNAVAILABLE || s == DB_TIMEOUT)
			unavailable(r, s == DB_TIMEOUT ? DB_POOL_TIMEOUT : s);
		else if (s == DB_SERIALIZATION)
			reply_problem(r, 409, "conflict-retry", "Concurrent change",
				      "a concurrent change conflicted with this one; retry");
		else
			reply_problem(r, 500, "internal", "Internal error",
				      "the change could not be committed (request %s)", r->id);
	} else if (changes_identity(rt)) {
		idcache_invalidate();
	} else if (identity_generation && r->status == 200 && !r->caller_actions_truncated) {
		idcache_put(identity_generation, fp, now_monotonic_us(), &r->who,
			    r->caller_actions);
	}
out:
	db_release(r->db); /* rolls back anything not committed */
	r->db = NULL;
}
