#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -I: golden import tests, then the fragments in use.
#
# Each cases/NAME.in is imported with the arguments in cases/NAME.args
# (format first); the fragment, stderr and exit status are diffed against
# cases/NAME.frag, NAME.err and NAME.rc.  Regenerate them with
#   REGEN=1 make check TESTS=tests/migrate/run.sh
# and review the diff before committing it.  Then every fragment just
# written must load with "relayguard -n" (@include'd from policy.conf), and
# -T must grant what was imported and nothing else.
. "$top_srcdir/tests/lib.sh"
here="$top_srcdir/tests/migrate"
cd "$here"

mkdir "$T/frags"
for args in cases/*.args; do
	name=${args%.args}
	read -r -a argv <"$args"
	"$RELAYGUARD" -I "${argv[@]}" "$name.in" >"$T/out.frag" 2>"$T/out.err"
	echo $? >"$T/out.rc"
	cp "$T/out.frag" "$T/frags/${name#cases/}.frag"
	if [ -n "${REGEN:-}" ]; then
		cp "$T/out.frag" "$name.frag"; cp "$T/out.err" "$name.err"; cp "$T/out.rc" "$name.rc"
	fi
	for kind in frag err rc; do
		if diff -u "$name.$kind" "$T/out.$kind"; then pass; else fail "$name: $kind differs"; fi
	done
done
[ -n "${REGEN:-}" ] && echo "cases regenerated"

# in_use FRAG: a scratch policy.conf that @includes FRAG as fragment.conf.
in_use() {
	rm -rf "$T/conf"; mkdir "$T/conf"
	cp policy.conf directory.conf "$T/conf/"
	cp "$1" "$T/conf/fragment.conf"
}
# decide REASON ARGS...: -T's RCPT line must carry reason=REASON.
decide() {
	local want=$1 got
	shift
	got=$(cd "$T/conf" && "$RELAYGUARD" -T -c policy.conf helo=x "$@" 2>&1 | grep 'stage=rcpt')
	case $got in
	*"reason=$want "*) pass ;;
	*) fail "-T $*: want reason=$want, got: $got" ;;
	esac
}

for frag in "$T"/frags/*.frag; do
	in_use "$frag"
	if out=$(cd "$T/conf" && "$RELAYGUARD" -n -c policy.conf 2>&1); then pass
	else fail "$frag does not load: $out"; fi
done

in_use "$T/frags/sendmail.frag"
decide legacy-exception client=198.51.100.9 'from=<bob@example.edu>' 'rcpt=<x@victim.example>'
decide legacy-exception client=198.51.100.9 'from=<CAROL@lab.example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<alice@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<grace@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<dave@example.org>' 'rcpt=<x@victim.example>'
if grep -q 'note = "cases/sendmail.in:3"' "$T/frags/sendmail.frag"; then pass
else fail "sendmail.frag: bob's note does not name cases/sendmail.in:3"; fi

in_use "$T/frags/sendmail-domain.frag"
decide legacy-exception client=10.1.2.77 'from=<anyone@example.org>' 'rcpt=<x@victim.example>'
decide legacy-exception client=2001:db8:1::5 'from=<anyone@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<anyone@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=10.1.2.77 'from=<anyone@sub.example.org>' 'rcpt=<x@victim.example>'
decide legacy-exception client=198.51.100.9 'from=<ivan@example.net>' 'rcpt=<x@victim.example>'

in_use "$T/frags/postfix.frag"
decide legacy-exception client=198.51.100.9 'from=<kim@example.org>' 'rcpt=<x@victim.example>'
decide legacy-exception client=198.51.100.9 'from=<multi@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<someone@example.org>' 'rcpt=<x@victim.example>'
decide relay-denied client=198.51.100.9 'from=<mallory@example.org>' 'rcpt=<x@victim.example>'

in_use "$T/frags/hostile.frag"
decide legacy-exception client=198.51.100.9 $'from=<ok\xc3\xa9@x.example>' 'rcpt=<x@victim.example>'
decide legacy-exception client=198.51.100.9 'from=<last@x.example>' 'rcpt=<x@victim.example>'

# Reviewing a fragment means deleting groups: with any one exception deleted
# (its line or lines, from "sender =" to its end), or all but one, or all,
# every fragment must still load, and the exceptions left must be exactly
# the others.  A comma-separated list broke when the last one went.
for frag in "$T"/frags/*.frag; do
	python3 - "$frag" "$T/cuts" <<'PY'
import os, re, sys
src, outdir = sys.argv[1], sys.argv[2]
lines = open(src, encoding="latin-1").read().split("\n")
# An exception runs from its "sender =" line to the line that closes it.
spans, start = [], None
for i, l in enumerate(lines):
    if start is None and re.search(r"\{ sender = ", l):
        start = i
    if start is not None and re.search(r"\}[,;]?\s*$", l):
        spans.append((start, i))
        start = None
os.makedirs(outdir, exist_ok=True)
for f in os.listdir(outdir):
    os.unlink(os.path.join(outdir, f))
def write(name, drop):
    keep = [l for i, l in enumerate(lines) if not any(a <= i <= b for a, b in drop)]
    # The senders as libconfig reads them: \xHH is that byte.
    senders = [re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                      re.search(r'sender = "([^"]*)"', lines[a]).group(1))
               for a, b in spans if (a, b) not in drop]
    with open(os.path.join(outdir, name + ".frag"), "w", encoding="latin-1") as f:
        f.write("\n".join(keep))
    with open(os.path.join(outdir, name + ".want"), "w", encoding="latin-1") as f:
        f.write("".join(s + "\n" for s in senders))
for k, sp in enumerate(spans):
    write("without-%d" % k, [sp])
    write("only-%d" % k, [x for x in spans if x != sp])
write("none", spans)
PY
	for cut in "$T"/cuts/*.frag; do
		in_use "$cut"
		if out=$(cd "$T/conf" && "$RELAYGUARD" -n -p -c policy.conf 2>&1); then
			got=$(printf '%s\n' "$out" | sed -n 's/^[[:space:]]*sender = "\(.*\)";.*/\1/p')
			want=$(cat "${cut%.frag}.want")
			if [ "$got" = "$want" ]; then pass
			else fail "${frag##*/} ${cut##*/}: exceptions left: '$got', want '$want'"; fi
		else
			fail "${frag##*/} ${cut##*/} does not load: $out"
		fi
	done
