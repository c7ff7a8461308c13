#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/sendmail_stock.sh: Debian's stock sendmail.mc with the hook-up
# etc/sendmail/relayguard.mc included, run as a real Sendmail, with
# relayguard refusing a relay attempt through it (issue 10, "Done means").
#
# sendmail.cf is m4's output for /usr/share/sendmail/cf/debian/sendmail.mc
# with two changes a Debian site makes too: the two site includes
# /etc/mail/m4/dialup.m4 and provider.m4 (files sendmailconfig creates)
# are left out, and include(relayguard.mc) goes before MAILER_DEFINITIONS,
# as the README says, with none of its knobs defined (the default socket
# inet:8894@127.0.0.1 and timeouts).  Nothing else: no port moved, no path
# redefined, no smart host.  The test checks that this file differs from
# the stock one only in the hook-up's lines, and runs exactly this file.
#
# Privately, without touching the machine:
# - the whole test runs in its own network namespace (unshare --net, the
#   script re-executes itself there), so Debian's listeners keep their
#   ports: MTA-v4 on 127.0.0.1:25 and MSP-v4 on 127.0.0.1:587, byte for
#   byte as Debian wrote them.  smtp-sink listens on 127.0.0.2:25.
# - Sendmail runs in mount and UTS namespaces (like lib-sendmail.sh):
#   /etc, /var and /run are copy-on-write overlays whose upper layers live
#   under $W, and the paths the stock sendmail.cf names (/etc/mail,
#   /var/spool/mqueue, /var/lib/sendmail, /run/sendmail) are bind mounts of
#   directories under $W.  /etc/mail holds what Debian's sendmail-base
#   would put there: an empty local-host-names, an access.db with no entry (makemap, inside the namespace),
#   service.switch (hosts: files), and the smmta user the stock TrustedUser
#   names is added to the private /etc/passwd.  /etc/hosts maps
#   example.edu, victim.example, elsewhere.example and offsite.example
#   (senders: Sendmail refuses a sender domain that does not resolve) to
#   127.0.0.2, so
#   Sendmail's own esmtp mailer delivers everything to the sink.
# - The only run-time option: QueueLA and RefuseLA lifted with -O on the
#   command line, because a shared test machine's load average passes
#   Sendmail's defaults (12 per CPU refuses every connection).
#
# The client is 127.0.0.1, the address Debian's stock rules let relay
# ("originated locally"); relayguard's policy trusts only 192.0.2.0/24, so
# to relayguard that client is off-site.  The positive control reloads
# relayguard with 127.0.0.1 trusted and sends the same relay transaction:
# it reaches the sink, so the refusal before was relayguard's alone.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
. "$here/lib-sendmail.sh"
. "$here/cases.sh"

[ "$(id -u)" = 0 ] || { echo "SKIP: the stock-Sendmail suite needs root (namespaces, privileged daemon)"; exit 77; }
mta_need m4 smtp-sink swaks openssl ss unshare perl dpkg ip
STOCK_MC=/usr/share/sendmail/cf/debian/sendmail.mc CF_M4=/usr/share/sendmail/cf/m4/cf.m4
[ -f "$CF_M4" ] && [ -f "$STOCK_MC" ] || { echo "FAIL: sendmail-cf is not installed ($STOCK_MC)" >&2; exit 1; }

if [ "${RG_STOCK_NETNS:-}" != inside ]; then
    unshare -n -m -u true 2>/dev/null ||
        { echo "SKIP: cannot create network, mount and UTS namespaces here (unshare -n -m -u: $(unshare -n -m -u true 2>&1))"; exit 77; }
    # The network namespace has no route out: fetch sendmail-bin (once,
    # cached in the build tree) before entering it.
    W=$(mktemp -d "${TMPDIR:-/tmp}/rg-smstock-fetch.XXXXXX") || mta_die "mktemp failed"
    sm_prefix
    rm -rf "$W"
    RG_STOCK_NETNS=inside exec unshare --net -- /bin/bash "$0" "$@"
fi
ip link set lo up || mta_die "ip link set lo up failed in the private network namespace"

