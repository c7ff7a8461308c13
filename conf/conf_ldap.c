/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_ldap.c - directory.ldap and directory.cache into an LDAP backend.
 *
 * Every key is checked here, and every problem is recorded with its
 * FILE:LINE before we give up, so "relayguard -n" lists them all.
 * The bind password is read here, from a file nobody else may read;
 * it is handed to the backend and wiped, and appears in no message.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "conf_ldap.h"
#include "directory/dir_ldap.h"

#define MAX_LOGIN_ATTRS	16

static const char *const ldap_keys[] = {
	"uris", "starttls", "tls_ca_file", "bind_dn", "bind_password_file", "base", "scope",
	"timeout", "pool_size", "recipient_filter", "forward_attribute", "list_filter",
	"list_member_attribute", "login_filter", "login_address_attributes",
	"login_suspended_attribute", "login_suspended_value", "login_attribute", NULL
};
static const char *const cache_keys[] = {
	"ttl", "negative_ttl", "max_entries", "stale_ttl", NULL
};

/* The setting to blame: the key itself when present, else its group. */
static const config_setting_t *
at(const config_setting_t *grp, const char *key)
{
	const config_setting_t *s = config_setting_get_member(grp, key);

	return s != NULL ? s : grp;
}

/* Open a file named at setting 's' by the rules of rg_conf_open(). */
static int
open_named(struct rg_errs *e, const config_setting_t *s, const char *key, const char *path,
    bool follow)
{
	char label[PATH_MAX + 64];

	snprintf(label, sizeof(label), "%s \"%s\": ", key, path);
	return rg_conf_open(e, config_setting_source_file(s), (int)config_setting_source_line(s),
	    label, path, follow);
}

static void
check_filter(struct rg_errs *e, const config_setting_t *grp, const char *key, const char *f)
{
	char why[160];

	if (f != NULL && !rg_ldap_filter_check(f, why, sizeof(why)))
		rg_errs_at(e, at(grp, key), "%s: %s", key, why);
}

static void
check_attr(struct rg_errs *e, const config_setting_t *s, const char *key, const char *a)
{
	char why[160];

	if (a != NULL && !rg_ldap_attr_check(a, why, sizeof(why)))
		rg_errs_at(e, s, "%s: \"%s\" %s", key, a, why);
}

static void
check_dn(struct rg_errs *e, const config_setting_t *grp, const char *key, const char *dn)
{
	char why[160];

	if (dn != NULL && !rg_ldap_dn_check(dn, why, sizeof(why)))
		rg_errs_at(e, at(grp, key), "%s: \"%s\" is %s", key, dn, why);
}

/* Collect a list of strings; records an error and returns 0 when unusable. */
static size_t
strings(struct rg_errs *e, const config_setting_t *grp, const char *key, const char **out,
    size_t max)
{
	const config_setting_t *s = rg_conf_strings(e, grp, key);
	size_t n;

	if (s == NULL)
		return 0;
	n = (size_t)config_setting_length(s);
	if (n == 0 || n > max) {
		rg_errs_at(e, s, "%s must list 1 to %zu entries", key, max);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = config_setting_get_string_elem(s, (int)i);
	return n;
}

static void
load_cache(struct rg_errs *e, const config_setting_t *dirgrp, struct rg_cache_settings *c)
{
	const config_setting_t *g = config_setting_get_member(dirgrp, "cache");
	long long ttl = 300, neg = 60, max = 100000, stale = 3600;

	if (g != NULL && !config_setting_is_group(g)) {
		rg_errs_at(e, g, "directory.cache must be a group: cache = { ttl = 300; ... };");
		g = NULL;
	}
	if (g != NULL) {
		rg_conf_check_keys(e, g, cache_keys);
		rg_conf_int(e, g, "ttl", ttl, 0, 86400, &ttl);
		rg_conf_int(e, g, "negative_ttl", neg, 0, 86400, &neg);
		rg_conf_int(e, g, "max_entries", max, 0, 10000000, &max);
		rg_conf_int(e, g, "stale_ttl", stale, 0, 7 * 86400, &stale);
		if (stale != 0 && stale < ttl)
			rg_errs_at(e, at(g, "stale_ttl"), "stale_ttl (%lld) must be 0 or at least "
			    "ttl (%lld)", stale, ttl);
	}
	c->ttl = (double)ttl;
	c->negative_ttl = (double)neg;
	c->stale_ttl = (double)stale;
	c->max_entries = (size_t)max;
}

/*
 * login_suspended_attribute [+ login_suspended_value]: an attribute of
 * the entry login_filter finds, not a filter of its own, so that the
 * login lookup reads it in the same search (MAIL keeps one lookup and
 * one timeout), and no second filter can pick another entry than the
 * login's.
 */
static void
load_suspension(struct rg_errs *e, const config_setting_t *g, struct rg_ldap_settings *set)
{
	const char *v = NULL;

	rg_conf_string(e, g, "login_suspended_attribute", NULL, &set->login_suspended_attribute);
	if (set->login_suspended_attribute != NULL && *set->login_suspended_attribute == '\0')
		set->login_suspended_attribute = NULL;
	check_attr(e, at(g, "login_suspended_attribute"), "login_suspended_attribute",
	    set->login_suspended_attribute);
	if (!rg_conf_string(e, g, "login_suspended_value", NULL, &v) || v == NULL)
		return;
	if (set->login_suspended_attribute == NULL) {
		rg_errs_at(e, at(g, "login_suspended_value"), "login_suspended_value needs "
		    "login_suspended_attribute");
		return;
	}
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			rg_errs_at(e, at(g, "login_suspended_value"), "login_suspended_value "
			    "holds a control character");
			return;
		}
	if (*v == '\0' || strlen(v) > 256) {
		rg_errs_at(e, at(g, "login_suspended_value"), "login_suspended_value must be "
		    "1-256 characters (omit it to let any value suspend)");
		return;
	}
	set->login_suspended_value = v;
}

