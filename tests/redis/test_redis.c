/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_redis.c - budget/redis.c against a real redis-server.
 *
 * tests/redis/store.sh starts two private servers on unix sockets and
 * passes them in the environment: RG_REDIS_SOCK (no password; its pid in
 * RG_REDIS_PID, for SIGSTOP; the same server on TCP at RG_REDIS_TCP,
 * 127.0.0.1:PORT) and RG_REDIS_PW_SOCK with password
 * RG_REDIS_PW.  Every case uses its own key prefix.  The test looks at
 * the server's keys with its own hiredis connection.
 *
 * Rows that need a movable clock switch the store to the caller's clock
 * (rg_budget_redis_client_clock); one row checks the server's TIME.
 * RG_SEED fixes the seed of the agreement test; it is printed either way.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/types.h>
#include <time.h>
#include <hiredis/hiredis.h>

#include "tests/unit/unit.h"
#include "tests/redis/test_redis.h"
#include "budget/redis.h"
#include "common/clock.h"
#include "policy/budget.h"

const char *sock;
static const char *pw_sock, *pw, *tcp;
pid_t redis_pid;
static redisContext *raw;

struct rg_budget_store *
store_leased(const char *uri, const char *prefix, const char *password, int pool,
    double timeout, int lease)
{
	struct rg_budget_redis_settings set = {
		.uri = (char *)uri, .timeout = timeout, .key_prefix = (char *)prefix,
		.password = (char *)password, .pool_size = pool, .retry_interval = 1.0,
		.lease = lease,
	};
	char err[256] = "";
	struct rg_budget_store *st = rg_budget_redis_new(&set, err, sizeof(err));

	if (st == NULL)
		fprintf(stderr, "rg_budget_redis_new(%s): %s\n", uri, err);
	return st;
}

static struct rg_budget_store *
store_for(const char *uri, const char *prefix, const char *password, int pool, double timeout)
{
	return store_leased(uri, prefix, password, pool, timeout, 0);
}

static struct rg_budget_store *
store(const char *prefix)
{
	char uri[600];

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	return store_for(uri, prefix, NULL, 4, 2.0);
}

void
admit(struct rg_budget_store *st, const char *login, bool msg, const char *domain,
    double now, const struct rg_budget_limits *lim, struct rg_budget_result *r)
{
	struct rg_budget_request req = { login, msg, domain, now };

	st->ops->admit(st, &req, lim, r);
}

int
raw_clients(void)
{
	redisReply *r = redisCommand(raw, "CLIENT LIST");
	int n = 0;

	if (r != NULL && r->type == REDIS_REPLY_STRING)
		for (const char *p = r->str; (p = strchr(p, '\n')) != NULL; p++)
			n++;
	if (r != NULL)
		freeReplyObject(r);
	return n;
}

long long
raw_int(const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	long long v = -999;

	va_start(ap, fmt);
	r = redisvCommand(raw, fmt, ap);
	va_end(ap);
	if (r != NULL && r->type == REDIS_REPLY_INTEGER)
		v = r->integer;
	else if (r != NULL && r->type == REDIS_REPLY_STRING)
		v = strtoll(r->str, NULL, 10);
	else if (r != NULL && r->type == REDIS_REPLY_NIL)
		v = -1;
	if (r != NULL)
		freeReplyObject(r);
	return v;
}

/* ---- settings ---- */

static const struct {
	const char *uri;
	const char *want;	/* NULL: accepted; else part of the error */
} uri_rows[] = {
	{ "unix:/run/redis/redis-server.sock", NULL },
	{ "tcp:127.0.0.1:6379", NULL },
	{ "tcp:redis.example:6379", NULL },
	{ "tcp:[::1]:6379", NULL },
	{ "", "uri is empty" },
	{ "redis://127.0.0.1:6379", "unknown form; use \"unix:/absolute/path\" or \"tcp:HOST:PORT\"" },
	{ "/run/redis.sock", "unknown form" },
	{ "unix:run/redis.sock", "a unix socket needs an absolute path" },
	{ "tcp:127.0.0.1", "use \"unix:/absolute/path\"" },
	{ "tcp::6379", "no host" },
	{ "tcp:127.0.0.1:0", "the port must be a number from 1 to 65535" },
	{ "tcp:127.0.0.1:65536", "the port must be" },
	{ "tcp:127.0.0.1:63x", "the port must be" },
	{ "tcp:127.0.0.1:", "the port must be" },
	{ "tcp:::1:6379", "an IPv6 address in brackets" },
	{ "tcp:[::1]6379", "an IPv6 address is written tcp:[ADDRESS]:PORT" },
};

