#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -L postfix against real Postfix configurations: Debian's stock
# main.cf and master.cf, wired the way the README says, then broken one
# way at a time with postconf -e / -M / -P.  Needs postconf, not root.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lint/lib.sh"

command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v postconf >/dev/null 2>&1 || { echo "SKIP: postconf not installed (Debian: postfix)"; exit 77; }
main=/usr/share/postfix/main.cf.debian master=/usr/share/postfix/master.cf.dist
[ -r "$main" ] || main=/etc/postfix/main.cf
[ -r "$master" ] || master=/etc/postfix/master.cf
[ -r "$main" ] && [ -r "$master" ] || { echo "SKIP: no stock main.cf/master.cf to start from"; exit 77; }

policy "$T/inet.conf" "inet:8894@127.0.0.1"
policy "$T/ldap.conf" "inet:8894@127.0.0.1" 8.0
policy "$T/unix.conf" "unix:/var/spool/postfix/run/relayguard/milter.sock"
policy "$T/run.conf" "unix:/run/relayguard/milter.sock"

# good DIR [MILTER]: stock files, relayguard in smtpd_milters, AUTH only
# over TLS, and Debian's commented submission and smtps services enabled
# (chrooted, as Debian writes them).
good() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d"
	cp "$main" "$d/main.cf"
	cp "$master" "$d/master.cf"
	postconf -c "$d" -e "smtpd_milters = { ${2:-inet:127.0.0.1:8894}, default_action=tempfail }" \
	    'smtpd_tls_auth_only = yes'
	postconf -c "$d" -M -e 'submission/inet = submission inet n - y - - smtpd' \
	    'smtps/inet = smtps inet n - y - - smtpd'
	postconf -c "$d" -P 'submission/inet/syslog_name=postfix/submission' \
	    'submission/inet/smtpd_tls_security_level=encrypt' \
	    'submission/inet/smtpd_sasl_auth_enable=yes' \
	    'smtps/inet/syslog_name=postfix/smtps' 'smtps/inet/smtpd_tls_wrappermode=yes' \
	    'smtps/inet/smtpd_sasl_auth_enable=yes'
}
D=$T/pf
lint() { expect "$1" "$2" "$3" -- -L postfix -c "$4" -C "$D" "${@:5}"; }

good "$D"
lint "good, inet socket" 0 "" "$T/inet.conf"
lint "good, LDAP budget inside the 30s default" 0 "" "$T/ldap.conf"
good "$D" unix:run/relayguard/milter.sock
lint "good, chrooted smtpd and a socket in the queue directory" 0 "" "$T/unix.conf"

good "$D"; postconf -c "$D" -e 'smtpd_milters ='
lint "smtpd_milters empty" 2 \
    "error: smtpd_milters: smtpd_milters is empty, so mail from outside never reaches relayguard; fix: smtpd_milters = { inet:127.0.0.1:8894, default_action=tempfail }" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -P 'submission/inet/smtpd_milters='
lint "submission overrides smtpd_milters with nothing" 2 \
    "error: master.cf submission/inet: smtpd_milters is empty, so mail from outside never reaches relayguard; fix: smtpd_milters = { inet:127.0.0.1:8894, default_action=tempfail }, or drop the -o override" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'smtpd_milters = inet:127.0.0.1:8891'
lint "only another milter" 2 \
    "error: smtpd_milters: no milter in \"inet:127.0.0.1:8891\" reaches relayguard's socket inet:8894@127.0.0.1; fix: add { inet:127.0.0.1:8894, default_action=tempfail }" \
    "$T/inet.conf"

good "$D"
expect "-p names another socket" 2 \
    "error: smtpd_milters: no milter in \"{ inet:127.0.0.1:8894, default_action=tempfail }\" reaches relayguard's socket inet:9999@127.0.0.1; fix: add { inet:127.0.0.1:9999, default_action=tempfail }" \
    -- -L postfix -c "$T/inet.conf" -p inet:9999@127.0.0.1 -C "$D"

good "$D"; postconf -c "$D" -e 'smtpd_milters = inet:127.0.0.1:8891, inet:127.0.0.1:8894' \
    'milter_default_action = accept'
lint "milter_default_action = accept" 2 \
    "error: milter_default_action: relayguard's milter fails open: default_action accept relays mail unchecked whenever relayguard is down or slow; fix: default_action = tempfail" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'smtpd_milters = inet:127.0.0.1:8891, { inet:127.0.0.1:8894, default_action = accept }'
lint "per-milter default_action=accept" 2 \
    "error: smtpd_milters: relayguard's milter fails open: default_action accept relays mail unchecked whenever relayguard is down or slow; fix: default_action = tempfail" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'smtpd_milters = { inet:127.0.0.1:8894, default_action=reject }'
lint "per-milter default_action=reject" 1 \
    "warning: smtpd_milters: default_action reject bounces mail (5xx) whenever relayguard is down or slow; fix: default_action = tempfail, unless refusing is meant" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'milter_protocol = 4'
lint "milter_protocol = 4" 1 \
    "warning: milter_protocol: milter protocol 4 cannot negotiate the macros relayguard asks for (smfi_setsymlist); fix: milter_protocol = 6" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'milter_mail_macros = i {mail_addr}'
