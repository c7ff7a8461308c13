#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""tests/mta/rggen.py: the differential test behind the real MTAs (issue 13
section 3, issue 8 "look for siblings").

  rggen.py send  --server H:P [--bind A | --xclient X] --count N [--seed S]
                 --results FILE [--conns K] [--mta NAME]
  rggen.py judge --results FILE --sink DIR [--rglog F] [--mtalog F]

"send" builds N hostile recipients from relay tricks and random mutations,
seeded and reproducible (the seed is printed; --seed or RG_SEED replays
it), mixes valid local recipients in as controls (at least one in every
transaction), and sends them from an off-site, unauthenticated client,
byte for byte, with the raw client of rgsmtp.py.  Every transaction goes on
to DATA whatever the RCPT replies were.  One JSON line per transaction
goes to --results.

"judge" looks only at what reached the sink (smtp-sink -d files): it is
run once the MTA's queue is empty.  It fails when
  - a recipient that arrived is not in a local domain (example.edu or a
    subdomain), after lowercasing and dropping one trailing dot, or its
    local part holds a routing or quoting character: @ % ! , ; : < > " or
    whitespace (one pair of quotes around the whole local part is allowed:
    "staff"@example.edu is staff@example.edu, and Sendmail keeps them).  partner.example, the configured relay domain, is a
    deliberate destination: relayguard relays to it by configuration
    whatever the local part, and what partner.example's own server does
    with a '%' or '!' is its policy, so only its domain is checked;
  - a transaction whose message was accepted (250 after the final dot)
    lacks a copy for one of its controls;
  - anything arrived for a transaction whose message was not accepted.
On failure it prints the seed, the transaction and what arrived, with the
MTA's and relayguard's log lines for its queue id.

