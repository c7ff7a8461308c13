#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# bench/report_bench.sh: relayguard -R over a generated syslog file, as a
# ratio to grep -c 'relayguard\[' on the same file in the same run, and
# its peak RSS at two sizes (issue 11).
#
#   top_builddir=BUILD [SIZES="100 1024"] [KEEP=1] bash bench/report_bench.sh
#
# The file is made once per size in $BENCH_DIR (default /tmp/rg-report-bench):
# a 100 MiB block of syslog lines, about 5 % of them relayguard's (real
# lines from tests/report/mail.log with their client, sender and recipient
# domain varied over pools of 20000 clients, 5000 domains and 200 senders,
# 3 of them exception holders), the rest Postfix-like lines of other
# programs; bigger sizes repeat the block, so the distinct keys stay the
# same and only the size grows.  Each size is read once from the page
# cache by cat, then grep and relayguard -R run in turn, REPS times
# (default 3); the median wall time of each gives MB/s and the ratio.
# Peak RSS is /usr/bin/time's maximum resident set size.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
: "${top_builddir:?set top_builddir to the build directory}"
RG=${RELAYGUARD:-$top_builddir/milter/relayguard}
DIR=${BENCH_DIR:-/tmp/rg-report-bench}
SIZES=${SIZES:-"100 1024"}
REPS=${REPS:-3}
mkdir -p "$DIR/conf"

cat >"$DIR/conf/policy.conf" <<'EOF'
networks = { trusted = [ "127.0.0.1/32" ]; };
domains = { local = [ "example.edu", ".example.edu" ]; };
legacy_exceptions = (
  { sender = "bob@example.edu"; expires = "2027-01-01"; },
  { sender = "u1@example.edu"; expires = "2027-01-01"; },
  { sender = "@lab.example.edu"; expires = "2027-01-01"; networks = [ "198.51.100.0/24" ]; }
);
directory = { backend = "file"; file = "directory.conf"; };
EOF
cp "$src/tests/report/directory.conf" "$DIR/conf/"

block=$DIR/block-100M.log
if [ ! -s "$block" ]; then
	python3 - "$src/tests/report/mail.log" "$block" <<'PY'
import random, re, sys
random.seed(11)
rg = [l.split(b" ", 2)[2] for l in open(sys.argv[1], "rb").read().splitlines()
      if b" relayguard[" in l and b"action=" in l]
clients = ["%d.%d.%d.%d" % (random.randint(1, 223), random.randint(0, 255),
           random.randint(0, 255), random.randint(1, 254)) for _ in range(20000)]
domains = ["d%d.example" % i for i in range(5000)]
senders = ["u%d@example.edu" % i for i in range(200)] + ["bob@example.edu", "x@lab.example.edu"]
other = [b"postfix/smtpd[%d]: connect from unknown[%s]",
         b"postfix/smtpd[%d]: disconnect from unknown[%s] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
         b"postfix/cleanup[%d]: 4F2A1B3C4D: message-id=<20261123.%s@mx.example.edu>",
         b"postfix/qmgr[%d]: 4F2A1B3C4D: from=<u@%s>, size=4711, nrcpt=1 (queue active)",
         b"postfix/smtp[%d]: 4F2A1B3C4D: to=<x@%s>, relay=mx.example[192.0.2.1]:25, delay=0.2, status=sent (250 2.0.0 Ok)",
         b"dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=%d.0.0.1, lip=%s, TLS"]
out = open(sys.argv[2], "wb")
size, i = 0, 0
target = 100 * 1024 * 1024
while size < target:
    t = b"Nov %2d %02d:%02d:%02d gw " % (23 + (i // 400000) % 7, (i // 3600) % 24, (i // 60) % 60, i % 60)
    if i % 20 == 0:
        m = random.choice(rg)
        m = re.sub(rb"client=[^ ]+", b"client=" + random.choice(clients).encode(), m, 1)
        m = re.sub(rb"from=<[^>]*>", b"from=<" + random.choice(senders).encode() + b">", m, 1)
        m = re.sub(rb"rcpt=<([^@>]*)@[^>]*>", rb"rcpt=<\1@" + random.choice(domains).encode() + b">", m, 1)
        line = t + m + b"\n"
    else:
        f = random.choice(other)
        line = t + f % (random.randint(1000, 99999), random.choice(clients).encode()) + b"\n"
    out.write(line)
    size += len(line)
    i += 1
PY
fi

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }

printf '%-8s %10s %12s %12s %12s %8s %12s %12s\n' size_MiB rg_lines grep_s grep_MB/s report_s report_MB/s ratio peak_RSS_KiB
for mib in $SIZES; do
	f=$DIR/syslog-${mib}M.log
	if [ ! -s "$f" ]; then
		: >"$f"
		n=$(( (mib + 99) / 100 ))
		for _ in $(seq "$n"); do cat "$block" >>"$f"; done
		truncate -s "$((mib * 1024 * 1024))" "$f"
	fi
	bytes=$(stat -c %s "$f")
	cat "$f" >/dev/null
	gt=() rt=()
	for _ in $(seq "$REPS"); do
		t0=$(now); lines=$(grep -c 'relayguard\[' "$f"); t1=$(now)
		gt+=("$(echo "$t1 - $t0" | bc)")
		t0=$(now)
		/usr/bin/time -f '%M' -o "$DIR/rss" "$RG" -R -c "$DIR/conf/policy.conf" --format json --year 2026 "$f" >"$DIR/out.json"
		t1=$(now)
		rt+=("$(echo "$t1 - $t0" | bc)")
	done
	g=$(printf '%s\n' "${gt[@]}" | median)
	r=$(printf '%s\n' "${rt[@]}" | median)
	printf '%-8s %10s %12.3f %12.1f %12.3f %12.1f %12.3f %12s\n' "$mib" "$lines" "$g" \
	    "$(echo "$bytes / 1000000 / $g" | bc -l)" "$r" "$(echo "$bytes / 1000000 / $r" | bc -l)" \
	    "$(echo "($bytes / $r) / ($bytes / $g)" | bc -l)" "$(cat "$DIR/rss")"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("         report read %d relayguard lines, %d decisions, %d refusals" % (d["input"]["relayguard_lines"], d["summary"]["decisions"], d["summary"]["refusals"]))' "$DIR/out.json"
done
[ -n "${KEEP:-}" ] || rm -f "$DIR"/syslog-*.log
