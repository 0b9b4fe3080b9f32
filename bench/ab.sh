#!/bin/sh
# bench/ab.sh — two gateway binaries side by side on one database: the hot
# read and write paths, BENCH_ROUNDS (3) interleaved rounds (A, B; B, A; ...),
# medians, and B/A.  For a refactor that must not change speed (issue 13:
# rows rendered from their description instead of hand-written writers).
#   sh bench/ab.sh BIN_A BIN_B [SECONDS] [CLIENTS]     (make bench-ab A=... B=...)
set -eu
bin_a=$1 bin_b=$2 secs=${3:-5} clients=${4:-16}
rounds=${BENCH_ROUNDS:-3}
. bench/env.sh
bin=$bin_a # migrates and registers the organisations
bench_setup ab "orga|AB Org A|justice_aid|
orgb|AB Org B|homeless_service|issue.axis1
opc|AB Operator|housing_operator|"
orgb_id=$(org_id orgb)
bench_units "$(org_id opc)" 2000 5
start() { # BIN PORTFILE LOG -> pid
	REFGW_PORT_FILE=$2 "$1" serve > "$3" 2>&1 &
	echo $!
}
pid_a=$(start "$bin_a" "$tmp/ports.a" "$tmp/a.log")
pid_b=$(start "$bin_b" "$tmp/ports.b" "$tmp/b.log")
gw_pid="$pid_a"
trap 'kill $pid_a $pid_b 2>/dev/null; bench_cleanup' EXIT INT TERM
while [ ! -s "$tmp/ports.a" ] || [ ! -s "$tmp/ports.b" ]; do sleep 0.1; done
read -r api_a _ < "$tmp/ports.a"
read -r api_b _ < "$tmp/ports.b"
certa="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
certb="--cert $tmp/certs/orgb.pem --key $tmp/certs/orgb.key --cacert $tmp/certs/ca.pem"
base="https://localhost:$api_a"
idof() { sed -n 's/^{.*"id":"\([^"]*\)".*/\1/p'; }
person=$(curl -s $certa -H 'Content-Type: application/json' -d '{"external_ref":"AB-1"}' "$base/v1/persons" | idof)
consent=$(curl -s $certa -H 'Content-Type: application/json' -d "{\"person_id\":\"$person\",\"recipients\":[{\"organisation_id\":\"$orgb_id\"}],\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\",\"housing_situation\",\"family\",\"health\",\"income\",\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":\"F\",\"recorded_by\":\"B\"}}" "$base/v1/consents" | idof)
data='{"identity":{"given_name":"Jean","family_name":"D."},"housing_situation":{"current":"prison"}}'
needs='{"household_size":1,"accessibility":"none","avoid_communes":["Forest"],"income_band":"integration_income"}'
body="{\"person_id\":\"$person\",\"to_organisation_id\":\"$orgb_id\",\"program\":\"issue.axis1\",\"consent_id\":\"$consent\",\"purpose\":\"housing_referral\",\"reason\":\"bench\",\"data\":$data,\"needs\":$needs,\"release_date\":\"2027-01-15\"}"
i=0
while [ $i -lt 200 ]; do
	curl -s -o /dev/null $certa -H 'Content-Type: application/json' -d "$body" "$base/v1/referrals"
	i=$((i + 1))
done
referral=$(curl -s $certb "$base/v1/referrals?role=received&limit=1" | sed -n 's/^{"items":\[{.*"id":"\([^"]*\)".*/\1/p' | head -1)
psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "ANALYZE referrals, referral_data, events, units, unit_addresses"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
one() { # PORT PATH CERT [BODY] -> "rps p50 p99 bad"
	port=$1 path=$2 cert=$3
	shift 3
	$lg --url "https://localhost:$port$path" $cert -c "$clients" -d "$secs" "$@" |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
			print v["rps"], v["p50_ms"], v["p99_ms"], v["non2xx"] + v["errors"] }'
}
ab() { # NAME PATH CERT [--body BODY]; AB_ONLY=pattern runs the matching ones
	name=$1 path=$2 cert=$3
	case "$name" in *${AB_ONLY:-}*) ;; *) return 0 ;; esac
	shift 3
	: > "$tmp/a"; : > "$tmp/b"
	r=0
	while [ $r -lt "$rounds" ]; do
		# A first in even rounds, B first in odd ones: a drift of the
		# machine over a run does not favour either
		if [ $((r % 2)) -eq 0 ]; then
			one "$api_a" "$path" "$cert" "$@" >> "$tmp/a"
			one "$api_b" "$path" "$cert" "$@" >> "$tmp/b"
		else
			one "$api_b" "$path" "$cert" "$@" >> "$tmp/b"
			one "$api_a" "$path" "$cert" "$@" >> "$tmp/a"
		fi
		r=$((r + 1))
	done
	ra=$(cut -d' ' -f1 "$tmp/a" | median); rb=$(cut -d' ' -f1 "$tmp/b" | median)
	pa=$(cut -d' ' -f3 "$tmp/a" | median); pb=$(cut -d' ' -f3 "$tmp/b" | median)
	bad=$(cat "$tmp/a" "$tmp/b" | awk '{ s += $4 } END { print s + 0 }')
	printf '%s, %s clients: A %s req/s p99 %s ms | B %s req/s p99 %s ms | B/A %s | non-2xx+errors %s\n' \
		"$name" "$clients" "$ra" "$pa" "$rb" "$pb" "$(echo "$ra $rb" | awk '{ printf "%.2f", ($1 > 0 ? $2 / $1 : 0) }')" "$bad"
	echo "  rounds A: $(cut -d' ' -f1 "$tmp/a" | tr '\n' ';') B: $(cut -d' ' -f1 "$tmp/b" | tr '\n' ';')"
}
echo "# refgw A/B: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds"
echo "# A=$bin_a B=$bin_b"
$lg --url "https://localhost:$api_a/v1/me" $certa -c 4 -d 1 >/dev/null
$lg --url "https://localhost:$api_b/v1/me" $certa -c 4 -d 1 >/dev/null
ab "GET /v1/me (identity cache on)" "/v1/me" "$certb"
ab "GET /v1/referrals?role=received&limit=50" "/v1/referrals?role=received&limit=50" "$certb"
ab "GET /v1/units?limit=50" "/v1/units?limit=50" "$certb"
ab "GET /v1/referrals/{id} (personal fields, audited)" "/v1/referrals/$referral" "$certb"
ab "GET /v1/events?limit=50" "/v1/events?limit=50" "$certb"
ab "POST /v1/referrals" "/v1/referrals" "$certa" --body "$body"