lint "MAIL macros trimmed, protocol 6 asks for them" 0 \
    "note: milter_mail_macros: does not list {auth_authen} {auth_type} for MAIL FROM; relayguard asks for them itself (smfi_setsymlist, milter protocol 6), without which no client is ever authenticated; fix: add {auth_authen} {auth_type} to milter_mail_macros" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'milter_mail_macros = i {mail_addr}' 'milter_helo_macros =' \
    'milter_protocol = 2'
lint "MAIL and HELO macros trimmed, protocol 2" 2 \
    "warning: milter_protocol: milter protocol 2 cannot negotiate the macros relayguard asks for (smfi_setsymlist) and has no DATA stage; fix: milter_protocol = 6
error: milter_mail_macros: does not send {auth_authen} {tls_version} {auth_type} at MAIL FROM and milter protocol 2 cannot ask for them, so no client is ever authenticated; fix: add {auth_authen} {tls_version} {auth_type} to milter_mail_macros" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'milter_command_timeout = 5s'
lint "milter_command_timeout below the LDAP budget" 1 \
    "warning: milter_command_timeout: milter command timeout 5s does not cover relayguard's directory budget of 8s (directory.ldap.timeout) plus 1s to answer, so a slow directory tempfails at the MTA; fix: at least 10s" \
    "$T/ldap.conf"
lint "the same timeout with the file backend" 0 "" "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'smtpd_milters = { inet:127.0.0.1:8894, command_timeout=8s }'
lint "per-milter command_timeout below the budget" 1 \
    "warning: smtpd_milters: milter command timeout 8s does not cover relayguard's directory budget of 8s (directory.ldap.timeout) plus 1s to answer, so a slow directory tempfails at the MTA; fix: at least 10s" \
    "$T/ldap.conf"

good "$D"; postconf -c "$D" -e 'smtpd_sasl_auth_enable = yes' 'smtpd_tls_auth_only = no'
lint "AUTH without TLS on port 25" 1 \
    "warning: smtpd_tls_auth_only: AUTH is offered without TLS (smtpd_sasl_auth_enable = yes, smtpd_tls_auth_only = no) while auth.require_tls refuses relaying to logins without TLS; fix: smtpd_tls_auth_only = yes" \
    "$T/inet.conf"
good "$D"; postconf -c "$D" -P 'submission/inet/smtpd_tls_security_level=may' \
    'submission/inet/smtpd_tls_auth_only=no'
lint "AUTH without TLS on submission only" 1 \
    "warning: master.cf submission/inet: AUTH is offered without TLS (smtpd_sasl_auth_enable = yes, smtpd_tls_auth_only = no) while auth.require_tls refuses relaying to logins without TLS; fix: smtpd_tls_auth_only = yes" \
    "$T/inet.conf"
sed -i 's/require_tls = true/require_tls = false/' "$T/inet.conf"
lint "AUTH without TLS, TLS not required" 0 "" "$T/inet.conf"
sed -i 's/require_tls = false/require_tls = true/' "$T/inet.conf"

good "$D" unix:/run/relayguard/milter.sock
chroot_msg() {
	echo "error: master.cf $1: smtpd runs chrooted in /var/spool/postfix and cannot see relayguard's socket /run/relayguard/milter.sock; fix: let relayguard listen on /var/spool/postfix/run/relayguard/milter.sock and name it unix:run/relayguard/milter.sock, or set this service's chroot column to n"
}
lint "unix socket outside the chroot" 2 "$(chroot_msg smtp/inet; chroot_msg submission/inet; chroot_msg smtps/inet)" \
    "$T/run.conf"
postconf -c "$D" -F 'smtp/inet/chroot=n' 'submission/inet/chroot=n' 'smtps/inet/chroot=n'
lint "the same socket, smtpd not chrooted" 0 "" "$T/run.conf"

good "$D"; postconf -c "$D" -e 'receive_override_options = no_milters'
lint "receive_override_options = no_milters" 2 \
    "error: receive_override_options: receive_override_options = no_milters turns every milter off, relayguard too; fix: remove no_milters" \
    "$T/inet.conf"

good "$D"; postconf -c "$D" -e 'smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, permit'
lint "Postfix relays for anyone: a note" 0 \
    "note: smtpd_relay_restrictions: neither smtpd_relay_restrictions nor smtpd_recipient_restrictions refuses relaying on its own, so relayguard is the only defence; fix: keep reject_unauth_destination (or defer_unauth_destination) in smtpd_relay_restrictions" \
    "$T/inet.conf"

# Unreadable: no main.cf, and postconf output past the line limit.
expect "no such directory" 78 "" -- -L postfix -c "$T/inet.conf" -C "$T/nonexistent"
grep -q 'cannot read the Postfix configuration' "$T/stderr" && pass || fail "no clear error: $(cat "$T/stderr")"
good "$D"; printf 'mydestination = %s\n' "$(head -c 20000 /dev/zero | tr '\0' x)" >>"$D/main.cf"
expect "a 20000-byte main.cf line" 78 "" -- -L postfix -c "$T/inet.conf" -C "$D"
grep -q 'longer than 16384 bytes' "$T/stderr" && pass || fail "no clear error: $(cat "$T/stderr")"

expect "-C without -L" 64 "" -- -C "$D"
expect "-L exim" 64 "" -- -L exim -c "$T/inet.conf"
finish
