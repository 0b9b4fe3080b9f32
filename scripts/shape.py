#!/usr/bin/python3
"""The shape of the house that a machine can check (issue 13):
- every handle_* function (and console_serve) has Kore's shape: `int status = 500;`, an `out:`
  label, and one return, `return status;`;
- rows are read by column name: db_val/db_null (by position) only in the
  database layer (db.c, rows.c), no positional db_exec/db_begin_exec;
- statements name their parameters: no $1 in gateway/statements.c;
- only main.c calls into http.c (includes http.h)."""
import glob
import re
import sys

problems = []
for path in sorted(glob.glob("gateway/*.c")):
    name = path.split("/")[-1]
    text = open(path).read()
    lines = text.split("\n")
    if name not in ("db.c", "rows.c"):
        for i, line in enumerate(lines, 1):
            if re.search(r"\bdb_(val|null)\(", line):
                problems.append(f"{path}:{i}: read a row by column name (rows.h), not db_val/db_null")
    for i, line in enumerate(lines, 1):
        if re.search(r"\bdb_(begin_)?exec\(", line) and name != "db.c":
            problems.append(f"{path}:{i}: name the parameters (db_query), not db_exec")
        if re.match(r'#include "http\.h"', line) and name not in ("main.c", "http.c"):
            problems.append(f"{path}:{i}: only main.c calls into http.c")
    if name == "statements.c":
        for i, line in enumerate(lines, 1):
            if re.search(r"\$[0-9]", line):
                problems.append(f"{path}:{i}: a positional parameter: name it ($id)")
    # handler shape
    for m in re.finditer(r"^int\n(handle_[a-z0-9_]+|console_serve)\(struct request \*r\)\n\{\n(.*?)^\}\n", text,
                         re.S | re.M):
        fn, body = m.group(1), m.group(2)
        where = f"{path}:{text[:m.start()].count(chr(10)) + 2}: {fn}"
        if not re.search(r"^\tint [^;]*\bstatus = 500\b", body, re.M):
            problems.append(f"{where}: the status defaults to 500 (int status = 500;)")
        if not re.search(r"^out:$", body, re.M):
            problems.append(f"{where}: no out: label")
        returns = re.findall(r"\breturn\b[^;]*;", body)
        if returns != ["return status;"]:
            problems.append(f"{where}: one return, `return status;` at out: (found {returns})")
for p in problems:
    print(p)
if problems:
    print(f"shape: {len(problems)} problem(s) above (docs/architecture.md)")
sys.exit(1 if problems else 0)
