/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_lease.h - recipients a gateway has charged in Redis ahead of use
 * (budgets.redis.lease), private to budget/redis*.c.
 *
 * When lease is N > 0, script calls top the login's lease up to N
 * recipients, charged in Redis beside the call's own charge; the
 * login's next recipients here are admitted from it, in this process:
 *  - a recipient of a known domain that opens no message needs no round
 *    trip at all;
 *  - one that opens a message, or brings a domain this gateway has not
 *    charged in the current bucket, still asks Redis, which checks and
 *    charges the message and the domain, but the recipient itself is
 *    paid from the lease (PREPAID): messages and domains stay exact;
 *  - granted units are charged before they are used, and the script
 *    grants at most half of what is left under budgets.recipients, so
 *    no login ever gets past a limit, on any number of gateways.  A
 *    gateway asks Redis about a recipient only when its own lease is
 *    spent, so one gateway alone is exact; what another gateway holds
 *    can make a login be refused up to N recipients early, never late;
 *  - a lease lives inside the bucket it was charged to (its end comes
 *    from the server, as a time left) and under the limits it was
 *    granted with; the next call returns what is left (REFUND), to
 *    that bucket;
 *  - units whose call failed are never used again, and until a call is
 *    answered none asks for more: an outage strands one lease at most.
 *    A lease pushed out of its slot by another login's, or dropped with
 *    its store (a reload that changes budgets.redis, a restart), stays
 *    charged too: at most N per login.
 *
 * One slot per hash of the login (RG_BUDGET_LEASE_SLOTS): a login whose
 * slot another login holds asks Redis every time.  At most one call per
 * slot tops up at a time (the slot is pending); the lease stays usable
 * meanwhile.
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
	double start;		/* the lease clock before the call */
	bool owner;		/* this call tops up (holds the slot pending) */
	bool prepaid;		/* the recipient is paid from the lease */
	uint32_t ask;		/* units asked for (0: none) */
	uint32_t refund;	/* units of an ended lease it returns */
	long long refund_bucket;
	uint32_t held;		/* units the lease still held when it left */
	uint32_t gen;		/* the slot's generation then */
	/* filled from the reply */
	uint32_t granted;
	long long bucket;
	double left;		/* seconds until the bucket ends */
};

/* NULL when out of memory; 'size' is budgets.redis.lease (> 0). */
struct rg_budget_leases *rg_budget_leases_new(uint32_t size);
void	rg_budget_leases_free(struct rg_budget_leases **);

/*
 * Admit 'req' from LOGIN's lease without a call: true with res filled
 * (ADMITTED, the counts as of the last call plus what the lease has
 * admitted since), or false when it needs Redis.  'now' is the lease
 * clock: rg_clock_monotonic(), or the request's time for tests.
 */
bool	rg_budget_lease_use(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_limits *, double now, struct rg_budget_result *res);

/* Before a script call for req: what it asks for, returns and prepays (t). */
void	rg_budget_lease_begin(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_limits *, double now, struct rg_budget_lease_ticket *t);

/*
 * After it: res is the answer (its recipients count is corrected for
 * what the lease held), or NULL when the call failed.  Installs the
 * grant and remembers the domain the call charged.
 */
void	rg_budget_lease_end(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_limits *, const struct rg_budget_lease_ticket *t,
	    struct rg_budget_result *res);

/* After begin when no call went out: the slot is as it was before. */
void	rg_budget_lease_cancel(struct rg_budget_leases *, const struct rg_budget_request *req,
	    const struct rg_budget_lease_ticket *t);

#endif
