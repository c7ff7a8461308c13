#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/demo.sh BUILDDIR: a live, readable relayguard demo.
#
# Starts relayguard next to a private Postfix (and a private Sendmail when
# sendmail-cf is installed and sendmail-bin can be fetched) on loopback,
# replays a short scenario with swaks, and prints the SMTP dialogue,
# relayguard's log lines and what the outbound side (smtp-sink) received.
# Everything it starts, it stops.  Needs root, like the end-to-end suite.

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
top_builddir=$(cd "${1:-${top_builddir:-$top_srcdir}}" && pwd)
RELAYGUARD=${RELAYGUARD:-$top_builddir/milter/relayguard}
export top_srcdir top_builddir RELAYGUARD
. "$here/lib.sh"
. "$here/lib-postfix.sh"
. "$here/lib-sendmail.sh"

[ "$(id -u)" = 0 ] || { echo "the demo starts a private Postfix and needs root" >&2; exit 1; }
mta_need postfix postconf smtp-sink swaks saslpasswd2 openssl ss
mta_init demo
RG_FLAGS="-f"           # decisions only, no debug lines

if [ -t 1 ]; then B=$(printf '\033[1m'); D=$(printf '\033[2m'); N=$(printf '\033[0m'); else B='' D='' N=''; fi
say()  { printf '\n%s== %s%s\n' "$B" "$*" "$N"; }

# show: the dialogue of the last transaction without EHLO capability lists
# and message body, relayguard's new log lines, and what the sink got.
show() {
    awk '
        /^ *(->|~>) (EHLO|QUIT)/ { print; skip = 0; next }
        /^ *(<-|<~) +250-/ { next }
        /^ *(->|~>) DATA/ { print; body = 1; next }
        body && /^ *(->|~>) \.$/ { print "  ... message ..."; print; body = 0; next }
        body && /^ *(->|~>)/ { next }
        /^(===|\*\*\*) TLS started/ { print; next }
        /^===/ { next }
        { print }
    ' "$W/cases/$CASE.txt" | sed 's/^/    /'
    case_log | grep -v ' debug' | sed -e 's/^relayguard\[[0-9]*\]: //' -e "s/^/    ${D}relayguard:${N} /"
    if [ "${1:-}" = delivered ]; then
        f=$(mta_sink_wait "$CASE" 20)
        if [ -n "$f" ]; then
            printf '    %ssink received:%s %s\n' "$D" "$N" "$(sed -n 's/^X-Rcpt-Args: *//p' "$f" | sed 's/ .*//' | tr '\n' ' ')"
        else
            printf '    sink received: NOTHING (unexpected)\n'
        fi
    fi
}

scenario() {
    say "$MTA: an off-site user ($OFF_IP) tries to relay without logging in"
    s25 "$MTA-relay" "${OFF[@]}" --from alice@example.edu --to friend@elsewhere.example
    show

    say "$MTA: the same user, AUTH over STARTTLS on the submission port ($P587, 587-style)"
    s587 "$MTA-587" "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to friend@elsewhere.example
    show delivered

    say "$MTA: the same user, AUTH over implicit TLS ($P465, 465-style)"
    s465 "$MTA-465" "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to friend@elsewhere.example
    show delivered

    say "$MTA: mail from off-site to a forwarding address and to a list"
    s25 "$MTA-inbound" "${OFF[@]}" --from news@elsewhere.example --to fwd@example.edu,staff@example.edu
    show delivered

    say "$MTA: an on-site client ($ON_IP) relays"
    s25 "$MTA-onsite" "${ON[@]}" --from lab-printer@example.edu --to vendor@elsewhere.example
    show delivered
}

mta_ca
mta_ports SINK P25 P587 P465 RG_PORT SM_SINK SM25 SM587 SM465
mta_sink_start "$SINK"
mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
AUTH_ALICE=(--auth PLAIN --auth-user alice --auth-password alice-secret)

cat <<EOF
${B}relayguard demo${N}: $RELAYGUARD
policy: local domain example.edu (and subdomains); trusted network 192.0.2.0/24
and 127.0.0.1; off-site users relay only after SMTP AUTH over TLS.
directory: alice@example.edu (login alice), fwd@example.edu (forward),
staff@example.edu (list).  Outbound mail goes to smtp-sink on port $SINK.
EOF

rg_start "$W/rg/policy.conf"
pf_setup "$SINK" "$P25" "$P587" "$P465" "$RG_PORT"
pf_start
MTA=Postfix OFF_IP=198.51.100.7 ON_IP=192.0.2.10
OFF=(--xclient "ADDR=$OFF_IP NAME=[UNAVAILABLE]")
ON=(--xclient "ADDR=$ON_IP NAME=lab.example.edu")
say "Postfix $(postconf -h mail_version) on 127.0.0.1: $P25 (STARTTLS), $P587 (TLS required + AUTH), $P465 (implicit TLS + AUTH)"
echo "    off-site and on-site clients are presented with XCLIENT"
scenario
pf_stop

if [ -f /usr/share/sendmail/cf/m4/cf.m4 ] && command -v m4 >/dev/null && command -v unshare >/dev/null &&
   ( sm_prefix ) >"$W/sm-prefix.log" 2>&1; then
    sm_prefix
    mta_sink_start "$SM_SINK" SM_SINK
    sm_setup "$SM_SINK" "$SM25" "$SM587" "$SM465" "$RG_PORT"
    sm_start
    P25=$SM25 P587=$SM587 P465=$SM465
    MTA=Sendmail OFF_IP=127.0.0.2 ON_IP=127.0.0.1
    OFF=(--local-interface "$OFF_IP")
    ON=(--local-interface "$ON_IP")
    # relayguard trusts 127.0.0.1 only, so 127.0.0.2 is off-site here.
    say "Sendmail $SM_VERSION on 127.0.0.1: $P25 (STARTTLS), $P587 (MSA, AUTH after STARTTLS), $P465 (implicit TLS)"
    echo "    the off-site client connects from 127.0.0.2 (Sendmail has no XCLIENT)"
    scenario
else
    say "Sendmail part skipped: $(tail -n 1 "$W/sm-prefix.log" 2>/dev/null || echo 'sendmail-cf, m4 or unshare missing')"
fi

say "done: stopping relayguard, the MTAs and the sinks"
