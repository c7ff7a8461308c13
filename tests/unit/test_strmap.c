/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_strmap.c - the one hash table (common/strmap.h) that the domain
 * and network sets, the file directory and the tools share: folded and
 * exact keys, keys with NUL bytes, lookups by a prefix of a longer
 * string, replacement, growth, and keys that differ only in high bits
 * (which plain FNV-1a under a mask cannot tell apart).
 */
#include <stdint.h>

#include "unit.h"
#include "common/strmap.h"

struct probe {
	const char *key;
	size_t n;		/* 0: strlen(key) */
	bool in;
	long value;		/* wanted when 'in' */
};

static void
probe_all(const char *row, const struct rg_strmap *m, const struct probe *p, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		char what[160];
		void *v = (void *)-1;
		size_t n = p[i].n > 0 ? p[i].n : strlen(p[i].key);
		bool in = rg_strmap_getn(m, p[i].key, n, &v);

		snprintf(what, sizeof(what), "get \"%.*s\" (%zu bytes)", (int)n, p[i].key, n);
		UT_INT(row, what, in, p[i].in);
		if (p[i].in && in)
			UT_INT(row, what, (long)(intptr_t)v, p[i].value);
		if (!in)
			UT_INT(row, "a miss leaves the value alone", v == (void *)-1, true);
	}
}

static void
test_folded(void)
{
	struct rg_strmap *m = rg_strmap_new();
	static const struct probe p[] = {
		{ "alice@example.edu", 0, true, 1 }, { "ALICE@EXAMPLE.EDU", 0, true, 1 },
		{ "Bob", 0, true, 2 }, { "bob", 0, true, 2 }, { "bo", 0, false, 0 },
		{ "bobb", 0, false, 0 }, { "", 0, false, 0 },
		/* a prefix of a longer string, as domset asks for ".example.edu" */
		{ "example.edu.x", 11, true, 3 }, { "EXAMPLE.EDU", 0, true, 3 },
		/* only ASCII folds */
		{ "\xc3\x84rger", 0, true, 4 }, { "\xc3\xa4rger", 0, false, 0 },
	};

	UT_INT("folded", "empty count", rg_strmap_count(m), 0);
	UT_INT("folded", "empty map misses", rg_strmap_get(m, "x", NULL), false);
	rg_strmap_put(m, "Alice@Example.EDU", (void *)1);
	rg_strmap_put(m, "bob", (void *)9);
	rg_strmap_put(m, "BOB", (void *)2);	/* the same key: replaced */
	rg_strmap_put(m, "example.edu", (void *)3);
	rg_strmap_put(m, "\xc3\x84rger", (void *)4);
	UT_INT("folded", "count", rg_strmap_count(m), 4);
	probe_all("folded", m, p, UT_NROWS(p));
	rg_strmap_destroy(&m);
	UT_INT("folded", "destroy clears the pointer", m == NULL, true);
}

static void
test_exact(void)
{
	struct rg_strmap *m = rg_strmap_new_exact();
	static const struct probe p[] = {
		{ "Alice", 0, true, 1 }, { "alice", 0, false, 0 }, { "ALICE", 0, false, 0 },
		{ "\0a\0", 3, true, 2 }, { "\0a", 2, false, 0 }, { "\0A\0", 3, false, 0 },
		{ "\0a\0\0", 4, false, 0 }, { "", 0, true, 3 },
	};

	rg_strmap_put(m, "Alice", (void *)1);
	rg_strmap_putn(m, "\0a\0", 3, (void *)2);
	rg_strmap_putn(m, "", 0, (void *)3);
	UT_INT("exact", "count", rg_strmap_count(m), 3);
	probe_all("exact", m, p, UT_NROWS(p));
	rg_strmap_destroy(&m);
}

/* 4 + 256 keys that differ only in the top bit of one byte, or in one high byte. */
static void
test_high_bits(void)
{
	struct rg_strmap *m = rg_strmap_new_exact();
	unsigned char k[6] = { 4, 24, 10, 0, 0, 0 };
	int found = 0, wrong = 0;

	for (int i = 0; i < 256; i++) {
		k[3] = (unsigned char)i;
		rg_strmap_putn(m, k, sizeof(k), (void *)(intptr_t)(i + 1));
	}
	UT_INT("high bits", "count", rg_strmap_count(m), 256);
	for (int i = 0; i < 256; i++) {
		void *v = NULL;

		k[3] = (unsigned char)i;
		found += rg_strmap_getn(m, k, sizeof(k), &v);
		wrong += (intptr_t)v != i + 1;
	}
	UT_INT("high bits", "all found", found, 256);
	UT_INT("high bits", "each its own value", wrong, 0);
	k[2] = 11;
	UT_INT("high bits", "a neighbour misses", rg_strmap_getn(m, k, sizeof(k), NULL), false);
	rg_strmap_destroy(&m);
}

/* Growth: every key survives each doubling, and nothing else appears. */
static void
test_growth(void)
{
	struct rg_strmap *m = rg_strmap_new();
	char key[32];
	int found = 0, wrong = 0, ghosts = 0;

	for (int i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "user%d@Example.EDU", i);
		rg_strmap_put(m, key, (void *)(intptr_t)i);
	}
	UT_INT("growth", "count", rg_strmap_count(m), 20000);
	for (int i = 0; i < 20000; i++) {
		void *v = NULL;

		snprintf(key, sizeof(key), "USER%d@example.edu", i);
		found += rg_strmap_get(m, key, &v);
		wrong += (intptr_t)v != i;
		snprintf(key, sizeof(key), "user%d@example.edu.", i);
		ghosts += rg_strmap_get(m, key, NULL);
	}
	UT_INT("growth", "all found", found, 20000);
	UT_INT("growth", "each its own value", wrong, 0);
	UT_INT("growth", "no ghosts", ghosts, 0);
	rg_strmap_destroy(&m);
}

void
add_strmap_suite(void)
{
	CU_pSuite s = ut_suite("strmap");

	ut_test(s, "folded keys", test_folded);
	ut_test(s, "exact keys, NUL bytes", test_exact);
	ut_test(s, "keys that differ in high bits", test_high_bits);
	ut_test(s, "growth", test_growth);
}
