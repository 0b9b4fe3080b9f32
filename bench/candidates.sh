#!/bin/sh
# bench/candidates.sh — GET /v1/units/{id}/candidates over waitlists of
# 1 000 and 10 000 referrals, two gateway binaries side by side (issue 16,
# schema/051: the needs are sealed and opened by the gateway), each on a
# database of its own migrated from its own schema directory, seeded the
# same way through the API (bench_waitlist, bench/env.sh).
#   sh bench/candidates.sh BIN_A BIN_B [SCHEMA_B [SECONDS]]
# SCHEMA_B empty: B serves A's database (a change of the C only).
# e.g. A = this tree, B = the tree before schema/051 (a git worktree of
# f97f1b4, built): sh bench/candidates.sh build/refgw /tmp/old/build/refgw
# /tmp/old/schema 5
# Per waitlist size and side, BENCH_ROUNDS (3) interleaved rounds of:
#   cold   the first candidates request after the gateway starts (its key
#          cache empty; the server's time: curl's total minus its TLS
#          handshake), after one GET /v1/me
#   warm   loadgen at 1 client (p50, p99) and at 16 clients (req/s, p99)
#   cpu    the CPU time per request of the side's gateway and of its
#          database's backends during the warm runs (/proc: what a request
#          costs, whatever else the machine runs meanwhile)
# BENCH_STATEMENTS=1: the server tracks its statements (pg_stat_statements,
# nested ones too) and, after each size, the statements that took the most
# time are listed per side, per request of the warm runs.
# medians reported, and A/B (of latencies, CPU and throughputs: above 1, A
# takes longer or costs more; above 1, A serves more).  Never part of
# `make check`.
set -eu
bin_a=$1 bin_b=$2 schema_b=${3:-} secs=${4:-5}
rounds=${BENCH_ROUNDS:-3}
if [ "${BENCH_STATEMENTS:-0}" = 1 ]; then
	BENCH_PG_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
	export BENCH_PG_OPTS
fi
sizes=${CANDIDATES_SIZES:-1000 10000}
. bench/env.sh
bin=$bin_a # migrates and registers the organisations
orgs="op|Cand Operator|housing_operator|"
for n in $sizes; do
	orgs="$orgs
w$n|Cand Receiver $n|homeless_service|issue.axis1"
done
bench_setup cand "$orgs"
db_b=refgw_b
[ -n "$schema_b" ] || db_b=refgw
envb() { # runs a command with side B's database
	REFGW_DATABASE_URL="host=$tmp/sock dbname=$db_b user=refgw_app" \
		REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=$db_b user=refgw_owner" \
		REFGW_SCHEMA_DIR="${schema_b:-$REFGW_SCHEMA_DIR}" "$@"
}
bench_units "$(org_id op)" 2000 5
if [ -n "$schema_b" ]; then
	psql -X -q -h "$tmp/sock" -U postgres -d postgres -c "CREATE DATABASE refgw_b OWNER refgw_owner"
	envb "$bin_b" migrate >/dev/null
	envb sh scripts/orgs.sh "$bin_b" "$tmp/certs" "$tmp/orgs.txt" > "$tmp/ids.b"
	BENCH_DB=refgw_b bench_units "$(awk '$1 == "op" { print $2 }' "$tmp/ids.b")" 2000 5
else
	cp "$tmp/ids" "$tmp/ids.b"
fi
id_b() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/ids.b"; }

pid_a="" pid_b=""
trap 'kill $pid_a $pid_b 2>/dev/null; bench_cleanup' EXIT INT TERM
start() { # a|b: (re)starts that side's gateway, sets pid_X and api_X
	if [ "$1" = a ]; then
		[ -n "$pid_a" ] && kill "$pid_a" && wait "$pid_a" 2>/dev/null || true
		rm -f "$tmp/ports.a"
		REFGW_PORT_FILE="$tmp/ports.a" "$bin_a" serve >> "$tmp/a.log" 2>&1 &
		pid_a=$!
		while [ ! -s "$tmp/ports.a" ]; do sleep 0.1; done
		read -r api_a _ < "$tmp/ports.a"
	else
		[ -n "$pid_b" ] && kill "$pid_b" && wait "$pid_b" 2>/dev/null || true
		rm -f "$tmp/ports.b"
		# a simple command, not envb: $! is then the gateway itself, which
		# the next start and the EXIT trap stop (a function would leave it
		# behind, a child of a subshell)
		REFGW_PORT_FILE="$tmp/ports.b" \
			REFGW_DATABASE_URL="host=$tmp/sock dbname=$db_b user=refgw_app" \
			REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=$db_b user=refgw_owner" \
			REFGW_SCHEMA_DIR="${schema_b:-$REFGW_SCHEMA_DIR}" \
			"$bin_b" serve >> "$tmp/b.log" 2>&1 &
		pid_b=$!
		while [ ! -s "$tmp/ports.b" ]; do sleep 0.1; done
		read -r api_b _ < "$tmp/ports.b"
	fi
}
start a
start b
t0=$(date +%s)
for n in $sizes; do
	bench_waitlist "$api_a" "w$n" "$(org_id "w$n")" "$n"
	[ -z "$schema_b" ] || bench_waitlist "$api_b" "w$n" "$(id_b "w$n")" "$n" refgw_b
