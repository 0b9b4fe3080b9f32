#!/bin/sh
# certs/gen.sh OUTDIR [ORG_SLUG ...]
#
# DEVELOPMENT AND TEST CERTIFICATES ONLY. Never use these for real partners:
# the keys are generated unencrypted on the developer's machine.
#
# Makes, in OUTDIR (idempotent: existing files are kept):
#   ca.pem / ca.key            the dev client-and-server CA (ECDSA P-256)
#   server.pem / server.key    localhost, 127.0.0.1, ::1 (serverAuth)
#   <slug>.pem / <slug>.key    one client certificate per slug (clientAuth)
#   test-*                     material for the refusal tests:
#     other-ca.pem, test-other-ca-client   client cert from a second CA
#     test-self-signed                      self-signed client cert
#     test-expired, test-not-yet-valid      validity outside today
#     test-server-only                      EKU serverAuth only
#     test-revoked-by-crl + crl.pem         a CRL of the dev CA listing it
#     test-ca-client                        clientAuth but basicConstraints CA:TRUE
#   niss-hmac.key              the HMAC key for national register numbers
#   master.keys                the master key of persons' data keys
set -eu
out=${1:?usage: certs/gen.sh OUTDIR [SLUG ...]}
shift
mkdir -p "$out"
cd "$out"
umask 077

cat > openssl-ca.cnf <<'CNF'
[ ca ]
default_ca = devca
[ devca ]
dir = .
database = ./ca-index.txt
new_certs_dir = ./ca-newcerts
serial = ./ca-serial
crlnumber = ./ca-crlnumber
default_md = sha256
policy = anything
copy_extensions = none
default_crl_days = 3650
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
[ client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ serveronly ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
[ server ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1
[ clientca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
CNF
[ -f ca-index.txt ] || : > ca-index.txt
[ -f ca-serial ] || echo 1000 > ca-serial
[ -f ca-crlnumber ] || echo 1000 > ca-crlnumber
mkdir -p ca-newcerts

key() { [ -f "$1.key" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

mkca() { # name cn
	key "$1"
	[ -f "$1.pem" ] || openssl req -x509 -new -key "$1.key" -subj "/O=refgw development/CN=$2" \
		-days 3650 -sha256 -extensions v3ca -config openssl-ca.cnf -out "$1.pem"
}

# sign name cn extensions [startdate enddate] with the dev CA
sign() {
	[ -f "$1.pem" ] && return 0
	key "$1"
	openssl req -new -key "$1.key" -subj "/O=refgw development/CN=$2" -out "$1.csr"
	if [ $# -ge 5 ]; then
		openssl ca -batch -config openssl-ca.cnf -cert "${CA:-ca}.pem" -keyfile "${CA:-ca}.key" \
			-extensions "$3" -startdate "$4" -enddate "$5" -notext -in "$1.csr" -out "$1.pem" 2>/dev/null
	else
		openssl ca -batch -config openssl-ca.cnf -cert "${CA:-ca}.pem" -keyfile "${CA:-ca}.key" \
			-extensions "$3" -days 825 -notext -in "$1.csr" -out "$1.pem" 2>/dev/null
	fi
	rm -f "$1.csr"
}

mkca ca "refgw DEV CA - not for production"
sign server localhost server
for slug in "$@"; do
	sign "$slug" "$slug" client
done

# Refusal-test material.
mkca other-ca "refgw OTHER dev CA"
CA=other-ca sign test-other-ca-client test-other-ca-client client
key test-self-signed
[ -f test-self-signed.pem ] || openssl req -x509 -new -key test-self-signed.key -days 365 \
	-subj "/O=refgw development/CN=test-self-signed" -addext extendedKeyUsage=clientAuth -out test-self-signed.pem
sign test-expired test-expired client 20200101000000Z 20210101000000Z
sign test-not-yet-valid test-not-yet-valid client 20990101000000Z 20991231000000Z
sign test-server-only test-server-only serveronly
sign test-crl-revoked test-crl-revoked client
# A CA is no client identity, whatever its extended key usage says.
sign test-ca-client test-ca-client clientca
if [ ! -f crl.pem ]; then
	openssl ca -batch -config openssl-ca.cnf -cert ca.pem -keyfile ca.key -revoke test-crl-revoked.pem 2>/dev/null
	openssl ca -batch -config openssl-ca.cnf -cert ca.pem -keyfile ca.key -gencrl -out crl.pem 2>/dev/null
fi
# The HMAC key for national register numbers (a secret like a private key).
[ -f niss-hmac.key ] || openssl rand -hex 32 > niss-hmac.key
# The master key that wraps persons' data keys (REFGW_MASTER_KEY_FILE:
# "<id> <64 hex digits>" per line, the first one current).  Losing it loses
# every person's data: docs/operations.md, "Keys".
if [ ! -f master.keys ]; then
	(umask 077 && echo "dev-1 $(openssl rand -hex 32)" > master.keys)
fi
chmod 644 ./*.pem
echo "certificates in $out (DEVELOPMENT ONLY)"
