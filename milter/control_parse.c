/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * control_parse.c - one control request line, judged (control_parse.h).
 */
#include <string.h>

#include "control_parse.h"

enum rg_control_verdict
rg_control_parse(const char *in, size_t inlen, size_t cap, bool eof,
    enum rg_stats_format *fmt_r, const char **error_r)
{
	const char *nl = memchr(in, '\n', inlen);
	size_t linelen, n;

	if (nl == NULL) {
		if (eof) {
			*error_r = "error: incomplete request (no newline)\n";
			return RG_CONTROL_ERROR;
		}
		if (inlen >= cap) {
			*error_r = "error: request too long\n";
			return RG_CONTROL_ERROR;
		}
		return RG_CONTROL_MORE;
	}
	n = linelen = (size_t)(nl - in);
	if (n > 0 && in[n - 1] == '\r')
		n--;
	if (n == 5 && memcmp(in, "stats", 5) == 0)
		*fmt_r = RG_STATS_TEXT;
	else if (n == 10 && memcmp(in, "prometheus", 10) == 0)
		*fmt_r = RG_STATS_PROMETHEUS;
	else {
		*error_r = "error: unknown request (send \"stats\" or \"prometheus\")\n";
		return RG_CONTROL_ERROR;
	}
	/* A pipelined second request would be answered as if it were not there. */
	if (linelen + 1 < inlen) {
		*error_r = "error: one request per connection\n";
		return RG_CONTROL_ERROR;
	}
	return RG_CONTROL_REQUEST;
}
