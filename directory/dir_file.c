/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_file.c - the embedded directory backend.
 *
 * Login ownership is stored as one key "login\naddress", since a login
 * may own many addresses and an address be shared by several logins.
 * '\n' cannot occur in either: the loader refuses control characters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dir_file.h"
#include "common/strmap.h"
#include "common/strutil.h"

/* One login's addresses, in the file's order, for relayguard -q login=. */
struct file_login {
	char *name;
	char **addrs;
	size_t n;
	bool suspended;
};

struct file_dir {
	struct rg_dir dir;
	char *source;
	struct rg_strmap *recipients;	/* addr -> kind + 1 */
	struct rg_strmap *owners;	/* "login\naddr" -> NULL */
	struct rg_strmap *targets;	/* forward addr -> index into strs */
	struct rg_strmap *logins;	/* login -> index into login_v */
	struct rg_strmap *addr_owner;	/* addr -> index into login_v, its first owner */
	char **strs;
	size_t nstrs;
	struct file_login *login_v;
	size_t nlogins;
};

/* realloc() for build-time tables: out of memory here is fatal, as in rg_xcalloc. */
static void *
grow(void *p, size_t size)
{
	if ((p = realloc(p, size)) == NULL)
		abort();
	return p;
}

static void
file_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	if (rg_strmap_get(f->recipients, addr, &v)) {
		a->status = RG_LOOKUP_FOUND;
		a->kind = (enum rg_rcpt_kind)((intptr_t)v - 1);
		if (a->kind == RG_KIND_FORWARD && rg_strmap_get(f->targets, addr, &v)) {
			const char *t = f->strs[(intptr_t)v];

			rg_dir_add_target(a, t, strlen(t));
		}
	} else {
		a->status = RG_LOOKUP_NOTFOUND;
	}
}

static void
file_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	char key[1024];
	int n = snprintf(key, sizeof(key), "%s\n%s", login, addr);

	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	/* Longer than any stored key: it cannot be there. */
	if (n < 0 || (size_t)n >= sizeof(key))
		a->status = RG_LOOKUP_NOTFOUND;
	else
		a->status = rg_strmap_get(f->owners, key, NULL) ?
		    RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
	a->suspended = rg_strmap_get(f->logins, login, &v) && f->login_v[(intptr_t)v].suspended;
}

/* FOUND: suspended.  An unknown login is not suspended: its MAIL fails elsewhere. */
static void
file_login_suspended(struct rg_dir *d, const char *login, struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	a->suspended = rg_strmap_get(f->logins, login, &v) && f->login_v[(intptr_t)v].suspended;
	a->status = a->suspended ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
}

/* The first login in the file that lists 'addr' among its addresses. */
static void
file_address_login(struct rg_dir *d, const char *addr, char *login_r, size_t loginlen,
    struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	a->status = RG_LOOKUP_NOTFOUND;
	if (!rg_strmap_get(f->addr_owner, addr, &v) ||
	    strlen(f->login_v[(intptr_t)v].name) >= loginlen)
		return;
	rg_strcpy(login_r, loginlen, f->login_v[(intptr_t)v].name);
	a->status = RG_LOOKUP_FOUND;
}

static void
file_login_addresses(struct rg_dir *d, const char *login,
    void (*each)(void *, const char *), void *arg, struct rg_dir_answer *a)
{
	struct file_dir *f = d->backend;
	void *v;

	rg_strcpy(a->source, sizeof(a->source), f->source);
	a->why[0] = '\0';
	a->status = RG_LOOKUP_NOTFOUND;
	if (!rg_strmap_get(f->logins, login, &v))
		return;
	for (size_t i = 0; i < f->login_v[(intptr_t)v].n; i++)
		each(arg, f->login_v[(intptr_t)v].addrs[i]);
	/* A login named only to be suspended owns nothing. */
	if (f->login_v[(intptr_t)v].n > 0)
		a->status = RG_LOOKUP_FOUND;
}

