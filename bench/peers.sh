#!/bin/sh
# bench/peers.sh — refgw beside its limits and its peers, in one run (issue 19):
# Platformatic DB and PostGraphile (npm, pinned in bench/peers/package-lock.json,
# installed by `make bench` with npm ci) on the same throwaway database, behind
# the same mTLS front (nginx, ssl_verify_client on, the bench's dev CA,
# proxying to each peer over loopback), pgbench and nginx answering from
# memory.  Scenarios, at 16 and 64 clients, BENCH_ROUNDS (3) interleaved
# rounds, medians reported:
#   create  POST /v1/referrals | each peer's plain insert | pgbench, a bare 3-insert transaction;
#           and pgbench running the gateway's own create SQL over as many
#           connections as the gateway's pool ("its own SQL alone"): what the
#           database alone gives for all a create does, the bound of any
#           gateway in front of it
#   createk the same with an Idempotency-Key of its own per request (the peers
#           and pgbench as in create: they have no idempotency)
#   list    GET /v1/units?limit=50 | each peer's 50-row list | pgbench, the 50-row RLS list
#   me      GET /v1/me | nginx, the same bytes from memory
#   paced   POST /v1/referrals open loop (loadgen --rate) at each rate of
#           BENCH_PACED_RATES (200 400 req/s), 64 connections, refgw and each
#           peer: the latency a partner sees below saturation, counted from
#           when each request was due.  A closed loop at 16 or 64 clients
#           saturates the server, so its mean latency is clients / throughput
#           (Little's law) whatever the server.  (Not pgbench -R: each of its
#           clients keeps a Poisson schedule of its own and queues behind
#           its own transaction, another model; its p99 is not comparable.)
# Ends with one table (req/s, p99, ratio to the limit and to each peer) and a
# machine-readable "peers-bench" line per row.  A peer that is not installed
# or does not start is said so, and the rest goes on.  BENCH_PEERS=0: no peers.
# BENCH_SCENARIOS: some of the scenarios only (all by default).
# What is fair and what is not: docs/performance.md ("refgw beside its peers").
#   sh bench/peers.sh [SECONDS]      (part of make bench; make bench-peers alone)
set -eu
secs=${1:-10}
rounds=${BENCH_ROUNDS:-3}
want_peers=${BENCH_PEERS:-1}
pdir=$(pwd)/bench/peers
. bench/env.sh
ulimit -n 8192 2>/dev/null || true
export REFGW_CONNECTION_TIMEOUT=60 REFGW_MAX_CONNECTIONS=4096
peer_pids="" ngx_pid=""

# Everything this script started goes, also when interrupted: each peer runs
# in a process group of its own (setsid), so its children go with it.
peers_cleanup() {
	trap - EXIT INT TERM
	for p in $peer_pids; do kill -TERM "-$p" 2>/dev/null || true; done
	[ -n "$ngx_pid" ] && kill -TERM "$ngx_pid" 2>/dev/null || true
	i=0
	while [ $i -lt 50 ]; do
		alive=0
		for p in $peer_pids $ngx_pid; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && break
		sleep 0.1
		i=$((i + 1))
	done
	for p in $peer_pids; do kill -KILL "-$p" 2>/dev/null || true; done
	[ -n "$ngx_pid" ] && kill -KILL "$ngx_pid" 2>/dev/null || true
	for p in $peer_pids $ngx_pid; do wait "$p" 2>/dev/null || true; done
	# the peers' and nginx's logs outlive the throwaway directory
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		mkdir -p "$top/build/bench-peers"
		for f in platformatic postgraphile nginx/error; do
			[ -f "$tmp/$f.log" ] && cp "$tmp/$f.log" "$top/build/bench-peers/$(basename "$f").log"
		done
	fi
	bench_cleanup
}

