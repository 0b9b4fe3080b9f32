# bench/env.sh — sourced by the bench scripts: a throwaway PostgreSQL (fsync
# and synchronous_commit on, like production), the gateway's environment,
# the benchmark's organisations with their certificates, and the gateway.
#   bench_setup NAME ORGS      ORGS: lines "slug|name|kind|programs"
#   bench_serve                starts the gateway; sets gw_pid, api
#   org_id SLUG
top=$(pwd)
bin=${REFGW_BENCH_BIN:-$top/build/refgw}
lg=$top/build/loadgen
PGBIN=/usr/lib/postgresql/15/bin
gw_pid=""
tmp=""

bench_cleanup() {
	trap - EXIT INT TERM
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
	if [ -n "$tmp" ]; then
		sh "$top/scripts/pg.sh" stop "$tmp/pg" || true
		rm -rf "$tmp"
	fi
}

# BENCH_WAL_WARM_MB (1024; 0: none): the cluster's WAL made as a cluster's
# that has run a while.  A young cluster creates each 16 MB WAL segment when
# the WAL first reaches it: the backend that needs it writes the file with
# zeros and syncs it while holding the WAL's write lock, and every commit
# waits, 30-65 ms every few seconds at 400 creates/s on this machine
# (docs/performance.md, the open loop's tail).  A cluster past a few
# checkpoints renames old segments instead.  So this many MB of WAL are
# written and checkpointed before the benchmark, and min_wal_size keeps
# them for reuse (max_wal_size stays PostgreSQL's 1 GB unless the warm-up is
# larger: checkpoints come as often as before).  It costs about 15 s and
# this many MB in pg_wal for the run.
bench_wal_mb=${BENCH_WAL_WARM_MB:-1024}
case "$bench_wal_mb" in '' | *[!0-9]* | 0?*)
	echo "BENCH_WAL_WARM_MB: a number of MB, not \"$bench_wal_mb\"" >&2
	exit 2
	;;
esac
bench_wal_warm() {
	[ "$bench_wal_mb" -gt 0 ] || return 0
	# about 4 rows of 1.8 kB per 8 kB page, each page once in the WAL
	psql -X -q -v ON_ERROR_STOP=1 -h "$tmp/sock" -U postgres -d postgres \
		-c "CREATE TABLE bench_wal_warm AS SELECT repeat('x', 1800) AS x
		      FROM generate_series(1, $bench_wal_mb * 128 * 4)" \
		-c "DROP TABLE bench_wal_warm" -c "CHECKPOINT"
	# the segments' names, the one in use among them
	set -- "$tmp"/pg/pg_wal/[0-9A-F]*[0-9A-F]
	echo "bench: $(($# - 1)) WAL segments ready for reuse" >&2
}

