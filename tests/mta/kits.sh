#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/kits.sh: the integration kits in etc/ are complete and valid.
#
# postfix.sh and sendmail.sh run real MTAs built from these same files;
# this test checks what those runs cannot: the systemd unit (with
# systemd-analyze verify), the settings the kits promise, and that the
# example policy.conf passes relayguard -n.

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

mta_need postconf m4 systemd-analyze
mta_init kits
CASE=kits
check() { # check DESCRIPTION COMMAND...
    d=$1; shift
    if "$@" >"$W/out" 2>&1; then mta_pass=$((mta_pass + 1)); echo "ok - $d"
    else mta_fail=$((mta_fail + 1)); echo "not ok - $d"; sed 's/^/    | /' "$W/out"; fi
}
has() { grep -E -q -- "$2" "$1"; }

pf="$MTA_KITS/postfix/main.cf.snippet"
ps="$MTA_KITS/postfix/main.cf.site"
mf="$MTA_KITS/postfix/master.cf.snippet"
rgpf='^smtpd_milters = \{ inet:127\.0\.0\.1:8894, default_action=tempfail, command_timeout=10s, protocol=6 \}$'
check "main.cf.snippet attaches relayguard in the per-milter form" has "$pf" "$rgpf"
check "main.cf.snippet sets nothing but smtpd_milters" \
    sh -c "! grep -v -E '^(#|\$|smtpd_milters = )' '$pf'"
check "main.cf.snippet states command_timeout = ceil(directory.ldap.timeout) + 7 s" has "$pf" 'ceil\(directory\.ldap\.timeout\) \+ 7 s'
check "main.cf.site: milter_default_action = tempfail" has "$ps" '^milter_default_action = tempfail$'
check "main.cf.site: milter_protocol = 6" has "$ps" '^milter_protocol = 6$'
check "main.cf.site: smtpd_tls_auth_only = yes" has "$ps" '^smtpd_tls_auth_only = yes$'
check "main.cf.site sends {auth_authen} at MAIL" has "$ps" '^milter_mail_macros = .*\{auth_authen\}'
check "main.cf.site sends i at RCPT" has "$ps" '^milter_rcpt_macros = i '
check "master.cf.snippet: submission requires TLS" has "$mf" 'smtpd_tls_security_level=encrypt'
check "master.cf.snippet: smtps is wrapper mode" has "$mf" 'smtpd_tls_wrappermode=yes'
# postconf parses the kits with no unknown-parameter warnings.
for f in "$pf" "$ps"; do
    rm -rf "$W/pf"; mkdir -p "$W/pf"
    cp "$f" "$W/pf/main.cf"; cp "$mf" "$W/pf/master.cf"
    check "postconf reads $(basename "$f") without warnings" \
        sh -c "postconf -c '$W/pf' -n 2>&1 >/dev/null | grep . && exit 1 || exit 0"
done
check "postconf reads master.cf.snippet" sh -c "postconf -c '$W/pf' -M submission/inet smtps/inet | grep -c . | grep -qx 2"
check "relayguard-postfix-setup is executable" test -x "$MTA_KITS/postfix/relayguard-postfix-setup"

sm="$MTA_KITS/sendmail/relayguard.mc"
ss="$MTA_KITS/sendmail/relayguard-site.mc"
check "relayguard.mc: INPUT_MAIL_FILTER with F=T" has "$sm" "INPUT_MAIL_FILTER\\(\`relayguard', \`S='RG_SOCKET\`, F=T, T="
check "relayguard.mc states RG_TIMEOUT = ceil(directory.ldap.timeout) + 7 s" has "$sm" 'ceil\(directory\.ldap\.timeout\) \+ 7 s'
check "relayguard.mc: no listener, TLS or AUTH setting" sh -c "! grep -v '^dnl' '$sm' | grep -E 'DAEMON_OPTIONS|no_default_msa|confAUTH|TRUST_AUTH|confSERVER_|confCACERT|confTLS'"
check "relayguard-site.mc: STARTTLS certificate" has "$ss" 'confSERVER_CERT'
check "relayguard-site.mc: AUTH only after TLS" has "$ss" "confAUTH_OPTIONS', \`A p"
cfm4=/usr/share/sendmail/cf/m4/cf.m4 stock=/usr/share/sendmail/cf/debian/sendmail.mc
if [ -f "$cfm4" ]; then
    printf "OSTYPE(\`linux')dnl\ninclude(\`%s')dnl\ninclude(\`%s')dnl\nMAILER(\`local')dnl\nMAILER(\`smtp')dnl\n" "$ss" "$sm" > "$W/kit.mc"
    check "relayguard-site.mc + relayguard.mc build a sendmail.cf with defaults" \
        sh -c "m4 $cfm4 '$W/kit.mc' > '$W/kit.cf' && grep -q '^Xrelayguard, S=inet:8894@127.0.0.1, F=T, T=C:10s;S:10s;R:10s;E:5m' '$W/kit.cf' && grep -q '^O Milter.macros.envrcpt=.*, i\$' '$W/kit.cf' && grep -q '^O DaemonPortOptions=.*Port=submission, Name=MSA, M=Ea' '$W/kit.cf'"
