/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * breaker.h - a circuit breaker for one remote server (an LDAP URI, a
 * Redis socket).
 *
 * States: closed (calls go through); open after 'threshold' consecutive
 * failures (calls are skipped, so a dead server costs nothing); half-open
 * once 'interval' seconds have passed (exactly one caller may probe).  A
 * probe that succeeds closes the breaker; one that fails opens it for
 * another interval.  The caller passes the time in, so tests drive the
 * state machine with a fake clock and no sleeping.
 *
 * Thread-safety: none.  A breaker lives inside its owner's state and is
 * used under the owner's lock.
 */
#ifndef RG_BREAKER_H
#define RG_BREAKER_H

#include <stdbool.h>

struct rg_breaker {
	int threshold;		/* consecutive failures that open it */
	double interval;	/* seconds an open breaker waits before a probe */
	int failures;
	bool open;
	bool probing;		/* a half-open probe is out */
	double retry_at;
};

/* What a caller may do now. */
enum rg_breaker_gate {
	RG_BREAKER_PASS,	/* closed: go ahead */
	RG_BREAKER_PROBE,	/* half-open: go ahead, you are the one probe */
	RG_BREAKER_SKIP		/* open, or another caller is probing */
};

void	rg_breaker_init(struct rg_breaker *, int threshold, double interval);

/* Ask to make a call at 'now'; a PROBE answer claims the probe. */
enum rg_breaker_gate rg_breaker_enter(struct rg_breaker *, double now);

/* Would enter() skip at 'now'?  Claims nothing. */
bool	rg_breaker_skipping(const struct rg_breaker *, double now);

/*
 * Report the call's outcome.  Each returns true when the breaker changed
 * between closed and open, so the owner logs "=down" or "=up" once.
 */
bool	rg_breaker_success(struct rg_breaker *);
bool	rg_breaker_failure(struct rg_breaker *, double now);

/* A claimed probe was not tried after all: let the next caller probe. */
void	rg_breaker_release(struct rg_breaker *);

#endif
