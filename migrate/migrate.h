/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * migrate.h - read the relay exceptions of another MTA: a Sendmail access
 * file (the text that makemap turns into access.db) or a Postfix access
 * map (the text that postmap indexes), and say what each entry means for
 * relayguard.
 *
 * rg_mig_split() cuts a file into entries the way makemap or postmap
 * would, and refuses what they would refuse or silently mangle (NUL, CR,
 * invalid UTF-8, over-long lines, unbalanced quotes) with a reason.
 * rg_mig_sendmail() and rg_mig_postfix() classify one entry: a sender
 * that may relay, a whole domain, a client network, or something that
 * grants no relaying, with the reason in words.  Nothing here allocates
 * between calls, reads policy.conf or prints: pure and reentrant.
 */
#ifndef RG_MIGRATE_H
#define RG_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

#include "policy/addr.h"

/* The longest logical line (continuations included) that is accepted. */
#define RG_MIG_LINE_MAX		2048
#define RG_MIG_WHY_MAX		768
#define RG_MIG_NET_MAX		64

enum rg_mig_syntax { RG_MIG_SENDMAIL, RG_MIG_POSTFIX };

enum rg_mig_action {
	RG_MIG_SENDER,		/* one address may relay: import it */
	RG_MIG_DOMAIN,		/* every address of a domain may relay */
	RG_MIG_NETWORK,		/* a client network may relay: not a sender */
	RG_MIG_SKIP,		/* grants no sender relaying, or cannot be expressed */
	RG_MIG_BAD,		/* the entry itself cannot be read */
};

/* Why an entry is dangerous; each is a warning and a comment in the fragment. */
#define RG_MIG_F_DOMAIN		0x01	/* a whole domain */
#define RG_MIG_F_USERAT		0x02	/* user@: that local part in every domain */
#define RG_MIG_F_PERMIT_ALL	0x04	/* OK that permits everything at its stage */
#define RG_MIG_F_OWN		0x08	/* in one of our domains.local (set by the importer) */

struct rg_mig_entry {
	enum rg_mig_action action;
	unsigned flags;
	/* RG_MIG_SENDER: "local@domain"; RG_MIG_DOMAIN: "@domain". */
	char sender[RG_ADDR_LOCAL_MAX + RG_ADDR_DOMAIN_MAX + 2];
	char domain[RG_ADDR_DOMAIN_MAX];	/* of a sender or domain entry */
	char net[RG_MIG_NET_MAX];		/* RG_MIG_NETWORK: CIDR */
	char why[RG_MIG_WHY_MAX];		/* the reason, for skips, networks and warnings */
};

/*
 * One logical entry, or (key == NULL) an error at 'line' described by
 * 'err'.  'key' is folded to lower case, as makemap and postmap do; 'value'
 * has surrounding whitespace removed.  Both are valid UTF-8 without
 * control characters other than tab.
 */
typedef void (*rg_mig_fn)(void *arg, unsigned line, const char *key, const char *value,
    const char *err);

/*
 * Read 'in' to its end with the rules of makemap (RG_MIG_SENDMAIL) or
 * postmap (RG_MIG_POSTFIX), calling 'fn' once per entry or error, in file
 * order.  Returns false only when reading itself failed (errno is set).
 */
bool	rg_mig_split(FILE *in, enum rg_mig_syntax, rg_mig_fn fn, void *arg);

/* Classify one Sendmail access entry, as FEATURE(`relay_mail_from') reads it. */
void	rg_mig_sendmail(const char *key, const char *value, struct rg_mig_entry *e_r);

/* Classify one Postfix access(5) entry of a check_sender/client_access map. */
void	rg_mig_postfix(const char *key, const char *value, struct rg_mig_entry *e_r);

/*
 * A client address or network as Sendmail (Connect:10.1.2, IPv6:2001:db8)
 * or Postfix (10.1.2, 10.1.2.0/24, 2001:db8::/32) writes it, as CIDR in
 * 'cidr_r'.  False when 'key' is not one.
 */
bool	rg_mig_network(const char *key, bool sendmail, char *cidr_r, size_t len);

/* Short stable name of an action, for tests. */
const char *rg_mig_action_name(enum rg_mig_action);

#endif
