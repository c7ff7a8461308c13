/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_snapshot.h - allocating a policy.conf snapshot, for the loader
 * (conf.c).  Internal to conf/: everyone else gets snapshots from
 * rg_config_load() and rg_config_current(), and counts references with
 * conf.h's rg_config_hold/release.
 */
#ifndef RG_CONF_SNAPSHOT_H
#define RG_CONF_SNAPSHOT_H

#include "conf/conf.h"

/*
 * A new, zeroed snapshot holding one reference (the caller's); aborts
 * when out of memory, like every allocation at load.  Give it back with
 * rg_config_release(), which frees whatever the loader filled in.
 */
struct rg_config *rg_conf_snapshot_new(void);

#endif
