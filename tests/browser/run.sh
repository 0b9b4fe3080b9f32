#!/bin/sh
# The console in a real browser (docs/console.md): a throwaway PostgreSQL
# cluster and gateway (tests/cluster.sh: free ports, stopped and removed on
# exit even when a check fails), an organisation with a hostile name and an
# invited user with a hostile display name, then tests/browser/console.test.mjs
# drives Debian's chromium, headless, through the console.  Prints one line
# per check and ends with "browser: N passed, N failed"; exits non-zero on
# any failure.
#   tests/browser/run.sh REFGW_BINARY          (from the repository's top)
# Needs chromium, node and tests/browser/node_modules (make browser-deps).
# Every page checked is saved as REFGW_BROWSER_SCREENSHOTS/<page>.png
# (build/screenshots by default; make screenshots copies them to docs/).
set -eu
[ $# -eq 1 ] || { echo "usage: tests/browser/run.sh REFGW_BINARY" >&2; exit 2; }
here=tests/browser
[ -f "$here/console.test.mjs" ] || { echo "browser: run from the repository's top" >&2; exit 2; }
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ] || ! command -v node >/dev/null 2>&1 ||
	[ ! -f "$here/node_modules/puppeteer-core/package.json" ] ||
	[ ! -f "$here/node_modules/axe-core/axe.min.js" ]; then
	echo "browser: chromium, node or tests/browser/node_modules missing: run make browser-deps" >&2
	exit 1
fi

# The strings first: every key in fr, nl and en (also in make lint).
node "$here/catalogue.mjs" console

. tests/cluster.sh
cluster_up "$1" browser -c fsync=off -c synchronous_commit=off

fail() {
	echo "browser: $1" >&2
	echo "browser: 0 passed, 1 failed"
	exit 1
}
if ! "$bin" --help 2>&1 | grep -q "refgw user add"; then
	fail "this gateway has no 'refgw user add' (no accounts): the console cannot be tested"
fi

# A free port for the browser listener (its origin is part of the CSRF
# defence, so the gateway is told it): asked of the kernel, then released.
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export REFGW_BROWSER_PORT="$port" REFGW_BROWSER_ORIGIN="https://localhost:$port"

org_name='<script>alert(1)</script>'
user_name='<img src=x onerror=alert(2)>'
email='worker@console.test'
org=$("$bin" org add --name "$org_name" --kind justice_aid)
token=$("$bin" user add --org "$org" --email "$email" --role worker --name "$user_name" --language fr)

gateway_start "$tmp/ports" "$tmp/gateway.log"
gw_pid=$started_pid
read -r _api _ops browser_port < "$tmp/ports"
if [ -z "${browser_port:-}" ] || [ "$browser_port" = 0 ]; then
	fail "the gateway reports no browser listener in its port file"
fi

export REFGW_BROWSER_BASE="https://localhost:$browser_port"
export REFGW_BROWSER_CA="$tmp/certs/ca.pem" REFGW_BROWSER_SERVER_CERT="$tmp/certs/server.pem"
export REFGW_BROWSER_INVITATION="$token" REFGW_BROWSER_EMAIL="$email"
export REFGW_BROWSER_USER_NAME="$user_name" REFGW_BROWSER_ORG_NAME="$org_name"
export REFGW_BROWSER_SCREENSHOTS="${REFGW_BROWSER_SCREENSHOTS:-build/screenshots}"
# console.test.mjs first (its user and organisation were made above), then
# every other *.test.mjs, which makes its own with the CLI (lib.mjs);
# REFGW_BROWSER_ONLY=worker runs console.test.mjs and worker.test.mjs only.
rc=0
set +e
for t in "$here/console.test.mjs" $(ls "$here"/*.test.mjs | grep -v '/console\.test\.mjs$' | sort); do
	case "${REFGW_BROWSER_ONLY:-}" in
	"") ;;
	*) [ "$t" = "$here/console.test.mjs" ] || [ "$t" = "$here/$REFGW_BROWSER_ONLY.test.mjs" ] || continue ;;
	esac
	echo "== $t"
	node "$t" || rc=1
done
set -e
# The gateway must stop cleanly (under ASan/UBSan its exit status carries
# leaks and errors) and have logged no sanitizer report.
kill -TERM "$gw_pid"
if ! wait "$gw_pid"; then
	echo "browser: the gateway did not exit cleanly on SIGTERM" >&2
	rc=1
fi
cluster_pids=""
if grep -E -q "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$tmp/gateway.log"; then
	echo "browser: a sanitizer report in the gateway's log:" >&2
	grep -E -A 20 "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$tmp/gateway.log" | head -n 60 >&2
	rc=1
fi
exit $rc
