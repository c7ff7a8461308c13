/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_addr.c - libFuzzer harness: rg_addr_parse(), rg_addr_listlike()
 * and the RCPT relay decision, with two oracles that do not trust the
 * parser under test.
 *
 * Input: byte 0 picks the decision's knobs (lookup answer, kind, verify,
 * on_error); the rest, up to a NUL, is the RCPT argument as the MTA
 * passes it.  The client is offsite (198.51.100.7) and unauthenticated.
 *
 * Oracle 1 (relay): whenever that recipient is accepted, the raw text
 * (blanks and one pair of angle brackets stripped, then an RFC 5321
 * source route "@d1,@d2:" of strict syntax) has a local part, before its
 * last '@', with no '@', '%' or '!', and a domain after that '@' which,
 * lower-cased with one trailing dot dropped, is example.edu, a subdomain
 * of it, or partner.example.  A raw text with no '@' at all is qualified
 * by the MTA with its own domain, so it may be accepted only when it
 * holds no '%' or '!'.
 *
 * Oracle 2 (list): whenever rg_addr_listlike() is false, the raw text
 * has no ',' or ';' outside a quoted string (an independent scanner).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/addr.h"
#include "policy/policy.h"

static struct rg_policy *pol[2];	/* verify off / on */
static struct rg_policy *pol_cont[2];	/* the same with on_error = continue */

static struct rg_policy *
make_policy(bool verify, enum rg_on_error oe)
{
	struct rg_policy *p = rg_policy_new();
	char err[256];

	if (!rg_domset_add(rg_policy_local(p), "example.edu", err, sizeof(err)) ||
	    !rg_domset_add(rg_policy_local(p), ".example.edu", err, sizeof(err)) ||
	    !rg_domset_add(rg_policy_relay(p), "partner.example", err, sizeof(err)) ||
	    !rg_netset_add(rg_policy_trusted(p), "192.0.2.0/24", err, sizeof(err))) {
		fprintf(stderr, "fuzz_addr: config: %s\n", err);
		abort();
	}
	rg_policy_set_verify(p, verify);
	rg_policy_set_on_error(p, oe);
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	for (int v = 0; v < 2; v++) {
		pol[v] = make_policy(v, RG_ON_ERROR_TEMPFAIL);
		pol_cont[v] = make_policy(v, RG_ON_ERROR_CONTINUE);
	}
	return 0;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Domain characters of a source-route hop: a name or a bracketed literal. */
static const char *
skip_hop(const char *p, const char *end)
{
	if (p < end && *p == '[') {
		/* Postfix ends a route at its first ':', even inside a literal. */
		for (p++; p < end && *p != ']'; p++)
			if (*p == '[' || *p == '\\' || *p == ' ' || *p == '"' || *p == ':')
				return NULL;
		return p < end ? p + 1 : NULL;
	}
	const char *s = p;

	/* Any byte but the routing ones and the delimiters; the hop itself is dropped. */
	while (p < end && *p != '@' && *p != '%' && *p != '!' && *p != ',' && *p != ':' &&
	    *p != '"' && *p != '\\' && *p != ' ' && *p != '<' && *p != '>')
		p++;
	return p > s ? p : NULL;
}

/* "@d1,@d2:" of strict RFC 5321 A-d-l syntax; returns what follows, or p. */
static const char *
strip_route(const char *p, const char *end)
{
	const char *q = p;

	if (q >= end || *q != '@')
		return p;
	for (;;) {
		if (q >= end || *q != '@')
			return p;
		if ((q = skip_hop(q + 1, end)) == NULL)
			return p;
		if (q < end && *q == ':')
			return q + 1;
		if (q >= end || *q != ',')
			return p;
		q++;
	}
}

static bool
domain_is_ours(const char *d, size_t n)
{
	char buf[600];

	if (n > 0 && d[n - 1] == '.')
		n--;
	if (n >= sizeof(buf))
		return false;
	for (size_t i = 0; i < n; i++)
		buf[i] = lower(d[i]);
	buf[n] = '\0';
	if (strcmp(buf, "example.edu") == 0 || strcmp(buf, "partner.example") == 0)
		return true;
	/* ".example.edu": a non-empty label, then the parent. */
	return n > 12 && strcmp(buf + n - 12, ".example.edu") == 0;
}

static bool
has_route_char(const char *p, const char *end)
{
	for (; p < end; p++)
		if (*p == '@' || *p == '%' || *p == '!')
			return true;
	return false;
}

/* Oracle 1: may this raw RCPT argument be accepted from offsite? */
static bool
acceptable_offsite(const char *raw)
{
	const char *p = raw, *end = raw + strlen(raw), *at = NULL;

	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if (end - p >= 2 && *p == '<' && end[-1] == '>') {
		p++;
		end--;
	}
	p = strip_route(p, end);
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at == NULL)
		return !has_route_char(p, end);
	return !has_route_char(p, at) && domain_is_ours(at + 1, (size_t)(end - at - 1));
}

