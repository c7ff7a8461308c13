#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Budgets shared through one real redis-server by relayguard daemons,
# over the milter protocol (miltertest with send.lua; bench/loadgen to
# time RCPTs):
#  1. two gateways, A and B, share a login's budget: the combined count
#     is refused at the limit (451 4.7.1, reason=login-budget) on
#     whichever gateway crosses it, A or B;
#  2. Redis stopped mid-run: nothing is refused because of it, counting
#     goes on locally (the local limit still holds), redis=down is logged
#     once; after a restart a probe logs redis=up and Redis counts again;
#     the other gateway, idle meanwhile, reconnects without a redis=down;
#  3. Redis frozen with SIGSTOP: no RCPT waits much longer than
#     budgets.redis.timeout, the breaker then answers at once, and no
#     RCPT is refused; after SIGCONT a probe logs redis=up;
#  4. AUTH: the right password counts in a password-protected Redis, a
#     wrong one gives redis=down with the server's WRONGPASS, and the
#     password is in no log line and not in relayguard -n -p;
#  5. relayguard -S (the control socket, issue 15): after each step above
#     the budget counters (admits, refusals by limit, fallbacks, local
#     logins) and the Redis server's (state, errors, latency histogram)
#     are exactly what the traffic implies, the state down while Redis
#     is stopped or frozen and up after the probe; a local store that
#     evicts, and refuses on each of the three limits, counts the same;
#     relayguard -n -v probes Redis (connect, AUTH, SCRIPT LOAD): OK, or
#     exit 69 with the reason, never the password;
#  6. budgets.redis.lease: a message's later recipients come from the
#     gateway's lease (no round trip; relayguard -S counts them); the
#     next message asks Redis, which tops the lease up (the counts in
#     Redis say so).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/redis/lib-redis.sh"
trap 'redis_thaw_all; cleanup' EXIT
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }
LOADGEN="$top_builddir/bench/loadgen"
[ -x "$LOADGEN" ] || { echo "$LOADGEN is not built"; exit 1; }
export RG_LUA_DIR="$top_srcdir/tests/miltertest"
PROMCHECK="$top_srcdir/tests/promcheck.py"

redis_start shared
SOCK=$(redis_sock shared)
TIMEOUT=0.2

# conf FILE MESSAGES: the golden policy with Redis budgets.
conf() {
	write_policy "$1" "budgets = {
  mode = \"enforce\"; window = 3600; messages = $2; recipients = 1000; domains = 100;
  backend = \"redis\"; on_error = \"local\";
  redis = { uri = \"unix:$SOCK\"; timeout = $TIMEOUT; key_prefix = \"rg:\"; pool_size = 4;
            retry_interval = 1.0; };
};"
}

# start NAME CONF: a daemon; sets NAME_PORT, NAME_LOG, NAME_PID.
start() {
	local port
	port=$(free_port)
	start_milter "$2" "$port" "$T/$1.log"
	eval "$1_PORT=$port $1_LOG=$T/$1.log $1_PID=$MILTER_PID"
}

# send GATEWAY LOGIN FROM EXPECT: one session of messages (send.lua).
n=0
send() {
	local port log
	eval "port=\$$1_PORT log=\$$1_LOG"
	n=$((n + 1))
	if RG_SOCKET="inet:$port@127.0.0.1" RG_LOGIN=$2 RG_FROM=$3 RG_TAG="Q${n}x" RG_EXPECT=$4 \
	    RG_RCPTS="${RCPTS-}" "$MILTERTEST" -s "$top_srcdir/tests/redis/send.lua" >"$T/send.$n.out" 2>&1; then
		pass
	else
		fail "$1: $2 sending, wanted $4: $(grep -E 'got|want|error' "$T/send.$n.out" | head -3)"
	fi
	sleep 0.1	# the log line of the last RCPT
}

# count LOGIN KIND [PREFIX]: the login's count in Redis, over every bucket.
count() {
	local k sum=0
	for k in $(redis_cli shared --scan --pattern "${3:-rg:}{$1}:$2:*"); do
		sum=$((sum + $(redis_cli shared GET "$k")))
	done
	echo $sum
}

# has LOG REGEX [WHAT]
has() {
	grep -qE -- "$2" "$1" && pass || { fail "${3:-$(basename "$1")} lacks /$2/"; tail -5 "$1"; }
}
lacks() {
	grep -qE -- "$2" "$1" && { fail "${3:-$(basename "$1")} has /$2/"; grep -E -- "$2" "$1" | head -3; } || pass
}