else
    mta_fail=$((mta_fail + 1)); echo "not ok - sendmail-cf is not installed ($cfm4)"
fi
# The hook-up into Debian's stock sendmail.mc (its site includes dropped):
# only the X line, InputMailFilters and the Milter options may differ.
if [ -f "$cfm4" ] && [ -f "$stock" ]; then
    grep -v 'm4/dialup.m4\|m4/provider.m4' "$stock" > "$W/stock.mc"
    sed "/^MAILER_DEFINITIONS/i include(\`$sm')dnl" "$W/stock.mc" > "$W/hook.mc"
    # A site that already trimmed a list and runs another milter keeps both.
    sed "/^MAILER_DEFINITIONS/i INPUT_MAIL_FILTER(\`opendkim', \`S=inet:8891@127.0.0.1')dnl\ndefine(\`confMILTER_MACROS_ENVFROM', \`i, {auth_authen}')dnl\ninclude(\`$sm')dnl" "$W/stock.mc" > "$W/other.mc"
    m4 "$cfm4" "$W/stock.mc" > "$W/stock.cf" 2>"$W/m4.err" && m4 "$cfm4" "$W/hook.mc" > "$W/hook.cf" 2>>"$W/m4.err" &&
        m4 "$cfm4" "$W/other.mc" > "$W/other.cf" 2>>"$W/m4.err"
    check "m4 builds the stock .mc with and without the hook-up, quietly" test ! -s "$W/m4.err"
    diff <(grep -v -E '^(#|$)' "$W/stock.cf") <(grep -v -E '^(#|$)' "$W/hook.cf") | grep '^[<>]' > "$W/cf.diff"
    check "stock + hook-up: only X, InputMailFilters and Milter.macros lines differ" \
        sh -c "! grep -v -E '^> (Xrelayguard, |O InputMailFilters=relayguard\$|O Milter\\.macros\\.)' '$W/cf.diff'"
    check "stock + hook-up: DAEMON_OPTIONS, TLS and AUTH as they were" \
        bash -c "diff <(grep -E '^O (DaemonPortOptions|AuthMechanisms|AuthOptions|Server|CA|TLS|ClientPortOptions)' '$W/stock.cf') <(grep -E '^O (DaemonPortOptions|AuthMechanisms|AuthOptions|Server|CA|TLS|ClientPortOptions)' '$W/hook.cf')"
    check "stock + hook-up: macros appended to cf.m4's defaults, none repeated" \
        sh -c "grep -qx 'O Milter.macros.envfrom=i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}, {tls_version}, {cipher}' '$W/hook.cf' && grep -qx 'O Milter.macros.envrcpt={rcpt_mailer}, {rcpt_host}, {rcpt_addr}, i' '$W/hook.cf' && grep -qx 'O Milter.macros.helo={tls_version}, {cipher}, {cipher_bits}, {cert_subject}, {cert_issuer}' '$W/hook.cf'"
    check "another milter and a site's own macro list are kept" \
        sh -c "grep -qx 'O InputMailFilters=opendkim, relayguard' '$W/other.cf' && grep -q '^Xopendkim, S=inet:8891@127.0.0.1' '$W/other.cf' && grep -qx 'O Milter.macros.envfrom=i, {auth_authen}, {auth_type}, {tls_version}, {cipher}' '$W/other.cf'"
    if [ -x "$RELAYGUARD" ]; then
        # The stock MTA-v4 listens on loopback only: the one note is expected.
        check "relayguard -L sendmail on stock + hook-up: no error or warning" \
            sh -c "'$RELAYGUARD' -L sendmail -c '$top_srcdir/etc/policy.conf' -C '$W/hook.cf' > '$W/lint.out'; test \$? = 0 && ! grep -v '^note: ' '$W/lint.out'"
    fi
fi

# The unit make builds from etc/systemd/relayguard.service.in.
unit="$top_builddir/etc/systemd/relayguard.service"
for k in '^User=relayguard$' '^ProtectSystem=strict$' '^NoNewPrivileges=yes$' '^RuntimeDirectory=relayguard$' \
         '^Type=notify$' '^ExecReload=/bin/kill -USR1 \$MAINPID$'; do
    check "relayguard.service has $k" has "$unit" "$k"
done
check "relayguard.service has no @placeholder@ left" sh -c "! grep -E '@(sbindir|sysconfdir)@' '$unit'"
# verify needs the ExecStart binary to exist: point it at the build, and
# change nothing else.
sed -E "s|^(Exec[A-Za-z]+=)[^ ]*/relayguard |\1$RELAYGUARD |" "$unit" > "$W/relayguard.service"
check "systemd-analyze verify relayguard.service" systemd-analyze verify --man=no "$W/relayguard.service"

if [ -x "$RELAYGUARD" ] && [ -f "$top_srcdir/etc/policy.conf" ]; then
    check "relayguard -n accepts etc/policy.conf" "$RELAYGUARD" -n -c "$top_srcdir/etc/policy.conf"
fi

mta_summary
