/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * addr.c - RFC 5321 envelope address parsing for relay decisions.
 *
 * The parser errs toward "this routes through us": anything in the
 * local part that a downstream MTA might treat as a route ('@', '%',
 * '!') marks the address as routed, because the relay decision must
 * hold whatever the next hop does with it.
 */
#include <string.h>

#include "addr.h"
#include "idn.h"
#include "common/strutil.h"

const char *
rg_addr_status_name(enum rg_addr_status s)
{
	switch (s) {
	case RG_ADDR_OK:	return "ok";
	case RG_ADDR_SYNTAX:	return "syntax";
	case RG_ADDR_BADCHAR:	return "bad-character";
	case RG_ADDR_TOOLONG:	return "too-long";
	}
	return "unknown";
}

static bool
is_route_char(char c)
{
	return c == '@' || c == '%' || c == '!';
}

/* Domain labels: letters, digits, '-', '_', '.', and 8-bit (IDN as UTF-8). */
static bool
domain_ok(const char *d)
{
	if (d[0] == '[') {
		size_t n = strlen(d);

		if (n < 3 || d[n - 1] != ']')
			return false;
		for (size_t i = 1; i < n - 1; i++)
			if (d[i] == '[' || d[i] == ']' || d[i] == ' ' || d[i] == '\\')
				return false;
		return true;
	}
	/* Only one trailing dot is the root; the caller already dropped it. */
	if (d[0] == '.' || d[strlen(d) - 1] == '.' || strstr(d, "..") != NULL)
		return false;
	for (; *d; d++) {
		unsigned char c = (unsigned char)*d;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c >= 0x80))
			return false;
	}
	return true;
}

/*
 * Strip "@a,@b:" (RFC 5321 A-d-l); returns the rest, or NULL if malformed.
 * Each hop must be a domain name or an address literal: a hop that is
 * empty or holds '@', '%' or '!' ("@@:", "@x%y:") is no route an MTA
 * agrees on, so the address is refused rather than guessed at.  So is a
 * literal hop with a ':' in it ("@[IPv6:::1]:u@x"): Postfix ends the
 * route at its first ':' and delivers to "::1]:u"@x, not to u@x.
 */
static const char *
skip_source_route(const char *p, const char *end)
{
	while (p < end && *p == '@') {
		const char *hop = ++p;

		if (p < end && *p == '[') {
			p++;
			while (p < end && *p != ']' && *p != '[' && *p != '\\' && *p != '"' &&
			    *p != ' ' && *p != ':')
				p++;
			if (p >= end || *p != ']')
				return NULL;
			p++;
		} else {
			for (; p < end; p++) {
				unsigned char c = (unsigned char)*p;

				if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
				    c >= 0x80))
					break;
			}
		}
		if (p == hop || p >= end)
			return NULL;
		if (*p == ':')
			return p + 1;
		if (*p != ',')
			return NULL;
		p++;
	}
	return NULL;
}

/* Parse a quoted local part starting at '"'; sets *endp past the close quote. */
static enum rg_addr_status
parse_quoted(const char *p, const char *end, char *out, size_t outlen,
    const char **endp)
{
	size_t n = 0;

	for (p++; p < end; p++) {
		char c = *p;

		if (c == '"') {
			*endp = p + 1;
			out[n] = '\0';
			return RG_ADDR_OK;
		}
		if (c == '\\') {
			if (++p >= end)
				return RG_ADDR_SYNTAX;
			c = *p;
		}
		if (n + 1 >= outlen)
			return RG_ADDR_TOOLONG;
		out[n++] = c;
	}
	return RG_ADDR_SYNTAX;
}

/*
 * The domain in A-label form, so both spellings of an IDN compare and
 * look up alike.  One that cannot be converted stays as sent, 8-bit:
 * no domain set holds such a key, so it is never local by accident.
 */
static void
idn_domain(struct rg_addr *a)
{
	char ascii[RG_ADDR_DOMAIN_MAX];

	switch (rg_idn_to_ascii(a->domain, false, ascii, sizeof(ascii), NULL)) {
	case RG_IDN_ASCII:
		break;
	case RG_IDN_CONVERTED:
		memcpy(a->domain, ascii, strlen(ascii) + 1);
		a->idn = true;
		break;
	case RG_IDN_INVALID:
		a->idn_invalid = true;
		break;
	}
}

