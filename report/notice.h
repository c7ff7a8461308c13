/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * notice.h - relayguard -R --notices DIR: one plain-text notice per
 * legacy exception still in use, for the admin to review and send.
 *
 * relayguard never sends mail.  A notice is a template (the built-in
 * one, or --template FILE) with {{name}} placeholders filled in once,
 * left to right; a value is never read as a template again.  Every
 * value is made safe before it goes in: CR, LF, every other control
 * byte and every byte that is not UTF-8 becomes "?", so that nothing
 * read from a log can start a header or a line.  The To: address must
 * be a plain local@domain (no spaces, commas, quotes or angle brackets)
 * or the notice is not written (an owner's address that is not falls
 * back to the sender).  Files are named after the sender the notice is
 * about, so two senders of one owner get two files.  Single-threaded.
 */
#ifndef RG_REPORT_NOTICE_H
#define RG_REPORT_NOTICE_H

#include <stdio.h>

#include "tally.h"

/*
 * Whom a notice goes to.  Its sender, unless the directory maps the
 * sender to a login with another address (TO_OWNER); a lookup that
 * could not tell must not lose the notice: TO_FALLBACK, to the sender,
 * with the reason in 'why'.  report/ may not ask the directory itself
 * (tests/layering.py): milter/ passes the resolver in.
 */
enum rg_notice_to_kind {
	RG_NOTICE_TO_SENDER,	/* no owner, or the owner's address is the sender */
	RG_NOTICE_TO_OWNER,	/* 'to' is the owning login's address */
	RG_NOTICE_TO_FALLBACK,	/* the directory could not tell: to the sender */
};

struct rg_notice_to {
	enum rg_notice_to_kind kind;
	char to[256];		/* TO_OWNER: the owning login's address */
	char login[256];	/* TO_OWNER: the login */
	char why[320];		/* TO_FALLBACK: what went wrong (a lookup's why and source) */
};

/* Fill *r for an exception's 'sender' (a plain local@domain); r arrives zeroed. */
typedef void rg_notice_to_fn(void *arg, const char *sender, struct rg_notice_to *r);

struct rg_notice_opts {
	const char *dir;		/* where the files go; must exist */
	const char *template_path;	/* NULL: the built-in template */
	const char *contact, *help_url, *server;	/* migration.*; NULL unset */
	time_t ref;			/* the report's reference day */
	rg_notice_to_fn *resolve;	/* NULL: every notice to its sender */
	void *resolve_arg;
};

/* The built-in template, for --print-template. */
extern const char rg_notice_default_template[];

/*
 * Write the notices; names them on 'out' and problems on stderr.
 * Returns a sysexits status: 0, EX_DATAERR (unknown placeholder),
 * EX_NOINPUT (template unreadable) or EX_CANTCREAT.
 */
int	rg_notices_write(const struct rg_tally *, const struct rg_notice_opts *, FILE *out);

/* True when s is a plain address a notice may be addressed To:. */
bool	rg_notice_addr_ok(const char *s);

/* Copy s into out (outlen > 0) with every unsafe byte as "?"; see above. */
void	rg_notice_safe(const char *s, char *out, size_t outlen);

#endif
