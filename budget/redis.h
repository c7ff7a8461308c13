/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis.h - the Redis budget store: one budget per login, shared by every
 * gateway that names the same Redis server.
 *
 * Promises:
 *  - one admit is one round trip, or none when the login's lease
 *    (budgets.redis.lease, budget/redis_lease.h) admits it: a Lua script (EVALSHA, EVAL when the
 *    server has forgotten it) reads both buckets of every count, decides
 *    with the arithmetic of policy/budget.h and, only when under every
 *    limit, charges (setting the expiry of a key the charge makes), all
 *    in one atomic step on the server.  Two gateways can never both let a login past a limit;
 *  - the window is cut on the Redis server's clock (TIME), so gateways
 *    whose clocks disagree still share one set of buckets;
 *  - keys are KEY_PREFIX "{" LOGIN "}" ":" KIND ":" BUCKET, KIND one of
 *    m (messages), r (recipients), d (domains, a HyperLogLog), BUCKET
 *    floor(time / window).  In LOGIN every byte outside [A-Za-z0-9._@+-]
 *    becomes %XX, so no login can name another login's keys, and the
 *    braces keep one login's keys in one Redis Cluster slot;
 *  - an admit never takes longer than the settings' timeout: waiting for
 *    a free connection, connecting, AUTH and the script all come out of
 *    that one budget; then it answers RG_BUDGET_ERROR;
 *  - a circuit breaker (common/breaker.h) opens after two failures in a
 *    row; while it is open admit() answers RG_BUDGET_ERROR at once,
 *    without touching the network, and every retry_interval one admit
 *    probes.  "redis=down uri=URI why=WHY" is logged at warning when it
 *    opens and "redis=up uri=URI" at notice when a probe succeeds;
 *  - the password is sent with AUTH and is never logged or put in 'why';
 *  - relayguard -S shows the server (common/stats.h, rg_stats_redis_get):
 *    its breaker state, the admits that failed (a connection not free in
 *    time included), and the time of every admit that borrowed a
 *    connection, from the admit's start, pool wait included.
 *
 * Constructing a store checks the settings only; it does not connect, so
 * a daemon starts (and counts locally) while Redis is away.
 *
 * Thread-safety: admit() may be called from any thread at once.  No lock
 * is held across a network call: each admit borrows its own connection
 * from a pool of pool_size.
 */
#ifndef RG_BUDGET_REDIS_H
#define RG_BUDGET_REDIS_H

#include <stdbool.h>
#include <stddef.h>

#include "budget/store.h"

/* Defaults for settings left at zero. */
#define RG_BUDGET_REDIS_TIMEOUT		0.2
#define RG_BUDGET_REDIS_POOL_SIZE	4
#define RG_BUDGET_REDIS_RETRY_INTERVAL	5.0
/* Consecutive failures that open the breaker, as for an LDAP URI. */
#define RG_BUDGET_REDIS_THRESHOLD	2
/* Keys live this much longer than the two windows they are read for. */
#define RG_BUDGET_REDIS_TTL_SLACK	60

/*
 * A store for 'set', or NULL with a message in 'err' (no file:line: the
 * caller adds it).  The uri is "unix:/absolute/path" or "tcp:HOST:PORT"
 * (HOST an address or name, an IPv6 address in brackets); anything else
 * is refused.  The settings are copied.
 */
struct rg_budget_store *rg_budget_redis_new(const struct rg_budget_redis_settings *set,
	    char *err, size_t errlen);

/*
 * Cut the window on the caller's request->now instead of the server's
 * TIME.  For tests, which need a clock they can move.
 */
void	rg_budget_redis_client_clock(struct rg_budget_store *, bool on);

/*
 * For relayguard -n -v: connect, AUTH when a password is set and SCRIPT
 * LOAD, within the timeout, on a connection of its own that is closed
 * after (the pool and the breaker are left alone).  True with what
 * answered in msg, or false with the reason; never the password.
 */
bool	rg_budget_redis_probe(struct rg_budget_store *, char *msg, size_t msglen);

/*
 * LOGIN as it appears in keys (see above) into out; false when out is
 * too small.  Exposed so tests can look at the keys.
 */
bool	rg_budget_redis_key_login(const char *login, char *out, size_t outlen);

#endif
