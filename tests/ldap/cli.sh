#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# cli.sh - relayguard -n, -n -v and -T against a real slapd: kinds,
# login ownership, injection, failover, slapd stopped and restarted, a
# stalled server, and configuration errors.  Exact codes and reasons.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
[ -x "$RELAYGUARD" ] || { echo "FAIL: no relayguard binary at $RELAYGUARD"; exit 1; }

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
DEAD="ldap://127.0.0.1:$(free_port)/"
write_conf "$T/a.conf" "$URI_A"
# Login ownership needs AUTH relaying and the sender_login check.
echo 'auth = { relay = true; require_tls = true; sender_login = "reject"; };' >> "$T/a.conf"

# rgT NAME EXPECTED_EXIT ARGS...: run relayguard -T, keep its output in $T/NAME.out
rgT() {
	name=$1 want_rc=$2; shift 2
	rc=0
	"$RELAYGUARD" -T "$@" > "$T/$name.out" 2> "$T/$name.err" || rc=$?
	if [ "$rc" -eq "$want_rc" ]; then ok "$name: exit $rc"
	else fail "$name: exit $rc, want $want_rc"; sed 's/^/    /' "$T/$name.out" "$T/$name.err"; fi
}
# has NAME REGEX: some stdout line of run NAME matches
has() { grep_log "$T/$1.out" "$2"; }
hasnt() {
	if grep -Eq -- "$2" "$T/$1.out"; then fail "$1: unexpected /$2/"; else ok "$1: no /$2/"; fi
}
IN="client=198.51.100.7 helo=mx.other.example from=<x@other.example>"

echo "== -n and -n -v"
"$RELAYGUARD" -n -c "$T/a.conf" > "$T/n.out" 2>&1 && ok "-n accepts the config" || fail "-n: $(cat "$T/n.out")"
"$RELAYGUARD" -n -v -c "$T/a.conf" > "$T/nv.out" 2>&1 && ok "-n -v binds" || fail "-n -v: $(cat "$T/nv.out")"
has nv "directory OK"
printf 'wrong-password\n' > "$T/wrong.secret"; chmod 600 "$T/wrong.secret"
sed "s|$T/ldap.secret|$T/wrong.secret|" "$T/a.conf" > "$T/wrong.conf"
rc=0; "$RELAYGUARD" -n -v -c "$T/wrong.conf" > "$T/nvw.out" 2>&1 || rc=$?
[ "$rc" -eq 69 ] && ok "-n -v with a wrong password exits 69" || fail "-n -v wrong password: exit $rc"
has nvw "directory FAILED: $URI_A: bind as $SVC_DN: Invalid credentials"
grep -qF wrong-password "$T/nvw.out" && fail "-n -v printed the password"
write_conf "$T/fo.conf" "$DEAD" "$URI_A"
rc=0; "$RELAYGUARD" -n -v -c "$T/fo.conf" > "$T/nvd.out" 2>&1 || rc=$?
[ "$rc" -eq 69 ] && ok "-n -v names the dead URI" || fail "-n -v dead URI: exit $rc"
has nvd "directory FAILED: $DEAD: connect: Can't contact LDAP server"

echo "== -n reports every LDAP error with FILE:LINE"
secret_file; chmod 640 "$T/ldap.secret"
cat > "$T/bad.conf" <<CONF
domains = { local = [ "example.edu" ]; };
recipients = { verify = true; };
directory = {
  backend = "ldap";
  ldap = {
    uris = [ "ldap://127.0.0.1:1/", "http://x" ];
    starttls = "sometimes";
    bind_dn = "cn=relayguard,ou=services,dc=example,dc=edu";
    bind_password_file = "$T/ldap.secret";
    scope = "tree";
    timeout = 30.0;
    pool_size = 0;
    recipient_filter = "(objectClass=*)";
    list_filter = "(cn=%u";
    login_filter = "(uid=%x)";
    login_address_attributes = [ "mail;binary" ];
    colour = "blue";
  };
  cache = { ttl = 300; stale_ttl = 10; size = 3; };
};
CONF
rc=0; "$RELAYGUARD" -n -c "$T/bad.conf" > "$T/bad.out" 2>&1 || rc=$?
[ "$rc" -eq 78 ] && ok "-n on a bad LDAP config exits 78" || fail "bad config: exit $rc"
for pat in 'bad.conf:[0-9]+: .*"http://x"' \
    'bad.conf:[0-9]+: .*sometimes' \
    'bad.conf:[0-9]+: bind_password_file ".*" is readable or writable by group or others' \
    'bad.conf:[0-9]+: .*tree' \
    'bad.conf:[0-9]+: .*timeout.* must be between' \
    'bad.conf:[0-9]+: .*pool_size.* must be between' \
    'bad.conf:[0-9]+: recipient_filter: filter uses none of' \
    'bad.conf:[0-9]+: list_filter: unbalanced parentheses' \
    'bad.conf:[0-9]+: login_filter: unknown placeholder %x' \
    'bad.conf:[0-9]+: login_address_attributes: "mail;binary"' \
    'bad.conf:[0-9]+: unknown key "directory.ldap.colour"' \
    'bad.conf:[0-9]+: unknown key "directory.cache.size"' \
    'bad.conf:[0-9]+: stale_ttl \(10\) must be 0 or at least ttl' \
    'bad.conf:[0-9]+: ldap.base is required'; do
	grep_log "$T/bad.out" "$pat"