Recipients that are "list-like" (a ',' or ';' or a second '<' anywhere)
travel in transactions of their own: relayguard refuses a transaction
holding one at DATA, and mixing them in would hide every other recipient
behind that refusal.  For the same reason most transactions are small.
Standard library only.
"""

import argparse
import json
import os
import random
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgsmtp  # noqa: E402

LOCAL_DOMAINS = ("example.edu",)          # and every subdomain
RELAY_DOMAINS = ("partner.example",)      # relayguard's relay domain
CONTROLS = ("alice@example.edu", "bob@example.edu", "fwd@example.edu", "staff@example.edu")
USERS = ("alice", "bob", "fwd", "staff", "postmaster", "nobody", "root", "u", "x")
OFFSITE = ("victim.example", "VICTIM.example", "relay.test", "evil.invalid",
           "[192.0.2.99]", "[198.51.100.1]", "[127.0.0.1]", "[IPv6:2001:db8::1]",
           "[IPv6:::1]", "[IPv6:::ffff:127.0.0.1]", "[10.0.0.1]", "[0x7f.1]")
LOCALS = ("example.edu", "EXAMPLE.EDU", "mx.example.edu", "sub.example.edu",
          "example.edu.", "partner.example", "Example.Edu")

# Unicode look-alikes and invisible characters (issue 13 section 3).
LOOKALIKE = {
    "a": ["\u0430", "\u0251", "\uff41"], "e": ["\u0435", "\uff45"], "o": ["\u043e", "\u03bf", "\uff4f"],
    "c": ["\u0441"], "i": ["\u0456", "\u0131"], "l": ["\u04cf", "\u217c"], "x": ["\u0445"],
    "@": ["\uff20", "\ufe6b"], ".": ["\u3002", "\uff0e", "\uff61", "\u2024"],
    "%": ["\uff05"], "!": ["\uff01"], ",": ["\uff0c", "\u201a"], ":": ["\uff1a"],
    "<": ["\uff1c", "\u2039"], ">": ["\uff1e", "\u203a"], '"': ["\u201c", "\uff02"],
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u0301"]
ROUTING = list("@%!,;:<>\"\\()[] .\t")


def listy(arg):
    """Coarse: any ',' or ';' or a second '<', quoted or not."""
    return "," in arg or ";" in arg or arg.count("<") > 1


class Gen:
    """Builds one hostile RCPT argument at a time from a seeded RNG."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0

    def tag(self):
        # A local part of its own for each recipient: h<n>, so anything that
        # arrives can be traced back to the RCPT that carried it.
        self.n += 1
        return "h%d" % self.n

    def off(self):
        return self.r.choice(OFFSITE)

    def loc(self):
        return self.r.choice(LOCALS)

    def trick(self):
        r, t, off, loc = self.r, self.tag(), self.off(), self.loc()
        u = r.choice(USERS + (t, t, t))
        forms = [
            lambda: "%s@%s" % (t, off),
            lambda: "%s%%%s@%s" % (t, off.strip("[]"), loc),
            lambda: "%s%%%s%%%s@%s" % (t, off.strip("[]"), "example.edu", loc),
            lambda: "%s!%s@%s" % (off.strip("[]"), t, loc),
            lambda: "%s!%s" % (off.strip("[]"), t),
            lambda: "%s!%s!%s@%s" % (loc, off.strip("[]"), t, loc),
            lambda: '"%s@%s"@%s' % (t, off, loc),
            lambda: '"%s%%%s"@%s' % (t, off, loc),
            lambda: '"%s!%s"@%s' % (off, t, loc),
            lambda: '"%s"@%s' % (u, loc),
            lambda: '"%s "@%s' % (u, loc),
            lambda: "%s\\@%s@%s" % (t, off, loc),
            lambda: "\\%s@%s" % (u, loc),
            lambda: "@%s:%s@%s" % (loc, t, off),
            lambda: "@%s,@%s:%s@%s" % (loc, off, t, off),
            lambda: "@%s:%s@%s" % (off, u, loc),
            lambda: "%s@%s" % (t, r.choice(["[192.0.2.1]", "[127.0.0.1]", "[IPv6:::1]",
                                             "[IPv6:2001:db8::25]", "[127.1]"])),
            lambda: "%s@[%s]" % (u, loc),
            lambda: "(c)%s@%s" % (t, off),
            lambda: "%s(c)@%s" % (u, loc),
            lambda: "%s@(c)%s" % (t, off),
            lambda: "%s@%s(%s)" % (t, off, loc),
            lambda: "%s@%s (%s)" % (t, off, loc),
            lambda: ",Name <%s@%s>" % (t, off),
            lambda: "%s@%s,%s@%s" % (u, loc, t, off),
            lambda: "%s@%s;%s@%s" % (u, loc, t, off),
            lambda: "g: %s@%s;" % (t, off),
            lambda: "Name <%s@%s>" % (t, off),
            lambda: "<%s@%s>" % (t, off),
            lambda: "%s@%s>, <%s@%s" % (u, loc, t, off),
            lambda: " %s@%s" % (t, off),
            lambda: "%s @%s" % (u, loc),
            lambda: "%s@ %s" % (t, off),
            lambda: "%s@%s." % (t, off),
            lambda: "%s@%s.." % (u, loc),
            lambda: "%s@.%s" % (u, loc),
            lambda: "%s.@%s" % (u, loc),
            lambda: ".%s@%s" % (u, loc),
            lambda: "%s@%s.%s" % (t, off.strip("[]"), "example.edu"),
            lambda: "%s@%s.%s" % (t, "example.edu", off.strip("[]")),
            lambda: "%s@%sexample.edu" % (t, off.strip("[]")),
            lambda: "%s@%s" % (t, off.upper()),
            lambda: "%s@%s" % (u.upper(), loc.upper()),
            lambda: "%s@%s" % ("a" * r.choice([64, 65, 200, 1000]), loc),
            lambda: "%s@%s" % (t, ("x" * r.choice([63, 64, 255])) + ".example.edu"),
            lambda: "%s@%s" % (t, ".".join(["y"] * r.choice([100, 130])) + ".example.edu"),
            lambda: "%s@%s" % (u, loc.replace(".", r.choice(LOOKALIKE["."]))),
            lambda: "%s%s%s" % (t, r.choice(LOOKALIKE["@"]), off),
            lambda: "%s@%s%s" % (u, loc, r.choice(INVISIBLE)),
            lambda: "%s%s@%s" % (u, r.choice(INVISIBLE), loc),
            lambda: "%s@%s%s.%s" % (t, off.strip("[]"), r.choice(INVISIBLE), "example.edu"),
            lambda: "%s@%s" % (t, "victim" + r.choice(LOOKALIKE["."]) + "example"),
            lambda: "%s@%s" % (u, "ex" + r.choice(LOOKALIKE["a"]) + "mple.edu"),
            lambda: "%s@%s\u3002%s" % (t, off.strip("[]"), "example.edu"),
            lambda: "%s@%s" % (t, "xn--vctim-wqa.example"),
            lambda: "%s@%s" % (u, loc + ":25"),
            lambda: "%s@%s" % (t, off + "@" + loc),
            lambda: "%s@%s@%s" % (t, off, loc),
            lambda: "%s@%s" % (u, "localhost"),
            lambda: "%s" % u,
            lambda: "%s@%s" % (t, "example.edu.victim.example"),
            lambda: "%s%%%s" % (t, off.strip("[]")),
            lambda: "%s@%s%%%s" % (t, loc, off.strip("[]")),
            lambda: "%s@%s!%s" % (t, loc, off.strip("[]")),
        ]
        return r.choice(forms)()

    def mutate(self, s):
        r = self.r
        for _ in range(r.choice([1, 1, 2, 3])):
            op = r.randrange(10)
            pos = r.randrange(len(s) + 1) if s else 0
            if op == 0:
                s = s[:pos] + r.choice(ROUTING) + s[pos:]
            elif op == 1 and s:
                s = s[:pos] + s[pos:pos + 1] * 2 + s[pos + 1:]
            elif op == 2:
                s = "".join(c.upper() if r.random() < 0.5 else c.lower() for c in s)
            elif op == 3:
                s = s[:pos] + r.choice([" ", "\t", "  "]) + s[pos:]
            elif op == 4:
                cands = [i for i, c in enumerate(s) if c in LOOKALIKE]
                if cands:
                    i = r.choice(cands)
                    s = s[:i] + r.choice(LOOKALIKE[s[i]]) + s[i + 1:]
            elif op == 5:
                s = s[:pos] + r.choice(INVISIBLE) + s[pos:]
            elif op == 6:
                s = s[:pos] + "\\" + s[pos:]
            elif op == 7:
                s = s[:pos] + r.choice(['"', "'", "(", ")", "[", "]"]) + s[pos:]
            elif op == 8 and s:
                s = s[:pos] + s[pos + 1:]
            else:
                s = s + r.choice([".", "..", ">", " ", "\x01", "\x7f", "\x1b"])
        return s

    def recipient(self):
        """One RCPT argument (the text after "RCPT TO:")."""
        r = self.r
        base = self.trick() if r.random() < 0.8 else \
            "%s@%s" % (self.tag(), self.r.choice(OFFSITE + LOCALS))
        if r.random() < 0.45:
            base = self.mutate(base)
        frame = r.random()
        if frame < 0.85:
            return "<%s>" % base
        if frame < 0.92:
            return base                       # no angle brackets
        if frame < 0.96:
            return " <%s>" % base              # a space after the colon
        return "<%s> NOTIFY=NEVER" % base


