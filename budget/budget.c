/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * budget.c - the budget front: exemptions, the primary store, the local
 * fallback, and the process-wide store registry that lets counts outlive
 * a reload (contract in budget.h).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget/budget.h"
#include "budget/local.h"
#include "common/stats.h"
#include "common/strmap.h"
#include "common/strutil.h"
#ifdef RG_BUDGET_HAVE_REDIS
#include "budget/redis.h"
#endif

/*
 * One store in the registry.  'sig' is every setting that shapes its
 * counts; a snapshot with the same signature gets the same store.  The
 * Redis password is part of it but kept apart, never printed.
 */
struct shared {
	struct shared *next;
	char *sig;
	char *secret;
	struct rg_budget_store *store;
	int refs;
};

/* Logins shorter than this are lowered on the stack. */
#define LOGIN_BUF	256

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared *registry;

struct rg_budget {
	enum rg_budget_mode mode;
	struct rg_budget_limits limits;
	enum rg_budget_backend backend;
	enum rg_budget_on_error on_error;
	struct rg_strmap *exempt;	/* case-insensitive */
	struct shared *primary;
	struct shared *local;		/* == primary with backend "local" */
};

/*
 * The one place the Redis store is made.  budget/redis.am defines
 * RG_BUDGET_HAVE_REDIS when budget/redis.c is in the build; without it
 * backend = "redis" is refused when the file is loaded.
 */
static struct rg_budget_store *
redis_new(const struct rg_budget_redis_settings *set, char *err, size_t errlen)
{
#ifdef RG_BUDGET_HAVE_REDIS
	return rg_budget_redis_new(set, err, errlen);
#else
	(void)set;
	snprintf(err, errlen, "backend \"redis\" is not in this build of relayguard "
	    "(budget/redis.c, hiredis); use backend = \"local\"");
	return NULL;
#endif
}

/* relayguard -T: never make the Redis store (see rg_budget_local_only). */
static bool local_only;

void
rg_budget_local_only(void)
{
	local_only = true;
}

