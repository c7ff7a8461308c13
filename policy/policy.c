/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * policy.c - the decision table.  Each stage function walks the rules
 * in a fixed order and fills one verdict; finish() then applies
 * monitor mode, so "what would happen" and "what happens" can never
 * disagree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "common/strutil.h"

#define AUTH_NO_TLS_REPLY \
	"Authentication without TLS is not accepted for relaying. " \
	"Use STARTTLS on port 587 or implicit TLS on port 465"
#define OFFSITE_LOCAL_REPLY \
	"Local sender address used from offsite without authentication. " \
	"Authenticate with SMTP AUTH over TLS (port 587 or 465)"
#define ROUTING_REPLY \
	"Recipient routing is being reconfigured, please try again later"
#define DATA_REFUSED_REPLY \
	"Transaction refused: a recipient address could not be read safely. " \
	"Send one plain address per RCPT TO, as <user@domain>"

struct exception {
	char *sender;
	time_t expires;
	char *expires_text;
	char *note;
	char *expired_reply;
	struct rg_netset *nets;
};

enum legacy { LEGACY_NONE, LEGACY_VALID, LEGACY_EXPIRED, LEGACY_OUT_OF_SCOPE };

struct rg_policy {
	bool monitor;
	bool auth_relay;
	bool require_tls;
	enum rg_check sender_login;
	enum rg_check offsite_local;
	enum rg_check routing;
	struct rg_route *route;
	bool verify;
	enum rg_on_error on_error;
	char *relay_reply;
	char *suspended_reply;
	struct rg_netset *trusted;
	struct rg_domset *local;
	struct rg_domset *relay;
	struct exception *exc;
	size_t nexc;
};

struct rg_policy *
rg_policy_new(void)
{
	struct rg_policy *p = rg_xcalloc(1, sizeof(*p));

	p->auth_relay = true;
	p->require_tls = true;
	p->sender_login = RG_CHECK_REJECT;
	p->offsite_local = RG_CHECK_WARN;
	p->routing = RG_CHECK_WARN;
	p->route = rg_route_new();
	p->verify = true;
	p->on_error = RG_ON_ERROR_TEMPFAIL;
	p->relay_reply = rg_xstrdup(RG_POLICY_RELAY_REPLY);
	rg_policy_set_suspended_contact(p, RG_POLICY_SUSPENDED_CONTACT);
	p->trusted = rg_netset_new();
	p->local = rg_domset_new();
	p->relay = rg_domset_new();
	return p;
}

void
rg_policy_destroy(struct rg_policy **pp)
{
	struct rg_policy *p;

	if (pp == NULL || (p = *pp) == NULL)
		return;
	for (size_t i = 0; i < p->nexc; i++) {
		free(p->exc[i].sender);
		free(p->exc[i].expires_text);
		free(p->exc[i].note);
		free(p->exc[i].expired_reply);
		rg_netset_destroy(&p->exc[i].nets);
	}
	free(p->exc);
	free(p->relay_reply);
	free(p->suspended_reply);
	rg_netset_destroy(&p->trusted);
	rg_domset_destroy(&p->local);
	rg_domset_destroy(&p->relay);
	rg_route_destroy(&p->route);
	free(p);
	*pp = NULL;
}

void rg_policy_set_monitor(struct rg_policy *p, bool on) { p->monitor = on; }
void rg_policy_set_offsite_local(struct rg_policy *p, enum rg_check c) { p->offsite_local = c; }
void rg_policy_set_routing(struct rg_policy *p, enum rg_check c) { p->routing = c; }
struct rg_route *rg_policy_route(struct rg_policy *p) { return p->route; }
void rg_policy_set_verify(struct rg_policy *p, bool on) { p->verify = on; }
void rg_policy_set_on_error(struct rg_policy *p, enum rg_on_error e) { p->on_error = e; }
struct rg_netset *rg_policy_trusted(struct rg_policy *p) { return p->trusted; }
struct rg_domset *rg_policy_local(struct rg_policy *p) { return p->local; }
struct rg_domset *rg_policy_relay(struct rg_policy *p) { return p->relay; }
bool rg_policy_monitor(const struct rg_policy *p) { return p->monitor; }

void
rg_policy_set_auth(struct rg_policy *p, bool relay, bool require_tls, enum rg_check sl)
{
	p->auth_relay = relay;
	p->require_tls = require_tls;
	p->sender_login = sl;
}

