/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * control_parse.h - the control socket's request, without the socket.
 *
 * What milter/control.c does with the bytes a client has sent so far,
 * as a pure function, so that tests/fuzz/fuzz_control.c can drive it
 * with no daemon, socket or thread.  The protocol is in control.h and
 * relayguard(8), CONTROL SOCKET.  Thread-safe: no state, and the error
 * lines are constants.
 */
#ifndef RG_CONTROL_PARSE_H
#define RG_CONTROL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/stats.h"

enum rg_control_verdict {
	RG_CONTROL_MORE,	/* no whole line yet: read on */
	RG_CONTROL_REQUEST,	/* one valid request: *fmt_r says which */
	RG_CONTROL_ERROR,	/* *error_r is the whole answer */
};

/*
 * Judge the first inlen bytes a client sent, in a buffer of cap bytes
 * (RG_CONTROL_REQUEST_MAX); eof: the client has closed its side.  A line
 * is one of the two request words, optionally followed by '\r', then '\n',
 * and nothing after it.  On RG_CONTROL_ERROR, *error_r is a constant
 * "error: ..." line ending in '\n'.  The caller handles an EOF before any
 * byte (it answers nothing).
 */
enum rg_control_verdict rg_control_parse(const char *in, size_t inlen, size_t cap, bool eof,
	    enum rg_stats_format *fmt_r, const char **error_r);

#endif
