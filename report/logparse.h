/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * logparse.h - read relayguard's own lines out of a syslog stream.
 *
 * Pure: no I/O, no clock, no allocation, no global state, so that any
 * byte string can be fed to it (tests/fuzz) and two threads may call it
 * at once.  A line is attributed to relayguard only by its syslog
 * header: a timestamp, one host name, then exactly the tag
 * "relayguard[PID]: " (what openlog("relayguard", LOG_PID) gives).  A
 * "relayguard[...]" anywhere later in a line is another program's text
 * and never counts.  Understood timestamps:
 *
 *   Dec  1 17:04:05 host relayguard[123]: ...   (RFC 3164; rsyslog,
 *   Dec 01 17:04:05 host relayguard[123]: ...    syslog-ng, busybox,
 *                                                journalctl -o short)
 *   2026-12-01T17:04:05.123456+01:00 host relayguard[123]: ...
 *                                               (RFC 3339; rsyslog's
 *                                                high-precision format,
 *                                                journalctl -o short-iso)
 *
 * The wall clock is taken as written (a time zone offset is ignored),
 * so that both forms of one log read alike.
 */
#ifndef RG_REPORT_LOGPARSE_H
#define RG_REPORT_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The longest line read; longer ones are not relayguard's (2 KiB lines). */
#define RG_LP_LINE_MAX	8192

enum rg_lp_kind {
	RG_LP_OTHER,		/* a syslog line of another program, or no syslog line */
	RG_LP_OURS,		/* relayguard's; msg/msglen/when/pid are set */
	RG_LP_BAD,		/* relayguard's header, but a NUL, CR or control byte */
};

struct rg_lp_line {
	time_t when;		/* wall clock as written, as if UTC */
	long pid;
	const char *msg;	/* the message after "relayguard[PID]: " */
	size_t msglen;
};

/*
 * Split one line (without its LF; a trailing CR is allowed).  'ref'
 * gives a timestamp without a year its year; see rg_lp_year_for().
 */
enum rg_lp_kind rg_lp_split(const char *line, size_t len, time_t ref, struct rg_lp_line *out);

/*
 * RFC 3164 timestamps have no year.  Given the month (0-11) of a line
 * and a reference time (the newest input's modification time, as wall
 * clock), the year that puts the line at or before the reference month.
 */
int	rg_lp_year_for(int month, time_t ref);

/* The fields of a decision or directory line the report reads. */
enum rg_lp_field {
	RG_F_ACTION, RG_F_STAGE, RG_F_REASON, RG_F_CLIENT, RG_F_AUTH, RG_F_TLS,
	RG_F_FROM, RG_F_RCPT, RG_F_EXPIRES, RG_F_EXCEPTION, RG_F_MODE,
	RG_F_LDAP, RG_F_REDIS, RG_F_URI, RG_F_WHY,
	RG_F_COUNT
};

/*
 * A message split into its key=value pairs, values unescaped (the
 * inverse of common/log.c's escaping) into 'buf'.  Unknown keys are
 * skipped; a key seen twice keeps its first value.  Angle brackets of
 * from= and rcpt= are removed.
 */
struct rg_lp_kv {
	const char *v[RG_F_COUNT];	/* NULL when absent; "-" is kept as "-" */
	char qid[72];			/* the leading QUEUEID, or "" */
	char buf[RG_LP_LINE_MAX + RG_F_COUNT];
};

/*
 * Returns false for a message that is not key=value, or whose quotes
 * or escapes do not close: a forged or truncated line is then not read
 * half-way.  A decision line has action=, stage= and reason=.
 */
bool	rg_lp_fields(const char *msg, size_t len, struct rg_lp_kv *kv_r);

#endif
