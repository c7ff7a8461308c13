#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# The control socket and relayguard -S (issue 15, section 1):
#  - the socket is a unix socket, mode 0660, the daemon's user's;
#  - after a known sequence of miltertest transactions the counters are
#    exactly what that sequence decided, in text and in Prometheus form,
#    and the Prometheus form passes tests/promcheck.py;
#  - hostile clients (garbage, long lines, silent half-open connections,
#    many at once: tests/control_hostile.py) while the daemon keeps
#    serving mail, whose counters still come out exact;
#  - reloads, limits.connections refusals, a stale socket, a path that is
#    not a socket, the built-in default path, and -S's own errors.
. "$top_srcdir/tests/lib.sh"
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }

PROMCHECK="$top_srcdir/tests/promcheck.py"
HOSTILE="$top_srcdir/tests/control_hostile.py"
TRAFFIC="$top_srcdir/tests/control/traffic.lua"
CTL="$T/ctl.sock"
export RG_LUA_DIR="$top_srcdir/tests/miltertest"

# scrape: the Prometheus answer into $T/prom, checked for format.
scrape() {
	if ! "$RELAYGUARD" -S --control "${1:-$CTL}" --prometheus >"$T/prom" 2>"$T/prom.err"; then
		fail "-S --prometheus: $(cat "$T/prom.err")"
		return 1
	fi
	python3 "$PROMCHECK" "$T/prom" >"$T/promcheck.out" && return 0
	fail "promcheck: $(head -5 "$T/promcheck.out")"
	return 1
}

# want SERIES VALUE: one series of the last scrape has exactly VALUE.
want() {
	local got
	got=$(python3 "$PROMCHECK" "$T/prom" --get "$1")
	[ "$got" = "$2" ] && pass || fail "$1 = $got, want $2"
}

# settle: wait until no milter connection is open (close is asynchronous).
settle() {
	local i=0
	while [ $i -lt 50 ]; do
		scrape || return
		[ "$(python3 "$PROMCHECK" "$T/prom" --get relayguard_connections)" = 0 ] && return
		sleep 0.1
		i=$((i + 1))
	done
	fail "connections still open"
}

# traffic_counts N: the counters after N runs of traffic.lua.
traffic_counts() {
	local n=$1 d='relayguard_decisions_total'
	want relayguard_connections_total $((2 * n))
	want relayguard_connections 0
	want "$d{stage=\"connect\",action=\"accept\",reason=\"offsite\"}" "$n"
	want "$d{stage=\"connect\",action=\"accept\",reason=\"trusted\"}" "$n"
	want "$d{stage=\"helo\",action=\"accept\",reason=\"helo\"}" $((2 * n))
	want "$d{stage=\"mail\",action=\"accept\",reason=\"offsite\"}" "$n"
	want "$d{stage=\"mail\",action=\"accept\",reason=\"trusted\"}" "$n"
	want "$d{stage=\"rcpt\",action=\"reject\",reason=\"relay-denied\"}" "$n"
	want "$d{stage=\"rcpt\",action=\"accept\",reason=\"local\"}" "$n"
	want "$d{stage=\"rcpt\",action=\"reject\",reason=\"unknown-recipient\"}" "$n"
	want "$d{stage=\"rcpt\",action=\"accept\",reason=\"trusted\"}" "$n"
	want "$d{stage=\"data\",action=\"accept\",reason=\"data\"}" "$n"
	want 'relayguard_directory_lookups_total{backend="file",answer="found"}' "$n"
	want 'relayguard_directory_lookups_total{backend="file",answer="notfound"}' "$n"
	want 'relayguard_directory_lookups_total{backend="file",answer="error"}' 0
	# Nothing else was decided: ten series, no more.
	[ "$(grep -c '^relayguard_decisions_total{' "$T/prom")" = 10 ] && pass ||
		fail "decision series: $(grep '^relayguard_decisions_total{' "$T/prom" | tr '\n' ' ')"
}

traffic() {
	RG_SOCKET="inet:$port@127.0.0.1" "$MILTERTEST" -s "$TRAFFIC" >"$T/traffic.$1.out" 2>&1 ||
		{ fail "traffic.lua ($1): $(tail -3 "$T/traffic.$1.out")"; return 1; }
	pass
}