def plan(seed, count):
    """The transactions for COUNT hostile recipients, reproducibly."""
    g = Gen(seed)
    r = random.Random(seed ^ 0x5EED)
    clean, lists = [], []
    for _ in range(count):
        a = g.recipient()
        (lists if listy(a) else clean).append(a)
    txns = []
    for pool, kind in ((clean, "clean"), (lists, "list")):
        i = 0
        while i < len(pool):
            k = r.choice([1, 1, 2, 3, 4, 6, 8, 12, 20, 40])
            hostile = pool[i:i + k]
            i += k
            ctl = r.sample(CONTROLS, r.choice([1, 1, 2]))
            rcpts = [(h, False) for h in hostile] + [("<%s>" % c, True) for c in ctl]
            r.shuffle(rcpts)
            if not any(c for _, c in rcpts[:1]) and r.random() < 0.5:
                # Half the time a control comes first, as in issue 8.
                j = next(n for n, (_, c) in enumerate(rcpts) if c)
                rcpts.insert(0, rcpts.pop(j))
            # No null sender: the suites count a message from <> at the sink
            # as a bounce, and a bounce must never reach it.
            sender = r.choice(["<a@offsite.example>", "<a@offsite.example>", "<alice@example.edu>",
                               "<postmaster@example.edu>", "<postmaster@victim.example>"])
            utf8 = any(ord(ch) > 127 for a, _ in rcpts for ch in a)
            txns.append({"kind": kind, "from": sender, "rcpts": rcpts,
                         "smtputf8": utf8 and r.random() < 0.15})
    r.shuffle(txns)
    for n, t in enumerate(txns):
        t["id"] = "diff-%d-%d" % (seed, n)
    return txns


