/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* test_main.c - run the LDAP backend's CUnit suites; no slapd needed. */
#include <stdio.h>
#include <CUnit/Basic.h>

#include "test_ldap.h"

int
main(void)
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	if (rg_test_add_filter() != 0 || rg_test_add_cache() != 0 ||
	    rg_test_add_breaker() != 0) {
		CU_cleanup_registry();
		return 99;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed == 0 ? 0 : 1;
}
