/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap.c - the LDAP backend's questions: recipient kinds, login
 * ownership and suspension, each behind the answer cache, and what the
 * entries found say.
 *
 * One lookup = one or two searches on one pooled connection against one
 * deadline (dir_ldap_search.c runs them and settles every failure as
 * RG_LOOKUP_ERROR).  Zero entries is RG_LOOKUP_NOTFOUND and never
 * anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "common/stats.h"
#include "directory/dir_ldap.h"
#include "directory/dir_ldap_pool.h"
#include "directory/dir_ldap_search.h"

#define MAX_ATTRS		16

struct ldap_backend {
	struct rg_ldap_where where;	/* pool, base, scope, timeout */
	struct rg_cache *cache;
	char *recipient_filter;
	char *list_filter;
	char *forward_attr;
	char *member_attr;
	char *login_filter;
	char *login_attrs[MAX_ATTRS + 1];
	char *susp_attr;		/* NULL: no suspension */
	char *susp_value;		/* NULL: any value */
	char *login_name_attr;
	char *owner_filter;		/* address_login: (|(attr=%s)...) of login_attrs */
	/* login_filter's search: login_attrs, then susp_attr. */
	char *login_search[MAX_ATTRS + 2];
};

/* Does the first entry of 'res' carry attribute 'attr'? */
static bool
has_attr(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **vals;
	bool yes;

	if (attr == NULL)
		return false;
	vals = ldap_get_values_len(ld, e, attr);
	yes = vals != NULL && vals[0] != NULL;
	ldap_value_free_len(vals);
	return yes;
}

/* Every value of 'attr' in entry 'e' into the answer's target, for -q. */
static void
add_targets(LDAP *ld, LDAPMessage *e, const char *attr, struct rg_dir_answer *a)
{
	struct berval **vals = ldap_get_values_len(ld, e, attr);

	for (int i = 0; vals != NULL && vals[i] != NULL; i++)
		rg_dir_add_target(a, vals[i]->bv_val, vals[i]->bv_len);
	ldap_value_free_len(vals);
}

static void
ldap_recipient(const struct ldap_backend *b, struct rg_ldap_lookup *lk, const char *addr)
{
	char *attrs[3] = { b->forward_attr, b->member_attr, NULL };
	char *noattrs[2] = { LDAP_NO_ATTRS, NULL };
	LDAPMessage *res, *e;
	LDAP *ld;

	if (attrs[0] == NULL) {
		attrs[0] = attrs[1];
		attrs[1] = NULL;
	}
	if (attrs[0] == NULL)
		attrs[0] = LDAP_NO_ATTRS;
	switch (rg_ldap_first_entry(lk, b->recipient_filter, addr, attrs, &res, &e)) {
	case RG_LOOKUP_ERROR:
	case RG_LOOKUP_NONE:	/* rg_ldap_first_entry() never says it */
		return;
	case RG_LOOKUP_FOUND: {
		enum rg_rcpt_kind k = RG_KIND_MAILBOX;

		ld = rg_ldap_lookup_ld(lk);
		if (has_attr(ld, e, b->forward_attr))
			k = RG_KIND_FORWARD;
		else if (has_attr(ld, e, b->member_attr))
			k = RG_KIND_LIST;
		rg_ldap_lookup_answered(lk, RG_LOOKUP_FOUND, k);
		if (k == RG_KIND_FORWARD)
			add_targets(ld, e, b->forward_attr, lk->a);
		ldap_msgfree(res);
		return;
	}
	case RG_LOOKUP_NOTFOUND:
		break;
	}
	if (b->list_filter != NULL) {
		switch (rg_ldap_first_entry(lk, b->list_filter, addr, noattrs, &res, &e)) {
		case RG_LOOKUP_ERROR:
		case RG_LOOKUP_NONE:
			return;
		case RG_LOOKUP_FOUND:
			ldap_msgfree(res);
			rg_ldap_lookup_answered(lk, RG_LOOKUP_FOUND, RG_KIND_LIST);
			return;
		case RG_LOOKUP_NOTFOUND:
			break;
		}
	}
	rg_ldap_lookup_answered(lk, RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
}

/* Does entry 'e' carry the suspension mark? */
static bool
entry_suspended(const struct ldap_backend *b, LDAP *ld, LDAPMessage *e)
{
	struct berval **v;
	bool yes = false;

	if (b->susp_attr == NULL)
		return false;
	v = ldap_get_values_len(ld, e, b->susp_attr);
	for (int j = 0; v != NULL && v[j] != NULL && !yes; j++)
		yes = b->susp_value == NULL || (v[j]->bv_len == strlen(b->susp_value) &&
		    strncasecmp(v[j]->bv_val, b->susp_value, v[j]->bv_len) == 0);
	ldap_value_free_len(v);
	return yes;
}

/*
 * login_filter's search: does 'login' own 'addr' (NULL: not asked), and
 * is it suspended?  Several entries for one login: owning through any
 * of them counts, and so does a mark on any of them.
 */
static void
ldap_login_owns(struct ldap_backend *b, struct rg_ldap_lookup *lk, const char *login,
    const char *addr)
{
	LDAPMessage *res, *e;
	LDAP *ld;
	bool owns = false, suspended = false;

	if (!rg_ldap_search_entries(lk, b->login_filter, login, b->login_search, &res))
		return;
	ld = rg_ldap_lookup_ld(lk);
	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e)) {
		suspended = suspended || entry_suspended(b, ld, e);
		for (int i = 0; addr != NULL && b->login_attrs[i] != NULL && !owns; i++) {
			struct berval **v = ldap_get_values_len(ld, e, b->login_attrs[i]);
			for (int j = 0; v != NULL && v[j] != NULL; j++) {
				/* mail and mailLocalAddress match case-insensitively. */
				if (v[j]->bv_len == strlen(addr) &&
				    strncasecmp(v[j]->bv_val, addr, v[j]->bv_len) == 0) {
					owns = true;
					break;
				}
			}
			ldap_value_free_len(v);
		}
	}
	ldap_msgfree(res);
	rg_ldap_lookup_answered(lk, owns ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
	lk->a->suspended = suspended;
}

