/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * strmap.h - relayguard's one hash table: keys are byte strings, compared
 * either ASCII case-insensitively (rg_strmap_new: addresses, domains,
 * logins) or exactly (rg_strmap_new_exact: binary keys such as a network's
 * family, prefix and bits).  Values are the caller's pointers.
 *
 * Open addressing with linear probing, kept under half full, FNV-1a with
 * its high bits folded into the low ones (masking plain FNV-1a keeps only
 * the low bits of each byte).  Probes read a compact array of hash tags,
 * so a miss rarely touches a key.  Keys come from the
 * configuration; lookups may be attacker-chosen, but cannot lengthen a
 * probe sequence.  Not for keys an attacker inserts (directory/cache.c
 * seeds its own hash for those).
 *
 * Thread-safety: built by one thread, then read-only and safe to share.
 */
#ifndef RG_STRMAP_H
#define RG_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct rg_strmap;

/* An empty map with ASCII case-insensitive keys. */
struct rg_strmap *rg_strmap_new(void);
/* An empty map whose keys are compared byte for byte. */
struct rg_strmap *rg_strmap_new_exact(void);
/* Frees the map and its copies of the keys; values are the caller's. */
void	rg_strmap_destroy(struct rg_strmap **);

/* Insert or replace; key[0..n) is copied (it may hold NUL bytes). */
void	rg_strmap_putn(struct rg_strmap *, const void *key, size_t n, void *value);
/* True when key[0..n) is present; *value_r (if not NULL) gets its value. */
bool	rg_strmap_getn(const struct rg_strmap *, const void *key, size_t n, void **value_r);

/* The same for NUL-terminated keys. */
void	rg_strmap_put(struct rg_strmap *, const char *key, void *value);
bool	rg_strmap_get(const struct rg_strmap *, const char *key, void **value_r);

size_t	rg_strmap_count(const struct rg_strmap *);

#endif
