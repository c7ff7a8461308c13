# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# tests/lint/lib.sh - shared helpers for the relayguard -L tests (sourced
# after tests/lib.sh).  Every case runs the real relayguard on a real
# configuration and compares its whole stdout and its exit status.

# expect NAME RC EXPECTED -- ARGS...: run relayguard ARGS; stdout must be
# EXPECTED exactly (one finding per line, "" for none), the status RC.
expect() {
	local name=$1 rc=$2 want=$3 got status
	shift 4
	got=$("$RELAYGUARD" "$@" 2>"$T/stderr")
	status=$?
	if [ "$status" -ne "$rc" ]; then
		fail "$name: exit $status, wanted $rc; stdout: $got; stderr: $(cat "$T/stderr")"
	elif [ "$got" != "$want" ]; then
		fail "$name: stdout differs"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/    /'
	else
		pass
	fi
}

# A policy.conf for relayguard on SOCKET; with LDAP_TIMEOUT, an LDAP
# directory with that budget (never contacted: -L does no lookups).
policy() {
	local file=$1 socket=$2 timeout=${3:-}
	write_policy "$file"
	sed -i "s|^socket = .*|socket = \"$socket\";|" "$file"
	if [ -n "$timeout" ]; then
		sed -i "s|^directory = .*|directory = { backend = \"ldap\"; on_error = \"tempfail\"; ldap = { uris = [ \"ldap://127.0.0.1:1\" ]; starttls = \"off\"; base = \"dc=example,dc=edu\"; timeout = $timeout; }; };|" "$file"
	fi
}
