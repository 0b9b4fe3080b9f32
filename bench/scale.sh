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
psql -X -q -h "$tmp/sock" -U refgw_owner refgw <<SQL
INSERT INTO persons (created_by) SELECT '$recv' FROM generate_series(1, $waitlist);
INSERT INTO consents (person_id, created_by, recipient_orgs, purposes, data_categories, valid_until, evidence)
SELECT id, '$recv', ARRAY['$recv'::uuid], '{housing_referral}', '{family,health,housing_situation,justice}', '2099-01-01', '{}' FROM persons;
INSERT INTO referrals (person_id, from_org, to_org, program, consent_id, purpose, status, created_at)
SELECT c.person_id, '$op', '$recv', 'issue.axis1', c.id, 'housing_referral',
       'waitlisted', now() - make_interval(secs => $waitlist - n)
  FROM (SELECT c.*, row_number() OVER (ORDER BY c.id) AS n FROM consents c) c;
-- The personal fields the ranking reads (schema/016: in referral_data).
INSERT INTO referral_data (referral_id, data, reason, needs, release_date)
SELECT r.id, '{}', 'scale',
       jsonb_build_object('household_size', 1 + (n % 4),
                          'accessibility', (ARRAY['none', 'none', 'lift', 'wheelchair'])[1 + n % 4],
                          'avoid_communes', CASE WHEN n % 7 = 0 THEN '["Anderlecht"]'::jsonb ELSE '[]' END),
       CASE WHEN n % 3 = 0 THEN date '2027-01-01' + (n % 900)::int END
  FROM (SELECT r.id, row_number() OVER (ORDER BY r.created_at, r.id) AS n FROM referrals r) r;
ANALYZE units, unit_addresses, persons, consents, referrals, referral_data;
SQL
psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT 'units: ' || (SELECT count(*) FROM units) || ', waitlisted: ' || (SELECT count(*) FROM referrals WHERE status = 'waitlisted')"
unit=$(psql -X -tAq -h "$tmp/sock" -U refgw_owner refgw -c "SELECT id FROM units WHERE 'homeless_service' = ANY (audience_kinds) AND commune = 'Forest' AND type = 'apartment' ORDER BY label LIMIT 1")

bench_serve
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
explain "candidates SQL" "WITH u AS (SELECT * FROM units WHERE id = '$unit'), c AS (SELECT r.id, r.person_id, r.created_at, d.referral_id IS NOT NULL AS visible, (r.created_at AT TIME ZONE 'Europe/Brussels')::date AS app_day, coalesce((d.needs->>'household_size')::int, 1) AS hs, refgw_unit_capacity(u.type, u.bedrooms) AS cap, coalesce(d.needs->>'accessibility', 'none') AS acc, coalesce(d.needs->'avoid_communes', '[]') AS avoid, coalesce(d.needs->'excluded_communes', '[]') AS excl, coalesce(d.needs->'preferred_communes', '[]') AS pref, d.release_date, u.commune, u.accessibility AS unit_acc, u.available_until FROM referrals r CROSS JOIN u LEFT JOIN refgw_waitlist_needs() d ON d.referral_id = r.id WHERE r.to_org = (SELECT refgw_caller()) AND r.status = 'waitlisted'), f AS (SELECT c.*, hs <= cap AS fits, refgw_access_fits(acc, unit_acc) AS access_ok, NOT (avoid ? commune) AS commune_ok, NOT (excl ? commune) AS justice_ok, (release_date IS NULL OR available_until IS NULL OR release_date < available_until) AS release_ok, CASE WHEN release_date IS NOT NULL THEN greatest(release_date, current_date) END AS urgency, release_date - current_date AS release_in, jsonb_array_length(excl) AS excl_n, jsonb_array_length(pref) AS pref_n, pref ? commune AS preferred FROM c), g AS (SELECT f.*, visible AND fits AND access_ok AND commune_ok AND justice_ok AND release_ok AS eligible FROM f), k AS (SELECT g.*, CASE WHEN eligible THEN urgency END AS urgency_key, eligible AND preferred AS preferred_key FROM g), w AS (SELECT k.*, row_number() OVER o AS rn, count(*) OVER (PARTITION BY eligible) AS n, count(*) OVER (PARTITION BY eligible, app_day) AS day_n, row_number() OVER (PARTITION BY eligible, app_day ORDER BY urgency_key NULLS LAST, preferred_key DESC, created_at, id) AS day_rn FROM k WINDOW o AS (PARTITION BY eligible ORDER BY app_day, urgency_key NULLS LAST, preferred_key DESC, created_at, id)) SELECT * FROM w WHERE w.rn <= 50 ORDER BY w.eligible DESC, w.rn"