# --- the socket itself ----------------------------------------------------
write_policy "$T/policy.conf" "control = { socket = \"$CTL\"; };"
port=$(free_port)
start_milter "$T/policy.conf" "$port" "$T/milter.log"
[ -S "$CTL" ] && pass || fail "no socket at $CTL"
[ "$(stat -c %a "$CTL")" = 660 ] && pass || fail "mode $(stat -c %a "$CTL"), want 660"
[ "$(stat -c %u:%g "$CTL")" = "$(id -u):$(id -g)" ] && pass ||
	fail "owner $(stat -c %u:%g "$CTL"), want $(id -u):$(id -g)"
grep -q "control socket $CTL" "$T/milter.log" && pass || fail "no startup line for the socket"

# --- counters after a known sequence ---------------------------------------
scrape && want relayguard_connections_total 0
traffic first
settle
traffic_counts 1
want 'relayguard_reloads_total{result="accepted"}' 0
want "relayguard_policy_info{file=\"$T/policy.conf\"}" 1
"$RELAYGUARD" -S -c "$T/policy.conf" >"$T/text" 2>&1 || fail "-S (text): $(cat "$T/text")"
grep -qx 'connections now 0 total 2 refused_limit 0' "$T/text" && pass ||
	fail "text connections line: $(grep connections "$T/text")"
grep -qE '^  rcpt +reject +relay-denied +1$' "$T/text" && pass || fail "text decision line missing"
grep -qE '^  file +1 1 0 0$' "$T/text" && pass || fail "text lookup line: $(grep file "$T/text")"
grep -qx "policy $T/policy.conf since .*Z" "$T/text" && pass || fail "text policy line"
# Budgets off (tests/redis/milter.sh counts them on): off, no store, nothing counted, no text line.
want 'relayguard_budget_mode{mode="off"}' 1
want 'relayguard_budget_mode{mode="enforce"}' 0
want 'relayguard_budget_store{store="local"}' 0
want 'relayguard_budget_store{store="redis"}' 0
want relayguard_budget_admits_total 0
[ "$(grep -c '^relayguard_redis_' "$T/prom")" = 0 ] && pass || fail "a Redis server without budgets"
grep -q '^budgets ' "$T/text" && fail "budget lines with budgets off: $(grep '^budgets' "$T/text")" || pass

# --- hostile clients, mail served all along ---------------------------------
python3 "$HOSTILE" "$CTL" >"$T/hostile.out" 2>&1 &
hostile=$!
for i in 1 2 3 4 5; do traffic "during-$i"; done
wait "$hostile" && pass || fail "control_hostile.py: $(grep -v '^ok ' "$T/hostile.out")"
grep -c '^ok ' "$T/hostile.out" | grep -qx 16 && pass || fail "hostile checks: $(cat "$T/hostile.out")"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard died"
traffic after
settle
traffic_counts 7
# Refused requests are debug lines only: a local user cannot flood syslog.
grep -q 'control: refused' "$T/milter.log" && pass || fail "refused requests not logged at debug"

# --- reloads -----------------------------------------------------------------
kill -USR1 "$MILTER_PID"
wait_for "$T/milter.log" "reloaded $T/policy.conf" || fail "no reload"
cp "$T/policy.conf" "$T/good.conf"
echo 'mode = "sideways";' >>"$T/policy.conf"
kill -USR1 "$MILTER_PID"
wait_for "$T/milter.log" "reload refused: 1 error" || fail "bad reload not refused"
scrape
want 'relayguard_reloads_total{result="accepted"}' 1
want 'relayguard_reloads_total{result="refused"}' 1
"$RELAYGUARD" -S --control "$CTL" | grep -qE '^reloads accepted 1 refused 1 last_refused .*Z$' &&
	pass || fail "text reload line"
cp "$T/good.conf" "$T/policy.conf"

# --- -S's own errors -----------------------------------------------------------
"$RELAYGUARD" -S --control "$T/nothing.sock" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 69 ] && grep -q "cannot connect to $T/nothing.sock" "$T/err" && pass ||
	fail "-S without a daemon: exit $rc, $(cat "$T/err")"
