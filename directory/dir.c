/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir.c - dispatch to a directory backend, and make the three-way
 * contract hold even when a backend forgets to fill an answer in.
 */
#include <stdio.h>
#include <string.h>

#include "dir.h"

static void
answer_reset(struct rg_dir_answer *a)
{
	memset(a, 0, sizeof(*a));
	/* An answer the backend never set must read as "could not tell". */
	a->status = RG_DIR_ERROR;
	strcpy(a->why, "backend gave no answer");
}

/* Every lookup passes here: count its answer. */
static void
count(const struct rg_dir *d, const struct rg_dir_answer *a)
{
	enum rg_stats_answer n = RG_STATS_ERROR;

	if (a->stale)
		n = RG_STATS_STALE;
	else if (a->status == RG_DIR_FOUND)
		n = RG_STATS_FOUND;
	else if (a->status == RG_DIR_NOTFOUND)
		n = RG_STATS_NOTFOUND;
	rg_stats_lookup(d->ops->stats, n);
}

void
rg_dir_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->recipient(d, addr, a);
	count(d, a);
}

void
rg_dir_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	answer_reset(a);
	d->ops->login_owns(d, login, addr, a);
	count(d, a);
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
	/* Nothing to ask: not a lookup, so not counted. */
	if (d->ops->login_suspended == NULL) {
		a->status = RG_DIR_NOTFOUND;
		a->why[0] = '\0';
		return;
	}
	d->ops->login_suspended(d, login, a);
	count(d, a);
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
	if (a->status != RG_DIR_FOUND)
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
rg_dir_kind_name(enum rg_dir_kind k)
{
	switch (k) {
	case RG_DIR_MAILBOX:	return "mailbox";
	case RG_DIR_FORWARD:	return "forward";
	case RG_DIR_LIST:	return "list";
	}
	return "unknown";
}
