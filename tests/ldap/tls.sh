#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tls.sh - StartTLS and ldaps:// against a real slapd with a throw-away
# CA: certificates are verified (a wrong CA is refused, never ignored),
# "demand" refuses a server without TLS, "try" falls back and says so.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
command -v openssl >/dev/null 2>&1 || { echo "SKIP: openssl needed to make test certificates"; exit 77; }

mkcert() {	# mkcert DIR: a CA and a server certificate for 127.0.0.1
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=relayguard test CA" \
	    -keyout "$1/ca.key" -out "$1/ca.pem" >/dev/null 2>&1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
	    -keyout "$1/server.key" -out "$1/server.csr" >/dev/null 2>&1
	printf 'subjectAltName=IP:127.0.0.1\n' > "$1/ext"
	openssl x509 -req -in "$1/server.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
	    -CAcreateserial -days 2 -extfile "$1/ext" -out "$1/server.pem" >/dev/null 2>&1
	chmod 644 "$1/server.key"	# slapd may run as another user
}
mkcert "$T/pki"
mkcert "$T/other"

PORT_L=$(free_port)
RG_LDAP_TLS="$T/pki" RG_LDAPS_PORT=$PORT_L start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
URI_L="ldaps://127.0.0.1:$PORT_L/"
start_slapd P			# no TLS at all
URI_P="ldap://127.0.0.1:$PORT_P/"

conf() {	# conf NAME STARTTLS CAFILE URI
	LDAP_EXTRA="tls_ca_file = \"$3\";" write_conf "$T/$1.conf" "$4"
	sed -i "s|starttls = \"off\";|starttls = \"$2\";|" "$T/$1.conf"
}
conf good demand "$T/pki/ca.pem" "$URI_A"
conf wrongca demand "$T/other/ca.pem" "$URI_A"
conf ldaps off "$T/pki/ca.pem" "$URI_L"
conf ldapswrong off "$T/other/ca.pem" "$URI_L"
conf notls demand "$T/pki/ca.pem" "$URI_P"
conf try try "$T/pki/ca.pem" "$URI_P"

for c in good wrongca ldaps ldapswrong notls try; do
	"$LDAPQ" "$T/$c.conf" rcpt=alice@example.edu > "$T/$c.out" 2> "$T/$c.err" || :
done
want "$T/good.out" 1 "status=found kind=mailbox stale=no source=$URI_A"
want "$T/wrongca.out" 1 "status=error" "source=$URI_A" 'why="StartTLS: handshake failed'
want "$T/ldaps.out" 1 "status=found kind=mailbox stale=no source=$URI_L"
want "$T/ldapswrong.out" 1 "status=error" "source=$URI_L" "connect: Can't contact LDAP server"
want "$T/notls.out" 1 "status=error" "source=$URI_P" 'why="StartTLS: '
want "$T/try.out" 1 "status=found kind=mailbox stale=no source=$URI_P"
grep_log "$T/try.err" "ldap=notls uri=$URI_P result=\"continuing without TLS"
no_secret "$T"/*.out "$T"/*.err
finish
