#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# The control socket under hostile clients while the daemon serves a
# continuous mail load (issue 15, "the daemon keeps serving mail
# meanwhile").  tests/control/run.sh checks exact counters around a few
# miltertest sessions; here bench/loadgen keeps 2 milter sessions in
# flight (3 RCPTs each: a local mailbox, an off-site relay attempt, an
# unknown local user) from before tests/control_hostile.py starts until
# after it ends, in back-to-back 0.5 s segments, each judging every reply.
# Asserted:
#  - every hostile check passes and the daemon lives;
#  - no mail session failed, timed out, hit a protocol or connect error,
#    or got a reply other than the expected one (loadgen -x; a tempfail
#    counts as wrong);
#  - every expected reply arrived: the daemon's own counters show one
#    CONNECT, HELO and MAIL decision and 3 RCPT decisions per milter
#    connection, only the expected kinds, and loadgen's right replies
#    equal the daemon's decisions that have a reply (MAIL, RCPT, DATA),
#    so no session was cut short unseen;
#  - RCPT latency while half-open clients hold control slots (from the
#    "crlf" check to "idle-timeout": slots filled, extra clients told
#    busy, idle ones timed out) stays bounded: p99 of every load segment
#    overlapping that phase under 1 s.  1 s is generous (RCPTs take a few
#    ms here even on a busy 2-core machine) yet half of
#    RG_CONTROL_TIMEOUT (2 s), so a mail thread that waited for a silent
#    control client until its timeout cannot pass.
. "$top_srcdir/tests/lib.sh"
LOADGEN="$top_builddir/bench/loadgen"
[ -x "$LOADGEN" ] || { echo "$LOADGEN is not built (make bench/loadgen)"; exit 1; }
PROMCHECK="$top_srcdir/tests/promcheck.py"
HOSTILE="$top_srcdir/tests/control_hostile.py"
CTL="$T/ctl.sock"
LOAD_S=14	# seconds of load: the hostile run takes about 9
BOUND_US=1000000	# RCPT p99 bound during the half-open phase

write_policy "$T/policy.conf" "control = { socket = \"$CTL\"; };"
port=$(free_port)
# Not start_milter: without -v, so that the load does not fill the log.
"$RELAYGUARD" -f -c "$T/policy.conf" -p "inet:$port@127.0.0.1" >"$T/milter.out" 2>"$T/milter.log" &
MILTER_PID=$!
PIDS="$PIDS $MILTER_PID"
wait_for "$T/milter.out" "listening on" 100 || { cat "$T/milter.log"; echo "relayguard did not start"; exit 1; }

# --- the load: one loadgen run, from 1 s before the hostile clients -------
# One run, not several short ones: a reply that comes after a run's
# measured window ends is not timed, so short runs would hide a stall.
"$LOADGEN" -s "inet:$port@127.0.0.1" -c 2 -d "$LOAD_S" -w 0 -k 3 -t 10 -T never \
    -L "$T/timeline" -r alice@example.edu -x 2 -r u@victim.example -x '550 5.7.1' \
    -r nobody@example.edu -x '550 5.1.1' >"$T/load.out" 2>"$T/load.err" &
loader=$!
PIDS="$PIDS $loader"
load_t0=$(date +%s.%N)
sleep 1

# --- the hostile clients, each line stamped with the time it came ---------
python3 - "$HOSTILE" "$CTL" >"$T/hostile.out" 2>&1 <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.executable] + sys.argv[1:], stdout=subprocess.PIPE,
                     stderr=subprocess.STDOUT)
print("t=%.6f start" % time.time(), flush=True)
for line in p.stdout:
    print("t=%.6f %s" % (time.time(), line.decode("utf-8", "replace").rstrip("\n")), flush=True)
rc = p.wait()
print("t=%.6f end" % time.time(), flush=True)
sys.exit(rc)
PY
rc=$?
[ $rc = 0 ] && pass || fail "control_hostile.py: exit $rc: $(grep -v ' ok ' "$T/hostile.out")"
[ "$(grep -c '^t=[0-9.]* ok ' "$T/hostile.out")" = 16 ] &&
	grep -q '^t=[0-9.]* end$' "$T/hostile.out" && pass ||
	fail "hostile checks: $(cat "$T/hostile.out")"
wait "$loader"
rc=$?
[ $rc = 0 ] && pass || fail "loadgen: exit $rc: $(head -5 "$T/load.err")"
kill -0 "$MILTER_PID" 2>/dev/null && pass || fail "relayguard died"

# --- judge the load ------------------------------------------------------------
python3 - "$T/load.out" "$T/timeline" "$T/hostile.out" "$load_t0" "$LOAD_S" "$BOUND_US" \
    >"$T/judged" 2>&1 <<'PY'
import re, sys
out, timeline, hostile, t0, load_s, bound = sys.argv[1:7]
t0, load_s, bound = float(t0), float(load_s), float(bound)
kv = dict(re.findall(r"(\w+)=(\S+)", open(out).read()))
ticks = [dict(re.findall(r"(\w+)=(\S+)", l)) for l in open(timeline)]
stamps = {}
for line in open(hostile):
    m = re.match(r"t=([0-9.]+) (?:ok |not )?(\S+)", line)
    if m:
        stamps.setdefault(m.group(2), float(m.group(1)))
bad = 0
def report(ok, what):
    global bad
    print(("ok " if ok else "not ") + what)
    bad += not ok
