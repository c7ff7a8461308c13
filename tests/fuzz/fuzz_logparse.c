/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_logparse.c - libFuzzer harness: relayguard -R's log reader
 * (report/logparse.c) and its counters (report/tally.c).
 *
 * Byte 0 picks the mode and is not part of the input.
 *  - Even: the rest is one syslog line.  It goes through rg_lp_split(),
 *    rg_lp_fields() and rg_tally_line() (a policy with one exception and
 *    one domain-wide exception); oracles: no crash, no leak, and a line
 *    not attributed to relayguard changes no counter but "lines".
 *  - Odd: the rest is up to six NUL-separated values, written into a
 *    decision line by the daemon's own builder (common/log.c rg_kv_*) and
 *    read back.  Oracle: the line is relayguard's, it parses, and each
 *    value comes back as written, or, where the builder shortened it, as
 *    a prefix followed by "...", or (pairs dropped at the end of a full
 *    line) absent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "report/logparse.h"
#include "report/tally.h"

static const int keys[] = { RG_F_ACTION, RG_F_STAGE, RG_F_REASON, RG_F_CLIENT, RG_F_FROM, RG_F_RCPT };
static const char *const names[] = { "action", "stage", "reason", "client", "from", "rcpt" };

static void
one_line(const uint8_t *d, size_t n)
{
	static struct rg_policy *p;
	struct rg_tally t;
	struct rg_lp_line l;
	enum rg_lp_kind k;

	if (p == NULL) {
		p = rg_policy_new();
		rg_policy_add_exception(p, "bob@example.edu", 4102444800, "2100-01-01", NULL, "");
		rg_policy_add_exception(p, "@lab.example.edu", 4102444800, "2100-01-01", NULL, "");
	}
	rg_tally_init(&t, p, 0, 0);
	k = rg_lp_split((const char *)d, n, 1795000000, &l);
	rg_tally_line(&t, k, &l);
	if (k == RG_LP_OTHER && (t.ours != 0 || t.unreadable != 0 || t.decisions != 0))
		abort();
	rg_tally_free(&t);
}

static void
round_trip(const uint8_t *d, size_t n)
{
	char val[6][2048], line[4096];
	const char *msg;
	static struct rg_lp_kv kv;
	struct rg_lp_line l;
	struct rg_kv b;
	size_t nv = 0, start = 0;

	for (size_t i = 0; i <= n && nv < 6; i++)
		if (i == n || d[i] == '\0') {
			size_t len = i - start < sizeof(val[0]) ? i - start : sizeof(val[0]) - 1;

			memcpy(val[nv], d + start, len);
			val[nv++][len] = '\0';
			start = i + 1;
		}
	rg_kv_init(&b);
	for (size_t i = 0; i < nv; i++) {
		if (keys[i] == RG_F_FROM || keys[i] == RG_F_RCPT)
			rg_kv_addr(&b, names[i], val[i]);
		else
			rg_kv_add(&b, names[i], val[i]);
	}
	msg = rg_kv_str(&b);
	snprintf(line, sizeof(line), "Nov 23 08:00:01 gw relayguard[1]: NOQUEUE: %s", msg);
	if (rg_lp_split(line, strlen(line), 1795000000, &l) != RG_LP_OURS)
		abort();
	if (!rg_lp_fields(l.msg, l.msglen, &kv))
		abort();
	for (size_t i = 0; i < nv; i++) {
		const char *got = kv.v[keys[i]];
		size_t g;

		if (got == NULL) {
			if (strstr(msg, " truncated=...") == NULL)
				abort();
			continue;
		}
		g = strlen(got);
		if (strcmp(got, val[i]) == 0)
			continue;
		/* Shortened by the builder: a prefix of the value, then "...". */
		if (g < 3 || strcmp(got + g - 3, "...") != 0 || strncmp(got, val[i], g - 3) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (n == 0)
		return 0;
	if (d[0] & 1)
		round_trip(d + 1, n - 1);
	else
		one_line(d + 1, n - 1);
	return 0;
}
