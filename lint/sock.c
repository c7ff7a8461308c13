/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * sock.c - parse and compare milter socket names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sock.h"
#include "common/strutil.h"

static bool
port_of(const char *s, size_t n, unsigned *port_r)
{
	unsigned long v = 0;

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port_r = (unsigned)v;
	return true;
}

/* "unix:" or "local:" followed by a path; true when 'spec' has that prefix. */
static bool
unix_prefix(const char *spec, const char **rest_r)
{
	if (strncasecmp(spec, "unix:", 5) == 0)
		*rest_r = spec + 5;
	else if (strncasecmp(spec, "local:", 6) == 0)
		*rest_r = spec + 6;
	else
		return false;
	return true;
}

static bool
set_host(struct rg_sock *s, const char *h, size_t n)
{
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	return rg_strncpy(s->host, sizeof(s->host), h, n);
}

bool
rg_sock_parse_milter(const char *spec, struct rg_sock *s)
{
	const char *rest, *at;

	memset(s, 0, sizeof(*s));
	if (unix_prefix(spec, &rest)) {
		s->kind = RG_SOCK_UNIX;
		return *rest != '\0' && rg_strcpy(s->path, sizeof(s->path), rest);
	}
	if (strncasecmp(spec, "inet:", 5) == 0)
		rest = spec + 5;
	else if (strncasecmp(spec, "inet6:", 6) == 0)
		rest = spec + 6;
	else
		return false;
	s->kind = RG_SOCK_INET;
	if ((at = strchr(rest, '@')) == NULL)
		return port_of(rest, strlen(rest), &s->port);
	return port_of(rest, (size_t)(at - rest), &s->port) &&
	    set_host(s, at + 1, strlen(at + 1));
}

bool
rg_sock_parse_postfix(const char *spec, struct rg_sock *s)
{
	const char *rest, *colon;

	memset(s, 0, sizeof(*s));
	if (unix_prefix(spec, &rest)) {
		s->kind = RG_SOCK_UNIX;
		return *rest != '\0' && rg_strcpy(s->path, sizeof(s->path), rest);
	}
	if (strncasecmp(spec, "inet:", 5) != 0)
		return false;
	rest = spec + 5;
	s->kind = RG_SOCK_INET;
	if ((colon = strrchr(rest, ':')) == NULL)
		return false;
	return port_of(colon + 1, strlen(colon + 1), &s->port) &&
	    set_host(s, rest, (size_t)(colon - rest));
}

bool
rg_sock_loopback(const char *h)
{
	return strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 ||
	    strcmp(h, "[::1]") == 0 || strcasecmp(h, "localhost") == 0 ||
	    strcasecmp(h, "::ffff:127.0.0.1") == 0;
}

static bool
any_host(const char *h)
{
	return *h == '\0' || strcmp(h, "0.0.0.0") == 0 || strcmp(h, "::") == 0 ||
	    strcmp(h, "*") == 0;
}

bool
rg_sock_reaches(const struct rg_sock *to, const struct rg_sock *listen)
{
	if (to->kind != listen->kind)
		return false;
	if (to->kind == RG_SOCK_UNIX)
		return to->path[0] == '/' && strcmp(to->path, listen->path) == 0;
	if (to->port != listen->port)
		return false;
	if (any_host(listen->host) || strcasecmp(to->host, listen->host) == 0)
		return true;
	/* 127.0.0.1 and localhost are one address here; ::1 is another. */
	return rg_sock_loopback(to->host) && rg_sock_loopback(listen->host) &&
	    (strchr(to->host, ':') != NULL) == (strchr(listen->host, ':') != NULL);
}

void
rg_sock_postfix_name(const struct rg_sock *s, char *buf, size_t len)
{
	if (s->kind == RG_SOCK_UNIX)
		snprintf(buf, len, "unix:%s", s->path);
	else if (strchr(s->host, ':') != NULL)
		snprintf(buf, len, "inet:[%s]:%u", s->host, s->port);
	else
		snprintf(buf, len, "inet:%s:%u", any_host(s->host) ? "127.0.0.1" : s->host,
		    s->port);
}
