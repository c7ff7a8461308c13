#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Golden replay, in the style of Postfix's smtpd_check.in/.ref: run each
# transaction of every NAME.in here through "relayguard -T" and diff the
# decisions against NAME.ref.  Regenerate the references with
#   REGEN=1 make check TESTS=tests/golden/run.sh
# and review the diff before committing it.
#
# Each script runs in its own copy of this directory, so that
#   @write FILE
#   ...lines...
#   @end
# can replace a policy file or a directory script in the middle of a
# script (as smtpd_check.in changes the configuration): the transactions
# after it see the new file, as the daemon would after a reload.  The
# lines are echoed into the output, so the .ref shows what changed.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir/tests/golden"

# A script whose first lines say "# needs: test-backends" runs on the
# scripted test directory, only in a build configured with
# --enable-test-backends; tests/golden/script.sh runs those (skipping, 77,
# in other builds), this file runs the rest.
needs=${GOLDEN_NEEDS:-}
needs_backend() { head -n 5 "$1" | grep -q '^# needs: test-backends'; }
if [ -n "$needs" ]; then
	printf 'directory = { backend = "script"; script = "probe.script"; };\n' >"$T/probe.conf"
	: >"$T/probe.script"
	if "$RELAYGUARD" -n -c "$T/probe.conf" 2>&1 | grep -q -- --enable-test-backends; then
		echo "SKIP: $RELAYGUARD is built without --enable-test-backends"
		exit 77
	fi
fi

replay() {	# replay NAME.in OUT, in a fresh copy of this directory
	local work="$T/work-${1%.in}"
	rm -rf "$work" && mkdir "$work" && cp -- * "$work/" && (cd "$work" && python3 - "$1" "$2" <<'PY'
import os, shlex, subprocess, sys
conf = "policy.conf"
buf = ""
writing = None          # [file name, lines] inside @write ... @end
with open(sys.argv[2], "w") as out:
    for raw in open(sys.argv[1]):
        if writing is not None:
            out.write(raw)
            if raw.strip() == "@end":
                with open(writing[0], "w") as f:
                    f.write("".join(writing[1]))
                writing = None
            else:
                writing[1].append(raw)
            continue
        if buf == "" and raw.startswith("@write "):
            name = raw.split()[1]
            if "/" in name or name.startswith("."):
                sys.exit("@write %s: a file of this directory, please" % name)
            writing = [name, []]
            out.write(raw)
            continue
        buf += raw
        try:
            words = shlex.split(buf, comments=True)
        except ValueError:
            continue            # a quoted value spans lines
        text, buf = buf.rstrip("\n"), ""
        if not words:
            continue
        if words == ["@monitor"]:
            conf = "monitor.conf"
            out.write("@monitor\n")
            continue
        if len(words) == 2 and words[0] == "@conf":
            conf = words[1]
            out.write("@conf %s\n" % conf)
            continue
        out.write("> " + text + "\n")
        out.flush()
        r = subprocess.run([os.environ["RELAYGUARD"], "-T", "-c", conf] + words,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out.write(r.stdout.decode("utf-8", "backslashreplace"))
        out.write("exit=%d\n" % r.returncode)
    if writing is not None:
        sys.exit("@write %s: no @end" % writing[0])
PY
	)
}

ran=0
for in in *.in; do
	name=${in%.in}
	if needs_backend "$in"; then [ -n "$needs" ] || continue; else [ -z "$needs" ] || continue; fi
	ran=$((ran + 1))
	out="$T/$name.out"
	replay "$in" "$out" || { fail "$in: the replay itself failed"; continue; }
	if [ -n "${REGEN:-}" ]; then
		cp "$out" "$name.ref"
		echo "$name.ref regenerated"
	fi
	if diff -u "$name.ref" "$out"; then pass; else fail "decisions differ from $name.ref"; fi
done
[ "$ran" -gt 0 ] || fail "no golden script to run"
finish
