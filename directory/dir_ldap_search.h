/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_search.h - one LDAP lookup in flight: a pooled connection, one
 * deadline, and searches that reopen a broken connection once.  Internal
 * to directory/dir_ldap*.c, which include ldap.h anyway.
 *
 * The questions (dir_ldap.c) say what to search for and how to read the
 * entries; this says how a search is run and when it has failed.  Every
 * function here that reports failure has already settled the answer as
 * RG_LOOKUP_ERROR, with the URI as source and a reason, so the caller
 * only returns: no failure can fall through to "not found".
 *
 * Thread-safety: a lookup belongs to one thread, between begin and end;
 * the rg_ldap_where it points to is shared and read-only.
 */
#ifndef RG_DIR_LDAP_SEARCH_H
#define RG_DIR_LDAP_SEARCH_H

#include <stdbool.h>

#include <ldap.h>

#include "directory/dir.h"
#include "directory/dir_ldap_pool.h"

/* Where one backend searches, and how long one whole lookup may take. */
struct rg_ldap_where {
	struct rg_ldap_pool *pool;
	char *base;
	int scope;		/* LDAP_SCOPE_* */
	double timeout;		/* seconds, connecting and retrying included */
};

/* One lookup: its connection, deadline, retry allowance and answer. */
struct rg_ldap_lookup {
	const struct rg_ldap_where *w;
	struct rg_ldap_conn *conn;
	double deadline;
	bool reopened;
	struct rg_dir_answer *a;
};

/*
 * Start a lookup answering into 'a': take a connection within the
 * timeout.  False with 'a' settled when every URI is held down or no
 * connection came free; then nothing is to be ended.
 */
bool	rg_ldap_lookup_begin(struct rg_ldap_lookup *, const struct rg_ldap_where *,
	    struct rg_dir_answer *a);
/* Give the connection back to the pool. */
void	rg_ldap_lookup_end(struct rg_ldap_lookup *);

/* The lookup's libldap handle, for reading the entries of a search. */
LDAP	*rg_ldap_lookup_ld(struct rg_ldap_lookup *);

/* Settle the answer as the directory gave it: status, kind, the URI as source. */
void	rg_ldap_lookup_answered(struct rg_ldap_lookup *, enum rg_lookup, enum rg_rcpt_kind);

/*
 * Expand filter template 'tmpl' with 'value' (dir_ldap_filter.c) and
 * search, for callers that walk every entry: true with *res_r to walk
 * and ldap_msgfree(); false with the answer settled (a value the
 * template cannot use, %d without a domain, is not found; a failed
 * search is "could not tell").
 */
bool	rg_ldap_search_entries(struct rg_ldap_lookup *, const char *tmpl, const char *value,
	    char **attrs, LDAPMessage **res_r);

/*
 * The same, down to the first entry: FOUND with *e_r inside *res_r (the
 * caller frees *res_r), NOTFOUND with nothing to free and the answer
 * not yet settled, or ERROR with the answer settled.
 */
enum rg_lookup rg_ldap_first_entry(struct rg_ldap_lookup *, const char *tmpl,
	    const char *value, char **attrs, LDAPMessage **res_r, LDAPMessage **e_r);

#endif
