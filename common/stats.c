/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * stats.c - relaxed atomic counters, and their two renderings.
 *
 * Counters are plain atomic_ullong incremented with relaxed order: a
 * reader may see one counter a few increments ahead of another, which
 * no dashboard can tell from the time the read took anyway.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "stats.h"

typedef atomic_ullong counter;

static inline void
bump(counter *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static inline unsigned long long
peek(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* The stable reason tags of relayguard(8); the last slot counts the rest. */
static const char *const reasons[] = {
	/* refusals */
	"relay-denied", "auth-without-tls", "legacy-exception-expired",
	"offsite-local-sender", "sender-login-mismatch", "login-suspended", "unknown-recipient",
	"directory-unavailable", "routing-mismatch", "bad-recipient", "bad-sender",
	"transaction-refused", "login-budget",
	/* accepts */
	"trusted", "offsite", "helo", "null-sender", "authenticated", "login",
	"legacy-exception", "local", "forward", "list", "relay-domain", "data",
	RG_STATS_OTHER_REASON,
};
#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))
#define OTHER		(NREASONS - 1)

static const char *const stage_names[RG_STATS_NSTAGES] = {
	"connect", "helo", "mail", "rcpt", "data",
};
static const char *const action_names[RG_STATS_NACTIONS] = {
	"accept", "reject", "tempfail", "would-reject", "would-tempfail",
};
static const char *const backend_names[RG_STATS_NBACKENDS] = { "file", "ldap" };
static const char *const answer_names[RG_STATS_NANSWERS] = {
	"found", "notfound", "error", "stale",
};
static const char *const state_names[] = { "up", "down", "probing" };
static const double bucket_le[RG_STATS_NBUCKETS] = RG_STATS_BUCKETS;

static counter conn_now_in, conn_now_out, conn_total, limit_refused;
static counter decisions[RG_STATS_NSTAGES][RG_STATS_NACTIONS][NREASONS];
static counter lookups[RG_STATS_NBACKENDS][RG_STATS_NANSWERS];
static counter cache_events[RG_STATS_NCACHE];
static counter reloads_ok, reloads_refused;
static counter budget_events[RG_STATS_NBUDGET];

/*
 * Reason tags by pointer: the policy hands out string literals, so a
 * tag is almost always one of a few dozen pointers.  Open addressing;
 * a slot's index is written before its pointer is published.
 */
#define SEEN_SLOTS	64
static _Atomic(const char *) seen_ptr[SEEN_SLOTS];
static unsigned char seen_idx[SEEN_SLOTS];
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

struct rg_stats_uri {
	char *uri;		/* NULL: a free slot */
	int refs;		/* pools holding it; guarded by uri_lock */
	atomic_int state;
	counter failures;
	counter searches;
	counter buckets[RG_STATS_NBUCKETS + 1];
	counter sum_us;
};

/* Two registries of servers, LDAP's and the Redis store's; one lock. */
static pthread_mutex_t uri_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rg_stats_uri uris[RG_STATS_URIS_MAX];
static struct rg_stats_uri redis_uris[RG_STATS_REDIS_MAX];

static pthread_mutex_t policy_lock = PTHREAD_MUTEX_INITIALIZER;
static char *policy_path;
static time_t policy_since, started, last_refused;
/* The budgets in force, as the control socket last found them; under policy_lock. */
static char budget_mode[16] = "off", budget_store[16];
static size_t budget_local_logins;

const char *
rg_stats_action_name(int action)
{
	return action >= 0 && action < RG_STATS_NACTIONS ? action_names[action] : NULL;
}

int
rg_stats_reason_index(const char *reason)
{
	for (size_t i = 0; i < OTHER; i++)
		if (strcmp(reasons[i], reason) == 0)
			return (int)i;
	return -1;
}

static size_t
seen_hash(const char *p)
{
	return (size_t)((((uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ULL) >> 58) % SEEN_SLOTS;
}

static size_t
reason_slot(const char *reason)
{
	size_t h = seen_hash(reason), i;
	int idx;

	if (reason == NULL)
		return OTHER;
	for (i = 0; i < SEEN_SLOTS; i++) {
		size_t s = (h + i) % SEEN_SLOTS;
		const char *p = atomic_load_explicit(&seen_ptr[s], memory_order_acquire);

		if (p == reason)
			return seen_idx[s];
		if (p == NULL)
			break;
	}
	/* First sight of this pointer: once per tag and per copy of the literal. */
	idx = rg_stats_reason_index(reason);
	if (idx < 0)
		idx = (int)OTHER;
	pthread_mutex_lock(&seen_lock);
	for (i = 0; i < SEEN_SLOTS; i++) {
		size_t s = (h + i) % SEEN_SLOTS;
		const char *p = atomic_load_explicit(&seen_ptr[s], memory_order_relaxed);

		if (p == reason)
			break;
		if (p == NULL) {
			seen_idx[s] = (unsigned char)idx;
			atomic_store_explicit(&seen_ptr[s], reason, memory_order_release);
			break;
		}
	}
	pthread_mutex_unlock(&seen_lock);
	return (size_t)idx;
}

void
rg_stats_connection_open(void)
{
	bump(&conn_now_in);
	bump(&conn_total);
}

void
rg_stats_connection_close(void)
{
	bump(&conn_now_out);
}

void
rg_stats_limit_refused(void)
{
	bump(&limit_refused);
}

void
rg_stats_decision(enum rg_stats_stage stage, int action, const char *reason)
{
	if ((unsigned)stage >= RG_STATS_NSTAGES || action < 0 || action >= RG_STATS_NACTIONS)
		return;
	bump(&decisions[stage][action][reason_slot(reason)]);
}

void
rg_stats_lookup(enum rg_stats_backend b, enum rg_stats_answer a)
{
	if ((unsigned)b < RG_STATS_NBACKENDS && (unsigned)a < RG_STATS_NANSWERS)
		bump(&lookups[b][a]);
}

void
rg_stats_cache(enum rg_stats_cache_event e)
{
	if ((unsigned)e < RG_STATS_NCACHE)
		bump(&cache_events[e]);
}

static void
uri_reset(struct rg_stats_uri *u)
{
	atomic_store(&u->state, RG_STATS_UP);
	atomic_store(&u->failures, 0);
	atomic_store(&u->searches, 0);
	atomic_store(&u->sum_us, 0);
	for (int i = 0; i <= RG_STATS_NBUCKETS; i++)
		atomic_store(&u->buckets[i], 0);
}

static struct rg_stats_uri *
uri_get(struct rg_stats_uri *table, int n, const char *uri)
{
	struct rg_stats_uri *u = NULL, *spare = NULL;

	pthread_mutex_lock(&uri_lock);
	for (int i = 0; i < n && u == NULL; i++) {
		if (table[i].uri != NULL && strcmp(table[i].uri, uri) == 0)
			u = &table[i];
		else if (spare == NULL && (table[i].uri == NULL || table[i].refs == 0))
			spare = &table[i];
	}
	/* A URI no pool holds any more gives its slot to a new one. */
	if (u == NULL && spare != NULL) {
		char *copy = strdup(uri);

		if (copy != NULL) {
			free(spare->uri);
			spare->uri = copy;
			spare->refs = 0;
			uri_reset(spare);
			u = spare;
		}
	}
	if (u != NULL && u->refs++ == 0)
		atomic_store(&u->state, RG_STATS_UP);	/* a new pool starts up */
	pthread_mutex_unlock(&uri_lock);
	return u;
}

struct rg_stats_uri *
rg_stats_uri_get(const char *uri)
{
	return uri_get(uris, RG_STATS_URIS_MAX, uri);
}

struct rg_stats_uri *
rg_stats_redis_get(const char *uri)
{
	return uri_get(redis_uris, RG_STATS_REDIS_MAX, uri);
}

void
rg_stats_uri_put(struct rg_stats_uri **up)
{
	if (up == NULL || *up == NULL)
		return;
	pthread_mutex_lock(&uri_lock);
	(*up)->refs--;
	pthread_mutex_unlock(&uri_lock);
	*up = NULL;
}

void
rg_stats_uri_state(struct rg_stats_uri *u, enum rg_stats_uri_state s)
{
	if (u != NULL)
		atomic_store_explicit(&u->state, (int)s, memory_order_relaxed);
}

void
rg_stats_uri_failure(struct rg_stats_uri *u)
{
	if (u != NULL)
		bump(&u->failures);
}

void
rg_stats_uri_latency(struct rg_stats_uri *u, double secs)
{
	int b = 0;

	if (u == NULL)
		return;
	if (secs < 0)
		secs = 0;
	while (b < RG_STATS_NBUCKETS && secs > bucket_le[b])
		b++;
	bump(&u->buckets[b]);
	bump(&u->searches);
	atomic_fetch_add_explicit(&u->sum_us, (unsigned long long)(secs * 1e6),
	    memory_order_relaxed);
}

void
rg_stats_budget(enum rg_stats_budget_event e)
{
	if ((unsigned)e < RG_STATS_NBUDGET)
		bump(&budget_events[e]);
}

void
rg_stats_budgets_in_force(const char *mode, const char *store, size_t local_logins)
{
	pthread_mutex_lock(&policy_lock);
	snprintf(budget_mode, sizeof(budget_mode), "%s", mode != NULL ? mode : "off");
	snprintf(budget_store, sizeof(budget_store), "%s", store != NULL ? store : "");
	budget_local_logins = local_logins;
	pthread_mutex_unlock(&policy_lock);
}

void
rg_stats_reload(bool accepted)
{
	bump(accepted ? &reloads_ok : &reloads_refused);
	if (!accepted) {
		pthread_mutex_lock(&policy_lock);
		last_refused = time(NULL);
		pthread_mutex_unlock(&policy_lock);
	}
}

void
rg_stats_policy(const char *path, time_t when)
{
	char *copy = strdup(path);

	pthread_mutex_lock(&policy_lock);
	if (copy != NULL) {
		free(policy_path);
		policy_path = copy;
	}
	policy_since = when;
	if (started == 0)
		started = when;
	pthread_mutex_unlock(&policy_lock);
}

/* --- rendering ------------------------------------------------------------ */

struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void __attribute__((format(printf, 2, 3)))
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		{
			size_t cap = o->cap * 2 + (size_t)n;
			char *b = realloc(o->buf, cap);

			if (b == NULL) {
				o->failed = true;
				return;
			}
			o->buf = b;
			o->cap = cap;
		}
	}
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void
put_label(struct out *o, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			put(o, "\\%c", *v);
		else if (*v == '\n')
			put(o, "\\n");
		else
			put(o, "%c", *v);
	}
}

static void
utc(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
}

/* The policy record, copied out under its lock. */
struct policy_view {
	char path[4096];
	time_t since, started, last_refused;
	char budget_mode[16], budget_store[16];
	size_t budget_local_logins;
};

static void
policy_view(struct policy_view *v)
{
	pthread_mutex_lock(&policy_lock);
	snprintf(v->path, sizeof(v->path), "%s", policy_path != NULL ? policy_path : "-");
	v->since = policy_since;
	v->started = started;
	v->last_refused = last_refused;
	memcpy(v->budget_mode, budget_mode, sizeof(v->budget_mode));
	memcpy(v->budget_store, budget_store, sizeof(v->budget_store));
	v->budget_local_logins = budget_local_logins;
	pthread_mutex_unlock(&policy_lock);
}

static unsigned long long
conns_now(void)
{
	/* Read "out" first: "in" can only have grown since. */
	unsigned long long out = peek(&conn_now_out);

	return peek(&conn_now_in) - out;
}

/* One line and a histogram per registered server of 'table'. */
static void
text_uris(struct out *o, struct rg_stats_uri *table, int nt, const char *what,
    const char *failures, const char *calls, int mean_digits)
{
	for (int i = 0; i < nt; i++) {
		struct rg_stats_uri *u = &table[i];
		unsigned long long n = peek(&u->searches);

		if (u->uri == NULL || u->refs == 0)
			continue;
		put(o, "%s %s state %s %s %llu %s %llu mean_ms %.*f\n  le_ms", what, u->uri,
		    state_names[atomic_load(&u->state)], failures, peek(&u->failures), calls, n,
		    mean_digits, n > 0 ? (double)peek(&u->sum_us) / 1000.0 / (double)n : 0.0);
		for (int b = 0; b < RG_STATS_NBUCKETS; b++)
			put(o, " %g:%llu", bucket_le[b] * 1000, peek(&u->buckets[b]));
		put(o, " inf:%llu\n", peek(&u->buckets[RG_STATS_NBUCKETS]));
	}
}

/* The budget lines, when budgets are on or have ever counted anything; then Redis. */
static void
text_budgets(struct out *o, const struct policy_view *pv)
{
	bool any = strcmp(pv->budget_mode, "off") != 0;

	for (int e = 0; e < RG_STATS_NBUDGET; e++)
		any = any || peek(&budget_events[e]) > 0;
	if (any) {
		put(o, "budgets mode %s store %s local_logins %zu\n", pv->budget_mode,
		    pv->budget_store[0] ? pv->budget_store : "-", pv->budget_local_logins);
		put(o, "budgets admitted %llu over messages %llu recipients %llu domains %llu\n",
		    peek(&budget_events[RG_STATS_BUDGET_ADMITTED]),
		    peek(&budget_events[RG_STATS_BUDGET_OVER_MESSAGES]),
		    peek(&budget_events[RG_STATS_BUDGET_OVER_RECIPIENTS]),
		    peek(&budget_events[RG_STATS_BUDGET_OVER_DOMAINS]));
		put(o, "budgets fallback local %llu none %llu local_evictions %llu\n",
		    peek(&budget_events[RG_STATS_BUDGET_FALLBACK_LOCAL]),
		    peek(&budget_events[RG_STATS_BUDGET_FALLBACK_NONE]),
		    peek(&budget_events[RG_STATS_BUDGET_LOCAL_EVICT]));
		put(o, "budgets leased %llu\n", peek(&budget_events[RG_STATS_BUDGET_LEASED]));
	}
	pthread_mutex_lock(&uri_lock);
	/* Redis answers in tens of microseconds: three decimals. */
	text_uris(o, redis_uris, RG_STATS_REDIS_MAX, "redis", "errors", "admits", 3);
	pthread_mutex_unlock(&uri_lock);
}

static void
render_text(struct out *o)
{
	struct policy_view pv;
	char since[32], start[32], refused[32];
	bool any = false;

	policy_view(&pv);
	utc(since, sizeof(since), pv.since);
	utc(start, sizeof(start), pv.started);
	utc(refused, sizeof(refused), pv.last_refused);
	put(o, "relayguard %s pid %ld started %s\n", PACKAGE_VERSION, (long)getpid(), start);
	put(o, "policy %s since %s\n", pv.path, since);
	put(o, "reloads accepted %llu refused %llu last_refused %s\n", peek(&reloads_ok),
	    peek(&reloads_refused), refused);
	put(o, "connections now %llu total %llu refused_limit %llu\n", conns_now(),
	    peek(&conn_total), peek(&limit_refused));
	put(o, "decisions (stage action reason count)\n");
	for (int s = 0; s < RG_STATS_NSTAGES; s++)
		for (int a = 0; a < RG_STATS_NACTIONS; a++)
			for (size_t r = 0; r < NREASONS; r++) {
				unsigned long long n = peek(&decisions[s][a][r]);

				if (n == 0)
					continue;
				any = true;
				put(o, "  %-7s %-14s %-24s %llu\n", stage_names[s], action_names[a],
				    reasons[r], n);
			}
	if (!any)
		put(o, "  none yet\n");
	put(o, "lookups (backend found notfound error stale)\n");
	for (int b = 0; b < RG_STATS_NBACKENDS; b++)
		put(o, "  %-7s %llu %llu %llu %llu\n", backend_names[b], peek(&lookups[b][0]),
		    peek(&lookups[b][1]), peek(&lookups[b][2]), peek(&lookups[b][3]));
	put(o, "cache hits %llu misses %llu evictions %llu expired %llu\n",
	    peek(&cache_events[RG_STATS_CACHE_HIT]), peek(&cache_events[RG_STATS_CACHE_MISS]),
	    peek(&cache_events[RG_STATS_CACHE_EVICT]), peek(&cache_events[RG_STATS_CACHE_EXPIRE]));
	pthread_mutex_lock(&uri_lock);
	text_uris(o, uris, RG_STATS_URIS_MAX, "ldap", "failures", "searches", 1);
	pthread_mutex_unlock(&uri_lock);
	text_budgets(o, &pv);
}

static void
family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP relayguard_%s %s\n# TYPE relayguard_%s %s\n", name, help, name, type);
}

/* State, failures and a latency histogram for each registered server of 'table'. */
static void
prom_uris(struct out *o, struct rg_stats_uri *table, int nt, const char *what,
    const char *state_help, const char *fail_name, const char *fail_help,
    const char *hist_name, const char *hist_help)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_state", what);
	family(o, name, "gauge", state_help);
	for (int i = 0; i < nt; i++) {
		struct rg_stats_uri *u = &table[i];
		int st = atomic_load(&u->state);

		if (u->uri == NULL || u->refs == 0)
			continue;
		for (int k = 0; k < 3; k++) {
			put(o, "relayguard_%s{uri=\"", name);
			put_label(o, u->uri);
			put(o, "\",state=\"%s\"} %d\n", state_names[k], st == k);
		}
	}
	snprintf(name, sizeof(name), "%s_%s", what, fail_name);
	family(o, name, "counter", fail_help);
	for (int i = 0; i < nt; i++) {
		struct rg_stats_uri *u = &table[i];

		if (u->uri == NULL || u->refs == 0)
			continue;
		put(o, "relayguard_%s{uri=\"", name);
		put_label(o, u->uri);
		put(o, "\"} %llu\n", peek(&u->failures));
	}
	snprintf(name, sizeof(name), "%s_%s", what, hist_name);
	family(o, name, "histogram", hist_help);
	for (int i = 0; i < nt; i++) {
		struct rg_stats_uri *u = &table[i];
		unsigned long long cum = 0;

		if (u->uri == NULL || u->refs == 0)
			continue;
		for (int b = 0; b <= RG_STATS_NBUCKETS; b++) {
			cum += peek(&u->buckets[b]);
			put(o, "relayguard_%s_bucket{uri=\"", name);
			put_label(o, u->uri);
			if (b < RG_STATS_NBUCKETS)
				put(o, "\",le=\"%g\"} %llu\n", bucket_le[b], cum);
			else
				put(o, "\",le=\"+Inf\"} %llu\n", cum);
		}
		put(o, "relayguard_%s_sum{uri=\"", name);
		put_label(o, u->uri);
		put(o, "\"} %.6f\n", (double)peek(&u->sum_us) / 1e6);
		put(o, "relayguard_%s_count{uri=\"", name);
		put_label(o, u->uri);
		/* The +Inf bucket's count, so that the two always agree. */
		put(o, "\"} %llu\n", cum);
	}
}

