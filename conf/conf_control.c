/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_control.c - control = { socket; } (see conf_control.h).
 */
#include <stdlib.h>
#include <string.h>

#include "conf_control.h"
#include "conf/conf.h"

void
rg_conf_control(struct rg_errs *e, const config_t *cf, const char *conffile,
    char **socket_r, bool *builtin_r)
{
	static const char *const keys[] = { "socket", NULL };
	const config_setting_t *g = rg_conf_group(e, cf, "control", keys);
	const char *s;

	*socket_r = NULL;
	rg_conf_string(e, g, "socket", RG_CONTROL_DEFAULT, &s);
	*builtin_r = strcmp(s, RG_CONTROL_DEFAULT) == 0;
	if (s[0] == '\0')
		return;
	*socket_r = rg_conf_path(conffile, s);
	if (strlen(*socket_r) > RG_CONTROL_PATH_MAX)
		rg_errs_at(e, config_setting_get_member(g, "socket"),
		    "control.socket \"%s\" is longer than a unix socket path may be (%d bytes)",
		    *socket_r, RG_CONTROL_PATH_MAX);
}

bool
rg_conf_control_socket(const char *path, struct rg_errs *e, char **socket_r)
{
	int before = e->count;
	bool builtin;
	config_t cf;

	*socket_r = NULL;
	/* -c (or the default) may be a symlink, as for the daemon. */
	if (!rg_conf_read(e, &cf, path, true))
		return false;
	rg_conf_control(e, &cf, path, socket_r, &builtin);
	config_destroy(&cf);
	if (e->count > before) {
		free(*socket_r);
		*socket_r = NULL;
		return false;
	}
	return true;
}
