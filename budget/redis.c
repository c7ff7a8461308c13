/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * redis.c - the Redis budget store: connection pool, breaker, one script
 * call per admit that no lease admits (the script and its arithmetic
 * are in redis_script.c, the leases in redis_lease.c).
 *
 * Time: an admit has one deadline, 'timeout' seconds after it starts.
 * Waiting for a free connection ends there; a connect gets what is left
 * (redisConnect*WithTimeout), and so does each command, through
 * redisSetTimeout() (SO_RCVTIMEO / SO_SNDTIMEO).  Each connection
 * remembers the timeout its socket has, and a command sets it again
 * only when what is left differs from it by more than TIMEOUT_SLACK:
 * an admit that found a free connection at once (nearly all) then
 * makes two system calls, the write and the read, instead of four, and
 * a deadline is kept to within TIMEOUT_SLACK.
 * For tcp: the name is resolved by getaddrinfo(), which no timeout
 * bounds: name an address.
 *
 * A connection that fails in any way is closed: after a timeout its
 * reply may still arrive, and it would be read as the next command's.
 * One that had served earlier admits and now finds the server gone
 * (restarted, or it closed an idle client) is reopened once within the
 * deadline before the failure counts, so a Redis restart does not open
 * the breaker by itself.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "budget/redis.h"
#include "budget/redis_lease.h"
#include "budget/redis_script.h"
#include "common/breaker.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stats.h"

/* A socket timeout this close to what is left is left as it is (seconds). */
#define TIMEOUT_SLACK	0.001

/*
 * The script call's arguments 4 to 7 (window and limits) and 11 (TTL)
 * depend only on the limits, which change only on a reload: each
 * connection keeps them formatted, as strings (for EVAL) and as the
 * protocol's bulk strings (for EVALSHA), for the limits it saw last.
 */
struct fixed_args {
	struct rg_budget_limits lim;
	bool valid;
	char win[32], lm[24], lr[24], ld[24], ttl[24];
	char resp[192];		/* win lm lr ld, each "$LEN\r\nVALUE\r\n" */
	size_t resplen;
	char ttl_resp[32];
	size_t ttl_resplen;
};

struct conn {
	redisContext *ctx;
	bool busy;
	bool used;		/* has answered a script call since it was opened */
	double sock_timeout;	/* what redisSetTimeout() last gave it; 0: none yet */
	char sha[41];		/* the script's SHA1, from this connection's SCRIPT LOAD */
	struct fixed_args fixed;
};

struct redis_store {
	struct rg_budget_store base;	/* first: the store interface */
	char *uri;
	char *path;		/* unix: */
	char *host;		/* tcp: */
	int port;
	char *password;
	char *prefix;
	double timeout;
	bool client_clock;
	struct rg_stats_uri *stats;	/* relayguard -S: state, errors, latency */
	struct rg_budget_leases *leases;	/* NULL: lease = 0 */

	/*
	 * Guards the busy flags and the breaker, nothing else: a borrowed
	 * connection is its borrower's alone.  An admit takes it twice, to
	 * pass the breaker and borrow, and to give back and report.
	 */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct conn *conns;
	int nconns;
	struct rg_breaker breaker;
};

static void redis_admit(struct rg_budget_store *, const struct rg_budget_request *,
    const struct rg_budget_limits *, struct rg_budget_result *);
static void redis_destroy(struct rg_budget_store **);

static const struct rg_budget_store_ops redis_ops = {
	.admit = redis_admit,
	.destroy = redis_destroy,
};

/* "redis=STATE uri=URI [why=WHY]", the shape of the LDAP pool's lines. */
static void
log_redis(enum rg_log_level lvl, const char *state, const char *uri, const char *why)
{
	struct rg_kv kv;

	if (!rg_log_enabled(lvl))
		return;
	rg_kv_init(&kv);
	rg_kv_add(&kv, "redis", state);
	rg_kv_add(&kv, "uri", uri);
	if (why != NULL)
		rg_kv_add(&kv, "why", why);
	rg_log(lvl, "%s", rg_kv_str(&kv));
}

