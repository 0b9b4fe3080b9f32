#!/bin/sh
# bench/ab.sh — two gateway binaries side by side on one database: the hot
# read and write paths, BENCH_ROUNDS (3) interleaved rounds (A, B; B, A; ...),
# medians, and B/A.  For a refactor that must not change speed (issue 13:
# rows rendered from their description instead of hand-written writers).
#   sh bench/ab.sh BIN_A BIN_B [SECONDS] [CLIENTS]     (make bench-ab A=... B=...)
# Both binaries serve one database, migrated by A: what differs is the C.
# AB_B_SCHEMA=<old tree>/schema gives B a database of its own (refgw_b, same
# cluster) migrated from that directory, with the same organisations,
# units and referrals: then the schema differs too (its functions and
# row-level security run on every request), as between two releases.
# With AB_B_SCHEMA each side's CPU time per request is reported too (its
# gateway and its database's backends, from /proc, as bench/candidates.sh
# does: what a request costs whatever else the machine runs), and
# BENCH_STATEMENTS=1 lists each side's statements per request
# (pg_stat_statements, top level: what the gateway sends).
# AB_RATE=R makes each run an open loop at R requests/s (loadgen --rate,
# over the same clients): the p99 is then the latency at that rate, counted
# from when each request was due, and req/s should equal R on both sides
# (the rounds short of it, and the slots never sent, are printed).
set -eu
bin_a=$1 bin_b=$2 secs=${3:-5} clients=${4:-16}
rounds=${BENCH_ROUNDS:-3}
if [ "${BENCH_STATEMENTS:-0}" = 1 ]; then
	BENCH_PG_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=${BENCH_STATEMENTS_TRACK:-top}"
	export BENCH_PG_OPTS
fi
. bench/env.sh
bin=$bin_a # migrates and registers the organisations
bench_setup ab "orga|AB Org A|justice_aid|
orgb|AB Org B|homeless_service|issue.axis1
opc|AB Operator|housing_operator|"
bench_units "$(org_id opc)" 2000 5
db_b=refgw
if [ -n "${AB_B_SCHEMA:-}" ]; then
	db_b=refgw_b
	psql -X -q -h "$tmp/sock" -U postgres -d postgres -c "CREATE DATABASE refgw_b OWNER refgw_owner"
	REFGW_DATABASE_URL="host=$tmp/sock dbname=refgw_b user=refgw_app" \
		REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=refgw_b user=refgw_owner" \
		REFGW_SCHEMA_DIR="$AB_B_SCHEMA" "$bin_b" migrate >/dev/null
	REFGW_DATABASE_URL="host=$tmp/sock dbname=refgw_b user=refgw_app" \
		REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=refgw_b user=refgw_owner" \
		sh scripts/orgs.sh "$bin_b" "$tmp/certs" "$tmp/orgs.txt" > "$tmp/ids.b"
	BENCH_DB=refgw_b bench_units "$(awk '$1 == "opc" { print $2 }' "$tmp/ids.b")" 2000 5
fi
start() { # BIN PORTFILE LOG DB -> pid
	REFGW_DATABASE_URL="host=$tmp/sock dbname=$4 user=refgw_app" \
		REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=$4 user=refgw_owner" \
		REFGW_SCHEMA_DIR="${5:-$REFGW_SCHEMA_DIR}" REFGW_PORT_FILE=$2 "$1" serve > "$3" 2>&1 &
	echo $!
}
pid_a=$(start "$bin_a" "$tmp/ports.a" "$tmp/a.log" refgw)
pid_b=$(start "$bin_b" "$tmp/ports.b" "$tmp/b.log" "$db_b" "${AB_B_SCHEMA:-}")
gw_pid="$pid_a"
trap 'kill $pid_a $pid_b 2>/dev/null; bench_cleanup' EXIT INT TERM
while [ ! -s "$tmp/ports.a" ] || [ ! -s "$tmp/ports.b" ]; do sleep 0.1; done
read -r api_a _ < "$tmp/ports.a"
read -r api_b _ < "$tmp/ports.b"
certa="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
certb="--cert $tmp/certs/orgb.pem --key $tmp/certs/orgb.key --cacert $tmp/certs/ca.pem"
idof() { sed -n 's/^{.*"id":"\([^"]*\)".*/\1/p'; }
data='{"identity":{"given_name":"Jean","family_name":"D."},"housing_situation":{"current":"prison"}}'
needs='{"household_size":1,"accessibility":"none","avoid_communes":["Forest"],"income_band":"integration_income"}'
seed() { # PORT ORGB_ID -> the body of a referral on that side; 200 referrals created
	base="https://localhost:$1"
	person=$(curl -s $certa -H 'Content-Type: application/json' -d '{"external_ref":"AB-1"}' "$base/v1/persons" | idof)
	consent=$(curl -s $certa -H 'Content-Type: application/json' -d "{\"person_id\":\"$person\",\"recipients\":[{\"organisation_id\":\"$2\"}],\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\",\"housing_situation\",\"family\",\"health\",\"income\",\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":\"F\",\"recorded_by\":\"B\"}}" "$base/v1/consents" | idof)
	body="{\"person_id\":\"$person\",\"to_organisation_id\":\"$2\",\"program\":\"issue.axis1\",\"consent_id\":\"$consent\",\"purpose\":\"housing_referral\",\"reason\":\"bench\",\"data\":$data,\"needs\":$needs,\"release_date\":\"2027-01-15\"}"
	i=0
	while [ $i -lt 200 ]; do
		curl -s -o /dev/null $certa -H 'Content-Type: application/json' -d "$body" "$base/v1/referrals"
		i=$((i + 1))
	done
	echo "$body"
}
body_a=$(seed "$api_a" "$(org_id orgb)")
referral_a=$(curl -s $certb "https://localhost:$api_a/v1/referrals?role=received&limit=1" | sed -n 's/^{"items":\[{.*"id":"\([^"]*\)".*/\1/p' | head -1)
if [ "$db_b" = refgw ]; then
	body_b=$body_a referral_b=$referral_a
