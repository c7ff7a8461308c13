#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""A stand-in for systemd's notification socket, for tests/notify.sh.

notify_listen.py NOTIFY_PATH MILTER_SOCKET LOG

Binds a unix datagram socket at NOTIFY_PATH (what NOTIFY_SOCKET names)
and fills its queue with dummy datagrams, so that the first sd_notify()
of the daemon blocks until this script reads.  Then it writes "bound" to
LOG and tries to connect to MILTER_SOCKET (a unix stream socket) every
20 ms, for up to 10 s, before reading anything:

    gate=open      the socket accepted while no message could get through;
    gate=timeout   it never did.

A daemon that sends READY=1 before it listens is stuck in that send, so
it cannot listen: gate=timeout, with no timing luck involved.  Then the
script drains the dummies and writes one line per message:

    msg READY=1|STATUS=... connect=ok

with the message's fields joined by "|"; for READY=1 it connects to
MILTER_SOCKET again at once and says whether that worked.  It exits
after 60 s, or when killed.
"""
import errno
import os
import socket
import sys
import time

notify_path, milter_path, log_path = sys.argv[1:4]
DUMMY = b"X"

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
log = open(log_path, "w", buffering=1)

# The queue is full when a new sender's first datagram would block.  Each
# filler sends until it blocks: on its own send buffer, or on our queue
# (net.unix.max_dgram_qlen) once that is full.
fillers, dummies = [], 0
while len(fillers) < 100:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.setblocking(False)
    sent = 0
    try:
        while True:
            s.sendto(DUMMY, notify_path)
            sent += 1
    except BlockingIOError:
        pass
    if sent == 0:
        s.close()
        break
    fillers.append(s)
    dummies += sent
else:
    log.write("cannot fill the notification queue\n")
    sys.exit(1)
log.write("bound\n")


def probe():
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        c.connect(milter_path)
        return "ok"
    except OSError as e:
        return "failed(%s)" % errno.errorcode.get(e.errno, e.errno)
    finally:
        c.close()


gate = "timeout"
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    if probe() == "ok":
        gate = "open"
        break
    time.sleep(0.02)
log.write("gate=%s\n" % gate)

sock.settimeout(0.5)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        data = sock.recv(4096)
    except socket.timeout:
        continue
    if data == DUMMY and dummies > 0:
        dummies -= 1
        continue
    fields = data.decode("utf-8", "replace").split("\n")
    line = "msg " + "|".join(f for f in fields if f)
    if "READY=1" in fields:
        line += " connect=" + probe()
    log.write(line + "\n")
