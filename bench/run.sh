#!/bin/sh
# bench/run.sh — the gateway against the database limit: each scenario
# (GET /v1/me, POST /v1/referrals, the receiver's 50-row list) beside pgbench
# running exactly the SQL the gateway issues for it, at 1, 16 and 64
# clients, BENCH_ROUNDS (3) interleaved rounds, medians reported.  Then full
# handshakes, memory and the audit chain's lanes.  Never part of `make check`.
#   sh bench/run.sh [SECONDS]      (make bench)
set -eu
secs=${1:-10}
rounds=${BENCH_ROUNDS:-3}
. bench/env.sh
# GET /v1/me's database path is what is compared with pgbench here: the
# identity cache is off (bench/tls.sh measures the cached path against nginx).
export REFGW_IDENTITY_CACHE_MS=0
bench_setup bench "coord|Bench Coordinator|coordinator|
orga|Bench Org A|justice_aid|
orgb|Bench Org B|homeless_service|issue.axis1
opc|Bench Operator|housing_operator|"
orgb_id=$(org_id orgb)
bench_serve
url="https://localhost:$api/v1/me"
cert="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$gw_pid/status"; }
# pgbench as the runtime role: CLIENTS SCRIPT -> "avg X ms, N tps" (or its error)
# (extra arguments go to pgbench; PGB_OPTIONS becomes the sessions' PGOPTIONS)
pgb() {
	c=$1 f=$2
	shift 2
	runuser -u postgres -- env PGOPTIONS="${PGB_OPTIONS:-}" "$PGBIN/pgbench" -h "$tmp/sock" -U refgw_app \
		-n -M prepared -c "$c" -j 2 -T "$secs" -f "$f" "$@" refgw 2>&1 | awk '/^tps/ { print $3 " tps" } /latency average/ { printf "avg %s ms, ", $4 } /ERROR|error/ { print }' | head -3
}
fp=$(openssl x509 -in "$tmp/certs/orga.pem" -outform DER | sha256sum | cut -c1-64)
# pgbench's sessions plan as the gateway's pool sessions do (gateway/db.c).
export PGB_OPTIONS="-c plan_cache_mode=force_generic_plan -c random_page_cost=1.1"