# bench_referral_body URL CERT_OPTIONS TO_ORG_ID EXTERNAL_REF: a person and
# a consent made through the gateway at URL, and the body of a referral of
# that person to TO_ORG_ID as every create benchmark sends it (identity and
# housing data, a reason, needs, a release date).  Sets person, consent and
# body; stops the run when the gateway made neither.
bench_referral_body() {
	# shellcheck disable=SC2086 # $2: one option per word
	person=$(curl -s $2 -H 'Content-Type: application/json' -d "{\"external_ref\":\"$4\"}" \
		"$1/v1/persons" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
	# shellcheck disable=SC2086
	consent=$(curl -s $2 -H 'Content-Type: application/json' -d "{\"person_id\":\"$person\",\"recipients\":[{\"organisation_id\":\"$3\"}],\"purposes\":[\"housing_referral\"],\"data_categories\":[\"identity\",\"housing_situation\",\"family\",\"health\",\"income\",\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":\"F\",\"recorded_by\":\"B\"}}" \
		"$1/v1/consents" | sed -n 's/^{"id":"\([^"]*\)".*/\1/p')
	if [ -z "$person" ] || [ -z "$consent" ]; then
		echo "bench: could not create the person and the consent" >&2
		exit 1
	fi
	body="{\"person_id\":\"$person\",\"to_organisation_id\":\"$3\",\"program\":\"issue.axis1\",\"consent_id\":\"$consent\",\"purpose\":\"housing_referral\",\"reason\":\"bench\",\"data\":{\"identity\":{\"given_name\":\"Jean\",\"family_name\":\"D.\"},\"housing_situation\":{\"current\":\"prison\"}},\"needs\":{\"household_size\":1,\"accessibility\":\"none\",\"avoid_communes\":[\"Forest\"],\"income_band\":\"integration_income\"},\"release_date\":\"2027-01-15\"}"
}

bench_setup() {
	tmp=$(mktemp -d "/tmp/refgw-$1.XXXXXX")
	chmod 755 "$tmp"
	trap bench_cleanup EXIT INT TERM
	printf '%s\n' "$2" > "$tmp/orgs.txt"
	# shellcheck disable=SC2046 # one argument per slug
	sh certs/gen.sh "$tmp/certs" $(cut -d'|' -f1 "$tmp/orgs.txt") >/dev/null
	sh scripts/pg.sh init "$tmp/pg" "$tmp/sock"
	# shellcheck disable=SC2086 # BENCH_PG_OPTS: more server options, one word each
	sh scripts/pg.sh start "$tmp/pg" "$tmp/sock" "$tmp/pg.log" -c max_connections=200 \
		-c min_wal_size=$((bench_wal_mb > 80 ? bench_wal_mb : 80))MB \
		-c max_wal_size=$((bench_wal_mb > 1024 ? bench_wal_mb : 1024))MB ${BENCH_PG_OPTS:-}
	bench_wal_warm
	sh scripts/pg.sh roles "$tmp/sock"
	export REFGW_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_app"
	export REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_owner"
	# Persons' data keys: a key store of its own, as in production (issue 16).
	export REFGW_MASTER_KEY_FILE="$tmp/certs/master.keys"
	export REFGW_KEYSTORE_URL="host=$tmp/sock dbname=refgw_keys user=refgw_app"
	export REFGW_KEYSTORE_ADMIN_URL="host=$tmp/sock dbname=refgw_keys user=refgw_owner"
	export REFGW_SCHEMA_DIR="$top/schema" REFGW_TLS_CERT="$tmp/certs/server.pem"
	export REFGW_TLS_KEY="$tmp/certs/server.key" REFGW_TLS_CLIENT_CA="$tmp/certs/ca.pem"
	export REFGW_LISTEN_PORT=0 REFGW_OPS_PORT=0 REFGW_BROWSER_PORT=0 REFGW_PORT_FILE="$tmp/ports"
	export REFGW_ACCESS_LOG="${REFGW_ACCESS_LOG:-0}"
	"$bin" migrate >/dev/null
	sh scripts/orgs.sh "$bin" "$tmp/certs" "$tmp/orgs.txt" > "$tmp/ids"
}

bench_serve() {
	"$bin" serve > "$tmp/gateway.log" 2>&1 &
	gw_pid=$!
	while [ ! -s "$tmp/ports" ]; do sleep 0.1; done
	read -r api ops < "$tmp/ports"
}

org_id() {
	awk -v s="$1" '$1 == s { print $2 }' "$tmp/ids"
}

# sealed_like JSON_TEXT: a value as long as gateway/seal.c makes that JSON
# text sealed ("rgw1." and the unpadded base64url of a 12-byte nonce, the
# text and a 16-byte tag), which the CHECKs of schema/045 and 051 accept:
# a pgbench twin cannot seal (the keys are the gateway's), so it writes
# values of the same size into the same columns, the same work for PostgreSQL.
sealed_like() {
	printf '%s' "$1" | wc -c | awk '{ n = $1 + 28; l = int(n / 3) * 4 + (n % 3 == 1 ? 2 : n % 3 == 2 ? 3 : 0)
		s = "rgw1."; for (i = 0; i < l; i++) s = s "A"; print s }'
}

