/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_search.c - running the LDAP backend's searches: take a pooled
 * connection, expand the filter, search within what is left of the
 * lookup's deadline, reopen a broken connection once.
 *
 * A transport failure closes the connection and reopens it once
 * (possibly on the next URI); a second failure, a timeout or a
 * server-side error is RG_LOOKUP_ERROR.  Zero entries is never an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "common/clock.h"
#include "common/stats.h"
#include "directory/dir_ldap.h"
#include "directory/dir_ldap_search.h"

/* Enough to see "one or several"; more entries would not change the answer. */
#define SEARCH_SIZELIMIT	8

bool
rg_ldap_lookup_begin(struct rg_ldap_lookup *lk, const struct rg_ldap_where *w,
    struct rg_dir_answer *a)
{
	memset(lk, 0, sizeof(*lk));
	lk->w = w;
	lk->a = a;
	lk->deadline = rg_clock_monotonic() + w->timeout;
	if (rg_ldap_pool_all_down(w->pool, a))
		return false;
	lk->conn = rg_ldap_pool_acquire(w->pool, lk->deadline);
	if (lk->conn == NULL) {
		a->status = RG_LOOKUP_ERROR;
		snprintf(a->source, sizeof(a->source), "ldap-pool");
		snprintf(a->why, sizeof(a->why), "no free LDAP connection within %.1fs "
		    "(raise pool_size?)", w->timeout);
		return false;
	}
	return true;
}

void
rg_ldap_lookup_end(struct rg_ldap_lookup *lk)
{
	if (lk->conn != NULL)
		rg_ldap_pool_release(lk->w->pool, lk->conn);
	lk->conn = NULL;
}

LDAP *
rg_ldap_lookup_ld(struct rg_ldap_lookup *lk)
{
	return (LDAP *)rg_ldap_conn_ld(lk->conn);
}

static void
set_error(struct rg_ldap_lookup *lk, const char *why)
{
	lk->a->status = RG_LOOKUP_ERROR;
	snprintf(lk->a->source, sizeof(lk->a->source), "%s",
	    rg_ldap_conn_uri(lk->w->pool, lk->conn));
	snprintf(lk->a->why, sizeof(lk->a->why), "%s", why);
}

void
rg_ldap_lookup_answered(struct rg_ldap_lookup *lk, enum rg_lookup st, enum rg_rcpt_kind kind)
{
	lk->a->status = st;
	lk->a->kind = kind;
	snprintf(lk->a->source, sizeof(lk->a->source), "%s",
	    rg_ldap_conn_uri(lk->w->pool, lk->conn));
	lk->a->why[0] = '\0';
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
search_once(LDAP *ld, const struct rg_ldap_where *w, const char *filter, char **attrs,
    double left, LDAPMessage **res_r, char *why, size_t whylen, bool *timed_out_r)
{
	/* The server's time limit, and our own wait below. */
	struct timeval tv = rg_timeval_of(left);
	int msgid, rc, err = LDAP_OTHER;
	char *diag = NULL;

	*res_r = NULL;
	*timed_out_r = false;
	rc = ldap_search_ext(ld, w->base, w->scope, filter, attrs, 0, NULL, NULL, &tv,
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
search(struct rg_ldap_lookup *lk, const char *filter, char **attrs, LDAPMessage **res_r)
{
	const struct rg_ldap_where *w = lk->w;

	*res_r = NULL;
	for (;;) {
		LDAP *ld;
		LDAPMessage *res;
		char why[sizeof(lk->a->why)];
		bool timed_out;
		double began, left;
		int rc;

		if (!rg_ldap_conn_ready(w->pool, lk->conn, lk->deadline, lk->a)) {
			lk->a->status = RG_LOOKUP_ERROR;
			return false;
		}
		ld = rg_ldap_lookup_ld(lk);
		left = lk->deadline - rg_clock_monotonic();
		if (left < 0.001)
			left = 0.001;
		began = rg_clock_monotonic();
		rc = search_once(ld, w, filter, attrs, left, &res, why, sizeof(why), &timed_out);
		rg_stats_uri_latency(rg_ldap_conn_stats(w->pool, lk->conn),
		    rg_clock_monotonic() - began);
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
		rg_ldap_conn_fail(w->pool, lk->conn, timed_out || rg_ldap_conn_fresh(lk->conn), why);
		if (lk->reopened || rg_clock_monotonic() >= lk->deadline)
			return false;
		lk->reopened = true;
	}
}

/* Expand a template, or settle the answer (NOTFOUND/ERROR) and return NULL. */
static char *
expand(struct rg_ldap_lookup *lk, const char *tmpl, const char *value, bool *nodomain_r)
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
expand_search(struct rg_ldap_lookup *lk, const char *tmpl, const char *value, char **attrs,
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

bool
rg_ldap_search_entries(struct rg_ldap_lookup *lk, const char *tmpl, const char *value,
    char **attrs, LDAPMessage **res_r)
{
	switch (expand_search(lk, tmpl, value, attrs, res_r)) {
	case SEARCHED:
		return true;
	case SKIPPED:
		rg_ldap_lookup_answered(lk, RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX);
		return false;
	case FAILED:
		break;
	}
	return false;
}

enum rg_lookup
rg_ldap_first_entry(struct rg_ldap_lookup *lk, const char *tmpl, const char *value,
    char **attrs, LDAPMessage **res_r, LDAPMessage **e_r)
{
	switch (expand_search(lk, tmpl, value, attrs, res_r)) {
	case SEARCHED:
		break;
	case SKIPPED:
		return RG_LOOKUP_NOTFOUND;
	case FAILED:
		return RG_LOOKUP_ERROR;
	}
	*e_r = ldap_first_entry(rg_ldap_lookup_ld(lk), *res_r);
	if (*e_r != NULL)
		return RG_LOOKUP_FOUND;
	ldap_msgfree(*res_r);
	*res_r = NULL;
	return RG_LOOKUP_NOTFOUND;
}

