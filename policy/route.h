/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * route.h - does the MTA's own routing agree that a recipient is ours?
 *
 * The MTA tells the milter, per RCPT, which mailer (transport) it will
 * deliver with and to which host ({rcpt_mailer}, {rcpt_host}).  When
 * relayguard holds a recipient for local but the MTA is about to send it
 * to a remote host, the two disagree about where the mail goes: that is
 * how a half-migrated domain list becomes an open relay.  This module
 * only answers "is that route remote?"; the verdict is policy.c's.
 *
 * Built once per snapshot, read-only afterwards; thread-safe to share.
 */
#ifndef RG_ROUTE_H
#define RG_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "domset.h"
#include "netset.h"

/* Longest mailer name kept; longer ones are refused by the loader. */
#define RG_ROUTE_MAILER_MAX	64

struct rg_route;

/* The built-in local mailers, NULL-terminated (routing.local_mailers' default). */
extern const char *const rg_route_builtin_mailers[];

/* A route table with the built-in local mailers (see policy.conf(5)). */
struct rg_route *rg_route_new(void);
void	rg_route_destroy(struct rg_route **);

/*
 * Replace the built-in list with the loader's: call rg_route_clear_mailers
 * once, then add each name.  False with a reason for a bad name.
 */
void	rg_route_clear_mailers(struct rg_route *);
bool	rg_route_add_mailer(struct rg_route *, const char *name, char *err, size_t errlen);

/* Hosts (domset patterns) that count as ours when a remote mailer goes there. */
struct rg_domset *rg_route_hosts(struct rg_route *);

/*
 * Is delivering with 'mailer' to 'host' leaving our systems?  False when
 * the mailer is a local one, when either is unknown (no macro: nothing to
 * compare), or when the host is in 'relay', in the route's hosts, or an
 * address literal inside 'trusted'.  'host' may carry brackets, a port
 * and a trailing dot ("[192.0.2.1]:25", "mx.example.").
 */
bool	rg_route_remote(const struct rg_route *, const struct rg_netset *trusted,
	    const struct rg_domset *relay, const char *mailer, const char *host);

#endif
