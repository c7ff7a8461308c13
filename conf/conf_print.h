/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_print.h - relayguard -n -p and -n -d: policy.conf as the loader
 * understood it, written back in policy.conf syntax.
 *
 * -p prints every key the loader knows, with its effective value: what
 * the file says, or the default marked "# default".  Lists are written
 * out in full, @include files are inlined, and relative file names are
 * resolved against the file's directory, so the output, saved anywhere,
 * loads and gives the same policy.  Keys that have no effect with the
 * chosen directory backend are printed commented out.  No secret is
 * ever read or printed: bind_password_file is shown as its path.
 *
 * -d prints every key's compiled-in default the same way.
 *
 * Not thread-safe in any interesting sense: it is for the command line.
 */
#ifndef RG_CONF_PRINT_H
#define RG_CONF_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "conf_errs.h"

/*
 * Print the effective configuration of 'path' to 'out'.  The caller
 * validates 'path' with rg_config_load() first; this only re-reads it.
 * False (with errs filled) when the file cannot be read.
 */
bool	rg_config_print(const char *path, FILE *out, struct rg_errs *errs);

/* Print every key's default to 'out'. */
void	rg_config_print_defaults(FILE *out);

#endif
