/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_netset.c - CIDR membership (netset) and domain matching (domset).
 *
 * Membership tables are one row per probe.  The 10,000-entry tests check
 * correctness at scale (every member in, every neighbour out), not speed;
 * bench/ measures speed.
 */
#include "unit.h"
#include "policy/netset.h"
#include "policy/domset.h"

struct probe {
	const char *ip;
	bool in;
};

static struct rg_netset *
netset_of(const char *const nets[])
{
	struct rg_netset *s = rg_netset_new();
	char err[256];

	for (size_t i = 0; nets[i] != NULL; i++) {
		bool ok = rg_netset_add(s, nets[i], err, sizeof(err));

		UT_INT(nets[i], "rg_netset_add", ok, true);
	}
	return s;
}

static void
probe_all(const char *set, const struct rg_netset *s, const struct probe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[128];

		snprintf(name, sizeof(name), "%s contains %s", set, p[i].ip);
		UT_INT(name, "contains", rg_netset_contains(s, p[i].ip), p[i].in);
	}
}

static void
test_netset_membership(void)
{
	static const char *const nets[] = {
		"192.0.2.0/24", "198.51.100.7", "10.0.0.0/8", "203.0.113.5/32",
		"2001:db8::/32", "::1/128", "2001:db8:ffff::7", NULL
	};
	static const struct probe p[] = {
		{ "192.0.2.0", true }, { "192.0.2.255", true }, { "192.0.2.77", true },
		{ "192.0.1.255", false }, { "192.0.3.0", false },
		{ "198.51.100.7", true }, { "198.51.100.6", false }, { "198.51.100.8", false },
		{ "10.0.0.0", true }, { "10.255.255.255", true }, { "11.0.0.0", false },
		{ "9.255.255.255", false },
		{ "203.0.113.5", true }, { "203.0.113.4", false }, { "203.0.113.6", false },
		{ "2001:db8::1", true }, { "2001:DB8:FFFF:FFFF::1", true },
		{ "2001:0db8:0000::0001", true }, { "2001:db9::", false },
		{ "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "::1", true }, { "::2", false }, { "::", false },
		/* IPv4-mapped clients match the IPv4 networks */
		{ "::ffff:192.0.2.5", true }, { "::FFFF:192.0.2.5", true },
		{ "::ffff:c000:205", true }, { "::ffff:192.0.3.5", false },
		{ "::ffff:10.1.2.3", true }, { "::ffff:11.1.2.3", false },
		/* IPv4-compatible (not mapped) is a different IPv6 address */
		{ "::192.0.2.5", false },
		/* forms the MTA may hand us */
		{ "[192.0.2.5]", true }, { "IPv6:2001:db8::5", true }, { "[2001:db8::5]", true },
		/* not addresses */
		{ "", false }, { "unknown", false }, { "192.0.2", false },
		{ "192.0.2.0/24", false }, { "192.0.2.256", false }, { "2001:db8::1::2", false },
		{ " 192.0.2.5", false },
	};
	struct rg_netset *s = netset_of(nets);

	UT_INT("membership", "count", rg_netset_count(s), 7);
	probe_all("set", s, p, UT_NROWS(p));
	rg_netset_destroy(&s);
	CU_ASSERT_PTR_NULL(s);
	rg_netset_destroy(&s);		/* destroying NULL is harmless */
}

static void
test_netset_edges(void)
{
	static const char *const all4[] = { "0.0.0.0/0", NULL };
	static const struct probe p4[] = {
		{ "0.0.0.0", true }, { "255.255.255.255", true }, { "192.0.2.1", true },
		{ "::ffff:203.0.113.1", true }, { "2001:db8::1", false }, { "::1", false },
	};
	static const char *const all6[] = { "::/0", NULL };
	static const struct probe p6[] = {
		{ "::", true }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db8::1", true }, { "192.0.2.1", false },
	};
	static const char *const hosts[] = { "192.0.2.1/32", "2001:db8::1/128", NULL };
	static const struct probe ph[] = {
		{ "192.0.2.1", true }, { "192.0.2.0", false }, { "192.0.2.2", false },
		{ "2001:db8::1", true }, { "2001:db8::", false }, { "2001:db8::2", false },
		{ "::ffff:192.0.2.1", true },
	};
	static const char *const odd[] = { "192.0.2.128/25", "2001:db8::/33", "10.0.0.0/7", NULL };
	static const struct probe po[] = {
		{ "192.0.2.127", false }, { "192.0.2.128", true }, { "192.0.2.255", true },
		{ "2001:db8:7fff::1", true }, { "2001:db8:8000::", false },
		{ "10.0.0.1", true }, { "11.255.255.255", true }, { "12.0.0.0", false },
		{ "9.255.255.255", false },
	};
	/* mapped notation in the config is an IPv4 network: /120 is a /24 */
	static const char *const mapped[] = {
		"::ffff:192.0.2.0/120", "::ffff:100.64.0.0/106", "::ffff:203.0.113.5", NULL
	};
	static const struct probe pm[] = {
		{ "192.0.2.9", true }, { "::ffff:192.0.2.9", true }, { "192.0.3.9", false },
		{ "100.64.0.1", true }, { "100.127.255.255", true }, { "100.128.0.0", false },
		{ "100.63.255.255", false }, { "::ffff:100.64.9.9", true },
		{ "203.0.113.5", true }, { "203.0.113.6", false },
	};
	struct rg_netset *s;

	s = netset_of(all4);
	probe_all("0.0.0.0/0", s, p4, UT_NROWS(p4));
	rg_netset_destroy(&s);
	s = netset_of(all6);
	probe_all("::/0", s, p6, UT_NROWS(p6));
	rg_netset_destroy(&s);
	s = netset_of(hosts);
	probe_all("/32 /128", s, ph, UT_NROWS(ph));
	rg_netset_destroy(&s);
	s = netset_of(odd);
	probe_all("/25 /33 /7", s, po, UT_NROWS(po));
	rg_netset_destroy(&s);
	s = netset_of(mapped);
	probe_all("mapped config", s, pm, UT_NROWS(pm));
	rg_netset_destroy(&s);

	/* An empty set contains nothing. */
	s = rg_netset_new();
	UT_INT("empty", "contains", rg_netset_contains(s, "192.0.2.1"), false);
	UT_INT("empty", "count", rg_netset_count(s), 0);
	rg_netset_destroy(&s);
}

static void
test_netset_add_errors(void)
{
	static const struct { const char *cidr; bool ok; } rows[] = {
		{ "192.0.2.0/24", true }, { "192.0.2.0", true }, { "2001:db8::/32", true },
		{ "::ffff:192.0.2.0/120", true }, { "::ffff:192.0.2.0/96", false /* host bits */ },
		{ "::ffff:0.0.0.0/96", true }, { "0.0.0.0/0", true }, { "::/0", true },
		/* host bits set below the prefix */
		{ "192.0.2.1/24", false }, { "192.0.2.128/24", false }, { "10.0.0.1/8", false },
		{ "2001:db8::1/32", false }, { "2001:db8:8000::/32", false },
		{ "::ffff:192.0.2.1/120", false }, { "1.0.0.0/0", false },
		/* bad prefix */
		{ "192.0.2.0/33", false }, { "2001:db8::/129", false }, { "192.0.2.0/-1", false },
		{ "192.0.2.0/", false }, { "192.0.2.0/24x", false }, { "192.0.2.0/x", false },
		{ "192.0.2.0/24/8", false }, { "::ffff:192.0.2.0/95", false },
		{ "::ffff:192.0.2.0/129", false },
		/* garbage */
		{ "", false }, { "/24", false }, { "example.edu", false }, { "192.0.2", false },
		{ "300.0.2.0/24", false }, { "192.0.2.0.0/24", false }, { "2001:db8:::/32", false },
		{ "192.0.2.0 /24", false },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_netset *s = rg_netset_new();
		char err[256] = "";
		bool ok = rg_netset_add(s, rows[i].cidr, err, sizeof(err));

		UT_INT(rows[i].cidr, "rg_netset_add", ok, rows[i].ok);
		UT_INT(rows[i].cidr, "count", rg_netset_count(s), rows[i].ok ? 1 : 0);
		if (!rows[i].ok)
			UT_HAS(rows[i].cidr, "error names the input", err, rows[i].cidr);
		rg_netset_destroy(&s);
	}
}

static void
test_netset_duplicates(void)
{
	static const char *const nets[] = {
		"192.0.2.0/24", "192.0.2.0/24", "::ffff:192.0.2.0/120", NULL
	};
	struct rg_netset *s = netset_of(nets);

	UT_INT("duplicates", "count", rg_netset_count(s), 1);
	UT_INT("duplicates", "contains", rg_netset_contains(s, "192.0.2.200"), true);
	rg_netset_destroy(&s);
}

/*
 * 10,000 IPv4 and 10,000 IPv6 networks of mixed lengths: odd i is a /24
 * (10.a.b.0/24), even i only its lower half (/25); the IPv6 twin is a /48
 * or a /49.  Every member's inside is in, its other half obeys the length,
 * and the addresses just past the set are out.
 */
static void
test_netset_10000(void)
{
	struct rg_netset *s = rg_netset_new();
	char cidr[64], ip[64], err[256];
	int bad_add = 0, bad_in = 0, bad_half = 0;

	for (int i = 0; i < 10000; i++) {
		snprintf(cidr, sizeof(cidr), "10.%d.%d.0/%d", i / 256, i % 256, i % 2 ? 24 : 25);
		bad_add += !rg_netset_add(s, cidr, err, sizeof(err));
		snprintf(cidr, sizeof(cidr), "2001:db8:%x::/%d", i, i % 2 ? 48 : 49);
		bad_add += !rg_netset_add(s, cidr, err, sizeof(err));
	}
	UT_INT("10000", "add failures", bad_add, 0);
	UT_INT("10000", "count", rg_netset_count(s), 20000);
	for (int i = 0; i < 10000; i++) {
		snprintf(ip, sizeof(ip), "10.%d.%d.77", i / 256, i % 256);
		bad_in += !rg_netset_contains(s, ip);
		snprintf(ip, sizeof(ip), "::ffff:10.%d.%d.1", i / 256, i % 256);
		bad_in += !rg_netset_contains(s, ip);
		snprintf(ip, sizeof(ip), "2001:db8:%x:7fff::1", i);
		bad_in += !rg_netset_contains(s, ip);
		snprintf(ip, sizeof(ip), "10.%d.%d.200", i / 256, i % 256);
		bad_half += rg_netset_contains(s, ip) != (i % 2 == 1);
		snprintf(ip, sizeof(ip), "2001:db8:%x:8000::1", i);
		bad_half += rg_netset_contains(s, ip) != (i % 2 == 1);
	}
	UT_INT("10000", "members not found", bad_in, 0);
	UT_INT("10000", "wrong answers for the upper halves", bad_half, 0);
	UT_INT("10000", "10.39.16.1 (next /24)", rg_netset_contains(s, "10.39.16.1"), false);
	UT_INT("10000", "11.0.0.1", rg_netset_contains(s, "11.0.0.1"), false);
	UT_INT("10000", "2001:db8:2710::1", rg_netset_contains(s, "2001:db8:2710::1"), false);
	UT_INT("10000", "2001:db9::1", rg_netset_contains(s, "2001:db9::1"), false);
	rg_netset_destroy(&s);
}

struct dprobe {
	const char *domain;
	bool in;
};

static struct rg_domset *
domset_of(const char *const pats[])
{
	struct rg_domset *s = rg_domset_new();
	char err[256];

	for (size_t i = 0; pats[i] != NULL; i++)
		UT_INT(pats[i], "rg_domset_add", rg_domset_add(s, pats[i], err, sizeof(err)), true);
	return s;
}

static void
dprobe_all(const char *set, const struct rg_domset *s, const struct dprobe *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char name[160];

		snprintf(name, sizeof(name), "%s contains %s", set, p[i].domain);
		UT_INT(name, "contains", rg_domset_contains(s, p[i].domain), p[i].in);
	}
}