def run_txns(args, txns, out, lock, stats):
    s = None
    done = 0
    for t in txns:
        if s is None or done >= args.txns_per_conn:
            if s is not None:
                s.quit()
            s = rgsmtp.open_session(args.server, bind=args.bind, xclient=args.xclient,
                                    helo="client.offsite.example", timeout=60, transcript=False)
            done = 0
        res = {"id": t["id"], "kind": t["kind"], "from": t["from"], "rcpts": []}
        try:
            s.cmd("RSET")
            mail = "MAIL FROM:" + t["from"]
            if t["smtputf8"]:
                mail += " SMTPUTF8"
            res["mail"] = s.cmd(mail)[1][-1]
            for a, ctl in t["rcpts"]:
                t0 = time.time()
                code, lines = s.cmd("RCPT TO:" + a)
                res["rcpts"].append({"arg": a, "control": ctl, "reply": lines[-1],
                                     "ms": int((time.time() - t0) * 1000)})
            body = rgsmtp.message(t["id"], "diff@offsite.example", [], "differential %s" % t["id"])
            t0 = time.time()
            r1, r2 = s.data(body)
            res["data_ms"] = int((time.time() - t0) * 1000)
            res["data"] = r1[1][-1]
            res["final"] = r2[1][-1] if r2 else None
        except (OSError, rgsmtp.SMTPError) as e:
            res["error"] = str(e)
            s.close()
            s = None
        done += 1
        with lock:
            out.write(json.dumps(res, ensure_ascii=False) + "\n")
            stats["txns"] += 1
            stats["rcpts"] += sum(1 for x in res["rcpts"] if not x["control"])
            stats["accepted"] += sum(1 for x in res["rcpts"] if not x["control"] and x["reply"][:1] == "2")
            stats["data_ok"] += 1 if (res.get("final") or "")[:1] == "2" else 0
            stats["errors"] += 1 if "error" in res else 0
    if s is not None:
        s.quit()


