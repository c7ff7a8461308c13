/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* test_ldap.h - suites of the LDAP backend's unit test program. */
#ifndef RG_TEST_LDAP_H
#define RG_TEST_LDAP_H

#include <CUnit/CUnit.h>

int	rg_test_add_filter(void);
int	rg_test_add_cache(void);
int	rg_test_add_breaker(void);

#endif
