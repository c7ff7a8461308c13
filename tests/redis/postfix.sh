#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/redis/postfix.sh: per-login sending budgets behind a real, private
# Postfix (tests/mta/lib-postfix.sh: submission on "587" with STARTTLS and
# Cyrus SASL AUTH, relaying to smtp-sink), counted in a private
# redis-server, with budgets.messages = 200 as the issue has it:
#  - alice sends 200 messages in one session; the 200th, with 102
#    recipients (a local one among them), crosses budgets.recipients = 300
#    at its last recipient: that one gets 451 4.7.1 and the other 101
#    reach the sink in the same transaction;
#  - alice's 201st message gets 451 4.7.1 (reason=login-budget
#    budget=messages used=200 limit=200) and nothing of it reaches the sink;
#  - bob, in the same window, is unaffected: his message is delivered;
#  - Redis holds the counts.
# RG_BUDGET_LEASE sets budgets.redis.lease (default 0, exact);
# postfix_lease.sh runs all of it again with a lease of 16, where one
# gateway must still be exact.
# The window is a day: a cut passing during the run shifts the estimate
# by less than one message (policy/budget.h), which changes no decision.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
here="$top_srcdir/tests/mta"
. "$here/lib.sh"
. "$here/lib-postfix.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: the Postfix suite needs root (postfix -c DIR start)"; exit 77; }
mta_need postfix postconf postqueue smtp-sink saslpasswd2 openssl ss python3
. "$top_srcdir/tests/redis/lib-redis.sh"
LEASE=${RG_BUDGET_LEASE:-0}
case $LEASE in *[!0-9]*|'') echo "RG_BUDGET_LEASE must be a number"; exit 1 ;; esac
mta_init budget
mta_on_exit redis_thaw_all
mta_ca
mta_ports SINK P25 P587 P465 RG_PORT DEAD_PORT
mta_sink_start "$SINK"
redis_start budget

mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
cat >>"$W/rg/policy.conf" <<EOF
budgets = {
  mode = "enforce"; window = 86400; messages = 200; recipients = 300; domains = 100;
  backend = "redis"; on_error = "local";
  redis = { uri = "unix:$(redis_sock budget)"; timeout = 0.5; key_prefix = "pf:"; lease = $LEASE; };
};
EOF
# bob may send as bob@example.edu too.
sed -i 's/^logins = ( \(.*\) );$/logins = ( \1, { login = "bob"; addresses = [ "bob@example.edu" ]; } );/' \
	"$W/rg/directory.conf"
grep -q 'login = "bob"' "$W/rg/directory.conf" || mta_die "directory.conf: the logins line moved"
rg_start "$W/rg/policy.conf"

pf_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
echo 'bob-secret' | saslpasswd2 -p -c -f "$PF/sasl/sasldb2" -u mx.example.edu bob ||
	mta_die "saslpasswd2 bob failed"
pf_start
mta_log "# set up in $SECONDS s"

# The plan: 199 messages of one recipient, then the 200th with a local
# recipient and 101 off-site ones (recipients 200 to 300, then the 301st).
plan="$W/alice.plan"
for i in $(seq 1 199); do echo "budget-a$i am$i@victim.example"; done >"$plan"
{
	printf 'budget-a200 alice@example.edu'
	for j in $(seq 1 100); do printf ' ar%d@victim.example' "$j"; done
	printf ' over-rcpt@victim.example\n'
	echo "budget-a201 over-msg@victim.example"
} >>"$plan"

CASE=alice
CASE_LOG_AT=$(wc -l <"$W/relayguard.log")
t0=$(date +%s)
# XCLIENT: from loopback, which rg_conf trusts, nothing would be counted.
OFFSITE="ADDR=198.51.100.7 NAME=[UNAVAILABLE]"
python3 "$top_srcdir/tests/redis/pfsend.py" --port "$P587" --ca "$W/tls/ca.pem" --xclient "$OFFSITE" \
	--user alice --password alice-secret --sender alice@example.edu <"$plan" \
	>"$W/cases/alice.txt" 2>"$W/cases/alice.err" && ok "201 messages sent in one session ($(( $(date +%s) - t0 )) s)" ||
	bad "pfsend.py: $(cat "$W/cases/alice.err")"
# got CASE COMMAND ARG: the reply pfsend.py printed for it (code and text).
got() { awk -v c="$1" -v k="$2" -v a="$3" \
	'$1 == c && $2 == k && $3 == a { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' \
	"$W/cases/alice.txt"; }
