/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * budget.h - per-login sending budgets: the one call the session makes.
 *
 * A struct rg_budget belongs to one configuration snapshot and holds
 * what budgets = { ... } says: the mode, the limits, the exempt logins,
 * the primary store (local, or Redis) and what to do when that store
 * cannot tell.  The stores themselves are process-wide and reference
 * counted: a snapshot whose store settings equal an earlier one's gets
 * the same store, so a reload that leaves them alone keeps every count
 * (the limits, the mode and the exempt list may change freely).  The
 * local store's settings are budgets.window and budgets.max_logins; the
 * Redis store's are those and every budgets.redis key.
 *
 * Promises:
 *  - mail is never tempfailed because of a store: when the primary store
 *    answers RG_BUDGET_ERROR, on_error = "local" counts in the local
 *    store (always present; with backend "local" it is the primary), and
 *    on_error = "off" admits without counting;
 *  - logins are compared as ASCII lower case, so "Alice" and "alice"
 *    share one budget whatever the store;
 *  - a refused charge charges nothing.
 *
 * Every admit is counted for relayguard -S (common/stats.h): admitted,
 * over by limit, and fallbacks when the primary could not tell.
 *
 * Thread-safety: a struct rg_budget is read-only after rg_budget_new();
 * rg_budget_admit() may be called from any thread at once.
 */
#ifndef RG_BUDGET_BUDGET_H
#define RG_BUDGET_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "budget/store.h"

enum rg_budget_mode {
	RG_BUDGET_OFF,
	RG_BUDGET_MONITOR,	/* count and log would-tempfail; refuse nothing */
	RG_BUDGET_ENFORCE,
};

enum rg_budget_backend {
	RG_BUDGET_LOCAL,
	RG_BUDGET_REDIS,
};

enum rg_budget_on_error {
	RG_BUDGET_FALLBACK_LOCAL,	/* count in the local store */
	RG_BUDGET_FALLBACK_OFF,		/* admit, uncounted */
};

/* Defaults, as policy.conf(5) gives them. */
#define RG_BUDGET_WINDOW_DEFAULT	3600
#define RG_BUDGET_MESSAGES_DEFAULT	200
#define RG_BUDGET_RECIPIENTS_DEFAULT	1000
#define RG_BUDGET_DOMAINS_DEFAULT	100
/* budgets.domains above this is beyond what the local estimator counts well. */
#define RG_BUDGET_DOMAINS_MAX		1000

struct rg_budget_settings {
	enum rg_budget_mode mode;
	struct rg_budget_limits limits;
	const char *const *exempt;	/* logins; copied */
	size_t nexempt;
	enum rg_budget_backend backend;
	struct rg_budget_redis_settings redis;	/* backend "redis" only; copied */
	enum rg_budget_on_error on_error;
	size_t max_logins;
};

/* Which store answered. */
enum rg_budget_source {
	RG_BUDGET_SRC_NONE,	/* not counted (off, exempt, on_error = "off") */
	RG_BUDGET_SRC_PRIMARY,
	RG_BUDGET_SRC_FALLBACK,	/* the primary could not tell; counted locally */
};

struct rg_budget_outcome {
	enum rg_budget_answer answer;	/* ADMITTED or OVER, never ERROR */
	enum rg_budget_kind over;
	struct rg_budget_usage used;
	uint64_t limit;			/* the limit 'over' names */
	enum rg_budget_source source;
	bool alert;			/* first OVER for this login and window */
	char why[160];			/* the primary's error, when FALLBACK or NONE */
};

struct rg_budget;

/*
 * Build the front (and find or make its stores).  NULL with a message in
 * 'err' (no FILE:LINE: the caller adds it) when a store cannot be made,
 * for instance backend "redis" in a build without hiredis.
 */
struct rg_budget *rg_budget_new(const struct rg_budget_settings *, char *err,
	    size_t errlen);

/*
 * From now on every front counts in the local store, whatever its
 * backend.  For relayguard -T: a test must never spend, nor be refused
 * by, a real login's shared budget.  Call before loading the config.
 */
void	rg_budget_local_only(void);

/* Drop the front and its store references; clears the pointer. */
void	rg_budget_destroy(struct rg_budget **);

enum rg_budget_mode rg_budget_mode(const struct rg_budget *);
/* "off", "monitor" or "enforce", as policy.conf spells it. */
const char *rg_budget_mode_name(enum rg_budget_mode);
/* The store that counts: "local" or "redis" ("local" under rg_budget_local_only()). */
const char *rg_budget_store_name(const struct rg_budget *);
/*
 * For relayguard -n -v: ask the primary store whether it answers (for
 * Redis: connect, AUTH, SCRIPT LOAD; budget/redis.h).  True with what
 * answered in msg, false with why not.  The local store always answers.
 */
bool	rg_budget_probe(struct rg_budget *, char *msg, size_t msglen);
/* Logins the local store (the primary, or the fallback) holds now. */
size_t	rg_budget_local_logins(const struct rg_budget *);
const struct rg_budget_limits *rg_budget_limits(const struct rg_budget *);

/* Does LOGIN have a budget at all: mode not off, and not exempt. */
bool	rg_budget_applies(const struct rg_budget *, const char *login);

/*
 * Check and charge one recipient that every other check accepted (see
 * budget/store.h for the request).  Callers ask only when
 * rg_budget_applies() says so.
 */
void	rg_budget_admit(struct rg_budget *, const struct rg_budget_request *,
	    struct rg_budget_outcome *out_r);

/*
 * Charge 'add' to LOGIN in the local store, whatever the limits.  For
 * relayguard -T (budget=); false when the primary store is not local.
 */
bool	rg_budget_preset(struct rg_budget *, const char *login,
	    const struct rg_budget_usage *add, double now);

#endif
