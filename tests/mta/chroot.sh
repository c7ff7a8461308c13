#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/chroot.sh: relayguard-postfix-setup on a Postfix that already
# runs another milter, then relayguard behind that Postfix with smtpd
# chrooted and relayguard on a unix socket (issue 10, "Done means").
#
# The site before relayguard: a private Postfix (lib-postfix.sh) whose
# smtpd_milters is bench/nullmilter on inet:127.0.0.1 (standing for
# OpenDKIM), with the site's own milter settings (milter_default_action =
# accept, milter_command_timeout = 5s, Postfix's default macro lists), a
# submission service overriding smtpd_milters with that milter too, and
# every smtpd service chrooted (master.cf chroot y).  The real
# etc/postfix/relayguard-postfix-setup then adds relayguard, whose socket
# lives under the queue directory in a setgid directory of group postfix,
# as the package makes /var/spool/postfix/run/relayguard.
#
# Checked: the script changes only smtpd_milters and the macro lists
# (postconf -n, -M and -P before and after); both milters see every
# session (the MAIL FROM of each session, counted in nullmilter's -l log
# and in relayguard's log); an off-site unauthenticated client is refused
# relaying beside a local recipient that reaches the sink; trusted and
# authenticated relaying work; with relayguard stopped, its per-milter
# default_action=tempfail holds although the site's global action is
# accept.  Needs root (postfix start, chroot).

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-postfix.sh"
. "$here/cases.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: the chrooted-Postfix suite needs root (postfix -c DIR start, chroot)"; exit 77; }
mta_need postfix postconf postqueue smtp-sink swaks saslpasswd2 openssl ss pgrep install stat
: "${NULLMILTER:=$top_builddir/bench/nullmilter}"
[ -x "$NULLMILTER" ] || { echo "FAIL: $NULLMILTER is not built (make bench/nullmilter)" >&2; exit 1; }
SETUP="$MTA_KITS/postfix/relayguard-postfix-setup"
[ -x "$SETUP" ] || { echo "FAIL: $SETUP is missing or not executable" >&2; exit 1; }

mta_init chroot
mta_ca
mta_ports SINK P25 P587 P465 NULL_PORT RG_PORT DEAD_PORT
mta_sink_start "$SINK"

MTA=postfix
OFF_IP=198.51.100.7
OFF=(--xclient "ADDR=$OFF_IP NAME=[UNAVAILABLE]")
ON_IP=192.0.2.10
ON=(--xclient "ADDR=$ON_IP NAME=lab.example.edu")
AUTH_ALICE=(--auth PLAIN --auth-user alice --auth-password alice-secret)
# Checks that are not one SMTP transaction get an empty transcript, for bad().
setcase() { CASE=$1; : > "$W/cases/$CASE.txt"; }
setcase setup

# ------------------------------------------------ the site before ------
pf_setup "$SINK" "$P25" "$P587" "$P465" "$NULL_PORT"
SPOOL="$W/postfix-spool"
NULL_MILTER="inet:127.0.0.1:$NULL_PORT"
# The site's own milter settings, nothing of relayguard's: main.cf.site's
# macro lists go back to Postfix's defaults, its tempfail to accept.
postconf -c "$PF" -X milter_connect_macros milter_helo_macros milter_mail_macros milter_rcpt_macros ||
    mta_die "postconf -X failed"
postconf -c "$PF" -e "smtpd_milters = $NULL_MILTER" "milter_default_action = accept" \
    "milter_command_timeout = 5s" || mta_die "postconf -e failed"
# Chroot every smtpd service; the submission service names the other
# milter in an override of its own.
for svc in $(postconf -c "$PF" -M | awk '$2 == "inet" && $8 == "smtpd" { print $1 }'); do
    postconf -c "$PF" -F "$svc/inet/chroot=y" || mta_die "postconf -F $svc/inet/chroot=y failed"
