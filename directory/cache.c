/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * cache.c - bounded LRU answer cache, striped so that milter threads
 * looking up different recipients rarely wait on one another.
 *
 * Each stripe is a chained hash table plus a doubly linked LRU list
 * (head = most recent).  Expired entries are dropped lazily when they
 * are looked up or reach the LRU tail; the bound holds either way.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#include "common/clock.h"
#include "common/stats.h"
#include "directory/cache.h"

/* Below this, one stripe keeps eviction exactly LRU (and testable). */
#define STRIPE_THRESHOLD	4096
#define NSTRIPES_LARGE		16

struct entry {
	struct entry *hnext;		/* hash chain */
	struct entry *prev, *next;	/* LRU list */
	uint64_t hash;
	double stored;
	int value;
	bool positive;
	size_t keylen;
	unsigned char key[];
};

struct stripe {
	pthread_mutex_t lock;
	struct entry **buckets;
	size_t mask;
	struct entry *head, *tail;
	size_t count, cap;
};

struct rg_cache {
	struct rg_cache_settings set;
	rg_cache_clock_fn clock;
	void *clock_arg;
	uint64_t seed;
	size_t nstripes;
	struct stripe *stripes;
};

/*
 * FNV-1a with a per-cache random seed: recipients are attacker-chosen,
 * and a fixed hash would let them aim every key at one chain.
 */
