/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_redis.h - what test_redis.c shares with the rest of its program
 * (test_lease.c): the server, a store, one admit, one raw command.
 */
#ifndef RG_TEST_REDIS_H
#define RG_TEST_REDIS_H

#include <stdbool.h>
#include <sys/types.h>
#include <CUnit/CUnit.h>

#include "budget/store.h"

extern const char *sock;	/* RG_REDIS_SOCK */
extern pid_t redis_pid;

/* A store on URI; NULL (after a message) when it cannot be made. */
struct rg_budget_store *store_leased(const char *uri, const char *prefix,
	    const char *password, int pool, double timeout, int lease);
void	admit(struct rg_budget_store *, const char *login, bool msg, const char *domain,
	    double now, const struct rg_budget_limits *, struct rg_budget_result *r);
/* An integer (or a number in a string) the raw connection's command returns; -999 else. */
long long raw_int(const char *fmt, ...);
/* Clients the server has now, the raw connection included. */
int	raw_clients(void);

/* test_lease.c: budgets.redis.lease */
void	lease_tests(CU_pSuite);

#endif
