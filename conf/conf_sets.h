/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_sets.h - lists of networks and domains from policy.conf into the
 * engine's sets (networks.trusted, domains.*, routing.hosts, a legacy
 * exception's networks), with the warnings an admin needs about entries
 * that load but are probably a mistake.
 *
 * Every bad entry is recorded at its own FILE:LINE and the rest are
 * still read; warnings never make a file fail.
 */
#ifndef RG_CONF_SETS_H
#define RG_CONF_SETS_H

#include <stdbool.h>

#include "conf/conf_util.h"
#include "policy/domset.h"
#include "policy/netset.h"

/*
 * Add every CIDR of 'list' (NULL: none) to 'set'.  'trusted': the list
 * is networks.trusted, so warn about a network wider than /8 (IPv4) or
 * /32 (IPv6), whose every client may relay without authentication.
 */
void	rg_conf_nets(struct rg_errs *, const config_setting_t *list, struct rg_netset *set,
	    bool trusted);

/*
 * Add every domain pattern of 'list' (NULL: none) to 'set'.  'local':
 * the list is domains.local, so warn about an IP literal or a bare
 * address, which this gateway must own for mail to it to be its own.
 */
void	rg_conf_domains(struct rg_errs *, const config_setting_t *list, struct rg_domset *set,
	    bool local);

/*
 * Warn about each domains.relay entry that domains.local ('local_list',
 * loaded into 'localset') already covers: local wins, so its recipients
 * are verified, which the admin may not expect.  Either list may be NULL.
 */
void	rg_conf_warn_overlap(struct rg_errs *, const config_setting_t *local_list,
	    const config_setting_t *relay_list, const struct rg_domset *localset);

#endif
