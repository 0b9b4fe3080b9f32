/* request: what a handler reads from a request -- its headers, its query
 * arguments, its body.  The head is read through the lookup the code that
 * received the request set (http.c: libmicrohttpd's parse, in place), so
 * that nothing a handler calls reaches back into http.c. */
#include "request.h"

#include <strings.h>

const char *
req_header(struct request *r, const char *name)
{
	return r->lookup ? r->lookup(r->http, REQ_HEADER, name) : NULL;
}

const char *
req_query(struct request *r, const char *name)
{
	return r->lookup ? r->lookup(r->http, REQ_QUERY, name) : NULL;
}

json_t *
body_json(struct request *r)
{
	const char *ctype = req_header(r, "Content-Type");
	json_error_t jerr;
	json_t *root;

	if (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0 ||
	    (ctype[16] != '\0' && ctype[16] != ';' && ctype[16] != ' ')) {
		reply_problem(r, 415, "unsupported-media-type", "Unsupported media type",
			      "send the body as Content-Type: application/json");
		return NULL;
	}
	if (r->body.len == 0) {
		reply_problem(r, 400, "malformed-json", "Malformed JSON",
			      "the request body is empty");
		return NULL;
	}
	root = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		reply_problem(r, 400, "malformed-json", "Malformed JSON",
			      "%s at line %d, column %d (byte %d)", jerr.text, jerr.line,
			      jerr.column, jerr.position);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		reply_problem(r, 400, "malformed-json", "Malformed JSON",
			      "the request body must be a JSON object");
		return NULL;
	}
	return root;
}

void
request_negotiate_language(struct request *r)
{
	r->lang = lang_negotiate(req_header(r, "Accept-Language"));
}

int
request_set_language(struct request *r, const char *tag)
{
	enum lang l;

	if (lang_parse(tag, &l) != 0)
		return -1;
	r->lang = l;
	return 0;
}

const char *
tr(const struct request *r, const char *english)
{
	return msg_text(english, r->lang);
}
