#!/usr/bin/python3
"""Every message a client reads exists in English, French and Dutch (issue 17).

Extracts every literal passed as a problem's title or detail, or as a field
message, from gateway/*.c -- the arguments of reply_problem,
reply_problem_errors, reply_unprocessable_field and field_error, and every
literal marked N_("...") (a message kept in a table) -- and checks that
gateway/messages.c's catalogue holds each one with a French and a Dutch
translation whose printf conversions are the English ones, in the same order.
A title or format that is not a literal must be a variable holding an N_()
literal; a format with no words ("%s") shows an argument that is translated
where it is passed (tr(r, N_("...")), msg_text).  Run by `make lint`.

    python3 scripts/messages.py            check (exit 1 on a problem)
    python3 scripts/messages.py --missing  print catalogue lines to fill in
"""
import glob
import re
import sys

# name -> indexes (0-based) of the arguments that are messages
CALLS = {
    "reply_problem": (3, 4),
    "reply_problem_errors": (3, 5),
    "reply_unprocessable_field": (1, 3),
    "field_error": (2,),
}
# A non-literal argument allowed where a message goes: a variable or member
# that holds an N_() literal (its literals are extracted from N_ marks), or
# "%s" whose argument is such a variable.
NONLITERAL_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\s*(->|\.)\s*[A-Za-z_][A-Za-z0-9_]*|\[[^]]*\])*$")
CONV = re.compile(r"%(?:%|[-+ #0]*(?:\*|[0-9]+)?(?:\.(?:\*|[0-9]+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp])")


def strip_comments(text):
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            seg = text[i:j + 2]
            out.append("\n" * seg.count("\n"))
            i = j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = j if j >= 0 else n
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def split_args(text, start):
    """text[start] is '('; returns (args, end) split at top-level commas."""
    depth, i, args, cur = 0, start, [], []
    while True:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while text[j] != c:
                j += 2 if text[j] == "\\" else 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(cur).strip())
                return args, i
        elif c == "," and depth == 1:
            args.append("".join(cur).strip())
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1


LITERAL = re.compile(r'^(\s*"(?:[^"\\]|\\.)*"\s*)+$')
PIECE = re.compile(r'"((?:[^"\\]|\\.)*)"')


def literal_value(arg):
    if not LITERAL.match(arg):
        return None
    raw = "".join(PIECE.findall(arg))
    return bytes(raw, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def has_words(text):
    """Letters outside printf conversions (messages.c's has_words)."""
    return re.search(r"[A-Za-z]", CONV.sub("", text)) is not None


def extract(paths):
    """{english: [where, ...]} and a list of problems."""
    found, problems = {}, []
    call_re = re.compile(r"\b(" + "|".join(CALLS) + r"|N_)\s*\(")
    for path in paths:
        text = strip_comments(open(path, encoding="utf-8").read())
        for m in call_re.finditer(text):
            name = m.group(1)
            line = text[:m.start()].count("\n") + 1
            # skip declarations and definitions (a type before the name)
            before = text[max(0, m.start() - 40):m.start()]
            if re.search(r"(int|void|define)\s*\n?\s*$", before):
                continue
            args, _ = split_args(text, m.end() - 1)
            idxs = (0,) if name == "N_" else CALLS[name]
            for k in idxs:
                if k >= len(args):
                    problems.append(f"{path}:{line}: {name}: argument {k + 1} missing")
                    continue
                value = literal_value(args[k])
                if value is not None and not has_words(value):
                    # "%s": its own translation (msg_text); what it shows
                    # must be translated where it is passed.
                    for a in args[k + 1:]:
                        if "%s" in value and not re.match(r"^(tr|msg_text)\s*\(", a):
                            problems.append(f"{path}:{line}: {name}: `{' '.join(a.split())}` "
                                            "shown as \"%s\": pass tr(r, N_(...))")
                    continue
                if value is not None:
                    found.setdefault(value, []).append(f"{path}:{line}")
                elif name == "N_" or not NONLITERAL_OK.match(args[k]):
                    problems.append(f"{path}:{line}: {name}: the message `{args[k]}` is neither a "
                                    "literal nor a variable holding an N_() literal")
    return found, problems


def catalogue(path="gateway/messages.c"):
    """[(english, french, dutch, line)] from the MSG(...) lines."""
    text = strip_comments(open(path, encoding="utf-8").read())
    rows = []
    for m in re.finditer(r"\bMSG\s*\(", text):
        line = text[:m.start()].count("\n") + 1
        if re.search(r"define\s*$", text[max(0, m.start() - 20):m.start()]):
            continue
        args, _ = split_args(text, m.end() - 1)
        vals = [literal_value(a) for a in args]
        rows.append((vals, line))
    return rows


def main():
    found, problems = extract(sorted(p for p in glob.glob("gateway/*.c")
                                     if not p.endswith("/messages.c")))
    seen = {}
    for vals, line in catalogue():
        where = f"gateway/messages.c:{line}"
        if len(vals) != 3 or any(v is None for v in vals):
            problems.append(f"{where}: MSG(english, french, dutch), three literals")
            continue
        en, fr, nl = vals
        if en in seen:
            problems.append(f"{where}: {en!r} already at line {seen[en]}")
        seen[en] = line
        for lang, tr in (("French", fr), ("Dutch", nl)):
            if not tr.strip():
                problems.append(f"{where}: {en!r} has no {lang}")
            elif CONV.findall(tr) != CONV.findall(en):
                problems.append(f"{where}: {en!r}: the {lang} conversions {CONV.findall(tr)} "
                                f"are not the English ones {CONV.findall(en)}")
    missing = [en for en in sorted(found) if en not in seen]
    if "--missing" in sys.argv:
        for en in missing:
            q = '"' + en.replace("\\", "\\\\").replace('"', '\\"') + '"'
            print(f"\tMSG({q}, \"\", \"\")  /* {found[en][0]} */")
        return 0
    for en in missing:
        problems.append(f"{found[en][0]}: {en!r} is not in the catalogue (gateway/messages.c)")
    for en in sorted(seen):
        if en not in found:
            problems.append(f"gateway/messages.c:{seen[en]}: {en!r} is no longer used: remove it")
    for p in problems:
        print(p)
    if problems:
        print(f"messages: {len(problems)} problem(s) above (docs/architecture.md, 'Adding a message')")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
