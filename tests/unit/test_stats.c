/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_stats.c - the counters behind relayguard -S: the action and reason
 * tables stay in step with policy/, a tag is counted by value whatever
 * its pointer, the histogram's buckets, and the URI registry's bound.
 * The counters are process-wide, so each test reads differences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "unit.h"
#include "common/stats.h"
#include "policy/policy.h"

/* The rendered text's count for one decision line, or 0 when absent. */
static unsigned long long
decision_count(const char *stage, const char *action, const char *reason)
{
	char *text = rg_stats_render(RG_STATS_TEXT, NULL), *line;
	unsigned long long n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char s[32], a[32], r[64];
		unsigned long long v;

		if (sscanf(line, " %31s %31s %63s %llu", s, a, r, &v) == 4 &&
		    strcmp(s, stage) == 0 && strcmp(a, action) == 0 && strcmp(r, reason) == 0)
			n = v;
	}
	free(text);
	return n;
}

static void
test_actions(void)
{
	for (int i = 0; i < RG_STATS_NACTIONS; i++)
		CU_ASSERT_STRING_EQUAL(rg_stats_action_name(i), rg_logged_name((enum rg_logged)i));
	CU_ASSERT_PTR_NULL(rg_stats_action_name(RG_STATS_NACTIONS));
	CU_ASSERT_PTR_NULL(rg_stats_action_name(-1));
}

static void
test_reasons(void)
{
	/* tests/docs.sh checks the whole list against policy/policy.c. */
	static const char *const known[] = { "relay-denied", "unknown-recipient", "local",
	    "directory-unavailable", "transaction-refused", "data", "helo", NULL };

	for (int i = 0; known[i] != NULL; i++)
		CU_ASSERT(rg_stats_reason_index(known[i]) >= 0);
	CU_ASSERT_EQUAL(rg_stats_reason_index("no-such-tag"), -1);
	CU_ASSERT_EQUAL(rg_stats_reason_index(RG_STATS_OTHER_REASON), -1);
}

static void
test_by_value(void)
{
	char *copy = strdup("relay-denied"), *other = strdup("made-up");
	unsigned long long before = decision_count("rcpt", "reject", "relay-denied");
	unsigned long long other_before = decision_count("mail", "accept", "other");

	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	rg_stats_decision(RG_STATS_RCPT, RG_LOGGED_REJECT, "relay-denied");
	rg_stats_decision(RG_STATS_RCPT, RG_LOGGED_REJECT, copy);	/* another pointer */
	rg_stats_decision(RG_STATS_RCPT, RG_LOGGED_REJECT, copy);	/* now a known one */
	CU_ASSERT_EQUAL(decision_count("rcpt", "reject", "relay-denied"), before + 3);
	rg_stats_decision(RG_STATS_MAIL, RG_LOGGED_ACCEPT, other);
	rg_stats_decision(RG_STATS_MAIL, RG_LOGGED_ACCEPT, NULL);
	CU_ASSERT_EQUAL(decision_count("mail", "accept", "other"), other_before + 2);
	/* Out of range: ignored, not a write past the table. */
	rg_stats_decision(RG_STATS_NSTAGES, 0, "local");
	rg_stats_decision(RG_STATS_RCPT, RG_STATS_NACTIONS, "local");
	free(copy);
	free(other);
}

static void
test_histogram(void)
{
	struct rg_stats_uri *u = rg_stats_uri_get("ldap://histogram.test/"), *again;
	char *prom;

	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	again = rg_stats_uri_get("ldap://histogram.test/");
	CU_ASSERT_PTR_EQUAL(u, again);
	rg_stats_uri_latency(u, 0.0005);	/* le 0.001 */
	rg_stats_uri_latency(u, 0.001);		/* le 0.001: bounds are inclusive */
	rg_stats_uri_latency(u, 0.3);		/* le 0.5 */
	rg_stats_uri_latency(u, 10.0);		/* +Inf */
	rg_stats_uri_failure(u);
	rg_stats_uri_state(u, RG_STATS_PROBING);
	prom = rg_stats_render(RG_STATS_PROMETHEUS, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(prom);
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "relayguard_ldap_search_duration_seconds_bucket"
	    "{uri=\"ldap://histogram.test/\",le=\"0.001\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "{uri=\"ldap://histogram.test/\",le=\"0.25\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "{uri=\"ldap://histogram.test/\",le=\"0.5\"} 3\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "{uri=\"ldap://histogram.test/\",le=\"+Inf\"} 4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "relayguard_ldap_search_duration_seconds_count"
	    "{uri=\"ldap://histogram.test/\"} 4\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "relayguard_ldap_failures_total"
	    "{uri=\"ldap://histogram.test/\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "relayguard_ldap_state"
	    "{uri=\"ldap://histogram.test/\",state=\"probing\"} 1\n"));
	free(prom);
	rg_stats_uri_put(&again);
	CU_ASSERT_PTR_NULL(again);
	rg_stats_uri_put(&u);
	/* A URI no pool holds is not shown. */
	prom = rg_stats_render(RG_STATS_PROMETHEUS, NULL);
	CU_ASSERT_PTR_NULL(strstr(prom, "histogram.test"));
	free(prom);
}

static void
test_label_escaping(void)
{
	struct rg_stats_uri *u = rg_stats_uri_get("ldap://a\"b\\c\nd/");
	char *prom = rg_stats_render(RG_STATS_PROMETHEUS, NULL);

	CU_ASSERT_PTR_NOT_NULL_FATAL(prom);
	CU_ASSERT_PTR_NOT_NULL(strstr(prom, "{uri=\"ldap://a\\\"b\\\\c\\nd/\"} 0\n"));
	free(prom);
	rg_stats_uri_put(&u);
}

static void
test_registry_bound(void)
{
	struct rg_stats_uri *held[RG_STATS_URIS_MAX + 1];
	char name[64];
	int got = 0;

	for (int i = 0; i <= RG_STATS_URIS_MAX; i++) {
		snprintf(name, sizeof(name), "ldap://bound%d.test/", i);
		held[i] = rg_stats_uri_get(name);
		got += held[i] != NULL;
	}
	CU_ASSERT_EQUAL(got, RG_STATS_URIS_MAX);	/* one too many is not counted ... */
	CU_ASSERT_PTR_NULL(held[RG_STATS_URIS_MAX]);
	rg_stats_uri_latency(NULL, 1.0);		/* ... and NULL is a no-op */
	rg_stats_uri_failure(NULL);
	rg_stats_uri_state(NULL, RG_STATS_DOWN);
	rg_stats_uri_put(&held[0]);
	held[RG_STATS_URIS_MAX] = rg_stats_uri_get("ldap://late.test/");
	CU_ASSERT_PTR_NOT_NULL(held[RG_STATS_URIS_MAX]);	/* a freed slot is reused */
	for (int i = 0; i <= RG_STATS_URIS_MAX; i++)
		rg_stats_uri_put(&held[i]);
}

void
add_stats_suite(void)
{
	CU_pSuite s = ut_suite("stats");

	ut_test(s, "action names follow enum rg_logged", test_actions);
	ut_test(s, "reason tags", test_reasons);
	ut_test(s, "a tag counts by value, an unknown one as other", test_by_value);
	ut_test(s, "histogram buckets and URI counters", test_histogram);
	ut_test(s, "label values escaped", test_label_escaping);
	ut_test(s, "URI registry bound and slot reuse", test_registry_bound);
}
