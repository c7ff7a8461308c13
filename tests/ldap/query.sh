#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# query.sh - relayguard -q against a real slapd: each kind with its
# target, not found, login= ownership lists, filter injection (escaped as
# the daemon escapes it), a dead server and a stopped slapd (exit 75,
# never "not found"), no password in any output, and IDN: a mailbox
# stored at its A-label domain (idn.ldif, in a slapd of its own) is found
# for the U-label and the A-label form, by -q and by the daemon, whose
# RCPT to the U-label form is accepted as local.  Exact lines.
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

echo "== IDN: a mailbox at hans@xn--bcher-kva.example (tests/ldap/idn.ldif)"
# A slapd of its own with data.ldif plus idn.ldif, so that no other suite's
# counts change; domains.local lists the domain in its U-label form.
cat "$top_srcdir/tests/ldap/data.ldif" "$top_srcdir/tests/ldap/idn.ldif" >"$T/idn-all.ldif"
port_i=$(free_port)
sh "$SLAPDSH" start "$T/slapd-I" "$port_i" "$T/idn-all.ldif"
URI_I="ldap://127.0.0.1:$port_i/"
write_conf "$T/idn.conf" "$URI_I"
sed -i 's|^domains = { local = \[ "example.edu", ".example.edu" \]; };|domains = { local = [ "example.edu", ".example.edu", "bücher.example" ]; };|' "$T/idn.conf"
grep -q '"bücher.example"' "$T/idn.conf" || fail "idn.conf: could not add bücher.example to domains.local"
echo 'log = { facility = "mail"; accepts = true; };' >>"$T/idn.conf"
HANS="found kind=mailbox target=hans@xn--bcher-kva.example source=$URI_I"
q idn-ulabel 0 "$HANS" 'hans@bücher.example' "$T/idn.conf"
q idn-alabel 0 "$HANS" 'hans@xn--bcher-kva.example' "$T/idn.conf"
q idn-case 0 "$HANS" '<hans@BÜCHER.EXAMPLE.>' "$T/idn.conf"
q idn-other 1 "not found" 'nobody@bücher.example' "$T/idn.conf"
# The entry exists only in this slapd: not found through A's data.ldif.
q idn-not-in-a 1 "not found" 'hans@xn--bcher-kva.example'
q idn-invalid 65 "error: the domain is not a valid internationalized domain name (IDNA2008)" \
    "hans@b$(printf '\374')cher.example" "$T/idn.conf"

# The daemon against this slapd: an RCPT to the U-label form from an
# off-site client is local (found in LDAP), not relay-denied; the A-label
# form too; a missing user there is unknown (550 5.1.1), not a relay.
if [ -n "${MILTERTEST:-}" ] || MILTERTEST=$(command -v miltertest); then
	mport=$(free_port)
	"$RELAYGUARD" -f -v -c "$T/idn.conf" -p "inet:$mport@127.0.0.1" >"$T/idn-milter.out" 2>"$T/idn-milter.log" &
	echo $! >"$T/idn-milter.stallpid"	# cleanup() kills *.stallpid
	i=0
	until grep -q "listening on" "$T/idn-milter.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$T/idn-milter.log"; fail "relayguard did not start"; break; }
		sleep 0.1
	done
	cat >"$T/idn.lua" <<'LUA'
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local c = rg.open("198.51.100.7", "mx.other.example", "mx.other.example")
rg.mail(c, "<x@other.example>", { "i", "4Idn1" })
rg.passed(c, "MAIL from offsite")
rg.rcpt(c, "<hans@bücher.example>")
rg.passed(c, "hans@bücher.example")
rg.rcpt(c, "<hans@xn--bcher-kva.example>")
rg.passed(c, "hans@xn--bcher-kva.example")
rg.rcpt(c, "<nobody@bücher.example>")
rg.refused(c, "nobody@bücher.example")
rg.rcpt(c, "<hans@bücher.example.evil.example>")
rg.refused(c, "hans@bücher.example.evil.example")
mt.disconnect(c)
LUA
	if RG_SOCKET="inet:$mport@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest" \
	    "$MILTERTEST" -s "$T/idn.lua" >"$T/idn.mt" 2>&1; then ok "miltertest idn.lua"
	else fail "miltertest idn.lua: $(tail -3 "$T/idn.mt")"; fi
	sleep 0.2
	want_log() {
		if grep -qE -- "$1" "$T/idn-milter.log"; then ok "log: $1"
		else fail "no log line: $1"; grep 'stage=rcpt' "$T/idn-milter.log" | sed 's/^/    /'; fi
	}
	# A value with 8-bit bytes is quoted in the log.  The A-label RCPT is a
	# cache hit of the U-label one's answer: one key for both forms.
	want_log "4Idn1: action=accept stage=rcpt reason=local .*rcpt=\"<hans@bücher\.example>\" lookup=$URI_I"
	want_log "4Idn1: action=accept stage=rcpt reason=local .*rcpt=<hans@xn--bcher-kva\.example> lookup=(cache|$URI_I)"
	want_log "4Idn1: action=reject stage=rcpt reason=unknown-recipient .*rcpt=\"<nobody@bücher\.example>\" reply=\"550 5\.1\.1 "
	want_log "4Idn1: action=reject stage=rcpt reason=relay-denied .*rcpt=\"<hans@bücher\.example\.evil\.example>\" reply=\"550 5\.7\.1 "
	[ "$(grep -c '4Idn1: action=accept stage=rcpt' "$T/idn-milter.log")" -eq 2 ] && ok "two accepted RCPTs" ||
		fail "want 2 accepted RCPTs: $(grep -c '4Idn1: action=accept stage=rcpt' "$T/idn-milter.log")"
	kill "$(cat "$T/idn-milter.stallpid")" 2>/dev/null
else
	fail "miltertest is not installed (Debian package miltertest): the daemon IDN check did not run"
fi

echo "== secrets"
no_secret "$T"/*.out "$T"/*.err
finish