# ctl FILE GATEWAY: the gateway's control socket, $T/GATEWAY.ctl.
ctl() { echo "control = { socket = \"$T/$2.ctl\"; };" >>"$1"; }

# scrape GATEWAY: its counters, Prometheus form, into $T/GATEWAY.prom (format checked).
scrape() {
	if "$RELAYGUARD" -S --control "$T/$1.ctl" --prometheus >"$T/$1.prom" 2>"$T/$1.err" &&
	    python3 "$PROMCHECK" "$T/$1.prom" >"$T/$1.check"; then
		pass
	else
		fail "$1: relayguard -S --prometheus: $(cat "$T/$1.err" "$T/$1.check" | head -3)"
	fi
}

# want GATEWAY SERIES=VALUE ...: exact values in the gateway's last scrape.
want() {
	local gw=$1 sv got
	shift
	for sv in "$@"; do
		got=$(python3 "$PROMCHECK" "$T/$gw.prom" --get "${sv%=*}")
		[ "$got" = "${sv##*=}" ] && pass || fail "$gw: ${sv%=*} = $got, want ${sv##*=}"
	done
}

# budgets GATEWAY ADMITS OVER_M OVER_R OVER_D FALLBACK_LOCAL LOCAL_LOGINS EVICTIONS
budgets() {
	local b=relayguard_budget
	want "$1" "${b}_admits_total=$2" "${b}_refusals_total{limit=\"messages\"}=$3" \
	    "${b}_refusals_total{limit=\"recipients\"}=$4" "${b}_refusals_total{limit=\"domains\"}=$5" \
	    "${b}_fallbacks_total{to=\"local\"}=$6" "${b}_fallbacks_total{to=\"none\"}=0" \
	    "${b}_local_logins=$7" "${b}_local_evictions_total=$8" "${b}_mode{mode=\"enforce\"}=1"
}

