#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Sending budgets with the local store, in the real daemon over the milter
# protocol (miltertest, tests/redis/send.lua: one authenticated session,
# one message per letter of EXPECT):
#  - the message past budgets.messages gets 451 4.7.1 (reason=login-budget
#    budget=messages used= limit= window= login=, alert=budget once);
#  - a reload that keeps window and max_logins keeps the counts, under
#    the new limit; one that changes the window starts from zero;
#  - monitor mode refuses nothing and logs would-tempfail;
#  - a reload with a broken budgets group is refused with FILE:LINE, and
#    the daemon and its counts carry on.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }
export RG_LUA_DIR="$top_srcdir/tests/miltertest"

conf="$T/policy.conf"
# budgets MESSAGES [WINDOW [MODE]]: install a policy with those budgets.
budgets() {
	write_policy "$conf" "budgets = { mode = \"${3:-enforce}\"; window = ${2:-3600}; messages = $1;
  recipients = 1000; domains = 100; backend = \"local\"; };"
}

n=0
# send LOGIN EXPECT: one session, one message per letter (a accepted, t 451).
send() {
	n=$((n + 1))
	if RG_SOCKET="inet:$port@127.0.0.1" RG_LOGIN=$1 RG_FROM="<$1@example.edu>" RG_TAG="B${n}x" \
	    RG_EXPECT=$2 "$MILTERTEST" -s "$top_srcdir/tests/redis/send.lua" >"$T/send.$n.out" 2>&1; then
		pass
	else
		fail "session $n: $1 sending, wanted $2: $(grep -E 'got|want|error' "$T/send.$n.out" | head -3)"
	fi
}

# reload: SIGUSR1, then wait for the daemon's verdict on it.
reloads=0
reload() {
	reloads=$((reloads + 1))
	kill -USR1 "$MILTER_PID"
	for _ in $(seq 100); do
		[ "$(grep -cE 'reloaded |reload refused: [0-9]+ error' "$T/milter.log")" -ge "$reloads" ] && return 0
		sleep 0.1
	done
	fail "reload $reloads: no verdict in the log"
}

# lines REGEX: how many log lines match.
lines() { grep -cE -- "$1" "$T/milter.log"; }

budgets 3
port=$(free_port)
start_milter "$conf" "$port" "$T/milter.log"

# Three messages pass; the fourth is the crossing, the fifth a later refusal.
send alice aaatt
[ "$(lines 'reason=login-budget .*budget=messages used=3 limit=3 window=3600 login=alice alert=budget')" -eq 1 ] &&
	pass || fail "the crossing is not logged once with alert=budget: $(grep login-budget "$T/milter.log")"
[ "$(lines 'reason=login-budget .*reply="451 4.7.1 This account has reached its sending limit')" -eq 2 ] &&
	pass || fail "two refusals with 451 4.7.1 expected: $(grep login-budget "$T/milter.log")"
[ "$(lines 'alert=budget')" -eq 1 ] && pass || fail "alert=budget logged more than once"
# Another login has a budget of its own.
send bob aaat

# Reload, same window: alice keeps her 3, the new limit 5 lets 2 more through.
budgets 5
reload
grep -q "reloaded " "$T/milter.log" && pass || fail "the reload was refused: $(tail -3 "$T/milter.log")"
send alice aat

# A broken budgets group: refused with FILE:LINE, the old policy and counts stay.
write_policy "$conf" 'budgets = {
  mode = "sometimes";
};'
reload
grep -qE "reload refused: $conf:[0-9]+: .*\"sometimes\" is not a valid mode" "$T/milter.log" && pass ||
	fail "no FILE:LINE for the broken budgets group: $(grep 'reload refused' "$T/milter.log")"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard exited on a bad reload"
send alice t

# Another window: a store of its own, counting from zero.
budgets 5 600
reload
send alice aaaaat
grep -qE 'budget=messages used=5 limit=5 window=600 login=alice alert=budget' "$T/milter.log" && pass ||
	fail "no crossing in the new window: $(grep login-budget "$T/milter.log" | tail -2)"

# Monitor: nothing refused, the would-be refusals logged.
budgets 5 600 monitor
reload
send alice aa
[ "$(lines 'action=would-tempfail stage=rcpt reason=login-budget .*login=alice')" -eq 2 ] && pass ||
	fail "monitor mode did not log would-tempfail twice: $(grep would-tempfail "$T/milter.log")"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard is no longer running"
finish
