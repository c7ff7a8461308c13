/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * addr.h - parse an envelope address the way RFC 5321 reads it, and
 * flag every form that routes mail through us.
 *
 * The input is hostile: whatever the client typed, as the MTA passed it
 * to the milter, with or without angle brackets.  The parser strips
 * brackets and any source route (@a,@b:), unquotes a quoted local part,
 * and takes the domain after the last '@'.  It refuses control
 * characters, unbalanced quotes or brackets, and over-long parts rather
 * than guessing.  Pure and reentrant.
 */
#ifndef RG_ADDR_H
#define RG_ADDR_H

#include <stdbool.h>

#define RG_ADDR_LOCAL_MAX	256
#define RG_ADDR_DOMAIN_MAX	256

enum rg_addr_status {
	RG_ADDR_OK,
	RG_ADDR_SYNTAX,		/* malformed: brackets, quotes, empty parts */
	RG_ADDR_BADCHAR,	/* control character or NUL-adjacent junk */
	RG_ADDR_TOOLONG,
};

struct rg_addr {
	bool null;		/* the null sender <> */
	bool quoted;		/* local part was a quoted string */
	bool source_route;	/* an @a,@b: prefix was present (and dropped) */
	bool routed;		/* unquoted local part holds '@', '%' or '!' */
	bool ip_literal;	/* domain is [a.b.c.d] or [IPv6:...] */
	bool idn;		/* domain was sent in U-labels; 'domain' is its A-label form */
	bool idn_invalid;	/* 8-bit domain that is no valid IDN; kept as sent */
	char local[RG_ADDR_LOCAL_MAX];	/* unquoted, case kept */
	char domain[RG_ADDR_DOMAIN_MAX];	/* lower-cased A-labels, one trailing dot dropped; "" if none */
	char norm[RG_ADDR_LOCAL_MAX + RG_ADDR_DOMAIN_MAX + 1]; /* local@domain, or local */
};

/* Parse 'in'; on failure *a_r is all zeroes, never half filled. */
enum rg_addr_status rg_addr_parse(const char *in, struct rg_addr *a_r);

/*
 * Could an MTA read 'raw' as more than one address?  True when it holds
 * an unquoted ',' or ';' or more than one unquoted '<'.  Sendmail parses
 * such an RCPT argument as an address list, and a milter's refusal then
 * removes only one element of it.  Deliberately wider than any grammar:
 * a comment or an RFC 5321 source route with two hops counts too.
 */
bool	rg_addr_listlike(const char *raw);

/*
 * Is 'raw' a plain <local@domain> (brackets and surrounding spaces
 * optional), with nothing an MTA's parser reads differently from ours:
 * no whitespace, comment parentheses, backslash or quote inside?
 * Sendmail reads "alice(c)@example.edu" or "alice @example.edu" as
 * alice@example.edu, and refusing such a spelling drops an alice
 * accepted earlier in the transaction.
 */
bool	rg_addr_plain(const char *raw);

/* Short stable name of a status, for logs and tests. */
const char *rg_addr_status_name(enum rg_addr_status);

#endif
