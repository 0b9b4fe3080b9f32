#!/bin/sh
# Container start: migrate, optionally load the demo organisations with the
# mounted certificates (REFGW_DEMO=1), then serve.
set -eu
refgw migrate
if [ "${REFGW_DEMO:-0}" = 1 ]; then
	sh /usr/share/refgw/orgs.sh refgw /certs /usr/share/refgw/demo-orgs.txt >/dev/null
	refgw seed /usr/share/refgw/demo-units.sql >/dev/null
fi
exec refgw serve