void
rg_policy_set_relay_reply(struct rg_policy *p, const char *text)
{
	free(p->relay_reply);
	p->relay_reply = rg_xstrdup(text);
}

void
rg_policy_set_suspended_contact(struct rg_policy *p, const char *contact)
{
	/* The loader keeps 'contact' within RG_POLICY_CONTACT_MAX: this always fits. */
	char reply[RG_POLICY_REPLY_MAX + 1];

	snprintf(reply, sizeof(reply), "This login is suspended; contact %s to have it "
	    "restored", contact);
	free(p->suspended_reply);
	p->suspended_reply = rg_xstrdup(reply);
}

void
rg_policy_add_exception(struct rg_policy *p, const char *sender, time_t expires,
    const char *expires_text, struct rg_netset *nets, const char *note)
{
	struct exception *e;
	/* 'expires_text' is a checked YYYY-MM-DD: this always fits. */
	char reply[RG_POLICY_REPLY_MAX + 1];

	p->exc = realloc(p->exc, (p->nexc + 1) * sizeof(*p->exc));
	if (p->exc == NULL)
		abort();
	e = &p->exc[p->nexc++];
	e->sender = rg_xstrdup(sender);
	e->expires = expires;
	e->expires_text = rg_xstrdup(expires_text);
	e->note = rg_xstrdup(note ? note : "");
	e->nets = nets;
	snprintf(reply, sizeof(reply), "The relay exception for this sender expired on %s. "
	    "Authenticate with SMTP AUTH over TLS (port 587 or 465) to send offsite",
	    expires_text);
	e->expired_reply = rg_xstrdup(reply);
}

const char *
rg_logged_name(enum rg_logged l)
{
	switch (l) {
	case RG_LOGGED_ACCEPT:		return "accept";
	case RG_LOGGED_REJECT:		return "reject";
	case RG_LOGGED_TEMPFAIL:	return "tempfail";
	case RG_LOGGED_WOULD_REJECT:	return "would-reject";
	case RG_LOGGED_WOULD_TEMPFAIL:	return "would-tempfail";
	}
	return "unknown";
}

void
rg_policy_classify(const struct rg_policy *p, const struct rg_client *c,
    struct rg_class *k)
{
	bool tls = c->tls_version != NULL && c->tls_version[0] != '\0';
	bool login = c->auth_authen != NULL && c->auth_authen[0] != '\0' &&
	    !(c->auth_type != NULL && rg_strieq(c->auth_type, "ANONYMOUS"));

	memset(k, 0, sizeof(*k));
	k->trusted = c->addr != NULL && rg_netset_contains(p->trusted, c->addr);
	k->login = login ? c->auth_authen : NULL;
	k->authenticated = login && (tls || !p->require_tls);
	k->auth_without_tls = login && !k->authenticated;
}

void
rg_policy_accept(struct rg_verdict *v, const char *reason)
{
	memset(v, 0, sizeof(*v));
	v->action = RG_ACT_CONTINUE;
	v->logged = RG_LOGGED_ACCEPT;
	v->reason = reason;
}

static void
refuse(struct rg_verdict *v, const char *reason, const char *code, const char *xcode,
    const char *text)
{
	memset(v, 0, sizeof(*v));
	v->action = code[0] == '4' ? RG_ACT_TEMPFAIL : RG_ACT_REJECT;
	v->logged = code[0] == '4' ? RG_LOGGED_TEMPFAIL : RG_LOGGED_REJECT;
	v->reason = reason;
	v->code = code;
	v->xcode = xcode;
	v->text = text;
	v->notable = true;
}

/* A refusal in "warn" mode: the same reply text is logged, nothing refused. */
static void
refuse_checked(struct rg_verdict *v, enum rg_check mode, const char *reason,
    const char *code, const char *xcode, const char *text)
{
	refuse(v, reason, code, xcode, text);
	if (mode == RG_CHECK_WARN) {
		v->action = RG_ACT_CONTINUE;
		v->logged = RG_LOGGED_WOULD_REJECT;
		v->warning = true;
	}
}

static void
directory_error(const struct rg_policy *p, struct rg_verdict *v)
{
	refuse(v, "directory-unavailable", "451", "4.3.0",
	    "Directory temporarily unavailable, please try again later");
	if (p->on_error == RG_ON_ERROR_CONTINUE) {
		v->action = RG_ACT_CONTINUE;
		v->logged = RG_LOGGED_ACCEPT;
		v->code = v->xcode = v->text = NULL;
		v->warning = true;
	}
}

