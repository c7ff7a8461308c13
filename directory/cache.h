/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * cache.h - a bounded, thread-safe answer cache for directory lookups.
 *
 * Keys are byte strings; values are a small int the caller encodes
 * (the cache does not know what a "mailbox" is, and knows nothing of
 * LDAP, so it can be unit-tested with an injected clock).
 *
 * Promises:
 *  - a positive entry is fresh for 'ttl' seconds, a negative one for
 *    'negative_ttl';
 *  - a positive entry older than 'ttl' but younger than 'stale_ttl' is
 *    reported as RG_CACHE_STALE: the caller may serve it only when the
 *    directory itself could not answer.  Negative entries are never stale;
 *  - at most 'max_entries' entries are held; the least recently used is
 *    evicted first (exactly LRU for small caches; large caches are split
 *    into independent stripes, each LRU on its own share);
 *  - max_entries == 0 disables the cache (every get misses).
 *
 * Thread-safety: every function may be called from any thread.  Each
 * stripe has its own mutex, held only for hash and list updates.
 */
#ifndef RG_CACHE_H
#define RG_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/clock.h"

struct rg_cache;

struct rg_cache_settings {
	double ttl;		/* positive answers, seconds; 0: not cached */
	double negative_ttl;	/* negative answers, seconds; 0: not cached */
	double stale_ttl;	/* positive answers usable during an outage; 0: never */
	size_t max_entries;
};

/* Seconds on a clock that never goes backwards (common/clock.h). */
typedef rg_clock_fn rg_cache_clock_fn;

enum rg_cache_hit {
	RG_CACHE_MISS,
	RG_CACHE_FRESH,
	RG_CACHE_STALE,
};

/*
 * Create a cache; 'clock' NULL means CLOCK_MONOTONIC.  Returns NULL
 * only when out of memory.
 */
struct rg_cache *rg_cache_new(const struct rg_cache_settings *, rg_cache_clock_fn clock,
	    void *clock_arg);

/* Free the cache and clear the pointer; NULL is fine. */
void	rg_cache_destroy(struct rg_cache **);

/*
 * Look 'key' up.  On FRESH or STALE, *positive_r, *value_r and *age_r
 * (seconds since stored) are set; any of them may be NULL.
 */
enum rg_cache_hit rg_cache_get(struct rg_cache *, const void *key, size_t keylen,
	    bool *positive_r, int *value_r, double *age_r);

/* Store or replace an answer.  Silently skipped when its TTL is 0. */
void	rg_cache_put(struct rg_cache *, const void *key, size_t keylen, bool positive,
	    int value);

/* Number of entries held now (for tests and statistics). */
size_t	rg_cache_count(struct rg_cache *);

#endif
