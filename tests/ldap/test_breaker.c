/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_breaker.c - the pool's per-URI breaker, driven without slapd:
 * two in-process fake servers on loopback that either answer a simple
 * bind or drop the connection at once, switched between calls.
 *
 * The failback rows drive the breaker's and the failback's time with an
 * injected clock (rg_ldap_pool_set_clock), so the 60 s failback is tested
 * without waiting for it.
 *
 * Issue 13, defect 1: after a full outage the lookup that found the
 * first URI back claimed the second URI's half-open probe and never gave
 * it back, so the second URI was skipped for good.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/clock.h"
#include "directory/dir_ldap_pool.h"
#include "test_ldap.h"

#define RETRY	0.2	/* the breaker's interval here, in seconds */

struct fake {
	int lfd;
	int port;
	volatile bool up;	/* answer binds, or drop each connection */
	volatile bool stop;
	int held[64];		/* connections kept open after a bind */
	int nheld;
	pthread_t t;
	char uri[64];
};

/* Answer one BindRequest with success, echoing its message id. */
static void
answer_bind(struct fake *f, int fd)
{
	unsigned char req[512], resp[] = { 0x30, 0x0c, 0x02, 0x01, 0x00, 0x61, 0x07,
	    0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	size_t at;

	if (poll(&pfd, 1, 2000) != 1 || (n = read(fd, req, sizeof(req))) < 5) {
		close(fd);
		return;
	}
	/* SEQUENCE, its length (short or long form), then INTEGER msgid. */
	at = (req[1] & 0x80) ? 2 + (size_t)(req[1] & 0x7f) : 2;
	if (at + 2 >= (size_t)n || req[at] != 0x02 || req[at + 1] != 1) {
		close(fd);
		return;
	}
	resp[4] = req[at + 2];
	if (write(fd, resp, sizeof(resp)) != (ssize_t)sizeof(resp) || f->nheld == 64) {
		close(fd);
		return;
	}
	f->held[f->nheld++] = fd;
}

static void *
serve(void *arg)
{
	struct fake *f = arg;

	while (!f->stop) {
		struct pollfd pfd = { f->lfd, POLLIN, 0 };
		int fd;

		if (poll(&pfd, 1, 50) != 1 || (fd = accept(f->lfd, NULL, NULL)) < 0)
			continue;
		if (f->up)
			answer_bind(f, fd);
		else
			close(fd);	/* down: the bind fails */
	}
	return NULL;
}

static void
fake_start(struct fake *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);

	memset(f, 0, sizeof(*f));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_FATAL(f->lfd >= 0);
	CU_ASSERT_FATAL(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CU_ASSERT_FATAL(listen(f->lfd, 16) == 0);
	CU_ASSERT_FATAL(getsockname(f->lfd, (struct sockaddr *)&sa, &len) == 0);
	f->port = ntohs(sa.sin_port);
	snprintf(f->uri, sizeof(f->uri), "ldap://127.0.0.1:%d/", f->port);
	CU_ASSERT_FATAL(pthread_create(&f->t, NULL, serve, f) == 0);
}

static void
fake_stop(struct fake *f)
{
	f->stop = true;
	pthread_join(f->t, NULL);
	for (int i = 0; i < f->nheld; i++)
		close(f->held[i]);
	close(f->lfd);
}

/* One connect attempt on the pool's only slot, as a lookup makes it. */
static bool
ready(struct rg_ldap_pool *p, struct rg_ldap_conn **c, struct rg_dir_answer *a)
{
	double deadline = rg_clock_monotonic() + 2.0;

	memset(a, 0, sizeof(*a));
	*c = NULL;
	if (rg_ldap_pool_all_down(p, a))
		return false;
	*c = rg_ldap_pool_acquire(p, deadline);
	CU_ASSERT_FATAL(*c != NULL);
	return rg_ldap_conn_ready(p, *c, deadline, a);
}

static void
test_failover_after_outage(void)
{
	struct fake A, B;
	const char *uris[2];
	struct rg_ldap_settings set;
	struct rg_ldap_pool *p;
	struct rg_ldap_conn *c;
	struct rg_dir_answer a;
	char err[256];
	bool ok;

	signal(SIGPIPE, SIG_IGN);
	fake_start(&A);
	fake_start(&B);
	uris[0] = A.uri;
	uris[1] = B.uri;
	memset(&set, 0, sizeof(set));
	set.uris = uris;
	set.nuris = 2;
	set.starttls = RG_LDAP_STARTTLS_OFF;
	set.timeout = 2.0;
	set.pool_size = 1;
	set.retry_interval = RETRY;
	p = rg_ldap_pool_new(&set, err, sizeof(err));
	CU_ASSERT_FATAL(p != NULL);

	/* Both down, twice: the breaker holds both. */
	for (int i = 0; i < 2; i++) {
		ok = ready(p, &c, &a);
		CU_ASSERT(!ok);
		if (c != NULL)
			rg_ldap_pool_release(p, c);
	}
	CU_ASSERT(rg_ldap_pool_all_down(p, &a));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.why, "every LDAP server is marked down"));

	/* A comes back; past the interval, one lookup reaches it. */
	A.up = true;
	usleep((useconds_t)(RETRY * 1.5e6));
	ok = ready(p, &c, &a);
	CU_ASSERT_FATAL(ok);
	CU_ASSERT_STRING_EQUAL(rg_ldap_conn_uri(p, c), A.uri);
	rg_ldap_pool_release(p, c);

	/* A goes, B comes: the next lookups must reach B. */
	B.up = true;
	A.up = false;
	usleep((useconds_t)(RETRY * 1.5e6));
	c = rg_ldap_pool_acquire(p, rg_clock_monotonic() + 2.0);
	CU_ASSERT_FATAL(c != NULL);
	rg_ldap_conn_fail(p, c, true, "test: A went away");
	rg_ldap_pool_release(p, c);
	for (int i = 0; i < 3; i++) {
		ok = ready(p, &c, &a);
		CU_ASSERT(ok);
		if (!ok)
			fprintf(stderr, "lookup %d: %s: %s\n", i, a.source, a.why);
		else
			CU_ASSERT_STRING_EQUAL(rg_ldap_conn_uri(p, c), B.uri);
		if (c != NULL)
			rg_ldap_pool_release(p, c);
	}
	rg_ldap_pool_destroy(&p);
	CU_ASSERT_PTR_NULL(p);
	fake_stop(&A);
	fake_stop(&B);
}

