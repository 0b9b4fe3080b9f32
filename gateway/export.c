/* export: GET /v1/persons/{id}/export.  The coordinator, acting on the
 * person's request (GDPR arts. 15, 20), reads all that refgw holds about
 * one person: PostgreSQL builds the document past row-level security
 * (refgw_person_export, schema/048, which checks the caller), with the
 * sealed values as stored; this file opens them with the person's data key
 * (seal.h), answers JSON or a printable HTML page in French, Dutch or
 * English, and audits the export (`person.exported`) in the same
 * transaction.  An erased person's export keeps the ids, dates and journal
 * and shows every sealed value null: the key is gone. */
#include "export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "common.h"
#include "db.h"
#include "seal.h"
#include "statements.h"

/* The page's words, by language (the request's, messages.h). */
static const struct {
	const char *code, *title, *intro, *generated, *erased, *person, *consents, *referrals,
		*follow_ups, *journal, *organisations, *none;
} words[] = {
	[LANG_EN] = {"en", "What refgw holds about a person",
		     "This page lists every record the referral gateway holds about this person, "
		     "and every access to them (the journal).",
		     "Generated at",
		     "This person was erased: their personal data can no longer be read by anyone.",
		     "Person", "Consents", "Referrals", "Follow-ups", "Journal", "Organisations",
		     "none"},
	[LANG_FR] =
		{"fr", "Ce que refgw conserve sur une personne",
		 "Cette page reprend tout ce que la passerelle d'orientation conserve sur cette "
		 "personne, et chaque accès à ses données (le journal).",
		 "Généré le",
		 "Cette personne a été effacée : ses données personnelles ne peuvent plus être "
		 "lues par personne.",
		 "Personne", "Consentements", "Orientations", "Accompagnements", "Journal",
		 "Organisations", "aucun"},
	[LANG_NL] = {"nl", "Wat refgw over een persoon bewaart",
		     "Deze pagina toont alles wat de doorverwijzingsgateway over deze persoon "
		     "bewaart, en elke toegang tot die gegevens (het logboek).",
		     "Gegenereerd op",
		     "Deze persoon werd gewist: niemand kan diens persoonsgegevens nog lezen.",
		     "Persoon", "Toestemmingen", "Doorverwijzingen", "Begeleidingen", "Logboek",
		     "Organisaties", "geen"},
};

/* Replaces the sealed string obj[key] by its opened value (null when the
 * person is erased); anything else (null, absent) stays. */
static enum seal_status
open_member(json_t *obj, const char *key, const char *person, const char *label, bool erased)
{
	json_t *v = json_object_get(obj, key), *opened = NULL;
	enum seal_status s = SEAL_OK;

	if (!json_is_string(v))
		return SEAL_OK;
	if (!erased)
		opened = seal_open_json(person, label, json_string_value(v), &s);
	if (erased || s == SEAL_ERASED) {
		s = SEAL_OK;
		opened = json_null();
	}
	if (s != SEAL_OK)
		return s;
	return json_object_set_new(obj, key, opened) == 0 ? SEAL_OK : SEAL_ERROR;
}

/* An object of sealed members, obj[key] (data, needs):
 * {"identity": "rgw1..."} -> {"identity": {...}}; {} when erased. */
static enum seal_status
open_members(json_t *obj, const char *key, const char *person, bool erased)
{
	json_t *data = json_object_get(obj, key), *opened = json_object(), *v;
	const char *category;
	enum seal_status s = SEAL_OK;

	if (opened == NULL)
		return SEAL_ERROR;
	json_object_foreach(data, category, v) {
		char label[128];
		json_t *value;

		if (erased)
			break;
		if (!json_is_string(v) || (size_t)snprintf(label, sizeof(label), "%s.%s", key,
							   category) >= sizeof(label)) {
			s = SEAL_ERROR;
			break;
		}
		value = seal_open_json(person, label, json_string_value(v), &s);
		if (s == SEAL_ERASED) { /* erased meanwhile: nothing shown */
			s = SEAL_OK;
			json_object_clear(opened);
			break;
		}
		if (s != SEAL_OK || json_object_set_new(opened, category, value) != 0) {
			s = s != SEAL_OK ? s : SEAL_ERROR;
			break;
		}
	}
	if (s != SEAL_OK) {
		json_decref(opened);
		return s;
	}
	return json_object_set_new(obj, key, opened) == 0 ? SEAL_OK : SEAL_ERROR;
}

