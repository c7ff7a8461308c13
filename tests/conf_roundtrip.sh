#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -n -p round trip (issue 15 section 2: "The output, saved as a
# file, must load and give the same policy"), beyond tests/conf_print.sh:
#  - every policy the golden replay uses (policy.conf, monitor.conf and
#    each @conf of tests/golden/*.in, and each policy directory.in writes
#    with @write, when the build has the test backends), the LDAP suites'
#    write_conf template with the variants the suites use, an LDAP config
#    with every directory.ldap and directory.cache key set, and a config
#    with budgets.backend = "redis" and every budgets and budgets.redis
#    key set: -n -p saved as a file loads, -n -p of it is the original's
#    output ("# default" marks aside) and one round more is a byte-for-
#    byte fixed point; -n warns the same with the same exit status;
#  - the golden replay run through the saved copies (each @conf mapped
#    to its saved -p copy, budget rows included) decides exactly as
#    through the originals;
#  - the LDAP and Redis configs decide a few transactions the same way
#    through their saved copies (LDAP down: the could-not-tell path);
#  - the daemon started from the saved -p output of a file without
#    control.socket only warns, as with the original, when the built-in
#    control path is unusable (the bug 4e4ca63 fixed: exit 73 before).
# The saved copies are written in the original's directory, where a
# default relative name (directory.file) resolves the same.
. "$top_srcdir/tests/lib.sh"
R=$RELAYGUARD
RT="$top_srcdir/tests/conf_roundtrip.py"
command -v python3 >/dev/null || { echo "SKIP: python3 is needed"; exit 77; }

# verdicts FILE: count the ok / not lines of conf_roundtrip.py.
verdicts() {
	local verdict what
	while read -r verdict what; do
		case $verdict in
		ok) pass ;;
		not) fail "$what" ;;
		*) fail "unexpected output: $verdict $what" ;;
		esac
	done <"$1"
}