static void
test_domset_matching(void)
{
	static const char *const pats[] = {
		"example.edu", ".example.edu", "Partner.Example.", ".Sub.Example",
		"[192.0.2.1]", "[IPv6:2001:db8::1]", "198.51.100.1", NULL
	};
	static const struct dprobe p[] = {
		/* exact plus dotted: the domain and every subdomain */
		{ "example.edu", true }, { "EXAMPLE.EDU", true }, { "Example.Edu.", true },
		{ "physics.example.edu", true }, { "a.b.c.example.edu", true },
		{ "PHYSICS.Example.EDU.", true },
		{ "notexample.edu", false }, { "example.edu.evil", false }, { "edu", false },
		{ "xexample.edu", false }, { "example.ed", false }, { "example.edux", false },
		/* exact only */
		{ "partner.example", true }, { "PARTNER.EXAMPLE.", true },
		{ "mx.partner.example", false }, { "example", false },
		/* dotted only: the parent itself does not match */
		{ "sub.example", false }, { "a.sub.example", true }, { "A.SUB.EXAMPLE.", true },
		{ "asub.example", false },
		/* IP literals match only literally */
		{ "[192.0.2.1]", true }, { "[192.0.2.2]", false }, { "192.0.2.1", false },
		{ "[ipv6:2001:db8::1]", true }, { "[IPv6:2001:DB8::1]", true },
		{ "[ipv6:2001:db8::2]", false }, { "[198.51.100.1]", false },
		/* odd queries */
		{ "", false }, { ".", false },
	};
	struct rg_domset *s = domset_of(pats);

	UT_INT("domset", "count", rg_domset_count(s), 7);
	dprobe_all("domset", s, p, UT_NROWS(p));
	rg_domset_destroy(&s);
	CU_ASSERT_PTR_NULL(s);

	s = rg_domset_new();
	UT_INT("empty domset", "contains", rg_domset_contains(s, "example.edu"), false);
	rg_domset_destroy(&s);
}

