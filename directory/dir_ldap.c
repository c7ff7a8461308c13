/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap.c - the LDAP backend's lookups: recipient kinds and login
 * ownership, each behind the answer cache.
 *
 * One lookup = acquire a pooled connection, run one or two searches
 * against one deadline, release.  A transport failure closes the
 * connection and reopens it once (possibly on the next URI); a second
 * failure, a timeout or a server-side error is RG_LOOKUP_ERROR.  Zero
 * entries is RG_LOOKUP_NOTFOUND and never anything else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "common/clock.h"
#include "common/stats.h"
#include "dir_ldap.h"
#include "dir_ldap_pool.h"

/* Enough to see "one or several"; more entries would not change the answer. */
#define SEARCH_SIZELIMIT	8
#define MAX_ATTRS		16

struct ldap_backend {
	struct rg_ldap_pool *pool;
	struct rg_cache *cache;
	char *base;
	int scope;
	double timeout;
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

/* One lookup in flight: its connection, deadline and retry allowance. */
struct lookup {
	struct ldap_backend *b;
	struct rg_ldap_conn *conn;
	double deadline;
	bool reopened;
	struct rg_dir_answer *a;
};

static bool
lookup_begin(struct lookup *lk, struct ldap_backend *b, struct rg_dir_answer *a)
{
	memset(lk, 0, sizeof(*lk));
	lk->b = b;
	lk->a = a;
	lk->deadline = rg_ldap_now() + b->timeout;
	if (rg_ldap_pool_all_down(b->pool, a))
		return false;
	lk->conn = rg_ldap_pool_acquire(b->pool, lk->deadline);
	if (lk->conn == NULL) {
		a->status = RG_LOOKUP_ERROR;
		snprintf(a->source, sizeof(a->source), "ldap-pool");
		snprintf(a->why, sizeof(a->why), "no free LDAP connection within %.1fs "
		    "(raise pool_size?)", b->timeout);
		return false;
	}
	return true;
}

static void
lookup_end(struct lookup *lk)
{
	if (lk->conn != NULL)
		rg_ldap_pool_release(lk->b->pool, lk->conn);
	lk->conn = NULL;
}

static void
set_error(struct lookup *lk, const char *why)
{
	lk->a->status = RG_LOOKUP_ERROR;
	snprintf(lk->a->source, sizeof(lk->a->source), "%s",
	    rg_ldap_conn_uri(lk->b->pool, lk->conn));
	snprintf(lk->a->why, sizeof(lk->a->why), "%s", why);
}

/* Transport-level trouble: the connection itself is unusable. */
static bool
is_transport(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
	    rc == LDAP_ENCODING_ERROR || rc == LDAP_DECODING_ERROR;
}

/*
 * Send one search on 'ld' and wait for all of it, both bounded by 'left'
 * seconds.  Returns the LDAP result code (LDAP_TIMEOUT when nothing came
 * in time, with *timed_out_r set), *res_r to free, and 'why' for a log.
 */
static int
search_once(LDAP *ld, const struct ldap_backend *b, const char *filter, char **attrs,
    double left, LDAPMessage **res_r, char *why, size_t whylen, bool *timed_out_r)
{
	/* The server's time limit, and our own wait below. */
	struct timeval tv = rg_timeval_of(left);
	int msgid, rc, err = LDAP_OTHER;
	char *diag = NULL;

	*res_r = NULL;
	*timed_out_r = false;
	rc = ldap_search_ext(ld, b->base, b->scope, filter, attrs, 0, NULL, NULL, &tv,
	    SEARCH_SIZELIMIT, &msgid);
	if (rc != LDAP_SUCCESS) {
		snprintf(why, whylen, "search: %s", ldap_err2string(rc));
		return rc;
	}
	rc = ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, res_r);
	if (rc == 0) {
		ldap_abandon_ext(ld, msgid, NULL, NULL);
		snprintf(why, whylen, "search: no answer within %.1fs", left > 0 ? left : 0.0);
		*timed_out_r = true;
		return LDAP_TIMEOUT;
	}
	if (rc < 0) {
		ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
		snprintf(why, whylen, "search: %s", ldap_err2string(err));
		return err;
	}
	rc = ldap_parse_result(ld, *res_r, &err, NULL, &diag, NULL, NULL, 0);
	if (rc == LDAP_SUCCESS)
		rc = err;
	snprintf(why, whylen, "search: %s%s%s", ldap_err2string(rc),
	    diag != NULL && *diag ? ": " : "", diag != NULL ? diag : "");
	ldap_memfree(diag);
	return rc;
}

