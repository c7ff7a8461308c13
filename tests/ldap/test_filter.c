/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_filter.c - filter templates: placeholders, RFC 4515 escaping, and
 * the syntax checks behind "relayguard -n".  One row per case, checked
 * with tests/unit/unit.h's helpers, so a failure names its row and shows
 * the value seen beside the value wanted.
 */
#include "tests/unit/unit.h"
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
	for (size_t i = 0; i < UT_NROWS(expand_rows); i++) {
		char *f = (char *)"unset", row[160];
		enum rg_ldap_expand rc = rg_ldap_filter_expand(expand_rows[i].tmpl,
		    expand_rows[i].value, &f);

		snprintf(row, sizeof(row), "%s with %s", expand_rows[i].tmpl, expand_rows[i].value);
		UT_INT(row, "result", rc, expand_rows[i].rc);
		if (expand_rows[i].want != NULL) {
			UT_INT(row, "a filter", f != NULL, true);
			if (f != NULL)
				UT_STR(row, "filter", f, expand_rows[i].want);
		} else {
			UT_INT(row, "no filter", f == NULL, true);
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
	UT_INT("2999 stars", "result", rg_ldap_filter_expand("(mail=%s)", value, &f),
	    RG_LDAP_EXPAND_OK);
	if (f == NULL)
		return;
	UT_INT("2999 stars", "length", strlen(f), 7 + 3 * (sizeof(value) - 1));
	UT_INT("2999 stars", "no raw '*' left", strchr(f, '*') == NULL, true);
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

	for (size_t i = 0; i < UT_NROWS(check_rows); i++) {
		bool ok = rg_ldap_filter_check(check_rows[i].tmpl, why, sizeof(why));

		UT_INT(check_rows[i].tmpl, "template accepted", ok, check_rows[i].ok);
		if (!ok)
			UT_INT(check_rows[i].tmpl, "a reason", why[0] != '\0', true);
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

	for (size_t i = 0; i < UT_NROWS(uris); i++)
		UT_INT(uris[i].s, "URI accepted", rg_ldap_uri_check(uris[i].s, why, sizeof(why)),
		    uris[i].ok);
	for (size_t i = 0; i < UT_NROWS(dns); i++)
		UT_INT(dns[i].s, "DN accepted", rg_ldap_dn_check(dns[i].s, why, sizeof(why)),
		    dns[i].ok);
	for (size_t i = 0; i < UT_NROWS(attrs); i++)
		UT_INT(attrs[i].s, "attribute accepted", rg_ldap_attr_check(attrs[i].s, why,
		    sizeof(why)), attrs[i].ok);
}

int
rg_test_add_filter(void)
{
	CU_pSuite s = ut_suite("ldap_filter");

	ut_test(s, "expand and escape", test_expand);
	ut_test(s, "long values are not truncated", test_expand_long);
	ut_test(s, "template checks", test_check);
	ut_test(s, "URI, DN and attribute syntax", test_syntax);
	return 0;
}
