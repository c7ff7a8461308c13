/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * session.c - per-connection state, directory lookups and decision lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "session.h"
#include "budget/budget.h"
#include "common/strutil.h"

/* What the sending budget said about one RCPT, for its log line. */
struct budget_note {
	struct rg_budget_outcome o;
	const struct rg_budget_limits *limits;
};

/* One RCPT of the transaction: the MTA's mailer, host and address, and our answer. */
struct tx_route {
	char *key;
	bool accepted;
};

struct rg_session {
	struct rg_config *cfg;
	/* cfg's parts, read once: every stage asks them, the snapshot never changes. */
	const struct rg_policy *policy;
	struct rg_dir *dir;
	rg_emit_fn *emit;
	void *emit_arg;
	bool log_all;
	char *client;		/* NULL when the MTA gave no address */
	char *client_name;
	char *helo;
	char *qid;
	bool qid_ok;		/* qid is plain enough to lead a log line */
	char *auth_authen;
	char *auth_type;
	char *tls_version;
	char *sender_raw;	/* as the client sent it, for logs */
	struct rg_addr sender;
	bool have_sender;
	char *malformed_rcpt;	/* first RCPT that makes the transaction unsafe */
	char *rcpt_mailer;	/* the MTA's route for the RCPT at hand */
	char *rcpt_host;
	char *rcpt_addr;
	enum rg_data_cause unsafe;	/* why DATA must refuse this transaction */
	struct tx_route *routes;	/* this transaction's RCPTs, as the MTA resolved them */
	size_t nroutes;
	struct rg_class class;	/* kept current by classify(); read per RCPT */
	/* relayguard -R: an exception holder logged in; logged once per session. */
	const char *auth_exception;	/* while that line is built: the exception */
	bool auth_exception_logged;
	bool budget_message;	/* this transaction's message is charged to the budget */
	const struct budget_note *budget;	/* while an RCPT line is built */
};

/* What a stage looked up, for the log line. */
struct lookup_note {
	bool done;
	struct rg_dir_answer answer;
};

static void
replace(char **slot, const char *v)
{
	free(*slot);
	*slot = v != NULL ? rg_xstrdup(v) : NULL;
}

/* Only the address and the auth/TLS macros decide the class: recompute on change. */
static void
classify(struct rg_session *s)
{
	struct rg_client c = {
		.addr = s->client,
		.auth_authen = s->auth_authen,
		.auth_type = s->auth_type,
		.tls_version = s->tls_version,
	};

	rg_policy_classify(s->policy, &c, &s->class);
}

struct rg_session *
rg_session_new(struct rg_config *cfg, const char *client_addr, const char *client_name,
    rg_emit_fn *emit, void *emit_arg, bool log_all)
{
	struct rg_session *s = rg_xcalloc(1, sizeof(*s));

	s->cfg = cfg;
	s->policy = rg_config_policy(cfg);
	s->dir = rg_config_dir(cfg);
	s->emit = emit;
	s->emit_arg = emit_arg;
	s->log_all = log_all;
	replace(&s->client, client_addr != NULL && client_addr[0] != '\0' ? client_addr : NULL);
	replace(&s->client_name, client_name);
	classify(s);
	return s;
}

/* A transaction ends: forget its sender and what its recipients looked like. */
static void
clear_sender(struct rg_session *s)
{
	replace(&s->sender_raw, NULL);
	replace(&s->malformed_rcpt, NULL);
	s->unsafe = RG_DATA_CLEAN;
	for (size_t i = 0; i < s->nroutes; i++)
		free(s->routes[i].key);
	free(s->routes);
	s->routes = NULL;
	s->nroutes = 0;
	s->have_sender = false;
	s->budget_message = false;
}

void
rg_session_reset(struct rg_session *s)
{
	clear_sender(s);
	replace(&s->qid, NULL);
}

void
rg_session_destroy(struct rg_session **sp)
{
	struct rg_session *s;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	rg_session_reset(s);
	free(s->client);
	free(s->client_name);
	free(s->helo);
	free(s->auth_authen);
	free(s->auth_type);
	free(s->tls_version);
	free(s->rcpt_mailer);
	free(s->rcpt_host);
	free(s->rcpt_addr);
	rg_config_release(&s->cfg);
	free(s);
	*sp = NULL;
}

const struct rg_config *
rg_session_config(const struct rg_session *s)
{
	return s->cfg;
}

