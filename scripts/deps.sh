#!/bin/sh
# Installs the Debian packages refgw needs to build, run and test, if any is
# missing.  As root it runs apt-get; otherwise it prints the exact command.
#   deps.sh [EXTRA_PACKAGE...]   (make fuzz adds clang, make bench its tools)
set -eu
pkgs="$* gcc make pkg-config openssl curl ca-certificates
      libmicrohttpd-dev libgnutls28-dev libssl-dev libpq-dev libjansson-dev
      check libsubunit-dev libcurl4-openssl-dev
      postgresql-15 postgresql-client-15 valgrind cppcheck
      python3-jsonschema python3-yaml"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "refgw: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		echo "refgw: installing with sudo"
		sudo sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$missing"
		exit 0
	fi
	echo "refgw: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing"
	exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "refgw: packages installed"
