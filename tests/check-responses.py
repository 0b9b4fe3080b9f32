#!/usr/bin/python3
"""Validates every response a test suite received against docs/openapi.yaml.

    /usr/bin/python3 tests/check-responses.py SPEC RESPONSES.jsonl

RESPONSES.jsonl is written by tests/integration/client.c (REFGW_TEST_RESPONSES):
one JSON object a line, {method, path, status, content_type, request_id, body}.
Each response is mapped to its operation (path template and method) and to the
response the spec gives for its status (the exact code, else a range such as
4XX, else `default`); its body is then validated by a JSON Schema 2020-12
validator (Debian's python3-jsonschema) against that response's schema for its
content type, with every $ref resolved in the spec.  A response fails when:
  - its path matches no route, or its method is not one of the route's, and the
    spec's `x-unrouted` answers (404 for no route, 405 for no such method, 400
    for a path that cannot be routed at all) do not describe it;
  - the spec has no response for its status;
  - it has a body where the spec gives no content, or no body where it does;
  - its content type is not one the spec lists for that response;
  - its body is not valid JSON or does not validate against the schema (a body
    of another media type, such as text/html, is validated as a string).
Every failure is printed (route, status, JSON pointer, message, the body cut
short), grouped so that one mistake in the spec does not bury the others.
Exit status: 0 all valid, 1 some failed, 2 the check itself could not run
(no spec, no responses at all, no validator).
"""

import datetime
import json
import re
import sys
from collections import OrderedDict

try:
    import yaml
    from jsonschema import Draft202012Validator, FormatChecker, RefResolver
except ImportError as e:  # pragma: no cover
    print("check-responses: %s (apt-get install python3-jsonschema python3-yaml; run with "
          "/usr/bin/python3)" % e, file=sys.stderr)
    sys.exit(2)

BODY_SHOWN = 300  # characters of a failing body shown
EXAMPLES_SHOWN = 3  # responses shown per group of identical failures
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def format_checker():
    """jsonschema's checkers (uuid, date, ...), plus date-time: Debian has no
    rfc3339-validator, without which jsonschema would accept any string."""
    fc = FormatChecker()

    @fc.checks("date-time", raises=ValueError)
    def date_time(value):
        if not isinstance(value, str):
            return True
        m = RFC3339.match(value)
        if m is None:
            return False
        datetime.date.fromisoformat(m.group(1))
        return int(m.group(2)) < 24 and int(m.group(3)) < 60 and int(m.group(4)) < 61

    return fc


