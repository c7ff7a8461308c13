#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""tests/redis/pfsend.py: many messages in one authenticated SMTP session.

  pfsend.py --port PORT --ca CA.pem [--xclient 'ADDR=198.51.100.7 ...']
            --user LOGIN --password PW --sender ADDR < PLAN

One STARTTLS session (the certificate checked against CA.pem), XCLIENT
when given (so that the client is not loopback, which the suites trust),
AUTH PLAIN,
then one transaction per PLAN line "CASE RCPT [RCPT...]": MAIL FROM, each
RCPT, and DATA when at least one recipient was accepted (RSET otherwise).
The message carries "X-RG-Case: CASE" for the sink check.  Prints one
line per command: "CASE COMMAND ARG CODE TEXT" (COMMAND mail, rcpt or
data).  Exit status 0 when the session ran to QUIT, 1 otherwise.
Standard library only.
"""

import argparse
import smtplib
import ssl
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--sender", required=True)
    ap.add_argument("--xclient")
    a = ap.parse_args()

    ctx = ssl.create_default_context(cafile=a.ca)
    ctx.check_hostname = False  # the suite's certificate names mx.example.edu
    try:
        s = smtplib.SMTP(a.host, a.port, local_hostname="laptop.example", timeout=60)
        s.ehlo()
        s.starttls(context=ctx)
        s.ehlo()
        if a.xclient:
            code, text = s.docmd("XCLIENT", a.xclient)
            if code != 220:
                raise smtplib.SMTPException("XCLIENT refused: %d %s" % (code, text))
            s.ehlo()
        s.login(a.user, a.password)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            case, rcpts = words[0], words[1:]
            code, text = s.mail(a.sender)
            print(case, "mail", a.sender, code, text.decode(errors="replace"))
            accepted = 0
            for r in rcpts:
                code, text = s.rcpt(r)
                print(case, "rcpt", r, code, text.decode(errors="replace"))
                accepted += code // 100 == 2
            if accepted:
                body = ("From: <%s>\r\nTo: undisclosed-recipients:;\r\nSubject: %s\r\n"
                        "X-RG-Case: %s\r\n\r\nbudget test %s\r\n" % (a.sender, case, case, case))
                code, text = s.data(body)
                print(case, "data", "-", code, text.decode(errors="replace"))
            else:
                s.rset()
        s.quit()
    except (OSError, smtplib.SMTPException) as e:
        print("pfsend.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
