/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap.h - the LDAP directory backend (OpenLDAP libldap).
 *
 * Answers the three-way questions of dir.h from an LDAP directory:
 *  - recipient: an entry matching recipient_filter is a forward when it
 *    has forward_attribute, a list when it has list_member_attribute,
 *    else a mailbox; failing that, an entry matching list_filter is a
 *    list; otherwise not found;
 *  - login_owns: an entry matching login_filter lists the address in
 *    one of login_address_attributes;
 *  - login_suspended (and the 'suspended' of every login_owns answer),
 *    only when login_suspended_attribute is set: an entry matching
 *    login_filter has that attribute (with login_suspended_value, that
 *    value, compared case-insensitively).  Read in login_owns' own
 *    search: no extra round trip;
 *  - address_login (relayguard -R): the first entry listing the address
 *    in one of login_address_attributes, its login_attribute.
 *
 * Promises: every value put into a filter is escaped (RFC 4515); each
 * lookup finishes within 'timeout' seconds, connecting and retrying
 * included; a broken connection is reopened once, then the answer is
 * RG_LOOKUP_ERROR; a server that keeps failing is skipped for a short
 * while (circuit breaker) and "ldap=down"/"ldap=up" is logged; answers
 * are cached, and a cached positive answer is served (stale) when every
 * server fails.  No secret is ever logged or put in an answer.
 *
 * Thread-safety: the handle is shared by all threads; lookups run in
 * parallel on up to pool_size connections.  No lock is held across
 * network I/O.  This header does not include ldap.h on purpose.
 */
#ifndef RG_DIR_LDAP_H
#define RG_DIR_LDAP_H

#include <stdbool.h>
#include <stddef.h>

#include "dir.h"
#include "cache.h"

enum rg_ldap_starttls {
	RG_LDAP_STARTTLS_OFF,
	RG_LDAP_STARTTLS_TRY,
	RG_LDAP_STARTTLS_DEMAND,
};

enum rg_ldap_scope {
	RG_LDAP_SCOPE_BASE,
	RG_LDAP_SCOPE_ONE,
	RG_LDAP_SCOPE_SUB,
};

/*
 * Plain settings, filled by conf/conf_ldap.c.  The constructor copies
 * everything, so the caller may free its strings afterwards (and should
 * wipe bind_password).  NULL or "" means "not set" for optional strings.
 */
struct rg_ldap_settings {
	const char *const *uris;	/* tried in order */
	size_t nuris;
	enum rg_ldap_starttls starttls;
	const char *tls_ca_file;
	const char *bind_dn;		/* NULL: anonymous */
	const char *bind_password;	/* the secret itself, not the file */
	const char *base;
	enum rg_ldap_scope scope;
	double timeout;			/* seconds for one whole lookup */
	int pool_size;
	const char *recipient_filter;
	const char *forward_attribute;
	const char *list_filter;	/* NULL: no list lookup */
	const char *list_member_attribute;
	const char *login_filter;
	const char *const *login_address_attributes;
	size_t nlogin_address_attributes;
	const char *login_suspended_attribute;	/* NULL: no login is ever suspended */
	const char *login_suspended_value;	/* NULL: any value suspends */
	const char *login_attribute;		/* the login's name (address_login) */
	double retry_interval;		/* circuit breaker; <= 0 means the default */
	struct rg_cache_settings cache;
};

/* Default seconds a failed server is skipped before it is tried again. */
#define RG_LDAP_RETRY_INTERVAL	5.0

/*
 * Most URIs one backend takes (directory.ldap.uris): each is tried in
 * turn within one lookup's timeout, so more would leave each too little.
 * The config loader reports a longer list; rg_dir_ldap_new refuses one.
 */
#define RG_LDAP_MAX_URIS	16

/*
 * Create the backend.  No network traffic happens here.  Returns NULL
 * and a reason in err on bad settings (the reason never holds the
 * password).
 */
struct rg_dir *rg_dir_ldap_new(const struct rg_ldap_settings *, char *err, size_t errlen);

/* Syntax checks for the config parser; false with a reason in err. */
bool	rg_ldap_uri_check(const char *uri, char *err, size_t errlen);
bool	rg_ldap_dn_check(const char *dn, char *err, size_t errlen);
bool	rg_ldap_attr_check(const char *attr, char *err, size_t errlen);
bool	rg_ldap_filter_check(const char *tmpl, char *err, size_t errlen);

enum rg_ldap_expand {
	RG_LDAP_EXPAND_OK,
	RG_LDAP_EXPAND_NODOMAIN,	/* %d used, value has no '@': no lookup */
	RG_LDAP_EXPAND_FAIL,		/* bad template or out of memory */
};

/*
 * Expand a filter template for 'value' (an address or a login):
 * %s the whole value, %u its local part (all of it if there is no '@'),
 * %d its domain, %% a percent sign.  Each substituted value is escaped
 * per RFC 4515, so no value can change the filter's structure.
 * On OK, *filter_r is malloc'd and the caller frees it.
 */
enum rg_ldap_expand rg_ldap_filter_expand(const char *tmpl, const char *value,
	    char **filter_r);

#endif
