#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# backend.sh - the LDAP backend against a real slapd, through ldapq (one
# long-lived handle, so cache and breaker state carry across steps):
# kinds, login ownership, injection, failover, outage, recovery, stalls,
# stale cache, the breaker, the pool under parallel lookups, and probe.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
DEAD="ldap://127.0.0.1:$(free_port)/"

echo "== kinds, login ownership, cache"
write_conf "$T/a.conf" "$URI_A"
"$LDAPQ" "$T/a.conf" rcpt=alice@example.edu rcpt=alice.smith@example.edu \
    rcpt=asmith@cs.example.edu rcpt=carol@example.edu rcpt=staff@example.edu \
    rcpt=nobody@example.edu rcpt=alice@example.edu rcpt=nobody@example.edu \
    login=alice,alice@example.edu login=alice,Alice.Smith@example.edu \
    login=alice,bob@example.edu login=nobody,alice@example.edu login=bob,bob@example.edu \
    > "$T/kinds.out" 2> "$T/kinds.err"
want "$T/kinds.out" 1 "key=<alice@example.edu> status=found kind=mailbox stale=no source=$URI_A"
want "$T/kinds.out" 2 "key=<alice.smith@example.edu> status=found kind=mailbox"
want "$T/kinds.out" 3 "key=<asmith@cs.example.edu> status=found kind=mailbox"
want "$T/kinds.out" 4 "key=<carol@example.edu> status=found kind=forward"
want "$T/kinds.out" 5 "key=<staff@example.edu> status=found kind=list"
want "$T/kinds.out" 6 "key=<nobody@example.edu> status=notfound kind=- stale=no source=$URI_A"
want "$T/kinds.out" 7 "key=<alice@example.edu> status=found kind=mailbox stale=no source=cache"
want "$T/kinds.out" 8 "key=<nobody@example.edu> status=notfound kind=- stale=no source=cache"
want "$T/kinds.out" 9 "q=alice key=<alice@example.edu> status=found"
want "$T/kinds.out" 10 "q=alice key=<Alice.Smith@example.edu> status=found"
want "$T/kinds.out" 11 "q=alice key=<bob@example.edu> status=notfound"
want "$T/kinds.out" 12 "q=nobody key=<alice@example.edu> status=notfound"
want "$T/kinds.out" 13 "q=bob key=<bob@example.edu> status=found"

echo "== injection: each naive filter would match; escaped, none may"
# Prove the data makes each attempt meaningful: unescaped, slapd matches.
naive() {
	ldapsearch -x -LLL -H "$URI_A" -D "$SVC_DN" -w "$RG_SECRET" -b "$BASE_DN" "$1" 1.1 2>/dev/null |
	    grep -c '^dn:' || :
}
# The default recipient_filter with each value pasted in unescaped:
naive_rcpt() { naive "(|(mail=$1)(mailLocalAddress=$1))"; }
if command -v ldapsearch >/dev/null 2>&1; then
	[ "$(naive_rcpt '*)(uid=*@example.edu')" -ge 3 ] || fail "naive *)(uid=* matched too little"
	[ "$(naive_rcpt 'a\2a@example.edu')" -eq 1 ] || fail "naive a\\2a did not match a*@"
	[ "$(naive '(uid=*)')" -ge 3 ] || fail "naive login filter matched too little"
	ok "unescaped, the injection attempts do match in this directory"
fi
"$LDAPQ" "$T/a.conf" 'rcpt=*)(uid=*@example.edu' 'rcpt=a\2a@example.edu' \
    'rcpt=a*@example.edu' 'rcpt=*@example.edu' 'rcpt=al(ice@example.edu' 'rcpt=(@example.edu' \
    'rcpt=a*b@example.edu' 'rcpt=odd(one)@example.edu' 'rcpt=staff)(cn=*@example.edu' \
    'login=*,alice@example.edu' 'login=alice)(uid=*,bob@example.edu' 'login=a\2a,alice@example.edu' \
    > "$T/inj.out" 2> "$T/inj.err"