done
postconf -c "$PF" -P "127.0.0.1:$P587/inet/smtpd_milters=$NULL_MILTER" || mta_die "postconf -P failed"
# A chrooted smtpd opens the sasldb only at AUTH, inside the chroot: the
# same path must exist there (Debian's postfix init script copies such
# files into /var/spool/postfix the same way).
mkdir -p "$SPOOL$PF"
cp -a "$PF/sasl" "$SPOOL$PF/"

# postconf -M without the -o overrides (those are postconf -P's): services
# and their fields, the chroot column among them.
services() { postconf -c "$PF" -M | awk '{ print $1, $2, $3, $4, $5, $6, $7, $8 }'; }
postconf -c "$PF" -n > "$W/before.n" && services > "$W/before.M" &&
    postconf -c "$PF" -P > "$W/before.P" || mta_die "postconf could not read the site"
n_chroot=$(awk '$2 == "inet" && $8 == "smtpd" && $5 == "y"' "$W/before.M" | wc -l)
[ "$n_chroot" -eq 3 ] || mta_die "expected 3 chrooted smtpd services, postconf -M shows $n_chroot"

# ------------------------------------------------ relayguard ----------
# The socket directory as the package makes it: relayguard's (here
# root's), group postfix, setgid, so the socket relayguard creates with
# umask 007 is group postfix and smtpd can connect from inside the chroot.
RG_SOCK_DIR="$SPOOL/run/relayguard"
install -d -m 755 "$SPOOL/run"
install -d -o root -g postfix -m 2750 "$RG_SOCK_DIR"
RG_SOCK="$RG_SOCK_DIR/milter.sock"
mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
sed -i "s|^socket = .*|socket = \"unix:$RG_SOCK\";|" "$W/rg/policy.conf"
grep -q "^socket = \"unix:$RG_SOCK\";" "$W/rg/policy.conf" || mta_die "could not set the unix socket in policy.conf"

# ------------------------------------------------ the setup script ----
RELAYGUARD=$RELAYGUARD "$SETUP" -C "$PF" -c "$W/rg/policy.conf" > "$W/setup.out" 2>&1
src=$?
sed 's/^/# setup| /' "$W/setup.out"
if [ $src -eq 0 ]; then ok "relayguard-postfix-setup exits 0"; else bad "relayguard-postfix-setup exited $src"; fi
postconf -c "$PF" -n > "$W/after.n"; services > "$W/after.M"; postconf -c "$PF" -P > "$W/after.P"

rg_entry="{ unix:run/relayguard/milter.sock, default_action=tempfail, command_timeout=10s, protocol=6 }"
check_eq() { # check_eq WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', expected '$3'"; fi
}
check_eq "smtpd_milters: relayguard (queue-relative name) first, the other milter kept" \
    "$(postconf -c "$PF" -h smtpd_milters)" "$rg_entry, $NULL_MILTER"
check_eq "submission's override: relayguard first, the other milter kept" \
    "$(postconf -c "$PF" -P "127.0.0.1:$P587/inet/smtpd_milters")" \
    "127.0.0.1:$P587/inet/smtpd_milters = $(printf '%s' "$rg_entry" | tr -d ' '),$NULL_MILTER"
# Every other main.cf line as it was, the other milter's settings included.
changed=$(diff "$W/before.n" "$W/after.n" | sed -n 's/^[<>] \([a-z_0-9]*\) =.*/\1/p' | sort -u | tr '\n' ' ')
check_eq "postconf -n: only smtpd_milters and the macro lists changed" \
    "$changed" "milter_mail_macros smtpd_milters "
for p in milter_default_action milter_command_timeout milter_connect_timeout milter_protocol non_smtpd_milters; do
    check_eq "postconf -n: $p as before" "$(grep "^$p = " "$W/after.n")" "$(grep "^$p = " "$W/before.n")"
