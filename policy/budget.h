/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * budget.h - the arithmetic of per-login sending budgets: a sliding
 * window approximated by two fixed buckets, and the pure decision
 * "which limit, if any, would this charge take past its limit".
 *
 * Buckets.  Time is cut into fixed windows of W seconds, bucket index
 * floor(now / W), so every gateway that shares a store shares the cuts.
 * A login's count over the sliding window (now - W, now] is estimated
 * from its current bucket C and the one before it P as
 *
 *	estimate = P * (1 - g) + C,	g = (now - index * W) / W
 *
 * (g: the part of the current bucket gone by).  The estimate assumes P's
 * events were spread evenly over their bucket.
 *
 * Error bound.  The exact sliding count is C plus the part of P that
 * happened in the last (1 - g) * W seconds of P's bucket, anything from
 * 0 to P; so
 *
 *	| estimate - exact | <= P * max(g, 1 - g) <= P
 *
 * and since the store never lets an estimate pass the limit L, P <= L:
 * in the worst case (all of P in the last instant of its bucket, read
 * just after the cut) a login gets up to L more than L in one sliding
 * window, and in the opposite case it is held back by up to L.  For
 * mail spread over the hour the error is zero on average; the unit test
 * measures it on a seeded random sequence (tests/unit/test_budget.c).
 * Counts older than two windows are gone entirely.
 *
 * Decision.  A charge of k on a count with estimate E and limit L is
 * refused when L > 0, k > 0 and E + k > L: a login at exactly L - 1 gets
 * one more, at L none.  Limits are checked in the order messages,
 * recipients, domains; the first reached is the one reported.  A charge
 * that is refused charges nothing at all.
 *
 * Pure: no clock (the caller passes 'now'), no I/O, no state.  The
 * Redis backend runs the same arithmetic in Lua (budget/redis_script.c).
 */
#ifndef RG_POLICY_BUDGET_H
#define RG_POLICY_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

struct rg_budget_limits {
	double window;		/* seconds */
	uint64_t messages;	/* per login per window; 0: unlimited */
	uint64_t recipients;
	uint64_t domains;	/* distinct recipient domains */
};

struct rg_budget_usage {
	uint64_t messages;
	uint64_t recipients;
	uint64_t domains;
};

enum rg_budget_kind {
	RG_BUDGET_NONE,
	RG_BUDGET_MESSAGES,
	RG_BUDGET_RECIPIENTS,
	RG_BUDGET_DOMAINS
};

/* Sliding-window estimates, before rounding. */
struct rg_budget_estimate {
	double messages;
	double recipients;
	double domains;
};

/* What one accepted recipient would add. */
struct rg_budget_charge {
	bool message;		/* the transaction's first accepted RCPT */
	bool domain;		/* a domain not yet in the current bucket */
};

/* Seconds of the longest window a budget may have (one week). */
#define RG_BUDGET_WINDOW_MAX	(7 * 86400)

/* The bucket 'now' falls in: floor(now / window).  window > 0. */
int64_t	rg_budget_bucket(double now, double window);

/* The part of the current bucket gone by at 'now', in [0, 1). */
double	rg_budget_gone(double now, double window);

/* P * (1 - gone) + C, with gone from rg_budget_gone(). */
double	rg_budget_estimate(double prev, double cur, double gone);

/* E + charge > limit, for a limit that is set and a charge that is made. */
bool	rg_budget_over(double used, uint64_t charge, uint64_t limit);

/*
 * The first limit this charge would pass (messages, recipients, then
 * domains), or RG_BUDGET_NONE when it may be charged.  A recipient always
 * charges one recipient.
 */
enum rg_budget_kind rg_budget_decide(const struct rg_budget_estimate *used,
	    const struct rg_budget_charge *charge, const struct rg_budget_limits *limits);

/* An estimate as the logs and replies show it: rounded to the nearest count. */
uint64_t rg_budget_round(double estimate);

/* The limit that 'kind' names, and its name ("messages", ...; "none"). */
uint64_t rg_budget_limit_of(const struct rg_budget_limits *, enum rg_budget_kind);
const char *rg_budget_kind_name(enum rg_budget_kind);

/* The reply to a recipient over budget (451 4.7.1). */
#define RG_BUDGET_REPLY \
	"This account has reached its sending limit for now. " \
	"Please try again later, or contact the postmaster if you need to send more"

/*
 * The verdict for a recipient over budget: 451 4.7.1, reason
 * "login-budget", a tempfail so that a real user's mail waits instead of
 * bouncing.  'monitor' (budgets.mode = "monitor"), like the policy's own
 * monitor mode, turns it into would-tempfail with the recipient accepted.
 * 'alert' marks the login's first crossing in this window: the one line
 * logged at warning level; every later refusal is notable but not a
 * warning.
 */
void	rg_budget_verdict(const struct rg_policy *, bool monitor, bool alert,
	    struct rg_verdict *v_r);

#endif
