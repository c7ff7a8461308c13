/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * budget.c - two-bucket sliding-window arithmetic (contract in budget.h).
 */
#include <string.h>

#include "budget.h"

int64_t
rg_budget_bucket(double now, double window)
{
	double q = now / window;
	int64_t i = (int64_t)q;

	/* floor() without libm: the cast truncates toward zero. */
	return (double)i > q ? i - 1 : i;
}

double
rg_budget_gone(double now, double window)
{
	double g = (now - (double)rg_budget_bucket(now, window) * window) / window;

	/* Rounding can land a hair outside [0, 1); the bucket is what counts. */
	return g < 0 ? 0 : g >= 1 ? 1 - 1e-12 : g;
}

double
rg_budget_estimate(double prev, double cur, double gone)
{
	return prev * (1 - gone) + cur;
}

bool
rg_budget_over(double used, uint64_t charge, uint64_t limit)
{
	return limit > 0 && charge > 0 && used + (double)charge > (double)limit;
}

enum rg_budget_kind
rg_budget_decide(const struct rg_budget_estimate *u, const struct rg_budget_charge *c,
    const struct rg_budget_limits *l)
{
	if (rg_budget_over(u->messages, c->message ? 1 : 0, l->messages))
		return RG_BUDGET_MESSAGES;
	if (rg_budget_over(u->recipients, 1, l->recipients))
		return RG_BUDGET_RECIPIENTS;
	if (rg_budget_over(u->domains, c->domain ? 1 : 0, l->domains))
		return RG_BUDGET_DOMAINS;
	return RG_BUDGET_NONE;
}

uint64_t
rg_budget_round(double e)
{
	return e <= 0 ? 0 : (uint64_t)(e + 0.5);
}

uint64_t
rg_budget_limit_of(const struct rg_budget_limits *l, enum rg_budget_kind k)
{
	switch (k) {
	case RG_BUDGET_MESSAGES:	return l->messages;
	case RG_BUDGET_RECIPIENTS:	return l->recipients;
	case RG_BUDGET_DOMAINS:		return l->domains;
	case RG_BUDGET_NONE:		break;
	}
	return 0;
}

const char *
rg_budget_kind_name(enum rg_budget_kind k)
{
	switch (k) {
	case RG_BUDGET_MESSAGES:	return "messages";
	case RG_BUDGET_RECIPIENTS:	return "recipients";
	case RG_BUDGET_DOMAINS:		return "domains";
	case RG_BUDGET_NONE:		break;
	}
	return "none";
}

static void
refuse(struct rg_verdict *v, const char *reason, const char *code, const char *xcode,
    const char *text)
{
	memset(v, 0, sizeof(*v));
	v->action = RG_ACT_TEMPFAIL;
	v->logged = RG_LOGGED_TEMPFAIL;
	v->reason = reason;
	v->code = code;
	v->xcode = xcode;
	v->text = text;
	v->notable = true;
}

void
rg_budget_verdict(const struct rg_policy *p, bool monitor, bool alert, struct rg_verdict *v)
{
	refuse(v, "login-budget", "451", "4.7.1", RG_BUDGET_REPLY);
	if (monitor || rg_policy_monitor(p)) {
		v->action = RG_ACT_CONTINUE;
		v->logged = RG_LOGGED_WOULD_TEMPFAIL;
	}
	v->warning = alert;
}