static void
file_destroy(struct rg_dir *d)
{
	struct file_dir *f = d->backend;

	for (size_t i = 0; i < f->nstrs; i++)
		free(f->strs[i]);
	free(f->strs);
	for (size_t i = 0; i < f->nlogins; i++) {
		for (size_t j = 0; j < f->login_v[i].n; j++)
			free(f->login_v[i].addrs[j]);
		free(f->login_v[i].addrs);
		free(f->login_v[i].name);
	}
	free(f->login_v);
	rg_strmap_destroy(&f->targets);
	rg_strmap_destroy(&f->logins);
	rg_strmap_destroy(&f->addr_owner);
	rg_strmap_destroy(&f->recipients);
	rg_strmap_destroy(&f->owners);
	free(f->source);
	free(f);
}

static const struct rg_dir_ops file_ops = {
	.name = "file",
	.stats = RG_STATS_FILE,
	.recipient = file_recipient,
	.login_owns = file_login_owns,
	.probe = NULL,
	.destroy = file_destroy,
	.login_addresses = file_login_addresses,
	/* Always: the flag is in memory, so asking costs nothing. */
	.login_suspended = file_login_suspended,
	.address_login = file_address_login,
};

struct rg_dir *
rg_dir_file_new(const char *source)
{
	struct file_dir *f = rg_xcalloc(1, sizeof(*f));

	f->dir.ops = &file_ops;
	f->dir.backend = f;
	f->source = rg_xstrdup(source);
	f->recipients = rg_strmap_new();
	f->owners = rg_strmap_new();
	f->targets = rg_strmap_new();
	f->logins = rg_strmap_new();
	f->addr_owner = rg_strmap_new();
	return &f->dir;
}

void
rg_dir_file_add_recipient(struct rg_dir *d, const char *addr, enum rg_rcpt_kind kind)
{
	struct file_dir *f = d->backend;

	rg_strmap_put(f->recipients, addr, (void *)(intptr_t)(kind + 1));
}

/* The login's slot, made on first mention. */
static struct file_login *
login_slot(struct file_dir *f, const char *login, void **v_r)
{
	if (!rg_strmap_get(f->logins, login, v_r)) {
		f->login_v = grow(f->login_v, (f->nlogins + 1) * sizeof(*f->login_v));
		memset(&f->login_v[f->nlogins], 0, sizeof(*f->login_v));
		f->login_v[f->nlogins].name = rg_xstrdup(login);
		*v_r = (void *)(intptr_t)f->nlogins++;
		rg_strmap_put(f->logins, login, *v_r);
	}
	return &f->login_v[(intptr_t)*v_r];
}

void
rg_dir_file_add_login_address(struct rg_dir *d, const char *login, const char *addr)
{
	struct file_dir *f = d->backend;
	char *key;

	void *v;
	struct file_login *l;

	if (asprintf(&key, "%s\n%s", login, addr) < 0)
		abort();
	if (rg_strmap_get(f->owners, key, NULL)) {
		free(key);
		return;
	}
	rg_strmap_put(f->owners, key, NULL);
	free(key);
	l = login_slot(f, login, &v);
	if (!rg_strmap_get(f->addr_owner, addr, NULL))
		rg_strmap_put(f->addr_owner, addr, v);
	l->addrs = grow(l->addrs, (l->n + 1) * sizeof(*l->addrs));
	l->addrs[l->n++] = rg_xstrdup(addr);
}

void
rg_dir_file_set_suspended(struct rg_dir *d, const char *login)
{
	void *v;

	login_slot(d->backend, login, &v)->suspended = true;
}

void
rg_dir_file_set_target(struct rg_dir *d, const char *addr, const char *target)
{
	struct file_dir *f = d->backend;

	f->strs = grow(f->strs, (f->nstrs + 1) * sizeof(*f->strs));
	f->strs[f->nstrs] = rg_xstrdup(target);
	rg_strmap_put(f->targets, addr, (void *)(intptr_t)f->nstrs++);
}
