#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/mta/setup.sh: relayguard-postfix-setup on a private copy of Debian's
# stock Postfix configuration that already runs another milter (standing
# for OpenDKIM on inet:127.0.0.1:9999) with smtpd chrooted.  postconf -c
# on a private directory: no root, no running Postfix.
. "$top_srcdir/tests/lib.sh"

command -v postconf >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
command -v postconf >/dev/null 2>&1 || { echo "SKIP: postconf not installed (Debian: postfix)"; exit 77; }
main=/usr/share/postfix/main.cf.debian master=/usr/share/postfix/master.cf.dist
[ -r "$main" ] || main=/etc/postfix/main.cf
[ -r "$master" ] || master=/etc/postfix/master.cf
[ -r "$main" ] && [ -r "$master" ] || { echo "SKIP: no stock main.cf/master.cf to start from"; exit 77; }
setup=$top_srcdir/etc/postfix/relayguard-postfix-setup
export RELAYGUARD

check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	if "$@" >"$T/out" 2>&1; then pass; else fail "$d"; sed 's/^/    | /' "$T/out"; fi
}
policy() { # policy FILE SOCKET [LDAP_TIMEOUT]
	write_policy "$1"
	sed -i "s|^socket = .*|socket = \"$2\";|" "$1"
	if [ -n "${3:-}" ]; then
		sed -i "s|^directory = .*|directory = { backend = \"ldap\"; on_error = \"tempfail\"; ldap = { uris = [ \"ldap://127.0.0.1:1\" ]; starttls = \"off\"; base = \"dc=example,dc=edu\"; timeout = $3; }; };|" "$1"
	fi
}
policy "$T/unix.conf" unix:/var/spool/postfix/run/relayguard/milter.sock
policy "$T/inet.conf" inet:8894@127.0.0.1 8.5
policy "$T/run.conf" unix:/run/relayguard/milter.sock

# site DIR: the stock files, another milter already attached with its own
# settings, a chrooted submission service (prerequisites: AUTH over TLS).
site() {
	rm -rf "$1"; mkdir -p "$1"
	cp "$main" "$1/main.cf"; cp "$master" "$1/master.cf"
	postconf -c "$1" -e 'smtpd_milters = inet:127.0.0.1:9999' 'non_smtpd_milters = inet:127.0.0.1:9999' \
	    'milter_default_action = accept' 'milter_command_timeout = 5s' 'smtpd_tls_auth_only = yes'
	postconf -c "$1" -M -e 'submission/inet = submission inet n - y - - smtpd'
	postconf -c "$1" -P 'submission/inet/syslog_name=postfix/submission' \
	    'submission/inet/smtpd_tls_security_level=encrypt' 'submission/inet/smtpd_sasl_auth_enable=yes' \
	    'submission/inet/smtpd_milters=inet:127.0.0.1:9999'
}
D=$T/pf
site "$D"
cp -r "$D" "$T/before"
postconf -c "$D" -n >"$T/before.n"

# --dry-run: prints the change, makes none.
check "--dry-run exits 0" sh -c "'$setup' --dry-run -C '$D' -c '$T/unix.conf' >'$T/dry.out'"
check "--dry-run changes nothing" diff -r "$T/before" "$D"
check "--dry-run shows the smtpd_milters change" grep -q '^would change main.cf: smtpd_milters' "$T/dry.out"

# The real run.
check "setup exits 0" sh -c "'$setup' -C '$D' -c '$T/unix.conf' >'$T/run1.out'"
m=$(postconf -c "$D" -h smtpd_milters)
rgm='{ unix:run/relayguard/milter.sock, default_action=tempfail, command_timeout=10s, protocol=6 }'
check "smtpd_milters: relayguard first (chroot name), then the other milter" \
    test "$m" = "$rgm, inet:127.0.0.1:9999"
check "submission's -o smtpd_milters keeps the other milter" \
    sh -c "postconf -c '$D' -P submission/inet/smtpd_milters | grep -qx 'submission/inet/smtpd_milters = {unix:run/relayguard/milter.sock,default_action=tempfail,command_timeout=10s,protocol=6},inet:127.0.0.1:9999'"