else
	body_b=$(seed "$api_b" "$(awk '$1 == "orgb" { print $2 }' "$tmp/ids.b")")
	referral_b=$(curl -s $certb "https://localhost:$api_b/v1/referrals?role=received&limit=1" | sed -n 's/^{"items":\[{.*"id":"\([^"]*\)".*/\1/p' | head -1)
	psql -X -q -h "$tmp/sock" -U refgw_owner refgw_b -c "ANALYZE referrals, referral_data, events, units, unit_addresses"
fi
psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "ANALYZE referrals, referral_data, events, units, unit_addresses"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# The CPU time (ticks) the side's gateway and its database's backends have
# used so far (meaningful per side with AB_B_SCHEMA: a database each).
cpu_ticks() { # SIDE -> "gateway_ticks database_ticks"
	eval "gw=\$pid_$1"
	[ "$1" = a ] && db=refgw || db=$db_b
	{ echo "g $gw"; pgrep -f "^postgres: refgw_app $db " | sed 's/^/d /' || true; } |
		while read -r k p; do echo "$k $(cut -d')' -f2 "/proc/$p/stat" 2>/dev/null)"; done |
		awk '{ t[$1] += $13 + $14 } END { print t["g"] + 0, t["d"] + 0 }'
}
statements_reset() {
	[ "${BENCH_STATEMENTS:-0}" = 1 ] || return 0
	for db in refgw $db_b; do
		psql -X -q -h "$tmp/sock" -U postgres "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" \
			-c "SELECT pg_stat_statements_reset()" >/dev/null
	done
}
statements_report() { # REQUESTS_A REQUESTS_B
	[ "${BENCH_STATEMENTS:-0}" = 1 ] || return 0
	for side in a b; do
		[ $side = a ] && { db=refgw; n=$1; } || { db=$db_b; n=$2; }
		echo "  statements of side $side ($db) per request: $(psql -X -tA -h "$tmp/sock" -U postgres "$db" -c "SELECT round(sum(s.calls)::numeric / $n, 1) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db' AND s.query NOT LIKE '%pg_stat_statements%'"); top 12 by calls (ms per request, calls per request):"
		psql -X -tA -F ' | ' -h "$tmp/sock" -U postgres "$db" -c "SELECT round((s.total_exec_time / $n)::numeric, 3), round(s.calls::numeric / $n, 1), left(regexp_replace(s.query, '\s+', ' ', 'g'), 100) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = '$db' AND s.query NOT LIKE '%pg_stat_statements%' ORDER BY s.calls DESC, s.total_exec_time DESC LIMIT 12" |
			sed 's/^/    /'
	done
}
one() { # SIDE PATH CERT [BODY] -> "rps p50 p99 bad requests cpu_ms_per_request gateway_ms database_ms unsent"
	eval "port=\$api_$1"
	side=$1 path=$2 cert=$3
	shift 3
	t0=$(cpu_ticks "$side")
	out=$($lg --url "https://localhost:$port$path" $cert -c "$clients" -d "$secs" ${AB_RATE:+--rate "$AB_RATE"} "$@")
	t1=$(cpu_ticks "$side")
	echo "$out" | awk -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  split(t0, a, " "); split(t1, b, " "); n = v["requests"] > 0 ? v["requests"] : 1
		  g = (b[1] - a[1]) * 1000 / hz / n; d = (b[2] - a[2]) * 1000 / hz / n
		  print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"], n,
			sprintf("%.3f %.3f %.3f", g + d, g, d), v["unsent"] + 0 }'
}
ab() { # NAME PATH CERT [body]; AB_ONLY=pattern runs the matching ones.
	# @REF@ in PATH is each side's referral; "body": each side's POST body
	name=$1 path=$2 cert=$3 post=${4:-}
	case "$name" in *${AB_ONLY:-}*) ;; *) return 0 ;; esac
	path_a=$(echo "$path" | sed "s/@REF@/$referral_a/")
	path_b=$(echo "$path" | sed "s/@REF@/$referral_b/")
	: > "$tmp/a"; : > "$tmp/b"
	statements_reset
	r=0
	while [ $r -lt "$rounds" ]; do
		# A first in even rounds, B first in odd ones: a drift of the
		# machine over a run does not favour either
		if [ $((r % 2)) -eq 0 ]; then
			one a "$path_a" "$cert" ${post:+--body "$body_a"} >> "$tmp/a"
			one b "$path_b" "$cert" ${post:+--body "$body_b"} >> "$tmp/b"
		else
			one b "$path_b" "$cert" ${post:+--body "$body_b"} >> "$tmp/b"
			one a "$path_a" "$cert" ${post:+--body "$body_a"} >> "$tmp/a"
		fi
		r=$((r + 1))
	done
	ra=$(cut -d' ' -f1 "$tmp/a" | median); rb=$(cut -d' ' -f1 "$tmp/b" | median)
	pa=$(cut -d' ' -f3 "$tmp/a" | median); pb=$(cut -d' ' -f3 "$tmp/b" | median)
	bad=$(cat "$tmp/a" "$tmp/b" | awk '{ s += $4 } END { print s + 0 }')
	printf '%s, %s clients: A %s req/s p99 %s ms | B %s req/s p99 %s ms | B/A %s | non-2xx+errors %s\n' \
		"$name" "$clients" "$ra" "$pa" "$rb" "$pb" "$(echo "$ra $rb" | awk '{ printf "%.2f", ($1 > 0 ? $2 / $1 : 0) }')" "$bad"
	echo "  rounds A: $(cut -d' ' -f1 "$tmp/a" | tr '\n' ';') B: $(cut -d' ' -f1 "$tmp/b" | tr '\n' ';')"
	echo "  p99 by round (ms) A: $(cut -d' ' -f3 "$tmp/a" | tr '\n' ';') B: $(cut -d' ' -f3 "$tmp/b" | tr '\n' ';')"
	if [ -n "${AB_RATE:-}" ]; then
		# a side that cannot keep up leaves slots unsent, which no p99 counts
		short() { awk -v r="$AB_RATE" '$1 < 0.98 * r { n++ } END { print n + 0 }' "$1"; }
		unsent() { awk '{ s += $9 } END { print s + 0 }' "$1"; }
		echo "  open loop at $AB_RATE/s: rounds short of it (below 98 %) A $(short "$tmp/a") B $(short "$tmp/b"); slots never sent A $(unsent "$tmp/a") B $(unsent "$tmp/b")"
	fi
	if [ "$db_b" != refgw ]; then
		ca=$(cut -d' ' -f6 "$tmp/a" | median); cb=$(cut -d' ' -f6 "$tmp/b" | median)
		printf '  CPU per request (gateway + its database backends): A %s ms (gateway %s, database %s) | B %s ms (gateway %s, database %s) | B/A %s\n' \
			"$ca" "$(cut -d' ' -f7 "$tmp/a" | median)" "$(cut -d' ' -f8 "$tmp/a" | median)" \
			"$cb" "$(cut -d' ' -f7 "$tmp/b" | median)" "$(cut -d' ' -f8 "$tmp/b" | median)" \
			"$(echo "$ca $cb" | awk '{ printf "%.2f", ($1 > 0 ? $2 / $1 : 0) }')"
	fi
	statements_report "$(cut -d' ' -f5 "$tmp/a" | awk '{ s += $1 } END { print s + 0 }')" \
		"$(cut -d' ' -f5 "$tmp/b" | awk '{ s += $1 } END { print s + 0 }')"
}
echo "# refgw A/B: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds${AB_RATE:+, open loop at $AB_RATE requests/s}"
echo "# A=$bin_a B=$bin_b${AB_B_SCHEMA:+ (B on its own database, schema $AB_B_SCHEMA)}"
$lg --url "https://localhost:$api_a/v1/me" $certa -c 4 -d 1 >/dev/null
$lg --url "https://localhost:$api_b/v1/me" $certa -c 4 -d 1 >/dev/null
ab "GET /v1/me (identity cache on)" "/v1/me" "$certb"
ab "GET /v1/referrals?role=received&limit=50" "/v1/referrals?role=received&limit=50" "$certb"
ab "GET /v1/units?limit=50" "/v1/units?limit=50" "$certb"
ab "GET /v1/referrals/{id} (personal fields, audited)" "/v1/referrals/@REF@" "$certb"
ab "GET /v1/events?limit=50" "/v1/events?limit=50" "$certb"
ab "POST /v1/referrals" "/v1/referrals" "$certa" body
# A person: its data key made and stored in the key store first (issue 16).
body_a='{"external_ref":"AB-2","birth_year":1987}' body_b=$body_a
ab "POST /v1/persons" "/v1/persons" "$certa" body
