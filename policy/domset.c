/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * domset.c - domain set: an open-addressing table of lower-cased names.
 * A leading '.' is kept in the stored key, so exact and subdomain
 * patterns for the same name are distinct entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domset.h"
#include "idn.h"
#include "common/log.h"
#include "common/strutil.h"

struct rg_domset {
	char **slots;
	size_t cap;
	size_t count;
};

struct rg_domset *
rg_domset_new(void)
{
	struct rg_domset *s = rg_xcalloc(1, sizeof(*s));

	s->cap = 16;
	s->slots = rg_xcalloc(s->cap, sizeof(char *));
	return s;
}

void
rg_domset_destroy(struct rg_domset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	for (size_t i = 0; i < (*sp)->cap; i++)
		free((*sp)->slots[i]);
	free((*sp)->slots);
	free(*sp);
	*sp = NULL;
}

size_t
rg_domset_count(const struct rg_domset *s)
{
	return s->count;
}

/* Find the slot for key[0..n): either the match or an empty slot. */
static char **
probe(const struct rg_domset *s, const char *key, size_t n)
{
	size_t i = rg_hash_lower(key, n) & (s->cap - 1);

	for (;; i = (i + 1) & (s->cap - 1)) {
		char *e = s->slots[i];

		if (e == NULL || (strncasecmp(e, key, n) == 0 && e[n] == '\0'))
			return &s->slots[i];
	}
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
	char **slot, ascii[RG_DOMSET_NAME_MAX + 2];

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
	if ((s->count + 1) * 2 > s->cap) {
		char **old = s->slots;
		size_t oldcap = s->cap;

		s->cap *= 2;
		s->slots = rg_xcalloc(s->cap, sizeof(char *));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i] != NULL)
				*probe(s, old[i], strlen(old[i])) = old[i];
		free(old);
	}
	slot = probe(s, pat, n);
	if (*slot != NULL)
		return true;
	*slot = rg_xstrdup(pat);
	(*slot)[n] = '\0';
	rg_lower(*slot);
	s->count++;
	return true;
}

bool
rg_domset_contains(const struct rg_domset *s, const char *domain)
{
	size_t n = strlen(domain);
	char ascii[RG_DOMSET_NAME_MAX + 1];

	if (s->count == 0 || n == 0)
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
	if (*probe(s, domain, n) != NULL)
		return true;
	if (domain[0] == '[')
		return false;	/* literals never match subdomain patterns */
	/* Try ".b.c" then ".c" for a.b.c: the dot stays in the key. */
	for (size_t i = 0; i < n; i++)
		if (domain[i] == '.' && *probe(s, domain + i, n - i) != NULL)
			return true;
	return false;
}
