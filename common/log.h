/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * log.h - relayguard's one logger.
 *
 * Writes to syslog (ident "relayguard") and, in foreground mode, to
 * stderr as well.  Decision lines are key=value; build them with
 * rg_kv_*, which quote and escape hostile values so that a CR, LF or
 * quote in an address can never forge or split a log line.
 *
 * Thread-safe: syslog(3) is, and stderr lines go out in one write(2).
 * rg_log_open() is called once before threads start.
 */
#ifndef RG_LOG_H
#define RG_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum rg_log_level {
	RG_LOG_DEBUG,
	RG_LOG_INFO,
	RG_LOG_NOTICE,
	RG_LOG_WARNING,
	RG_LOG_ERROR,
};

/* Open syslog with a facility name ("mail", "local0", ...). */
void	rg_log_open(const char *facility, bool to_stderr);

/* Change the facility on reload; unknown names are rejected by the parser. */
void	rg_log_set_facility(const char *facility);

/* Map a facility name to its syslog value; -1 if unknown. */
int	rg_log_facility(const char *name);

/* Copy lines to stderr too (foreground, -T), and write to syslog or not. */
void	rg_log_stderr(bool on);
void	rg_log_syslog(bool on);

/* Lowest level that is written; default RG_LOG_INFO. */
void	rg_log_set_min(enum rg_log_level);

/* Would a line at this level be written?  Lets callers skip building it. */
bool	rg_log_enabled(enum rg_log_level);

void	rg_log(enum rg_log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Startup only: log and exit(status). */
void	rg_fatal(int status, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/*
 * A key=value line being built in a fixed buffer.  If the buffer fills,
 * the pairs that do not fit are dropped whole and the line ends in
 * " truncated=...", never cut silently mid-value.  A single value over
 * 1 KiB is shortened inside its own quotes and ends in "...".
 */
struct rg_kv {
	char buf[2048];
	size_t len;
	bool truncated;
};

void	rg_kv_init(struct rg_kv *);
/* Append " key=value"; value is quoted/escaped when needed; NULL gives "-". */
void	rg_kv_add(struct rg_kv *, const char *key, const char *value);
/* Append " key=<value>" (envelope addresses keep their brackets). */
void	rg_kv_addr(struct rg_kv *, const char *key, const char *addr);
/* Finish and return the line. */
const char *rg_kv_str(struct rg_kv *);

/*
 * Escape one value into out (always NUL-terminated).  Returns the
 * length it needed; a return >= outlen means it was shortened.
 */
size_t	rg_log_escape(const char *in, char *out, size_t outlen);

#endif
