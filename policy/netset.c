/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * netset.c - CIDR set as one hash table keyed by (family, prefix, masked bits).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "netset.h"
#include "common/strutil.h"

struct net {
	bool used;
	unsigned char family;	/* 4 or 6 */
	unsigned char len;
	unsigned char bytes[16];
};

struct rg_netset {
	struct net *slots;
	size_t cap;		/* power of two */
	size_t count;
	bool has_len[2][129];	/* [v4/v6][prefix] present */
};

struct rg_netset *
rg_netset_new(void)
{
	struct rg_netset *s = rg_xcalloc(1, sizeof(*s));

	s->cap = 16;
	s->slots = rg_xcalloc(s->cap, sizeof(*s->slots));
	return s;
}

void
rg_netset_destroy(struct rg_netset **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free((*sp)->slots);
	free(*sp);
	*sp = NULL;
}

size_t
rg_netset_count(const struct rg_netset *s)
{
	return s->count;
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

static size_t
net_hash(int family, int len, const unsigned char *b)
{
	unsigned long h = 2166136261UL ^ (unsigned long)(family * 131 + len);

	for (int i = 0; i < (family == 4 ? 4 : 16); i++) {
		h ^= b[i];
		h *= 16777619UL;
	}
	return (size_t)h;
}

static struct net *
probe(const struct rg_netset *s, int family, int len, const unsigned char *b)
{
	size_t i = net_hash(family, len, b) & (s->cap - 1);
	int nb = family == 4 ? 4 : 16;

	for (;; i = (i + 1) & (s->cap - 1)) {
		struct net *n = &s->slots[i];

		if (!n->used || (n->family == family && n->len == len &&
		    memcmp(n->bytes, b, (size_t)nb) == 0))
			return n;
	}
}

static void
insert(struct rg_netset *s, int family, int len, const unsigned char *b)
{
	struct net *n;

	if ((s->count + 1) * 2 > s->cap) {
		struct net *old = s->slots;
		size_t oldcap = s->cap;

		s->cap *= 2;
		s->slots = rg_xcalloc(s->cap, sizeof(*s->slots));
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used)
				*probe(s, old[i].family, old[i].len, old[i].bytes) = old[i];
		free(old);
	}
	n = probe(s, family, len, b);
	if (n->used)
		return;		/* duplicate: harmless */
	n->used = true;
	n->family = (unsigned char)family;
	n->len = (unsigned char)len;
	memset(n->bytes, 0, sizeof(n->bytes));
	memcpy(n->bytes, b, family == 4 ? 4 : 16);
	s->has_len[family == 6][len] = true;
	s->count++;
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
	unsigned char b[16] = { 0 }, m[16];
	int family;

	if (s->count == 0 || !rg_ip_parse(ip, &family, b))
		return false;
	for (int len = family == 4 ? 32 : 128; len >= 0; len--) {
		if (!s->has_len[family == 6][len])
			continue;
		memcpy(m, b, sizeof(m));
		mask(m, len, family == 4 ? 32 : 128);
		if (probe(s, family, len, m)->used)
			return true;
	}
	return false;
}