accepted=$(awk '$2 == "rcpt" && $4 == 250' "$W/cases/alice.txt" | wc -l)
[ "$accepted" = 300 ] && ok "300 recipients accepted" || bad "$accepted recipients accepted, want 300"
r=$(got budget-a199 rcpt am199@victim.example)
case $r in "250 2.1.5"*) ok "message 199: $r" ;; *) bad "message 199: RCPT got '$r'" ;; esac
r=$(got budget-a200 rcpt ar100@victim.example)
case $r in "250 2.1.5"*) ok "message 200, recipient 300: $r" ;; *) bad "message 200, recipient 300: '$r'" ;; esac
r=$(got budget-a200 rcpt over-rcpt@victim.example)
case $r in "451 4.7.1 "*) ok "message 200, recipient 301: $r" ;; *) bad "recipient 301: '$r', want 451 4.7.1" ;; esac
r=$(got budget-a200 data -)
case $r in "250 "*) ok "message 200 queued for its 101 recipients" ;; *) bad "message 200 DATA: '$r'" ;; esac
r=$(got budget-a201 rcpt over-msg@victim.example)
case $r in "451 4.7.1 "*sending\ limit*) ok "message 201: $r" ;; *) bad "message 201: '$r', want 451 4.7.1" ;; esac
[ -z "$(got budget-a201 data -)" ] && ok "message 201 never reached DATA" || bad "message 201 reached DATA"
expect_log "stage=rcpt reason=login-budget" "budget=recipients used=300 limit=300" "auth=alice" \
	"rcpt=<over-rcpt@victim.example>" 'reply="451 4.7.1 '
expect_log "stage=rcpt reason=login-budget" "budget=messages used=200 limit=200" "auth=alice" \
	"rcpt=<over-msg@victim.example>"

CASE=bob
CASE_LOG_AT=$(wc -l <"$W/relayguard.log")
echo "budget-b1 bob-ok@victim.example" | python3 "$top_srcdir/tests/redis/pfsend.py" --port "$P587" \
	--ca "$W/tls/ca.pem" --xclient "$OFFSITE" --user bob --password bob-secret --sender bob@example.edu \
	>"$W/cases/bob.txt" 2>"$W/cases/bob.err" || bad "pfsend.py: $(cat "$W/cases/bob.err")"
r=$(awk '$2 == "rcpt" { print $4, $5; exit }' "$W/cases/bob.txt")
case $r in "250 2.1.5"*) ok "another login is unaffected: $r" ;; *) bad "bob's RCPT: '$r'" ;; esac
expect_log "stage=rcpt reason=authenticated" "auth=bob" "rcpt=<bob-ok@victim.example>"

CASE=redis
# sum PATTERN: the values of the keys matching PATTERN, added up.
sum() {
	local k t=0
	for k in $(redis_cli budget --scan --pattern "$1"); do t=$((t + $(redis_cli budget GET "$k"))); done
	echo $t
}
m=$(sum 'pf:{alice}:m:*') r=$(sum 'pf:{alice}:r:*')
redis_cli budget --scan --pattern 'pf:*' >"$W/cases/redis.txt"
[ "$m $r" = "200 300" ] && ok "Redis holds alice's 200 messages and 300 recipients" ||
	bad "Redis holds alice's messages '$m', recipients '$r'"

# At the sink, once the queue is empty.  (bad() shows a case's transcript.)
pf_drain 60 || bad "the Postfix queue did not drain"
for c in budget-a1 budget-a199 budget-a200 budget-a201 budget-b1 sink; do
	[ -f "$W/cases/$c.txt" ] || grep -E "^$c " "$W/cases/alice.txt" "$W/cases/bob.txt" \
		>"$W/cases/$c.txt" 2>/dev/null
done
CASE=budget-a1; expect_sink am1@victim.example
CASE=budget-a199; expect_sink am199@victim.example
CASE=budget-a200
want=(alice@example.edu)
for j in $(seq 1 100); do want+=("ar$j@victim.example"); done
expect_sink "${want[@]}"
expect_not_delivered_to over-rcpt@victim.example
CASE=budget-a201; expect_not_delivered; expect_not_delivered_to over-msg@victim.example
CASE=budget-b1; expect_sink bob-ok@victim.example
CASE=sink
# Distinct cases: Postfix splits a message of many recipients into several
# deliveries (default_destination_recipient_limit).
n=$(grep -h -E '^X-RG-Case: budget-a[0-9]+$' "$W/sink"/msg.* 2>/dev/null | sort -u | wc -l)
[ "$n" = 200 ] && ok "the sink holds alice's 200 messages" || bad "the sink holds $n of alice's messages, want 200"
mta_check_undelivered
mta_summary
