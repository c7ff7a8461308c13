/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * daemon.h - process plumbing: detach, pid file, privilege drop, and
 * the SIGUSR1 reload thread.  Startup-only functions may exit; the
 * reload path never does.
 */
#ifndef RG_DAEMON_H
#define RG_DAEMON_H

#include <stdbool.h>

#include "conf/conf.h"

/* Fork into the background and detach from the terminal. */
void	rg_daemon_detach(void);

/*
 * Open 'path' without following a symlink and lock it, before detaching;
 * exits with a message when it is not a regular file or another instance
 * holds the lock.  The lock lasts as long as the process.
 */
void	rg_daemon_pidfile_lock(const char *path);

/* Write our pid into the locked pid file; removed at exit, by this process only. */
void	rg_daemon_pidfile_write(void);

/* Switch to USER[:GROUP]; exits on failure. */
void	rg_daemon_drop(const char *user_group);

/*
 * Block SIGUSR1, and libmilter's SIGHUP, SIGTERM and SIGINT, in this
 * thread (so in every thread created later), then start a thread that
 * reloads 'path' on each SIGUSR1.  Call before smfi_main(), whose own
 * signal thread then receives the other three.
 */
void	rg_daemon_reloader(const char *path);

/*
 * Record 'path' as the policy in force for the counters, and start the
 * control socket of 'cfg' (after rg_daemon_reloader, so that its thread
 * inherits the blocked signals, and after dropping privileges, so that
 * the socket is the daemon user's).  A control.socket set in the file
 * that cannot be created is fatal; the built-in default only warns.
 */
void	rg_daemon_control(const char *path, const struct rg_config *cfg);

/* Load, validate and install 'path'; on failure log every error and keep the old. */
bool	rg_daemon_reload(const char *path);

#endif
