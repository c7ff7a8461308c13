/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_pool.c - connection pool, per-URI circuit breaker, and
 * opening one connection (connect, StartTLS, bind) within a deadline.
 *
 * Time: every blocking libldap call gets what is left of the lookup's
 * deadline, split across the URIs still to try, so a server that
 * accepts TCP and then says nothing cannot eat the next URI's share.
 * libldap honours LDAP_OPT_NETWORK_TIMEOUT for connect() and the TLS
 * handshake, LDAP_OPT_TIMEOUT for the synchronous StartTLS, and the
 * timeval we give ldap_result() for bind; getaddrinfo() is not bounded,
 * so URIs should name addresses or a resolver that answers quickly.
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
	enum rg_ldap_starttls starttls;
	char *ca_file;
	char *bind_dn;
	char *password;
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

/* "ldap=STATE uri=URI [why=WHY] [result=RESULT]", escaped like every log value. */
static void
log_ldap(enum rg_log_level lvl, const char *state, const char *uri, const char *why,
    const char *result)
{
	struct rg_kv kv;

	rg_kv_init(&kv);
	rg_kv_add(&kv, "ldap", state);
	rg_kv_add(&kv, "uri", uri);
	if (result != NULL)
		rg_kv_add(&kv, "result", result);
	if (why != NULL)
		rg_kv_add(&kv, "why", why);
	rg_log(lvl, "%s", rg_kv_str(&kv));
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
	p->starttls = set->starttls;
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
	if ((set->tls_ca_file != NULL && *set->tls_ca_file != '\0' &&
	    (p->ca_file = strdup(set->tls_ca_file)) == NULL) ||
	    (set->bind_dn != NULL && *set->bind_dn != '\0' &&
	    (p->bind_dn = strdup(set->bind_dn)) == NULL) ||
	    (p->password = strdup(set->bind_password != NULL ? set->bind_password : "")) == NULL)
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
	if (p->password != NULL) {
		explicit_bzero(p->password, strlen(p->password));
		free(p->password);
	}
	free(p->conns);
	free(p->uris);
	free(p->ca_file);
	free(p->bind_dn);
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
		log_ldap(RG_LOG_WARNING, "down", u->uri, why, NULL);
	else if (came_up)
		log_ldap(RG_LOG_NOTICE, "up", u->uri, NULL, NULL);
}

/* Error text for a failed call on 'ld': libldap's words plus the server's. */
static void
ld_error(LDAP *ld, int rc, const char *what, char *why, size_t whylen)
{
	char *diag = NULL;

	if (ld != NULL)
		ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	/* TLS failures often leave only this placeholder; it helps nobody. */
	if (diag != NULL && strcmp(diag, "(unknown error code)") == 0)
		diag[0] = '\0';
	snprintf(why, whylen, "%s: %s%s%s", what, ldap_err2string(rc),
	    diag != NULL && *diag != '\0' ? ": " : "", diag != NULL ? diag : "");
	ldap_memfree(diag);
}

static bool
set_options(struct rg_ldap_pool *p, LDAP *ld, bool tls, double budget, char *why,
    size_t whylen)
{
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
	struct timeval tv = rg_timeval_of(budget);

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) != LDAP_OPT_SUCCESS ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "cannot set connection options");
		return false;
	}
	if (!tls)
		return true;
	/* Certificates are always verified; a new context makes these stick. */
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) != LDAP_OPT_SUCCESS ||
	    (p->ca_file != NULL &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, p->ca_file) != LDAP_OPT_SUCCESS) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != LDAP_OPT_SUCCESS) {
		snprintf(why, whylen, "cannot set up TLS (check tls_ca_file)");
		return false;
	}
	return true;
}

