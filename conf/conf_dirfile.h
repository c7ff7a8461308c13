/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_dirfile.h - load directory.conf, the embedded directory's data.
 */
#ifndef RG_CONF_DIRFILE_H
#define RG_CONF_DIRFILE_H

#include "conf_errs.h"
#include "directory/dir.h"

/* Parse 'path'; NULL with every problem in errs as FILE:LINE. */
struct rg_dir *rg_conf_dirfile(struct rg_errs *errs, const char *path);

#endif
