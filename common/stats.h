/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * stats.h - the daemon's live counters, for "relayguard -S".
 *
 * Every layer counts what it sees through these calls: the milter its
 * connections and decisions, the directory its lookups, the cache its
 * hits, the LDAP pool each URI's state and search latency, the budgets
 * their answers and the Redis store its state and latency, the daemon
 * its reloads.  The control socket renders them as text or in the
 * Prometheus exposition format.
 *
 * Promises:
 *  - a counting call is a relaxed atomic increment: no lock, no
 *    allocation, no string compare on the RCPT path (a reason tag is
 *    found by its pointer in a small table, compared by string only the
 *    first time a pointer is seen);
 *  - counters only grow, across reloads, for the life of the process;
 *  - latency histograms have fixed buckets (RG_STATS_BUCKETS).
 *
 * Thread-safety: every function may be called from any thread.  The
 * LDAP URI registry and the policy-in-force record take a mutex, held
 * only when a pool is built or freed, on reload, and while rendering.
 */
#ifndef RG_STATS_H
#define RG_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* SMTP stages, as the decision lines name them. */
enum rg_stats_stage {
	RG_STATS_CONNECT,
	RG_STATS_HELO,
	RG_STATS_MAIL,
	RG_STATS_RCPT,
	RG_STATS_DATA,
	RG_STATS_NSTAGES
};

/* Decision actions, in the order of enum rg_logged (a unit test holds them together). */
#define RG_STATS_NACTIONS	5
const char *rg_stats_action_name(int action);

enum rg_stats_backend {
	RG_STATS_FILE,
	RG_STATS_LDAP,
	RG_STATS_NBACKENDS
};

enum rg_stats_answer {
	RG_STATS_FOUND,
	RG_STATS_NOTFOUND,
	RG_STATS_ERROR,
	RG_STATS_STALE,		/* an error covered by a stale cached answer */
	RG_STATS_NANSWERS
};

enum rg_stats_cache_event {
	RG_STATS_CACHE_HIT,	/* a fresh entry answered */
	RG_STATS_CACHE_MISS,	/* the directory was asked (absent or stale entry) */
	RG_STATS_CACHE_EVICT,	/* dropped to make room (LRU) */
	RG_STATS_CACHE_EXPIRE,	/* dropped because it outlived its TTL */
	RG_STATS_NCACHE
};

enum rg_stats_uri_state {
	RG_STATS_UP,
	RG_STATS_DOWN,
	RG_STATS_PROBING,	/* down, and one lookup is testing it */
};

/* Upper bounds of the latency buckets, in seconds; a last bucket is +Inf. */
#define RG_STATS_BUCKETS	{ 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5 }
#define RG_STATS_NBUCKETS	11

/* LDAP URIs tracked at once; a URI beyond this is simply not counted. */
#define RG_STATS_URIS_MAX	64

/* A stable reason tag not in the table is counted as this. */
#define RG_STATS_OTHER_REASON	"other"

void	rg_stats_connection_open(void);
void	rg_stats_connection_close(void);
/* A connection tempfailed at CONNECT beyond limits.connections. */
void	rg_stats_limit_refused(void);

/* One decision: 'action' is an enum rg_logged, 'reason' its stable tag. */
void	rg_stats_decision(enum rg_stats_stage, int action, const char *reason);

void	rg_stats_lookup(enum rg_stats_backend, enum rg_stats_answer);
void	rg_stats_cache(enum rg_stats_cache_event);

/*
 * One LDAP URI's counters.  rg_stats_uri_get() registers 'uri' (or finds
 * it again: the counters of a URI survive a reload) and takes a
 * reference; NULL when the registry is full, and every rg_stats_uri_*
 * call takes NULL as a no-op.  A URI no pool holds is not shown.
 */
struct rg_stats_uri;
struct rg_stats_uri *rg_stats_uri_get(const char *uri);
/* Drop the reference and clear the pointer; NULL is fine. */
void	rg_stats_uri_put(struct rg_stats_uri **);
void	rg_stats_uri_state(struct rg_stats_uri *, enum rg_stats_uri_state);
void	rg_stats_uri_failure(struct rg_stats_uri *);
void	rg_stats_uri_latency(struct rg_stats_uri *, double seconds);

/*
 * Sending budgets (budget/): what each admit answered, and what the
 * local store did.  OVER is counted whatever budgets.mode makes of it
 * (a refusal, or would-tempfail in monitor mode).
 */
enum rg_stats_budget_event {
	RG_STATS_BUDGET_ADMITTED,	/* counted, or let through uncounted */
	RG_STATS_BUDGET_OVER_MESSAGES,
	RG_STATS_BUDGET_OVER_RECIPIENTS,
	RG_STATS_BUDGET_OVER_DOMAINS,
	RG_STATS_BUDGET_FALLBACK_LOCAL,	/* the primary store could not tell: counted locally */
	RG_STATS_BUDGET_FALLBACK_NONE,	/* ... and on_error = "off": not counted */
	RG_STATS_BUDGET_LOCAL_EVICT,	/* a full local store dropped a login */
	RG_STATS_BUDGET_LEASED,		/* admitted from a Redis lease, no round trip */
	RG_STATS_NBUDGET
};
void	rg_stats_budget(enum rg_stats_budget_event);

/*
 * The budgets of the policy in force, as the control socket finds them
 * when it answers: mode ("off", "monitor", "enforce"), store ("local",
 * "redis"; NULL with mode off) and the logins its local store holds.
 * Copied.
 */
void	rg_stats_budgets_in_force(const char *mode, const char *store, size_t local_logins);

/*
 * The Redis budget store's server, counted like an LDAP URI (state,
 * failures, latency in the same buckets) and shown apart from them.  A
 * registry of RG_STATS_REDIS_MAX; rg_stats_uri_put() drops it.
 */
#define RG_STATS_REDIS_MAX	8
struct rg_stats_uri *rg_stats_redis_get(const char *uri);

/* A reload was accepted or refused. */
void	rg_stats_reload(bool accepted);
/* The policy now in force: its file, installed at 'when' (wall clock). */
void	rg_stats_policy(const char *path, time_t when);

enum rg_stats_format {
	RG_STATS_TEXT,
	RG_STATS_PROMETHEUS,
};

/*
 * Everything, rendered: a malloc'd NUL-terminated string (length in
 * *len_r when not NULL), or NULL when out of memory.
 */
char	*rg_stats_render(enum rg_stats_format, size_t *len_r);

/* The reason table's entry for 'reason' (for tests): its index, or -1. */
int	rg_stats_reason_index(const char *reason);

#endif