bench_setup peers "orga|Bench Org A|justice_aid|
orgb|Bench Org B|homeless_service|issue.axis1
opc|Bench Operator|housing_operator|"
trap peers_cleanup EXIT
trap 'peers_cleanup; exit 130' INT TERM
orga_id=$(org_id orga) orgb_id=$(org_id orgb)
bench_serve
certs="--cert $tmp/certs/orga.pem --key $tmp/certs/orga.key --cacert $tmp/certs/ca.pem"
gw="https://localhost:$api"
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
sql() { psql -X -tAq -v ON_ERROR_STOP=1 -h "$tmp/sock" -U postgres refgw "$@"; }
count() { sql -c "SELECT count(*) FROM $1"; }

# ---- the data: a referral's body as run.sh sends it, 20 000 units (half
# offered to orga's kind, bench_units)
bench_referral_body "$gw" "$certs" "$orgb_id" P-1
bench_units "$(org_id opc)" 20000 5
# The values as the gateway stores them, sealed (bench/env.sh, bench_sealed):
# the peers and pgbench write values of the same size.
bench_sealed

# The peers' own schema in the same database, owned by a role of their own
# (no row-level security, no trigger): one table whose row carries what a
# referral's three rows carry (referrals, referral_data, the first
# transition), and a copy of the units with their address.
sql <<SQL
CREATE ROLE bench_peer LOGIN;
CREATE SCHEMA bench_peer AUTHORIZATION bench_peer;
CREATE TABLE bench_peer.referrals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    person_id uuid NOT NULL, from_org uuid NOT NULL, to_org uuid NOT NULL,
    program text NOT NULL, consent_id uuid NOT NULL, purpose text NOT NULL,
    status text NOT NULL DEFAULT 'submitted', version integer NOT NULL DEFAULT 1,
    data jsonb NOT NULL, reason text, needs jsonb, release_date text,
    transition_to text NOT NULL DEFAULT 'submitted', transition_by uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX ON bench_peer.referrals (to_org, created_at, id);
CREATE INDEX ON bench_peer.referrals (from_org, created_at, id);
CREATE TABLE bench_peer.units AS
    SELECT u.*, a.address FROM units u LEFT JOIN unit_addresses a ON a.unit_id = u.id;
ALTER TABLE bench_peer.units ADD PRIMARY KEY (id);
CREATE INDEX ON bench_peer.units (status, available_from, id);
ALTER TABLE bench_peer.referrals OWNER TO bench_peer;
ALTER TABLE bench_peer.units OWNER TO bench_peer;
ANALYZE units, unit_addresses, bench_peer.units;
SQL
# (the socket's directory as the host, %-encoded: Platformatic's parser wants it so)
peer_url="postgres://bench_peer@$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$(sh scripts/pg.sh where "$tmp/sock")")/refgw"

# ---- the peers (each: its port on loopback, its log, a line in $tmp/peers)
: > "$tmp/peers"
peer_down() { # NAME REASON
	echo "bench: peer $1 unavailable: $2$([ -f "$tmp/$1.log" ] && echo " (its log: build/bench-peers/$1.log)")" >&2
	echo "$1 $2" >> "$tmp/peers"
}
# peer_start NAME PORT CMD...: started in a process group of its own
peer_start() {
	n=$1 port=$2
	shift 2
	setsid "$@" > "$tmp/$n.log" 2>&1 &
	peer_pids="$peer_pids $!"
	echo "$!" > "$tmp/$n.pid"
}
# peer_wait NAME PORT: up to 90 s for the peer to answer on loopback
peer_wait() {
	i=0
	while [ $i -lt 450 ]; do
		kill -0 "$(cat "$tmp/$1.pid")" 2>/dev/null || {
			peer_down "$1" "exited at start: $(grep -m1 -i -E 'error|cannot' "$tmp/$1.log" | cut -c1-300)"
			return 1
		}
		curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$2/" && return 0
		sleep 0.2
		i=$((i + 1))
	done
	peer_down "$1" "no answer on port $2 after 90 s (log: $(tail -2 "$tmp/$1.log" | tr '\n' ' ' | cut -c1-200))"
	return 1
}
plt_port=$(freeport) pgl_port=$(freeport)
if [ "$want_peers" = 0 ]; then
	echo "bench: BENCH_PEERS=0: without Platformatic DB and PostGraphile" >&2
	printf 'platformatic skipped\npostgraphile skipped\n' > "$tmp/peers"
