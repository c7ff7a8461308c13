/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_filter.c - filter templates: placeholders, RFC 4515 escaping, and
 * the syntax checks behind "relayguard -n".  One row per case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/dir_ldap.h"
#include "test_ldap.h"

static const struct {
	const char *tmpl, *value;
	enum rg_ldap_expand rc;
	const char *want;
} expand_rows[] = {
	{ "(mail=%s)", "alice@example.edu", RG_LDAP_EXPAND_OK, "(mail=alice@example.edu)" },
	{ "(|(mail=%s)(mailLocalAddress=%s))", "bob@example.edu", RG_LDAP_EXPAND_OK,
	  "(|(mail=bob@example.edu)(mailLocalAddress=bob@example.edu))" },
	{ "(uid=%u)", "alice@example.edu", RG_LDAP_EXPAND_OK, "(uid=alice)" },
	{ "(&(cn=%u)(associatedDomain=%d))", "alice@cs.example.edu", RG_LDAP_EXPAND_OK,
	  "(&(cn=alice)(associatedDomain=cs.example.edu))" },
	{ "(description=%u%%)", "x@example.edu", RG_LDAP_EXPAND_OK, "(description=x%)" },
	{ "(cn=%%s%s)", "x@y", RG_LDAP_EXPAND_OK, "(cn=%sx@y)" },
	/* Injection attempts: the structure of the filter must not change. */
	{ "(mail=%s)", "*)(uid=*@example.edu", RG_LDAP_EXPAND_OK,
	  "(mail=\\2A\\29\\28uid=\\2A@example.edu)" },
	{ "(uid=%u)", "*)(uid=*@example.edu", RG_LDAP_EXPAND_OK, "(uid=\\2A\\29\\28uid=\\2A)" },
	{ "(mail=%s)", "a\\2a@example.edu", RG_LDAP_EXPAND_OK, "(mail=a\\5C2a@example.edu)" },
	{ "(mail=%s)", "a(b@example.edu", RG_LDAP_EXPAND_OK, "(mail=a\\28b@example.edu)" },
	{ "(mail=%s)", "(", RG_LDAP_EXPAND_OK, "(mail=\\28)" },
	{ "(mail=%s)", "*", RG_LDAP_EXPAND_OK, "(mail=\\2A)" },
	{ "(mail=%s)", "", RG_LDAP_EXPAND_OK, "(mail=)" },
	{ "(mail=%s)", "x)(|(mail=*", RG_LDAP_EXPAND_OK, "(mail=x\\29\\28|\\28mail=\\2A)" },
	/* The domain is after the last '@'; a login without one has no %d. */
	{ "(&(uid=%u)(o=%d))", "a@b@example.edu", RG_LDAP_EXPAND_OK,
	  "(&(uid=a@b)(o=example.edu))" },
	{ "(uid=%u)", "alice", RG_LDAP_EXPAND_OK, "(uid=alice)" },
	{ "(uid=%s)", "alice", RG_LDAP_EXPAND_OK, "(uid=alice)" },
	{ "(&(uid=%u)(o=%d))", "alice", RG_LDAP_EXPAND_NODOMAIN, NULL },
	{ "(mail=%x)", "a@b", RG_LDAP_EXPAND_FAIL, NULL },
	{ "(mail=%s)%", "a@b", RG_LDAP_EXPAND_FAIL, NULL },
	/* libldap escapes non-ASCII bytes too; the server matches them the same. */
	{ "(mail=%s)", "j\xc3\xb6rg@example.edu", RG_LDAP_EXPAND_OK,
	  "(mail=j\\C3\\B6rg@example.edu)" },
};

static void
test_expand(void)
{
	for (size_t i = 0; i < sizeof(expand_rows) / sizeof(expand_rows[0]); i++) {
		char *f = (char *)"unset";
		enum rg_ldap_expand rc = rg_ldap_filter_expand(expand_rows[i].tmpl,
		    expand_rows[i].value, &f);
		CU_ASSERT_EQUAL(rc, expand_rows[i].rc);
		if (expand_rows[i].want != NULL) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			if (strcmp(f, expand_rows[i].want) != 0)
				fprintf(stderr, "row %zu: got %s want %s\n", i, f,
				    expand_rows[i].want);
			CU_ASSERT_STRING_EQUAL(f, expand_rows[i].want);
		} else {
			CU_ASSERT_PTR_NULL(f);
		}
		if (rc == RG_LDAP_EXPAND_OK)
			free(f);
	}
}

