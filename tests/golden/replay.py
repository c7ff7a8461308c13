#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""replay.py: the one reader of the golden scripts (tests/golden/*.in),
shared by tests/golden/run.sh and tests/conf_roundtrip.py, so that both
read a script the same way.

  replay.py SCRIPT.in OUT
      Replay SCRIPT.in in the current directory; OUT gets what
      tests/golden/run.sh diffs against SCRIPT.ref.

A script line holds the shell-quoted words of one "relayguard -T -c
POLICY" transaction ("#" starts a comment; a quoted value may span
lines).  POLICY is policy.conf until "@monitor" (monitor.conf) or
"@conf FILE" changes it.  "@write FILE", some lines, "@end" replaces a
file of the current directory for the transactions after it.  OUT holds
the directives as written and, for each transaction, "> " and its text,
relayguard's output and "exit=N".  A bad @write exits non-zero.
"""
import os
import shlex
import subprocess
import sys


def run(script, outname, policy=lambda conf: conf, wrote=lambda: None,
        tidy=lambda text: text):
    """Replay SCRIPT into OUTNAME.  policy(conf) names the file a
    transaction runs with in place of conf, wrote() is called after each
    @write has replaced its file, and tidy(text) filters relayguard's
    output before it goes to OUTNAME."""
    conf = "policy.conf"
    buf = ""
    writing = None          # [file name, lines] inside @write ... @end
    with open(outname, "w") as out:
        for raw in open(script):
            if writing is not None:
                out.write(raw)
                if raw.strip() == "@end":
                    with open(writing[0], "w") as f:
                        f.write("".join(writing[1]))
                    writing = None
                    wrote()
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
            use = policy(conf)
            out.write("> " + text + "\n")
            out.flush()
            r = subprocess.run([os.environ["RELAYGUARD"], "-T", "-c", use] + words,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            out.write(tidy(r.stdout.decode("utf-8", "backslashreplace")))
            out.write("exit=%d\n" % r.returncode)
        if writing is not None:
            sys.exit("@write %s: no @end" % writing[0])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    run(sys.argv[1], sys.argv[2])
