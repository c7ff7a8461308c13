/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_breaker.c - the circuit breaker's state machine (common/breaker.h)
 * and the clock helpers (common/clock.h), with main() for this program,
 * which also runs test_strmap.c.
 *
 * Each row is a script of calls at given times with the answer each call
 * must give; the breaker takes the time as an argument, so no row sleeps.
 * The failback of the LDAP pool to its first URI is tested at pool level
 * with an injected clock in tests/ldap/test_breaker.c (it needs the fake
 * LDAP servers that live there).
 */
#include "unit.h"
#include "common/breaker.h"
#include "common/clock.h"

enum op {
	END,
	ENTER,		/* rg_breaker_enter(t): want a gate */
	SKIPPING,	/* rg_breaker_skipping(t): want 0 or 1 */
	OK,		/* rg_breaker_success(): want "changed" */
	FAIL,		/* rg_breaker_failure(t): want "changed" */
	RELEASE,	/* rg_breaker_release(): nothing to want */
	ISOPEN,		/* the open flag: want 0 or 1 */
};

struct step {
	enum op op;
	double t;
	int want;
};

struct row {
	const char *name;
	int threshold;
	double interval;
	struct step steps[16];
};

#define P	RG_BREAKER_PASS
#define PR	RG_BREAKER_PROBE
#define S	RG_BREAKER_SKIP

static const struct row rows[] = {
	{ "threshold failures open it", 2, 10, {
		{ ENTER, 0, P }, { FAIL, 0, 0 }, { ISOPEN, 0, 0 }, { ENTER, 1, P },
		{ FAIL, 1, 1 }, { ISOPEN, 0, 1 }, { SKIPPING, 1, 1 }, { ENTER, 1, S } } },
	{ "three of three", 3, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 0 }, { ENTER, 0, P }, { FAIL, 0, 1 },
		{ ENTER, 0, S } } },
	{ "a success resets the count", 2, 10, {
		{ FAIL, 0, 0 }, { OK, 0, 0 }, { FAIL, 1, 0 }, { ENTER, 1, P }, { FAIL, 2, 1 },
		{ ENTER, 2, S } } },
	{ "threshold 0 means 1", 0, 10, {
		{ FAIL, 0, 1 }, { ENTER, 0, S } } },
	{ "skip while open, up to the interval", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 5, S }, { SKIPPING, 9.999, 1 },
		{ ENTER, 9.999, S }, { SKIPPING, 10, 0 }, { ENTER, 10, PR } } },
	{ "exactly one probe per interval", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 12, PR }, { ENTER, 12, S },
		{ SKIPPING, 12, 1 }, { ENTER, 30, S }, { ENTER, 1000, S } } },
	{ "skipping() claims nothing", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { SKIPPING, 10, 0 }, { SKIPPING, 10, 0 },
		{ ENTER, 10, PR }, { SKIPPING, 10, 1 } } },
	{ "probe success closes, true once", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 10, PR }, { OK, 0, 1 },
		{ ISOPEN, 0, 0 }, { ENTER, 10, P }, { ENTER, 10, P }, { OK, 0, 0 },
		{ SKIPPING, 10, 0 } } },
	{ "after closing, threshold failures again", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 10, PR }, { OK, 0, 1 },
		{ FAIL, 11, 0 }, { ENTER, 11, P }, { FAIL, 11, 1 }, { ENTER, 20, S },
		{ ENTER, 21, PR } } },
	{ "probe failure reopens for another interval", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 10, PR }, { FAIL, 10, 0 },
		{ ISOPEN, 0, 1 }, { ENTER, 10, S }, { ENTER, 19.9, S }, { ENTER, 20, PR },
		{ ENTER, 20, S } } },
	{ "a late failure while open pushes the probe back", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { FAIL, 5, 0 }, { ENTER, 10, S },
		{ ENTER, 15, PR } } },
	{ "release lets the next caller probe", 2, 10, {
		{ FAIL, 0, 0 }, { FAIL, 0, 1 }, { ENTER, 10, PR }, { RELEASE, 0, 0 },
		{ ISOPEN, 0, 1 }, { SKIPPING, 10, 0 }, { ENTER, 10, PR }, { ENTER, 10, S } } },
	{ "release on a closed breaker is harmless", 2, 10, {
		{ RELEASE, 0, 0 }, { ENTER, 0, P }, { FAIL, 0, 0 }, { RELEASE, 0, 0 },
		{ FAIL, 0, 1 } } },
};

