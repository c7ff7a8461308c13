#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# query.sh - relayguard -q against a real slapd: each kind with its
# target, not found, login= ownership lists, filter injection (escaped as
# the daemon escapes it), a dead server and a stopped slapd (exit 75,
# never "not found"), and no password in any output.  Exact lines.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
[ -x "$RELAYGUARD" ] || { echo "FAIL: no relayguard binary at $RELAYGUARD"; exit 1; }

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
write_conf "$T/a.conf" "$URI_A"

# q NAME WANT_RC WANT_OUTPUT ARG [CONF]: one -q, its exact stdout and exit
q() {
	name=$1 want_rc=$2 want=$3 arg=$4 conf=${5:-$T/a.conf}
	rc=0
	"$RELAYGUARD" -q "$arg" -c "$conf" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	got=$(cat "$T/$name.out")
	if [ "$rc" -eq "$want_rc" ] && [ "$got" = "$want" ]; then
		ok "$name: exit $rc: $got"
	else
		fail "$name: exit $rc, want $want_rc; got '$got', want '$want'"
		sed 's/^/    /' "$T/$name.err"
	fi
}

echo "== recipients"
q mailbox 0 "found kind=mailbox target=alice@example.edu source=$URI_A" alice@example.edu
q mailbox-alias 0 "found kind=mailbox target=asmith@cs.example.edu source=$URI_A" '<asmith@CS.Example.EDU>'
q forward 0 "found kind=forward target=carol@elsewhere.example.org source=$URI_A" carol@example.edu
q list 0 "found kind=list target=staff@example.edu source=$URI_A" staff@example.edu
q notfound 1 "not found" nobody@example.edu
q badaddr 65 "error: not a plain local@domain address: user%evil@example.edu" 'user%evil@example.edu'

echo "== injection: a '*' is a character, as in the daemon's filters"
q star-literal 0 "found kind=mailbox target=a*b@example.edu source=$URI_A" 'a*b@example.edu'
q star-entry 0 "found kind=mailbox target=a*@example.edu source=$URI_A" 'a*@example.edu'
q star-notwild 1 "not found" '*@example.edu'
q paren 0 "found kind=mailbox target=odd(one)@example.edu source=$URI_A" 'odd(one)@example.edu'

echo "== login="
q login-alice 0 "found login=alice address=alice@example.edu source=$URI_A
found login=alice address=alice.smith@example.edu source=$URI_A
found login=alice address=asmith@cs.example.edu source=$URI_A" login=alice
q login-bob 0 "found login=bob address=bob@example.edu source=$URI_A" login=bob
q login-none 1 "not found" login=mallory
q login-inject 1 "not found" 'login=*'
q login-inject2 1 "not found" 'login=alice)(uid=*'

echo "== could not tell: exit 75, never not found"
DEAD="ldap://127.0.0.1:$(free_port)/"
write_conf "$T/dead.conf" "$DEAD"
q dead 75 "error: connect: Can't contact LDAP server source=$DEAD" alice@example.edu "$T/dead.conf"
q dead-login 75 "error: connect: Can't contact LDAP server source=$DEAD" login=alice "$T/dead.conf"
# Failover: the same answer from the second URI.
write_conf "$T/fo.conf" "$DEAD" "$URI_A"
q failover 0 "found kind=mailbox target=bob@example.edu source=$URI_A" bob@example.edu "$T/fo.conf"
stop_slapd A
q stopped 75 "error: connect: Can't contact LDAP server source=$URI_A" alice@example.edu
restart_slapd A
q restarted 0 "found kind=forward target=carol@elsewhere.example.org source=$URI_A" carol@example.edu

echo "== secrets"
no_secret "$T"/*.out "$T"/*.err
finish
