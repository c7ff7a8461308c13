#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""stall.py PORT PIDFILE - accept TCP connections on 127.0.0.1:PORT and
never answer: the "hung slapd" the LDAP timeout tests need."""
import os
import socket
import sys
import time

port, pidfile = int(sys.argv[1]), sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
with open(pidfile + ".tmp", "w") as f:
    f.write("%d\n" % os.getpid())
os.rename(pidfile + ".tmp", pidfile)
held = []
while True:
    c, _ = s.accept()
    held.append(c)          # keep it open, read nothing, say nothing
    if len(held) > 1000:
        held.pop(0).close()
    time.sleep(0)