void
rg_session_set_helo(struct rg_session *s, const char *helo)
{
	replace(&s->helo, helo);
}

/*
 * Every MTA we know writes queue ids in letters and digits.  Anything
 * else leads no line, where it could forge fields; it is logged quoted.
 */
static bool
qid_plain(const char *q)
{
	size_t n = 0;

	for (; *q; q++, n++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		    (*q >= '0' && *q <= '9')))
			return false;
	return n <= RG_QID_MAX;
}

void
rg_session_set_queue_id(struct rg_session *s, const char *qid)
{
	/* Called for every RCPT with the same id: skip the free/strdup then. */
	if (s->qid != NULL && qid != NULL && strcmp(s->qid, qid) == 0)
		return;
	replace(&s->qid, qid != NULL && qid[0] != '\0' ? qid : NULL);
	s->qid_ok = s->qid != NULL && qid_plain(s->qid);
}

void
rg_session_set_route(struct rg_session *s, const char *mailer, const char *host,
    const char *addr)
{
	replace(&s->rcpt_mailer, mailer != NULL && mailer[0] != '\0' ? mailer : NULL);
	replace(&s->rcpt_host, host != NULL && host[0] != '\0' ? host : NULL);
	replace(&s->rcpt_addr, addr != NULL && addr[0] != '\0' ? addr : NULL);
}

void
rg_session_set_auth(struct rg_session *s, const char *authen, const char *type,
    const char *tls)
{
	replace(&s->auth_authen, authen != NULL && authen[0] != '\0' ? authen : NULL);
	replace(&s->auth_type, type != NULL && type[0] != '\0' ? type : NULL);
	replace(&s->tls_version, tls != NULL && tls[0] != '\0' ? tls : NULL);
	classify(s);
}


static enum rg_log_level
level_of(const struct rg_verdict *v)
{
	if (v->warning || v->logged == RG_LOGGED_TEMPFAIL ||
	    v->logged == RG_LOGGED_WOULD_TEMPFAIL)
		return RG_LOG_WARNING;
	if (v->logged == RG_LOGGED_ACCEPT)
		return RG_LOG_INFO;
	return RG_LOG_NOTICE;
}

/*
 * Log an address as the client typed it, since routing tricks are the
 * evidence; only one pair of outer brackets is dropped, and put back.
 */
static void
add_addr(struct rg_kv *kv, const char *key, const char *raw)
{
	char buf[1024];
	size_t n = strlen(raw);

	if (n >= 2 && raw[0] == '<' && raw[n - 1] == '>' && n - 2 < sizeof(buf)) {
		memcpy(buf, raw + 1, n - 2);
		buf[n - 2] = '\0';
		raw = buf;
	}
	rg_kv_addr(kv, key, raw);
}

/*
 * A refusal for a budget already crossed in this window: notice, not
 * warning, which only the crossing itself (alert=budget) gets.
 */
static bool
budget_quiet(const struct rg_session *s, const struct rg_verdict *v)
{
	return s->budget != NULL && s->budget->o.answer == RG_BUDGET_OVER && !v->warning;
}

static void
add_budget(struct rg_kv *kv, const struct budget_note *b, const char *login)
{
	char num[32], used[96];

	if (b->o.answer == RG_BUDGET_OVER) {
		rg_kv_add(kv, "budget", rg_budget_kind_name(b->o.over));
		snprintf(num, sizeof(num), "%llu", (unsigned long long)(
		    b->o.over == RG_BUDGET_MESSAGES ? b->o.used.messages :
		    b->o.over == RG_BUDGET_RECIPIENTS ? b->o.used.recipients : b->o.used.domains));
		rg_kv_add(kv, "used", num);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)b->o.limit);
		rg_kv_add(kv, "limit", num);
		snprintf(num, sizeof(num), "%.0f", b->limits->window);
		rg_kv_add(kv, "window", num);
		rg_kv_add(kv, "login", login);
		if (b->o.alert)
			rg_kv_add(kv, "alert", "budget");
	} else if (b->o.source != RG_BUDGET_SRC_NONE) {
		snprintf(used, sizeof(used), "messages:%llu,recipients:%llu,domains:%llu",
		    (unsigned long long)b->o.used.messages,
		    (unsigned long long)b->o.used.recipients,
		    (unsigned long long)b->o.used.domains);
		rg_kv_add(kv, "budget_used", used);
	}
	if (b->o.source == RG_BUDGET_SRC_FALLBACK)
		rg_kv_add(kv, "budget_store", "local-fallback");
	else if (b->o.source == RG_BUDGET_SRC_NONE)
		rg_kv_add(kv, "budget_store", "none");
}

