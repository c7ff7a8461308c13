/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_budget.c - budgets = { ... } into a budget front.
 *
 * Every key is checked and every problem recorded with its FILE:LINE
 * before we give up.  The Redis password is read here from a file
 * nobody else may read, handed to the store and wiped; no message
 * carries it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf_budget.h"
#include "budget/local.h"
#include "budget/store.h"
#include "common/strutil.h"

#define MAX_EXEMPT	10000

static const char *const budget_keys[] = {
	"mode", "window", "messages", "recipients", "domains", "exempt", "backend", "redis",
	"on_error", "max_logins", NULL
};
static const char *const redis_keys[] = {
	"uri", "timeout", "key_prefix", "password_file", "pool_size", "retry_interval", "lease", NULL
};

/* The setting to blame: the key itself when present, else its group. */
static const config_setting_t *
at(const config_setting_t *grp, const char *key)
{
	const config_setting_t *s = grp != NULL ? config_setting_get_member(grp, key) : NULL;

	return s != NULL ? s : grp;
}

static bool
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || *s == 0x7f)
			return false;
	return true;
}

static void
load_redis(struct rg_errs *e, const config_setting_t *g, const char *conffile,
    struct rg_budget_redis_settings *r, char **secret_r)
{
	const char *uri, *prefix, *pwfile = NULL;
	long long pool, lease;

	*secret_r = NULL;
	if (g != NULL)
		rg_conf_check_keys(e, g, redis_keys);
	rg_conf_string(e, g, "uri", RG_CONF_REDIS_URI, &uri);
	if (strncmp(uri, "unix:/", 6) != 0 && strncmp(uri, "tcp:", 4) != 0)
		rg_errs_at(e, at(g, "uri"), "budgets.redis.uri \"%s\" must be "
		    "unix:/absolute/path or tcp:HOST:PORT", uri);
	r->uri = (char *)uri;
	/* Every RCPT may wait this long, and then the breaker stops the waiting. */
	rg_conf_double(e, g, "timeout", 0.2, 0.001, 5.0, &r->timeout);
	rg_conf_string(e, g, "key_prefix", RG_CONF_REDIS_PREFIX, &prefix);
	if (strlen(prefix) > 64 || !printable(prefix))
		rg_errs_at(e, at(g, "key_prefix"), "budgets.redis.key_prefix must be at most "
		    "64 printable characters without spaces");
	r->key_prefix = (char *)prefix;
	rg_conf_int(e, g, "pool_size", 4, 1, 256, &pool);
	r->pool_size = (int)pool;
	rg_conf_double(e, g, "retry_interval", 5.0, 0.1, 3600.0, &r->retry_interval);
	/* Recipients charged ahead of use (budget/redis_lease.h); 0 keeps every admit exact. */
	rg_conf_int(e, g, "lease", 0, 0, RG_BUDGET_LEASE_MAX, &lease);
	r->lease = (int)lease;
	if (rg_conf_string(e, g, "password_file", NULL, &pwfile) && pwfile != NULL) {
		char *path = rg_conf_path(conffile, pwfile);

		*secret_r = rg_conf_read_secret(e, at(g, "password_file"),
		    "budgets.redis.password_file", path,
		    "(omit password_file for a server without AUTH)");
		free(path);
	}
	r->password = *secret_r;
}

static void
load_exempt(struct rg_errs *e, const config_setting_t *g, const char ***list_r,
    size_t *n_r)
{
	const config_setting_t *l = rg_conf_strings(e, g, "exempt");
	int n = l != NULL ? config_setting_length(l) : 0;

	*list_r = NULL;
	*n_r = 0;
	if (n > MAX_EXEMPT) {
		rg_errs_at(e, l, "budgets.exempt lists %d logins; at most %d", n, MAX_EXEMPT);
		return;
	}
	if (n > 0)
		*list_r = rg_xcalloc((size_t)n, sizeof(**list_r));
	for (int i = 0; i < n; i++) {
		const char *login = config_setting_get_string_elem(l, i);

		if (login[0] == '\0' || !printable(login))
			rg_errs_at(e, l, "budgets.exempt: \"%s\" is not a login (printable, no "
			    "spaces)", login);
		else
			(*list_r)[(*n_r)++] = login;
	}
}