/* Oracle 2: an unquoted ',' or ';' (a backslash escapes the next byte inside quotes). */
static bool
unquoted_separator(const char *raw)
{
	bool quoted = false;

	for (const char *p = raw; *p; p++) {
		if (quoted) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = false;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			/* Outside quotes the escaped byte is still a separator to some MTAs. */
			p++;
			if (*p == ',' || *p == ';')
				return true;
			continue;
		}
		if (*p == '"')
			quoted = true;
		else if (*p == ',' || *p == ';')
			return true;
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rg_addr null_sender = { .null = true };
	static const enum rg_lookup answers[] = {
		RG_LOOKUP_NONE, RG_LOOKUP_FOUND, RG_LOOKUP_NOTFOUND, RG_LOOKUP_ERROR,
	};
	static const enum rg_rcpt_kind kinds[] = { RG_KIND_MAILBOX, RG_KIND_FORWARD, RG_KIND_LIST };
	const struct rg_client client = { .addr = "198.51.100.7" };
	struct rg_addr sender, r;
	struct rg_class k;
	struct rg_rcpt_plan plan;
	struct rg_verdict v;
	enum rg_addr_status st;
	const struct rg_policy *p;
	uint8_t knobs;
	char *raw;

	if (size < 1)
		return 0;
	knobs = data[0];
	raw = malloc(size);
	if (raw == NULL)
		return 0;
	memcpy(raw, data + 1, size - 1);
	raw[size - 1] = '\0';

	if (!rg_addr_listlike(raw) && unquoted_separator(raw)) {
		fprintf(stderr, "ORACLE: rg_addr_listlike() false for [%s]\n", raw);
		abort();
	}

	st = rg_addr_parse(raw, &r);
	if (st == RG_ADDR_OK) {
		/* Cheap consistency checks on what the parser promises. */
		if (memchr(r.local, '\0', sizeof(r.local)) == NULL ||
		    memchr(r.domain, '\0', sizeof(r.domain)) == NULL ||
		    memchr(r.norm, '\0', sizeof(r.norm)) == NULL)
			abort();
		for (const char *q = r.domain; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				abort();

		p = (knobs & 0x40) ? pol_cont[(knobs >> 5) & 1] : pol[(knobs >> 5) & 1];
		rg_policy_classify(p, &client, &k);
		if (k.trusted || k.authenticated)
			abort();
		if (rg_addr_parse("someone@remote.example", &sender) != RG_ADDR_OK)
			abort();
		/* Any answer, asked for or not: none may open a relay. */
		rg_policy_rcpt_plan(p, &k, client.addr, (knobs & 0x80) ? &null_sender : &sender,
		    &r, 1700000000, &plan);
		rg_policy_rcpt_decide(p, &plan, answers[knobs & 3], kinds[((knobs >> 2) & 3) % 3],
		    &v);
		if (v.action == RG_ACT_CONTINUE && !acceptable_offsite(raw)) {
			fprintf(stderr, "ORACLE: offsite relay accepted: [%s] reason=%s "
			    "local=[%s] domain=[%s] knobs=0x%02x\n", raw, v.reason, r.local,
			    r.domain, knobs);
			abort();
		}
	}
	free(raw);
	return 0;
}
