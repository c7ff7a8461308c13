/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_control.h - control = { socket; }: where "relayguard -S" asks.
 *
 * Read apart from the rest of the file too, so that -S works for an
 * operator who may use the socket but not read the directory's or
 * Redis's password files.
 */
#ifndef RG_CONF_CONTROL_H
#define RG_CONF_CONTROL_H

#include <libconfig.h>
#include <stdbool.h>

#include "conf_util.h"

/*
 * The "control" group of 'cf': *socket_r is the absolute path (relative
 * names are anchored at 'conffile'), or NULL when control.socket = "".
 * *builtin_r is true when that path is the built-in one, whether the
 * file wrote it or not: a socket there that cannot be made is a warning,
 * not a reason to stop (so "relayguard -n -p" output, which writes every
 * default out, behaves like the file it came from).
 */
void	rg_conf_control(struct rg_errs *, const config_t *cf, const char *conffile,
	    char **socket_r, bool *builtin_r);

/*
 * control.socket of the file 'path', reading nothing else of it (no
 * password file is opened).  Returns false with errs filled on a broken
 * file; true with *socket_r NULL when the socket is off.
 */
bool	rg_conf_control_socket(const char *path, struct rg_errs *, char **socket_r);

#endif