mta_init smstock
sm_prefix
echo "# Sendmail $SM_VERSION from $SM_BIN, Debian's stock $STOCK_MC"
mta_ca
MTA=sendmail
OFF_IP=127.0.0.1
P25=25 P587=587 RG_PORT=8894 SINK=25 DEAD_PORT=1
check_eq() { # check_eq WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: got '$2', expected '$3'"; fi
}
setcase() { CASE=$1; : > "$W/cases/$CASE.txt"; }

# ------------------------------------------------ sendmail.cf ---------
SM="$W/sendmail"
SMLOG="$W/sendmail.log"
mkdir -p "$SM/etc-mail" "$SM/mqueue" "$SM/varlib/host_status" "$SM/run/mta" "$SM/ns-dev"
chmod 755 "$SM" "$SM/etc-mail"; chmod 700 "$SM/mqueue"
: > "$SMLOG"
setcase cf
grep -v -e '^include(`/etc/mail/m4/dialup.m4' -e '^include(`/etc/mail/m4/provider.m4' "$STOCK_MC" > "$SM/stock.mc"
sed "/^MAILER_DEFINITIONS/i include(\`$MTA_KITS/sendmail/relayguard.mc')dnl" "$SM/stock.mc" > "$SM/sendmail.mc"
check_eq "the hook-up is included once, before MAILER_DEFINITIONS" \
    "$(grep -c 'relayguard.mc' "$SM/sendmail.mc")" 1
m4 "$CF_M4" "$SM/stock.mc" > "$SM/stock.cf" 2>"$SM/m4.err" &&
    m4 "$CF_M4" "$SM/sendmail.mc" > "$SM/etc-mail/sendmail.cf" 2>>"$SM/m4.err" ||
    { cat "$SM/m4.err" >&2; mta_die "m4 could not build sendmail.cf"; }
[ ! -s "$SM/m4.err" ] && ok "m4 builds stock and stock + hook-up quietly" || bad "m4 warned: $(head -n 3 "$SM/m4.err")"
cf="$SM/etc-mail/sendmail.cf"
diff <(grep -v -E '^(#|$)' "$SM/stock.cf") <(grep -v -E '^(#|$)' "$cf") | grep '^[<>]' > "$SM/cf.diff"
if grep -v -E '^> (Xrelayguard, |O InputMailFilters=relayguard$|O Milter\.macros\.)' "$SM/cf.diff" > "$SM/cf.other"; then
    bad "the sendmail.cf that runs differs from Debian's in more than the hook-up: $(head -n 3 "$SM/cf.other")"
else
    ok "the sendmail.cf that runs differs from Debian's only in the hook-up's lines"
fi
listeners=$(grep '^O DaemonPortOptions=' "$cf")
check_eq "listeners exactly Debian's (MTA-v4 smtp, MSP-v4 submission, both 127.0.0.1)" "$listeners" \
    "$(grep '^O DaemonPortOptions=' "$SM/stock.cf")"
case $listeners in
    *"Name=MTA-v4, Port=smtp, Addr=127.0.0.1"*"Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1") ok "Debian's two listeners are there" ;;
    *) bad "unexpected stock listeners: $listeners" ;;
esac
grep -q '^Xrelayguard, S=inet:8894@127.0.0.1, F=T, T=C:10s;S:10s;R:10s;E:5m$' "$cf" &&
    ok "the X line: relayguard's default socket, F=T, T= from the default budget" || bad "no expected Xrelayguard line"

# ------------------------------------------------ /etc/mail & co ------
# What Debian's sendmail-base leaves in /etc/mail, minimal and empty.
: > "$SM/etc-mail/local-host-names"
: > "$SM/etc-mail/access"
printf 'postmaster:\troot\n' > "$SM/etc-mail/aliases"
printf 'hosts\tfiles\naliases\tfiles\n' > "$SM/etc-mail/service.switch"
printf '127.0.0.1\tmx.example.edu mx localhost\n127.0.0.2\tsink.example\n127.0.0.2\texample.edu\n127.0.0.2\tvictim.example\n127.0.0.2\telsewhere.example\n127.0.0.2\toffsite.example\n' > "$SM/hosts"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$SM/resolv.conf"
ln -s "$SM/run/mta/sendmail.pid" "$SM/sendmail.pid"     # where sm_stop looks