/* Split "unix:/path" or "tcp:host:port" into s; false with a message. */
static bool
parse_uri(struct redis_store *s, const char *uri, char *err, size_t errlen)
{
	static const char forms[] = "use \"unix:/absolute/path\" or \"tcp:HOST:PORT\"";
	const char *host, *colon, *end;
	char *port_end;
	long port;

	if (strncmp(uri, "unix:", 5) == 0) {
		if (uri[5] != '/') {
			snprintf(err, errlen, "uri \"%s\": a unix socket needs an absolute path; %s",
			    uri, forms);
			return false;
		}
		return (s->path = strdup(uri + 5)) != NULL;
	}
	if (strncmp(uri, "tcp:", 4) != 0) {
		snprintf(err, errlen, "uri \"%s\": unknown form; %s", uri, forms);
		return false;
	}
	host = uri + 4;
	if (*host == '[') {
		/* An IPv6 address: its colons are not the port's. */
		end = strchr(host, ']');
		if (end == NULL || end[1] != ':') {
			snprintf(err, errlen, "uri \"%s\": an IPv6 address is written "
			    "tcp:[ADDRESS]:PORT", uri);
			return false;
		}
		host++;
		colon = end + 1;
	} else {
		colon = strchr(host, ':');
		end = colon;
		if (colon == NULL || strchr(colon + 1, ':') != NULL) {
			snprintf(err, errlen, "uri \"%s\": %s (an IPv6 address in brackets)",
			    uri, forms);
			return false;
		}
	}
	if (end == host) {
		snprintf(err, errlen, "uri \"%s\": no host; %s", uri, forms);
		return false;
	}
	errno = 0;
	port = strtol(colon + 1, &port_end, 10);
	if (colon[1] == '\0' || *port_end != '\0' || errno != 0 || port < 1 || port > 65535) {
		snprintf(err, errlen, "uri \"%s\": the port must be a number from 1 to 65535",
		    uri);
		return false;
	}
	s->port = (int)port;
	return (s->host = strndup(host, (size_t)(end - host))) != NULL;
}

