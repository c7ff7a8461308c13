#!/bin/bash
# Reload under traffic: SIGUSR1 with a good file changes the policy for
# new connections only; with a bad file it logs FILE:LINE and keeps the
# old policy; the daemon never exits.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed"; exit 1; }

conf="$T/policy.conf"
write_policy "$conf"
port=$(free_port)
start_milter "$conf" "$port" "$T/milter.log"
export RG_SOCKET="inet:$port@127.0.0.1" RG_LUA_DIR="$top_srcdir/tests/miltertest"

# The helper the Lua script calls: swap the file, signal, wait for the verdict.
cat >"$T/reload" <<SH
#!/bin/bash
n=\$(grep -cE 'reloaded|reload refused: [0-9]+ error' "$T/milter.log")
if [ "\$1" = good ]; then
	sed 's|trusted = \[ "192.0.2.0/24"|trusted = [ "198.51.100.0/24", "192.0.2.0/24"|' "$T/policy.a" >"$conf"
else
	printf 'networks = { trusted = [ "10.0.0.0/33" ]; };\nauth = { relay = maybe; };\n' >"$conf"
fi
kill -USR1 $MILTER_PID
for i in \$(seq 100); do
	[ \$(grep -cE 'reloaded|reload refused: [0-9]+ error' "$T/milter.log") -gt \$n ] && exit 0
	sleep 0.1
done
exit 1
SH
chmod +x "$T/reload"
cp "$conf" "$T/policy.a"
export RG_RELOAD="$T/reload"

# Traffic in the background while the reloads happen.
( for i in 1 2 3 4; do "$MILTERTEST" -s "$RG_LUA_DIR/traffic.lua" || exit 1; done ) >"$T/traffic.out" 2>&1 &
traffic=$!
if "$MILTERTEST" -s "$RG_LUA_DIR/reload.lua" >"$T/reload.out" 2>&1; then pass; else
	fail "reload.lua: $(tail -3 "$T/reload.out")"; fi
if wait $traffic; then pass; else fail "traffic during reload: $(tail -3 "$T/traffic.out")"; fi

# The refusal names the file and line of each error.
grep -qE "reload refused: $conf:2: " "$T/milter.log" && pass || fail "no FILE:LINE for the bad reload"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard exited on a bad reload"
[ -n "${VERBOSE:-}" ] && cat "$T/milter.log"
finish