/* Simple bind, bounded by the budget; the password never leaves here. */
static bool
bind_within(struct rg_ldap_pool *p, LDAP *ld, double budget, char *why, size_t whylen)
{
	struct berval cred;
	struct timeval tv = rg_timeval_of(budget);
	LDAPMessage *res = NULL;
	int msgid, rc, err = LDAP_OTHER;
	char *diag = NULL;

	cred.bv_val = p->bind_dn != NULL ? p->password : NULL;
	cred.bv_len = p->bind_dn != NULL ? strlen(p->password) : 0;
	rc = ldap_sasl_bind(ld, p->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS) {
		ld_error(ld, rc, "bind", why, whylen);
		return false;
	}
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res);
	if (rc == 0) {
		/* A deadline already passed prints as 0.0s, never -0.0s. */
		snprintf(why, whylen, "bind: no answer within %.1fs", budget > 0 ? budget : 0.0);
		ldap_abandon_ext(ld, msgid, NULL, NULL);
		return false;
	}
	if (rc < 0) {
		ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
		ld_error(ld, err, "bind", why, whylen);
		return false;
	}
	rc = ldap_parse_result(ld, res, &err, NULL, &diag, NULL, NULL, 1);
	if (rc != LDAP_SUCCESS || err != LDAP_SUCCESS) {
		snprintf(why, whylen, "bind as %s: %s%s%s",
		    p->bind_dn != NULL ? p->bind_dn : "anonymous",
		    ldap_err2string(rc != LDAP_SUCCESS ? rc : err),
		    diag != NULL && *diag ? ": " : "", diag != NULL ? diag : "");
		ldap_memfree(diag);
		return false;
	}
	ldap_memfree(diag);
	return true;
}

/* Open, secure and bind one connection to URI i within 'budget' seconds. */
static LDAP *
open_one(struct rg_ldap_pool *p, int i, double budget, char *why, size_t whylen)
{
	struct uri_health *u = &p->uris[i];
	double end = rg_clock_monotonic() + budget;
	bool tls = u->tls;
	LDAP *ld = NULL;
	int rc;

again:
	if ((rc = ldap_initialize(&ld, u->uri)) != LDAP_SUCCESS) {
		ld_error(NULL, rc, "initialize", why, whylen);
		return NULL;
	}
	if (!set_options(p, ld, tls, end - rg_clock_monotonic(), why, whylen))
		goto fail;
	if ((rc = ldap_connect(ld)) != LDAP_SUCCESS) {
		ld_error(ld, rc, "connect", why, whylen);
		goto fail;
	}
	if (tls && u->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		ld_error(ld, rc, rc == LDAP_CONNECT_ERROR ? "StartTLS: handshake failed (is the "
		    "server certificate signed by tls_ca_file, and for this host?)" : "StartTLS",
		    why, whylen);
		/* "try" falls back to a fresh plain connection, never a half-done one. */
		if (p->starttls == RG_LDAP_STARTTLS_TRY && end - rg_clock_monotonic() > 0.05) {
			log_ldap(RG_LOG_WARNING, "notls", u->uri, why, "continuing without TLS "
			    "(starttls = try)");
			ldap_unbind_ext(ld, NULL, NULL);
			tls = false;
			goto again;
		}
		goto fail;
	}
	if (!bind_within(p, ld, end - rg_clock_monotonic(), why, whylen))
		goto fail;
	return ld;
fail:
	ldap_unbind_ext(ld, NULL, NULL);
	return NULL;
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
		ld = open_one(p, order[k], left / (n - k), why, sizeof(why));
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
		log_ldap(RG_LOG_DEBUG, "connect-failed", p->uris[order[k]].uri, why, NULL);
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
		LDAP *ld = open_one(p, (int)i, p->timeout, why, sizeof(why));
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
			log_ldap(RG_LOG_INFO, "probe", p->uris[i].uri, NULL, "ok");
			continue;
		}
		all = false;
		log_ldap(RG_LOG_WARNING, "probe", p->uris[i].uri, why, "failed");
		if (used < errlen) {
			int w = snprintf(err + used, errlen - used, "%s%s: %s",
			    used > 0 ? "; " : "", p->uris[i].uri, why);
			if (w > 0)
				used += (size_t)w;
		}
	}
	return all;
}
