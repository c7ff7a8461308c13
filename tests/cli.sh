#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# The command-line contract: -V, -n (every error as FILE:LINE), and the
# exit statuses of -T.
. "$top_srcdir/tests/lib.sh"
R="$RELAYGUARD"

# expect_rc WANT DESCRIPTION CMD...: run CMD, compare its exit status.
expect_rc() {
	local want=$1 what=$2 rc
	shift 2
	"$@" >"$T/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then pass; else fail "$what: exit $rc, want $want"; cat "$T/out"; fi
}

expect_rc 0 "-V" "$R" -V
grep -qE '^relayguard [0-9]+\.[0-9]+' "$T/out" && pass || fail "-V prints no version"
expect_rc 64 "unknown option" "$R" -Z
expect_rc 64 "-n -c with no file" "$R" -n -c
expect_rc 64 "-n -p -c with no file" "$R" -n -p -c

write_policy "$T/good.conf"
expect_rc 0 "-n on a good file" "$R" -n -c "$T/good.conf"
grep -qx "configuration OK" "$T/out" && pass || fail "-n does not say configuration OK"

# Settings that load but are probably mistakes: -n warns, at FILE:LINE,
# and still passes the file.
cat >"$T/warn.conf" <<CONF
networks = { trusted = [ "192.0.2.0/24",
  "0.0.0.0/0", "2001::/16" ]; };
domains = { local = [ "example.edu", "[192.0.2.25]" ]; };
legacy_exceptions = ( { sender = "bob@example.edu"; expires = "2099-03-01"; } );
directory = { backend = "file"; file = "$top_srcdir/etc/directory.conf"; };
CONF
"$R" -n -c "$T/warn.conf" >"$T/warn.out" 2>"$T/warn.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n with warnings: exit $rc, want 0: $(cat "$T/warn.err")"
grep -qx "configuration OK" "$T/warn.out" && pass || fail "-n with warnings does not say configuration OK"
for want in ":2: warning: \"0.0.0.0/0\" in networks.trusted is every IPv4 address" \
    ":2: warning: \"2001::/16\" in networks.trusted is wider than /32" \
    ":3: warning: IP literal \"[192.0.2.25]\" in domains.local: this gateway must own" \
    ":4: warning: legacy exception for \"bob@example.edu\" has no \"networks\""; do
	grep -qF -- "$T/warn.conf$want" "$T/warn.err" && pass || fail "-n did not warn: $want"
done
[ "$(grep -c "^$T/warn.conf:[0-9]*: warning: " "$T/warn.err")" -eq 4 ] && pass ||
	fail "-n should print 4 warnings, got: $(cat "$T/warn.err")"
# -T prints the decision alone.
"$R" -T -c "$T/warn.conf" client=203.0.113.9 from=x@isp.example rcpt=alice@example.edu >"$T/out" 2>&1
grep -q warning "$T/out" && fail "-T printed warnings: $(cat "$T/out")" || pass

# Several mistakes at once: each one reported, each at its own line.
cat >"$T/bad.conf" <<'CONF'
mode = "enforse";
networks = { trusted = [ "192.0.2.0/33", "10.0.0.1/8" ]; };
domains = { local = [ "exa mple.edu" ]; };
auth = { reley = true; require_tls = "yes"; };
legacy_exceptions = ( { sender = "bob@example.edu"; expires = "2027-02-30"; } );
directory = { backend = "file"; file = "/nonexistent/directory.conf"; };
CONF
expect_rc 78 "-n on a bad file" "$R" -n -c "$T/bad.conf"
for want in ":1: \"enforse\" is not a valid mode" ":2: \"192.0.2.0/33\": prefix length" \
    ":2: \"10.0.0.1/8\" has host bits set" ":3: \"exa mple.edu\" is not a domain" \
    ":4: unknown key \"auth.reley\"" ":4: \"auth.require_tls\" must be true or false" \
    ":5: \"2027-02-30\" is not a date" "/nonexistent/directory.conf:0: cannot read"; do
	grep -qF -- "$want" "$T/out" && pass || fail "-n did not report: $want"
