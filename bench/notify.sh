#!/bin/sh
# bench/notify.sh — what the NOTIFY per event cost (issue 19, schema/065):
# creates through a gateway that wakes its long-polls by LISTEN/NOTIFY (a
# baseline binary, e.g. built from the commit before schema/065, with the
# event writer NOTIFYing again) against this gateway (event heads read while
# long-polls wait, no NOTIFY), on one database, in interleaved rounds.
# Reports req/s and the CPU per request of the gateway and PostgreSQL
# together (what a shared machine still measures fairly), medians.
#   sh bench/notify.sh BASELINE_REFGW [SECONDS]      (make bench-notify BASE=…)
# Both sides number events as schema/065 did, under the head row's lock
# (the writer is swapped in below): this measures what the NOTIFY cost, not
# schema/067's numbering after commit (docs/performance.md has that).
# Scenarios: POST /v1/referrals to one receiver at 16 and 64 clients, and a
# create-heavy mix (referrals to two receivers from two senders, persons);
# then pgbench (16 clients) on the event writer alone, one event per
# transaction to one of four organisations, with and without the NOTIFY
# (tps only: pgbench's backends exit before their CPU can be read), while
# the baseline LISTENs.
set -eu
base_bin=$(realpath "$1")
secs=${2:-8}
rounds=${BENCH_ROUNDS:-3}
. bench/env.sh
export REFGW_IDENTITY_CACHE_MS=5000
bench_setup notify "orga|Bench Org A|justice_aid|
orgb|Bench Org B|homeless_service|issue.axis1
orgc|Bench Org C|justice_aid|
orgd|Bench Org D|homeless_service|issue.axis1"
bench_serve
new_api=$api new_pid=$gw_pid
# The baseline on the same database, ports of its own.
REFGW_PORT_FILE="$tmp/ports.base" "$base_bin" serve > "$tmp/gateway.base.log" 2>&1 &
base_pid=$!
while [ ! -s "$tmp/ports.base" ]; do sleep 0.1; done
read -r base_api _ < "$tmp/ports.base"
stop_base() { kill "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null || true; bench_cleanup; }
trap stop_base EXIT INT TERM
pm=$(head -1 "$tmp/pg/postmaster.pid")

sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$tmp/sock" -U refgw_owner refgw "$@"; }
# The event writer with (baseline) or without (schema/065) its NOTIFY.
writer() {
	notify=""
	[ "$1" = on ] && notify="PERFORM pg_notify('refgw_events', p_org::text);"
	sql <<SQL
CREATE OR REPLACE FUNCTION refgw_event_write(p_org uuid, p_type text, p_resource_type text, p_resource_id uuid)
RETURNS bigint LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS \$\$
DECLARE n bigint;
BEGIN
    INSERT INTO event_heads AS h (organisation_id, seq) VALUES (p_org, 1)
        ON CONFLICT (organisation_id) DO UPDATE SET seq = h.seq + 1 RETURNING h.seq INTO n;
    INSERT INTO events (organisation_id, seq, type, resource_type, resource_id)
        VALUES (p_org, n, p_type, p_resource_type, p_resource_id);
    $notify
    RETURN n;
END
\$\$;
SQL
}

# The CPU (clock ticks) of a gateway and of every PostgreSQL process.
ticks() {
	for p in "$1" "$pm" $(pgrep -P "$pm"); do cat "/proc/$p/stat" 2>/dev/null || true; done |
		awk '{ s += $14 + $15 } END { print s }'
}
hz=$(getconf CLK_TCK)

idof() { sed -n 's/^{"id":"\([^"]*\)".*/\1/p'; }
# referral_body SENDER RECEIVER_SLUG: a person, a consent and a body (on the new gateway).
referral_body() {
	crt="--cert $tmp/certs/$1.pem --key $tmp/certs/$1.key --cacert $tmp/certs/ca.pem"
	to=$(org_id "$2")
	person=$(curl -s $crt -H 'Content-Type: application/json' -d "{\"external_ref\":\"N-$1\"}" "https://localhost:$new_api/v1/persons" | idof)
	consent=$(curl -s $crt -H 'Content-Type: application/json' -d "{\"person_id\":\"$person\",\"recipients\":[{\"organisation_id\":\"$to\"}],\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\",\"housing_situation\",\"family\",\"health\",\"income\",\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":\"F\",\"recorded_by\":\"B\"}}" "https://localhost:$new_api/v1/consents" | idof)
	echo "{\"person_id\":\"$person\",\"to_organisation_id\":\"$to\",\"program\":\"issue.axis1\",\"consent_id\":\"$consent\",\"purpose\":\"housing_referral\",\"reason\":\"bench\",\"data\":{\"identity\":{\"given_name\":\"Jean\"},\"housing_situation\":{\"current\":\"prison\"}},\"needs\":{\"household_size\":1,\"accessibility\":\"none\"},\"release_date\":\"2027-01-15\"}"
}
body_ab=$(referral_body orga orgb)
body_cd=$(referral_body orgc orgd)
cert_a="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
cert_c="--cert $tmp/certs/orgc.pem --key $tmp/certs/orgc.key --cacert $tmp/certs/ca.pem"

# run LEG SCENARIO: one run; appends "rps cpu_ms_per_request p99 bad" to $tmp/LEG.SCENARIO
run() {
	leg=$1 scen=$2
	if [ "$leg" = notify ]; then port=$base_api pid=$base_pid; writer on; else port=$new_api pid=$new_pid; writer off; fi
	u="https://localhost:$port"
	t0=$(ticks "$pid")
	case $scen in
	post16 | post64)
		$lg --url "$u/v1/referrals" $cert_a --body "$body_ab" -c "${scen#post}" -d "$secs" > "$tmp/out.1" || true
		: > "$tmp/out.2"; : > "$tmp/out.3" ;;
	mix)
		$lg --url "$u/v1/referrals" $cert_a --body "$body_ab" -c 8 -d "$secs" > "$tmp/out.1" &
		p1=$!
		$lg --url "$u/v1/referrals" $cert_c --body "$body_cd" -c 8 -d "$secs" > "$tmp/out.2" &
		p2=$!
		$lg --url "$u/v1/persons" $cert_c --body '{"external_ref":"MIX"}' -c 4 -d "$secs" > "$tmp/out.3" &
		p3=$!
		wait $p1 $p2 $p3 || true ;;
	esac
	t1=$(ticks "$pid")
	cat "$tmp/out.1" "$tmp/out.2" "$tmp/out.3" | awk -v t="$((t1 - t0))" -v hz="$hz" '
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		  rps += v["rps"]; n += v["requests"]; bad += v["non2xx"] + v["errors"]
		  if (v["p99_ms"] > p99) p99 = v["p99_ms"] }
		END { printf "%.0f %.3f %s %d\n", rps, (n ? t * 1000 / hz / n : 0), p99, bad }' >> "$tmp/$leg.$scen"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# notify bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds"
