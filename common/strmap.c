/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* strmap.c - see strmap.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/strmap.h"
#include "common/strutil.h"

/*
 * Probing reads only 'tags', four bytes a slot: a slot's tag is 0 when it
 * is empty, else high bits of its key's hash (never 0).  A lookup that
 * misses, the common case for the network set, which asks once per
 * prefix length, so touches no key at all.
 */
/* Keys up to INLINE_MAX bytes live in the entry itself: a hit reads one line. */
#define INLINE_MAX	23

struct entry {
	void *value;
	size_t len;
	union {
		unsigned char *ptr;	/* len > INLINE_MAX: a NUL-terminated copy */
		unsigned char inl[INLINE_MAX + 1];
	} k;
};

static inline const unsigned char *
key_of(const struct entry *e)
{
	return e->len > INLINE_MAX ? e->k.ptr : e->k.inl;
}

struct rg_strmap {
	uint32_t *tags;
	struct entry *ents;
	size_t cap;		/* a power of two */
	size_t count;
	bool exact;
};

static inline unsigned char
fold(bool exact, unsigned char c)
{
	return !exact && c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static inline uint64_t
hash(bool exact, const unsigned char *k, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	/* Two loops, so the exact one (network keys) tests nothing per byte. */
	if (exact) {
		for (size_t i = 0; i < n; i++)
			h = (h ^ k[i]) * 0x100000001b3ULL;
	} else {
		for (size_t i = 0; i < n; i++)
			h = (h ^ fold(false, k[i])) * 0x100000001b3ULL;
	}
	return h ^ (h >> 29) ^ (h >> 47);
}

static inline uint32_t
tag_of(uint64_t h)
{
	return (uint32_t)(h >> 32) | 1;
}

static bool
same(bool exact, const struct entry *e, const unsigned char *k, size_t n)
{
	const unsigned char *ek = key_of(e);

	if (e->len != n)
		return false;
	if (exact)
		return memcmp(ek, k, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (fold(false, ek[i]) != fold(false, k[i]))
			return false;
	return true;
}

/* The slot holding key[0..n), or the empty slot where it would go. */
static size_t
probe(const struct rg_strmap *m, const unsigned char *k, size_t n, uint64_t h)
{
	uint32_t tag = tag_of(h);
	size_t i = (size_t)h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		if (m->tags[i] == 0 || (m->tags[i] == tag && same(m->exact, &m->ents[i], k, n)))
			return i;
	}
}

static struct rg_strmap *
map_new(bool exact)
{
	struct rg_strmap *m = rg_xcalloc(1, sizeof(*m));

	m->cap = 16;
	m->tags = rg_xcalloc(m->cap, sizeof(*m->tags));
	m->ents = rg_xcalloc(m->cap, sizeof(*m->ents));
	m->exact = exact;
	return m;
}

struct rg_strmap *rg_strmap_new(void) { return map_new(false); }
struct rg_strmap *rg_strmap_new_exact(void) { return map_new(true); }

void
rg_strmap_destroy(struct rg_strmap **mp)
{
	if (mp == NULL || *mp == NULL)
		return;
	for (size_t i = 0; i < (*mp)->cap; i++)
		if ((*mp)->tags[i] != 0 && (*mp)->ents[i].len > INLINE_MAX)
			free((*mp)->ents[i].k.ptr);
	free((*mp)->ents);
	free((*mp)->tags);
	free(*mp);
	*mp = NULL;
}

static void
grow(struct rg_strmap *m)
{
	uint32_t *otags = m->tags;
	struct entry *oents = m->ents;
	size_t ocap = m->cap;

	m->cap *= 2;
	m->tags = rg_xcalloc(m->cap, sizeof(*m->tags));
	m->ents = rg_xcalloc(m->cap, sizeof(*m->ents));
	for (size_t i = 0; i < ocap; i++) {
		if (otags[i] != 0) {
			const unsigned char *k = key_of(&oents[i]);
			uint64_t h = hash(m->exact, k, oents[i].len);
			size_t j = probe(m, k, oents[i].len, h);

			m->tags[j] = otags[i];
			m->ents[j] = oents[i];
		}
	}
	free(otags);
	free(oents);
}

void
rg_strmap_putn(struct rg_strmap *m, const void *key, size_t n, void *value)
{
	uint64_t h;
	size_t i;

	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	h = hash(m->exact, key, n);
	i = probe(m, key, n, h);
	if (m->tags[i] == 0) {
		struct entry *e = &m->ents[i];
		unsigned char *copy = e->k.inl;

		if (n > INLINE_MAX && (copy = e->k.ptr = malloc(n + 1)) == NULL)
			abort();
		memcpy(copy, key, n);
		copy[n] = '\0';
		e->len = n;
		m->tags[i] = tag_of(h);
		m->count++;
	}
	m->ents[i].value = value;
}

bool
rg_strmap_getn(const struct rg_strmap *m, const void *key, size_t n, void **value_r)
{
	size_t i;

	if (m->count == 0)
		return false;
	i = probe(m, key, n, hash(m->exact, key, n));
	if (m->tags[i] == 0)
		return false;
	if (value_r != NULL)
		*value_r = m->ents[i].value;
	return true;
}

void
rg_strmap_put(struct rg_strmap *m, const char *key, void *value)
{
	rg_strmap_putn(m, key, strlen(key), value);
}

bool
rg_strmap_get(const struct rg_strmap *m, const char *key, void **value_r)
{
	return rg_strmap_getn(m, key, strlen(key), value_r);
}

size_t
rg_strmap_count(const struct rg_strmap *m)
{
	return m->count;
}
