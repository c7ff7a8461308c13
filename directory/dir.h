/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir.h - the directory interface: who exists, and which addresses a login owns.
 *
 * Every backend (file, ldap) answers each question three ways: found,
 * not found, or could not tell (RG_LOOKUP_ERROR, common/answer.h, the
 * same words the policy engine decides on).  Callers must never fold
 * an error into either of the other two: an error read as "not found"
 * bounces mail for a real user, and read as "found" opens a relay.
 *
 * A directory handle is created once per configuration snapshot and is
 * shared by every milter thread; all lookup functions are thread-safe.
 * Backends must not hold a lock across a blocking network call.
 */
#ifndef RG_DIR_H
#define RG_DIR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/answer.h"
#include "common/stats.h"

/* The room for rg_dir_answer.target: two full addresses and a separator. */
#define RG_DIR_TARGET_MAX	520

/*
 * One lookup's answer.  'source' names what answered or what failed
 * (a file name, an LDAP URI); 'why' is a short human reason on error.
 * 'stale' is set when the answer came from cache during an outage.
 * Both strings are safe to log but still go through rg_log escaping.
 */
struct rg_dir_answer {
	enum rg_lookup status;
	enum rg_rcpt_kind kind;		/* valid when status == RG_LOOKUP_FOUND */
	bool stale;
	/* With 'stale': seconds since the directory gave it; < 0 not known. */
	double age;
	char source[128];
	char why[128];
	/*
	 * A found forward's target(s), comma-separated, when the backend
	 * read them (never from the cache); "" otherwise.  For relayguard
	 * -q: the daemon does not need it.  Longer lists end in "...".
	 */
	char target[RG_DIR_TARGET_MAX];
	/*
	 * login_owns() of a backend that marks suspended logins (see
	 * rg_dir_suspends()): the login's entry says it is suspended.  Read
	 * in the same lookup, so MAIL still makes one; valid unless ERROR.
	 */
	bool suspended;
};

struct rg_dir;

/* Backend operations; a backend fills one of these in its constructor. */
struct rg_dir_ops {
	const char *name;	/* "file", "ldap": read by dir.c's trace line and messages */
	enum rg_stats_backend stats;	/* which lookup counters it feeds */
	/* 'addr' is the normalised recipient: local@domain, domain lower-cased. */
	void (*recipient)(struct rg_dir *, const char *addr, struct rg_dir_answer *);
	/* Does 'login' own sender address 'addr'?  FOUND means yes. */
	void (*login_owns)(struct rg_dir *, const char *login, const char *addr,
	    struct rg_dir_answer *);
	/* Optional: try to reach the backend now (relayguard -n -v). */
	bool (*probe)(struct rg_dir *, char *err, size_t errlen);
	void (*destroy)(struct rg_dir *);
	/* Optional: call 'each' for every address 'login' owns (relayguard -q login=). */
	void (*login_addresses)(struct rg_dir *, const char *login,
	    void (*each)(void *arg, const char *addr), void *arg, struct rg_dir_answer *);
	/*
	 * Optional: is 'login' suspended?  FOUND means suspended.  NULL when
	 * the backend (as configured) marks no login suspended.
	 */
	void (*login_suspended)(struct rg_dir *, const char *login, struct rg_dir_answer *);
	/*
	 * Optional: the login that owns sender address 'addr' (the inverse
	 * of login_owns), copied into login_r on FOUND.  relayguard -R only.
	 */
	void (*address_login)(struct rg_dir *, const char *addr, char *login_r,
	    size_t loginlen, struct rg_dir_answer *);
};

struct rg_dir {
	const struct rg_dir_ops *ops;
	void *backend;
};

/* Look up a recipient.  Never returns with status undefined. */
void	rg_dir_recipient(struct rg_dir *, const char *addr, struct rg_dir_answer *answer_r);

/* Ask whether a SASL login owns a sender address. */
void	rg_dir_login_owns(struct rg_dir *, const char *login, const char *addr,
	    struct rg_dir_answer *answer_r);

/*
 * Every address a login owns, one call of 'each' per address, never
 * from a cache: FOUND when there was at least one, NOTFOUND, or ERROR
 * (also when the backend cannot list them).  For relayguard -q.
 */
void	rg_dir_login_addresses(struct rg_dir *, const char *login,
	    void (*each)(void *arg, const char *addr), void *arg,
	    struct rg_dir_answer *answer_r);

/*
 * Does this directory mark logins as suspended at all?  When it does,
 * every rg_dir_login_owns() answer carries 'suspended'.
 */
bool	rg_dir_suspends(const struct rg_dir *);

/*
 * Is 'login' suspended?  FOUND: suspended; NOTFOUND: not, or the
 * directory marks no suspension; ERROR: could not tell.  For a MAIL
 * that needs no ownership lookup (null sender, sender_login = "off").
 */
void	rg_dir_login_suspended(struct rg_dir *, const char *login,
	    struct rg_dir_answer *answer_r);

/* Longest login rg_dir_address_login() returns; longer ones are NOTFOUND. */
#define RG_DIR_LOGIN_MAX	256

/*
 * The login owning sender address 'addr' (normalised), never from a
 * cache: FOUND with the login in login_r (at least RG_DIR_LOGIN_MAX
 * bytes), NOTFOUND, or ERROR (also when the backend cannot tell).
 * With several owners, the first in the backend's order.  For the
 * notices of relayguard -R.
 */
void	rg_dir_address_login(struct rg_dir *, const char *addr, char *login_r,
	    size_t loginlen, struct rg_dir_answer *answer_r);

/* Append 'value' to a->target, comma-separated; "..." marks what did not fit. */
void	rg_dir_add_target(struct rg_dir_answer *, const char *value, size_t len);

/* Probe the backend; true when it answered.  Backends without probe say true. */
bool	rg_dir_probe(struct rg_dir *, char *err, size_t errlen);

/* Destroy a directory and clear the pointer; NULL is fine. */
void	rg_dir_destroy(struct rg_dir **);

/* Stable names for logs: "mailbox", "forward", "list". */
const char *rg_dir_kind_name(enum rg_rcpt_kind);

#endif
