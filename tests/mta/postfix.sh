#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/postfix.sh: relayguard behind a real, private Postfix.
#
# Postfix listens on three loopback ports (STARTTLS offered; submission
# with TLS required and AUTH; implicit TLS with AUTH), is an open relay on
# purpose, and relays everything to smtp-sink.  XCLIENT presents off-site
# (198.51.100.7) and on-site (192.0.2.10) clients from loopback.  swaks
# drives it; each case asserts the reply, relayguard's log line and the
# sink's content.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-postfix.sh"
. "$here/cases.sh"

# A build daemon runs make check unprivileged: skip (77), before looking for tools.
[ "$(id -u)" = 0 ] || { echo "SKIP: the Postfix suite needs root (postfix -c DIR start)"; exit 77; }
mta_need postfix postconf postqueue smtp-sink swaks saslpasswd2 openssl ss
mta_init postfix
mta_ca
mta_ports SINK P25 P587 P465 RG_PORT DEAD_PORT
mta_sink_start "$SINK"

MTA=postfix
OFF_IP=198.51.100.7
OFF=(--xclient "ADDR=$OFF_IP NAME=[UNAVAILABLE]")
OFF_RAW=(--xclient "ADDR=$OFF_IP NAME=[UNAVAILABLE]")
ON_IP=192.0.2.10
ON=(--xclient "ADDR=$ON_IP NAME=lab.example.edu")
AUTH_OK="235 2.7.0"
AUTH_ALICE=(--auth PLAIN --auth-user alice --auth-password alice-secret)
LEGACY_NET=198.51.100.0/24

mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
cp "$W/rg/policy.conf" "$W/rg/enforce.conf"
rg_start "$W/rg/policy.conf"

pf_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
pf_start
MTA_DRAIN=pf_drain MTA_LOG=$MAILLOG

cases_587_noauth() {
    # Submission here leaves the relay decision to relayguard.
    s587 relay-587-noauth "${OFF[@]}" --from a@offsite.example --to alice@example.edu,rp-587@victim.example
    refused rp-587@victim.example
    beside_alice
}

cases_auth_without_tls() {
    # The submission listener (TLS required) does not even offer AUTH in
    # cleartext, and refuses the transaction itself.
    smtp auth-587-cleartext --server "127.0.0.1:$P587" "${OFF[@]}" --from alice@example.edu --to ac-587@victim.example
    if grep -q -- '-AUTH ' "$W/cases/$CASE.txt"; then bad "AUTH offered before STARTTLS"; else ok "AUTH not offered before STARTTLS"; fi
    expect_reply "MAIL FROM" "530 5.7.0"
    expect_not_delivered
    expect_not_delivered_to ac-587@victim.example
    # Port 25 here offers AUTH in cleartext on purpose: relayguard must
    # still refuse to relay for a login that arrived without TLS.
    s25 auth-25-cleartext "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to alice@example.edu,ac-25@victim.example
    expect_reply "AUTH" "235 2.7.0"
    refused ac-25@victim.example auth-without-tls
    beside_alice
    expect_log "reason=auth-without-tls" "auth=alice" "tls=-"
}

cases_all_phases

echo "# $MTA: relayguard down: milter_default_action = tempfail"
rg_stop
s25 milter-down "${OFF[@]}" --from a@offsite.example --to alice@example.edu,md-down@victim.example
r=$(reply_to "MAIL FROM")$(reply_to "RCPT TO")
case $r in *"451 4.7.1"*) ok "tempfail with relayguard down ($r)" ;; *) bad "expected 451 4.7.1 with relayguard down, got '$r'" ;; esac
expect_not_delivered
expect_not_delivered_to md-down@victim.example

CASE=maillog
if grep -q 'milter-reject: RCPT from unknown\[198.51.100.7\]: 550 5.7.1 Relaying denied' "$MAILLOG"; then
    ok "Postfix logged relayguard's refusal (milter-reject ... 550 5.7.1)"
else
    bad "Postfix's log lacks a milter-reject line for the relay refusal"
fi
pf_drain 30 || { CASE=queue; bad "Postfix queue did not drain"; }
mta_check_undelivered
if grep -E 'status=(bounced|deferred)' "$MAILLOG" >/dev/null; then
    CASE=maillog; bad "Postfix bounced or deferred mail: $(grep -E 'status=(bounced|deferred)' "$MAILLOG" | head -n 3)"
else
    mta_pass=$((mta_pass + 1)); echo "ok - Postfix bounced and deferred nothing"
fi

# The macros relayguard saw, for README, "Attach to Postfix".
grep -i "macros=" "$W/relayguard.log" | sed -e 's/^[^:]*: //' -e 's/ i=[^ ]* / i=QUEUEID /' | sort -u > "$W/macros.txt"
echo "# macros seen (relayguard -v):"; sed 's/^/#   /' "$W/macros.txt" | head -n 40

mta_summary
