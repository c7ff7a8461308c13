/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * import.h - "relayguard -I sendmail|postfix": turn another MTA's relay
 * exceptions into a legacy_exceptions fragment for policy.conf.
 *
 * The fragment goes to stdout, one group per imported sender with
 * sender, expires, networks (domain-wide entries only) and
 * note = "FILE:LINE" naming the source line, so that later tools can
 * trace an exception back to it.  Every entry that is not imported is
 * reported on stderr as "FILE:LINE: ..." and as a comment in the
 * fragment; so is every dangerous one.  Single-threaded; run once.
 */
#ifndef RG_MIG_IMPORT_H
#define RG_MIG_IMPORT_H

/*
 * 'format' is "sendmail" or "postfix"; 'conf' the policy.conf given with
 * -c before -I, or NULL; argv holds what follows -I FORMAT:
 * [-c FILE] [--expires YYYY-MM-DD] [--allow-domain] FILE.
 * Returns a sysexits status: 0, EX_USAGE, EX_DATAERR (an entry could not
 * be read), EX_NOINPUT, EX_IOERR or EX_CONFIG.
 */
int	rg_mig_import(const char *format, const char *conf, int argc, char **argv);

#endif