done
echo "# waitlists seeded through the API, both sides, in $(($(date +%s) - t0)) s"
for db in refgw $db_b; do
	psql -X -q -h "$tmp/sock" -U refgw_owner $db -c "ANALYZE units, unit_addresses, persons, consents, referrals, referral_data"
done
statements_reset() {
	[ "${BENCH_STATEMENTS:-0}" = 1 ] || return 0
	for db in refgw $db_b; do
		psql -X -q -h "$tmp/sock" -U postgres "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
			-c "SELECT pg_stat_statements_reset()" >/dev/null
	done
}
statements_report() { # REQUESTS_A REQUESTS_B: the top statements of each side, per request
	[ "${BENCH_STATEMENTS:-0}" = 1 ] || return 0
	for side in a b; do
		[ $side = a ] && { db=refgw; n=$1; } || { db=$db_b; n=$2; }
		echo "  statements of side $side ($db), ms per request (calls per request), top 8 by total time:"
		psql -X -tA -F ' | ' -h "$tmp/sock" -U postgres "$db" -c "SELECT round((s.total_exec_time / $n)::numeric, 2), round(s.calls::numeric / $n, 1), left(regexp_replace(s.query, '\s+', ' ', 'g'), 110) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db' ORDER BY s.total_exec_time DESC LIMIT 8" |
			sed 's/^/    /'
	done
}
unit_of() { # DB OPERATOR_ID: a unit of the operator offered to homeless services
	psql -X -tAq -h "$tmp/sock" -U refgw_owner "$1" -c "SELECT id FROM units WHERE operator_org = '$2' AND 'homeless_service' = ANY (audience_kinds) AND status = 'published' ORDER BY label LIMIT 1"
}
unit_a=$(unit_of refgw "$(org_id op)")
unit_b=$(unit_of $db_b "$(id_b op)")

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cold() { # SIDE SLUG -> the server's milliseconds for the first request after start
	start "$1"
	eval "port=\$api_$1 unit=\$unit_$1"
	c="--cert $tmp/certs/$2.pem --key $tmp/certs/$2.key --cacert $tmp/certs/ca.pem"
	curl -s -o /dev/null $c "https://localhost:$port/v1/me"
	echo 1 >> "$tmp/req.$1"
	curl -s -o /dev/null -w '%{http_code} %{time_appconnect} %{time_total}\n' $c \
		"https://localhost:$port/v1/units/$unit/candidates" |
		awk '$1 != 200 { print "bench: candidates answered " $1 > "/dev/stderr"; exit 1 }
			{ printf "%.1f\n", ($3 - $2) * 1000 }'
}
# The CPU time (ticks) the side's gateway and its database's backends have
# used so far: what a request costs whatever else runs on the machine (the
# latencies and rates below count the waiting for a core too).
cpu_ticks() { # SIDE -> "gateway_ticks database_ticks"
	eval "gw=\$pid_$1"
	[ "$1" = a ] && db=refgw || db=$db_b
	{ echo "g $gw"; pgrep -f "^postgres: refgw_app $db " | sed 's/^/d /' || true; } |
		while read -r k p; do echo "$k $(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null)"; done |
		awk '{ t[$1] += $13 + $14 } END { print t["g"] + 0, t["d"] + 0 }'
}
warm() { # SIDE SLUG CLIENTS -> "rps p50 p99 bad cpu_ms gateway_cpu_ms database_cpu_ms" (per request)
	eval "port=\$api_$1 unit=\$unit_$1"
	c="--cert $tmp/certs/$2.pem --key $tmp/certs/$2.key --cacert $tmp/certs/ca.pem"
	t0=$(cpu_ticks "$1")
	out=$($lg --url "https://localhost:$port/v1/units/$unit/candidates" $c -c "$3" -d "$secs")
	t1=$(cpu_ticks "$1")
	echo "$out" | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^requests=/) print substr($i, 10) }' \
		>> "$tmp/req.$1"
	echo "$out" | awk -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  split(t0, a, " "); split(t1, b, " "); n = v["requests"] > 0 ? v["requests"] : 1
		  g = (b[1] - a[1]) * 1000 / hz / n; d = (b[2] - a[2]) * 1000 / hz / n
		  print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"],
			sprintf("%.1f %.1f %.1f", g + d, g, d) }'
}
col() { cut -d' ' -f"$2" "$1" | median; }
ratio() { echo "$1 $2" | awk '{ printf "%.2f", ($1 > 0 ? $2 / $1 : 0) }'; }

