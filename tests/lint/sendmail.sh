#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -L sendmail against sendmail.cf files built by m4 from
# Debian's stock sendmail.mc (its site includes dropped, MTA-v4 opened to
# every address) plus the milter hook-up, then broken one way at a time
# in the .mc.  Needs m4 and sendmail-cf, not root, not sendmail itself.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lint/lib.sh"

cfm4=/usr/share/sendmail/cf/m4/cf.m4 stock=/usr/share/sendmail/cf/debian/sendmail.mc
command -v m4 >/dev/null 2>&1 || { echo "SKIP: m4 not installed"; exit 77; }
[ -r "$cfm4" ] && [ -r "$stock" ] || { echo "SKIP: sendmail-cf not installed ($cfm4, $stock)"; exit 77; }

policy "$T/inet.conf" "inet:8894@127.0.0.1"
policy "$T/ldap.conf" "inet:8894@127.0.0.1" 8.0
HOOK="INPUT_MAIL_FILTER(\`relayguard', \`S=inet:8894@127.0.0.1, F=T, T=C:10s;S:20s;R:20s;E:5m')dnl"

# build NAME [SED...]: $T/NAME.cf from the stock .mc with the hook-up;
# each SED expression then edits the .mc (lines go before MAILER_DEFINITIONS
# with 'i', as the stock file's own settings are placed).
build() {
	local name=$1 mc="$T/$1.mc"
	shift
	grep -v 'm4/dialup.m4\|m4/provider.m4' "$stock" |
	    sed 's/Name=MTA-v4, Port=smtp, Addr=127.0.0.1/Name=MTA-v4, Port=smtp/' |
	    sed "/^MAILER_DEFINITIONS/i $HOOK" >"$mc"
	for e in "$@"; do sed -i "$e" "$mc"; done
	m4 "$cfm4" "$mc" >"$T/$name.cf" 2>"$T/$name.m4err" || { cat "$T/$name.m4err"; fail "m4 $name"; }
}
# line NAME REGEX: "NAME.cf:N" of the first .cf line matching REGEX.
line() { echo "$1.cf:$(grep -n -m1 -E "$2" "$T/$1.cf" | cut -d: -f1)"; }
lint() { expect "$1" "$2" "$3" -- -L sendmail -c "$4" -C "$T/$5.cf"; }

build good
lint "good" 0 "" "$T/inet.conf" good
lint "good, LDAP budget inside T=" 0 "" "$T/ldap.conf" good

build stock 's/Name=MTA-v4, Port=smtp/Name=MTA-v4, Port=smtp, Addr=127.0.0.1/'
lint "stock listeners, loopback only" 0 \
    "note: $(line stock '^O DaemonPortOptions'): no DaemonPortOptions accepts mail from outside (all listen on loopback), so there is nothing for relayguard to guard; fix: nothing, if that is meant" \
    "$T/inet.conf" stock

build noF 's/, F=T, T=/, T=/'
lint "filter without F=T" 2 \
    "error: $(line noF '^Xrelayguard'): filter relayguard has no F=T, so Sendmail relays mail unchecked whenever relayguard is down or slow; fix: F=T" \
    "$T/inet.conf" noF

build FR 's/, F=T, T=/, F=R, T=/'
lint "filter with F=R" 1 \
    "warning: $(line FR '^Xrelayguard'): filter relayguard has F=R, so Sendmail bounces mail (5xx) whenever relayguard is down or slow; fix: F=T, unless refusing is meant" \
    "$T/inet.conf" FR

build shortT 's/S:20s;R:20s/S:20s;R:5s/'
lint "T=R: below the LDAP budget" 1 \
    "warning: $(line shortT '^Xrelayguard'): filter relayguard: T=C:10s;S:20s;R:5s;E:5m gives relayguard 5s, less than its directory budget of 8s (directory.ldap.timeout) plus 1s to answer, so a slow directory tempfails at the MTA; fix: S: and R: at least 10s" \
    "$T/ldap.conf" shortT
build defaultT 's/, T=C:10s;S:20s;R:20s;E:5m//'
lint "no T=: Sendmail's 10s defaults cover an 8s budget" 0 "" "$T/ldap.conf" defaultT

build wrongS 's/S=inet:8894@127.0.0.1/S=inet:8891@127.0.0.1/'
lint "filter on another socket" 2 \
    "error: $(line wrongS '^Xrelayguard'): no X filter uses relayguard's socket inet:8894@127.0.0.1, so mail never reaches relayguard; fix: INPUT_MAIL_FILTER(\`relayguard', \`S=inet:8894@127.0.0.1, F=T, T=S:10s;R:10s;E:5m')" \
    "$T/inet.conf" wrongS

build notinput 's/^INPUT_MAIL_FILTER/MAIL_FILTER/'
lint "MAIL_FILTER: defined, never used" 2 \
    "error: $(line notinput '^Xrelayguard'): filter relayguard is defined but no InputMailFilters option names it, so mail never reaches relayguard; fix: INPUT_MAIL_FILTER instead of MAIL_FILTER" \
    "$T/inet.conf" notinput

