/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis_lease.c - the gateway's side of budgets.redis.lease (the rules
 * are in redis_lease.h; the script's side in redis_script.c).
 *
 * One mutex for the table: what it guards is a few compares and stores,
 * far shorter than the round trip a lease saves.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "budget/redis_lease.h"

/* Longer logins and domains are never leased: they ask Redis every time. */
#define LOGIN_MAX	128
#define DOMAIN_MAX	64

struct slot {
	char login[LOGIN_MAX];		/* "" when free */
	bool pending;			/* a call that asks for a lease is out */
	uint32_t units;			/* granted, not yet used */
	bool have_bucket;
	long long bucket;		/* the units were charged to this one */
	double ends;			/* monotonic: the bucket's end, as the call saw it */
	struct rg_budget_limits lim;	/* granted under these */
	struct rg_budget_usage used;	/* the counts, as of the last admit */
	char domains[RG_BUDGET_LEASE_DOMAINS][DOMAIN_MAX];	/* charged in 'bucket' */
	unsigned ndomains;
	uint32_t gen;			/* changes when the units stop being this lease's */
	uint32_t owed;			/* units of an ended lease, for the next call to return */
	long long owed_bucket;
	bool doubt;			/* the last top-up's call failed: ask for none */
};

struct rg_budget_leases {
	pthread_mutex_t lock;
	uint32_t size;
	struct slot slots[RG_BUDGET_LEASE_SLOTS];
};

struct rg_budget_leases *
rg_budget_leases_new(uint32_t size)
{
	struct rg_budget_leases *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->size = size < RG_BUDGET_LEASE_MAX ? size : RG_BUDGET_LEASE_MAX;
	return t;
}

void
rg_budget_leases_free(struct rg_budget_leases **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	pthread_mutex_destroy(&(*tp)->lock);
	free(*tp);
	*tp = NULL;
}

/* FNV-1a: the slot a login hashes to. */
static struct slot *
slot_of(struct rg_budget_leases *t, const char *login)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)login; *p != '\0'; p++)
		h = (h ^ *p) * 16777619u;
	return &t->slots[h % RG_BUDGET_LEASE_SLOTS];
}

static bool
same_limits(const struct rg_budget_limits *a, const struct rg_budget_limits *b)
{
	return a->window == b->window && a->messages == b->messages &&
	    a->recipients == b->recipients && a->domains == b->domains;
}

/* No domain is charged to nothing; a long one is never remembered. */
static bool
domain_known(const struct slot *s, const char *domain)
{
	if (domain == NULL || *domain == '\0')
		return true;
	for (unsigned i = 0; i < s->ndomains && i < RG_BUDGET_LEASE_DOMAINS; i++)
		if (strcmp(s->domains[i], domain) == 0)
			return true;
	return false;
}

static void
domain_remember(struct slot *s, const char *domain)
{
	if (domain_known(s, domain) || strlen(domain) >= DOMAIN_MAX)
		return;
	strcpy(s->domains[s->ndomains % RG_BUDGET_LEASE_DOMAINS], domain);
	s->ndomains++;
}

/* The lease can pay for a recipient now: same limits, same bucket, units left. */
static bool
usable(const struct slot *s, const struct rg_budget_limits *lim, double now)
{
	return s->units > 0 && now < s->ends && same_limits(&s->lim, lim);
}

bool
rg_budget_lease_use(struct rg_budget_leases *t, const struct rg_budget_request *req,
    const struct rg_budget_limits *lim, double now, struct rg_budget_result *res)
{
	struct slot *s;
	bool ok;

	if (req->new_message)
		return false;
	s = slot_of(t, req->login);
	pthread_mutex_lock(&t->lock);
	ok = strcmp(s->login, req->login) == 0 && usable(s, lim, now) &&
	    domain_known(s, req->domain);
	if (ok) {
		s->units--;
		s->used.recipients++;
		memset(res, 0, sizeof(*res));
		res->answer = RG_BUDGET_ADMITTED;
		res->used = s->used;
	}
	pthread_mutex_unlock(&t->lock);
	return ok;
}

/*
 * The lease ended (its bucket, or its limits): its units are owed back,
 * to be returned by the next call.  Owed units of another bucket stay
 * charged: one refund per call.
 */