done
check_eq "milter_default_action still the site's accept" "$(postconf -c "$PF" -h milter_default_action)" accept
if diff "$W/before.M" "$W/after.M" > "$W/M.diff"; then ok "postconf -M: services and chroot flags unchanged"
else bad "postconf -M changed: $(cat "$W/M.diff")"; fi
changed=$(diff "$W/before.P" "$W/after.P" | sed -n 's/^[<>] \([^ ]*\) =.*/\1/p' | sort -u | tr '\n' ' ')
check_eq "postconf -P: only submission's smtpd_milters changed" "$changed" "127.0.0.1:$P587/inet/smtpd_milters "
if "$RELAYGUARD" -L postfix -c "$W/rg/policy.conf" -C "$PF" > "$W/lint.out" 2>&1; then
    ok "relayguard -L postfix: no finding"
else
    bad "relayguard -L postfix: $(cat "$W/lint.out")"
fi

# ------------------------------------------------ start everything ----
"$NULLMILTER" -p "inet:$NULL_PORT@127.0.0.1" -l "$W/nullmilter.log" >"$W/nullmilter.err" 2>&1 &
mta_track $!
mta_wait_port "$NULL_PORT" 20 || { cat "$W/nullmilter.err" >&2; mta_die "nullmilter did not start"; }
rg_start_unix "$W/rg/policy.conf" "$RG_SOCK"
check_eq "relayguard's socket: group postfix, group may connect" \
    "$(stat -c '%G %A' "$RG_SOCK")" "postfix srwxrwx---"
pf_start
MAILLOG=$W/postfix.log

# ------------------------------------------------ sessions ------------
# Every session's MAIL FROM, in order; both milters must report each.
froms=()
sent() { froms+=("$1"); }

echo "# chrooted Postfix, two milters: off-site relay attempt beside a local recipient"
s25 chroot-relay "${OFF[@]}" --from s-relay@offsite.example --to alice@example.edu,rp-chroot@victim.example
sent "<s-relay@offsite.example>"
refused rp-chroot@victim.example
beside_alice

echo "# inbound to a local mailbox"
s25 chroot-inbound "${OFF[@]}" --from s-in@offsite.example --to alice@example.edu
sent "<s-in@offsite.example>"
expect_reply "RCPT TO:<alice@example.edu>" "250 2.1.5"
expect_log "action=accept" "stage=rcpt" "reason=local" "rcpt=<alice@example.edu>"
expect_sink alice@example.edu

echo "# trusted relay (on-site client)"
s25 chroot-trusted "${ON[@]}" --from alice@example.edu --to tr-chroot@elsewhere.example
sent "<alice@example.edu>"
accepted tr-chroot@elsewhere.example trusted
expect_sink tr-chroot@elsewhere.example

echo "# authenticated relay on submission (STARTTLS, AUTH inside the chroot)"
s587 chroot-auth-587 "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to ar-chroot@elsewhere.example
sent "<alice@example.edu>"
expect_reply "AUTH" "235 2.7.0"
accepted ar-chroot@elsewhere.example authenticated
expect_log "action=accept" "reason=authenticated" "auth=alice" "tls=TLSv1."
expect_sink ar-chroot@elsewhere.example

echo "# authenticated relay on smtps"
s465 chroot-auth-465 "${OFF[@]}" "${AUTH_ALICE[@]}" --from alice@example.edu --to as-chroot@elsewhere.example
sent "<alice@example.edu>"
expect_reply "AUTH" "235 2.7.0"
accepted as-chroot@elsewhere.example authenticated
expect_sink as-chroot@elsewhere.example

echo "# the submission override: an unauthenticated relay attempt there too"
s587 chroot-relay-587 "${OFF[@]}" --from s-587@offsite.example --to alice@example.edu,rp-chroot587@victim.example
sent "<s-587@offsite.example>"
refused rp-chroot587@victim.example
beside_alice