/* What rg_conf_ldap() allocates for the settings and frees after the backend took them. */
struct owned {
	char *pwpath;
	char *capath;
	char *secret;
};

static void
load_uris(struct rg_errs *e, const config_setting_t *g, struct rg_ldap_settings *set,
    const char **uris)
{
	char why[160];

	if (config_setting_get_member(g, "uris") == NULL)
		rg_errs_at(e, g, "ldap.uris is required: uris = [ \"ldap://...\" ];");
	set->uris = uris;
	set->nuris = strings(e, g, "uris", uris, RG_LDAP_MAX_URIS);
	for (size_t i = 0; i < set->nuris; i++)
		if (!rg_ldap_uri_check(uris[i], why, sizeof(why)))
			rg_errs_at(e, at(g, "uris"), "uris: \"%s\": %s", uris[i], why);
}

static void
load_tls(struct rg_errs *e, const config_setting_t *g, const char *conffile,
    struct rg_ldap_settings *set, struct owned *o)
{
	static const char *const starttls[] = { "off", "try", "demand", NULL };
	const char *ca = NULL;
	int tls, fd;

	rg_conf_enum(e, g, "starttls", starttls, RG_LDAP_STARTTLS_DEMAND, &tls);
	set->starttls = (enum rg_ldap_starttls)tls;
	if (!rg_conf_string(e, g, "tls_ca_file", NULL, &ca) || ca == NULL)
		return;
	/*
	 * libldap opens it by name at each connect, following symlinks
	 * (as /etc/ssl/certs is full of): check it may be followed to a
	 * regular file, so no lookup waits on a FIFO.
	 */
	o->capath = rg_conf_path(conffile, ca);
	if ((fd = open_named(e, at(g, "tls_ca_file"), "tls_ca_file", o->capath, true)) >= 0)
		close(fd);
	set->tls_ca_file = o->capath;
}

static void
load_bind(struct rg_errs *e, const config_setting_t *g, const char *conffile,
    struct rg_ldap_settings *set, struct owned *o)
{
	const char *pwfile = NULL;

	rg_conf_string(e, g, "bind_dn", NULL, &set->bind_dn);
	rg_conf_string(e, g, "bind_password_file", NULL, &pwfile);
	if (set->bind_dn != NULL) {
		check_dn(e, g, "bind_dn", set->bind_dn);
		if (pwfile == NULL)
			rg_errs_at(e, at(g, "bind_dn"), "bind_dn needs bind_password_file "
			    "(omit both for an anonymous bind)");
	} else if (pwfile != NULL) {
		rg_errs_at(e, at(g, "bind_password_file"), "bind_password_file without "
		    "bind_dn");
	}
	if (set->bind_dn != NULL && pwfile != NULL) {
		o->pwpath = rg_conf_path(conffile, pwfile);
		/* Empty is refused: an unauthenticated bind is anonymous in disguise. */
		o->secret = rg_conf_read_secret(e, at(g, "bind_password_file"),
		    "bind_password_file", o->pwpath, NULL);
		set->bind_password = o->secret;
	}
}

