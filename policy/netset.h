/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * netset.h - a set of IPv4 and IPv6 networks (CIDR), for "is this client
 * trusted".
 *
 * Lookup cost grows with the number of distinct prefix lengths in the
 * set (at most 33 + 129), not with the number of networks: each length
 * present is one hash probe.  An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * matches as the IPv4 address it carries.  Built once at config load,
 * then read-only and safe to share between threads.
 */
#ifndef RG_NETSET_H
#define RG_NETSET_H

#include <stdbool.h>
#include <stddef.h>

struct rg_netset;

struct rg_netset *rg_netset_new(void);
void	rg_netset_destroy(struct rg_netset **);

/*
 * Add "a.b.c.d/len", "v6addr/len", or a bare address (a host route).
 * Rejects host bits set below the prefix ("192.0.2.1/24"), since that is
 * almost always a typo for a wider or narrower network than meant.
 * On failure returns false and writes a reason into err.
 */
bool	rg_netset_add(struct rg_netset *, const char *cidr, char *err, size_t errlen);

/* Is the textual address 'ip' inside any network?  Non-addresses: false. */
bool	rg_netset_contains(const struct rg_netset *, const char *ip);

size_t	rg_netset_count(const struct rg_netset *);

/* Parse an address (IPv4, IPv6, "IPv6:" prefix, [brackets] allowed). */
bool	rg_ip_parse(const char *ip, int *family_r, unsigned char bytes_r[16]);

#endif
