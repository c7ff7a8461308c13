#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# smoke.sh - do the benchmark tools work and print numbers?  No timing is
# asserted: that would make `make check` fail on a busy machine.
set -eu
b=${top_builddir:-.}/bench
dir=$(mktemp -d "${TMPDIR:-/tmp}/rg-bench-smoke.XXXXXX")
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || :; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; exit 1; }

"$b/micro_match" -q > "$dir/micro" || fail "micro_match exited $?"
grep -q '^matcher=netset entries=10000 .*ns_per_lookup=[0-9]' "$dir/micro" ||
    fail "micro_match printed no netset row"
grep -q '^matcher=domset entries=10000 .*ns_per_lookup=[0-9]' "$dir/micro" ||
    fail "micro_match printed no domset row"

sock="$dir/null.sock"
"$b/nullmilter" -p "unix:$sock" & pid=$!
i=0
while [ ! -S "$sock" ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "nullmilter did not open its socket"
	sleep 0.1
done
"$b/loadgen" -s "unix:$sock" -c 4 -i 8 -k 3 -w 0.2 -d 1 -P "$pid" > "$dir/out" ||
    fail "loadgen exited $?: $(cat "$dir/out")"
cat "$dir/out"
for key in sessions_per_s rcpts_per_s rcpt_p99_us milter_cpu_s milter_rss_peak_kib \
    milter_threads_peak; do
	grep -Eq "(^| )$key=[0-9.]+( |$)" "$dir/out" || fail "no $key in loadgen output"
done
# Against the null milter every reply is a 2xx and no session fails.
grep -Eq ' replies_4xx=0 replies_5xx=0 ' "$dir/out" || fail "null milter refused something"
grep -Eq ' failed=0 timeouts=0 proto_errors=0 ' "$dir/out" || fail "sessions failed"
grep -Eq ' idle_open=8 ' "$dir/out" || fail "idle sessions were not held open"
# The null milter takes DATA, as relayguard does: every session sent it.
grep -Eq ' data_2xx=[1-9][0-9]* data_4xx=0 data_5xx=0 ' "$dir/out" ||
    fail "no DATA round trip (the milter wants DATA, loadgen must send it)"
echo "PASS: bench/smoke.sh"
