/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * domset.h - a set of mail domains: "example.edu" matches itself only,
 * ".example.edu" matches every subdomain of example.edu (not the
 * domain itself, as in Postfix's parent_domain_matches_subdomains=no).
 * Matching is ASCII case-insensitive and ignores one trailing dot.
 * IP literals match only when listed literally ("[192.0.2.1]").
 * Internationalized names are kept and compared as A-labels, so
 * "bücher.example" and "xn--bcher-kva.example" are one (see idn.h); a
 * name that is no valid IDN matches nothing.
 *
 * Lookup is one hash probe per label of the queried domain, so it does
 * not slow down as the set grows.  Read-only after build; thread-safe.
 */
#ifndef RG_DOMSET_H
#define RG_DOMSET_H

#include <stdbool.h>
#include <stddef.h>

/* Longest name (without a leading dot) in either form. */
#define RG_DOMSET_NAME_MAX	255

struct rg_domset;

struct rg_domset *rg_domset_new(void);
void	rg_domset_destroy(struct rg_domset **);

/* Add a domain pattern; false with a reason for syntax errors. */
bool	rg_domset_add(struct rg_domset *, const char *pattern, char *err, size_t errlen);

bool	rg_domset_contains(const struct rg_domset *, const char *domain);

size_t	rg_domset_count(const struct rg_domset *);

#endif
