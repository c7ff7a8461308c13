/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_pool.c - connection pool and per-URI health: which URI a
 * connection is opened to (in order, skipping those the circuit breaker
 * holds down), failback to the first, and the -n -v probe.  Opening one
 * connection is dir_ldap_open.c's.
 *
 * Time: every blocking libldap call gets what is left of the lookup's
 * deadline, split across the URIs still to try, so a server that
 * accepts TCP and then says nothing cannot eat the next URI's share.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "common/breaker.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stats.h"
#include "directory/dir_ldap_open.h"
#include "directory/dir_ldap_pool.h"

/* Consecutive failures before a URI is held down. */
#define BREAKER_THRESHOLD	2
/* A connection to a backup URI is dropped after this long, to fail back. */
#define FAILBACK_AFTER		60.0

struct rg_ldap_conn {
	LDAP *ld;
	int uri;		/* index into pool->uris; -1 when closed */
	double opened;
	bool busy;
	bool fresh;
};

struct uri_health {
	char *uri;
	bool starttls;		/* StartTLS applies (ldap://, not ldaps:// or ldapi://) */
	bool tls;		/* TLS in use at all: verify certificates */
	struct rg_breaker br;	/* open: the URI is held down */
	struct rg_stats_uri *stats;	/* this URI's counters */
};

struct rg_ldap_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct rg_ldap_conn *conns;
	int nconns;
	struct uri_health *uris;
	size_t nuris;
	struct rg_ldap_opener opener;	/* TLS and bind: how each connection is opened */
	double retry_interval;
	double timeout;
	/* Breaker and failback time; I/O deadlines are always monotonic. */
	rg_clock_fn clock;
	void *clock_arg;
};

static double
health_now(const struct rg_ldap_pool *p)
{
	return p->clock(p->clock_arg);
}

struct rg_ldap_pool *
rg_ldap_pool_new(const struct rg_ldap_settings *set, char *err, size_t errlen)
{
	struct rg_ldap_pool *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;

	if (p == NULL)
		goto nomem;
	if (set->nuris < 1 || set->nuris > RG_LDAP_MAX_URIS) {
		snprintf(err, errlen, "%zu LDAP URIs; 1 to %d are allowed", set->nuris,
		    RG_LDAP_MAX_URIS);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	/* Deadlines are monotonic; so must the condition's clock be. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->freed, &ca);
	pthread_condattr_destroy(&ca);
	p->timeout = set->timeout;
	p->retry_interval = set->retry_interval > 0 ? set->retry_interval : RG_LDAP_RETRY_INTERVAL;
	p->clock = rg_clock_default;
	p->nconns = set->pool_size;
	p->nuris = set->nuris;
	p->conns = calloc((size_t)p->nconns, sizeof(*p->conns));
	p->uris = calloc(p->nuris, sizeof(*p->uris));
	if (p->conns == NULL || p->uris == NULL)
		goto nomem;
	for (int i = 0; i < p->nconns; i++)
		p->conns[i].uri = -1;
	for (size_t i = 0; i < p->nuris; i++) {
		struct uri_health *u = &p->uris[i];
		if ((u->uri = strdup(set->uris[i])) == NULL)
			goto nomem;
		u->starttls = strncasecmp(u->uri, "ldap://", 7) == 0 &&
		    set->starttls != RG_LDAP_STARTTLS_OFF;
		u->tls = u->starttls || strncasecmp(u->uri, "ldaps://", 8) == 0;
		u->stats = rg_stats_uri_get(u->uri);
		rg_breaker_init(&u->br, BREAKER_THRESHOLD, p->retry_interval);
	}
	if (!rg_ldap_opener_init(&p->opener, set))
		goto nomem;
	return p;
nomem:
	snprintf(err, errlen, "out of memory");
	rg_ldap_pool_destroy(&p);
	return NULL;
}

void
rg_ldap_pool_destroy(struct rg_ldap_pool **pp)
{
	struct rg_ldap_pool *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	for (int i = 0; p->conns != NULL && i < p->nconns; i++)
		if (p->conns[i].ld != NULL)
			ldap_unbind_ext(p->conns[i].ld, NULL, NULL);
	for (size_t i = 0; p->uris != NULL && i < p->nuris; i++) {
		free(p->uris[i].uri);
		rg_stats_uri_put(&p->uris[i].stats);
	}
	rg_ldap_opener_clear(&p->opener);
	free(p->conns);
	free(p->uris);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p);
	*pp = NULL;
}

void
rg_ldap_pool_set_clock(struct rg_ldap_pool *p, rg_clock_fn clock, void *arg)
{
	p->clock = clock != NULL ? clock : rg_clock_default;
	p->clock_arg = arg;
}

static void
answer_all_down(const struct rg_ldap_pool *p, struct rg_dir_answer *a)
{
	a->status = RG_LOOKUP_ERROR;
	snprintf(a->source, sizeof(a->source), "%s", p->uris[0].uri);
	snprintf(a->why, sizeof(a->why), "every LDAP server is marked down; retrying "
	    "within %.0fs", p->retry_interval);
}

bool
rg_ldap_pool_all_down(struct rg_ldap_pool *p, struct rg_dir_answer *a)
{
	bool all = true;
	double now;

	pthread_mutex_lock(&p->lock);
	now = health_now(p);
	for (size_t i = 0; i < p->nuris && all; i++)
		all = rg_breaker_skipping(&p->uris[i].br, now);
	pthread_mutex_unlock(&p->lock);
	if (all)
		answer_all_down(p, a);
	return all;
}

struct rg_ldap_conn *
rg_ldap_pool_acquire(struct rg_ldap_pool *p, double deadline)
{
	struct rg_ldap_conn *c = NULL;
	struct timespec ts;

	ts.tv_sec = (time_t)deadline;
	ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		/* Prefer a connected slot: a cold one costs a connect and bind. */
		for (int i = 0; i < p->nconns; i++) {
			if (p->conns[i].busy)
				continue;
			if (c == NULL || (c->ld == NULL && p->conns[i].ld != NULL))
				c = &p->conns[i];
		}
		if (c != NULL)
			break;
		if (pthread_cond_timedwait(&p->freed, &p->lock, &ts) != 0 &&
		    rg_clock_monotonic() >= deadline)
			break;
	}
	if (c != NULL) {
		c->busy = true;
		c->fresh = false;
	}
	pthread_mutex_unlock(&p->lock);
	return c;
}