/*
 * The reply as the MTA sends it: "550 5.7.1 " and the text.  Every text
 * is built in or kept within RG_POLICY_REPLY_MAX by the config loader,
 * and an RFC 3463 enhanced code is at most "5.999.999", so the reply
 * fits REPLY_LINE_MAX.  Should a longer one ever arrive, the line logs
 * it whole from the heap rather than cut it (milter/mlfi.c then refuses
 * to send it and says so).
 */
#define REPLY_CODES_MAX	(sizeof("550 5.999.999 ") - 1)
#define REPLY_LINE_MAX	(REPLY_CODES_MAX + RG_POLICY_REPLY_MAX)

static void
add_reply(struct rg_kv *kv, const struct rg_verdict *v)
{
	char reply[REPLY_LINE_MAX + 1], *big;
	int n = snprintf(reply, sizeof(reply), "%s %s %s", v->code, v->xcode, v->text);

	if (n >= 0 && (size_t)n < sizeof(reply)) {
		rg_kv_add(kv, "reply", reply);
		return;
	}
	if (asprintf(&big, "%s %s %s", v->code, v->xcode, v->text) < 0)
		abort();
	rg_kv_add(kv, "reply", big);
	free(big);
}

static void
emit_line(struct rg_session *s, const char *stage, const char *rcpt_raw,
    const struct rg_verdict *v, const struct lookup_note *ln, bool accept_stage)
{
	struct rg_kv kv;
	char head[160];
	bool want = v->notable || s->log_all ||
	    (accept_stage && rg_config_log_accepts(s->cfg)) || s->auth_exception != NULL;

	if (!want)
		return;
	rg_kv_init(&kv);
	rg_kv_add(&kv, "action", rg_logged_name(v->logged));
	rg_kv_add(&kv, "stage", stage);
	rg_kv_add(&kv, "reason", v->reason);
	if (v->cause != NULL)
		rg_kv_add(&kv, "cause", v->cause);
	rg_kv_add(&kv, "client", s->client ? s->client : "unknown");
	rg_kv_add(&kv, "client_name", s->client_name ? s->client_name : "unknown");
	rg_kv_add(&kv, "helo", s->helo);
	rg_kv_add(&kv, "auth", s->auth_authen);
	rg_kv_add(&kv, "tls", s->tls_version);
	if (s->sender_raw != NULL)
		add_addr(&kv, "from", s->sender_raw);
	if (rcpt_raw != NULL)
		add_addr(&kv, "rcpt", rcpt_raw);
	if (v->code != NULL)
		add_reply(&kv, v);
	if (v->route) {
		rg_kv_add(&kv, "mailer", s->rcpt_mailer);
		rg_kv_add(&kv, "host", s->rcpt_host);
	}
	if (v->expires != NULL) {
		rg_kv_add(&kv, "expires", v->expires);
		if (v->note != NULL && v->note[0] != '\0')
			rg_kv_add(&kv, "note", v->note);
	}
	if (s->auth_exception != NULL)
		rg_kv_add(&kv, "exception", s->auth_exception);
	if (s->budget != NULL)
		add_budget(&kv, s->budget, s->class.login);
	if (ln != NULL && ln->done) {
		rg_kv_add(&kv, "lookup", ln->answer.source[0] ? ln->answer.source : NULL);
		if (ln->answer.stale)
			rg_kv_add(&kv, "directory", "stale");
		/* A stale answer is an error the cache covered: say why too. */
		if (ln->answer.status == RG_LOOKUP_ERROR || ln->answer.stale)
			rg_kv_add(&kv, "lookup_error", ln->answer.why);
	}
	if (rg_policy_monitor(s->policy))
		rg_kv_add(&kv, "mode", "monitor");
	if (s->qid != NULL && !s->qid_ok)
		rg_kv_add(&kv, "qid", s->qid);
	/* The queue id leads, as Postfix's own lines do. */
	rg_log_escape(s->qid_ok ? s->qid : "NOQUEUE", head, sizeof(head));
	{
		char line[sizeof(kv.buf) + sizeof(head) + 4];

		snprintf(line, sizeof(line), "%s: %s", head, rg_kv_str(&kv));
		s->emit(s->emit_arg, budget_quiet(s, v) ? RG_LOG_NOTICE : level_of(v), line);
	}
}

