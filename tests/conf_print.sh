#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# relayguard -n -p (the effective policy), -n -d (every default), the -n
# warnings of issue 15, and -q against the file directory:
#  - every key of a *keys[] array in conf/conf.c, conf/conf_ldap.c and conf/conf_budget.c is
#    in -d and in -p output under its dotted name (a new array, or a key
#    the printer lacks, fails);
#  - -p output saved elsewhere loads, prints the same policy again, and
#    replays tests/golden/transactions.in to the same decisions;
#  - relative names are resolved, @include is inlined, the bind password
#    never appears;
#  - warnings are FILE:LINE: warning: ... on stderr with exit 0.
# RG_PRINT_SRC points the key extraction at another source tree (used to
# prove the test fails).
. "$top_srcdir/tests/lib.sh"

R=$RELAYGUARD
src=${RG_PRINT_SRC:-$top_srcdir}
command -v perl >/dev/null || { echo "SKIP: perl is needed to read the sources"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed for the replay"; exit 77; }

# strip FILE: -p output without its header and "# default" marks, for diffs.
strip() { sed -e '/^# relayguard -n -p: /d' -e 's/;\t# default.*$/;/' "$1"; }

# --- -d and -p name every key the loader knows -------------------------
"$R" -n -d >"$T/defaults" 2>"$T/defaults.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n -d: exit $rc: $(cat "$T/defaults.err")"
[ -s "$T/defaults.err" ] && fail "-n -d wrote to stderr: $(cat "$T/defaults.err")"

printf 'not-the-password-%s\n' "$$" >"$T/secret"
chmod 600 "$T/secret"
cat >"$T/ldap.conf" <<CONF
socket = "unix:rg.sock";
directory = {
  backend = "ldap";
  ldap = {
    uris = [ "ldap://127.0.0.1:1/" ];
    bind_dn = "cn=relayguard,dc=example,dc=edu";
    bind_password_file = "secret";
    base = "dc=example,dc=edu";
    timeout = 2;
  };
  cache = { ttl = 10; };
};
CONF
"$R" -n -p -c "$T/ldap.conf" >"$T/ldap.out" 2>"$T/ldap.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n -p on an LDAP config: exit $rc: $(cat "$T/ldap.err")"
grep -qF "not-the-password" "$T/ldap.out" "$T/ldap.err" && fail "-n -p printed the bind password" || pass
grep -qxF "		bind_password_file = \"$T/secret\";" "$T/ldap.out" && pass ||
	fail "-n -p does not print bind_password_file's resolved path"
grep -qxF "socket = \"unix:$T/rg.sock\";" "$T/ldap.out" && pass ||
	fail "-n -p does not resolve a relative unix socket"
grep -qxF "		timeout = 2.0;" "$T/ldap.out" && pass || fail "-n -p: timeout = 2 is not printed as 2.0"
# budgets.redis.password_file likewise: -n -p names the file, never the password.
printf 'redis-pw-%s\n' "$$" >"$T/redis.pw"
chmod 600 "$T/redis.pw"
cat >"$T/redis.conf" <<CONF
budgets = { mode = "enforce"; backend = "redis";
  redis = { uri = "unix:$T/nobody.sock"; password_file = "redis.pw"; }; };
directory = { file = "$top_srcdir/tests/golden/directory.conf"; };
CONF
"$R" -n -p -c "$T/redis.conf" >"$T/redis.out" 2>"$T/redis.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n -p on a Redis budget config: exit $rc: $(cat "$T/redis.err")"
grep -qF "redis-pw-" "$T/redis.out" "$T/redis.err" && fail "-n -p printed the Redis password" || pass
grep -qxF "		password_file = \"$T/redis.pw\";" "$T/redis.out" && pass ||
	fail "-n -p does not print budgets.redis.password_file's resolved path"

# Dotted keys of a printed file: commented-out lines ("# key = ...") count.
perl - "$src" "$T/defaults" "$T/ldap.out" >"$T/keys" 2>&1 <<'PERL'
use strict;
use warnings;
my ($src, @outputs) = @ARGV;
sub slurp { my ($f) = @_; open(my $fh, '<', $f) or die "$f: $!"; local $/; <$fh> }
# As in tests/docs.sh: file, function and array give the dotted prefix.
# directory.conf's keys (conf_dirfile.c) are data, not policy: -p names
# the file, and -q looks into it.
my %prefix = (
	'conf.c::rg_config_load::keys'     => '',
	'conf.c::rg_config_load::log_keys' => 'log.',
	'conf.c::rg_config_load::migration_keys' => 'migration.',
	'conf.c::load_policy::net_keys'    => 'networks.',
	'conf.c::load_policy::dom_keys'    => 'domains.',
	'conf.c::load_policy::auth_keys'   => 'auth.',
	'conf.c::load_policy::sender_keys' => 'sender.',
	'conf.c::load_policy::rcpt_keys'   => 'recipients.',
	'conf.c::load_policy::reply_keys'  => 'replies.',
	'conf.c::load_exceptions::keys'    => 'legacy_exceptions.',
	'conf.c::load_routing::keys'       => 'routing.',
	'conf.c::load_limits::keys'        => 'limits.',
	'conf.c::load_directory::keys'     => 'directory.',
	'conf_control.c::rg_conf_control::keys' => 'control.',
	'conf_ldap.c::::ldap_keys'  => 'directory.ldap.',
	'conf_ldap.c::::cache_keys' => 'directory.cache.',
	'conf_budget.c::::budget_keys' => 'budgets.',
	'conf_budget.c::::redis_keys'  => 'budgets.redis.',
);
my @want;
for my $file (qw(conf.c conf_ldap.c conf_budget.c conf_control.c)) {
	my $code = slurp("$src/conf/$file");
	$code =~ s{/\*.*?\*/}{ }gs;
	my $fn = "";
	my @lines = split /\n/, $code;
	for (my $i = 0; $i < @lines; $i++) {
		$fn = $1 if $lines[$i] =~ /^([A-Za-z_]\w*)\(/;
		$fn = "" if $lines[$i] =~ /^}/;
		next unless $lines[$i] =~ /static\s+const\s+char\s*\*\s*const\s+(\w*keys)\s*\[\]\s*=/;
		my $name = $1;
		my $body = $lines[$i];
		while ($body !~ /};/ && $i + 1 < @lines) { $body .= " " . $lines[++$i]; }
		my $where = "$file\::$fn\::$name";
		if (!exists $prefix{$where}) {
			print "not conf/$file: keys array $name in " . ($fn || "file scope") .
			    " has no prefix in tests/conf_print.sh: add it, and print its keys in conf/conf_print_keys.c\n";
			next;
		}
		# A member that is itself a group is a prefix, not a key.
		push @want, map { $prefix{$where} . $_ } $body =~ /"([^"]*)"/g;
	}
}
my %groups = map { $_ => 1 } map { /^(.*)\./ ? ($1) : () } @want;
@want = grep { !$groups{$_} } @want;
print STDERR join(" ", @want), "\n" if $ENV{RG_PRINT_DEBUG};
print(@want >= 40 ? "ok found " . scalar(@want) . " keys\n" :
    "not found only " . scalar(@want) . " keys: is the extraction broken?\n");