/*
 * -q login=: the same login_filter search as login_owns, every value
 * of every login_address_attributes attribute.  Never cached.
 */
static void
op_login_addresses(struct rg_dir *d, const char *login,
    void (*each)(void *, const char *), void *arg, struct rg_dir_answer *a)
{
	struct ldap_backend *b = d->backend;
	struct rg_ldap_lookup lk;
	LDAPMessage *res, *e;
	LDAP *ld;
	bool any = false;

	if (!rg_ldap_lookup_begin(&lk, &b->where, a))
		return;
	if (!rg_ldap_search_entries(&lk, b->login_filter, login, b->login_attrs, &res)) {
		rg_ldap_lookup_end(&lk);
		return;
	}
	ld = rg_ldap_lookup_ld(&lk);
	for (e = ldap_first_entry(ld, res); e != NULL; e = ldap_next_entry(ld, e))
		for (int i = 0; b->login_attrs[i] != NULL; i++) {
			struct berval **v = ldap_get_values_len(ld, e, b->login_attrs[i]);

			for (int j = 0; v != NULL && v[j] != NULL; j++) {
				char *val = strndup(v[j]->bv_val, v[j]->bv_len);

				if (val == NULL)
					continue;
				each(arg, val);
				any = true;
				free(val);
			}
			ldap_value_free_len(v);
		}
	ldap_msgfree(res);
	rg_ldap_lookup_answered(&lk, any ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
	rg_ldap_lookup_end(&lk);
}

/*
 * relayguard -R: the entry listing 'addr' in one of the
 * login_address_attributes (the inverse of login_owns), and the first
 * value of its login_attribute.  Never cached.
 */
static void
op_address_login(struct rg_dir *d, const char *addr, char *login_r, size_t loginlen,
    struct rg_dir_answer *a)
{
	struct ldap_backend *b = d->backend;
	char *attrs[2] = { b->login_name_attr, NULL };
	struct rg_ldap_lookup lk;
	LDAPMessage *res, *e;
	LDAP *ld;
	bool any = false;

	if (!rg_ldap_lookup_begin(&lk, &b->where, a))
		return;
	if (!rg_ldap_search_entries(&lk, b->owner_filter, addr, attrs, &res)) {
		rg_ldap_lookup_end(&lk);
		return;
	}
	ld = rg_ldap_lookup_ld(&lk);
	for (e = ldap_first_entry(ld, res); e != NULL && !any; e = ldap_next_entry(ld, e)) {
		struct berval **v = ldap_get_values_len(ld, e, b->login_name_attr);

		if (v != NULL && v[0] != NULL && v[0]->bv_len < loginlen &&
		    memchr(v[0]->bv_val, '\0', v[0]->bv_len) == NULL) {
			memcpy(login_r, v[0]->bv_val, v[0]->bv_len);
			login_r[v[0]->bv_len] = '\0';
			any = true;
		}
		ldap_value_free_len(v);
	}
	ldap_msgfree(res);
	rg_ldap_lookup_answered(&lk, any ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
	rg_ldap_lookup_end(&lk);
}

/* Cache key: a tag byte, then the values separated by NUL bytes. */
static size_t
cache_key(char *buf, size_t buflen, char tag, const char *v1, const char *v2)
{
	size_t l1 = strlen(v1), l2 = v2 != NULL ? strlen(v2) + 1 : 0;

	if (2 + l1 + l2 > buflen)
		return 0;
	buf[0] = tag;
	memcpy(buf + 1, v1, l1 + 1);
	if (v2 != NULL)
		memcpy(buf + 2 + l1, v2, l2);
	return 1 + l1 + 1 + l2;
}

/* A cached value: the kind of a recipient ('R'), or a login's suspension. */
static void
from_cache(char tag, int value, struct rg_dir_answer *a)
{
	if (tag == 'R') {
		a->kind = (enum rg_rcpt_kind)value;
	} else {
		a->kind = RG_KIND_MAILBOX;
		a->suspended = value != 0;
	}
}

/*
 * The cache wrapper the three questions share: a fresh hit answers at once;
 * a directory answer is stored; an error falls back to a stale positive.
 */
static void
cached(struct ldap_backend *b, char tag, const char *v1, const char *v2,
    struct rg_dir_answer *a)
{
	char key[1100];
	size_t klen = cache_key(key, sizeof(key), tag, v1, v2);
	bool positive = false;
	int value = 0;
	double age = 0;
	enum rg_cache_hit hit = RG_CACHE_MISS;
	struct rg_ldap_lookup lk;

	if (klen > 0)
		hit = rg_cache_get(b->cache, key, klen, &positive, &value, &age);
	if (hit == RG_CACHE_FRESH) {
		a->status = positive ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
		from_cache(tag, value, a);
		snprintf(a->source, sizeof(a->source), "cache");
		a->why[0] = '\0';
		return;
	}
	if (rg_ldap_lookup_begin(&lk, &b->where, a)) {
		if (tag == 'R') {
			ldap_recipient(b, &lk, v1);
		} else if (tag == 'L') {
			ldap_login_owns(b, &lk, v1, v2);
		} else {
			ldap_login_owns(b, &lk, v1, NULL);
			if (a->status != RG_LOOKUP_ERROR)
				a->status = a->suspended ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
		}
		rg_ldap_lookup_end(&lk);
	}
	if (a->status != RG_LOOKUP_ERROR) {
		if (klen > 0)
			rg_cache_put(b->cache, key, klen, a->status == RG_LOOKUP_FOUND,
			    tag == 'R' ? (int)a->kind : a->suspended);
		return;
	}
	if (hit == RG_CACHE_STALE && positive) {
		a->status = RG_LOOKUP_FOUND;
		from_cache(tag, value, a);
		a->stale = true;
		a->age = age;
	}
}

static void
op_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	cached(d->backend, 'R', addr, NULL, a);
}

static void
op_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	cached(d->backend, 'L', login, addr, a);
}

