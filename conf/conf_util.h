/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_util.h - helpers for the libconfig parsers under conf/.
 *
 * Parsers never stop at the first problem: each one is recorded as
 * "FILE:LINE: message" in an rg_errs list, and the caller prints them
 * all.  Only conf/ includes libconfig.h.
 */
#ifndef RG_CONF_UTIL_H
#define RG_CONF_UTIL_H

#include <stdbool.h>
#include <libconfig.h>

#include "conf_errs.h"

/* Record an error at a setting's own file and line. */
void	rg_errs_at(struct rg_errs *, const config_setting_t *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Record a warning ("FILE:LINE: warning: ...") at a setting's file and line. */
void	rg_warn_at(struct rg_errs *, const config_setting_t *, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Report every member of group 's' not named in 'known' (NULL-terminated). */
void	rg_conf_check_keys(struct rg_errs *, const config_setting_t *s,
	    const char *const known[]);
/*
 * The top-level group 'name' of 'cf' with its keys checked against
 * 'known'; NULL when absent, or (recorded) when it is not a group.
 */
const config_setting_t *rg_conf_group(struct rg_errs *, const config_t *cf,
	    const char *name, const char *const known[]);

/*
 * Typed getters.  Each returns the default when the key is absent,
 * records an error when it has the wrong type, and reports whether
 * the key was present.
 */
bool	rg_conf_bool(struct rg_errs *, const config_setting_t *grp, const char *key,
	    bool def, bool *out);
bool	rg_conf_int(struct rg_errs *, const config_setting_t *grp, const char *key,
	    long long def, long long min, long long max, long long *out);
bool	rg_conf_double(struct rg_errs *, const config_setting_t *grp, const char *key,
	    double def, double min, double max, double *out);
/* The string is owned by libconfig; copy it if it must outlive the config_t. */
bool	rg_conf_string(struct rg_errs *, const config_setting_t *grp, const char *key,
	    const char *def, const char **out);
/* One of 'choices' (NULL-terminated); returns its index, or 'def' index. */
bool	rg_conf_enum(struct rg_errs *, const config_setting_t *grp, const char *key,
	    const char *const choices[], int def, int *out);
/* An array or list of strings; NULL when absent.  Entries owned by libconfig. */
const config_setting_t *rg_conf_strings(struct rg_errs *, const config_setting_t *grp,
	    const char *key);

/*
 * Open a file the configuration names, for reading, without ever
 * blocking: O_NONBLOCK (a FIFO has no writer), O_NOFOLLOW unless
 * 'follow', then fstat; anything but a regular file is refused.
 * Problems are recorded at FILE:LINE as "LABEL..." (LABEL names the
 * key and path, or is ""); returns the descriptor, or -1.
 */
int	rg_conf_open(struct rg_errs *, const char *file, int line, const char *label,
	    const char *path, bool follow);

/* Longest secret a *_password_file may hold. */
#define RG_CONF_SECRET_MAX	1024

/*
 * The secret a KEY = "PATH" password file holds: opened by rg_conf_open
 * (no symlink) and judged by fstat, so the file judged is the file read;
 * mode 0600 or stricter, owned by root or by us, one line of at most
 * RG_CONF_SECRET_MAX bytes, one trailing newline (and CR) dropped.
 * Errors are recorded at 's' and name KEY and PATH, never the content;
 * 'empty_why', when not NULL, is added to the "is empty" error.
 * Returns the secret (malloc'd; the caller wipes it) or NULL.
 */
char	*rg_conf_read_secret(struct rg_errs *, const config_setting_t *s, const char *key,
	    const char *path, const char *empty_why);

/*
 * config_init() + config_read() on a descriptor from rg_conf_open(),
 * reporting an unusable file or a syntax error as FILE:LINE.  'follow':
 * may 'path' be a symlink (-c may; a file the config names may not).
 * On false, cf needs no config_destroy().
 */
bool	rg_conf_read(struct rg_errs *, config_t *cf, const char *path, bool follow);

/* Largest configuration file read (an @included one is libconfig's to read). */
#define RG_CONF_FILE_MAX	(16 * 1024 * 1024)

/* Resolve 'path' relative to the directory holding 'conffile'; malloc'd. */
char	*rg_conf_path(const char *conffile, const char *path);

#endif
