#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""expect_log.py SCRIPT LOG [PHASE]: check a test script's log expectations.

Each "-- expect: REGEX" line of SCRIPT (or "-- expect[PHASE]: REGEX" when a
phase is given) must match a line of LOG, in order, each after the line the
previous one matched.  The "relayguard[PID]: " prefix of a log line is
dropped first, so a regex may anchor on the queue id.  Exits 1 on the
first expectation no later line matches.
"""
import re
import sys

script, log = sys.argv[1], sys.argv[2]
tag = "-- expect[%s]:" % sys.argv[3] if len(sys.argv) > 3 else "-- expect:"
wanted = [l.split(tag, 1)[1].strip() for l in open(script) if tag in l]
if not wanted:
    # A script with no expectations checks nothing: that is a broken test.
    print("no %s lines in %s" % (tag, script))
    sys.exit(1)
lines = [re.sub(r"^relayguard\[\d+\]: ", "", l) for l in open(log, errors="replace")]
i = 0
for regex in wanted:
    while i < len(lines) and not re.search(regex, lines[i]):
        i += 1
    if i == len(lines):
        print("no log line (in order) matches:", regex)
        sys.exit(1)
    i += 1
print(len(wanted), "log expectations met")