# bench_sealed: the bench referral's personal fields as the gateway stores
# them: each member of data and of needs sealed on its own, reason and
# release_date whole, and what the candidates ranking reads sealed whole
# (referrals.c, seal_ranking).  Sets sealed_data, sealed_needs,
# sealed_reason, sealed_release, sealed_ranking.
bench_sealed() {
	sealed_data="{\"identity\":\"$(sealed_like '{"given_name":"Jean","family_name":"D."}')\",\"housing_situation\":\"$(sealed_like '{"current":"prison"}')\"}"
	sealed_needs="{\"household_size\":\"$(sealed_like 1)\",\"accessibility\":\"$(sealed_like '"none"')\",\"avoid_communes\":\"$(sealed_like '["Forest"]')\",\"income_band\":\"$(sealed_like '"integration_income"')\"}"
	sealed_reason=$(sealed_like '"bench"')
	sealed_release=$(sealed_like '"2027-01-15"')
	sealed_ranking=$(sealed_like '{"household_size":1,"accessibility":"none","avoid_communes":["Forest"],"release_date":"2027-01-15"}')
}

# bench_create_twin FILE FINGERPRINT PERSON TO CONSENT: the gateway's create
# for pgbench, statement for statement: ST_AUTHENTICATE pipelined with
# BEGIN, then ST_REFERRAL_CREATE pipelined with COMMIT (db_query_commit),
# with bench_sealed's values and the categories the gateway derives from them.
bench_create_twin() {
	bench_sealed
	cats=$(psql -X -tAq -v ON_ERROR_STOP=1 -h "$tmp/sock" -U refgw_owner "${BENCH_DB:-refgw}" \
		-c "SELECT refgw_personal_categories('$sealed_data'::jsonb, '$sealed_reason', '$sealed_needs'::jsonb, '$sealed_release')")
	cat > "$1" <<SQL
\\startpipeline
BEGIN;
SELECT organisation_id, organisation_name, kind, org_status, revoked, org_set, may, pending FROM refgw_authenticate(decode('$2', 'hex'), 'referral.create');
\\endpipeline
\\startpipeline
SELECT r.* FROM refgw_referral_create(false, '$3', '$4', 'issue.axis1', '$5', 'housing_referral', NULL, '$cats'::text[], '$sealed_data'::jsonb, '$sealed_reason', '$sealed_needs'::jsonb, '$sealed_release', '$sealed_ranking', decode('$2', 'hex'), 'pgbench', false) r;
COMMIT;
\\endpipeline
SQL
}

# bench_units OPERATOR_ID N NCOMMUNES — one site and N units of that operator
# (in database $BENCH_DB, refgw by default)
# spread over the first NCOMMUNES Brussels communes (Forest among them), half
# offered to homeless_service and half to justice_aid, one in ten reserved,
# each with an address.
bench_units() {
	psql -X -q -h "$tmp/sock" -U refgw_owner "${BENCH_DB:-refgw}" <<SQL
INSERT INTO sites (operator_org, name, commune, period_from) VALUES ('$1', 'Bench site', 'Anderlecht', '2020-01-01');
INSERT INTO units (site_id, operator_org, label, type, bedrooms, accessibility, commune, available_from,
                   available_until, terms, max_stay_months, audience_kinds, status)
SELECT (SELECT id FROM sites WHERE operator_org = '$1' LIMIT 1), '$1', 'U-' || i,
       (ARRAY['room', 'studio', 'apartment', 'house'])[1 + i % 4], i % 5,
       (ARRAY['none', 'ground_floor', 'lift', 'wheelchair'])[1 + i % 4],
       (ARRAY['Anderlecht', 'Forest', 'Molenbeek-Saint-Jean', 'Schaerbeek', 'Ixelles', 'Uccle',
              'Etterbeek', 'Jette', 'Evere', 'Ganshoren', 'Saint-Gilles', 'Koekelberg',
              'Auderghem', 'Watermael-Boitsfort', 'Woluwe-Saint-Lambert',
              'Woluwe-Saint-Pierre', 'Berchem-Sainte-Agathe', 'Saint-Josse-ten-Noode',
              'Bruxelles'])[1 + i % $3],
       date '2026-01-01' + (i % 365), date '2028-01-01' + (i % 700), 'precarious_occupation', 18,
       CASE WHEN i % 2 = 0 THEN ARRAY['homeless_service'] ELSE ARRAY['justice_aid'] END,
       CASE WHEN i % 10 = 0 THEN 'reserved' ELSE 'published' END
  FROM generate_series(1, $2) i;
INSERT INTO unit_addresses SELECT id, 'street ' || label FROM units WHERE operator_org = '$1';
SQL
}

