#!/bin/bash
# Drive the real daemon over the milter protocol with miltertest, then
# check that each script's "-- expect:" regexes match relayguard's log
# lines, in order.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }

write_policy "$T/policy.conf"
port=$(free_port)
start_milter "$T/policy.conf" "$port" "$T/milter.log"
export RG_SOCKET="inet:$port@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest"

for script in postfix sendmail hostile data; do
	lua="$top_srcdir/tests/miltertest/$script.lua"
	start=$(wc -l <"$T/milter.log")
	if ! "$MILTERTEST" -s "$lua" >"$T/$script.out" 2>&1; then
		fail "$script.lua: $(tail -3 "$T/$script.out")"
		continue
	fi
	sleep 0.2	# let the last log write land; correctness does not depend on it
	tail -n +"$((start + 1))" "$T/milter.log" >"$T/$script.log"
	python3 "$top_srcdir/tests/expect_log.py" "$lua" "$T/$script.log" && pass ||
		fail "$script.lua: log expectations"
done
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard died"
finish
