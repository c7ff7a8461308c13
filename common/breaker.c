/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* breaker.c - see breaker.h. */
#include "common/breaker.h"

void
rg_breaker_init(struct rg_breaker *b, int threshold, double interval)
{
	b->threshold = threshold > 0 ? threshold : 1;
	b->interval = interval;
	b->failures = 0;
	b->open = false;
	b->probing = false;
	b->retry_at = 0;
}

bool
rg_breaker_skipping(const struct rg_breaker *b, double now)
{
	return b->open && (b->probing || now < b->retry_at);
}

enum rg_breaker_gate
rg_breaker_enter(struct rg_breaker *b, double now)
{
	if (!b->open)
		return RG_BREAKER_PASS;
	if (rg_breaker_skipping(b, now))
		return RG_BREAKER_SKIP;
	b->probing = true;
	return RG_BREAKER_PROBE;
}

bool
rg_breaker_success(struct rg_breaker *b)
{
	bool was_open = b->open;

	b->probing = false;
	b->open = false;
	b->failures = 0;
	return was_open;
}

bool
rg_breaker_failure(struct rg_breaker *b, double now)
{
	b->probing = false;
	/* Saturate: a server dead for a year must not wrap the count. */
	if (b->failures < b->threshold)
		b->failures++;
	if (b->open) {
		/* A failed probe, or a late report from before it opened. */
		b->retry_at = now + b->interval;
		return false;
	}
	if (b->failures < b->threshold)
		return false;
	b->open = true;
	b->retry_at = now + b->interval;
	return true;
}

void
rg_breaker_release(struct rg_breaker *b)
{
	b->probing = false;
}