done
chmod 600 "$T/ldap.secret"

echo "== -T: mailbox, forward, list, unknown"
rgT kinds 1 -c "$T/a.conf" $IN rcpt=alice@example.edu rcpt=carol@example.edu \
    rcpt=staff@example.edu rcpt=asmith@cs.example.edu rcpt=nobody@example.edu
has kinds "action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu> lookup=$URI_A"
has kinds "action=accept stage=rcpt reason=forward .*rcpt=<carol@example\.edu> lookup=$URI_A"
has kinds "action=accept stage=rcpt reason=list .*rcpt=<staff@example\.edu> lookup=$URI_A"
has kinds "action=accept stage=rcpt reason=local .*rcpt=<asmith@cs\.example\.edu>"
has kinds "action=reject stage=rcpt reason=unknown-recipient .*rcpt=<nobody@example\.edu> reply=\"550 5\.1\.1 .*lookup=$URI_A"
rgT known 0 -c "$T/a.conf" $IN rcpt=alice@example.edu rcpt=Alice.Smith@Example.EDU

echo "== -T: login ownership"
AUTH="client=203.0.113.9 helo=laptop tls=TLSv1.3"
rgT own 0 -c "$T/a.conf" $AUTH auth=alice from=alice.smith@example.edu rcpt=friend@elsewhere.example
has own "action=accept stage=mail reason=authenticated .*auth=alice .*from=<alice\.smith@example\.edu> lookup=$URI_A"
rgT notown 1 -c "$T/a.conf" $AUTH auth=alice from=bob@example.edu rcpt=friend@elsewhere.example
has notown "action=reject stage=mail reason=sender-login-mismatch .*auth=alice .*reply=\"553 5\.7\.1 "
rgT starown 1 -c "$T/a.conf" $AUTH 'auth=*' from=alice@example.edu rcpt=friend@elsewhere.example
has starown "action=reject stage=mail reason=sender-login-mismatch .*reply=\"553 5\.7\.1 "
rgT injown 1 -c "$T/a.conf" $AUTH 'auth=bob)(uid=alice' from=alice@example.edu rcpt=friend@elsewhere.example
has injown "action=reject stage=mail reason=sender-login-mismatch"

echo "== -T: injection attempts are unknown recipients, not errors, not matches"
for r in '*)(uid=*@example.edu' 'a\2a@example.edu' 'al(ice@example.edu' '*@example.edu' \
    'staff)(cn=*@example.edu'; do
	rgT inj 1 -c "$T/a.conf" $IN "rcpt=$r"
	has inj "action=reject stage=rcpt reason=unknown-recipient .*reply=\"550 5\.1\.1 .*lookup=$URI_A"
	hasnt inj "action=accept stage=rcpt|action=tempfail"
done
rgT literal 0 -c "$T/a.conf" $IN 'rcpt=a*b@example.edu' 'rcpt=odd(one)@example.edu'

echo "== -T: first URI dead, second alive"
echo 'auth = { relay = true; require_tls = true; sender_login = "reject"; };' >> "$T/fo.conf"
rgT fo 1 -c "$T/fo.conf" $IN rcpt=alice@example.edu rcpt=carol@example.edu rcpt=nobody@example.edu
has fo "action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu> lookup=$URI_A"
has fo "action=accept stage=rcpt reason=forward .*rcpt=<carol@example\.edu> lookup=$URI_A"
has fo "action=reject stage=rcpt reason=unknown-recipient .*rcpt=<nobody@example\.edu>"
hasnt fo "tempfail"