else
	if [ -f "$pdir/platformatic/node_modules/@platformatic/db/db.mjs" ]; then
		mkdir -p "$tmp/platformatic"
		# Its defaults otherwise (pool of 10); no GraphQL, no in-process events.
		cat > "$tmp/platformatic/platformatic.json" <<CONF
{
  "server": { "hostname": "127.0.0.1", "port": $plt_port, "logger": { "level": "warn" } },
  "db": { "connectionString": "$peer_url", "schema": ["bench_peer"], "graphql": false,
          "openapi": true, "events": false },
  "watch": false
}
CONF
		peer_start platformatic "$plt_port" node "$pdir/platformatic/node_modules/@platformatic/db/db.mjs" start \
			-c "$tmp/platformatic/platformatic.json"
	else
		peer_down platformatic "not installed (bench/peers/platformatic: npm ci did not run or failed)"
	fi
	if [ -f "$pdir/postgraphile/node_modules/postgraphile/cli.js" ]; then
		# Its defaults otherwise (pool of 10); JSON as JSON (-j).
		peer_start postgraphile "$pgl_port" node "$pdir/postgraphile/node_modules/postgraphile/cli.js" \
			-c "$peer_url" -s bench_peer -n 127.0.0.1 -p "$pgl_port" -j -b --disable-query-log
	else
		peer_down postgraphile "not installed (bench/peers/postgraphile: npm ci did not run or failed)"
	fi
	for n in platformatic postgraphile; do
		grep -q "^$n " "$tmp/peers" && continue
		p=$plt_port
		[ $n = postgraphile ] && p=$pgl_port
		peer_wait $n $p || true
	done
fi

# ---- the mTLS front: one nginx, one port per side, client certificates
# verified against the bench's CA, HTTP/1.1 kept alive to each peer.
curl -s $certs "$gw/v1/me" > "$tmp/me.json"
n_me=$(freeport) n_plt=$(freeport) n_pgl=$(freeport)
mkdir -p "$tmp/nginx"
tls="ssl_certificate $tmp/certs/server.pem; ssl_certificate_key $tmp/certs/server.key;
        ssl_client_certificate $tmp/certs/ca.pem; ssl_verify_client on;
        ssl_protocols TLSv1.2 TLSv1.3; ssl_session_tickets off;"
