/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * unit.h - what the CUnit programs under tests/unit share.
 *
 * Each test_*.c file registers its suites through one add_*_suite()
 * function.  The checks below name the table row that failed and show
 * the value seen next to the value wanted, so a failing row can be read
 * straight from CUnit's report without a debugger.  CUnit copies the
 * condition text it is given, so a stack buffer is fine.
 */
#ifndef RG_TEST_UNIT_H
#define RG_TEST_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>

/* test_policy binary */
void	add_addr_suite(void);
void	add_netset_suite(void);
void	add_log_suite(void);
void	add_policy_suite(void);
void	add_stats_suite(void);
/* test_conf binary */
void	add_conf_suite(void);
/* test_breaker binary (common/) */
void	add_strmap_suite(void);

/* Add a suite, or stop: a half-registered run would pass vacuously. */
static inline CU_pSuite
ut_suite(const char *name)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);

	if (s == NULL) {
		fprintf(stderr, "CU_add_suite(%s): %s\n", name, CU_get_error_msg());
		exit(99);
	}
	return s;
}

static inline void
ut_test(CU_pSuite s, const char *name, CU_TestFunc fn)
{
	if (CU_add_test(s, name, fn) == NULL) {
		fprintf(stderr, "CU_add_test(%s): %s\n", name, CU_get_error_msg());
		exit(99);
	}
}

/* Run everything registered; the exit status says whether anything failed. */
static inline int
ut_run(void)
{
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	printf("asserts run: %u, failed: %u\n", CU_get_number_of_asserts(),
	    CU_get_number_of_failures());
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}

static inline bool
ut_streq(const char *a, const char *b)
{
	return (a == NULL || b == NULL) ? a == b : strcmp(a, b) == 0;
}

static inline void
ut_str(const char *row, const char *what, const char *got, const char *want,
    const char *file, unsigned line)
{
	char msg[1024];
	/* A very long value is cut in the report only; the comparison is whole. */
	snprintf(msg, sizeof(msg), "[%.200s] %.60s: got %s%.350s%s, want %s%.350s%s", row, what,
	    got ? "\"" : "", got ? got : "NULL", got ? "\"" : "",
	    want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
	CU_assertImplementation(ut_streq(got, want), line, msg, file, "", CU_FALSE);
}

static inline void
ut_int(const char *row, const char *what, long got, long want, const char *file,
    unsigned line)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "[%.300s] %.100s: got %ld, want %ld", row, what, got, want);
	CU_assertImplementation(got == want, line, msg, file, "", CU_FALSE);
}

/* 'hay' contains 'needle' (a NULL hay never does). */
static inline void
ut_has(const char *row, const char *what, const char *hay, const char *needle,
    const char *file, unsigned line)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "[%.200s] %.60s: \"%.500s\" lacks \"%.200s\"", row, what,
	    hay ? hay : "NULL", needle);
	CU_assertImplementation(hay != NULL && strstr(hay, needle) != NULL, line, msg,
	    file, "", CU_FALSE);
}

#define UT_STR(row, what, got, want) ut_str((row), (what), (got), (want), __FILE__, __LINE__)
#define UT_INT(row, what, got, want) \
	ut_int((row), (what), (long)(got), (long)(want), __FILE__, __LINE__)
#define UT_HAS(row, what, hay, needle) ut_has((row), (what), (hay), (needle), __FILE__, __LINE__)

#define UT_NROWS(t)	(sizeof(t) / sizeof((t)[0]))

#endif
