/* Integration suite "programs" (issue 14, items 5 and 6): Rizome (orga, its
 * transit program a.transit) closes its program when saturated and opens it
 * again itself; no one else may; the directory shows what each program is,
 * where it serves and whether it is open, also as Open Referral HSDS 3; and
 * when one person (the same national number) is referred to two housing
 * programs, each receiver learns the other program's kind and month, and
 * nothing else. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

#define URN "urn:refgw:problem:"
/* a valid national number (97 - 750615045 mod 97 = 55) used only here */
#define NISS "75061504555"

static char *
must_post(const char *slug, const char *path, const char *body, long want)
{
	char *id = post_id(slug, path, body, want);

	ck_assert_msg(id != NULL, "POST %s as %s did not answer %ld", path, slug, want);
	return id;
}

/* The program `code` of organisation `org` as `slug` sees it (a new
 * reference), from GET /v1/organisations/{id}/programs. */
static json_t *
program_of(const char *slug, const char *org, const char *code)
{
	char path[160];
	struct resp r;
	json_t *p, *found = NULL;
	size_t i;

	snprintf(path, sizeof(path), "/v1/organisations/%s/programs", org_id(org));
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	json_array_foreach(json_object_get(r.json, "items"), i, p)
		if (strcmp(json_string_value(json_object_get(p, "code")), code) == 0)
			found = json_incref(p);
	resp_free(&r);
	ck_assert_msg(found != NULL, "no program %s in the directory", code);
	return found;
}

/* PATCH the program as slug with the If-Match of its current version. */
static long
patch_program(const char *slug, const char *org, const char *code, const char *body, struct resp *r)
{
	json_t *p = program_of(slug, org, code);
	char path[160], ifm[64];
	const char *headers[2] = {ifm, NULL};

	snprintf(ifm, sizeof(ifm), "If-Match: \"%lld\"",
		 (long long)json_integer_value(json_object_get(p, "version")));
	json_decref(p);
	snprintf(path, sizeof(path), "/v1/organisations/%s/programs/%s", org_id(org), code);
	ck_assert_int_eq(call(slug, "PATCH", path, body, headers, r), 0);
	return r->status;
}

/* A referral from `from` of a new person (with `person_extra`) to `to`'s
 * program; the answer in r, the referral id (or NULL) returned. */
static char *
refer(const char *from, const char *to, const char *program, const char *person_extra,
      struct resp *r, char **person_out)
{
	char body[1024], *person, *consent, *id = NULL;

	snprintf(body, sizeof(body), "{\"external_ref\":\"PG-%s\"%s}", from, person_extra);
	person = must_post(from, "/v1/persons", body, 201);
	consent = post_consent(from, person, to, "\"housing_situation\"");
	snprintf(body, sizeof(body),
		 "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"%s\","
		 "\"consent_id\":\"%s\",\"purpose\":\"housing_referral\","
		 "\"reason\":\"sortie de prison sans logement\"}",
		 person, org_id(to), program, consent);
	ck_assert_int_eq(call(from, "POST", "/v1/referrals", body, NULL, r), 0);
	if (r->status == 201)
		id = strdup(json_string_value(json_object_get(r->json, "id")));
	if (person_out)
		*person_out = person;
	else
		free(person);
	free(consent);
	return id;
}