static const char *const opname[] = {
	"end", "enter", "skipping", "success", "failure", "release", "open"
};

static void
run_row(const struct row *r)
{
	struct rg_breaker b;
	int nsteps = 0;

	rg_breaker_init(&b, r->threshold, r->interval);
	UT_INT(r->name, "open after init", b.open, false);
	for (int i = 0; i < (int)UT_NROWS(r->steps) && r->steps[i].op != END; i++) {
		const struct step *st = &r->steps[i];
		char what[96];
		long got = 0;

		snprintf(what, sizeof(what), "step %d: %s at %g", i + 1, opname[st->op], st->t);
		switch (st->op) {
		case ENTER:
			got = rg_breaker_enter(&b, st->t);
			break;
		case SKIPPING:
			got = rg_breaker_skipping(&b, st->t);
			break;
		case OK:
			got = rg_breaker_success(&b);
			break;
		case FAIL:
			got = rg_breaker_failure(&b, st->t);
			break;
		case RELEASE:
			rg_breaker_release(&b);
			got = st->want;
			break;
		case ISOPEN:
			got = b.open;
			break;
		case END:
			break;
		}
		UT_INT(r->name, what, got, st->want);
		nsteps++;
	}
	/* A row whose script is empty would test nothing. */
	UT_INT(r->name, "has steps", nsteps > 0, true);
}

static void
test_breaker_rows(void)
{
	for (size_t i = 0; i < UT_NROWS(rows); i++)
		run_row(&rows[i]);
}

struct tv_row {
	const char *name;
	double secs;
	long sec, usec_min, usec_max;	/* a range: binary fractions round */
};

static void
test_timeval_of(void)
{
	static const struct tv_row t[] = {
		{ "zero becomes a millisecond", 0, 0, 1000, 1000 },
		{ "negative becomes a millisecond", -5, 0, 1000, 1000 },
		{ "below a millisecond", 0.0004, 0, 1000, 1000 },
		{ "a millisecond", 0.001, 0, 999, 1000 },
		{ "two and a half", 2.5, 2, 500000, 500000 },
		{ "whole seconds", 7, 7, 0, 0 },
		{ "just under ten", 9.999999, 9, 999998, 999999 },
	};

	for (size_t i = 0; i < UT_NROWS(t); i++) {
		struct timeval tv = rg_timeval_of(t[i].secs);

		UT_INT(t[i].name, "tv_sec", tv.tv_sec, t[i].sec);
		UT_INT(t[i].name, "tv_usec in range",
		    tv.tv_usec >= t[i].usec_min && tv.tv_usec <= t[i].usec_max, true);
	}
}

static void
test_monotonic(void)
{
	double a = rg_clock_monotonic(), b = rg_clock_monotonic();
	double d = rg_clock_default(NULL);

	UT_INT("monotonic", "never goes back", b >= a, true);
	UT_INT("monotonic", "default is the same clock", d >= b && d - b < 1.0, true);
	UT_INT("monotonic", "positive", a > 0, true);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("breaker");
	ut_test(s, "state machine rows", test_breaker_rows);
	s = ut_suite("clock");
	ut_test(s, "rg_timeval_of", test_timeval_of);
	ut_test(s, "rg_clock_monotonic", test_monotonic);
	add_strmap_suite();
	return ut_run();
}
