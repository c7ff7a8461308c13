/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_pool.h - LDAP connections for the LDAP backend: a fixed pool
 * of handles, per-URI health (a circuit breaker), connect/StartTLS/bind
 * within a deadline.  Internal to directory/dir_ldap*.c.
 *
 * A connection is owned by exactly one lookup between acquire and
 * release.  The pool's mutex guards only slot and health bookkeeping
 * and is never held during network I/O.
 */
#ifndef RG_DIR_LDAP_POOL_H
#define RG_DIR_LDAP_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/clock.h"
#include "dir.h"
#include "dir_ldap.h"

struct ldap;			/* libldap's LDAP, kept out of this header */
struct rg_ldap_pool;
struct rg_ldap_conn;

struct rg_ldap_pool *rg_ldap_pool_new(const struct rg_ldap_settings *, char *err,
	    size_t errlen);
/* All connections must have been released. */
void	rg_ldap_pool_destroy(struct rg_ldap_pool **);

/*
 * Tests only: drive the breaker's interval and the failback to the first
 * URI from 'clock' (NULL: the monotonic clock again).  Deadlines for
 * network I/O stay on the real clock.  Call before the first lookup.
 */
void	rg_ldap_pool_set_clock(struct rg_ldap_pool *, rg_clock_fn clock, void *arg);

/*
 * True when the breaker holds every URI down and none is due for a
 * retry: the answer is "could not tell" without taking a connection, so
 * an outage costs one lock per lookup.  Fills a->source and a->why.
 */
bool	rg_ldap_pool_all_down(struct rg_ldap_pool *, struct rg_dir_answer *a);

/* Take a free connection, waiting at most until 'deadline'; NULL on timeout. */
struct rg_ldap_conn *rg_ldap_pool_acquire(struct rg_ldap_pool *, double deadline);
void	rg_ldap_pool_release(struct rg_ldap_pool *, struct rg_ldap_conn *);

/*
 * Make sure 'c' is connected and bound, trying the URIs in order and
 * skipping those the breaker holds down.  On failure fills a->source
 * and a->why and returns false.
 */
bool	rg_ldap_conn_ready(struct rg_ldap_pool *, struct rg_ldap_conn *, double deadline,
	    struct rg_dir_answer *a);

struct ldap *rg_ldap_conn_ld(struct rg_ldap_conn *);
/* The counters of the URI 'c' is connected to; NULL when closed. */
struct rg_stats_uri *rg_ldap_conn_stats(struct rg_ldap_pool *, struct rg_ldap_conn *);
const char *rg_ldap_conn_uri(struct rg_ldap_pool *, struct rg_ldap_conn *);
/* True when the connection was opened during the current lookup. */
bool	rg_ldap_conn_fresh(struct rg_ldap_conn *);

/*
 * The connection broke or stalled: close it.  'count' charges the
 * failure to its URI's breaker (timeouts, failures on a fresh handle);
 * a pooled handle the server closed while idle is not the server's fault.
 */
void	rg_ldap_conn_fail(struct rg_ldap_pool *, struct rg_ldap_conn *, bool count,
	    const char *why);

/*
 * Connect and bind to every URI now (relayguard -n -v), then read the
 * base entry.  Logs one line per URI; err lists each failure.
 */
bool	rg_ldap_pool_probe(struct rg_ldap_pool *, const char *base, char *err, size_t errlen);

#endif
