/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * output.h - relayguard -R's text and JSON reports, from a finished tally.
 *
 * Every value that came from a log is written escaped: in text, control
 * bytes and bytes that are not UTF-8 become \xHH; in JSON, strings are
 * valid UTF-8 (U+FFFD for what is not) with control characters as
 * \u00XX.  The JSON layout is relayguard(8)'s REPORT schema, version
 * "relayguard-report/1"; fields are only ever added to it.
 */
#ifndef RG_REPORT_OUTPUT_H
#define RG_REPORT_OUTPUT_H

#include <stdio.h>

#include "tally.h"

struct rg_report_opts {
	size_t top;		/* rows in each "top" list */
	time_t ref;		/* day that days_left counts from */
};

void	rg_report_text(FILE *, const struct rg_tally *, const struct rg_report_opts *);
void	rg_report_json(FILE *, const struct rg_tally *, const struct rg_report_opts *);

/* Length of the valid UTF-8 sequence at s (1 for ASCII), 0 when invalid. */
size_t	rg_utf8_len(const unsigned char *s);

/* "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD" with date_only) of a wall-clock time. */
void	rg_report_time(time_t, char *out, size_t outlen, int date_only);

#endif
