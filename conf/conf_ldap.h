/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_ldap.h - parse directory = { backend = "ldap"; ldap = {...}; cache = {...}; }
 * into an LDAP directory handle.
 */
#ifndef RG_CONF_LDAP_H
#define RG_CONF_LDAP_H

#include <libconfig.h>

#include "conf_util.h"
#include "directory/dir.h"

/*
 * Build the LDAP backend from the "directory" group.  Records every
 * problem in errs (FILE:LINE) and returns NULL if there was any.
 * 'conffile' anchors relative paths (bind_password_file).  No network
 * traffic happens here; rg_dir_probe() does that.
 */
struct rg_dir *rg_conf_ldap(struct rg_errs *errs, const config_setting_t *dirgrp,
	    const char *conffile);

#endif