struct rg_budget *
rg_conf_budget(struct rg_errs *e, const config_t *cf, const char *conffile)
{
	static const char *const modes[] = { "off", "monitor", "enforce", NULL };
	static const char *const backends[] = { "local", "redis", NULL };
	static const char *const on_errors[] = { "local", "off", NULL };
	const config_setting_t *g = config_lookup(cf, "budgets"), *rg;
	struct rg_budget_settings set;
	struct rg_budget *b = NULL;
	const char **exempt = NULL;
	char *secret = NULL, err[256];
	long long window, msgs, rcpts, doms, max;
	int mode, backend, oe, before = e->count;

	memset(&set, 0, sizeof(set));
	if (g != NULL && config_setting_type(g) != CONFIG_TYPE_GROUP) {
		rg_errs_at(e, g, "\"budgets\" must be a group: budgets = { ... };");
		return NULL;
	}
	if (g != NULL)
		rg_conf_check_keys(e, g, budget_keys);
	rg_conf_enum(e, g, "mode", modes, RG_BUDGET_OFF, &mode);
	rg_conf_int(e, g, "window", RG_BUDGET_WINDOW_DEFAULT, 60, RG_BUDGET_WINDOW_MAX, &window);
	rg_conf_int(e, g, "messages", RG_BUDGET_MESSAGES_DEFAULT, 0, 1000000000, &msgs);
	rg_conf_int(e, g, "recipients", RG_BUDGET_RECIPIENTS_DEFAULT, 0, 1000000000, &rcpts);
	rg_conf_int(e, g, "domains", RG_BUDGET_DOMAINS_DEFAULT, 0, RG_BUDGET_DOMAINS_MAX, &doms);
	rg_conf_int(e, g, "max_logins", RG_BUDGET_MAX_LOGINS_DEFAULT, 1,
	    RG_BUDGET_MAX_LOGINS_MAX, &max);
	rg_conf_enum(e, g, "backend", backends, RG_BUDGET_LOCAL, &backend);
	rg_conf_enum(e, g, "on_error", on_errors, RG_BUDGET_FALLBACK_LOCAL, &oe);
	load_exempt(e, g, &exempt, &set.nexempt);

	rg = g != NULL ? config_setting_get_member(g, "redis") : NULL;
	if (rg != NULL && !config_setting_is_group(rg)) {
		rg_errs_at(e, rg, "budgets.redis must be a group: redis = { uri = \"...\"; };");
		rg = NULL;
	}
	if (backend == RG_BUDGET_REDIS)
		load_redis(e, rg, conffile, &set.redis, &secret);
	else if (rg != NULL)
		rg_warn_at(e, rg, "budgets.redis has no effect with budgets.backend = \"local\"");
	if (mode == RG_BUDGET_MONITOR)
		rg_warn_at(e, at(g, "mode"), "budgets.mode = \"monitor\": logins over a budget "
		    "are only logged (would-tempfail), nothing is refused");
	if (mode == RG_BUDGET_ENFORCE && msgs == 0 && rcpts == 0 && doms == 0)
		rg_warn_at(e, at(g, "mode"), "budgets.mode = \"enforce\" with messages, recipients "
		    "and domains all 0 (unlimited): nothing is ever refused");

	set.mode = (enum rg_budget_mode)mode;
	set.limits.window = (double)window;
	set.limits.messages = (uint64_t)msgs;
	set.limits.recipients = (uint64_t)rcpts;
	set.limits.domains = (uint64_t)doms;
	set.exempt = exempt;
	set.backend = (enum rg_budget_backend)backend;
	set.on_error = (enum rg_budget_on_error)oe;
	set.max_logins = (size_t)max;
	if (e->count == before && set.mode != RG_BUDGET_OFF) {
		b = rg_budget_new(&set, err, sizeof(err));
		if (b == NULL)
			rg_errs_at(e, backend == RG_BUDGET_REDIS && rg != NULL ? rg : at(g, "backend"),
			    "budgets: %s", err);
	}
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	free(exempt);
	return b;
}
