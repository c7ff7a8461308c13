/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * micro_match.c - how fast relayguard's CIDR and domain matchers answer,
 * and whether that changes with the size of the set.
 *
 * Builds rg_netset and rg_domset sets of 10 to 10,000 entries (and a
 * 100,000 row to show the trend), then times lookups over a fixed mix of
 * queries: for networks, addresses inside a listed network and addresses
 * outside, IPv4 and IPv6; for domains, exact hits, subdomain hits and
 * misses of three to five labels.  Every set uses the same mix of prefix
 * lengths, so the rows differ only in size.  Each row is the best of five
 * timed passes (the machine is shared), printed as key=value.
 *
 * The last row (matcher=rcpt_decision) times the engine's whole RCPT
 * decision, plan and decide, as session.c makes it, on a fixed mix
 * drawn from a printed seed: local mailboxes (which need the directory;
 * a canned answer stands in for it), local postmaster, relay domains,
 * offsite domains and routed local parts, from offsite, authenticated
 * and trusted clients.  There one "lookup" is one decision, so it fits
 * report.sh's matcher table; its asked/accept/reject/tempfail shares
 * must not change when only the engine's speed should.
 *
 * Usage: micro_match [-q]     -q: fewer lookups (a smoke run)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy/addr.h"
#include "policy/domset.h"
#include "policy/netset.h"
#include "policy/policy.h"

#define NQUERY 4096

/* The matcher rows draw from one sequence, in row order, from this seed. */
#define MATCH_SEED	0x9E3779B97F4A7C15ull

static uint64_t rng = MATCH_SEED;