/* The breaker's and the failback's time, moved on by the test. */
static double
fake_clock(void *arg)
{
	return *(const double *)arg;
}

/* A pool of one slot on A then B, timed by *now; A and B start down, up. */
static struct rg_ldap_pool *
failback_pool(struct fake *A, struct fake *B, const char **uris, double *now)
{
	struct rg_ldap_settings set;
	struct rg_ldap_pool *p;
	char err[256];

	signal(SIGPIPE, SIG_IGN);
	fake_start(A);
	fake_start(B);
	B->up = true;
	uris[0] = A->uri;
	uris[1] = B->uri;
	memset(&set, 0, sizeof(set));
	set.uris = uris;
	set.nuris = 2;
	set.starttls = RG_LDAP_STARTTLS_OFF;
	set.timeout = 2.0;
	set.pool_size = 1;
	set.retry_interval = 10;
	p = rg_ldap_pool_new(&set, err, sizeof(err));
	CU_ASSERT_FATAL(p != NULL);
	*now = 1000;
	rg_ldap_pool_set_clock(p, fake_clock, now);
	return p;
}

/* One lookup's connection at the pool's time; 'want' is the URI it must reach. */
static void
lookup_on(struct rg_ldap_pool *p, const char *row, const char *want)
{
	struct rg_ldap_conn *c;
	struct rg_dir_answer a;
	bool ok = ready(p, &c, &a);

	if (!ok)
		fprintf(stderr, "%s: %s: %s\n", row, a.source, a.why);
	CU_ASSERT(ok);
	if (ok && strcmp(rg_ldap_conn_uri(p, c), want) != 0) {
		fprintf(stderr, "%s: on %s, want %s\n", row, rg_ldap_conn_uri(p, c), want);
		CU_FAIL("connected to the wrong URI");
	}
	if (c != NULL)
		rg_ldap_pool_release(p, c);
}

/* A failed once (not held down): after the failback time the slot goes back to A. */
static void
test_failback_after_flap(void)
{
	struct fake A, B;
	const char *uris[2];
	double now;
	struct rg_ldap_pool *p = failback_pool(&A, &B, uris, &now);

	lookup_on(p, "A down", B.uri);
	A.up = true;
	now += 30;
	lookup_on(p, "30 s later: not yet", B.uri);
	now += 31;
	lookup_on(p, "61 s after opening: back on A", A.uri);
	lookup_on(p, "and stays", A.uri);
	rg_ldap_pool_destroy(&p);
	fake_stop(&A);
	fake_stop(&B);
}

