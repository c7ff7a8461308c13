/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * strutil.c - string helpers.  Locale-independent by design: domain
 * and address comparisons must not change with LC_CTYPE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

bool
rg_strcpy(char *dst, size_t dstlen, const char *src)
{
	return rg_strncpy(dst, dstlen, src, strlen(src));
}

bool
rg_strncpy(char *dst, size_t dstlen, const char *src, size_t n)
{
	if (dstlen == 0)
		return false;
	if (n >= dstlen) {
		dst[0] = '\0';
		return false;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return true;
}

static inline char
lc(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

void
rg_lower(char *s)
{
	for (; *s; s++)
		*s = lc(*s);
}

bool
rg_strieq(const char *a, const char *b)
{
	while (*a && lc(*a) == lc(*b))
		a++, b++;
	return lc(*a) == lc(*b);
}

char *
rg_xstrdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		fputs("relayguard: out of memory\n", stderr);
		abort();
	}
	return d;
}

void *
rg_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		fputs("relayguard: out of memory\n", stderr);
		abort();
	}
	return p;
}
