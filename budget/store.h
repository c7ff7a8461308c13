/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * store.h - where per-login sending budgets are counted.
 *
 * A store answers, for each recipient that every other check accepted,
 * "may LOGIN have this recipient (and, when it is the transaction's first,
 * one more message) to DOMAIN within these limits?"  When the answer is
 * yes it charges the recipient in the same step.  Checking and charging
 * are one atomic operation, so two gateways sharing a store cannot both
 * let a login past a limit by a read-then-write race.
 *
 * Counts use a sliding window approximated by two fixed buckets (the
 * arithmetic and its error bound are in policy/budget.h).  Window
 * boundaries are multiples of 'window' seconds of wall-clock time, so
 * gateways that share a store share the buckets.
 *
 * Backends: the local one (budget/local.c, this process only, bounded
 * LRU) and Redis (budget/redis.c, shared).  Each embeds struct
 * rg_budget_store as its first member.
 *
 * Thread-safety: admit() may be called from any thread at once.
 */
#ifndef RG_BUDGET_STORE_H
#define RG_BUDGET_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* rg_budget_limits, rg_budget_usage, rg_budget_kind: shared with the arithmetic. */
#include "policy/budget.h"

struct rg_budget_request {
	const char *login;	/* the SASL login, as the MTA gave it */
	bool new_message;	/* the transaction's first accepted RCPT */
	const char *domain;	/* the recipient's domain, lowercased A-labels */
	double now;		/* wall-clock seconds (CLOCK_REALTIME) */
};

enum rg_budget_answer {
	RG_BUDGET_ADMITTED,	/* charged */
	RG_BUDGET_OVER,		/* not charged: a limit is reached */
	RG_BUDGET_ERROR		/* the store could not tell; nothing charged */
};

struct rg_budget_result {
	enum rg_budget_answer answer;
	enum rg_budget_kind over;	/* which limit, when OVER */
	struct rg_budget_usage used;	/* after the charge; or the counts found */
	char why[160];			/* when ERROR: what failed, no secrets */
};

struct rg_budget_store;

struct rg_budget_store_ops {
	void	(*admit)(struct rg_budget_store *, const struct rg_budget_request *,
		    const struct rg_budget_limits *, struct rg_budget_result *r);
	void	(*destroy)(struct rg_budget_store **);
};

struct rg_budget_store {
	const struct rg_budget_store_ops *ops;
};

/* budgets.redis.lease at most. */
#define RG_BUDGET_LEASE_MAX	1000

/* Settings of the Redis backend, as parsed from budgets.redis. */
struct rg_budget_redis_settings {
	char *uri;		/* "unix:/path" or "tcp:host:port" */
	double timeout;		/* per command, seconds */
	char *key_prefix;
	char *password;		/* read from password_file at load; never logged */
	int pool_size;
	double retry_interval;	/* breaker: seconds before a probe */
	int lease;		/* recipients leased ahead of use; 0: none (redis_lease.h) */
};

#endif
