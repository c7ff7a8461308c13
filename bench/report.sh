#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# report.sh RAW - turn bench/run.sh's raw key=value results into the
# Markdown tables of bench/README.md: medians over the repetitions, and
# every relayguard row as a ratio to the null milter of the same
# repetition and concurrency (the median of those paired ratios), with
# the targets of issue 5 marked met or missed.  With a baseline binary
# (run.sh's RG_BASELINE: rows base-SCEN), a second table gives SCEN /
# base-SCEN paired the same way, with the spread over the repetitions.
set -eu
[ $# -eq 1 ] || { echo "usage: report.sh RAW" >&2; exit 2; }

awk '
function kv(line, arr,    n, i, t, k, v, q) {
	# split key=value pairs; values may be "quoted with spaces"
	delete arr
	while (line != "") {
		sub(/^ +/, "", line)
		if (line == "") break
		i = index(line, "=")
		q = index(line, " ")
		if (i == 0 || (q > 0 && q < i)) { sub(/^[^ ]*/, "", line); continue }
		k = substr(line, 1, i - 1)
		line = substr(line, i + 1)
		if (substr(line, 1, 1) == "\"") {
			q = index(substr(line, 2), "\"")
			v = substr(line, 2, q - 1)
			line = substr(line, q + 2)
		} else {
			q = index(line, " ")
			if (q == 0) { v = line; line = "" } else { v = substr(line, 1, q - 1); line = substr(line, q + 1) }
		}
		arr[k] = v
	}
}
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, val) { acc[key] = (key in acc) ? acc[key] " " val : val }
function fmt(x, d) { return x == "" ? "-" : sprintf("%." d "f", x) }
function mark(ok) { return ok ? "met" : "**missed**" }
function minmax(list,    n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (n == 0) return "-"
	lo = hi = a[1] + 0
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
	return sprintf("%.3f-%.3f", lo, hi)
}
function rowname(s) { return s ~ /^base-/ ? substr(s, 6) " (baseline)" : s }

