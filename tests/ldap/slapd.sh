#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# slapd.sh - a throw-away slapd for tests and benchmarks.
#
#   slapd.sh start DIR PORT [LDIF]   config, load LDIF (default: data.ldif
#                                    next to this script) on first start,
#                                    listen on ldap://127.0.0.1:PORT/
#   slapd.sh stop DIR                stop it and wait until it is gone
#   slapd.sh url DIR                 print the URI it listens on
#
# With RG_LDAP_TLS=CERTDIR (holding ca.pem, server.pem, server.key for
# 127.0.0.1), slapd also offers StartTLS, and with RG_LDAPS_PORT=N it
# listens on ldaps://127.0.0.1:N/ as well.
#
# A second "start" on the same DIR reuses the database, so a test can
# stop and restart the same server.  Everything lives under DIR; nothing
# touches /etc/ldap except reading the standard schemas.
#
# The service account is cn=relayguard,ou=services,dc=example,dc=edu
# (read-only); its password is in $RG_LDAP_SECRET below.  Anonymous
# clients can bind but read nothing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
SLAPD=${SLAPD:-$(command -v slapd || echo /usr/sbin/slapd)}
SLAPADD=${SLAPADD:-$(dirname "$SLAPD")/slapadd}
[ -x "$SLAPADD" ] || SLAPADD=/usr/sbin/slapadd
SCHEMA=${RG_LDAP_SCHEMA:-/etc/ldap/schema}
MODULES=${RG_LDAP_MODULES:-/usr/lib/ldap}
RG_LDAP_SECRET='s3rvice-Secret-42'

die() { echo "slapd.sh: $*" >&2; exit 1; }

write_conf() {
	dir=$1
	modload=
	# Debian builds back_mdb as a module; other builds link it in.
	[ -e "$MODULES/back_mdb.so" ] && modload="modulepath $MODULES
moduleload back_mdb"
	tls=
	[ -n "${RG_LDAP_TLS:-}" ] && tls="TLSCACertificateFile $RG_LDAP_TLS/ca.pem
TLSCertificateFile $RG_LDAP_TLS/server.pem
TLSCertificateKeyFile $RG_LDAP_TLS/server.key"
	cat > "$dir/slapd.conf" <<CONF
$tls
include $SCHEMA/core.schema
include $SCHEMA/cosine.schema
include $SCHEMA/inetorgperson.schema
include $SCHEMA/nis.schema
include $SCHEMA/misc.schema
pidfile $dir/slapd.pid
argsfile $dir/slapd.args
$modload
database mdb
maxsize 16777216
suffix "dc=example,dc=edu"
rootdn "cn=admin,dc=example,dc=edu"
rootpw admin-test-only
directory $dir/db
index objectClass eq
index uid,cn,mail,mailLocalAddress eq
access to attrs=userPassword
	by anonymous auth
	by * none
access to *
	by dn.exact="cn=relayguard,ou=services,dc=example,dc=edu" read
	by users read
	by * none
CONF
}

ready() {
	# Any answer at all, even "no such object", means it is listening.
	command -v ldapsearch >/dev/null 2>&1 || { sleep 1; return 0; }
	ldapsearch -x -H "ldap://127.0.0.1:$1/" -b "" -s base -o nettimeout=1 \
	    -l 1 '(objectClass=*)' 1.1 >/dev/null 2>&1
}

do_start() {
	dir=$1 port=$2 ldif=${3:-$here/data.ldif}
	mkdir -p "$dir/db"
	dir=$(cd "$dir" && pwd)
	[ -f "$dir/slapd.conf" ] || write_conf "$dir"
	if [ ! -f "$dir/db/data.mdb" ]; then
		"$SLAPADD" -q -f "$dir/slapd.conf" -l "$ldif" >"$dir/slapadd.log" 2>&1 ||
		    { cat "$dir/slapadd.log" >&2; die "slapadd failed"; }
	fi
	echo "ldap://127.0.0.1:$port/" > "$dir/url"
	urls="ldap://127.0.0.1:$port/"
	[ -n "${RG_LDAPS_PORT:-}" ] && urls="$urls ldaps://127.0.0.1:$RG_LDAPS_PORT/"
	"$SLAPD" -f "$dir/slapd.conf" -h "$urls" -s 0 \
	    >"$dir/slapd.log" 2>&1 || { cat "$dir/slapd.log" >&2; die "slapd did not start"; }
	i=0
	until ready "$port"; do
		i=$((i + 1))
		[ $i -lt 50 ] || { do_stop "$dir"; die "slapd not answering on port $port"; }
		sleep 0.1
	done
}

do_stop() {
	dir=$1
	[ -f "$dir/slapd.pid" ] || return 0
	pid=$(cat "$dir/slapd.pid")
	kill "$pid" 2>/dev/null || { rm -f "$dir/slapd.pid"; return 0; }
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { kill -9 "$pid" 2>/dev/null || :; break; }
		sleep 0.1
	done
	rm -f "$dir/slapd.pid"
}

[ $# -ge 1 ] || die "usage: slapd.sh start DIR PORT [LDIF] | stop DIR | url DIR"
cmd=$1; shift
case $cmd in
start)	[ $# -ge 2 ] || die "usage: slapd.sh start DIR PORT [LDIF]"; do_start "$@" ;;
stop)	[ $# -eq 1 ] || die "usage: slapd.sh stop DIR"; do_stop "$1" ;;
url)	cat "$1/url" ;;
secret)	printf '%s\n' "$RG_LDAP_SECRET" ;;
*)	die "unknown command $cmd" ;;
esac
