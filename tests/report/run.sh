#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -R: golden tests of the migration report and the notices.
#
# The input is relayguard's own log from real runs of tests/mta/postfix.sh,
# tests/mta/sendmail.sh and tests/ldap/milter.sh (see README: how it was
# made, and what was shifted).  An access file is imported with -I, the
# fragment @included, and the report (text and JSON) and the notices are
# diffed against *.ref.  Regenerate with
#   REGEN=1 make check TESTS=tests/report/run.sh
# and review the diff before committing it.  Then hostile lines mixed into
# the real ones must change nothing but the input counters.
. "$top_srcdir/tests/lib.sh"
here="$top_srcdir/tests/report"

# golden NAME FILE: diff FILE against $here/NAME (or write it with REGEN).
golden() {
	if [ -n "${REGEN:-}" ]; then cp "$2" "$here/$1"; fi
	if diff -u "$here/$1" "$2"; then pass; else fail "$1 differs"; fi
}

# 1. -I: the access file becomes the fragment policy.conf includes.
mkdir "$T/conf"
cp "$here/policy.conf" "$here/directory.conf" "$T/conf/"
(cd "$here" && "$RELAYGUARD" -I sendmail --expires 2027-01-01 access) >"$T/conf/fragment.conf" 2>"$T/import.err" ||
	fail "-I failed: $(cat "$T/import.err")"
golden fragment.ref "$T/conf/fragment.conf"
(cd "$T/conf" && "$RELAYGUARD" -n -c policy.conf >/dev/null 2>&1) && pass || fail "policy.conf with the fragment does not load"

# The daemon's side: an exception holder who logs in is named on the MAIL line.
got=$(cd "$T/conf" && "$RELAYGUARD" -T -c policy.conf client=203.0.113.5 auth=alice tls=TLSv1.3 \
	from=alice@example.edu rcpt=x@victim.example 2>&1 | grep 'stage=mail')
case $got in
*"reason=authenticated "*" exception=alice@example.edu"*) pass ;;
*) fail "-T: no exception= on an exception holder's authenticated MAIL: $got" ;;
esac
got=$(cd "$T/conf" && "$RELAYGUARD" -T -c policy.conf client=203.0.113.5 auth=dave tls=TLSv1.3 \
	from=dave@example.edu rcpt=x@victim.example 2>&1 | grep 'stage=mail')
case $got in *exception=*) fail "-T: exception= for a sender without one: $got" ;; *) pass ;; esac

# 2. The week: a rotated, gzip-compressed file, a current one, journalctl output.
gzip -c "$here/mail.log.1" >"$T/mail.log.1.gz"
LOGS=("$T/mail.log.1.gz" "$here/mail.log" "$here/journal.txt")
# policy.conf @includes fragment.conf from the working directory.
cd "$T/conf" || exit 1
R=("$RELAYGUARD" -R -c policy.conf --year 2026)
"${R[@]}" "${LOGS[@]}" >"$T/report.txt" 2>"$T/report.err"; rc=$?
[ $rc -eq 0 ] && pass || fail "-R exited $rc: $(cat "$T/report.err")"
golden report.ref "$T/report.txt"
"${R[@]}" --format json "${LOGS[@]}" >"$T/report.json" || fail "-R --format json failed"
golden report.json.ref "$T/report.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="relayguard-report/1"' "$T/report.json" &&
	pass || fail "the JSON report does not parse"

# stdin reads like a file; so does a plain file handed over as gzip's "transparent" case.
"${R[@]}" "$here/mail.log" >"$T/file.txt"
"${R[@]}" - <"$here/mail.log" >"$T/stdin.txt"
cmp -s "$T/file.txt" "$T/stdin.txt" && pass || fail "stdin reads differently from the file"
zcat "$T/mail.log.1.gz" | "${R[@]}" >"$T/zstdin.txt"
"${R[@]}" "$here/mail.log.1" >"$T/plain.txt"
cmp -s "$T/zstdin.txt" "$T/plain.txt" && pass || fail "stdin (no file) differs from the plain file"

# --since/--until keep whole days, as written.
"${R[@]}" --format json --since 2026-11-27 --until 2026-11-27 "${LOGS[@]}" >"$T/day.json"
python3 - "$T/day.json" <<'PY' && pass || fail "--since/--until kept the wrong lines"
import json, sys
d = json.load(open(sys.argv[1]))
p = d["period"]
assert p["first"].startswith("2026-11-27") and p["last"].startswith("2026-11-27"), p
assert d["input"]["outside_period"] > 0 and p["reference"] == "2026-11-27", d["input"]
PY

# 3. Notices: one file per exception still in use, reviewed, never sent.
mkdir "$T/notices"
"${R[@]}" --notices "$T/notices" "${LOGS[@]}" >/dev/null 2>"$T/notices.err" || fail "--notices failed: $(cat "$T/notices.err")"
for f in "$T"/notices/*; do echo "==> ${f##*/}"; cat "$f"; done >"$T/notices.txt"
golden notices.ref "$T/notices.txt"
# A site's template; an unknown placeholder is an error, not a blank.
rm -rf "$T/n2"; mkdir "$T/n2"
"${R[@]}" --notices "$T/n2" --template "$here/notice.tpl" "${LOGS[@]}" >/dev/null 2>&1
grep -qx 'To: bob@example.edu' "$T/n2/bob@example.edu.txt" && grep -q 'Expires: 2027-01-01' "$T/n2/bob@example.edu.txt" &&
	pass || fail "--template was not used"
