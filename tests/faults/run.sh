#!/bin/sh
# The fault suite (tests/faults/faults.c) against a gateway on a throwaway
# cluster; the suite starts, kills and restarts a second gateway itself.
#   run.sh REFGW_BINARY FAULTS_BINARY [--fast] [scenario...]
# make faults runs every scenario at full size; make check the fast sizes.
set -eu
faults=$(realpath "$2")
bin=$1
shift 2
# 1 000 slow sockets on each side, plus the gateway's own descriptors.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
. tests/cluster.sh
# fsync stays on: the kill -9 scenario is about what was acknowledged.
cluster_up "$bin" faults -c max_connections=100

export REFGW_DB_POOL_SIZE=4 REFGW_THREADS=8 REFGW_CONNECTION_TIMEOUT=4 REFGW_STATEMENT_TIMEOUT_MS=500
export REFGW_DB_ACQUIRE_TIMEOUT_MS=300 REFGW_ACCESS_LOG=${REFGW_ACCESS_LOG:-0}
export REFGW_FAULT_TMP="$tmp"
# Every response the suite's HTTP client receives (tests/integration/client.c),
# validated against docs/openapi.yaml at the end, as in the integration suite.
export REFGW_TEST_RESPONSES="$tmp/responses.jsonl"
gateway_start "$tmp/ports" "$tmp/gateway.log"
export REFGW_TEST_BASE="https://localhost:$api" REFGW_TEST_OPS="http://127.0.0.1:$ops"
export REFGW_TEST_GW_PID=$started_pid
gw_pid=$started_pid
set +e
"$faults" "$@"
frc=$?
set -e
# The gateway that lived through it all must still stop cleanly (and, in
# make asan, without a leak report).
kill -TERM "$gw_pid"
if ! wait "$gw_pid"; then
	echo "faults: the gateway did not exit cleanly after the suite" >&2
	frc=1
fi
cluster_pids=""
echo "== fault suite responses against docs/openapi.yaml (JSON Schema 2020-12)"
if ! /usr/bin/python3 "$top/tests/check-responses.py" "$top/docs/openapi.yaml" "$REFGW_TEST_RESPONSES"; then
	frc=1
fi
exit $frc