/* A warn-only check never holds mail up: its outage is logged, not tempfailed. */
static void
sender_check_error(const struct rg_policy *p, struct rg_verdict *v)
{
	directory_error(p, v);
	if (p->sender_login == RG_CHECK_WARN && v->action == RG_ACT_TEMPFAIL) {
		v->action = RG_ACT_CONTINUE;
		v->logged = RG_LOGGED_WOULD_TEMPFAIL;
		v->warning = true;
	}
}

static void
finish(const struct rg_policy *p, struct rg_verdict *v)
{
	if (!p->monitor || v->action == RG_ACT_CONTINUE)
		return;
	v->logged = v->action == RG_ACT_TEMPFAIL ?
	    RG_LOGGED_WOULD_TEMPFAIL : RG_LOGGED_WOULD_REJECT;
	v->action = RG_ACT_CONTINUE;
}

/*
 * Expiry is checked on every use, so an exception lapses without a reload.
 * The sender's own exception counts before an "@domain" one, in any order.
 */
static enum legacy
legacy_state(const struct rg_policy *p, const char *client_addr,
    const struct rg_addr *sender, time_t now, const struct exception **e_r)
{
	*e_r = NULL;
	if (sender->null || sender->domain[0] == '\0')
		return LEGACY_NONE;
	for (size_t i = 0; i < 2 * p->nexc; i++) {
		const struct exception *e = &p->exc[i % p->nexc];

		if (i < p->nexc ? !rg_strieq(e->sender, sender->norm) :
		    e->sender[0] != '@' || !rg_strieq(e->sender + 1, sender->domain))
			continue;
		*e_r = e;
		if (now >= e->expires)
			return LEGACY_EXPIRED;
		if (e->nets != NULL && (client_addr == NULL ||
		    !rg_netset_contains(e->nets, client_addr)))
			return LEGACY_OUT_OF_SCOPE;
		return LEGACY_VALID;
	}
	return LEGACY_NONE;
}

size_t
rg_policy_exception_count(const struct rg_policy *p)
{
	return p->nexc;
}

void
rg_policy_exception_at(const struct rg_policy *p, size_t i, struct rg_exception_info *r)
{
	const struct exception *e = &p->exc[i];

	r->sender = e->sender;
	r->expires = e->expires;
	r->expires_text = e->expires_text;
	r->nets = e->nets;
	r->note = e->note;
}

const char *
rg_policy_exception_of(const struct rg_policy *p, const struct rg_addr *sender)
{
	const struct exception *e;

	(void)legacy_state(p, NULL, sender, 0, &e);
	return e != NULL ? e->sender : NULL;
}

static void
note_exception(struct rg_verdict *v, const struct exception *e)
{
	if (e == NULL)
		return;
	v->expires = e->expires_text;
	v->note = e->note;
}

bool
rg_policy_mail_lookup(const struct rg_policy *p, const struct rg_class *k,
    const struct rg_addr *sender)
{
	return !sender->null && k->login != NULL && p->sender_login != RG_CHECK_OFF;
}

/* MAIL FROM before suspension and monitor mode. */
static void
mail_decide(const struct rg_policy *p, const struct rg_class *k,
    const char *client_addr, const struct rg_addr *sender, enum rg_lookup owned,
    time_t now, struct rg_verdict *v)
{
	const struct exception *e;

	if (sender->null) {
		rg_policy_accept(v, "null-sender");
	} else if (rg_policy_mail_lookup(p, k, sender)) {
		if (owned == RG_LOOKUP_FOUND)
			rg_policy_accept(v, k->authenticated ? "authenticated" : "login");
		else if (owned == RG_LOOKUP_NOTFOUND)
			refuse_checked(v, p->sender_login, "sender-login-mismatch", "553",
			    "5.7.1", "Sender address is not owned by the authenticated user");
		else
			sender_check_error(p, v);
	} else if (k->trusted) {
		rg_policy_accept(v, "trusted");
	} else if (k->login != NULL) {
		rg_policy_accept(v, k->authenticated ? "authenticated" : "login");
	} else if (sender->domain[0] != '\0' && !rg_domset_contains(p->local, sender->domain)) {
		/* A bare name is local: the MTA qualifies it with its own domain. */
		rg_policy_accept(v, "offsite");
	} else if (legacy_state(p, client_addr, sender, now, &e) == LEGACY_VALID) {
		rg_policy_accept(v, "legacy-exception");
		v->notable = v->warning = true;
		note_exception(v, e);
	} else if (p->offsite_local != RG_CHECK_OFF) {
		refuse_checked(v, p->offsite_local, "offsite-local-sender", "550", "5.7.1",
		    OFFSITE_LOCAL_REPLY);
		note_exception(v, e);
	} else {
		rg_policy_accept(v, "offsite");
	}
}

