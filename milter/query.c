/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * query.c - relayguard -q ADDRESS and -q login=LOGIN.
 *
 * The argument is parsed and normalised with rg_addr_parse(), exactly
 * as session/ does with an RCPT or MAIL argument, and the directory is
 * asked through rg_dir_recipient() or rg_dir_login_addresses() (and
 * rg_dir_login_suspended()): the
 * LDAP backend builds the same filter, with the same RFC 4515 escaping,
 * as in the daemon.  Every value printed goes through rg_kv quoting, so
 * a hostile directory entry cannot forge an output line.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "query.h"
#include "common/log.h"
#include "common/strmap.h"
#include "policy/addr.h"

/*
 * An error: the same "error: ..." line for bad input and a failed
 * lookup.  'why' may hold a server's diagnostic text or the argument:
 * a control character in it becomes '?', so it stays one line.
 */
static int
error_line(FILE *out, const char *why, const char *source, int rc)
{
	struct rg_kv kv;
	const char *tail;

	fputs("error: ", out);
	for (const unsigned char *c = (const unsigned char *)why; *c; c++)
		fputc(*c < 0x20 || *c == 0x7f ? '?' : *c, out);
	rg_kv_init(&kv);
	if (source != NULL && *source)
		rg_kv_add(&kv, "source", source);
	tail = rg_kv_str(&kv);
	fprintf(out, "%s%s\n", *tail ? " " : "", tail);
	return rc;
}

struct login_out {
	FILE *out;
	const char *login;
	const char *source;	/* known only after the lookup: lines are kept */
	struct rg_strmap *seen;
	char **lines;
	size_t n;
};

/* One address: kept once (mail and mailLocalAddress may repeat it). */
static void
each_address(void *arg, const char *addr)
{
	struct login_out *lo = arg;
	char **l;

	if (rg_strmap_get(lo->seen, addr, NULL))
		return;
	rg_strmap_put(lo->seen, addr, NULL);
	if ((l = realloc(lo->lines, (lo->n + 1) * sizeof(*l))) == NULL ||
	    (l[lo->n] = strdup(addr)) == NULL)
		abort();
	lo->lines = l;
	lo->n++;
}

static int
query_login(struct rg_config *cfg, const char *login, FILE *out)
{
	struct login_out lo = { out, login, NULL, rg_strmap_new(), NULL, 0 };
	struct rg_dir_answer a, susp;
	int rc;

	/* session/ takes {auth_authen} as the MTA sends it; refuse only what no MTA sends. */
	if (*login == '\0' || strpbrk(login, "\r\n") != NULL) {
		rg_strmap_destroy(&lo.seen);
		return error_line(out, "login= needs a login without CR or LF", NULL, EX_DATAERR);
	}
	rg_dir_login_addresses(rg_config_dir(cfg), login, each_address, &lo, &a);
	/* Asked as the daemon asks it (the same search, for LDAP), not from the addresses. */
	if (a.status != RG_LOOKUP_ERROR)
		rg_dir_login_suspended(rg_config_dir(cfg), login, &susp);
	if (a.status == RG_LOOKUP_ERROR) {
		rc = error_line(out, a.why, a.source, EX_TEMPFAIL);
	} else if (susp.status == RG_LOOKUP_ERROR) {
		rc = error_line(out, susp.why, susp.source, EX_TEMPFAIL);
	} else if (a.status == RG_LOOKUP_NOTFOUND && susp.status == RG_LOOKUP_NOTFOUND) {
		fputs("not found\n", out);
		rc = 1;
	} else {
		struct rg_kv kv;

		for (size_t i = 0; a.status == RG_LOOKUP_FOUND && i < lo.n; i++) {
			rg_kv_init(&kv);
			rg_kv_add(&kv, "login", login);
			rg_kv_add(&kv, "address", lo.lines[i]);
			rg_kv_add(&kv, "source", a.source);
			fprintf(out, "found %s\n", rg_kv_str(&kv));
		}
		if (susp.status == RG_LOOKUP_FOUND) {
			rg_kv_init(&kv);
			rg_kv_add(&kv, "login", login);
			rg_kv_add(&kv, "source", susp.source);
			fprintf(out, "suspended %s\n", rg_kv_str(&kv));
		}
		rc = 0;
	}
	for (size_t i = 0; i < lo.n; i++)
		free(lo.lines[i]);
	free(lo.lines);
	rg_strmap_destroy(&lo.seen);
	return rc;
}

