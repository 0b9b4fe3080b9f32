#!/bin/sh
# orgs.sh REFGW_BINARY CERTDIR LISTFILE — creates each organisation of LISTFILE
# (slug|name|kind|programs) that does not exist yet and registers
# CERTDIR/<slug>.pem for it.  Idempotent; prints "slug id" lines.
set -eu
bin=$1 certs=$2 list=$3
existing=$("$bin" org list)
grep -v '^#' "$list" | while IFS='|' read -r slug name kind programs; do
	[ -n "$slug" ] || continue
	id=$(printf '%s\n' "$existing" | awk -F '\t' -v n="$name" '$4 == n { print $1 }')
	if [ -z "$id" ]; then
		id=$("$bin" org add --name "$name" --kind "$kind" --programs "$programs")
	fi
	"$bin" cert register --org "$id" "$certs/$slug.pem" >/dev/null
	echo "$slug $id"
done