void
rg_session_connect(struct rg_session *s, struct rg_verdict *v)
{
	rg_policy_accept(v, s->class.trusted ? "trusted" : "offsite");
	emit_line(s, "connect", NULL, v, NULL, false);
}

void
rg_session_helo(struct rg_session *s, struct rg_verdict *v)
{
	rg_policy_accept(v, "helo");
	emit_line(s, "helo", NULL, v, NULL, false);
}

void
rg_session_mail(struct rg_session *s, const char *arg, struct rg_verdict *v)
{
	struct lookup_note ln = { .done = false };
	enum rg_lookup owned = RG_LOOKUP_NONE, suspended = RG_LOOKUP_NONE;
	bool ask_suspended;
	enum rg_addr_status st;

	clear_sender(s);
	replace(&s->sender_raw, arg);
	st = rg_addr_parse(arg, &s->sender);
	if (st != RG_ADDR_OK) {
		rg_policy_bad_address(s->policy, false, st, v);
		emit_line(s, "mail", NULL, v, NULL, true);
		return;
	}
	s->have_sender = true;
	ask_suspended = rg_policy_suspend_lookup(s->policy, &s->class) &&
	    rg_dir_suspends(s->dir);
	if (rg_policy_mail_lookup(s->policy, &s->class, &s->sender)) {
		ln.done = true;
		rg_dir_login_owns(s->dir, s->class.login, s->sender.norm, &ln.answer);
		/* dir.c answers FOUND, NOTFOUND or ERROR, never NONE. */
		owned = ln.answer.status;
		/*
		 * The same lookup says whether the login is suspended.  A stale
		 * answer cannot: the mark may have been set since, and the
		 * directory is down, so it is "could not tell" (on_error).
		 */
		if (ask_suspended)
			suspended = owned == RG_LOOKUP_ERROR || ln.answer.stale ? RG_LOOKUP_ERROR :
			    ln.answer.suspended ? RG_LOOKUP_FOUND : RG_LOOKUP_NOTFOUND;
	} else if (ask_suspended) {
		ln.done = true;
		rg_dir_login_suspended(s->dir, s->class.login, &ln.answer);
		suspended = ln.answer.stale ? RG_LOOKUP_ERROR : ln.answer.status;
	}
	rg_policy_mail_login(s->policy, &s->class, s->client, &s->sender, owned, suspended,
	    time(NULL), v);
	/*
	 * An exception holder's address sent by a logged-in client: once per
	 * session, at info, so that relayguard -R can tell the owner already
	 * authenticates.  Ordinary mail stays quiet.
	 */
	if (s->class.login != NULL && !s->auth_exception_logged && v->logged == RG_LOGGED_ACCEPT &&
	    (s->auth_exception = rg_policy_exception_of(s->policy, &s->sender)) != NULL)
		s->auth_exception_logged = true;
	emit_line(s, "mail", NULL, v, &ln, false);
	s->auth_exception = NULL;
}

static void
note_unsafe(struct rg_session *s, const char *arg, enum rg_data_cause why)
{
	if (s->malformed_rcpt == NULL) {
		s->malformed_rcpt = rg_xstrdup(arg);
		s->unsafe = why;
	}
}

static void
note_malformed(struct rg_session *s, const char *arg)
{
	note_unsafe(s, arg, RG_DATA_MALFORMED);
}

/*
 * Did the MTA resolve this RCPT to the same mailer, host and address as
 * an earlier one that got the other answer?  Sendmail keeps one envelope
 * entry for both, and refusing the one drops the other: an accepted
 * recipient silently lost.  Case is ignored, to err toward a collision.
 * Past RG_TX_ROUTES_MAX recipients any refusal counts as one.
 */
static bool
route_collides(struct rg_session *s, bool accepted)
{
	char *key;
	bool hit = false;

	if (s->rcpt_mailer == NULL || s->rcpt_addr == NULL)
		return false;	/* the MTA does not say: nothing to compare */
	if (s->nroutes >= RG_TX_ROUTES_MAX)
		return !accepted;
	if (asprintf(&key, "%s\x1f%s\x1f%s", s->rcpt_mailer, s->rcpt_host ? s->rcpt_host : "",
	    s->rcpt_addr) < 0)
		abort();
	for (size_t i = 0; i < s->nroutes && !hit; i++)
		hit = s->routes[i].accepted != accepted && strcasecmp(s->routes[i].key, key) == 0;
	if (s->nroutes % 16 == 0) {
		struct tx_route *r = rg_xcalloc(s->nroutes + 16, sizeof(*r));

		if (s->nroutes > 0)
			memcpy(r, s->routes, s->nroutes * sizeof(*r));
		free(s->routes);
		s->routes = r;
	}
	s->routes[s->nroutes].key = key;
	s->routes[s->nroutes++].accepted = accepted;
	return hit;
}