void
rg_policy_mail(const struct rg_policy *p, const struct rg_class *k,
    const char *client_addr, const struct rg_addr *sender, enum rg_lookup owned,
    time_t now, struct rg_verdict *v)
{
	rg_policy_mail_login(p, k, client_addr, sender, owned, RG_LOOKUP_NONE, now, v);
}

bool
rg_policy_suspend_lookup(const struct rg_policy *p, const struct rg_class *k)
{
	(void)p;
	return k->login != NULL;
}

void
rg_policy_mail_login(const struct rg_policy *p, const struct rg_class *k,
    const char *client_addr, const struct rg_addr *sender, enum rg_lookup owned,
    enum rg_lookup suspended, time_t now, struct rg_verdict *v)
{
	mail_decide(p, k, client_addr, sender, owned, now, v);
	if (!rg_policy_suspend_lookup(p, k)) {
		/* A suspension answer without a login says nothing. */
	} else if (suspended == RG_LOOKUP_FOUND) {
		/* Before any other verdict: the account, not this message, is the problem. */
		refuse(v, "login-suspended", "550", "5.7.1", p->suspended_reply);
	} else if (suspended == RG_LOOKUP_ERROR && v->action == RG_ACT_CONTINUE) {
		/*
		 * Could not tell: never let a suspended login through unchecked,
		 * and never 550 one because the directory was down.
		 */
		if (p->on_error == RG_ON_ERROR_TEMPFAIL)
			directory_error(p, v);
		else
			v->notable = v->warning = true;
	}
	finish(p, v);
}

static bool
is_postmaster(const struct rg_addr *a)
{
	return !a->routed && rg_strieq(a->local, "postmaster");
}

/*
 * Where a recipient with a domain is delivered.  A routed local part
 * ('%', '!', a quoted '@') is offsite whatever its domain says.
 */
enum place { PLACE_OFFSITE, PLACE_RELAY, PLACE_LOCAL };

static enum place
place_of(const struct rg_policy *p, const struct rg_addr *r)
{
	if (r->routed || r->domain[0] == '\0')
		return PLACE_OFFSITE;
	if (rg_domset_contains(p->local, r->domain))
		return PLACE_LOCAL;
	return rg_domset_contains(p->relay, r->domain) ? PLACE_RELAY : PLACE_OFFSITE;
}

static const char *
kind_reason(enum rg_rcpt_kind kind)
{
	switch (kind) {
	case RG_KIND_FORWARD:	return "forward";
	case RG_KIND_LIST:	return "list";
	case RG_KIND_MAILBOX:	break;
	}
	return "local";
}

/* The recipient is elsewhere: may this client relay to it? */
static void
relay_decision(const struct rg_policy *p, const struct rg_class *k,
    const char *client_addr, const struct rg_addr *sender, time_t now,
    struct rg_verdict *v)
{
	const struct exception *e;

	if (k->trusted) {
		rg_policy_accept(v, "trusted");
		return;
	}
	if (k->authenticated && p->auth_relay) {
		rg_policy_accept(v, "authenticated");
		return;
	}
	switch (legacy_state(p, client_addr, sender, now, &e)) {
	case LEGACY_VALID:
		rg_policy_accept(v, "legacy-exception");
		v->notable = v->warning = true;
		note_exception(v, e);
		return;
	case LEGACY_EXPIRED:
		refuse(v, "legacy-exception-expired", "550", "5.7.1", e->expired_reply);
		note_exception(v, e);
		return;
	case LEGACY_OUT_OF_SCOPE:
	case LEGACY_NONE:
		break;
	}
	if (k->auth_without_tls && p->auth_relay)
		refuse(v, "auth-without-tls", "550", "5.7.1", AUTH_NO_TLS_REPLY);
	else
		refuse(v, "relay-denied", "550", "5.7.1", p->relay_reply);
	note_exception(v, e);
}

