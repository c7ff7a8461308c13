#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# logins.sh - suspended logins (issue 12) against a real slapd, through
# the daemon's own code path (-T, -q, one long-lived handle with its
# cache): the mark read by the login lookup and by the suspension-only
# search, three-way when slapd is stopped (451, never 550, never an
# accept), the stale cache, and -n's FILE:LINE errors for the new keys.
# The file directory's field is tested first, without slapd.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/ldap/lib-ldap.sh"
: "${RELAYGUARD:=$top_builddir/milter/relayguard}"
[ -x "$RELAYGUARD" ] || { echo "FAIL: no relayguard binary at $RELAYGUARD"; exit 1; }

# rgT NAME WANT_RC ARGS...: relayguard -T; stdout kept in $T/NAME.out
rgT() {
	name=$1 want_rc=$2; shift 2
	rc=0
	"$RELAYGUARD" -T "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	if [ "$rc" -eq "$want_rc" ]; then ok "$name: exit $rc"
	else fail "$name: exit $rc, want $want_rc"; sed 's/^/    /' "$T/$name.out" "$T/$name.err"; fi
}
has() { grep_log "$T/$1.out" "$2"; }
hasnt() {
	if grep -Eq -- "$2" "$T/$1.out"; then fail "$1: unexpected /$2/"; else ok "$1: no /$2/"; fi
}
# q NAME WANT_RC WANT_OUTPUT ARG CONF: one -q, its exact stdout and exit
q() {
	name=$1 want_rc=$2 want=$3 arg=$4 conf=$5
	rc=0
	"$RELAYGUARD" -q "$arg" -c "$conf" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	got=$(cat "$T/$name.out")
	if [ "$rc" -eq "$want_rc" ] && [ "$got" = "$want" ]; then ok "$name: exit $rc: $got"
	else fail "$name: exit $rc, want $want_rc; got '$got', want '$want'"; sed 's/^/    /' "$T/$name.err"; fi
}
SUSP_REPLY='reply="550 5.7.1 This login is suspended; contact security@example.edu to have it restored"'
AUTH='auth = { relay = true; require_tls = true; sender_login = "reject"; suspended_contact = "security@example.edu"; };'
IN="client=203.0.113.9 tls=TLSv1.3"

echo "== the file directory: suspended = true;"
cat >"$T/dir.conf" <<'CONF'
mailboxes = [ "alice@example.edu" ];
logins = (
  { login = "alice"; addresses = [ "alice@example.edu" ]; },
  { login = "trudy"; addresses = [ "trudy@example.edu" ]; suspended = true; },
  { login = "gone"; addresses = [ ]; suspended = true; }
);
CONF
cat >"$T/file.conf" <<CONF
domains = { local = [ "example.edu" ]; };
$AUTH
directory = { backend = "file"; file = "$T/dir.conf"; };
CONF
rgT file-trudy 1 -c "$T/file.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has file-trudy "action=reject stage=mail reason=login-suspended .*$SUSP_REPLY"
hasnt file-trudy "stage=rcpt"
rgT file-alice 0 -c "$T/file.conf" $IN auth=alice from=alice@example.edu rcpt=alice@example.edu
has file-alice "action=accept stage=rcpt reason=local"
q file-q-trudy 0 "found login=trudy address=trudy@example.edu source=$T/dir.conf
suspended login=trudy source=$T/dir.conf" login=trudy "$T/file.conf"
q file-q-gone 0 "suspended login=gone source=$T/dir.conf" login=gone "$T/file.conf"
q file-q-alice 0 "found login=alice address=alice@example.edu source=$T/dir.conf" login=alice "$T/file.conf"
printf 'logins = ( { login = "x"; addresses = [ ]; suspended = "yes"; } );\n' >"$T/baddir.conf"
sed "s|$T/dir.conf|$T/baddir.conf|" "$T/file.conf" >"$T/badfile.conf"
"$RELAYGUARD" -n -c "$T/badfile.conf" >"$T/badfile.out" 2>&1 && fail "-n accepted suspended = \"yes\""
grep_log "$T/badfile.out" "^$T/baddir.conf:1: .*suspended.* true or false"

start_slapd A
URI_A="ldap://127.0.0.1:$PORT_A/"
LDAP_EXTRA='login_suspended_attribute = "description"; login_suspended_value = "suspended";' \
	write_conf "$T/a.conf" "$URI_A"
echo "$AUTH" >>"$T/a.conf"
sed 's/sender_login = "reject"/sender_login = "off"/' "$T/a.conf" >"$T/off.conf"
LDAP_EXTRA='login_suspended_attribute = "description";' write_conf "$T/any.conf" "$URI_A"
echo "$AUTH" >>"$T/any.conf"
write_conf "$T/none.conf" "$URI_A"
echo "$AUTH" >>"$T/none.conf"