START_TEST(rizome_closes_and_reopens_its_transit_program)
{
	struct resp r;
	json_t *p;
	char *id;
	long before;

	/* Saturated: Rizome pauses candidatures to its transit studios itself. */
	ck_assert_int_eq(
		patch_program("orga", "orga", "a.transit",
			      "{\"status\":\"closed\",\"description\":\"Studios de transit "
			      "(18 mois au plus) pour personnes sortant de prison\","
			      "\"communes_served\":[\"Forest\",\"Saint-Gilles\"]}",
			      &r),
		200);
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "closed");
	ck_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "transit_housing");
	resp_free(&r);

	/* The directory shows it, to anyone. */
	p = program_of("orgd", "orga", "a.transit");
	ck_assert_str_eq(json_string_value(json_object_get(p, "status")), "closed");
	ck_assert_str_eq(
		json_string_value(json_array_get(json_object_get(p, "communes_served"), 1)),
		"Saint-Gilles");
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(p, "description")), "18 mois"));
	json_decref(p);

	/* A referral to it: 422 program-closed, naming the program; nothing made. */
	before = sql_count("SELECT count(*) FROM referrals", NULL);
	id = refer("orgb", "orga", "a.transit", "", &r, NULL);
	ck_assert_ptr_null(id);
	ck_assert_int_eq(r.status, 422);
	ck_assert_str_eq(problem_type(&r), URN "program-closed");
	ck_assert_ptr_nonnull(
		strstr(json_string_value(json_object_get(r.json, "detail")), "a.transit"));
	resp_free(&r);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM referrals", NULL), before);
	/* an unknown program is still program-not-offered */
	ck_assert_ptr_null(refer("orgb", "orga", "a.nothing", "", &r, NULL));
	ck_assert_str_eq(problem_type(&r), URN "program-not-offered");
	resp_free(&r);

	/* Opened again: the referral goes through. */
	ck_assert_int_eq(patch_program("orga", "orga", "a.transit", "{\"status\":\"open\"}", &r),
			 200);
	resp_free(&r);
	id = refer("orgb", "orga", "a.transit", "", &r, NULL);
	ck_assert_int_eq(r.status, 201);
	resp_free(&r);
	free(id);

	/* The organisation still lists its codes as before. */
	{
		char path[160];
		snprintf(path, sizeof(path), "/v1/organisations/%s", org_id("orga"));
		ck_assert_int_eq(call("orgd", "GET", path, NULL, NULL, &r), 0);
		ck_assert_str_eq(
			json_string_value(json_array_get(json_object_get(r.json, "programs"), 0)),
			"a.transit");
		resp_free(&r);
	}
}
END_TEST

START_TEST(others_cannot_close_rizomes_program)
{
	struct resp r;
	json_t *p = program_of("orga", "orga", "a.transit");
	long version = (long)json_integer_value(json_object_get(p, "version"));
	const char *const others[] = {"orgb", "orgd", NULL};
	const char *const *o;

	json_decref(p);
	for (o = others; *o; o++) {
		ck_assert_int_eq(
			patch_program(*o, "orga", "a.transit", "{\"status\":\"closed\"}", &r), 403);
		resp_free(&r);
	}
	/* bad input names its field and changes nothing */
	ck_assert_int_eq(
		patch_program("orga", "orga", "a.transit", "{\"communes_served\":\"Forest\"}", &r),
		400);
	ck_assert_ptr_nonnull(strstr(r.body, "communes_served"));
	resp_free(&r);
	ck_assert_int_eq(patch_program("orga", "orga", "a.transit", "{\"status\":\"paused\"}", &r),
			 400);
	resp_free(&r);
	p = program_of("orga", "orga", "a.transit");
	ck_assert_int_eq(json_integer_value(json_object_get(p, "version")), version);
	ck_assert_str_eq(json_string_value(json_object_get(p, "status")), "open");
	json_decref(p);
	/* an unknown program: 404 */
	{
		char path[160];
		const char *ifm[] = {"If-Match: \"1\"", NULL};
		snprintf(path, sizeof(path), "/v1/organisations/%s/programs/a.nothing",
			 org_id("orga"));
		ck_assert_int_eq(call("orga", "PATCH", path, "{\"status\":\"closed\"}", ifm, &r),
				 0);
		ck_assert_int_eq(r.status, 404);
		resp_free(&r);
	}
	/* the coordinator may (and puts it back) */
	ck_assert_int_eq(patch_program("coord", "orga", "a.transit", "{\"status\":\"closed\"}", &r),
			 200);
	resp_free(&r);
	ck_assert_int_eq(patch_program("coord", "orga", "a.transit", "{\"status\":\"open\"}", &r),
			 200);
	resp_free(&r);
}
END_TEST

/* Every member of every item of an HSDS page is one of `allowed`. */
static void
assert_only_keys(json_t *page, const char *const *allowed)
{
	json_t *item, *v;
	const char *key;
	size_t i;

	json_array_foreach(json_object_get(page, "contents"), i, item) {
		json_object_foreach(item, key, v) {
			const char *const *a;
			bool ok = false;
			for (a = allowed; *a; a++)
				ok |= strcmp(*a, key) == 0;
			ck_assert_msg(ok, "unexpected HSDS member %s", key);
		}
	}
}

