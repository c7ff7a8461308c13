#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""tests/mta/rgsmtp.py: a raw SMTP client for the end-to-end suites.

swaks splits --to on commas and cannot send an RCPT argument such as
<,Name <u5@victim.example>> as one command.  This client sends every MAIL
and RCPT argument byte for byte as given, on any of the suites' three
listeners (plain, STARTTLS, implicit TLS verified against the suite CA),
from a chosen local address (Sendmail suite: the off-site client is
127.0.0.2) or with XCLIENT (Postfix suite).  It always goes on to DATA,
whatever the RCPT replies were, and writes a swaks-like transcript
(" -> " client, "<-  " server, "~>"/"<~" once TLS is on) so lib.sh's
reply_to/expect_reply read it unchanged.  The message carries
"X-RG-Case: NAME" for the sink check.

Standard library only.  Usable as a module (Session) by rggen.py.

  rgsmtp.py --server 127.0.0.1:PORT [--tls starttls|implicit] [--ca FILE]
            [--bind ADDR] [--xclient 'ADDR=198.51.100.7 NAME=[UNAVAILABLE]']
            [--helo NAME] [--auth USER:PASSWORD] --from ARG --rcpt ARG...
            [--case NAME] [--out FILE] [--smtputf8]

--from and --rcpt are the exact text after "MAIL FROM:" and "RCPT TO:";
an argument that does not start with "<" is put in angle brackets.
Exit status: 0 when the session ran to QUIT, 1 on a network or TLS error.
"""

import argparse
import base64
import socket
import ssl
import sys


class SMTPError(Exception):
    pass


class Session:
    """One SMTP connection.  Every line sent and received is kept in
    self.transcript in swaks' notation."""

    def __init__(self, host, port, tls="none", ca=None, bind=None, timeout=30,
                 transcript=True):
        self.transcript = [] if transcript else None
        self.tls_on = False
        self.ca = ca
        self.host = host
        self._note("=== Trying %s:%d..." % (host, port))
        self.sock = socket.create_connection(
            (host, port), timeout=timeout,
            source_address=(bind, 0) if bind else None)
        self._note("=== Connected to %s." % host)
        if tls == "implicit":
            self._starttls()
        self.buf = b""
        self.ehlo_lines = []

    # -- transcript -----------------------------------------------------
    def _note(self, line):
        if self.transcript is not None:
            self.transcript.append(line)

    def _show(self, direction, data):
        if self.transcript is None:
            return
        text = data.decode("utf-8", "backslashreplace")
        if direction == "out":
            self.transcript.append((" ~> " if self.tls_on else " -> ") + text)
        else:
            self.transcript.append(("<~  " if self.tls_on else "<-  ") + text)

    # -- wire -------------------------------------------------------------
    def _starttls(self):
        ctx = ssl.create_default_context(cafile=self.ca) if self.ca else \
            ssl.create_default_context()
        if not self.ca:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        # The suite certificate names mx.example.edu, localhost and the
        # loopback addresses; verify against the address we dialled.
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.host)
        self.tls_on = True
        self._note("=== TLS started with cipher %s:%s" %
                   (self.sock.version(), self.sock.cipher()[0]))

    def _readline(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise SMTPError("connection closed by server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def reply(self):
        """Read one (possibly multi-line) reply: (code, [lines as str])."""
        lines = []
        while True:
            line = self._readline()
            self._show("in", line)
            lines.append(line.decode("utf-8", "backslashreplace"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        try:
            code = int(lines[-1][:3])
        except ValueError:
            raise SMTPError("malformed reply %r" % lines[-1])
        return code, lines

    def send(self, data, show=True):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if show:
            self._show("out", data)
        self.sock.sendall(data + b"\r\n")

    def cmd(self, data):
        self.send(data)
        return self.reply()

    # -- verbs --------------------------------------------------------------
    def greeting(self):
        return self.reply()

    def ehlo(self, name):
        code, lines = self.cmd("EHLO " + name)
        if code == 250:
            self.ehlo_lines = [l[4:].upper() for l in lines[1:]]
        return code, lines

    def has(self, keyword):
        return any(l.split(" ")[0] == keyword for l in self.ehlo_lines)

    def starttls(self):
        code, lines = self.cmd("STARTTLS")
        if code != 220:
            raise SMTPError("STARTTLS refused: %s" % lines[-1])
        self._starttls()

    def auth_plain(self, user, password):
        tok = base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode())
        return self.cmd(b"AUTH PLAIN " + tok)

    def data(self, message):
        """DATA; the message if the server says 354.  Returns the DATA
        reply and, when the body was sent, the reply to the final dot."""
        r1 = self.cmd("DATA")
        if r1[0] != 354:
            return r1, None
        for line in message.split(b"\r\n"):
            if line.startswith(b"."):
                line = b"." + line
            self.send(line, show=False)
        self._note(" -> [%d bytes of message]" % len(message))
        return r1, self.cmd(".")

    def quit(self):
        try:
            self.cmd("QUIT")
        except (OSError, SMTPError):
            pass
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def bracket(arg):
    return arg if arg.startswith("<") else "<" + arg + ">"


def open_session(server, tls="none", ca=None, bind=None, xclient=None,
                 helo="client.offsite.example", timeout=30, transcript=True):
    """Connect, greet, EHLO, STARTTLS and XCLIENT as asked; returns the
    Session after its last EHLO."""
    host, port = server.rsplit(":", 1)
    s = Session(host, int(port), tls=tls, ca=ca, bind=bind, timeout=timeout,
                transcript=transcript)
    code, lines = s.greeting()
    if code != 220:
        raise SMTPError("greeting: %s" % lines[-1])
    s.ehlo(helo)
    if tls == "starttls":
        s.starttls()
        s.ehlo(helo)
    if xclient:
        code, lines = s.cmd("XCLIENT " + xclient)
        if code != 220:
            raise SMTPError("XCLIENT refused: %s" % lines[-1])
        s.ehlo(helo)
    return s


def message(case, mail_from, rcpts, body=None):
    hdr = ["From: %s" % mail_from.strip("<>"),
           "To: undisclosed-recipients:;",
           "Subject: relayguard end-to-end case %s" % case,
           "X-RG-Case: %s" % case,
           "",
           body or "relayguard end-to-end case %s" % case,
           ""]
    return "\r\n".join(hdr).encode("utf-8", "surrogateescape")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    ap.add_argument("--ca")
    ap.add_argument("--bind")
    ap.add_argument("--xclient")
    ap.add_argument("--helo", default="client.offsite.example")
    ap.add_argument("--auth")
    ap.add_argument("--from", dest="mail_from", required=True)
    ap.add_argument("--rcpt", action="append", default=[], required=True)
    ap.add_argument("--case", default="rgsmtp")
    ap.add_argument("--out")
    ap.add_argument("--smtputf8", action="store_true")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--then-rset", action="store_true",
                    help="after the first transaction, RSET and send a second one "
                         "(case NAME-2, transcript --out2) with the --then-rcpt arguments")
    ap.add_argument("--then-rcpt", action="append", default=[])
    ap.add_argument("--out2")
    a = ap.parse_args(argv)

    out = open(a.out, "w", encoding="utf-8", errors="backslashreplace") if a.out else sys.stdout
    s = None
    rc = 0
    try:
        s = open_session(a.server, a.tls, a.ca, a.bind, a.xclient, a.helo, a.timeout)
        if a.auth:
            user, _, pw = a.auth.partition(":")
            s.auth_plain(user, pw)
        mail = "MAIL FROM:" + bracket(a.mail_from)
        if a.smtputf8:
            mail += " SMTPUTF8"
        s.cmd(mail)
        for r in a.rcpt:
            s.cmd("RCPT TO:" + bracket(r))
        s.data(message(a.case, a.mail_from, a.rcpt))
        if a.then_rset:
            first = s.transcript
            s.transcript = []
            s.cmd("RSET")
            s.cmd("MAIL FROM:" + bracket(a.mail_from))
            for r in a.then_rcpt:
                s.cmd("RCPT TO:" + bracket(r))
            s.data(message(a.case + "-2", a.mail_from, a.then_rcpt))
            second, s.transcript = s.transcript, first
            with open(a.out2, "w", encoding="utf-8", errors="backslashreplace") as f2:
                f2.write("\n".join(second) + "\n")
        s.quit()
    except (OSError, SMTPError, ssl.SSLError) as e:
        (s.transcript if s else []).append("*** %s" % e)
        if s is None:
            out.write("*** %s\n" % e)
        rc = 1
    if s is not None:
        out.write("\n".join(s.transcript) + "\n")
    if out is not sys.stdout:
        out.close()
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
