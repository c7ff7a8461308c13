/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * policy.h - the relay and authentication decision engine.
 *
 * Pure: facts about one SMTP transaction go in, a verdict comes out.
 * No I/O, no clock (the caller passes 'now'), no directory access: when
 * a decision depends on the directory, the engine says so (a MAIL
 * through rg_policy_*_lookup(), an RCPT through its plan), the caller
 * asks the directory, and passes the three-way answer back in.  So every
 * row of the decision table can be tested without a daemon, an MTA or a
 * server.
 *
 * A struct rg_policy is built once per configuration snapshot and is
 * read-only afterwards, so any number of threads may share it.
 */
#ifndef RG_POLICY_H
#define RG_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "addr.h"
#include "common/answer.h"
#include "domset.h"
#include "netset.h"
#include "route.h"

enum rg_check {			/* sender_login, offsite_local */
	RG_CHECK_OFF,
	RG_CHECK_WARN,
	RG_CHECK_REJECT,
};

enum rg_on_error {		/* what "could not tell" from the directory becomes */
	RG_ON_ERROR_TEMPFAIL,
	RG_ON_ERROR_CONTINUE,
};

/* What the MTA is told. */
enum rg_action {
	RG_ACT_CONTINUE,
	RG_ACT_REJECT,
	RG_ACT_TEMPFAIL,
};

/* What the log says (monitor mode and "warn" continue but log would-*). */
enum rg_logged {
	RG_LOGGED_ACCEPT,
	RG_LOGGED_REJECT,
	RG_LOGGED_TEMPFAIL,
	RG_LOGGED_WOULD_REJECT,
	RG_LOGGED_WOULD_TEMPFAIL,
};

struct rg_verdict {
	enum rg_action action;
	enum rg_logged logged;
	const char *reason;	/* stable tag: "relay-denied", "local", ... */
	const char *cause;	/* what led to 'reason', when it needs saying; or NULL */
	const char *code;	/* "550"; NULL when accepted */
	const char *xcode;	/* "5.7.1"; NULL when accepted */
	const char *text;	/* reply text; NULL when accepted */
	bool notable;		/* log even when accepts are not logged */
	bool warning;		/* log at warning level */
	const char *expires;	/* legacy exception involved: its date */
	const char *note;	/* legacy exception involved: its note */
	bool route;		/* the MTA's route matters: log mailer= and host= */
};

/* Client facts, straight from the MTA's macros.  NULL means absent. */
struct rg_client {
	const char *addr;	/* client IP as text; "" or NULL when unknown */
	const char *auth_authen;	/* {auth_authen}: the SASL login */
	const char *auth_type;	/* {auth_type}: the SASL mechanism */
	const char *tls_version;	/* {tls_version} */
};

/* The client's class, derived once per stage by rg_policy_classify(). */
struct rg_class {
	bool trusted;		/* address in networks.trusted */
	bool authenticated;	/* counts for relaying */
	bool auth_without_tls;	/* logged in, but TLS was required and absent */
	const char *login;	/* the SASL login, or NULL */
};

struct rg_policy;

struct rg_policy *rg_policy_new(void);
void	rg_policy_destroy(struct rg_policy **);

/* Build-time setters (config loader only).  Defaults are in policy.conf(5). */
void	rg_policy_set_monitor(struct rg_policy *, bool);
void	rg_policy_set_auth(struct rg_policy *, bool relay, bool require_tls,
	    enum rg_check sender_login);
void	rg_policy_set_offsite_local(struct rg_policy *, enum rg_check);
void	rg_policy_set_verify(struct rg_policy *, bool);
void	rg_policy_set_on_error(struct rg_policy *, enum rg_on_error);
void	rg_policy_set_routing(struct rg_policy *, enum rg_check);
struct rg_route *rg_policy_route(struct rg_policy *);
/*
 * Longest reply text a verdict may carry, codes not counted.  RFC 5321
 * allows 512 octets per reply line; "550 5.7.1 " and CRLF take 12 and
 * the rest is headroom.  The config loader refuses every configurable
 * text that would make a reply longer; nothing downstream truncates.
 */