START_TEST(directory_as_hsds)
{
	static const char *const org_keys[] = {"id", "name", "description", NULL};
	static const char *const service_keys[] = {"id",          "organization_id", "name",
						   "description", "status",          NULL};
	static const char *const area_keys[] = {"id", "service_id", "name", "description", NULL};
	struct resp o, s, a;
	json_t *item, *transit = NULL;
	size_t i;
	int areas = 0;
	char *person;

	/* a person with a recognisable reference and a national number: none of
	 * it may show */
	person = must_post("orgb", "/v1/persons",
			   "{\"external_ref\":\"HSDS-SECRET-REF\",\"birth_year\":1975}", 201);
	ck_assert_int_eq(patch_program("orga", "orga", "a.transit",
				       "{\"communes_served\":[\"Forest\",\"Saint-Gilles\"]}", &o),
			 200);
	resp_free(&o);
	ck_assert_int_eq(call("orgb", "GET", "/v1/hsds/organizations", NULL, NULL, &o), 0);
	ck_assert_int_eq(call("orgb", "GET", "/v1/hsds/services", NULL, NULL, &s), 0);
	ck_assert_int_eq(call("orgb", "GET", "/v1/hsds/service_areas", NULL, NULL, &a), 0);
	ck_assert_int_eq(o.status, 200);
	ck_assert_int_eq(s.status, 200);
	ck_assert_int_eq(a.status, 200);
	assert_only_keys(o.json, org_keys);
	assert_only_keys(s.json, service_keys);
	assert_only_keys(a.json, area_keys);
	ck_assert_int_eq(json_integer_value(json_object_get(s.json, "total_items")),
			 (long)json_array_size(json_object_get(s.json, "contents")));
	json_array_foreach(json_object_get(s.json, "contents"), i, item)
		if (strcmp(json_string_value(json_object_get(item, "name")), "a.transit") == 0)
			transit = item;
	ck_assert_ptr_nonnull(transit);
	ck_assert_str_eq(json_string_value(json_object_get(transit, "organization_id")),
			 org_id("orga"));
	ck_assert_str_eq(json_string_value(json_object_get(transit, "status")), "active");
	json_array_foreach(json_object_get(a.json, "contents"), i, item)
		if (strcmp(json_string_value(json_object_get(item, "service_id")),
			   json_string_value(json_object_get(transit, "id"))) == 0) {
			ck_assert(strcmp(json_string_value(json_object_get(item, "name")),
					 "Forest") == 0 ||
				  strcmp(json_string_value(json_object_get(item, "name")),
					 "Saint-Gilles") == 0);
			areas++;
		}
	ck_assert_int_eq(areas, 2);
	/* the organisation is there, the coordinator is not a service provider */
	ck_assert_ptr_nonnull(strstr(o.body, org_id("orga")));
	ck_assert_ptr_null(strstr(o.body, org_id("coord")));
	/* no personal data: no person id, reference, person or niss member */
	ck_assert_ptr_null(strstr(o.body, person));
	ck_assert_ptr_null(strstr(s.body, person));
	ck_assert_ptr_null(strstr(a.body, person));
	ck_assert_ptr_null(strstr(o.body, "HSDS-SECRET-REF"));
	ck_assert_ptr_null(strstr(s.body, "niss"));
	ck_assert_ptr_null(strstr(a.body, "person"));
	resp_free(&o);
	resp_free(&s);
	resp_free(&a);
	free(person);
	ck_assert_int_eq(patch_program("orga", "orga", "a.transit", "{\"communes_served\":[]}", &o),
			 200);
	resp_free(&o);
}
END_TEST