/* A long value is never cut short: the filter grows to fit. */
static void
test_expand_long(void)
{
	char value[3000], *f = NULL;

	memset(value, '*', sizeof(value) - 1);
	value[sizeof(value) - 1] = '\0';
	CU_ASSERT_EQUAL_FATAL(rg_ldap_filter_expand("(mail=%s)", value, &f), RG_LDAP_EXPAND_OK);
	CU_ASSERT_EQUAL(strlen(f), 7 + 3 * (sizeof(value) - 1));
	CU_ASSERT_PTR_NULL(strchr(f, '*'));
	free(f);
}

static const struct {
	const char *tmpl;
	bool ok;
} check_rows[] = {
	{ "(mail=%s)", true },
	{ "(|(mail=%s)(mailLocalAddress=%s))", true },
	{ "(&(objectClass=nisMailAlias)(|(mail=%s)(cn=%u)))", true },
	{ "(&(uid=%u)(o=%d)(x=100%%))", true },
	{ "(cn=a\\2A%s)", true },
	{ "(objectClass=*)", false },		/* ignores the address: matches everyone */
	{ "(cn=%%)", false },
	{ "mail=%s", false },
	{ "(mail=%s", false },
	{ "(mail=%s))", false },
	{ "(a=%s)(b=%s)", false },
	{ "(mail=%x)", false },
	{ "(mail=%s)%", false },
	{ "(cn=\\zz%s)", false },
	{ "", false },
};

static void
test_check(void)
{
	char why[160];

	for (size_t i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		bool ok = rg_ldap_filter_check(check_rows[i].tmpl, why, sizeof(why));
		if (ok != check_rows[i].ok)
			fprintf(stderr, "filter row %zu (%s): got %d\n", i, check_rows[i].tmpl, ok);
		CU_ASSERT_EQUAL(ok, check_rows[i].ok);
		if (!ok)
			CU_ASSERT(why[0] != '\0');
	}
}

static void
test_syntax(void)
{
	char why[160];
	static const struct { const char *s; bool ok; } uris[] = {
		{ "ldap://127.0.0.1:3389", true },
		{ "ldap://ldap2.example.edu/", true },
		{ "ldaps://ldap.example.edu:636", true },
		{ "ldapi://%2Frun%2Fslapd%2Fldapi", true },
		{ "http://ldap.example.edu", false },
		{ "ldap://a ldap://b", false },
		{ "ldap://h/dc=example,dc=edu?mail?sub", false },
		{ "", false },
	}, dns[] = {
		{ "dc=example,dc=edu", true },
		{ "cn=relayguard,ou=services,dc=example,dc=edu", true },
		{ "cn=a\\,b,dc=x", true },
		{ "not a dn", false },
		{ "", false },
	}, attrs[] = {
		{ "mail", true }, { "mailRoutingAddress", true }, { "x-attr", true },
		{ "0.9.2342.19200300.100.1.3", true },
		{ "", false }, { "mail;binary", false }, { "1..2", false }, { "-x", false },
		{ "(mail)", false },
	};

	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++)
		CU_ASSERT_EQUAL(rg_ldap_uri_check(uris[i].s, why, sizeof(why)), uris[i].ok);
	for (size_t i = 0; i < sizeof(dns) / sizeof(dns[0]); i++)
		CU_ASSERT_EQUAL(rg_ldap_dn_check(dns[i].s, why, sizeof(why)), dns[i].ok);
	for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		CU_ASSERT_EQUAL(rg_ldap_attr_check(attrs[i].s, why, sizeof(why)), attrs[i].ok);
}

int
rg_test_add_filter(void)
{
	CU_pSuite s = CU_add_suite("ldap_filter", NULL, NULL);

	if (s == NULL ||
	    CU_add_test(s, "expand and escape", test_expand) == NULL ||
	    CU_add_test(s, "long values are not truncated", test_expand_long) == NULL ||
	    CU_add_test(s, "template checks", test_check) == NULL ||
	    CU_add_test(s, "URI, DN and attribute syntax", test_syntax) == NULL)
		return -1;
	return 0;
}
