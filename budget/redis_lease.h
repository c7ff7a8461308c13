/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_lease.h - recipients a gateway has charged in Redis ahead of use
 * (budgets.redis.lease), private to budget/redis*.c.
 *
 * When lease is N > 0, the admit script may charge up to N recipients
 * more than asked and grant them to this gateway: the login's next
 * recipients here are then admitted from the lease, in this process,
 * without a round trip.  What keeps it safe:
 *  - granted units are charged before they are used, and the script
 *    grants at most half of what is left under budgets.recipients, so
 *    no login ever gets past a limit, on any number of gateways;
 *  - only recipients are leased.  A recipient that opens a message, or
 *    whose domain this gateway has not charged in the current bucket,
 *    always asks Redis: messages and domains stay exact;
 *  - a lease lives inside the bucket it was charged to (its end comes
 *    from the server's clock, as a time left) and under the limits it was
 *    granted with; the next call for the login returns what is unused
 *    (REFUND), so a login that sends through one gateway is counted
 *    exactly.  What another gateway holds can make a login be refused
 *    up to N recipients per gateway early, never late;
 *  - units whose call failed, or a lease pushed out of its slot by
 *    another login's, are not reused: they stay charged (at most N).
 *
 * One slot per hash of the login (RG_BUDGET_LEASE_SLOTS): a login whose
 * slot another login holds simply asks Redis every time.  At most one
 * call per slot carries a lease request at a time (the slot is pending).
 *
 * Thread-safety: every function may be called from any thread at once.
 */
#ifndef RG_BUDGET_REDIS_LEASE_H
#define RG_BUDGET_REDIS_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "budget/store.h"

#define RG_BUDGET_LEASE_SLOTS	1024
/* Domains a slot remembers as charged in its bucket. */
#define RG_BUDGET_LEASE_DOMAINS	4

struct rg_budget_leases;

/* What one script call asks and returns besides the usual answer. */
struct rg_budget_lease_ticket {
	bool owner;		/* this call holds the slot pending */
	double start;		/* rg_clock_monotonic() before the call */
	uint32_t ask;		/* units asked for (0: none) */
	uint32_t refund;	/* unused units it returns */
	long long refund_bucket;
	/* filled from the reply */
	uint32_t granted;
	long long bucket;
	double left;		/* seconds until the bucket ends */
};

/* NULL when out of memory; 'size' is budgets.redis.lease (> 0). */
struct rg_budget_leases *rg_budget_leases_new(uint32_t size);
void	rg_budget_leases_free(struct rg_budget_leases **);

/*
 * Admit 'req' from LOGIN's lease: true with res filled (ADMITTED, the
 * counts the last call saw plus what the lease has admitted since), or
 * false when the lease cannot (none, spent, ended, other limits, a new
 * message, an unknown domain).  'mono' is rg_clock_monotonic().
 */
bool	rg_budget_lease_use(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_limits *, double mono, struct rg_budget_result *res);

/* Before a script call for LOGIN: what it asks for and returns (t). */
void	rg_budget_lease_begin(struct rg_budget_leases *, const char *login, double mono,
	    struct rg_budget_lease_ticket *t);

/*
 * After it: res is the answer, or NULL when the call failed.  Installs
 * the grant (when this call owned the slot) and remembers the domain
 * the call charged.
 */
void	rg_budget_lease_end(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_limits *, const struct rg_budget_lease_ticket *t,
	    const struct rg_budget_result *res);

/* After begin when no call went out: the slot is as it was before. */
void	rg_budget_lease_cancel(struct rg_budget_leases *, const char *login,
	    const struct rg_budget_lease_ticket *t);

#endif