struct rg_budget_store *
rg_budget_redis_new(const struct rg_budget_redis_settings *set, char *err, size_t errlen)
{
	struct redis_store *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	struct rg_budget_store *st;

	if (s == NULL)
		goto nomem;
	s->base.ops = &redis_ops;
	pthread_mutex_init(&s->lock, NULL);
	/* Deadlines are monotonic; so must the condition's clock be. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->freed, &ca);
	pthread_condattr_destroy(&ca);
	if (set->uri == NULL || *set->uri == '\0') {
		snprintf(err, errlen, "uri is empty; use \"unix:/absolute/path\" or "
		    "\"tcp:HOST:PORT\"");
		goto fail;
	}
	if ((s->uri = strdup(set->uri)) == NULL)
		goto nomem;
	err[0] = '\0';
	if (!parse_uri(s, set->uri, err, errlen)) {
		if (err[0] == '\0')
			goto nomem;
		goto fail;
	}
	if ((s->prefix = strdup(set->key_prefix != NULL ? set->key_prefix : "")) == NULL ||
	    (set->password != NULL && *set->password != '\0' &&
	    (s->password = strdup(set->password)) == NULL))
		goto nomem;
	s->timeout = set->timeout > 0 ? set->timeout : RG_BUDGET_REDIS_TIMEOUT;
	s->nconns = set->pool_size > 0 ? set->pool_size : RG_BUDGET_REDIS_POOL_SIZE;
	if ((s->conns = calloc((size_t)s->nconns, sizeof(*s->conns))) == NULL)
		goto nomem;
	rg_breaker_init(&s->breaker, RG_BUDGET_REDIS_THRESHOLD,
	    set->retry_interval > 0 ? set->retry_interval : RG_BUDGET_REDIS_RETRY_INTERVAL);
	if (set->lease > 0 && (s->leases = rg_budget_leases_new((uint32_t)set->lease)) == NULL)
		goto nomem;
	s->stats = rg_stats_redis_get(s->uri);
	return &s->base;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	st = s != NULL ? &s->base : NULL;
	redis_destroy(&st);
	return NULL;
}

void
rg_budget_redis_client_clock(struct rg_budget_store *st, bool on)
{
	((struct redis_store *)st)->client_clock = on;
}

static void
redis_destroy(struct rg_budget_store **stp)
{
	struct redis_store *s;

	if (stp == NULL || *stp == NULL)
		return;
	s = (struct redis_store *)*stp;
	for (int i = 0; s->conns != NULL && i < s->nconns; i++)
		if (s->conns[i].ctx != NULL)
			redisFree(s->conns[i].ctx);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	rg_stats_uri_put(&s->stats);
	rg_budget_leases_free(&s->leases);
	free(s->conns);
	free(s->uri);
	free(s->path);
	free(s->host);
	free(s->prefix);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->freed);
	free(s);
	*stp = NULL;
}

bool
rg_budget_redis_key_login(const char *login, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)login; *p != '\0'; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._@+-", *p) != NULL;

		if (n + (plain ? 1 : 3) >= outlen)
			return false;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	if (n >= outlen)
		return false;
	out[n] = '\0';
	return true;
}

/*
 * A free connection, waiting until 'deadline' at most; NULL when none
 * came.  The caller holds s->lock.
 */
static struct conn *
acquire_locked(struct redis_store *s, double deadline)
{
	struct conn *c = NULL;
	struct timespec ts;

	ts.tv_sec = (time_t)deadline;
	ts.tv_nsec = (long)((deadline - (double)ts.tv_sec) * 1e9);
	for (;;) {
		/* Prefer an open connection: a closed one costs a connect. */
		for (int i = 0; i < s->nconns; i++) {
			if (s->conns[i].busy)
				continue;
			if (c == NULL || (c->ctx == NULL && s->conns[i].ctx != NULL))
				c = &s->conns[i];
		}
		if (c != NULL)
			break;
		if (pthread_cond_timedwait(&s->freed, &s->lock, &ts) != 0 &&
		    rg_clock_monotonic() >= deadline)
			break;
	}
	if (c != NULL)
		c->busy = true;
	return c;
}

static void
conn_close(struct conn *c)
{
	if (c->ctx != NULL)
		redisFree(c->ctx);
	c->ctx = NULL;
	c->used = false;
	c->sock_timeout = 0;
}

/* hiredis' words for a failed call on ctx ("timed out" for EAGAIN). */
static void
ctx_error(const redisContext *ctx, const char *what, char *why, size_t whylen)
{
	/* hiredis keeps strerror(errno) of the moment; SO_RCVTIMEO gives EAGAIN. */
	if (ctx->err == REDIS_ERR_IO && (strcmp(ctx->errstr, strerror(EAGAIN)) == 0 ||
	    strcmp(ctx->errstr, strerror(EWOULDBLOCK)) == 0))
		snprintf(why, whylen, "%s: timed out", what);
	else
		snprintf(why, whylen, "%s: %s", what, ctx->errstr[0] ? ctx->errstr : "I/O error");
}

/* Give c what is left until 'deadline' for its next command (see TIMEOUT_SLACK). */
static bool
set_budget(struct conn *c, double deadline, char *why, size_t whylen)
{
	double left = deadline - rg_clock_monotonic(), diff = left - c->sock_timeout;

	if (left <= 0) {
		snprintf(why, whylen, "timed out");
		return false;
	}
	if (c->sock_timeout > 0 && diff <= TIMEOUT_SLACK && diff >= -TIMEOUT_SLACK)
		return true;
	if (redisSetTimeout(c->ctx, rg_timeval_of(left)) != REDIS_OK) {
		ctx_error(c->ctx, "setting the timeout", why, whylen);
		c->sock_timeout = 0;
		return false;
	}
	c->sock_timeout = left;
	return true;
}

/* One command's reply, or NULL with 'why' set (an error reply is returned). */
static redisReply *
command(struct conn *c, double deadline, int argc, const char **argv,
    const size_t *lens, const char *what, char *why, size_t whylen)
{
	redisReply *r;

	if (!set_budget(c, deadline, why, whylen))
		return NULL;
	r = redisCommandArgv(c->ctx, argc, argv, lens);
	if (r == NULL)
		ctx_error(c->ctx, what, why, whylen);
	return r;
}

/* The same for a command already in the protocol's form. */
static redisReply *
command_formatted(struct conn *c, double deadline, const char *cmd, size_t len,
    const char *what, char *why, size_t whylen)
{
	void *r = NULL;

	if (!set_budget(c, deadline, why, whylen))
		return NULL;
	if (redisAppendFormattedCommand(c->ctx, cmd, len) != REDIS_OK ||
	    redisGetReply(c->ctx, &r) != REDIS_OK) {
		ctx_error(c->ctx, what, why, whylen);
		if (r != NULL)
			freeReplyObject(r);
		return NULL;
	}
	return r;
}

/* Connect, AUTH and learn the script's SHA1 within the deadline. */
static bool
conn_open(struct redis_store *s, struct conn *c, double deadline, char *why, size_t whylen)
{
	double left = deadline - rg_clock_monotonic();
	const char *argv[3];
	size_t lens[3];
	redisReply *r;

	if (left <= 0) {
		snprintf(why, whylen, "connect: timed out");
		return false;
	}
	c->ctx = s->path != NULL ? redisConnectUnixWithTimeout(s->path, rg_timeval_of(left)) :
	    redisConnectWithTimeout(s->host, s->port, rg_timeval_of(left));
	if (c->ctx == NULL) {
		snprintf(why, whylen, "connect: out of memory");
		return false;
	}
	if (c->ctx->err != 0) {
		ctx_error(c->ctx, "connect", why, whylen);
		goto fail;
	}
	if (s->password != NULL) {
		argv[0] = "AUTH";
		argv[1] = s->password;
		lens[0] = 4;
		lens[1] = strlen(s->password);
		if ((r = command(c, deadline, 2, argv, lens, "AUTH", why, whylen)) == NULL)
			goto fail;
		if (r->type == REDIS_REPLY_ERROR) {
			/* The server's words name the problem, never the password. */
			snprintf(why, whylen, "AUTH refused (check budgets.redis.password_file): "
			    "%.*s", (int)r->len, r->str);
			freeReplyObject(r);
			goto fail;
		}
		freeReplyObject(r);
	}
	argv[0] = "SCRIPT";
	argv[1] = "LOAD";
	argv[2] = rg_budget_redis_script;
	lens[0] = 6;
	lens[1] = 4;
	lens[2] = strlen(rg_budget_redis_script);
	if ((r = command(c, deadline, 3, argv, lens, "SCRIPT LOAD", why, whylen)) == NULL)
		goto fail;
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0) {
		snprintf(why, whylen, "the server wants a password (set budgets.redis."
		    "password_file): %.*s", (int)r->len, r->str);
		freeReplyObject(r);
		goto fail;
	}
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		snprintf(why, whylen, "SCRIPT LOAD: %s%.*s", r->type == REDIS_REPLY_ERROR ?
		    "" : "unexpected reply ", r->type == REDIS_REPLY_ERROR ? (int)r->len : 0,
		    r->type == REDIS_REPLY_ERROR ? r->str : "");
		freeReplyObject(r);
		goto fail;
	}
	memcpy(c->sha, r->str, 40);
	c->sha[40] = '\0';
	freeReplyObject(r);
	return true;