/*
 * FOUND (suspended) is the positive answer, so the cache may serve it
 * stale; session/ reads every stale answer as "could not tell".
 */
static void
op_login_suspended(struct rg_dir *d, const char *login, struct rg_dir_answer *a)
{
	cached(d->backend, 'S', login, NULL, a);
}

static bool
op_probe(struct rg_dir *d, char *err, size_t errlen)
{
	struct ldap_backend *b = d->backend;

	return rg_ldap_pool_probe(b->where.pool, b->where.base, err, errlen);
}

static void
backend_free(struct ldap_backend *b)
{
	if (b == NULL)
		return;
	rg_ldap_pool_destroy(&b->where.pool);
	rg_cache_destroy(&b->cache);
	free(b->where.base);
	free(b->recipient_filter);
	free(b->list_filter);
	free(b->forward_attr);
	free(b->member_attr);
	free(b->login_filter);
	free(b->susp_attr);
	free(b->susp_value);
	free(b->login_name_attr);
	free(b->owner_filter);
	for (int i = 0; b->login_attrs[i] != NULL; i++)
		free(b->login_attrs[i]);
	free(b);
}

static void
op_destroy(struct rg_dir *d)
{
	backend_free(d->backend);
	free(d);
}

static const struct rg_dir_ops ldap_ops = {
	.name = "ldap",
	.stats = RG_STATS_LDAP,
	.recipient = op_recipient,
	.login_owns = op_login_owns,
	.probe = op_probe,
	.destroy = op_destroy,
	.login_addresses = op_login_addresses,
	.address_login = op_address_login,
};

