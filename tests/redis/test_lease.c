/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_lease.c - budgets.redis.lease against the real redis-server of
 * test_redis.c: what a lease charges, when it is used and when not, the
 * refund, exactness on one gateway, and, on a seeded sequence through
 * two gateways, that no limit is ever passed and a refusal comes early
 * by at most one lease.  The keys are read with the raw connection:
 * recipients that a lease admits must leave them alone.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/unit.h"
#include "tests/redis/test_redis.h"
#include "budget/redis.h"
#include "common/clock.h"

#define T0	(3600.0 * 500000)	/* a bucket start: keys end in :500000 */

static struct rg_budget_store *
leased(const char *prefix, int lease)
{
	char uri[600];
	struct rg_budget_store *st;

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	st = store_leased(uri, prefix, NULL, 4, 2.0, lease);
	if (st != NULL)
		rg_budget_redis_client_clock(st, true);
	return st;
}

/* One gateway: the lease is charged ahead, used without Redis, and the limit is exact. */
static void
test_lease_single(void)
{
	struct rg_budget_store *st = leased("ls1:", 8);
	struct rg_budget_limits lim = { 3600, 100, 20, 10 };
	struct rg_budget_result r;
	int admitted = 0, i;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", T0, &lim, &r);
	UT_INT("1st", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("1st", "recipients used", r.used.recipients, 1);
	UT_INT("1st", "charged with its lease", raw_int("GET ls1:{lena}:r:500000"), 9);
	for (i = 2; i <= 9; i++) {
		admit(st, "lena", false, "a.example", T0 + i, &lim, &r);
		UT_INT("from the lease", "admitted", r.answer, RG_BUDGET_ADMITTED);
		UT_INT("from the lease", "recipients used", r.used.recipients, i);
	}
	UT_INT("the lease's 8", "Redis untouched", raw_int("GET ls1:{lena}:r:500000"), 9);
	/* Spent: Redis again, and half of what is left: (20 - 10) / 2. */
	admit(st, "lena", false, "a.example", T0 + 10, &lim, &r);
	UT_INT("10th", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("10th", "a smaller lease", raw_int("GET ls1:{lena}:r:500000"), 15);
	admitted = 10;
	for (i = 0; i < 20; i++) {
		admit(st, "lena", false, "a.example", T0 + 11 + i, &lim, &r);
		if (r.answer != RG_BUDGET_ADMITTED)
			break;
		admitted++;
	}
	UT_INT("one gateway", "admitted exactly the limit", admitted, 20);
	UT_INT("then", "over", r.answer, RG_BUDGET_OVER);
	UT_INT("then", "kind", r.over, RG_BUDGET_RECIPIENTS);
	UT_INT("at the limit", "Redis holds it exactly", raw_int("GET ls1:{lena}:r:500000"), 20);
	st->ops->destroy(&st);
}

/* A message always asks Redis; the lease pays its recipient and is topped up. */
static void
test_lease_topup(void)
{
	struct rg_budget_store *st = leased("ls2:", 8);
	struct rg_budget_limits lim = { 3600, 0, 0, 0 };
	struct rg_budget_result r;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", T0, &lim, &r);
	admit(st, "lena", false, "a.example", T0 + 1, &lim, &r);
	UT_INT("two recipients", "one call", raw_int("GET ls2:{lena}:r:500000"), 9);
	admit(st, "lena", true, "a.example", T0 + 2, &lim, &r);
	UT_INT("new message", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("new message", "messages counted", raw_int("GET ls2:{lena}:m:500000"), 2);
	/* 9 charged, the recipient paid from the lease (6 left), topped up by 2. */
	UT_INT("new message", "topped up to 8", raw_int("GET ls2:{lena}:r:500000"), 11);
	UT_INT("new message", "recipients used", r.used.recipients, 3);
	st->ops->destroy(&st);
}

/* A domain the gateway has not charged in this bucket asks Redis; the limit stays exact. */
static void
test_lease_domains(void)
{
	struct rg_budget_store *st = leased("ls3:", 8);
	struct rg_budget_limits lim = { 3600, 0, 0, 2 };
	struct rg_budget_result r;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", T0, &lim, &r);
	admit(st, "lena", false, "b.example", T0 + 1, &lim, &r);
	UT_INT("new domain", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("new domain", "asked Redis", raw_int("PFCOUNT ls3:{lena}:d:500000"), 2);
	UT_INT("new domain", "asked Redis (recipients)", raw_int("GET ls3:{lena}:r:500000"),
	    2 + 8);
	admit(st, "lena", false, "c.example", T0 + 2, &lim, &r);
	UT_INT("3rd domain", "over", r.answer, RG_BUDGET_OVER);
	UT_INT("3rd domain", "kind", r.over, RG_BUDGET_DOMAINS);
	UT_INT("3rd domain", "left out", raw_int("PFCOUNT ls3:{lena}:d:500000"), 2);
	admit(st, "lena", false, "b.example", T0 + 3, &lim, &r);
	UT_INT("known domain", "admitted", r.answer, RG_BUDGET_ADMITTED);
	/* The refused recipient's prepaid unit went back to the lease. */
	UT_INT("known domain", "from the lease", raw_int("GET ls3:{lena}:r:500000"), 10);
	for (int i = 0; i < 7; i++)
		admit(st, "lena", false, "a.example", T0 + 4, &lim, &r);
	UT_INT("the lease's last 7", "from the lease", raw_int("GET ls3:{lena}:r:500000"), 10);
	admit(st, "lena", false, "a.example", T0 + 5, &lim, &r);
	UT_INT("then spent", "asked Redis", raw_int("GET ls3:{lena}:r:500000"), 10 + 1 + 8);
	st->ops->destroy(&st);
}

/* A lease ends with its bucket; what it left goes back to that bucket. */
static void
test_lease_bucket_end(void)
{
	struct rg_budget_store *st = leased("ls4:", 8);
	struct rg_budget_limits lim = { 3600, 0, 0, 0 };
	struct rg_budget_result r;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", T0 + 3599, &lim, &r);
	UT_INT("end of bucket", "charged with its lease", raw_int("GET ls4:{lena}:r:500000"), 9);
	admit(st, "lena", false, "a.example", T0 + 3600.5, &lim, &r);
	UT_INT("next bucket", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("next bucket", "the old lease returned", raw_int("GET ls4:{lena}:r:500000"), 1);
	UT_INT("next bucket", "charged there", raw_int("GET ls4:{lena}:r:500001"), 9);
	/* New limits: the lease granted under the old ones is not used. */
	lim.messages = 1000;
	admit(st, "lena", false, "a.example", T0 + 3601, &lim, &r);
	UT_INT("new limits", "asked Redis", raw_int("GET ls4:{lena}:r:500001"), 2 + 8);
	st->ops->destroy(&st);
}

/* With Redis frozen a lease still admits, at once. */
static void
test_lease_frozen(void)
{
	struct rg_budget_store *st = leased("ls5:", 8);
	struct rg_budget_limits lim = { 3600, 0, 0, 0 };
	struct rg_budget_result r;
	double t;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", T0, &lim, &r);
	CU_ASSERT_FATAL(kill(redis_pid, SIGSTOP) == 0);
	t = rg_clock_monotonic();
	admit(st, "lena", false, "a.example", T0 + 1, &lim, &r);
	t = rg_clock_monotonic() - t;
	kill(redis_pid, SIGCONT);
	UT_INT("frozen", "admitted from the lease", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("frozen", "< 20 ms", t < 0.02, 1);
	st->ops->destroy(&st);
}

/*
 * On the server's clock (as in production): the bucket from TIME, the
 * lease's end from the time left, measured on the monotonic clock.
 */
static void
test_lease_server_clock(void)
{
	char uri[600];
	struct rg_budget_store *st;
	struct rg_budget_limits lim = { 3600, 0, 0, 0 };
	struct rg_budget_result r;
	long long b = (long long)time(NULL) / 3600, sum;	/* the server runs on this host */

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	st = store_leased(uri, "ls8:", NULL, 4, 2.0, 8);
	CU_ASSERT_FATAL(st != NULL);
	admit(st, "lena", true, "a.example", 0, &lim, &r);
	for (int i = 0; i < 3; i++)
		admit(st, "lena", false, "a.example", 0, &lim, &r);
	UT_INT("server clock", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("server clock", "recipients used", r.used.recipients, 4);
	/* Both buckets, in case this ran across an hour's end. */
	sum = raw_int("GET ls8:{lena}:r:%lld", b);
	sum = (sum < 0 ? 0 : sum) + (raw_int("GET ls8:{lena}:r:%lld", b + 1) > 0 ?
	    raw_int("GET ls8:{lena}:r:%lld", b + 1) : 0);
	UT_INT("server clock", "one call: 1 + 8 leased", sum, 9);
	st->ops->destroy(&st);
}

struct warm_arg {
	struct rg_budget_store *st;
	const struct rg_budget_limits *lim;
};

static void *
warm(void *arg)
{
	struct warm_arg *w = arg;
	struct rg_budget_result r;

	for (int i = 0; i < 200; i++)
		admit(w->st, "warm", true, "a.example", T0, w->lim, &r);
	return NULL;
}

/*
 * Calls lost to a frozen Redis run when it thaws.  The first one asked
 * for a lease; until a call is answered none asks again, so a second
 * lost call (on the pool's other open connection) charges only its
 * recipient.
 */
static void
test_lease_doubt(void)
{
	char uri[600];
	struct rg_budget_store *st;
	struct rg_budget_limits lim = { 3600, 0, 0, 0 };
	struct rg_budget_result r;
	struct timespec ts = { 0, 300000000 };
	struct warm_arg w;
	pthread_t th[4];
	int base, tries;

	/* Earlier cases' connections may still be closing on the server. */
	nanosleep(&ts, NULL);
	base = raw_clients();
	snprintf(uri, sizeof(uri), "unix:%s", sock);
	st = store_leased(uri, "ls9:", NULL, 2, 0.2, 8);
	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	w.st = st;
	w.lim = &lim;
	/* Both pooled connections open: four threads on a pool of two, until the server has both. */
	for (tries = 0; tries < 20 && raw_clients() < base + 2; tries++) {
		for (int i = 0; i < 4; i++)
			pthread_create(&th[i], NULL, warm, &w);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
	}
	UT_INT("pool", "both connections open", raw_clients() >= base + 2, 1);
	for (int i = 0; i < 9; i++)
		admit(st, "lena", i == 0, "a.example", T0, &lim, &r);
	UT_INT("1 + 8 from the lease", "charged", raw_int("GET ls9:{lena}:r:500000"), 9);
	CU_ASSERT_FATAL(kill(redis_pid, SIGSTOP) == 0);
	admit(st, "lena", false, "a.example", T0 + 1, &lim, &r);
	UT_INT("frozen, 1st", "error", r.answer, RG_BUDGET_ERROR);
	admit(st, "lena", false, "a.example", T0 + 2, &lim, &r);
	UT_INT("frozen, 2nd", "error", r.answer, RG_BUDGET_ERROR);
	kill(redis_pid, SIGCONT);
	nanosleep(&ts, NULL);
	UT_INT("thawed", "9 + (1 + 8) + 1", raw_int("GET ls9:{lena}:r:500000"), 19);
	st->ops->destroy(&st);
}

#define NDOM	8

/*
 * Two gateways, a seeded sequence in one bucket (no decay: the counts
 * are exact integers).  Safety: every admit is one the exact count
 * allows.  Bound: a refusal the exact count would not make is for
 * recipients, and within one lease (the other gateway's) of the limit.
 */
static void
test_lease_gateways(void)
{
	enum { LEASE = 6 };
	struct rg_budget_store *gw[2] = { leased("ls6:", LEASE), leased("ls6:", LEASE) };
	struct rg_budget_limits lim = { 3600, 60, 150, 6 };
	const char *env = getenv("RG_SEED");
	unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) :
	    (unsigned)time(NULL) ^ (unsigned)getpid();
	unsigned m = 0, rc = 0, dbits = 0, unsafe = 0, early_bad = 0, early = 0, over = 0;
	bool open[2] = { false, false };
	char dom[NDOM][24];

	printf("lease gateways: seed %u (RG_SEED=%u to repeat)\n", seed, seed);
	CU_ASSERT_FATAL(gw[0] != NULL && gw[1] != NULL);
	for (int i = 0; i < NDOM; i++)
		snprintf(dom[i], sizeof(dom[i]), "d%d.example", i);
	srandom(seed);
	for (int step = 0; step < 400; step++) {
		int g = (int)(random() % 2), d = (int)(random() % NDOM);
		bool msg = !open[g] || random() % 4 == 0, newdom = !(dbits & (1u << d));
		enum rg_budget_kind want = RG_BUDGET_NONE;
		struct rg_budget_result r;

		if (lim.messages && m + msg > lim.messages)
			want = RG_BUDGET_MESSAGES;
		else if (rc + 1 > lim.recipients)
			want = RG_BUDGET_RECIPIENTS;
		else if (newdom && (unsigned)__builtin_popcount(dbits) + 1 > lim.domains)
			want = RG_BUDGET_DOMAINS;
		admit(gw[g], "lena", msg, dom[d], T0 + step * 0.25, &lim, &r);
		if (r.answer == RG_BUDGET_ADMITTED) {
			if (want != RG_BUDGET_NONE && unsafe++ < 5)
				printf("step %d: admitted past %s (m %u r %u)\n", step,
				    rg_budget_kind_name(want), m, rc);
			m += msg;
			rc++;
			dbits |= 1u << d;
			open[g] = true;
			continue;
		}
		over++;
		open[g] = random() % 2;
		if (r.answer == RG_BUDGET_OVER && r.over == want)
			continue;
		early++;
		if (r.answer != RG_BUDGET_OVER || r.over != RG_BUDGET_RECIPIENTS ||
		    want == RG_BUDGET_MESSAGES || rc + 1 + LEASE <= lim.recipients) {
			if (early_bad++ < 5)
				printf("step %d: refused %s, exact says %s (m %u r %u) %s\n", step,
				    rg_budget_kind_name(r.over), rg_budget_kind_name(want), m, rc,
				    r.why);
		}
	}
	printf("lease gateways: %u messages %u recipients %d domains, %u over (%u early)\n",
	    m, rc, __builtin_popcount(dbits), over, early);
	UT_INT("two gateways", "admits past a limit", unsafe, 0);
	UT_INT("two gateways", "refusals early by more than a lease", early_bad, 0);
	UT_INT("the sequence", "reaches the limits", over > 20 && rc > 100, 1);
	gw[0]->ops->destroy(&gw[0]);
	gw[1]->ops->destroy(&gw[1]);
}

/* Threads of two leased gateways, each message four recipients, far past the limit. */
#define LT_THREADS	16
#define LT_MESSAGES	40
#define LT_LIMIT	300
#define LT_LEASE	8

struct lease_worker {
	struct rg_budget_store *st;
	int admitted, errors;
};

static void *
lease_work(void *arg)
{
	struct lease_worker *w = arg;
	struct rg_budget_limits lim = { 3600, 0, LT_LIMIT, 0 };
	struct rg_budget_result r;

	for (int i = 0; i < LT_MESSAGES * 4; i++) {
		admit(w->st, "mallory", i % 4 == 0, "x.example", T0 + 1, &lim, &r);
		w->admitted += r.answer == RG_BUDGET_ADMITTED;
		w->errors += r.answer == RG_BUDGET_ERROR;
	}
	return NULL;
}

static void
test_lease_threads(void)
{
	struct rg_budget_store *gw[2] = { leased("ls7:", LT_LEASE), leased("ls7:", LT_LEASE) };
	struct lease_worker w[LT_THREADS];
	pthread_t th[LT_THREADS];
	int admitted = 0, errors = 0;
	long long in_redis;

	CU_ASSERT_FATAL(gw[0] != NULL && gw[1] != NULL);
	for (int i = 0; i < LT_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].st = gw[i % 2];
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, lease_work, &w[i]) == 0);
	}
	for (int i = 0; i < LT_THREADS; i++) {
		pthread_join(th[i], NULL);
		admitted += w[i].admitted;
		errors += w[i].errors;
	}
	in_redis = raw_int("GET ls7:{mallory}:r:500000");
	printf("lease threads: %d admitted of %d, %lld charged in Redis\n", admitted,
	    LT_THREADS * LT_MESSAGES * 4, in_redis);
	UT_INT("16 threads, 2 leased gateways", "errors", errors, 0);
	UT_INT("16 threads, 2 leased gateways", "charged <= the limit", in_redis <= LT_LIMIT, 1);
	UT_INT("16 threads, 2 leased gateways", "admitted <= charged", admitted <= in_redis, 1);
	/* What is left unused is at most one lease per gateway. */
	UT_INT("16 threads, 2 leased gateways", "admitted >= the limit - 2 leases",
	    admitted >= LT_LIMIT - 2 * LT_LEASE, 1);
	gw[0]->ops->destroy(&gw[0]);
	gw[1]->ops->destroy(&gw[1]);
}

void
lease_tests(CU_pSuite s)
{
	ut_test(s, "lease: one gateway", test_lease_single);
	ut_test(s, "lease: top-up", test_lease_topup);
	ut_test(s, "lease: domains", test_lease_domains);
	ut_test(s, "lease: bucket end and new limits", test_lease_bucket_end);
	ut_test(s, "lease: frozen Redis", test_lease_frozen);
	ut_test(s, "lease: two gateways", test_lease_gateways);
	ut_test(s, "lease: threads", test_lease_threads);
	ut_test(s, "lease: server clock", test_lease_server_clock);
	ut_test(s, "lease: lost calls", test_lease_doubt);
}
