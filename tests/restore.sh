#!/bin/sh
# Follows docs/operations.md, "Restore runbook (issue 12)", end to end: a
# gateway writes signed audit checkpoints on its schedule; the database is
# dumped (pg_dump -Fc), restored into a NEW cluster (initdb, roles, empty
# database, pg_restore); there `refgw audit verify --checkpoint` passes and
# a gateway serves GET /v1/me with the right organisation.  Both clusters are
# removed on exit, even on failure.  Prints one PASS or FAIL line.
#   restore.sh REFGW_BINARY
set -eu
. tests/cluster.sh
cluster_up "$1" restore -c fsync=off -c synchronous_commit=off

restore_cleanup() {
	rc=$?
	set +e # (exit $rc) below only hands the status on
	sh "$top/scripts/pg.sh" stop "$tmp/pg2" >/dev/null 2>&1 || true
	if [ $rc -ne 0 ]; then
		echo "FAIL: restore runbook (tests/restore.sh), at: $step"
		[ -f "$tmp/step.out" ] && tail -n 20 "$tmp/step.out"
	fi
	(exit $rc)
	cluster_cleanup
}
trap restore_cleanup EXIT INT TERM
step="setup"
fail() {
	echo "$*" >> "$tmp/step.out"
	exit 1
}
pg() { # pg SOCKDIR USER ARGS...: psql on a cluster of this test
	s=$1 u=$2
	shift 2
	psql -X -q -v ON_ERROR_STOP=1 -h "$s" -U "$u" -d refgw "$@"
}
call_me() { # call_me BASE SLUG: GET /v1/me, "STATUS BODY" into $tmp/me
	curl -sS -o "$tmp/me.json" -w '%{http_code}' --cacert "$tmp/certs/ca.pem" \
		--cert "$tmp/certs/$2.pem" --key "$tmp/certs/$2.key" "$1/v1/me" > "$tmp/me.status"
}

# Keys and files that live outside the database (the runbook's list).
step="audit keygen"
mkdir -p "$tmp/keys"
"$bin" audit keygen "$tmp/keys/audit-signing.pem" "$tmp/keys/audit-verify.pem" > "$tmp/step.out"
export REFGW_AUDIT_VERIFY_KEY="$tmp/keys/audit-verify.pem"
ckfile="$tmp/audit-checkpoints.jsonl"

# The source: a gateway that writes a checkpoint every second, and an
# audited change through the API (a lane of the runtime role's).
step="source gateway with scheduled checkpoints"
REFGW_AUDIT_CHECKPOINT_SECONDS=1 REFGW_AUDIT_SIGNING_KEY="$tmp/keys/audit-signing.pem" \
	REFGW_AUDIT_CHECKPOINT_FILE="$ckfile" gateway_start "$tmp/ports" "$tmp/gateway.log"
src_pid=$started_pid
curl -sS -o "$tmp/step.out" -w '%{http_code}' --cacert "$tmp/certs/ca.pem" \
	--cert "$tmp/certs/coord.pem" --key "$tmp/certs/coord.key" \
	-H 'Content-Type: application/json' -H 'Idempotency-Key: restore-test-1' \
	-d '{"name":"Restored Org","kind":"street_work"}' \
	"https://localhost:$api/v1/organisations" > "$tmp/post.status"
[ "$(cat "$tmp/post.status")" = 201 ] || fail "POST /v1/organisations answered $(cat "$tmp/post.status")"
# Wait for a scheduled checkpoint taken after that change.
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
n0=$(lines "$ckfile")
i=0
while [ "$(lines "$ckfile")" -le $((n0 + 1)) ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "no scheduled checkpoint in 10 s"
	sleep 0.1
done
kill -TERM "$src_pid"
wait "$src_pid" || fail "the source gateway did not stop cleanly"
grep -q '"msg":"audit checkpoint: ' "$tmp/gateway.log" || fail "no checkpoint in the gateway's log"

# The runbook: a last checkpoint, then the dump (and the roles, cluster-wide).
step="checkpoint and dump"
"$bin" audit checkpoint --key "$tmp/keys/audit-signing.pem" --file "$ckfile" > "$tmp/step.out"
"$bin" audit verify --checkpoint "$ckfile" > "$tmp/step.out" || fail "source does not verify"
pg_dump -h "$tmp/sock" -U refgw_owner -d refgw -Fc -f "$tmp/refgw.dump"

# The checkpoint file is checkable with openssl alone (docs/security.md).
step="openssl verifies the latest checkpoint"
tail -n 1 "$ckfile" | sed 's/,"signature":"[0-9a-f]*"}$/}/' | tr -d '\n' > "$tmp/payload"
tail -n 1 "$ckfile" | sed 's/.*,"signature":"\([0-9a-f]*\)"}$/\1/' | xxd -r -p > "$tmp/sig"
openssl pkeyutl -verify -pubin -inkey "$REFGW_AUDIT_VERIFY_KEY" -rawin -in "$tmp/payload" \
	-sigfile "$tmp/sig" > "$tmp/step.out"

# A new cluster: initdb, the two roles and an empty database, pg_restore.
step="restore into a new cluster"
sh "$top/scripts/pg.sh" init "$tmp/pg2" "$tmp/sock2"
sh "$top/scripts/pg.sh" start "$tmp/pg2" "$tmp/sock2" "$tmp/pg2.log" -c fsync=off
sh "$top/scripts/pg.sh" roles "$tmp/sock2"
pg_restore -h "$tmp/sock2" -U refgw_owner -d refgw --exit-on-error "$tmp/refgw.dump" \
	> "$tmp/step.out" 2>&1
export REFGW_DATABASE_URL="host=$tmp/sock2 dbname=refgw user=refgw_app"
export REFGW_ADMIN_DATABASE_URL="host=$tmp/sock2 dbname=refgw user=refgw_owner"
[ "$(pg "$tmp/sock2" refgw_owner -tAc "SELECT count(*) FROM organisations WHERE name = 'Restored Org'")" = 1 ] ||
	fail "the restored database lacks the organisation created before the dump"

step="audit verify --checkpoint on the restored database"
"$bin" audit verify --checkpoint "$ckfile" > "$tmp/step.out" 2>&1 || fail "exit $?"
grep -q '^audit chain intact' "$tmp/step.out" || fail "no intact chain"
grep -q '^audit checkpoints hold' "$tmp/step.out" || fail "checkpoints do not hold"
summary=$(grep '^audit checkpoints hold' "$tmp/step.out")

step="a gateway serves from the restored database"
"$bin" migrate > "$tmp/step.out" # nothing to apply: the dump holds schema_migrations
grep -q '(0 applied now' "$tmp/step.out" || fail "migrate applied something after the restore"
gateway_start "$tmp/ports2" "$tmp/gateway2.log"
call_me "https://localhost:$api" orga
orga=$(awk '$1 == "orga" { print $2 }' "$tmp/orgs")
[ "$(cat "$tmp/me.status")" = 200 ] || fail "GET /v1/me answered $(cat "$tmp/me.status")"
grep -q "\"id\":\"$orga\"" "$tmp/me.json" || fail "GET /v1/me: not organisation $orga: $(cat "$tmp/me.json")"
grep -q '"name":"Test Org A"' "$tmp/me.json" || fail "GET /v1/me: not Test Org A"

step="done"
echo "PASS: restore runbook (tests/restore.sh): dump restored into a new cluster; $summary; GET /v1/me 200 as Test Org A"
