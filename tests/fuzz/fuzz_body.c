/* libFuzzer driver: request body -> JSON -> validation -> handler, for every
 * route that takes a body, with a database that is never there.
 *   byte 0: which route (modulo the table), byte 1: how the database fails,
 *   the rest: the body, capped like http.c caps it.
 * What must hold for every input:
 *   - the handler answers exactly once with an error status (the database
 *     never succeeds), as a problem+json object whose status matches;
 *   - a 400 or 415 is decided before any statement runs (bad input changes
 *     nothing, by construction rather than by rollback);
 *   - every validation error names a field and a message (strings);
 *   - a body that is not JSON is the client's fault: never a 500 unless the
 *     database was asked (["\<U+1F300>"] once was, issue 12);
 *   - the person's journal (POST /v1/journal/entries): a receipt code that
 *     decodes is the canonical code of its bytes (check_receipt_code). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_db.h"
#include "access_rules.h"
#include "alert_thresholds.h"
#include "audit_trail.h"
#include "certificates.h"
#include "consents.h"
#include "events.h"
#include "journal.h"
#include "common.h"
#include "occupancies.h"
#include "organisations.h"
#include "persons.h"
#include "proposals.h"
#include "referrals.h"
#include "reports.h"
#include "request.h"
#include "sites.h"
#include "units.h"

static const struct {
	const char *name;
	int (*handler)(struct request *);
	enum http_method method;
	int nparams;
} routes[] = {
    {"organisations.create", handle_org_create, HTTP_POST, 0},
    {"organisations.update", handle_org_update, HTTP_PATCH, 1},
    {"certificates.register", handle_cert_register, HTTP_POST, 1},
    {"certificates.revoke", handle_cert_revoke, HTTP_POST, 2},
    {"persons.create", handle_person_create, HTTP_POST, 0},
    {"consents.create", handle_consent_create, HTTP_POST, 0},
    {"consents.withdraw", handle_consent_withdraw, HTTP_POST, 1},
    {"referrals.create", handle_referral_create, HTTP_POST, 0},
    {"referrals.transition", handle_referral_transition, HTTP_POST, 1},
    {"access_rules.replace", handle_rules_replace, HTTP_PUT, 0},
    {"sites.create", handle_site_create, HTTP_POST, 0},
    {"units.create", handle_unit_create, HTTP_POST, 0},
    {"units.update", handle_unit_update, HTTP_PATCH, 1},
    {"proposals.create", handle_proposal_create, HTTP_POST, 1},
    {"proposals.decision", handle_proposal_decision, HTTP_POST, 1},
    {"occupancies.start", handle_occupancy_start, HTTP_POST, 0},
    {"occupancies.end", handle_occupancy_end, HTTP_POST, 1},
    {"occupancies.update", handle_occupancy_update, HTTP_PATCH, 1},
    {"alert_thresholds.put", handle_alert_thresholds_put, HTTP_PUT, 0},
    {"journal.read", handle_journal_read, HTTP_POST, 0},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const enum db_status failures[] = {DB_UNAVAILABLE, DB_POOL_TIMEOUT, DB_UNIQUE, DB_CONSTRAINT,
					  DB_FORBIDDEN,   DB_SERIALIZATION, DB_BAD_INPUT, DB_TIMEOUT, DB_ERROR};

/* The request's head, as http.c would hand it over: a JSON body, the
 * version a PATCH must name, no query. */
static const char *
head(void *http, enum req_part part, const char *name)
{
	static const char *const headers[][2] = {{"Content-Type", "application/json"},
						 {"If-Match", "\"1\""}};

	(void)http;
	for (size_t i = 0; part == REQ_HEADER && i < sizeof(headers) / sizeof(headers[0]); i++)
		if (strcasecmp(headers[i][0], name) == 0)
			return headers[i][1];
	return NULL;
}

static void
check_problem(const struct request *r)
{
	json_t *p, *errors, *e;
	size_t i;

	if (r->status < 400 || r->status > 599 || r->resp == NULL)
		abort();
	p = json_loadb(r->resp, r->resp_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(p) || json_integer_value(json_object_get(p, "status")) != r->status ||
	    strncmp(json_string_value(json_object_get(p, "type")) ?: "", "urn:refgw:problem:", 18) != 0 ||
	    !json_is_string(json_object_get(p, "title")))
		abort();
	errors = json_object_get(p, "errors");
	if (errors) {
		if (!json_is_array(errors) || json_array_size(errors) == 0)
			abort();
		json_array_foreach(errors, i, e)
			if (!json_is_string(json_object_get(e, "field")) ||
			    !json_is_string(json_object_get(e, "message")))
				abort();
	}
	json_decref(p);
}