/*
 * Run one search.  Returns true with *res_r (maybe zero entries) on an
 * answer; false with lk->a filled as RG_LOOKUP_ERROR otherwise.  A
 * transport failure reopens the connection once, within the deadline.
 */
static bool
search(struct lookup *lk, const char *filter, char **attrs, LDAPMessage **res_r)
{
	struct ldap_backend *b = lk->b;

	*res_r = NULL;
	for (;;) {
		LDAP *ld;
		LDAPMessage *res;
		char why[sizeof(lk->a->why)];
		bool timed_out;
		double began, left;
		int rc;

		if (!rg_ldap_conn_ready(b->pool, lk->conn, lk->deadline, lk->a)) {
			lk->a->status = RG_LOOKUP_ERROR;
			return false;
		}
		ld = (LDAP *)rg_ldap_conn_ld(lk->conn);
		left = lk->deadline - rg_ldap_now();
		if (left < 0.001)
			left = 0.001;
		began = rg_ldap_now();
		rc = search_once(ld, b, filter, attrs, left, &res, why, sizeof(why), &timed_out);
		rg_stats_uri_latency(rg_ldap_conn_stats(b->pool, lk->conn), rg_ldap_now() - began);
		if (rc == LDAP_SUCCESS ||
		    (rc == LDAP_SIZELIMIT_EXCEEDED && ldap_count_entries(ld, res) > 0)) {
			*res_r = res;
			return true;
		}
		ldap_msgfree(res);
		set_error(lk, why);
		/* The server answered, with an error: retrying will not help. */
		if (!is_transport(rc))
			return false;
		/*
		 * A pooled connection the server dropped while idle is routine;
		 * a stall, or trouble on a connection we just opened, is not.
		 */
		rg_ldap_conn_fail(b->pool, lk->conn, timed_out || rg_ldap_conn_fresh(lk->conn), why);
		if (lk->reopened || rg_ldap_now() >= lk->deadline)
			return false;
		lk->reopened = true;
	}
}

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
answered(struct lookup *lk, enum rg_lookup st, enum rg_rcpt_kind kind)
{
	lk->a->status = st;
	lk->a->kind = kind;
	snprintf(lk->a->source, sizeof(lk->a->source), "%s",
	    rg_ldap_conn_uri(lk->b->pool, lk->conn));
	lk->a->why[0] = '\0';
}

/* Expand a template, or settle the answer (NOTFOUND/ERROR) and return NULL. */
static char *
expand(struct lookup *lk, const char *tmpl, const char *value, bool *nodomain_r)
{
	char *f = NULL;

	*nodomain_r = false;
	switch (rg_ldap_filter_expand(tmpl, value, &f)) {
	case RG_LDAP_EXPAND_OK:
		return f;
	case RG_LDAP_EXPAND_NODOMAIN:
		*nodomain_r = true;
		return NULL;
	case RG_LDAP_EXPAND_FAIL:
		break;
	}
	set_error(lk, "cannot build filter (out of memory?)");
	return NULL;
}

/* What expand_search() did. */
enum searched {
	SEARCHED,		/* *res_r holds the entries, maybe none */
	SKIPPED,		/* the template needs a domain the value lacks: no entry */
	FAILED,			/* the answer is settled as RG_LOOKUP_ERROR */
};

/* Expand 'tmpl' with 'value' and run the search. */
static enum searched
expand_search(struct lookup *lk, const char *tmpl, const char *value, char **attrs,
    LDAPMessage **res_r)
{
	bool nodom, ok;
	char *f = expand(lk, tmpl, value, &nodom);

	*res_r = NULL;
	if (f == NULL)
		return nodom ? SKIPPED : FAILED;
	ok = search(lk, f, attrs, res_r);
	free(f);
	return ok ? SEARCHED : FAILED;
}

/*
 * expand_search() for callers that walk every entry: true with *res_r to
 * walk and free; false with the answer settled (a value the filter cannot
 * use is not found; a failed search is already "could not tell").
 */
