/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_policy.c - the decision table, row by row, plus main() for the
 * test_policy program (addr, netset/domset, log and policy suites).
 *
 * Each row builds its own policy with the setters (knobs below), picks a
 * client, a sender and a recipient, a clock, and the directory's answer,
 * and states the whole verdict: action, logged, reason, code, xcode,
 * and whether the engine asked for a directory lookup at all.
 *
 * Base policy: trusted 192.0.2.0/24, 2001:db8::/32; local example.edu,
 * .example.edu and [192.0.2.1]; relay partner.example; exceptions
 * bob@example.edu (until 2027-03-01, from 198.51.100.0/24 only),
 * old@example.edu (until 2027-03-01, any network) and gone@example.edu
 * (expired 2020-01-01).
 */
#include <time.h>

#include "unit.h"
#include "policy/policy.h"

/* knobs; the zero value is the documented default, as in test_defaults() */
#define MON	0x001		/* mode = monitor */
#define NOTLS	0x002		/* auth.require_tls = false */
#define NORELAY	0x004		/* auth.relay = false */
#define SL_WARN	0x008		/* auth.sender_login = warn (else reject) */
#define SL_OFF	0x010
#define OL_REJ	0x020		/* sender.offsite_local = reject (else warn) */
#define OL_OFF	0x040
#define NOVER	0x080		/* recipients.verify = false */
#define OE_CONT	0x100		/* directory.on_error = continue (else tempfail) */
#define RT_REJ	0x200		/* routing.check = reject (else warn) */
#define RT_OFF	0x400

/* extra log flags a verdict must carry (notable is implied by a refusal) */
#define NT	0x1		/* notable even though accepted */
#define WR	0x2		/* logged at warning level */

#define RELAY_TEXT	"Relaying denied. Custom text for the test"
#define EXP_TEXT	"2027-03-01"

enum cl { TR, TRM, TR6, AT, LN, LNE, AN, OF, LG, LGM, NOADDR };

static const struct rg_client clients[] = {
	[TR] = { "192.0.2.10", NULL, NULL, NULL },
	[TRM] = { "::ffff:192.0.2.10", NULL, NULL, NULL },
	[TR6] = { "2001:db8::25", NULL, NULL, NULL },
	[AT] = { "203.0.113.9", "alice", "PLAIN", "TLSv1.3" },
	[LN] = { "203.0.113.9", "alice", "LOGIN", NULL },
	[LNE] = { "203.0.113.9", "alice", "PLAIN", "" },
	[AN] = { "203.0.113.9", "anonymous", "ANONYMOUS", "TLSv1.3" },
	[OF] = { "203.0.113.9", NULL, NULL, NULL },
	[LG] = { "198.51.100.7", NULL, NULL, NULL },
	[LGM] = { "::ffff:198.51.100.7", NULL, NULL, NULL },
	[NOADDR] = { NULL, NULL, NULL, NULL },
};

/* the clock, relative to the exceptions' expiry; zero is a month before */
enum tm_at { T_MONTH, T_LAST, T_EXPIRY, T_LATER };

static time_t
expiry(void)
{
	struct tm tm = { .tm_year = 2027 - 1900, .tm_mon = 2, .tm_mday = 1 };

	return timegm(&tm);
}

static time_t
clock_at(enum tm_at t)
{
	switch (t) {
	case T_MONTH:	return expiry() - 30 * 86400;
	case T_LAST:	return expiry() - 1;
	case T_EXPIRY:	return expiry();
	case T_LATER:	return expiry() + 86400;
	}
	return 0;
}

static struct rg_policy *
build(unsigned f)
{
	struct rg_policy *p = rg_policy_new();
	static const char *const trusted[] = { "192.0.2.0/24", "2001:db8::/32" };
	static const char *const local[] = { "example.edu", ".example.edu", "[192.0.2.1]" };
	struct rg_netset *bobnets = rg_netset_new();
	struct tm gone = { .tm_year = 2020 - 1900, .tm_mon = 0, .tm_mday = 1 };
	char err[256];
	bool ok = true;

	rg_policy_set_monitor(p, (f & MON) != 0);
	rg_policy_set_auth(p, !(f & NORELAY), !(f & NOTLS),
	    f & SL_WARN ? RG_CHECK_WARN : f & SL_OFF ? RG_CHECK_OFF : RG_CHECK_REJECT);
	rg_policy_set_offsite_local(p,
	    f & OL_REJ ? RG_CHECK_REJECT : f & OL_OFF ? RG_CHECK_OFF : RG_CHECK_WARN);
	rg_policy_set_verify(p, !(f & NOVER));
	rg_policy_set_on_error(p, f & OE_CONT ? RG_ON_ERROR_CONTINUE : RG_ON_ERROR_TEMPFAIL);
	rg_policy_set_relay_reply(p, RELAY_TEXT);
	rg_policy_set_routing(p, f & RT_REJ ? RG_CHECK_REJECT : f & RT_OFF ? RG_CHECK_OFF :
	    RG_CHECK_WARN);
	ok &= rg_domset_add(rg_route_hosts(rg_policy_route(p)), ".hub.example.edu", err,
	    sizeof(err));
	for (size_t i = 0; i < UT_NROWS(trusted); i++)
		ok &= rg_netset_add(rg_policy_trusted(p), trusted[i], err, sizeof(err));
	for (size_t i = 0; i < UT_NROWS(local); i++)
		ok &= rg_domset_add(rg_policy_local(p), local[i], err, sizeof(err));
	ok &= rg_domset_add(rg_policy_relay(p), "partner.example", err, sizeof(err));
	ok &= rg_netset_add(bobnets, "198.51.100.0/24", err, sizeof(err));
	CU_ASSERT_FATAL(ok);
	rg_policy_add_exception(p, "bob@example.edu", expiry(), EXP_TEXT, bobnets, "ticket 4411");
	rg_policy_add_exception(p, "old@example.edu", expiry(), EXP_TEXT, NULL, NULL);
	rg_policy_add_exception(p, "gone@example.edu", timegm(&gone), "2020-01-01", NULL, "");
	CU_ASSERT_EQUAL(rg_policy_monitor(p), (f & MON) != 0);
	return p;
}

struct want {
	enum rg_action act;
	enum rg_logged lg;
	const char *reason, *code, *xcode;
};

#define ACC(r)		{ RG_ACT_CONTINUE, RG_LOGGED_ACCEPT, r, NULL, NULL }
#define REJ(r, c, x)	{ RG_ACT_REJECT, RG_LOGGED_REJECT, r, c, x }
#define TMP(r)		{ RG_ACT_TEMPFAIL, RG_LOGGED_TEMPFAIL, r, "451", "4.3.0" }
#define WREJ(r, c, x)	{ RG_ACT_CONTINUE, RG_LOGGED_WOULD_REJECT, r, c, x }
#define WTMP(r)		{ RG_ACT_CONTINUE, RG_LOGGED_WOULD_TEMPFAIL, r, "451", "4.3.0" }
#define RELAY		REJ("relay-denied", "550", "5.7.1")
#define NOTLSR		REJ("auth-without-tls", "550", "5.7.1")
#define UNKNOWN		REJ("unknown-recipient", "550", "5.1.1")
#define DIRERR		TMP("directory-unavailable")
#define NODOMAIN	REJ("bad-recipient", "550", "5.1.3")
#define EXPIRED		REJ("legacy-exception-expired", "550", "5.7.1")

