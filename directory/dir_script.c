/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_script.c - the scripted test directory (see dir_script.h).
 *
 * Lines are kept in file order and searched front to back: scripts are a
 * few dozen lines, and "first match wins" lets a script put exceptions
 * before a "*" default, which a hash could not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "directory/dir_script.h"

/* Longest script line; a longer one is an error, not two lines. */
#define LINE_MAX_BYTES	1024

enum question { Q_RECIPIENT, Q_OWNS, Q_SUSPENDED };

struct row {
	enum question q;
	char *login;		/* Q_OWNS, Q_SUSPENDED */
	char *addr;		/* Q_RECIPIENT, Q_OWNS */
	enum rg_lookup status;
	enum rg_rcpt_kind kind;
	bool stale;
	char *why;		/* RG_LOOKUP_ERROR: the reason given, or a default */
};

struct script_dir {
	struct rg_dir dir;
	char *source;
	struct row *rows;
	size_t nrows;
	bool suspends;		/* a "suspended" line: logins may be suspended */
};

static bool
matches(const char *pattern, const char *value)
{
	return strcmp(pattern, "*") == 0 || rg_strieq(pattern, value);
}

static void
answer(const struct script_dir *sd, const struct row *r, struct rg_dir_answer *a)
{
	rg_strcpy(a->source, sizeof(a->source), sd->source);
	a->why[0] = '\0';
	if (r == NULL) {
		a->status = RG_LOOKUP_NOTFOUND;
		return;
	}
	a->status = r->status;
	a->kind = r->kind;
	a->stale = r->stale;
	if (r->status == RG_LOOKUP_ERROR)
		rg_strcpy(a->why, sizeof(a->why), r->why);
	else if (r->stale)
		/* What the cache covered for, as the LDAP backend says it. */
		rg_strcpy(a->why, sizeof(a->why), r->why != NULL ? r->why :
		    "script: served stale");
}

static void
script_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	const struct script_dir *sd = d->backend;
	const struct row *hit = NULL;

	for (size_t i = 0; i < sd->nrows && hit == NULL; i++)
		if (sd->rows[i].q == Q_RECIPIENT && matches(sd->rows[i].addr, addr))
			hit = &sd->rows[i];
	answer(sd, hit, a);
}

static const struct row *
suspended_row(const struct script_dir *sd, const char *login)
{
	for (size_t i = 0; i < sd->nrows; i++)
		if (sd->rows[i].q == Q_SUSPENDED && matches(sd->rows[i].login, login))
			return &sd->rows[i];
	return NULL;
}

static void
script_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	const struct script_dir *sd = d->backend;
	const struct row *hit = NULL, *sus;

	for (size_t i = 0; i < sd->nrows && hit == NULL; i++)
		if (sd->rows[i].q == Q_OWNS && matches(sd->rows[i].login, login) &&
		    matches(sd->rows[i].addr, addr))
			hit = &sd->rows[i];
	answer(sd, hit, a);
	/*
	 * As LDAP reads the suspension in the ownership search, so here: a
	 * suspension the script cannot tell makes the whole answer an error.
	 */
	if (!sd->suspends || a->status == RG_LOOKUP_ERROR || (sus = suspended_row(sd, login)) == NULL)
		return;
	if (sus->status == RG_LOOKUP_ERROR) {
		answer(sd, sus, a);
		return;
	}
	a->suspended = sus->status == RG_LOOKUP_FOUND;
}

static void
script_login_suspended(struct rg_dir *d, const char *login, struct rg_dir_answer *a)
{
	const struct script_dir *sd = d->backend;

	answer(sd, suspended_row(sd, login), a);
}

static void
script_destroy(struct rg_dir *d)
{
	struct script_dir *sd = d->backend;

	for (size_t i = 0; i < sd->nrows; i++) {
		free(sd->rows[i].login);
		free(sd->rows[i].addr);
		free(sd->rows[i].why);
	}
	free(sd->rows);
	free(sd->source);
	free(sd);
}

static const struct rg_dir_ops script_ops = {
	.name = "script",
	/* A stand-in for the file directory in tests: its counters are those. */
	.stats = RG_STATS_FILE,
	.recipient = script_recipient,
	.login_owns = script_login_owns,
	.destroy = script_destroy,
};

/* With a "suspended" line the directory marks suspended logins (rg_dir_suspends). */
static const struct rg_dir_ops script_ops_suspends = {
	.name = "script",
	.stats = RG_STATS_FILE,
	.recipient = script_recipient,
	.login_owns = script_login_owns,
	.destroy = script_destroy,
	.login_suspended = script_login_suspended,
};

static bool
kind_of(const char *w, enum rg_rcpt_kind *k)
{
	static const struct { const char *name; enum rg_rcpt_kind kind; } kinds[] = {
		{ "mailbox", RG_KIND_MAILBOX }, { "forward", RG_KIND_FORWARD },
		{ "list", RG_KIND_LIST },
	};

	for (size_t i = 0; w != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(w, kinds[i].name) == 0) {
			*k = kinds[i].kind;
			return true;
		}
	return false;
}