/* The budgets of the policy in force, their counters, and the Redis store's server. */
static void
prom_budgets(struct out *o, const struct policy_view *pv)
{
	static const char *const modes[] = { "off", "monitor", "enforce" };
	static const char *const stores[] = { "local", "redis" };
	static const char *const limits[] = { "messages", "recipients", "domains" };

	family(o, "budget_mode", "gauge", "Sending budgets: 1 for budgets.mode in force.");
	for (size_t i = 0; i < 3; i++)
		put(o, "relayguard_budget_mode{mode=\"%s\"} %d\n", modes[i],
		    strcmp(pv->budget_mode, modes[i]) == 0);
	family(o, "budget_store", "gauge", "Sending budgets: 1 for the store in force.");
	for (size_t i = 0; i < 2; i++)
		put(o, "relayguard_budget_store{store=\"%s\"} %d\n", stores[i],
		    strcmp(pv->budget_store, stores[i]) == 0);
	family(o, "budget_admits_total", "counter", "Recipients a sending budget admitted.");
	put(o, "relayguard_budget_admits_total %llu\n",
	    peek(&budget_events[RG_STATS_BUDGET_ADMITTED]));
	family(o, "budget_refusals_total", "counter",
	    "Recipients over a sending budget (refused, or would-tempfail), by limit.");
	for (size_t i = 0; i < 3; i++)
		put(o, "relayguard_budget_refusals_total{limit=\"%s\"} %llu\n", limits[i],
		    peek(&budget_events[RG_STATS_BUDGET_OVER_MESSAGES + i]));
	family(o, "budget_fallbacks_total", "counter",
	    "Recipients the budget store could not tell about: counted locally, or not at all.");
	put(o, "relayguard_budget_fallbacks_total{to=\"local\"} %llu\n",
	    peek(&budget_events[RG_STATS_BUDGET_FALLBACK_LOCAL]));
	put(o, "relayguard_budget_fallbacks_total{to=\"none\"} %llu\n",
	    peek(&budget_events[RG_STATS_BUDGET_FALLBACK_NONE]));
	family(o, "budget_local_logins", "gauge", "Logins the local budget store holds.");
	put(o, "relayguard_budget_local_logins %zu\n", pv->budget_local_logins);
	family(o, "budget_local_evictions_total", "counter",
	    "Logins a full local budget store dropped (least recently charged).");
	put(o, "relayguard_budget_local_evictions_total %llu\n",
	    peek(&budget_events[RG_STATS_BUDGET_LOCAL_EVICT]));
	family(o, "budget_leased_total", "counter",
	    "Recipients admitted from a Redis lease (budgets.redis.lease), without a round trip.");
	put(o, "relayguard_budget_leased_total %llu\n",
	    peek(&budget_events[RG_STATS_BUDGET_LEASED]));
	pthread_mutex_lock(&uri_lock);
	prom_uris(o, redis_uris, RG_STATS_REDIS_MAX, "redis",
	    "The Redis budget store's breaker state: 1 for the state it is in.",
	    "errors_total", "Admits the Redis budget store failed (connect, AUTH, script, timeout).",
	    "duration_seconds", "Admits sent to the Redis budget store, pool wait included.");
	pthread_mutex_unlock(&uri_lock);
}

