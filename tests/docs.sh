#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Fail when the manual pages drift from the code:
#  - every reason tag is in the reasons[] table of common/stats.c (-S);
#  - every key of a *keys[] array in conf/conf.c, conf/conf_dirfile.c,
#    conf/conf_ldap.c and conf/conf_budget.c is a bold term (or subsection) of policy.conf(5),
#    under its full dotted name, and every enum value they accept is there;
#  - every reason tag policy/policy.c (or policy/budget.c, session/session.c) hands to
#    refuse(), refuse_checked(), rg_policy_accept() or directory_error()
#    is named in relayguard(8);
#  - every -T key of milter/testmode.c and every getopt letter of
#    milter/main.c is documented in relayguard(8);
#  - groff renders both pages without a warning.
# RG_DOCS_DIR and RG_DOCS_SRC point the checks at other copies (used to
# prove that the test fails).
. "$top_srcdir/tests/lib.sh"

doc=${RG_DOCS_DIR:-$top_srcdir/doc}
src=${RG_DOCS_SRC:-$top_srcdir}

command -v perl >/dev/null || { fail "perl is needed to read the sources"; finish; }

perl - "$src" "$doc" >"$T/results" 2>&1 <<'PERL'
use strict;
use warnings;

my ($src, $doc) = @ARGV;
my $status = 0;

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or do { print "not cannot read $f: $!\n"; return ""; };
	local $/;
	return <$fh>;
}
sub ok  { print "ok $_[0]\n"; }
sub bad { print "not $_[0]\n"; }

# roff source to plain text for word searches: \- is '-', fonts vanish.
sub plain {
	my ($t) = @_;
	$t =~ s/\\f(\[[^\]]*\]|\(..|.)//g;
	$t =~ s/\\-/-/g;
	$t =~ s/\\\(dq/"/g;
	$t =~ s/\\&//g;
	return $t;
}
sub strip_comments {
	my ($c) = @_;
	$c =~ s{/\*.*?\*/}{ }gs;
	$c =~ s{//[^\n]*}{}g;
	return $c;
}

my $man8 = slurp("$doc/relayguard.8");
my $man5 = slurp("$doc/policy.conf.5");
my $text8 = plain($man8);

# --- configuration keys -------------------------------------------------
# Where each keys array lives in policy.conf: file, enclosing function
# ("" at file scope) and array name give the dotted prefix.  An array not
# listed here fails the test, so a new one cannot go unchecked.
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
	'conf.c::load_exceptions::keys'    => '',	# members of each legacy_exceptions group
	'conf.c::load_routing::keys'       => 'routing.',
	'conf.c::load_limits::keys'        => 'limits.',
	'conf.c::load_control::keys'       => 'control.',
	'conf.c::load_directory::keys'     => 'directory.',
	'conf_dirfile.c::rg_conf_dirfile::keys'  => '',	# directory.conf top level
	'conf_dirfile.c::load_groups::fwd_keys'   => '',
	'conf_dirfile.c::load_groups::list_keys'  => '',
	'conf_dirfile.c::load_groups::login_keys' => '',
	'conf_ldap.c::::ldap_keys'  => 'directory.ldap.',
	'conf_ldap.c::::cache_keys' => 'directory.cache.',
	'conf_budget.c::::budget_keys' => 'budgets.',
	'conf_budget.c::::redis_keys'  => 'budgets.redis.',
);
my ($nkeys, $nvalues) = (0, 0);
for my $file (qw(conf.c conf_dirfile.c conf_ldap.c conf_budget.c)) {
	my $code = strip_comments(slurp("$src/conf/$file"));
	my $fn = "";
	my @lines = split /\n/, $code;
	for (my $i = 0; $i < @lines; $i++) {
		# Function definitions start at column 0: "name(args".
		$fn = $1 if $lines[$i] =~ /^([A-Za-z_]\w*)\(/;
		$fn = "" if $lines[$i] =~ /^}/;
		next unless $lines[$i] =~ /static\s+const\s+char\s*\*\s*const\s+(\w+)\s*\[\]\s*=/;
		my $name = $1;
		my $body = $lines[$i];
		while ($body !~ /};/ && $i + 1 < @lines) { $body .= " " . $lines[++$i]; }
		my @vals = $body =~ /"([^"]*)"/g;
		if ($name =~ /keys$|^known$/) {
			my $where = "$file\::$fn\::$name";
			if (!exists $prefix{$where}) {
				bad("conf/$file: keys array $name in " . ($fn || "file scope") .
				    " has no policy.conf prefix in tests/docs.sh; add one");
				next;
			}
			for my $k (@vals) {
				my $q = quotemeta($prefix{$where} . $k);
				$nkeys++;
				if ($man5 =~ /^\.(?:B|BR|SS)\s+$q(?:\s|$)/m || $man5 =~ /\\fB$q\\f/) {
					ok("key $prefix{$where}$k");
				} else {
					bad("policy.conf.5 does not document key \"$prefix{$where}$k\" " .
					    "(from conf/$file, $name)");
				}
			}
		} else {
			# A list of accepted values (mode, backend, starttls, ...).
			for my $v (@vals) {
				$nvalues++;
				if ($man5 =~ /\\\(dq\Q$v\E\\\(dq/) {
					ok("value $v");
				} else {
					bad("policy.conf.5 does not show value \"$v\" (conf/$file, $name)");
				}
			}
		}
	}
}
# Guard against an extraction that silently finds nothing.
$nkeys >= 40 ? ok("found $nkeys keys") : bad("found only $nkeys config keys: is tests/docs.sh still parsing conf/*.c?");
$nvalues >= 10 ? ok("found $nvalues values") : bad("found only $nvalues enum values in conf/*.c");

