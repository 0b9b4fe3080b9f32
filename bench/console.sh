#!/bin/sh
# bench/console.sh — each console page's time to interactive with N
# referrals in the database (issue 18: under a second with 10 000), N = 100
# (the baseline) then 10 000 in the same run, each on a throwaway
# PostgreSQL and gateway of its own (bench/env.sh): a social-worker
# organisation that receives N referrals (bench_waitlist: waitlisted, each
# sealed under its person's key, through the API), a housing operator with
# 200 units, a coordinator; one user of each (worker, org_admin,
# coordinator_admin).  bench/console.mjs drives Debian's chromium through
# every page of each role's navigation, cold and warm, and prints the table
# with the ratios to the baseline.  `make bench-console`; never part of
# `make check`.  CONSOLE_SIZES="100 10000" by default; BENCH_LOADS=5.
set -eu
sizes=${CONSOLE_SIZES:-100 10000}
. bench/env.sh
[ -f tests/browser/node_modules/puppeteer-core/package.json ] ||
	{ echo "bench console: run make browser-deps" >&2; exit 1; }
out=$(mktemp -d /tmp/refgw-console-out.XXXXXX)
echo "# refgw console: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg), ${BENCH_LOADS:-5} loads per point"
files=""
for n in $sizes; do
	bench_setup console "w|Bench Street Service|homeless_service|issue.axis1
op|Bench Operator|housing_operator|
coord|Bench Coordinator|coordinator|"
	# the browser listener's origin is part of the CSRF defence: a free port
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	export REFGW_BROWSER_PORT="$port" REFGW_BROWSER_ORIGIN="https://localhost:$port"
	bench_serve
	read -r _a _o browser < "$tmp/ports"
	bench_units "$(org_id op)" 200 5
	t0=$(date +%s)
	bench_waitlist "$api" w "$(org_id w)" "$n"
	psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "VACUUM ANALYZE referrals, persons, consents, units" 2>/dev/null
	echo "== $n referrals seeded through the API in $(($(date +%s) - t0)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
	REFGW_BROWSER_BASE="https://localhost:$browser" REFGW_BROWSER_CA="$tmp/certs/ca.pem" \
		REFGW_BROWSER_SERVER_CERT="$tmp/certs/server.pem" REFGW_TEST_BIN="$bin" \
		REFGW_BENCH_USERS="worker $(org_id w) worker worker@bench.test
housing $(org_id op) org_admin officer@bench.test
coordinator $(org_id coord) coordinator_admin coordinator@bench.test" \
		node bench/console.mjs measure "$n" "$out/$n.json"
	files="$files $out/$n.json"
	bench_cleanup
	gw_pid="" tmp=""
done
# shellcheck disable=SC2086 # one file per size
node bench/console.mjs report $files
rm -rf "$out"
