#!/bin/sh
# A private PostgreSQL 15 cluster on a unix socket, for `make run` and the
# tests.  As root, the server runs as the unprivileged user postgres
# (initdb and postgres refuse to run as root).
#   pg.sh init  DATADIR SOCKDIR       create the cluster if it does not exist
#   pg.sh start DATADIR SOCKDIR LOG [extra server options]
#   pg.sh stop  DATADIR
#   pg.sh roles SOCKDIR               create refgw_owner, refgw_app, database refgw
#   pg.sh where DATADIR               where the cluster's files really are
#
# As root, the user postgres must be able to reach the data directory, the
# socket directory and the log.  A clone in root's home (mode 0700, the
# ordinary place on a fresh Debian) is out of its reach: then each of them
# lives under $REFGW_PG_HOME/refgw-<hash of the requested path>/ (default
# /var/tmp, which survives a reboot) and the requested path is a symbolic
# link to it.  Every command resolves the link, so postgres only ever sees
# paths it can reach.
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
as_pg() {
	# (from /: the caller's directory may be out of postgres's reach)
	if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}
own() { # make a directory the server may write
	mkdir -p "$1"
	if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$1"; fi
	chmod 700 "$1"
}
abs() { realpath -m "$1"; }
# Prints the path postgres is to use for $1 (a directory, or a file with
# "file"), making it a link to a reachable place first when needed.
reachable() {
	req=$(realpath -m "$1")
	parent=$(dirname "$req")
	mkdir -p "$parent"
	if [ "$(id -u)" -ne 0 ] || [ -L "$req" ] || runuser -u postgres -- test -x "$parent"; then
		realpath -m "$req"
		return
	fi
	home="${REFGW_PG_HOME:-/var/tmp}/refgw-$(printf %s "$parent" | sha256sum | cut -c1-16)"
	mkdir -p "$home"
	chmod 755 "$home"
	if [ -d "$req" ] && [ ! -L "$req" ]; then
		rmdir "$req" 2>/dev/null || {
			echo "pg.sh: $req is out of the reach of the user postgres and not empty" >&2
			exit 1
		}
	fi
	ln -sfn "$home/$(basename "$req")" "$req"
	[ -n "${REFGW_PG_QUIET:-}" ] ||
		echo "pg.sh: the user postgres cannot reach $parent: $req links to $home/$(basename "$req")" >&2
	realpath -m "$req"
}
cmd=$1; shift
case $cmd in
where)
	abs "$1"
	;;
init)
	data=$(reachable "$1") sock=$(reachable "$2")
	if [ ! -f "$data/PG_VERSION" ]; then
		own "$data"
		as_pg "$PGBIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
	fi
	own "$sock"
	chmod 755 "$sock"
	;;
start)
	data=$(abs "$1") sock=$(abs "$2") log=$(reachable "$3"); shift 3
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
	# The key store (schema/keystore.sql): persons' data keys, apart from
	# the data so that destroying one reaches the data's backups.
	if [ -z "$($psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'refgw_keys'")" ]; then
		$psql -c "CREATE DATABASE refgw_keys OWNER refgw_owner"
	fi
	;;
*)
	echo "usage: pg.sh init|start|stop|roles|where ..." >&2
	exit 2
	;;
esac