static void
render_prometheus(struct out *o)
{
	struct policy_view pv;

	policy_view(&pv);
	family(o, "info", "gauge", "Always 1; the version is a label.");
	put(o, "relayguard_info{version=\"");
	put_label(o, PACKAGE_VERSION);
	put(o, "\"} 1\n");
	family(o, "start_time_seconds", "gauge", "When the daemon started, in Unix time.");
	put(o, "relayguard_start_time_seconds %lld\n", (long long)pv.started);
	family(o, "policy_info", "gauge", "Always 1; the file of the policy in force is a label.");
	put(o, "relayguard_policy_info{file=\"");
	put_label(o, pv.path);
	put(o, "\"} 1\n");
	family(o, "policy_loaded_timestamp_seconds", "gauge",
	    "When the policy in force was installed, in Unix time.");
	put(o, "relayguard_policy_loaded_timestamp_seconds %lld\n", (long long)pv.since);
	family(o, "reloads_total", "counter", "Reloads (SIGUSR1) by result.");
	put(o, "relayguard_reloads_total{result=\"accepted\"} %llu\n", peek(&reloads_ok));
	put(o, "relayguard_reloads_total{result=\"refused\"} %llu\n", peek(&reloads_refused));
	family(o, "connections", "gauge", "Milter connections open now.");
	put(o, "relayguard_connections %llu\n", conns_now());
	family(o, "connections_total", "counter", "Milter connections opened.");
	put(o, "relayguard_connections_total %llu\n", peek(&conn_total));
	family(o, "connections_refused_total", "counter",
	    "Connections tempfailed at CONNECT beyond limits.connections.");
	put(o, "relayguard_connections_refused_total %llu\n", peek(&limit_refused));
	family(o, "decisions_total", "counter", "Decisions by stage, action and reason tag.");
	for (int s = 0; s < RG_STATS_NSTAGES; s++)
		for (int a = 0; a < RG_STATS_NACTIONS; a++)
			for (size_t r = 0; r < NREASONS; r++) {
				unsigned long long n = peek(&decisions[s][a][r]);

				if (n > 0)
					put(o, "relayguard_decisions_total{stage=\"%s\",action=\"%s\","
					    "reason=\"%s\"} %llu\n", stage_names[s], action_names[a],
					    reasons[r], n);
			}
	family(o, "directory_lookups_total", "counter", "Directory lookups by backend and answer.");
	for (int b = 0; b < RG_STATS_NBACKENDS; b++)
		for (int a = 0; a < RG_STATS_NANSWERS; a++)
			put(o, "relayguard_directory_lookups_total{backend=\"%s\",answer=\"%s\"} %llu\n",
			    backend_names[b], answer_names[a], peek(&lookups[b][a]));
	family(o, "cache_hits_total", "counter", "Directory cache lookups answered by a fresh entry.");
	put(o, "relayguard_cache_hits_total %llu\n", peek(&cache_events[RG_STATS_CACHE_HIT]));
	family(o, "cache_misses_total", "counter", "Directory cache lookups that asked the directory.");
	put(o, "relayguard_cache_misses_total %llu\n", peek(&cache_events[RG_STATS_CACHE_MISS]));
	family(o, "cache_evictions_total", "counter", "Cache entries dropped to make room.");
	put(o, "relayguard_cache_evictions_total %llu\n", peek(&cache_events[RG_STATS_CACHE_EVICT]));
	family(o, "cache_expired_total", "counter", "Cache entries dropped past their TTL.");
	put(o, "relayguard_cache_expired_total %llu\n", peek(&cache_events[RG_STATS_CACHE_EXPIRE]));

	pthread_mutex_lock(&uri_lock);
	prom_uris(o, uris, RG_STATS_URIS_MAX, "ldap",
	    "Each LDAP URI's breaker state: 1 for the state it is in.",
	    "failures_total", "Failed attempts (connect, bind, search) charged to each LDAP URI.",
	    "search_duration_seconds", "LDAP search round trips by URI.");
	pthread_mutex_unlock(&uri_lock);
	prom_budgets(o, &pv);
}

char *
rg_stats_render(enum rg_stats_format fmt, size_t *len_r)
{
	struct out o = { .cap = 4096 };

	if ((o.buf = malloc(o.cap)) == NULL)
		return NULL;
	o.buf[0] = '\0';
	if (fmt == RG_STATS_PROMETHEUS)
		render_prometheus(&o);
	else
		render_text(&o);
	if (o.failed) {
		free(o.buf);
		return NULL;
	}
	if (len_r != NULL)
		*len_r = o.len;
	return o.buf;
}