echo "# refgw bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds, client and server on one machine"
echo "rss_idle_kb=$(rss)"
$lg --url "$url" $cert -c 4 -d 2 >/dev/null # warm-up
count() { psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT count(*) FROM $1"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# compare NAME CLIENTS SQLFILE ROWS_TABLE|- LOADGEN_ARGS...
# Rounds of (gateway run, pgbench run) interleaved; the gateway's non-2xx and
# errors are summed, and for a creating scenario the rows the gateway created
# must equal the requests it counted.
compare() {
	name=$1 c=$2 sql=$3 table=$4
	shift 4
	: > "$tmp/c.gw"; : > "$tmp/c.pg"
	bad=0 lost=0 r=0
	while [ $r -lt "$rounds" ]; do
		[ "$table" != - ] && before=$(count "$table")
		out=$($lg "$@" -c "$c" -d "$secs" || true)
		echo "$out" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"], v["requests"] }' >> "$tmp/c.gw"
		if [ "$table" != - ]; then
			after=$(count "$table")
			n=$(tail -1 "$tmp/c.gw" | cut -d' ' -f5)
			[ $((after - before)) -eq "$n" ] || lost=$((lost + 1))
		fi
		pgb "$c" "$sql" ${PGB_ARGS:-} | sed -n 's/.*, \([0-9.]*\) tps$/\1/p' >> "$tmp/c.pg"
		r=$((r + 1))
	done
	g=$(cut -d' ' -f1 "$tmp/c.gw" | median); p50=$(cut -d' ' -f2 "$tmp/c.gw" | median)
	p99=$(cut -d" " -f3 "$tmp/c.gw" | median); p=$(median < "$tmp/c.pg" | awk "{ printf \"%.0f\", \$1 }")
	bad=$(awk '{ s += $4 } END { print s + 0 }' "$tmp/c.gw")
	printf '%s, %s clients: refgw %s req/s p50 %s ms p99 %s ms | pgbench same SQL %s tps | ratio %s | refgw non-2xx+errors %s' \
		"$name" "$c" "$g" "$p50" "$p99" "$p" "$(echo "$g $p" | awk '{ printf "%.2f", ($2 > 0 ? $1 / $2 : 0) }')" "$bad"
	[ "$table" != - ] && printf ' | rounds whose rows != requests: %s' "$lost"
	echo
	echo "  rounds refgw: $(cut -d' ' -f1 "$tmp/c.gw" | tr '\n' ';') pgbench: $(tr '\n' ';' < "$tmp/c.pg")"
}

# twin FILE FINGERPRINT ACTION < STATEMENTS: a pgbench script of the
# gateway's transaction for one request -- BEGIN pipelined with the
# authentication (ACTION quoted, or NULL), the handler's statements, COMMIT.
twin() {
	{
		printf '\\startpipeline\nBEGIN;\n'
		printf 'SELECT organisation_id, organisation_name, kind, org_status, revoked, org_set, may FROM refgw_authenticate(decode('"'"'%s'"'"', '"'"'hex'"'"'), %s);\n' "$2" "$3"
		printf '\\endpipeline\n'
		cat
		printf 'COMMIT;\n'
	} > "$1"
}

# The database limit for /v1/me: the very transaction the gateway runs
# (same boundaries too: BEGIN pipelined with the authentication, the caller's
# allowed actions, then COMMIT).
twin "$tmp/me.sql" "$fp" "NULL" <<SQL
SELECT array_to_string(refgw_caller_actions(), ' ');
SQL
for c in 1 16 64; do
	(sleep $((secs / 2)); echo "rss_under_load_kb=$(rss) ($c clients)") &
	sampler=$!
	compare "GET /v1/me keep-alive (database path)" $c "$tmp/me.sql" - --url "$url" $cert
	wait $sampler
done
# ---- referrals: create, and the receiver's list (50 rows, RLS on)
certb="--cert $tmp/certs/orgb.pem --key $tmp/certs/orgb.key --cacert $tmp/certs/ca.pem"
base="https://localhost:$api"
bench_referral_body "$base" "$cert" "$orgb_id" B-1
fpb=$(openssl x509 -in "$tmp/certs/orgb.pem" -outform DER | sha256sum | cut -c1-64)
# The gateway's create since schema/060 (bench/env.sh), and the values as
# it stores them, sealed, for the twins below.
bench_create_twin "$tmp/post.sql" "$fp" "$person" "$orgb_id" "$consent"
for c in 1 16 64; do
	compare "POST /v1/referrals (one call: consent check, 5 inserts, event, audit)" $c "$tmp/post.sql" referrals \
		--url "$base/v1/referrals" $cert --body "$body"
done
# Cross-check with wrk (client certificate through build/wrk-cert.so), a
# unique Idempotency-Key per request (bench/post.lua).
echo "== POST /v1/referrals with wrk, 16 connections, Idempotency-Key per request"
before=$(count referrals)
LD_PRELOAD="$top/build/wrk-cert.so" REFGW_WRK_CERT="$tmp/certs/orga.pem" REFGW_WRK_KEY="$tmp/certs/orga.key" \
	REFGW_WRK_BODY="$body" wrk -t2 -c16 -d"${secs}s" --latency -s "$top/bench/post.lua" "$base/v1/referrals" |
	grep -E 'Requests/sec|requests in| 50%| 99%|non2xx'
after=$(count referrals)
echo "rows created: $((after - before)) (between wrk's requests and that + 16: requests in flight when wrk stops are answered to no one)"
# What autovacuum would do shortly: plans for the lists below see the real table.
psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "ANALYZE referrals, referral_data, events"
twin "$tmp/list.sql" "$fpb" "'referral.read'" <<SQL
SELECT r.id, r.person_id, r.from_org, r.to_org, r.program, r.consent_id, r.purpose, r.status, r.version, r.created_at::text, r.updated_at::text, r.created_at::text FROM referrals r WHERE r.to_org = refgw_caller() AND (nullif(:st, '-')::text IS NULL OR r.status = nullif(:st, '-')) AND (r.created_at, r.id) > (:cts::timestamptz, :cid::uuid) ORDER BY r.created_at, r.id LIMIT :lim::int;
SQL
# (timestamps as ::text here: pgbench would read to_char's ":MI" as a variable)
# Parameters as the gateway binds them (the first page: the keyset before
# every row, statements.c); an absent status is nullif('-') as for the units.
PGB_ARGS="-D st=- -D cts=-infinity -D cid=00000000-0000-0000-0000-000000000000 -D lim=51"
for c in 1 16 64; do
	compare "GET /v1/referrals?role=received (50 rows)" $c "$tmp/list.sql" - \
		--url "$base/v1/referrals?role=received" $certb
done
unset PGB_ARGS

# ---- events: a page of 50 of the receiver's feed (one referral.received
# per referral created above); GET /v1/events?wait= parked by the hundred is
# measured in bench/tls.sh
twin "$tmp/events.sql" "$fpb" "'event.read'" <<SQL
SELECT seq, type, resource_type, resource_id, created_at::text FROM events WHERE organisation_id = refgw_caller() AND seq > :after::bigint ORDER BY seq LIMIT :lim::int;
SQL
PGB_ARGS="-D after=0 -D lim=50"
for c in 1 16 64; do
	compare "GET /v1/events (a page of 50)" $c "$tmp/events.sql" - --url "$base/v1/events" $certb
done
unset PGB_ARGS

# ---- units: the search with filters, over 20 000 units of which half are
# offered to orga's kind (bench_units, bench/env.sh)
op_id=$(org_id opc)
bench_units "$op_id" 20000 5
psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "ANALYZE units, unit_addresses"
# Every filter bound as a parameter, as the gateway binds them (pgbench -M
# prepared turns -D variables into parameters; the absent ones, NULL in the
# gateway, are nullif('-') here because a pgbench variable cannot be NULL:
# literal NULLs would let the planner fold their conditions away, which the
# gateway's plan cannot), planned generically with the gateway's session
# settings (PGB_OPTIONS above): the same plan.
twin "$tmp/units.sql" "$fp" "'unit.read'" <<SQL
SELECT u.id, u.site_id, u.operator_org, u.label, u.type, u.bedrooms, u.furnished, u.accessibility, u.commune, u.monthly_contribution_eur::text, u.available_from::text, u.available_until::text, u.terms, u.max_stay_months, array_to_string(u.audience_orgs, ','), array_to_string(u.audience_kinds, ','), u.status, u.version, u.created_at::text, u.updated_at::text, (SELECT a.address FROM unit_addresses a WHERE a.unit_id = u.id) FROM (SELECT * FROM units u WHERE u.status = :st AND (:on::date IS NULL OR (u.available_from <= :on::date AND (u.available_until IS NULL OR u.available_until >= :on::date))) AND u.commune = :commune AND (:minb::int IS NULL OR u.bedrooms >= :minb::int) AND (nullif(:acc, '-')::text IS NULL OR u.accessibility = nullif(:acc, '-')) AND (nullif(:terms, '-')::text IS NULL OR u.terms = nullif(:terms, '-')) AND (u.available_from, u.id) > (:cdate::date, :cid::uuid) ORDER BY u.available_from, u.id LIMIT :lim::int) u ORDER BY u.available_from, u.id;
SQL
PGB_ARGS="-D st=published -D on=2026-06-01 -D commune=Forest -D minb=1 -D lim=51 -D acc=- -D terms=- -D cdate=-infinity -D cid=00000000-0000-0000-0000-000000000000"
for c in 1 16 64; do
	compare "GET /v1/units?available_on=2026-06-01&commune=Forest&min_bedrooms=1 (50 of 20 000)" $c \
		"$tmp/units.sql" - --url "$base/v1/units?available_on=2026-06-01&commune=Forest&min_bedrooms=1" $cert
done
unset PGB_ARGS

echo "== full mTLS handshake per request, 16 clients"
$lg --url "$url" $cert -c 16 -d "$secs" --new-connections
echo "rss_after_kb=$(rss)"

# Audit: one lane per backend (what refgw does) against one global chain.
# (The caller is set as refgw_authenticate would: refgw_audit_append refuses
# to run without one, schema/015.)
cat > "$tmp/audit-lanes.sql" <<SQL
BEGIN;
SELECT set_config('refgw.org_id', '$(org_id coord)', true);
SELECT refgw_audit_append(NULL, 'bench', 'bench.action', 'organisation', 'x', NULL, '{"k":"v"}');
COMMIT;
SQL
psql -X -q -h "$tmp/sock" -U refgw_owner refgw <<'SQL'
-- The alternative we did not choose: every writer on one chain head.
CREATE FUNCTION bench_audit_single() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE l audit_lanes; r audit_log;
BEGIN
    INSERT INTO audit_lanes VALUES (-1, 0, '\x') ON CONFLICT DO NOTHING;
    SELECT * INTO STRICT l FROM audit_lanes WHERE lane = -1 FOR UPDATE;
    r.lane := -1; r.seq := l.seq + 1; r.at := clock_timestamp(); r.request_id := 'bench';
    r.action := 'bench.action'; r.resource_type := ''; r.resource_id := ''; r.detail := '{}';
    r.prev_hash := l.head;
    r.hash := sha256(l.head || convert_to(refgw_audit_canonical(r), 'UTF8'));
    INSERT INTO audit_log VALUES (r.*);
    UPDATE audit_lanes SET seq = r.seq, head = r.hash WHERE lane = -1;
END $$;
GRANT EXECUTE ON FUNCTION bench_audit_single() TO refgw_app;
SQL
printf 'BEGIN;\nSELECT bench_audit_single();\nCOMMIT;\n' > "$tmp/audit-single.sql"
for c in 1 16; do
	for v in lanes single; do
		printf 'audit append (%s), %s clients: ' "$v" "$c"
		pgb $c "$tmp/audit-$v.sql"
	done
done
REFGW_DATABASE_URL=x "$bin" audit verify
