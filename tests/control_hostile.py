#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""control_hostile.py SOCKET: hostile clients against the control socket.

Each check prints "ok NAME" or "not NAME: why".  The server promises
(milter/control.h): one line in, one answer out, then close; anything
else gets one "error: ..." line; a silent client is dropped after
RG_CONTROL_TIMEOUT (2 s); at most 16 clients at once, one more is told
"error: busy".
"""
import socket
import sys
import threading
import time

PATH = sys.argv[1]
TIMEOUT = 2.0		# RG_CONTROL_TIMEOUT
SLOTS = 16		# RG_CONTROL_CLIENTS
results = []


def report(ok, name, why=""):
    results.append(ok)
    print(("ok %s" % name) if ok else ("not %s: %s" % (name, why)))
    sys.stdout.flush()


def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(PATH)
    return s


def read_all(s):
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            break
        if not b:
            break
        out += b
    return out


def exchange(data, shut=False):
    s = conn()
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass	# the server answered and closed early: read what it said
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = read_all(s)
    s.close()
    return out


def expect_error(name, data, want, shut=False):
    out = exchange(data, shut)
    ok = out.startswith(b"error: ") and want in out and out.count(b"\n") == 1
    report(ok, name, "answer %r" % out[:80])


def good(out):
    return out.startswith(b"relayguard ") and b"\nconnections now " in out


def main():
    # Plain garbage, binary garbage, a word that is nearly right.
    expect_error("garbage", b"GET / HTTP/1.0\r\n\r\n", b"unknown request")
    expect_error("binary", bytes(range(256)), b"error: ")
    expect_error("near-miss", b"statsx\n", b"unknown request")
    expect_error("case", b"STATS\n", b"unknown request")
    expect_error("two-requests", b"stats\nstats\n", b"one request per connection")
    expect_error("long-line", b"s" * 100000, b"too long")
    expect_error("long-line-nl", b"s" * 63 + b"\n" + b"x" * 1000, b"error: ")
    expect_error("no-newline-eof", b"stats", b"incomplete request", shut=True)
    expect_error("nul-in-line", b"sta\0ts\n", b"unknown request")

    # A slow but honest client is served.
    s = conn()
    s.sendall(b"sta")
    time.sleep(0.5)
    s.sendall(b"ts\n")
    out = read_all(s)
    s.close()
    report(good(out), "slow-client", "answer %r" % out[:80])
    report(good(exchange(b"stats\r\n")), "crlf", "CRLF line not served")

    # Half-open clients that never send hold a slot, not the server.
    idle = [conn() for _ in range(SLOTS - 4)]
    t0 = time.monotonic()
    out = exchange(b"stats\n")
    took = time.monotonic() - t0
    report(good(out) and took < 1.0, "served-beside-idle",
           "took %.2fs, answer %r" % (took, out[:60]))
    # Fill every slot: the next ones are told "busy" at once, never hang.
    more = [conn() for _ in range(8)]
    time.sleep(0.3)
    busy = 0
    for s in more:
        s.settimeout(1.0)
        try:
            b = s.recv(100)
        except socket.timeout:
            b = b""
        if b.startswith(b"error: busy"):
            busy += 1
    report(busy >= 4, "busy-when-full", "%d of 8 extra clients told busy" % busy)
    # The idle ones are dropped after the timeout, with a line.
    timed = 0
    for s in idle:
        s.settimeout(TIMEOUT + 3)
        try:
            b = read_all(s)
        except socket.timeout:
            b = b"(still open)"
        if b == b"error: timeout\n":
            timed += 1
        s.close()
    elapsed = time.monotonic() - t0
    report(timed == len(idle) and elapsed < TIMEOUT + 3, "idle-timeout",
           "%d of %d idle clients timed out in %.1fs" % (timed, len(idle), elapsed))
    for s in more:
        s.close()
    time.sleep(TIMEOUT + 0.5)	# let the slots of 'more' time out too
    report(good(exchange(b"stats\n")), "served-after-timeouts", "no answer")

    # Many clients at once: each gets a whole answer or "busy", none hangs.
    answers = []
    lock = threading.Lock()

    def one():
        try:
            out = exchange(b"prometheus\n")
        except OSError as e:
            out = ("oserror %s" % e).encode()
        with lock:
            answers.append(out)

    threads = [threading.Thread(target=one) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    whole = sum(1 for a in answers if a.startswith(b"# HELP") and a.endswith(b"\n"))
    busy = sum(1 for a in answers if a == b"error: busy, try again\n")
    report(len(answers) == 60 and whole + busy == 60 and whole >= SLOTS, "many-clients",
           "%d answers, %d whole, %d busy" % (len(answers), whole, busy))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
