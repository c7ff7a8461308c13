#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# systemd readiness (sd_notify): READY=1 comes only once the milter
# socket accepts connections; each SIGUSR1 gives RELOADING=1 then READY=1,
# for a good file and a refused one alike; SIGTERM gives STOPPING=1 and a
# clean exit; every message carries STATUS= with the policy file and the
# directory backend.  tests/notify_listen.py plays systemd's socket: it
# holds the daemon's first message back and checks the socket accepts
# meanwhile, so a READY=1 sent too early fails every time, not by luck.
. "$top_srcdir/tests/lib.sh"

command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/config.h" ||
	{ echo "SKIP: built without libsystemd (configure --with-systemd)"; exit 77; }

conf="$T/policy.conf"
write_policy "$conf"
msgs="$T/notify.log"
python3 "$top_srcdir/tests/notify_listen.py" "$T/notify" "$T/milter.sock" "$msgs" &
PIDS="$PIDS $!"
wait_for "$msgs" '^bound$' 100 || { echo "notify listener did not start"; exit 1; }

NOTIFY_SOCKET="$T/notify" "$RELAYGUARD" -f -c "$conf" -p "unix:$T/milter.sock" \
	>"$T/milter.out" 2>"$T/milter.log" &
pid=$!
PIDS="$PIDS $pid"

# count PATTERN: messages so far that match.
count() { grep -cE -- "$1" "$msgs"; }
# wait_count PATTERN N: wait up to 10 s for N matching messages.
wait_count() {
	for i in $(seq 100); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}
# nth N: the Nth message line (1-based).
nth() { grep '^msg ' "$msgs" | sed -n "${1}p"; }

if wait_for "$msgs" '^gate=' 150 && grep -qx 'gate=open' "$msgs"; then pass; else
	fail "the milter socket did not accept while READY=1 was held back (READY=1 before listen?)"; fi
if wait_for "$msgs" 'READY=1' 100; then pass; else fail "no READY=1 within 10 s: $(cat "$T/milter.log")"; fi
first=$(nth 1)
case $first in
*READY=1*connect=ok) pass ;;
*) fail "the first message is not READY=1 with the socket accepting: $first" ;;
esac
case $first in
*"STATUS=serving policy $conf, directory file"*) pass ;;
*) fail "READY=1 without STATUS= naming the policy and the backend: $first" ;;
esac

# A good reload: RELOADING=1, then READY=1.
kill -USR1 "$pid"
wait_count 'READY=1' 2 && pass || fail "no READY=1 after SIGUSR1"
second=$(nth 2) third=$(nth 3)
case $second in *RELOADING=1*"STATUS=reloading $conf"*) pass ;; *) fail "SIGUSR1: message 2 is not RELOADING=1: $second" ;; esac
case $third in *READY=1*"STATUS=serving policy $conf"*connect=ok) pass ;; *) fail "SIGUSR1: message 3 is not READY=1: $third" ;; esac

# A refused reload still ends with READY=1, and says so.
cp "$conf" "$T/policy.good"
printf 'auth = { relay = maybe; };\n' >"$conf"
kill -USR1 "$pid"
wait_count 'READY=1' 3 || fail "no READY=1 after the refused reload"
case $(nth 4) in *RELOADING=1*) pass ;; *) fail "bad reload: message 4 is not RELOADING=1: $(nth 4)" ;; esac
case $(nth 5) in *READY=1*"reload refused"*) pass ;; *) fail "bad reload: message 5 is not READY=1 with the refusal: $(nth 5)" ;; esac
cp "$T/policy.good" "$conf"

# SIGTERM: STOPPING=1, then a clean exit.
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then fail "relayguard still runs 10 s after SIGTERM"; kill -KILL "$pid"; fi
wait "$pid"; rc=$?
[ "$rc" -eq 0 ] && pass || fail "relayguard exited $rc after SIGTERM"
wait_count 'STOPPING=1' 1	# the listener may still be writing
last=$(grep '^msg ' "$msgs" | tail -1)
case $last in *STOPPING=1*) pass ;; *) fail "the last message is not STOPPING=1: $last" ;; esac
[ "$(count '^msg ')" -eq 6 ] && pass || fail "expected 6 messages, got: $(cat "$msgs")"

[ -n "${VERBOSE:-}" ] && cat "$msgs" "$T/milter.log"
finish
