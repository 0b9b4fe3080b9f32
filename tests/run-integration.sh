#!/bin/sh
# Runs the integration suite against a live gateway on a throwaway
# PostgreSQL cluster in a temporary directory (unix socket, no TCP port),
# and always stops both, even when a test fails.
#   run-integration.sh REFGW_BINARY INTEGRATION_TEST_BINARY
set -eu
bin=$(realpath "$1") tests=$(realpath "$2")
top=$(pwd)
tmp=$(mktemp -d /tmp/refgw-it.XXXXXX)
chmod 755 "$tmp"
gw_pid=""
gw2_pid=""
cleanup() {
	rc=$?
	trap - EXIT INT TERM
	[ -n "$gw_pid" ] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
	[ -n "$gw2_pid" ] && kill "$gw2_pid" 2>/dev/null && wait "$gw2_pid" 2>/dev/null || true
	sh "$top/scripts/pg.sh" stop "$tmp/pg" || true
	if [ $rc -ne 0 ]; then
		echo "-- gateway log (last 40 lines):"; tail -n 40 "$tmp/gateway.log" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit $rc
}
trap cleanup EXIT INT TERM

slugs=$(grep -v '^#' tests/test-orgs.txt | cut -d'|' -f1 | tr '\n' ' ')
sh certs/gen.sh "$tmp/certs" $slugs unregistered newcert >/dev/null
sh scripts/pg.sh init "$tmp/pg" "$tmp/sock"
sh scripts/pg.sh start "$tmp/pg" "$tmp/sock" "$tmp/pg.log" -c fsync=off -c synchronous_commit=off
sh scripts/pg.sh roles "$tmp/sock"

export REFGW_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_app"
export REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_owner"
export REFGW_SCHEMA_DIR="$top/schema"
export REFGW_TLS_CERT="$tmp/certs/server.pem" REFGW_TLS_KEY="$tmp/certs/server.key"
export REFGW_TLS_CLIENT_CA="$tmp/certs/ca.pem" REFGW_TLS_CRL="$tmp/certs/crl.pem"
export REFGW_NISS_KEY_FILE="$tmp/certs/niss-hmac.key"
export REFGW_LISTEN_PORT=0 REFGW_OPS_PORT=0 REFGW_PORT_FILE="$tmp/ports"
export REFGW_HOUSEKEEPING_SECONDS=1
export REFGW_DB_POOL_SIZE=4 REFGW_THREADS=4 REFGW_MAX_BODY_BYTES=16384 REFGW_CONNECTION_TIMEOUT=3

"$bin" migrate >/dev/null
sh scripts/orgs.sh "$bin" "$tmp/certs" tests/test-orgs.txt > "$tmp/orgs"
"$bin" cert revoke --org "Test Revoked" \
	"$(openssl x509 -in "$tmp/certs/revoked.pem" -outform DER | sha256sum | cut -c1-64)" \
	--reason "integration test" >/dev/null

${REFGW_WRAP:-} "$bin" serve > "$tmp/gateway.log" 2>&1 &
gw_pid=$!
i=0
while [ ! -s "$tmp/ports" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$gw_pid" 2>/dev/null; then
		echo "gateway did not start"; exit 1
	fi
	sleep 0.1
done
read -r api ops < "$tmp/ports"
# A second instance on the same database (several-instance behaviour).
REFGW_PORT_FILE="$tmp/ports2" ${REFGW_WRAP:-} "$bin" serve > "$tmp/gateway2.log" 2>&1 &
gw2_pid=$!
i=0
while [ ! -s "$tmp/ports2" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 "$gw2_pid" 2>/dev/null; then
		echo "second gateway did not start"; exit 1
	fi
	sleep 0.1
done
read -r api2 ops2 < "$tmp/ports2"
export REFGW_TEST_BASE2="https://localhost:$api2"

export REFGW_TEST_BASE="https://localhost:$api" REFGW_TEST_OPS="http://127.0.0.1:$ops"
export REFGW_TEST_CERTS="$tmp/certs" REFGW_TEST_ORGS="$tmp/orgs" REFGW_TEST_BIN="$bin"
export REFGW_TEST_PG_STOP="sh $top/scripts/pg.sh stop $tmp/pg"
export REFGW_TEST_PG_START="sh $top/scripts/pg.sh start $tmp/pg $tmp/sock $tmp/pg.log -c fsync=off"
export CK_DEFAULT_TIMEOUT=60 REFGW_TEST_GW_PID=$gw_pid
set +e
"$tests" > "$tmp/tests.out" 2>&1
trc=$?
set -e
# The suite's last test sent SIGTERM: the gateway must have exited cleanly.
if ! wait "$gw_pid" || ! grep -q '"msg":"stopped"' "$tmp/gateway.log"; then
	echo "gateway did not exit cleanly on SIGTERM" >&2
	trc=1
fi
gw_pid=""
kill -TERM "$gw2_pid"
if ! wait "$gw2_pid"; then
	echo "second gateway did not exit cleanly on SIGTERM" >&2
	trc=1
fi
gw2_pid=""
cat "$tmp/tests.out" # ends with Check's summary line
exit $trc
