/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * postfix.h - lint Postfix's milter wiring from postconf(1)'s output.
 *
 * rg_lint_postfix() runs "postconf -c DIR" with -n, -x NAME..., -M and
 * -P -x (no shell, a deadline, bounded output), works out for every
 * service that accepts mail from outside which settings it runs with
 * (a master.cf -o override, else main.cf, else Postfix's default), and
 * records findings.  The parsers below are pure and exported for tests.
 */
#ifndef RG_LINT_POSTFIX_H
#define RG_LINT_POSTFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "lint.h"

#define RG_LINT_POSTFIX_DIR	"/etc/postfix"
#define RG_PF_MAXMILTERS	32
#define RG_PF_MAXOPTS		64

/* Read DIR and record findings; 0, or RG_LINT_UNREADABLE after printing why. */
int	rg_lint_postfix(const struct rg_lint_site *, const char *dir, struct rg_lint *);

/* One smtpd_milters element: "name" or "{ name, attr=value, ... }". */
struct rg_pf_milter {
	char name[512];
	char default_action[32];	/* "" when the element does not set it */
	char command_timeout[32];
	char protocol[32];
};

/* Split an smtpd_milters value; false (err set) on bad braces or too many. */
bool	rg_pf_parse_milters(const char *value, struct rg_pf_milter *m, int max, int *n_r,
	    char *err, size_t errlen);

/* One master.cf service from a postconf -M line. */
struct rg_pf_service {
	char name[256];		/* "smtp", "submission", "127.0.0.1:10025" */
	char type[32];		/* "inet", "unix", "pass", ... */
	char chroot;		/* 'y', 'n' or '-' as written */
	char command[128];	/* "smtpd", "postscreen", ... */
	int nopts;		/* -o NAME=VALUE from postconf -P, value expanded */
	char *optname[RG_PF_MAXOPTS];
	char *optval[RG_PF_MAXOPTS];
};

/* Parse "name type private unpriv chroot wakeup maxproc command ..."; false if short. */
bool	rg_pf_parse_service(const char *line, struct rg_pf_service *svc_r);

/* A Postfix time value ("30s", "2m", "10"); false when malformed. */
bool	rg_pf_time(const char *v, double *sec_r);

/*
 * Would this restriction list refuse an unauthorised relay on its own?
 * True when reject_unauth_destination, defer_unauth_destination, reject
 * or defer comes before any unconditional permit.
 */
bool	rg_pf_relay_restricted(const char *list);

/* Is macro 'name' ("{auth_authen}", "i") in a milter_*_macros list? */
bool	rg_pf_has_macro(const char *list, const char *name);

#endif
