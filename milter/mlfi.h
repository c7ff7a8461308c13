/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * mlfi.h - libmilter callbacks: macros and envelope arguments become
 * session facts; session verdicts become SMFIS_* codes and replies.
 */
#ifndef RG_MLFI_H
#define RG_MLFI_H

#include <libmilter/mfapi.h>

/* The filter description handed to smfi_register(). */
extern struct smfiDesc rg_mlfi_desc;

/* Log the macros seen at each stage (-v): how to learn what an MTA sends. */
void	rg_mlfi_set_debug(int on);

#endif