echo "# baseline: $base_bin ($("$base_bin" version 2>/dev/null || echo ?)), LISTEN/NOTIFY; new: $bin, event heads"
$lg --url "https://localhost:$new_api/v1/referrals" $cert_a --body "$body_ab" -c 4 -d 2 > /dev/null # warm-up
$lg --url "https://localhost:$base_api/v1/referrals" $cert_a --body "$body_ab" -c 4 -d 2 > /dev/null
r=0
while [ $r -lt "$rounds" ]; do
	for scen in post16 post64 mix; do
		# alternate which leg goes first
		if [ $((r % 2)) -eq 0 ]; then run notify $scen; run heads $scen; else run heads $scen; run notify $scen; fi
	done
	r=$((r + 1))
done
printf '%-8s %-7s %9s %13s %8s %5s %s\n' scenario leg "req/s" "CPU ms/req" "p99 ms" bad "rounds (req/s)"
for scen in post16 post64 mix; do
	for leg in notify heads; do
		f="$tmp/$leg.$scen"
		printf '%-8s %-7s %9s %13s %8s %5s %s\n' $scen $leg "$(cut -d' ' -f1 "$f" | median)" \
			"$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
			"$(awk '{ s += $4 } END { print s }' "$f")" "$(cut -d' ' -f1 "$f" | tr '\n' ' ')"
	done
	n_rps=$(cut -d' ' -f1 "$tmp/notify.$scen" | median) h_rps=$(cut -d' ' -f1 "$tmp/heads.$scen" | median)
	n_cpu=$(cut -d' ' -f2 "$tmp/notify.$scen" | median) h_cpu=$(cut -d' ' -f2 "$tmp/heads.$scen" | median)
	awk -v a="$h_rps" -v b="$n_rps" -v c="$h_cpu" -v d="$n_cpu" -v s=$scen \
		'BEGIN { printf "%-8s heads/notify: req/s %.2f, CPU per request %.2f\n", s, a / b, c / d }'
done

# ---- the event writer alone: pgbench, one event per transaction
orgs="'$(org_id orga)','$(org_id orgb)','$(org_id orgc)','$(org_id orgd)'"
cat > "$tmp/event.sql" <<SQL
\set k random(1, 4)
SELECT refgw_event_write((ARRAY[$orgs]::uuid[])[:k], 'certificate.registered', 'organisation', (ARRAY[$orgs]::uuid[])[:k]);
SQL
pgb_run() {
	leg=$1
	if [ "$leg" = notify ]; then writer on; else writer off; fi
	out=$(runuser -u postgres -- "$PGBIN/pgbench" -h "$tmp/sock" -U refgw_owner -n -M prepared -c 16 -j 2 \
		-T "$secs" -f "$tmp/event.sql" refgw 2>&1)
	echo "$out" | awk '/^tps/ { tps = $3 } END { printf "%.0f\n", tps }' >> "$tmp/pgb.$leg"
}
r=0
while [ $r -lt "$rounds" ]; do
	if [ $((r % 2)) -eq 0 ]; then pgb_run notify; pgb_run heads; else pgb_run heads; pgb_run notify; fi
	r=$((r + 1))
done
for leg in notify heads; do
	printf '%-8s %-7s %9s tps   rounds %s\n' pgbench $leg "$(median < "$tmp/pgb.$leg")" \
		"$(tr '\n' ' ' < "$tmp/pgb.$leg")"
done
awk -v a="$(median < "$tmp/pgb.heads")" -v b="$(median < "$tmp/pgb.notify")" \
	'BEGIN { printf "pgbench  heads/notify: tps %.2f\n", a / b }'
