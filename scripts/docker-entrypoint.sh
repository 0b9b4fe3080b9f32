#!/bin/sh
# Container start: migrate, optionally load the demo organisations with the
# mounted certificates (REFGW_DEMO=1), then serve — always as the user
# refgw, never as root.
#
# Secrets are files (Compose or Kubernetes secrets under /run/secrets/), and
# environment variables only name them: REFGW_TLS_CERT, REFGW_TLS_KEY,
# REFGW_TLS_CLIENT_CA, REFGW_TLS_CRL, REFGW_NISS_KEY_FILE, REFGW_MASTER_KEY_FILE, and
# REFGW_DB_PASSWORD_FILE / REFGW_ADMIN_DB_PASSWORD_FILE (the passwords of
# refgw_app and refgw_owner, written to a libpq password file that the
# connection strings name with passfile=).
#
# Started as root (docker-compose.yml does, for development): Compose mounts
# a secret with the owner and mode of the host's file (certs/gen.sh makes
# them 0600, the developer's), which the user refgw cannot read.  So root
# copies them, and the demo certificates, to a tmpfs only refgw can read,
# points the variables at the copies, and gives up root for good (setpriv)
# before anything else runs.
set -eu
own=/run/refgw
if [ "$(id -u)" -eq 0 ]; then
	install -d -o refgw -g refgw -m 0700 "$own/secrets"
	for s in /run/secrets/*; do
		[ -f "$s" ] && install -o refgw -g refgw -m 0400 "$s" "$own/secrets/"
	done
	for v in REFGW_TLS_CERT REFGW_TLS_KEY REFGW_TLS_CLIENT_CA REFGW_TLS_CRL REFGW_NISS_KEY_FILE \
		REFGW_MASTER_KEY_FILE REFGW_DB_PASSWORD_FILE REFGW_ADMIN_DB_PASSWORD_FILE; do
		eval "val=\${$v:-}"
		case $val in /run/secrets/*) export "$v=$own/secrets/${val#/run/secrets/}" ;; esac
	done
	if [ "${REFGW_DEMO:-0}" = 1 ] && [ -d /certs ]; then
		# The demo organisations' certificates: public halves only.
		install -d -o refgw -g refgw -m 0700 "$own/demo-certs"
		for c in /certs/*.pem; do install -o refgw -g refgw -m 0400 "$c" "$own/demo-certs/"; done
	fi
	chown refgw:refgw "$own"
	chmod 0700 "$own"
	exec setpriv --reuid=refgw --regid=refgw --init-groups --inh-caps=-all -- sh "$0" "$@"
fi

# libpq's password file (it must be private: 0600).
pgpass_line() { # user file
	printf '*:*:*:%s:%s\n' "$1" "$(sed -e 's/[\\:]/\\&/g' "$2" | head -n 1)"
}
if [ -n "${REFGW_DB_PASSWORD_FILE:-}${REFGW_ADMIN_DB_PASSWORD_FILE:-}" ]; then
	umask 077
	{
		[ -z "${REFGW_DB_PASSWORD_FILE:-}" ] || pgpass_line refgw_app "$REFGW_DB_PASSWORD_FILE"
		[ -z "${REFGW_ADMIN_DB_PASSWORD_FILE:-}" ] ||
			pgpass_line refgw_owner "$REFGW_ADMIN_DB_PASSWORD_FILE"
	} > "$own/pgpass"
	umask 022
fi

refgw migrate
if [ "${REFGW_DEMO:-0}" = 1 ]; then
	demo=/certs
	[ -d "$own/demo-certs" ] && demo=$own/demo-certs
	sh /usr/share/refgw/orgs.sh refgw "$demo" /usr/share/refgw/demo-orgs.txt >/dev/null
	refgw seed /usr/share/refgw/demo-units.sql >/dev/null
	refgw seed /usr/share/refgw/demo-partnerships.sql >/dev/null
fi
exec refgw serve