printf 'To: {{to}}\nHello {{nmae}}\n' >"$T/typo.tpl"
"${R[@]}" --notices "$T/n2" --template "$T/typo.tpl" "${LOGS[@]}" >/dev/null 2>"$T/typo.err"; rc=$?
[ $rc -eq 65 ] && grep -q 'unknown placeholder "{{nmae}}"' "$T/typo.err" && pass ||
	fail "a template typo gave $rc: $(cat "$T/typo.err")"

# To: whom.  An exception's sender that a login owns, when that login's
# first address is another one, gets its notice there (file directory);
# the file is still named after the sender.
# own_conf NAME LOGINS: $T/NAME, a copy of the conf with these login groups.
own_conf() {
	rm -rf "${T:?}/$1"; cp -r "$T/conf" "$T/$1"
	sed -i "s|^logins = .*|logins = ( $2 );|" "$T/$1/directory.conf"
	grep -qF "$2" "$T/$1/directory.conf" || fail "own_conf $1: directory.conf unchanged"
}
# notices_in NAME: --notices from $T/NAME into $T/NAME.out; all in $T/NAME.txt, stderr .err
notices_in() {
	rm -rf "${T:?}/$1.out"; mkdir "$T/$1.out"
	(cd "$T/$1" && "$RELAYGUARD" -R -c policy.conf --year 2026 --notices "$T/$1.out" "${LOGS[@]}") \
	    >/dev/null 2>"$T/$1.err" || fail "--notices in $1 failed: $(cat "$T/$1.err")"
	for f in "$T/$1.out"/*; do echo "==> ${f##*/}"; cat "$f"; done >"$T/$1.txt"
}
own_conf owner '{ login = "alice"; addresses = [ "alice@example.edu" ]; }, { login = "bob"; addresses = [ "robert.jones@example.edu", "bob@example.edu" ]; }'
notices_in owner
golden notices-owner.ref "$T/owner.txt"
# Nothing but the To: line differs from the notice to the sender.
if diff <(sed 's/^To: robert\.jones@example\.edu$/To: bob@example.edu/' "$T/owner.txt") \
    "$here/notices.ref" >/dev/null && grep -qx 'To: robert.jones@example.edu' "$T/owner.txt"; then pass
else fail "the owner's notice differs from the sender's by more than To:"; fi
grep -qxF "notice $T/owner.out/bob@example.edu.txt (exception bob@example.edu, 2027-01-01) to robert.jones@example.edu, the address of login bob" \
    "$T/owner.err" && pass || fail "--notices did not say whom it addressed: $(cat "$T/owner.err")"
# Owned by a login whose first address is the sender (any case): to the sender.
own_conf first '{ login = "bobby"; addresses = [ "BOB@example.edu", "robert.jones@example.edu" ]; }'
notices_in first
if diff -u "$here/notices.ref" "$T/first.txt"; then pass; else fail "owner's first address is the sender: notice changed"; fi
# The directory cannot tell (an LDAP server nobody answers for): the notice
# is not lost; it goes to the sender, and stderr says so and why.
rm -rf "$T/down"; cp -r "$T/conf" "$T/down"
sed -i 's|^directory = .*|directory = { backend = "ldap"; ldap = { uris = [ "ldap://127.0.0.1:1/" ]; starttls = "off"; base = "dc=example,dc=edu"; timeout = 1.0; }; };|' \
    "$T/down/policy.conf"
notices_in down
if diff -u "$here/notices.ref" "$T/down.txt"; then pass; else fail "directory down: the notice changed or was lost"; fi
grep -qxF "relayguard: notice for bob@example.edu addressed to the sender itself: the owner lookup could not tell: connect: Can't contact LDAP server (ldap://127.0.0.1:1/)" \
    "$T/down.err" && pass || fail "directory down: stderr does not say so: $(cat "$T/down.err")"
grep -q "to the sender: the directory could not tell" "$T/down.err" && pass ||
	fail "directory down: the notice line does not say so: $(cat "$T/down.err")"