h_start, h_end = stamps.get("start"), stamps.get("end")
report(h_start is not None and h_end is not None and h_end < t0 + load_s,
       "the load (%.1f s) outlasts the hostile run (%s..%s from %.1f)" %
       (load_s, h_start, h_end, t0))
fails = {k: kv.get(k) for k in ("failed", "timeouts", "proto_errors", "connect_errors",
                                "expect_bad", "expect_tempfail", "rcpt_4xx", "early_end")}
report(all(v == "0" for v in fails.values()) and int(kv.get("sessions", 0)) >= 100,
       "load: sessions=%s %s" % (kv.get("sessions"), " ".join("%s=%s" % i for i in fails.items())))
p99, mx = float(kv.get("rcpt_p99_us", 1e12)), float(kv.get("rcpt_max_us", 1e12))
report(p99 < bound and mx < bound,
       "RCPT latency p99 %.0f us, max %.0f us over the whole run, bound %.0f us" % (p99, mx, bound))
# The half-open phase: after "crlf", until the idle clients timed out.
h0, h1 = stamps.get("crlf"), stamps.get("idle-timeout")
report(h0 is not None and h1 is not None and h1 - h0 > 1.5,
       "half-open phase stamped (%s..%s)" % (h0, h1))
if h0 is None or h1 is None:
    h0, h1 = h_start or t0, h_end or t0 + load_s
# A timeline line covers the second before it: mail flowed in every one.
during = [t for t in ticks if h0 + 1 <= float(t["t"]) <= h1 + 1]
report(len(during) >= 2 and all(int(t["ok"]) > 0 and int(t["bad"]) == 0 for t in during),
       "right replies in each second of the half-open phase: %s" %
       " ".join(t["ok"] for t in during))
print("expect_ok_total=%s" % kv.get("expect_ok", 0))
print("latency p99=%.0fus max=%.0fus" % (p99, mx))
sys.exit(1 if bad else 0)
PY
while read -r verdict what; do
	case $verdict in
	ok) pass ;;
	not) fail "$what" ;;
	expect_ok_total=*) ok_total=${verdict#expect_ok_total=} ;;
	latency) echo "load: RCPT latency $what" ;;
	*) fail "judge: $verdict $what" ;;
	esac
done <"$T/judged"

# --- the daemon's counters: every session decided all it was sent ------------
i=0
while :; do
	"$RELAYGUARD" -S --control "$CTL" --prometheus >"$T/prom" 2>"$T/prom.err" ||
		{ fail "-S --prometheus: $(cat "$T/prom.err")"; break; }
	[ "$(python3 "$PROMCHECK" "$T/prom" --get relayguard_connections)" = 0 ] && break
	i=$((i + 1))
	[ $i -lt 50 ] || { fail "milter connections still open"; break; }
	sleep 0.1
done
get() { python3 "$PROMCHECK" "$T/prom" --get "$1"; }
n=$(get relayguard_connections_total)
n=${n//[^0-9]/}
[ "${n:-0}" -ge 100 ] && pass || fail "only ${n:-0} milter connections under load"
# Postfix's protocol 6 asks no reply for CONNECT and HELO; MAIL, each RCPT
# and DATA get one, so loadgen's right replies must equal those decisions.
python3 - "$T/prom" "$n" "${ok_total:-0}" >"$T/counted" 2>&1 <<'PY'
import re, sys
prom, n, ok_total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
dec = {}
for line in open(prom):
    m = re.match(r'relayguard_decisions_total\{stage="(\w+)",action="([\w-]+)",reason="([\w-]+)"\} (\d+)$', line)
    if m:
        dec[m.group(1, 2, 3)] = int(m.group(4))
def report(ok, what):
    print(("ok " if ok else "not ") + what)
def stage(st):
    return sum(v for k, v in dec.items() if k[0] == st)
for st in ("connect", "helo", "mail"):
    report(stage(st) == n, "%s decisions %d, want one per connection (%d)" % (st, stage(st), n))
report(stage("rcpt") == 3 * n, "rcpt decisions %d, want 3 per connection (%d)" % (stage("rcpt"), 3 * n))
report(0 < stage("data") <= n, "data decisions %d, want 1..%d" % (stage("data"), n))
report(set(dec) - {k for k in dec if k[0] == "rcpt"} ==
       {("connect", "accept", "offsite"), ("helo", "accept", "helo"),
        ("mail", "accept", "offsite"), ("data", "accept", "data")},
       "connect, helo, mail, data decisions: %s" % sorted(k for k in dec if k[0] != "rcpt"))
rcpt = {k: v for k, v in dec.items() if k[0] == "rcpt"}
refused = {("rcpt", "reject", "relay-denied"), ("rcpt", "reject", "unknown-recipient")}
other = set(rcpt) - refused
report(refused <= set(rcpt) and len(other) == 1 and
       list(other)[0][1] in ("accept", "would-tempfail", "would-reject"),
       "rcpt decisions: %s" % sorted(rcpt.items()))
want = stage("mail") + stage("rcpt") + stage("data")
report(ok_total == want, "loadgen saw %d right replies, the daemon decided %d with a reply" %
       (ok_total, want))
PY
while read -r verdict what; do
	case $verdict in
	ok) pass ;;
	not) fail "$what" ;;
	*) fail "counters: $verdict $what" ;;
	esac
done <"$T/counted"
echo "load: $n milter connections"
finish