# --- the golden replay, through the originals and through saved copies ---
printf 'directory = { backend = "script"; script = "probe.script"; };\n' >"$T/probe.conf"
: >"$T/probe.script"
backends=yes
"$R" -n -c "$T/probe.conf" 2>&1 | grep -q -- --enable-test-backends && backends=
for in in "$top_srcdir"/tests/golden/*.in; do
	name=$(basename "$in" .in)
	if head -n 5 "$in" | grep -q '^# needs: test-backends' && [ -z "$backends" ]; then
		echo "$name.in: skipped, $R has no test backends"
		continue
	fi
	for how in orig saved; do
		rm -rf "$T/g-$how" && mkdir "$T/g-$how" && cp "$top_srcdir"/tests/golden/* "$T/g-$how/"
		# shellcheck disable=SC2046
		(cd "$T/g-$how" && python3 "$RT" replay "$name.in" "$T/$name.$how" \
		    $([ $how = saved ] && echo .)) >"$T/$name.$how.verdicts" 2>&1 ||
			fail "$name.in: the $how replay itself failed: $(tail -3 "$T/$name.$how.verdicts")"
	done
	[ -s "$T/$name.orig.verdicts" ] && fail "$name.in: $(cat "$T/$name.orig.verdicts")"
	verdicts "$T/$name.saved.verdicts"
	if diff -u "$T/$name.orig" "$T/$name.saved" >"$T/$name.diff"; then pass; else
		fail "$name.in through the saved -p copies decides differently: $(head -30 "$T/$name.diff")"; fi
	# The reader itself is checked too: through the originals it gives the golden references.
	if diff -u "$top_srcdir/tests/golden/$name.ref" "$T/$name.orig" >"$T/$name.refdiff"; then pass; else
		fail "$name.in through the originals differs from $name.ref: $(head -30 "$T/$name.refdiff")"; fi
	# Not vacuous: the replay ran, budget rows and @conf switches included.
	n=$(grep -c '^> ' "$T/$name.orig")
	[ "$n" -ge 20 ] && pass || fail "$name.in: only $n transactions replayed"
	if [ "$name" = transactions ]; then
		for c in $(sed -n 's/^@conf //p' "$in" | sort -u); do
			grep -q "^ok -n -p of $c is a fixed point" "$T/$name.saved.verdicts" && pass ||
				fail "@conf $c was not replayed through a saved copy"
		done
		grep -q 'reason=login-budget' "$T/$name.saved" && pass || fail "no budget row was decided"
	fi
done

# --- the LDAP suites' template (tests/ldap/lib-ldap.sh write_conf) -------
mkdir "$T/l"
BASE_DN="dc=example,dc=edu"
SVC_DN="cn=relayguard,ou=services,dc=example,dc=edu"
RG_SECRET=not-the-password
eval "$(sed -n -e '/^secret_file() {/,/^}$/p' -e '/^write_conf() {/,/^}$/p' "$top_srcdir/tests/ldap/lib-ldap.sh")"
command -v write_conf >/dev/null || fail "no write_conf in tests/ldap/lib-ldap.sh"
saveT=$T
T="$T/l"
write_conf "$T/plain.conf" "ldap://127.0.0.1:1/"
CACHE='{ ttl = 1; negative_ttl = 1; max_entries = 100; stale_ttl = 3600; }' LDAP_EXTRA='' \
	write_conf "$T/backend.conf" "ldap://127.0.0.1:1/"
POOL=1 TIMEOUT=2.0 CACHE='{ max_entries = 0; }' write_conf "$T/failover.conf" \
	"ldap://127.0.0.1:1/" "ldap://127.0.0.1:2/"
LDAP_EXTRA='login_suspended_attribute = "description"; login_suspended_value = "suspended";' \
	write_conf "$T/logins.conf" "ldap://127.0.0.1:1/"
: >"$T/ca.pem"
LDAP_EXTRA="tls_ca_file = \"$T/ca.pem\";" write_conf "$T/tls.conf" "ldaps://127.0.0.1:1/"
T=$saveT

# --- every directory.ldap, directory.cache, budgets, budgets.redis key ---
mkdir "$T/f"
printf 'pw-%s\n' "$$" >"$T/f/ldap.secret"
printf 'redis-%s\n' "$$" >"$T/f/redis.pw"
chmod 600 "$T/f/ldap.secret" "$T/f/redis.pw"
: >"$T/f/ca.pem"
cat >"$T/f/ldap.conf" <<'CONF'
domains = { local = [ "example.edu", ".example.edu" ]; };
recipients = { verify = true; };
control = { socket = "ctl.sock"; };
directory = {
  backend = "ldap";
  on_error = "tempfail";
  ldap = {
    uris = [ "ldap://127.0.0.1:1/", "ldaps://127.0.0.1:2/" ];
    starttls = "try";
    tls_ca_file = "ca.pem";
    bind_dn = "cn=relayguard,ou=services,dc=example,dc=edu";
    bind_password_file = "ldap.secret";
    base = "ou=people,dc=example,dc=edu";
    scope = "one";
    timeout = 2.5;
    pool_size = 3;
    recipient_filter = "(&(objectClass=inetOrgPerson)(mail=%s))";
    forward_attribute = "mailForwardingAddress";
    list_filter = "(&(objectClass=groupOfNames)(cn=%u))";
    list_member_attribute = "member";
    login_filter = "(&(objectClass=posixAccount)(uid=%s))";
    login_address_attributes = [ "mail", "mailAlternateAddress", "mailLocalAddress" ];
    login_suspended_attribute = "description";
    login_suspended_value = "suspended";
    login_attribute = "cn";
  };
  cache = { ttl = 120; negative_ttl = 30; max_entries = 5000; stale_ttl = 1800; };
};
CONF
cat >"$T/f/redis.conf" <<CONF
domains = { local = [ "example.edu", ".example.edu" ]; };
control = { socket = "ctl.sock"; };
networks = { trusted = [ "192.0.2.0/24" ]; };
directory = { backend = "file"; file = "$top_srcdir/tests/golden/directory.conf"; };
budgets = {
  mode = "enforce"; window = 1800; messages = 3; recipients = 5; domains = 3;
  exempt = [ "listserv", "carol" ]; backend = "redis"; on_error = "off"; max_logins = 20000;
  redis = { uri = "unix:$T/f/nobody.sock"; timeout = 0.3; key_prefix = "gw:";
            password_file = "redis.pw"; pool_size = 6; retry_interval = 2.5; lease = 12; };
};
CONF
# Each of those keys is set: -p prints no default and nothing unset in them.
"$R" -n -p -c "$T/f/ldap.conf" 2>/dev/null | sed -n '/^	ldap = {/,/^	};/p' >"$T/f/ldap.group"
"$R" -n -p -c "$T/f/redis.conf" 2>/dev/null | sed -n '/^budgets = {/,/^};/p' >"$T/f/budgets.group"
for g in ldap budgets; do
	[ "$(wc -l <"$T/f/$g.group")" -ge 8 ] && ! grep -qE '# default|\(unset|^[[:space:]]*#' "$T/f/$g.group" &&
		pass || fail "$g.conf does not set every key of its group: $(cat "$T/f/$g.group")"
done
"$R" -n -p -c "$T/f/ldap.conf" 2>/dev/null | sed -n '/^	cache = {/,/^	};/p' | grep -q '# default' &&
	fail "ldap.conf does not set every directory.cache key" || pass

for f in "$T"/l/*.conf "$T"/f/*.conf; do
	(cd "$(dirname "$f")" && python3 "$RT" fixpoint "$(basename "$f")" "$f.saved") >"$f.verdicts" 2>&1
	verdicts "$f.verdicts"
	grep -q '^ok -n -p of .* is a fixed point' "$f.verdicts" || fail "$f: no fixed point checked"
done

# The same decisions through the saved copies (LDAP: nobody listens, so
# every lookup could not tell; Redis: -T counts in a private local store).
cat >"$T/few.in" <<'IN'
client=198.51.100.7 helo=x from=<a@x.example> rcpt=<u@victim.example>
client=203.0.113.9 from=<x@isp.example> rcpt=<alice@example.edu> rcpt=<nobody@example.edu>
client=203.0.113.9 auth=alice tls=TLSv1.3 from=<alice@example.edu> rcpt=<u@victim.example>
client=203.0.113.9 auth=alice tls=TLSv1.3 budget=messages:3 from=<alice@example.edu> rcpt=<u@victim.example>
client=203.0.113.9 auth=alice tls=TLSv1.3 budget=domains:2 from=<alice@example.edu> rcpt=<u@a.example> rcpt=<u@b.example>
client=203.0.113.9 auth=carol tls=TLSv1.3 budget=messages:9 from=<carol@example.edu> rcpt=<u@victim.example>
client=192.0.2.5 from=<x@example.edu> rcpt=<friend@elsewhere.example>
IN
for f in "$T"/l/plain.conf "$T"/l/logins.conf "$T"/f/ldap.conf "$T"/f/redis.conf; do
	d=$(dirname "$f")
	b=$(basename "$f" .conf)
	{ echo "@conf $b.conf"; cat "$T/few.in"; } >"$d/$b.in"
	(cd "$d" && python3 "$RT" replay "$b.in" "$d/$b.orig") >"$d/$b.rv" 2>&1
	(cd "$d" && python3 "$RT" replay "$b.in" "$d/$b.saved" .) >>"$d/$b.rv" 2>&1
	verdicts "$d/$b.rv"
	if diff -u "$d/$b.orig" "$d/$b.saved" >"$d/$b.diff"; then pass; else
		fail "$b.conf through its saved copy decides differently: $(head -30 "$d/$b.diff")"; fi
done
grep -q 'reason=login-budget' "$T/f/redis.orig" && pass || fail "redis.conf: no budget refusal replayed"
grep -q '451 4.3.0' "$T/f/ldap.orig" && pass || fail "ldap.conf: LDAP down did not tempfail"

# --- the saved copy of a file without control.socket starts alike --------
# (failed before 4e4ca63: the daemon from the saved copy exited 73.)
# A file without control.socket: the original only warns when the built-in
# /run/relayguard/control.sock cannot be made, and serves mail; -n -p
# prints the built-in path as a plain key, so its saved copy makes the
# same socket failure fatal.  The saved copy must start like the original.
if [ -e /run/relayguard ]; then
	echo "control.socket start check skipped: /run/relayguard exists, so the built-in control path may work"
else
	mkdir "$T/k"
	write_policy "$T/k/orig.conf"
	(cd "$T/k" && "$R" -n -p -c orig.conf) >"$T/k/saved.conf" 2>/dev/null
	for c in orig saved; do
		port=$(free_port)
		"$R" -f -c "$T/k/$c.conf" -p "inet:$port@127.0.0.1" >"$T/k/$c.out" 2>"$T/k/$c.log" &
		pid=$!
		PIDS="$PIDS $pid"
		wait_for "$T/k/$c.out" "listening on" 50
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid"; wait "$pid" 2>/dev/null
			running=yes
		else
			wait "$pid"; running="no, exit $?"
		fi
		grep -q 'control socket: /run/relayguard/control.sock: .*relayguard -S will not answer' \
		    "$T/k/$c.log" && warned=yes || warned=no
		echo "$c: running=$running warned=$warned" >>"$T/k/result"
	done
	[ "$(sed -n 's/^orig: //p' "$T/k/result")" = "running=yes warned=yes" ] && pass ||
		fail "the original without control.socket: $(cat "$T/k/result") $(cat "$T/k/orig.log")"
	[ "$(sed -n 's/^saved: //p' "$T/k/result")" = "running=yes warned=yes" ] && pass ||
		fail "control.socket default in -n -p: the daemon from the saved -p copy" \
		    "of a file without control.socket does not start as the original does:" \
		    "$(cat "$T/k/result") $(grep -v 'warning:' "$T/k/saved.log" | head -3)"
fi
finish