proxy="proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_buffering on;"
cat > "$tmp/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_buffer_size 64k;
    upstream platformatic { server 127.0.0.1:$plt_port; keepalive 128; }
    upstream postgraphile { server 127.0.0.1:$pgl_port; keepalive 128; }
    server {
        listen 127.0.0.1:$n_me ssl;
        $tls
        location = /v1/me { default_type application/json; return 200 '$(cat "$tmp/me.json")'; }
    }
    server {
        listen 127.0.0.1:$n_plt ssl;
        $tls
        location / { proxy_pass http://platformatic; $proxy }
    }
    server {
        listen 127.0.0.1:$n_pgl ssl;
        $tls
        location / { proxy_pass http://postgraphile; $proxy }
    }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" &
ngx_pid=$!
sleep 1
ngx="https://localhost:$n_me"
[ "$(curl -s $certs "$ngx/v1/me")" = "$(cat "$tmp/me.json")" ] || { echo "bench: nginx does not answer /v1/me's bytes" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/certs/ca.pem" "$ngx/v1/me")" = 400 ] ||
	{ echo "bench: nginx does not require a client certificate" >&2; exit 1; }

# ---- each side's requests.  The peers' bodies: the same values, stored as
# the gateway stores them (sealed_like); the same 50 published units.
peer_body="\"personId\":\"$person\",\"fromOrg\":\"$orga_id\",\"toOrg\":\"$orgb_id\",\"program\":\"issue.axis1\",\"consentId\":\"$consent\",\"purpose\":\"housing_referral\",\"data\":$sealed_data,\"reason\":\"$sealed_reason\",\"needs\":$sealed_needs,\"releaseDate\":\"$sealed_release\",\"status\":\"submitted\",\"version\":1,\"transitionTo\":\"submitted\",\"transitionBy\":\"$orga_id\""
plt_create_url="https://localhost:$n_plt/benchPeerReferrals"
plt_create_body="{$peer_body}"
plt_list_url="https://localhost:$n_plt/benchPeerUnits?limit=50&where.status.eq=published&orderby.availableFrom=asc&orderby.id=asc"
pgl_url="https://localhost:$n_pgl/graphql"
pgl_create_body="{\"query\":\"mutation(\$r: ReferralInput!) { createReferral(input: {referral: \$r}) { referral { id status version createdAt } } }\",\"variables\":{\"r\":{$peer_body}}}"
# every column of the units' copy, as PostGraphile names them
fields=$(sql -c "SELECT column_name FROM information_schema.columns WHERE table_schema = 'bench_peer' AND table_name = 'units' ORDER BY ordinal_position" |
	awk '{ n = split($1, p, "_"); s = p[1]; for (i = 2; i <= n; i++) s = s toupper(substr(p[i], 1, 1)) substr(p[i], 2); printf "%s ", s }')
pgl_list_body="{\"query\":\"{ allUnits(first: 50, condition: {status: \\\"published\\\"}, orderBy: [AVAILABLE_FROM_ASC, ID_ASC]) { nodes { $fields} } }\"}"
# A peer that answers wrongly is unavailable (GraphQL says its errors with a 200).
peer_check() { # NAME URL [BODY]
	grep -q "^$1 " "$tmp/peers" && return 0
	if [ $# -gt 2 ]; then
		out=$(curl -s $certs -H 'Content-Type: application/json' -d "$3" -w '\n%{http_code}' "$2" || true)
	else
		out=$(curl -s $certs -w '\n%{http_code}' "$2" || true)
	fi
	code=$(echo "$out" | tail -1)
	case $code in 2??) ;; *) peer_down "$1" "answers $code through nginx: $(echo "$out" | head -1 | cut -c1-200)"; return 0 ;; esac
	if echo "$out" | head -1 | grep -q '"errors"'; then
		peer_down "$1" "answers errors: $(echo "$out" | head -1 | cut -c1-200)"
	fi
}
peer_check platformatic "$plt_create_url" "$plt_create_body"
peer_check platformatic "$plt_list_url"
peer_check postgraphile "$pgl_url" "$pgl_create_body"
peer_check postgraphile "$pgl_url" "$pgl_list_body"
[ "$(curl -s $certs "$plt_list_url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null)" = 50 ] ||
	grep -q '^platformatic ' "$tmp/peers" || peer_down platformatic "its list is not 50 rows"
[ "$(curl -s $certs -H 'Content-Type: application/json' -d "$pgl_list_body" "$pgl_url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["allUnits"]["nodes"]))' 2>/dev/null)" = 50 ] ||
	grep -q '^postgraphile ' "$tmp/peers" || peer_down postgraphile "its list is not 50 rows"
[ "$(curl -s $certs "$gw/v1/units?limit=50" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' 2>/dev/null)" = 50 ] ||
	{ echo "bench: GET /v1/units?limit=50 is not 50 rows" >&2; exit 1; }
up() { ! grep -q "^$1 " "$tmp/peers"; }

