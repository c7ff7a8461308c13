/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_open.h - opening one LDAP connection (connect, StartTLS, simple
 * bind) within a time budget, and the "ldap=STATE" log lines.  Internal
 * to directory/dir_ldap*.c: the pool (dir_ldap_pool.c) decides which URI
 * to open and when; this knows how.
 *
 * The bind password lives in an rg_ldap_opener and nowhere else: it is
 * never logged, never put in a reason, and wiped when the opener is.
 *
 * Thread-safety: an opener is written once, then read by every thread;
 * rg_ldap_open() may run in several threads at once.
 */
#ifndef RG_DIR_LDAP_OPEN_H
#define RG_DIR_LDAP_OPEN_H

#include <stdbool.h>
#include <stddef.h>

#include <ldap.h>

#include "common/log.h"
#include "directory/dir_ldap.h"

/* What every connection of one backend is opened with. */
struct rg_ldap_opener {
	enum rg_ldap_starttls starttls;
	char *ca_file;		/* NULL: the system's CAs */
	char *bind_dn;		/* NULL: anonymous */
	char *password;		/* the secret; "" when anonymous */
};

/* Copy the settings' TLS and bind part; false when out of memory. */
bool	rg_ldap_opener_init(struct rg_ldap_opener *, const struct rg_ldap_settings *);
/* Wipe the password and free everything; safe on a half-filled opener. */
void	rg_ldap_opener_clear(struct rg_ldap_opener *);

/*
 * Open, secure and bind one connection to 'uri' within 'budget' seconds.
 * 'starttls': StartTLS applies to this URI (ldap://, starttls not off);
 * 'tls': TLS is used at all, so certificates are verified.  With
 * starttls = "try", a failed StartTLS falls back to a new plain
 * connection (logged as ldap=notls).  NULL with a reason in 'why'.
 */
LDAP	*rg_ldap_open(const struct rg_ldap_opener *, const char *uri, bool starttls, bool tls,
	    double budget, char *why, size_t whylen);

/* "ldap=STATE uri=URI [result=RESULT] [why=WHY]", escaped like every log value. */
void	rg_ldap_log(enum rg_log_level, const char *state, const char *uri, const char *why,
	    const char *result);

#endif
