#!/bin/sh
# A private PostgreSQL 15 cluster on a unix socket, for `make run` and the
# tests.  As root, the server runs as the unprivileged user postgres
# (initdb and postgres refuse to run as root).
#   pg.sh init  DATADIR SOCKDIR       create the cluster if it does not exist
#   pg.sh start DATADIR SOCKDIR LOG [extra server options]
#   pg.sh stop  DATADIR
#   pg.sh roles SOCKDIR               create refgw_owner, refgw_app, database refgw
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
own() { # make a directory the server may write
	mkdir -p "$1"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$1"; fi
	chmod 700 "$1"
}
abs() { realpath -m "$1"; }
cmd=$1; shift
case $cmd in
init)
	data=$(abs "$1") sock=$(abs "$2")
	if [ ! -f "$data/PG_VERSION" ]; then
		own "$data"
		as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
	fi
	own "$sock"
	chmod 755 "$sock"
	;;
start)
	data=$(abs "$1") sock=$(abs "$2") log=$(abs "$3"); shift 3
	if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then exit 0; fi
	touch "$log"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$log"; fi
	as_pg "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 \
		-o "-k $sock -c listen_addresses='' $*" start >/dev/null
	;;
stop)
	data=$(abs "$1")
	if as_pg "$PGBIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		as_pg "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null
	fi
	;;
roles)
	sock=$(abs "$1")
	psql="psql -X -q -v ON_ERROR_STOP=1 -h $sock -U postgres -d postgres"
	$psql -c "DO \$\$ BEGIN
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'refgw_owner') THEN
			CREATE ROLE refgw_owner LOGIN; END IF;
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'refgw_app') THEN
			CREATE ROLE refgw_app LOGIN; END IF; END \$\$;"
	if [ -z "$($psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'refgw'")" ]; then
		$psql -c "CREATE DATABASE refgw OWNER refgw_owner"
	fi
	;;
*)
	echo "usage: pg.sh init|start|stop|roles ..." >&2
	exit 2
	;;
esac