/* The journal's code reaches receipt_code_decode only after a statement
 * (the throttle), which the fake database never answers: the body's code is
 * decoded here too.  A code that decodes is the canonical code of its bytes
 * once typed back as a person may (any case, I and L for 1, O for 0,
 * hyphens and spaces anywhere), and that canonical code decodes to the
 * same bytes. */
static void
check_receipt_code(const uint8_t *body, size_t len)
{
	unsigned char raw[RECEIPT_CODE_BYTES], again[RECEIPT_CODE_BYTES];
	char canonical[RECEIPT_CODE_LEN], typed[RECEIPT_CODE_INPUT_MAX + 1];
	json_t *j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, NULL);
	const char *code = json_string_value(json_object_get(j, "code"));
	size_t n = 0;

	if (code == NULL || !receipt_code_decode(code, raw))
		goto out;
	receipt_code_encode(raw, canonical);
	if (strlen(canonical) != RECEIPT_CODE_LEN - 1 || !receipt_code_decode(canonical, again) ||
	    memcmp(raw, again, sizeof(raw)) != 0)
		abort();
	for (const char *c = code; *c && n < sizeof(typed) - 1; c++) {
		char u = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;

		if (u == '-' || u == ' ')
			continue;
		typed[n++] = u == 'I' || u == 'L' ? '1' : u == 'O' ? '0' : u;
	}
	typed[n] = '\0';
	n = 0;
	for (size_t i = 0; canonical[i]; i++) /* its digits, without the hyphens */
		if (canonical[i] != '-')
			canonical[n++] = canonical[i];
	canonical[n] = '\0';
	if (strcmp(canonical, typed) != 0)
		abort();
out:
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request r;
	size_t which;
	int i;

	if (size < 2)
		return 0;
	which = data[0] % NROUTES;
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "fuzz");
	r.method = routes[which].method;
	r.method_name = r.method == HTTP_PUT ? "PUT" : r.method == HTTP_PATCH ? "PATCH" : "POST";
	r.path = routes[which].name;
	r.route_index = -1;
	r.lookup = head;
	r.nparams = routes[which].nparams;
	for (i = 0; i < r.nparams; i++)
		snprintf(r.params[i], sizeof(r.params[i]), "%s",
			 i == 1 ? "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592"
				: "6f1c2a9e-8d4b-4c3e-9a7f-2b1d0e5c4a31");
	snprintf(r.who.organisation_id, sizeof(r.who.organisation_id), "0b7e1f7c-3a52-4d5e-8f60-1c2d3e4f5a6b");
	snprintf(r.who.organisation_name, sizeof(r.who.organisation_name), "Fuzz");
	snprintf(r.who.kind, sizeof(r.who.kind), "%s", data[1] & 0x80 ? "coordinator" : "justice_aid");
	r.who.may = true;
	r.authenticated = true;
	fake_db_status = failures[data[1] % (sizeof(failures) / sizeof(failures[0]))];
	fake_db_calls = 0;
	buf_init(&r.body, 65536);
	if (buf_append(&r.body, data + 2, size - 2) != 0)
		goto out; /* http.c answers 413 before any handler runs */
	if (routes[which].handler(&r) != r.status)
		abort(); /* a handler returns the status it answered */
	if (routes[which].handler == handle_journal_read)
		check_receipt_code(data + 2, size - 2);
	check_problem(&r);
	if (getenv("REFGW_FUZZ_VERBOSE")) /* for writing seeds: does it get past validation? */
		fprintf(stderr, "%-24s %d db_calls=%d %.*s\n", routes[which].name, r.status, fake_db_calls,
			(int)(r.resp_len > 200 ? 200 : r.resp_len), r.resp);
	if ((r.status == 400 || r.status == 415) && fake_db_calls != 0)
		abort();
	if (r.status == 500 && fake_db_calls == 0) {
		json_t *j =
			json_loadb((const char *)data + 2, size - 2, JSON_REJECT_DUPLICATES, NULL);
		if (j == NULL)
			abort();
		json_decref(j);
	}
out:
	buf_free(&r.body);
	reply_reset(&r);
	return 0;
}