def cmd_send(args):
    seed = args.seed
    if seed is None:
        seed = int(os.environ["RG_SEED"]) if os.environ.get("RG_SEED") else \
            random.SystemRandom().randrange(1, 2 ** 31)
    print("# differential %s: seed %d, %d recipients (replay: RG_SEED=%d)" %
          (args.mta, seed, args.count, seed), flush=True)
    txns = plan(seed, args.count)
    t0 = time.time()
    stats = {"txns": 0, "rcpts": 0, "accepted": 0, "data_ok": 0, "errors": 0}
    lock = threading.Lock()
    with open(args.results, "w", encoding="utf-8") as out:
        out.write(json.dumps({"seed": seed, "count": args.count, "mta": args.mta}) + "\n")
        shards = [txns[i::args.conns] for i in range(args.conns)]
        ths = [threading.Thread(target=run_txns, args=(args, sh, out, lock, stats)) for sh in shards]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
    print("# differential %s: sent %d transactions, %d hostile recipients (%d got 250 at RCPT), "
          "%d messages accepted, %d network errors, %.1f s" %
          (args.mta, stats["txns"], stats["rcpts"], stats["accepted"], stats["data_ok"],
           stats["errors"], time.time() - t0), flush=True)
    return 0 if stats["txns"] == len(txns) else 1


# ------------------------------------------------------------- judge ----
BAD_LOCAL = set('@%!,;:<>"')


def split_addr(a):
    """<local@domain> -> (local, domain); the last '@' splits."""
    a = a.strip()
    if a.startswith("<") and a.endswith(">"):
        a = a[1:-1]
    if "@" not in a:
        return a, ""
    i = a.rindex("@")
    return a[:i], a[i + 1:]


def verdict(addr):
    """None if ADDR may arrive from an off-site client, else why not."""
    local, dom = split_addr(addr)
    d = dom.lower()
    if d.endswith("."):
        d = d[:-1]
    if d in RELAY_DOMAINS:
        return None
    if not (d in LOCAL_DOMAINS or any(d.endswith("." + x) for x in LOCAL_DOMAINS)):
        return "domain '%s' is neither local nor the relay domain" % dom
    # RFC 5321: "staff"@example.edu is staff@example.edu.  Sendmail relays
    # it with its quotes; one pair around nothing forbidden is no route.
    if len(local) >= 2 and local[0] == '"' and local[-1] == '"':
        local = local[1:-1]
    bad = sorted(set(c for c in local if c in BAD_LOCAL or c.isspace()))
    if bad:
        return "local part holds %s" % " ".join(repr(c) for c in bad)
    return None


