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
 * the rules under a transaction already in progress.  A snapshot is
 * opaque and read-only once loaded: its parts come through the
 * rg_config_*() accessors below, from any thread without a lock; the
 * swap itself is protected by a mutex held only for the pointer
 * exchange and count update.
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
struct rg_config;

/* limits.connections: busy milter connections before CONNECT is tempfailed. */
#define RG_CONNECTIONS_DEFAULT	1000
#define RG_CONNECTIONS_MAX	100000

/*
 * control.socket: the unix socket "relayguard -S" asks.  Its longest
 * path is what a sockaddr_un holds, less the NUL.
 */
#define RG_CONTROL_DEFAULT	"/run/relayguard/control.sock"
#define RG_CONTROL_PATH_MAX	107

/*
 * The snapshot's parts, each living as long as the snapshot.  Strings
 * are never NULL unless said.
 */
const char *rg_config_path(const struct rg_config *);	/* the file it was loaded from */
const char *rg_config_socket(const struct rg_config *);	/* the libmilter socket spec */
const char *rg_config_facility(const struct rg_config *);	/* log.facility */
bool	rg_config_log_accepts(const struct rg_config *);	/* log.accepts */
const char *rg_config_dir_backend(const struct rg_config *);	/* "file", "ldap", ... for logs */
unsigned rg_config_max_connections(const struct rg_config *);	/* limits.connections */
bool	rg_config_unsafe_at_end(const struct rg_config *);	/* recipients.unsafe_at = "end-of-data" */
/* control.socket, absolute; NULL when off. */
const char *rg_config_control(const struct rg_config *);
/* Is that the built-in path?  Then a socket that cannot be made only warns. */
bool	rg_config_control_builtin(const struct rg_config *);
/* migration.contact, .help_url, .server for relayguard -R --notices; NULL when unset. */
const char *rg_config_migration_contact(const struct rg_config *);
const char *rg_config_migration_help_url(const struct rg_config *);
const char *rg_config_migration_server(const struct rg_config *);
struct rg_policy *rg_config_policy(const struct rg_config *);
struct rg_dir *rg_config_dir(const struct rg_config *);
/* budgets = { ... }; NULL when off. */
struct rg_budget *rg_config_budget(const struct rg_config *);

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
