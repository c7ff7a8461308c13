#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""mkweek.py START DAYS FORMAT HOST LOG... : relayguard's own -f output as syslog.

The suites run relayguard in the foreground (-f), so $W/relayguard.log
holds its lines as "relayguard[PID]: MESSAGE" with no timestamp.  This
keeps exactly those lines, message bytes untouched, and gives each the
syslog header a daemon would have: the N lines are spread evenly over
DAYS days from START (YYYY-MM-DD, 00:00), in FORMAT "3164"
("Nov 23 08:00:00 HOST relayguard[PID]: ..."), "3339"
("2026-11-23T08:00:00.000000+00:00 HOST ...") or "journal"
(journalctl -o short: "Nov 23 08:00:00", day zero-padded).  Output on
stdout.  Nothing else is changed: no line is written by hand.
"""
import datetime
import re
import sys

start = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%d")
days, fmt, host = int(sys.argv[2]), sys.argv[3], sys.argv[4]
ours = re.compile(rb"^relayguard\[[0-9]+\]: ")
lines = []
for path in sys.argv[5:]:
    with open(path, "rb") as f:
        lines += [l.rstrip(b"\n") for l in f if ours.match(l)]
span = days * 86400
out = sys.stdout.buffer
for i, l in enumerate(lines):
    t = start + datetime.timedelta(seconds=i * span // max(len(lines), 1))
    if fmt == "3164":
        head = "%s %2d %s" % (t.strftime("%b"), t.day, t.strftime("%H:%M:%S"))
    elif fmt == "journal":
        head = t.strftime("%b %d %H:%M:%S")
    else:
        head = t.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00")
    out.write(head.encode() + b" " + host.encode() + b" " + l + b"\n")
