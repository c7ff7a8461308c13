/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_ldap_filter.c - libFuzzer harness: LDAP filter templates and
 * their expansion (directory/dir_ldap_filter.c).
 *
 * Input: a value, optionally followed by a NUL and a filter template.
 *
 * Oracle 1, fixed templates (mail=%s), (uid=%u), (associatedDomain=%d):
 * every expansion is one equality match, "(" attribute "=" value ")",
 * whose value holds no unescaped '(', ')', '*' or '\', and which,
 * unescaped per RFC 4515 (\XX hex pairs), is exactly the input: the
 * whole value, its part before the last '@' (all of it without one),
 * or its part after the last '@'.  %d without an '@' must answer
 * NODOMAIN.  These are computed here, not taken from the code.
 *
 * Oracle 2, a fuzzed template that rg_ldap_filter_check() accepts:
 * expansion succeeds (or says NODOMAIN for %d without an '@'), and the
 * filter's structure is the template's: the same sequence of unescaped
 * '(', ')' and '*'.  ('&', '|', '!' and '=' are plain bytes inside a
 * value and mean something only right after a '(', which no value can
 * supply.)  So no value can add a parenthesis or a wildcard.
 *
 * The URI, DN and attribute checks run on the value too (no crash, no
 * leak).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/dir_ldap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *value, const char *filter)
{
	fprintf(stderr, "ORACLE: %s\nvalue: [%s]\nfilter: [%s]\n", what, value,
	    filter ? filter : "(null)");
	abort();
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
special(char c)
{
	return c == '(' || c == ')' || c == '*' || c == '\\';
}

/*
 * Unescape an RFC 4515 assertion value of length n into out; false if it
 * holds an unescaped special or a bad escape.
 */
static bool
unescape_value(const char *v, size_t n, char *out, size_t *outlen_r)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\') {
			if (i + 2 >= n || hexval(v[i + 1]) < 0 || hexval(v[i + 2]) < 0)
				return false;
			out[o++] = (char)(hexval(v[i + 1]) * 16 + hexval(v[i + 2]));
			i += 2;
		} else if (special(v[i]) || v[i] == '\0') {
			return false;
		} else {
			out[o++] = v[i];
		}
	}
	*outlen_r = o;
	return true;
}

static void
check_equality(const char *attr, const char *filter, const char *value, const char *want,
    size_t wantlen)
{
	size_t al = strlen(attr), fl = strlen(filter), gl;
	char *got;

	if (fl < al + 3 || filter[0] != '(' || strncmp(filter + 1, attr, al) != 0 ||
	    filter[al + 1] != '=' || filter[fl - 1] != ')')
		fail("expansion is not (attr=value)", value, filter);
	if ((got = malloc(fl + 1)) == NULL)
		abort();
	if (!unescape_value(filter + al + 2, fl - al - 3, got, &gl))
		fail("value has an unescaped special or a bad escape", value, filter);
	if (gl != wantlen || memcmp(got, want, gl) != 0)
		fail("unescaped value is not the input", value, filter);
	free(got);
}

/* The structural characters of a filter, escapes skipped. */
static void
structure(const char *f, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *f && n + 1 < outlen; f++) {
		if (*f == '\\') {
			if (f[1] != '\0')
				f++;
			if (f[1] != '\0')
				f++;
			continue;
		}
		if (*f == '(' || *f == ')' || *f == '*')
			out[n++] = *f;
	}
	out[n] = '\0';
}

static void
fixed_templates(const char *value)
{
	const char *at = strrchr(value, '@');
	size_t vl = strlen(value), ll = at ? (size_t)(at - value) : vl;
	char *f = NULL;
	enum rg_ldap_expand rc;

	if ((rc = rg_ldap_filter_expand("(mail=%s)", value, &f)) != RG_LDAP_EXPAND_OK)
		fail("(mail=%s) did not expand", value, NULL);
	check_equality("mail", f, value, value, vl);
	free(f);
	if ((rc = rg_ldap_filter_expand("(uid=%u)", value, &f)) != RG_LDAP_EXPAND_OK)
		fail("(uid=%u) did not expand", value, NULL);
	check_equality("uid", f, value, value, ll);
	free(f);
	f = NULL;
	rc = rg_ldap_filter_expand("(associatedDomain=%d)", value, &f);
	if (at == NULL) {
		if (rc != RG_LDAP_EXPAND_NODOMAIN || f != NULL)
			fail("%d without '@' is not NODOMAIN", value, f);
		return;
	}
	if (rc != RG_LDAP_EXPAND_OK)
		fail("(associatedDomain=%d) did not expand", value, NULL);
	check_equality("associatedDomain", f, value, at + 1, strlen(at + 1));
	free(f);
}

/* The template with each placeholder replaced by a plain 'v'. */
static void
template_structure(const char *t, char *out, size_t outlen)
{
	char *plain = malloc(strlen(t) + 1);
	size_t n = 0;

	if (plain == NULL)
		abort();
	for (; *t; t++) {
		if (*t == '%' && t[1] != '\0') {
			t++;
			plain[n++] = *t == '%' ? '%' : 'v';
			continue;
		}
		plain[n++] = *t;
	}
	plain[n] = '\0';
	structure(plain, out, outlen);
	free(plain);
}

static void
fuzzed_template(const char *tmpl, const char *value)
{
	char err[256], *f = NULL, *s1, *s2;
	enum rg_ldap_expand rc;
	size_t tl = strlen(tmpl) + 1;

	if (!rg_ldap_filter_check(tmpl, err, sizeof(err)))
		return;
	rc = rg_ldap_filter_expand(tmpl, value, &f);
	if (rc == RG_LDAP_EXPAND_NODOMAIN) {
		if (strchr(value, '@') != NULL || f != NULL)
			fail("NODOMAIN for a value with '@'", value, tmpl);
		return;
	}
	if (rc != RG_LDAP_EXPAND_OK)
		fail("an accepted template failed to expand", value, tmpl);
	s1 = malloc(tl);
	s2 = malloc(strlen(f) + 1);
	if (s1 == NULL || s2 == NULL)
		abort();
	template_structure(tmpl, s1, tl);
	structure(f, s2, strlen(f) + 1);
	if (strcmp(s1, s2) != 0) {
		fprintf(stderr, "template: [%s]\n", tmpl);
		fail("the value changed the filter's structure", value, f);
	}
	free(s1);
	free(s2);
	free(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, err[256];
	const char *value, *tmpl = NULL;
	size_t vl;

	if (size > 4096)
		return 0;
	if ((buf = malloc(size + 2)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = buf[size + 1] = '\0';
	value = buf;
	vl = strlen(buf);
	if (vl < size)
		tmpl = buf + vl + 1;

	fixed_templates(value);
	if (tmpl != NULL)
		fuzzed_template(tmpl, value);
	(void)rg_ldap_uri_check(value, err, sizeof(err));
	(void)rg_ldap_dn_check(value, err, sizeof(err));
	(void)rg_ldap_attr_check(value, err, sizeof(err));
	free(buf);
	return 0;
}