def read_sink(d, prefix):
    """{tag: [(file, mail_args, [rcpt args])]} for files naming PREFIX tags."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        try:
            with open(p, "rb") as f:
                data = f.read().decode("utf-8", "surrogateescape")
        except OSError:
            continue
        rcpts, mail, tags = [], None, set()
        for line in data.split("\n"):
            line = line.rstrip("\r")
            if line.startswith("X-Rcpt-Args:"):
                rcpts.append(first_arg(line[12:].strip()))
            elif line.startswith("X-Mail-Args:"):
                mail = line[12:].strip()
            elif line.startswith("X-RG-Case: " + prefix):
                tags.add(line[11:].strip())
        for t in tags:
            out.setdefault(t, []).append((name, mail, rcpts))
    return out


def first_arg(s):
    """The address of an X-Rcpt-Args value, ESMTP parameters dropped: up
    to the '>' that closes the leading '<', outside quotes and backslash
    pairs (a quoted local part may hold spaces)."""
    if not s.startswith("<"):
        return s.split(" ")[0]
    q = esc = False
    for i, c in enumerate(s):
        if esc:
            esc = False
        elif c == "\\":
            esc = True
        elif c == '"':
            q = not q
        elif c == ">" and not q:
            return s[:i + 1]
    return s


def qid(reply):
    m = re.search(r"queued as ([0-9A-Za-z]+)", reply or "") or \
        re.match(r"250 2\.0\.0 ([0-9A-Za-z]+) Message accepted", reply or "")
    return m.group(1) if m else None


def grep(path, needle, limit=20):
    if not path or not needle or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="backslashreplace") as f:
        return [l.rstrip("\n") for l in f if needle in l][:limit]


def cmd_judge(args):
    with open(args.results, encoding="utf-8") as f:
        head = json.loads(f.readline())
        txns = [json.loads(l) for l in f if l.strip()]
    seed = head["seed"]
    prefix = "diff-%d-" % seed
    sink = read_sink(args.sink, prefix)
    byid = {t["id"]: t for t in txns}
    failures = []
    arrived_hostile = 0
    for t in txns:
        got = sink.get(t["id"], [])
        accepted = (t.get("final") or "")[:1] == "2"
        why = []
        for name, mail, rcpts in got:
            for a in rcpts:
                v = verdict(a)
                if v:
                    why.append("%s arrived (%s): %s" % (a, name, v))
        if got and not accepted:
            why.append("message arrived although the MTA did not accept it (DATA %r, final %r)" %
                       (t.get("data"), t.get("final")))
        if accepted:
            have = set(a.lower() for _, _, rc in got for a in rc)
            for x in t["rcpts"]:
                if x["control"] and x["arg"].lower() not in have:
                    why.append("control %s (RCPT reply %r) never arrived although the message was accepted"
                               % (x["arg"], x["reply"]))
            ctl = set(x["arg"].lower() for x in t["rcpts"] if x["control"])
            arrived_hostile += len(have - ctl)
        if why:
            failures.append((t, got, why))
    for tag in sink:
        if tag not in byid:
            failures.append(({"id": tag, "rcpts": []}, sink[tag], ["sink holds a message of no transaction sent"]))
    total = sum(1 for t in txns for x in t["rcpts"] if not x["control"])
    acc = sum(1 for t in txns if (t.get("final") or "")[:1] == "2")
    print("# differential %s: judged %d transactions, %d hostile recipients, %d messages accepted, "
          "%d non-control recipients arrived (all checked), seed %d" %
          (head.get("mta"), len(txns), total, acc, arrived_hostile, seed))
    for t, got, why in failures[:args.max_report]:
        print("not ok - differential %s seed %d transaction %s (%s)" % (head.get("mta"), seed, t["id"], t.get("kind")))
        for w in why:
            print("    ! %s" % w)
        print("    MAIL FROM:%s -> %s" % (t.get("from"), t.get("mail")))
        for x in t["rcpts"]:
            print("    RCPT TO:%s%s -> %s" % (x["arg"], " (control)" if x["control"] else "", x["reply"]))
        print("    DATA -> %s ; . -> %s" % (t.get("data"), t.get("final")))
        for name, mail, rcpts in got:
            print("    sink %s: MAIL %s RCPT %s" % (name, mail, " ".join(rcpts)))
        q = qid(t.get("final"))
        for l in grep(args.mtalog, q):
            print("    mta| %s" % l)
        for l in grep(args.rglog, q):
            print("    rg | %s" % l)
    if len(failures) > args.max_report:
        print("# ... and %d more failing transactions" % (len(failures) - args.max_report))
    if failures:
        print("not ok - differential %s: %d of %d transactions failed; replay with RG_SEED=%d" %
              (head.get("mta"), len(failures), len(txns), seed))
        return 1
    print("ok - differential %s: %d hostile recipients, nothing reached the sink that may not, "
          "every accepted control arrived (seed %d)" % (head.get("mta"), total, seed))
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--server", required=True)
    s.add_argument("--bind")
    s.add_argument("--xclient")
    s.add_argument("--count", type=int, default=2000)
    s.add_argument("--seed", type=int)
    s.add_argument("--results", required=True)
    s.add_argument("--conns", type=int, default=2)
    s.add_argument("--txns-per-conn", type=int, default=25)
    s.add_argument("--mta", default="mta")
    j = sub.add_parser("judge")
    j.add_argument("--results", required=True)
    j.add_argument("--sink", required=True)
    j.add_argument("--rglog")
    j.add_argument("--mtalog")
    j.add_argument("--max-report", type=int, default=20)
    a = ap.parse_args(argv)
    return cmd_send(a) if a.cmd == "send" else cmd_judge(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