check "the chroot was detected" grep -q '^chroot: .*unix:run/relayguard/milter.sock' "$T/run1.out"
check "every change is printed" sh -c "grep -c '^change ' '$T/run1.out' | grep -qx 3"
# Everything else as it was: only these parameters changed in postconf -n.
postconf -c "$D" -n >"$T/after.n"
check "only smtpd_milters and milter_mail_macros changed in main.cf" \
    sh -c "diff '$T/before.n' '$T/after.n' | grep '^[<>]' | sed 's/ =.*//' | sort -u | tr '\n' ' ' | grep -qx '< smtpd_milters > milter_mail_macros > smtpd_milters '"
check "milter_default_action untouched" test "$(postconf -c "$D" -h milter_default_action)" = accept
check "milter_command_timeout untouched" test "$(postconf -c "$D" -h milter_command_timeout)" = 5s
check "non_smtpd_milters untouched" test "$(postconf -c "$D" -h non_smtpd_milters)" = inet:127.0.0.1:9999
check "milter_mail_macros: Postfix's defaults plus what relayguard lacked, once each" \
    test "$(postconf -c "$D" -h milter_mail_macros)" = "$(postconf -d -h milter_mail_macros) {tls_version} {cipher}"
check "macros Postfix already sends are not repeated" sh -c "! postconf -c '$D' -n | grep -q '^milter_\\(helo\\|rcpt\\|data\\)_macros'"
check "postconf reads the result without warnings" sh -c "postconf -c '$D' -n 2>&1 >/dev/null | grep . && exit 1 || exit 0"
check "relayguard -L postfix: no finding" "$RELAYGUARD" -L postfix -c "$T/unix.conf" -C "$D"

# Idempotent.
cp -r "$D" "$T/after1"
check "second run exits 0" sh -c "'$setup' -C '$D' -c '$T/unix.conf' >'$T/run2.out'"
check "second run changes nothing" diff -r "$T/after1" "$D"
check "second run says so" grep -qx 'nothing to change' "$T/run2.out"

# A unix socket a chrooted smtpd cannot see: stop, change nothing, say
# which socket = relayguard needs.
site "$D"; rm -rf "$T/before"; cp -r "$D" "$T/before"
check "socket outside the queue directory: exit 2" \
    sh -c "'$setup' -C '$D' -c '$T/run.conf' >'$T/bad.out' 2>&1; test \$? = 2"
check "... tells the socket = line" grep -q 'socket = "unix:/var/spool/postfix/run/relayguard/milter.sock";' "$T/bad.out"
check "... changes nothing" diff -r "$T/before" "$D"

# An inet socket and an 8.5 s LDAP budget: command_timeout = ceil(8.5) + 7.
site "$D"
check "inet socket, LDAP budget 8.5s" sh -c "'$setup' -C '$D' -c '$T/inet.conf' >'$T/inet.out'"
check "... command_timeout=16s" test "$(postconf -c "$D" -h smtpd_milters)" = \
    "{ inet:127.0.0.1:8894, default_action=tempfail, command_timeout=16s, protocol=6 }, inet:127.0.0.1:9999"
check "relayguard -L postfix: no finding (inet, 8.5s)" "$RELAYGUARD" -L postfix -c "$T/inet.conf" -C "$D"
# An override naming a main.cf list: relayguard goes into that list.
site "$D"
postconf -c "$D" -e 'mua_milters = inet:127.0.0.1:9998'
postconf -c "$D" -P 'submission/inet/smtpd_milters=$mua_milters'
check "override \$mua_milters" sh -c "'$setup' -C '$D' -c '$T/unix.conf' >'$T/mua.out'"
check "... relayguard added to main.cf mua_milters, the override kept" sh -c \
    "test \"\$(postconf -c '$D' -h mua_milters)\" = '$rgm, inet:127.0.0.1:9998' && postconf -c '$D' -P submission/inet/smtpd_milters | grep -qx 'submission/inet/smtpd_milters = \$mua_milters'"
finish
