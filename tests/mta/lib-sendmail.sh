# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/lib-sendmail.sh: a private Sendmail 8.17 for the suites and the
# demo.  Sourced after lib.sh.
#
# Debian's sendmail-bin conflicts with postfix, so the binary is unpacked
# with dpkg -x into a prefix under the build tree.  sendmail.cf is built
# with m4 from sendmail-cf, from a small open-relay .mc that includes
# etc/sendmail/relayguard-site.mc (TLS, AUTH, listeners) and
# etc/sendmail/relayguard.mc (the hook-up users include).
#
# Sendmail runs inside private UTS and mount namespaces (unshare): the
# host name is qualified (mx.example.edu) so start-up does not stall,
# /etc/hosts and /etc/resolv.conf are private, /usr/lib/sasl2 (where Cyrus
# looks for Sendmail.conf) is private, and /dev/log is a socket served by
# a tiny Perl listener writing $W/sendmail.log.  The machine's own files
# are never touched.
#
# sm_prefix; sm_setup SINK P25 P587 P465 MILTERPORT; sm_start; sm_drain

# sm_prefix: unpack sendmail-bin into a private prefix; sets SM_BIN.  The
# .deb is fetched once with apt-get download and cached in the build tree
# (removed by make clean); each run unpacks it afresh under $W.
sm_prefix() {
    cache="$top_builddir/tests/mta"
    mkdir -p "$cache"
    deb=$(ls "$cache"/sendmail-bin_*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
        (cd "$cache" && apt-get download sendmail-bin) >"$W/apt-download.log" 2>&1
        deb=$(ls "$cache"/sendmail-bin_*.deb 2>/dev/null | head -n 1)
        if [ -z "$deb" ]; then
            # Stale package lists name a version the mirror no longer has.
            echo "# apt-get download sendmail-bin failed; refreshing package lists once" >&2
            apt-get update -qq >>"$W/apt-download.log" 2>&1
            (cd "$cache" && apt-get download sendmail-bin) >>"$W/apt-download.log" 2>&1
            deb=$(ls "$cache"/sendmail-bin_*.deb 2>/dev/null | head -n 1)
        fi
    fi
    [ -n "$deb" ] || { cat "$W/apt-download.log" >&2;
        echo "FAIL: could not fetch sendmail-bin (apt-get download sendmail-bin; run apt-get update first)" >&2; exit 1; }
    SM_ROOT="$W/sendmail-bin"
    dpkg -x "$deb" "$SM_ROOT" || { echo "FAIL: dpkg -x $deb failed" >&2; exit 1; }
    SM_BIN="$SM_ROOT/usr/libexec/sendmail/sendmail"
    # dpkg -x installs no dependencies: name any shared library missing.
    missing=$(ldd "$SM_BIN" 2>/dev/null | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
    [ -z "$missing" ] || { echo "FAIL: sendmail needs $missing(install libdb5.3 libnsl2 libwrap0 libldap-2.5-0 libsasl2-2 libssl3)" >&2; exit 1; }
    # Not "sendmail -d0.1": outside the namespace it stalls on the host name.
    ver=$(grep -a -o -E -m 1 '(^|[^0-9.])8\.1[0-9]\.[0-9]+\.[0-9]+' "$SM_BIN" | head -n 1 | tr -cd '0-9.')
    case $ver in
        8.1[4-9]*) ;;
        *) echo "FAIL: $SM_BIN is not Sendmail 8.14+ (version '$ver')" >&2; exit 1 ;;
    esac
    SM_VERSION=$ver
}