# redis_state GATEWAY STATE [ERRORS ADMITS]: the Redis server as the gateway sees it.
redis_state() {
	local r=relayguard_redis u="uri=\"unix:$SOCK\"" st
	for st in up down probing; do
		want "$1" "${r}_state{$u,state=\"$st\"}=$([ "$st" = "$2" ] && echo 1 || echo 0)"
	done
	[ $# -lt 4 ] || want "$1" "${r}_errors_total{$u}=$3" "${r}_duration_seconds_count{$u}=$4"
}

conf "$T/a.conf" 5
cp "$T/a.conf" "$T/b.conf"
ctl "$T/a.conf" A
"$RELAYGUARD" -n -c "$T/a.conf" >"$T/n.out" 2>&1 && pass || fail "relayguard -n: $(cat "$T/n.out")"
start A "$T/a.conf"
start B "$T/b.conf"

echo "# 1. one budget across two gateways"
send A alice "<alice@example.edu>" aaa
send B alice "<alice@example.edu>" aat		# B crosses
send A alice "<alice@example.edu>" t		# and A knows
[ "$(count alice m)" = 5 ] && pass || fail "alice's messages in Redis: $(count alice m), want 5"
has "$B_LOG" 'Q2x3: action=tempfail stage=rcpt reason=login-budget .*budget=messages used=5 limit=5'
has "$B_LOG" 'alert=budget.*auth=alice|auth=alice.*alert=budget' "B's crossing"
has "$A_LOG" 'Q3x1: action=tempfail stage=rcpt reason=login-budget .*budget=messages used=5 limit=5'
has "$A_LOG" 'reply="451 4\.7\.1 '
send B bob "<bob@example.edu>" aaaa
send A bob "<bob@example.edu>" at		# now A crosses
has "$A_LOG" 'Q5x2: action=tempfail stage=rcpt reason=login-budget .*budget=messages used=5 limit=5'
[ "$(count bob m)" = 5 ] && pass || fail "bob's messages in Redis: $(count bob m), want 5"
lacks "$A_LOG" 'redis=down'
lacks "$B_LOG" 'redis=down'
# A: alice 3 admitted then 1 over, bob 1 and 1: 6 scripts; both OVERs noted locally (alert).
scrape A
budgets A 4 2 0 0 0 2 0
want A 'relayguard_budget_store{store="redis"}=1' 'relayguard_budget_store{store="local"}=0'
redis_state A up 0 6
"$RELAYGUARD" -S --control "$T/A.ctl" >"$T/A.text" 2>&1 || fail "relayguard -S: $(cat "$T/A.text")"
grep -qx "budgets mode enforce store redis local_logins 2" "$T/A.text" && pass ||
	fail "-S text: $(grep ^budgets "$T/A.text" | head -1)"
grep -qx "redis unix:$SOCK state up errors 0 admits 6 mean_ms [0-9.]*" "$T/A.text" && pass ||
	fail "-S text: $(grep ^redis "$T/A.text" | head -1)"
"$RELAYGUARD" -n -v -c "$T/a.conf" >"$T/nv.out" 2>&1 && pass || fail "-n -v with Redis up: $(cat "$T/nv.out")"
grep -qx "budgets OK: redis unix:$SOCK answered (AUTH not needed, SCRIPT LOAD [0-9a-f]\{40\})" \
    "$T/nv.out" && pass || fail "-n -v: $(cat "$T/nv.out")"

echo "# 2. Redis stopped mid-run"
send A carol "<carol@example.edu>" aa
redis_stop shared
send A carol "<carol@example.edu>" aaaaa	# nothing refused because Redis is gone
# Two failures (the dead pooled connection, reopened once; a new one), then the breaker.
scrape A
budgets A 11 2 0 0 5 3 0
redis_state A down 2 10
send A carol "<carol@example.edu>" t		# counted locally: 5 reached
has "$A_LOG" 'redis=down uri=unix:[^ ]*/redis.sock why='
[ "$(grep -c 'redis=down' "$A_LOG")" = 1 ] && pass ||
	fail "redis=down logged $(grep -c 'redis=down' "$A_LOG") times, want once"
has "$A_LOG" 'Q8x1: action=tempfail stage=rcpt reason=login-budget .*budget=messages used=5 limit=5'
has "$A_LOG" 'budget_store=local-fallback'
"$RELAYGUARD" -n -v -c "$T/a.conf" >"$T/nv.out" 2>&1
rc=$?
[ $rc = 69 ] && pass || fail "-n -v with Redis stopped exited $rc, want 69 (EX_UNAVAILABLE)"
grep -qx "budgets FAILED: redis unix:$SOCK: connect: No such file or directory" "$T/nv.out" && pass ||
	fail "-n -v: $(cat "$T/nv.out")"
grep -q "^directory OK" "$T/nv.out" && pass || fail "-n -v: the directory probe: $(cat "$T/nv.out")"
redis_start shared
sleep 1.2	# retry_interval: the next admit probes
send A alice "<alice@example.edu>" a		# Redis restarted empty: counts again from zero
has "$A_LOG" 'redis=up uri=unix:[^ ]*/redis.sock'
scrape A
budgets A 12 3 0 0 6 3 0
redis_state A up
[ "$(count alice m)" = 1 ] && pass || fail "alice's messages in the restarted Redis: $(count alice m), want 1"
send B alice "<alice@example.edu>" a		# B's pooled connection died with the server
lacks "$B_LOG" 'redis=down' "B (idle through the outage)"
[ "$(count alice m)" = 2 ] && pass || fail "alice's messages after B: $(count alice m), want 2"

echo "# 3. Redis frozen with SIGSTOP"
conf "$T/c.conf" 100000
ctl "$T/c.conf" C
start C "$T/c.conf"
send C bob "<bob@example.edu>" a		# a pooled connection, then the freeze
redis_freeze shared
"$LOADGEN" -s "inet:$C_PORT@127.0.0.1" -c 1 -n 30 -w 0 -k 1 -a alice -f alice@example.edu \
	-r 'friend%n@elsewhere.example' >"$T/frozen.out" 2>"$T/frozen.err" ||
	fail "loadgen: $(tail -3 "$T/frozen.err")"
redis_thaw shared
cat "$T/frozen.out"
val() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" "$T/frozen.out"; }
max=$(val rcpt_max_us) p50=$(val rcpt_p50_us) ok=$(val rcpt_2xx)
echo "# frozen: RCPT max ${max} us (timeout $TIMEOUT s), p50 ${p50} us, ${ok}/30 accepted"
# The timeout plus room for two loaded cores; the breaker: a few ms.
[ -n "$max" ] && [ "${max%.*}" -le 600000 ] && pass || fail "a frozen Redis held a RCPT ${max} us"
[ -n "$max" ] && [ "${max%.*}" -ge 150000 ] && pass ||
	fail "no RCPT waited for the frozen Redis (max ${max} us): was it frozen?"
[ -n "$p50" ] && [ "${p50%.*}" -le 20000 ] && pass || fail "RCPT p50 ${p50} us: the breaker did not open"
[ "$ok" = 30 ] && pass || fail "$ok of 30 RCPTs accepted with Redis frozen"
has "$C_LOG" 'redis=down uri=unix:[^ ]*/redis.sock why=.*timed out'
# Down until a probe; each failed admit waited the timeout, more than 0.1 s.
scrape C
redis_state C down
# loadgen may start one session more than it waits for: count alice's RCPTs in C's log.
n_alice=$(grep -c 'stage=rcpt .*auth=alice .*budget_store=local-fallback' "$C_LOG")
[ "$n_alice" -ge 30 ] && pass || fail "C logged $n_alice of alice's RCPTs, want 30 or more"
budgets C $((n_alice + 1)) 0 0 0 "$n_alice" 1 0
u="uri=\"unix:$SOCK\""
errs=$(python3 "$PROMCHECK" "$T/C.prom" --get "relayguard_redis_errors_total{$u}")
slow=$(( $(python3 "$PROMCHECK" "$T/C.prom" --get "relayguard_redis_duration_seconds_bucket{$u,le=\"+Inf\"}") -
    $(python3 "$PROMCHECK" "$T/C.prom" --get "relayguard_redis_duration_seconds_bucket{$u,le=\"0.1\"}") ))
[ "$errs" -ge 2 ] && [ "$slow" = "$errs" ] && pass ||
	fail "C: $errs Redis errors, $slow admits over 0.1 s: want the same, at least 2"
sleep 1.2
send C bob "<bob@example.edu>" a
has "$C_LOG" 'redis=up uri=unix:'
scrape C
redis_state C up
echo "# 4. AUTH: a password-protected Redis"
pw="pw-$RANDOM$RANDOM$RANDOM"
redis_start secret "$pw"
printf '%s\n' "$pw" >"$T/redis.secret"
printf 'wrong-%s\n' "$pw" >"$T/wrong.secret"
chmod 600 "$T/redis.secret" "$T/wrong.secret"
for g in d e; do
	conf "$T/$g.conf" 5
	sed -i "s|uri = \"unix:$SOCK\";|uri = \"unix:$(redis_sock secret)\";|" "$T/$g.conf"
done
sed -i 's|key_prefix = "rg:";|key_prefix = "rg:"; password_file = "redis.secret";|' "$T/d.conf"
sed -i 's|key_prefix = "rg:";|key_prefix = "rg:"; password_file = "wrong.secret";|' "$T/e.conf"
grep -q 'password_file = "redis.secret"' "$T/d.conf" && grep -q "$(redis_sock secret)" "$T/d.conf" ||
	fail "d.conf: the budgets block moved"
"$RELAYGUARD" -n -p -c "$T/d.conf" >"$T/np.out" 2>&1 || fail "relayguard -n -p: $(tail -2 "$T/np.out")"
lacks "$T/np.out" "$pw" "relayguard -n -p"
"$RELAYGUARD" -n -v -c "$T/d.conf" >"$T/nv.out" 2>&1 && pass || fail "-n -v, d.conf: $(cat "$T/nv.out")"
grep -q "^budgets OK: redis unix:$(redis_sock secret) answered (AUTH accepted, SCRIPT LOAD " \
    "$T/nv.out" && pass || fail "-n -v, d.conf: $(cat "$T/nv.out")"
"$RELAYGUARD" -n -v -c "$T/e.conf" >"$T/nv.out" 2>&1
rc=$?
[ $rc = 69 ] && pass || fail "-n -v with a wrong password exited $rc, want 69"
grep -q "^budgets FAILED: redis unix:$(redis_sock secret): AUTH refused (check budgets.redis.password_file): WRONGPASS" \
    "$T/nv.out" && pass || fail "-n -v, e.conf: $(cat "$T/nv.out")"
lacks "$T/nv.out" "$pw" "relayguard -n -v"
start D "$T/d.conf"
start E "$T/e.conf"
send D alice "<alice@example.edu>" a
[ "$(redis_cli secret --scan --pattern 'rg:{alice}:m:*' | wc -l)" = 1 ] && pass ||
	fail "D (right password) did not count in the secret Redis"
send E alice "<alice@example.edu>" aa		# wrong password: counted locally, not refused
has "$E_LOG" 'redis=down uri=unix:[^ ]*/redis.sock why="AUTH refused \(check budgets.redis.password_file\): WRONGPASS'
for g in D E; do
	eval "log=\$${g}_LOG"
	lacks "$log" "$pw" "$g's log (the password)"
done

echo "# 5. the local store's counters: three limits, two evictions"
write_policy "$T/l.conf" "budgets = {
  mode = \"enforce\"; window = 3600; messages = 2; recipients = 4; domains = 2;
  max_logins = 2; backend = \"local\";
};"
ctl "$T/l.conf" L
start L "$T/l.conf"
# Refusals 1, 2 and 3 by limit, so that no two limits' counters can be swapped unseen.
RCPTS="x1@d1.example x2@d2.example x3@d3.example x4@d4.example x5@d5.example" \
	send L alice "<alice@example.edu>" aattt	# domains