/*
 * A failed twice (held down by its breaker) and came back: a healthy
 * connection to B must not keep the pool off A for good.
 */
static void
test_failback_after_outage(void)
{
	struct fake A, B;
	const char *uris[2];
	double now;
	struct rg_ldap_pool *p = failback_pool(&A, &B, uris, &now);
	struct rg_ldap_conn *c;
	struct rg_dir_answer a;

	lookup_on(p, "A down once", B.uri);
	/* B's connection goes idle-closed: the reconnect tries A a second time. */
	c = rg_ldap_pool_acquire(p, rg_clock_monotonic() + 2.0);
	CU_ASSERT_FATAL(c != NULL);
	rg_ldap_conn_fail(p, c, false, "test: idle close");
	rg_ldap_pool_release(p, c);
	lookup_on(p, "A down twice", B.uri);
	memset(&a, 0, sizeof(a));
	CU_ASSERT(!rg_ldap_pool_all_down(p, &a));
	A.up = true;
	now += 5;
	lookup_on(p, "A back, within its interval", B.uri);
	now += 56;
	lookup_on(p, "61 s after opening: A probed and back", A.uri);
	lookup_on(p, "and stays", A.uri);
	rg_ldap_pool_destroy(&p);
	fake_stop(&A);
	fake_stop(&B);
}

/* A still down when the failback time comes: B again, and A waits its interval. */
static void
test_failback_to_dead(void)
{
	struct fake A, B;
	const char *uris[2];
	double now;
	struct rg_ldap_pool *p = failback_pool(&A, &B, uris, &now);
	struct rg_ldap_conn *c;

	lookup_on(p, "A down once", B.uri);
	c = rg_ldap_pool_acquire(p, rg_clock_monotonic() + 2.0);
	CU_ASSERT_FATAL(c != NULL);
	rg_ldap_conn_fail(p, c, false, "test: idle close");
	rg_ldap_pool_release(p, c);
	lookup_on(p, "A down twice", B.uri);
	now += 61;
	lookup_on(p, "failback probe fails: B", B.uri);
	A.up = true;
	now += 5;
	lookup_on(p, "A up, but the new B connection is young", B.uri);
	now += 56;
	lookup_on(p, "next failback: A", A.uri);
	rg_ldap_pool_destroy(&p);
	fake_stop(&A);
	fake_stop(&B);
}

/* The URI count is checked where the settings enter the pool, with an error. */
static void
test_uri_count(void)
{
	static const char *const many[RG_LDAP_MAX_URIS + 1] = { "ldap://127.0.0.1:9/" };
	const char *uris[RG_LDAP_MAX_URIS + 1];
	static const size_t counts[] = { 0, 1, RG_LDAP_MAX_URIS, RG_LDAP_MAX_URIS + 1 };
	struct rg_ldap_settings set;

	for (size_t i = 0; i < RG_LDAP_MAX_URIS + 1; i++)
		uris[i] = many[0];
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		char err[256] = "";
		struct rg_ldap_pool *p;
		bool want = counts[k] >= 1 && counts[k] <= RG_LDAP_MAX_URIS;

		memset(&set, 0, sizeof(set));
		set.uris = uris;
		set.nuris = counts[k];
		set.timeout = 1;
		set.pool_size = 1;
		p = rg_ldap_pool_new(&set, err, sizeof(err));
		if ((p != NULL) != want)
			fprintf(stderr, "%zu URIs: pool %s (%s)\n", counts[k], p ? "made" : "refused",
			    err);
		CU_ASSERT((p != NULL) == want);
		if (!want)
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "LDAP URIs; 1 to 16 are allowed"));
		rg_ldap_pool_destroy(&p);
	}
}

int
rg_test_add_breaker(void)
{
	CU_pSuite s = CU_add_suite("ldap breaker", NULL, NULL);

	if (s == NULL || CU_add_test(s, "failover after a full outage",
	    test_failover_after_outage) == NULL ||
	    CU_add_test(s, "failback to the first URI after a flap",
	    test_failback_after_flap) == NULL ||
	    CU_add_test(s, "failback to the first URI after an outage",
	    test_failback_after_outage) == NULL ||
	    CU_add_test(s, "failback while the first URI is still dead",
	    test_failback_to_dead) == NULL ||
	    CU_add_test(s, "URI count: 1 to RG_LDAP_MAX_URIS", test_uri_count) == NULL)
		return -1;
	return 0;
}