# bench_post_many PORT SLUG PATH < BODIES — POSTs each line of BODIES (a JSON
# body) to PATH as organisation SLUG, 16 requests in flight on keep-alive
# connections (one curl, --parallel); fails unless every answer is 201.
bench_post_many() {
	awk -v u="https://localhost:$1$3" -v c="$tmp/certs/$2" -v ca="$tmp/certs/ca.pem" '{
		gsub(/\\/, "\\\\"); gsub(/"/, "\\\"")
		if (NR > 1) print "next"
		printf "url = \"%s\"\ncert = \"%s.pem\"\nkey = \"%s.key\"\ncacert = \"%s\"\n", u, c, c, ca
		printf "header = \"Content-Type: application/json\"\ndata = \"%s\"\n", $0
		printf "output = \"/dev/null\"\nwrite-out = \"%%{http_code}\\n\"\n" }' > "$tmp/many.cfg"
	want=$(grep -c '^url' "$tmp/many.cfg")
	got=$(curl -s --no-progress-meter --parallel --parallel-max 16 -K "$tmp/many.cfg" | grep -c '^201$' || true)
	rm -f "$tmp/many.cfg"
	if [ "$got" -ne "$want" ]; then
		echo "bench: $3: $got of $want answered 201" >&2
		return 1
	fi
}

# bench_waitlist PORT SLUG ORG_ID N [DB] — N waitlisted referrals of
# organisation SLUG (ORG_ID in database DB, refgw by default), each for a
# person of its own, created through the API as in production: N persons,
# a consent each, and an intake each (the organisation takes the person in
# itself: waitlisted at once).  So every personal field is sealed by the
# gateway under its person's data key (issue 16) and the candidates ranking
# opens real sealed needs, one key per person.  The needs vary as the
# ranking's fixture did: household 1 to 4, accessibility, one in seven
# avoiding Anderlecht, one in three with a release date.
bench_waitlist() {
	i=0
	while [ $i -lt "$4" ]; do
		i=$((i + 1))
		echo "{\"external_ref\":\"W-$2-$i\"}"
	done | bench_post_many "$1" "$2" /v1/persons
	psql -X -tAq -h "$tmp/sock" -U refgw_owner "${5:-refgw}" \
		-c "SELECT id FROM persons WHERE created_by = '$3' ORDER BY created_at, id" |
		awk -v o="$3" '{ printf "{\"person_id\":\"%s\",\"recipients\":[{\"organisation_id\":\"%s\"}],\"purposes\":[\"housing_referral\"],\"data_categories\":[\"family\",\"health\",\"housing_situation\",\"justice\"],\"valid_until\":\"2099-01-01\",\"evidence\":{\"method\":\"signed_form\",\"reference\":\"F-%d\",\"recorded_by\":\"bench\"}}\n", $1, o, NR }' |
		bench_post_many "$1" "$2" /v1/consents
	psql -X -tAq -F ' ' -h "$tmp/sock" -U refgw_owner "${5:-refgw}" \
		-c "SELECT c.person_id, c.id FROM consents c JOIN persons p ON p.id = c.person_id WHERE p.created_by = '$3' ORDER BY p.created_at, p.id" |
		awk -v o="$3" 'BEGIN { split("none none lift wheelchair", acc, " ") }
		{ n = NR
		  printf "{\"person_id\":\"%s\",\"to_organisation_id\":\"%s\",\"program\":\"issue.axis1\",\"consent_id\":\"%s\",\"purpose\":\"housing_referral\",\"needs\":{\"household_size\":%d,\"accessibility\":\"%s\",\"avoid_communes\":%s}", $1, o, $2, 1 + n % 4, acc[1 + n % 4], (n % 7 == 0 ? "[\"Anderlecht\"]" : "[]")
		  if (n % 3 == 0) printf ",\"release_date\":\"2027-%02d-%02d\"", 1 + n % 12, 1 + n % 28
		  print "}" }' |
		bench_post_many "$1" "$2" /v1/referrals
}
