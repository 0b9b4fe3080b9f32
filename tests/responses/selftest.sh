#!/bin/sh
# The response validator must be able to fail: valid.jsonl passes, and every
# line of invalid.jsonl (each breaks the spec in its own way: a missing
# field, a wrong type, an extra field, a bad uuid, an undocumented status,
# an unrouted 200, an incomplete problem, an empty or non-JSON or non-UTF-8
# body, a wrong content type, a broken line) is reported, by request id.
#   selftest.sh   (from the top of the tree; make check runs it)
set -u
check="/usr/bin/python3 tests/check-responses.py docs/openapi.yaml"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
if ! $check tests/responses/valid.jsonl >"$out" 2>&1; then
	echo "response validator: a valid fixture was refused:"; cat "$out"; fail=1
fi
$check tests/responses/invalid.jsonl >"$out" 2>&1
rc=$?
n=$(grep -c '' tests/responses/invalid.jsonl)
if [ $rc -ne 1 ]; then
	echo "response validator: exit $rc on invalid fixtures, expected 1"; fail=1
fi
if ! grep -q "^responses: $n of $n do not match" "$out"; then
	echo "response validator: not every one of the $n invalid fixtures was reported"; fail=1
fi
for id in $(sed -n 's/.*"request_id":"\(fixture-[a-z0-9-]*\)".*/\1/p' tests/responses/invalid.jsonl); do
	grep -q "request $id " "$out" || { echo "response validator: $id not reported"; fail=1; }
done
if [ $fail -ne 0 ]; then
	echo "-- validator output:"; cat "$out"
	exit 1
fi
echo "response validator: $n invalid fixtures refused, valid ones accepted"