RCPTS="y1@d1.example y2@d1.example y3@d1.example y4@d1.example" \
	send L alice "<alice@example.edu>" aatt	# recipients
send L alice "<alice@example.edu>" t		# messages
send L bob "<bob@example.edu>" a
send L carol "<carol@example.edu>" a		# full: alice goes
send L alice "<alice@example.edu>" a		# from zero again; bob goes
scrape L
budgets L 7 1 2 3 0 2 2
want L 'relayguard_budget_store{store="local"}=1' 'relayguard_budget_store{store="redis"}=0'
[ "$(grep -c '^relayguard_redis_' "$T/L.prom")" = 0 ] && pass || fail "L shows a Redis server"
"$RELAYGUARD" -S --control "$T/L.ctl" >"$T/L.text" 2>&1 || fail "relayguard -S: $(cat "$T/L.text")"
printf '%s\n' "budgets mode enforce store local local_logins 2" \
    "budgets admitted 7 over messages 1 recipients 2 domains 3" \
    "budgets fallback local 0 none 0 local_evictions 2" "budgets leased 0" >"$T/L.want"
grep '^budgets ' "$T/L.text" | diff "$T/L.want" - >"$T/L.diff" && pass || fail "-S text: $(cat "$T/L.diff")"

echo "# 6. budgets.redis.lease = 8: a message's later recipients need no round trip"
conf "$T/f.conf" 100
sed -i 's/pool_size = 4;/pool_size = 4; lease = 8;/; s/key_prefix = "rg:"/key_prefix = "lease:"/' "$T/f.conf"
ctl "$T/f.conf" F
start F "$T/f.conf"
LEASE_RCPTS="f1@far.example f2@far.example f3@far.example f4@far.example"
RCPTS=$LEASE_RCPTS send F carol "<carol@example.edu>" aaaa
# The first RCPT asks Redis and charges itself and a lease of 8; three come from it.
[ "$(count carol r lease:)" = 9 ] && pass || fail "carol's recipients in Redis: $(count carol r lease:), want 1 + 8 leased"
scrape F
want F relayguard_budget_admits_total=4 relayguard_budget_leased_total=3 \
    "relayguard_redis_duration_seconds_count{uri=\"unix:$SOCK\"}=1"
