# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/lib.sh - shared helpers for relayguard's shell tests.
# Sourced, not run.  Each test gets a private temp dir, removed on exit
# along with every process it started.

set -u
: "${top_srcdir:?run through make check}" "${RELAYGUARD:?run through make check}"

T=$(mktemp -d "${TMPDIR:-/tmp}/rgtest.XXXXXX")
PIDS=""
failures=0
passes=0

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { passes=$((passes + 1)); }

# Finish with the plain "N passed, N failed" line and the right status.
finish() {
	echo "$passes passed, $failures failed"
	[ "$failures" -eq 0 ]
	exit $?
}

# A free TCP port on loopback, chosen by the kernel.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN [TENTHS]: poll a log until a line matches (bounded).
wait_for() {
	local i=0 max=${3:-100}
	while [ $i -lt "$max" ]; do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# start_milter CONF PORT LOG: run relayguard in the foreground on PORT.
start_milter() {
	"$RELAYGUARD" -f -v -c "$1" -p "inet:$2@127.0.0.1" >"$3.out" 2>"$3" &
	MILTER_PID=$!
	PIDS="$PIDS $MILTER_PID"
	wait_for "$3.out" "listening on" 100 || { cat "$3"; echo "relayguard did not start"; exit 1; }
}

# A copy of the golden test config, used by several suites.
write_policy() {
	# $1: target file; $2: extra lines appended
	cat >"$1" <<CONF
socket = "inet:8894@127.0.0.1";
mode = "enforce";
networks = { trusted = [ "192.0.2.0/24", "2001:db8::/32" ]; };
domains = { local = [ "example.edu", ".example.edu" ]; relay = [ "partner.example" ]; };
auth = { relay = true; require_tls = true; sender_login = "reject"; };
sender = { offsite_local = "warn"; };
recipients = { verify = true; };
legacy_exceptions = (
  { sender = "bob@example.edu"; expires = "2099-03-01"; networks = [ "198.51.100.0/24" ]; note = "ticket 4411"; },
  { sender = "old@example.edu"; expires = "2001-01-01"; note = "long gone"; }
);
directory = { backend = "file"; file = "$top_srcdir/etc/directory.conf"; on_error = "tempfail"; };
log = { facility = "mail"; accepts = true; };
${2:-}
CONF
}
