/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_script.h - a directory backend for tests only: it answers from a
 * script, so every directory outcome (found with a kind, not found,
 * could not tell, a stale answer served during an outage) can be
 * replayed without a server.  Postfix tests its retry path the same way,
 * with a fail: table.  Built only with ./configure --enable-test-backends;
 * relayguard -n refuses directory.backend = "script" in any other build.
 *
 * The script, one question per line ('#' starts a comment):
 *
 *	recipient ADDRESS ANSWER
 *	owns LOGIN ADDRESS ANSWER
 *	suspended LOGIN ANSWER
 *
 * ADDRESS and LOGIN match case-insensitively; "*" matches anything.  The
 * first matching line answers; a question no line matches is not found.
 * ANSWER is one of
 *
 *	found KIND	(recipient; KIND is mailbox, forward or list)
 *	found		(owns; suspended: the login is suspended)
 *	notfound
 *	error [WHY...]	could not tell; WHY becomes the lookup_error
 *	stale KIND	(recipient) / stale (owns): found, but from the cache
 *			while the server could not answer
 *
 * With a "suspended" line the directory marks suspended logins, as LDAP
 * with login_suspended_attribute does: an owns answer then carries the
 * login's suspension, and a suspension it cannot tell makes that owns
 * answer an error too (LDAP reads both in one search).
 *
 * Thread-safety: read-only once built, like the file directory.
 */
#ifndef RG_DIR_SCRIPT_H
#define RG_DIR_SCRIPT_H

#include "directory/dir.h"

/* Called once per bad line; 'line' counts from 1. */
typedef void (*rg_dir_script_error_fn)(void *arg, int line, const char *msg);

/*
 * Build the directory from the script's text ('source', the file name,
 * names it in answers and logs).  Every bad line goes to 'error', and
 * then the result is NULL.  conf/ reads the file; unit tests pass text.
 */
struct rg_dir *rg_dir_script_from_text(const char *source, const char *text,
	    rg_dir_script_error_fn error, void *arg);

#endif
