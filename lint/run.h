/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * run.h - run a helper program (postconf) and read what it prints,
 * treating it as hostile: no shell, a deadline, bounded output and
 * bounded lines, NUL bytes refused.
 */
#ifndef RG_LINT_RUN_H
#define RG_LINT_RUN_H

#include <stdbool.h>
#include <stddef.h>

/* The most a helper may print on stdout. */
#define RG_RUN_MAXOUT	(4 * 1024 * 1024)

struct rg_lines {
	char **v;
	int n;
};

/*
 * Find 'name' in $PATH, then /usr/sbin, /sbin and /usr/local/sbin;
 * false when it is nowhere to be run.
 */
bool	rg_run_find(const char *name, char *path_r, size_t len);

/*
 * Run argv (argv[0] an absolute path) with stdin from /dev/null for at
 * most 'timeout' seconds and split its stdout into lines.  True only
 * when it exited 0 and every line was within RG_LINT_MAXLINE; otherwise
 * 'err' says why, with the first line the helper wrote to stderr.
 * Other stderr lines (postconf's warnings) are copied to our stderr.
 */
bool	rg_run_lines(char *const argv[], double timeout, struct rg_lines *lines_r,
	    char *err, size_t errlen);

void	rg_lines_free(struct rg_lines *);

/*
 * Split a buffer of 'n' bytes into lines (a final line without newline
 * counts); false with 'err' set when a line is too long or holds a NUL.
 * 'joinc' joins lines that start with a space or tab onto the previous
 * one (postconf -M folding, .cf continuations); firstno_r (may be NULL)
 * gets each joined line's first line number.
 */
bool	rg_split_lines(const char *buf, size_t n, bool join, struct rg_lines *lines_r,
	    int **firstno_r, char *err, size_t errlen);

#endif
