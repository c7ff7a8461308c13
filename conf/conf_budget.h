/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_budget.h - parse budgets = { ... } (per-login sending budgets)
 * into a budget front.
 */
#ifndef RG_CONF_BUDGET_H
#define RG_CONF_BUDGET_H

#include <libconfig.h>

#include "conf_util.h"
#include "budget/budget.h"

/* budgets.redis defaults (policy.conf(5)). */
#define RG_CONF_REDIS_URI	"unix:/run/redis/redis-server.sock"
#define RG_CONF_REDIS_PREFIX	"rg:"

/*
 * Build the budget front from the "budgets" group of 'cf'.  Records every
 * problem in errs as FILE:LINE; returns NULL when there was one, and when
 * budgets are off (no group, or mode = "off"), which the session reads as
 * "no budget".  'conffile' anchors a relative redis.password_file, which
 * is read here under the rules of directory.ldap.bind_password_file and
 * never appears in a message.
 */
struct rg_budget *rg_conf_budget(struct rg_errs *errs, const config_t *cf,
	    const char *conffile);

#endif