/* whether a lookup is needed, and the directory's answer when it is */
#define NOLK		false, RG_LOOKUP_NONE, RG_KIND_MAILBOX
#define FOUND(k)	true, RG_LOOKUP_FOUND, RG_KIND_##k
#define NOTF		true, RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX
#define LKERR		true, RG_LOOKUP_ERROR, RG_KIND_MAILBOX
#define SKIPPED		true, RG_LOOKUP_NONE, RG_KIND_MAILBOX	/* caller forgot to ask */
#define SKIPPED_FWD	true, RG_LOOKUP_NONE, RG_KIND_FORWARD

static void
check_verdict(const char *name, const struct rg_verdict *v, const struct want *w,
    unsigned lv, const char *expires, const char *text)
{
	UT_STR(name, "action", v->action == RG_ACT_CONTINUE ? "continue" :
	    v->action == RG_ACT_REJECT ? "reject" : "tempfail",
	    w->act == RG_ACT_CONTINUE ? "continue" : w->act == RG_ACT_REJECT ? "reject" :
	    "tempfail");
	UT_STR(name, "logged", rg_logged_name(v->logged), rg_logged_name(w->lg));
	UT_STR(name, "reason", v->reason, w->reason);
	UT_STR(name, "code", v->code, w->code);
	UT_STR(name, "xcode", v->xcode, w->xcode);
	if (w->code == NULL)
		UT_STR(name, "text of an accept", v->text, NULL);
	else
		UT_INT(name, "reply text present", v->text != NULL && v->text[0] != '\0', true);
	if (text != NULL)
		UT_HAS(name, "text", v->text, text);
	UT_INT(name, "notable", v->notable, w->lg != RG_LOGGED_ACCEPT || (lv & NT));
	UT_INT(name, "warning", v->warning, (lv & WR) != 0);
	UT_STR(name, "expires", v->expires, expires);
}

static void
classify(const struct rg_policy *p, enum cl c, struct rg_class *k)
{
	rg_policy_classify(p, &clients[c], k);
}

static void
parse(const char *name, const char *in, struct rg_addr *a)
{
	UT_STR(name, "parse", rg_addr_status_name(rg_addr_parse(in, a)), "ok");
}

/* ---- client classes ---- */

static void
test_classify(void)
{
	static const struct { const char *name; unsigned f; struct rg_client c;
	    bool trusted, auth, notls; const char *login; } rows[] = {
		{ "trusted v4", 0, { "192.0.2.10", NULL, NULL, NULL }, true, false, false, NULL },
		{ "trusted mapped", 0, { "::ffff:192.0.2.10", NULL, NULL, NULL }, true, false, false, NULL },
		{ "trusted mapped hex", 0, { "::ffff:c000:20a", NULL, NULL, NULL }, true, false, false, NULL },
		{ "trusted v6", 0, { "2001:db8::25", NULL, NULL, NULL }, true, false, false, NULL },
		{ "offsite", 0, { "203.0.113.9", NULL, NULL, NULL }, false, false, false, NULL },
		{ "no address", 0, { NULL, NULL, NULL, NULL }, false, false, false, NULL },
		{ "empty address", 0, { "", NULL, NULL, NULL }, false, false, false, NULL },
		{ "auth+tls", 0, { "203.0.113.9", "alice", "PLAIN", "TLSv1.3" }, false, true, false, "alice" },
		{ "auth, no type", 0, { "203.0.113.9", "alice", NULL, "TLSv1.2" }, false, true, false, "alice" },
		{ "auth no tls", 0, { "203.0.113.9", "alice", "LOGIN", NULL }, false, false, true, "alice" },
		{ "auth empty tls", 0, { "203.0.113.9", "alice", "LOGIN", "" }, false, false, true, "alice" },
		{ "auth no tls, not required", NOTLS, { "203.0.113.9", "alice", "LOGIN", NULL }, false, true, false, "alice" },
		{ "ANONYMOUS", 0, { "203.0.113.9", "anon", "ANONYMOUS", "TLSv1.3" }, false, false, false, NULL },
		{ "anonymous lower", NOTLS, { "203.0.113.9", "anon", "anonymous", NULL }, false, false, false, NULL },
		{ "empty login", 0, { "203.0.113.9", "", "PLAIN", "TLSv1.3" }, false, false, false, NULL },
		{ "trusted and auth", 0, { "192.0.2.10", "alice", "PLAIN", "TLSv1.3" }, true, true, false, "alice" },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_policy *p = build(rows[i].f);
		struct rg_class k;

		memset(&k, 0x5a, sizeof(k));
		rg_policy_classify(p, &rows[i].c, &k);
		UT_INT(rows[i].name, "trusted", k.trusted, rows[i].trusted);
		UT_INT(rows[i].name, "authenticated", k.authenticated, rows[i].auth);
		UT_INT(rows[i].name, "auth_without_tls", k.auth_without_tls, rows[i].notls);
		UT_STR(rows[i].name, "login", k.login, rows[i].login);
		rg_policy_destroy(&p);
		CU_ASSERT_PTR_NULL(p);
	}
}

/* ---- RCPT TO ---- */

struct rcpt_row {
	const char *name;
	unsigned f;
	enum cl c;
	const char *from, *rcpt;
	enum tm_at t;
	bool need;
	enum rg_lookup answer;
	enum rg_rcpt_kind kind;
	struct want w;
	unsigned lv;
	const char *expires, *text;
};

#define RC(n, f, c, fr, rc, t, lk, w)	{ n, f, c, fr, rc, t, lk, w, 0, NULL, NULL }
#define RCX(n, f, c, fr, rc, t, lk, w, lv, e, tx)	{ n, f, c, fr, rc, t, lk, w, lv, e, tx }
#define X	"<x@remote.example>"		/* an offsite sender, no exception */

