/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * strmap.h - a string-keyed hash map with ASCII case-insensitive keys.
 * Built single-threaded, then read-only and safe to share.
 */
#ifndef RG_STRMAP_H
#define RG_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct rg_strmap;

struct rg_strmap *rg_strmap_new(void);
/* Frees keys; values are the caller's. */
void	rg_strmap_destroy(struct rg_strmap **);
/* Insert or replace; the key is copied. */
void	rg_strmap_put(struct rg_strmap *, const char *key, void *value);
/* True when present; *value_r gets the value (may be NULL). */
bool	rg_strmap_get(const struct rg_strmap *, const char *key, void **value_r);
size_t	rg_strmap_count(const struct rg_strmap *);

#endif