static uint64_t
hash_key(uint64_t seed, const unsigned char *k, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= k[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h;
}

static void
lru_unlink(struct stripe *s, struct entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		s->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		s->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
lru_push_front(struct stripe *s, struct entry *e)
{
	e->prev = NULL;
	e->next = s->head;
	if (s->head != NULL)
		s->head->prev = e;
	s->head = e;
	if (s->tail == NULL)
		s->tail = e;
}

static struct entry **
chain_find(struct stripe *s, uint64_t h, const void *key, size_t keylen)
{
	struct entry **pp = &s->buckets[h & s->mask];

	for (; *pp != NULL; pp = &(*pp)->hnext) {
		struct entry *e = *pp;
		if (e->hash == h && e->keylen == keylen && memcmp(e->key, key, keylen) == 0)
			return pp;
	}
	return pp;
}

/* Unlink an entry from both structures and free it. */
static void
entry_drop(struct stripe *s, struct entry *e)
{
	struct entry **pp = chain_find(s, e->hash, e->key, e->keylen);

	if (*pp == e)
		*pp = e->hnext;
	lru_unlink(s, e);
	s->count--;
	free(e);
}

static struct stripe *
stripe_of(struct rg_cache *c, uint64_t h)
{
	return &c->stripes[(h >> 48) % c->nstripes];
}

struct rg_cache *
rg_cache_new(const struct rg_cache_settings *set, rg_cache_clock_fn clock, void *clock_arg)
{
	struct rg_cache *c = calloc(1, sizeof(*c));
	size_t per, nb;

	if (c == NULL)
		return NULL;
	c->set = *set;
	c->clock = clock != NULL ? clock : rg_clock_default;
	c->clock_arg = clock_arg;
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)c;
	c->nstripes = set->max_entries >= STRIPE_THRESHOLD ? NSTRIPES_LARGE : 1;
	per = (set->max_entries + c->nstripes - 1) / c->nstripes;
	for (nb = 16; nb < per && nb < ((size_t)1 << 24); nb <<= 1)
		;
	c->stripes = calloc(c->nstripes, sizeof(*c->stripes));
	if (c->stripes == NULL)
		goto fail;
	for (size_t i = 0; i < c->nstripes; i++) {
		struct stripe *s = &c->stripes[i];
		s->cap = per;
		s->mask = nb - 1;
		if (set->max_entries > 0 && (s->buckets = calloc(nb, sizeof(*s->buckets))) == NULL)
			goto fail;
		pthread_mutex_init(&s->lock, NULL);
	}
	return c;
fail:
	if (c->stripes != NULL)
		for (size_t i = 0; i < c->nstripes; i++)
			free(c->stripes[i].buckets);
	free(c->stripes);
	free(c);
	return NULL;
}

void
rg_cache_destroy(struct rg_cache **cp)
{
	struct rg_cache *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	for (size_t i = 0; i < c->nstripes; i++) {
		struct stripe *s = &c->stripes[i];
		struct entry *e, *next;
		for (e = s->head; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
		free(s->buckets);
		pthread_mutex_destroy(&s->lock);
	}
	free(c->stripes);
	free(c);
	*cp = NULL;
}

/* How long an entry may be kept at all: its TTL, or stale_ttl for positives. */
static double
retention(const struct rg_cache *c, bool positive)
{
	if (!positive)
		return c->set.negative_ttl;
	return c->set.stale_ttl > c->set.ttl ? c->set.stale_ttl : c->set.ttl;
}

enum rg_cache_hit
rg_cache_get(struct rg_cache *c, const void *key, size_t keylen, bool *positive_r,
    int *value_r, double *age_r)
{
	enum rg_cache_hit hit = RG_CACHE_MISS;
	uint64_t h;
	struct stripe *s;
	struct entry *e;
	double now, age;

	if (c == NULL || c->set.max_entries == 0)
		return RG_CACHE_MISS;
	h = hash_key(c->seed, key, keylen);
	s = stripe_of(c, h);
	now = c->clock(c->clock_arg);
	pthread_mutex_lock(&s->lock);
	e = *chain_find(s, h, key, keylen);
	if (e != NULL) {
		age = now - e->stored;
		if (age < 0)
			age = 0;
		if (age >= retention(c, e->positive)) {
			entry_drop(s, e);
			rg_stats_cache(RG_STATS_CACHE_EXPIRE);
		} else {
			hit = age < (e->positive ? c->set.ttl : c->set.negative_ttl) ?
			    RG_CACHE_FRESH : RG_CACHE_STALE;
			lru_unlink(s, e);
			lru_push_front(s, e);
			if (positive_r != NULL)
				*positive_r = e->positive;
			if (value_r != NULL)
				*value_r = e->value;
			if (age_r != NULL)
				*age_r = age;
		}
	}
	pthread_mutex_unlock(&s->lock);
	rg_stats_cache(hit == RG_CACHE_FRESH ? RG_STATS_CACHE_HIT : RG_STATS_CACHE_MISS);
	return hit;
}

void
rg_cache_put(struct rg_cache *c, const void *key, size_t keylen, bool positive, int value)
{
	uint64_t h;
	struct stripe *s;
	struct entry **pp, *e, *fresh;
	double now;

	if (c == NULL || c->set.max_entries == 0 || retention(c, positive) <= 0)
		return;
	h = hash_key(c->seed, key, keylen);
	s = stripe_of(c, h);
	now = c->clock(c->clock_arg);
	/* Allocate before locking: malloc may be slow, the lock must not be. */
	fresh = malloc(sizeof(*fresh) + keylen);
	if (fresh == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	pp = chain_find(s, h, key, keylen);
	if ((e = *pp) != NULL) {
		e->stored = now;
		e->positive = positive;
		e->value = value;
		lru_unlink(s, e);
		lru_push_front(s, e);
		pthread_mutex_unlock(&s->lock);
		free(fresh);
		return;
	}
	e = fresh;
	e->hash = h;
	e->stored = now;
	e->positive = positive;
	e->value = value;
	e->keylen = keylen;
	memcpy(e->key, key, keylen);
	e->hnext = NULL;
	*pp = e;
	lru_push_front(s, e);
	s->count++;
	while (s->count > s->cap && s->tail != NULL) {
		entry_drop(s, s->tail);
		rg_stats_cache(RG_STATS_CACHE_EVICT);
	}
	pthread_mutex_unlock(&s->lock);
}

size_t
rg_cache_count(struct rg_cache *c)
{
	size_t n = 0;

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < c->nstripes; i++) {
		pthread_mutex_lock(&c->stripes[i].lock);
		n += c->stripes[i].count;
		pthread_mutex_unlock(&c->stripes[i].lock);
	}
	return n;
}