/* Where to search and how long to wait: base, scope, timeout, pool_size. */
static void
load_search(struct rg_errs *e, const config_setting_t *g, struct rg_ldap_settings *set)
{
	static const char *const scopes[] = { "base", "one", "sub", NULL };
	long long pool;
	int scope;

	if (!rg_conf_string(e, g, "base", NULL, &set->base) || set->base == NULL)
		rg_errs_at(e, at(g, "base"), "ldap.base is required, e.g. base = "
		    "\"dc=example,dc=edu\";");
	else
		check_dn(e, g, "base", set->base);
	rg_conf_enum(e, g, "scope", scopes, RG_LDAP_SCOPE_SUB, &scope);
	set->scope = (enum rg_ldap_scope)scope;
	/* One RCPT must stay inside Sendmail's 10 s milter command timeout. */
	rg_conf_double(e, g, "timeout", 3.0, 0.1, 9.0, &set->timeout);
	rg_conf_int(e, g, "pool_size", 8, 1, 256, &pool);
	set->pool_size = (int)pool;
}

/* Recipients: recipient_filter, forward_attribute, list_filter, list_member_attribute. */
static void
load_recipient(struct rg_errs *e, const config_setting_t *g, struct rg_ldap_settings *set)
{
	rg_conf_string(e, g, "recipient_filter", "(|(mail=%s)(mailLocalAddress=%s))",
	    &set->recipient_filter);
	check_filter(e, g, "recipient_filter", set->recipient_filter);
	rg_conf_string(e, g, "forward_attribute", "mailRoutingAddress",
	    &set->forward_attribute);
	if (set->forward_attribute != NULL && *set->forward_attribute != '\0')
		check_attr(e, at(g, "forward_attribute"), "forward_attribute",
		    set->forward_attribute);
	rg_conf_string(e, g, "list_filter", "(&(objectClass=nisMailAlias)(|(mail=%s)(cn=%u)))",
	    &set->list_filter);
	/* An empty list_filter turns list lookups off. */
	if (set->list_filter != NULL && *set->list_filter == '\0')
		set->list_filter = NULL;
	check_filter(e, g, "list_filter", set->list_filter);
	rg_conf_string(e, g, "list_member_attribute", "rfc822MailMember",
	    &set->list_member_attribute);
	if (set->list_member_attribute != NULL && *set->list_member_attribute != '\0')
		check_attr(e, at(g, "list_member_attribute"), "list_member_attribute",
		    set->list_member_attribute);
}

/* Logins: login_filter, login_address_attributes, suspension, login_attribute. */
static void
load_login(struct rg_errs *e, const config_setting_t *g, struct rg_ldap_settings *set,
    const char **attrs)
{
	rg_conf_string(e, g, "login_filter", "(uid=%s)", &set->login_filter);
	check_filter(e, g, "login_filter", set->login_filter);
	set->login_address_attributes = attrs;
	if (config_setting_get_member(g, "login_address_attributes") != NULL) {
		set->nlogin_address_attributes = strings(e, g, "login_address_attributes", attrs,
		    MAX_LOGIN_ATTRS);
		for (size_t i = 0; i < set->nlogin_address_attributes; i++)
			check_attr(e, at(g, "login_address_attributes"),
			    "login_address_attributes", attrs[i]);
	} else {
		attrs[0] = "mail";
		attrs[1] = "mailLocalAddress";
		set->nlogin_address_attributes = 2;
	}
	load_suspension(e, g, set);
	rg_conf_string(e, g, "login_attribute", "uid", &set->login_attribute);
	check_attr(e, at(g, "login_attribute"), "login_attribute", set->login_attribute);
}

struct rg_dir *
rg_conf_ldap(struct rg_errs *errs, const config_setting_t *dirgrp, const char *conffile)
{
	const config_setting_t *g = config_setting_get_member(dirgrp, "ldap");
	struct rg_ldap_settings set;
	const char *uris[RG_LDAP_MAX_URIS], *attrs[MAX_LOGIN_ATTRS];
	struct owned o = { NULL, NULL, NULL };
	char why[160];
	int before = errs->count;
	struct rg_dir *d = NULL;

	memset(&set, 0, sizeof(set));
	if (g == NULL || !config_setting_is_group(g)) {
		rg_errs_at(errs, g != NULL ? g : dirgrp, "directory backend \"ldap\" needs a "
		    "group ldap = { uris = [ ... ]; base = \"...\"; ... };");
		load_cache(errs, dirgrp, &set.cache);
		return NULL;
	}
	rg_conf_check_keys(errs, g, ldap_keys);
	load_uris(errs, g, &set, uris);
	load_tls(errs, g, conffile, &set, &o);
	load_bind(errs, g, conffile, &set, &o);
	load_search(errs, g, &set);
	load_recipient(errs, g, &set);
	load_login(errs, g, &set, attrs);
	load_cache(errs, dirgrp, &set.cache);
	if (errs->count == before) {
		d = rg_dir_ldap_new(&set, why, sizeof(why));
		if (d == NULL)
			rg_errs_at(errs, g, "ldap: %s", why);
	}
	if (o.secret != NULL) {
		explicit_bzero(o.secret, strlen(o.secret));
		free(o.secret);
	}
	free(o.pwpath);
	free(o.capath);
	return d;
}
