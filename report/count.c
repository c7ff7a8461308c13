/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * count.c - chained hash counters that double as they fill.
 */
#include <stdlib.h>
#include <string.h>

#include "count.h"
#include "common/strutil.h"

static size_t
hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

void
rg_cnt_init(struct rg_cnt *t)
{
	memset(t, 0, sizeof(*t));
}

void
rg_cnt_free(struct rg_cnt *t)
{
	for (size_t i = 0; i < t->nslots; i++) {
		struct rg_cnt_ent *e = t->slot[i], *nx;

		for (; e != NULL; e = nx) {
			nx = e->next;
			free(e->key);
			free(e->aux);
			free(e);
		}
	}
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static void
grow(struct rg_cnt *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 16;
	struct rg_cnt_ent **s = rg_xcalloc(n, sizeof(*s));

	for (size_t i = 0; i < t->nslots; i++) {
		struct rg_cnt_ent *e = t->slot[i], *nx;

		for (; e != NULL; e = nx) {
			size_t h = hash(e->key) & (n - 1);

			nx = e->next;
			e->next = s[h];
			s[h] = e;
		}
	}
	free(t->slot);
	t->slot = s;
	t->nslots = n;
}

struct rg_cnt_ent *
rg_cnt_add(struct rg_cnt *t, const char *key, time_t when)
{
	struct rg_cnt_ent *e;
	size_t h;

	if (t->nslots != 0)
		for (e = t->slot[hash(key) & (t->nslots - 1)]; e != NULL; e = e->next)
			if (strcmp(e->key, key) == 0)
				goto found;
	if (t->count >= RG_CNT_MAX) {
		t->dropped++;
		return NULL;
	}
	if (t->count >= t->nslots)
		grow(t);
	e = rg_xcalloc(1, sizeof(*e));
	e->key = rg_xstrdup(key);
	e->first = when;
	h = hash(key) & (t->nslots - 1);
	e->next = t->slot[h];
	t->slot[h] = e;
	t->count++;
found:
	e->n++;
	if (when < e->first)
		e->first = when;
	if (when > e->last)
		e->last = when;
	return e;
}

void
rg_cnt_set_aux(struct rg_cnt_ent *e, const char *aux)
{
	if (e->aux != NULL && aux != NULL && strcmp(e->aux, aux) == 0)
		return;
	free(e->aux);
	e->aux = aux != NULL ? rg_xstrdup(aux) : NULL;
}

static int
by_count(const void *a, const void *b)
{
	const struct rg_cnt_ent *x = *(struct rg_cnt_ent *const *)a;
	const struct rg_cnt_ent *y = *(struct rg_cnt_ent *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct rg_cnt_ent **
rg_cnt_sorted(const struct rg_cnt *t, size_t *n_r)
{
	struct rg_cnt_ent **v = rg_xcalloc(t->count + 1, sizeof(*v));
	size_t k = 0;

	for (size_t i = 0; i < t->nslots; i++)
		for (struct rg_cnt_ent *e = t->slot[i]; e != NULL; e = e->next)
			v[k++] = e;
	qsort(v, k, sizeof(*v), by_count);
	*n_r = k;
	return v;
}
