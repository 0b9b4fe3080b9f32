#!/bin/sh
# make tls-scan: testssl.sh (Debian) against a gateway with its production
# TLS settings (REFGW_TLS_PRIORITIES default), on a throwaway cluster.
# Output: build/tls-scan.txt (full) and a summary on stdout; exits non-zero
# when a protocol below TLS 1.2 is offered or testssl reports a finding of
# severity HIGH or CRITICAL.  docs/reliability.md summarises a run.
set -eu
. bench/env.sh
bench_setup tlsscan "scan|Scan Org|justice_aid|"
bench_serve
out=$top/build/tls-scan
rm -f "$out.json" "$out.txt"
# testssl exits with the number of findings; read its JSON instead.
testssl --quiet --color 0 --warnings off --ip 127.0.0.1 --jsonfile-pretty "$out.json" \
	--add-ca "$tmp/certs/ca.pem" \
	-p -s -f -U -S -P "localhost:$api" > "$out.txt" 2>&1 || true
echo "== protocols and ciphers (full output: build/tls-scan.txt)"
sed -n '/Testing protocols/,/Testing server defaults/p' "$out.txt" | grep -v '^$' | head -n 60
# Client-initiated renegotiation, checked by hand: after "R" the gateway
# (libmicrohttpd treats GnuTLS's rehandshake request as an error) closes the
# connection and answers nothing more on it.  testssl.sh's 4-times-"R" probe
# does not look for the close and reports HIGH; this check decides instead.
reneg=$( (sleep 1; echo R; sleep 1; printf 'GET /v1/me HTTP/1.1\r\nHost: localhost\r\n\r\n'; sleep 1) |
	timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$api" -cert "$tmp/certs/scan.pem" \
	-key "$tmp/certs/scan.key" -CAfile "$tmp/certs/ca.pem" 2>&1 || true)
if echo "$reneg" | grep -q '^RENEGOTIATING' && echo "$reneg" | grep -q '^closed' &&
	! echo "$reneg" | grep -q '^HTTP/1.1'; then
	echo "client-initiated renegotiation: refused (connection closed, nothing served after it)"
	renego_refused=1
else
	echo "client-initiated renegotiation: NOT refused"; echo "$reneg" | tail -n 5
	renego_refused=0
fi
python3 - "$out.json" "$renego_refused" <<'PY' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
findings = [f for s in doc.get("scanResult", []) for k, v in s.items() if isinstance(v, list) for f in v]
# cert_revocation: the dev server certificate of a private CA carries no
# CRL/OCSP URI (partners pin the CA; see docs/reliability.md).
# secure_client_renego: decided by the check above.
waived = {"cert_revocation"} | ({"secure_client_renego"} if sys.argv[2] == "1" else set())
bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL") and f.get("id") not in waived]
old = [f for f in findings if f.get("id") in ("SSLv2", "SSLv3", "TLS1", "TLS1_1") and "not offered" not in f.get("finding", "")]
for f in bad + old:
    print("FINDING", f.get("id"), f.get("severity"), f.get("finding"))
for f in findings:
    if f.get("id") in waived and f.get("severity") in ("HIGH", "CRITICAL"):
        print("waived", f.get("id"), f.get("severity"), f.get("finding"))
print("tls-scan: %d checks, %d HIGH/CRITICAL, %d legacy protocols offered" % (len(findings), len(bad), len(old)))
sys.exit(1 if bad or old else 0)
PY
