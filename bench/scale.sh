#!/bin/sh
# bench/scale.sh — GET /v1/units and /v1/units/{id}/candidates with 100 000
# units and 10 000 waitlisted referrals in the database, beside the same
# queries in psql (EXPLAIN ANALYZE, as the runtime role with row-level
# security on), in one run.  `make bench-scale`; never part of `make check`.
set -eu
secs=${1:-10}
units=${SCALE_UNITS:-100000}
waitlist=${SCALE_WAITLIST:-10000}
. bench/env.sh
bench_setup scale "op|Scale Operator|housing_operator|
recv|Scale Receiver|homeless_service|issue.axis1"
op=$(org_id op)
recv=$(org_id recv)

echo "# generating $units units and $waitlist waitlisted referrals"
bench_units "$op" "$units" 19
bench_serve
# The waitlist through the API (bench_waitlist, bench/env.sh): its needs
# and release dates sealed by the gateway under each person's key
# (schema/051 refuses clear ones), as the candidates ranking opens them.
t0=$(date +%s)
bench_waitlist "$api" recv "$recv" "$waitlist"
echo "# waitlist seeded through the API in $(($(date +%s) - t0)) s"
psql -X -q -h "$tmp/sock" -U refgw_owner refgw -c "ANALYZE units, unit_addresses, persons, consents, referrals, referral_data"
psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT 'units: ' || (SELECT count(*) FROM units) || ', waitlisted: ' || (SELECT count(*) FROM referrals WHERE status = 'waitlisted')"
unit=$(psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT id FROM units WHERE 'homeless_service' = ANY (audience_kinds) AND commune = 'Forest' AND type = 'apartment' ORDER BY label LIMIT 1")

base="https://localhost:$api"
cert="--cert $tmp/certs/recv.pem --key $tmp/certs/recv.key --cacert $tmp/certs/ca.pem"
search="/v1/units?available_on=2026-06-01&commune=Forest&min_bedrooms=1"

explain() { # title, SQL — as the runtime role, with the receiver set for RLS
	echo "== $1 (EXPLAIN ANALYZE as refgw_app, RLS on)"
	psql -X -q -h "$tmp/sock" -U refgw_app refgw <<SQL | grep -v '^ *$' | sed -n '/QUERY PLAN/,$p' | grep -v -- '^---'
BEGIN;
SELECT set_config('refgw.org_id', '$recv', true) \\gset
EXPLAIN ANALYZE $2;
COMMIT;
SQL
}

for c in 1 16; do
	echo "== GET $search, $c clients"
	$lg --url "$base$search" $cert -c $c -d "$secs"
	echo "== GET /v1/units/{id}/candidates, $c clients"
	$lg --url "$base/v1/units/$unit/candidates" $cert -c $c -d "$secs"
done
# The gateway's statements (gateway/statements.c), with the same values.
explain "units search SQL" "SELECT u.id FROM units u WHERE u.status = 'published' AND (u.available_from <= '2026-06-01' AND (u.available_until IS NULL OR u.available_until >= '2026-06-01')) AND u.commune = 'Forest' AND u.bedrooms >= 1 AND (u.available_from, u.id) > ('-infinity', '00000000-0000-0000-0000-000000000000') ORDER BY u.available_from, u.id LIMIT 51"
# The candidates' SQL is two statements since schema/051: the caller's
# waitlist with its sealed needs (below), then the ranking over the needs
# the gateway opened, passed as one JSON parameter (ST_CANDIDATES; not
# reproducible in psql, which cannot open them).  bench/candidates.sh
# measures the whole request against the tree before 051.
explain "candidates' waitlist SQL (ST_WAITLIST_NEEDS)" "SELECT w.referral_id, w.needs::text, w.release_date, w.person_id FROM refgw_waitlist_needs() w"