setcase counts
N=${#froms[@]}
want=$(printf '%s\n' "${froms[@]}" | sort)
got_null=$(sed -n 's/^mail //p' "$W/nullmilter.log" | sort)
check_eq "nullmilter saw the MAIL FROM of all $N sessions, each once" "$got_null" "$want"
# relayguard logs no line of its own at MAIL when it accepts; -v logs the
# macros of every MAIL it sees, and each decision line carries the
# transaction's queue id and sender (smtpd_delay_open_until_valid_rcpt =
# no in main.cf.site): one sender per queue id.
check_eq "relayguard received MAIL in all $N sessions" "$(grep -c ': macros=mail ' "$W/relayguard.log")" "$N"
got_rg=$(sed -n 's/^[^:]*: \([0-9A-F]\{6,\}\): action=[a-z]* stage=rcpt .* from=\(<[^ ]*>\) .*/\1 \2/p' "$W/relayguard.log" |
    sort -u | awk '{ print $2 }' | sort)
check_eq "relayguard decided for the sender of all $N sessions, one queue id each" "$got_rg" "$want"
# relayguard runs first: a recipient it refused never reaches the other milter.
if grep -q -i 'victim\.example' "$W/nullmilter.log"; then bad "nullmilter saw a recipient relayguard refused"
else ok "nullmilter never saw a refused recipient"; fi
# XCLIENT makes Postfix send a second connect with the client it names.
check_eq "nullmilter saw the off-site client connect in each of its 5 sessions" \
    "$(grep -c "^connect $OFF_IP\$" "$W/nullmilter.log")" 5
check_eq "relayguard saw it as often" \
    "$(grep -c ": macros=connect .*\[$OFF_IP\]\"" "$W/relayguard.log")" 5
if grep -q '451 4\.7\.1' "$W"/cases/*.txt; then bad "a session got 451 4.7.1 (a milter unreachable from the chroot?)"
else ok "no session got 451 4.7.1"; fi
# Chrooted for real: the smtpd processes of this instance (children of its
# master, idle after the sessions) have the queue directory as their root.
master=$(tr -d ' ' < "$SPOOL/pid/master.pid")
roots=$(for p in $(pgrep -P "$master" -x smtpd); do readlink "/proc/$p/root"; done | sort | uniq -c | sed 's/^ *//')
case $roots in
    *[0-9]" $SPOOL") [ "$(printf '%s\n' "$roots" | wc -l)" = 1 ] && ok "every smtpd runs chrooted in the queue directory ($roots)" ||
        bad "smtpd roots: $roots" ;;
    *) bad "no smtpd chrooted in $SPOOL (roots: ${roots:-no smtpd running})" ;;
esac
if grep -i 'milter' "$MAILLOG" | grep -E 'warning|fatal' > "$W/milter-warnings.txt"; then
    bad "Postfix warned about a milter: $(head -n 3 "$W/milter-warnings.txt")"
else ok "Postfix logged no milter warning"; fi

echo "# relayguard stopped: its own default_action=tempfail, though the site's is accept"
rg_stop
s25 chroot-rg-down "${OFF[@]}" --from s-down@offsite.example --to alice@example.edu,md-chroot@victim.example
r=$(reply_to "MAIL FROM")$(reply_to "RCPT TO")
case $r in *"451 4.7.1"*) ok "tempfail with relayguard down ($r)" ;; *) bad "expected 451 4.7.1 with relayguard down, got '$r'" ;; esac
expect_not_delivered
expect_not_delivered_to md-chroot@victim.example

setcase maillog
if grep -q 'milter-reject: RCPT from unknown\[198.51.100.7\]: 550 5.7.1 Relaying denied' "$MAILLOG"; then
    ok "Postfix logged relayguard's refusal (milter-reject ... 550 5.7.1)"
else
    bad "Postfix's log lacks a milter-reject line for the relay refusal"
fi
pf_drain 30 || { setcase queue; bad "Postfix queue did not drain"; }
mta_check_undelivered
if grep -E 'status=(bounced|deferred)' "$MAILLOG" >/dev/null; then
    setcase maillog; bad "Postfix bounced or deferred mail: $(grep -E 'status=(bounced|deferred)' "$MAILLOG" | head -n 3)"
else
    mta_pass=$((mta_pass + 1)); echo "ok - Postfix bounced and deferred nothing"
fi
mta_summary
