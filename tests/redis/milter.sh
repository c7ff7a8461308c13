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
#     password is in no log line and not in relayguard -n -p.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/redis/lib-redis.sh"
trap 'redis_thaw_all; cleanup' EXIT
[ -x "${MILTERTEST:-}" ] || { echo "miltertest is not installed (Debian package miltertest)"; exit 1; }
LOADGEN="$top_builddir/bench/loadgen"
[ -x "$LOADGEN" ] || { echo "$LOADGEN is not built"; exit 1; }
export RG_LUA_DIR="$top_srcdir/tests/miltertest"

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
	    "$MILTERTEST" -s "$top_srcdir/tests/redis/send.lua" >"$T/send.$n.out" 2>&1; then
		pass
	else
		fail "$1: $2 sending, wanted $4: $(grep -E 'got|want|error' "$T/send.$n.out" | head -3)"
	fi
	sleep 0.1	# the log line of the last RCPT
}

# count LOGIN KIND: the login's count in Redis, over every bucket.
count() {
	local k sum=0
	for k in $(redis_cli shared --scan --pattern "rg:{$1}:$2:*"); do
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

conf "$T/a.conf" 5
cp "$T/a.conf" "$T/b.conf"
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

echo "# 2. Redis stopped mid-run"
send A carol "<carol@example.edu>" aa
redis_stop shared
send A carol "<carol@example.edu>" aaaaa	# nothing refused because Redis is gone
send A carol "<carol@example.edu>" t		# counted locally: 5 reached
has "$A_LOG" 'redis=down uri=unix:[^ ]*/redis.sock why='
[ "$(grep -c 'redis=down' "$A_LOG")" = 1 ] && pass ||
	fail "redis=down logged $(grep -c 'redis=down' "$A_LOG") times, want once"
has "$A_LOG" 'Q8x1: action=tempfail stage=rcpt reason=login-budget .*budget=messages used=5 limit=5'
has "$A_LOG" 'budget_store=local-fallback'
redis_start shared
sleep 1.2	# retry_interval: the next admit probes
send A alice "<alice@example.edu>" a		# Redis restarted empty: counts again from zero
has "$A_LOG" 'redis=up uri=unix:[^ ]*/redis.sock'
[ "$(count alice m)" = 1 ] && pass || fail "alice's messages in the restarted Redis: $(count alice m), want 1"
send B alice "<alice@example.edu>" a		# B's pooled connection died with the server
lacks "$B_LOG" 'redis=down' "B (idle through the outage)"
[ "$(count alice m)" = 2 ] && pass || fail "alice's messages after B: $(count alice m), want 2"

echo "# 3. Redis frozen with SIGSTOP"
conf "$T/c.conf" 100000
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
sleep 1.2
send C bob "<bob@example.edu>" a
has "$C_LOG" 'redis=up uri=unix:'
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

for g in A B C D E; do
	eval "pid=\$${g}_PID log=\$${g}_LOG"
	# Redis never made a tempfail of its own: each one is a budget's.
	other=$(grep 'action=tempfail' "$log" | grep -v 'reason=login-budget ')
	[ -z "$other" ] && pass || fail "$g tempfailed for another reason: $(echo "$other" | head -2)"
	kill -0 "$pid" 2>/dev/null && pass || fail "relayguard $g died"
done
finish
