/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_addr.c - the envelope address parser against every routing trick.
 *
 * One row per input: the status wanted and, for accepted input, every
 * field the policy reads.  Flags: N null, Q quoted, S source route,
 * R routed, L IP literal.
 */
#include "unit.h"
#include "policy/addr.h"

#define N	0x01
#define Q	0x02
#define S	0x04
#define R	0x08
#define L	0x10

struct addr_row {
	const char *in;
	enum rg_addr_status st;
	unsigned flags;
	const char *local, *domain, *norm;
};

static const struct addr_row rows[] = {
	/* plain forms */
	{ "<user@example.edu>", RG_ADDR_OK, 0, "user", "example.edu", "user@example.edu" },
	{ "user@example.edu", RG_ADDR_OK, 0, "user", "example.edu", "user@example.edu" },
	{ "  <user@example.edu>  ", RG_ADDR_OK, 0, "user", "example.edu", "user@example.edu" },
	{ "<User.Name@EXAMPLE.Edu>", RG_ADDR_OK, 0, "User.Name", "example.edu", "User.Name@example.edu" },
	{ "<user@example.edu.>", RG_ADDR_OK, 0, "user", "example.edu", "user@example.edu" },
	{ "<user@Physics.Example.EDU.>", RG_ADDR_OK, 0, "user", "physics.example.edu", "user@physics.example.edu" },
	{ "<user+tag@example.edu>", RG_ADDR_OK, 0, "user+tag", "example.edu", "user+tag@example.edu" },
	/* null sender */
	{ "<>", RG_ADDR_OK, N, "", "", "" },
	{ " <> ", RG_ADDR_OK, N, "", "", "" },
	/* percent hack, bang path, several '@' */
	{ "<user%victim.example@example.edu>", RG_ADDR_OK, R, "user%victim.example", "example.edu", "user%victim.example@example.edu" },
	{ "<USER%Victim.Example@Example.EDU>", RG_ADDR_OK, R, "USER%Victim.Example", "example.edu", "USER%Victim.Example@example.edu" },
	{ "<victim.example!user@example.edu>", RG_ADDR_OK, R, "victim.example!user", "example.edu", "victim.example!user@example.edu" },
	{ "<victim.example!user>", RG_ADDR_OK, R, "victim.example!user", "", "victim.example!user" },
	{ "<user%victim.example>", RG_ADDR_OK, R, "user%victim.example", "", "user%victim.example" },
	{ "<user@victim.example@example.edu>", RG_ADDR_OK, R, "user@victim.example", "example.edu", "user@victim.example@example.edu" },
	{ "<us\\@er@example.edu>", RG_ADDR_OK, R, "us@er", "example.edu", "us@er@example.edu" },
	/* quoted local parts */
	{ "<\"user@victim.example\"@example.edu>", RG_ADDR_OK, Q | R, "user@victim.example", "example.edu", "user@victim.example@example.edu" },
	{ "<\"a\\\"b@victim.example\"@example.edu>", RG_ADDR_OK, Q | R, "a\"b@victim.example", "example.edu", "a\"b@victim.example@example.edu" },
	{ "<\"a\\\"@b\"@example.edu>", RG_ADDR_OK, Q | R, "a\"@b", "example.edu", "a\"@b@example.edu" },
	{ "<\"user%victim.example\"@example.edu>", RG_ADDR_OK, Q | R, "user%victim.example", "example.edu", "user%victim.example@example.edu" },
	{ "<\"john smith\"@example.edu>", RG_ADDR_OK, Q, "john smith", "example.edu", "john smith@example.edu" },
	{ "<\"postmaster\">", RG_ADDR_OK, Q, "postmaster", "", "postmaster" },
	/* source routes are dropped; the mailbox after ':' is what counts */
	{ "<@a.example,@b.example:user@example.edu>", RG_ADDR_OK, S, "user", "example.edu", "user@example.edu" },
	{ "<@example.edu:user@victim.example>", RG_ADDR_OK, S, "user", "victim.example", "user@victim.example" },
	{ "<@example.edu:user%victim.example@example.edu>", RG_ADDR_OK, S | R, "user%victim.example", "example.edu", "user%victim.example@example.edu" },
	{ "<@a.example,@b.example>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@a.example:>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	/* a hop must be a domain or a literal (fuzz_addr, tests/fuzz/README) */
	{ "<@@:.x@oo.example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@victim%example.edu:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@victim!x:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@a.example,@:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@a.example,user:x@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@\"a\":user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@[IPv6:20 ::1]:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	/* Postfix ends a route at its first ':': an IPv6 hop would hide "::1]:user"@x (differential test). */
	{ "<@[IPv6:2001:db8::1]:user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<@[192.0.2.1]:user@example.edu>", RG_ADDR_OK, S, "user", "example.edu", "user@example.edu" },
	{ "<@[192.0.2.1],@b.example:user@example.edu>", RG_ADDR_OK, S, "user", "example.edu", "user@example.edu" },
	/* IP literals */
	{ "<user@[192.0.2.1]>", RG_ADDR_OK, L, "user", "[192.0.2.1]", "user@[192.0.2.1]" },
	{ "<user@[IPv6:2001:DB8::1]>", RG_ADDR_OK, L, "user", "[ipv6:2001:db8::1]", "user@[ipv6:2001:db8::1]" },
	{ "<user@[192.0.2.1>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@[]>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@[192.0.2.1]]>", RG_ADDR_SYNTAX, 0, "", "", "" },
	/* domainless */
	{ "<postmaster>", RG_ADDR_OK, 0, "postmaster", "", "postmaster" },
	{ "<PostMaster>", RG_ADDR_OK, 0, "PostMaster", "", "PostMaster" },
	{ "alice", RG_ADDR_OK, 0, "alice", "", "alice" },
	/* empty or malformed parts */
	{ "<@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<\"\"@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@.>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@example.edu..>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@.example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@exa..mple.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@exa mple.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<user@example.edu;x>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<\"a\"b@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	/* unbalanced brackets and quotes */
	{ "<user@example.edu", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ ">", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<<user@example.edu>>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<\"user@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	{ "<\"user\\\"@example.edu>", RG_ADDR_SYNTAX, 0, "", "", "" },
	/* control characters anywhere */
	{ "<user@example.edu>\r\nRCPT TO:<x@victim.example>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<us\rer@example.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<user@exam\nple.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<user\t@example.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<user@example.edu\x7f>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<\"a\x01b\"@example.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "<\"a\\\rb\"@example.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
	{ "\x1b[2J<user@example.edu>", RG_ADDR_BADCHAR, 0, "", "", "" },
};

static void
check_row(const char *name, const char *in, enum rg_addr_status want_st, unsigned flags,
    const char *local, const char *domain, const char *norm)
{
	struct rg_addr a;
	enum rg_addr_status st;

	memset(&a, 0x5a, sizeof(a));	/* junk: the parser must set everything */
	st = rg_addr_parse(in, &a);
	UT_STR(name, "status", rg_addr_status_name(st), rg_addr_status_name(want_st));
	UT_INT(name, "null", a.null, (flags & N) != 0);
	UT_INT(name, "quoted", a.quoted, (flags & Q) != 0);
	UT_INT(name, "source_route", a.source_route, (flags & S) != 0);
	UT_INT(name, "routed", a.routed, (flags & R) != 0);
	UT_INT(name, "ip_literal", a.ip_literal, (flags & L) != 0);
	UT_STR(name, "local", a.local, local);
	UT_STR(name, "domain", a.domain, domain);
	UT_STR(name, "norm", a.norm, norm);
}

static void
test_addr_table(void)
{
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		char name[160];

		snprintf(name, sizeof(name), "addr row %zu %.120s", i, rows[i].in);
		check_row(name, rows[i].in, rows[i].st, rows[i].flags, rows[i].local,
		    rows[i].domain, rows[i].norm);
	}
}

/* A string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	CU_ASSERT_FATAL(s != NULL);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Local parts and domains up to 255 bytes fit; one more is TOOLONG, never cut. */
static void
test_addr_lengths(void)
{
	static const struct { const char *name; size_t local, domain; bool quote;
	    enum rg_addr_status st; } len[] = {
		{ "local 255", 255, 11, false, RG_ADDR_OK },
		{ "local 256", 256, 11, false, RG_ADDR_TOOLONG },
		{ "local 4000", 4000, 11, false, RG_ADDR_TOOLONG },
		{ "quoted local 255", 255, 11, true, RG_ADDR_OK },
		{ "quoted local 256", 256, 11, true, RG_ADDR_TOOLONG },
		{ "domain 255", 4, 255, false, RG_ADDR_OK },
		{ "domain 256", 4, 256, false, RG_ADDR_TOOLONG },
		{ "domain 4000", 4, 4000, false, RG_ADDR_TOOLONG },
		{ "both 255", 255, 255, false, RG_ADDR_OK },
	};

	for (size_t i = 0; i < UT_NROWS(len); i++) {
		char *lp = repeat('u', len[i].local), *dp = repeat('d', len[i].domain);
		size_t n = len[i].local + len[i].domain + 8;
		char *in = malloc(n), *norm = malloc(n);
		struct rg_addr a;
		enum rg_addr_status st;

		CU_ASSERT_FATAL(in != NULL && norm != NULL);
		snprintf(in, n, len[i].quote ? "<\"%s\"@%s>" : "<%s@%s>", lp, dp);
		snprintf(norm, n, "%s@%s", lp, dp);
		st = rg_addr_parse(in, &a);
		UT_STR(len[i].name, "status", rg_addr_status_name(st),
		    rg_addr_status_name(len[i].st));
		if (len[i].st == RG_ADDR_OK) {
			UT_STR(len[i].name, "local", a.local, lp);
			UT_STR(len[i].name, "domain", a.domain, dp);
			UT_STR(len[i].name, "norm", a.norm, norm);
		} else {
			UT_STR(len[i].name, "norm after failure", a.norm, "");
		}
		free(lp);
		free(dp);
		free(in);
		free(norm);
	}
}

/* What Sendmail may read as an address list (issue: the Sendmail relay). */
static void
test_addr_listlike(void)
{
	static const struct { const char *in; bool list; } lrows[] = {
		{ "<alice@example.edu>", false },
		{ "<>", false },
		{ "<,Name <u5@victim.example>>", true },
		{ "<, Name <u@victim.example>>", true },
		{ "<,\"Name\" <u@victim.example>>", true },
		{ "<,,Name <u@victim.example>>", true },
		{ "<,<u@victim.example>>", true },
		{ "<,(c) Name <u@victim.example>>", true },
		{ "<:;,Name <u@victim.example>>", true },
		{ "<x,y,Name <u@victim.example>>", true },
		{ "<Na,me <u@victim.example>>", true },
		{ "<alice@example.edu, Name <u@victim.example>>", true },
		{ "<,u@victim.example>", true },
		{ "<u@victim.example,>", true },
		{ "<Name <u@victim.example>>", true },
		{ "<\"x\" <u@victim.example>>", true },
		{ "<;Name <u@victim.example>>", true },
		{ "<group: Name <u@victim.example>;>", true },
		{ "Name <u@victim.example>", false },	/* one '<': the MTA strips the phrase */
		{ "<@a.example,@b.example:u@victim.example>", true },
		{ "<@a.example:u@victim.example>", false },
		{ "<\"a,b;c<d\"@example.edu>", false },
		{ "<\"a\\\",b\"@example.edu>", false },	/* escaped quote stays inside */
		{ "<a\\,b@example.edu>", true },	/* escaped: still a separator to someone */
		{ "<\\\",b@example.edu>", true },	/* an escaped quote opens nothing */
		{ "<\"unbalanced,@example.edu>", false },	/* the parser refuses it */
		{ "<u@victim.example\\", false },
	};

	for (size_t i = 0; i < UT_NROWS(lrows); i++)
		UT_INT(lrows[i].in, "listlike", rg_addr_listlike(lrows[i].in), lrows[i].list);
}

/* Spellings that Sendmail may read as another address (a refusal of one drops both). */
static void
test_addr_plain(void)
{
	static const struct { const char *in; bool plain; } prows[] = {
		{ "<alice@example.edu>", true },
		{ " <alice@example.edu> ", true },
		{ "alice@example.edu", true },
		{ "<u%victim.example@example.edu>", true },	/* routed, but read alike */
		{ "<>", true },
		{ "<alice(c)@example.edu>", false },
		{ "<alice @example.edu>", false },
		{ "<alice\t@example.edu>", false },
		{ "<\"alice\"@example.edu>", false },
		{ "<al\\ice@example.edu>", false },
		{ "<Name <alice@example.edu>>", false },
		{ "<alice@example.edu (Alice)>", false },
	};

	for (size_t i = 0; i < UT_NROWS(prows); i++)
		UT_INT(prows[i].in, "plain", rg_addr_plain(prows[i].in), prows[i].plain);
}

/* The parsed domain is in A-label form; what cannot be converted stays as sent. */
static void
test_addr_idn(void)
{
	static const struct { const char *in; const char *domain; bool idn, invalid; } irows[] = {
		{ "<u@bücher.example>", "xn--bcher-kva.example", true, false },
		{ "<u@BÜCHER.Example.>", "xn--bcher-kva.example", true, false },
		{ "<u@xn--bcher-kva.example>", "xn--bcher-kva.example", false, false },
		{ "<u@b\xfc" "cher.example>", "b\xfc" "cher.example", false, true },
		{ "<u@[192.0.2.1]>", "[192.0.2.1]", false, false },
	};

	for (size_t i = 0; i < UT_NROWS(irows); i++) {
		struct rg_addr a;

		UT_STR(irows[i].in, "status", rg_addr_status_name(rg_addr_parse(irows[i].in, &a)), "ok");
		UT_STR(irows[i].in, "domain", a.domain, irows[i].domain);
		UT_INT(irows[i].in, "idn", a.idn, irows[i].idn);
		UT_INT(irows[i].in, "idn_invalid", a.idn_invalid, irows[i].invalid);
	}
}

static void
test_addr_status_names(void)
{
	UT_STR("names", "ok", rg_addr_status_name(RG_ADDR_OK), "ok");
	UT_STR("names", "syntax", rg_addr_status_name(RG_ADDR_SYNTAX), "syntax");
	UT_STR("names", "badchar", rg_addr_status_name(RG_ADDR_BADCHAR), "bad-character");
	UT_STR("names", "toolong", rg_addr_status_name(RG_ADDR_TOOLONG), "too-long");
}

void
add_addr_suite(void)
{
	CU_pSuite s = ut_suite("addr");

	ut_test(s, "address table: every trick", test_addr_table);
	ut_test(s, "over-long local part and domain", test_addr_lengths);
	ut_test(s, "list-like arguments", test_addr_listlike);
	ut_test(s, "plain spellings", test_addr_plain);
	ut_test(s, "internationalized domains", test_addr_idn);
	ut_test(s, "status names", test_addr_status_names);
}