#define RG_POLICY_REPLY_MAX	400
/* replies.relay_denied when the file does not set it (relayguard -n -d prints it). */
#define RG_POLICY_RELAY_REPLY \
	"Relaying denied. Authenticate with SMTP AUTH over TLS " \
	"(port 587 with STARTTLS or port 465 with implicit TLS) to send offsite"
/* The relay_denied reply text; copied. */
void	rg_policy_set_relay_reply(struct rg_policy *, const char *);
/* auth.suspended_contact when the file does not set it, and its longest. */
#define RG_POLICY_SUSPENDED_CONTACT	"the postmaster"
#define RG_POLICY_CONTACT_MAX	200	/* its reply stays inside RG_POLICY_REPLY_MAX */
/* Whom a suspended login is told to contact (auth.suspended_contact); copied. */
void	rg_policy_set_suspended_contact(struct rg_policy *, const char *contact);
struct rg_netset *rg_policy_trusted(struct rg_policy *);
struct rg_domset *rg_policy_local(struct rg_policy *);
struct rg_domset *rg_policy_relay(struct rg_policy *);
/*
 * Add a legacy exception.  'sender' is an address, or "@domain" for every
 * sender of that domain (copied, compared
 * case-insensitively), 'expires' the first instant it no longer holds,
 * 'expires_text' its date as written, 'nets' NULL or a netset the
 * policy takes over.
 */
void	rg_policy_add_exception(struct rg_policy *, const char *sender, time_t expires,
	    const char *expires_text, struct rg_netset *nets, const char *note);

bool	rg_policy_monitor(const struct rg_policy *);

/*
 * The legacy exceptions in file order, for "relayguard -R": 'sender' is
 * as configured, 'nets' NULL when unscoped.  Pointers live as long as
 * the policy.
 */
struct rg_exception_info {
	const char *sender;
	time_t expires;
	const char *expires_text;
	const struct rg_netset *nets;
	const char *note;
};
size_t	rg_policy_exception_count(const struct rg_policy *);
void	rg_policy_exception_at(const struct rg_policy *, size_t i,
	    struct rg_exception_info *info_r);

/*
 * The configured sender of the exception this sender would use (its own
 * before an "@domain" one), whatever its expiry and networks; NULL when
 * none names it.  For the log line of an exception holder who logs in.
 */
const char *rg_policy_exception_of(const struct rg_policy *, const struct rg_addr *sender);

/* Classify a client from its address and SASL/TLS macros. */
void	rg_policy_classify(const struct rg_policy *, const struct rg_client *,
	    struct rg_class *class_r);

/* MAIL FROM: does the decision need "does this login own the sender"? */
bool	rg_policy_mail_lookup(const struct rg_policy *, const struct rg_class *,
	    const struct rg_addr *sender);

/*
 * Decide MAIL FROM.  'owned' is the answer to the login lookup, or
 * RG_LOOKUP_NONE when rg_policy_mail_lookup() said none was needed.
 */
void	rg_policy_mail(const struct rg_policy *, const struct rg_class *,
	    const char *client_addr, const struct rg_addr *sender, enum rg_lookup owned,
	    time_t now, struct rg_verdict *v_r);

/*
 * MAIL FROM: does the decision need "is this login suspended"?  Every
 * logged-in client's MAIL does, null sender included; the caller skips
 * the lookup when its directory marks no suspension.
 */
bool	rg_policy_suspend_lookup(const struct rg_policy *, const struct rg_class *);

/*
 * rg_policy_mail() with the suspension answer too ('suspended': FOUND
 * means suspended; NONE when no lookup was made).  Suspended: 550 5.7.1
 * reason=login-suspended, whatever else the MAIL would have got.  Could
 * not tell: directory.on_error, as for every lookup (451 4.3.0
 * directory-unavailable, or the verdict it would have had, logged at
 * warning).  Monitor mode logs would-reject / would-tempfail.
 */
void	rg_policy_mail_login(const struct rg_policy *, const struct rg_class *,
	    const char *client_addr, const struct rg_addr *sender, enum rg_lookup owned,
	    enum rg_lookup suspended, time_t now, struct rg_verdict *v_r);