def pointer(path):
    """A JSON pointer (RFC 6901) from a jsonschema error path."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "/"


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.resolver = RefResolver(base_uri="", referrer=self.doc)
        self.format_checker = format_checker()
        self.routes = []
        for template, item in (self.doc.get("paths") or {}).items():
            regex = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            literal = len(re.sub(r"\{[^/]+?\}", "", template))
            self.routes.append((literal, template, re.compile(regex), item))
        # A literal segment wins over a parameter (/v1/units/search before /v1/units/{id}).
        self.routes.sort(key=lambda r: -r[0])
        self.unrouted = self.doc.get("x-unrouted") or {}

    def unseen(self, lines):
        """The documented operations no recorded response went to."""
        seen = set()
        for line in lines:
            try:
                rec = json.loads(line)
                template, _ = self.route(rec["path"].split("?", 1)[0])
                seen.add("%s %s" % (rec["method"].upper(), template))
            except (ValueError, KeyError, AttributeError):
                continue
        return ["%s %s" % (m.upper(), t) for _, t, _, item in sorted(self.routes, key=lambda r: r[1])
                for m in item if m in METHODS and "%s %s" % (m.upper(), t) not in seen]

    def deref(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            _, node = self.resolver.resolve(node["$ref"])
            seen += 1
            if seen > 20:
                raise ValueError("$ref loop")
        return node

    def route(self, path):
        for _, template, regex, item in self.routes:
            if regex.match(path):
                return template, item
        return None, None

    def operation(self, method, path):
        """(route label, responses object, or None when the spec has none)."""
        raw = path.split("?", 1)[0]
        template, item = self.route(raw)
        if template is None:
            return "(no route) " + raw, self.unrouted.get("no-route")
        op = item.get(method.lower()) if method.lower() in METHODS else None
        if op is None:
            return "%s (no %s)" % (template, method), self.unrouted.get("no-method")
        return "%s %s" % (method, template), op.get("responses") or {}

    def response(self, responses, status):
        """(the key it matched, the response object) or (None, None)."""
        for key in (str(status), "%dXX" % (status // 100), "%dxx" % (status // 100), "default"):
            if key in responses:
                return key, self.deref(responses[key])
        return None, None

    def validate(self, schema, instance):
        v = Draft202012Validator(schema, resolver=self.resolver, format_checker=self.format_checker)
        return sorted(v.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))


def check(spec, rec):
    """A list of (group key, detail) failures for one recorded response."""
    method, path, status = rec.get("method", "?"), rec.get("path", "?"), rec.get("status", 0)
    label, responses = spec.operation(method, path)
    if responses is None:
        return [(label, "no route or method: the spec documents none of this (x-unrouted)")]
    key, resp = spec.response(responses, status)
    where = "%s -> %s" % (label, status)
    if resp is None:
        return [(where, "status %s not documented (documented: %s)"
                 % (status, ", ".join(sorted(map(str, responses))) or "none"))]
    where = "%s -> %s (spec: %s)" % (label, status, key)
    if rec.get("body_not_utf8"):
        return [(where, "body is not UTF-8")]
    body = rec.get("body") or ""
    content = resp.get("content") or {}
    if not content:
        if body:
            return [(where, "a body where the spec gives no content")]
        return []
    if not body:
        return [(where, "an empty body where the spec gives content (%s)" % ", ".join(content))]
    ctype = (rec.get("content_type") or "").split(";")[0].strip().lower()
    media = content.get(ctype)
    if media is None:
        return [(where, "content type %r not documented (documented: %s)"
                 % (ctype, ", ".join(content)))]
    schema = media.get("schema")
    if schema is None:
        return [(where, "no schema for %s" % ctype)]
    if ctype.endswith("json"):
        try:
            instance = json.loads(body)
        except ValueError as e:
            return [(where, "body is not JSON: %s" % e)]
    else:  # text (the HTML export): the body is the instance, a string
        instance = body
    return [(where, "%s: %s [schema %s]"
             % (pointer(e.absolute_path), e.message if len(e.message) < 300 else e.message[:300] + "…",
                pointer(e.absolute_schema_path)))
            for e in spec.validate(schema, instance)]


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        spec = Spec(argv[1])
        lines = open(argv[2], encoding="utf-8").read().splitlines()
    except (OSError, ValueError, yaml.YAMLError) as e:
        print("check-responses: %s" % e, file=sys.stderr)
        return 2
    if not lines:
        print("check-responses: %s holds no responses: nothing was checked" % argv[2], file=sys.stderr)
        return 2
    groups = OrderedDict()
    failed = 0
    for n, line in enumerate(lines, 1):
        try:
            rec = json.loads(line)
            problems = check(spec, rec)
        except Exception as e:  # a broken line or spec is a failure, never a pass
            rec, problems = {"body": line}, [("line %d" % n, "cannot check: %r" % e)]
        if problems:
            failed += 1
        for where, detail in problems:
            g = groups.setdefault((where, detail), [])
            g.append(rec)
    unseen = spec.unseen(lines)
    if unseen:  # information, not a failure: what no test asked
        print("responses: no response seen for %d operations: %s" % (len(unseen), ", ".join(unseen)))
    if failed == 0:
        print("responses: %d checked against %s, all valid" % (len(lines), argv[1]))
        return 0
    print("responses: %d of %d do not match %s:" % (failed, len(lines), argv[1]))
    for (where, detail), recs in groups.items():
        print("  %s: %s%s" % (where, detail, "  (x%d)" % len(recs) if len(recs) > 1 else ""))
        for rec in recs[:EXAMPLES_SHOWN]:
            body = rec.get("body") or ""
            print("      %s %s  request %s  body: %s%s" % (
                rec.get("method", "?"), rec.get("path", "?"), rec.get("request_id") or "-",
                body[:BODY_SHOWN].replace("\n", " "), "…" if len(body) > BODY_SHOWN else ""))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
