/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * strmap.c - open addressing with linear probing, kept under half full.
 */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"
#include "strutil.h"

struct slot {
	char *key;
	void *value;
};

struct rg_strmap {
	struct slot *slots;
	size_t cap;
	size_t count;
};

struct rg_strmap *
rg_strmap_new(void)
{
	struct rg_strmap *m = rg_xcalloc(1, sizeof(*m));

	m->cap = 16;
	m->slots = rg_xcalloc(m->cap, sizeof(*m->slots));
	return m;
}

void
rg_strmap_destroy(struct rg_strmap **mp)
{
	if (mp == NULL || *mp == NULL)
		return;
	for (size_t i = 0; i < (*mp)->cap; i++)
		free((*mp)->slots[i].key);
	free((*mp)->slots);
	free(*mp);
	*mp = NULL;
}

static struct slot *
probe(const struct rg_strmap *m, const char *key)
{
	size_t i = rg_hash_lower(key, strlen(key)) & (m->cap - 1);

	while (m->slots[i].key != NULL && !rg_strieq(m->slots[i].key, key))
		i = (i + 1) & (m->cap - 1);
	return &m->slots[i];
}

void
rg_strmap_put(struct rg_strmap *m, const char *key, void *value)
{
	struct slot *s;

	if ((m->count + 1) * 2 > m->cap) {
		struct slot *old = m->slots;
		size_t oldcap = m->cap;

		m->cap *= 2;
		m->slots = rg_xcalloc(m->cap, sizeof(*m->slots));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].key != NULL)
				*probe(m, old[i].key) = old[i];
		free(old);
	}
	s = probe(m, key);
	if (s->key == NULL) {
		s->key = rg_xstrdup(key);
		m->count++;
	}
	s->value = value;
}

bool
rg_strmap_get(const struct rg_strmap *m, const char *key, void **value_r)
{
	const struct slot *s = probe(m, key);

	if (s->key == NULL)
		return false;
	if (value_r != NULL)
		*value_r = s->value;
	return true;
}

size_t
rg_strmap_count(const struct rg_strmap *m)
{
	return m->count;
}
