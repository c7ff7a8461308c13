#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# ldap.sh - relayguard -S with the LDAP backend against a real slapd:
# lookups and cache counters, each URI's state, failures and search
# histogram, through an outage and a recovery.  URIs: one nobody listens
# on (D), then slapd (A).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
if [ -z "${MILTERTEST:-}" ]; then MILTERTEST=$(command -v miltertest || :); fi
[ -n "$MILTERTEST" ] && [ -x "$MILTERTEST" ] ||
    { echo "SKIP: miltertest not installed (Debian package miltertest)"; exit 77; }
PROMCHECK="$top_srcdir/tests/promcheck.py"

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
URI_D="ldap://127.0.0.1:$(free_port)/"
write_conf "$T/policy.conf" "$URI_D" "$URI_A"
echo "control = { socket = \"$T/ctl.sock\"; };" >> "$T/policy.conf"

mport=$(free_port)
"$RELAYGUARD" -f -v -c "$T/policy.conf" -p "inet:$mport@127.0.0.1" \
    > "$T/milter.out" 2> "$T/milter.log" &
echo $! > "$T/milter.stallpid"	# cleanup() kills *.stallpid
i=0
until grep -q "listening on" "$T/milter.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$T/milter.log"; echo "FAIL: relayguard did not start"; exit 1; }
	sleep 0.1
done
export RG_SOCKET="inet:$mport@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest"

phase() {
	start=$(wc -l < "$T/milter.log")
	if RG_PHASE=$1 "$MILTERTEST" -s "$top_srcdir/tests/control/ldap.lua" > "$T/$1.mt" 2>&1
	then ok "miltertest phase $1"; else fail "phase $1: $(tail -3 "$T/$1.mt")"; fi
	sleep 0.2
	tail -n +"$((start + 1))" "$T/milter.log" > "$T/$1.log"
	if python3 "$top_srcdir/tests/expect_log.py" "$top_srcdir/tests/control/ldap.lua" "$T/$1.log" "$1"
	then ok "phase $1: log"; else fail "phase $1: log"; sed 's/^/    /' "$T/$1.log"; fi
	if "$RELAYGUARD" -S --control "$T/ctl.sock" --prometheus > "$T/$1.prom" 2>"$T/$1.err" &&
	    python3 "$PROMCHECK" "$T/$1.prom" > "$T/$1.check"
	then ok "phase $1: prometheus"; else fail "phase $1: $(cat "$T/$1.err" "$T/$1.check")"; fi
	PROM=$T/$1.prom
}

# is SERIES VALUE
is() {
	got=$(python3 "$PROMCHECK" "$PROM" --get "$1")
	if [ "$got" = "$2" ]; then ok "$1 = $2"; else fail "$1 = $got, want $2"; fi
}

L='relayguard_directory_lookups_total{backend="ldap",answer'
H='relayguard_ldap_search_duration_seconds'
phase up
is "$L=\"found\"}" 2
is "$L=\"notfound\"}" 1
is "$L=\"error\"}" 0
is relayguard_cache_hits_total 1
is relayguard_cache_misses_total 2
# alice: one search; nobody: the recipient search, then the list search.
is "${H}_count{uri=\"$URI_A\"}" 3
is "${H}_bucket{uri=\"$URI_A\",le=\"+Inf\"}" 3
is "${H}_count{uri=\"$URI_D\"}" 0
is "relayguard_ldap_failures_total{uri=\"$URI_D\"}" 1
is "relayguard_ldap_failures_total{uri=\"$URI_A\"}" 0
is "relayguard_ldap_state{uri=\"$URI_D\",state=\"up\"}" 1
is "relayguard_ldap_state{uri=\"$URI_A\",state=\"up\"}" 1
"$RELAYGUARD" -S --control "$T/ctl.sock" > "$T/up.text"
if grep -q "^ldap $URI_A state up failures 0 searches 3 " "$T/up.text"
then ok "text ldap line"; else fail "text ldap line: $(grep '^ldap' "$T/up.text")"; fi

stop_slapd A
phase down
is "$L=\"error\"}" 2
is "relayguard_ldap_state{uri=\"$URI_D\",state=\"down\"}" 1
is "relayguard_ldap_state{uri=\"$URI_A\",state=\"down\"}" 1
is "relayguard_ldap_state{uri=\"$URI_A\",state=\"up\"}" 0
is "relayguard_ldap_failures_total{uri=\"$URI_D\"}" 2
is "relayguard_ldap_failures_total{uri=\"$URI_A\"}" 2
is 'relayguard_decisions_total{stage="rcpt",action="tempfail",reason="directory-unavailable"}' 2

restart_slapd A
sleep 5.5	# RG_LDAP_RETRY_INTERVAL: the breaker lets one probe through
phase back
is "relayguard_ldap_state{uri=\"$URI_A\",state=\"up\"}" 1
is "relayguard_ldap_state{uri=\"$URI_D\",state=\"down\"}" 1
is "$L=\"found\"}" 3
finish