want "$T/inj.out" 1 'status=notfound' "source=$URI_A"
want "$T/inj.out" 2 'status=notfound' "source=$URI_A"
# a*@example.edu exists literally; "a\2a" must not be read as it.
want "$T/inj.out" 3 'key=<a*@example.edu> status=found kind=mailbox'

want "$T/inj.out" 4 'status=notfound' "source=$URI_A"
want "$T/inj.out" 5 'status=notfound' "source=$URI_A"
want "$T/inj.out" 6 'status=notfound' "source=$URI_A"
# Escaping keeps literal matches working: these addresses really exist.
want "$T/inj.out" 7 'key=<a*b@example.edu> status=found kind=mailbox'
want "$T/inj.out" 8 'key=<odd(one)@example.edu> status=found kind=mailbox'
want "$T/inj.out" 9 'status=notfound'
want "$T/inj.out" 10 'q=* key=<alice@example.edu> status=notfound'
want "$T/inj.out" 11 'status=notfound'
want "$T/inj.out" 12 'status=notfound'

echo "== first URI dead, second alive"
write_conf "$T/fo.conf" "$DEAD" "$URI_A"
"$LDAPQ" "$T/fo.conf" rcpt=alice@example.edu rcpt=bob@example.edu rcpt=carol@example.edu \
    > "$T/fo.out" 2> "$T/fo.err"
want "$T/fo.out" 1 "status=found kind=mailbox stale=no source=$URI_A"
want "$T/fo.out" 2 "status=found kind=mailbox stale=no source=$URI_A"
want "$T/fo.out" 3 "status=found kind=forward stale=no source=$URI_A"

echo "== slapd stopped mid-run, stale cache, breaker, restart and recovery"
CACHE='{ ttl = 1; negative_ttl = 1; max_entries = 100; stale_ttl = 3600; }' \
LDAP_EXTRA='' write_conf "$T/out.conf" "$URI_A"
"$LDAPQ" "$T/out.conf" rcpt=alice@example.edu rcpt=nobody@example.edu sleep=1.2 \
    "!sh $SLAPDSH stop $T/slapd-A" \
    rcpt=alice@example.edu rcpt=bob@example.edu rcpt=nobody@example.edu rcpt=carol@example.edu \
    "!sh $SLAPDSH start $T/slapd-A $PORT_A" sleep=5.5 \
    rcpt=bob@example.edu rcpt=nobody@example.edu rcpt=alice@example.edu \
    > "$T/out.out" 2> "$T/out.err"
want "$T/out.out" 1 "status=found kind=mailbox stale=no source=$URI_A"
want "$T/out.out" 2 "status=notfound"
# During the outage: a cached positive is served stale; nothing else is
# ever turned into found or notfound.
want "$T/out.out" 3 "key=<alice@example.edu> status=found kind=mailbox stale=yes source=$URI_A"
want "$T/out.out" 4 "key=<bob@example.edu> status=error kind=- stale=no source=$URI_A"
want "$T/out.out" 5 "key=<nobody@example.edu> status=error"
want "$T/out.out" 6 "key=<carol@example.edu> status=error" "marked down"
want_ms "$T/out.out" 6 100
# Recovery without restarting the handle.
want "$T/out.out" 7 "key=<bob@example.edu> status=found kind=mailbox stale=no source=$URI_A"
want "$T/out.out" 8 "key=<nobody@example.edu> status=notfound"
want "$T/out.out" 9 "key=<alice@example.edu> status=found kind=mailbox stale=no source=$URI_A"
# A stale answer says how old it is: stored at the start, served after the
# 1.2 s sleep and the stop, so past its 1 s ttl, never 0 and never absent.
grep_log "$T/out.err" "directory=lookup backend=ldap question=recipient key=alice@example.edu answer=found kind=mailbox stale=yes age=([1-9]|[1-5][0-9]) source=$URI_A why="
# ... and only a stale answer has one, not a fresh cache hit (kinds.err).
grep_log "$T/kinds.err" "directory=lookup backend=ldap question=recipient key=alice@example.edu answer=found kind=mailbox source=cache$"
aged=$(cat "$T/kinds.err" "$T/out.err" | grep 'directory=lookup' | grep -v ' stale=yes ' | grep ' age=' || true)
if [ -n "$aged" ]; then
	fail "age= on a lookup line that is not stale: $(printf '%s\n' "$aged" | head -1)"