static json_t *
referral_as(const char *slug, const char *id, long want)
{
	char path[160];
	struct resp r;
	json_t *j;

	snprintf(path, sizeof(path), "/v1/referrals/%s", id);
	ck_assert_int_eq(call(slug, "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, want);
	j = json_incref(r.json);
	resp_free(&r);
	return j;
}

static long
audit_count(const char *action, const char *resource_id)
{
	const char *p[2] = {action, resource_id};
	PGconn *c = sql_admin();
	long n = sql_long(
		c, "SELECT count(*) FROM audit_log WHERE action = $1 AND resource_id = $2", 2, p);

	PQfinish(c);
	return n;
}

START_TEST(parallel_referrals_tell_the_kind_only)
{
	struct resp r;
	char *p1, *p2, *first, *second, *text, path[160];
	json_t *j, *notice;
	const char *since;
	const char *ifm[] = {"If-Match: \"1\"", NULL};

	/* ISSUE's partner refers a person to Rizome's transit studios ... */
	first = refer("orgb", "orga", "a.transit", ",\"niss\":\"" NISS "\"", &r, &p1);
	ck_assert_int_eq(r.status, 201);
	resp_free(&r);
	/* ... the CPAS, which knows the same person under its own record, to
	 * DIOGENES' housing support (housing first). */
	second = refer("cachee", "orgd", "diogenes.housing_support", ",\"niss\":\"" NISS "\"", &r,
		       &p2);
	ck_assert_int_eq(r.status, 201);
	ck_assert_ptr_null(json_object_get(r.json, "parallel"));
	resp_free(&r);

	/* DIOGENES is told: a transit program, since this month; nothing else. */
	j = referral_as("orgd", second, 200);
	notice = json_object_get(j, "parallel");
	ck_assert_int_eq(json_array_size(notice), 1);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_array_get(notice, 0), "program_kind")),
		"transit_housing");
	since = json_string_value(json_object_get(json_array_get(notice, 0), "since"));
	ck_assert_int_eq(strlen(since), 7); /* YYYY-MM */
	ck_assert_int_eq(json_object_size(json_array_get(notice, 0)), 2);
	text = json_dumps(j, 0);
	ck_assert_ptr_null(strstr(text, org_id("orga")));
	ck_assert_ptr_null(strstr(text, org_id("orgb")));
	ck_assert_ptr_null(strstr(text, first));
	ck_assert_ptr_null(strstr(text, p1));
	ck_assert_ptr_null(strstr(text, "Test Org A"));
	ck_assert_ptr_null(strstr(text, "a.transit"));
	free(text);
	json_decref(j);
	ck_assert_int_eq(audit_count("referral.parallel_notice", second), 1);

	/* Rizome, the other receiver, is told the same way of DIOGENES'. */
	j = referral_as("orga", first, 200);
	ck_assert_str_eq(
		json_string_value(json_object_get(json_array_get(json_object_get(j, "parallel"), 0),
						  "program_kind")),
		"housing_first");
	json_decref(j);

	/* The senders see nothing; a third party not even the referral. */
	j = referral_as("cachee", second, 200);
	ck_assert_ptr_null(json_object_get(j, "parallel"));
	json_decref(j);
	j = referral_as("orgb", first, 200);
	ck_assert_ptr_null(json_object_get(j, "parallel"));
	json_decref(j);
	j = referral_as("orgc", second, 404);
	ck_assert_ptr_null(json_object_get(j, "parallel"));
	json_decref(j);
	/* nor does the sender's journal of the person show that a notice was
	 * given (the receiver's own audit trail does) */
	snprintf(path, sizeof(path), "/v1/audit?person_id=%s", p2);
	ck_assert_int_eq(call("cachee", "GET", path, NULL, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	ck_assert_ptr_nonnull(strstr(r.body, "referral.create"));
	ck_assert_ptr_null(strstr(r.body, "parallel"));
	resp_free(&r);

	/* Once the first is cancelled by its sender, DIOGENES is told nothing. */
	snprintf(path, sizeof(path), "/v1/referrals/%s/transitions", first);
	ck_assert_int_eq(call("orgb", "POST", path,
			      "{\"to\":\"cancelled\",\"reason_code\":\"person_housed_elsewhere\"}",
			      ifm, &r),
			 0);
	ck_assert_msg(r.status == 200, "cancel answered %ld: %s", r.status, r.body);
	resp_free(&r);
	j = referral_as("orgd", second, 200);
	ck_assert_ptr_null(json_object_get(j, "parallel"));
	json_decref(j);
	ck_assert_int_eq(audit_count("referral.parallel_notice", second), 1);

	free(p1);
	free(p2);
	free(first);
	free(second);
}
END_TEST

Suite *
programs_suite(void)
{
	Suite *s = suite_create("programs");
	TCase *t = tcase_create("programs");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, rizome_closes_and_reopens_its_transit_program);
	tcase_add_test(t, others_cannot_close_rizomes_program);
	tcase_add_test(t, directory_as_hsds);
	tcase_add_test(t, parallel_referrals_tell_the_kind_only);
	suite_add_tcase(s, t);
	return s;
}
