/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir.c - dispatch to a directory backend, and make the three-way
 * contract hold even when a backend forgets to fill an answer in.
 * Every lookup of every backend goes through answered(): the one place
 * that counts lookups and, with -v, traces them.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "dir.h"

static void
answer_reset(struct rg_dir_answer *a)
{
	memset(a, 0, sizeof(*a));
	/* An answer the backend never set must read as "could not tell". */
	a->status = RG_LOOKUP_ERROR;
	strcpy(a->why, "backend gave no answer");
	a->age = -1;
}

/* The questions a directory answers, as the trace line names them. */
enum question {
	Q_RECIPIENT,
	Q_LOGIN,		/* does a login own an address */
	Q_SUSPENDED,
	Q_ADDRESSES,		/* relayguard -q login= */
	Q_OWNER,		/* relayguard -R */
};

static const struct {
	const char *name;
	bool counted;		/* by rg_stats: the daemon's lookups, not the tools' */
} questions[] = {
	[Q_RECIPIENT] = { "recipient", true },
	[Q_LOGIN] = { "login", true },
	[Q_SUSPENDED] = { "suspended", true },
	[Q_ADDRESSES] = { "login-addresses", false },
	[Q_OWNER] = { "address-login", false },
};

static const char *
status_name(enum rg_lookup st)
{
	switch (st) {
	case RG_LOOKUP_FOUND:	return "found";
	case RG_LOOKUP_NOTFOUND:	return "notfound";
	case RG_LOOKUP_ERROR:
	case RG_LOOKUP_NONE:	/* answered() made it an error first */
		break;
	}
	return "error";
}

/*
 * With -v, one debug line per lookup, whichever backend answered, as
 * OpenSMTPD's table_lookup() traces every table: the decision line
 * says what was decided, this one what the directory said.
 */
static void
trace(const struct rg_dir *d, enum question q, const char *key, const char *addr,
    const struct rg_dir_answer *a)
{
	struct rg_kv kv;
	char age[32];

	if (!rg_log_enabled(RG_LOG_DEBUG))
		return;
	rg_kv_init(&kv);
	rg_kv_add(&kv, "directory", "lookup");
	rg_kv_add(&kv, "backend", d->ops->name);
	rg_kv_add(&kv, "question", questions[q].name);
	rg_kv_add(&kv, "key", key);
	if (addr != NULL)
		rg_kv_add(&kv, "address", addr);
	rg_kv_add(&kv, "answer", status_name(a->status));
	if (q == Q_RECIPIENT && a->status == RG_LOOKUP_FOUND)
		rg_kv_add(&kv, "kind", rg_dir_kind_name(a->kind));
	if (q == Q_LOGIN && a->status != RG_LOOKUP_ERROR && rg_dir_suspends(d))
		rg_kv_add(&kv, "suspended", a->suspended ? "yes" : "no");
	if (a->stale)
		rg_kv_add(&kv, "stale", "yes");
	/* An outage answered from the cache: how old that answer is, in whole seconds. */
	if (a->stale && a->age >= 0) {
		snprintf(age, sizeof(age), "%lld", (long long)a->age);
		rg_kv_add(&kv, "age", age);
	}
	rg_kv_add(&kv, "source", a->source[0] != '\0' ? a->source : NULL);
	if (a->status == RG_LOOKUP_ERROR || a->stale)
		rg_kv_add(&kv, "why", a->why);
	rg_log(RG_LOG_DEBUG, "%s", rg_kv_str(&kv));
}

/*
 * Every backend's answer passes here: hold it to the three-way
 * contract, count it and trace it.
 */
static void
answered(const struct rg_dir *d, enum question q, const char *key, const char *addr,
    struct rg_dir_answer *a)
{
	enum rg_stats_answer n = RG_STATS_ERROR;