# 4. Hostile lines among the real ones count for nothing.
python3 - "$here/mail.log" "$T/hostile.log" <<'PY'
import sys
real = open(sys.argv[1], "rb").read().splitlines(True)
h = "2026-11-28T10:00:00.000000+00:00 gw "
bad = [
    # Other programs quoting relayguard's tag, or a tag lookalike.
    h + "evil[66]: relayguard[1]: NOQUEUE: action=accept stage=mail reason=legacy-exception client=10.9.9.9 client_name=x helo=x auth=- tls=- from=<carol@physics.example.edu> expires=2027-01-01",
    h + "relayguardd[66]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<x@forged.example>",
    h + "relayguard: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<x@forged.example>",
    "relayguard[1]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<x@forged.example>",
    # Truncated lines: in the header, inside a quoted value.
    h[:20], h + "relayguard[7", h + "relayguard[7]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=\"<x@forged",
    # Over 8 KiB.
    h + "relayguard[7]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<" + "x" * 9000 + "@forged.example>",
]
raw = [
    # A raw CR or NUL makes a line unreadable; invalid UTF-8 in a forged one.
    (h + "relayguard[7]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<x@forged.example>\r reason=x").encode(),
    (h + "relayguard[7]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<x@forged\x00.example>").encode(),
    b"\xff\xfe\x00\x00" + (h + "relayguard[7]: action=reject").encode(),
    (h + "evil[66]: relayguard[7]: NOQUEUE: action=reject stage=rcpt reason=relay-denied client=10.9.9.9 rcpt=<\xff\xc0@forged.example>").encode("latin-1"),
]
out = []
for i, l in enumerate(real):
    out.append(l)
    if i % 500 == 0:
        out += [b.encode() + b"\n" for b in bad] + [r + b"\n" for r in raw]
out.append(bad[6].encode())  # a last line with no LF, cut mid-value
open(sys.argv[2], "wb").write(b"".join(out))
PY
"${R[@]}" --format json "$T/hostile.log" >"$T/hostile.json" 2>"$T/hostile.err"; rc=$?
[ $rc -eq 0 ] && pass || fail "-R on hostile input exited $rc: $(cat "$T/hostile.err")"
"${R[@]}" --format json "$here/mail.log" >"$T/clean.json"
python3 - "$T/clean.json" "$T/hostile.json" <<'PY' && pass || fail "hostile lines were counted"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert a["exceptions"] == b["exceptions"], "exceptions differ"
assert a["summary"] == b["summary"], "summary differs"
n = 7  # the real file has 3182 lines: 7 insertions of the hostile block
assert b["input"]["overlong"] == n, b["input"]
assert b["input"]["unreadable"] == 3 * n + 1, b["input"]
PY


# 5. Outages: each ldap=down / redis=down opens one for its URI, the next
# "up" of the same store and URI closes it; the two stores never mix.
h='gw relayguard[9]:'
cat > "$T/outages.log" <<EOF
2026-11-30T10:00:00.000000+00:00 $h ldap=down uri=ldap://a.example why="connect: Can't contact LDAP server"
2026-11-30T10:00:10.000000+00:00 $h ldap=down uri=ldap://a.example why=again
2026-11-30T10:01:00.000000+00:00 $h redis=down uri=unix:/run/redis/redis.sock why="connect: No such file or directory"
2026-11-30T10:01:00.000000+00:00 $h ldap=up uri=unix:/run/redis/redis.sock
2026-11-30T10:01:45.000000+00:00 $h redis=up uri=unix:/run/redis/redis.sock
2026-11-30T10:05:30.000000+00:00 $h ldap=up uri=ldap://a.example
2026-11-30T10:06:00.000000+00:00 $h ldap=down uri=ldap://b.example why=timeout
2026-11-30T10:07:00.000000+00:00 $h redis=down uri=tcp:10.0.0.5:6379 why="timed out"
2026-11-30T10:07:00.000000+00:00 $h redis=up uri=tcp:10.0.0.5:6379
2026-11-30T10:08:00.000000+00:00 $h redis=down uri=tcp:10.0.0.5:6379 why=reset
EOF
"${R[@]}" "$T/outages.log" >"$T/outages.txt" 2>"$T/outages.err" || fail "-R on outages: $(cat "$T/outages.err")"
"${R[@]}" --format json "$T/outages.log" >"$T/outages.json" || fail "-R --format json on outages failed"
python3 - "$T/outages.txt" "$T/outages.json" <<'PY' && pass || fail "outages misreported"
import json, sys
text = open(sys.argv[1]).read()
ldap = text.split("Directory outages\n")[1].split("\n\n")[0].splitlines()
redis = text.split("Budget store outages (Redis)\n")[1].split("\n\n")[0].splitlines()
assert len(ldap) == 2 and len(redis) == 3, (ldap, redis)
assert ldap[0].split()[0] == "ldap://a.example" and " 330 s " in ldap[0] + " ", ldap
assert "connect: Can't contact LDAP server" in ldap[0], ldap   # the first why, not "again"
assert ldap[1].split()[0] == "ldap://b.example" and "(still down)" in ldap[1], ldap
assert " 45 s " in redis[0] and "No such file" in redis[0], redis
assert " 1 s " in redis[1], redis        # down and up in one second: not still down
assert "(still down)" in redis[2] and redis[2].rstrip().endswith("reset"), redis
s = json.load(open(sys.argv[2]))["summary"]
d, b = s["directory_outages"], s["budget_store_outages"]
assert [o["uri"] for o in d] == ["ldap://a.example", "ldap://b.example"], d
assert [o["seconds"] for o in d] == [330, None] and d[1]["end"] is None, d
assert [o["uri"] for o in b] == ["unix:/run/redis/redis.sock"] + ["tcp:10.0.0.5:6379"] * 2, b
assert [o["seconds"] for o in b] == [45, 1, None], b
PY

finish
