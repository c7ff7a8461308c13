#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Drive the real daemon over the milter protocol with miltertest, then
# check that each script's "-- expect:" regexes match relayguard's log
# lines, in order.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }

write_policy "$T/policy.conf"
port=$(free_port)
start_milter "$T/policy.conf" "$port" "$T/milter.log"
export RG_SOCKET="inet:$port@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest"

# run SCRIPT LOG: one script against the milter logging to LOG.
run() {
	local lua="$top_srcdir/tests/miltertest/$1.lua" start
	start=$(wc -l <"$2")
	if ! "$MILTERTEST" -s "$lua" >"$T/$1.out" 2>&1; then
		fail "$1.lua: $(tail -3 "$T/$1.out")"
		return
	fi
	sleep 0.2	# let the last log write land; correctness does not depend on it
	tail -n +"$((start + 1))" "$2" >"$T/$1.log"
	python3 "$top_srcdir/tests/expect_log.py" "$lua" "$T/$1.log" && pass ||
		fail "$1.lua: log expectations"
}

for script in postfix sendmail hostile data; do
	run "$script" "$T/milter.log"
done
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard died"

# limits.connections, on a milter of its own.
write_policy "$T/limits.conf" 'limits = { connections = 2; };'
port=$(free_port)
start_milter "$T/limits.conf" "$port" "$T/limits-milter.log"
RG_SOCKET="inet:$port@127.0.0.1" run limits "$T/limits-milter.log"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard died"
# recipients.unsafe_at = "end-of-data", on a milter of its own.
write_policy "$T/eod.conf"
sed -i 's/^recipients = { verify = true; };/recipients = { verify = true; unsafe_at = "end-of-data"; };/' "$T/eod.conf"
grep -q 'unsafe_at = "end-of-data"' "$T/eod.conf" || fail "eod.conf: the recipients line moved"
port=$(free_port)
start_milter "$T/eod.conf" "$port" "$T/eod-milter.log"
RG_SOCKET="inet:$port@127.0.0.1" run eod "$T/eod-milter.log"
finish