for my $out (@outputs) {
	my (@stack, %have);
	my $template = 0;	# inside the commented entry after "legacy_exceptions = ( );"
	for (split /\n/, slurp($out)) {
		s/^\s*(?:#\s*)*//;
		if (/^(\w+) = [{(]$/) {
			push @stack, $1;
		} elsif (/^(\w+) = \( \);/) {
			$have{join(".", @stack, $1)} = 1;
			push @stack, $1;
			$template = 1;
		} elsif (/^(?:\};|\);)$/ || ($template && /^\}$/)) {
			pop @stack;
			$template = 0;
		} elsif (/^(\w+) = /) {
			$have{join(".", @stack, $1)} = 1;
		}
	}
	for my $k (@want) {
		print $have{$k} ? "ok $k in $out\n" : "not $out lacks key \"$k\"\n";
	}
}
PERL
while read -r verdict what; do
	case $verdict in
	ok) pass ;;
	not) fail "$what" ;;
	*) fail "unexpected output: $verdict $what" ;;
	esac
done <"$T/keys"

# --- the saved output loads and gives the same policy ------------------
# replay CONF OUT: every golden transaction through -T with CONF.
replay() {
	python3 - "$top_srcdir/tests/golden/transactions.in" "$1" "$2" <<'PY'
import os, shlex, subprocess, sys
src, conf, outname = sys.argv[1:4]
buf = ""
with open(outname, "w") as out:
    for raw in open(src):
        buf += raw
        try:
            words = shlex.split(buf, comments=True)
        except ValueError:
            continue
        text, buf = buf.rstrip("\n"), ""
        if not words or words == ["@monitor"] or words[0] == "@conf":
            continue
        out.write("> " + text + "\n")
        out.flush()
        r = subprocess.run([os.environ["RELAYGUARD"], "-T", "-c", conf] + words,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out.write(r.stdout.decode("utf-8", "backslashreplace"))
        out.write("exit=%d\n" % r.returncode)
PY
}
mkdir "$T/saved" "$T/golden"
cp "$top_srcdir"/tests/golden/*.conf "$T/golden/"
# The golden policy with the policy keys it sets removed: their defaults decide.
grep -Ev '^(mode|auth|sender|recipients|replies|log) ' "$T/golden/policy.conf" >"$T/golden/minimal.conf"
for name in policy monitor minimal; do
	orig="$T/golden/$name.conf"
	saved="$T/saved/$name.conf"
	(cd "$T/golden" && "$R" -n -p -c "$name.conf") >"$saved" 2>"$T/$name.err"
	rc=$?
	[ "$rc" -eq 0 ] && pass || fail "-n -p $name.conf: exit $rc: $(cat "$T/$name.err")"
	grep -q "configuration OK" "$saved" && fail "-n -p mixed \"configuration OK\" into the policy"
	# Saved in another directory, run from another directory.
	(cd / && "$R" -n -c "$saved") >"$T/$name.check" 2>&1 && pass ||
		fail "the saved -n -p output of $name.conf does not load: $(cat "$T/$name.check")"
	"$R" -n -p -c "$saved" >"$T/$name.again" 2>/dev/null
	if diff -u <(strip "$saved") <(strip "$T/$name.again") >"$T/$name.diff"; then pass; else
		fail "-n -p of the saved $name.conf differs from the original's: $(cat "$T/$name.diff")"; fi
	replay "$orig" "$T/$name.replay.orig"
	replay "$saved" "$T/$name.replay.saved"
	if diff -u "$T/$name.replay.orig" "$T/$name.replay.saved" >"$T/$name.rdiff"; then pass; else
		fail "golden replay through the saved $name.conf decides differently: $(head -40 "$T/$name.rdiff")"; fi
	[ "$(grep -c '^> ' "$T/$name.replay.orig")" -ge 50 ] && pass || fail "the replay ran too few transactions"
done
# Every policy key set (so no default can hide a mistake), and lists in full.
mkdir "$T/sub"
cp "$top_srcdir/tests/golden/directory.conf" "$T/sub/dir.conf"
cat >"$T/sub/exceptions.inc" <<'CONF'
legacy_exceptions = (
  { sender = "bob@example.edu"; expires = "2099-03-01"; networks = [ "198.51.100.0/24", "203.0.113.0/28" ]; note = "ticket \"4411\"\\x"; },
  { sender = "@example.edu"; expires = "2098-01-01"; networks = [ "2001:db8:1::/48" ]; note = "n"; }
);
CONF
cat >"$T/sub/full.conf" <<'CONF'
socket = "inet6:9999@::1";
mode = "monitor";
log = { facility = "local3"; accepts = true; };
limits = { connections = 77; };
control = { socket = "ctl.sock"; };
migration = { contact = "postmaster@example.edu"; help_url = "https://example.edu/mail"; server = "smtp.example.edu"; };
networks = { trusted = [ "192.0.2.0/24", "2001:db8::/32", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16" ]; };
domains = { local = [ "example.edu", ".example.edu" ]; relay = [ "partner.example", ".partner.example" ]; };
auth = { relay = false; require_tls = false; sender_login = "warn"; suspended_contact = "security@example.edu"; };
sender = { offsite_local = "reject"; };
recipients = { verify = false; unsafe_at = "end-of-data"; };
replies = { relay_denied = "No relaying here; see https://example.edu/mail"; };
@include "@SUB@/exceptions.inc"
routing = { check = "reject"; local_mailers = [ "local", "cyrus" ]; hosts = [ "mx.example.edu" ]; };
directory = { backend = "file"; file = "dir.conf"; on_error = "continue"; };
budgets = { mode = "monitor"; window = 600; messages = 20; recipients = 50; domains = 10;
  exempt = [ "listserv", "scanner" ]; backend = "local"; on_error = "off"; max_logins = 5000; };
CONF
sed -i "s|@SUB@|$T/sub|" "$T/sub/full.conf"
"$R" -n -p -c "$T/sub/full.conf" >"$T/full.out" 2>"$T/full.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n -p full.conf: exit $rc: $(cat "$T/full.err")"
grep -v '^[[:space:]]*#' "$T/full.out" | grep -q "	# default" &&
	fail "full.conf sets every policy key, yet -p marks defaults: $(grep '	# default' "$T/full.out")" || pass
grep -qF "\"10.4.0.0/16\"" "$T/full.out" && pass || fail "-n -p cut a list short"
grep -qF '"@example.edu"' "$T/full.out" && pass || fail "-n -p did not inline the @include file"
grep -qxF "	file = \"$T/sub/dir.conf\";" "$T/full.out" && pass || fail "-n -p did not resolve directory.file"
grep -qxF "	socket = \"$T/sub/ctl.sock\";" "$T/full.out" && pass || fail "-n -p did not resolve control.socket"
grep -qF 'note = "ticket \"4411\"\\x";' "$T/full.out" && pass || fail "-n -p did not escape a string"
(cd / && "$R" -n -p -c "$T/full.out") >"$T/full.again" 2>/dev/null
if diff -u <(strip "$T/full.out") <(strip "$T/full.again") >"$T/full.diff"; then pass; else
	fail "-n -p of full.conf's output differs: $(cat "$T/full.diff")"; fi
for q in alice@example.edu dave@example.edu staff@example.edu nobody@example.edu; do
	a=$("$R" -q "$q" -c "$T/sub/full.conf"); b=$("$R" -q "$q" -c "$T/full.out")
	[ "$a" = "$b" ] && pass || fail "-q $q: \"$a\" with full.conf, \"$b\" with its -p output"
done

# -d, saved beside a directory.conf, loads too.
mkdir "$T/d"
cp "$top_srcdir/tests/golden/directory.conf" "$T/d/directory.conf"
cp "$T/defaults" "$T/d/policy.conf"
"$R" -n -c "$T/d/policy.conf" >"$T/d.out" 2>&1 && pass || fail "the -n -d output does not load: $(cat "$T/d.out")"

# A broken file: errors as -n prints them, nothing on stdout.
printf 'mode = "sometimes";\n' >"$T/bad.conf"
"$R" -n -p -c "$T/bad.conf" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
[ "$rc" -eq 78 ] && pass || fail "-n -p on a bad file: exit $rc, want 78"
[ -s "$T/bad.out" ] && fail "-n -p printed a policy for a bad file: $(cat "$T/bad.out")" || pass
grep -q "^$T/bad.conf:1: " "$T/bad.err" && pass || fail "-n -p did not report FILE:LINE: $(cat "$T/bad.err")"

# Usage: -d and -p belong to -n; -p SOCKET stays the socket elsewhere.
for args in "-d" "-n -p -d" "-n -v -p" "-n -pd"; do
	# shellcheck disable=SC2086
	"$R" $args -c "$T/ldap.conf" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 64 ] && pass || fail "relayguard $args: exit $rc, want 64"
done
"$R" -np -c "$T/ldap.conf" >"$T/np.out" 2>/dev/null && cmp -s "$T/np.out" "$T/ldap.out" && pass ||
	fail "-np differs from -n -p"

# --- the warnings of issue 15 ----------------------------------------------
soon=$(date -u -d '+5 days' +%F)
later=$(date -u -d '+40 days' +%F)
cat >"$T/warn.conf" <<CONF
mode = "monitor";
domains = { local = [ "example.edu", ".example.edu" ];
  relay = [ "EXAMPLE.edu.", "cs.example.edu", "partner.example" ]; };
legacy_exceptions = (
  { sender = "old@example.edu"; expires = "2001-01-01"; networks = [ "198.51.100.0/24" ]; },
  { sender = "soon@example.edu"; expires = "$soon"; networks = [ "198.51.100.0/24" ]; },
  { sender = "later@example.edu"; expires = "$later"; networks = [ "198.51.100.0/24" ]; }
);
directory = { file = "$top_srcdir/tests/golden/directory.conf"; };
CONF
touch -d '-30 days' "$T/warn.conf"
"$R" -n -c "$T/warn.conf" >"$T/warn.out" 2>"$T/warn.err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "-n with warnings: exit $rc, want 0"
grep -qx "configuration OK" "$T/warn.out" && pass || fail "-n with warnings is not OK"
for want in ":1: warning: mode = \"monitor\" is on, and this file has not changed for 30 days" \
    ":3: warning: \"EXAMPLE.edu.\" is in both domains.local and domains.relay" \
    ":3: warning: \"cs.example.edu\" in domains.relay is already covered by domains.local" \
    ":5: warning: legacy exception for \"old@example.edu\" expired on 2001-01-01" \
    ":6: warning: legacy exception for \"soon@example.edu\" expires on $soon (in 5 days)"; do
	grep -qF -- "$T/warn.conf$want" "$T/warn.err" && pass || fail "-n did not warn: $want"
done
n=$(grep -c "^$T/warn.conf:[0-9]*: warning: " "$T/warn.err")
[ "$n" -eq 5 ] && pass || fail "-n should print 5 warnings, got $n: $(cat "$T/warn.err")"
grep -q "later@example.edu\|partner.example" "$T/warn.err" && fail "-n warned about a healthy entry"
# -p warns the same way, on stderr only.
"$R" -n -p -c "$T/warn.conf" >"$T/warnp.out" 2>"$T/warnp.err"
cmp -s "$T/warn.err" "$T/warnp.err" && pass || fail "-n -p warns differently from -n"
grep -q warning "$T/warnp.out" && fail "-n -p put a warning into the policy" || pass

# --- -q against the file directory --------------------------------------------
G="$top_srcdir/tests/golden/policy.conf"
# q WANT_RC WANT_LINE ARG
q() {
	out=$("$R" -q "$3" -c "$G" 2>"$T/q.err")
	rc=$?
	[ "$rc" -eq "$1" ] && [ "$out" = "$2" ] && pass ||
		fail "-q $3: exit $rc \"$out\", want $1 \"$2\" $(cat "$T/q.err")"
}
D="$top_srcdir/tests/golden/directory.conf"
q 0 "found kind=mailbox target=alice@example.edu source=$D" alice@example.edu
q 0 "found kind=mailbox target=alice@example.edu source=$D" '<alice@EXAMPLE.edu.>'
q 0 "found kind=forward target=dave.home@isp.example source=$D" dave@example.edu
q 0 "found kind=list target=staff@example.edu source=$D" staff@example.edu
q 1 "not found" nobody@example.edu
q 1 "not found" alice@example.org
q 65 "error: not a plain local@domain address: user%victim.example@example.edu" user%victim.example@example.edu
q 65 "error: not a plain local@domain address: joe" joe
# Latin-1, not UTF-8: the daemon never looks such a domain up, nor does -q.
q 65 "error: the domain is not a valid internationalized domain name (IDNA2008)" "hans@b$(printf '\374')cher.example"
q 0 "found login=carol address=carol@physics.example.edu source=$D
found login=carol address=carol@example.edu source=$D" login=carol
q 1 "not found" login=mallory
q 65 "error: login= needs a login without CR or LF" login=
q 65 "error: login= needs a login without CR or LF" "login=$(printf 'a\rb')"
"$R" -q alice@example.edu -n -c "$G" >/dev/null 2>&1
[ $? -eq 64 ] && pass || fail "-q with -n is not a usage error"
finish