static uint32_t
rnd(void)
{
	/* xorshift64*: reproducible across runs and machines. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Prefix lengths used in every set, cycled: what a campus list looks like. */
static const int v4_lens[] = { 16, 20, 22, 24, 24, 24, 26, 28, 29, 32, 32, 32 };
static const int v6_lens[] = { 32, 48, 56, 64, 128 };

struct net {
	int v6;
	unsigned char b[16];
	int len;
};

static void
mask(unsigned char *b, int bytes, int len)
{
	for (int i = 0; i < bytes; i++) {
		int keep = len - i * 8;

		if (keep <= 0)
			b[i] = 0;
		else if (keep < 8)
			b[i] &= (unsigned char)(0xff << (8 - keep));
	}
}

static void
fmt_addr(const struct net *n, char *buf, size_t len)
{
	if (!n->v6) {
		snprintf(buf, len, "%u.%u.%u.%u", n->b[0], n->b[1], n->b[2], n->b[3]);
		return;
	}
	size_t o = 0;
	for (int i = 0; i < 16; i += 2)
		o += (size_t)snprintf(buf + o, len - o, "%s%x", i ? ":" : "",
		    (unsigned)(n->b[i] << 8 | n->b[i + 1]));
}

static void
random_net(struct net *n, int i)
{
	n->v6 = i % 5 == 4;
	for (int j = 0; j < 16; j++)
		n->b[j] = (unsigned char)rnd();
	if (n->v6) {
		n->b[0] = 0x20;		/* global unicast */
		n->b[1] = 0x01;
		n->len = v6_lens[(i / 5) % (int)(sizeof(v6_lens) / sizeof(v6_lens[0]))];
		mask(n->b, 16, n->len);
	} else {
		n->b[0] = (unsigned char)(1 + rnd() % 223);
		n->len = v4_lens[i % (int)(sizeof(v4_lens) / sizeof(v4_lens[0]))];
		mask(n->b, 4, n->len);
	}
}

static void
bench_netset(int size, long iters)
{
	struct rg_netset *set = rg_netset_new();
	struct net *nets = calloc((size_t)size, sizeof(*nets));
	static char q[NQUERY][48];
	char buf[64], err[128];
	double best = 1e9, t0, t_build;
	long hits = 0, added = 0;

	t0 = now_s();
	for (int i = 0; i < size; i++) {
		/* retry the rare duplicate, so that the set has 'size' entries */
		do {
			random_net(&nets[i], i);
			fmt_addr(&nets[i], buf, sizeof(buf) - 8);
			snprintf(buf + strlen(buf), 8, "/%d", nets[i].len);
			if (!rg_netset_add(set, buf, err, sizeof(err))) {
				fprintf(stderr, "micro_match: %s: %s\n", buf, err);
				exit(1);
			}
		} while (rg_netset_count(set) == (size_t)added);
		added++;
	}
	t_build = now_s() - t0;
	for (int i = 0; i < NQUERY; i++) {
		struct net n;

		if (i % 2 == 0) {
			/* inside a listed network: keep its prefix, random host bits */
			n = nets[rnd() % (uint32_t)size];
			for (int j = n.len / 8; j < 16; j++) {
				unsigned char r = (unsigned char)rnd();
				if (j == n.len / 8 && n.len % 8)
					r &= (unsigned char)(0xff >> (n.len % 8));
				n.b[j] |= r;
			}
		} else {
			random_net(&n, (int)rnd());
			n.len = n.v6 ? 128 : 32;
			for (int j = 0; j < 16; j++)
				n.b[j] = (unsigned char)(n.b[j] | rnd());
			if (n.v6)
				n.b[0] = 0x20, n.b[1] = 0x01;
		}
		fmt_addr(&n, q[i], sizeof(q[i]));
	}
	for (int pass = 0; pass < 5; pass++) {
		hits = 0;
		t0 = now_s();
		for (long i = 0; i < iters; i++)
			hits += rg_netset_contains(set, q[i & (NQUERY - 1)]);
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	printf("matcher=netset entries=%zu build_ms=%.1f lookups=%ld ns_per_lookup=%.1f hit_pct=%.1f "
	    "seed=0x%llx\n", rg_netset_count(set), t_build * 1e3, iters, best * 1e9 / (double)iters,
	    100.0 * (double)hits / (double)iters, (unsigned long long)MATCH_SEED);
	rg_netset_destroy(&set);
	free(nets);
}

static void
bench_domset(int size, long iters)
{
	struct rg_domset *set = rg_domset_new();
	static char q[NQUERY][96];
	char buf[96], err[128];
	double best = 1e9, t0, t_build;
	long hits = 0;

	t0 = now_s();
	for (int i = 0; i < size; i++) {
		/* half exact domains, half ".parent" patterns for subdomains */
		if (i % 2 == 0)
			snprintf(buf, sizeof(buf), "dept%d.example-%d.org", i, i % 97);
		else
			snprintf(buf, sizeof(buf), ".campus%d.example-%d.edu", i, i % 89);
		rg_domset_add(set, buf, err, sizeof(err));
	}
	t_build = now_s() - t0;
	for (int i = 0; i < NQUERY; i++) {
		int k = (int)(rnd() % (uint32_t)size);

		switch (i % 4) {
		case 0:		/* exact hit, odd case and a trailing dot */
			k &= ~1;
			snprintf(q[i], sizeof(q[i]), "Dept%d.Example-%d.ORG.", k, k % 97);
			break;
		case 1:		/* subdomain hit */
			k |= 1;
			if (k >= size)
				k -= 2;
			snprintf(q[i], sizeof(q[i]), "mail.cs.campus%d.example-%d.edu", k, k % 89);
			break;
		case 2:		/* miss with the shape of a hit */
			snprintf(q[i], sizeof(q[i]), "dept%d.example-%d.org", k + size + 1, k % 97);
			break;
		default:	/* miss, offsite */
			snprintf(q[i], sizeof(q[i]), "mx%u.mail.offsite-%u.example.com",
			    rnd() % 1000, rnd() % 100000);
			break;
		}
	}
	for (int pass = 0; pass < 5; pass++) {
		hits = 0;
		t0 = now_s();
		for (long i = 0; i < iters; i++)
			hits += rg_domset_contains(set, q[i & (NQUERY - 1)]);
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	printf("matcher=domset entries=%zu build_ms=%.1f lookups=%ld ns_per_lookup=%.1f hit_pct=%.1f "
	    "seed=0x%llx\n", rg_domset_count(set), t_build * 1e3, iters, best * 1e9 / (double)iters,
	    100.0 * (double)hits / (double)iters, (unsigned long long)MATCH_SEED);
	rg_domset_destroy(&set);
}

/* ---- the RCPT decision ---- */

#define RCPT_SEED	0x5EEDC0DE2026ull
#define NDECIDE		4096

struct decide_case {
	struct rg_addr rcpt;
	int client;		/* index into classes[] */
	enum rg_lookup answer;	/* what the directory would say, when asked */
};

static struct rg_policy *
rcpt_policy(void)
{
	struct rg_policy *p = rg_policy_new();
	char buf[96], err[128];
	bool ok = true;

	/* A campus gateway: a few dozen local and relay domains, trusted nets, exceptions. */
	for (int i = 0; i < 40; i++) {
		snprintf(buf, sizeof(buf), i % 4 == 0 ? ".dept%d.example.edu" : "dept%d.example.edu", i);
		ok &= rg_domset_add(rg_policy_local(p), buf, err, sizeof(err));
	}
	ok &= rg_domset_add(rg_policy_local(p), "example.edu", err, sizeof(err));
	for (int i = 0; i < 20; i++) {
		snprintf(buf, sizeof(buf), "partner%d.example", i);
		ok &= rg_domset_add(rg_policy_relay(p), buf, err, sizeof(err));
	}
	for (int i = 0; i < 16; i++) {
		snprintf(buf, sizeof(buf), "192.0.%d.0/24", 2 + i);
		ok &= rg_netset_add(rg_policy_trusted(p), buf, err, sizeof(err));
	}
	if (!ok) {
		fprintf(stderr, "micro_match: rcpt policy: %s\n", err);
		exit(1);
	}
	for (int i = 0; i < 8; i++) {
		snprintf(buf, sizeof(buf), "legacy%d@example.edu", i);
		rg_policy_add_exception(p, buf, (time_t)2000000000, "2033-05-18", NULL, NULL);
	}
	return p;
}

/* One recipient of the mix: the kind drawn decides the spelling. */
static void
rcpt_case(struct decide_case *c)
{
	char buf[128];
	uint32_t kind = rnd() % 100, n = rnd() % 40;

	if (kind < 40)		/* local mailbox: the directory is asked */
		snprintf(buf, sizeof(buf), "<user%u@%sdept%u.example.edu>", rnd() % 5000,
		    n % 4 == 0 ? "cs." : "", n);
	else if (kind < 45)
		snprintf(buf, sizeof(buf), "<postmaster@example.edu>");
	else if (kind < 60)
		snprintf(buf, sizeof(buf), "<u%u@partner%u.example>", rnd() % 100, n % 20);
	else if (kind < 95)
		snprintf(buf, sizeof(buf), "<u%u@mx%u.offsite-%u.example.com>", rnd() % 100,
		    rnd() % 10, rnd() % 1000);
	else			/* a routed local part: relaying in disguise */
		snprintf(buf, sizeof(buf), "<u%%offsite-%u.example.com@example.edu>", rnd() % 1000);
	if (rg_addr_parse(buf, &c->rcpt) != RG_ADDR_OK) {
		fprintf(stderr, "micro_match: cannot parse %s\n", buf);
		exit(1);
	}
	/* mostly offsite clients; an outage answers one lookup in 50 */
	c->client = rnd() % 10 < 7 ? 0 : rnd() % 2 + 1;
	kind = rnd() % 100;
	c->answer = kind < 75 ? RG_LOOKUP_FOUND : kind < 98 ? RG_LOOKUP_NOTFOUND : RG_LOOKUP_ERROR;
}

static void
bench_rcpt(long iters)
{
	static const struct rg_client clients[] = {
		{ "203.0.113.9", NULL, NULL, NULL },
		{ "198.51.100.7", "alice", "PLAIN", "TLSv1.3" },
		{ "192.0.5.10", NULL, NULL, NULL },
	};
	static struct decide_case cases[NDECIDE];
	struct rg_policy *p;
	struct rg_class classes[3];
	struct rg_addr from;
	double best = 1e9, t0, t_build;
	long tally[3] = { 0, 0, 0 }, asked = 0;

	rng = RCPT_SEED;
	t0 = now_s();
	p = rcpt_policy();
	t_build = now_s() - t0;
	for (int i = 0; i < 3; i++)
		rg_policy_classify(p, &clients[i], &classes[i]);
	if (rg_addr_parse("<sender@offsite.example.com>", &from) != RG_ADDR_OK)
		exit(1);
	for (int i = 0; i < NDECIDE; i++)
		rcpt_case(&cases[i]);
	for (int pass = 0; pass < 5; pass++) {
		long t_tally[3] = { 0, 0, 0 }, t_asked = 0;

		t0 = now_s();
		for (long i = 0; i < iters; i++) {
			const struct decide_case *c = &cases[i & (NDECIDE - 1)];
			const struct rg_class *k = &classes[c->client];
			struct rg_rcpt_plan plan;
			struct rg_verdict v;
			bool ask;

			rg_policy_rcpt_plan(p, k, clients[c->client].addr, &from, &c->rcpt,
			    1700000000, &plan);
			ask = plan.ask == RG_RCPT_ASK_RECIPIENT;
			t_asked += ask;
			rg_policy_rcpt_decide(p, &plan, ask ? c->answer : RG_LOOKUP_NONE,
			    RG_KIND_MAILBOX, &v);
			t_tally[v.action]++;
		}
		double t = now_s() - t0;
		if (t < best)
			best = t;
		memcpy(tally, t_tally, sizeof(tally));
		asked = t_asked;
	}
	printf("matcher=rcpt_decision entries=%d build_ms=%.1f lookups=%ld ns_per_lookup=%.1f "
	    "seed=0x%llx asked_pct=%.1f accept_pct=%.1f reject_pct=%.1f tempfail_pct=%.1f\n",
	    NDECIDE, t_build * 1e3, iters, best * 1e9 / (double)iters,
	    (unsigned long long)RCPT_SEED, 100.0 * (double)asked / (double)iters,
	    100.0 * (double)tally[RG_ACT_CONTINUE] / (double)iters,
	    100.0 * (double)tally[RG_ACT_REJECT] / (double)iters,
	    100.0 * (double)tally[RG_ACT_TEMPFAIL] / (double)iters);
	rg_policy_destroy(&p);
}

int
main(int argc, char **argv)
{
	static const int sizes[] = { 10, 100, 1000, 10000, 100000 };
	long iters = 1000000;
	int c;

	while ((c = getopt(argc, argv, "q")) != -1) {
		if (c == 'q')
			iters = 20000;
		else {
			fprintf(stderr, "usage: micro_match [-q]\n");
			return 2;
		}
	}
	(void)argv;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_netset(sizes[i], iters);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bench_domset(sizes[i], iters);
	bench_rcpt(iters);
	return 0;
}
