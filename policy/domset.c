/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * domset.c - domain set: a case-insensitive table of names (common/
 * strmap.h).  A leading '.' is kept in the stored key, so exact and
 * subdomain patterns for the same name are distinct entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domset.h"
#include "idn.h"
#include "common/log.h"
#include "common/strmap.h"
#include "common/strutil.h"

struct rg_domset {
	struct rg_strmap *names;	/* patterns, leading '.' kept, no trailing '.' */
};

struct rg_domset *
rg_domset_new(void)
{
	struct rg_domset *s = rg_xcalloc(1, sizeof(*s));

	s->names = rg_strmap_new();
	return s;
}

void
rg_domset_destroy(struct rg_domset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	rg_strmap_destroy(&(*sp)->names);
	free(*sp);
	*sp = NULL;
}

size_t
rg_domset_count(const struct rg_domset *s)
{
	return rg_strmap_count(s->names);
}

/*
 * A pattern of U-labels is stored as A-labels, its leading dot kept, so
 * both spellings match.  'ascii' is set to "" when nothing was converted.
 */
static bool
idn_pattern(const char *pat, size_t n, char *ascii, size_t asciilen, char *err, size_t errlen)
{
	bool dot = pat[0] == '.';
	char name[RG_DOMSET_NAME_MAX + 1], shown[2 * RG_DOMSET_NAME_MAX];
	const char *why = NULL;

	ascii[0] = '\0';
	if (!rg_strncpy(name, sizeof(name), pat + dot, n - dot)) {
		snprintf(err, errlen, "\"%s\" is not a domain", pat);
		return false;
	}
	switch (rg_idn_to_ascii(name, true, ascii + dot, asciilen - dot, &why)) {
	case RG_IDN_ASCII:
		ascii[0] = '\0';
		return true;
	case RG_IDN_CONVERTED:
		if (dot)
			ascii[0] = '.';
		return true;
	case RG_IDN_INVALID:
		break;
	}
	ascii[0] = '\0';
	rg_log_escape(pat, shown, sizeof(shown));
	snprintf(err, errlen, "\"%s\" is not a valid internationalized domain (IDNA2008, lower"
	    " case): %s", shown, why);
	return false;
}

bool
rg_domset_add(struct rg_domset *s, const char *pat, char *err, size_t errlen)
{
	size_t n = strlen(pat);
	char ascii[RG_DOMSET_NAME_MAX + 2];

	if (n > 0 && pat[n - 1] == '.')
		n--;
	if (n == 0 || (pat[0] == '.' && n == 1) || n > 255) {
		snprintf(err, errlen, "\"%s\" is not a domain", pat);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pat[i];

		if (c <= ' ' || c == '@' || c == '%' || c == '!' || c == '*' || c == 0x7f ||
		    (i > 0 && c == '.' && pat[i - 1] == '.')) {
			if (pat[0] == '*' && pat[1] == '.')
				snprintf(err, errlen, "\"%s\" is not a domain: write \".%s\" for "
				    "every subdomain", pat, pat + 2);
			else
				snprintf(err, errlen, "\"%s\" is not a domain", pat);
			return false;
		}
	}
	if (!idn_pattern(pat, n, ascii, sizeof(ascii), err, errlen))
		return false;
	if (ascii[0] != '\0') {
		pat = ascii;
		n = strlen(ascii);
	}
	/* The table folds case, so "Example.EDU" and "example.edu" are one entry. */
	rg_strmap_putn(s->names, pat, n, NULL);
	return true;
}

bool
rg_domset_contains(const struct rg_domset *s, const char *domain)
{
	size_t n = strlen(domain);
	char ascii[RG_DOMSET_NAME_MAX + 1];

	if (rg_strmap_count(s->names) == 0 || n == 0)
		return false;
	switch (rg_idn_to_ascii(domain, false, ascii, sizeof(ascii), NULL)) {
	case RG_IDN_ASCII:
		break;
	case RG_IDN_CONVERTED:
		domain = ascii;
		n = strlen(ascii);
		break;
	case RG_IDN_INVALID:
		return false;	/* never ours by accident */
	}
	if (domain[n - 1] == '.')
		n--;
	if (rg_strmap_getn(s->names, domain, n, NULL))
		return true;
	if (domain[0] == '[')
		return false;	/* literals never match subdomain patterns */
	/* Try ".b.c" then ".c" for a.b.c: the dot stays in the key. */
	for (size_t i = 0; i < n; i++)
		if (domain[i] == '.' && rg_strmap_getn(s->names, domain + i, n - i, NULL))
			return true;
	return false;
}