$1 == "machine" { kv($0, m); machine = m["host"] ": " m["cpu"] ", " m["cpus"] " CPUs, " m["mem_mib"] " MiB, kernel " m["kernel"] ", libmilter " m["libmilter"] ", slapd " m["slapd"] ", postfix " m["postfix"] " (load at start " m["loadavg"] "), " m["date"]; next }
$1 == "params" { kv($0, p); params = "reps=" p["reps"] ", " p["duration"] " s measured after " p["warmup"] " s warm-up per run, " p["rcpts_per_session"] " RCPT per session, " p["users"] " LDAP users"; next }
$1 == "baseline" { kv($0, x); baseline = x["label"] " (" x["path"] ", sha256 " x["relayguard_sha256"] ")"; next }
$1 == "missing" { kv($0, x); missing = missing "- missing rows " x["rows"] ": " x["reason"] "\n"; next }
$1 == "micro" { kv($0, x); micro = micro "| " x["matcher"] " | " x["entries"] " | " x["ns_per_lookup"] " | " x["build_ms"] " |\n"; next }
$1 == "postfix" {
	kv($0, x); g = x["row"] SUBSEP x["conc"]
	if (!(g in pfseen)) { pfseen[g] = 1; pforder[++npf] = g }
	add("pf" SUBSEP g, x["msgs_per_s"])
	pfrep[x["row"], x["conc"], x["rep"]] = x["msgs_per_s"]
	next
}
$1 == "run" {
	kv($0, x)
	s = x["scenario"]; g = s SUBSEP x["conc"] SUBSEP x["idle"]
	if (!(g in seen)) { seen[g] = 1; order[++ng] = g }
	for (f in x) add(f SUBSEP g, x[f])
	rep[s, x["conc"], x["idle"], x["rep"]] = x["sessions_per_s"]
	p99[s, x["conc"], x["idle"], x["rep"]] = x["rcpt_p99_us"]
	rrate[s, x["conc"], x["idle"], x["rep"]] = x["rcpts_per_s"]
	reps[x["rep"]] = 1
	next
}
END {
	print "Machine: " machine "  "
	print "Parameters: " params (baseline != "" ? "  " : "")
	if (baseline != "") print "Baseline (rows \"(baseline)\"): " baseline
	print ""
	print "### Against the null milter (loadgen speaking milter protocol 6)"
	print ""
	print "| scenario | conc | idle open | sessions/s | x null | RCPT/s | RCPT p50 us | p99 us | p99 x null | p99.9 us | RCPT 2xx/4xx/5xx | DATA 2xx/4xx/5xx | milter CPU us/session | peak RSS KiB | peak threads | target | met? |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= ng; i++) {
		g = order[i]; split(g, k, SUBSEP); s = k[1]; c = k[2]; idl = k[3]
		if (s == "memory" || s ~ /^scale/) continue
		ratios = ""; pratios = ""
		for (r in reps) if ((s, c, idl, r) in rep && ("null", c, idl, r) in rep && rep["null", c, idl, r] > 0) {
			ratios = ratios " " rep[s, c, idl, r] / rep["null", c, idl, r]
			if (p99["null", c, idl, r] > 0) pratios = pratios " " p99[s, c, idl, r] / p99["null", c, idl, r]
		}
		rt = median(ratios); pr = median(pratios)
		r2 = median(acc["rcpt_2xx" SUBSEP g]); r4 = median(acc["rcpt_4xx" SUBSEP g]); r5 = median(acc["rcpt_5xx" SUBSEP g])
		p99m = median(acc["rcpt_p99_us" SUBSEP g])
		target = "-"; ok = ""
		d2 = median(acc["data_2xx" SUBSEP g])
		data = d2 == "" ? "-" : d2 "/" median(acc["data_4xx" SUBSEP g]) "/" median(acc["data_5xx" SUBSEP g])
		# Without a null row in the run (SCENARIOS without null) there is nothing to judge.
		if (s != "null" && s !~ /^base-/ && idl == 0 && ratios != "") {
			if (s == "file" || s == "ldap-warm") { target = ">=0.95x, p99 <=1.2x"; ok = mark(rt >= 0.95 && pr <= 1.2) }
			else if (s == "ldap-cold") { target = ">=0.85x"; ok = mark(rt >= 0.85) }
			else if (s == "ldap-refused") { target = ">=0.9x, all 451, p99 <3 ms"; ok = mark(rt >= 0.9 && r2 == 0 && r5 == 0 && r4 > 0 && p99m < 3000) }
			else if (s == "ldap-hang") { target = ">=0.8x"; ok = mark(rt >= 0.8) }
		}
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s/%s | %s | %s | %s | %s | %s | %s |\n", rowname(s), c, idl,
		    fmt(median(acc["sessions_per_s" SUBSEP g]), 0), s == "null" ? "1" : fmt(rt, 2),
		    fmt(median(acc["rcpts_per_s" SUBSEP g]), 0), fmt(median(acc["rcpt_p50_us" SUBSEP g]), 0),
		    fmt(p99m, 0), s == "null" ? "1" : fmt(pr, 2), fmt(median(acc["rcpt_p999_us" SUBSEP g]), 0),
		    r2, r4, r5, data, fmt(median(acc["milter_cpu_us_per_session" SUBSEP g]), 0),
		    fmt(median(acc["milter_rss_peak_kib" SUBSEP g]), 0), fmt(median(acc["milter_threads_peak" SUBSEP g]), 0),
		    target, ok
	}
	# issue 15: the control socket read every 100 ms costs nothing measurable.
	np = 0
	for (i = 1; i <= ng; i++) {
		g = order[i]; split(g, k, SUBSEP); s = k[1]; c = k[2]; idl = k[3]
		if (s != "file-polled" || !(("file-ctl" SUBSEP c SUBSEP idl) in seen)) continue
		if (np++ == 0) {
			print ""
			print "### The control socket polled every 100 ms (file-polled / file-ctl, paired per repetition)"
			print ""
			print "| conc | sessions/s file-ctl | sessions/s file-polled | ratio, median | spread | polls per run | µs per poll | target | met? |"
			print "|---|---|---|---|---|---|---|---|---|"
		}
		sr = ""
		for (r in reps) if ((s, c, idl, r) in rep && ("file-ctl", c, idl, r) in rep && rep["file-ctl", c, idl, r] > 0)
			sr = sr " " rep[s, c, idl, r] / rep["file-ctl", c, idl, r]
		pm = median(sr)
		printf "| %s | %s | %s | %s | %s | %s | %s | >=0.97x | %s |\n", c,
		    fmt(median(acc["sessions_per_s" SUBSEP ("file-ctl" SUBSEP c SUBSEP idl)]), 0),
		    fmt(median(acc["sessions_per_s" SUBSEP g]), 0), fmt(pm, 3), minmax(sr),
		    fmt(median(acc["polls" SUBSEP g]), 0),
		    (("poll_us" SUBSEP g) in acc) ? fmt(median(acc["poll_us" SUBSEP g]), 0) : "-",
		    mark(pm >= 0.97)
	}
	# Issue 12: what sending budgets cost, each row paired per repetition
	# with the same sessions and budgets off.  "ROW OFF TARGET" per entry.
	npairs = split("auth-budget auth 0.95,auth-redis auth 0.85,auth-redis-lease auth 0.85,auth-redis-frozen auth 0.8", pairs, ",")
	nb = 0
	for (pi = 1; pi <= npairs; pi++) {
		split(pairs[pi], pp, " "); s = pp[1]; off = pp[2]; want = pp[3] + 0
		for (i = 1; i <= ng; i++) {
			g = order[i]; split(g, k, SUBSEP)
			if (k[1] != s || !((off SUBSEP k[2] SUBSEP k[3]) in seen)) continue
			c = k[2]; idl = k[3]
			if (nb++ == 0) {
				print ""
				print "### Sending budgets against budgets off (same sessions, paired per repetition)"
				print ""
				print "| scenario | budgets off | conc | sessions/s off | sessions/s on | ratio, median | spread | RCPT p99 us off | on | RCPT 2xx/4xx/5xx on | target | met? |"
				print "|---|---|---|---|---|---|---|---|---|---|---|---|"
			}
			sr = ""
			for (r in reps) if ((s, c, idl, r) in rep && (off, c, idl, r) in rep && rep[off, c, idl, r] > 0)
				sr = sr " " rep[s, c, idl, r] / rep[off, c, idl, r]
			pm = median(sr)
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s/%s | >=%sx | %s |\n", s, off, c,
			    fmt(median(acc["sessions_per_s" SUBSEP (off SUBSEP c SUBSEP idl)]), 0),
			    fmt(median(acc["sessions_per_s" SUBSEP g]), 0), fmt(pm, 3), minmax(sr),
			    fmt(median(acc["rcpt_p99_us" SUBSEP (off SUBSEP c SUBSEP idl)]), 0),
			    fmt(median(acc["rcpt_p99_us" SUBSEP g]), 0), median(acc["rcpt_2xx" SUBSEP g]),
			    median(acc["rcpt_4xx" SUBSEP g]), median(acc["rcpt_5xx" SUBSEP g]), want,
			    mark(pm >= want)
		}
	}
	if (baseline != "") {
		print ""
		print "### Against the baseline relayguard (same repetition, same concurrency)"
		print ""
		print "Each ratio is this relayguard / the baseline, paired per repetition: the median, then the lowest and highest of the repetitions."
		print ""
		print "| scenario | conc | sessions/s baseline | sessions/s | sessions/s ratio | spread | RCPT/s ratio | spread | RCPT p99 us baseline | RCPT p99 us | p99 ratio | spread | DATA 2xx/4xx/5xx | DATA p99 us | CPU us/session baseline | CPU us/session | target | met? |"
		print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
		for (i = 1; i <= ng; i++) {
			g = order[i]; split(g, k, SUBSEP); s = k[1]; c = k[2]; idl = k[3]
			if (s !~ /^base-/) continue
			t = substr(s, 6); gt = t SUBSEP c SUBSEP idl
			if (!(gt in seen)) continue
			sr = rr = pr = ""
			for (r in reps) if ((s, c, idl, r) in rep && (t, c, idl, r) in rep && rep[s, c, idl, r] > 0) {
				sr = sr " " rep[t, c, idl, r] / rep[s, c, idl, r]
				if (rrate[s, c, idl, r] > 0) rr = rr " " rrate[t, c, idl, r] / rrate[s, c, idl, r]
				if (p99[s, c, idl, r] > 0) pr = pr " " p99[t, c, idl, r] / p99[s, c, idl, r]
			}
			d2 = median(acc["data_2xx" SUBSEP gt])
			data = d2 == "" ? "-" : d2 "/" median(acc["data_4xx" SUBSEP gt]) "/" median(acc["data_5xx" SUBSEP gt])
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", t, c,
			    fmt(median(acc["sessions_per_s" SUBSEP g]), 0), fmt(median(acc["sessions_per_s" SUBSEP gt]), 0),
			    fmt(median(sr), 3), minmax(sr), fmt(median(rr), 3), minmax(rr),
			    fmt(median(acc["rcpt_p99_us" SUBSEP g]), 0), fmt(median(acc["rcpt_p99_us" SUBSEP gt]), 0),
			    fmt(median(pr), 3), minmax(pr), data, fmt(median(acc["data_p99_us" SUBSEP gt]), 0),
			    fmt(median(acc["milter_cpu_us_per_session" SUBSEP g]), 0), fmt(median(acc["milter_cpu_us_per_session" SUBSEP gt]), 0),
			    ">=0.97x sessions/s and RCPT/s", mark(median(sr) >= 0.97 && median(rr) >= 0.97)
		}
	}
	print ""
	print "### Memory and threads with idle sessions"
	print ""
	print "| scenario | idle open | RSS before KiB | RSS with idle open KiB | KiB per open session | extra KiB per session vs null | threads before | threads with idle open | target | met? |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	nullper = ""
	for (pass = 1; pass <= 2; pass++) for (i = 1; i <= ng; i++) {
		g = order[i]; split(g, k, SUBSEP); s = k[1]; idl = k[3]
		if (idl == 0 || s ~ /^scale/) continue
		if ((pass == 1) != (s == "null")) continue
		rs = median(acc["milter_rss_start_kib" SUBSEP g]); ri = median(acc["milter_rss_idle_kib" SUBSEP g])
		if (s == "memory") rs = median(acc["milter_rss_start_kib" SUBSEP g])
		per = (ri - rs) / idl
		if (s == "null") nullper = per
		ts = median(acc["milter_threads_start" SUBSEP g]); ti = median(acc["milter_threads_idle" SUBSEP g])
		extra = (s == "null" || nullper == "") ? "" : per - nullper
		if (s == "memory") {
			target = "total <=32 MiB with " idl " open + full cache"
			ok = mark(median(acc["milter_rss_peak_kib" SUBSEP g]) <= 32768 && ti <= ts)
			label = "memory (cache " median(acc["cache_filled_rcpts" SUBSEP g]) " RCPTs filled; peak " fmt(median(acc["milter_rss_peak_kib" SUBSEP g]), 0) " KiB)"
		} else if (s == "null") { target = "-"; ok = ""; label = s }
		else { target = "<=16 KiB extra/session, no idle threads"; ok = mark(extra <= 16 && ti <= ts); label = s }
		printf "| %s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |\n", label, idl, fmt(rs, 0), fmt(ri, 0), per,
		    extra == "" ? "-" : sprintf("%.1f", extra), ts, ti, target, ok
	}
	print ""
	print "### Scale: cost per lookup against directory size (LDAP, cache off: one search per RCPT, conc 10)"
	print ""
	print "| directory | sessions/s | RCPT p50 us | RCPT p99 us | milter CPU us/session |"
	print "|---|---|---|---|---|"
	for (i = 1; i <= ng; i++) {
		g = order[i]; split(g, k, SUBSEP); s = k[1]
		if (s !~ /^scale/) continue
		printf "| %s users | %s | %s | %s | %s |\n", s == "scale-1k" ? "1,000" : "100,000",
		    fmt(median(acc["sessions_per_s" SUBSEP g]), 0), fmt(median(acc["rcpt_p50_us" SUBSEP g]), 0),
		    fmt(median(acc["rcpt_p99_us" SUBSEP g]), 0), fmt(median(acc["milter_cpu_us_per_session" SUBSEP g]), 0)
		sc[s] = median(acc["sessions_per_s" SUBSEP g])
	}
	if (("scale-1k" in sc) && sc["scale-1k"] > 0)
		printf "\n100,000 users / 1,000 users sessions/s: %.2f (target: cost per lookup does not grow with directory size, i.e. about 1.0: %s)\n",
		    sc["scale-100k"] / sc["scale-1k"], mark(sc["scale-100k"] / sc["scale-1k"] >= 0.9)
	print ""
	print "### CIDR and domain matchers (bench/micro_match, best of 5 passes)"
	print ""
	print "| matcher | entries | ns per lookup | build ms |"
	print "|---|---|---|---|"
	printf "%s", micro
	if (npf > 0) {
		print ""
		print "### Through Postfix (smtp-source -> Postfix -> smtp-sink, in_flow_delay = 0)"
		print ""
		print "| row | smtp-source sessions | msg/s | x Postfix + null milter (same socket kind) | target | met? |"
		print "|---|---|---|---|---|---|"
		for (i = 1; i <= npf; i++) {
			g = pforder[i]; split(g, k, SUBSEP); row = k[1]; c = k[2]
			ratios = ""; base = row ~ /-unix$/ ? "null-milter-unix" : "null-milter"
			for (r = 1; r <= 50; r++) if ((row, c, r) in pfrep && (base, c, r) in pfrep && pfrep[base, c, r] > 0)
				ratios = ratios " " pfrep[row, c, r] / pfrep[base, c, r]
			rt = median(ratios)
			isrg = row ~ /^relayguard/
			target = isrg ? ">=0.95x" : "-"
			ok = isrg ? mark(rt >= 0.95) : ""
			printf "| %s | %s | %s | %s | %s | %s |\n", row, c, fmt(median(acc["pf" SUBSEP g]), 1), fmt(rt, 2), target, ok
		}
		for (i = 1; i <= npf; i++) {
			g = pforder[i]; split(g, k, SUBSEP); row = k[1]; c = k[2]
			if (row !~ /^baseline-/) continue
			t = "relayguard-" substr(row, 10); ratios = ""
			for (r = 1; r <= 50; r++) if ((row, c, r) in pfrep && (t, c, r) in pfrep && pfrep[row, c, r] > 0)
				ratios = ratios " " pfrep[t, c, r] / pfrep[row, c, r]
			printf "\n%s / %s msg/s, paired per repetition: %s (spread %s)\n", t, row, fmt(median(ratios), 3), minmax(ratios)
		}
	}
	if (missing != "") { print ""; print "### Not measured"; print ""; printf "%s", missing }
}
' "$1"
