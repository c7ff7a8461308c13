#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
"""layering.py SRCDIR: check that each layer includes only what it may.

Every #include is resolved to the file it names, whatever its spelling
("../conf/conf.h", "./x.h", "conf/conf.h"), and judged by the layer that
file lives in, so a relative path cannot sneak past.  Includes must be
spelt "layer/file.h" or, inside one layer, "file.h": "../" is refused
outright.  Library headers (<libmilter/...>, <ldap.h>, <lber.h>, <hiredis/...>,
<libconfig.h>) are checked by name.  Prints one line per violation;
exits 1 when there is any.
"""
import os
import re
import sys

LAYERS = ("common", "policy", "directory", "budget", "conf", "session", "lint", "migrate", "report",
          "milter")
# Which layers each layer may include (its own included).
MAY = {
    "common": {"common"},
    "policy": {"policy", "common"},
    "directory": {"directory", "common"},
    # Sending budgets: the stores and the front; arithmetic from policy/.
    "budget": {"budget", "policy", "common"},
    "conf": {"conf", "directory", "budget", "policy", "common"},
    "session": {"session", "conf", "directory", "budget", "policy", "common"},
    # relayguard -L: reads policy.conf through conf/, never libmilter.
    "lint": {"lint", "conf", "directory", "policy", "common"},
    # relayguard -I: pure parsers; only import.c reads policy.conf through conf/.
    "migrate": {"migrate", "conf", "policy", "common"},
    # relayguard -R: reads logs (zlib) and policy.conf through conf/; never
    # the directory, libmilter or libconfig.
    "report": {"report", "conf", "policy", "common"},
    "milter": set(LAYERS),
}
LIBS = {
    "milter": re.compile(r"^libmilter/"),
    "ldap": re.compile(r"^(ldap|lber)\.h$"),
    "config": re.compile(r"^libconfig\.h$"),
    "z": re.compile(r"^zlib\.h$"),
    "hiredis": re.compile(r"^hiredis/"),
}
# Which libraries a layer may use; libldap only in the LDAP backend files,
# libhiredis only in the Redis budget store's.
MAY_LIB = {
    "common": set(), "policy": set(), "session": set(), "budget": {"hiredis"},
    "directory": {"ldap"}, "conf": {"config"}, "milter": {"milter"},
    "lint": {"config"}, "migrate": set(), "report": {"z"},
}
LDAP_FILES = re.compile(r"^directory/(dir_)?ldap")
REDIS_FILES = re.compile(r"^budget/redis")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(rel):
    top = rel.split(os.sep, 1)[0]
    return top if top in LAYERS else None


def check(src):
    bad = []
    for layer in LAYERS:
        for root, _, files in os.walk(os.path.join(src, layer)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(root, f)
                rel = os.path.relpath(path, src)
                with open(path, errors="replace") as fh:
                    for n, line in enumerate(fh, 1):
                        m = INCLUDE.match(line)
                        if m:
                            bad += judge(src, rel, n, layer, m.group(1), m.group(2))
    return bad


def judge(src, rel, n, layer, kind, name):
    where = "%s:%d: #include %s%s%s" % (rel, n, kind, name, ">" if kind == "<" else '"')
    for lib, rx in LIBS.items():
        if rx.search(name):
            allowed = (lib in MAY_LIB[layer] and (lib != "ldap" or LDAP_FILES.match(rel)) and
                       (lib != "hiredis" or REDIS_FILES.match(rel)))
            return [] if allowed else ["%s: %s uses lib%s" % (where, layer, lib)]
    if kind == "<":
        return []
    out = []
    if "../" in name or name.startswith("./"):
        out.append("%s: spell it \"layer/file.h\"" % where)
    # Resolved as the compiler would with -I$(top_srcdir): the file's own
    # directory first, then the top of the tree.
    target = None
    for base in (os.path.dirname(rel), ""):
        cand = os.path.normpath(os.path.join(base, name))
        if os.path.exists(os.path.join(src, cand)):
            target = cand
            break
    if target is None:
        return out   # generated (config.h) or a system header in quotes
    to = layer_of(target)
    if target.startswith(".."):
        out.append("%s: reaches outside the tree" % where)
    elif to is not None and to not in MAY[layer]:
        out.append("%s: %s may not include %s (%s)" % (where, layer, to, target))
    return out


if __name__ == "__main__":
    problems = check(sys.argv[1])
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
