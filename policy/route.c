/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * route.c - local mailers and internal hosts, for the routing cross-check.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "route.h"
#include "common/strutil.h"

/*
 * Postfix: local, virtual, lmtp (a mailbox server), error and discard
 * (nothing leaves).  Sendmail: local, prog, *file*, *include*.
 */
const char *const rg_route_builtin_mailers[] = { "local", "virtual", "lmtp", "error",
    "discard", "prog", "*file*", "*include*", NULL };

struct rg_route {
	char **mailers;
	size_t nmailers;
	struct rg_domset *hosts;
};

static void
push(struct rg_route *r, const char *name)
{
	char **m = rg_xcalloc(r->nmailers + 1, sizeof(*m));

	if (r->nmailers > 0)
		memcpy(m, r->mailers, r->nmailers * sizeof(*m));
	free(r->mailers);
	r->mailers = m;
	r->mailers[r->nmailers++] = rg_xstrdup(name);
}

struct rg_route *
rg_route_new(void)
{
	struct rg_route *r = rg_xcalloc(1, sizeof(*r));

	for (size_t i = 0; rg_route_builtin_mailers[i] != NULL; i++)
		push(r, rg_route_builtin_mailers[i]);
	r->hosts = rg_domset_new();
	return r;
}

void
rg_route_clear_mailers(struct rg_route *r)
{
	for (size_t i = 0; i < r->nmailers; i++)
		free(r->mailers[i]);
	free(r->mailers);
	r->mailers = NULL;
	r->nmailers = 0;
}

void
rg_route_destroy(struct rg_route **rp)
{
	struct rg_route *r;

	if (rp == NULL || (r = *rp) == NULL)
		return;
	rg_route_clear_mailers(r);
	rg_domset_destroy(&r->hosts);
	free(r);
	*rp = NULL;
}

bool
rg_route_add_mailer(struct rg_route *r, const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0 || n > RG_ROUTE_MAILER_MAX) {
		snprintf(err, errlen, "a mailer name is 1 to %d characters", RG_ROUTE_MAILER_MAX);
		return false;
	}
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || *p == 0x7f) {
			snprintf(err, errlen, "a mailer name has no spaces, quotes or control characters");
			return false;
		}
	push(r, name);
	return true;
}

struct rg_domset *
rg_route_hosts(struct rg_route *r)
{
	return r->hosts;
}

static bool
local_mailer(const struct rg_route *r, const char *mailer)
{
	for (size_t i = 0; i < r->nmailers; i++)
		if (rg_strieq(r->mailers[i], mailer))
			return true;
	return false;
}

/* "[192.0.2.1]:25" -> "192.0.2.1" (literal); "mx.example.:25" -> "mx.example". */
static bool
host_part(const char *host, char *out, size_t outlen, bool *literal_r)
{
	const char *end;

	*literal_r = host[0] == '[';
	if (*literal_r) {
		host++;
		if ((end = strchr(host, ']')) == NULL)
			return false;
		if (strncasecmp(host, "IPv6:", 5) == 0)
			host += 5;
	} else {
		end = strchr(host, ':');
		if (end == NULL)
			end = host + strlen(host);
		if (end > host && end[-1] == '.')
			end--;
	}
	return end > host && rg_strncpy(out, outlen, host, (size_t)(end - host));
}

static bool
is_address(const char *h)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, h, &a4) == 1 || inet_pton(AF_INET6, h, &a6) == 1;
}

bool
rg_route_remote(const struct rg_route *r, const struct rg_netset *trusted,
    const struct rg_domset *relay, const char *mailer, const char *host)
{
	char h[256];
	bool literal;

	if (mailer == NULL || mailer[0] == '\0' || local_mailer(r, mailer))
		return false;
	if (host == NULL || host[0] == '\0')
		return false;
	/* A host we cannot read is not ours: better a warning than a silent relay. */
	if (!host_part(host, h, sizeof(h), &literal))
		return true;
	/* Postfix brackets names too ("[mx.example]": no MX lookup). */
	if (literal && is_address(h))
		return !rg_netset_contains(trusted, h);
	return !rg_domset_contains(relay, h) && !rg_domset_contains(r->hosts, h);
}