/* Opens every sealed value of the document in place. */
static enum seal_status
open_document(json_t *doc, const char *person, bool erased)
{
	json_t *p = json_object_get(doc, "person"), *x, *e;
	size_t i, j;
	enum seal_status s;

	if ((s = open_member(p, "external_ref", person, "external_ref", erased)) != SEAL_OK ||
	    (s = open_member(p, "birth_year", person, "birth_year", erased)) != SEAL_OK)
		return s;
	json_array_foreach(json_object_get(doc, "consents"), i, x) {
		if ((s = open_member(x, "evidence", person, "evidence", erased)) != SEAL_OK ||
		    (s = open_member(x, "withdrawal_reason", person, "withdrawal_reason",
				     erased)) != SEAL_OK)
			return s;
	}
	json_array_foreach(json_object_get(doc, "referrals"), i, x) {
		static const char *const noted[] = {"transitions", "proposals", "occupancies"};

		if ((s = open_members(x, "data", person, erased)) != SEAL_OK ||
		    (s = open_members(x, "needs", person, erased)) != SEAL_OK ||
		    (s = open_member(x, "reason", person, "reason", erased)) != SEAL_OK ||
		    (s = open_member(x, "release_date", person, "release_date", erased)) != SEAL_OK)
			return s;
		/* the notes of its steps (schema/049) */
		for (size_t k = 0; k < ARRAY_LEN(noted); k++)
			json_array_foreach(json_object_get(x, noted[k]), j, e) {
				if ((s = open_member(e, "note", person, "note", erased)) != SEAL_OK)
					return s;
			}
	}
	json_array_foreach(json_object_get(doc, "follow_ups"), i, x) {
		json_array_foreach(json_object_get(x, "entries"), j, e) {
			if ((s = open_member(e, "text", person, "text", erased)) != SEAL_OK)
				return s;
		}
	}
	return SEAL_OK;
}

/* HTML-escapes text into b. */
static int
html_escape(struct buf *b, const char *s, size_t len)
{
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		const char *ent = NULL;
		switch (s[i]) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&#39;";
			break;
		default:
			continue;
		}
		if (buf_append(b, s + from, i - from) != 0 || buf_append(b, ent, strlen(ent)) != 0)
			return -1;
		from = i + 1;
	}
	return buf_append(b, s + from, len - from);
}

/* What the page's renderers share: the word for an empty list, and the
 * organisations' names by id (an id is shown with its name). */
struct page {
	const char *none;
	const json_t *names;
};

static int html_value(struct buf *b, const json_t *v, const struct page *pg, int depth);

/* An object as a two-column table: key, value. */
static int
html_object(struct buf *b, const json_t *obj, const struct page *pg, int depth)
{
	const char *key;
	json_t *v;

	if (json_object_size(obj) == 0)
		return html_escape(b, pg->none, strlen(pg->none));
	if (APPEND_LITERAL(b, "<table>") != 0)
		return -1;
	json_object_foreach((json_t *)obj, key, v) {
		if (APPEND_LITERAL(b, "<tr><th>") != 0 || html_escape(b, key, strlen(key)) != 0 ||
		    APPEND_LITERAL(b, "</th><td>") != 0 || html_value(b, v, pg, depth + 1) != 0 ||
		    APPEND_LITERAL(b, "</td></tr>") != 0)
			return -1;
	}
	return APPEND_LITERAL(b, "</table>");
}

/* Whether every member of every object of the array is a scalar: then the
 * array is one table, a row per object, its columns the first's keys. */
static bool
flat_objects(const json_t *array)
{
	size_t i;
	json_t *o, *v;
	const char *key;

	json_array_foreach((json_t *)array, i, o) {
		if (!json_is_object(o))
			return false;
		json_object_foreach(o, key, v)
			if (json_is_object(v) || json_is_array(v))
				return false;
	}
	return json_array_size(array) > 0;
}

static int
html_rows(struct buf *b, const json_t *array, const struct page *pg)
{
	const json_t *first = json_array_get(array, 0);
	const char *key;
	json_t *o, *v;
	size_t i;

	if (APPEND_LITERAL(b, "<table><tr>") != 0)
		return -1;
	json_object_foreach((json_t *)first, key, v) {
		if (APPEND_LITERAL(b, "<th>") != 0 || html_escape(b, key, strlen(key)) != 0 ||
		    APPEND_LITERAL(b, "</th>") != 0)
			return -1;
	}
	if (APPEND_LITERAL(b, "</tr>") != 0)
		return -1;
	json_array_foreach((json_t *)array, i, o) {
		if (APPEND_LITERAL(b, "<tr>") != 0)
			return -1;
		json_object_foreach((json_t *)first, key, v) {
			if (APPEND_LITERAL(b, "<td>") != 0 ||
			    html_value(b, json_object_get(o, key), pg, 1) != 0 ||
			    APPEND_LITERAL(b, "</td>") != 0)
				return -1;
		}
		if (APPEND_LITERAL(b, "</tr>") != 0)
			return -1;
	}
	return APPEND_LITERAL(b, "</table>");
}

