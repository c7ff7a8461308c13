/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * conf_sets.c - networks and domain lists into the engine's sets, and
 * the second look at what was accepted: a trusted network that lets half
 * the Internet relay, an IP address given as a local domain, a relay
 * domain that domains.local already covers.  The sets themselves judge
 * syntax; these checks are about what the admin probably meant.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_sets.h"
#include "common/strmap.h"
#include "policy/addr.h"

/*
 * The widest networks.trusted entries we take without a word: /8 for
 * IPv4, /32 for IPv6.  Anything wider lets a large part of the Internet
 * relay without authentication, which is rarely what was meant.
 */
#define WIDE_V4	8
#define WIDE_V6	32

/* Warn about a trusted network (already accepted by the netset) that is too wide. */
static void
warn_wide(struct rg_errs *e, const config_setting_t *s, const char *cidr)
{
	static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
	unsigned char b[16];
	char addr[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(cidr, '/');
	size_t n = slash != NULL ? (size_t)(slash - cidr) : strlen(cidr);
	int len, v4;

	if (slash == NULL || n >= sizeof(addr))
		return;		/* one host */
	memcpy(addr, cidr, n);
	addr[n] = '\0';
	len = atoi(slash + 1);
	if (inet_pton(AF_INET, addr, b) == 1)
		v4 = 1;
	else if (inet_pton(AF_INET6, addr, b) == 1)
		v4 = len >= 96 && memcmp(b, mapped, 12) == 0;
	else
		return;
	if (v4 && strchr(addr, ':') != NULL)
		len -= 96;	/* ::ffff:a.b.c.d/104 is a.b.c.d/8 */
	if (len == 0)
		rg_warn_at(e, s, "\"%s\" in networks.trusted is every %s address: any such "
		    "client may relay without authentication", cidr, v4 ? "IPv4" : "IPv6");
	else if (len < (v4 ? WIDE_V4 : WIDE_V6))
		rg_warn_at(e, s, "\"%s\" in networks.trusted is wider than /%d: every client "
		    "in it may relay without authentication", cidr, v4 ? WIDE_V4 : WIDE_V6);
}

void
rg_conf_nets(struct rg_errs *e, const config_setting_t *list, struct rg_netset *set,
    bool trusted)
{
	char err[256];

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		const char *cidr = config_setting_get_string(s);

		if (!rg_netset_add(set, cidr, err, sizeof(err)))
			rg_errs_at(e, s, "%s", err);
		else if (trusted)
			warn_wide(e, s, cidr);
	}
}

/* An address as a local domain: mail to it is ours only if this gateway owns it. */
static void
warn_literal(struct rg_errs *e, const config_setting_t *s, const char *dom)
{
	unsigned char b[16];
	char addr[INET6_ADDRSTRLEN + 8];
	size_t n = strlen(dom);

	if (dom[0] == '[') {
		rg_warn_at(e, s, "IP literal \"%s\" in domains.local: this gateway must own "
		    "that address, or mail to it is accepted for another host", dom);
		return;
	}
	if (n > 0 && dom[n - 1] == '.')
		n--;
	if (n >= sizeof(addr))
		return;
	memcpy(addr, dom, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, b) == 1)
		rg_warn_at(e, s, "\"%s\" in domains.local is an IPv4 address: an IP literal "
		    "is written \"[%s]\", and this gateway must own it", dom, addr);
}

void
rg_conf_domains(struct rg_errs *e, const config_setting_t *list, struct rg_domset *set,
    bool local)
{
	char err[256];

	for (int i = 0; list && i < config_setting_length(list); i++) {
		const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		const char *dom = config_setting_get_string(s);

		if (!rg_domset_add(set, dom, err, sizeof(err)))
			rg_errs_at(e, s, "%s", err);
		else if (local)
			warn_literal(e, s, dom);
	}
}

/* A domain pattern as the domset compares it: one trailing dot dropped. */
static void
domain_key(const char *dom, char *buf, size_t len)
{
	size_t n = strlen(dom);

	if (n > 0 && dom[n - 1] == '.')
		n--;
	snprintf(buf, len, "%.*s", (int)n, dom);
}

/*
 * Local wins (its recipients are verified), so the relay entry is dead
 * or, worse, the admin believes that domain is relayed unverified.
 */
void
rg_conf_warn_overlap(struct rg_errs *e, const config_setting_t *local,
    const config_setting_t *relay, const struct rg_domset *localset)
{
	struct rg_strmap *seen;
	char key[RG_ADDR_DOMAIN_MAX + 8];

	if (local == NULL || relay == NULL)
		return;
	seen = rg_strmap_new();
	for (int i = 0; i < config_setting_length(local); i++) {
		const char *d = config_setting_get_string_elem(local, i);

		if (d != NULL) {
			domain_key(d, key, sizeof(key));
			rg_strmap_put(seen, key, NULL);
		}
	}
	for (int i = 0; i < config_setting_length(relay); i++) {
		const config_setting_t *s = config_setting_get_elem(relay, (unsigned)i);
		const char *d = config_setting_get_string(s);

		if (d == NULL)
			continue;
		domain_key(d, key, sizeof(key));
		if (rg_strmap_get(seen, key, NULL))
			rg_warn_at(e, s, "\"%s\" is in both domains.local and domains.relay: "
			    "local wins, so its recipients are verified; remove one", d);
		else if (key[0] != '.' && key[0] != '[' && rg_domset_contains(localset, key))
			rg_warn_at(e, s, "\"%s\" in domains.relay is already covered by "
			    "domains.local: local wins, so its recipients are verified; remove one", d);
	}
	rg_strmap_destroy(&seen);
}
