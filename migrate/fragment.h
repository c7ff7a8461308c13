/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fragment.h - write values safely into a libconfig fragment and into
 * messages.
 *
 * Whatever an access file holds, what we write is one line of printable
 * ASCII: a libconfig string escapes '"' and '\' and writes every other
 * byte outside 0x20-0x7e as \xHH, which libconfig reads back as the same
 * byte; a comment or a stderr message does the same without the quotes.
 * Pure and reentrant.
 */
#ifndef RG_MIG_FRAGMENT_H
#define RG_MIG_FRAGMENT_H

#include <stdio.h>

/* Write 's' as a double-quoted libconfig string. */
void	rg_mig_put_string(FILE *out, const char *s);

/* Write 's' for a comment or a message: printable ASCII, the rest as \xHH. */
void	rg_mig_put_text(FILE *out, const char *s);

#endif
