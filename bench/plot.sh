#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# plot.sh RAW OUT.png - sessions/s and RCPT p99 against concurrency, one
# line per scenario (medians over the repetitions, no idle sessions).
# Needs gnuplot (Debian: gnuplot-nox).
set -eu
[ $# -eq 2 ] || { echo "usage: plot.sh RAW OUT.png" >&2; exit 2; }
dat=$(mktemp "${TMPDIR:-/tmp}/rg-plot.XXXXXX")
trap 'rm -f "$dat"' EXIT

# One block per scenario: "conc sessions_per_s p99_ms", medians.
awk '
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "run" && / idle=0 / {
	s = c = t = p = ""
	for (i = 2; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == "scenario") s = kv[2]
		else if (kv[1] == "conc") c = kv[2]
		else if (kv[1] == "sessions_per_s") t = kv[2]
		else if (kv[1] == "rcpt_p99_us") p = kv[2]
	}
	if (s ~ /^scale/) next
	if (!(s in seen)) { seen[s] = 1; order[++n] = s }
	if (!((s, c) in cs)) { cs[s, c] = 1; concs[s] = concs[s] " " c }
	tp[s, c] = tp[s, c] " " t; p99[s, c] = p99[s, c] " " p
}
END {
	for (i = 1; i <= n; i++) {
		s = order[i]; printf "\"%s\"\n", s
		m = split(concs[s], cc, " ")
		for (j = 1; j <= m; j++) printf "%s %s %.3f\n", cc[j], median(tp[s, cc[j]]), median(p99[s, cc[j]]) / 1000
		printf "\n\n"
	}
	print n > "/dev/stderr"
}' "$1" > "$dat" 2> "$dat.n"
n=$(cat "$dat.n"); rm -f "$dat.n"
[ "$n" -gt 0 ] || { echo "plot.sh: no runs in $1" >&2; exit 1; }

gnuplot <<EOF
set terminal pngcairo size 1100,450 noenhanced font ",10"
set output "$2"
set multiplot layout 1,2 title "relayguard vs null milter ($(basename "$1"))"
set key outside bottom center horizontal
set xlabel "concurrent sessions"
set grid
set ylabel "sessions/s"
set yrange [0:*]
plot for [i=0:$((n - 1))] "$dat" index i using 1:2 with linespoints title columnheader(1)
set ylabel "RCPT p99 (ms)"
set logscale y
set yrange [*:*]
plot for [i=0:$((n - 1))] "$dat" index i using 1:3 with linespoints title columnheader(1)
unset multiplot
EOF
