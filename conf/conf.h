/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf.h - policy.conf, parsed once into an immutable, reference-counted
 * snapshot.
 *
 * rg_config_load() validates the whole file and reports every problem
 * as "FILE:LINE: message"; it returns a snapshot only when there was
 * none.  The daemon installs a snapshot with rg_config_install(); each
 * connection takes a reference with rg_config_current() and drops it
 * with rg_config_release() when it closes, so a reload never changes
 * the rules under a transaction already in progress.  The snapshot's
 * fields are read-only; the swap itself is protected by a mutex held
 * only for the pointer exchange and count update.
 *
 * This header does not expose libconfig.
 */
#ifndef RG_CONF_H
#define RG_CONF_H

#include <stdbool.h>

#include "policy/policy.h"
#include "directory/dir.h"
#include "conf_errs.h"

struct rg_budget;

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

/* limits.connections: busy milter connections before CONNECT is tempfailed. */
#define RG_CONNECTIONS_DEFAULT	1000
#define RG_CONNECTIONS_MAX	100000

/*
 * control.socket: the unix socket "relayguard -S" asks.  Its longest
 * path is what a sockaddr_un holds, less the NUL.
 */
#define RG_CONTROL_DEFAULT	"/run/relayguard/control.sock"
#define RG_CONTROL_PATH_MAX	107

/* The compiled-in default path: SYSCONFDIR/relayguard/policy.conf. */
const char *rg_config_default_path(void);

/*
 * 'path' made absolute against the current directory (symlinks are
 * kept, so "relative to the config's directory" means what it did);
 * malloc'd, NULL if the current directory cannot be named.  The daemon
 * changes to / and reloads later: it must hold absolute names.
 */
char	*rg_config_abspath(const char *path);

/*
 * Load and validate; NULL (with errs filled) on any error.  Relative
 * names inside the file are resolved against the file's directory, so
 * they are absolute when 'path' is.
 */
struct rg_config *rg_config_load(const char *path, struct rg_errs *errs);

/*
 * Take and drop references (atomically, from any thread).  release
 * clears the caller's pointer and frees the snapshot with its last
 * reference.  Only snapshots from rg_config_load() may be passed.
 */
struct rg_config *rg_config_hold(struct rg_config *);
void	rg_config_release(struct rg_config **);

/* How many references 'c' has now: for the unit tests, never for decisions. */
int	rg_config_refs(const struct rg_config *c);

/* Make 'cfg' current (takes the caller's reference); the old one is released. */
void	rg_config_install(struct rg_config *cfg);

/* A new reference to the current snapshot; NULL before the first install. */
struct rg_config *rg_config_current(void);

#endif
