#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Golden replay, in the style of Postfix's smtpd_check.in/.ref: run each
# transaction of transactions.in through "relayguard -T" and diff the
# decisions against transactions.ref.  Regenerate the reference with
#   REGEN=1 make check TESTS=tests/golden/run.sh
# and review the diff before committing it.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir/tests/golden"

out="$T/transactions.out"
python3 - transactions.in "$out" <<'PY'
import os, shlex, subprocess, sys
conf = "policy.conf"
buf = ""
with open(sys.argv[2], "w") as out:
    for raw in open(sys.argv[1]):
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
PY
if [ -n "${REGEN:-}" ]; then
	cp "$out" transactions.ref
	echo "transactions.ref regenerated"
fi
if diff -u transactions.ref "$out"; then pass; else fail "decisions differ from transactions.ref"; fi
finish
