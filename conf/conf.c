/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf.c - policy.conf into a snapshot (conf_snapshot.c keeps it alive
 * and swaps it in).
 *
 * Every section is parsed even after an error, so one run of
 * "relayguard -n" lists everything that is wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf.h"
#include "conf_budget.h"
#include "conf_dirfile.h"
#include "conf/conf_dirscript.h"
#include "conf_ldap.h"
#include "conf_control.h"
#include "conf_util.h"
#include "conf/conf_sets.h"
#include "conf/conf_snapshot.h"
#include "common/log.h"
#include "common/strutil.h"

#define DEFAULT_SOCKET "inet:8894@127.0.0.1"

static const char *const check_names[] = { "off", "warn", "reject", NULL };

/* "YYYY-MM-DD" to 00:00 UTC of that day; rejects 2027-02-30 and friends. */
static bool
parse_date(const char *s, time_t *t_r)
{
	struct tm tm;
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*t_r = timegm(&tm);
	return *t_r != (time_t)-1 && tm.tm_year == y - 1900 && tm.tm_mon == m - 1 &&
	    tm.tm_mday == d;
}

/*
 * An exception is a debt with a date: say so when the date has passed
 * (it is dead weight, and its sender is refused now) and in the last
 * EXPIRY_NOTICE_DAYS, while there is still time to act.
 */
#define EXPIRY_NOTICE_DAYS	14

static void
warn_expiry(struct rg_errs *e, const config_setting_t *g, const char *sender,
    const char *expires, time_t when)
{
	time_t now = time(NULL);
	long days;

	if (when <= now) {
		rg_warn_at(e, g, "legacy exception for \"%s\" expired on %s: it no longer "
		    "applies; remove it", sender, expires);
		return;
	}
	days = (long)((when - now + 86399) / 86400);
	if (days <= EXPIRY_NOTICE_DAYS)
		rg_warn_at(e, g, "legacy exception for \"%s\" expires on %s (in %ld day%s): "
		    "after that its sender may no longer relay", sender, expires, days,
		    days == 1 ? "" : "s");
}

static void
load_exceptions(struct rg_errs *e, const config_t *cf, struct rg_policy *p)
{
	static const char *const keys[] = { "sender", "expires", "networks", "note", NULL };
	const config_setting_t *l = config_lookup(cf, "legacy_exceptions");

	if (l == NULL)
		return;
	/*
	 * A group of named groups is what relayguard -I writes: each entry
	 * ends with its own ';', so deleting any of them (reviewing the
	 * fragment) leaves the rest valid, where a list's commas did not.
	 */
	if (config_setting_type(l) != CONFIG_TYPE_LIST &&
	    config_setting_type(l) != CONFIG_TYPE_GROUP) {
		rg_errs_at(e, l, "\"legacy_exceptions\" must be a list ( { ... }, ... ) or a "
		    "group of named groups { name = { ... }; ... }");
		return;
	}
	for (int i = 0; i < config_setting_length(l); i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		const char *sender = NULL, *expires = NULL, *note = NULL;
		const config_setting_t *nets;
		struct rg_netset *set = NULL;
		struct rg_addr a;
		time_t when = 0;
		int before = e->count;
		bool domainwide = false;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			rg_errs_at(e, g, "each legacy exception must be a group { ... }");
			continue;
		}
		rg_conf_check_keys(e, g, keys);
		if (!rg_conf_string(e, g, "sender", NULL, &sender))
			rg_errs_at(e, g, "legacy exception lacks \"sender\"");
		else if (sender[0] == '@') {
			/* "@domain": every sender of one domain, so networks are required. */
			char tmp[RG_ADDR_DOMAIN_MAX + 4];

			domainwide = true;
			if ((size_t)snprintf(tmp, sizeof(tmp), "x%s", sender) >= sizeof(tmp) ||
			    rg_addr_parse(tmp, &a) != RG_ADDR_OK || a.domain[0] == '\0' ||
			    a.ip_literal || a.routed || strcmp(a.local, "x") != 0)
				rg_errs_at(e, config_setting_get_member(g, "sender"),
				    "\"%s\" is not a domain-wide \"@domain\" sender", sender);
			else
				snprintf(a.norm, sizeof(a.norm), "@%s", a.domain);
		} else if (rg_addr_parse(sender, &a) != RG_ADDR_OK || a.domain[0] == '\0' ||
		    a.routed)
			rg_errs_at(e, config_setting_get_member(g, "sender"),
			    "\"%s\" is not a plain local@domain address", sender);
		/* An exception that never ends is what this feature exists to retire. */
		if (!rg_conf_string(e, g, "expires", NULL, &expires))
			rg_errs_at(e, g, "legacy exception lacks \"expires\" (YYYY-MM-DD)");
		else if (!parse_date(expires, &when))
			rg_errs_at(e, config_setting_get_member(g, "expires"),
			    "\"%s\" is not a date (YYYY-MM-DD)", expires);
		rg_conf_string(e, g, "note", "", &note);
		if ((nets = rg_conf_strings(e, g, "networks")) != NULL) {
			set = rg_netset_new();
			rg_conf_nets(e, nets, set, false);
		}
		if (domainwide && nets == NULL)
			rg_errs_at(e, g, "domain-wide legacy exception \"%s\" needs \"networks\": "
			    "without them anyone may relay by forging an address in it", sender);
		if (e->count > before) {
			rg_netset_destroy(&set);
			continue;
		}
		if (nets == NULL)
			rg_warn_at(e, g, "legacy exception for \"%s\" has no \"networks\": that "
			    "sender may relay from any address until %s", sender, expires);
		warn_expiry(e, g, sender, expires, when);
		rg_policy_add_exception(p, a.norm, when, expires, set, note);
	}
}