/* Parse the answer words w[0..n); false with a reason in msg. */
static bool
parse_answer(struct row *r, char **w, int n, char *msg, size_t msglen)
{
	bool recipient = r->q == Q_RECIPIENT;
	const char *kinds = recipient ? " KIND (mailbox, forward or list)" : "";

	if (r->q == Q_SUSPENDED && n > 0 && strcmp(w[0], "stale") == 0) {
		snprintf(msg, msglen, "\"suspended\" takes found, notfound or error");
		return false;
	}
	if (n == 0) {
		snprintf(msg, msglen, "no answer: want found, notfound, error or stale");
		return false;
	}
	if (strcmp(w[0], "found") == 0 || strcmp(w[0], "stale") == 0) {
		r->status = RG_LOOKUP_FOUND;
		r->stale = w[0][0] == 's';
		if (recipient ? (n != 2 || !kind_of(w[1], &r->kind)) : n != 1) {
			snprintf(msg, msglen, "\"%s\" takes%s%s", w[0], kinds,
			    recipient ? "" : " nothing more");
			return false;
		}
		return true;
	}
	if (strcmp(w[0], "notfound") == 0) {
		r->status = RG_LOOKUP_NOTFOUND;
		if (n != 1) {
			snprintf(msg, msglen, "\"notfound\" takes nothing more (a not-found "
			    "answer is never stale)");
			return false;
		}
		return true;
	}
	if (strcmp(w[0], "error") == 0) {
		char why[128] = "";
		size_t used = 0;

		r->status = RG_LOOKUP_ERROR;
		for (int i = 1; i < n; i++) {
			int k = snprintf(why + used, sizeof(why) - used, "%s%s", i > 1 ? " " : "",
			    w[i]);
			if (k < 0 || (size_t)k >= sizeof(why) - used) {
				snprintf(msg, msglen, "the reason is longer than %zu bytes",
				    sizeof(why) - 1);
				return false;
			}
			used += (size_t)k;
		}
		r->why = rg_xstrdup(used > 0 ? why : "script: could not tell");
		return true;
	}
	snprintf(msg, msglen, "unknown answer \"%s\": want found, notfound, error or stale",
	    w[0]);
	return false;
}

/* One line, split at blanks; false with a reason in msg.  Blank lines are fine. */
static bool
parse_line(struct script_dir *sd, char *line, char *msg, size_t msglen)
{
	char *w[40];
	int n = 0, first;
	struct row r = { .q = Q_RECIPIENT };
	char *save = NULL;

	if (strchr(line, '#') != NULL)
		*strchr(line, '#') = '\0';
	for (char *t = strtok_r(line, " \t\r", &save); t != NULL; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == (int)(sizeof(w) / sizeof(w[0]))) {
			snprintf(msg, msglen, "more than %d words", n);
			return false;
		}
		w[n++] = t;
	}
	if (n == 0)
		return true;
	if (strcmp(w[0], "recipient") == 0) {
		first = 2;
	} else if (strcmp(w[0], "owns") == 0) {
		r.q = Q_OWNS;
		first = 3;
	} else if (strcmp(w[0], "suspended") == 0) {
		r.q = Q_SUSPENDED;
		first = 2;
	} else {
		snprintf(msg, msglen, "unknown question \"%s\": want recipient, owns or "
		    "suspended", w[0]);
		return false;
	}
	if (n < first) {
		snprintf(msg, msglen, "\"%s\" wants %s", w[0], r.q == Q_OWNS ?
		    "LOGIN ADDRESS ANSWER" : r.q == Q_SUSPENDED ? "LOGIN ANSWER" :
		    "ADDRESS ANSWER");
		return false;
	}
	if (!parse_answer(&r, w + first, n - first, msg, msglen)) {
		free(r.why);
		return false;
	}
	r.addr = r.q != Q_SUSPENDED ? rg_xstrdup(w[first - 1]) : NULL;
	r.login = r.q != Q_RECIPIENT ? rg_xstrdup(w[1]) : NULL;
	sd->suspends = sd->suspends || r.q == Q_SUSPENDED;
	sd->rows = realloc(sd->rows, (sd->nrows + 1) * sizeof(*sd->rows));
	if (sd->rows == NULL)
		abort();
	sd->rows[sd->nrows++] = r;
	return true;
}

struct rg_dir *
rg_dir_script_from_text(const char *source, const char *text, rg_dir_script_error_fn error,
    void *arg)
{
	struct script_dir *sd = rg_xcalloc(1, sizeof(*sd));
	struct rg_dir *d = &sd->dir;
	int lineno = 0, bad = 0;

	sd->dir.ops = &script_ops;
	sd->dir.backend = sd;
	sd->source = rg_xstrdup(source);
	while (*text != '\0') {
		const char *end = strchr(text, '\n');
		size_t len = end != NULL ? (size_t)(end - text) : strlen(text);
		char line[LINE_MAX_BYTES + 1], msg[256];

		lineno++;
		if (len > LINE_MAX_BYTES) {
			error(arg, lineno, "line longer than 1024 bytes");
			bad++;
		} else {
			memcpy(line, text, len);
			line[len] = '\0';
			if (!parse_line(sd, line, msg, sizeof(msg))) {
				error(arg, lineno, msg);
				bad++;
			}
		}
		text += len + (end != NULL);
	}
	if (sd->suspends)
		sd->dir.ops = &script_ops_suspends;
	if (bad > 0)
		rg_dir_destroy(&d);
	return d;
}