static const struct rcpt_row rcpt_rows[] = {
	/* local mailbox / forward / list, found: every client */
	RC("TR local mailbox", 0, TR, X, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	RC("TRM local mailbox", 0, TRM, X, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	RC("AT local forward", 0, AT, X, "<dave@example.edu>", 0, FOUND(FORWARD), ACC("forward")),
	RC("LN local list", 0, LN, X, "<staff@example.edu>", 0, FOUND(LIST), ACC("list")),
	RC("AN local mailbox", 0, AN, X, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	RC("OF local mailbox", 0, OF, X, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	RC("OF local forward", 0, OF, X, "<dave@example.edu>", 0, FOUND(FORWARD), ACC("forward")),
	RC("OF local list", 0, OF, X, "<staff@example.edu>", 0, FOUND(LIST), ACC("list")),
	RC("OF subdomain", 0, OF, X, "<carol@Physics.Example.EDU.>", 0, FOUND(MAILBOX), ACC("local")),
	RC("OF local literal", 0, OF, X, "<alice@[192.0.2.1]>", 0, FOUND(MAILBOX), ACC("local")),
	RC("OF source route to local", 0, OF, X, "<@remote.example:alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	/* local, not found: even trusted and authenticated clients */
	RC("TR local notfound", 0, TR, X, "<nobody@example.edu>", 0, NOTF, UNKNOWN),
	RC("AT local notfound", 0, AT, X, "<nobody@example.edu>", 0, NOTF, UNKNOWN),
	RC("OF local notfound", 0, OF, X, "<nobody@example.edu>", 0, NOTF, UNKNOWN),
	/* local, directory could not tell */
	RC("TR local error", 0, TR, X, "<alice@example.edu>", 0, LKERR, DIRERR),
	RCX("OF local error", 0, OF, X, "<alice@example.edu>", 0, LKERR, DIRERR, 0, NULL, "try again"),
	RCX("OF local error, continue", OE_CONT, OF, X, "<alice@example.edu>", 0, LKERR, ACC("directory-unavailable"), NT | WR, NULL, NULL),
	RC("OF lookup skipped", 0, OF, X, "<alice@example.edu>", 0, SKIPPED, DIRERR),
	RC("TR lookup skipped", 0, TR, X, "<alice@example.edu>", 0, SKIPPED, DIRERR),
	RC("AT lookup skipped, forward", 0, AT, X, "<dave@example.edu>", 0, SKIPPED_FWD, DIRERR),
	RCX("OF lookup skipped, continue", OE_CONT, OF, X, "<alice@example.edu>", 0, SKIPPED, ACC("directory-unavailable"), NT | WR, NULL, NULL),
	RC("MON OF lookup skipped", MON, OF, X, "<alice@example.edu>", 0, SKIPPED, WTMP("directory-unavailable")),
	/* verify off: no lookup, local is enough */
	RC("OF local, verify off", NOVER, OF, X, "<nobody@example.edu>", 0, NOLK, ACC("local")),
	/* relay domain: anyone, no lookup */
	RC("TR relay domain", 0, TR, X, "<u@partner.example>", 0, NOLK, ACC("relay-domain")),
	RC("OF relay domain", 0, OF, X, "<u@Partner.Example.>", 0, NOLK, ACC("relay-domain")),
	RC("AN relay domain", 0, AN, X, "<u@partner.example>", 0, NOLK, ACC("relay-domain")),
	RCX("OF relay subdomain is remote", 0, OF, X, "<u@mx.partner.example>", 0, NOLK, RELAY, 0, NULL, RELAY_TEXT),
	/* remote: the relay decision */
	RC("TR remote", 0, TR, X, "<u@remote.example>", 0, NOLK, ACC("trusted")),
	RC("TRM remote", 0, TRM, X, "<u@remote.example>", 0, NOLK, ACC("trusted")),
	RC("TR6 remote", 0, TR6, X, "<u@remote.example>", 0, NOLK, ACC("trusted")),
	RC("AT remote", 0, AT, X, "<u@remote.example>", 0, NOLK, ACC("authenticated")),
	RCX("LN remote", 0, LN, X, "<u@remote.example>", 0, NOLK, NOTLSR, 0, NULL, "without TLS"),
	RCX("LNE remote", 0, LNE, X, "<u@remote.example>", 0, NOLK, NOTLSR, 0, NULL, "without TLS"),
	RC("LN remote, TLS not required", NOTLS, LN, X, "<u@remote.example>", 0, NOLK, ACC("authenticated")),
	RCX("AN remote", 0, AN, X, "<u@remote.example>", 0, NOLK, RELAY, 0, NULL, RELAY_TEXT),
	RC("AN remote, TLS not required", NOTLS, AN, X, "<u@remote.example>", 0, NOLK, RELAY),
	RCX("OF remote", 0, OF, X, "<u@remote.example>", 0, NOLK, RELAY, 0, NULL, RELAY_TEXT),
	RC("OF notexample.edu", 0, OF, X, "<u@notexample.edu>", 0, NOLK, RELAY),
	RC("NOADDR remote", 0, NOADDR, X, "<u@remote.example>", 0, NOLK, RELAY),
	RC("AT remote, auth relay off", NORELAY, AT, X, "<u@remote.example>", 0, NOLK, RELAY),
	RC("LN remote, auth relay off", NORELAY, LN, X, "<u@remote.example>", 0, NOLK, RELAY),
	RC("TR remote, auth relay off", NORELAY, TR, X, "<u@remote.example>", 0, NOLK, ACC("trusted")),
	RC("OF null sender remote", 0, OF, "<>", "<u@remote.example>", 0, NOLK, RELAY),
	/* routed local parts: relaying even though the domain is ours */
	RC("OF percent hack", 0, OF, X, "<u%remote.example@example.edu>", 0, NOLK, RELAY),
	RC("OF bang path", 0, OF, X, "<remote.example!u@example.edu>", 0, NOLK, RELAY),
	RC("OF quoted @", 0, OF, X, "<\"u@remote.example\"@example.edu>", 0, NOLK, RELAY),
	RC("OF quoted escaped", 0, OF, X, "<\"u\\\"@remote.example\"@example.edu>", 0, NOLK, RELAY),
	RC("OF double @", 0, OF, X, "<u@remote.example@example.edu>", 0, NOLK, RELAY),
	RC("OF source route out", 0, OF, X, "<@example.edu:u@remote.example>", 0, NOLK, RELAY),
	RC("OF percent to relay domain", 0, OF, X, "<u%remote.example@partner.example>", 0, NOLK, RELAY),
	RC("AN percent hack", 0, AN, X, "<u%remote.example@example.edu>", 0, NOLK, RELAY),
	RC("LN percent hack", 0, LN, X, "<u%remote.example@example.edu>", 0, NOLK, NOTLSR),
	RC("AT percent hack", 0, AT, X, "<u%remote.example@example.edu>", 0, NOLK, ACC("authenticated")),
	RC("TR percent hack", 0, TR, X, "<u%remote.example@example.edu>", 0, NOLK, ACC("trusted")),
	RC("OF routed postmaster", 0, OF, X, "<postmaster%remote.example@example.edu>", 0, NOLK, RELAY),
	/* IP literals: not local unless listed */
	RC("OF literal v4", 0, OF, X, "<u@[203.0.113.50]>", 0, NOLK, RELAY),
	RC("OF literal v6", 0, OF, X, "<u@[IPv6:2001:db8::25]>", 0, NOLK, RELAY),
	RC("OF literal of a trusted host", 0, OF, X, "<u@[192.0.2.2]>", 0, NOLK, RELAY),
	RC("TR literal", 0, TR, X, "<u@[203.0.113.50]>", 0, NOLK, ACC("trusted")),
	/* domainless */
	RC("OF postmaster", 0, OF, X, "<postmaster>", 0, NOLK, ACC("local")),
	RC("OF PostMaster", 0, OF, X, "<PostMaster>", 0, NOLK, ACC("local")),
	RC("AN postmaster", 0, AN, X, "<postmaster>", 0, NOLK, ACC("local")),
	RC("OF postmaster@local", 0, OF, X, "<postmaster@example.edu>", 0, NOLK, ACC("local")),
	RC("OF domainless", 0, OF, X, "<alice>", 0, NOLK, NODOMAIN),
	RC("AN domainless", 0, AN, X, "<alice>", 0, NOLK, NODOMAIN),
	RC("LN domainless", 0, LN, X, "<alice>", 0, NOLK, NODOMAIN),
	RC("TR domainless", 0, TR, X, "<alice>", 0, NOLK, ACC("trusted")),
	RC("AT domainless", 0, AT, X, "<alice>", 0, NOLK, ACC("authenticated")),
	RC("OF domainless bang", 0, OF, X, "<remote.example!u>", 0, NOLK, RELAY),
	RC("OF null recipient", 0, OF, X, "<>", 0, NOLK, REJ("bad-recipient", "501", "5.1.3")),
	/* legacy exceptions at RCPT */
	RCX("LG bob valid", 0, LG, "<bob@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RCX("LGM bob valid (mapped)", 0, LGM, "<bob@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RCX("LG BOB case", 0, LG, "<BOB@Example.EDU>", "<u@remote.example>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RCX("LG bob last second", 0, LG, "<bob@example.edu>", "<u@remote.example>", T_LAST, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RCX("LG bob at expiry", 0, LG, "<bob@example.edu>", "<u@remote.example>", T_EXPIRY, NOLK, EXPIRED, 0, EXP_TEXT, EXP_TEXT),
	RCX("LG bob later", 0, LG, "<bob@example.edu>", "<u@remote.example>", T_LATER, NOLK, EXPIRED, 0, EXP_TEXT, EXP_TEXT),
	RCX("OF bob out of scope", 0, OF, "<bob@example.edu>", "<u@remote.example>", T_MONTH, NOLK, RELAY, 0, EXP_TEXT, RELAY_TEXT),
	RCX("NOADDR bob out of scope", 0, NOADDR, "<bob@example.edu>", "<u@remote.example>", T_MONTH, NOLK, RELAY, 0, EXP_TEXT, NULL),
	RCX("OF old, no networks", 0, OF, "<old@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RCX("OF old at expiry", 0, OF, "<old@example.edu>", "<u@remote.example>", T_EXPIRY, NOLK, EXPIRED, 0, EXP_TEXT, NULL),
	RCX("OF gone", 0, OF, "<gone@example.edu>", "<u@remote.example>", T_MONTH, NOLK, EXPIRED, 0, "2020-01-01", "2020-01-01"),
	RC("TR gone", 0, TR, "<gone@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("trusted")),
	RC("AT gone", 0, AT, "<gone@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("authenticated")),
	RC("LG bob to local", 0, LG, "<bob@example.edu>", "<alice@example.edu>", T_MONTH, FOUND(MAILBOX), ACC("local")),
	RC("LG bob to relay domain", 0, LG, "<bob@example.edu>", "<u@partner.example>", T_LATER, NOLK, ACC("relay-domain")),
	RC("LG other sender", 0, LG, "<carol@example.edu>", "<u@remote.example>", T_MONTH, NOLK, RELAY),
	RC("LG bob, routed local part", 0, LG, "<bob%remote.example@example.edu>", "<u@remote.example>", T_MONTH, NOLK, RELAY),
	/* monitor mode: nothing refused, everything logged */
	RCX("MON OF remote", MON, OF, X, "<u@remote.example>", 0, NOLK, WREJ("relay-denied", "550", "5.7.1"), 0, NULL, RELAY_TEXT),
	RC("MON LN remote", MON, LN, X, "<u@remote.example>", 0, NOLK, WREJ("auth-without-tls", "550", "5.7.1")),
	RC("MON OF notfound", MON, OF, X, "<nobody@example.edu>", 0, NOTF, WREJ("unknown-recipient", "550", "5.1.1")),
	RC("MON OF error", MON, OF, X, "<alice@example.edu>", 0, LKERR, WTMP("directory-unavailable")),
	RCX("MON OF error, continue", MON | OE_CONT, OF, X, "<alice@example.edu>", 0, LKERR, ACC("directory-unavailable"), NT | WR, NULL, NULL),
	RC("MON OF domainless", MON, OF, X, "<alice>", 0, NOLK, WREJ("bad-recipient", "550", "5.1.3")),
	RC("MON OF null recipient", MON, OF, X, "<>", 0, NOLK, WREJ("bad-recipient", "501", "5.1.3")),
	RCX("MON LG bob expired", MON, LG, "<bob@example.edu>", "<u@remote.example>", T_EXPIRY, NOLK, WREJ("legacy-exception-expired", "550", "5.7.1"), 0, EXP_TEXT, NULL),
	RCX("MON LG bob valid", MON, LG, "<bob@example.edu>", "<u@remote.example>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	RC("MON OF local found", MON, OF, X, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("local")),
	RC("MON TR remote", MON, TR, X, "<u@remote.example>", 0, NOLK, ACC("trusted")),
};

/* Plan an RCPT as session.c does; the plan is poisoned first, so every field counts. */
static void
plan_rcpt(const struct rg_policy *p, const struct rg_class *k, const char *client,
    const struct rg_addr *from, const struct rg_addr *rcpt, time_t now,
    struct rg_rcpt_plan *plan)
{
	memset(plan, 0x5a, sizeof(*plan));
	rg_policy_rcpt_plan(p, k, client, from, rcpt, now, plan);
}

static void
decide_rcpt(const struct rg_policy *p, const struct rg_rcpt_plan *plan, enum rg_lookup found,
    enum rg_rcpt_kind kind, struct rg_verdict *v)
{
	memset(v, 0x5a, sizeof(*v));
	rg_policy_rcpt_decide(p, plan, found, kind, v);
}

static void
test_rcpt_table(void)
{
	for (size_t i = 0; i < UT_NROWS(rcpt_rows); i++) {
		const struct rcpt_row *r = &rcpt_rows[i];
		struct rg_policy *p = build(r->f);
		struct rg_addr from, rcpt;
		struct rg_class k;
		struct rg_rcpt_plan plan;
		struct rg_verdict v;

		classify(p, r->c, &k);
		parse(r->name, r->from, &from);
		parse(r->name, r->rcpt, &rcpt);
		plan_rcpt(p, &k, clients[r->c].addr, &from, &rcpt, clock_at(r->t), &plan);
		UT_INT(r->name, "rcpt lookup needed", plan.ask,
		    r->need ? RG_RCPT_ASK_RECIPIENT : RG_RCPT_ASK_NOTHING);
		decide_rcpt(p, &plan, r->answer, r->kind, &v);
		check_verdict(r->name, &v, &r->w, r->lv, r->expires, r->text);
		rg_policy_destroy(&p);
	}
}

/*
 * The plan's two promises, over every row: a plan that asked nothing
 * gives its verdict whatever answer comes (no directory can open a
 * relay or refuse a relay domain), and a plan that asked and gets
 * RG_LOOKUP_NONE, a caller that skipped the lookup, gets exactly the
 * verdict of "could not tell".
 */
static void
test_rcpt_plan_answers(void)
{
	static const enum rg_lookup answers[] = {
		RG_LOOKUP_NONE, RG_LOOKUP_FOUND, RG_LOOKUP_NOTFOUND, RG_LOOKUP_ERROR,
	};
	static const enum rg_rcpt_kind kinds[] = { RG_KIND_MAILBOX, RG_KIND_FORWARD, RG_KIND_LIST };
	size_t asked = 0, settled = 0;

	for (size_t i = 0; i < UT_NROWS(rcpt_rows); i++) {
		const struct rcpt_row *r = &rcpt_rows[i];
		struct rg_policy *p = build(r->f);
		struct rg_addr from, rcpt;
		struct rg_class k;
		struct rg_rcpt_plan plan;
		struct rg_verdict v, err;

		classify(p, r->c, &k);
		parse(r->name, r->from, &from);
		parse(r->name, r->rcpt, &rcpt);
		plan_rcpt(p, &k, clients[r->c].addr, &from, &rcpt, clock_at(r->t), &plan);
		if (plan.ask == RG_RCPT_ASK_NOTHING) {
			settled++;
			for (size_t a = 0; a < UT_NROWS(answers); a++)
				for (size_t n = 0; n < UT_NROWS(kinds); n++) {
					decide_rcpt(p, &plan, answers[a], kinds[n], &v);
					check_verdict(r->name, &v, &r->w, r->lv, r->expires,
					    r->text);
				}
		} else {
			asked++;
			decide_rcpt(p, &plan, RG_LOOKUP_ERROR, RG_KIND_MAILBOX, &err);
			for (size_t n = 0; n < UT_NROWS(kinds); n++) {
				decide_rcpt(p, &plan, RG_LOOKUP_NONE, kinds[n], &v);
				UT_STR(r->name, "skipped: logged", rg_logged_name(v.logged),
				    rg_logged_name(err.logged));
				UT_INT(r->name, "skipped: tells the MTA", v.action, err.action);
				UT_STR(r->name, "skipped: reason", v.reason, "directory-unavailable");
				UT_STR(r->name, "skipped: code", v.code, err.code);
				UT_STR(r->name, "skipped: xcode", v.xcode, err.xcode);
				UT_STR(r->name, "skipped: text", v.text, err.text);
				UT_INT(r->name, "skipped: warning", v.warning, err.warning);
			}
		}
		rg_policy_destroy(&p);
	}
	/* Both kinds of plan are in the table, or this test proves nothing. */
	UT_INT("plan answers", "rows that ask", asked > 10, true);
	UT_INT("plan answers", "rows that do not", settled > 10, true);
}

/* ---- MAIL FROM ---- */

struct mail_row {
	const char *name;
	unsigned f;
	enum cl c;
	const char *from;
	enum tm_at t;
	bool need;
	enum rg_lookup owned;
	enum rg_rcpt_kind unused;
	struct want w;
	unsigned lv;
	const char *expires, *text;
};

#define ML(n, f, c, fr, t, lk, w)	{ n, f, c, fr, t, lk, w, 0, NULL, NULL }
#define MLX(n, f, c, fr, t, lk, w, lv, e, tx)	{ n, f, c, fr, t, lk, w, lv, e, tx }
#define MISMATCH	REJ("sender-login-mismatch", "553", "5.7.1")
#define WMISMATCH	WREJ("sender-login-mismatch", "553", "5.7.1")
#define OFFLOCAL	REJ("offsite-local-sender", "550", "5.7.1")
#define WOFFLOCAL	WREJ("offsite-local-sender", "550", "5.7.1")

static const struct mail_row mail_rows[] = {
	/* null sender: always, and never a lookup */
	ML("TR null", 0, TR, "<>", 0, NOLK, ACC("null-sender")),
	ML("AT null", 0, AT, "<>", 0, NOLK, ACC("null-sender")),
	ML("LN null", 0, LN, "<>", 0, NOLK, ACC("null-sender")),
	ML("OF null", OL_REJ, OF, "<>", 0, NOLK, ACC("null-sender")),
	ML("MON OF null", MON | OL_REJ, OF, "<>", 0, NOLK, ACC("null-sender")),
	/* sender_login = reject */
	ML("AT owned", 0, AT, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("authenticated")),
	MLX("AT not owned", 0, AT, "<bob@example.edu>", 0, NOTF, MISMATCH, 0, NULL, "not owned"),
	ML("AT not owned remote", 0, AT, "<x@remote.example>", 0, NOTF, MISMATCH),
	ML("AT owner unknown", 0, AT, "<alice@example.edu>", 0, LKERR, DIRERR),
	MLX("AT owner unknown, continue", OE_CONT, AT, "<alice@example.edu>", 0, LKERR, ACC("directory-unavailable"), NT | WR, NULL, NULL),
	ML("LN owned", 0, LN, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("login")),
	ML("LN not owned", 0, LN, "<bob@example.edu>", 0, NOTF, MISMATCH),
	ML("LN owner unknown", 0, LN, "<alice@example.edu>", 0, LKERR, DIRERR),
	ML("AN no lookup", 0, AN, "<x@remote.example>", 0, NOLK, ACC("offsite")),
	ML("TR no lookup", 0, TR, "<x@remote.example>", 0, NOLK, ACC("trusted")),
	/* sender_login = warn */
	ML("AT warn owned", SL_WARN, AT, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("authenticated")),
	MLX("AT warn not owned", SL_WARN, AT, "<bob@example.edu>", 0, NOTF, WMISMATCH, WR, NULL, NULL),
	/* A warn-only check never holds mail up: its outage is logged only. */
	MLX("AT warn owner unknown", SL_WARN, AT, "<alice@example.edu>", 0, LKERR, WTMP("directory-unavailable"), WR, NULL, NULL),
	/* sender_login = off: never a lookup */
	ML("AT off", SL_OFF, AT, "<bob@example.edu>", 0, NOLK, ACC("authenticated")),
	ML("LN off", SL_OFF, LN, "<bob@example.edu>", 0, NOLK, ACC("login")),
	ML("AT off remote", SL_OFF, AT, "<x@remote.example>", 0, NOLK, ACC("authenticated")),
	/* offsite_local */
	MLX("OF local, reject", OL_REJ, OF, "<alice@example.edu>", 0, NOLK, OFFLOCAL, 0, NULL, "offsite"),
	ML("OF subdomain, reject", OL_REJ, OF, "<carol@Physics.Example.EDU>", 0, NOLK, OFFLOCAL),
	MLX("OF local, warn", 0, OF, "<alice@example.edu>", 0, NOLK, WOFFLOCAL, WR, NULL, NULL),
	ML("OF local, off", OL_OFF, OF, "<alice@example.edu>", 0, NOLK, ACC("offsite")),
	ML("OF remote, reject", OL_REJ, OF, "<x@remote.example>", 0, NOLK, ACC("offsite")),
	ML("OF relay domain, reject", OL_REJ, OF, "<x@partner.example>", 0, NOLK, ACC("offsite")),
	ML("AN local, reject", OL_REJ, AN, "<alice@example.edu>", 0, NOLK, OFFLOCAL),
	ML("TR local, reject", OL_REJ, TR, "<alice@example.edu>", 0, NOLK, ACC("trusted")),
	ML("TRM local, reject", OL_REJ, TRM, "<alice@example.edu>", 0, NOLK, ACC("trusted")),
	/* A bare name is a local sender: the MTA qualifies it with its own domain. */
	ML("OF domainless, reject", OL_REJ, OF, "<alice>", 0, NOLK, OFFLOCAL),
	ML("OF quoted domainless, reject", OL_REJ, OF, "<\"alice\">", 0, NOLK, OFFLOCAL),
	MLX("OF domainless, warn", 0, OF, "<alice>", 0, NOLK, WOFFLOCAL, WR, NULL, NULL),
	ML("OF domainless, off", OL_OFF, OF, "<alice>", 0, NOLK, ACC("offsite")),
	ML("LG bob domainless: no exception", OL_REJ, LG, "<bob>", T_MONTH, NOLK, OFFLOCAL),
	ML("TR domainless", OL_REJ, TR, "<alice>", 0, NOLK, ACC("trusted")),
	/* legacy exceptions at MAIL */
	MLX("LG bob valid, reject", OL_REJ, LG, "<bob@example.edu>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	MLX("LG bob last second", OL_REJ, LG, "<bob@example.edu>", T_LAST, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	MLX("LG bob at expiry, reject", OL_REJ, LG, "<bob@example.edu>", T_EXPIRY, NOLK, OFFLOCAL, 0, EXP_TEXT, NULL),
	MLX("LG bob at expiry, warn", 0, LG, "<bob@example.edu>", T_EXPIRY, NOLK, WOFFLOCAL, WR, EXP_TEXT, NULL),
	ML("LG bob at expiry, off", OL_OFF, LG, "<bob@example.edu>", T_EXPIRY, NOLK, ACC("offsite")),
	MLX("OF bob out of scope", OL_REJ, OF, "<bob@example.edu>", T_MONTH, NOLK, OFFLOCAL, 0, EXP_TEXT, NULL),
	MLX("OF old valid", OL_REJ, OF, "<old@example.edu>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	MLX("OF old valid, offsite_local off", OL_OFF, OF, "<old@example.edu>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	MLX("OF gone", OL_REJ, OF, "<gone@example.edu>", T_MONTH, NOLK, OFFLOCAL, 0, "2020-01-01", NULL),
	/* monitor mode */
	ML("MON AT not owned", MON, AT, "<bob@example.edu>", 0, NOTF, WMISMATCH),
	ML("MON AT owner unknown", MON, AT, "<alice@example.edu>", 0, LKERR, WTMP("directory-unavailable")),
	MLX("MON AT owner unknown, continue", MON | OE_CONT, AT, "<alice@example.edu>", 0, LKERR, ACC("directory-unavailable"), NT | WR, NULL, NULL),
	MLX("MON AT warn not owned", MON | SL_WARN, AT, "<bob@example.edu>", 0, NOTF, WMISMATCH, WR, NULL, NULL),
	ML("MON OF local, reject", MON | OL_REJ, OF, "<alice@example.edu>", 0, NOLK, WOFFLOCAL),
	MLX("MON LG bob valid", MON | OL_REJ, LG, "<bob@example.edu>", T_MONTH, NOLK, ACC("legacy-exception"), NT | WR, EXP_TEXT, NULL),
	ML("MON AT owned", MON, AT, "<alice@example.edu>", 0, FOUND(MAILBOX), ACC("authenticated")),
};

static void
test_mail_table(void)
{
	for (size_t i = 0; i < UT_NROWS(mail_rows); i++) {
		const struct mail_row *r = &mail_rows[i];
		struct rg_policy *p = build(r->f);
		struct rg_addr from;
		struct rg_class k;
		struct rg_verdict v;

		classify(p, r->c, &k);
		parse(r->name, r->from, &from);
		UT_INT(r->name, "mail lookup needed", rg_policy_mail_lookup(p, &k, &from), r->need);
		memset(&v, 0x5a, sizeof(v));
		rg_policy_mail(p, &k, clients[r->c].addr, &from, r->owned, clock_at(r->t), &v);
		check_verdict(r->name, &v, &r->w, r->lv, r->expires, r->text);
		rg_policy_destroy(&p);
	}
}

/* ---- MAIL FROM of a login the directory may have suspended ---- */

#define SUSP		REJ("login-suspended", "550", "5.7.1")
#define SUSP_TEXT	"suspended; contact security@example.edu to have"

static void
test_mail_suspended(void)
{
	static const struct { const char *name; unsigned f; enum cl c; const char *from;
	    enum rg_lookup owned, susp; struct want w; unsigned lv; } rows[] = {
		{ "AT suspended, owned", 0, AT, "<alice@example.edu>", RG_LOOKUP_FOUND, RG_LOOKUP_FOUND, SUSP, 0 },
		{ "AT suspended, not owned", 0, AT, "<bob@example.edu>", RG_LOOKUP_NOTFOUND, RG_LOOKUP_FOUND, SUSP, 0 },
		{ "AT suspended, null sender", 0, AT, "<>", RG_LOOKUP_NONE, RG_LOOKUP_FOUND, SUSP, 0 },
		{ "AT suspended, sender_login off", SL_OFF, AT, "<x@remote.example>", RG_LOOKUP_NONE, RG_LOOKUP_FOUND, SUSP, 0 },
		{ "LN suspended (no TLS)", 0, LN, "<alice@example.edu>", RG_LOOKUP_FOUND, RG_LOOKUP_FOUND, SUSP, 0 },
		{ "TR no login: nothing to suspend", 0, TR, "<x@remote.example>", RG_LOOKUP_NONE, RG_LOOKUP_FOUND, ACC("trusted"), 0 },
		{ "AT not suspended", 0, AT, "<alice@example.edu>", RG_LOOKUP_FOUND, RG_LOOKUP_NOTFOUND, ACC("authenticated"), 0 },
		{ "AT not asked", 0, AT, "<alice@example.edu>", RG_LOOKUP_FOUND, RG_LOOKUP_NONE, ACC("authenticated"), 0 },
		{ "AT could not tell", 0, AT, "<alice@example.edu>", RG_LOOKUP_ERROR, RG_LOOKUP_ERROR, DIRERR, 0 },
		{ "AT could not tell, null", 0, AT, "<>", RG_LOOKUP_NONE, RG_LOOKUP_ERROR, DIRERR, 0 },
		{ "AT could not tell, sender_login warn", SL_WARN, AT, "<alice@example.edu>", RG_LOOKUP_ERROR, RG_LOOKUP_ERROR, DIRERR, 0 },
		{ "AT could not tell, continue", OE_CONT, AT, "<>", RG_LOOKUP_NONE, RG_LOOKUP_ERROR, ACC("null-sender"), NT | WR },
		{ "AT could not tell, mismatch stands", 0, AT, "<bob@example.edu>", RG_LOOKUP_NOTFOUND, RG_LOOKUP_ERROR, MISMATCH, 0 },
		{ "MON AT suspended", MON, AT, "<alice@example.edu>", RG_LOOKUP_FOUND, RG_LOOKUP_FOUND, WREJ("login-suspended", "550", "5.7.1"), 0 },
		{ "MON AT could not tell", MON, AT, "<>", RG_LOOKUP_NONE, RG_LOOKUP_ERROR, WTMP("directory-unavailable"), 0 },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_policy *p = build(rows[i].f);
		struct rg_addr from;
		struct rg_class k;
		struct rg_verdict v;
		bool susp = rows[i].w.reason != NULL && strcmp(rows[i].w.reason, "login-suspended") == 0;

		rg_policy_set_suspended_contact(p, "security@example.edu");
		classify(p, rows[i].c, &k);
		parse(rows[i].name, rows[i].from, &from);
		UT_INT(rows[i].name, "suspension lookup needed", rg_policy_suspend_lookup(p, &k),
		    rows[i].c != TR);
		memset(&v, 0x5a, sizeof(v));
		rg_policy_mail_login(p, &k, clients[rows[i].c].addr, &from, rows[i].owned,
		    rows[i].susp, 0, &v);
		check_verdict(rows[i].name, &v, &rows[i].w, rows[i].lv, NULL,
		    susp ? SUSP_TEXT : NULL);
		rg_policy_destroy(&p);
	}
}

/* ---- malformed addresses ---- */

static void
test_bad_address(void)
{
	static const struct { const char *name; unsigned f; bool rcpt;
	    enum rg_addr_status st; struct want w; const char *text; } rows[] = {
		{ "bad sender", 0, false, RG_ADDR_SYNTAX, REJ("bad-sender", "501", "5.1.7"), "syntax" },
		{ "bad sender char", 0, false, RG_ADDR_BADCHAR, REJ("bad-sender", "501", "5.1.7"), "syntax" },
		{ "long sender", 0, false, RG_ADDR_TOOLONG, REJ("bad-sender", "501", "5.1.7"), "too long" },
		{ "bad rcpt", 0, true, RG_ADDR_SYNTAX, REJ("bad-recipient", "501", "5.1.3"), "syntax" },
		{ "long rcpt", 0, true, RG_ADDR_TOOLONG, REJ("bad-recipient", "501", "5.1.3"), "too long" },
		{ "MON bad sender", MON, false, RG_ADDR_BADCHAR, WREJ("bad-sender", "501", "5.1.7"), NULL },
		{ "MON bad rcpt", MON, true, RG_ADDR_SYNTAX, WREJ("bad-recipient", "501", "5.1.3"), NULL },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_policy *p = build(rows[i].f);
		struct rg_verdict v;

		rg_policy_bad_address(p, rows[i].rcpt, rows[i].st, &v);
		check_verdict(rows[i].name, &v, &rows[i].w, 0, NULL, rows[i].text);
		rg_policy_destroy(&p);
	}
}

/* ---- routing: the MTA's route against relayguard's "local" ---- */

static void
test_route(void)
{
#define WRT	{ RG_ACT_CONTINUE, RG_LOGGED_WOULD_TEMPFAIL, "routing-mismatch", "451", "4.3.0" }
#define RRT	{ RG_ACT_TEMPFAIL, RG_LOGGED_TEMPFAIL, "routing-mismatch", "451", "4.3.0" }
	static const struct { const char *name; unsigned f; const char *reason;
	    const char *mailer, *host; struct want w; unsigned lv; } rows[] = {
		{ "local mailer", 0, "local", "local", "mx.example.edu", ACC("local"), 0 },
		{ "virtual", 0, "local", "virtual", "", ACC("local"), 0 },
		{ "lmtp", 0, "local", "lmtp", "[192.0.2.9]", ACC("local"), 0 },
		{ "sendmail file", 0, "local", "*file*", "", ACC("local"), 0 },
		{ "no macros", 0, "local", NULL, NULL, ACC("local"), 0 },
		{ "no host", 0, "local", "smtp", NULL, ACC("local"), 0 },
		{ "smtp offsite, warn", 0, "local", "smtp", "[203.0.113.5]", WRT, NT | WR },
		{ "esmtp name, warn", 0, "local", "esmtp", "old.example.edu", WRT, NT | WR },
		{ "relay name, port", 0, "local", "relay", "victim.example:25", WRT, NT | WR },
		{ "smtp offsite, reject", RT_REJ, "local", "smtp", "[203.0.113.5]", RRT, NT },
		{ "smtp offsite, off", RT_OFF, "local", "smtp", "[203.0.113.5]", ACC("local"), 0 },
		{ "MON reject", MON | RT_REJ, "local", "smtp", "[203.0.113.5]", WRT, NT },
		{ "trusted literal", 0, "local", "smtp", "[192.0.2.25]:25", ACC("local"), 0 },
		{ "trusted v6 literal", 0, "local", "smtp", "[IPv6:2001:db8::25]", ACC("local"), 0 },
		{ "relay domain host", 0, "local", "smtp", "partner.example.", ACC("local"), 0 },
		{ "routing.hosts", 0, "local", "relay", "[mx1.hub.example.edu]:25", ACC("local"), 0 },
		{ "routing.hosts parent only", 0, "local", "relay", "hub.example.edu", WRT, NT | WR },
		{ "unreadable host", 0, "local", "smtp", "[192.0.2.25", WRT, NT | WR },
		{ "case of mailer", 0, "local", "LOCAL", "x", ACC("local"), 0 },
		{ "forward not a mismatch", 0, "forward", "smtp", "[203.0.113.5]", ACC("forward"), 0 },
		{ "list not a mismatch", 0, "list", "smtp", "[203.0.113.5]", ACC("list"), 0 },
		{ "relay-domain not checked", 0, "relay-domain", "smtp", "[203.0.113.5]",
		    ACC("relay-domain"), 0 },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_policy *p = build(rows[i].f);
		struct rg_verdict v;

		rg_policy_accept(&v, rows[i].reason);
		rg_policy_route_check(p, rows[i].mailer, rows[i].host, &v);
		check_verdict(rows[i].name, &v, &rows[i].w, rows[i].lv, NULL,
		    rows[i].w.code ? "routing" : NULL);
		UT_INT(rows[i].name, "route logged", v.route, rows[i].w.code != NULL);
		rg_policy_destroy(&p);
	}
	/* A refusal is never turned into an accept, nor re-labelled. */
	{
		struct rg_policy *p = build(0);
		struct rg_verdict v;
		static const struct want w = REJ("bad-recipient", "501", "5.1.3");

		rg_policy_bad_address(p, true, RG_ADDR_SYNTAX, &v);
		rg_policy_route_check(p, "smtp", "[203.0.113.5]", &v);
		check_verdict("refusal untouched", &v, &w, NT, NULL, NULL);
		rg_policy_destroy(&p);
	}
#undef WRT
#undef RRT
}

/* ---- DATA: a transaction with a malformed or list-like recipient ---- */

static void
test_data(void)
{
	static const struct { const char *name; unsigned f; enum rg_data_cause why;
	    struct want w; const char *text, *cause; } rows[] = {
		{ "clean", 0, RG_DATA_CLEAN, ACC("data"), NULL, "(none)" },
		{ "malformed", 0, RG_DATA_MALFORMED, REJ("transaction-refused", "554", "5.7.1"),
		    "one plain address", "malformed-recipient" },
		{ "duplicate", 0, RG_DATA_DUPLICATE, REJ("transaction-refused", "554", "5.7.1"),
		    "one plain address", "duplicate-recipient" },
		{ "MON clean", MON, RG_DATA_CLEAN, ACC("data"), NULL, "(none)" },
		{ "MON malformed", MON, RG_DATA_MALFORMED, WREJ("transaction-refused", "554", "5.7.1"),
		    "one plain address", "malformed-recipient" },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_policy *p = build(rows[i].f);
		struct rg_verdict v;

		memset(&v, 0x5a, sizeof(v));
		rg_policy_data(p, rows[i].why, &v);
		check_verdict(rows[i].name, &v, &rows[i].w, rows[i].why != RG_DATA_CLEAN ? NT : 0,
		    NULL, rows[i].text);
		UT_STR(rows[i].name, "cause", v.cause ? v.cause : "(none)", rows[i].cause);
		rg_policy_destroy(&p);
	}
}

/* An accept carries no code; the names the log uses are stable. */
static void
test_accept_and_names(void)
{
	static const struct want w = ACC("connect");
	struct rg_verdict v;

	memset(&v, 0x5a, sizeof(v));
	rg_policy_accept(&v, "connect");
	check_verdict("rg_policy_accept", &v, &w, 0, NULL, NULL);
	UT_STR("names", "accept", rg_logged_name(RG_LOGGED_ACCEPT), "accept");
	UT_STR("names", "reject", rg_logged_name(RG_LOGGED_REJECT), "reject");
	UT_STR("names", "tempfail", rg_logged_name(RG_LOGGED_TEMPFAIL), "tempfail");
	UT_STR("names", "would-reject", rg_logged_name(RG_LOGGED_WOULD_REJECT), "would-reject");
	UT_STR("names", "would-tempfail", rg_logged_name(RG_LOGGED_WOULD_TEMPFAIL),
	    "would-tempfail");
}

/* rg_policy_new() gives the defaults policy.conf(5) documents (etc/policy.conf overrides some). */
static void
test_defaults(void)
{
	struct rg_policy *p = rg_policy_new();
	struct rg_addr from, rcpt;
	struct rg_class k;
	struct rg_rcpt_plan plan;
	struct rg_verdict v;
	static const struct rg_client ln = { "203.0.113.9", "alice", "LOGIN", NULL };
	char err[256];

	UT_INT("defaults", "monitor", rg_policy_monitor(p), false);
	CU_ASSERT_FATAL(rg_domset_add(rg_policy_local(p), "example.edu", err, sizeof(err)));
	rg_policy_classify(p, &ln, &k);
	UT_INT("defaults", "require_tls", k.authenticated, false);
	parse("defaults", "<u@remote.example>", &rcpt);
	parse("defaults", "<bob@example.edu>", &from);
	plan_rcpt(p, &k, ln.addr, &from, &from, 0, &plan);
	UT_INT("defaults", "verify", plan.ask, RG_RCPT_ASK_RECIPIENT);
	UT_INT("defaults", "sender_login on", rg_policy_mail_lookup(p, &k, &from), true);
	plan_rcpt(p, &k, ln.addr, &from, &rcpt, 0, &plan);
	decide_rcpt(p, &plan, RG_LOOKUP_NONE, RG_KIND_MAILBOX, &v);
	UT_STR("defaults", "auth.relay on", v.reason, "auth-without-tls");
	rg_policy_classify(p, &(struct rg_client){ "203.0.113.9", NULL, NULL, NULL }, &k);
	rg_policy_mail(p, &k, "203.0.113.9", &from, RG_LOOKUP_NONE, 0, &v);
	UT_STR("defaults", "offsite_local warn", rg_logged_name(v.logged), "would-reject");
	plan_rcpt(p, &k, "203.0.113.9", &from, &rcpt, 0, &plan);
	decide_rcpt(p, &plan, RG_LOOKUP_NONE, RG_KIND_MAILBOX, &v);
	UT_HAS("defaults", "built-in relay_denied text", v.text, "Relaying denied");
	rg_policy_destroy(&p);
}

void
add_policy_suite(void)
{
	CU_pSuite s = ut_suite("policy");

	ut_test(s, "client classes", test_classify);
	ut_test(s, "RCPT decision table", test_rcpt_table);
	ut_test(s, "RCPT plan: ignored and skipped answers", test_rcpt_plan_answers);
	ut_test(s, "MAIL decision table", test_mail_table);
	ut_test(s, "MAIL of a suspended login", test_mail_suspended);
	ut_test(s, "malformed addresses", test_bad_address);
	ut_test(s, "DATA after a malformed recipient", test_data);
	ut_test(s, "routing cross-check", test_route);
	ut_test(s, "accept verdict and logged names", test_accept_and_names);
	ut_test(s, "defaults match policy.conf(5)", test_defaults);
}

int
main(void)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	add_addr_suite();
	add_netset_suite();
	add_log_suite();
	add_policy_suite();
	add_stats_suite();
	return ut_run();
}
