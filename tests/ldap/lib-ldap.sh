# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# lib-ldap.sh - sourced by the LDAP tests: a private temp dir, slapd and
# stalled listeners that are always stopped (trap), config writing, and
# assertions that print what they expected and what they got.
set -eu

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
SLAPDSH="$top_srcdir/tests/ldap/slapd.sh"
STALLPY="$top_srcdir/tests/ldap/stall.py"
LDAPQ="$top_builddir/tests/ldap/ldapq"
RG_SECRET=$(sh "$SLAPDSH" secret)
BASE_DN="dc=example,dc=edu"
SVC_DN="cn=relayguard,ou=services,dc=example,dc=edu"

if [ -z "${SLAPD:-}" ]; then
	SLAPD=$(command -v slapd 2>/dev/null || echo /usr/sbin/slapd)
fi
export SLAPD
if [ ! -x "$SLAPD" ]; then
	echo "SKIP: slapd not installed (apt-get install slapd ldap-utils)"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 needed for the stalled listener"; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/rg-ldap.XXXXXX")
FAILS=0

cleanup() {
	for d in "$T"/slapd*; do
		[ -d "$d" ] && sh "$SLAPDSH" stop "$d" || :
	done
	for p in "$T"/*.stallpid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || :
	done
	if [ "${KEEP:-}" = "" ]; then rm -rf "$T"; else echo "kept $T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# A TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_slapd NAME -> sets PORT_<NAME>; the server lives in $T/slapd-NAME
start_slapd() {
	port=$(free_port)
	sh "$SLAPDSH" start "$T/slapd-$1" "$port"
	eval "PORT_$1=$port"
}
stop_slapd() { sh "$SLAPDSH" stop "$T/slapd-$1"; }
restart_slapd() { eval "sh \"\$SLAPDSH\" start \"\$T/slapd-$1\" \$PORT_$1"; }

# start_stall NAME -> sets PORT_<NAME>; accepts TCP, never answers
start_stall() {
	port=$(free_port)
	python3 "$STALLPY" "$port" "$T/$1.stallpid" &
	i=0
	while [ ! -f "$T/$1.stallpid" ]; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "stall listener did not start"; exit 1; }
		sleep 0.1
	done
	eval "PORT_$1=$port"
}

# The service account's password file, mode 600.
secret_file() {
	umask 077
	printf '%s\n' "$RG_SECRET" > "$T/ldap.secret"
	chmod 600 "$T/ldap.secret"
}

# write_conf FILE URI... ; $LDAP_EXTRA goes into ldap = {}, $CACHE replaces cache = {}
write_conf() {
	f=$1; shift
	uris=
	for u in "$@"; do uris="$uris${uris:+, }\"$u\""; done
	cache=${CACHE:-"{ ttl = 300; negative_ttl = 60; max_entries = 1000; stale_ttl = 3600; }"}
	secret_file
	cat > "$f" <<CONF
domains = { local = [ "example.edu", ".example.edu" ]; };
recipients = { verify = true; };
directory = {
  backend = "ldap";
  on_error = "tempfail";
  ldap = {
    uris = [ $uris ];
    starttls = "off";
    bind_dn = "$SVC_DN";
    bind_password_file = "$T/ldap.secret";
    base = "$BASE_DN";
    timeout = ${TIMEOUT:-3.0};
    pool_size = ${POOL:-4};
    ${LDAP_EXTRA:-}
  };
  cache = $cache;
};
CONF
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

ok() { echo "ok: $*"; }

# want FILE LINENO SUBSTRING... : each substring must occur in that line
want() {
	file=$1 n=$2; shift 2
	line=$(sed -n "${n}p" "$file")
	for s in "$@"; do
		case $line in
		*"$s"*) ;;
		*) fail "$file line $n: want '$s' in: $line"; return 0 ;;
		esac
	done
	ok "line $n: $*"
}

# want_ms FILE LINENO MAX: the answer on that line took less than MAX ms
want_ms() {
	ms=$(sed -n "${2}p" "$1" | sed -n 's/.* ms=\([0-9]*\).*/\1/p')
	if [ -n "$ms" ] && [ "$ms" -lt "$3" ]; then ok "line $2 took ${ms}ms < $3ms"
	else fail "line $2 took ${ms:-?}ms, want < $3ms"; fi
}

# grep_log FILE PATTERN: an extended regexp that must match some line
grep_log() {
	if grep -Eq -- "$2" "$1"; then ok "log has /$2/"
	else fail "$1: no line matches /$2/"; sed 's/^/    /' "$1"; fi
}

no_secret() {
	for f in "$@"; do
		if grep -qF -- "$RG_SECRET" "$f"; then fail "the bind password appears in $f"; fi
	done
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	echo "all checks passed"
	exit 0
}
