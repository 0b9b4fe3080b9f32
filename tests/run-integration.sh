#!/bin/sh
# Runs the integration suite against two live gateway processes on one
# throwaway PostgreSQL cluster (tests/cluster.sh) and checks that both exit
# cleanly on SIGTERM.
#   run-integration.sh REFGW_BINARY INTEGRATION_TEST_BINARY
set -eu
tests=$(realpath "$2")
. tests/cluster.sh
cluster_up "$1" it -c fsync=off -c synchronous_commit=off

export REFGW_HOUSEKEEPING_SECONDS=1
# The audit chain's rolling verification (schema/057) at a quarter of its
# default per run: housekeeping every second would otherwise keep a core
# busy re-verifying the suite's log (test_audit_chain.c waits for passes).
export REFGW_AUDIT_VERIFY_ROWS=5000
# A long identity-cache life: only notifications can make a change visible
# (test_gateway.c, identity_changes_reach_every_instance_cache).
export REFGW_IDENTITY_CACHE_MS=30000
export REFGW_DB_POOL_SIZE=4 REFGW_THREADS=4 REFGW_MAX_BODY_BYTES=16384 REFGW_CONNECTION_TIMEOUT=3

# Each instance's sessions carry an application_name, refgw_gw1 to
# refgw_gw5, for the suites that find them in pg_stat_activity
# (test_operations.c, test_audit_chain.c); the tests' own sessions none.
db_url=$REFGW_DATABASE_URL
REFGW_DATABASE_URL="$db_url application_name=refgw_gw1" \
	gateway_start "$tmp/ports" "$tmp/gateway.log"
gw_pid=$started_pid
export REFGW_TEST_BASE="https://localhost:$api" REFGW_TEST_OPS="http://127.0.0.1:$ops"
export REFGW_TEST_BROWSER="https://localhost:$browser"
# The first gateway's log: test_framing.c checks every line is JSON.
export REFGW_TEST_GW_LOG="$tmp/gateway.log"
# A second instance on the same database (several-instance behaviour).
REFGW_DATABASE_URL="$db_url application_name=refgw_gw2" \
	gateway_start "$tmp/ports2" "$tmp/gateway2.log"
gw2_pid=$started_pid
export REFGW_TEST_BASE2="https://localhost:$api" REFGW_TEST_OPS2="http://127.0.0.1:$ops" \
	REFGW_TEST_GW2_PID=$gw2_pid REFGW_TEST_GW2_LOG="$tmp/gateway2.log"
# A third with a short identity-cache life: entries past it are refreshed
# in the background (stale_identity_is_served_while_refreshed_in_background).
REFGW_DATABASE_URL="$db_url application_name=refgw_gw3" REFGW_IDENTITY_CACHE_MS=1000 \
	gateway_start "$tmp/ports3" "$tmp/gateway3.log"
gw3_pid=$started_pid
export REFGW_TEST_BASE3="https://localhost:$api" REFGW_TEST_OPS3="http://127.0.0.1:$ops" \
	REFGW_TEST_GW3_PID=$gw3_pid REFGW_TEST_GW3_LOG="$tmp/gateway3.log"
# A fourth whose TLS files the operations suite replaces and reloads with
# SIGHUP (test_operations.c): a copy, so no other instance sees them change.
# The same suite ends its sessions (a_session_lost_mid_request_is_ended_at_release).
mkdir -p "$tmp/reload"
cp "$tmp/certs/server.pem" "$tmp/certs/server.key" "$tmp/certs/ca.pem" "$tmp/certs/crl.pem" \
	"$tmp/reload/"
REFGW_DATABASE_URL="$db_url application_name=refgw_gw4" \
	REFGW_TLS_CERT="$tmp/reload/server.pem" REFGW_TLS_KEY="$tmp/reload/server.key" \
	REFGW_TLS_CLIENT_CA="$tmp/reload/ca.pem" REFGW_TLS_CRL="$tmp/reload/crl.pem" \
	gateway_start "$tmp/ports4" "$tmp/gateway4.log"
gw4_pid=$started_pid
export REFGW_TEST_BASE4="https://localhost:$api" REFGW_TEST_OPS4="http://127.0.0.1:$ops" \
	REFGW_TEST_GW4_PID=$gw4_pid REFGW_TEST_GW4_LOG="$tmp/gateway4.log" \
	REFGW_TEST_RELOAD_DIR="$tmp/reload"

# A fifth whose browser sessions time out fast (test_sessions.c: idle 2 s,
# lifetime 5 s).  Its housekeeping waits a day: the retention suite counts
# the runs of the four above (test_retention.c, removed_everywhere), and a
# fifth instance winning a run under load made it count nothing.
REFGW_SESSION_IDLE=2 REFGW_SESSION_LIFETIME=5 REFGW_HOUSEKEEPING_SECONDS=86400 \
	REFGW_DATABASE_URL="$db_url application_name=refgw_gw5" \
	gateway_start "$tmp/ports5" "$tmp/gateway5.log"
gw5_pid=$started_pid
export REFGW_TEST_BROWSER5="https://localhost:$browser"

export CK_DEFAULT_TIMEOUT=60 REFGW_TEST_GW_PID=$gw_pid
# Every response the suite receives is appended here (tests/integration/client.c)
# and validated against docs/openapi.yaml once the suite is over.
export REFGW_TEST_RESPONSES="$tmp/responses.jsonl"
set +e
"$tests" > "$tmp/tests.out" 2>&1
trc=$?
set -e
# One suite alone (CK_RUN_SUITE=framing ...): the gateway suite, which stops
# the gateway, did not run; stop it here, as it would have.
case "${CK_RUN_SUITE:-gateway}" in
gateway) ;;
*) kill -TERM "$gw_pid" 2>/dev/null || true ;;
esac
# The suite's last test sent SIGTERM: the gateway must have exited cleanly.
if ! wait "$gw_pid" || ! grep -q '"msg":"stopped"' "$tmp/gateway.log"; then
	echo "gateway did not exit cleanly on SIGTERM" >&2
	trc=1
fi
for p in "$gw2_pid" "$gw3_pid" "$gw4_pid" "$gw5_pid"; do
	kill -TERM "$p"
	if ! wait "$p"; then
		echo "gateway $p (second, third or fourth instance) did not exit cleanly on SIGTERM" >&2
		trc=1
	fi
done
cluster_pids=""
# Every message a gateway answered was in the catalogue (gateway/messages.c):
# a miss is answered in English and logged once per message.
if grep -h 'message not in the catalogue' "$tmp"/gateway*.log >&2; then
	echo "messages above are missing from gateway/messages.c (docs/architecture.md)" >&2
	trc=1
fi
# The schema check's verdict first, so that the output still ends with
# Check's summary line; either failure fails the run.
echo "== responses against docs/openapi.yaml (JSON Schema 2020-12)"
if ! /usr/bin/python3 "$top/tests/check-responses.py" "$top/docs/openapi.yaml" "$REFGW_TEST_RESPONSES"; then
	trc=1
fi
cat "$tmp/tests.out" # ends with Check's summary line
exit $trc