static bool
search_entries(struct lookup *lk, const char *tmpl, const char *value, char **attrs,
    LDAPMessage **res_r)
{
	switch (expand_search(lk, tmpl, value, attrs, res_r)) {
	case SEARCHED:
		return true;
	case SKIPPED:
		answered(lk, RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
		return false;
	case FAILED:
		break;
	}
	return false;
}

/*
 * expand_search() down to its first entry: FOUND with *e_r in *res_r
 * (the caller frees it), NOTFOUND with nothing to free, or ERROR with
 * the answer settled.
 */
static enum rg_lookup
first_entry(struct lookup *lk, const char *tmpl, const char *value, char **attrs,
    LDAPMessage **res_r, LDAPMessage **e_r)
{
	switch (expand_search(lk, tmpl, value, attrs, res_r)) {
	case SEARCHED:
		break;
	case SKIPPED:
		return RG_LOOKUP_NOTFOUND;
	case FAILED:
		return RG_LOOKUP_ERROR;
	}
	*e_r = ldap_first_entry((LDAP *)rg_ldap_conn_ld(lk->conn), *res_r);
	if (*e_r != NULL)
		return RG_LOOKUP_FOUND;
	ldap_msgfree(*res_r);
	*res_r = NULL;
	return RG_LOOKUP_NOTFOUND;
}

static void
ldap_recipient(struct lookup *lk, const char *addr)
{
	struct ldap_backend *b = lk->b;
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
	switch (first_entry(lk, b->recipient_filter, addr, attrs, &res, &e)) {
	case RG_LOOKUP_ERROR:
	case RG_LOOKUP_NONE:	/* first_entry() never says it */
		return;
	case RG_LOOKUP_FOUND: {
		enum rg_rcpt_kind k = RG_KIND_MAILBOX;

		ld = (LDAP *)rg_ldap_conn_ld(lk->conn);
		if (has_attr(ld, e, b->forward_attr))
			k = RG_KIND_FORWARD;
		else if (has_attr(ld, e, b->member_attr))
			k = RG_KIND_LIST;
		answered(lk, RG_LOOKUP_FOUND, k);
		if (k == RG_KIND_FORWARD)
			add_targets(ld, e, b->forward_attr, lk->a);
		ldap_msgfree(res);
		return;
	}
	case RG_LOOKUP_NOTFOUND:
		break;
	}
	if (b->list_filter != NULL) {
		switch (first_entry(lk, b->list_filter, addr, noattrs, &res, &e)) {
		case RG_LOOKUP_ERROR:
		case RG_LOOKUP_NONE:
			return;
		case RG_LOOKUP_FOUND:
			ldap_msgfree(res);
			answered(lk, RG_LOOKUP_FOUND, RG_KIND_LIST);
			return;
		case RG_LOOKUP_NOTFOUND:
			break;
		}
	}
	answered(lk, RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
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
ldap_login_owns(struct lookup *lk, const char *login, const char *addr)
{
	struct ldap_backend *b = lk->b;
	LDAPMessage *res, *e;
	LDAP *ld;
	bool owns = false, suspended = false;

	if (!search_entries(lk, b->login_filter, login, b->login_search, &res))
		return;
	ld = (LDAP *)rg_ldap_conn_ld(lk->conn);
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
	answered(lk, owns ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
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
	struct lookup lk;
	LDAPMessage *res, *e;
	LDAP *ld;
	bool any = false;

	if (!lookup_begin(&lk, b, a))
		return;
	if (!search_entries(&lk, b->login_filter, login, b->login_attrs, &res)) {
		lookup_end(&lk);
		return;
	}
	ld = (LDAP *)rg_ldap_conn_ld(lk.conn);
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
	answered(&lk, any ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
	lookup_end(&lk);
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
	struct lookup lk;
	LDAPMessage *res, *e;
	LDAP *ld;
	bool any = false;

	if (!lookup_begin(&lk, b, a))
		return;
	if (!search_entries(&lk, b->owner_filter, addr, attrs, &res)) {
		lookup_end(&lk);
		return;
	}
	ld = (LDAP *)rg_ldap_conn_ld(lk.conn);
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
	answered(&lk, any ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
	lookup_end(&lk);
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
	struct lookup lk;

	if (klen > 0)
		hit = rg_cache_get(b->cache, key, klen, &positive, &value, &age);
	if (hit == RG_CACHE_FRESH) {
		a->status = positive ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
		from_cache(tag, value, a);
		snprintf(a->source, sizeof(a->source), "cache");
		a->why[0] = '\0';
		return;
	}
	if (lookup_begin(&lk, b, a)) {
		if (tag == 'R') {
			ldap_recipient(&lk, v1);
		} else if (tag == 'L') {
			ldap_login_owns(&lk, v1, v2);
		} else {
			ldap_login_owns(&lk, v1, NULL);
			if (a->status != RG_LOOKUP_ERROR)
				a->status = a->suspended ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
		}
		lookup_end(&lk);
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

	return rg_ldap_pool_probe(b->pool, b->base, err, errlen);
}

static void
backend_free(struct ldap_backend *b)
{
	if (b == NULL)
		return;
	rg_ldap_pool_destroy(&b->pool);
	rg_cache_destroy(&b->cache);
	free(b->base);
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
	b->scope = scopes[set->scope];
	b->timeout = set->timeout;
	if (!copy_opt(&b->base, set->base) ||
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
	if ((b->pool = rg_ldap_pool_new(set, err, errlen)) == NULL)
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
