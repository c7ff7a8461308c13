/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * classify.c - what one access-map entry grants, in relayguard's terms.
 *
 * Sendmail: only FEATURE(`relay_mail_from') lets a sender relay, and it
 * looks up "From:" keys only (proto.m4: SearchList <! From>): the full
 * address, and with the `domain' argument the domain and its parents.
 * It never looks up user@ keys, untagged keys or OK values, and only
 * RELAY grants.  Postfix: an access map used in smtpd_recipient_restrictions
 * or smtpd_relay_restrictions grants relaying with OK, RELAY, an
 * all-numerical value (smtpd_check.c) or the restriction "permit".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migrate.h"

static void
set(struct rg_mig_entry *e, enum rg_mig_action a, unsigned flags, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->action = a;
	e->flags |= flags;
	va_start(ap, fmt);
	n = vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	/* Every reason fits by construction (a domain is at most 255 bytes). */
	if (n < 0 || (size_t)n >= sizeof(e->why))
		abort();
	if (a != RG_MIG_SENDER && a != RG_MIG_DOMAIN)
		e->sender[0] = '\0';
}

static void
reset(struct rg_mig_entry *e)
{
	memset(e, 0, sizeof(*e));
}

/* Does 'value' start with the word 'w' (case-insensitive), ended by 'stop' or its end? */
static bool
word(const char *value, const char *w, const char *stop)
{
	size_t n = strlen(w);

	return strncasecmp(value, w, n) == 0 &&
	    (value[n] == '\0' || strchr(stop, value[n]) != NULL);
}

/* A plain local@domain, as policy.conf's "sender" takes it; else the reason. */
static const char *
plain_address(const char *key, struct rg_mig_entry *e)
{
	struct rg_addr a;

	if (strpbrk(key, " \t") != NULL)
		return "a blank in the address: relayguard takes plain addresses only";
	if (strchr(key, '"') != NULL || strchr(key, '\\') != NULL)
		return "a quote or backslash in the local part: relayguard takes plain "
		    "addresses only";
	if (rg_addr_parse(key, &a) != RG_ADDR_OK || a.domain[0] == '\0')
		return "not a plain local@domain address";
	if (a.routed || a.source_route)
		return "a routed address (%, ! or @ in the local part)";
	snprintf(e->sender, sizeof(e->sender), "%s", a.norm);
	snprintf(e->domain, sizeof(e->domain), "%s", a.domain);
	return NULL;
}

/* A domain name (no literal); fills e->domain and e->sender = "@domain". */
static bool
plain_domain(const char *key, struct rg_mig_entry *e)
{
	char tmp[RG_ADDR_DOMAIN_MAX + 4];
	struct rg_addr a;

	if ((size_t)snprintf(tmp, sizeof(tmp), "x@%s", key) >= sizeof(tmp) ||
	    rg_addr_parse(tmp, &a) != RG_ADDR_OK || a.ip_literal || a.routed ||
	    a.domain[0] == '\0' || strchr(a.domain, '.') == NULL)
		return false;
	snprintf(e->domain, sizeof(e->domain), "%s", a.domain);
	snprintf(e->sender, sizeof(e->sender), "@%s", a.domain);
	return true;
}

/* --- Sendmail ------------------------------------------------------------- */

/* What a Sendmail right-hand side does, for skip reasons. */
static const char *
sendmail_rhs(const char *v)
{
	static const struct { const char *w, *what; } tab[] = {
		{ "RELAY", "RELAY" },
		{ "OK", "OK accepts the mail without further checks" },
		{ "REJECT", "REJECT refuses" },
		{ "DISCARD", "DISCARD throws the mail away" },
		{ "ERROR", "ERROR: refuses with its own reply" },
		{ "TEMP", "TEMP: refuses for now" },
		{ "QUARANTINE", "QUARANTINE: holds the mail" },
		{ "SKIP", "SKIP ends the lookup" },
		{ "FRIEND", "FRIEND exempts from spam checks" },
		{ "HATER", "HATER applies spam checks" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (word(v, tab[i].w, ": \t"))
			return tab[i].what;
	return NULL;
}

/* Odd double quotes: Sendmail would read the rest of the line as one token. */
static bool
unbalanced(const char *v)
{
	unsigned n = 0;

	for (; *v; v++)
		n += *v == '"';
	return n % 2 != 0;
}

/* The key without its tag; *tag_r the tag ("" when untagged). */
static const char *
sendmail_tag(const char *key, char *tag_r, size_t len)
{
	const char *c = strchr(key, ':');
	size_t n;

	tag_r[0] = '\0';
	if (c == NULL || c == key || strncmp(key, "ipv6:", 5) == 0)
		return key;
	for (const char *p = key; p < c; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return key;
	n = (size_t)(c - key);
	if (n >= len)
		return key;
	memcpy(tag_r, key, n);
	tag_r[n] = '\0';
	return c + 1;
}

static void
sendmail_from(const char *k, bool relay, const char *rhs, struct rg_mig_entry *e)
{
	const char *why;

	if (strcmp(k, "<>") == 0 || *k == '\0') {
		set(e, RG_MIG_SKIP, 0, "the null sender: never a relay exception");
	} else if (k[strlen(k) - 1] == '@') {
		set(e, RG_MIG_SKIP, RG_MIG_F_USERAT, "user@ matches that local part in every "
		    "domain; relay_mail_from never looks it up, so it granted no relaying");
	} else if (strchr(k, '@') != NULL) {
		if (strstr(k, "+*@") != NULL)
			set(e, RG_MIG_SKIP, 0, "a +* detail pattern: list the plain address instead");
		else if ((why = plain_address(k, e)) != NULL)
			set(e, RG_MIG_SKIP, 0, "%s", why);
		else if (relay)
			set(e, RG_MIG_SENDER, 0, "relay_mail_from: this sender may relay");
		else
			set(e, RG_MIG_SKIP, 0, "%s: grants no relaying", rhs);
	} else if (!plain_domain(k, e)) {
		set(e, RG_MIG_SKIP, 0, "not an address or a domain");
	} else if (relay) {
		set(e, RG_MIG_DOMAIN, RG_MIG_F_DOMAIN, "a whole domain: with "
		    "FEATURE(`relay_mail_from', `domain') anyone may relay by forging any "
		    "address in %s or its subdomains", e->domain);
	} else {
		set(e, RG_MIG_SKIP, 0, "%s: grants no relaying", rhs);
	}
}

void
rg_mig_sendmail(const char *key, const char *value, struct rg_mig_entry *e)
{
	char tag[32], net[RG_MIG_NET_MAX];
	const char *k = sendmail_tag(key, tag, sizeof(tag));
	const char *rhs = sendmail_rhs(value);
	/* The whole value: "RELAY x" is <RELAY x> to the rules, which want <RELAY>. */
	bool relay = strcasecmp(value, "RELAY") == 0;

	reset(e);
	if (unbalanced(value)) {
		set(e, RG_MIG_BAD, 0, "unbalanced double quote in the right-hand side");
		return;
	}
	if (rhs == NULL)
		rhs = "this right-hand side";
	if (strcmp(tag, "from") == 0) {
		sendmail_from(k, relay, rhs, e);
	} else if (strcmp(tag, "connect") == 0 || tag[0] == '\0') {
		bool isnet = rg_mig_network(k, true, net, sizeof(net));

		if (relay && isnet) {
			snprintf(e->net, sizeof(e->net), "%s", net);
			set(e, RG_MIG_NETWORK, 0, "a client network, not a sender: put \"%s\" in "
			    "networks.trusted if it must still relay", net);
		} else if (relay && tag[0] != '\0') {
			set(e, RG_MIG_SKIP, 0, "a client host name, not a sender: relayguard "
			    "trusts networks; put its addresses in networks.trusted if needed");
		} else if (relay) {
			set(e, RG_MIG_SKIP, 0, "untagged: relay_mail_from reads only From: keys; "
			    "this lets clients and recipients of that name relay (networks.trusted "
			    "or domains.relay)");
		} else {
			set(e, RG_MIG_SKIP, 0, "%s: grants no relaying", rhs);
		}
	} else if (strcmp(tag, "to") == 0) {
		if (relay)
			set(e, RG_MIG_SKIP, 0, "a destination we relay to, not a sender: put it "
			    "in domains.relay");
		else
			set(e, RG_MIG_SKIP, 0, "%s: a recipient rule, grants no sender relaying",
			    rhs);
	} else {
		set(e, RG_MIG_SKIP, 0, "tag \"%s:\" is not about sender relaying", tag);
	}
}

/* --- Postfix --------------------------------------------------------------- */

/* Does a Postfix access(5) value grant?  Else *what_r says what it does. */
static bool
postfix_grants(const char *v, const char **what_r)
{
	static const struct { const char *w, *what; } tab[] = {
		{ "REJECT", "REJECT refuses" },
		{ "DEFER", "DEFER refuses for now" },
		{ "DEFER_IF_REJECT", "DEFER_IF_REJECT" },
		{ "DEFER_IF_PERMIT", "DEFER_IF_PERMIT" },
		{ "DUNNO", "DUNNO ends the lookup and grants nothing" },
		{ "DISCARD", "DISCARD throws the mail away" },
		{ "HOLD", "HOLD holds the mail" },
		{ "FILTER", "FILTER chooses a content filter" },
		{ "REDIRECT", "REDIRECT sends the mail elsewhere" },
		{ "PREPEND", "PREPEND adds a header" },
		{ "WARN", "WARN logs a warning" },
		{ "INFO", "INFO logs" },
		{ "BCC", "BCC copies the mail" },
	};
	bool digits = true;

	*what_r = NULL;
	if (word(v, "OK", " \t") || word(v, "RELAY", " \t")) {
		*what_r = "OK";
		return true;
	}
	if (strcasecmp(v, "permit") == 0) {
		*what_r = "PERMIT";
		return true;
	}
	for (const char *p = v; *p; p++)
		digits = digits && *p >= '0' && *p <= '9';
	if (digits) {
		*what_r = "an all-numerical value, which Postfix treats as OK";
		return true;
	}
	if (v[0] >= '0' && v[0] <= '9' && v[1] >= '0' && v[1] <= '9' &&
	    v[2] >= '0' && v[2] <= '9' && (v[3] == '\0' || v[3] == ' ' || v[3] == '\t')) {
		*what_r = v[0] == '4' ? "a 4xx code refuses for now" : "a numeric code refuses";
		return false;
	}
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (word(v, tab[i].w, " \t")) {
			*what_r = tab[i].what;
			return false;
		}
	*what_r = "a restriction list, which relayguard does not evaluate";
	return false;
}

void
rg_mig_postfix(const char *key, const char *value, struct rg_mig_entry *e)
{
	char net[RG_MIG_NET_MAX];
	const char *what, *why;
	bool grants = postfix_grants(value, &what);
	size_t n = strlen(key);

	reset(e);
	if (!grants) {
		set(e, RG_MIG_SKIP, 0, "%s: grants no relaying", what);
	} else if (strcmp(key, "<>") == 0) {
		set(e, RG_MIG_SKIP, RG_MIG_F_PERMIT_ALL, "the null sender (smtpd_null_access_"
		    "lookup_key): %s permits every bounce, relaying included; never imported",
		    what);
	} else if (rg_mig_network(key, false, net, sizeof(net))) {
		snprintf(e->net, sizeof(e->net), "%s", net);
		set(e, RG_MIG_NETWORK, RG_MIG_F_PERMIT_ALL, "a client network (check_client_"
		    "access): %s permits everything from it; put \"%s\" in networks.trusted "
		    "if it must still relay", what, net);
	} else if (key[n - 1] == '@') {
		set(e, RG_MIG_SKIP, RG_MIG_F_USERAT, "user@ matches that local part in every "
		    "domain: list the full addresses instead");
	} else if (strchr(key, '@') != NULL) {
		if ((why = plain_address(key, e)) != NULL)
			set(e, RG_MIG_SKIP, 0, "%s", why);
		else
			set(e, RG_MIG_SENDER, 0, "%s: this sender may relay", what);
	} else if (key[0] == '.') {
		if (plain_domain(key + 1, e))
			set(e, RG_MIG_SKIP, RG_MIG_F_DOMAIN, "every subdomain of %s: relayguard's "
			    "domain form names one domain; add \"@host.%s\" exceptions by hand",
			    e->domain, e->domain);
		else
			set(e, RG_MIG_SKIP, 0, "not an address, a domain or a network");
	} else if (plain_domain(key, e)) {
		set(e, RG_MIG_DOMAIN, RG_MIG_F_DOMAIN, "a whole domain: anyone may relay by "
		    "forging any address in %s (and its subdomains when parent_domain_matches_"
		    "subdomains lists smtpd_access_maps)", e->domain);
	} else if (strchr(key, '/') != NULL) {
		set(e, RG_MIG_SKIP, 0, "not a network policy.conf takes (host bits set?)");
	} else {
		set(e, RG_MIG_SKIP, 0, "not an address, a domain or a network");
	}
}

const char *
rg_mig_action_name(enum rg_mig_action a)
{
	switch (a) {
	case RG_MIG_SENDER:	return "sender";
	case RG_MIG_DOMAIN:	return "domain";
	case RG_MIG_NETWORK:	return "network";
	case RG_MIG_SKIP:	return "skip";
	case RG_MIG_BAD:	return "bad";
	}
	return "unknown";
}