/* routing = { check; local_mailers; hosts; }: the cross-check with the MTA's route. */
static void
load_routing(struct rg_errs *e, const config_t *cf, struct rg_policy *p)
{
	static const char *const keys[] = { "check", "local_mailers", "hosts", NULL };
	const config_setting_t *g = rg_conf_group(e, cf, "routing", keys), *l;
	struct rg_route *r = rg_policy_route(p);
	char err[256];
	int check;

	rg_conf_enum(e, g, "check", check_names, RG_CHECK_WARN, &check);
	rg_policy_set_routing(p, (enum rg_check)check);
	if (g == NULL)
		return;
	if ((l = rg_conf_strings(e, g, "local_mailers")) != NULL) {
		rg_route_clear_mailers(r);
		for (int i = 0; i < config_setting_length(l); i++) {
			const config_setting_t *m = config_setting_get_elem(l, (unsigned)i);

			if (!rg_route_add_mailer(r, config_setting_get_string(m), err, sizeof(err)))
				rg_errs_at(e, m, "%s", err);
		}
	}
	rg_conf_domains(e, rg_conf_strings(e, g, "hosts"), rg_route_hosts(r), false);
}

/*
 * Monitor mode is a trial: nothing is refused.  Every -n says so, and
 * says how long the file has been unchanged, so a trial left running
 * for months is noticed.
 */
static void
warn_monitor(struct rg_errs *e, const config_t *cf)
{
	const config_setting_t *s = config_lookup(cf, "mode");
	const char *file = s != NULL ? config_setting_source_file(s) : NULL;
	struct stat st;
	long days = -1;

	if (file != NULL && stat(file, &st) == 0 && st.st_mtime < time(NULL))
		days = (long)((time(NULL) - st.st_mtime) / 86400);
	if (days >= 1)
		rg_warn_at(e, s, "mode = \"monitor\" is on, and this file has not changed for "
		    "%ld day%s: nothing is refused, only logged as would-reject; set mode = "
		    "\"enforce\" when the log looks right", days, days == 1 ? "" : "s");
	else
		rg_warn_at(e, s, "mode = \"monitor\" is on: nothing is refused, only logged as "
		    "would-reject; set mode = \"enforce\" when the log looks right");
}