echo "== LDAP: the mark, read by the login lookup"
rgT trudy 1 -c "$T/a.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has trudy "action=reject stage=mail reason=login-suspended .*$SUSP_REPLY lookup=$URI_A"
rgT trudy-other 1 -c "$T/a.conf" $IN auth=trudy from=alice@example.edu rcpt=alice@example.edu
has trudy-other "stage=mail reason=login-suspended"
rgT alice 0 -c "$T/a.conf" $IN auth=alice from=alice.smith@example.edu rcpt=alice@example.edu
has alice "action=accept stage=mail reason=authenticated"
# Only the marked value counts; without login_suspended_value any value does
# (bob and alice carry no description); without the attribute nothing does.
rgT any-trudy 1 -c "$T/any.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has any-trudy "reason=login-suspended"
rgT any-alice 0 -c "$T/any.conf" $IN auth=alice from=alice@example.edu rcpt=alice@example.edu
rgT none-trudy 0 -c "$T/none.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has none-trudy "action=accept stage=mail reason=authenticated"
sed 's/"suspended"/"locked"/' "$T/a.conf" >"$T/locked.conf"
rgT locked-trudy 0 -c "$T/locked.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu

echo "== LDAP: the suspension-only search (null sender, sender_login = off)"
rgT null-trudy 1 -c "$T/a.conf" $IN auth=trudy from='<>' rcpt=alice@example.edu
has null-trudy "stage=mail reason=login-suspended .*from=<> .*lookup=$URI_A"
rgT off-trudy 1 -c "$T/off.conf" $IN auth=trudy from=x@isp.example rcpt=alice@example.edu
has off-trudy "stage=mail reason=login-suspended"
rgT off-alice 0 -c "$T/off.conf" $IN auth=alice from=x@isp.example rcpt=alice@example.edu
rgT inject 0 -c "$T/off.conf" $IN 'auth=*' from=x@isp.example rcpt=alice@example.edu
hasnt inject "login-suspended"

echo "== -q login="
q q-trudy 0 "found login=trudy address=trudy@example.edu source=$URI_A
suspended login=trudy source=$URI_A" login=trudy "$T/a.conf"
q q-alice 0 "found login=alice address=alice@example.edu source=$URI_A
found login=alice address=alice.smith@example.edu source=$URI_A
found login=alice address=asmith@cs.example.edu source=$URI_A" login=alice "$T/a.conf"

echo "== one handle: the cache, then slapd stopped"
# ttl 1 s: after the sleep every entry is stale.  The backend serves a
# stale "suspended" (a positive), never a stale "not suspended"; the MAIL
# stage reads any stale answer as could not tell (milter.sh checks that).
CACHE="{ ttl = 1; negative_ttl = 1; max_entries = 100; stale_ttl = 3600; }" \
LDAP_EXTRA='login_suspended_attribute = "description"; login_suspended_value = "suspended";' \
	write_conf "$T/short.conf" "$URI_A"
"$LDAPQ" "$T/short.conf" susp=trudy susp=alice login=trudy,trudy@example.edu \
	login=trudy,trudy@example.edu susp=trudy "!sh $SLAPDSH stop $T/slapd-A" sleep=1.5 \
	susp=trudy susp=alice login=trudy,trudy@example.edu >"$T/cache.out" 2>"$T/cache.err"
want "$T/cache.out" 1 "q=susp key=<trudy> status=found" "source=$URI_A"
want "$T/cache.out" 2 "q=susp key=<alice> status=notfound" "source=$URI_A"
want "$T/cache.out" 3 "q=trudy key=<trudy@example.edu> status=found" "source=$URI_A" "suspended=yes"
want "$T/cache.out" 4 "q=trudy key=<trudy@example.edu> status=found" "source=cache" "suspended=yes"
want "$T/cache.out" 5 "q=susp key=<trudy> status=found" "source=cache"
want "$T/cache.out" 6 "q=susp key=<trudy> status=found" "stale=yes" "suspended=yes"
want "$T/cache.out" 7 "q=susp key=<alice> status=error"
want "$T/cache.out" 8 "q=trudy key=<trudy@example.edu> status=found" "stale=yes" "suspended=yes"
restart_slapd A