static void
test_domset_add_errors(void)
{
	static const struct { const char *pat; bool ok; const char *hint; } rows[] = {
		{ "example.edu", true, NULL }, { ".example.edu", true, NULL },
		{ "example.edu.", true, NULL }, { "[192.0.2.1]", true, NULL },
		{ "", false, NULL }, { ".", false, NULL }, { "..", false, NULL },
		{ "*.example.edu", false, "\".example.edu\"" },
		{ "exa mple.edu", false, NULL }, { "a..b", false, NULL },
		{ "user@example.edu", false, NULL }, { "a%b.example", false, NULL },
		{ "a!b.example", false, NULL }, { "example.edu\n", false, NULL },
		{ "exam\tple.edu", false, NULL }, { "example.edu\x7f", false, NULL },
	};
	char *longname = malloc(300);

	CU_ASSERT_FATAL(longname != NULL);
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_domset *s = rg_domset_new();
		char err[256] = "";
		bool ok = rg_domset_add(s, rows[i].pat, err, sizeof(err));

		UT_INT(rows[i].pat, "rg_domset_add", ok, rows[i].ok);
		UT_INT(rows[i].pat, "count", rg_domset_count(s), rows[i].ok ? 1 : 0);
		if (!rows[i].ok)
			UT_HAS(rows[i].pat, "error", err, "is not a domain");
		if (rows[i].hint != NULL)
			UT_HAS(rows[i].pat, "hint", err, rows[i].hint);
		rg_domset_destroy(&s);
	}
	for (size_t n = 255; n <= 256; n++) {
		struct rg_domset *s = rg_domset_new();
		char err[256] = "";

		memset(longname, 'a', n);
		longname[n] = '\0';
		UT_INT(n == 255 ? "255-byte domain" : "256-byte domain", "rg_domset_add",
		    rg_domset_add(s, longname, err, sizeof(err)), n == 255);
		rg_domset_destroy(&s);
	}
	free(longname);
}