static bool
same_secret(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

/* The registered store for 'sig', or a new one; NULL (err filled) when none can be made. */
static struct shared *
share(const char *sig, const char *secret, const struct rg_budget_settings *set,
    char *err, size_t errlen)
{
	struct shared *sh;
	struct rg_budget_store *store;

	pthread_mutex_lock(&registry_lock);
	for (sh = registry; sh != NULL; sh = sh->next)
		if (strcmp(sh->sig, sig) == 0 && same_secret(sh->secret, secret)) {
			sh->refs++;
			pthread_mutex_unlock(&registry_lock);
			return sh;
		}
	pthread_mutex_unlock(&registry_lock);
	/* Made outside the lock; two loads at once may both make one, and both work. */
	store = strncmp(sig, "redis ", 6) == 0 ?
	    redis_new(&set->redis, err, errlen) : rg_budget_local_new(set->max_logins);
	if (store == NULL)
		return NULL;
	sh = rg_xcalloc(1, sizeof(*sh));
	sh->sig = rg_xstrdup(sig);
	sh->secret = secret != NULL ? rg_xstrdup(secret) : NULL;
	sh->store = store;
	sh->refs = 1;
	pthread_mutex_lock(&registry_lock);
	sh->next = registry;
	registry = sh;
	pthread_mutex_unlock(&registry_lock);
	return sh;
}

static void
release_shared(struct shared **shp)
{
	struct shared *sh = *shp, **pp;

	*shp = NULL;
	if (sh == NULL)
		return;
	pthread_mutex_lock(&registry_lock);
	if (--sh->refs > 0) {
		pthread_mutex_unlock(&registry_lock);
		return;
	}
	for (pp = &registry; *pp != sh; pp = &(*pp)->next)
		;
	*pp = sh->next;
	pthread_mutex_unlock(&registry_lock);
	sh->store->ops->destroy(&sh->store);
	if (sh->secret != NULL) {
		explicit_bzero(sh->secret, strlen(sh->secret));
		free(sh->secret);
	}
	free(sh->sig);
	free(sh);
}

struct rg_budget *
rg_budget_new(const struct rg_budget_settings *set, char *err, size_t errlen)
{
	struct rg_budget *b = rg_xcalloc(1, sizeof(*b));
	char *sig;

	b->mode = set->mode;
	b->limits = set->limits;
	b->backend = set->backend;
	b->on_error = set->on_error;
	b->exempt = rg_strmap_new();
	for (size_t i = 0; i < set->nexempt; i++)
		rg_strmap_put(b->exempt, set->exempt[i], NULL);
	if (asprintf(&sig, "local window=%.17g max_logins=%zu", set->limits.window,
	    set->max_logins) < 0)
		abort();
	b->local = share(sig, NULL, set, err, errlen);
	free(sig);
	if (set->backend == RG_BUDGET_LOCAL || local_only) {
		b->primary = b->local;
		pthread_mutex_lock(&registry_lock);
		b->primary->refs++;	/* one reference per pointer */
		pthread_mutex_unlock(&registry_lock);
		return b;
	}
	if (asprintf(&sig, "redis window=%.17g uri=%s timeout=%.17g key_prefix=%s "
	    "pool_size=%d retry_interval=%.17g lease=%d", set->limits.window,
	    set->redis.uri ? set->redis.uri : "", set->redis.timeout,
	    set->redis.key_prefix ? set->redis.key_prefix : "", set->redis.pool_size,
	    set->redis.retry_interval, set->redis.lease) < 0)
		abort();
	b->primary = share(sig, set->redis.password != NULL ? set->redis.password : "",
	    set, err, errlen);
	free(sig);
	if (b->primary == NULL)
		rg_budget_destroy(&b);
	return b;
}

void
rg_budget_destroy(struct rg_budget **bp)
{
	struct rg_budget *b;

	if (bp == NULL || (b = *bp) == NULL)
		return;
	*bp = NULL;
	if (b->primary != NULL && b->primary == b->local) {
		/* The same store twice: drop one reference of the two. */
		pthread_mutex_lock(&registry_lock);
		b->primary->refs--;
		pthread_mutex_unlock(&registry_lock);
		b->primary = NULL;
	}
	release_shared(&b->primary);
	release_shared(&b->local);
	rg_strmap_destroy(&b->exempt);
	free(b);
}

enum rg_budget_mode
rg_budget_mode(const struct rg_budget *b)
{
	return b->mode;
}

const struct rg_budget_limits *
rg_budget_limits(const struct rg_budget *b)
{
	return &b->limits;
}

bool
rg_budget_applies(const struct rg_budget *b, const char *login)
{
	return b != NULL && b->mode != RG_BUDGET_OFF && login != NULL && login[0] != '\0' &&
	    !rg_strmap_get(b->exempt, login, NULL);
}

/* The login as every store keys it: ASCII lower case (on the heap when long). */
static const char *
key_login(const char *login, char *buf, size_t len, char **heap_r)
{
	size_t n = strlen(login);
	char *k = n < len ? buf : (*heap_r = rg_xstrdup(login));

	if (k == buf)
		memcpy(buf, login, n + 1);
	rg_lower(k);
	return k;
}

/* The counters of relayguard -S, one relaxed increment or two per admit. */
static void
count(const struct rg_budget_outcome *o)
{
	if (o->source == RG_BUDGET_SRC_FALLBACK)
		rg_stats_budget(RG_STATS_BUDGET_FALLBACK_LOCAL);
	else if (o->source == RG_BUDGET_SRC_NONE)
		rg_stats_budget(RG_STATS_BUDGET_FALLBACK_NONE);
	if (o->answer == RG_BUDGET_ADMITTED)
		rg_stats_budget(RG_STATS_BUDGET_ADMITTED);
	else if (o->over == RG_BUDGET_MESSAGES)
		rg_stats_budget(RG_STATS_BUDGET_OVER_MESSAGES);
	else if (o->over == RG_BUDGET_RECIPIENTS)
		rg_stats_budget(RG_STATS_BUDGET_OVER_RECIPIENTS);
	else
		rg_stats_budget(RG_STATS_BUDGET_OVER_DOMAINS);
}

void
rg_budget_admit(struct rg_budget *b, const struct rg_budget_request *rq0,
    struct rg_budget_outcome *o)
{
	struct rg_budget_request rq = *rq0;
	struct rg_budget_result r;
	char buf[LOGIN_BUF], *heap = NULL;

	memset(o, 0, sizeof(*o));
	rq.login = key_login(rq0->login, buf, sizeof(buf), &heap);
	b->primary->store->ops->admit(b->primary->store, &rq, &b->limits, &r);
	o->source = RG_BUDGET_SRC_PRIMARY;
	if (r.answer == RG_BUDGET_ERROR) {
		snprintf(o->why, sizeof(o->why), "%s", r.why);
		if (b->on_error == RG_BUDGET_FALLBACK_OFF || b->local == b->primary) {
			o->answer = RG_BUDGET_ADMITTED;
			o->source = RG_BUDGET_SRC_NONE;
			count(o);
			free(heap);
			return;
		}
		b->local->store->ops->admit(b->local->store, &rq, &b->limits, &r);
		o->source = RG_BUDGET_SRC_FALLBACK;
	}
	o->answer = r.answer == RG_BUDGET_OVER ? RG_BUDGET_OVER : RG_BUDGET_ADMITTED;
	o->over = o->answer == RG_BUDGET_OVER ? r.over : RG_BUDGET_NONE;
	o->used = r.used;
	o->limit = rg_budget_limit_of(&b->limits, o->over);
	if (o->answer == RG_BUDGET_OVER)
		o->alert = rg_budget_local_first_alert(b->local->store, rq.login,
		    rg_budget_bucket(rq.now, b->limits.window));
	count(o);
	free(heap);
}

const char *
rg_budget_mode_name(enum rg_budget_mode m)
{
	return m == RG_BUDGET_ENFORCE ? "enforce" : m == RG_BUDGET_MONITOR ? "monitor" : "off";
}

const char *
rg_budget_store_name(const struct rg_budget *b)
{
	return b->primary == b->local ? "local" : "redis";
}

bool
rg_budget_probe(struct rg_budget *b, char *msg, size_t msglen)
{
	if (b->primary == b->local) {
		snprintf(msg, msglen, "local store, nothing to ask");
		return true;
	}
#ifdef RG_BUDGET_HAVE_REDIS
	return rg_budget_redis_probe(b->primary->store, msg, msglen);
#else
	snprintf(msg, msglen, "no Redis store in this build");
	return false;
#endif
}

size_t
rg_budget_local_logins(const struct rg_budget *b)
{
	return rg_budget_local_count(b->local->store);
}

bool
rg_budget_preset(struct rg_budget *b, const char *login, const struct rg_budget_usage *add,
    double now)
{
	char buf[LOGIN_BUF], *heap = NULL;
	const char *k;

	if (b->primary != b->local)
		return false;
	k = key_login(login, buf, sizeof(buf), &heap);
	rg_budget_local_charge(b->local->store, k, add, now, b->limits.window);
	free(heap);
	return true;
}