fail:
	conn_close(c);
	return false;
}

/*
 * Read the script's { ANSWER, KIND, M, R, D, GRANTED, BUCKET, LEFT_MS }
 * into res and tk; false if malformed.
 */
static bool
parse_answer(const redisReply *r, struct rg_budget_result *res, struct rg_budget_lease_ticket *tk)
{
	long long v[8];

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 8)
		return false;
	for (size_t i = 0; i < 8; i++) {
		if (r->element[i]->type != REDIS_REPLY_INTEGER || r->element[i]->integer < 0)
			return false;
		v[i] = r->element[i]->integer;
	}
	if (v[0] > 1 || v[1] > RG_BUDGET_DOMAINS || (v[0] == 0) != (v[1] != RG_BUDGET_NONE) ||
	    v[5] > (long long)tk->ask)
		return false;
	tk->granted = (uint32_t)v[5];
	tk->bucket = v[6];
	tk->left = (double)v[7] / 1000;
	res->answer = v[0] == 1 ? RG_BUDGET_ADMITTED : RG_BUDGET_OVER;
	res->over = (enum rg_budget_kind)v[1];
	res->used.messages = (uint64_t)v[2];
	res->used.recipients = (uint64_t)v[3];
	res->used.domains = (uint64_t)v[4];
	return true;
}

enum outcome { DONE, FAILED, LOST };	/* LOST: the connection was found dead */