cat > "$SM/ns.sh" <<EOF
#!/bin/sh
set -e
hostname mx.example.edu
# Copy-on-write views of /etc, /var and /run: mount points and the smmta
# user appear only in this namespace; the upper layers live under \$W.
for d in /etc /var /run; do
    u="$SM/ovl\$d"
    mkdir -p "\$u/up" "\$u/work"
    mount -t overlay rg-ovl -o "lowerdir=\$d,upperdir=\$u/up,workdir=\$u/work" "\$d"
done
mkdir -p /etc/mail /var/spool/mqueue /var/lib/sendmail /run/sendmail
mount --bind "$SM/etc-mail" /etc/mail
mount --bind "$SM/mqueue" /var/spool/mqueue
mount --bind "$SM/varlib" /var/lib/sendmail
mount --bind "$SM/run" /run/sendmail
mount --bind "$SM/hosts" /etc/hosts
mount --bind "$SM/resolv.conf" /etc/resolv.conf
# The stock TrustedUser (Debian's sendmail-base adds it).
if ! getent passwd smmta >/dev/null; then
    id=\$(awk -F: 'BEGIN { n = 60500 } { u[\$3] = 1 } END { while (n in u) n++; print n }' /etc/passwd /etc/group)
    echo "smmta:x:\$id:" >> /etc/group
    echo "smmta:x:\$id:\$id:Mail Transfer Agent:/var/lib/sendmail:/usr/sbin/nologin" >> /etc/passwd
fi
# access.db as Debian builds it, makemap reading /etc/mail/sendmail.cf.
"$SM_ROOT/usr/libexec/sendmail/makemap" hash /etc/mail/access < /etc/mail/access
# A private /dev whose log socket is ours.
mount --bind /dev "$SM/ns-dev"
mount -t tmpfs -o mode=755 rg-dev /dev
for n in null zero random urandom full; do
    : > /dev/\$n
    mount --bind "$SM/ns-dev/\$n" /dev/\$n
done
ln -s "$SM/syslog.sock" /dev/log
# Load average: the shared test machine's can pass Sendmail's defaults
# (refuse from 12 per CPU, queue only from 8 per CPU), and nothing here
# runs the queue: lifted on the command line, the .cf stays Debian's.
exec "$SM_BIN" -bD -L sm-mta -O QueueLA=1000 -O RefuseLA=2000
EOF
chmod 755 "$SM/ns.sh"

# ------------------------------------------------ start ---------------
mta_sink_start_at() { # smtp-sink on 127.0.0.2:25 (this namespace's own port 25)
    SINK_DIR="$W/sink"
    mkdir -p "$SINK_DIR"; chown nobody "$SINK_DIR"
    smtp-sink -u nobody -h sink.example -d "$SINK_DIR/msg." 127.0.0.2:25 64 >"$W/sink.log" 2>&1 &
    mta_track $!
    mta_wait_port 127.0.0.2:25 10 || mta_die "smtp-sink did not start: $(tail -n 3 "$W/sink.log")"
}
mta_sink_start_at
mkdir -p "$W/rg"
rg_conf "$W/rg/policy.conf" enforce
cp "$W/rg/policy.conf" "$W/rg/trusting.conf"
sed -i 's|^networks = .*|networks = { trusted = [ "192.0.2.0/24" ]; };|' "$W/rg/policy.conf"
grep -q '^networks = { trusted = \[ "192.0.2.0/24" \]; };$' "$W/rg/policy.conf" || mta_die "could not set networks.trusted"
# This Sendmail delivers example.edu to the sink over esmtp, on purpose:
# the routing cross-check would rightly call that a mismatch (postfix.sh
# and sendmail.sh test it); here it is off, in both policies.
for f in "$W/rg/policy.conf" "$W/rg/trusting.conf"; do
    printf 'routing = { check = "off"; };\n' >> "$f"