void
rg_policy_rcpt_plan(const struct rg_policy *p, const struct rg_class *k,
    const char *client_addr, const struct rg_addr *sender, const struct rg_addr *r,
    time_t now, struct rg_rcpt_plan *plan)
{
	struct rg_verdict *v = &plan->settled;

	plan->ask = RG_RCPT_ASK_NOTHING;
	if (r->null) {
		rg_policy_bad_address(p, true, RG_ADDR_SYNTAX, v);
	} else if (r->domain[0] == '\0' && !r->routed) {
		/* The MTA qualifies bare names; only insiders may rely on that. */
		if (is_postmaster(r))
			rg_policy_accept(v, "local");
		else if (k->trusted || k->authenticated)
			rg_policy_accept(v, k->trusted ? "trusted" : "authenticated");
		else
			refuse(v, "bad-recipient", "550", "5.1.3",
			    "Recipient address must include a domain");
	} else {
		switch (place_of(p, r)) {
		case PLACE_OFFSITE:
			relay_decision(p, k, client_addr, sender, now, v);
			break;
		case PLACE_RELAY:
			rg_policy_accept(v, "relay-domain");
			break;
		case PLACE_LOCAL:
			/* postmaster is accepted whatever the directory holds (RFC 5321 4.5.1). */
			if (p->verify && !is_postmaster(r)) {
				plan->ask = RG_RCPT_ASK_RECIPIENT;
				memset(v, 0, sizeof(*v));
				return;
			}
			rg_policy_accept(v, "local");
			break;
		}
	}
	finish(p, v);
}

void
rg_policy_rcpt_decide(const struct rg_policy *p, const struct rg_rcpt_plan *plan,
    enum rg_lookup found, enum rg_rcpt_kind kind, struct rg_verdict *v)
{
	/* Only a plan that asked reads the answer: no answer can open a relay. */
	if (plan->ask == RG_RCPT_ASK_NOTHING) {
		*v = plan->settled;
		return;
	}
	if (found == RG_LOOKUP_FOUND)
		rg_policy_accept(v, kind_reason(kind));
	else if (found == RG_LOOKUP_NOTFOUND)
		refuse(v, "unknown-recipient", "550", "5.1.1",
		    "Recipient address rejected: user unknown");
	else
		/* ERROR, and NONE from a caller that skipped the lookup it was asked for. */
		directory_error(p, v);
	finish(p, v);
}

void
rg_policy_route_check(const struct rg_policy *p, const char *mailer, const char *host,
    struct rg_verdict *v)
{
	if (p->routing == RG_CHECK_OFF || v->action != RG_ACT_CONTINUE ||
	    v->logged != RG_LOGGED_ACCEPT || strcmp(v->reason, "local") != 0)
		return;
	if (!rg_route_remote(p->route, p->trusted, p->relay, mailer, host))
		return;
	refuse_checked(v, p->routing, "routing-mismatch", "451", "4.3.0", ROUTING_REPLY);
	if (v->logged == RG_LOGGED_WOULD_REJECT)
		v->logged = RG_LOGGED_WOULD_TEMPFAIL;
	v->route = true;
	finish(p, v);
}

void
rg_policy_data(const struct rg_policy *p, enum rg_data_cause why, struct rg_verdict *v)
{
	if (why == RG_DATA_CLEAN) {
		rg_policy_accept(v, "data");
		return;
	}
	refuse(v, "transaction-refused", "554", "5.7.1", DATA_REFUSED_REPLY);
	v->cause = why == RG_DATA_DUPLICATE ? "duplicate-recipient" : "malformed-recipient";
	finish(p, v);
}

void
rg_policy_bad_address(const struct rg_policy *p, bool is_rcpt, enum rg_addr_status st,
    struct rg_verdict *v)
{
	if (is_rcpt)
		refuse(v, "bad-recipient", "501", "5.1.3", st == RG_ADDR_TOOLONG ?
		    "Recipient address too long" : "Bad recipient address syntax");
	else
		refuse(v, "bad-sender", "501", "5.1.7", st == RG_ADDR_TOOLONG ?
		    "Sender address too long" : "Bad sender address syntax");
	finish(p, v);
}
