/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * count.h - string-keyed counters for relayguard -R.
 *
 * One hash table per thing counted (clients, domains, networks, ...), so
 * memory grows with the number of distinct keys, never with the input.
 * Keys are compared exactly (callers lower-case what is case-blind).
 * Past RG_CNT_MAX keys a table stops adding and counts the rest in
 * 'dropped', which the report prints.  Single-threaded.
 */
#ifndef RG_REPORT_COUNT_H
#define RG_REPORT_COUNT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RG_CNT_MAX	1000000

struct rg_cnt_ent {
	char *key;
	uint64_t n;
	time_t first, last;
	char *aux;		/* one string the caller keeps per key (last TLS, last client) */
	struct rg_cnt_ent *next;
};

struct rg_cnt {
	struct rg_cnt_ent **slot;
	size_t nslots, count;
	uint64_t dropped;
};

void	rg_cnt_init(struct rg_cnt *);
void	rg_cnt_free(struct rg_cnt *);
/* Count one at 'when'; returns the entry, or NULL when the table is full. */
struct rg_cnt_ent *rg_cnt_add(struct rg_cnt *, const char *key, time_t when);
/* Replace an entry's aux string (copied). */
void	rg_cnt_set_aux(struct rg_cnt_ent *, const char *aux);
/* Every entry, most counted first, then by key; free() the array. */
struct rg_cnt_ent **rg_cnt_sorted(const struct rg_cnt *, size_t *n_r);

#endif
