/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * query.h - relayguard -q: one directory lookup from the command line,
 * like postmap -q, through the same rg_dir_* calls and address
 * normalisation as the daemon's RCPT and MAIL stages.
 *
 *   -q ADDRESS      found kind=mailbox|forward|list target=... source=...
 *   -q login=LOGIN  found login=... address=... source=...  (one line each)
 *   otherwise       not found, or error: WHY
 *
 * Exit: 0 found, 1 not found, 75 (EX_TEMPFAIL) could not tell, 65
 * (EX_DATAERR) when the argument is not an address or a login.  The
 * process is new, so the answer cache is empty and never answers.
 */
#ifndef RG_QUERY_H
#define RG_QUERY_H

#include <stdio.h>

#include "conf/conf.h"
#include "report/notice.h"

/* Look 'arg' up in cfg's directory, print the answer to 'out', return the exit status. */
int	rg_query(struct rg_config *cfg, const char *arg, FILE *out);

/*
 * relayguard -R --notices: whom the notice for an exception's 'sender'
 * goes to (rg_notice_to_fn; 'cfg' is the report's struct rg_config *).
 * The login owning the sender (rg_dir_address_login), then that login's
 * primary address: the first one rg_dir_login_addresses lists (the
 * file's first of "addresses"; LDAP's first value of the first of
 * login_address_attributes, mail by default).  Not owned, or owned by
 * a login whose primary address is the sender: to the sender.  Could
 * not tell: RG_NOTICE_TO_FALLBACK with the reason.  Here, not in
 * report/, because report/ may not ask the directory.
 */
void	rg_query_notice_to(void *cfg, const char *sender, struct rg_notice_to *r);

#endif