static enum rg_addr_status
parse_mailbox(const char *p, const char *end, struct rg_addr *a)
{
	const char *at, *dom;
	enum rg_addr_status st;

	if (p < end && *p == '"') {
		const char *q;

		st = parse_quoted(p, end, a->local, sizeof(a->local), &q);
		if (st != RG_ADDR_OK)
			return st;
		a->quoted = true;
		if (q == end) {
			dom = NULL;
		} else if (*q == '@') {
			dom = q + 1;
		} else {
			return RG_ADDR_SYNTAX;
		}
	} else {
		size_t n = 0;

		/* The domain follows the last '@'; earlier ones are routing. */
		at = NULL;
		for (const char *q = p; q < end; q++)
			if (*q == '@')
				at = q;
		const char *lend = at ? at : end;

		for (const char *q = p; q < lend; q++) {
			char c = *q;

			/* Backslash outside quotes is not RFC 5321; read it as an escape. */
			if (c == '\\' && q + 1 < lend)
				c = *++q;
			if (n + 1 >= sizeof(a->local))
				return RG_ADDR_TOOLONG;
			a->local[n++] = c;
		}
		a->local[n] = '\0';
		dom = at ? at + 1 : NULL;
	}
	for (const char *q = a->local; *q; q++)
		if (is_route_char(*q))
			a->routed = true;
	if (a->local[0] == '\0')
		return RG_ADDR_SYNTAX;
	if (dom != NULL) {
		size_t dl = (size_t)(end - dom);

		if (dl > 0 && dom[dl - 1] == '.')
			dl--;		/* one trailing dot is the root; harmless */
		if (dl == 0)
			return RG_ADDR_SYNTAX;
		if (!rg_strncpy(a->domain, sizeof(a->domain), dom, dl))
			return RG_ADDR_TOOLONG;
		rg_lower(a->domain);
		if (!domain_ok(a->domain))
			return RG_ADDR_SYNTAX;
		a->ip_literal = a->domain[0] == '[';
		if (!a->ip_literal)
			idn_domain(a);
	}
	return RG_ADDR_OK;
}

bool
rg_addr_listlike(const char *raw)
{
	bool quoted = false;
	int opens = 0;

	for (const char *p = raw; *p; p++) {
		char c = *p;

		if (c == '\\') {
			if (*++p == '\0')
				break;
			if (quoted)
				continue;
			/* An escaped separator still counts: not every MTA honours the escape. */
			c = *p == '"' ? 'x' : *p;
		} else if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted)
			continue;
		if (c == ',' || c == ';' || (c == '<' && ++opens > 1))
			return true;
	}
	return false;
}

bool
rg_addr_plain(const char *raw)
{
	const char *p = raw, *end = raw + strlen(raw);

	while (*p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (end - p >= 2 && *p == '<' && end[-1] == '>') {
		p++;
		end--;
	}
	for (; p < end; p++)
		if (*p == ' ' || *p == '\t' || *p == '(' || *p == ')' || *p == '\\' || *p == '"' ||
		    *p == '<' || *p == '>')
			return false;
	return true;
}

enum rg_addr_status
rg_addr_parse(const char *in, struct rg_addr *a)
{
	const char *p = in, *end;
	enum rg_addr_status st;

	memset(a, 0, sizeof(*a));
	for (const char *q = in; *q; q++) {
		unsigned char c = (unsigned char)*q;

		if (c < 0x20 || c == 0x7f)
			return RG_ADDR_BADCHAR;
	}
	while (*p == ' ')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	if (p < end && *p == '<') {
		if (end[-1] != '>' || end - p < 2)
			return RG_ADDR_SYNTAX;
		p++;
		end--;
	} else if (p < end && end[-1] == '>') {
		return RG_ADDR_SYNTAX;
	}
	if (p == end) {
		a->null = true;
		return RG_ADDR_OK;
	}
	if (*p == '@') {
		p = skip_source_route(p, end);
		if (p == NULL || p == end)
			return RG_ADDR_SYNTAX;
		a->source_route = true;
	}
	st = parse_mailbox(p, end, a);
	if (st != RG_ADDR_OK) {
		memset(a, 0, sizeof(*a));
		return st;
	}
	if (a->domain[0] != '\0') {
		size_t ll = strlen(a->local), dl = strlen(a->domain);

		memcpy(a->norm, a->local, ll);
		a->norm[ll] = '@';
		memcpy(a->norm + ll + 1, a->domain, dl + 1);
	} else {
		strcpy(a->norm, a->local);
	}
	return RG_ADDR_OK;
}