/* 10,000 exact domains and 10,000 subdomain patterns, all answered right. */
static void
test_domset_10000(void)
{
	struct rg_domset *s = rg_domset_new();
	char d[128], err[256];
	int bad_add = 0, bad_exact = 0, bad_sub = 0, false_hits = 0;

	for (int i = 0; i < 10000; i++) {
		snprintf(d, sizeof(d), "Host%05d.Example.COM", i);
		bad_add += !rg_domset_add(s, d, err, sizeof(err));
		snprintf(d, sizeof(d), ".zone%05d.example.org", i);
		bad_add += !rg_domset_add(s, d, err, sizeof(err));
	}
	UT_INT("10000 domains", "add failures", bad_add, 0);
	UT_INT("10000 domains", "count", rg_domset_count(s), 20000);
	for (int i = 0; i < 10000; i++) {
		snprintf(d, sizeof(d), "host%05d.example.com", i);
		bad_exact += !rg_domset_contains(s, d);
		snprintf(d, sizeof(d), "mx.host%05d.example.com", i);
		false_hits += rg_domset_contains(s, d);
		snprintf(d, sizeof(d), "a.b.zone%05d.example.org.", i);
		bad_sub += !rg_domset_contains(s, d);
		snprintf(d, sizeof(d), "zone%05d.example.org", i);
		false_hits += rg_domset_contains(s, d);
	}
	UT_INT("10000 domains", "exact misses", bad_exact, 0);
	UT_INT("10000 domains", "subdomain misses", bad_sub, 0);
	UT_INT("10000 domains", "false matches", false_hits, 0);
	UT_INT("10000 domains", "host10000", rg_domset_contains(s, "host10000.example.com"), false);
	UT_INT("10000 domains", "example.org", rg_domset_contains(s, "example.org"), false);
	UT_INT("10000 domains", "x.zone10000", rg_domset_contains(s, "x.zone10000.example.org"),
	    false);
	rg_domset_destroy(&s);
}

