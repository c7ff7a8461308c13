/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_budget.c - per-login sending budgets: the two-bucket arithmetic
 * (policy/budget.c), the local store (budget/local.c: rollover, expiry,
 * LRU eviction, memory, the domain estimator, threads), the front
 * (budget/budget.c: exemptions, case, the on_error fallback against a
 * Redis store that cannot connect, the once-per-window alert) and
 * budgets = { ... } through rg_config_load() (errors as FILE:LINE, counts
 * that survive a reload).
 *
 * The generated sequences are seeded; the seed is printed, and
 * RG_TEST_SEED=N replays one.
 */
#include <malloc.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "budget/budget.h"
#include "budget/local.h"
#include "conf/conf.h"
#include "policy/budget.h"
#include "session/session.h"

#define W	3600.0
/* A bucket boundary far from the epoch: bucket B0 starts at T0. */
#define B0	500000
#define T0	((double)B0 * W)

static uint64_t seed;
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* xorshift64*: small, seeded, the same everywhere. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static double
rnd01(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* --- the arithmetic ------------------------------------------------------ */

static void
test_decide_table(void)
{
	static const struct {
		const char *row;
		double m, r, d;		/* estimates */
		bool message, domain;	/* the charge */
		uint64_t lm, lr, ld;	/* limits */
		enum rg_budget_kind want;
	} rows[] = {
		{ "messages one below the limit", 199, 0, 0, true, false, 200, 0, 0, RG_BUDGET_NONE },
		{ "messages exactly at the limit", 200, 0, 0, true, false, 200, 0, 0,
		    RG_BUDGET_MESSAGES },
		{ "messages a fraction below the limit", 199.01, 0, 0, true, false, 200, 0, 0,
		    RG_BUDGET_MESSAGES },
		{ "message at the limit, but not a new message", 200, 5, 1, false, false, 200, 0, 0,
		    RG_BUDGET_NONE },
		{ "recipients one below", 0, 999, 0, true, false, 0, 1000, 0, RG_BUDGET_NONE },
		{ "recipients at the limit", 0, 1000, 0, false, false, 0, 1000, 0,
		    RG_BUDGET_RECIPIENTS },
		{ "domains one below", 0, 0, 99, false, true, 0, 0, 100, RG_BUDGET_NONE },
		{ "domains at the limit, new domain", 0, 0, 100, false, true, 0, 0, 100,
		    RG_BUDGET_DOMAINS },
		{ "domains at the limit, known domain", 0, 0, 100, false, false, 0, 0, 100,
		    RG_BUDGET_NONE },
		{ "every limit 0: unlimited", 1e9, 1e9, 1e9, true, true, 0, 0, 0, RG_BUDGET_NONE },
		{ "messages before recipients", 200, 1000, 100, true, true, 200, 1000, 100,
		    RG_BUDGET_MESSAGES },
		{ "recipients before domains", 1, 1000, 100, true, true, 200, 1000, 100,
		    RG_BUDGET_RECIPIENTS },
		{ "limit 1, nothing used", 0, 0, 0, true, true, 1, 1, 1, RG_BUDGET_NONE },
		{ "limit 1, one used", 1, 0, 0, true, true, 1, 1, 1, RG_BUDGET_MESSAGES },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_budget_estimate u = { rows[i].m, rows[i].r, rows[i].d };
		struct rg_budget_charge c = { rows[i].message, rows[i].domain };
		struct rg_budget_limits l = { W, rows[i].lm, rows[i].lr, rows[i].ld };

		UT_STR(rows[i].row, "kind", rg_budget_kind_name(rg_budget_decide(&u, &c, &l)),
		    rg_budget_kind_name(rows[i].want));
	}
}

static void
test_buckets(void)
{
	static const struct {
		const char *row;
		double now;
		int64_t bucket;
		double gone;
	} rows[] = {
		{ "a bucket's first instant", T0, B0, 0 },
		{ "a quarter in", T0 + W / 4, B0, 0.25 },
		{ "the last second", T0 + W - 1, B0, (W - 1) / W },
		{ "the next bucket", T0 + W, B0 + 1, 0 },
		{ "two windows on", T0 + 2 * W + W / 2, B0 + 2, 0.5 },
		{ "before the epoch", -W / 2, -1, 0.5 },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		char got[64], want[64];

		UT_INT(rows[i].row, "bucket", rg_budget_bucket(rows[i].now, W), rows[i].bucket);
		snprintf(got, sizeof(got), "%.9f", rg_budget_gone(rows[i].now, W));
		snprintf(want, sizeof(want), "%.9f", rows[i].gone);
		UT_STR(rows[i].row, "gone", got, want);
	}
	UT_INT("estimate P=100 C=10 a quarter in", "x1000",
	    (long)(rg_budget_estimate(100, 10, 0.25) * 1000 + 0.5), 85000);
	UT_INT("round 2.5", "rounded", rg_budget_round(2.5), 3);
	UT_INT("round 2.49", "rounded", rg_budget_round(2.49), 2);
	UT_INT("round negative", "rounded", rg_budget_round(-1), 0);
}

/*
 * The two-bucket estimate against the exact sliding count, on a seeded
 * random sequence with bursts: at every query the error stays within the
 * bound of policy/budget.h, P * max(g, 1 - g).
 */
static void
test_error_bound(void)
{
	enum { NWIN = 40, MAXEV = 40000, NQ = 4000 };
	static double ev[MAXEV];
	int n = 0, worst_q = -1;
	double sum = 0, worst = 0, worst_rel = 0;
	char row[128];

	rng_state = seed;
	/* Each window gets a random rate, and half of them a burst at a random point. */
	for (int w = 0; w < NWIN && n < MAXEV; w++) {
		int k = (int)(rnd() % 400);
		bool burst = rnd() % 2;
		double at = rnd01();

		for (int i = 0; i < k && n < MAXEV; i++) {
			double x = burst && i % 2 ? at + (rnd01() - 0.5) * 0.02 : rnd01();

			if (x < 0)
				x = 0;
			if (x >= 1)
				x = 0.999999;
			ev[n++] = T0 + (w + x) * W;
		}
	}
	for (int q = 0; q < NQ; q++) {
		double now = T0 + W + rnd01() * (NWIN - 1) * W;
		int64_t b = rg_budget_bucket(now, W);
		double g = rg_budget_gone(now, W), cur = 0, prev = 0, exact = 0, est, bound;

		for (int i = 0; i < n; i++) {
			int64_t eb = rg_budget_bucket(ev[i], W);

			if (ev[i] > now)
				continue;
			if (eb == b)
				cur++;
			else if (eb == b - 1)
				prev++;
			if (ev[i] > now - W)
				exact++;
		}
		est = rg_budget_estimate(prev, cur, g);
		bound = prev * (g > 1 - g ? g : 1 - g);
		sum += est > exact ? est - exact : exact - est;
		if ((est > exact ? est - exact : exact - est) > bound + 1e-6) {
			snprintf(row, sizeof(row), "seed %llu query %d: est %.3f exact %.0f prev %.0f g %.4f",
			    (unsigned long long)seed, q, est, exact, prev, g);
			UT_INT(row, "error within P*max(g,1-g)", 0, 1);
			return;
		}
		if (exact > 0 && (est > exact ? est - exact : exact - est) / exact > worst_rel) {
			worst_rel = (est > exact ? est - exact : exact - est) / exact;
			worst = est - exact;
			worst_q = q;
		}
	}
	printf("\n    two-bucket error, seed %llu: %d events, %d queries, mean |error| %.2f, "
	    "worst relative %.1f%% (%+.1f at query %d)\n", (unsigned long long)seed, n, NQ,
	    sum / NQ, 100 * worst_rel, worst, worst_q);
	UT_INT("mean error is below the bound", "queries", NQ, NQ);
}

/* --- the local store ------------------------------------------------------- */

static void
admit(struct rg_budget_store *st, const char *login, bool msg, const char *dom, double now,
    const struct rg_budget_limits *l, struct rg_budget_result *r)
{
	struct rg_budget_request rq = { login, msg, dom, now };

	st->ops->admit(st, &rq, l, r);
}

static void
test_rollover_expiry(void)
{
	struct rg_budget_store *st = rg_budget_local_new(100);
	struct rg_budget_limits lim = { W, 0, 0, 0 }, l10 = { W, 10, 0, 0 };
	struct rg_budget_result r;

	for (int i = 0; i < 10; i++)
		admit(st, "alice", true, "x.example", T0 + W / 2, &lim, &r);
	UT_INT("ten messages in bucket 0", "messages", r.used.messages, 10);
	admit(st, "alice", true, "x.example", T0 + W / 2, &l10, &r);
	UT_INT("the eleventh, limit 10", "answer", r.answer, RG_BUDGET_OVER);
	UT_INT("the eleventh, limit 10", "over", r.over, RG_BUDGET_MESSAGES);
	UT_INT("the eleventh, limit 10", "used", r.used.messages, 10);
	/* A quarter into the next bucket: 10 * 0.75 = 7.5 left of them. */
	admit(st, "alice", true, "x.example", T0 + W + W / 4, &l10, &r);
	UT_INT("rollover: a quarter into bucket 1", "answer", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("rollover: a quarter into bucket 1", "messages (7.5 + 1)", r.used.messages, 9);
	admit(st, "alice", true, "x.example", T0 + W + W / 4, &l10, &r);
	UT_INT("rollover: 9.5 used", "answer", r.answer, RG_BUDGET_ADMITTED);
	admit(st, "alice", true, "x.example", T0 + W + W / 4, &l10, &r);
	UT_INT("rollover: 10.5 used", "answer", r.answer, RG_BUDGET_OVER);
	/* Bucket 3 counts buckets 2 (empty) and 3: what came before is gone. */
	admit(st, "alice", true, "x.example", T0 + 3 * W, &l10, &r);
	UT_INT("bucket 3: buckets 0 and 1 are forgotten", "messages",
	    r.used.messages, 1);
	/* Two whole windows without mail: everything gone. */
	admit(st, "bob", true, "x.example", T0, &lim, &r);
	admit(st, "bob", true, "x.example", T0 + 2 * W + 1, &lim, &r);
	UT_INT("expiry after two windows", "messages", r.used.messages, 1);
	/* The clock steps back: counts are kept, never lost. */
	admit(st, "bob", true, "x.example", T0 - 5 * W, &lim, &r);
	UT_INT("clock stepped back", "messages", r.used.messages, 2);
	st->ops->destroy(&st);
	UT_INT("destroy clears the pointer", "st", st == NULL, 1);
}

/*
 * The store's estimates are policy/budget.h's: a seeded random sequence
 * of admits, each compared with the arithmetic run on a model of the two
 * buckets.
 */
static void
test_store_matches_arithmetic(void)
{
	struct rg_budget_store *st = rg_budget_local_new(10);
	struct rg_budget_limits lim = { W, 0, 0, 0 };
	double now = T0, cur = 0, prev = 0;
	int64_t b = B0;
	int bad = 0;

	rng_state = seed ^ 0x5555;
	for (int i = 0; i < 5000 && bad == 0; i++) {
		struct rg_budget_result r;
		int64_t nb;
		double want;

		now += rnd01() * W / 50;
		nb = rg_budget_bucket(now, W);
		if (nb == b + 1) {
			prev = cur;
			cur = 0;
		} else if (nb > b + 1) {
			prev = cur = 0;
		}
		b = nb;
		cur++;
		want = rg_budget_estimate(prev, cur, rg_budget_gone(now, W));
		admit(st, "carol", false, "", now, &lim, &r);
		if (r.used.recipients != rg_budget_round(want)) {
			char row[128];

			snprintf(row, sizeof(row), "seed %llu admit %d", (unsigned long long)seed, i);
			UT_INT(row, "recipients", r.used.recipients, rg_budget_round(want));
			bad = 1;
		}
	}
	UT_INT("5000 admits match the arithmetic", "mismatches", bad, 0);
	st->ops->destroy(&st);
}

static void
test_lru(void)
{
	struct rg_budget_store *st = rg_budget_local_new(3);
	struct rg_budget_limits l1 = { W, 1, 0, 0 };
	struct rg_budget_result r;

	admit(st, "a", true, "", T0, &l1, &r);
	admit(st, "b", true, "", T0, &l1, &r);
	admit(st, "c", true, "", T0, &l1, &r);
	admit(st, "a", false, "", T0, &l1, &r);	/* a is now the most recent */
	UT_INT("three logins held", "count", rg_budget_local_count(st), 3);
	admit(st, "d", true, "", T0, &l1, &r);
	UT_INT("a fourth evicts one", "count", rg_budget_local_count(st), 3);
	admit(st, "a", true, "", T0, &l1, &r);
	UT_INT("a (recent) keeps its count", "answer", r.answer, RG_BUDGET_OVER);
	admit(st, "c", true, "", T0, &l1, &r);
	UT_INT("c keeps its count", "answer", r.answer, RG_BUDGET_OVER);
	/* b was the least recent: evicted, it starts again from zero. */
	admit(st, "b", true, "", T0, &l1, &r);
	UT_INT("b (evicted) starts from zero", "answer", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("b (evicted) starts from zero", "messages", r.used.messages, 1);
	st->ops->destroy(&st);
}

/* Long logins are held as prefix + digest: distinct logins stay distinct. */
static void
test_long_logins(void)
{
	struct rg_budget_store *st = rg_budget_local_new(100);
	struct rg_budget_limits l1 = { W, 1, 0, 0 };
	struct rg_budget_result r;
	char a[300], b[300];

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[250] = 'y';
	admit(st, a, true, "", T0, &l1, &r);
	admit(st, b, true, "", T0, &l1, &r);
	UT_INT("second long login, same prefix", "answer", r.answer, RG_BUDGET_ADMITTED);
	admit(st, a, true, "", T0, &l1, &r);
	UT_INT("first long login again", "answer", r.answer, RG_BUDGET_OVER);
	UT_INT("two entries", "count", rg_budget_local_count(st), 2);
	st->ops->destroy(&st);
}

static void
test_domains(void)
{
	struct rg_budget_store *st = rg_budget_local_new(1000);
	struct rg_budget_limits l3 = { W, 0, 0, 3 }, lim = { W, 0, 0, 0 };
	struct rg_budget_result r;
	const int sizes[] = { 10, 100, 1000 };
	const double allowed[] = { 0.05, 0.06, 0.08 };	/* mean |relative error| */

	admit(st, "dom", false, "a.example", T0, &l3, &r);
	admit(st, "dom", false, "a.example", T0, &l3, &r);
	UT_INT("one domain twice", "domains", r.used.domains, 1);
	admit(st, "dom", false, "b.example", T0, &l3, &r);
	admit(st, "dom", false, "c.example", T0, &l3, &r);
	UT_INT("three domains, limit 3", "answer", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("three domains, limit 3", "domains", r.used.domains, 3);
	admit(st, "dom", false, "d.example", T0, &l3, &r);
	UT_INT("a fourth domain", "answer", r.answer, RG_BUDGET_OVER);
	UT_INT("a fourth domain", "over", r.over, RG_BUDGET_DOMAINS);
	admit(st, "dom", false, "a.example", T0, &l3, &r);
	UT_INT("a known domain at the limit", "answer", r.answer, RG_BUDGET_ADMITTED);
	admit(st, "dom", false, "", T0, &l3, &r);
	UT_INT("no domain (bare name)", "answer", r.answer, RG_BUDGET_ADMITTED);

	/* The estimator's error on seeded random domains, as local.h states it. */
	rng_state = seed ^ 0xd0d0;
	for (size_t k = 0; k < UT_NROWS(sizes); k++) {
		double sum = 0;
		int trials = 40;

		for (int t = 0; t < trials; t++) {
			char login[32];

			snprintf(login, sizeof(login), "est-%zu-%d", k, t);
			for (int i = 0; i < sizes[k]; i++) {
				char dom[64];

				snprintf(dom, sizeof(dom), "d%016llx.example", (unsigned long long)rnd());
				admit(st, login, false, dom, T0, &lim, &r);
			}
			sum += r.used.domains > (uint64_t)sizes[k] ?
			    (double)(r.used.domains - sizes[k]) / sizes[k] :
			    (double)(sizes[k] - r.used.domains) / sizes[k];
		}
		printf("\n    %d distinct domains, seed %llu: mean |error| %.1f%% over %d logins\n",
		    sizes[k], (unsigned long long)seed, 100 * sum / trials, trials);
		{
			char row[64];

			snprintf(row, sizeof(row), "%d domains: mean error (x1000) at most", sizes[k]);
			UT_INT(row, "within", sum / trials <= allowed[k], 1);
		}
	}
	st->ops->destroy(&st);
}

/* 100,000 logins must cost at most 32 MiB. */
static void
test_memory(void)
{
	struct rg_budget_limits lim = { W, 200, 1000, 100 };
	struct rg_budget_result r;
	struct rg_budget_store *st;
	struct mallinfo2 before, after;
	double mib;

#if defined(__SANITIZE_ADDRESS__)
	printf("\n    (AddressSanitizer build: malloc is not glibc's, memory not measured)\n");
	return;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
	printf("\n    (AddressSanitizer build: malloc is not glibc's, memory not measured)\n");
	return;
#endif
#endif
	malloc_trim(0);
	before = mallinfo2();
	st = rg_budget_local_new(RG_BUDGET_MAX_LOGINS_DEFAULT);
	for (int i = 0; i < RG_BUDGET_MAX_LOGINS_DEFAULT; i++) {
		char login[64];

		snprintf(login, sizeof(login), "user%06d@physics.example.edu", i);
		admit(st, login, true, "example.org", T0, &lim, &r);
	}
	after = mallinfo2();
	mib = (double)(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd) /
	    (1024 * 1024);
	printf("\n    100,000 logins in the local store: %.1f MiB (%.0f bytes per login)\n", mib,
	    mib * 1024 * 1024 / RG_BUDGET_MAX_LOGINS_DEFAULT);
	UT_INT("100,000 logins held", "count", rg_budget_local_count(st),
	    RG_BUDGET_MAX_LOGINS_DEFAULT);
	UT_INT("100,000 logins cost at most 32 MiB", "within", mib <= 32.0, 1);
	/* Beyond max_logins the memory stays put: the oldest go. */
	for (int i = 0; i < 20000; i++) {
		char login[64];

		snprintf(login, sizeof(login), "later%06d@physics.example.edu", i);
		admit(st, login, true, "example.org", T0, &lim, &r);
	}
	UT_INT("still at most 100,000 held", "count",
	    rg_budget_local_count(st) <= RG_BUDGET_MAX_LOGINS_DEFAULT, 1);
	UT_INT("no more memory past the bound", "within",
	    mallinfo2().uordblks + mallinfo2().hblkhd <= after.uordblks + after.hblkhd + 65536, 1);
	st->ops->destroy(&st);
}

struct hammer {
	struct rg_budget_store *st;
	int admitted;
};

static void *
hammer(void *arg)
{
	struct hammer *h = arg;
	struct rg_budget_limits lim = { W, 0, 1000, 0 };
	struct rg_budget_result r;

	for (int i = 0; i < 2000; i++) {
		admit(h->st, "shared", false, "", T0 + 10, &lim, &r);
		if (r.answer == RG_BUDGET_ADMITTED)
			h->admitted++;
	}
	return NULL;
}

/* Four threads on one login: exactly the limit is admitted, not one more. */
static void
test_threads(void)
{
	struct hammer h[4];
	pthread_t t[4];
	struct rg_budget_store *st = rg_budget_local_new(RG_BUDGET_MAX_LOGINS_DEFAULT);
	int total = 0;

	for (int i = 0; i < 4; i++) {
		h[i].st = st;
		h[i].admitted = 0;
		pthread_create(&t[i], NULL, hammer, &h[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		total += h[i].admitted;
	}
	UT_INT("4 threads x 2000 recipients, limit 1000", "admitted", total, 1000);
	st->ops->destroy(&st);
}

/* --- the front ----------------------------------------------------------------- */

static struct rg_budget *
front(enum rg_budget_backend backend, enum rg_budget_on_error oe, const char *uri)
{
	static const char *const exempt[] = { "ListServ" };
	struct rg_budget_settings set = {
		.mode = RG_BUDGET_ENFORCE,
		.limits = { W, 2, 0, 0 },
		.exempt = exempt, .nexempt = 1,
		.backend = backend,
		.redis = { (char *)uri, 0.2, (char *)"rgtest:", NULL, 1, 60 },
		.on_error = oe,
		.max_logins = 777,	/* a store of its own */
	};
	char err[256] = "";
	struct rg_budget *b = rg_budget_new(&set, err, sizeof(err));

	if (b == NULL)
		printf("\n    rg_budget_new: %s\n", err);
	return b;
}

static void
test_front(void)
{
	struct rg_budget *b = front(RG_BUDGET_LOCAL, RG_BUDGET_FALLBACK_LOCAL, NULL);
	struct rg_budget_request rq = { "Alice", true, "x.example", T0 };
	struct rg_budget_outcome o;

	CU_ASSERT_FATAL(b != NULL);
	UT_INT("exempt, other case", "applies", rg_budget_applies(b, "listserv"), 0);
	UT_INT("not exempt", "applies", rg_budget_applies(b, "alice"), 1);
	UT_INT("no login", "applies", rg_budget_applies(b, NULL), 0);
	rg_budget_admit(b, &rq, &o);
	UT_INT("Alice, first", "answer", o.answer, RG_BUDGET_ADMITTED);
	UT_INT("Alice, first", "source", o.source, RG_BUDGET_SRC_PRIMARY);
	rq.login = "ALICE";
	rg_budget_admit(b, &rq, &o);
	rq.login = "alice";
	rg_budget_admit(b, &rq, &o);
	UT_INT("alice is Alice: third message, limit 2", "answer", o.answer, RG_BUDGET_OVER);
	UT_INT("alice: over", "limit", o.limit, 2);
	UT_INT("alice: first crossing", "alert", o.alert, 1);
	rg_budget_admit(b, &rq, &o);
	UT_INT("alice: second refusal in the window", "alert", o.alert, 0);
	rq.now = T0 + 2 * W;
	rg_budget_admit(b, &rq, &o);
	rg_budget_admit(b, &rq, &o);
	rg_budget_admit(b, &rq, &o);
	UT_INT("alice, two windows later: over again", "answer", o.answer, RG_BUDGET_OVER);
	UT_INT("alice, two windows later: a new window alerts again", "alert", o.alert, 1);
	rg_budget_destroy(&b);
	UT_INT("destroy clears the pointer", "b", b == NULL, 1);
}

/*
 * The fallback, against the real Redis store pointed at a socket nobody
 * listens on: it answers "could not tell", and mail still passes.
 */
static void
test_fallback(void)
{
	char uri[128];
	struct rg_budget *b;
	struct rg_budget_request rq = { "dave", true, "x.example", T0 };
	struct rg_budget_outcome o;

	snprintf(uri, sizeof(uri), "unix:/nonexistent-%d/redis.sock", (int)getpid());
	b = front(RG_BUDGET_REDIS, RG_BUDGET_FALLBACK_LOCAL, uri);
	CU_ASSERT_FATAL(b != NULL);
	for (int i = 0; i < 3; i++)
		rg_budget_admit(b, &rq, &o);
	UT_INT("redis unreachable, on_error local: third message", "answer", o.answer,
	    RG_BUDGET_OVER);
	UT_INT("redis unreachable, on_error local", "source", o.source, RG_BUDGET_SRC_FALLBACK);
	UT_INT("redis unreachable, on_error local", "why given", o.why[0] != '\0', 1);
	rg_budget_destroy(&b);

	b = front(RG_BUDGET_REDIS, RG_BUDGET_FALLBACK_OFF, uri);
	CU_ASSERT_FATAL(b != NULL);
	for (int i = 0; i < 5; i++)
		rg_budget_admit(b, &rq, &o);
	UT_INT("redis unreachable, on_error off: fifth message", "answer", o.answer,
	    RG_BUDGET_ADMITTED);
	UT_INT("redis unreachable, on_error off", "source", o.source, RG_BUDGET_SRC_NONE);
	rg_budget_destroy(&b);
}

/* --- budgets = { ... } through the loader ------------------------------------- */

static char tmpdir[64];

static void
put(const char *name, const char *text, mode_t mode)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	CU_ASSERT_FATAL(fclose(fp) == 0);
	chmod(path, mode);
}

static struct rg_config *
load(const char *name, struct rg_errs *e)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	memset(e, 0, sizeof(*e));
	return rg_config_load(path, e);
}

static const char base[] =
	"directory = { file = \"dir.conf\"; };\n";

static void
test_conf_errors(void)
{
	static const struct {
		const char *row;
		const char *text;
		int line;
		const char *want;
	} rows[] = {
		{ "mode", "budgets = {\n mode = \"sometimes\";\n};\n", 2,
		    "\"sometimes\" is not a valid mode (expected one of: off, monitor, enforce)" },
		{ "window too short", "budgets = {\n mode = \"enforce\";\n window = 10;\n};\n", 3,
		    "\"window\" must be between 60 and 604800" },
		{ "domains too many", "budgets = {\n domains = 5000;\n};\n", 2,
		    "\"domains\" must be between 0 and 1000" },
		{ "unknown key", "budgets = {\n mode = \"enforce\";\n limit = 3;\n};\n", 3,
		    "unknown key \"budgets.limit\"" },
		{ "unknown redis key", "budgets = {\n backend = \"redis\";\n redis = {\n  url = \"x\";\n };\n};\n",
		    4, "unknown key \"budgets.redis.url\"" },
		{ "bad uri", "budgets = {\n backend = \"redis\";\n redis = {\n  uri = \"redis://x\";\n };\n};\n",
		    4, "must be unix:/absolute/path or tcp:HOST:PORT" },
		{ "exempt not strings", "budgets = {\n exempt = [ 1, 2 ];\n};\n", 2,
		    "\"exempt\" must hold only strings" },
		{ "not a group", "budgets = 3;\n", 1, "\"budgets\" must be a group" },
		{ "password_file group-readable",
		    "budgets = {\n mode = \"enforce\";\n backend = \"redis\";\n redis = {\n  password_file = \"pw-open\";\n };\n};\n",
		    5, "is readable or writable by group or others (mode 644); chmod 600 it" },
		{ "password_file missing",
		    "budgets = {\n backend = \"redis\";\n redis = {\n  password_file = \"nope\";\n };\n};\n",
		    4, "cannot read: No such file or directory" },
	};
	char text[1024];

	put("dir.conf", "mailboxes = [ \"a@example.edu\" ];\n", 0644);
	put("pw-open", "sekrit-open\n", 0644);
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_errs e;
		struct rg_config *c;
		char where[128];

		snprintf(text, sizeof(text), "%s%s", rows[i].text, base);
		put("bad.conf", text, 0644);
		c = load("bad.conf", &e);
		UT_INT(rows[i].row, "loaded", c != NULL, 0);
		UT_INT(rows[i].row, "errors", e.count, 1);
		if (e.count >= 1) {
			snprintf(where, sizeof(where), "%s/bad.conf:%d: ", tmpdir, rows[i].line);
			UT_HAS(rows[i].row, "file:line", e.msgs[0], where);
			UT_HAS(rows[i].row, "message", e.msgs[0], rows[i].want);
			UT_INT(rows[i].row, "no secret in the message",
			    strstr(e.msgs[0], "sekrit") == NULL, 1);
		}
		rg_config_release(&c);
		rg_errs_free(&e);
	}
}

static void
conf_admit(struct rg_config *c, const char *login, struct rg_budget_outcome *o)
{
	struct rg_budget_request rq = { login, true, "x.example", T0 + 5 };

	rg_budget_admit(rg_config_budget(c), &rq, o);
}

/* A reload with the same store settings keeps the counts; a new window does not. */
static void
test_conf_reload(void)
{
	struct rg_errs e;
	struct rg_config *c1, *c2, *c3, *off;
	struct rg_budget_outcome o;

	put("pw", "sekrit\n", 0600);
	put("b.conf", "budgets = { mode = \"enforce\"; messages = 3; max_logins = 555; };\n"
	    "directory = { file = \"dir.conf\"; };\n", 0644);
	c1 = load("b.conf", &e);
	CU_ASSERT_FATAL(c1 != NULL && rg_config_budget(c1) != NULL);
	rg_errs_free(&e);
	conf_admit(c1, "erin", &o);
	conf_admit(c1, "erin", &o);
	UT_INT("two messages in the first snapshot", "messages", o.used.messages, 2);
	/* Reload: new limits, same window and max_logins. */
	put("b.conf", "budgets = { mode = \"enforce\"; messages = 4; max_logins = 555; };\n"
	    "directory = { file = \"dir.conf\"; };\n", 0644);
	c2 = load("b.conf", &e);
	CU_ASSERT_FATAL(c2 != NULL && rg_config_budget(c2) != NULL);
	rg_errs_free(&e);
	rg_config_release(&c1);
	conf_admit(c2, "erin", &o);
	UT_INT("after the reload the counts are kept", "messages", o.used.messages, 3);
	UT_INT("after the reload the new limit holds", "answer", o.answer, RG_BUDGET_ADMITTED);
	conf_admit(c2, "erin", &o);
	UT_INT("fourth message, new limit 4", "answer", o.answer, RG_BUDGET_ADMITTED);
	conf_admit(c2, "erin", &o);
	UT_INT("fifth message, new limit 4", "answer", o.answer, RG_BUDGET_OVER);
	/* Another window: a store of its own, from zero. */
	put("b.conf", "budgets = { mode = \"enforce\"; messages = 4; window = 600; "
	    "max_logins = 555; };\ndirectory = { file = \"dir.conf\"; };\n", 0644);
	c3 = load("b.conf", &e);
	CU_ASSERT_FATAL(c3 != NULL && rg_config_budget(c3) != NULL);
	rg_errs_free(&e);
	conf_admit(c3, "erin", &o);
	UT_INT("a new window starts from zero", "messages", o.used.messages, 1);
	/* Budgets off: no front at all. */
	put("off.conf", "budgets = { mode = \"off\"; messages = 1; };\n"
	    "directory = { file = \"dir.conf\"; };\n", 0644);
	off = load("off.conf", &e);
	CU_ASSERT_FATAL(off != NULL);
	UT_INT("mode off", "budget", rg_config_budget(off) == NULL, 1);
	rg_errs_free(&e);
	rg_config_release(&off);
	/* A password file with the right mode loads, and no message names its content. */
	put("r.conf", "budgets = { mode = \"monitor\"; backend = \"redis\";\n"
	    " redis = { uri = \"unix:/nonexistent/redis.sock\"; password_file = \"pw\"; }; };\n"
	    "directory = { file = \"dir.conf\"; };\n", 0644);
	c1 = load("r.conf", &e);
	UT_INT("redis with a 0600 password file", "loaded", c1 != NULL, 1);
	UT_INT("monitor warns once", "warnings", e.nwarns, 1);
	for (int i = 0; i < e.nwarns; i++)
		UT_INT("no secret in a warning", "clean", strstr(e.warns[i], "sekrit") == NULL, 1);
	rg_errs_free(&e);
	rg_config_release(&c1);
	rg_config_release(&c2);
	rg_config_release(&c3);
}

/* --- the session: which lines, at which level ----------------------------------- */

struct captured {
	int n;
	enum rg_log_level level[16];
	char line[16][2048];
};

static void
capture(void *arg, enum rg_log_level level, const char *line)
{
	struct captured *c = arg;

	if (c->n < 16) {
		c->level[c->n] = level;
		snprintf(c->line[c->n], sizeof(c->line[0]), "%s", line);
		c->n++;
	}
}

/*
 * The daemon's view (log_all off): the crossing is one warning line with
 * alert=budget, later refusals are notices, charged recipients are not
 * logged; RSET starts a new message.
 */
static void
test_session_levels(void)
{
	struct rg_errs e;
	struct rg_config *c;
	struct rg_session *s;
	struct rg_verdict v;
	struct captured cap = { 0 };

	put("sdir.conf", "mailboxes = [ \"bob@example.edu\" ];\n"
	    "logins = ( { login = \"alice\"; addresses = [ \"alice@example.edu\" ]; } );\n", 0644);
	put("s.conf", "domains = { local = [ \"example.edu\" ]; };\n"
	    "budgets = { mode = \"enforce\"; messages = 2; recipients = 3; };\n"
	    "directory = { file = \"sdir.conf\"; };\n", 0644);
	c = load("s.conf", &e);
	CU_ASSERT_FATAL(c != NULL);
	rg_errs_free(&e);
	s = rg_session_new(c, "203.0.113.9", "client.example", capture, &cap, false);
	rg_session_set_auth(s, "alice", "PLAIN", "TLSv1.3");
	rg_session_mail(s, "<alice@example.edu>", &v);
	rg_session_rcpt(s, "<u@victim.example>", &v);
	UT_INT("first recipient", "action", v.action, RG_ACT_CONTINUE);
	rg_session_rcpt(s, "<v@victim.example>", &v);
	rg_session_rcpt(s, "<bob@example.edu>", &v);
	UT_INT("third recipient (limit 3)", "action", v.action, RG_ACT_CONTINUE);
	UT_INT("accepted recipients are not logged", "lines", cap.n, 0);
	rg_session_rcpt(s, "<w@victim.example>", &v);
	UT_INT("fourth recipient", "action", v.action, RG_ACT_TEMPFAIL);
	UT_STR("fourth recipient", "code", v.code, "451");
	UT_STR("fourth recipient", "xcode", v.xcode, "4.7.1");
	UT_STR("fourth recipient", "reason", v.reason, "login-budget");
	rg_session_rcpt(s, "<x@victim.example>", &v);
	UT_INT("fifth recipient", "action", v.action, RG_ACT_TEMPFAIL);
	UT_INT("two refusals logged", "lines", cap.n, 2);
	UT_INT("the crossing", "level", cap.level[0], RG_LOG_WARNING);
	UT_HAS("the crossing", "line", cap.line[0], " budget=recipients used=3 limit=3 window=3600 "
	    "login=alice alert=budget");
	UT_HAS("the crossing", "reply", cap.line[0], "reply=\"451 4.7.1 This account has reached "
	    "its sending limit for now.");
	UT_INT("the next refusal", "level", cap.level[1], RG_LOG_NOTICE);
	UT_INT("the next refusal", "no alert", strstr(cap.line[1], "alert=") == NULL, 1);
	/* A new transaction is a new message: 2 messages, limit 2, then over. */
	rg_session_reset(s);
	rg_session_mail(s, "<>", &v);
	rg_session_rcpt(s, "<bob@example.edu>", &v);
	UT_INT("second message, recipients already at the limit", "reason",
	    strcmp(v.reason, "login-budget"), 0);
	UT_HAS("second message", "budget", cap.line[cap.n - 1], " budget=recipients ");
	rg_session_destroy(&s);
}

static void
setup_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rg-budget-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
}

static void
cleanup_tmpdir(void)
{
	const char *names[] = { "dir.conf", "pw", "pw-open", "bad.conf", "b.conf", "off.conf",
	    "r.conf", "sdir.conf", "s.conf" };
	char path[128];

	for (size_t i = 0; i < UT_NROWS(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

int
main(void)
{
	const char *env = getenv("RG_TEST_SEED");
	CU_pSuite s;
	int rc;

	seed = env != NULL ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ (uint64_t)getpid();
	if (seed == 0)
		seed = 1;
	printf("test_budget: seed %llu (RG_TEST_SEED=%llu replays it)\n",
	    (unsigned long long)seed, (unsigned long long)seed);
	rg_budget_local_fixed_key(seed * 0x9E3779B97F4A7C15ULL);
	setup_tmpdir();
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("budget arithmetic");
	ut_test(s, "decide: boundaries and order", test_decide_table);
	ut_test(s, "buckets and the part gone by", test_buckets);
	ut_test(s, "two-bucket error against an exact sliding window", test_error_bound);
	s = ut_suite("budget local store");
	ut_test(s, "rollover and expiry", test_rollover_expiry);
	ut_test(s, "the store runs the arithmetic", test_store_matches_arithmetic);
	ut_test(s, "LRU eviction", test_lru);
	ut_test(s, "long logins", test_long_logins);
	ut_test(s, "distinct domains", test_domains);
	ut_test(s, "memory of 100,000 logins", test_memory);
	ut_test(s, "threads", test_threads);
	s = ut_suite("budget front");
	ut_test(s, "exempt, case, alert once per window", test_front);
	ut_test(s, "on_error against an unreachable Redis", test_fallback);
	s = ut_suite("budgets = { ... }");
	ut_test(s, "errors as FILE:LINE", test_conf_errors);
	ut_test(s, "counts survive a reload", test_conf_reload);
	s = ut_suite("budget in the session");
	ut_test(s, "refusals, their fields and levels", test_session_levels);
	rc = ut_run();
	cleanup_tmpdir();
	return rc;
}