echo "# candidates A/B: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per warm run, median of $rounds interleaved rounds, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# A=$bin_a B=$bin_b${schema_b:+ (B on its own database, schema $schema_b)}"
for n in $sizes; do
	: > "$tmp/cold.a"; : > "$tmp/cold.b"
	: > "$tmp/w1.a"; : > "$tmp/w1.b"; : > "$tmp/w16.a"; : > "$tmp/w16.b"
	statements_reset
	: > "$tmp/req.a"; : > "$tmp/req.b"
	r=0
	while [ $r -lt "$rounds" ]; do
		# A first in even rounds, B first in odd ones
		if [ $((r % 2)) -eq 0 ]; then order="a b"; else order="b a"; fi
		for s in $order; do
			cold "$s" "w$n" >> "$tmp/cold.$s"
			warm "$s" "w$n" 1 >> "$tmp/w1.$s"
			warm "$s" "w$n" 16 >> "$tmp/w16.$s"
		done
		r=$((r + 1))
	done
	bad=$(cat "$tmp"/w1.? "$tmp"/w16.? | awk '{ s += $4 } END { print s + 0 }')
	echo "== $n waitlisted (non-2xx+errors: $bad)"
	printf 'cold (first request after start): A %s ms | B %s ms | A/B %s\n' \
		"$(median < "$tmp/cold.a")" "$(median < "$tmp/cold.b")" \
		"$(ratio "$(median < "$tmp/cold.b")" "$(median < "$tmp/cold.a")")"
	echo "  rounds A: $(tr '\n' ';' < "$tmp/cold.a") B: $(tr '\n' ';' < "$tmp/cold.b")"
	printf 'warm, 1 client: A p50 %s ms p99 %s ms %s req/s | B p50 %s ms p99 %s ms %s req/s | p50 A/B %s\n' \
		"$(col "$tmp/w1.a" 2)" "$(col "$tmp/w1.a" 3)" "$(col "$tmp/w1.a" 1)" \
		"$(col "$tmp/w1.b" 2)" "$(col "$tmp/w1.b" 3)" "$(col "$tmp/w1.b" 1)" \
		"$(ratio "$(col "$tmp/w1.b" 2)" "$(col "$tmp/w1.a" 2)")"
	printf 'CPU per request (gateway + its database backends), 1 client: A %s ms | B %s ms | A/B %s; 16 clients: A %s ms | B %s ms | A/B %s\n' \
		"$(col "$tmp/w1.a" 5)" "$(col "$tmp/w1.b" 5)" \
		"$(ratio "$(col "$tmp/w1.b" 5)" "$(col "$tmp/w1.a" 5)")" \
		"$(col "$tmp/w16.a" 5)" "$(col "$tmp/w16.b" 5)" \
		"$(ratio "$(col "$tmp/w16.b" 5)" "$(col "$tmp/w16.a" 5)")"
	printf '  of which the gateway, 1 client: A %s ms | B %s ms; the database: A %s ms | B %s ms\n' \
		"$(col "$tmp/w1.a" 6)" "$(col "$tmp/w1.b" 6)" "$(col "$tmp/w1.a" 7)" "$(col "$tmp/w1.b" 7)"
	printf 'warm, 16 clients: A %s req/s p50 %s ms p99 %s ms | B %s req/s p50 %s ms p99 %s ms | req/s A/B %s\n' \
		"$(col "$tmp/w16.a" 1)" "$(col "$tmp/w16.a" 2)" "$(col "$tmp/w16.a" 3)" \
		"$(col "$tmp/w16.b" 1)" "$(col "$tmp/w16.b" 2)" "$(col "$tmp/w16.b" 3)" \
		"$(ratio "$(col "$tmp/w16.b" 1)" "$(col "$tmp/w16.a" 1)")"
	echo "  rounds 16 clients req/s A: $(cut -d' ' -f1 "$tmp/w16.a" | tr '\n' ';') B: $(cut -d' ' -f1 "$tmp/w16.b" | tr '\n' ';')"
	statements_report "$(awk '{ s += $1 } END { print s + 0 }' "$tmp/req.a")" \
		"$(awk '{ s += $1 } END { print s + 0 }' "$tmp/req.b")"
done
