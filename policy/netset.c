/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * netset.c - CIDR set as one hash table (common/strmap.h, exact keys)
 * keyed by family, prefix length and the masked bits; a lookup tries
 * only the prefix lengths the set holds, longest first.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netset.h"
#include "common/strmap.h"
#include "common/strutil.h"

struct rg_netset {
	struct rg_strmap *nets;	/* key(): family, prefix, bits */
	/* [v4/v6]: the prefix lengths present, longest first: a lookup tries only these. */
	unsigned char lens[2][129];
	int nlens[2];
};

/* The table's key: family (4 or 6), prefix length, then 4 or 16 bytes. */
#define KEY_MAX	18

static size_t
key(unsigned char k[KEY_MAX], int family, int len, const unsigned char *b)
{
	size_t nb = family == 4 ? 4 : 16;

	k[0] = (unsigned char)family;
	k[1] = (unsigned char)len;
	memcpy(k + 2, b, nb);
	return 2 + nb;
}

struct rg_netset *
rg_netset_new(void)
{
	struct rg_netset *s = rg_xcalloc(1, sizeof(*s));

	s->nets = rg_strmap_new_exact();
	return s;
}

void
rg_netset_destroy(struct rg_netset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	rg_strmap_destroy(&(*sp)->nets);
	free(*sp);
	*sp = NULL;
}

size_t
rg_netset_count(const struct rg_netset *s)
{
	return rg_strmap_count(s->nets);
}

bool
rg_ip_parse(const char *ip, int *family_r, unsigned char b[16])
{
	char buf[64];
	size_t n;

	if (strncasecmp(ip, "IPv6:", 5) == 0)
		ip += 5;
	n = strlen(ip);
	if (n > 0 && ip[0] == '[' && ip[n - 1] == ']') {
		ip++;
		n -= 2;
	}
	if (!rg_strncpy(buf, sizeof(buf), ip, n))
		return false;
	if (inet_pton(AF_INET, buf, b) == 1) {
		*family_r = 4;
		return true;
	}
	if (inet_pton(AF_INET6, buf, b) == 1) {
		static const unsigned char mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

		/* A v4 client on a dual-stack socket must match v4 rules. */
		if (memcmp(b, mapped, 12) == 0) {
			memmove(b, b + 12, 4);
			*family_r = 4;
		} else {
			*family_r = 6;
		}
		return true;
	}
	return false;
}

static void
mask(unsigned char *b, int len, int total)
{
	for (int i = 0; i < total / 8; i++) {
		int keep = len - i * 8;

		if (keep >= 8)
			continue;
		b[i] = keep <= 0 ? 0 : (unsigned char)(b[i] & (0xff << (8 - keep)));
	}
}

static void
insert(struct rg_netset *s, int family, int len, const unsigned char *b)
{
	unsigned char k[KEY_MAX];

	unsigned char *l = s->lens[family == 6];
	int *n = &s->nlens[family == 6], at = 0;

	/* A duplicate replaces itself: harmless. */
	rg_strmap_putn(s->nets, k, key(k, family, len, b), NULL);
	while (at < *n && l[at] > len)
		at++;
	if (at < *n && l[at] == len)
		return;
	memmove(l + at + 1, l + at, (size_t)(*n - at));
	l[at] = (unsigned char)len;
	(*n)++;
}

bool
rg_netset_add(struct rg_netset *s, const char *cidr, char *err, size_t errlen)
{
	char addr[64];
	const char *slash = strchr(cidr, '/');
	unsigned char b[16] = { 0 }, m[16];
	int family, len, max;

	if (!rg_strncpy(addr, sizeof(addr), cidr, slash ? (size_t)(slash - cidr) : strlen(cidr))
	    || !rg_ip_parse(addr, &family, b)) {
		snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 network", cidr);
		return false;
	}
	max = family == 4 ? 32 : 128;
	if (slash == NULL) {
		len = max;
	} else {
		/* ::ffff:a.b.c.d/120 is written in IPv6 terms and means a.b.c.d/24. */
		bool mapped = family == 4 && strchr(addr, ':') != NULL;
		int written_max = mapped ? 128 : max;
		char *end;
		long l = strtol(slash + 1, &end, 10);

		if (slash[1] == '\0' || *end != '\0' || l < 0 || l > written_max) {
			snprintf(err, errlen, "\"%s\": prefix length must be 0..%d", cidr, written_max);
			return false;
		}
		if (mapped)
			l = l >= 96 ? l - 96 : -1;
		if (l < 0) {
			snprintf(err, errlen, "\"%s\": prefix too short for a mapped IPv4 network", cidr);
			return false;
		}
		len = (int)l;
	}
	memcpy(m, b, sizeof(m));
	mask(m, len, max);
	if (memcmp(m, b, (size_t)(max / 8)) != 0) {
		snprintf(err, errlen, "\"%s\" has host bits set beyond /%d", cidr, len);
		return false;
	}
	insert(s, family, len, m);
	return true;
}

bool
rg_netset_contains(const struct rg_netset *s, const char *ip)
{
	unsigned char b[16] = { 0 }, k[KEY_MAX];
	int family, total;
	size_t n;

	if (rg_strmap_count(s->nets) == 0 || !rg_ip_parse(ip, &family, b))
		return false;
	/* The key once; each prefix length re-masks only its bits. */
	n = key(k, family, 0, b);
	total = family == 4 ? 32 : 128;
	for (int i = 0; i < s->nlens[family == 6]; i++) {
		int len = s->lens[family == 6][i];

		k[1] = (unsigned char)len;
		mask(k + 2, len, total);
		if (rg_strmap_getn(s->nets, k, n, NULL))
			return true;
	}
	return false;
}