done
[ "$(grep -c "^$T/bad.conf:[0-9]*: " "$T/out")" -eq 7 ] && pass ||
	fail "-n should list 7 errors in bad.conf, got: $(cat "$T/out")"
expect_rc 78 "-n on a missing file" "$R" -n -c "$T/missing.conf"
grep -qF "$T/missing.conf:0: cannot read" "$T/out" && pass || fail "missing file not reported"
printf 'mode = "enforce"\nnetworks = {\n' >"$T/syntax.conf"
expect_rc 78 "-n on a syntax error" "$R" -n -c "$T/syntax.conf"
grep -qE "^$T/syntax.conf:[23]: syntax error" "$T/out" && pass || fail "syntax error line: $(cat "$T/out")"

# A key the chosen backend would silently ignore is an error.
printf 'directory = { backend = "file"; file = "%s/etc/directory.conf";\n  cache = { ttl = 1; }; };\n' \
    "$top_srcdir" >"$T/misplaced.conf"
expect_rc 78 "-n with a cache group on the file backend" "$R" -n -c "$T/misplaced.conf"
grep -qF "$T/misplaced.conf:2: \"directory.cache\" has no effect with directory.backend = \"file\"" \
    "$T/out" && pass || fail "misplaced cache group: $(cat "$T/out")"

# A file the config names that is a FIFO, a symlink or a directory is
# refused at once, at FILE:LINE: -n must not wait for a FIFO's writer.
mkfifo "$T/fifo"
mkdir "$T/adir"
printf 'mailboxes = [ "alice@example.edu" ];\n' >"$T/real-dir.conf"
( umask 077; printf 'secret\n' >"$T/real.secret" )
ln -s "$T/real-dir.conf" "$T/link-dir.conf"
ln -s "$T/real.secret" "$T/link.secret"
for kind in fifo:fifo:FIFO adir:adir:directory link:link-dir.conf:symlink; do
	name=${kind%%:*}; rest=${kind#*:}; file=${rest%%:*}; what=${rest#*:}
	printf 'mode = "enforce";\ndirectory = { backend = "file";\n  file = "%s"; };\n' "$T/$file" \
	    >"$T/named-$name.conf"
	expect_rc 78 "-n with a $what as directory.file" timeout 10 "$R" -n -c "$T/named-$name.conf"
	case $what in
	symlink) want="$T/$file:0: is a symbolic link; refusing to follow it" ;;
	*) want="$T/$file:0: is a $what, not a regular file" ;;
	esac
	grep -qF "$want" "$T/out" && pass || fail "$what as directory.file: $(cat "$T/out")"
done
for kind in fifo:fifo:FIFO adir:adir:directory link:link.secret:symlink; do
	name=${kind%%:*}; rest=${kind#*:}; file=${rest%%:*}; what=${rest#*:}
	printf 'directory = { backend = "ldap"; ldap = { uris = [ "ldap://127.0.0.1:1" ];\n  base = "dc=example,dc=edu"; bind_dn = "cn=rg,dc=example,dc=edu";\n  bind_password_file = "%s"; }; };\n' \
	    "$T/$file" >"$T/secret-$name.conf"
	expect_rc 78 "-n with a $what as bind_password_file" timeout 10 "$R" -n -c "$T/secret-$name.conf"
	case $what in
	symlink) want="$T/secret-$name.conf:3: bind_password_file \"$T/$file\": is a symbolic link; refusing to follow it" ;;
	*) want="$T/secret-$name.conf:3: bind_password_file \"$T/$file\": is a $what, not a regular file" ;;
	esac
	grep -qF "$want" "$T/out" && pass || fail "$what as bind_password_file: $(cat "$T/out")"
