#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/sendmail.sh: relayguard behind a real, private Sendmail 8.17.
#
# Sendmail has no XCLIENT: the off-site client connects from 127.0.0.2
# (swaks --local-interface); 127.0.0.1 is the trusted on-site client.
# Listeners: STARTTLS offered; MSA with AUTH required (AUTH offered only
# after STARTTLS); implicit TLS.  Open relay on purpose, smart host =
# smtp-sink.  Each case asserts the reply, relayguard's log line and the
# sink's content; Sendmail's own syslog goes to $W/sendmail.log.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-sendmail.sh"
. "$here/cases.sh"

# A build daemon runs make check unprivileged, maybe where namespaces are
# refused: skip (77).  tests/fresh/run, as root, allows no skips.
[ "$(id -u)" = 0 ] || { echo "SKIP: the Sendmail suite needs root (namespaces, privileged daemon)"; exit 77; }
mta_need m4 smtp-sink swaks saslpasswd2 openssl ss unshare perl dpkg
unshare -m -u true 2>/dev/null ||
    { echo "SKIP: cannot create mount and UTS namespaces here (unshare -m -u: $(unshare -m -u true 2>&1))"; exit 77; }
[ -f /usr/share/sendmail/cf/m4/cf.m4 ] || { echo "FAIL: sendmail-cf is not installed" >&2; exit 1; }
mta_init sendmail
sm_prefix
echo "# Sendmail $SM_VERSION from $SM_BIN"
mta_ca
mta_ports SINK P25 P587 P465 RG_PORT DEAD_PORT
mta_sink_start "$SINK"

MTA=sendmail
OFF_IP=127.0.0.2
OFF=(--local-interface "$OFF_IP")
OFF_RAW=(--bind "$OFF_IP")
ON_IP=127.0.0.1
ON=(--local-interface "$ON_IP")
AUTH_OK="235 2.0.0"
AUTH_ALICE=(--auth PLAIN --auth-user alice --auth-password alice-secret)
LEGACY_NET=127.0.0.2/32

mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
rg_start "$W/rg/policy.conf"

sm_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
sm_start
MTA_DRAIN=sm_drain MTA_LOG=$SMLOG

cases_587_noauth() {
    # The MSA (M=a) itself demands AUTH before MAIL.
    s587 relay-587-noauth "${OFF[@]}" --from a@offsite.example --to rp-587@victim.example
    expect_reply "MAIL FROM" "530 5.7.0"
    expect_not_delivered
    expect_not_delivered_to rp-587@victim.example
}

cases_auth_without_tls() {
    # AUTH is offered only after STARTTLS (AuthOptions p), on every port.
    smtp auth-25-cleartext --server "127.0.0.1:$P25" "${OFF[@]}" --from alice@example.edu --to alice@example.edu,ac-25@victim.example
    if grep -q -- '-AUTH ' "$W/cases/$CASE.txt"; then bad "AUTH offered before STARTTLS on port 25"; else ok "AUTH not offered before STARTTLS on port 25"; fi
    refused ac-25@victim.example
    beside_alice
    smtp auth-587-cleartext --server "127.0.0.1:$P587" "${OFF[@]}" --from alice@example.edu --to ac-587@victim.example
    if grep -q -- '-AUTH ' "$W/cases/$CASE.txt"; then bad "AUTH offered before STARTTLS on the MSA"; else ok "AUTH not offered before STARTTLS on the MSA"; fi
    expect_reply "MAIL FROM" "530 5.7.0"
    expect_not_delivered
    expect_not_delivered_to ac-587@victim.example
}

cases_all_phases

echo "# $MTA: relayguard down: F=T tempfails"
rg_stop
s25 milter-down "${OFF[@]}" --from a@offsite.example --to alice@example.edu,md-down@victim.example
r=$(reply_to "MAIL FROM")$(reply_to "RCPT TO")$(reply_to "EHLO")
case $r in *"451 4.3.2"*|*"421 4.3.2"*|*"421 4.7.0"*) ok "tempfail with relayguard down ($r)" ;; *) bad "expected a 4xx with relayguard down, got '$r'" ;; esac
expect_not_delivered
expect_not_delivered_to md-down@victim.example

CASE=maillog
if grep -q 'Milter: to=<rp-plain@victim.example>, reject=550 5.7.1 Relaying denied' "$SMLOG"; then
    ok "Sendmail logged relayguard's refusal (Milter: ... reject=550 5.7.1)"
else
    bad "Sendmail's log lacks a Milter reject line for the relay refusal"
fi
sm_drain 30 || { CASE=queue; bad "Sendmail queue did not drain"; }
mta_check_undelivered
if grep -E 'stat=(Deferred|Service unavailable)|DSN:' "$SMLOG" >/dev/null; then
    CASE=maillog; bad "Sendmail deferred or bounced mail: $(grep -E 'stat=Deferred|DSN:' "$SMLOG" | head -n 3)"
else
    mta_pass=$((mta_pass + 1)); echo "ok - Sendmail bounced and deferred nothing"
fi
if grep -q 'sm-mta' "$SMLOG"; then
    mta_pass=$((mta_pass + 1)); echo "ok - Sendmail logged to the private syslog socket"
else
    mta_fail=$((mta_fail + 1)); echo "not ok - nothing arrived on the private syslog socket"
fi

grep -i 'macros=' "$W/relayguard.log" | sed -e 's/^[^:]*: //' -e 's/ i=[^ ]* / i=QUEUEID /' | sort -u > "$W/macros.txt"
echo "# macros seen (relayguard -v):"; sed 's/^/#   /' "$W/macros.txt" | head -n 40

mta_summary
