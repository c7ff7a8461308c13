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

#include <stdbool.h>

#include "conf/conf.h"

/*
 * The fields, for conf/ to fill in at load; everyone else reads them
 * through conf.h's accessors.
 */
struct rg_config {
	char *path;		/* the file it was loaded from */
	char *socket;		/* libmilter socket spec */
	char *facility;		/* syslog facility name */
	bool log_accepts;	/* log accepted recipients too */
	char *dir_backend;	/* "file" or "ldap", for logs */
	unsigned max_connections;	/* limits.connections */
	bool unsafe_at_end;	/* recipients.unsafe_at = "end-of-data" */
	char *control_socket;	/* control.socket, absolute; NULL when off */
	bool control_default;	/* control.socket is the built-in path, set or not */
	char *migration_contact;	/* migration.*, for relayguard -R notices; NULL unset */
	char *migration_help_url;
	char *migration_server;
	struct rg_policy *policy;
	struct rg_dir *dir;
	struct rg_budget *budget;	/* budgets = { ... }; NULL when off */
	/* The reference count is conf_snapshot.c's alone: see rg_config_hold/release. */
};

/*
 * A new, zeroed snapshot holding one reference (the caller's); aborts
 * when out of memory, like every allocation at load.  Give it back with
 * rg_config_release(), which frees whatever the loader filled in.
 */
struct rg_config *rg_conf_snapshot_new(void);

#endif