done
# The files themselves, named directly, are fine.
sed "s|$T/link-dir.conf|$T/real-dir.conf|" "$T/named-link.conf" >"$T/named-real.conf"
expect_rc 0 "-n with a regular directory.file" timeout 10 "$R" -n -c "$T/named-real.conf"
sed "s|$T/link.secret|$T/real.secret|" "$T/secret-link.conf" >"$T/secret-real.conf"
expect_rc 0 "-n with a regular bind_password_file" timeout 10 "$R" -n -c "$T/secret-real.conf"

# -T exit statuses: 0 accepted, 1 rejected, 64 usage, 78 config, 75 tempfail.
expect_rc 0 "-T accepted" "$R" -T -c "$T/good.conf" client=203.0.113.9 from=x@isp.example rcpt=alice@example.edu
expect_rc 1 "-T rejected" "$R" -T -c "$T/good.conf" client=203.0.113.9 from=x@isp.example rcpt=u@victim.example
expect_rc 64 "-T without rcpt" "$R" -T -c "$T/good.conf" client=203.0.113.9 from=x@isp.example
expect_rc 64 "-T with an unknown key" "$R" -T -c "$T/good.conf" client=1.2.3.4 from=a@b rcpt=c@d colour=red
expect_rc 78 "-T with a bad config" "$R" -T -c "$T/bad.conf" client=1.2.3.4 from=a@b rcpt=c@d

# A directory that cannot answer: nothing listens on the port.
dead=$(free_port)
write_policy "$T/ldap.conf"
sed -i "s|^directory = .*|directory = { backend = \"ldap\"; on_error = \"tempfail\"; ldap = { uris = [ \"ldap://127.0.0.1:$dead\" ]; starttls = \"off\"; base = \"dc=example,dc=edu\"; timeout = 2.0; }; };|" "$T/ldap.conf"
expect_rc 75 "-T with the directory down" "$R" -T -c "$T/ldap.conf" client=203.0.113.9 from=x@isp.example rcpt=alice@example.edu
grep -qE 'action=tempfail stage=rcpt reason=directory-unavailable .*reply="451 4\.3\.0' "$T/out" && pass ||
	fail "directory down: $(cat "$T/out")"
# -v traces every lookup at dir.c's one choke point, whatever the backend:
# backend, question, key (escaped), the three-way answer.
"$R" -T -v -c "$T/ldap.conf" client=203.0.113.9 from=x@isp.example rcpt=alice@example.edu >"$T/out" 2>&1
grep -qE "directory=lookup backend=ldap question=recipient key=alice@example.edu answer=error source=ldap://127.0.0.1:$dead/? why=" \
    "$T/out" && pass || fail "-v, ldap down: no traced error: $(cat "$T/out")"
"$R" -T -v -c "$T/good.conf" client=203.0.113.9 auth=$'al\001ice' tls=TLSv1.3 from=alice@example.edu \
    rcpt=alice@example.edu >"$T/out" 2>&1
"$R" -T -v -c "$T/good.conf" client=203.0.113.9 from=x@isp.example \
    rcpt=staff@example.edu rcpt=nobody@example.edu >>"$T/out" 2>&1
for want in 'directory=lookup backend=file question=login key="al\x01ice" address=alice@example.edu answer=notfound ' \
    'directory=lookup backend=file question=recipient key=staff@example.edu answer=found kind=list ' \
    'directory=lookup backend=file question=recipient key=nobody@example.edu answer=notfound '; do
	grep -qF -- "$want" "$T/out" && pass || fail "-v, file: no line with '$want' in: $(cat "$T/out")"
done
[ "$(grep -c 'directory=lookup' "$T/out")" -eq 3 ] && pass ||
	fail "-v, file: want one trace line per lookup (3): $(cat "$T/out")"
