#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -S -c FILE reads control.socket and nothing else of FILE: an
# operator in the daemon's group, who may use the socket but not read the
# password files, still gets an answer (the shipped textfile timer runs
# -S that way).  A broken control group is still an error, as FILE:LINE.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
write_policy "$T/daemon.conf" "control = { socket = \"$T/ctl.sock\"; };"
start_milter "$T/daemon.conf" "$port" "$T/milter.log"

# The same file with a password file that cannot be read: the daemon
# would refuse it, -S must not care.
secrets='budgets = { mode = "enforce"; backend = "redis"; messages = 10;
  redis = { uri = "unix:'"$T"'/no-redis.sock"; password_file = "'"$T"'/unreadable/secret"; }; };'
write_policy "$T/operator.conf" "control = { socket = \"$T/ctl.sock\"; };
$secrets"
if "$RELAYGUARD" -n -c "$T/operator.conf" >"$T/n.out" 2>&1; then
	fail "-n accepted a password file that does not exist (the test proves nothing)"
else
	grep -q 'password_file' "$T/n.out" && pass || fail "-n: $(cat "$T/n.out")"
fi
"$RELAYGUARD" -S -c "$T/operator.conf" >"$T/S.out" 2>"$T/S.err" && pass ||
	fail "-S -c with an unreadable password file: $(cat "$T/S.err")"
grep -q "^policy $T/daemon.conf since " "$T/S.out" && grep -q '^connections now 0 ' "$T/S.out" && pass ||
	fail "-S printed: $(head -5 "$T/S.out")"
"$RELAYGUARD" -S -c "$T/operator.conf" --prometheus >"$T/prom" 2>"$T/prom.err" &&
	grep -q '^relayguard_connections_total ' "$T/prom" && pass ||
	fail "-S --prometheus -c: $(cat "$T/prom.err")"

# A relative control.socket is anchored at the file's directory, as the daemon does.
mkdir "$T/etc"
write_policy "$T/etc/rel.conf" "control = { socket = \"../ctl.sock\"; };
$secrets"
(cd / && "$RELAYGUARD" -S -c "$T/etc/rel.conf") >"$T/rel.out" 2>"$T/rel.err" && pass ||
	fail "-S with a relative control.socket: $(cat "$T/rel.err")"

# The control group itself is still checked, with its file and line.
write_policy "$T/bad.conf" "control = { socket = 5; sockets = \"x\"; };"
"$RELAYGUARD" -S -c "$T/bad.conf" >"$T/bad.out" 2>"$T/bad.err"; rc=$?
[ $rc = 78 ] && pass || fail "-S on a broken control group exited $rc, want 78 (EX_CONFIG)"
grep -q "^$T/bad.conf:[0-9]*: .*socket" "$T/bad.err" && pass || fail "no FILE:LINE for control.socket: $(cat "$T/bad.err")"
grep -q "sockets" "$T/bad.err" && pass || fail "unknown key control.sockets not reported: $(cat "$T/bad.err")"
# Off is said, not tried.
write_policy "$T/off.conf" 'control = { socket = ""; };'
"$RELAYGUARD" -S -c "$T/off.conf" >"$T/off.out" 2>"$T/off.err"; rc=$?
[ $rc = 78 ] && grep -q 'control.socket is off' "$T/off.err" && pass ||
	fail "-S with control.socket = \"\": rc=$rc $(cat "$T/off.err")"

# The built-in path only warns when it cannot be made, written out or not,
# so the -n -p output of a file that does not set it starts the same way.
if [ ! -d /run/relayguard ]; then
	write_policy "$T/nosock.conf"
	"$RELAYGUARD" -n -p -c "$T/nosock.conf" >"$T/printed.conf" 2>"$T/printed.err" ||
		fail "-n -p: $(cat "$T/printed.err")"
	grep -q '^	socket = "/run/relayguard/control.sock";' "$T/printed.conf" && pass ||
		fail "-n -p does not write the built-in control.socket out"
	for c in nosock printed; do
		port=$(free_port)
		start_milter "$T/$c.conf" "$port" "$T/$c.log"
		grep -q 'control socket: /run/relayguard/control.sock: .*relayguard -S will not answer' \
		    "$T/$c.log" && pass || fail "$c.conf: no warning for the unusable built-in path"
		kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "$c.conf: the daemon stopped"
		kill "$MILTER_PID"; wait "$MILTER_PID" 2>/dev/null
	done
fi

finish
