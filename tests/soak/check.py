#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""check.py - judge one soak run (tests/soak/soak.sh wrote --dir).

Reads loadgen.out (its key=value line), timeline (loadgen -L: judged
replies per second), events (when each outage began and ended, each
reload), rss (the daemon's VmRSS every second), milter.log, stats.txt (the
control socket's answer) and asan/ (ASan, LSan and UBSan log_path output).
Prints one "soak ..." line of figures, then each violation; exits 1 if
there is one.
"""
import argparse
import glob
import os
import re
import statistics
import sys


def kv(line):
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def solve3(m, y):
    """Gaussian elimination for a 3x3 system; None when singular."""
    a = [row[:] + [v] for row, v in zip(m, y)]
    for i in range(3):
        p = max(range(i, 3), key=lambda k: abs(a[k][i]))
        if abs(a[p][i]) < 1e-9:
            return None
        a[i], a[p] = a[p], a[i]
        for k in range(3):
            if k != i:
                f = a[k][i] / a[i][i]
                a[k] = [u - f * v for u, v in zip(a[k], a[i])]
    return [a[i][3] / a[i][i] for i in range(3)]


def main():
    ap = argparse.ArgumentParser()
    for a in ("dir", "conf", "broken", "died", "milter-rc"):
        ap.add_argument("--" + a)
    for a in ("bad-line", "good", "bad", "stops", "freezes", "sessions", "loadgen-rc"):
        ap.add_argument("--" + a, type=int, default=0)
    for a in ("warmup", "duration", "grace", "rss-max"):
        ap.add_argument("--" + a, type=float, default=0)
    o = ap.parse_args()
    d = o.dir
    bad = []

    def read(name):
        try:
            with open(os.path.join(d, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- the load generator's verdicts -------------------------------------
    lg = kv(read("loadgen.out").strip())
    if "expect_bad" not in lg:
        bad.append("loadgen printed no verdicts (exit %d): %s" %
                   (o.loadgen_rc, read("loadgen.err").strip()[-300:]))
    num = lambda k: int(float(lg.get(k, "0")))
    errors = (num("expect_bad") + num("failed") + num("timeouts") + num("proto_errors")
              + num("connect_errors"))
    tempfails = num("expect_tempfail")
    if errors:
        bad.append("%d error(s): expect_bad=%d failed=%d timeouts=%d proto_errors=%d "
                   "connect_errors=%d" % (errors, num("expect_bad"), num("failed"),
                                          num("timeouts"), num("proto_errors"),
                                          num("connect_errors")))
        for line in read("loadgen.err").splitlines()[:10]:
            bad.append("  " + line)
    if lg and num("expect_ok") == 0:
        bad.append("no reply was as expected: nothing was judged")

    # --- tempfails only during outages, and every outage seen ---------------
    start = end = None
    windows = []
    for line in read("events").splitlines():
        f = line.split()
        t = float(f[0])
        if f[1] == "start":
            start = t
        elif f[1] == "end":
            end = t
        elif f[1] == "outage":
            windows.append([t, None, f[2]])
        elif f[1] == "recovered" and windows and windows[-1][1] is None:
            windows[-1][1] = t
    if start is None or end is None:
        bad.append("events: no start or end")
        start = start or 0
        end = end or start
    for w in windows:
        if w[1] is None:
            w[1] = end
    seen = [0] * len(windows)
    stray = 0
    for line in read("timeline").splitlines():
        v = kv(line)
        t, n = float(v["t"]), int(v["tempfail"])
        if n == 0:
            continue
        hit = False
        for i, (s, e, _) in enumerate(windows):
            # the line counts the second before t
            if t >= s and t - 1 <= e + o.grace:
                seen[i] += n
                hit = True
        if not hit:
            stray += n
    if stray:
        bad.append("%d tempfail(s) outside every slapd outage (+%g s)" % (stray, o.grace))
    for i, (s, e, kind) in enumerate(windows):
        if seen[i] == 0:
            bad.append("outage %d (%s at +%.0f s, %.0f s) gave no 451: was slapd really out?"
                       % (i + 1, kind, s - start, e - s))

    # --- reloads: good ones taken, broken ones refused with FILE:LINE -------
    mlog = read("milter.log")
    taken = mlog.count("reloaded %s: new connections use the new policy" % o.conf)
    refused_at = mlog.count("reload refused: %s:%d: " % (o.conf, o.bad_line))
    refused = len(re.findall(r"reload refused: \d+ error\(s\); the previous policy stays "
                             r"in force", mlog))
    if taken != o.good:
        bad.append("%d good reload(s) sent, %d logged as reloaded" % (o.good, taken))
    if refused != o.bad or refused_at < o.bad:
        bad.append("%d broken reload(s) sent, %d refused, %d with %s:%d" %
                   (o.bad, refused, refused_at, o.conf, o.bad_line))
    m = re.search(r"^reloads accepted (\d+) refused (\d+)", read("stats.txt"), re.M)
    if not m:
        bad.append("no reload counters from the control socket: %s" % read("stats.txt")[-200:])
    elif (int(m.group(1)), int(m.group(2))) != (o.good, o.bad):
        bad.append("control socket: reloads accepted %s refused %s, want %d and %d" %
                   (m.group(1), m.group(2), o.good, o.bad))

    # --- RSS: flat within 10 % ---------------------------------------------
    rss = []
    for line in read("rss").splitlines():
        f = line.split()
        if len(f) == 3:
            rss.append((float(f[0]), int(f[1]), int(f[2])))
    win = max(6.0, min(30.0, o.duration / 10))

    def median_in(a, b, col=1):
        xs = [r[col] for r in rss if a <= r[0] <= b]
        return int(statistics.median(xs)) if xs else None

    # libmilter keeps a thread per busy session and lets idle ones go, so
    # RSS follows the thread count (about 150 to 500 at 500 sessions, as
    # outages come and go), each thread with its stack and ASan's caches.
    # So RSS is judged with the threads taken out: a least-squares fit
    # rss = a + b * threads + c * t over the samples after the warm-up,
    # and each sample adjusted to the median thread count by b.  A leak
    # shows in c and in the adjusted figures; the raw medians are printed
    # too.
    post = [r for r in rss if r[0] >= start + o.warmup]
    b = 0.0
    if len(post) >= 10:
        n = float(len(post))
        xs = [(1.0, r[2], r[0] - start) for r in post]
        ata = [[sum(x[i] * x[j] for x in xs) for j in range(3)] for i in range(3)]
        aty = [sum(x[i] * r[1] for x, r in zip(xs, post)) for i in range(3)]
        sol = solve3(ata, aty)
        if sol is not None:
            b = max(sol[1], 0.0)
    tref = statistics.median([r[2] for r in post]) if post else 0
    adj = [(r[0], int(r[1] - b * (r[2] - tref)), r[2]) for r in rss]

    def median_of(series, a, z, col=1):
        xs = [r[col] for r in series if a <= r[0] <= z]
        return int(statistics.median(xs)) if xs else None

    half = start + (o.warmup + o.duration) / 2
    wins = ((start + o.warmup, start + o.warmup + win), (half - win / 2, half + win / 2),
            (end - win, end))
    r0, rm, r1 = (median_of(rss, a, z) for a, z in wins)
    a0, am, a1 = (median_of(adj, a, z) for a, z in wins)
    t0, tm, t1 = (median_of(rss, a, z, 2) for a, z in wins)
    if None in (r0, rm, r1):
        bad.append("too few RSS samples (%d)" % len(rss))
    elif o.rss_max > 0:
        for name, r in (("middle", am), ("end", a1)):
            if abs(r - a0) > o.rss_max / 100.0 * a0:
                bad.append("RSS %s %d KiB is %+.1f %% from start %d KiB at %d threads "
                           "(limit %g %%; %.0f KiB a thread; raw %d, %d, %d KiB at %s, %s, "
                           "%s threads)" % (name, r, 100.0 * (r - a0) / a0, a0, tref,
                                            o.rss_max, b, r0, rm, r1, t0, tm, t1))

    # --- sanitizers and the stop --------------------------------------------
    findings = 0
    for p in sorted(glob.glob(os.path.join(d, "asan", "*"))):
        with open(p, errors="replace") as f:
            text = f.read()
        if not text.strip():
            continue
        n = len(re.findall(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:", text))
        findings += max(n, 1)
        bad.append("sanitizer output in %s:" % os.path.basename(p))
        bad.extend("  " + l for l in text.splitlines()[:40])
    if o.died:
        bad.append(o.died)
    if o.milter_rc != "0":
        bad.append("relayguard after SIGTERM: exit %s, want 0" % o.milter_rc)

    print("soak sessions_in_flight=%d seconds=%.0f sessions=%d rcpts=%d errors=%d tempfail_451=%d "
          "expect_ok=%d reloads_good=%d reloads_bad=%d slapd_stops=%d slapd_freezes=%d "
          "rss_start_kib=%s rss_mid_kib=%s rss_end_kib=%s threads=%s/%s/%s "
          "rss_adj_kib=%s/%s/%s kib_per_thread=%.0f threads_peak=%s "
          "sanitizer_findings=%d "
          "result=%s" % (o.sessions, end - start, num("sessions"), num("rcpts"), errors,
                         tempfails, num("expect_ok"), o.good, o.bad, o.stops, o.freezes,
                         r0, rm, r1, t0, tm, t1, a0, am, a1, b,
                         lg.get("milter_threads_peak", "?"), findings,
                         "FAIL" if bad else "PASS"))
    for b in bad:
        print("FAIL: " + b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