build otherinput "/^MAILER_DEFINITIONS/i define(\`confINPUT_MAIL_FILTERS', \`opendkim')dnl"
lint "InputMailFilters without relayguard" 2 \
    "error: $(line otherinput '^O InputMailFilters'): InputMailFilters=opendkim does not name relayguard, so mail from outside never reaches relayguard; fix: add relayguard (confINPUT_MAIL_FILTERS)" \
    "$T/inet.conf" otherinput

build perdaemon 's/Name=MSP-v4, Port=submission, M=Ea, Addr=127.0.0.1/Name=MSP-v4, Port=submission, M=Ea, InputMailFilters=opendkim/'
lint "the MSA's own InputMailFilters leaves relayguard out" 2 \
    "error: $(line perdaemon 'Name=MSP-v4'): daemon MSP-v4 has its own InputMailFilters=opendkim without relayguard, so its mail never reaches relayguard; fix: add relayguard to it (names separated by ;)" \
    "$T/inet.conf" perdaemon

build macros "/^MAILER_DEFINITIONS/i define(\`confMILTER_MACROS_ENVFROM', \`{mail_addr}')dnl"
lint "envfrom macros trimmed (8.17 negotiates)" 0 \
    "note: $(line macros '^O Milter.macros.envfrom'): Milter.macros.envfrom does not list {auth_authen} {auth_type} i; relayguard asks for them itself (smfi_setsymlist, Sendmail 8.14 and later), without which no client is ever authenticated; fix: add {auth_authen} {auth_type} i to confMILTER_MACROS_ENVFROM" \
    "$T/inet.conf" macros

build old
sed -i 's/^DZ8\.17\.1\.9.*/DZ8.13.8/' "$T/old.cf"
lint "Sendmail 8.13" 1 \
    "warning: $(line old '^DZ'): Sendmail 8.13.8 cannot negotiate the macros relayguard asks for (smfi_setsymlist needs 8.14); fix: upgrade Sendmail" \
    "$T/inet.conf" old
build oldmacros "/^MAILER_DEFINITIONS/i define(\`confMILTER_MACROS_ENVFROM', \`i, {mail_addr}')dnl"
sed -i 's/^DZ8\.17\.1\.9.*/DZ8.13.8/' "$T/oldmacros.cf"
lint "Sendmail 8.13 with trimmed macros" 2 \
    "warning: $(line oldmacros '^DZ'): Sendmail 8.13.8 cannot negotiate the macros relayguard asks for (smfi_setsymlist needs 8.14); fix: upgrade Sendmail
error: $(line oldmacros '^O Milter.macros.envfrom'): Milter.macros.envfrom does not send {auth_authen} {auth_type} and this Sendmail cannot be asked for them, so no client is ever authenticated; fix: add {auth_authen} {auth_type} to confMILTER_MACROS_ENVFROM" \
    "$T/inet.conf" oldmacros

AUTH="/^MAILER_DEFINITIONS/i define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN')dnl"
build authp "$AUTH" "/^MAILER_DEFINITIONS/i define(\`confAUTH_OPTIONS', \`A p')dnl"
lint "AUTH only after TLS (p)" 0 "" "$T/inet.conf" authp
build authnop "$AUTH" "/^MAILER_DEFINITIONS/i define(\`confAUTH_OPTIONS', \`A')dnl"
lint "AUTH without TLS (no p)" 1 \
    "warning: $(line authnop '^O AuthOptions'): AuthOptions has no p, so AUTH PLAIN and LOGIN are offered without TLS while auth.require_tls refuses relaying to logins without TLS; fix: add p to confAUTH_OPTIONS" \
    "$T/inet.conf" authnop

build twice "/^MAILER_DEFINITIONS/i DAEMON_OPTIONS(\`Family=inet, Addr=0.0.0.0, Port=submission, Name=MSA, M=Ea')dnl"
lint "a second listener on the MSP's port" 2 \
    "error: $(line twice 'Name=MSA,'): daemon MSA listens on port 587 like daemon MSP-v4 (line $(line twice 'Name=MSP-v4' | cut -d: -f2)) on an overlapping address, so one of them cannot bind (EADDRINUSE); fix: keep one DAEMON_OPTIONS per port and address" \
    "$T/inet.conf" twice

# Unreadable or hostile files.
expect "no such file" 78 "" -- -L sendmail -c "$T/inet.conf" -C "$T/nonexistent.cf"
grep -q 'cannot read' "$T/stderr" && pass || fail "no clear error: $(cat "$T/stderr")"
cp "$T/good.cf" "$T/long.cf"
printf 'O Milter.macros.helo=%s\n' "$(head -c 20000 /dev/zero | tr '\0' x)" >>"$T/long.cf"
expect "a 20000-byte line" 78 "" -- -L sendmail -c "$T/inet.conf" -C "$T/long.cf"
grep -q 'longer than 16384 bytes' "$T/stderr" && pass || fail "no clear error: $(cat "$T/stderr")"
expect "a directory" 78 "" -- -L sendmail -c "$T/inet.conf" -C "$T"
finish
