#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""promcheck.py [FILE] [--get NAME{LABELS}]...: check Prometheus text format.

Reads FILE (or stdin) and checks it against the text exposition format
(version 0.0.4) the way a scraper reads it:
  - every line is a "# HELP", a "# TYPE", another comment, or a sample;
  - metric and label names match the format's patterns, label values are
    quoted with only \\\\, \\" and \\n escapes, values parse as floats;
  - each family has at most one HELP and one TYPE, the TYPE comes before
    its samples, and a family's samples are contiguous;
  - no series appears twice;
  - counters are named *_total and never negative; histograms have
    ascending "le" buckets ending in +Inf, cumulative counts, and
    _count equal to the +Inf bucket;
  - every name is in the relayguard_ namespace.
Prints each problem and exits 1 if there is any.  With --get, prints the
value of each named series instead (exit 1 if one is missing), so that
shell tests can compare exact counts.
"""
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(v):
    if v in ("+Inf", "-Inf", "NaN"):
        return float(v.replace("Inf", "inf").replace("NaN", "nan"))
    return float(v)


def parse_sample(line):
    """(name, ((label, value), ...), value) or raise ValueError."""
    m = NAME.match(line)
    if not m:
        raise ValueError("bad metric name")
    name, rest = m.group(0), line[m.end():]
    labels = []
    if rest.startswith("{"):
        rest = rest[1:]
        while not rest.startswith("}"):
            lm = LABEL.match(rest)
            if not lm:
                raise ValueError("bad label near %r" % rest[:20])
            labels.append((lm.group(1), lm.group(2)))
            rest = rest[lm.end():]
            if rest.startswith(","):
                rest = rest[1:]
            elif not rest.startswith("}"):
                raise ValueError("expected , or } near %r" % rest[:20])
        rest = rest[1:]
    if not rest.startswith(" "):
        raise ValueError("no space before the value")
    parts = rest.split()
    if len(parts) not in (1, 2):
        raise ValueError("expected a value and an optional timestamp")
    value = parse_value(parts[0])
    if len(parts) == 2:
        int(parts[1])
    names = [k for k, _ in labels]
    if len(set(names)) != len(names):
        raise ValueError("a label appears twice")
    return name, tuple(labels), value


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
            return name[: -len(suffix)]
    return name


def check(text):
    problems = []
    helps, types, seen, done = {}, {}, set(), set()
    samples = []
    current = None
    if text and not text.endswith("\n"):
        problems.append("the last line does not end in a newline")
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d" % n
        if line == "":
            continue
        if line.startswith("#"):
            f = line.split(None, 3)
            if len(f) >= 3 and f[1] in ("HELP", "TYPE"):
                if not NAME.fullmatch(f[2]):
                    problems.append("%s: bad name in %s" % (where, f[1]))
                    continue
                table = helps if f[1] == "HELP" else types
                if f[2] in table:
                    problems.append("%s: second %s for %s" % (where, f[1], f[2]))
                if f[1] == "TYPE":
                    if len(f) != 4 or f[3] not in TYPES:
                        problems.append("%s: bad TYPE %r" % (where, line))
                        continue
                    if any(family_of(s[0], types) == f[2] for s in samples):
                        problems.append("%s: TYPE for %s after its samples" % (where, f[2]))
                    table[f[2]] = f[3]
                else:
                    table[f[2]] = f[3] if len(f) == 4 else ""
            continue
        try:
            name, labels, value = parse_sample(line)
        except ValueError as e:
            problems.append("%s: %s: %r" % (where, e, line))
            continue
        fam = family_of(name, types)
        if fam != current:
            if fam in done:
                problems.append("%s: samples of %s are not contiguous" % (where, fam))
            if current is not None:
                done.add(current)
            current = fam
        key = (name, tuple(sorted(labels)))
        if key in seen:
            problems.append("%s: series %s%s appears twice" % (where, name, dict(labels)))
        seen.add(key)
        samples.append((name, labels, value))
        if not name.startswith("relayguard_"):
            problems.append("%s: %s is not in the relayguard_ namespace" % (where, name))
        t = types.get(fam)
        if t is None:
            problems.append("%s: %s has no TYPE" % (where, fam))
        elif t == "counter":
            if not name.endswith("_total"):
                problems.append("%s: counter %s does not end in _total" % (where, name))
            if value < 0 or math.isnan(value):
                problems.append("%s: counter %s is %s" % (where, name, value))
    problems += check_histograms(samples, types)
    return problems, samples


def check_histograms(samples, types):
    problems = []
    groups = {}
    for name, labels, value in samples:
        fam = family_of(name, types)
        if types.get(fam) != "histogram":
            continue
        rest = tuple(sorted((k, v) for k, v in labels if k != "le"))
        g = groups.setdefault((fam, rest), {"buckets": [], "count": None, "sum": None})
        if name == fam + "_bucket":
            le = dict(labels).get("le")
            if le is None:
                problems.append("%s bucket without le" % fam)
                continue
            g["buckets"].append((parse_value(le), value))
        elif name == fam + "_count":
            g["count"] = value
        elif name == fam + "_sum":
            g["sum"] = value
        else:
            problems.append("%s: unexpected sample %s in a histogram" % (fam, name))
    for (fam, rest), g in groups.items():
        b = g["buckets"]
        what = "%s%s" % (fam, dict(rest))
        if not b or b[-1][0] != math.inf:
            problems.append("%s: no +Inf bucket last" % what)
            continue
        if [x for x, _ in b] != sorted(x for x, _ in b):
            problems.append("%s: le not ascending" % what)
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            problems.append("%s: bucket counts not cumulative" % what)
        if g["count"] is None or g["sum"] is None:
            problems.append("%s: _count or _sum missing" % what)
        elif g["count"] != b[-1][1]:
            problems.append("%s: _count %s != +Inf bucket %s" % (what, g["count"], b[-1][1]))
    return problems


def get(samples, spec):
    m = re.fullmatch(r"([^{]+)(?:\{(.*)\})?", spec)
    name, want = m.group(1), m.group(2)
    labels = dict(LABEL.findall(want)) if want else {}
    for n, l, v in samples:
        if n == name and dict(l) == labels:
            return v
    return None


def main(argv):
    args, gets = [], []
    i = 0
    while i < len(argv):
        if argv[i] == "--get":
            gets.append(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    text = open(args[0]).read() if args else sys.stdin.read()
    problems, samples = check(text)
    for p in problems:
        print(p)
    if problems:
        return 1
    status = 0
    for spec in gets:
        v = get(samples, spec)
        if v is None:
            print("missing")
            status = 1
        else:
            print("%g" % v)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
