/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * notify.c - sd_notify(3) messages for systemd, or nothing.
 *
 * The STATUS= text is built here with a bounded snprintf; a path too
 * long for it is cut at the buffer's end, which only shortens what
 * `systemctl status` shows, never the state change beside it.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "notify.h"
#include "common/log.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

static void
send_state(const char *state, const char *status)
{
	char msg[1024];
	size_t n;
	int r;

	(void)snprintf(msg, sizeof(msg), "%s\nSTATUS=", state);
	/* A newline in a path would start a field of its own. */
	for (n = strlen(msg); *status != '\0' && n + 1 < sizeof(msg); status++)
		msg[n++] = (unsigned char)*status < 0x20 ? '?' : *status;
	msg[n] = '\0';
	/* 0: keep NOTIFY_SOCKET for the messages that follow. */
	if ((r = sd_notify(0, msg)) < 0)
		rg_log(RG_LOG_WARNING, "sd_notify %s: %s", state, strerror(-r));
}
#else
static void
send_state(const char *state, const char *status)
{
	(void)state;
	(void)status;
}
#endif

void
rg_notify_ready(const char *path, const char *backend)
{
	char status[900];

	(void)snprintf(status, sizeof(status), "serving policy %s, directory %s", path, backend);
	send_state("READY=1", status);
}

void
rg_notify_reloading(const char *path)
{
	char status[900];

	(void)snprintf(status, sizeof(status), "reloading %s", path);
	send_state("RELOADING=1", status);
}

void
rg_notify_reloaded(const char *path, const char *backend, bool ok)
{
	char status[900];

	(void)snprintf(status, sizeof(status), "%s policy %s, directory %s",
	    ok ? "serving" : "reload refused, still serving the previous", path, backend);
	send_state("READY=1", status);
}

void
rg_notify_stopping(void)
{
	send_state("STOPPING=1", "stopping");
}