done
grep -q '"127.0.0.1/32"' "$W/rg/trusting.conf" || mta_die "rg_conf no longer trusts 127.0.0.1"
rg_start "$W/rg/policy.conf"

sm_syslogd
unshare --uts --mount --propagation private --fork --kill-child "$SM/ns.sh" >"$SM/stderr.log" 2>&1 &
SM_PID=$!
mta_on_exit "sm_stop"
for p in 25 587; do
    mta_wait_port "127.0.0.1:$p" 30 || { cat "$SM/stderr.log" "$SMLOG" >&2; mta_die "sendmail is not listening on 127.0.0.1:$p"; }
done
setcase listeners
i=0; while [ ! -s "$SM/run/mta/sendmail.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
smpid=$(head -n 1 "$SM/run/mta/sendmail.pid" 2>/dev/null)
got=$(ss -Hltnp | grep "pid=${smpid:-none}," | awk '{ print $4 }' | sort | tr '\n' ' ')
check_eq "Sendmail listens where Debian's config says, nowhere else" "$got" "127.0.0.1:25 127.0.0.1:587 "

# ------------------------------------------------ cases ---------------
echo "# stock Sendmail + hook-up: relay attempt from a client relayguard does not trust"
s25 stock-relay --from s-relay@offsite.example --to alice@example.edu,rp-stock@victim.example
refused rp-stock@victim.example
beside_alice

echo "# inbound to a local mailbox"
s25 stock-inbound --from s-in@offsite.example --to alice@example.edu
expect_reply "RCPT TO:<alice@example.edu>" "250 2.1.5"
expect_log "action=accept" "stage=rcpt" "reason=local" "rcpt=<alice@example.edu>"
expect_sink alice@example.edu

echo "# MSP-v4 (M=Ea): Debian's submission listener demands AUTH itself"
smtp stock-msp --server 127.0.0.1:587 --from s-msp@offsite.example --to rp-msp@victim.example
expect_reply "MAIL FROM" "530 5.7.0"
expect_not_delivered
expect_not_delivered_to rp-msp@victim.example

echo "# positive control: relayguard trusts 127.0.0.1, the same relay goes through"
rg_reload "$W/rg/trusting.conf"
s25 stock-trusted --from s-tr@offsite.example --to alice@example.edu,tr-stock@elsewhere.example
accepted tr-stock@elsewhere.example trusted
# Two domains, two deliveries to the sink: let both happen before looking.
sm_drain 30 || bad "Sendmail queue did not drain"
expect_sink alice@example.edu tr-stock@elsewhere.example

echo "# relayguard stopped: F=T tempfails"
rg_stop
s25 stock-rg-down --from s-down@offsite.example --to alice@example.edu,md-stock@victim.example
r=$(reply_to "MAIL FROM")$(reply_to "RCPT TO")$(reply_to "EHLO")
case $r in *"451 4.3.2"*|*"421 4.3.2"*|*"421 4.7.0"*) ok "tempfail with relayguard down ($r)" ;; *) bad "expected a 4xx with relayguard down, got '$r'" ;; esac
expect_not_delivered
expect_not_delivered_to md-stock@victim.example

setcase maillog
if grep -q 'Milter: to=<rp-stock@victim.example>, reject=550 5.7.1 Relaying denied' "$SMLOG"; then
    ok "Sendmail logged relayguard's refusal (Milter: ... reject=550 5.7.1)"
else
    bad "Sendmail's log lacks a Milter reject line for the relay refusal"
fi
sm_drain 30 || { setcase queue; bad "Sendmail queue did not drain"; }
mta_check_undelivered
if grep -E 'stat=(Deferred|Service unavailable)|DSN:' "$SMLOG" >/dev/null; then
    setcase maillog; bad "Sendmail deferred or bounced mail: $(grep -E 'stat=Deferred|DSN:' "$SMLOG" | head -n 3)"
else
    mta_pass=$((mta_pass + 1)); echo "ok - Sendmail bounced and deferred nothing"
fi
mta_summary