# ---- pgbench: the limits
# The bare 3-insert transaction: the rows a create writes, as the runtime
# role under row-level security, nothing else (no consent check, event,
# audit, idempotency).
cat > "$tmp/create.sql" <<SQL
BEGIN;
SELECT set_config('refgw.org_id', '$orga_id', true);
INSERT INTO referrals AS r (person_id, from_org, to_org, program, consent_id, purpose) VALUES ('$person', '$orga_id', '$orgb_id', 'issue.axis1', '$consent', 'housing_referral') RETURNING r.id \\gset
INSERT INTO referral_data (referral_id, data, reason, needs, release_date) VALUES (:id, '$sealed_data', '$sealed_reason', '$sealed_needs', '$sealed_release');
INSERT INTO referral_transitions (referral_id, from_status, to_status, reason_code, note, by_org) VALUES (:id, NULL, 'submitted', NULL, NULL, '$orga_id');
COMMIT;
SQL
# The 50-row RLS list: the gateway's transaction for GET /v1/units?limit=50
# (BEGIN pipelined with the authentication, its unit_search, COMMIT), bound
# and planned as the gateway does (bench/run.sh's units twin).
fp=$(openssl x509 -in "$tmp/certs/orga.pem" -outform DER | sha256sum | cut -c1-64)
cat > "$tmp/list.sql" <<SQL
\\startpipeline
BEGIN;
SELECT organisation_id, organisation_name, kind, org_status, revoked, org_set, may FROM refgw_authenticate(decode('$fp', 'hex'), 'unit.read');
\\endpipeline
SELECT u.id, u.site_id, u.operator_org, u.label, u.type, u.bedrooms, u.furnished, u.accessibility, u.commune, u.monthly_contribution_eur::text, u.available_from::text, u.available_until::text, u.terms, u.max_stay_months, array_to_string(u.audience_orgs, ','), array_to_string(u.audience_kinds, ','), u.status, u.version, u.created_at::text, u.updated_at::text, (SELECT a.address FROM unit_addresses a WHERE a.unit_id = u.id) FROM (SELECT * FROM units u WHERE u.status = :st AND (u.status <> 'published' OR u.available_until IS NULL OR u.available_until >= current_date) AND (nullif(:on, '-')::date IS NULL OR (u.available_from <= nullif(:on, '-')::date AND (u.available_until IS NULL OR u.available_until >= nullif(:on, '-')::date))) AND (nullif(:commune, '-')::text IS NULL OR u.commune = nullif(:commune, '-')) AND (nullif(:minb, '-')::int IS NULL OR u.bedrooms >= nullif(:minb, '-')::int) AND (nullif(:acc, '-')::text IS NULL OR u.accessibility = nullif(:acc, '-')) AND (nullif(:terms, '-')::text IS NULL OR u.terms = nullif(:terms, '-')) AND (u.available_from, u.id) > (:cdate::date, :cid::uuid) ORDER BY u.available_from, u.id LIMIT :lim::int) u ORDER BY u.available_from, u.id;
COMMIT;
SQL
# The gateway's own create, statement for statement (bench/env.sh).
bench_create_twin "$tmp/twin.sql" "$fp" "$person" "$orgb_id" "$consent"
list_args="-D st=published -D on=- -D commune=- -D minb=- -D acc=- -D terms=- -D cdate=-infinity -D cid=00000000-0000-0000-0000-000000000000 -D lim=51"
pgb() { # CLIENTS SCRIPT [ARGS] -> "tps avg_ms", or nothing on error
	c=$1 f=$2
	shift 2
	runuser -u postgres -- env PGOPTIONS="-c plan_cache_mode=force_generic_plan -c random_page_cost=1.1" \
		"$PGBIN/pgbench" -h "$tmp/sock" -U refgw_app -n -M prepared -c "$c" -j 2 ${pgb_len:--T "$secs"} -f "$f" "$@" refgw \
		> "$tmp/pgb.out" 2>&1 || true
	awk '/^tps/ { t = $3 } /latency average/ { l = $4 } END { if (t != "") print t, l }' "$tmp/pgb.out"
}
for script in create twin list; do
	a="" want=1
	[ $script = list ] && a=$list_args want=0
	b=$(count referrals)
	# shellcheck disable=SC2086 # one argument per word
	pgb_len="-t 1"
	pgb 1 "$tmp/$script.sql" $a >/dev/null
	pgb_len=""
	grep -q 'ERROR' "$tmp/pgb.out" && { echo "bench: pgbench's $script script fails: $(grep ERROR "$tmp/pgb.out" | head -1)" >&2; exit 1; }
	# the create refuses with an outcome, not an error: a twin that wrote
	# nothing would time the refusal
	got=$(($(count referrals) - b))
	[ "$got" -eq $want ] || { echo "bench: pgbench's $script script wrote $got referrals, not $want" >&2; exit 1; }
