/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * local.h - the local budget store: this process's own counts, bounded.
 *
 * Promises:
 *  - at most 'max_logins' logins are held.  When a new login arrives and
 *    the store is full, the least recently charged login is dropped, and
 *    with it all its counts: if it comes back it starts again from zero.
 *    Large stores (max_logins >= RG_BUDGET_LOCAL_STRIPED) are split into
 *    RG_BUDGET_LOCAL_STRIPES stripes by a hash of the login, each with
 *    its own LRU list: a full store drops the least recent login of the
 *    new login's stripe, so eviction is LRU within a stripe (exactly LRU
 *    for a small store).  Threads adding logins to a full store at once
 *    may pass the bound by one login per stripe.  Each eviction is
 *    counted for relayguard -S;
 *  - every login costs the same, whatever its length: a login longer
 *    than RG_BUDGET_LOCAL_KEY_MAX bytes is held as its first bytes plus
 *    a 128-bit keyed digest.  100,000 logins cost about 25 MiB
 *    (tests/unit/test_budget.c measures it with mallinfo2() and fails
 *    above 32 MiB);
 *  - distinct recipient domains are counted per bucket in a linear
 *    counting bitmap of RG_BUDGET_LOCAL_DOMAIN_BITS bits (64 bytes): a
 *    domain sets one bit chosen by a keyed hash, and the count is
 *    estimated as -m ln(zero bits / m).  Its standard error is about
 *    3 % at 100 domains and 5 % at 1,000 (the largest budgets.domains
 *    accepted); two domains on one bit count as one, so a login may
 *    send to a few more distinct domains than the limit, never fewer.
 *    A domain in both buckets is counted in both;
 *  - the hash key is random per process, so recipients cannot be chosen
 *    to land on one bit; only -T fixes it, to print the same every run.
 *
 * Thread-safety: every function may be called from any thread.  Each
 * stripe has one mutex, held only for a hash lookup and a few
 * additions; nothing slow ever runs under it.
 */
#ifndef RG_BUDGET_LOCAL_H
#define RG_BUDGET_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget/store.h"

/* budgets.max_logins: default and the largest accepted. */
#define RG_BUDGET_MAX_LOGINS_DEFAULT	100000
#define RG_BUDGET_MAX_LOGINS_MAX	10000000
#define RG_BUDGET_LOCAL_STRIPED		4096
#define RG_BUDGET_LOCAL_STRIPES		16
#define RG_BUDGET_LOCAL_KEY_MAX		47
#define RG_BUDGET_LOCAL_DOMAIN_BITS	512

/* A store for at most max_logins (>= 1) logins; aborts when out of memory. */
struct rg_budget_store *rg_budget_local_new(size_t max_logins);

/*
 * Add 'add' to LOGIN's current bucket as if that much mail had been
 * admitted, whatever the limits: add->domains distinct synthetic domains
 * ("budget-preset-N.invalid").  For relayguard -T's budget= key, so the
 * decision that follows is the store's own.
 */
void	rg_budget_local_charge(struct rg_budget_store *, const char *login,
	    const struct rg_budget_usage *add, double now, double window);

/*
 * True the first time it is asked for LOGIN and this bucket, false after:
 * "log the crossing once per login and window".  A login evicted since
 * is asked afresh.
 */
bool	rg_budget_local_first_alert(struct rg_budget_store *, const char *login,
	    int64_t bucket);

/* Logins held now. */
size_t	rg_budget_local_count(struct rg_budget_store *);

/*
 * Use 'key' instead of a random hash key.  Only before the first store
 * is used (later calls change nothing); for -T and the unit tests.
 */
void	rg_budget_local_fixed_key(uint64_t key);

#endif
