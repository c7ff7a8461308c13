#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# budgets.on_error in the real daemon, with the Redis store on a unix
# socket nobody serves (no redis-server needed: relayguard -T always
# counts in a private local store, so only a daemon reaches this path):
#  - on_error = "off": nothing counts while Redis cannot answer, so a
#    login sends past budgets.messages; each accepted RCPT's line says
#    budget_store=none, none says login-budget; redis=down is logged;
#  - on_error = "local" (the control): the same sessions count locally,
#    so the message past the limit gets 451 4.7.1, and the lines say
#    budget_store=local-fallback.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }
export RG_LUA_DIR="$top_srcdir/tests/miltertest"

n=0
# send LOGIN EXPECT: one session, one message per letter (a accepted, t 451).
send() {
	n=$((n + 1))
	if RG_SOCKET="inet:$port@127.0.0.1" RG_LOGIN=$1 RG_FROM="<$1@example.edu>" RG_TAG="E${n}x" \
	    RG_EXPECT=$2 "$MILTERTEST" -s "$top_srcdir/tests/redis/send.lua" >"$T/send.$n.out" 2>&1; then
		pass
	else
		fail "session $n ($3): $1 sending, wanted $2: $(grep -E 'got|want|error' "$T/send.$n.out" | head -3)"
	fi
}

for on_error in off local; do
	log="$T/milter-$on_error.log"
	write_policy "$T/$on_error.conf" "budgets = { mode = \"enforce\"; window = 3600; messages = 2;
  recipients = 1000; domains = 100; backend = \"redis\"; on_error = \"$on_error\";
  redis = { uri = \"unix:$T/nobody.sock\"; timeout = 0.2; retry_interval = 60; }; };"
	port=$(free_port)
	start_milter "$T/$on_error.conf" "$port" "$log"
	if [ "$on_error" = off ]; then
		send alice aaaaa "on_error off"
	else
		send alice aatt "on_error local"
	fi
	kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
	grep -q "redis=down uri=unix:$T/nobody.sock" "$log" && pass ||
		fail "on_error $on_error: no redis=down: $(grep -i redis "$log" | head -3)"
	accepted=$(grep -cE 'action=accept stage=rcpt reason=authenticated .*rcpt=<friend' "$log")
	if [ "$on_error" = off ]; then
		[ "$accepted" -eq 5 ] && pass || fail "on_error off: $accepted accepted RCPT lines, want 5"
		[ "$(grep -E 'action=accept stage=rcpt .*rcpt=<friend' "$log" | grep -c ' budget_store=none')" -eq 5 ] &&
			pass || fail "on_error off: not every accepted RCPT says budget_store=none: $(grep 'stage=rcpt' "$log" | head -3)"
		grep -q 'budget_used=' "$log" && fail "on_error off: something was counted: $(grep budget_used= "$log" | head -2)" || pass
		grep -q 'reason=login-budget' "$log" && fail "on_error off: a budget refusal: $(grep login-budget "$log" | head -2)" || pass
	else
		[ "$accepted" -eq 2 ] && pass || fail "on_error local: $accepted accepted RCPT lines, want 2"
		[ "$(grep -E 'action=accept stage=rcpt .*rcpt=<friend' "$log" | grep -c ' budget_store=local-fallback')" -eq 2 ] &&
			pass || fail "on_error local: accepted RCPTs lack budget_store=local-fallback"
		[ "$(grep -c 'action=tempfail stage=rcpt reason=login-budget .*budget=messages' "$log")" -eq 2 ] &&
			pass || fail "on_error local: want 2 login-budget tempfails: $(grep login-budget "$log" | head -2)"
		grep -q 'budget_store=none' "$log" && fail "on_error local: budget_store=none logged" || pass
	fi
done
finish
