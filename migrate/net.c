/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * net.c - client networks as access maps write them, turned into CIDR.
 *
 * Both MTAs match a network by cutting the client address at its last
 * '.' (IPv4) or ':' (IPv6) until a key matches, so "10.1.2" is
 * 10.1.2.0/24 and "2001:db8" is 2001:db8::/32.  Sendmail writes IPv6 keys
 * with an "IPv6:" prefix; Postfix cidr: tables write real CIDR.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "policy/netset.h"

/* 1-4 decimal octets, no leading zeros: the prefix length, or -1. */
static int
v4_prefix(const char *s, char *out, size_t len)
{
	unsigned oct[4] = { 0, 0, 0, 0 };
	int k = 0;

	while (k < 4) {
		const char *start = s;
		unsigned v = 0;

		while (*s >= '0' && *s <= '9' && s - start < 3)
			v = v * 10 + (unsigned)(*s++ - '0');
		if (s == start || v > 255 || (s - start > 1 && *start == '0'))
			return -1;
		oct[k++] = v;
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return -1;
	}
	if (*s != '\0')
		return -1;
	snprintf(out, len, "%u.%u.%u.%u", oct[0], oct[1], oct[2], oct[3]);
	return 8 * k;
}

/* Colon-separated hex groups, or a full address with "::": the prefix length, or -1. */
static int
v6_prefix(const char *s, char *out, size_t len)
{
	unsigned char b[16];
	char tmp[INET6_ADDRSTRLEN + 4];
	int groups = 1;

	if (strlen(s) >= sizeof(tmp) - 3 || strchr(s, ':') == NULL)
		return -1;
	if (strstr(s, "::") != NULL) {
		if (inet_pton(AF_INET6, s, b) != 1)
			return -1;
		inet_ntop(AF_INET6, b, out, (socklen_t)len);
		return 128;
	}
	for (const char *p = s; *p; p++)
		groups += *p == ':';
	snprintf(tmp, sizeof(tmp), "%s%s", s, groups < 8 ? "::" : "");
	if (groups > 8 || inet_pton(AF_INET6, tmp, b) != 1)
		return -1;
	inet_ntop(AF_INET6, b, out, (socklen_t)len);
	return 16 * groups;
}

bool
rg_mig_network(const char *key, bool sendmail, char *cidr_r, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 8], err[160];
	const char *slash;
	struct rg_netset *probe;
	int plen = -1;
	bool ok;

	if (len > 0)
		cidr_r[0] = '\0';
	if (sendmail && strncmp(key, "ipv6:", 5) == 0)
		plen = v6_prefix(key + 5, addr, sizeof(addr));
	else if ((slash = strchr(key, '/')) != NULL && !sendmail) {
		/* A cidr: table key; the netset refuses host bits, as Postfix does. */
		size_t n = (size_t)(slash - key);
		char *endp;
		long l = strtol(slash + 1, &endp, 10);
		unsigned char b[16];

		if (n >= sizeof(addr) || *endp != '\0' || slash[1] == '\0')
			return false;
		memcpy(addr, key, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, b) == 1 && l >= 0 && l <= 32)
			plen = (int)l;
		else if (inet_pton(AF_INET6, addr, b) == 1 && l >= 0 && l <= 128) {
			inet_ntop(AF_INET6, b, addr, sizeof(addr));
			plen = (int)l;
		}
	} else if (strchr(key, ':') != NULL) {
		if (sendmail)
			return false;	/* Sendmail spells IPv6 keys "IPv6:..." */
		plen = v6_prefix(key, addr, sizeof(addr));
	} else
		plen = v4_prefix(key, addr, sizeof(addr));
	if (plen < 0)
		return false;
	if ((plen == 32 && strchr(addr, ':') == NULL) || plen == 128)
		ok = (size_t)snprintf(cidr_r, len, "%s", addr) < len;
	else
		ok = (size_t)snprintf(cidr_r, len, "%s/%d", addr, plen) < len;
	if (!ok)
		return false;
	/* Exactly what policy.conf will accept, or nothing. */
	probe = rg_netset_new();
	ok = rg_netset_add(probe, cidr_r, err, sizeof(err));
	rg_netset_destroy(&probe);
	if (!ok)
		cidr_r[0] = '\0';
	return ok;
}