static void
test_uris(void)
{
	for (size_t i = 0; i < UT_NROWS(uri_rows); i++) {
		struct rg_budget_redis_settings set = { .uri = (char *)uri_rows[i].uri };
		char err[256] = "";
		struct rg_budget_store *st = rg_budget_redis_new(&set, err, sizeof(err));

		if (uri_rows[i].want == NULL) {
			UT_INT(uri_rows[i].uri, "accepted", st != NULL, 1);
			UT_STR(uri_rows[i].uri, "no error", err, "");
		} else {
			UT_INT(uri_rows[i].uri, "refused", st == NULL, 1);
			UT_HAS(uri_rows[i].uri, "error", err, uri_rows[i].want);
		}
		if (st != NULL)
			st->ops->destroy(&st);
		UT_INT(uri_rows[i].uri, "destroy clears", st == NULL, 1);
	}
}

/* ---- limits ---- */

static void
test_limits(void)
{
	struct rg_budget_store *st = store("lim:");
	struct rg_budget_limits lim = { 3600, 3, 5, 2 };
	struct rg_budget_result r;
	double t = 3600.0 * 500000;	/* a bucket start */

	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	/* Three messages of one recipient each, at a.example and b.example. */
	for (int i = 0; i < 3; i++) {
		admit(st, "alice", true, i == 2 ? "b.example" : "a.example", t + i, &lim, &r);
		UT_INT("message", "admitted", r.answer, RG_BUDGET_ADMITTED);
		UT_INT("message", "messages used", r.used.messages, i + 1);
		UT_INT("message", "recipients used", r.used.recipients, i + 1);
		UT_INT("message", "domains used", r.used.domains, i == 2 ? 2 : 1);
	}
	admit(st, "alice", true, "a.example", t + 3, &lim, &r);
	UT_INT("4th message", "over", r.answer, RG_BUDGET_OVER);
	UT_INT("4th message", "kind", r.over, RG_BUDGET_MESSAGES);
	UT_INT("4th message", "used as found", r.used.messages, 3);
	/* More recipients of the third message: up to 5, and a third domain is refused. */
	admit(st, "alice", false, "c.example", t + 4, &lim, &r);
	UT_INT("3rd domain", "over", r.answer, RG_BUDGET_OVER);
	UT_INT("3rd domain", "kind", r.over, RG_BUDGET_DOMAINS);
	UT_INT("refused domain left out", "PFCOUNT",
	    raw_int("PFCOUNT lim:{alice}:d:500000"), 2);
	admit(st, "alice", false, "b.example", t + 5, &lim, &r);
	UT_INT("known domain", "admitted", r.answer, RG_BUDGET_ADMITTED);
	admit(st, "alice", false, "a.example", t + 6, &lim, &r);
	UT_INT("5th recipient", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("5th recipient", "recipients", r.used.recipients, 5);
	admit(st, "alice", false, "a.example", t + 7, &lim, &r);
	UT_INT("6th recipient", "over", r.answer, RG_BUDGET_OVER);
	UT_INT("6th recipient", "kind", r.over, RG_BUDGET_RECIPIENTS);
	UT_INT("nothing charged when over", "messages",
	    raw_int("GET lim:{alice}:m:500000"), 3);
	UT_INT("nothing charged when over", "recipients",
	    raw_int("GET lim:{alice}:r:500000"), 5);
	/* Another login is untouched. */
	admit(st, "bob", true, "c.example", t + 8, &lim, &r);
	UT_INT("other login", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("other login", "messages", r.used.messages, 1);
	/* 0 is no limit. */
	lim = (struct rg_budget_limits){ 3600, 0, 0, 0 };
	admit(st, "alice", true, "z.example", t + 9, &lim, &r);
	UT_INT("no limits", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("no limits", "messages", r.used.messages, 4);
	st->ops->destroy(&st);
}

/* ---- expiry and rollover ---- */

static void
test_expiry(void)
{
	struct rg_budget_store *st = store("exp:");
	struct rg_budget_limits lim = { 100, 10, 0, 0 };
	struct rg_budget_result r;
	double t0 = 100.0 * 1000;	/* bucket 1000 starts */
	long long ttl;
	int n;

	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	for (n = 0; n < 20; n++) {
		admit(st, "carol", true, "a.example", t0 + 1, &lim, &r);
		if (r.answer != RG_BUDGET_ADMITTED)
			break;
	}
	UT_INT("full bucket", "admitted", n, 10);
	UT_INT("full bucket", "then over", r.answer, RG_BUDGET_OVER);
	/* Every key lives two windows and the slack. */
	ttl = raw_int("TTL exp:{carol}:m:1000");
	UT_INT("ttl of m", "<= 2W + slack", ttl <= 200 + RG_BUDGET_REDIS_TTL_SLACK, 1);
	UT_INT("ttl of m", ">= 2W", ttl >= 200, 1);
	ttl = raw_int("TTL exp:{carol}:r:1000");
	UT_INT("ttl of r", "set", ttl > 200 && ttl <= 200 + RG_BUDGET_REDIS_TTL_SLACK, 1);
	ttl = raw_int("TTL exp:{carol}:d:1000");
	UT_INT("ttl of d", "set", ttl > 200 && ttl <= 200 + RG_BUDGET_REDIS_TTL_SLACK, 1);
	/* Half-way through the next bucket the full one weighs half: 5 more. */
	for (n = 0; n < 20; n++) {
		admit(st, "carol", true, "a.example", t0 + 150, &lim, &r);
		if (r.answer != RG_BUDGET_ADMITTED)
			break;
	}
	UT_INT("rollover at g=0.5", "admitted", n, 5);
	UT_INT("rollover at g=0.5", "used as found", r.used.messages, 10);
	/* Two windows on, both old buckets are out of the window. */
	for (n = 0; n < 20; n++) {
		admit(st, "carol", true, "a.example", t0 + 200, &lim, &r);
		if (r.answer != RG_BUDGET_ADMITTED)
			break;
	}
	UT_INT("two windows on", "admitted", n, 5);	/* 1000 is out; 1001 weighs 5 */
	for (n = 0; n < 20; n++) {
		admit(st, "carol", true, "a.example", t0 + 300, &lim, &r);
		if (r.answer != RG_BUDGET_ADMITTED)
			break;
	}
	UT_INT("three windows on", "admitted", n, 5);	/* bucket 1002 holds 5 */
	admit(st, "carol", true, "a.example", t0 + 1000, &lim, &r);
	UT_INT("long after", "fresh", r.used.messages, 1);
	st->ops->destroy(&st);
}

/*
 * Expiry is set by the charge that makes a key, and never again: a later
 * charge leaves the expiry where it was, and that first expiry still
 * outlives the next bucket, when the key is last read.  On the server's
 * clock, so that bucket and TTL are on one clock.
 */
static double
server_now(void)
{
	redisReply *t = redisCommand(raw, "TIME");
	double v = -1;

	if (t != NULL && t->type == REDIS_REPLY_ARRAY && t->elements == 2)
		v = strtod(t->element[0]->str, NULL) + strtod(t->element[1]->str, NULL) / 1e6;
	if (t != NULL)
		freeReplyObject(t);
	return v;
}

static void
test_ttl_once(void)
{
	struct rg_budget_store *st = store("ttl:");
	struct rg_budget_limits lim = { 100, 1000, 1000, 10 };
	struct rg_budget_result r;
	static const char kinds[] = "mrd";
	double at[3], now, t;
	long long bucket;
	struct timespec pause = { 0, 300000000 };
	char key[64];

	CU_ASSERT_FATAL(st != NULL);
	t = server_now();
	admit(st, "olga", true, "a.example", 0, &lim, &r);
	now = server_now();
	UT_INT("first charge", "admitted", r.answer, RG_BUDGET_ADMITTED);
	/* The admit ran between t and now: in one of their buckets. */
	bucket = (long long)(now / lim.window);
	snprintf(key, sizeof(key), "ttl:{olga}:m:%lld", bucket);
	if (raw_int("EXISTS %s", key) != 1)
		bucket = (long long)(t / lim.window);
	for (int k = 0; k < 3; k++) {
		snprintf(key, sizeof(key), "ttl:{olga}:%c:%lld", kinds[k], bucket);
		at[k] = now + (double)raw_int("PTTL %s", key) / 1000;
		/* Still there when its bucket is the previous one, to the end. */
		UT_INT(key, "expires after the next bucket ends",
		    at[k] > (double)(bucket + 2) * lim.window, 1);
	}
	nanosleep(&pause, NULL);
	/* A charge of every kind again, in the same bucket: no expiry moves. */
	admit(st, "olga", true, "a.example", 0, &lim, &r);
	UT_INT("second charge", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("second charge", "counted", r.used.messages, 2);
	now = server_now();
	for (int k = 0; k < 3; k++) {
		double again;

		snprintf(key, sizeof(key), "ttl:{olga}:%c:%lld", kinds[k], bucket);
		again = now + (double)raw_int("PTTL %s", key) / 1000;
		/* Set again it would be 0.3 s later; allow 0.1 s for the reads. */
		UT_INT(key, "expiry not moved by a later charge", again < at[k] + 0.1, 1);
	}
	/* A domain refused near the limit puts the HyperLogLog back with its expiry. */
	lim.domains = 1;
	admit(st, "olga", false, "b.example", 0, &lim, &r);
	UT_INT("2nd domain, limit 1", "over", r.over, RG_BUDGET_DOMAINS);
	snprintf(key, sizeof(key), "ttl:{olga}:d:%lld", bucket);
	UT_INT("refused domain", "left out", raw_int("PFCOUNT %s", key), 1);
	UT_INT("refused domain", "expiry kept", raw_int("TTL %s", key) > 200, 1);
	st->ops->destroy(&st);
}

/* The server's clock cuts the window when the caller's is not used. */
static void
test_server_time(void)
{
	struct rg_budget_store *st = store("srv:");
	struct rg_budget_limits lim = { 1, 0, 0, 0 };
	struct rg_budget_result r;
	redisReply *t = redisCommand(raw, "TIME");
	long long bucket;

	CU_ASSERT_FATAL(st != NULL && t != NULL && t->type == REDIS_REPLY_ARRAY);
	bucket = strtoll(t->element[0]->str, NULL, 10);
	freeReplyObject(t);
	/* A caller's clock a day off must not matter. */
	admit(st, "dave", true, "a.example", 86400, &lim, &r);
	UT_INT("server time", "admitted", r.answer, RG_BUDGET_ADMITTED);
	/* TIME was read just before: the admit fell in that second or the next. */
	UT_INT("server time", "key in the server's bucket",
	    raw_int("GET srv:{dave}:m:%lld", bucket) == 1 ||
	    raw_int("GET srv:{dave}:m:%lld", bucket + 1) == 1, 1);
	UT_INT("server time", "none in the caller's", raw_int("GET srv:{dave}:m:86400"), -1);
	st->ops->destroy(&st);
}

/* ---- atomic check-and-charge under threads ---- */

#define NTHREADS	16
#define ATTEMPTS	40
#define TLIMIT		100

struct worker {
	struct rg_budget_store *st;
	int admitted, over, errors;
	char why[160];
};

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct rg_budget_limits lim = { 3600, TLIMIT, 0, 0 };
	struct rg_budget_result r;

	for (int i = 0; i < ATTEMPTS; i++) {
		admit(w->st, "mallory", true, "x.example", 3600.0 * 7, &lim, &r);
		if (r.answer == RG_BUDGET_ADMITTED)
			w->admitted++;
		else if (r.answer == RG_BUDGET_OVER)
			w->over++;
		else {
			w->errors++;
			snprintf(w->why, sizeof(w->why), "%s", r.why);
		}
	}
	return NULL;
}

static void
test_threads(void)
{
	/* Two stores: two gateways, each with its own pool. */
	struct rg_budget_store *a = store("thr:"), *b = store("thr:");
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	int admitted = 0, over = 0, errors = 0;

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	rg_budget_redis_client_clock(a, true);
	rg_budget_redis_client_clock(b, true);
	for (int i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].st = i % 2 ? a : b;
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, work, &w[i]) == 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		admitted += w[i].admitted;
		over += w[i].over;
		errors += w[i].errors;
		if (w[i].errors)
			printf("thread %d: %d errors, last: %s\n", i, w[i].errors, w[i].why);
	}
	printf("threads: %d admitted, %d over, %d errors of %d\n", admitted, over, errors,
	    NTHREADS * ATTEMPTS);
	UT_INT("16 threads, 2 pools", "errors", errors, 0);
	UT_INT("16 threads, 2 pools", "admitted: exactly the limit", admitted, TLIMIT);
	UT_INT("16 threads, 2 pools", "the rest over", over, NTHREADS * ATTEMPTS - TLIMIT);
	UT_INT("16 threads, 2 pools", "count in Redis", raw_int("GET thr:{mallory}:m:7"), TLIMIT);
	a->ops->destroy(&a);
	b->ops->destroy(&b);
}

/* ---- keys ---- */

static const char *const hostile[] = {
	"alice", "Alice", "a:b", "a%3Ab", "a}:m:1", "{x}", "a b", "a\r\nFLUSHALL",
	"\xc3\xa9l\xc3\xa8ve", "a*", "a?", "%", "a{b}:r:7",
};

static void
test_keys(void)
{
	struct rg_budget_store *st = store("key:");
	struct rg_budget_limits lim = { 3600, 1, 0, 0 };
	struct rg_budget_result r;
	redisReply *keys;
	char esc[64];

	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	/* Each login gets its one message: none shares another's keys. */
	for (size_t i = 0; i < UT_NROWS(hostile); i++) {
		admit(st, hostile[i], true, "a.example", 3600.0 * 9, &lim, &r);
		UT_INT(hostile[i], "own budget", r.answer, RG_BUDGET_ADMITTED);
		UT_INT(hostile[i], "own count", r.used.messages, 1);
	}
	keys = redisCommand(raw, "KEYS key:*");
	CU_ASSERT_FATAL(keys != NULL && keys->type == REDIS_REPLY_ARRAY);
	UT_INT("keys", "three per login", keys->elements, 3 * UT_NROWS(hostile));
	for (size_t i = 0; i < keys->elements; i++) {
		const char *k = keys->element[i]->str;
		size_t n = strspn(k + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789._@+-%");

		UT_INT(k, "prefix{", strncmp(k, "key:{", 5), 0);
		UT_INT(k, "only safe bytes, then }:", strncmp(k + 5 + n, "}:", 2), 0);
		UT_INT(k, "kind", strchr("mrd", k[7 + n]) != NULL && k[8 + n] == ':', 1);
		UT_STR(k, "bucket", k + 9 + n, "9");
	}
	freeReplyObject(keys);
	UT_INT("escape", "a:b", rg_budget_redis_key_login("a:b", esc, sizeof(esc)), 1);
	UT_STR("escape", "a:b", esc, "a%3Ab");
	rg_budget_redis_key_login("a%3Ab", esc, sizeof(esc));
	UT_STR("escape", "the escape char itself", esc, "a%253Ab");
	rg_budget_redis_key_login("a}\r\n", esc, sizeof(esc));
	UT_STR("escape", "braces and CR LF", esc, "a%7D%0D%0A");
	UT_INT("escape", "too small", rg_budget_redis_key_login("a:b", esc, 5), 0);
	UT_INT("escape", "just fits", rg_budget_redis_key_login("a:b", esc, 6), 1);
	/* A long login is not cut: it gets its whole key. */
	{
		char login[700];

		memset(login, ':', sizeof(login) - 1);
		login[sizeof(login) - 1] = '\0';
		admit(st, login, true, "a.example", 3600.0 * 9, &lim, &r);
		UT_INT("699-byte login", "admitted", r.answer, RG_BUDGET_ADMITTED);
		login[698] = 'x';
		admit(st, login, true, "a.example", 3600.0 * 9, &lim, &r);
		UT_INT("another 699-byte login", "its own", r.answer, RG_BUDGET_ADMITTED);
	}
	st->ops->destroy(&st);
}

/* ---- AUTH ---- */

static void
test_auth(void)
{
	char uri[600];
	struct rg_budget_limits lim = { 3600, 10, 0, 0 };
	struct rg_budget_result r;
	struct rg_budget_store *st;

	snprintf(uri, sizeof(uri), "unix:%s", pw_sock);
	st = store_for(uri, "auth:", pw, 2, 2.0);
	CU_ASSERT_FATAL(st != NULL);
	admit(st, "erin", true, "a.example", 1e9, &lim, &r);
	UT_INT("right password", "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_STR("right password", "why", r.why, "");
	st->ops->destroy(&st);

	st = store_for(uri, "auth:", "not-the-password-xyzzy", 2, 2.0);
	CU_ASSERT_FATAL(st != NULL);
	admit(st, "erin", true, "a.example", 1e9, &lim, &r);
	UT_INT("wrong password", "error", r.answer, RG_BUDGET_ERROR);
	UT_HAS("wrong password", "why", r.why, "AUTH refused (check budgets.redis.password_file)");
	UT_HAS("wrong password", "server's words", r.why, "WRONGPASS");
	UT_INT("wrong password", "never in why", strstr(r.why, "xyzzy") == NULL, 1);
	printf("wrong password: %s\n", r.why);
	st->ops->destroy(&st);

	st = store_for(uri, "auth:", NULL, 2, 2.0);
	CU_ASSERT_FATAL(st != NULL);
	admit(st, "erin", true, "a.example", 1e9, &lim, &r);
	UT_INT("no password", "error", r.answer, RG_BUDGET_ERROR);
	UT_HAS("no password", "why", r.why,
	    "the server wants a password (set budgets.redis.password_file): NOAUTH");
	printf("no password: %s\n", r.why);
	st->ops->destroy(&st);
}

/* ---- NOSCRIPT ---- */

static void
test_noscript(void)
{
	struct rg_budget_store *st = store("ns:");
	struct rg_budget_limits lim = { 3600, 10, 0, 0 };
	struct rg_budget_result r;

	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	admit(st, "frank", true, "a.example", 3600, &lim, &r);
	UT_INT("before flush", "admitted", r.answer, RG_BUDGET_ADMITTED);
	freeReplyObject(redisCommand(raw, "SCRIPT FLUSH"));
	admit(st, "frank", true, "a.example", 3600, &lim, &r);
	UT_INT("after SCRIPT FLUSH", "EVAL fallback admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_INT("after SCRIPT FLUSH", "counted once each", r.used.messages, 2);
	st->ops->destroy(&st);
}

/* ---- the breaker ---- */

static void
test_breaker(void)
{
	struct rg_budget_store *st = store_for("unix:/nonexistent/redis.sock", "br:", NULL, 2, 0.5);
	struct rg_budget_limits lim = { 3600, 10, 0, 0 };
	struct rg_budget_result r;
	double t;

	CU_ASSERT_FATAL(st != NULL);
	admit(st, "gina", true, "a.example", 1e9, &lim, &r);
	UT_INT("no server", "error", r.answer, RG_BUDGET_ERROR);
	UT_HAS("no server", "why", r.why, "connect: No such file or directory");
	admit(st, "gina", true, "a.example", 1e9, &lim, &r);
	UT_INT("2nd failure", "error", r.answer, RG_BUDGET_ERROR);
	t = rg_clock_monotonic();
	admit(st, "gina", true, "a.example", 1e9, &lim, &r);
	t = rg_clock_monotonic() - t;
	UT_INT("breaker open", "error", r.answer, RG_BUDGET_ERROR);
	UT_HAS("breaker open", "why", r.why, "is marked down; retrying within 1s");
	/* No network: microseconds, with room for a preempted thread. */
	UT_INT("breaker open", "at once (< 20 ms)", t < 0.02, 1);
	st->ops->destroy(&st);
}

/* A frozen server costs the timeout, twice, and then nothing. */
static void
test_frozen(void)
{
	char uri[600];
	struct rg_budget_store *st;
	struct rg_budget_limits lim = { 3600, 1000, 0, 0 };
	struct rg_budget_result r;
	double t, lat[4];

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	st = store_for(uri, "frz:", NULL, 2, 0.2);
	CU_ASSERT_FATAL(st != NULL);
	admit(st, "hank", true, "a.example", 1e9, &lim, &r);
	UT_INT("before the freeze", "admitted", r.answer, RG_BUDGET_ADMITTED);
	CU_ASSERT_FATAL(kill(redis_pid, SIGSTOP) == 0);
	for (int i = 0; i < 4; i++) {
		t = rg_clock_monotonic();
		admit(st, "hank", true, "a.example", 1e9, &lim, &r);
		lat[i] = rg_clock_monotonic() - t;
		UT_INT("frozen", "error", r.answer, RG_BUDGET_ERROR);
	}
	kill(redis_pid, SIGCONT);
	printf("frozen: %.3f %.3f s, then through the breaker %.6f %.6f s\n", lat[0], lat[1],
	    lat[2], lat[3]);
	/* The timeout, with room for a loaded machine; never much past it. */
	UT_INT("1st frozen admit", ">= 0.19 s", lat[0] >= 0.19, 1);
	UT_INT("1st frozen admit", "< 0.5 s", lat[0] < 0.5, 1);
	UT_INT("2nd frozen admit", "< 0.5 s", lat[1] < 0.5, 1);
	UT_INT("breaker open", "< 20 ms", lat[2] < 0.02 && lat[3] < 0.02, 1);
	/* After the interval a probe finds it thawed. */
	{
		struct timespec ts = { 1, 100000000 };

		nanosleep(&ts, NULL);
	}
	admit(st, "hank", true, "a.example", 1e9, &lim, &r);
	UT_INT("thawed, probe", "admitted", r.answer, RG_BUDGET_ADMITTED);
	st->ops->destroy(&st);
}

/* The tcp: form reaches the same server and the same keys. */
static void
test_tcp(void)
{
	char uri[300];
	struct rg_budget_store *st;
	struct rg_budget_limits lim = { 3600, 10, 0, 0 };
	struct rg_budget_result r;

	snprintf(uri, sizeof(uri), "tcp:%s", tcp);
	st = store_for(uri, "tcp:", NULL, 2, 2.0);
	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	admit(st, "kate", true, "a.example", 3600.0 * 3, &lim, &r);
	UT_INT(uri, "admitted", r.answer, RG_BUDGET_ADMITTED);
	UT_STR(uri, "why", r.why, "");
	UT_INT(uri, "the key, seen on the unix socket", raw_int("GET tcp:{kate}:m:3"), 1);
	st->ops->destroy(&st);
}

/*
 * pool_size 1: while one admit holds the only connection (on a frozen
 * server), a second waits for it only until its own deadline.
 */
struct holder {
	struct rg_budget_store *st;
	struct rg_budget_result r;
	double took;
};

static void *
hold(void *arg)
{
	struct holder *h = arg;
	struct rg_budget_limits lim = { 3600, 1000, 0, 0 };
	double t = rg_clock_monotonic();

	admit(h->st, "leo", true, "a.example", 1e9, &lim, &h->r);
	h->took = rg_clock_monotonic() - t;
	return NULL;
}

static void
test_pool_wait(void)
{
	char uri[600];
	struct holder a = { 0 }, b = { 0 };
	struct rg_budget_limits lim = { 3600, 1000, 0, 0 };
	struct rg_budget_result r;
	struct timespec ts = { 0, 50000000 };
	pthread_t ta, tb;

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	a.st = store_for(uri, "pool:", NULL, 1, 0.3);
	CU_ASSERT_FATAL(a.st != NULL);
	admit(a.st, "leo", true, "a.example", 1e9, &lim, &r);	/* the connection opens */
	UT_INT("pool of 1", "admitted", r.answer, RG_BUDGET_ADMITTED);
	b.st = a.st;
	CU_ASSERT_FATAL(kill(redis_pid, SIGSTOP) == 0);
	CU_ASSERT_FATAL(pthread_create(&ta, NULL, hold, &a) == 0);
	nanosleep(&ts, NULL);	/* a has the connection */
	CU_ASSERT_FATAL(pthread_create(&tb, NULL, hold, &b) == 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	kill(redis_pid, SIGCONT);
	printf("pool of 1: holder %.3f s (%s), waiter %.3f s (%s)\n", a.took, a.r.why, b.took,
	    b.r.why);
	UT_INT("holder", "error", a.r.answer, RG_BUDGET_ERROR);
	UT_HAS("holder", "why", a.r.why, "timed out");
	UT_INT("waiter", "error", b.r.answer, RG_BUDGET_ERROR);
	/*
	 * The holder frees the connection at its own deadline, a little
	 * before the waiter's: the waiter either gives up waiting or gets it
	 * with almost nothing left.  Either way its deadline holds.
	 */
	UT_INT(b.r.why, "no free connection, or too late to use it",
	    strstr(b.r.why, "no free Redis connection within 0.300s (pool_size 1)") != NULL ||
	    strstr(b.r.why, "timed out") != NULL, 1);
	UT_INT("waiter", ">= its timeout", b.took >= 0.29, 1);
	UT_INT("waiter", "< its timeout + 0.2 s", b.took < 0.5, 1);
	a.st->ops->destroy(&a.st);
}

/*
 * A connection borrowed after a wait has less time left than its socket
 * timeout, set by the admit before: the timeout must be set again, or
 * the deadline slips by the wait.  CLIENT PAUSE holds every client's
 * commands, in order: the holder's script runs at the end of the first
 * pause, the second pause is set in the same instant, and the waiter's
 * script, sent just after, waits it out.
 */
static void
test_pool_wait_deadline(void)
{
	char uri[600];
	struct holder a = { 0 }, b = { 0 };
	struct rg_budget_limits lim = { 3600, 1000, 0, 0 };
	struct rg_budget_result r;
	struct timespec ts = { 0, 50000000 }, ts2 = { 0, 100000000 };
	pthread_t ta, tb;
	redisReply *rep;
	int done = 0;
	void *reply = NULL;

	snprintf(uri, sizeof(uri), "unix:%s", sock);
	a.st = store_for(uri, "pwd:", NULL, 1, 0.6);
	CU_ASSERT_FATAL(a.st != NULL);
	admit(a.st, "leo", true, "a.example", 1e9, &lim, &r);	/* opens; timeout 0.6 s */
	UT_INT("pool of 1, 0.6 s", "admitted", r.answer, RG_BUDGET_ADMITTED);
	b.st = a.st;
	rep = redisCommand(raw, "CLIENT PAUSE 300");
	CU_ASSERT_FATAL(rep != NULL && rep->type == REDIS_REPLY_STATUS);
	freeReplyObject(rep);
	CU_ASSERT_FATAL(pthread_create(&ta, NULL, hold, &a) == 0);
	nanosleep(&ts, NULL);
	CU_ASSERT_FATAL(pthread_create(&tb, NULL, hold, &b) == 0);
	nanosleep(&ts2, NULL);
	/* Queued behind the holder's script; run when the first pause ends. */
	CU_ASSERT_FATAL(redisAppendCommand(raw, "CLIENT PAUSE 800") == REDIS_OK);
	while (!done)
		CU_ASSERT_FATAL(redisBufferWrite(raw, &done) == REDIS_OK);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CU_ASSERT_FATAL(redisGetReply(raw, &reply) == REDIS_OK);
	freeReplyObject(reply);
	printf("pool wait deadline: holder %.3f s (%s), waiter %.3f s (%s)\n", a.took,
	    a.r.why, b.took, b.r.why);
	UT_INT("holder, paused 0.3 s", "admitted", a.r.answer, RG_BUDGET_ADMITTED);
	UT_INT("waiter", "error", b.r.answer, RG_BUDGET_ERROR);
	UT_HAS("waiter", "why", b.r.why, "EVALSHA: timed out");
	/* Its own 0.6 s, not the 0.3 s wait plus a 0.6 s socket timeout. */
	UT_INT("waiter", "< its timeout + 0.2 s", b.took < 0.8, 1);
	/* The second pause ends (CLIENT PAUSE replied at once; wait it out). */
	nanosleep(&(struct timespec){ 0, 600000000 }, NULL);
	a.st->ops->destroy(&a.st);
}

/* ---- agreement with policy/budget.c ---- */

#define NDOMAINS	6
static const char *const domains[NDOMAINS] = {
	"a.example", "b.example", "c.example", "d.example", "e.example", "f.example",
};

/* The model: exact bucket counts, decided by policy/budget.c. */
struct model {
	int64_t bucket[3];	/* bucket index of slots */
	double m[3], r[3];
	unsigned d[3];		/* bitmask of domains */
};

static int
slot(struct model *md, int64_t b)
{
	int i = (int)(((b % 3) + 3) % 3);

	if (md->bucket[i] != b) {
		md->bucket[i] = b;
		md->m[i] = md->r[i] = 0;
		md->d[i] = 0;
	}
	return i;
}

static void
test_agreement(void)
{
	struct rg_budget_store *st = store("agr:");
	struct rg_budget_limits lim = { 60, 7, 15, 4 };
	struct model md = { { -9, -9, -9 }, { 0 }, { 0 }, { 0 } };
	const char *env = getenv("RG_SEED");
	unsigned seed = env != NULL ? (unsigned)strtoul(env, NULL, 10) :
	    (unsigned)time(NULL) ^ (unsigned)getpid();
	double t = 60.0 * 20000;
	int mismatches = 0, admitted = 0, over = 0;
	bool in_message = false;

	printf("agreement: seed %u (RG_SEED=%u to repeat)\n", seed, seed);
	CU_ASSERT_FATAL(st != NULL);
	rg_budget_redis_client_clock(st, true);
	srandom(seed);
	for (int step = 0; step < 3000; step++) {
		struct rg_budget_estimate e;
		struct rg_budget_charge ch;
		struct rg_budget_result r;
		enum rg_budget_kind want;
		int64_t b;
		double g;
		int c, p, dom = (int)(random() % NDOMAINS), di;
		unsigned cur_bits, prev_bits;
		bool msg;

		/* Steps of 0 to 4 s in 1/64 s, which "%.6f" carries exactly. */
		t += (double)(random() % 257) / 64.0;
		msg = !in_message || random() % 3 == 0;
		b = rg_budget_bucket(t, lim.window);
		g = rg_budget_gone(t, lim.window);
		c = slot(&md, b);
		p = slot(&md, b - 1);
		cur_bits = md.d[c];
		prev_bits = md.d[p];
		e.messages = rg_budget_estimate(md.m[p], md.m[c], g);
		e.recipients = rg_budget_estimate(md.r[p], md.r[c], g);
		e.domains = rg_budget_estimate(__builtin_popcount(prev_bits),
		    __builtin_popcount(cur_bits), g);
		ch.message = msg;
		ch.domain = !(cur_bits & (1u << dom));
		want = rg_budget_decide(&e, &ch, &lim);
		admit(st, "ivan", msg, domains[dom], t, &lim, &r);
		di = want == RG_BUDGET_NONE ? (ch.domain ? 1 : 0) : 0;
		if (r.answer == RG_BUDGET_ERROR ||
		    (want == RG_BUDGET_NONE) != (r.answer == RG_BUDGET_ADMITTED) ||
		    (want != RG_BUDGET_NONE && r.over != want) ||
		    r.used.messages != rg_budget_round(e.messages + (want ? 0 : msg)) ||
		    r.used.recipients != rg_budget_round(e.recipients + (want ? 0 : 1)) ||
		    r.used.domains != rg_budget_round(e.domains + di)) {
			if (mismatches++ < 5)
				printf("step %d t=%.6f msg=%d %s: C says %s %.3f/%.3f/%.3f, "
				    "Redis says %d kind %d used %llu/%llu/%llu %s\n", step, t, msg,
				    domains[dom], rg_budget_kind_name(want), e.messages,
				    e.recipients, e.domains, r.answer, r.over,
				    (unsigned long long)r.used.messages,
				    (unsigned long long)r.used.recipients,
				    (unsigned long long)r.used.domains, r.why);
		}
		if (want == RG_BUDGET_NONE) {
			md.m[c] += msg;
			md.r[c] += 1;
			md.d[c] |= 1u << dom;
			in_message = true;
			admitted++;
		} else {
			over++;
			in_message = random() % 2;
		}
	}
	printf("agreement: %d admitted, %d over, %d mismatches\n", admitted, over, mismatches);
	UT_INT("Lua and policy/budget.c", "mismatches", mismatches, 0);
	UT_INT("the sequence", "reaches the limits", over > 100 && admitted > 100, 1);
	st->ops->destroy(&st);
}

int
main(void)
{
	CU_pSuite s;
	char *pid;

	signal(SIGPIPE, SIG_IGN);
	sock = getenv("RG_REDIS_SOCK");
	pw_sock = getenv("RG_REDIS_PW_SOCK");
	pw = getenv("RG_REDIS_PW");
	pid = getenv("RG_REDIS_PID");
	tcp = getenv("RG_REDIS_TCP");
	if (sock == NULL || pw_sock == NULL || pw == NULL || pid == NULL || tcp == NULL) {
		fprintf(stderr, "run through tests/redis/store.sh\n");
		return 99;
	}
	redis_pid = (pid_t)strtol(pid, NULL, 10);
	raw = redisConnectUnix(sock);
	if (raw == NULL || raw->err) {
		fprintf(stderr, "cannot connect to %s\n", sock);
		return 99;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("redis store");
	ut_test(s, "uri forms", test_uris);
	ut_test(s, "limits", test_limits);
	ut_test(s, "expiry and rollover", test_expiry);
	ut_test(s, "expiry set once", test_ttl_once);
	ut_test(s, "server time", test_server_time);
	ut_test(s, "threads", test_threads);
	ut_test(s, "keys", test_keys);
	ut_test(s, "auth", test_auth);
	ut_test(s, "noscript", test_noscript);
	ut_test(s, "breaker", test_breaker);
	ut_test(s, "frozen", test_frozen);
	ut_test(s, "tcp", test_tcp);
	ut_test(s, "pool wait", test_pool_wait);
	ut_test(s, "pool wait, deadline kept", test_pool_wait_deadline);
	ut_test(s, "agreement", test_agreement);
	lease_tests(s);
	return ut_run();
}
