#!/bin/sh
# Installs the Debian packages refgw needs to build, run and test, if any is
# missing.  As root it runs apt-get; otherwise it prints the exact command.
#   deps.sh [EXTRA_PACKAGE...]   (make fuzz adds clang, make bench its tools,
#                                 make check chromium, nodejs and npm)
# Another apt or dpkg (unattended-upgrades on a fresh machine, a second
# shell) holding the lock is waited for, up to REFGW_APT_WAIT seconds (600).
set -eu
pkgs="$* gcc make pkg-config openssl curl ca-certificates
      libmicrohttpd-dev libgnutls28-dev libssl-dev libpq-dev libjansson-dev libsodium-dev
      libqrencode-dev
      check libsubunit-dev libcurl4-openssl-dev
      postgresql-15 postgresql-client-15 valgrind cppcheck
      python3-jsonschema python3-yaml"
missing=""
for p in $pkgs; do
	# node and npm from another source (NodeSource's nodejs carries npm and
	# conflicts with Debian's npm) are as good as Debian's.
	case $p in nodejs) command -v node >/dev/null 2>&1 && continue ;; npm) command -v npm >/dev/null 2>&1 && continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "refgw: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		echo "refgw: installing with sudo"
		exec sudo sh "$0" "$@"
	fi
	echo "refgw: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing"
	exit 1
fi

wait_s=${REFGW_APT_WAIT:-600}
# apt-get install waits for the dpkg lock itself (DPkg::Lock::Timeout, apt
# >= 1.9.11), but apt 2.6's `apt-get update` fails at once on the lists
# lock: so each command is retried while its error is a lock, until wait_s.
apt_locked() {
	grep -q -e 'Could not get lock' -e 'Unable to acquire the dpkg frontend lock' \
		-e 'Unable to lock' "$1"
}
apt_wait() {
	err=$(mktemp)
	start=$(date +%s)
	said=""
	while :; do
		if DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=5 "$@" 2>"$err" >/dev/null; then
			rm -f "$err"
			return 0
		fi
		if ! apt_locked "$err" || [ $(($(date +%s) - start)) -ge "$wait_s" ]; then
			cat "$err" >&2
			rm -f "$err"
			return 1
		fi
		if [ -z "$said" ]; then
			echo "refgw: another apt or dpkg holds the package lock ($(grep -o '/var/[^ )]*[^ ).]' "$err" | head -n 1)); waiting up to ${wait_s} s..."
			said=yes
		fi
		sleep 5
	done
}
apt_wait update -qq
apt_wait install -y -qq --no-install-recommends $missing
echo "refgw: packages installed"
