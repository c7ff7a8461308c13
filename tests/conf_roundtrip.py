#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""conf_roundtrip.py: relayguard -n -p output, saved as a file, is the same
policy (issue 15 section 2).  Used by tests/conf_roundtrip.sh.

  conf_roundtrip.py fixpoint CONF SAVED
      Save "-n -p -c CONF" as SAVED, then check that it is a fixed point:
      -n -p of SAVED equals the first output byte for byte but for the
      header line (which names the file) and the "# default" marks (SAVED
      sets every key, so none is a default any more), and -n -p of that
      second output equals the second byte for byte but for the header.
      -n of SAVED and of CONF print the same warnings (file and line
      aside) with the same exit status.  Run from CONF's directory.

  conf_roundtrip.py replay SCRIPT.in OUT [SAVEDIR]
      The golden replay of tests/golden/run.sh (@write, @monitor, @conf:
      tests/golden/replay.py reads the script), in the current
      directory.  With SAVEDIR every policy a transaction runs with is
      first saved there with -n -p (again after each @write, which may
      change it or a file it includes) and the transaction runs with the
      saved copy; each saved copy is checked as with fixpoint.  OUT
      names the original policy either way, so the two outputs must be
      identical.

Prints "ok WHAT" or "not WHAT: why" lines; exits 1 when the run itself
could not be done.
"""
import os
import re
import subprocess
import sys

# The golden scripts' reader is tests/golden/replay.py.  No bytecode: the
# source tree may be read-only (distcheck), and a __pycache__ there would
# break run.sh's plain "cp -- *" of that directory.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden"))
import replay as golden  # noqa: E402

RG = os.environ["RELAYGUARD"]


def report(ok, what):
    print(("ok " if ok else "not ") + what, flush=True)
    return ok


def run(args):
    r = subprocess.run([RG] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "backslashreplace"), \
        r.stderr.decode("utf-8", "backslashreplace")


HEADER = re.compile(r"^# relayguard -n -p: the effective configuration of (.*)\n")


def body(text, marks=False):
    text = HEADER.sub("", text, count=1)
    if marks:
        text = re.sub(r";\t# default[^\n]*", ";", text)
    return text


def warnings(text, name=None):
    """-n's stderr with FILE:LINE: replaced, sorted: the same warnings."""
    return sorted(re.sub(r"^[^:\n]*:\d+: ", "FILE:LINE: ", line) for line in text.splitlines())


def fixpoint(conf, saved):
    rc, p1, err = run(["-n", "-p", "-c", conf])
    if not report(rc == 0 and p1 != "", "-n -p %s: exit %d%s" % (conf, rc, oneline(rc, err))):
        return False
    m = HEADER.match(p1)
    report(m is not None and m.group(1) == os.path.abspath(conf),
           "-n -p %s: header names the file: %r" % (conf, p1.split("\n", 1)[0]))
    with open(saved, "w") as f:
        f.write(p1)
    rc, p2, err2 = run(["-n", "-p", "-c", saved])
    if not report(rc == 0, "the saved -n -p of %s loads: exit %d%s" % (conf, rc, oneline(rc, err2))):
        return False
    ok = report(body(p2, marks=True) == body(p1, marks=True),
                "-n -p of the saved %s is the original's output (marks aside)%s" %
                (conf, diff(body(p1, marks=True), body(p2, marks=True))))
    rc3, p3, _ = run(["-n", "-p", "-c", saved + ".again"]) if write(saved + ".again", p2) else (1, "", "")
    ok &= report(rc3 == 0 and body(p3) == body(p2),
                 "-n -p of %s is a fixed point after one round%s" % (conf, diff(body(p2), body(p3))))
    rc_o, _, w_o = run(["-n", "-c", conf])
    rc_s, _, w_s = run(["-n", "-c", saved])
    ok &= report(rc_o == rc_s and warnings(w_o, os.path.abspath(conf)) == warnings(w_s, saved),
                 "-n warns the same for %s and its saved copy: exit %d/%d%s" %
                 (conf, rc_o, rc_s, diff("\n".join(warnings(w_o, os.path.abspath(conf))),
                                         "\n".join(warnings(w_s, saved)))))
    return ok


def oneline(rc, err):
    return "" if rc == 0 else " " + " | ".join(err.strip().splitlines())[-400:]


def write(name, text):
    with open(name, "w") as f:
        f.write(text)
    return True


def diff(a, b):
    if a == b:
        return ""
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return ": first difference at line %d: %r vs %r" % (i + 1, x, y)
    return ": one is longer (%d vs %d lines)" % (len(al), len(bl))


def normal(text):
    """-p resolves relative names (lookup= shows the file as configured),
    and a log line names the process: neither is a decision."""
    text = text.replace(os.getcwd() + "/", "")
    return re.sub(r"^relayguard\[\d+\]: ", "relayguard[PID]: ", text, flags=re.M)


def replay(script, outname, savedir):
    saved = {}                  # policy name -> its saved copy, until an @write
    gen = 0

    def policy(conf):
        nonlocal gen
        if savedir is None:
            return conf
        if conf not in saved:
            gen += 1
            copy = os.path.join(savedir, "%03d-%s" % (gen, os.path.basename(conf)))
            fixpoint(conf, copy)
            saved[conf] = copy
        return saved[conf]

    golden.run(script, outname, policy=policy, wrote=saved.clear, tidy=normal)
    if savedir is not None:
        report(gen > 0, "%s: %d saved policies replayed" % (script, gen))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "fixpoint":
        fixpoint(sys.argv[2], sys.argv[3])
    elif len(sys.argv) in (4, 5) and sys.argv[1] == "replay":
        replay(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) == 5 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