/* Append VALUE as a bulk string ("$LEN\r\nVALUE\r\n") at out; the bytes written. */
static size_t
bulk(char *out, const char *v, size_t n)
{
	int h = sprintf(out, "$%zu\r\n", n);

	memcpy(out + h, v, n);
	memcpy(out + h + n, "\r\n", 2);
	return (size_t)h + n + 2;
}

/* Bytes bulk() writes for n bytes of value, at most. */
#define BULK_MAX(n)	((n) + 26)

/* c->fixed for 'lim', formatted again only when the limits changed. */
static const struct fixed_args *
fixed_args(struct conn *c, const struct rg_budget_limits *lim)
{
	struct fixed_args *f = &c->fixed;

	if (f->valid && f->lim.window == lim->window && f->lim.messages == lim->messages &&
	    f->lim.recipients == lim->recipients && f->lim.domains == lim->domains)
		return f;
	f->lim = *lim;
	snprintf(f->win, sizeof(f->win), "%.17g", lim->window);
	snprintf(f->lm, sizeof(f->lm), "%llu", (unsigned long long)lim->messages);
	snprintf(f->lr, sizeof(f->lr), "%llu", (unsigned long long)lim->recipients);
	snprintf(f->ld, sizeof(f->ld), "%llu", (unsigned long long)lim->domains);
	snprintf(f->ttl, sizeof(f->ttl), "%lld", (long long)(2 * lim->window + 0.999) +
	    RG_BUDGET_REDIS_TTL_SLACK);
	f->resplen = bulk(f->resp, f->win, strlen(f->win));
	f->resplen += bulk(f->resp + f->resplen, f->lm, strlen(f->lm));
	f->resplen += bulk(f->resp + f->resplen, f->lr, strlen(f->lr));
	f->resplen += bulk(f->resp + f->resplen, f->ld, strlen(f->ld));
	f->ttl_resplen = bulk(f->ttl_resp, f->ttl, strlen(f->ttl));
	f->valid = true;
	return f;
}

/* The script's LEASE, REFUND, REFUND_BUCKET and PREPAID, as strings. */
struct lease_args {
	char ask[16], refund[16], bucket[24], prepaid[2];
};

/* v in decimal; 0, what every call without a lease sends, without snprintf. */
static void
count_arg(char *out, size_t outlen, uint32_t v)
{
	if (v == 0)
		memcpy(out, "0", 2);
	else
		snprintf(out, outlen, "%u", (unsigned)v);
}

static void
lease_args(const struct rg_budget_lease_ticket *tk, struct lease_args *l)
{
	count_arg(l->ask, sizeof(l->ask), tk->ask);
	count_arg(l->refund, sizeof(l->refund), tk->refund);
	if (tk->refund > 0)
		snprintf(l->bucket, sizeof(l->bucket), "%lld", tk->refund_bucket);
	else
		l->bucket[0] = '\0';
	l->prepaid[0] = tk->prepaid ? '1' : '0';
	l->prepaid[1] = '\0';
}

/*
 * EVAL with the script's text, for a server that has forgotten it
 * (SCRIPT FLUSH, or a failover to one that never saw it): rare, so
 * formatted by hiredis.
 */
static redisReply *
eval_text(struct conn *c, const char *key, const struct fixed_args *f, const char *msg,
    const char *domain, const char *now, const struct lease_args *l, double deadline,
    char *why, size_t whylen)
{
	const char *argv[16] = {
		"EVAL", rg_budget_redis_script, "1", key, f->win, f->lm, f->lr, f->ld,
		msg, domain, now, f->ttl, l->ask, l->refund, l->bucket, l->prepaid,
	};
	size_t lens[16];

	for (int i = 0; i < 16; i++)
		lens[i] = strlen(argv[i]);
	return command(c, deadline, 16, argv, lens, "EVAL", why, whylen);
}