done

# ---- measuring.  Each side's run of a round appends "rps p99 bad requests"
# to $tmp/m.SCENARIO.CLIENTS.SIDE ("bad": non-2xx and errors).
# (the 4th column: the requests answered, those outside the measure included)
lgrun() { # FILE LOADGEN_ARGS...
	f=$1
	shift
	$lg "$@" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["rps"], v["p99_ms"], v["non2xx"] + v["errors"], v["requests"] + v["warmup"] }' >> "$f" || true
}
# rows a create run wrote must be the requests it counted (or its bad count grows)
rows_check() { # FILE BEFORE TABLE
	got=$(($(count "$3") - $2))
	awk -v got="$got" '{ l[NR] = $0; n = NR; last = $4; bad = $3 }
		END { for (i = 1; i < n; i++) print l[i]; split(l[n], f, " ")
		      if (got != f[4]) { f[3]++; print "bench: a run wrote " got " rows for " f[4] " requests" > "/dev/stderr" }
		      print f[1], f[2], f[3], f[4] }' "$1" > "$1.new"
	mv "$1.new" "$1"
}
side() { # SCENARIO CLIENTS SIDE
	s=$1 c=$2 f="$tmp/m.$1.$2.$3"
	case $s.$3 in
	create.refgw)
		b=$(count referrals)
		lgrun "$f" --url "$gw/v1/referrals" $certs --body "$body" -c "$c" -d "$secs"
		rows_check "$f" "$b" referrals ;;
	createk.refgw)
		b=$(count referrals)
		lgrun "$f" --url "$gw/v1/referrals" $certs --body "$body" -c "$c" -d "$secs" --idempotency-keys
		rows_check "$f" "$b" referrals ;;
	create.platformatic | createk.platformatic)
		b=$(count bench_peer.referrals)
		lgrun "$f" --url "$plt_create_url" $certs --body "$plt_create_body" -c "$c" -d "$secs"
		rows_check "$f" "$b" bench_peer.referrals ;;
	create.postgraphile | createk.postgraphile)
		b=$(count bench_peer.referrals)
		lgrun "$f" --url "$pgl_url" $certs --body "$pgl_create_body" -c "$c" -d "$secs"
		rows_check "$f" "$b" bench_peer.referrals ;;
	create.limit | createk.limit) pgb "$c" "$tmp/create.sql" | awk '{ print $1, "-", 0, 0 }' >> "$f" ;;
	# over as many connections as the gateway's pool: the most this SQL
	# gives (64 backends on 2 cores give less; the gateway never opens them)
	create.twin) pgb "${REFGW_DB_POOL_SIZE:-4}" "$tmp/twin.sql" | awk '{ print $1, "-", 0, 0 }' >> "$f" ;;
	# open loop: "clients" is the rate asked; 64 connections
	paced.refgw)
		b=$(count referrals)
		lgrun "$f" --url "$gw/v1/referrals" $certs --body "$body" -c 64 -d "$secs" --rate "$c"
		rows_check "$f" "$b" referrals ;;
	paced.platformatic)
		b=$(count bench_peer.referrals)
		lgrun "$f" --url "$plt_create_url" $certs --body "$plt_create_body" -c 64 -d "$secs" --rate "$c"
		rows_check "$f" "$b" bench_peer.referrals ;;
	paced.postgraphile)
		b=$(count bench_peer.referrals)
		lgrun "$f" --url "$pgl_url" $certs --body "$pgl_create_body" -c 64 -d "$secs" --rate "$c"
		rows_check "$f" "$b" bench_peer.referrals ;;
	list.refgw) lgrun "$f" --url "$gw/v1/units?limit=50" $certs -c "$c" -d "$secs" ;;
	list.platformatic) lgrun "$f" --url "$plt_list_url" $certs -c "$c" -d "$secs" ;;
	list.postgraphile) lgrun "$f" --url "$pgl_url" $certs --body "$pgl_list_body" -c "$c" -d "$secs" ;;
	list.limit)
		# shellcheck disable=SC2086 # one argument per word
		pgb "$c" "$tmp/list.sql" $list_args | awk '{ print $1, "-", 0, 0 }' >> "$f" ;;
	me.refgw) lgrun "$f" --url "$gw/v1/me" $certs -c "$c" -d "$secs" ;;
	me.limit) lgrun "$f" --url "$ngx/v1/me" $certs -c "$c" -d "$secs" ;;
	esac
	[ -s "$f" ] || echo "0 - 1 0" >> "$f"
}