write_policy "$T/off.conf" 'control = { socket = ""; };'
"$RELAYGUARD" -S -c "$T/off.conf" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 78 ] && grep -q 'control.socket is off' "$T/err" && pass || fail "-S, socket off: exit $rc"
"$RELAYGUARD" -S --bogus >/dev/null 2>&1; rc=$?
[ $rc = 64 ] && pass || fail "-S --bogus: exit $rc, want 64"
"$RELAYGUARD" -n -S >/dev/null 2>&1; rc=$?
[ $rc = 64 ] && pass || fail "-n -S: exit $rc, want 64"
write_policy "$T/long.conf" "control = { socket = \"/$(printf 'x%.0s' $(seq 1 120))\"; };"
"$RELAYGUARD" -n -c "$T/long.conf" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 78 ] && grep -q 'longer than a unix socket path' "$T/err" && pass ||
	fail "a too long control.socket: exit $rc, $(cat "$T/err")"
kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
[ ! -e "$CTL" ] && pass || fail "the socket was not removed at exit"

# --- limits.connections refusals ----------------------------------------------
write_policy "$T/limits.conf" "limits = { connections = 2; }; control = { socket = \"$CTL\"; };"
port=$(free_port)
start_milter "$T/limits.conf" "$port" "$T/limits.log"
RG_SOCKET="inet:$port@127.0.0.1" "$MILTERTEST" -s "$RG_LUA_DIR/limits.lua" >"$T/limits.out" 2>&1 &&
	pass || fail "limits.lua: $(tail -3 "$T/limits.out")"
settle
want relayguard_connections_refused_total 1
want relayguard_connections_total 4
kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null

# --- what may already be at the path --------------------------------------------
# A socket left by a daemon that died is replaced ...
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$CTL"
[ -S "$CTL" ] || fail "could not plant a stale socket"
port=$(free_port)
start_milter "$T/good.conf" "$port" "$T/stale.log"
scrape && pass
# ... a live one is not: a second daemon on the same path stops at startup.
port2=$(free_port)
"$RELAYGUARD" -f -c "$T/good.conf" -p "inet:$port2@127.0.0.1" >/dev/null 2>"$T/second.log"; rc=$?
[ $rc = 73 ] && grep -q 'another relayguard answers there' "$T/second.log" && pass ||
	fail "second daemon on a live control socket: exit $rc, $(cat "$T/second.log")"
scrape && pass	# and the first one still answers
kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
# A file that is not a socket is never removed.
echo precious >"$CTL"
"$RELAYGUARD" -f -c "$T/good.conf" -p "inet:$port2@127.0.0.1" >/dev/null 2>"$T/file.log"; rc=$?
[ $rc = 73 ] && grep -q 'is not a socket; refusing to remove it' "$T/file.log" &&
	[ "$(cat "$CTL")" = precious ] && pass || fail "a regular file at the path: exit $rc"
rm -f "$CTL"

# --- the built-in default, where it cannot be created, only warns ----------------
if [ ! -d /run/relayguard ]; then
	write_policy "$T/default.conf"
	port=$(free_port)
	start_milter "$T/default.conf" "$port" "$T/default.log"
	grep -q 'control socket: /run/relayguard/control.sock: .*relayguard -S will not answer' \
	    "$T/default.log" && pass || fail "no warning for the unusable default path"
	kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
fi

# --- as root: created after the privilege drop, so the daemon user's ------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -m 1777 "$T/run"
	write_policy "$T/drop.conf" "control = { socket = \"$T/run/ctl.sock\"; };"
	chmod 755 "$T"
	port=$(free_port)
	"$RELAYGUARD" -f -c "$T/drop.conf" -u nobody:nogroup -p "inet:$port@127.0.0.1" \
	    >"$T/drop.out" 2>"$T/drop.log" &
	MILTER_PID=$!
	PIDS="$PIDS $MILTER_PID"
	wait_for "$T/drop.out" "listening on" 100 || fail "no start with -u: $(cat "$T/drop.log")"
	[ "$(stat -c %U:%G:%a "$T/run/ctl.sock")" = nobody:nogroup:660 ] && pass ||
		fail "socket after -u nobody: $(stat -c %U:%G:%a "$T/run/ctl.sock")"
	scrape "$T/run/ctl.sock" && pass
	kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
	chmod 700 "$T"
fi
finish
