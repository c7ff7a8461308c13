#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
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

# A FIFO named by the config must not hang the reload thread: each such
# reload is refused at once, and the next good one still goes through.
mkfifo "$T/fifo"
reload_with() {	# FILE PATTERN: install FILE, SIGUSR1, wait for PATTERN in the log
	local from
	from=$(($(wc -l <"$T/milter.log") + 1))
	cp "$1" "$conf"
	kill -USR1 "$MILTER_PID"
	for i in $(seq 50); do
		tail -n "+$from" "$T/milter.log" | grep -qE 'reloaded|reload refused: [0-9]+ error' && break
		sleep 0.1
	done
	tail -n "+$from" "$T/milter.log" | grep -qE -- "$2"
}
sed "s|^directory = .*|directory = { backend = \"file\"; file = \"$T/fifo\"; };|" "$T/policy.a" >"$T/fifo-dir.conf"
reload_with "$T/fifo-dir.conf" "reload refused: $T/fifo:0: is a FIFO, not a regular file" && pass ||
	fail "a FIFO as directory.file: reload not refused at once"
sed "s|^directory = .*|directory = { backend = \"ldap\"; ldap = { uris = [ \"ldap://127.0.0.1:1\" ]; base = \"dc=example,dc=edu\"; bind_dn = \"cn=rg,dc=example,dc=edu\"; bind_password_file = \"$T/fifo\"; }; };|" \
    "$T/policy.a" >"$T/fifo-secret.conf"
reload_with "$T/fifo-secret.conf" "reload refused: $conf:[0-9]+: bind_password_file \"$T/fifo\": is a FIFO" &&
	pass || fail "a FIFO as bind_password_file: reload not refused at once"
reload_with "$T/policy.a" "reloaded $conf" && pass || fail "no good reload after the FIFOs"
# A good reload logs the file's warnings (write_policy's expired exception has no networks).
grep -qF "reload: $conf:10: warning: legacy exception for \"old@example.edu\" has no \"networks\"" \
    "$T/milter.log" && pass || fail "a reload did not log the file's warnings"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard exited on a FIFO reload"
kill "$MILTER_PID"

# Daemon mode with a relative -c, -P and directory.file: the daemon
# changes to /, and a reload must still find every file.
rel="$T/rel"
mkdir "$rel"
cp "$top_srcdir/etc/directory.conf" "$rel/directory.conf"
write_policy "$rel/policy.conf"
sed -i 's|^directory = { backend = "file"; file = "[^"]*"|directory = { backend = "file"; file = "directory.conf"|' \
    "$rel/policy.conf"
pidname="rg-reload-$$.pid"
port=$(free_port)
( cd "$rel" && "$RELAYGUARD" -c policy.conf -p "inet:$port@127.0.0.1" -P "$pidname" ) 2>"$T/rel.err" &&
	pass || fail "daemon with a relative -c did not start"
for i in $(seq 50); do [ -s "$rel/$pidname" ] && break; sleep 0.1; done
dpid=$(cat "$rel/$pidname" 2>/dev/null)
# The old code wrote a relative -P after changing to /.
[ -z "$dpid" ] && [ -s "/$pidname" ] && { dpid=$(cat "/$pidname"); rm -f "/$pidname"; }
[ -n "$dpid" ] && PIDS="$PIDS $dpid"
[ -s "$rel/$pidname" ] && pass || fail "relative -P is not in the directory it was given in"
export RG_SOCKET="inet:$port@127.0.0.1"
# relay.lua: one connection from 198.51.100.7 relays to victim.example;
# RG_WANT says whether the policy in force lets it.
cat >"$T/relay.lua" <<'LUA'
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local c = rg.open("198.51.100.7", "unknown", "x")
rg.mail(c, "<a@x.example>")
rg.rcpt(c, "<u@victim.example>")
if os.getenv("RG_WANT") == "pass" then rg.passed(c, "relay") else rg.refused(c, "relay") end
mt.disconnect(c)
LUA
RG_WANT=refuse "$MILTERTEST" -s "$T/relay.lua" >"$T/rel.out" 2>&1 && pass ||
	fail "relative -c, before the reload: $(tail -3 "$T/rel.out")"
sed -i 's|trusted = \[ "192.0.2.0/24"|trusted = [ "198.51.100.0/24", "192.0.2.0/24"|' "$rel/policy.conf"
kill -USR1 "$dpid" 2>/dev/null || fail "no daemon to signal"
ok=
for i in $(seq 30); do
	RG_WANT=pass "$MILTERTEST" -s "$T/relay.lua" >"$T/rel.out" 2>&1 && { ok=1; break; }
	sleep 0.1
done
[ -n "$ok" ] && pass || fail "relative -c: the reload was not accepted: $(tail -3 "$T/rel.out")"
kill -0 "$dpid" 2>/dev/null && pass || fail "the daemon exited on a reload"

# A relative unix: -p is created where it was given, not in /.
sockname="rg-$$.sock" upidname="rg-unix-$$.pid"
( cd "$rel" && "$RELAYGUARD" -c policy.conf -p "unix:$sockname" -P "$upidname" ) 2>>"$T/rel.err"
for i in $(seq 50); do [ -S "$rel/$sockname" ] && break; sleep 0.1; done
upid=$(cat "$rel/$upidname" 2>/dev/null || cat "/$upidname" 2>/dev/null)
[ -n "$upid" ] && PIDS="$PIDS $upid"
[ -S "$rel/$sockname" ] && pass || fail "relative unix: -p is not in the directory it was given in"
rm -f "/$sockname" "/$upidname"	# where the old code put them
[ -n "${VERBOSE:-}" ] && cat "$T/milter.log"
finish