echo "# refgw beside its peers: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), ${secs}s per run, median of $rounds interleaved rounds, clients and servers on one machine"
$lg --url "$gw/v1/me" $certs -c 4 -d 2 >/dev/null || true # warm-up
scenarios=${BENCH_SCENARIOS:-create createk list me paced}
for s in $scenarios; do
	case $s in create | createk | list | me | paced) ;; *) echo "bench: unknown scenario $s (create createk list me paced)" >&2; exit 2 ;; esac
done
paced_rates=${BENCH_PACED_RATES:-200 400}
levels() { if [ "$1" = paced ]; then echo "$paced_rates"; else echo 16 64; fi; }
for s in $scenarios; do
	sides="refgw limit"
	[ $s = create ] && sides="$sides twin"
	[ $s = paced ] && sides=refgw
	[ $s != me ] && for p in platformatic postgraphile; do up $p && sides="$sides $p"; done
	for c in $(levels $s); do
		r=0
		while [ $r -lt "$rounds" ]; do
			for x in $sides; do side $s $c $x; done
			r=$((r + 1))
		done
		lv="$c clients"
		[ $s = paced ] && lv="$c/s"
		echo "  $s, $lv, rounds (req/s p99 bad): $(for x in $sides; do printf '%s: %s  ' "$x" "$(cut -d' ' -f1-3 "$tmp/m.$s.$c.$x" | tr '\n' ';')"; done)"
	done
done