"$R" -T -c "$T/good.conf" client=203.0.113.9 from=x@isp.example rcpt=alice@example.edu >"$T/out" 2>&1
grep -q 'directory=lookup' "$T/out" && fail "lookups traced without -v: $(cat "$T/out")" || pass
# Daemon mode: detach, write the pid file, drop to -u, serve, reload as
# the new user, and remove the pid file on exit.
# @include is relative to the including file, wherever relayguard starts
# (the daemon changes to /, and reloads from there).
mkdir -p "$T/inc/sub"
printf 'legacy_exceptions = ( { sender = "bob@example.edu"; expires = "2099-01-01"; networks = [ "198.51.100.0/24" ]; } );\n' \
    >"$T/inc/sub/legacy.conf"
write_policy "$T/inc/policy.conf"
sed -i '/^legacy_exceptions/,/^);/d' "$T/inc/policy.conf"
printf '@include "sub/legacy.conf"\n' >>"$T/inc/policy.conf"
if (cd / && "$RELAYGUARD" -T -c "$T/inc/policy.conf" client=198.51.100.9 from=bob@example.edu \
    rcpt=u@victim.example) | grep -q 'stage=rcpt reason=legacy-exception '; then
	pass
else
	fail "@include \"sub/legacy.conf\" not read relative to the including file"
fi

if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	d=$(mktemp -d /tmp/rgdaemon.XXXXXX)
	chmod 755 "$d"; mkdir "$d/run"; chown nobody "$d/run"
	write_policy "$d/policy.conf"
	chmod 644 "$d/policy.conf"
	port=$(free_port)
	if "$R" -c "$d/policy.conf" -p "inet:$port@127.0.0.1" -u nobody -P "$d/run/relayguard.pid"; then
		pass; else fail "daemon start"; fi
	for i in $(seq 50); do [ -s "$d/run/relayguard.pid" ] && break; sleep 0.1; done
	pid=$(cat "$d/run/relayguard.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then pass; else fail "no daemon behind the pid file"; fi
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
	[ "$uid" = "$(id -u nobody)" ] && pass || fail "daemon runs as uid $uid, not nobody"
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 2)" && pass ||
		fail "daemon does not listen on $port"
	# A second instance with the same -P is refused before it writes or
	# binds anything, and leaves the first one's pid file alone.
	port2=$(free_port)
	expect_rc 69 "second instance with the same -P" \
	    "$R" -c "$d/policy.conf" -p "inet:$port2@127.0.0.1" -u nobody -P "$d/run/relayguard.pid"
	grep -qF "pid file $d/run/relayguard.pid is locked by another relayguard (pid $pid); refusing" \
	    "$T/out" && pass || fail "second instance: $(cat "$T/out")"
	sleep 0.5
	[ "$(cat "$d/run/relayguard.pid" 2>/dev/null)" = "$pid" ] && pass ||
		fail "second instance changed or removed the pid file"
	if kill -USR1 "$(cat "$d/run/relayguard.pid")" 2>/dev/null && sleep 0.5 &&
	    kill -0 "$pid" 2>/dev/null; then pass; else fail "SIGUSR1 via the pid file"; fi
	kill -TERM "$pid"
	for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && { fail "daemon ignores SIGTERM"; kill -KILL "$pid"; } || pass
	[ ! -e "$d/run/relayguard.pid" ] && pass || fail "pid file left behind"
	# A symlink planted at the pid path: root must not write through it.
	printf 'precious\n' >"$d/target"
	ln -s "$d/target" "$d/run/planted.pid"
	expect_rc 73 "symlink at the pid path" \
	    "$R" -c "$d/policy.conf" -p "inet:$port@127.0.0.1" -P "$d/run/planted.pid"
	grep -qF "pid file $d/run/planted.pid is a symbolic link; refusing to follow it" "$T/out" &&
		pass || fail "symlink pid file: $(cat "$T/out")"
	sleep 0.5
	[ "$(cat "$d/target")" = precious ] && pass || fail "the symlink's target was overwritten"
	[ -L "$d/run/planted.pid" ] && pass || fail "the planted symlink was removed"
	rm -rf "$d"
else
	echo "SKIP: the daemon-mode checks (-u nobody) need root and a 'nobody' user"
fi
finish