static int
html_value(struct buf *b, const json_t *v, const struct page *pg, int depth)
{
	size_t i;
	json_t *x, *name;
	char num[64];

	if (depth > 16)
		return -1;
	switch (json_typeof(v)) {
	case JSON_STRING:
		name = json_object_get(pg->names, json_string_value(v));
		return html_escape(b, json_string_value(v), json_string_length(v)) != 0 ||
				       (json_is_string(name) &&
					(APPEND_LITERAL(b, " (") != 0 ||
					 html_escape(b, json_string_value(name),
						     json_string_length(name)) != 0 ||
					 APPEND_LITERAL(b, ")") != 0))
			       ? -1
			       : 0;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf_append(b, num, strlen(num));
	case JSON_REAL:
		snprintf(num, sizeof(num), "%g", json_real_value(v));
		return buf_append(b, num, strlen(num));
	case JSON_TRUE:
		return APPEND_LITERAL(b, "✓");
	case JSON_FALSE:
		return APPEND_LITERAL(b, "✗");
	case JSON_OBJECT:
		return html_object(b, v, pg, depth);
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			return html_escape(b, pg->none, strlen(pg->none));
		if (flat_objects(v))
			return html_rows(b, v, pg);
		json_array_foreach((json_t *)v, i, x) {
			if (json_is_object(x) || json_is_array(x)) {
				if (html_value(b, x, pg, depth + 1) != 0)
					return -1;
			} else if ((i > 0 && APPEND_LITERAL(b, ", ") != 0) ||
				   html_value(b, x, pg, depth + 1) != 0) {
				return -1;
			}
		}
		return 0;
	case JSON_NULL:
	default:
		return APPEND_LITERAL(b, "—");
	}
}

static const char page_style[] =
	"body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em}"
	"table{border-collapse:collapse;margin:.3em 0 .8em}"
	"th,td{border:1px solid #999;padding:.2em .4em;text-align:left;vertical-align:top}"
	"th{background:#eee}.erased{font-weight:bold}"
	"@media print{h2{page-break-before:auto}}";

/* A self-contained page: no script, no link, one style element. */
static int
html_page(struct buf *b, const json_t *doc, enum lang lang)
{
	static const char *const sections[] = {"consents", "referrals", "follow_ups", "journal",
					       "organisations"};
	const char *titles[] = {words[lang].consents, words[lang].referrals, words[lang].follow_ups,
				words[lang].journal, words[lang].organisations};
	const json_t *person = json_object_get(doc, "person"), *o;
	json_t *names = json_object();
	struct page pg = {words[lang].none, names};
	size_t i;
	int rc = -1;

	if (names == NULL)
		return -1;
	json_array_foreach(json_object_get(doc, "organisations"), i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		if (id && json_object_set(names, id, json_object_get(o, "name")) != 0)
			goto out;
	}
	if (buf_cat(b, "<!DOCTYPE html>\n<html lang=\"", words[lang].code,
		    "\"><head><meta charset=\"utf-8\"><title>", words[lang].title,
		    "</title><style>", page_style, "</style></head><body><h1>", words[lang].title,
		    "</h1><p>", words[lang].intro, "</p><p>", words[lang].generated, " ",
		    (char *)NULL) != 0 ||
	    html_value(b, json_object_get(doc, "generated_at"), &pg, 0) != 0 ||
	    APPEND_LITERAL(b, "</p>") != 0)
		goto out;
	if (json_object_get(person, "erased_at") &&
	    buf_cat(b, "<p class=\"erased\">", words[lang].erased, "</p>", (char *)NULL) != 0)
		goto out;
	if (buf_cat(b, "<h2>", words[lang].person, "</h2>", (char *)NULL) != 0 ||
	    html_value(b, person, &pg, 0) != 0)
		goto out;
	for (i = 0; i < ARRAY_LEN(sections); i++)
		if (buf_cat(b, "<h2>", titles[i], "</h2>", (char *)NULL) != 0 ||
		    html_value(b, json_object_get(doc, sections[i]), &pg, 0) != 0)
			goto out;
	rc = APPEND_LITERAL(b, "</body></html>\n");
out:
	json_decref(names);
	return rc;
}