# ---- the table
med() { # FILE COLUMN -> median, or "-"
	[ -s "$1" ] || { echo -; return; }
	v=$(cut -d' ' -f"$2" "$1" | grep -v '^-$' | median)
	echo "${v:--}"
}
bad() { if [ "$1" -gt 0 ]; then echo ", $1 bad"; fi; }
nbad() { if [ -s "$1" ]; then awk '{ s += $3 } END { print s + 0 }' "$1"; else echo 0; fi; } # FILE (paced has no limit)
p99() { if [ "$1" != - ]; then echo ", p99 $1 ms"; fi; }
ratio() { echo "$1 $2" | awk '{ if ($2 + 0 > 0 && $1 != "-") printf "%.2f", $1 / $2; else print "-" }'; }
echo
echo "| scenario | clients (paced: rate asked) | refgw | its limit, same run | its own SQL alone (pgbench), same run | Platformatic DB, same run | PostGraphile, same run |"
echo "|---|---|---|---|---|---|---|"
: > "$tmp/lines"
# paced: the rates are equal by construction; the ratio is of the p99s
# (refgw's p99 over the other's), and a side that fell more than 5 % short of
# the rate asked is said so.
pratio() { echo "$1 $2" | awk '{ if ($2 + 0 > 0 && $1 != "-") printf "%.2f", $1 / $2; else print "-" }'; }
short() { echo "$1 $2" | awk '{ if ($1 != "-" && $1 + 0 < 0.95 * $2) print ", short of the rate" }'; }
for s in $scenarios; do
	case $s in
	create) label="POST /v1/referrals" lim="pgbench bare 3-insert transaction" ;;
	createk) label="POST /v1/referrals, Idempotency-Key" lim="pgbench bare 3-insert transaction" ;;
	list) label="GET /v1/units?limit=50" lim="pgbench 50-row RLS list" ;;
	me) label="GET /v1/me" lim="nginx mTLS from memory" ;;
	paced) label="POST /v1/referrals, open loop" lim=- ;;
	esac
	for c in $(levels $s); do
		g=$(med "$tmp/m.$s.$c.refgw" 1) gp=$(med "$tmp/m.$s.$c.refgw" 2)
		gb=$(nbad "$tmp/m.$s.$c.refgw")
		l=$(med "$tmp/m.$s.$c.limit" 1 | awk '{ printf "%.0f", $1 }') lp=$(med "$tmp/m.$s.$c.limit" 2)
		lb=$(nbad "$tmp/m.$s.$c.limit")
		if [ $s = paced ]; then
			row="| $label | $c/s | $g req/s, p99 $gp ms$(short "$g" "$c")$(bad "$gb") | |"
		else
			row="| $label | $c | $g req/s, p99 $gp ms$(bad "$gb") | $lim: $l$(p99 "$lp") ($(ratio "$g" "$l"))$(bad "$lb") |"
		fi
		line="peers-bench scenario=$s clients=$c refgw_rps=$g refgw_p99_ms=$gp refgw_bad=$gb"
		[ $s = paced ] || line="$line limit_rps=$l limit_p99_ms=$lp limit_bad=$lb refgw_to_limit=$(ratio "$g" "$l")"
		if [ -f "$tmp/m.$s.$c.twin" ]; then
			t=$(med "$tmp/m.$s.$c.twin" 1 | awk '{ printf "%.0f", $1 }') tp=$(med "$tmp/m.$s.$c.twin" 2)
			if [ $s = paced ]; then
				row="$row p99 $tp ms$(short "$t" "$c") |"
			else
				row="$row $t ($(ratio "$g" "$t")) |"
			fi
			line="$line twin_rps=$t twin_p99_ms=$tp refgw_to_twin=$(ratio "$g" "$t")"
		else
			row="$row |"
		fi
		for p in platformatic postgraphile; do
			if [ $s = me ]; then
				row="$row |"
			elif up $p; then
				v=$(med "$tmp/m.$s.$c.$p" 1) vp=$(med "$tmp/m.$s.$c.$p" 2)
				vb=$(nbad "$tmp/m.$s.$c.$p")
				if [ $s = paced ]; then
					row="$row $v req/s, p99 $vp ms$(short "$v" "$c") (refgw's p99 $(pratio "$gp" "$vp")× its)$(bad "$vb") |"
					line="$line ${p}_rps=$v ${p}_p99_ms=$vp ${p}_bad=$vb refgw_p99_to_$p=$(pratio "$gp" "$vp")"
				else
					row="$row $v, p99 $vp ms (refgw $(ratio "$g" "$v")×)$(bad "$vb") |"
					line="$line ${p}_rps=$v ${p}_p99_ms=$vp ${p}_bad=$vb refgw_to_$p=$(ratio "$g" "$v")"
				fi
			else
				what=unavailable
				[ "$want_peers" = 0 ] && what=skipped
				row="$row $what |"
				line="$line $p=$what"
			fi
		done
		echo "$row"
		echo "$line" >> "$tmp/lines"
	done
done
echo
cat "$tmp/lines"
[ "$want_peers" = 0 ] || while read -r n why; do
	echo "peers-bench peer=$n unavailable: $why"
done < "$tmp/peers"
