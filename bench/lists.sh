#!/bin/sh
# bench/lists.sh — the list endpoints at 10 000, 100 000 and 1 000 000
# referrals and units in the database (all received by / offered to the
# caller: the worst case for it), one client, with EXPLAIN ANALYZE of the
# gateway's own statements at the largest size.  A list is a page, not a
# scan: its latency must not grow with the table.  `make bench-lists`.
set -eu
secs=${1:-5}
. bench/env.sh
bench_setup lists "send|Lists Sender|justice_aid|
recv|Lists Receiver|homeless_service|issue.axis1
op|Lists Operator|housing_operator|"
send=$(org_id send)
recv=$(org_id recv)
op=$(org_id op)
psql -X -q -h "$tmp/sock" -U refgw_owner refgw <<SQL
INSERT INTO persons (created_by) VALUES ('$send');
INSERT INTO consents (person_id, created_by, recipient_orgs, purposes, data_categories, valid_until, evidence)
SELECT id, '$send', ARRAY['$recv'::uuid], '{housing_referral}', '{identity}', '2099-01-01', '{}' FROM persons;
INSERT INTO sites (operator_org, name, commune, period_from) VALUES ('$op', 'Lists site', 'Forest', '2020-01-01');
SQL
bench_serve
base="https://localhost:$api"
cert="--cert $tmp/certs/recv.pem --key $tmp/certs/recv.key --cacert $tmp/certs/ca.pem"
have=0
grow() { # to N rows of each
	psql -X -q -h "$tmp/sock" -U refgw_owner refgw <<SQL
SET synchronous_commit = off;
INSERT INTO referrals (person_id, from_org, to_org, program, consent_id, purpose, status, created_at)
SELECT c.person_id, '$send', '$recv', 'issue.axis1', c.id, 'housing_referral', CASE WHEN i % 100 = 0 THEN 'accepted' ELSE 'submitted' END,
       timestamptz '2026-01-01' + make_interval(secs => i)
  FROM consents c, generate_series($have + 1, $1) i;
INSERT INTO units (site_id, operator_org, label, type, bedrooms, accessibility, commune, available_from,
                   available_until, terms, max_stay_months, audience_kinds, status)
SELECT (SELECT id FROM sites LIMIT 1), '$op', 'L-' || i, 'studio', 1 + i % 3, 'none',
       (ARRAY['Anderlecht', 'Forest', 'Molenbeek-Saint-Jean', 'Schaerbeek', 'Ixelles'])[1 + i % 5],
       date '2026-01-01' + (i % 365), date '2028-01-01', 'precarious_occupation', 18,
       ARRAY['homeless_service'], 'published'
  FROM generate_series($have + 1, $1) i;
-- what autovacuum would do shortly: measured while it ran, a page at 1 M
-- took 1.7x its time (docs/performance.md)
VACUUM ANALYZE referrals, units;
SQL
	have=$1
}
# middle "SELECT key, id ... ORDER BY" -> the cursor a client holds half-way
# through that list (gateway/common.c: base64url of ["key","id"], unpadded)
middle() {
	n=$(psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT count(*) FROM ($1) l")
	psql -X -tAq -F ' ' -h "$tmp/sock" -U refgw_owner refgw -c "$1 OFFSET $((n / 2)) LIMIT 1" |
		{ read -r k1 k2 id; [ -n "$id" ] || { id=$k2; k2=""; }
		  printf '["%s","%s"]' "$k1${k2:+ $k2}" "$id"; } | base64 -w0 | tr '+/' '-_' | tr -d '='
}
run() { # path -> "p50 ..., p99 ..., req/s, non-2xx, errors"
	$lg --url "$base$1" $cert -c 1 -d "$secs" | sed -n 's/.*rps=\([0-9]*\).*non2xx=\([0-9]*\) errors=\([0-9]*\) p50_ms=\([0-9.]*\) p90_ms=[0-9.]* p99_ms=\([0-9.]*\).*/p50 \4 ms, p99 \5 ms, \1 req\/s, non-2xx \2, errors \3/p'
}
echo "# refgw list scale: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), 1 client, ${secs}s per point"
for n in 10000 100000 1000000; do
	grow $n
	echo "== $n referrals to the caller, $n units offered to it"
	echo "GET /v1/referrals?role=received (first page of 50): $(run '/v1/referrals?role=received')"
	echo "GET /v1/referrals?role=received&status=accepted (1 % of rows): $(run '/v1/referrals?role=received&status=accepted')"
	echo "GET /v1/units?available_on=2026-06-01&commune=Forest&min_bedrooms=2: $(run '/v1/units?available_on=2026-06-01&commune=Forest&min_bedrooms=2')"
	echo "GET /v1/units (first page): $(run '/v1/units')"
	rc=$(middle "SELECT created_at::text, id FROM referrals WHERE to_org = '$recv' ORDER BY created_at, id")
	echo "GET /v1/referrals?role=received (the page in the middle, by cursor): $(run "/v1/referrals?role=received&cursor=$rc")"
	echo "GET /v1/units?commune=Forest (first page): $(run '/v1/units?commune=Forest')"
	uc=$(middle "SELECT available_from::text, id FROM units WHERE commune = 'Forest' AND status = 'published' ORDER BY available_from, id")
	echo "GET /v1/units?commune=Forest (the page in the middle, by cursor): $(run "/v1/units?commune=Forest&cursor=$uc")"
done
# The plans the gateway runs: its prepared statements (the WHERE, ORDER BY
# and LIMIT of gateway/statements.c, selecting ids only), planned generically
# under the settings its sessions set (gateway/db.c), as the runtime role
# with row-level security on.  PREPARE-TYPES ARGS SQL
explain() {
	echo "== EXPLAIN ANALYZE at $have rows, as refgw_app with RLS on, prepared, generic plan: $1"
	psql -X -q -h "$tmp/sock" -U refgw_app refgw <<SQL | grep -v '^ *$' | sed -n '/QUERY PLAN/,$p' | grep -v -- '^---'
BEGIN;
SELECT set_config('refgw.org_id', '$recv', true) \\gset
SET LOCAL plan_cache_mode = force_generic_plan;
SET LOCAL random_page_cost = 1.1;
PREPARE s($2) AS $4;
EXPLAIN (ANALYZE, COSTS OFF) EXECUTE s($3);
COMMIT;
SQL
}
first="'-infinity', '00000000-0000-0000-0000-000000000000'"
list="SELECT r.id FROM referrals r WHERE r.to_org = refgw_caller() AND (\$1::text IS NULL OR r.status = \$1) AND (r.created_at, r.id) > (\$2::timestamptz, \$3::uuid) ORDER BY r.created_at, r.id LIMIT \$4::int"
explain "referrals received, first page" "text, timestamptz, uuid, int" "NULL, $first, 51" "$list"
explain "referrals received, status=accepted" "text, timestamptz, uuid, int" "'accepted', $first, 51" "$list"
explain "units search with a commune (unit_search_commune)" "text, date, text, int, text, text, date, uuid, int" \
	"'published', '2026-06-01', 'Forest', 2, NULL, NULL, $first, 51" \
	"SELECT u.id FROM units u WHERE u.status = \$1 AND (\$2::date IS NULL OR (u.available_from <= \$2::date AND (u.available_until IS NULL OR u.available_until >= \$2::date))) AND u.commune = \$3 AND (\$4::int IS NULL OR u.bedrooms >= \$4::int) AND (\$5::text IS NULL OR u.accessibility = \$5) AND (\$6::text IS NULL OR u.terms = \$6) AND (u.available_from, u.id) > (\$7::date, \$8::uuid) ORDER BY u.available_from, u.id LIMIT \$9::int"
