/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * notify.h - tell the service manager how the daemon is doing, with
 * sd_notify(3), for a systemd unit of Type=notify.
 *
 * The promises: READY=1 goes out only once the milter socket listens, so
 * `systemctl start` returns when an MTA can connect; RELOADING=1 and then
 * READY=1 bracket every SIGUSR1 reload, refused or not; STOPPING=1 goes
 * out when libmilter's loop has ended.  Each message carries a STATUS=
 * line naming the policy file and the directory backend.
 *
 * Without NOTIFY_SOCKET in the environment (not started by systemd), or
 * when built without libsystemd, every call does nothing.  A failure to
 * send is logged, never fatal.  Safe from any thread: sd_notify() opens
 * a socket of its own for each message.
 */
#ifndef RG_NOTIFY_H
#define RG_NOTIFY_H

#include <stdbool.h>

/* The socket listens and 'path' (directory 'backend') is in force. */
void	rg_notify_ready(const char *path, const char *backend);

/* A reload of 'path' begins. */
void	rg_notify_reloading(const char *path);

/*
 * The reload ended: 'ok' says whether the new file was installed; either
 * way 'path' with directory 'backend' is what serves new connections.
 */
void	rg_notify_reloaded(const char *path, const char *backend, bool ok);

/* The milter loop has ended; the process exits next. */
void	rg_notify_stopping(void);

#endif