# --- reason tags ----------------------------------------------------------
# session/ tags the CONNECT and HELO stages itself.
my $policy = strip_comments(slurp("$src/policy/policy.c") . "\n" .
    slurp("$src/policy/budget.c") . "\n" . slurp("$src/session/session.c"));
my %tags;
my $paren;
$paren = qr/\((?:[^()"]++|"(?:[^"\\]|\\.)*"|(??{$paren}))*\)/;
while ($policy =~ /\b(refuse|refuse_checked|rg_policy_accept|directory_error)\s*($paren)/g) {
	my $args = $2;
	$tags{$_} = 1 for grep { /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/ } $args =~ /"([^"]*)"/g;
	# A helper that computes the tag (kind_reason): take its return values.
	while ($args =~ /\b([a-z_]\w*)\s*\(/g) {
		my $helper = $1;
		next if $helper =~ /^(refuse|refuse_checked|rg_policy_accept|directory_error)$/;
		if ($policy =~ /^$helper\([^)]*\)\s*\{(.*?)^\}/ms) {
			my $body = $1;
			$tags{$_} = 1 for $body =~ /return\s+"([a-z][a-z0-9-]*)"/g;
		}
	}
}
my @tags = sort keys %tags;
@tags >= 15 ? ok("found " . scalar(@tags) . " tags") :
    bad("found only " . scalar(@tags) . " reason tags in policy/policy.c: is the extraction broken?");
# The counters' reason table (relayguard -S) must know every tag too:
# an unknown one would only be counted as "other".
my $stats = strip_comments(slurp("$src/common/stats.c"));
my ($rtable) = $stats =~ /\breasons\[\]\s*=\s*\{(.*?)\};/s;
my %counted = map { $_ => 1 } ($rtable // "") =~ /"([^"]*)"/g;
for my $t (@tags) {
	if ($counted{$t}) {
		ok("counted tag $t");
	} else {
		bad("common/stats.c's reasons[] lacks reason tag \"$t\": relayguard -S would count it as other");
	}
}
for my $t (@tags) {
	if ($text8 =~ /(?<![A-Za-z0-9-])\Q$t\E(?![A-Za-z0-9-])/) {
		ok("tag $t");
	} else {
		bad("relayguard.8 does not name reason tag \"$t\" (policy/policy.c or session/session.c)");
	}
}

# --- -T keys ----------------------------------------------------------------
my $tm = strip_comments(slurp("$src/milter/testmode.c"));
my %tkeys = map { $_ => 1 } $tm =~ /\bKEY\("(\w+)"\)/g;
$tkeys{$1} = 1 while $tm =~ /strncmp\([^,]+,\s*"(\w+)=",/g;
my @tkeys = sort keys %tkeys;
@tkeys >= 8 ? ok("found " . scalar(@tkeys) . " -T keys") :
    bad("found only " . scalar(@tkeys) . " -T keys in milter/testmode.c");
for my $k (@tkeys) {
	if ($text8 =~ /(?<![A-Za-z0-9_])\Q$k\E=/) {
		ok("-T key $k");
	} else {
		bad("relayguard.8 does not document -T key \"$k=\" (milter/testmode.c)");
	}
}

# --- options ------------------------------------------------------------------
my $main = strip_comments(slurp("$src/milter/main.c"));
my ($optstr) = $main =~ /\bgetopt\s*\([^,]+,[^,]+,\s*"([^"]+)"\s*\)/;
if (!defined $optstr) {
	bad("no getopt() option string in milter/main.c");
} else {
	(my $letters = $optstr) =~ s/[+:-]//g;
	# Each option must be a tagged paragraph (.TP) of OPTIONS.
	my ($opts) = $man8 =~ /^\.SH\s+OPTIONS\s*\n(.*?)^\.SH/ms;
	$opts //= "";
	my @tagged = $opts =~ /^\.TP\s*\n(.*)$/mg;
	for my $l (split //, $letters) {
		if (grep { /^\.BI?\s+\\-\Q$l\E(?:\s|$)/ } @tagged) {
			ok("option -$l");
		} else {
			bad("relayguard.8 OPTIONS does not describe -$l (getopt \"$optstr\" in milter/main.c)");
		}
	}
}
PERL
[ -s "$T/results" ] || fail "the perl checks printed nothing"
while read -r verdict what; do
	case $verdict in
	ok) pass ;;
	not) fail "$what" ;;
	*) fail "unexpected output: $verdict $what" ;;
	esac
done <"$T/results"

# --- rendering ----------------------------------------------------------------
if ! command -v groff >/dev/null; then
	fail "groff is not installed (Debian: groff-base); cannot check rendering"
else
	for page in relayguard.8 policy.conf.5 relayguard-postfix-setup.8; do
		out=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$doc/$page" 2>&1)
		if [ -z "$out" ]; then pass; else fail "groff warns about $page: $out"; fi
	done
	if command -v man >/dev/null; then
		for page in relayguard.8 policy.conf.5 relayguard-postfix-setup.8; do
			out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$doc/$page" 2>&1 >/dev/null)
			if [ -z "$out" ]; then pass; else fail "man -l warns about $page: $out"; fi
		done
	fi
fi
finish
