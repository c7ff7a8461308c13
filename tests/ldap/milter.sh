#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# milter.sh - the relayguard daemon with the LDAP backend, over the
# milter protocol (miltertest): kinds, ownership and injection with
# slapd up; slapd stopped mid-run (stale cache, tempfail, never 5xx);
# slapd restarted (recovery, no relayguard restart).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
[ -x "$RELAYGUARD" ] || { echo "FAIL: no relayguard binary at $RELAYGUARD"; exit 1; }
if [ -z "${MILTERTEST:-}" ]; then MILTERTEST=$(command -v miltertest || :); fi
[ -n "$MILTERTEST" ] && [ -x "$MILTERTEST" ] ||
    { echo "SKIP: miltertest not installed (Debian package miltertest)"; exit 77; }

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
# ttl 1 so that the outage phase exercises stale serving, not fresh hits.
CACHE='{ ttl = 1; negative_ttl = 1; max_entries = 1000; stale_ttl = 3600; }' \
LDAP_EXTRA='login_suspended_attribute = "description"; login_suspended_value = "suspended";' \
    write_conf "$T/policy.conf" "$URI_A"
cat >> "$T/policy.conf" <<'CONF'
auth = { relay = true; require_tls = true; sender_login = "reject"; };
log = { facility = "mail"; accepts = true; };
CONF

mport=$(free_port)
"$RELAYGUARD" -f -v -c "$T/policy.conf" -p "inet:$mport@127.0.0.1" \
    > "$T/milter.out" 2> "$T/milter.log" &
MILTER_PID=$!
echo "$MILTER_PID" > "$T/milter.stallpid"	# cleanup() kills *.stallpid
i=0
until grep -q "listening on" "$T/milter.out" "$T/milter.log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/milter.log"; echo "FAIL: relayguard did not start"; exit 1; }
	sleep 0.1
done
export RG_SOCKET="inet:$mport@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest"

# phase NAME: run milter.lua for NAME, then match its expectations in order
phase() {
	start=$(wc -l < "$T/milter.log")
	if RG_PHASE=$1 "$MILTERTEST" -s "$top_srcdir/tests/ldap/milter.lua" > "$T/$1.mt" 2>&1; then
		ok "miltertest phase $1"
	else
		fail "miltertest phase $1: $(tail -3 "$T/$1.mt")"
	fi
	sleep 0.2	# let the last log line land; no assertion depends on timing
	tail -n +"$((start + 1))" "$T/milter.log" > "$T/$1.log"
	if python3 "$top_srcdir/tests/expect_log.py" "$top_srcdir/tests/ldap/milter.lua" "$T/$1.log" "$1"
	then ok "phase $1: log expectations"; else fail "phase $1: log expectations"; sed 's/^/    /' "$T/$1.log"; fi
}

phase up
stop_slapd A
sleep 1.2	# let the ttl = 1 cache entries go stale
phase down
if grep -E 'stage=rcpt' "$T/down.log" | grep -Eq 'reply="5'; then
	fail "a 5xx during the outage"; else ok "no 5xx during the outage"; fi
if grep -E 'action=accept stage=rcpt' "$T/down.log" | grep -v 'directory=stale' | grep -q .; then
	fail "an accept during the outage that was not a stale cache hit"
else
	ok "every accept during the outage was a stale cache hit"
fi
grep_log "$T/down.log" "ldap=down uri=$URI_A why="
restart_slapd A
sleep 5.5	# past the breaker's retry interval (5 s)
phase recovered
grep_log "$T/recovered.log" "ldap=up uri=$URI_A"
kill -0 "$MILTER_PID" 2>/dev/null && ok "relayguard survived" || fail "relayguard died"
no_secret "$T"/*.log "$T"/*.out "$T"/*.mt
finish