	if (a->status != RG_LOOKUP_FOUND && a->status != RG_LOOKUP_NOTFOUND &&
	    a->status != RG_LOOKUP_ERROR) {
		a->status = RG_LOOKUP_ERROR;
		snprintf(a->why, sizeof(a->why), "backend gave no answer");
	}
	if (questions[q].counted) {
		if (a->stale)
			n = RG_STATS_STALE;
		else if (a->status == RG_LOOKUP_FOUND)
			n = RG_STATS_FOUND;
		else if (a->status == RG_LOOKUP_NOTFOUND)
			n = RG_STATS_NOTFOUND;
		rg_stats_lookup(d->ops->stats, n);
	}
	trace(d, q, key, addr, a);
}

void
rg_dir_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->recipient(d, addr, a);
	answered(d, Q_RECIPIENT, addr, NULL, a);
}

void
rg_dir_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->login_owns(d, login, addr, a);
	answered(d, Q_LOGIN, login, addr, a);
}

void
rg_dir_login_addresses(struct rg_dir *d, const char *login,
    void (*each)(void *, const char *), void *arg, struct rg_dir_answer *a)
{
	answer_reset(a);
	if (d->ops->login_addresses == NULL) {
		snprintf(a->why, sizeof(a->why), "the %s backend cannot list a login's "
		    "addresses", d->ops->name);
		return;
	}
	d->ops->login_addresses(d, login, each, arg, a);
	answered(d, Q_ADDRESSES, login, NULL, a);
}

bool
rg_dir_suspends(const struct rg_dir *d)
{
	return d->ops->login_suspended != NULL;
}

void
rg_dir_login_suspended(struct rg_dir *d, const char *login, struct rg_dir_answer *a)
{
	answer_reset(a);
	/* Nothing to ask: not a lookup, so neither counted nor traced. */
	if (d->ops->login_suspended == NULL) {
		a->status = RG_LOOKUP_NOTFOUND;
		a->why[0] = '\0';
		return;
	}
	d->ops->login_suspended(d, login, a);
	answered(d, Q_SUSPENDED, login, NULL, a);
}

void
rg_dir_address_login(struct rg_dir *d, const char *addr, char *login_r, size_t loginlen,
    struct rg_dir_answer *a)
{
	answer_reset(a);
	login_r[0] = '\0';
	if (d->ops->address_login == NULL) {
		snprintf(a->why, sizeof(a->why), "the %s backend cannot tell which login owns "
		    "an address", d->ops->name);
		return;
	}
	d->ops->address_login(d, addr, login_r, loginlen, a);
	answered(d, Q_OWNER, addr, NULL, a);
	if (a->status != RG_LOOKUP_FOUND)
		login_r[0] = '\0';
}

void
rg_dir_add_target(struct rg_dir_answer *a, const char *value, size_t len)
{
	size_t have = strlen(a->target), need = (have > 0 ? 2 : 0) + len;

	if (have >= 3 && strcmp(a->target + have - 3, "...") == 0)
		return;
	if (have + need + 1 > sizeof(a->target)) {
		/* Say that something is missing rather than cut an address. */
		if (have + 4 > sizeof(a->target))
			have = sizeof(a->target) - 4;
		memcpy(a->target + have, "...", 4);
		return;
	}
	if (have > 0)
		memcpy(a->target + have, ", ", 2), have += 2;
	memcpy(a->target + have, value, len);
	a->target[have + len] = '\0';
}

bool
rg_dir_probe(struct rg_dir *d, char *err, size_t errlen)
{
	if (d->ops->probe == NULL)
		return true;
	return d->ops->probe(d, err, errlen);
}

void
rg_dir_destroy(struct rg_dir **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	(*dp)->ops->destroy(*dp);
	*dp = NULL;
}

const char *
rg_dir_kind_name(enum rg_rcpt_kind k)
{
	switch (k) {
	case RG_KIND_MAILBOX:	return "mailbox";
	case RG_KIND_FORWARD:	return "forward";
	case RG_KIND_LIST:	return "list";
	}
	return "unknown";
}