sm_setup() {
    SM_SINK=$1 P25=$2 P587=$3 P465=$4 SM_MILTER=$5
    SM="$W/sendmail"
    SMLOG="$W/sendmail.log"
    mkdir -p "$SM/mqueue" "$SM/sasl2" "$SM/tls" "$SM/ns-dev"
    chmod 700 "$SM/mqueue"
    cp "$W/tls/ca.pem" "$W/tls/server.pem" "$W/tls/server.key" "$SM/tls/"
    chmod 600 "$SM/tls/server.key"
    : > "$SMLOG"

    printf '127.0.0.1\tmx.example.edu mx localhost\n127.0.0.2\tclient.offsite.example\n' > "$SM/hosts"
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$SM/resolv.conf"
    printf 'hosts\tfiles\naliases\tfiles\n' > "$SM/service.switch"
    : > "$SM/aliases"

    # Real Cyrus SASL: Sendmail.conf and a private sasldb.
    printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
        "$SM/sasldb2" > "$SM/sasl2/Sendmail.conf"
    echo 'alice-secret' | saslpasswd2 -p -c -f "$SM/sasldb2" -u mx.example.edu alice ||
        mta_die "saslpasswd2 failed"
    # mallory: a login directory.conf marks suspended (cases_suspended).
    echo 'mallory-secret' | saslpasswd2 -p -c -f "$SM/sasldb2" -u mx.example.edu mallory ||
        mta_die "saslpasswd2 mallory failed"
    chmod 600 "$SM/sasldb2"

    # The open relay on purpose; the site example supplies TLS, AUTH and
    # listeners, the hook-up the milter.  Everything leaves through the smart host: the sink.
    cat > "$SM/test.mc" <<EOF
divert(-1)
Private Sendmail for relayguard's end-to-end suite.  Open relay on purpose:
relayguard alone decides what may be relayed.
divert(0)dnl
VERSIONID(\`relayguard e2e')dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.example.edu')dnl
define(\`QUEUE_DIR', \`$SM/mqueue')dnl
define(\`STATUS_FILE', \`$SM/statistics')dnl
define(\`confPID_FILE', \`$SM/sendmail.pid')dnl
define(\`ALIAS_FILE', \`$SM/aliases')dnl
define(\`confHELP_FILE', \`')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM/service.switch')dnl
define(\`confHOSTS_FILE', \`$SM/hosts')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDELIVERY_MODE', \`background')dnl
define(\`confQUEUE_LA', \`100')dnl
define(\`confREFUSE_LA', \`200')dnl
define(\`confMIN_FREE_BLOCKS', \`0')dnl
dnl $W lives under /tmp: trust its sticky bit for the certificate path checks.
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`confMILTER_LOG_LEVEL', \`6')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confMAX_DAEMON_CHILDREN', \`0')dnl
define(\`confCONNECTION_RATE_THROTTLE', \`0')dnl
define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SM_SINK')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SM_SINK')dnl
define(\`SMTP_MAILER_ARGS', \`TCP \$h $SM_SINK')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`accept_unqualified_senders')dnl
FEATURE(\`nocanonify')dnl
define(\`RG_SOCKET', \`inet:$SM_MILTER@127.0.0.1')dnl
define(\`RG_TLS_DIR', \`$SM/tls')dnl
define(\`RG_ADDR', \`127.0.0.1')dnl
define(\`RG_PORT_MTA', \`$P25')dnl
define(\`RG_PORT_MSA', \`$P587')dnl
define(\`RG_PORT_SMTPS', \`$P465')dnl
include(\`$MTA_KITS/sendmail/relayguard-site.mc')dnl
include(\`$MTA_KITS/sendmail/relayguard.mc')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
    m4 /usr/share/sendmail/cf/m4/cf.m4 "$SM/test.mc" > "$SM/sendmail.cf" 2>"$SM/m4.log" ||
        { cat "$SM/m4.log" >&2; mta_die "m4 could not build sendmail.cf"; }
    grep -q '^Xrelayguard, S=inet:' "$SM/sendmail.cf" && grep -q 'F=T' "$SM/sendmail.cf" ||
        mta_die "relayguard.mc did not yield an X line with F=T"

    # What runs inside the namespaces.
    cat > "$SM/ns.sh" <<EOF
#!/bin/sh
set -e
hostname mx.example.edu
mount --bind "$SM/hosts" /etc/hosts
mount --bind "$SM/resolv.conf" /etc/resolv.conf
mount --bind "$SM/sasl2" /usr/lib/sasl2
# A private /dev whose log socket is ours.
mount --bind /dev "$SM/ns-dev"
mount -t tmpfs -o mode=755 rg-dev /dev
for n in null zero random urandom full; do
    : > /dev/\$n
    mount --bind "$SM/ns-dev/\$n" /dev/\$n
done
ln -s "$SM/syslog.sock" /dev/log
exec "$SM_BIN" -C "$SM/sendmail.cf" -bD -L sm-mta
EOF
    chmod 755 "$SM/ns.sh"
}

# sm_syslogd: a private syslog socket; each datagram becomes one line.
sm_syslogd() {
    perl -MIO::Socket::UNIX -e '
        my ($path, $out) = @ARGV;
        unlink $path;
        my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM(), Local => $path) or die "socket: $!";
        chmod 0666, $path;
        open(my $fh, ">>", $out) or die "$out: $!";
        $fh->autoflush(1);
        while (defined $s->recv(my $m, 8192)) { $m =~ s/\n+$//; print $fh "$m\n"; }
    ' "$SM/syslog.sock" "$SMLOG" &
    mta_track $!
    i=0
    while [ ! -S "$SM/syslog.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -S "$SM/syslog.sock" ] || mta_die "private syslog socket did not appear"
}

sm_start() {
    sm_syslogd
    unshare --uts --mount --propagation private --fork --kill-child "$SM/ns.sh" \
        >"$SM/stderr.log" 2>&1 &
    SM_PID=$!
    mta_on_exit "sm_stop"
    for p in $P25 $P587 $P465; do
        mta_wait_port "$p" 30 || { cat "$SM/stderr.log" "$SMLOG" >&2; mta_die "sendmail is not listening on $p"; }
    done
}

# sm_stop: TERM the daemon itself (unshare --fork does not pass TERM on),
# then make sure the namespace holder is gone too.
sm_stop() {
    [ -n "${SM_PID:-}" ] || return 0
    if [ -f "$SM/sendmail.pid" ]; then
        kill "$(head -n 1 "$SM/sendmail.pid")" 2>/dev/null
    fi
    mta_wait_gone "$SM_PID" 10 || { kill -9 "$SM_PID" 2>/dev/null; wait "$SM_PID" 2>/dev/null; }
    SM_PID=""
}

# sm_drain [SECONDS]: wait until the queue holds no message.
sm_drain() {
    i=0
    while [ $i -lt $(( ${1:-30} * 10 )) ]; do
        [ -z "$(find "$SM/mqueue" -type f -name 'qf*' 2>/dev/null)" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
