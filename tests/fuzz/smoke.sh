#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# smoke.sh SRCDIR BUILDDIR HARNESS... - run each libFuzzer harness for
# $FUZZ_SECONDS (default 60) on its seed corpus, one at a time.  New inputs
# go to a scratch directory, never into the source tree; a crash input is
# kept as BUILDDIR/tests/fuzz/crash-NAME-*.  Exit 1 if any harness failed.
set -u
srcdir=$1 builddir=$2
shift 2
secs=${FUZZ_SECONDS:-60}
# lsan.supp names libconfig's functions: without llvm-symbolizer (Debian
# package llvm) LeakSanitizer cannot name frames and the suppression misses.
command -v llvm-symbolizer >/dev/null 2>&1 ||
	echo "fuzz-smoke: warning: llvm-symbolizer is missing; lsan.supp cannot match (apt-get install llvm)"
# A fixed seed by default, so a smoke failure replays (FUZZ_SEED=0: a new
# one each run, as the long runs use); printed with every result.
seed=${FUZZ_SEED:-1}
status=0
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$srcdir/tests/fuzz/lsan.supp}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
for h in "$@"; do
	name=${h##*/fuzz_}
	work=$(mktemp -d "${TMPDIR:-/tmp}/rgfuzz-$name.XXXXXX") || exit 1
	log=$builddir/tests/fuzz/$name.log
	"$builddir/$h" -seed="$seed" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$builddir/tests/fuzz/crash-$name-" \
	    "$work" "$srcdir/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	last=$(grep -a -E '^#[0-9]+' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		echo "fuzz-smoke: $name: ok (seed $seed): $last"
	else
		echo "fuzz-smoke: $name: FAILED (exit $rc, seed $seed, FUZZ_SEED=$seed replays it); see $log"
		grep -a -E 'ORACLE|ERROR|SUMMARY|^(value|line|filter):' "$log" | head -20
		status=1
	fi
	rm -rf "$work"
done
exit $status