done

# -n enforces the domain form's networks, naming the file and line.
in_use /dev/null
printf 'legacy_exceptions = (\n  { sender = "@example.org"; expires = "2099-06-30"; }\n);\n' \
    >"$T/conf/fragment.conf"
out=$(cd "$T/conf" && "$RELAYGUARD" -n -c policy.conf 2>&1)
case $out in
*'fragment.conf:2: domain-wide legacy exception "@example.org" needs "networks"'*) pass ;;
*) fail "-n took a domain-wide exception without networks: $out" ;;
esac
printf 'legacy_exceptions = (\n  { sender = "@[192.0.2.1]"; expires = "2099-06-30"; networks = [ "10.0.0.0/8" ]; }\n);\n' \
    >"$T/conf/fragment.conf"
if (cd "$T/conf" && "$RELAYGUARD" -n -c policy.conf >/dev/null 2>&1); then
	fail "-n took \"@[192.0.2.1]\" as a domain"
else pass; fi

# Usage: --expires is required and must be a date; the format is checked.
for bad in "sendmail cases/sendmail.in" "sendmail --expires 2099-02-30 cases/sendmail.in" \
    "exim --expires 2099-06-30 cases/sendmail.in" "sendmail --expires 2099-06-30" \
    "sendmail --bogus --expires 2099-06-30 cases/sendmail.in"; do
	# shellcheck disable=SC2086
	"$RELAYGUARD" -I $bad >/dev/null 2>&1
	rc=$?
	if [ $rc -eq 64 ]; then pass; else fail "-I $bad: exit $rc, want 64"; fi
done
"$RELAYGUARD" -I sendmail --expires 2099-06-30 "$T/missing" >/dev/null 2>&1
rc=$?
if [ $rc -eq 66 ]; then pass; else fail "-I of a missing file: exit $rc, want 66"; fi
finish