else
	ok "age= only on stale lookup lines"
fi
grep_log "$T/out.err" "directory=lookup backend=ldap question=recipient key=bob@example.edu answer=error source=$URI_A why="
grep_log "$T/out.err" "ldap=down uri=$URI_A why="
grep_log "$T/out.err" "ldap=up uri=$URI_A"

echo "== stalled server: timeout honoured, then the breaker answers at once"
start_stall S
URI_S="ldap://127.0.0.1:$PORT_S/"
TIMEOUT=1.0 write_conf "$T/st.conf" "$URI_S"
"$LDAPQ" "$T/st.conf" rcpt=alice@example.edu rcpt=bob@example.edu rcpt=carol@example.edu \
    > "$T/st.out" 2> "$T/st.err"
want "$T/st.out" 1 "status=error" "source=$URI_S"
want_ms "$T/st.out" 1 3000
want "$T/st.out" 2 "status=error" "source=$URI_S"
want_ms "$T/st.out" 2 3000
want "$T/st.out" 3 "status=error" "marked down"
want_ms "$T/st.out" 3 200
grep_log "$T/st.err" "ldap=down uri=$URI_S why="

echo "== stalled first URI, live second: answered within the timeout"
TIMEOUT=2.0 write_conf "$T/st2.conf" "$URI_S" "$URI_A"
"$LDAPQ" "$T/st2.conf" rcpt=alice@example.edu rcpt=carol@example.edu rcpt=staff@example.edu \
    > "$T/st2.out" 2> "$T/st2.err"
want "$T/st2.out" 1 "status=found kind=mailbox stale=no source=$URI_A"
want_ms "$T/st2.out" 1 4000
want "$T/st2.out" 2 "status=found kind=forward stale=no source=$URI_A"
want "$T/st2.out" 3 "status=found kind=list stale=no source=$URI_A"
want_ms "$T/st2.out" 3 4000

echo "== parallel lookups share a small pool"
POOL=2 CACHE='{ max_entries = 0; }' write_conf "$T/par.conf" "$URI_A"
"$LDAPQ" "$T/par.conf" par=16,carol@example.edu > "$T/par.out" 2> "$T/par.err"
n=$(grep -c 'status=found kind=forward stale=no' "$T/par.out" || :)
[ "$n" -eq 16 ] && ok "16 parallel lookups on 2 connections" || fail "parallel: $n/16 found"

echo "== probe: bind, base, and the secret stays secret"
"$LDAPQ" "$T/a.conf" probe > "$T/probe.out" 2> "$T/probe.err"
want "$T/probe.out" 1 "probe=ok"
write_conf "$T/fo2.conf" "$DEAD" "$URI_A"
"$LDAPQ" "$T/fo2.conf" probe > "$T/probe2.out" 2> "$T/probe2.err"
want "$T/probe2.out" 1 "probe=failed" "$DEAD: connect: Can't contact LDAP server"
printf 'wrong-password\n' > "$T/wrong.secret"; chmod 600 "$T/wrong.secret"
sed "s|$T/ldap.secret|$T/wrong.secret|" "$T/a.conf" > "$T/wrong.conf"
"$LDAPQ" "$T/wrong.conf" probe rcpt=alice@example.edu > "$T/probe3.out" 2> "$T/probe3.err"
want "$T/probe3.out" 1 "probe=failed" "bind as $SVC_DN: Invalid credentials"
want "$T/probe3.out" 2 "status=error" "Invalid credentials"
grep -qF wrong-password "$T/probe3.out" "$T/probe3.err" && fail "a wrong password was echoed"
chmod 644 "$T/ldap.secret"
if "$LDAPQ" "$T/a.conf" probe > "$T/mode.out" 2> "$T/mode.err"; then
	fail "a world-readable bind_password_file was accepted"
else
	grep_log "$T/mode.err" "a.conf:[0-9]+: bind_password_file \".*\" is readable or writable by group or others"
fi
chmod 600 "$T/ldap.secret"
no_secret "$T"/*.out "$T"/*.err

finish