echo "== -T: slapd stopped: tempfail, never accept, never 5xx"
stop_slapd A
rgT down 75 -c "$T/a.conf" $IN rcpt=alice@example.edu rcpt=nobody@example.edu
has down "action=tempfail stage=rcpt reason=directory-unavailable .*rcpt=<alice@example\.edu> reply=\"451 4\.3\.0 .*lookup=$URI_A lookup_error=\"connect: Can't contact LDAP server\""
has down "action=tempfail stage=rcpt reason=directory-unavailable .*rcpt=<nobody@example\.edu> reply=\"451 4\.3\.0 "
hasnt down "action=accept stage=rcpt|reply=\"5"
rgT downown 75 -c "$T/a.conf" $AUTH auth=alice from=alice@example.edu rcpt=friend@elsewhere.example
has downown "action=tempfail stage=mail reason=directory-unavailable .*reply=\"451 4\.3\.0 "
hasnt downown "reply=\"5"

echo "== -T: slapd restarted: back to normal"
restart_slapd A
rgT up 0 -c "$T/a.conf" $IN rcpt=alice@example.edu
has up "action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu> lookup=$URI_A"

echo "== -T: stalled server: the timeout is honoured"
start_stall S
URI_S="ldap://127.0.0.1:$PORT_S/"
TIMEOUT=1.5 write_conf "$T/st.conf" "$URI_S"
t0=$(date +%s%N)
rgT stall 75 -c "$T/st.conf" $IN rcpt=alice@example.edu
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
[ "$ms" -lt 3500 ] && ok "stalled lookup gave up after ${ms}ms (timeout 1.5s)" ||
    fail "stalled lookup took ${ms}ms, timeout 1.5s"
has stall "action=tempfail stage=rcpt reason=directory-unavailable .*reply=\"451 4\.3\.0 .*lookup=$URI_S lookup_error=\"bind: no answer within"
TIMEOUT=2.0 write_conf "$T/st2.conf" "$URI_S" "$URI_A"
rgT stall2 0 -c "$T/st2.conf" $IN rcpt=alice@example.edu
has stall2 "action=accept stage=rcpt reason=local .*lookup=$URI_A"

echo "== the shipped examples: etc/ldap LDIFs load and answer; the config fragment is valid"
{
	# The test data's suffix and OUs, then the examples.
	grep -v '^#' "$top_srcdir/tests/ldap/data.ldif" |
	    awk 'BEGIN { RS = ""; ORS = "\n\n" } /^dn: (dc=example|ou=)/'

	for f in user forward list service; do
		grep -v '^#' "$top_srcdir/etc/ldap/$f.ldif"; echo
	done
} > "$T/examples.ldif"
port=$(free_port)
sh "$SLAPDSH" start "$T/slapd-ex" "$port" "$T/examples.ldif"
URI_EX="ldap://127.0.0.1:$port/"
# The example service account's hash is a placeholder: bind as the test rootdn.
printf 'admin-test-only\n' > "$T/admin.secret"; chmod 600 "$T/admin.secret"
write_conf "$T/ex.conf" "$URI_EX"
sed -i "s|$SVC_DN|cn=admin,$BASE_DN|; s|$T/ldap.secret|$T/admin.secret|" "$T/ex.conf"
rgT examples 0 -c "$T/ex.conf" $IN rcpt=alice@example.edu rcpt=asmith@cs.example.edu \
    rcpt=carol@example.edu rcpt=staff@example.edu
has examples "action=accept stage=rcpt reason=local .*rcpt=<asmith@cs\.example\.edu> lookup=$URI_EX"
has examples "action=accept stage=rcpt reason=forward .*rcpt=<carol@example\.edu> lookup=$URI_EX"
has examples "action=accept stage=rcpt reason=list .*rcpt=<staff@example\.edu> lookup=$URI_EX"
{
	echo 'domains = { local = [ "example.edu", ".example.edu" ]; };'
	echo 'recipients = { verify = true; };'
	cat "$top_srcdir/etc/ldap/policy.conf.ldap"
} > "$T/example.conf"
secret_file	# example.conf names "ldap.secret", relative to itself
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
	"$RELAYGUARD" -n -c "$T/example.conf" > "$T/exn.out" 2>&1 &&
	    ok "etc/ldap/policy.conf.ldap passes -n" || fail "etc/ldap/policy.conf.ldap: $(cat "$T/exn.out")"
fi

no_secret "$T"/*.out "$T"/*.err
finish