void
rg_ldap_pool_release(struct rg_ldap_pool *p, struct rg_ldap_conn *c)
{
	pthread_mutex_lock(&p->lock);
	c->busy = false;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

struct ldap *
rg_ldap_conn_ld(struct rg_ldap_conn *c)
{
	return c->ld;
}

struct rg_stats_uri *
rg_ldap_conn_stats(struct rg_ldap_pool *p, struct rg_ldap_conn *c)
{
	return c->uri >= 0 ? p->uris[c->uri].stats : NULL;
}

const char *
rg_ldap_conn_uri(struct rg_ldap_pool *p, struct rg_ldap_conn *c)
{
	return c->uri >= 0 ? p->uris[c->uri].uri : "-";
}

bool
rg_ldap_conn_fresh(struct rg_ldap_conn *c)
{
	return c->fresh;
}

/* Record one attempt's outcome; logs only when the state changes. */
static void
health_update(struct rg_ldap_pool *p, int i, bool ok, const char *why)
{
	struct uri_health *u = &p->uris[i];
	bool went_down = false, came_up = false;

	pthread_mutex_lock(&p->lock);
	if (ok) {
		came_up = rg_breaker_success(&u->br);
	} else {
		rg_stats_uri_failure(u->stats);
		went_down = rg_breaker_failure(&u->br, health_now(p));
	}
	rg_stats_uri_state(u->stats, u->br.open ? RG_STATS_DOWN : RG_STATS_UP);
	pthread_mutex_unlock(&p->lock);
	if (went_down)
		rg_ldap_log(RG_LOG_WARNING, "down", u->uri, why, NULL);
	else if (came_up)
		rg_ldap_log(RG_LOG_NOTICE, "up", u->uri, NULL, NULL);
}

/* Open, secure and bind one connection to URI i within 'budget' seconds. */
static LDAP *
open_uri(const struct rg_ldap_pool *p, int i, double budget, char *why, size_t whylen)
{
	const struct uri_health *u = &p->uris[i];

	return rg_ldap_open(&p->opener, u->uri, u->starttls, u->tls, budget, why, whylen);
}

static void
conn_close(struct rg_ldap_conn *c)
{
	if (c->ld != NULL)
		ldap_unbind_ext(c->ld, NULL, NULL);
	c->ld = NULL;
	c->uri = -1;
}

/*
 * Give back the half-open probes claimed for order[from..n) and not tried:
 * only health_update() clears a mark otherwise, so a URI left claimed
 * would be skipped until the next reload.
 */
static void
release_probes(struct rg_ldap_pool *p, const int *order, int from, int n)
{
	pthread_mutex_lock(&p->lock);
	for (int k = from; k < n; k++) {
		struct uri_health *u = &p->uris[order[k]];

		if (u->br.probing)
			rg_stats_uri_state(u->stats, RG_STATS_DOWN);
		rg_breaker_release(&u->br);
	}
	pthread_mutex_unlock(&p->lock);
}

bool
rg_ldap_conn_ready(struct rg_ldap_pool *p, struct rg_ldap_conn *c, double deadline,
    struct rg_dir_answer *a)
{
	int order[RG_LDAP_MAX_URIS], n = 0;
	char why[sizeof(a->why)];
	double now;

	if (c->ld != NULL) {
		bool failback;
		/*
		 * Back on the first choice once it may be healthy again.  A
		 * first URI held down is probed only by a lookup that
		 * connects, so waiting for it to be up would keep every warm
		 * handle on the backup for good: once its interval is out,
		 * reconnecting is the probe.
		 */
		pthread_mutex_lock(&p->lock);
		now = health_now(p);
		failback = c->uri > 0 && now - c->opened > FAILBACK_AFTER &&
		    !rg_breaker_skipping(&p->uris[0].br, now);
		pthread_mutex_unlock(&p->lock);
		if (!failback)
			return true;
		conn_close(c);	/* ours alone: no lock needed to send the unbind */
	}
	pthread_mutex_lock(&p->lock);
	now = health_now(p);
	for (size_t i = 0; i < p->nuris; i++) {
		struct uri_health *u = &p->uris[i];
		enum rg_breaker_gate g = rg_breaker_enter(&u->br, now);

		if (g == RG_BREAKER_SKIP)
			continue;
		/* Half-open: this lookup is the one that tests a down server. */
		if (g == RG_BREAKER_PROBE)
			rg_stats_uri_state(u->stats, RG_STATS_PROBING);
		order[n++] = (int)i;
	}
	pthread_mutex_unlock(&p->lock);

	answer_all_down(p, a);
	for (int k = 0; k < n; k++) {
		double left = deadline - rg_clock_monotonic();
		LDAP *ld;
		if (left <= 0) {
			snprintf(a->why, sizeof(a->why), "lookup timeout (%.1fs) used up",
			    p->timeout);
			release_probes(p, order, k, n);
			break;
		}
		ld = open_uri(p, order[k], left / (n - k), why, sizeof(why));
		health_update(p, order[k], ld != NULL, why);
		if (ld != NULL) {
			release_probes(p, order, k + 1, n);
			c->ld = ld;
			c->uri = order[k];
			c->opened = health_now(p);
			c->fresh = true;
			return true;
		}
		snprintf(a->source, sizeof(a->source), "%s", p->uris[order[k]].uri);
		snprintf(a->why, sizeof(a->why), "%s", why);
		rg_ldap_log(RG_LOG_DEBUG, "connect-failed", p->uris[order[k]].uri, why, NULL);
	}
	return false;
}

void
rg_ldap_conn_fail(struct rg_ldap_pool *p, struct rg_ldap_conn *c, bool count, const char *why)
{
	int i = c->uri;

	conn_close(c);
	if (count && i >= 0)
		health_update(p, i, false, why);
}

bool
rg_ldap_pool_probe(struct rg_ldap_pool *p, const char *base, char *err, size_t errlen)
{
	bool all = true;
	size_t used = 0;

	if (errlen > 0)
		err[0] = '\0';
	for (size_t i = 0; i < p->nuris; i++) {
		char why[256];
		struct timeval tv = rg_timeval_of(p->timeout);
		LDAPMessage *res = NULL;
		LDAP *ld = open_uri(p, (int)i, p->timeout, why, sizeof(why));
		int rc = LDAP_SUCCESS;
		char *attrs[] = { LDAP_NO_ATTRS, NULL };

		if (ld != NULL) {
			rc = ldap_search_ext_s(ld, base, LDAP_SCOPE_BASE, "(objectClass=*)", attrs,
			    0, NULL, NULL, &tv, 1, &res);
			if (rc != LDAP_SUCCESS)
				snprintf(why, sizeof(why), "base \"%s\": %s", base,
				    rc == LDAP_NO_SUCH_OBJECT ? "no such entry, or not "
				    "readable by the bind DN" : ldap_err2string(rc));
			ldap_msgfree(res);
			ldap_unbind_ext(ld, NULL, NULL);
		}
		if (ld != NULL && rc == LDAP_SUCCESS) {
			rg_ldap_log(RG_LOG_INFO, "probe", p->uris[i].uri, NULL, "ok");
			continue;
		}
		all = false;
		rg_ldap_log(RG_LOG_WARNING, "probe", p->uris[i].uri, why, "failed");
		if (used < errlen) {
			int w = snprintf(err + used, errlen - used, "%s%s: %s",
			    used > 0 ? "; " : "", p->uris[i].uri, why);
			if (w > 0)
				used += (size_t)w;
		}
	}
	return all;
}