static void
retire(struct slot *s)
{
	if (s->units > 0 && (s->owed == 0 || s->owed_bucket == s->bucket)) {
		s->owed += s->units;
		s->owed_bucket = s->bucket;
	}
	s->units = 0;
	s->gen++;
}

void
rg_budget_lease_begin(struct rg_budget_leases *t, const struct rg_budget_request *req,
    const struct rg_budget_limits *lim, double now, struct rg_budget_lease_ticket *tk)
{
	struct slot *s = slot_of(t, req->login);

	memset(tk, 0, sizeof(*tk));
	tk->start = now;
	if (strlen(req->login) >= LOGIN_MAX)
		return;
	pthread_mutex_lock(&t->lock);
	if (strcmp(s->login, req->login) == 0) {
		if (usable(s, lim, now)) {
			s->units--;
			tk->prepaid = true;
		} else if (s->units > 0) {
			retire(s);
		}
		tk->owner = !s->pending;
		if (tk->owner && s->owed > 0) {
			tk->refund = s->owed;
			tk->refund_bucket = s->owed_bucket;
			s->owed = 0;
		}
		tk->held = s->units;
	} else if (!s->pending && (s->units == 0 || now >= s->ends)) {
		/* Another login's slot, spent or ended: what it holds or is owed stays charged. */
		strcpy(s->login, req->login);
		s->have_bucket = false;
		s->ndomains = 0;
		s->units = s->owed = 0;
		s->doubt = false;
		s->gen++;
		tk->owner = true;
	}
	tk->gen = s->gen;
	if (tk->owner) {
		s->pending = true;
		tk->ask = s->doubt || t->size <= s->units ? 0 : t->size - s->units;
	}
	pthread_mutex_unlock(&t->lock);
}

void
rg_budget_lease_end(struct rg_budget_leases *t, const struct rg_budget_request *req,
    const struct rg_budget_limits *lim, const struct rg_budget_lease_ticket *tk,
    struct rg_budget_result *res)
{
	struct slot *s = slot_of(t, req->login);
	bool answered = res != NULL && res->answer != RG_BUDGET_ERROR, mine;

	pthread_mutex_lock(&t->lock);
	mine = strcmp(s->login, req->login) == 0;
	/* What the lease held is charged, not yet admitted. */
	if (answered)
		res->used.recipients = res->used.recipients > tk->held ?
		    res->used.recipients - tk->held : 0;
	/* A prepaid recipient that was not admitted gives its unit back, to its own lease only. */
	if (tk->prepaid && mine && s->gen == tk->gen &&
	    (!answered || res->answer != RG_BUDGET_ADMITTED))
		s->units++;
	if (tk->owner && mine) {
		s->pending = false;
		/*
		 * A failed call may have charged its grant and taken its refund,
		 * or not: neither is used again, and until a call is answered
		 * none asks for more, so an outage strands one lease at most.
		 */
		s->doubt = !answered;
		if (answered) {
			if (!s->have_bucket || s->bucket != tk->bucket ||
			    !same_limits(&s->lim, lim)) {
				retire(s);
				if (!s->have_bucket || s->bucket != tk->bucket)
					s->ndomains = 0;
			}
			s->have_bucket = true;
			s->bucket = tk->bucket;
			/* From before the call: the end as seen here is never late. */
			s->ends = tk->start + tk->left;
			s->units += tk->granted;
			s->lim = *lim;
		}
	}
	if (answered && mine && s->have_bucket && s->bucket == tk->bucket) {
		s->used = res->used;
		if (res->answer == RG_BUDGET_ADMITTED && req->domain != NULL)
			domain_remember(s, req->domain);
	}
	pthread_mutex_unlock(&t->lock);
}

void
rg_budget_lease_cancel(struct rg_budget_leases *t, const struct rg_budget_request *req,
    const struct rg_budget_lease_ticket *tk)
{
	struct slot *s = slot_of(t, req->login);

	pthread_mutex_lock(&t->lock);
	if (strcmp(s->login, req->login) == 0) {
		if (tk->prepaid && s->gen == tk->gen)
			s->units++;
		if (tk->owner) {
			s->pending = false;
			if (tk->refund > 0 && s->owed == 0) {
				s->owed = tk->refund;
				s->owed_bucket = tk->refund_bucket;
			}
		}
	}
	pthread_mutex_unlock(&t->lock);
}
