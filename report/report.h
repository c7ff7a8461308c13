/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * report.h - "relayguard -R": the migration report and users' notices.
 *
 *   relayguard -R [-c FILE] [--since YYYY-MM-DD] [--until YYYY-MM-DD]
 *       [--format text|json] [--top N] [--year YYYY]
 *       [--notices DIR [--template FILE]] [LOGFILE ... | -]
 *   relayguard -R --print-template
 *
 * Reads syslog files (plain or gzip, through zlib; rotated ones are just
 * more files), journalctl -o short output and stdin, and keeps only
 * relayguard's own lines (report/logparse.h).  Single-threaded; run once.
 */
#ifndef RG_REPORT_REPORT_H
#define RG_REPORT_REPORT_H

#include "notice.h"

/*
 * 'conf' is the policy.conf path (-c before -R, or the default); argv
 * holds what follows -R.  Returns a sysexits status: 0, EX_USAGE,
 * EX_DATAERR, EX_NOINPUT, EX_CANTCREAT, EX_IOERR or EX_CONFIG.
 * 'resolve' addresses the notices (see notice.h); it is called with
 * the loaded struct rg_config * as its arg.  NULL: to each sender.
 */
int	rg_report_main(const char *conf, int argc, char **argv, rg_notice_to_fn *resolve);

#endif