/* Text that goes into an SMTP reply: 1..max bytes, no control characters. */
static bool
one_line(const char *text, size_t max)
{
	size_t n = strlen(text);

	if (n == 0 || n > max)
		return false;
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	return true;
}

static void
load_policy(struct rg_errs *e, const config_t *cf, struct rg_policy *p)
{
	static const char *const net_keys[] = { "trusted", NULL };
	static const char *const dom_keys[] = { "local", "relay", NULL };
	static const char *const auth_keys[] = { "relay", "require_tls", "sender_login",
	    "suspended_contact", NULL };
	static const char *const sender_keys[] = { "offsite_local", NULL };
	static const char *const rcpt_keys[] = { "verify", "unsafe_at", NULL };
	static const char *const reply_keys[] = { "relay_denied", NULL };
	/* Indexed by name, so no test below compares against a bare index. */
	enum { MODE_ENFORCE, MODE_MONITOR };
	static const char *const mode_names[] = { [MODE_ENFORCE] = "enforce",
	    [MODE_MONITOR] = "monitor", NULL };
	const config_setting_t *g;
	bool relay, tls, verify;
	int sl, ol, mode;
	const char *text;

	rg_conf_enum(e, config_root_setting(cf), "mode", mode_names, 0, &mode);
	rg_policy_set_monitor(p, mode == MODE_MONITOR);
	if (mode == MODE_MONITOR)
		warn_monitor(e, cf);

	if ((g = rg_conf_group(e, cf, "networks", net_keys)) != NULL)
		rg_conf_nets(e, rg_conf_strings(e, g, "trusted"), rg_policy_trusted(p), true);

	if ((g = rg_conf_group(e, cf, "domains", dom_keys)) != NULL) {
		const config_setting_t *loc = rg_conf_strings(e, g, "local");
		const config_setting_t *rel = rg_conf_strings(e, g, "relay");

		rg_conf_domains(e, loc, rg_policy_local(p), true);
		rg_conf_domains(e, rel, rg_policy_relay(p), false);
		rg_conf_warn_overlap(e, loc, rel, rg_policy_local(p));
	}

	g = rg_conf_group(e, cf, "auth", auth_keys);
	rg_conf_bool(e, g, "relay", true, &relay);
	rg_conf_bool(e, g, "require_tls", true, &tls);
	rg_conf_enum(e, g, "sender_login", check_names, RG_CHECK_REJECT, &sl);
	rg_policy_set_auth(p, relay, tls, (enum rg_check)sl);
	if (rg_conf_string(e, g, "suspended_contact", NULL, &text)) {
		if (!one_line(text, RG_POLICY_CONTACT_MAX))
			rg_errs_at(e, config_setting_get_member(g, "suspended_contact"),
			    "\"auth.suspended_contact\" must be 1-%d printable characters on one "
			    "line (it goes into the SMTP reply)", RG_POLICY_CONTACT_MAX);
		else
			rg_policy_set_suspended_contact(p, text);
	}

	g = rg_conf_group(e, cf, "sender", sender_keys);
	rg_conf_enum(e, g, "offsite_local", check_names, RG_CHECK_WARN, &ol);
	rg_policy_set_offsite_local(p, (enum rg_check)ol);

	g = rg_conf_group(e, cf, "recipients", rcpt_keys);
	rg_conf_bool(e, g, "verify", true, &verify);
	rg_policy_set_verify(p, verify);

	g = rg_conf_group(e, cf, "replies", reply_keys);
	if (rg_conf_string(e, g, "relay_denied", NULL, &text)) {
		size_t n = strlen(text);
		bool bad = n == 0 || n > RG_POLICY_REPLY_MAX;

		for (const char *c = text; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				bad = true;
		if (bad)
			rg_errs_at(e, config_setting_get_member(g, "relay_denied"),
			    "\"replies.relay_denied\" must be 1-%d printable characters on one line",
			    RG_POLICY_REPLY_MAX);
		else
			rg_policy_set_relay_reply(p, text);
	}
	load_exceptions(e, cf, p);
	load_routing(e, cf, p);
}

/* recipients.unsafe_at: where the milter refuses an unsafe transaction. */
static void
load_unsafe_at(struct rg_errs *e, const config_t *cf, struct rg_config *c)
{
	enum { AT_DATA, AT_END_OF_DATA };
	static const char *const where[] = { [AT_DATA] = "data",
	    [AT_END_OF_DATA] = "end-of-data", NULL };
	const config_setting_t *g = config_lookup(cf, "recipients");
	int at;

	if (g != NULL && config_setting_type(g) != CONFIG_TYPE_GROUP)
		g = NULL;	/* load_policy reports it */
	rg_conf_enum(e, g, "unsafe_at", where, 0, &at);
	c->unsafe_at_end = at == AT_END_OF_DATA;
}

/* limits = { connections; }: what one daemon takes on before it tempfails. */
static void
load_limits(struct rg_errs *e, const config_t *cf, struct rg_config *c)
{
	static const char *const keys[] = { "connections", NULL };
	const config_setting_t *g = rg_conf_group(e, cf, "limits", keys);
	long long n;

	rg_conf_int(e, g, "connections", RG_CONNECTIONS_DEFAULT, 1, RG_CONNECTIONS_MAX, &n);
	c->max_connections = (unsigned)n;
}

/* A key that the chosen backend would silently ignore is a mistake. */
static void
misplaced(struct rg_errs *e, const config_setting_t *g, const char *key,
    const char *backend)
{
	const config_setting_t *s = g ? config_setting_get_member(g, key) : NULL;

	if (s != NULL)
		rg_errs_at(e, s, "\"directory.%s\" has no effect with directory.backend = \"%s\"",
		    key, backend);
}

static struct rg_dir *
load_dirfile(struct rg_errs *e, const config_setting_t *g, const char *conffile)
{
	const char *file;
	struct rg_dir *d;
	char *path;

	rg_conf_string(e, g, "file", "directory.conf", &file);
	path = rg_conf_path(conffile, file);
	d = rg_conf_dirfile(e, path);
	free(path);
	return d;
}

static struct rg_dir *
load_ldap(struct rg_errs *e, const config_setting_t *g, const char *conffile)
{
	if (g == NULL) {
		rg_errs_add(e, conffile, 0, "directory backend \"ldap\" needs a directory group");
		return NULL;
	}
	return rg_conf_ldap(e, g, conffile);
}

/*
 * directory.backend: each name, its loader, and the directory.* keys
 * only it reads (the others flag them).  The first is the default.
 */
static const struct dir_backend {
	const char *name;
	struct rg_dir *(*load)(struct rg_errs *, const config_setting_t *dir, const char *conffile);
	const char *const *keys;
} dir_backends[] = {
	{ "file", load_dirfile, (const char *const[]){ "file", NULL } },
	{ "ldap", load_ldap, (const char *const[]){ "ldap", "cache", NULL } },
	/* Refuses itself unless built with --enable-test-backends. */
	{ "script", rg_conf_dirscript, (const char *const[]){ "script", NULL } },
};
#define NDIR_BACKENDS	(sizeof(dir_backends) / sizeof(dir_backends[0]))

static void
load_directory(struct rg_errs *e, const config_t *cf, struct rg_config *c)
{
	static const char *const keys[] = { "backend", "file", "on_error", "ldap", "cache",
	    "script", NULL };
	static const char *const on_error[] = { "tempfail", "continue", NULL };
	const config_setting_t *g = rg_conf_group(e, cf, "directory", keys);
	const char *names[NDIR_BACKENDS + 1];
	const struct dir_backend *b;
	int backend, oe;

	for (size_t i = 0; i < NDIR_BACKENDS; i++)
		names[i] = dir_backends[i].name;
	names[NDIR_BACKENDS] = NULL;
	rg_conf_enum(e, g, "backend", names, 0, &backend);
	rg_conf_enum(e, g, "on_error", on_error, RG_ON_ERROR_TEMPFAIL, &oe);
	rg_policy_set_on_error(c->policy, (enum rg_on_error)oe);
	b = &dir_backends[backend];
	c->dir_backend = rg_xstrdup(b->name);
	for (size_t i = 0; g != NULL && i < NDIR_BACKENDS; i++)
		for (size_t k = 0; &dir_backends[i] != b && dir_backends[i].keys[k] != NULL; k++)
			misplaced(e, g, dir_backends[i].keys[k], b->name);
	c->dir = b->load(e, g, c->path);
}

struct rg_config *
rg_config_load(const char *path, struct rg_errs *e)
{
	static const char *const keys[] = { "socket", "mode", "networks", "domains", "auth",
	    "sender", "recipients", "legacy_exceptions", "routing", "directory", "replies", "log",
	    "limits", "control", "migration", "budgets", NULL };
	static const char *const log_keys[] = { "facility", "accepts", NULL };
	static const char *const migration_keys[] = { "contact", "help_url", "server", NULL };
	int before = e->count;
	struct rg_config *c;
	const config_setting_t *g;
	const char *s;
	config_t cf;

	/* -c (or the default) may be a symlink; the files it names may not. */
	if (!rg_conf_read(e, &cf, path, true))
		return NULL;
	c = rg_conf_snapshot_new();
	c->path = rg_xstrdup(path);
	c->policy = rg_policy_new();
	rg_conf_check_keys(e, config_root_setting(&cf), keys);

	rg_conf_string(e, config_root_setting(&cf), "socket", DEFAULT_SOCKET, &s);
	if (strncmp(s, "unix:", 5) != 0 && strncmp(s, "local:", 6) != 0 &&
	    strncmp(s, "inet:", 5) != 0 && strncmp(s, "inet6:", 6) != 0)
		rg_errs_at(e, config_lookup(&cf, "socket"),
		    "socket \"%s\" must be unix:/path, inet:PORT@HOST or inet6:PORT@HOST", s);
	/* A unix socket's file name is a file name like any other here. */
	if ((strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) &&
	    strchr(s, ':')[1] != '/' && strchr(s, ':')[1] != '\0') {
		const char *name = strchr(s, ':') + 1;
		char *full = rg_conf_path(path, name);

		if (asprintf(&c->socket, "%.*s%s", (int)(name - s), s, full) < 0)
			abort();
		free(full);
	} else {
		c->socket = rg_xstrdup(s);
	}

	g = rg_conf_group(e, &cf, "log", log_keys);
	rg_conf_string(e, g, "facility", "mail", &s);
	if (rg_log_facility(s) < 0)
		rg_errs_at(e, config_setting_get_member(g, "facility"),
		    "unknown syslog facility \"%s\"", s);
	c->facility = rg_xstrdup(s);
	rg_conf_bool(e, g, "accepts", false, &c->log_accepts);
	/* Only relayguard -R --notices reads these; the daemon ignores them. */
	g = rg_conf_group(e, &cf, "migration", migration_keys);
	rg_conf_string(e, g, "contact", "", &s);
	c->migration_contact = s[0] != '\0' ? rg_xstrdup(s) : NULL;
	rg_conf_string(e, g, "help_url", "", &s);
	c->migration_help_url = s[0] != '\0' ? rg_xstrdup(s) : NULL;
	rg_conf_string(e, g, "server", "", &s);
	c->migration_server = s[0] != '\0' ? rg_xstrdup(s) : NULL;
	load_limits(e, &cf, c);
	rg_conf_control(e, &cf, c->path, &c->control_socket, &c->control_default);
	load_unsafe_at(e, &cf, c);

	load_policy(e, &cf, c->policy);
	load_directory(e, &cf, c);
	c->budget = rg_conf_budget(e, &cf, c->path);
	config_destroy(&cf);
	if (e->count > before) {
		rg_config_release(&c);
		return NULL;
	}
	return c;
}

