#!/bin/sh
# bench/tail.sh — the latency of creates below saturation once the tables
# have grown (issue 19, docs/performance.md, "the open loop's tail"): two
# closed-loop bursts of BURST seconds (16 clients; the first warms, the
# second is reported), then ROUNDS open-loop runs of PACED seconds at RATE
# creates per second over 64 connections (loadgen --rate: latency counted
# from when each request was due).  Beside each round, from PostgreSQL's
# log and statistics: the statements that took 30 ms or more in its window
# (COMMITs apart: a COMMIT waits for the WAL's flush) and the buffers the
# backends wrote themselves.
#   sh bench/tail.sh [BURST_S [PACED_S [RATE [ROUNDS]]]]   (make bench-tail)
# BENCH_PG_OPTS passes server options (e.g. "-c shared_buffers=1GB"),
# BENCH_WAL_WARM_MB the WAL made ready beforehand (bench/env.sh; 0: a young
# cluster's, which creates each segment as the WAL reaches it).
set -eu
burst=${1:-60} paced=${2:-10} rate=${3:-400} rounds=${4:-3}
for v in "$burst" "$paced" "$rate" "$rounds"; do
	case "$v" in '' | *[!0-9]* | 0)
		echo "bench/tail.sh: BURST_S PACED_S RATE ROUNDS are positive integers, not \"$v\"" >&2
		exit 2
		;;
	esac
done
# (the prefix without a space or a shell character: pg_ctl hands the options
# to a shell)
# log_timezone: the log's times compared with date -u's
BENCH_PG_OPTS="-c log_min_duration_statement=30 -c log_line_prefix=%m_ -c log_timezone=UTC ${BENCH_PG_OPTS:-}"
export BENCH_PG_OPTS
. bench/env.sh
bench_setup tail "orga|Bench Org A|justice_aid|
orgb|Bench Org B|homeless_service|issue.axis1"
orgb_id=$(org_id orgb)
bench_serve
sql() { psql -X -tAq -v ON_ERROR_STOP=1 -h "$tmp/sock" -U postgres refgw "$@"; }
certs="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
gw="https://localhost:$api"
bench_referral_body "$gw" "$certs" "$orgb_id" P-1
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
echo "# bench/tail.sh: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), bursts of ${burst}s at 16 clients, then $rounds x ${paced}s at $rate/s over 64 connections${BENCH_PG_OPTS:+; server options: $BENCH_PG_OPTS}"
# shellcheck disable=SC2086
$lg --url "$gw/v1/referrals" $certs --body "$body" -c 16 -d "$burst" > /dev/null
# shellcheck disable=SC2086
out=$($lg --url "$gw/v1/referrals" $certs --body "$body" -c 16 -d "$burst")
echo "burst: $(field "$out" rps) creates/s, p99 $(field "$out" p99_ms) ms, non-2xx+errors $(($(field "$out" non2xx) + $(field "$out" errors))); $(sql -c "SELECT count(*) FROM referrals") referrals"
echo "round | rate | p50 ms | p90 ms | p99 ms | max ms | non-2xx+errors | statements >= 30 ms (COMMITs) | buffers the backends wrote"
i=1
while [ "$i" -le "$rounds" ]; do
	b0=$(sql -c "SELECT buffers_backend FROM pg_stat_bgwriter")
	t0=$(date -u '+%Y-%m-%d %H:%M:%S.%3N')
	# shellcheck disable=SC2086
	out=$($lg --url "$gw/v1/referrals" $certs --body "$body" -c 64 -d "$paced" --rate "$rate")
	t1=$(date -u '+%Y-%m-%d %H:%M:%S.%3N')
	b1=$(sql -c "SELECT buffers_backend FROM pg_stat_bgwriter")
	# the log's lines "YYYY-MM-DD HH:MM:SS.mmm UTC_LOG:  duration: ..." in
	# (t0, t1], to the millisecond: a round's statements counted once
	slow=$(awk -v a="$t0" -v b="$t1" 'substr($0, 1, 23) > a && substr($0, 1, 23) <= b && /LOG:  duration:/' "$tmp/pg.log")
	n=$(printf '%s' "$slow" | grep -c 'duration:' || true)
	c=$(printf '%s' "$slow" | grep -c 'duration: [0-9.]* ms  execute [^:]*: COMMIT' || true)
	echo "$i | $(field "$out" rps) | $(field "$out" p50_ms) | $(field "$out" p90_ms) | $(field "$out" p99_ms) | $(field "$out" max_ms) | $(($(field "$out" non2xx) + $(field "$out" errors))) | $n ($c) | $((b1 - b0))"
	i=$((i + 1))
done
