#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Golden replay, in the style of Postfix's smtpd_check.in/.ref: run each
# transaction of every NAME.in here through "relayguard -T" and diff the
# decisions against NAME.ref.  Regenerate the references with
#   REGEN=1 make check TESTS=tests/golden/run.sh
# and review the diff before committing it.
#
# Each script runs in its own copy of this directory, so that
#   @write FILE
#   ...lines...
#   @end
# can replace a policy file or a directory script in the middle of a
# script (as smtpd_check.in changes the configuration): the transactions
# after it see the new file, as the daemon would after a reload.  The
# lines are echoed into the output, so the .ref shows what changed.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir/tests/golden"

# A script whose first lines say "# needs: test-backends" runs on the
# scripted test directory, only in a build configured with
# --enable-test-backends; tests/golden/script.sh runs those (skipping, 77,
# in other builds), this file runs the rest.
needs=${GOLDEN_NEEDS:-}
needs_backend() { head -n 5 "$1" | grep -q '^# needs: test-backends'; }
if [ -n "$needs" ]; then
	printf 'directory = { backend = "script"; script = "probe.script"; };\n' >"$T/probe.conf"
	: >"$T/probe.script"
	if "$RELAYGUARD" -n -c "$T/probe.conf" 2>&1 | grep -q -- --enable-test-backends; then
		echo "SKIP: $RELAYGUARD is built without --enable-test-backends"
		exit 77
	fi
fi

replay() {	# replay NAME.in OUT, in a fresh copy of this directory
	local work="$T/work-${1%.in}"
	rm -rf "$work" && mkdir "$work" && cp -- * "$work/" && (cd "$work" && python3 "$top_srcdir/tests/golden/replay.py" "$1" "$2")
}

ran=0
for in in *.in; do
	name=${in%.in}
	if needs_backend "$in"; then [ -n "$needs" ] || continue; else [ -z "$needs" ] || continue; fi
	ran=$((ran + 1))
	out="$T/$name.out"
	replay "$in" "$out" || { fail "$in: the replay itself failed"; continue; }
	if [ -n "${REGEN:-}" ]; then
		cp "$out" "$name.ref"
		echo "$name.ref regenerated"
	fi
	if diff -u "$name.ref" "$out"; then pass; else fail "decisions differ from $name.ref"; fi
done
[ "$ran" -gt 0 ] || fail "no golden script to run"
finish
