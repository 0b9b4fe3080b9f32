#!/bin/sh
# The house style that a machine can check (curl's checksrc, in small):
# banned functions, libpq/libmicrohttpd/GnuTLS each in one file, and the
# shape of the house (scripts/shape.py).
set -eu
rc=0
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof|strtok|system|tmpnam)\s*\('
if grep -nE "$banned" gateway/*.c; then
	echo "style: banned function above (use snprintf, strtol via parse_long, ...)"; rc=1
fi
if grep -nE 'PQexec\(|PQexecParams\(|PQexecPrepared\(' gateway/*.c | grep -v '^gateway/db.c:'; then
	echo "style: libpq is called only from gateway/db.c"; rc=1
fi
if grep -lE '#include <(microhttpd|libpq-fe|gnutls/gnutls)\.h>' gateway/*.c |
	grep -vE '^gateway/(http|db|tls)\.c$'; then
	echo "style: microhttpd.h only in http.c, libpq-fe.h only in db.c, GnuTLS only in tls.c"; rc=1
fi
if grep -lE '#include <qrencode\.h>' gateway/*.c | grep -vE '^gateway/qr\.c$'; then
	echo "style: qrencode.h only in qr.c"; rc=1
fi
# The shape of the house: handler shape, rows read by name, named
# parameters, only main.c calls into http.c (scripts/shape.py).
/usr/bin/python3 scripts/shape.py || rc=1
# Every message a client reads exists in French, Dutch and English, with the
# English conversions (scripts/messages.py; docs/architecture.md).
/usr/bin/python3 scripts/messages.py || rc=1
exit $rc