/* Run the script once on c; the result goes into res, or 'why'. */
static enum outcome
run_script(struct redis_store *s, struct conn *c, const char *key,
    const struct rg_budget_request *req, const struct rg_budget_limits *lim,
    struct rg_budget_lease_ticket *tk, double deadline, struct rg_budget_result *res,
    char *why, size_t whylen)
{
	static const char head[] = "*16\r\n$7\r\nEVALSHA\r\n";
	const struct fixed_args *f = fixed_args(c, lim);
	const char *domain = req->domain != NULL ? req->domain : "";
	const char *msg = req->new_message ? "1" : "0";
	size_t klen = strlen(key), dlen = strlen(domain), nlen, len, need;
	char now[32], stackbuf[1024], *cmd = stackbuf;
	struct lease_args la;
	redisReply *r;
	bool reused = c->used;

	lease_args(tk, &la);

	if (s->client_clock)
		nlen = (size_t)snprintf(now, sizeof(now), "%.6f", req->now);
	else
		now[nlen = 0] = '\0';
	/* EVALSHA SHA 1 KEY WIN LM LR LD NEW DOMAIN NOW TTL LEASE REFUND RB PREPAID, wire form. */
	need = sizeof(head) + BULK_MAX(40) + BULK_MAX(1) + BULK_MAX(klen) + f->resplen +
	    BULK_MAX(1) + BULK_MAX(dlen) + BULK_MAX(nlen) + f->ttl_resplen +
	    BULK_MAX(sizeof(la.ask)) + BULK_MAX(sizeof(la.refund)) + BULK_MAX(sizeof(la.bucket)) +
	    BULK_MAX(1);
	if (need > sizeof(stackbuf) && (cmd = malloc(need)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return FAILED;
	}
	memcpy(cmd, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	len += bulk(cmd + len, c->sha, 40);
	len += bulk(cmd + len, "1", 1);
	len += bulk(cmd + len, key, klen);
	memcpy(cmd + len, f->resp, f->resplen);
	len += f->resplen;
	len += bulk(cmd + len, msg, 1);
	len += bulk(cmd + len, domain, dlen);
	len += bulk(cmd + len, now, nlen);
	memcpy(cmd + len, f->ttl_resp, f->ttl_resplen);
	len += f->ttl_resplen;
	len += bulk(cmd + len, la.ask, strlen(la.ask));
	len += bulk(cmd + len, la.refund, strlen(la.refund));
	len += bulk(cmd + len, la.bucket, strlen(la.bucket));
	len += bulk(cmd + len, la.prepaid, 1);
	r = command_formatted(c, deadline, cmd, len, "EVALSHA", why, whylen);
	if (cmd != stackbuf)
		free(cmd);
	if (r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
		freeReplyObject(r);
		r = eval_text(c, key, f, msg, domain, now, &la, deadline, why, whylen);
	}
	if (r == NULL) {
		/* Closed under us: EOF on read, or EPIPE/ECONNRESET on write. */
		bool lost = reused && (c->ctx->err == REDIS_ERR_EOF ||
		    (c->ctx->err == REDIS_ERR_IO && (strcmp(c->ctx->errstr, strerror(EPIPE)) == 0 ||
		    strcmp(c->ctx->errstr, strerror(ECONNRESET)) == 0)));

		conn_close(c);
		return lost ? LOST : FAILED;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(why, whylen, "script: %.*s", (int)r->len, r->str);
		freeReplyObject(r);
		/* NOAUTH after a password change, or READONLY: start afresh. */
		conn_close(c);
		return FAILED;
	}
	if (!parse_answer(r, res, tk)) {
		snprintf(why, whylen, "script: unexpected reply");
		freeReplyObject(r);
		conn_close(c);
		return FAILED;
	}
	freeReplyObject(r);
	c->used = true;
	return DONE;
}

static void
redis_admit(struct rg_budget_store *st, const struct rg_budget_request *req,
    const struct rg_budget_limits *lim, struct rg_budget_result *res)
{
	struct redis_store *s = (struct redis_store *)st;
	double start = rg_clock_monotonic(), deadline = start + s->timeout;
	char keybuf[512], *key = keybuf, why[sizeof(res->why) - 8];
	size_t plen = strlen(s->prefix), need = plen + 3 * strlen(req->login) + 3;
	struct rg_budget_lease_ticket tk = { .owner = false };
	enum rg_breaker_gate gate;
	enum outcome out = FAILED;
	struct conn *c;
	bool changed, sent = false;

	/* Leases end with their bucket, on the clock that cuts the buckets. */
	double lclock = s->client_clock ? req->now : start;

	if (s->leases != NULL && rg_budget_lease_use(s->leases, req, lim, lclock, res)) {
		rg_stats_budget(RG_STATS_BUDGET_LEASED);
		return;
	}
	memset(res, 0, sizeof(*res));
	res->answer = RG_BUDGET_ERROR;
	/* The key first: nothing that needs no connection is done holding one. */
	if (need > sizeof(keybuf) && (key = malloc(need)) == NULL) {
		snprintf(res->why, sizeof(res->why), "out of memory");
		return;
	}
	memcpy(key, s->prefix, plen);
	key[plen] = '{';
	rg_budget_redis_key_login(req->login, key + plen + 1, need - plen - 2);
	strcat(key + plen, "}");
	pthread_mutex_lock(&s->lock);
	gate = rg_breaker_enter(&s->breaker, start);
	c = gate == RG_BREAKER_SKIP ? NULL : acquire_locked(s, deadline);
	/* Busy, not broken: the admits holding the connections report on it. */
	if (c == NULL && gate == RG_BREAKER_PROBE)
		rg_breaker_release(&s->breaker);
	else if (gate == RG_BREAKER_PROBE)
		rg_stats_uri_state(s->stats, RG_STATS_PROBING);
	pthread_mutex_unlock(&s->lock);
	if (gate == RG_BREAKER_SKIP) {
		snprintf(res->why, sizeof(res->why), "redis %s is marked down; retrying "
		    "within %.0fs", s->uri, s->breaker.interval);
		goto done;
	}
	if (c == NULL) {
		snprintf(res->why, sizeof(res->why), "no free Redis connection within %.3fs "
		    "(pool_size %d)", s->timeout, s->nconns);
		rg_stats_uri_failure(s->stats);
		goto done;
	}
	if (s->leases != NULL)
		rg_budget_lease_begin(s->leases, req, lim, lclock, &tk);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (c->ctx == NULL && !conn_open(s, c, deadline, why, sizeof(why))) {
			out = FAILED;
			break;
		}
		sent = true;
		out = run_script(s, c, key, req, lim, &tk, deadline, res, why, sizeof(why));
		if (out != LOST)
			break;
		/* The lost call may have run: its refund must not run twice, nor a grant go unseen. */
		tk.refund = 0;
		tk.ask = 0;
	}
	if (s->leases != NULL) {
		if (sent)
			rg_budget_lease_end(s->leases, req, lim, &tk, out == DONE ? res : NULL);
		else
			rg_budget_lease_cancel(s->leases, req, &tk);
	}
	pthread_mutex_lock(&s->lock);
	c->busy = false;
	pthread_cond_signal(&s->freed);
	changed = out == DONE ? rg_breaker_success(&s->breaker) :
	    rg_breaker_failure(&s->breaker, rg_clock_monotonic());
	rg_stats_uri_state(s->stats, s->breaker.open ? RG_STATS_DOWN : RG_STATS_UP);
	pthread_mutex_unlock(&s->lock);
	rg_stats_uri_latency(s->stats, rg_clock_monotonic() - start);
	if (out != DONE)
		rg_stats_uri_failure(s->stats);
	if (out == DONE) {
		if (changed)
			log_redis(RG_LOG_NOTICE, "up", s->uri, NULL);
		goto done;
	}
	res->answer = RG_BUDGET_ERROR;
	/* The uri is in the redis=down line; here the cause has the room. */
	snprintf(res->why, sizeof(res->why), "redis: %s", why);
	if (changed)
		log_redis(RG_LOG_WARNING, "down", s->uri, why);
	else
		log_redis(RG_LOG_DEBUG, "failed", s->uri, why);
done:
	if (key != keybuf)
		free(key);
}

bool
rg_budget_redis_probe(struct rg_budget_store *st, char *msg, size_t msglen)
{
	struct redis_store *s = (struct redis_store *)st;
	struct conn c = { .ctx = NULL };
	char why[sizeof(((struct rg_budget_result *)0)->why)];
	bool ok;

	/* A connection of its own, so that the pool and the breaker are not touched. */
	ok = conn_open(s, &c, rg_clock_monotonic() + s->timeout, why, sizeof(why));
	if (ok)
		snprintf(msg, msglen, "redis %s answered (AUTH %s, SCRIPT LOAD %s)", s->uri,
		    s->password != NULL ? "accepted" : "not needed", c.sha);
	else
		snprintf(msg, msglen, "redis %s: %s", s->uri, why);
	conn_close(&c);
	return ok;
}
