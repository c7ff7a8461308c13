/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * lint.h - relayguard -L: findings about the MTA's milter wiring.
 *
 * The linter reads the MTA's configuration (Postfix through postconf(1),
 * Sendmail from its .cf file) and checks that relayguard is reached,
 * fails closed, gets the macros it reads and answers in time.  Each
 * finding is one line,
 *
 *     SEVERITY: WHERE: what is wrong; fix: what to change
 *
 * with SEVERITY "error" (mail can be relayed or lost), "warning" (the
 * policy is weakened) or "note".  A finding identical to one already
 * recorded is dropped, so a main.cf setting that every service inherits
 * is reported once.  Values taken from the MTA are escaped when printed.
 *
 * This layer never talks to libmilter; it is single-threaded.
 */
#ifndef RG_LINT_H
#define RG_LINT_H

#include <stdbool.h>
#include <stdio.h>
#include <sysexits.h>

/* Exit statuses of relayguard -L (sysexits.h for the unreadable case). */
#define RG_LINT_CLEAN		0
#define RG_LINT_WARNINGS	1
#define RG_LINT_ERRORS		2
#define RG_LINT_UNREADABLE	EX_CONFIG

/* Longest line accepted from postconf or a .cf file, continuations joined. */
#define RG_LINT_MAXLINE		16384

enum rg_lint_sev {
	RG_LINT_NOTE,
	RG_LINT_WARNING,
	RG_LINT_ERROR,
};

/* What relayguard itself is configured to be, from policy.conf (and -p). */
struct rg_lint_site {
	char socket[512];	/* libmilter socket spec relayguard listens on */
	double budget;		/* seconds one directory lookup may take; 0: local file */
	bool require_tls;	/* auth.require_tls */
};

struct rg_lint;

struct rg_lint *rg_lint_new(void);
void	rg_lint_destroy(struct rg_lint **);

/*
 * Record a finding.  'fmt' gives "what is wrong; fix: what to change".
 * Control characters and bytes outside ASCII in the result are escaped.
 */
void	rg_lint_add(struct rg_lint *, enum rg_lint_sev, const char *where,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Print every finding in the order found; return the exit status they give. */
int	rg_lint_report(const struct rg_lint *, FILE *);

/* How many findings there are (for tests). */
int	rg_lint_count(const struct rg_lint *);
/* The n-th finding as printed, without the newline; NULL past the end. */
const char *rg_lint_line(const struct rg_lint *, int n);

/*
 * Fill 'site' from policy.conf at 'path' (every error is printed to
 * stderr as FILE:LINE: message); 'socket' overrides its socket when
 * not NULL.  False when the file is not valid.
 */
bool	rg_lint_site_load(const char *path, const char *socket, struct rg_lint_site *site_r);

/*
 * relayguard -L MTA: 'mta' is "postfix" or "sendmail", 'where' the
 * Postfix config directory or the sendmail.cf file (NULL: the default).
 * Prints the findings to stdout and returns the exit status.
 */
int	rg_lint_main(const char *mta, const char *policy_path, const char *socket,
	    const char *where);

#endif
