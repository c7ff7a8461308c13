/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_print_keys.h - every key relayguard -n -p and -n -d print, group
 * by group: its name, the form of its value and its default.  Internal
 * to conf/conf_print*.c; the writer (conf_print.c) walks these tables.
 *
 * They repeat what the loaders know, on purpose: tests/conf_print.sh
 * fails when a key of a loader's *keys[] array is missing from the
 * output, and replays the golden transactions through a saved -p, so a
 * default written here wrongly shows as a changed decision.
 */
#ifndef RG_CONF_PRINT_KEYS_H
#define RG_CONF_PRINT_KEYS_H

#include <stddef.h>

enum rg_print_kind {
	RG_PRINT_STRING,	/* def: the raw string */
	RG_PRINT_BOOL,		/* def: "true" or "false" */
	RG_PRINT_INT,		/* def: decimal text */
	RG_PRINT_FLOAT,		/* def: text with a '.' */
	RG_PRINT_STRINGS,	/* defv: NULL-terminated, or NULL for [ ] */
	RG_PRINT_PATH,		/* a file name, resolved against the policy file */
	RG_PRINT_SOCKET,	/* a milter socket; unix:relative resolved */
};

/* One key; each table ends with a NULL name. */
struct rg_print_key {
	const char *name;
	enum rg_print_kind kind;
	const char *def;
	const char *const *defv;
	const char *unset;	/* set when there is no default: what absence means */
};

/* Top-level keys (socket, mode). */
extern const struct rg_print_key rg_print_top_keys[];

/* The plain groups, in the order policy.conf(5) gives them. */
struct rg_print_group {
	const char *name;
	const struct rg_print_key *keys;
};
extern const struct rg_print_group rg_print_groups[];
extern const size_t rg_print_ngroups;

/* The groups the writer lays out itself (see conf_print.c). */
extern const struct rg_print_key rg_print_exception_keys[];	/* each legacy exception */
extern const struct rg_print_key rg_print_routing_keys[];
extern const struct rg_print_key rg_print_directory_keys[];
extern const struct rg_print_key rg_print_dirfile_keys[];	/* backend = "file" */
extern const struct rg_print_key rg_print_dirscript_keys[];	/* backend = "script" */
extern const struct rg_print_key rg_print_ldap_keys[];		/* directory.ldap */
extern const struct rg_print_key rg_print_cache_keys[];		/* directory.cache */
extern const struct rg_print_key rg_print_budgets_keys[];
extern const struct rg_print_key rg_print_budgets_redis_keys[];

#endif
