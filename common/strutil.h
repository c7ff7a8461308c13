/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * strutil.h - small string helpers that never truncate silently.
 * All functions are reentrant.
 */
#ifndef RG_STRUTIL_H
#define RG_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Copy src into dst; false (and dst left empty) if it does not fit. */
bool	rg_strcpy(char *dst, size_t dstlen, const char *src);

/* Copy at most n bytes of src; false if they do not fit. */
bool	rg_strncpy(char *dst, size_t dstlen, const char *src, size_t n);

/* ASCII lower-case in place; locale-independent on purpose. */
void	rg_lower(char *s);

/* ASCII case-insensitive equality. */
bool	rg_strieq(const char *a, const char *b);

/*
 * strdup and calloc that abort on ENOMEM.  Used at config load and for
 * small per-connection copies, where there is no sane way to go on.
 */
char	*rg_xstrdup(const char *s);
void	*rg_xcalloc(size_t n, size_t size);

#endif