/* The same, for a directory with login_suspended_attribute set. */
static const struct rg_dir_ops ldap_suspend_ops = {
	.name = "ldap",
	.stats = RG_STATS_LDAP,
	.recipient = op_recipient,
	.login_owns = op_login_owns,
	.probe = op_probe,
	.destroy = op_destroy,
	.login_addresses = op_login_addresses,
	.login_suspended = op_login_suspended,
	.address_login = op_address_login,
};

/* (|(a1=%s)(a2=%s)...) over login_address_attributes, names already checked. */
static char *
owner_filter(char *const *attrs)
{
	size_t need = 4, n = 0;
	char *f;

	for (int i = 0; attrs[i] != NULL; i++, n++)
		need += strlen(attrs[i]) + 6;
	if ((f = malloc(need)) == NULL)
		return NULL;
	strcpy(f, n > 1 ? "(|" : "");
	for (int i = 0; attrs[i] != NULL; i++) {
		strcat(f, "(");
		strcat(f, attrs[i]);
		strcat(f, "=%s)");
	}
	if (n > 1)
		strcat(f, ")");
	return f;
}

static bool
copy_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL || *src == '\0')
		return true;
	return (*dst = strdup(src)) != NULL;
}

struct rg_dir *
rg_dir_ldap_new(const struct rg_ldap_settings *set, char *err, size_t errlen)
{
	struct ldap_backend *b;
	struct rg_dir *d;
	static const int scopes[] = {
		[RG_LDAP_SCOPE_BASE] = LDAP_SCOPE_BASE,
		[RG_LDAP_SCOPE_ONE] = LDAP_SCOPE_ONELEVEL,
		[RG_LDAP_SCOPE_SUB] = LDAP_SCOPE_SUBTREE,
	};
	int version;

	if (set->nuris == 0 || set->base == NULL || set->recipient_filter == NULL ||
	    set->login_filter == NULL || set->nlogin_address_attributes == 0 ||
	    set->nlogin_address_attributes > MAX_ATTRS || set->pool_size < 1 ||
	    set->timeout <= 0 || set->nuris > RG_LDAP_MAX_URIS) {
		snprintf(err, errlen, "incomplete LDAP settings");
		return NULL;
	}
	/*
	 * libldap initialises its globals on first use; do it now, while
	 * only one thread runs, rather than in the first concurrent lookups.
	 */
	ldap_get_option(NULL, LDAP_OPT_PROTOCOL_VERSION, &version);
	if ((b = calloc(1, sizeof(*b))) == NULL || (d = calloc(1, sizeof(*d))) == NULL) {
		free(b);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->where.scope = scopes[set->scope];
	b->where.timeout = set->timeout;
	if (!copy_opt(&b->where.base, set->base) ||
	    !copy_opt(&b->recipient_filter, set->recipient_filter) ||
	    !copy_opt(&b->list_filter, set->list_filter) ||
	    !copy_opt(&b->forward_attr, set->forward_attribute) ||
	    !copy_opt(&b->member_attr, set->list_member_attribute) ||
	    !copy_opt(&b->login_filter, set->login_filter) ||
	    !copy_opt(&b->susp_attr, set->login_suspended_attribute) ||
	    !copy_opt(&b->susp_value, set->login_suspended_value) ||
	    !copy_opt(&b->login_name_attr, set->login_attribute != NULL &&
	    *set->login_attribute != '\0' ? set->login_attribute : "uid"))
		goto nomem;
	for (size_t i = 0; i < set->nlogin_address_attributes; i++)
		if ((b->login_attrs[i] = strdup(set->login_address_attributes[i])) == NULL)
			goto nomem;
	for (size_t i = 0; i < set->nlogin_address_attributes; i++)
		b->login_search[i] = b->login_attrs[i];
	b->login_search[set->nlogin_address_attributes] = b->susp_attr;
	if ((b->owner_filter = owner_filter(b->login_attrs)) == NULL)
		goto nomem;
	if ((b->where.pool = rg_ldap_pool_new(set, err, errlen)) == NULL)
		goto fail;
	if ((b->cache = rg_cache_new(&set->cache, NULL, NULL)) == NULL)
		goto nomem;
	d->ops = b->susp_attr != NULL ? &ldap_suspend_ops : &ldap_ops;
	d->backend = b;
	return d;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	backend_free(b);
	free(d);
	return NULL;
}