static json_int_t
entries_count(const json_t *doc)
{
	json_int_t n = 0;
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(doc, "follow_ups"), i, f)
		n += (json_int_t)json_array_size(json_object_get(f, "entries"));
	return n;
}

int
handle_person_export(struct request *r)
{
	const char *format = req_query(r, "format"), *accept = req_header(r, "Accept");
	const char *person = r->params[0];
	enum lang lang = r->lang;
	struct db_res *res = NULL;
	json_t *doc = NULL, *detail = NULL;
	struct buf page;
	char limit[16], now[32];
	size_t len;
	time_t t = time(NULL);
	struct tm tm;
	bool html, erased;
	enum db_status s;
	enum seal_status ss;
	int status = 500;

	buf_init(&page, 64u << 20);
	if (format && strcmp(format, "json") != 0 && strcmp(format, "html") != 0) {
		json_t *errors = json_array();
		field_error(errors, "format", "must be json or html");
		status = reply_invalid_query(r, errors);
		goto out;
	}
	html = format ? strcmp(format, "html") == 0 : accept && strstr(accept, "text/html");
	if (!is_uuid(person)) {
		status = reply_problem(r, 404, "not-found", "Not found", "no person %s", person);
		goto out;
	}
	snprintf(limit, sizeof(limit), "%d", EXPORT_ROWS_MAX);
	s = db_query(r->db, ST_PERSON_EXPORT, &res, "id", person, "limit", limit, (char *)NULL);
	if (s != DB_OK) {
		status = reply_db_error(r, s);
		goto out;
	}
	if (!row_bool(res, 0, EXPORT_FOUND)) {
		status = reply_problem(r, 404, "not-found", "Not found",
				       "no person %s that you may export", person);
		goto out;
	}
	if (row_null(res, 0, EXPORT_DOCUMENT)) {
		status = reply_problem(r, 422, "export-too-large", "Export too large",
				       "this person has %ld records, more than the %d one export "
				       "holds; ask the operators (docs/data-protection.md)",
				       row_long(res, 0, EXPORT_ROWS), EXPORT_ROWS_MAX);
		goto out;
	}
	doc = json_loads(row_val(res, 0, EXPORT_DOCUMENT), 0, NULL);
	if (!json_is_object(doc) || gmtime_r(&t, &tm) == NULL ||
	    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 ||
	    json_object_set_new(doc, "generated_at", json_string(now)) != 0)
		goto internal;
	erased = json_object_get(json_object_get(doc, "person"), "erased_at") != NULL;
	if ((ss = open_document(doc, person, erased)) != SEAL_OK) {
		status = reply_key_store_error(r, ss);
		goto out;
	}
	/* What was exported, counted: nothing personal. */
	detail = json_pack(
		"{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "format", html ? "html" : "json",
		"language", html ? words[lang].code : "", "erased", erased, "consents",
		(json_int_t)json_array_size(json_object_get(doc, "consents")), "referrals",
		(json_int_t)json_array_size(json_object_get(doc, "referrals")), "follow_ups",
		(json_int_t)json_array_size(json_object_get(doc, "follow_ups")), "entries",
		entries_count(doc), "journal",
		(json_int_t)json_array_size(json_object_get(doc, "journal")));
	if (!html && detail)
		json_object_del(detail, "language");
	if (detail == NULL ||
	    audit_record(r, "person.exported", "person", person, person, detail) != 0) {
		status = reply_problem(r, 500, "internal", "Internal error",
				       "the audit log could not be written (request id %s)", r->id);
		goto out;
	}
	if (!html) {
		status = reply_json(r, 200, doc);
		doc = NULL; /* stolen */
		goto out;
	}
	if (html_page(&page, doc, lang) != 0)
		goto internal;
	len = page.len;
	status = reply_text(r, 200, "text/html; charset=utf-8", buf_steal(&page), len);
	r->vary_language = true; /* the page's words */
	goto out;
internal:
	status = reply_problem(r, 500, "internal", "Internal error",
			       "the export could not be built (request id %s)", r->id);
out:
	buf_free(&page);
	json_decref(detail);
	json_decref(doc);
	db_res_free(res);
	return status;
}
