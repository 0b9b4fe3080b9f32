# tests/cluster.sh — sourced by the test runners (tests/run-integration.sh,
# tests/faults/run.sh): a throwaway PostgreSQL cluster in a temporary
# directory (unix socket, no TCP port), the test organisations with their
# certificates, and gateway processes on it.  Everything is stopped and
# removed on exit, even when a test fails.
#   cluster_up BIN NAME [postgres -c options...]   sets tmp, exports REFGW_*
#   gateway_start PORTFILE LOG                      sets started_pid, api, ops, browser
top=$(pwd)
tmp=""
cluster_pids=""

cluster_cleanup() {
	rc=$?
	trap - EXIT INT TERM
	for p in $cluster_pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true
	done
	if [ -n "$tmp" ]; then
		pgreal=$(sh "$top/scripts/pg.sh" where "$tmp/pg")
		sh "$top/scripts/pg.sh" stop "$tmp/pg" || true
		if [ $rc -ne 0 ]; then
			echo "-- gateway log (last 40 lines):"; tail -n 40 "$tmp/gateway.log" 2>/dev/null || true
		fi
		rm -rf "$tmp"
		# The cluster's home when pg.sh moved it out of $tmp (as root).
		case $pgreal in "$tmp"/*) ;; *) rm -rf "$(dirname "$pgreal")" ;; esac
	fi
	exit $rc
}

cluster_up() {
	bin=$(realpath "$1")
	name=$2
	shift 2
	# Mode 0700, like a clone in root's home: as root, every run proves
	# that pg.sh keeps the cluster where the user postgres can reach it.
	tmp=$(mktemp -d "/tmp/refgw-$name.XXXXXX")
	export REFGW_PG_HOME=/tmp REFGW_PG_QUIET=1
	trap cluster_cleanup EXIT INT TERM
	slugs=$(grep -v '^#' "$top/tests/test-orgs.txt" | cut -d'|' -f1 | tr '\n' ' ')
	# shellcheck disable=SC2086 # one argument per slug
	sh "$top/certs/gen.sh" "$tmp/certs" $slugs unregistered newcert \
		idrot-1 idrot-2 idpend-1 idpend-2 idlost-1 idlost-2 coord2 coord3 >/dev/null
	sh "$top/scripts/pg.sh" init "$tmp/pg" "$tmp/sock"
	sh "$top/scripts/pg.sh" start "$tmp/pg" "$tmp/sock" "$tmp/pg.log" "$@"
	sh "$top/scripts/pg.sh" roles "$tmp/sock"

	export REFGW_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_app"
	export REFGW_ADMIN_DATABASE_URL="host=$tmp/sock dbname=refgw user=refgw_owner"
	export REFGW_SCHEMA_DIR="$top/schema"
	export REFGW_TLS_CERT="$tmp/certs/server.pem" REFGW_TLS_KEY="$tmp/certs/server.key"
	export REFGW_TLS_CLIENT_CA="$tmp/certs/ca.pem" REFGW_TLS_CRL="$tmp/certs/crl.pem"
	export REFGW_NISS_KEY_FILE="$tmp/certs/niss-hmac.key"
	export REFGW_MASTER_KEY_FILE="$tmp/certs/master.keys"
	export REFGW_KEYSTORE_URL="host=$tmp/sock dbname=refgw_keys user=refgw_app"
	export REFGW_KEYSTORE_ADMIN_URL="host=$tmp/sock dbname=refgw_keys user=refgw_owner"
	export REFGW_LISTEN_PORT=0 REFGW_OPS_PORT=0 REFGW_BROWSER_PORT=-1

	"$bin" migrate >/dev/null
	sh "$top/scripts/orgs.sh" "$bin" "$tmp/certs" "$top/tests/test-orgs.txt" > "$tmp/orgs"
	"$bin" cert revoke --org "Test Revoked" \
		"$(openssl x509 -in "$tmp/certs/revoked.pem" -outform DER | sha256sum | cut -c1-64)" \
		--reason "integration test" >/dev/null

	export REFGW_TEST_CERTS="$tmp/certs" REFGW_TEST_ORGS="$tmp/orgs" REFGW_TEST_BIN="$bin"
	export REFGW_TEST_PG_STOP="sh $top/scripts/pg.sh stop $tmp/pg"
	export REFGW_TEST_PG_START="sh $top/scripts/pg.sh start $tmp/pg $tmp/sock $tmp/pg.log $*"
}

gateway_start() {
	REFGW_PORT_FILE="$1" ${REFGW_WRAP:-} "$bin" serve > "$2" 2>&1 &
	started_pid=$!
	cluster_pids="$cluster_pids $started_pid"
	i=0
	while [ ! -s "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 300 ] || ! kill -0 "$started_pid" 2>/dev/null; then
			echo "gateway did not start:"; tail -n 20 "$2"; exit 1
		fi
		sleep 0.1
	done
	read -r api ops browser < "$1"
}