static double
wall_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The sending budget, for a recipient every other check accepted from an
 * authenticated login that is neither in a trusted network nor exempt.
 * The transaction's first such recipient also charges its message.
 */
static bool
budget_check(struct rg_session *s, const struct rg_addr *r, struct rg_verdict *v,
    struct budget_note *bn)
{
	struct rg_budget *b = rg_config_budget(s->cfg);
	struct rg_budget_request rq;

	if (v->action != RG_ACT_CONTINUE || v->logged != RG_LOGGED_ACCEPT ||
	    !s->class.authenticated || s->class.trusted || !rg_budget_applies(b, s->class.login))
		return false;
	rq.login = s->class.login;
	rq.new_message = !s->budget_message;
	rq.domain = r->domain;
	rq.now = wall_clock();
	rg_budget_admit(b, &rq, &bn->o);
	bn->limits = rg_budget_limits(b);
	if (bn->o.answer == RG_BUDGET_OVER)
		rg_budget_verdict(s->policy, rg_budget_mode(b) == RG_BUDGET_MONITOR,
		    bn->o.alert, v);
	else
		s->budget_message = true;
	return true;
}

void
rg_session_rcpt(struct rg_session *s, const char *arg, struct rg_verdict *v)
{
	static const struct rg_addr null_sender = { .null = true };
	struct lookup_note ln = { .done = false };
	struct budget_note bn;
	struct rg_rcpt_plan plan;
	enum rg_lookup found = RG_LOOKUP_NONE;
	enum rg_rcpt_kind kind = RG_KIND_MAILBOX;
	enum rg_addr_status st;
	struct rg_addr r;

	st = rg_addr_parse(arg, &r);
	if (st != RG_ADDR_OK || rg_addr_listlike(arg))
		note_malformed(s, arg);
	if (st != RG_ADDR_OK) {
		rg_policy_bad_address(s->policy, true, st, v);
		emit_line(s, "rcpt", arg, v, NULL, true);
		return;
	}
	rg_policy_rcpt_plan(s->policy, &s->class, s->client,
	    s->have_sender ? &s->sender : &null_sender, &r, time(NULL), &plan);
	if (plan.ask == RG_RCPT_ASK_RECIPIENT) {
		ln.done = true;
		rg_dir_recipient(s->dir, r.norm, &ln.answer);
		found = ln.answer.status;
		kind = ln.answer.kind;
	}
	rg_policy_rcpt_decide(s->policy, &plan, found, kind, v);
	rg_policy_route_check(s->policy, s->rcpt_mailer, s->rcpt_host, v);
	if (budget_check(s, &r, v, &bn))
		s->budget = &bn;
	/*
	 * Bare names and the like: malformed for this client, whatever the MTA
	 * makes of them.  A refused spelling that is not plain may be one the
	 * MTA reads as an address accepted earlier, and Sendmail then drops
	 * that one too: the whole transaction must go, or mail is lost.
	 */
	if (strcmp(v->reason, "bad-recipient") == 0 ||
	    (v->logged != RG_LOGGED_ACCEPT && !rg_addr_plain(arg)))
		note_malformed(s, arg);
	if (route_collides(s, v->logged == RG_LOGGED_ACCEPT))
		note_unsafe(s, arg, RG_DATA_DUPLICATE);
	emit_line(s, "rcpt", arg, v, &ln, true);
	s->budget = NULL;
}

static void
unsafe_check(struct rg_session *s, const char *stage, struct rg_verdict *v)
{
	rg_policy_data(s->policy, s->unsafe, v);
	/* An accepted DATA says nothing the RCPT lines did not. */
	if (v->notable)
		emit_line(s, stage, s->malformed_rcpt, v, NULL, false);
}

void
rg_session_data(struct rg_session *s, struct rg_verdict *v)
{
	unsafe_check(s, "data", v);
}

void
rg_session_end_of_data(struct rg_session *s, struct rg_verdict *v)
{
	unsafe_check(s, "end-of-data", v);
}