echo "== could not tell: 451, never 550, never an accept"
stop_slapd A
rgT down-trudy 75 -c "$T/a.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has down-trudy "action=tempfail stage=mail reason=directory-unavailable .*reply=\"451 4\.3\.0 .*lookup_error="
# The reply field, not a bare 550: the slapd port can contain those digits.
hasnt down-trudy "login-suspended|reply=\"550"
rgT down-null 75 -c "$T/off.conf" $IN auth=trudy from='<>' rcpt=alice@example.edu
has down-null "action=tempfail stage=mail reason=directory-unavailable"
sed 's/on_error = "tempfail"/on_error = "continue"/' "$T/off.conf" >"$T/cont.conf"
rgT down-continue 0 -c "$T/cont.conf" $IN auth=alice from='<>' rcpt=alice@example.edu
has down-continue "action=accept stage=mail reason=null-sender .*lookup_error="
q q-down 75 "error: connect: Can't contact LDAP server source=$URI_A" login=trudy "$T/a.conf"
restart_slapd A
rgT back-trudy 1 -c "$T/a.conf" $IN auth=trudy from=trudy@example.edu rcpt=alice@example.edu
has back-trudy "reason=login-suspended"

echo "== relayguard -R --notices: To: the owning login's first address"
# The exceptions' uses, logged as the daemon logs them (-T is its code
# path), with syslog headers; alice.smith@ is one of alice's
# mailLocalAddress values, so its notice goes to her mail, alice@.
cp "$T/a.conf" "$T/r.conf"
cat >>"$T/r.conf" <<'CONF'
legacy_exceptions = (
  { sender = "alice.smith@example.edu"; expires = "2099-01-01"; note = "t1"; },
  { sender = "bob@example.edu"; expires = "2099-01-01"; note = "t2"; },
  { sender = "nobody@example.edu"; expires = "2099-01-01"; note = "t3"; }
);
CONF
for s in alice.smith bob nobody; do
	"$RELAYGUARD" -T -c "$T/r.conf" client=198.51.100.7 helo=x from="$s@example.edu" rcpt=x@victim.example
done | sed 's/^/Nov 25 10:00:00 gw relayguard[4242]: /' >"$T/r.log"
grep -c 'reason=legacy-exception' "$T/r.log" | grep -qx 6 && ok "the log holds 6 exception uses" ||
	fail "the log lacks the exception uses: $(cat "$T/r.log")"
# notices NAME: -R --notices with r.conf into $T/NAME; stderr in $T/NAME.err
notices() {
	rm -rf "${T:?}/$1"; mkdir "$T/$1"
	"$RELAYGUARD" -R -c "$T/r.conf" --year 2026 --notices "$T/$1" "$T/r.log" >/dev/null 2>"$T/$1.err" ||
		fail "-R --notices ($1): $(cat "$T/$1.err")"
}
# to NAME FILE ADDRESS: the notice FILE in $T/NAME is addressed To: ADDRESS
to() {
	if grep -qx "To: $3" "$T/$1/$2"; then ok "$1/$2: To: $3"
	else fail "$1/$2: want To: $3, got: $(grep '^To:' "$T/$1/$2" 2>&1)"; fi
}
notices up
to up alice.smith@example.edu.txt alice@example.edu
to up bob@example.edu.txt bob@example.edu
to up nobody@example.edu.txt nobody@example.edu
grep_log "$T/up.err" "^notice $T/up/alice\.smith@example\.edu\.txt \(exception alice\.smith@example\.edu, 2099-01-01\) to alice@example\.edu, the address of login alice$"
grep_log "$T/up.err" "^notice $T/up/bob@example\.edu\.txt \(exception bob@example\.edu, 2099-01-01\)$"
# slapd stopped: every notice is still written, to its sender, and says why.
stop_slapd A
notices down
to down alice.smith@example.edu.txt alice.smith@example.edu
to down bob@example.edu.txt bob@example.edu
grep_log "$T/down.err" "^relayguard: notice for alice\.smith@example\.edu addressed to the sender itself: the owner lookup could not tell: connect: Can't contact LDAP server \($URI_A\)$"
restart_slapd A

echo "== -n: the new keys' errors, each with FILE:LINE"
cat >"$T/bad.conf" <<CONF
domains = { local = [ "example.edu" ]; };
directory = {
  backend = "ldap";
  ldap = {
    uris = [ "$URI_A" ]; starttls = "off"; base = "$BASE_DN";
    login_suspended_value = "x";
    login_attribute = "not an attr";
  };
};
auth = { suspended_contact = "line one
line two"; };
CONF
"$RELAYGUARD" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1 && fail "-n accepted bad.conf"
grep_log "$T/bad.out" "^$T/bad.conf:6: login_suspended_value needs login_suspended_attribute"
grep_log "$T/bad.out" "^$T/bad.conf:7: login_attribute: \"not an attr\" not an attribute name"
grep_log "$T/bad.out" "^$T/bad.conf:10: \"auth.suspended_contact\" must be 1-200 printable"
no_secret "$T"/*.out "$T"/*.err
finish
