/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_errs.h - a list of "FILE:LINE: message" strings, collected so a
 * broken file reports all of its problems at once, and beside it a list
 * of "FILE:LINE: warning: message" strings: settings that load but are
 * probably a mistake.  Warnings never make a file fail.
 */
#ifndef RG_CONF_ERRS_H
#define RG_CONF_ERRS_H

struct rg_errs {
	char **msgs;
	int count;
	int cap;
	char **warns;
	int nwarns;
	int wcap;
};

void	rg_errs_add(struct rg_errs *, const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* Frees errors and warnings alike. */
void	rg_errs_free(struct rg_errs *);

#endif
