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
mf="$MTA_KITS/postfix/master.cf.snippet"
check "main.cf.snippet attaches relayguard" has "$pf" '^smtpd_milters = inet:127\.0\.0\.1:8894$'
check "main.cf.snippet: milter_default_action = tempfail" has "$pf" '^milter_default_action = tempfail$'
check "main.cf.snippet: milter_protocol = 6" has "$pf" '^milter_protocol = 6$'
check "main.cf.snippet: smtpd_tls_auth_only = yes" has "$pf" '^smtpd_tls_auth_only = yes$'
check "main.cf.snippet sends {auth_authen} at MAIL" has "$pf" '^milter_mail_macros = .*\{auth_authen\}'
check "main.cf.snippet sends i at RCPT" has "$pf" '^milter_rcpt_macros = i '
check "master.cf.snippet: submission requires TLS" has "$mf" 'smtpd_tls_security_level=encrypt'
check "master.cf.snippet: smtps is wrapper mode" has "$mf" 'smtpd_tls_wrappermode=yes'
# postconf parses the snippets with no unknown-parameter warnings.
mkdir -p "$W/pf"
cp "$pf" "$W/pf/main.cf"; cp "$mf" "$W/pf/master.cf"
check "postconf reads main.cf.snippet without warnings" \
    sh -c "postconf -c '$W/pf' -n 2>&1 >/dev/null | grep . && exit 1 || exit 0"
check "postconf reads master.cf.snippet" sh -c "postconf -c '$W/pf' -M submission/inet smtps/inet | grep -c . | grep -qx 2"

sm="$MTA_KITS/sendmail/relayguard.mc"
check "relayguard.mc: INPUT_MAIL_FILTER with F=T" has "$sm" "INPUT_MAIL_FILTER\\(\`relayguard', \`S='RG_SOCKET\`, F=T, T="
check "relayguard.mc: STARTTLS certificate" has "$sm" 'confSERVER_CERT'
check "relayguard.mc: AUTH only after TLS" has "$sm" "confAUTH_OPTIONS', \`A p"
for s in CONNECT HELO ENVFROM ENVRCPT; do
    check "relayguard.mc: confMILTER_MACROS_$s" has "$sm" "confMILTER_MACROS_$s"
done
if [ -f /usr/share/sendmail/cf/m4/cf.m4 ]; then
    printf "OSTYPE(\`linux')dnl\ninclude(\`%s')dnl\nMAILER(\`local')dnl\nMAILER(\`smtp')dnl\n" "$sm" > "$W/kit.mc"
    check "relayguard.mc builds a sendmail.cf with defaults" \
        sh -c "m4 /usr/share/sendmail/cf/m4/cf.m4 '$W/kit.mc' > '$W/kit.cf' && grep -q '^Xrelayguard, S=inet:8894@127.0.0.1, F=T, T=C:10s;S:20s;R:20s;E:5m' '$W/kit.cf' && grep -q '^O Milter.macros.envrcpt=i,' '$W/kit.cf' && grep -q '^O DaemonPortOptions=.*Port=submission, Name=MSA, M=Ea' '$W/kit.cf'"
else
    mta_fail=$((mta_fail + 1)); echo "not ok - sendmail-cf is not installed (/usr/share/sendmail/cf/m4/cf.m4)"
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
