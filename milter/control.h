/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * control.h - the control socket: the daemon's counters for "relayguard -S".
 *
 * A unix socket only, never TCP, mode 0660, created by the daemon after
 * it dropped privileges, so it belongs to the daemon's user and group.
 * One request and one answer per connection: the client sends one line
 * ("stats" or "prometheus"), gets the rendering, and the server closes.
 * Anything else (an unknown word, a line longer than
 * RG_CONTROL_REQUEST_MAX, bytes after the line, a client silent for
 * RG_CONTROL_TIMEOUT) gets one "error: ..." line and the connection is
 * closed.  At most RG_CONTROL_CLIENTS are served at once; one more is
 * told "error: busy" and closed.
 *
 * The server is one thread with one poll() loop: a client that never
 * sends costs a slot until its timeout, never the daemon a thread, and
 * nothing it does touches the milter's threads or locks.
 */
#ifndef RG_CONTROL_H
#define RG_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#define RG_CONTROL_REQUEST_MAX	64	/* bytes, the newline included */
#define RG_CONTROL_TIMEOUT	2.0	/* seconds for a whole exchange */
#define RG_CONTROL_CLIENTS	16
/* The longest answer the client reads: far above any real one. */
#define RG_CONTROL_ANSWER_MAX	(4 * 1024 * 1024)

/*
 * Create the socket at 'path' and start the server thread.  Call it with
 * the signals libmilter owns already blocked (see rg_daemon_reloader),
 * so the thread inherits the mask.  A stale socket left by a daemon that
 * died is replaced; a live one (another daemon answers), or a file that
 * is not a socket, is an error.  The socket is removed at exit.  False,
 * with err filled, when the socket cannot be created.
 */
bool	rg_control_start(const char *path, char *err, size_t errlen);

/*
 * relayguard -S [-c FILE] [--control PATH] [--prometheus]: ask the
 * daemon and print its answer.  'config' is -c when given before -S,
 * else NULL; argv holds the words after -S.  Returns an exit status.
 */
int	rg_control_client(const char *config, int argc, char **argv);

#endif