# The next message asks again (messages stay exact); the lease pays its
# first recipient and is topped up to 8 again: 9 + 4.
RCPTS=$LEASE_RCPTS send F carol "<carol@example.edu>" aaaa
[ "$(count carol r lease:)" = 13 ] && pass || fail "carol's recipients in Redis: $(count carol r lease:), want 9 + 4"
[ "$(count carol m lease:)" = 2 ] && pass || fail "carol's messages in Redis: $(count carol m lease:), want 2"
scrape F
want F relayguard_budget_admits_total=8 relayguard_budget_leased_total=6 \
    "relayguard_redis_duration_seconds_count{uri=\"unix:$SOCK\"}=2"
"$RELAYGUARD" -S --control "$T/F.ctl" >"$T/F.text" 2>&1 || fail "relayguard -S: $(cat "$T/F.text")"
grep -qx 'budgets leased 6' "$T/F.text" && pass || fail "-S text: $(grep '^budgets' "$T/F.text")"

for g in A B C D E L F; do
	eval "pid=\$${g}_PID log=\$${g}_LOG"
	# Redis never made a tempfail of its own: each one is a budget's.
	other=$(grep 'action=tempfail' "$log" | grep -v 'reason=login-budget ')
	[ -z "$other" ] && pass || fail "$g tempfailed for another reason: $(echo "$other" | head -2)"
	kill -0 "$pid" 2>/dev/null && pass || fail "relayguard $g died"
done
finish
