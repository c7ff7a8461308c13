/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_cache.c - the answer cache on an injected clock: positive and
 * negative TTLs, stale serving, replacement, LRU eviction, the bound
 * under striping and under concurrent use.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "directory/cache.h"
#include "test_ldap.h"

static double fake_now;

static double
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static struct rg_cache *
mk(double ttl, double neg, double stale, size_t max)
{
	struct rg_cache_settings s = { ttl, neg, stale, max };

	fake_now = 1000;
	return rg_cache_new(&s, fake_clock, NULL);
}

static enum rg_cache_hit
get(struct rg_cache *c, const char *k, bool *pos, int *val)
{
	return rg_cache_get(c, k, strlen(k), pos, val, NULL);
}

static void
test_ttl(void)
{
	struct rg_cache *c = mk(10, 5, 100, 10);
	bool pos = false;
	int val = 0;
	double age = -1;

	rg_cache_put(c, "p", 1, true, 7);
	rg_cache_put(c, "n", 1, false, 0);
	fake_now += 4.9;
	CU_ASSERT_EQUAL(rg_cache_get(c, "p", 1, &pos, &val, &age), RG_CACHE_FRESH);
	CU_ASSERT(pos);
	CU_ASSERT_EQUAL(val, 7);
	CU_ASSERT_DOUBLE_EQUAL(age, 4.9, 0.001);
	CU_ASSERT_EQUAL(get(c, "n", &pos, &val), RG_CACHE_FRESH);
	CU_ASSERT(!pos);
	fake_now += 0.1;			/* negative TTL over: gone, never stale */
	CU_ASSERT_EQUAL(get(c, "n", NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_count(c), 1);
	fake_now += 5;				/* positive TTL over: stale */
	CU_ASSERT_EQUAL(get(c, "p", &pos, &val), RG_CACHE_STALE);
	CU_ASSERT(pos);
	CU_ASSERT_EQUAL(val, 7);
	fake_now += 89.9;
	CU_ASSERT_EQUAL(get(c, "p", NULL, NULL), RG_CACHE_STALE);
	fake_now += 0.1;			/* stale_ttl over: gone */
	CU_ASSERT_EQUAL(get(c, "p", NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_count(c), 0);
	CU_ASSERT_EQUAL(get(c, "never", NULL, NULL), RG_CACHE_MISS);
	rg_cache_destroy(&c);
	CU_ASSERT_PTR_NULL(c);
	rg_cache_destroy(&c);			/* NULL is fine */
}

static void
test_no_stale(void)
{
	struct rg_cache *c = mk(10, 0, 0, 10);

	rg_cache_put(c, "p", 1, true, 1);
	rg_cache_put(c, "n", 1, false, 0);	/* negative_ttl 0: not stored */
	CU_ASSERT_EQUAL(rg_cache_count(c), 1);
	fake_now += 9;
	CU_ASSERT_EQUAL(get(c, "p", NULL, NULL), RG_CACHE_FRESH);
	fake_now += 1;
	CU_ASSERT_EQUAL(get(c, "p", NULL, NULL), RG_CACHE_MISS);
	rg_cache_destroy(&c);
}

/* A fresh answer replaces the old one, whatever its sign. */
static void
test_replace(void)
{
	struct rg_cache *c = mk(10, 10, 100, 10);
	bool pos = true;
	int val = 0;

	rg_cache_put(c, "k", 1, true, 2);
	fake_now += 20;
	CU_ASSERT_EQUAL(get(c, "k", NULL, NULL), RG_CACHE_STALE);
	rg_cache_put(c, "k", 1, false, 0);
	CU_ASSERT_EQUAL(get(c, "k", &pos, &val), RG_CACHE_FRESH);
	CU_ASSERT(!pos);
	CU_ASSERT_EQUAL(rg_cache_count(c), 1);
	/* Keys are bytes: an embedded NUL separates, it does not end. */
	rg_cache_put(c, "a\0b", 3, true, 1);
	CU_ASSERT_EQUAL(rg_cache_get(c, "a\0c", 3, NULL, NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_get(c, "a", 1, NULL, NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_get(c, "a\0b", 3, NULL, NULL, NULL), RG_CACHE_FRESH);
	rg_cache_destroy(&c);
}

static void
test_lru(void)
{
	struct rg_cache *c = mk(100, 100, 100, 3);

	rg_cache_put(c, "a", 1, true, 1);
	rg_cache_put(c, "b", 1, true, 2);
	rg_cache_put(c, "c", 1, false, 0);
	CU_ASSERT_EQUAL(get(c, "a", NULL, NULL), RG_CACHE_FRESH);	/* a is now recent */
	rg_cache_put(c, "d", 1, true, 4);				/* evicts b */
	CU_ASSERT_EQUAL(rg_cache_count(c), 3);
	CU_ASSERT_EQUAL(get(c, "b", NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(get(c, "a", NULL, NULL), RG_CACHE_FRESH);
	CU_ASSERT_EQUAL(get(c, "c", NULL, NULL), RG_CACHE_FRESH);
	CU_ASSERT_EQUAL(get(c, "d", NULL, NULL), RG_CACHE_FRESH);
	rg_cache_put(c, "e", 1, true, 5);				/* evicts a */
	CU_ASSERT_EQUAL(get(c, "a", NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_count(c), 3);
	rg_cache_destroy(&c);
}

static void
test_disabled(void)
{
	struct rg_cache *c = mk(100, 100, 100, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	rg_cache_put(c, "a", 1, true, 1);
	CU_ASSERT_EQUAL(get(c, "a", NULL, NULL), RG_CACHE_MISS);
	CU_ASSERT_EQUAL(rg_cache_count(c), 0);
	rg_cache_destroy(&c);
}

/* A large (striped) cache still never holds more than max_entries. */
static void
test_bound_striped(void)
{
	struct rg_cache *c = mk(100, 100, 100, 10000);
	char k[32];
	size_t hits = 0;

	for (int i = 0; i < 50000; i++) {
		int n = snprintf(k, sizeof(k), "user%d@example.edu", i);
		rg_cache_put(c, k, (size_t)n, i % 2 == 0, i);
	}
	CU_ASSERT(rg_cache_count(c) <= 10000);
	CU_ASSERT(rg_cache_count(c) >= 9000);
	/* The most recent keys survive. */
	for (int i = 49000; i < 50000; i++) {
		int n = snprintf(k, sizeof(k), "user%d@example.edu", i);
		hits += rg_cache_get(c, k, (size_t)n, NULL, NULL, NULL) == RG_CACHE_FRESH;
	}
	CU_ASSERT_EQUAL(hits, 1000);
	rg_cache_destroy(&c);
}

static struct rg_cache *shared;

static void *
hammer(void *arg)
{
	unsigned seed = (unsigned)(size_t)arg;
	char k[32];

	for (int i = 0; i < 20000; i++) {
		int n;
		seed = seed * 1103515245u + 12345u;
		n = snprintf(k, sizeof(k), "k%u", (seed >> 8) % 5000);
		if (seed & 1)
			rg_cache_put(shared, k, (size_t)n, (seed & 2) != 0, (int)seed);
		else
			(void)rg_cache_get(shared, k, (size_t)n, NULL, NULL, NULL);
	}
	return NULL;
}

static void
test_threads(void)
{
	struct rg_cache_settings s = { 100, 100, 100, 1000 };
	pthread_t t[8];

	shared = rg_cache_new(&s, NULL, NULL);	/* the real clock */
	CU_ASSERT_PTR_NOT_NULL_FATAL(shared);
	for (size_t i = 0; i < 8; i++)
		CU_ASSERT_EQUAL(pthread_create(&t[i], NULL, hammer, (void *)(i + 1)), 0);
	for (size_t i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT(rg_cache_count(shared) <= 1000);
	CU_ASSERT(rg_cache_count(shared) > 0);
	rg_cache_destroy(&shared);
}

int
rg_test_add_cache(void)
{
	CU_pSuite s = CU_add_suite("cache", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "positive, negative and stale TTLs", test_ttl) == NULL ||
	    CU_add_test(s, "stale_ttl 0 and negative_ttl 0", test_no_stale) == NULL ||
	    CU_add_test(s, "replacement and binary keys", test_replace) == NULL ||
	    CU_add_test(s, "LRU eviction", test_lru) == NULL ||
	    CU_add_test(s, "max_entries 0 disables", test_disabled) == NULL ||
	    CU_add_test(s, "bound holds when striped", test_bound_striped) == NULL ||
	    CU_add_test(s, "concurrent use", test_threads) == NULL)
		return -1;
	return 0;
}
