# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/lib-postfix.sh: a private Postfix instance for the suites and
# the demo.  Sourced after lib.sh.
#
# The instance is built from etc/postfix/main.cf.site and
# etc/postfix/master.cf.snippet (the kit users copy), then made into an
# open relay on purpose so relayguard alone stands between a client and
# relaying.  Everything it relays goes to smtp-sink.
#
# pf_setup SINKPORT P25 P587 P465 MILTERPORT; pf_start; pf_stop

pf_setup() {
    PF_SINK=$1 P25=$2 P587=$3 P465=$4 PF_MILTER=$5
    PF="$W/postfix"
    MAILLOG="$W/postfix.log"
    mkdir -p "$PF" "$PF/sasl" "$W/postfix-spool"
    chmod 755 "$W/postfix-spool"

    # Real Cyrus SASL with a private sasldb; smtpd reads it as postfix.
    # Debian's Postfix looks for smtpd.conf in $config_directory/sasl.
    printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s\n' \
        "$PF/sasl/sasldb2" > "$PF/sasl/smtpd.conf"
    echo 'alice-secret' | saslpasswd2 -p -c -f "$PF/sasl/sasldb2" -u mx.example.edu alice ||
        mta_die "saslpasswd2 failed"
    # mallory: a login directory.conf marks suspended (cases_suspended).
    echo 'mallory-secret' | saslpasswd2 -p -c -f "$PF/sasl/sasldb2" -u mx.example.edu mallory ||
        mta_die "saslpasswd2 mallory failed"
    chown root:postfix "$PF/sasl/sasldb2"
    chmod 640 "$PF/sasl/sasldb2"

    # main.cf: the kit verbatim, then this instance's paths and ports.
    cp "$MTA_KITS/postfix/main.cf.site" "$PF/main.cf"
    postconf -c "$PF" -e \
        "compatibility_level = 3.6" \
        "queue_directory = $W/postfix-spool" \
        "data_directory = $W/postfix-data" \
        "myhostname = mx.example.edu" \
        "mydomain = example.edu" \
        "myorigin = example.edu" \
        "mydestination =" \
        "local_recipient_maps =" \
        "alias_maps =" \
        "alias_database =" \
        "relay_domains =" \
        "inet_interfaces = 127.0.0.1" \
        "inet_protocols = ipv4" \
        "mynetworks = 127.0.0.1/32" \
        "relayhost = [127.0.0.1]:$PF_SINK" \
        "smtp_tls_security_level = none" \
        "smtp_dns_support_level = disabled" \
        "smtpd_relay_restrictions = check_client_access static:OK, reject_unauth_destination" \
        "smtpd_recipient_restrictions =" \
        "smtpd_authorized_xclient_hosts = 127.0.0.1" \
        "maillog_file = $MAILLOG" \
        "maillog_file_prefixes = $W" \
        "smtpd_milters = inet:127.0.0.1:$PF_MILTER" \
        "smtpd_tls_cert_file = $W/tls/server.pem" \
        "smtpd_tls_key_file = $W/tls/server.key" \
        "cyrus_sasl_config_path = $PF/sasl" \
        "smtputf8_enable = no" \
        "biff = no" \
        "delay_warning_time = 0" \
        "smtpd_error_sleep_time = 0" \
        "smtpd_soft_error_limit = 1000" \
        "smtpd_hard_error_limit = 1000" \
        "smtpd_client_connection_rate_limit = 0" \
        "anvil_rate_time_unit = 1s" ||
        mta_die "postconf failed"

    # master.cf: the internal services (no chroot), a port-25 listener and
    # the kit's submission/smtps entries bound to this run's ports.
    cat > "$PF/master.cf" <<EOF
# Port 25: STARTTLS offered.  AUTH is offered here without TLS on purpose
# (smtpd_tls_auth_only=no) so the suite can prove relayguard itself
# refuses an authenticated relay over cleartext (auth-without-tls).
127.0.0.1:$P25 inet n - n - - smtpd
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=no
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
    sed -e "s/^submission /127.0.0.1:$P587 /" -e "s/^smtps /127.0.0.1:$P465 /" \
        "$MTA_KITS/postfix/master.cf.snippet" >> "$PF/master.cf"
    grep -q "^127.0.0.1:$P587 " "$PF/master.cf" && grep -q "^127.0.0.1:$P465 " "$PF/master.cf" ||
        mta_die "master.cf.snippet lacks the submission or smtps service"
}

pf_start() {
    postfix -c "$PF" check >"$W/postfix-check.log" 2>&1 ||
        { cat "$W/postfix-check.log" "$MAILLOG" >&2; mta_die "postfix check failed"; }
    postfix -c "$PF" start >>"$W/postfix-check.log" 2>&1 ||
        { cat "$W/postfix-check.log" "$MAILLOG" >&2; mta_die "postfix did not start"; }
    mta_on_exit "pf_stop"
    for p in $P25 $P587 $P465; do
        mta_wait_port "$p" 20 || { cat "$MAILLOG" >&2; mta_die "postfix is not listening on $p"; }
    done
}

pf_stop() {
    pidf="$W/postfix-spool/pid/master.pid"
    [ -f "$pidf" ] || return 0
    pid=$(tr -d ' ' < "$pidf")
    postfix -c "$PF" stop >/dev/null 2>&1
    mta_wait_gone "$pid" 10 || kill -9 "$pid" 2>/dev/null
}

# pf_drain [SECONDS]: flush the queue and wait until it is empty, so that
# "nothing reached the sink" is a fact rather than a race.
pf_drain() {
    postqueue -c "$PF" -f >/dev/null 2>&1
    i=0
    while [ $i -lt $(( ${1:-30} * 10 )) ]; do
        if [ -z "$(find "$W/postfix-spool/incoming" "$W/postfix-spool/active" \
                        "$W/postfix-spool/deferred" "$W/postfix-spool/maildrop" -type f 2>/dev/null)" ]; then
            return 0
        fi
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