static int
query_recipient(struct rg_config *cfg, const char *arg, FILE *out)
{
	struct rg_dir_answer a;
	struct rg_addr r;
	struct rg_kv kv;
	char why[160];

	if (rg_addr_parse(arg, &r) != RG_ADDR_OK || r.null || r.domain[0] == '\0' ||
	    r.routed) {
		snprintf(why, sizeof(why), "not a plain local@domain address: %s", arg);
		return error_line(out, why, NULL, EX_DATAERR);
	}
	/* The daemon never looks such a domain up: it is not local. */
	if (r.idn_invalid) {
		return error_line(out, "the domain is not a valid internationalized domain name "
		    "(IDNA2008)", NULL, EX_DATAERR);
	}
	rg_dir_recipient(rg_config_dir(cfg), r.norm, &a);
	switch (a.status) {
	case RG_LOOKUP_FOUND:
		rg_kv_init(&kv);
		rg_kv_add(&kv, "kind", rg_dir_kind_name(a.kind));
		/* A mailbox is its own target; a list is expanded by the MTA. */
		rg_kv_add(&kv, "target", a.kind != RG_KIND_FORWARD ? r.norm :
		    a.target[0] != '\0' ? a.target : NULL);
		rg_kv_add(&kv, "source", a.source);
		if (a.stale)
			rg_kv_add(&kv, "stale", "yes");
		fprintf(out, "found %s\n", rg_kv_str(&kv));
		return 0;
	case RG_LOOKUP_NOTFOUND:
		fputs("not found\n", out);
		return 1;
	case RG_LOOKUP_ERROR:
	case RG_LOOKUP_NONE:	/* dir.c never answers it */
		break;
	}
	return error_line(out, a.why, a.source, EX_TEMPFAIL);
}

/* The first address a login lists: its primary one. */
struct first_addr {
	char addr[256];
	bool any;
};

static void
first_address(void *arg, const char *addr)
{
	struct first_addr *fa = arg;

	if (!fa->any && strlen(addr) < sizeof(fa->addr)) {
		memcpy(fa->addr, addr, strlen(addr) + 1);
		fa->any = true;
	}
}

/* "WHAT could not tell: WHY (SOURCE)", for the notice's stderr line. */
static void
fallback(struct rg_notice_to *r, const char *what, const struct rg_dir_answer *a)
{
	r->kind = RG_NOTICE_TO_FALLBACK;
	snprintf(r->why, sizeof(r->why), "%s could not tell: %s%s%s%s", what,
	    a->why[0] ? a->why : "no answer",
	    a->source[0] ? " (" : "", a->source, a->source[0] ? ")" : "");
}

void
rg_query_notice_to(void *arg, const char *sender, struct rg_notice_to *r)
{
	struct rg_config *cfg = arg;
	struct first_addr fa = { .any = false };
	char login[RG_DIR_LOGIN_MAX];
	struct rg_dir_answer a;
	struct rg_addr s;

	r->kind = RG_NOTICE_TO_SENDER;
	/* Not a plain address: the notice is refused anyway, nothing to ask. */
	if (rg_addr_parse(sender, &s) != RG_ADDR_OK || s.null || s.domain[0] == '\0' || s.routed)
		return;
	rg_dir_address_login(rg_config_dir(cfg), s.norm, login, sizeof(login), &a);
	if (a.status == RG_LOOKUP_ERROR) {
		fallback(r, "the owner lookup", &a);
		return;
	}
	if (a.status == RG_LOOKUP_NOTFOUND)
		return;
	rg_dir_login_addresses(rg_config_dir(cfg), login, first_address, &fa, &a);
	if (a.status == RG_LOOKUP_ERROR) {
		fallback(r, "the owner's address lookup", &a);
		return;
	}
	if (a.status != RG_LOOKUP_FOUND || !fa.any || strcasecmp(fa.addr, s.norm) == 0)
		return;
	r->kind = RG_NOTICE_TO_OWNER;
	snprintf(r->to, sizeof(r->to), "%s", fa.addr);
	snprintf(r->login, sizeof(r->login), "%s", login);
}

int
rg_query(struct rg_config *cfg, const char *arg, FILE *out)
{
	int rc;

	if (strncmp(arg, "login=", 6) == 0)
		rc = query_login(cfg, arg + 6, out);
	else
		rc = query_recipient(cfg, arg, out);
	if (fflush(out) != 0)
		rc = EX_IOERR;
	return rc;
}
