#!/bin/sh
# make run: an embedded PostgreSQL under var/ (unless REFGW_DATABASE_URL is
# set), migrations, demo organisations with their certificates, then the
# gateway in the foreground.  Ctrl-C stops the gateway and the cluster.
set -eu
bin=$1
top=$(pwd)
export REFGW_SCHEMA_DIR="$top/schema"
started_pg=""
if [ -z "${REFGW_DATABASE_URL:-}" ]; then
	sh scripts/pg.sh init "$top/var/pg" "$top/var/run"
	if ! sh scripts/pg.sh start "$top/var/pg" "$top/var/run" "$top/var/postgresql.log"; then
		echo "refgw: PostgreSQL did not start; see var/postgresql.log" >&2
		exit 1
	fi
	started_pg=yes
	sh scripts/pg.sh roles "$top/var/run"
	export REFGW_DATABASE_URL="host=$top/var/run dbname=refgw user=refgw_app"
	export REFGW_ADMIN_DATABASE_URL="host=$top/var/run dbname=refgw user=refgw_owner"
	# Persons' data keys in a database of their own (docs/data-protection.md).
	export REFGW_KEYSTORE_URL="host=$top/var/run dbname=refgw_keys user=refgw_app"
	export REFGW_KEYSTORE_ADMIN_URL="host=$top/var/run dbname=refgw_keys user=refgw_owner"
fi
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$started_pg" ]; then
		sh scripts/pg.sh stop "$top/var/pg" && echo "refgw: embedded PostgreSQL stopped"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" migrate
sh scripts/orgs.sh "$bin" certs/dev scripts/demo-orgs.txt >/dev/null
"$bin" seed schema/demo/units.sql >/dev/null
"$bin" seed schema/demo/partnerships.sql >/dev/null
"$bin" seed schema/demo/alert_thresholds.sql >/dev/null
"$bin" org list

port=${REFGW_LISTEN_PORT:-8443}
cat <<MSG

refgw (development certificates from certs/dev/, NOT for production)
Try, as Rizome-Bxl:

  curl --cert certs/dev/rizome.pem --key certs/dev/rizome.key --cacert certs/dev/ca.pem https://localhost:$port/v1/me

As the coordinator Bruss'help, use certs/dev/brusshelp.pem and .key.

The CLI from a second shell, in this directory ($top):

  export REFGW_DATABASE_URL="$REFGW_DATABASE_URL"
  export REFGW_ADMIN_DATABASE_URL="${REFGW_ADMIN_DATABASE_URL:-$REFGW_DATABASE_URL}"
  export REFGW_KEYSTORE_URL="${REFGW_KEYSTORE_URL:-$REFGW_DATABASE_URL}"
  build/refgw org list

(README.md, "A second shell", shows how to add an organisation and its
certificate.)  Operations: http://127.0.0.1:${REFGW_OPS_PORT:-9090}/metrics.

People sign in on the browser listener, https://localhost:${REFGW_BROWSER_PORT:-8444}/console/
(docs/operations.md, "People: the first coordinator admin").  From the second
shell, invite the first coordinator admin (it prints the invitation token):

  build/refgw user add --org "Bruss'help" --email admin@brusshelp.example --role coordinator_admin --name "First Admin" --language fr

then enrol with that token (password and authenticator) and sign in.  Ctrl-C stops.

MSG
"$bin" serve || true
