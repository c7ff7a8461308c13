/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_ldap_filter.c - filter templates (%s %u %d %%) with RFC 4515
 * escaping, and the syntax checks the config parser needs.
 *
 * Escaping is libldap's own (ldap_bv2escaped_filter_value) so that we
 * escape exactly what the library's filter parser treats as special.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldap.h>

#include "dir_ldap.h"

bool
rg_ldap_filter_check(const char *tmpl, char *err, size_t errlen)
{
	int depth = 0;
	bool placeholder = false, trailing = false;
	size_t len = tmpl != NULL ? strlen(tmpl) : 0;

	if (len < 3 || tmpl[0] != '(') {
		snprintf(err, errlen, "a filter must be enclosed in parentheses");
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = tmpl[i];
		if (c == '%') {
			char n = tmpl[i + 1];
			if (n == 's' || n == 'u' || n == 'd')
				placeholder = true;
			else if (n != '%') {
				snprintf(err, errlen, "unknown placeholder %%%c at offset %zu "
				    "(use %%s, %%u, %%d or %%%%)", isprint((unsigned char)n) ? n : '?', i);
				return false;
			}
			i++;
		} else if (c == '\\') {
			if (!isxdigit((unsigned char)tmpl[i + 1]) ||
			    !isxdigit((unsigned char)tmpl[i + 2])) {
				snprintf(err, errlen, "bad escape at offset %zu (RFC 4515 wants \\XX)", i);
				return false;
			}
			i += 2;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				break;
			/* The outermost filter must end the template. */
			if (depth == 0 && i != len - 1) {
				trailing = true;
				break;
			}
		}
	}
	if (trailing) {
		snprintf(err, errlen, "text after the filter's closing parenthesis");
		return false;
	}
	if (depth != 0) {
		snprintf(err, errlen, "unbalanced parentheses");
		return false;
	}
	/* A filter that ignores the address would match every recipient. */
	if (!placeholder) {
		snprintf(err, errlen, "filter uses none of %%s, %%u, %%d");
		return false;
	}
	return true;
}

struct part {
	const char *p;
	size_t len;
};

/* Escaped copy of one value part, in LDAP's allocator. */
static char *
escape_part(struct part v)
{
	struct berval in, out = { 0, NULL };
	char *s;

	in.bv_val = (char *)v.p;
	in.bv_len = v.len;
	if (ldap_bv2escaped_filter_value(&in, &out) != 0)
		return NULL;
	s = strdup(out.bv_val != NULL ? out.bv_val : "");
	ber_memfree(out.bv_val);
	return s;
}

enum rg_ldap_expand
rg_ldap_filter_expand(const char *tmpl, const char *value, char **filter_r)
{
	const char *at = strrchr(value, '@');
	struct part whole = { value, strlen(value) };
	struct part local = { value, at != NULL ? (size_t)(at - value) : whole.len };
	struct part domain = { at != NULL ? at + 1 : "", at != NULL ? strlen(at + 1) : 0 };
	char *esc[3] = { NULL, NULL, NULL };	/* %s %u %d */
	char *out = NULL;
	size_t need = 1, o = 0;
	enum rg_ldap_expand rc = RG_LDAP_EXPAND_FAIL;

	*filter_r = NULL;
	if ((esc[0] = escape_part(whole)) == NULL || (esc[1] = escape_part(local)) == NULL ||
	    (esc[2] = escape_part(domain)) == NULL)
		goto done;
	/* Two passes: measure, then copy, so nothing is ever cut short. */
	for (int pass = 0; pass < 2; pass++) {
		for (const char *t = tmpl; *t != '\0'; t++) {
			const char *sub = NULL;
			if (*t != '%') {
				if (pass)
					out[o++] = *t;
				else
					need++;
				continue;
			}
			switch (*++t) {
			case 's': sub = esc[0]; break;
			case 'u': sub = esc[1]; break;
			case 'd':
				if (at == NULL) {
					rc = RG_LDAP_EXPAND_NODOMAIN;
					goto done;
				}
				sub = esc[2];
				break;
			case '%': sub = "%"; break;
			default: goto done;	/* includes a trailing lone '%' */
			}
			if (pass) {
				memcpy(out + o, sub, strlen(sub));
				o += strlen(sub);
			} else {
				need += strlen(sub);
			}
		}
		if (!pass && (out = malloc(need)) == NULL)
			goto done;
	}
	out[o] = '\0';
	*filter_r = out;
	out = NULL;
	rc = RG_LDAP_EXPAND_OK;
done:
	free(out);
	for (int i = 0; i < 3; i++)
		free(esc[i]);
	return rc;
}

bool
rg_ldap_uri_check(const char *uri, char *err, size_t errlen)
{
	LDAPURLDesc *lud = NULL;
	bool ok = false;

	if (uri == NULL || *uri == '\0' || strpbrk(uri, " \t,") != NULL) {
		snprintf(err, errlen, "one URI per list element, without spaces or commas");
		return false;
	}
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS) {
		snprintf(err, errlen, "not an LDAP URI (want ldap://, ldaps:// or ldapi://)");
		return false;
	}
	if (strcmp(lud->lud_scheme, "ldap") != 0 && strcmp(lud->lud_scheme, "ldaps") != 0 &&
	    strcmp(lud->lud_scheme, "ldapi") != 0)
		snprintf(err, errlen, "scheme \"%s\" is not ldap, ldaps or ldapi", lud->lud_scheme);
	else if ((lud->lud_dn != NULL && *lud->lud_dn != '\0') || lud->lud_attrs != NULL ||
	    lud->lud_filter != NULL || lud->lud_exts != NULL)
		snprintf(err, errlen, "a URI here names a server only; use base and the filters");
	else
		ok = true;
	ldap_free_urldesc(lud);
	return ok;
}

bool
rg_ldap_dn_check(const char *dn, char *err, size_t errlen)
{
	LDAPDN ldn = NULL;

	if (dn == NULL || *dn == '\0') {
		snprintf(err, errlen, "empty DN");
		return false;
	}
	if (ldap_str2dn(dn, &ldn, LDAP_DN_FORMAT_LDAPV3) != LDAP_SUCCESS) {
		snprintf(err, errlen, "not a valid DN (RFC 4514)");
		return false;
	}
	ldap_dnfree(ldn);
	return true;
}

bool
rg_ldap_attr_check(const char *attr, char *err, size_t errlen)
{
	size_t i;

	if (attr == NULL || *attr == '\0') {
		snprintf(err, errlen, "empty attribute name");
		return false;
	}
	if (isalpha((unsigned char)attr[0])) {
		for (i = 1; isalnum((unsigned char)attr[i]) || attr[i] == '-'; i++)
			;
	} else {
		/* numericoid: digits separated by single dots */
		for (i = 0; isdigit((unsigned char)attr[i]) ||
		    (attr[i] == '.' && i > 0 && attr[i - 1] != '.' && isdigit((unsigned char)attr[i + 1])); i++)
			;
	}
	if (attr[i] != '\0') {
		snprintf(err, errlen, "not an attribute name (letters, digits, '-')");
		return false;
	}
	return true;
}