/* A U-label and its A-label are one domain; a name that is no IDN matches nothing. */
static void
test_domset_idn(void)
{
	static const char *const pats[] = { "bücher.example", ".münchen.example", "example.edu",
	    "xn--caf-dma.example", NULL };
	static const struct { const char *dom; bool in; } rows[] = {
		{ "bücher.example", true },
		{ "xn--bcher-kva.example", true },
		{ "XN--BCHER-KVA.example", true },
		{ "BÜCHER.example", true },		/* UTS #46 maps case for clients */
		{ "bu\xcc\x88" "cher.example", true },	/* NFD: u + combining diaeresis */
		{ "bücher.example.", true },
		{ "a.münchen.example", true },
		{ "a.xn--mnchen-3ya.example", true },
		{ "münchen.example", false },		/* ".x" never matches x itself */
		{ "café.example", true },		/* listed as an A-label */
		{ "b\xfc" "cher.example", false },	/* Latin-1, not UTF-8 */
		{ "bucher.example", false },
		{ "b\xc3\xbc\xc3" "cher.example", false },	/* truncated UTF-8 */
		{ "xn--zzzzz.example", false },
		{ "b\xe2\x80\x8b" "ücher.example", false },	/* U+200B: UTS #46 would drop it */
		{ "ｂücher.example", false },		/* full-width b: UTS #46 would fold it */
		{ "bücher.example\xc0\x80", false },	/* overlong NUL: must not cut the name */
		{ "example.edu\xc0\x80", false },
		{ "bücher.example\xed\xa0\x80", false },	/* a surrogate */
		{ "bücher.example\xf4\x90\x80\x80", false },	/* past U+10FFFF */
	};
	struct rg_domset *s = domset_of(pats);

	for (size_t i = 0; i < UT_NROWS(rows); i++)
		UT_INT(rows[i].dom, "idn match", rg_domset_contains(s, rows[i].dom), rows[i].in);
	rg_domset_destroy(&s);
}

/* Names the postmaster writes are strict IDNA2008: no silent mapping. */
static void
test_domset_idn_errors(void)
{
	static const char *const bad[] = { "BÜCHER.example", "a\xe2\x80\x8b" "b.example",
	    "b\xfc" "cher.example", ".ｂücher.example", NULL };
	char err[256];

	for (size_t i = 0; bad[i] != NULL; i++) {
		struct rg_domset *s = rg_domset_new();

		err[0] = '\0';
		UT_INT(bad[i], "refused", rg_domset_add(s, bad[i], err, sizeof(err)), false);
		UT_HAS(bad[i], "reason", err, "internationalized");
		rg_domset_destroy(&s);
	}
}

void
add_netset_suite(void)
{
	CU_pSuite s = ut_suite("netset+domset");

	ut_test(s, "CIDR membership v4/v6/mapped", test_netset_membership);
	ut_test(s, "/0, /32, /128, odd lengths, mapped config", test_netset_edges);
	ut_test(s, "rg_netset_add rejects bad networks", test_netset_add_errors);
	ut_test(s, "duplicate networks", test_netset_duplicates);
	ut_test(s, "10,000 networks", test_netset_10000);
	ut_test(s, "domain matching", test_domset_matching);
	ut_test(s, "rg_domset_add rejects bad domains", test_domset_add_errors);
	ut_test(s, "10,000 domains", test_domset_10000);
	ut_test(s, "IDN: U-labels and A-labels", test_domset_idn);
	ut_test(s, "IDN: strict names in the config", test_domset_idn_errors);
}
