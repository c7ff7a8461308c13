/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * dir_file.h - the embedded directory: recipients and login ownership
 * held in memory, loaded from directory.conf by conf/ at config load.
 *
 * It never answers "could not tell": the data is in memory, so a lookup
 * cannot fail.  Read-only after build and safe to share between threads.
 */
#ifndef RG_DIR_FILE_H
#define RG_DIR_FILE_H

#include "dir.h"

/* An empty file directory; 'source' (the file name) appears in lookup logs. */
struct rg_dir *rg_dir_file_new(const char *source);

/* Build-time only.  Addresses are matched case-insensitively. */
void	rg_dir_file_add_recipient(struct rg_dir *, const char *addr, enum rg_rcpt_kind);
void	rg_dir_file_add_login_address(struct rg_dir *, const char *login, const char *addr);
/* Mark a login suspended (directory.conf: suspended = true). */
void	rg_dir_file_set_suspended(struct rg_dir *, const char *login);
/* A forward's target, shown by relayguard -q; copied. */
void	rg_dir_file_set_target(struct rg_dir *, const char *addr, const char *target);

#endif
