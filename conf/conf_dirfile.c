/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_dirfile.c - directory.conf: mailboxes, forwards, lists, logins.
 *
 *   mailboxes = [ "alice@example.edu" ];
 *   forwards  = ( { address = "fwd@example.edu"; target = "x@offsite.example"; } );
 *   lists     = ( { address = "staff@example.edu"; members = [ "alice@example.edu" ]; } );
 *   logins    = ( { login = "alice"; addresses = [ "alice@example.edu" ]; } );
 *
 * A login entry may say suspended = true; (its MAIL FROM is refused,
 * reason=login-suspended).  A flag on the entry rather than a list of its
 * own: the login and its suspension cannot drift apart in the file.
 */
#include <stdio.h>
#include <string.h>

#include "conf_dirfile.h"
#include "conf_util.h"
#include "directory/dir_file.h"
#include "policy/addr.h"

/* A directory address must be a plain local@domain, nothing routed. */
static bool
valid_addr(struct rg_errs *e, const config_setting_t *s, const char *what,
    const char *text, struct rg_addr *a)
{
	if (rg_addr_parse(text, a) != RG_ADDR_OK || a->null || a->domain[0] == '\0' ||
	    a->idn_invalid ||
	    a->routed || a->source_route) {
		rg_errs_at(e, s, "%s \"%s\" is not a plain local@domain address", what, text);
		return false;
	}
	return true;
}

static void
load_addresses(struct rg_errs *e, struct rg_dir *d, const config_setting_t *list,
    const char *what, enum rg_rcpt_kind kind, const char *login)
{
	struct rg_addr a;
	int n = list ? config_setting_length(list) : 0;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);

		if (!valid_addr(e, s, what, config_setting_get_string(s), &a))
			continue;
		if (login != NULL)
			rg_dir_file_add_login_address(d, login, a.norm);
		else
			rg_dir_file_add_recipient(d, a.norm, kind);
	}
}

/* Each entry of a list of groups: check keys, then fetch its address. */
static const char *
entry_string(struct rg_errs *e, const config_setting_t *g, const char *key)
{
	const char *v = NULL;

	if (!rg_conf_string(e, g, key, NULL, &v))
		rg_errs_at(e, g, "entry lacks \"%s\"", key);
	return v;
}

static void
load_groups(struct rg_errs *e, struct rg_dir *d, const config_t *cf, const char *name)
{
	static const char *const fwd_keys[] = { "address", "target", NULL };
	static const char *const list_keys[] = { "address", "members", NULL };
	static const char *const login_keys[] = { "login", "addresses", "suspended", NULL };
	const config_setting_t *l = config_lookup(cf, name);
	bool fwd = strcmp(name, "forwards") == 0, lst = strcmp(name, "lists") == 0;
	int n;

	if (l == NULL)
		return;
	if (config_setting_type(l) != CONFIG_TYPE_LIST) {
		rg_errs_at(e, l, "\"%s\" must be a list of groups: ( { ... }, { ... } )", name);
		return;
	}
	n = config_setting_length(l);
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned)i);
		const char *addr, *login;
		struct rg_addr a;
		bool suspended;

		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			rg_errs_at(e, g, "each entry of \"%s\" must be a group { ... }", name);
			continue;
		}
		rg_conf_check_keys(e, g, fwd ? fwd_keys : lst ? list_keys : login_keys);
		if (fwd || lst) {
			addr = entry_string(e, g, "address");
			if (addr == NULL || !valid_addr(e, g, "address", addr, &a))
				continue;
			rg_dir_file_add_recipient(d, a.norm, fwd ? RG_KIND_FORWARD : RG_KIND_LIST);
			if (fwd) {
				const char *t = entry_string(e, g, "target");
				struct rg_addr ta;

				if (t != NULL && valid_addr(e, g, "target", t, &ta))
					rg_dir_file_set_target(d, a.norm, ta.norm);
			} else {
				/* Members are checked, not stored: the MTA expands lists. */
				const config_setting_t *m = rg_conf_strings(e, g, "members");

				for (int k = 0; m && k < config_setting_length(m); k++) {
					const config_setting_t *ms = config_setting_get_elem(m, (unsigned)k);

					(void)valid_addr(e, ms, "member", config_setting_get_string(ms), &a);
				}
			}
		} else {
			login = entry_string(e, g, "login");
			if (login == NULL)
				continue;
			if (login[0] == '\0' || strpbrk(login, "\r\n\t") != NULL) {
				rg_errs_at(e, g, "login \"%s\" is empty or holds control characters", login);
				continue;
			}
			load_addresses(e, d, rg_conf_strings(e, g, "addresses"), "address",
			    RG_KIND_MAILBOX, login);
			if (rg_conf_bool(e, g, "suspended", false, &suspended) && suspended)
				rg_dir_file_set_suspended(d, login);
		}
	}
}

struct rg_dir *
rg_conf_dirfile(struct rg_errs *e, const char *path)
{
	static const char *const keys[] = { "mailboxes", "forwards", "lists", "logins", NULL };
	int before = e->count;
	struct rg_dir *d;
	config_t cf;

	if (!rg_conf_read(e, &cf, path, false))
		return NULL;
	d = rg_dir_file_new(path);
	rg_conf_check_keys(e, config_root_setting(&cf), keys);
	load_addresses(e, d, rg_conf_strings(e, config_root_setting(&cf), "mailboxes"),
	    "mailbox", RG_KIND_MAILBOX, NULL);
	load_groups(e, d, &cf, "forwards");
	load_groups(e, d, &cf, "lists");
	load_groups(e, d, &cf, "logins");
	config_destroy(&cf);
	if (e->count > before)
		rg_dir_destroy(&d);
	return d;
}
