/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * sendmail.h - lint Sendmail's milter wiring from its sendmail.cf.
 *
 * The .cf is read directly (continuation lines joined, each logical
 * line at most RG_LINT_MAXLINE bytes): X filter definitions, the
 * InputMailFilters, Milter.macros.*, DaemonPortOptions, AuthOptions and
 * AuthMechanisms options, and the V and DZ version lines.  WHERE in a
 * finding is "sendmail.cf:LINE" (the file's own base name).  The
 * parsers below (sm_parse.c) are pure and exported for tests.
 */
#ifndef RG_LINT_SENDMAIL_H
#define RG_LINT_SENDMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "lint.h"

#define RG_LINT_SENDMAIL_CF	"/etc/mail/sendmail.cf"

/* Read the .cf and record findings; 0, or RG_LINT_UNREADABLE after printing why. */
int	rg_lint_sendmail(const struct rg_lint_site *, const char *cf, struct rg_lint *);

/* An X line: Xname, S=socket, F=flags, T=timeouts. */
struct rg_sm_filter {
	char name[128];
	char socket[512];
	char flags[64];
	char timeouts[256];
	int line;
};

/* Parse an X line (with the X); false when it is not one. */
bool	rg_sm_parse_filter(const char *line, struct rg_sm_filter *f_r);

/* A DaemonPortOptions value, keyed by first letter as Sendmail does. */
struct rg_sm_daemon {
	char name[128];
	char family[32];
	char addr[256];
	char port[64];
	char modifiers[64];
	bool has_filters;	/* an InputMailFilters= (I=) of its own */
	char filters[512];
	int line;
};

bool	rg_sm_parse_daemon(const char *value, struct rg_sm_daemon *d_r);

/*
 * The timeout for 'key' ('S', 'R', 'E', 'C') in a T= value such as
 * "C:10s;S:20s;R:20s;E:5m"; 'dflt' when it is not set; false when malformed.
 */
bool	rg_sm_timeout(const char *t, char key, double dflt, double *sec_r);

/* Is filter 'name' in a list separated by commas, semicolons or spaces? */
bool	rg_sm_listed(const char *list, const char *name);

#endif