/*
 * RCPT TO is decided in two steps around the directory:
 *
 *	rg_policy_rcpt_plan(p, k, client, sender, rcpt, now, &plan);
 *	if (plan.ask == RG_RCPT_ASK_RECIPIENT)
 *		answer = <the directory's three-way answer for rcpt->norm>;
 *	rg_policy_rcpt_decide(p, &plan, answer, kind, &v);
 *
 * The plan exists so that a recipient is classified once per RCPT
 * (routed or not, domainless, postmaster, local, relay or offsite
 * domain), and so that "what to look up" and "what the answer means"
 * are read from that one classification and cannot disagree.  Every
 * recipient that needs no lookup has its verdict settled in the plan,
 * and any answer passed for it is ignored: a directory can never open a
 * relay.  A plan that asked for the recipient and gets RG_LOOKUP_NONE
 * (a caller that skipped the lookup) is "could not tell": 451 4.3.0
 * directory-unavailable, or on_error = continue.
 */
enum rg_rcpt_ask {
	RG_RCPT_ASK_NOTHING,	/* the verdict needs no directory */
	RG_RCPT_ASK_RECIPIENT,	/* look up rcpt->norm: mailbox, forward or list? */
};

struct rg_rcpt_plan {
	enum rg_rcpt_ask ask;
	/* The engine's own: read only by rg_policy_rcpt_decide(). */
	struct rg_verdict settled;	/* the verdict, when ask is NOTHING */
};

/*
 * Classify 'rcpt' for client 'k' and fill *plan_r.  'sender' may be the
 * null sender but not NULL; 'client_addr' and 'now' matter for legacy
 * exceptions.  The plan's strings live as long as the policy.
 */
void	rg_policy_rcpt_plan(const struct rg_policy *, const struct rg_class *,
	    const char *client_addr, const struct rg_addr *sender,
	    const struct rg_addr *rcpt, time_t now, struct rg_rcpt_plan *plan_r);

/*
 * The RCPT verdict from a plan of the same policy and the answer to what
 * it asked: 'found' (with 'kind' when found), or RG_LOOKUP_NONE when the
 * plan asked nothing.
 */
void	rg_policy_rcpt_decide(const struct rg_policy *, const struct rg_rcpt_plan *,
	    enum rg_lookup found, enum rg_rcpt_kind kind, struct rg_verdict *v_r);

/*
 * Cross-check an RCPT verdict with the MTA's route for it ({rcpt_mailer},
 * {rcpt_host}; NULL when not sent).  A recipient accepted as a local
 * mailbox that the MTA is about to deliver to a remote host replaces
 * *v_r with a routing-mismatch verdict: 451 4.3.0 with routing.check =
 * reject (a configuration problem must not bounce mail), logged only
 * with warn.  Forwarding addresses and lists are delivered locally
 * first, so they never mismatch.
 */
void	rg_policy_route_check(const struct rg_policy *, const char *mailer,
	    const char *host, struct rg_verdict *v_r);

/*
 * Decide DATA.  A transaction is unsafe when an RCPT was refused as
 * malformed, or was an argument an MTA may read as a list
 * (rg_addr_listlike()), or was a refused spelling that is not plain
 * (rg_addr_plain()): the MTA may then hold an envelope recipient that
 * relayguard never judged.  It is unsafe too when a refused RCPT resolved
 * like an accepted one.  Either way the whole transaction is refused.
 */
enum rg_data_cause {
	RG_DATA_CLEAN,
	RG_DATA_MALFORMED,	/* cause=malformed-recipient */
	RG_DATA_DUPLICATE,	/* cause=duplicate-recipient: a refused RCPT the MTA resolved
				   like an accepted one (Sendmail then drops both) */
};
void	rg_policy_data(const struct rg_policy *, enum rg_data_cause, struct rg_verdict *v_r);

/* A verdict for a malformed address ("bad-sender"/"bad-recipient"). */
void	rg_policy_bad_address(const struct rg_policy *, bool is_rcpt,
	    enum rg_addr_status, struct rg_verdict *v_r);

/* An accepted verdict with a given reason (connect, helo, test mode). */
void	rg_policy_accept(struct rg_verdict *v_r, const char *reason);

/* "accept", "reject", "tempfail", "would-reject", "would-tempfail". */
const char *rg_logged_name(enum rg_logged);

#endif
