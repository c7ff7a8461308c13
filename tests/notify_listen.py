#!/usr/bin/env python3
"""A stand-in for systemd's notification socket, for tests/notify.sh.

notify_listen.py NOTIFY_PATH MILTER_SOCKET LOG

Binds a unix datagram socket at NOTIFY_PATH (what NOTIFY_SOCKET names),
writes "bound" to LOG, then one line per message received:

    msg READY=1|STATUS=... connect=ok

Each message's fields are joined by "|".  When a message holds READY=1,
the listener connects to MILTER_SOCKET (a unix stream socket) at once and
says whether that worked: READY=1 must mean an MTA can connect.  It exits
after 60 s, or when killed.
"""
import os
import socket
import sys
import time

notify_path, milter_path, log_path = sys.argv[1:4]

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(notify_path)
sock.settimeout(0.5)
log = open(log_path, "w", buffering=1)
log.write("bound\n")

deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        data = sock.recv(4096)
    except socket.timeout:
        continue
    fields = data.decode("utf-8", "replace").split("\n")
    line = "msg " + "|".join(f for f in fields if f)
    if "READY=1" in fields:
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(milter_path)
            line += " connect=ok"
        except OSError as e:
            line += " connect=failed(%s)" % os.strerror(e.errno or 0)
        finally:
            probe.close()
    log.write(line + "\n")
