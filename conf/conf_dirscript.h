/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_dirscript.h - directory.backend = "script": read the test
 * directory's script (directory/dir_script.h) named by directory.script.
 *
 * In a build without ./configure --enable-test-backends this only
 * refuses the backend, so relayguard -n says why a config that selects
 * it cannot run.
 */
#ifndef RG_CONF_DIRSCRIPT_H
#define RG_CONF_DIRSCRIPT_H

#include <libconfig.h>

#include "conf/conf_errs.h"
#include "directory/dir.h"

/* The backend, or NULL with every problem in errs as FILE:LINE. */
struct rg_dir *rg_conf_dirscript(struct rg_errs *errs, const config_setting_t *dir,
	    const char *conffile);

#endif
