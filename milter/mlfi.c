/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * mlfi.c - the libmilter glue.
 *
 * Only macros are trusted for identity: {auth_authen} for the login
 * (never {auth_author}, which any client can set with MAIL FROM ...
 * AUTH=<>), {tls_version} for encryption (never {cert_subject}).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "mlfi.h"
#include "common/log.h"
#include "common/stats.h"
#include "common/strutil.h"
#include "conf/conf.h"
#include "session/session.h"

struct conn {
	struct rg_session *session;
	bool counted;		/* holds one of the busy connections */
	bool over_limit;	/* beyond limits.connections: tempfail at CONNECT */
	bool check_at_end;	/* refuse an unsafe transaction at end of data, not at DATA */
	bool nr_conn;		/* the MTA agreed we send no reply at CONNECT */
	bool nr_helo;
};

static int debug_macros;

/* Busy milter connections, and refusals not yet logged (once a minute). */
static atomic_uint busy;
static atomic_uint refused_unlogged;
static atomic_llong refused_logged_at;

void
rg_mlfi_set_debug(int on)
{
	debug_macros = on;
}

static void
emit_syslog(void *arg, enum rg_log_level level, const char *line)
{
	(void)arg;
	rg_log(level, "%s", line);
}

static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL) {
		c = calloc(1, sizeof(*c));
		if (c == NULL || smfi_setpriv(ctx, c) != MI_SUCCESS) {
			free(c);
			return NULL;
		}
	}
	return c;
}

static const char *
macro(SMFICTX *ctx, const char *name)
{
	return smfi_getsymval(ctx, (char *)name);
}

static void
log_macros(SMFICTX *ctx, const char *stage)
{
	static const char *const names[] = { "i", "j", "_", "{daemon_name}",
	    "{daemon_port}", "{auth_type}", "{auth_authen}", "{auth_author}",
	    "{tls_version}", "{cipher}", "{cert_subject}", "{client_addr}", "{rcpt_mailer}",
	    "{rcpt_host}", "{rcpt_addr}", NULL };
	struct rg_kv kv;

	if (!debug_macros)
		return;
	rg_kv_init(&kv);
	rg_kv_add(&kv, "macros", stage);
	for (int i = 0; names[i] != NULL; i++) {
		const char *v = macro(ctx, names[i]);

		if (v != NULL)
			rg_kv_add(&kv, names[i], v);
	}
	rg_log(RG_LOG_DEBUG, "%s", rg_kv_str(&kv));
}

/*
 * smfi_setreply() reads '%' as a format character: double each one.
 * The config loader keeps every text within RG_POLICY_REPLY_MAX, so the
 * doubled text fits; a longer one is a bug, and sending half a sentence
 * would hide it, so it is logged and the MTA's own reply goes out.
 */
static void
set_reply(SMFICTX *ctx, const struct rg_verdict *v)
{
	char text[2 * RG_POLICY_REPLY_MAX + 1];
	size_t n = 0;

	if (strlen(v->text) > RG_POLICY_REPLY_MAX) {
		rg_log(RG_LOG_ERROR, "reply text of %zu bytes is over the limit of %d; the MTA "
		    "uses its default reply", strlen(v->text), RG_POLICY_REPLY_MAX);
		return;
	}
	for (const char *p = v->text; *p; p++) {
		if (*p == '%')
			text[n++] = '%';
		text[n++] = *p;
	}
	text[n] = '\0';
	if (smfi_setreply(ctx, (char *)v->code, (char *)v->xcode, text) != MI_SUCCESS)
		rg_log(RG_LOG_WARNING, "smfi_setreply failed; the MTA uses its default reply");
}

static sfsistat
to_smfis(SMFICTX *ctx, const struct rg_verdict *v)
{
	switch (v->action) {
	case RG_ACT_CONTINUE:
		return SMFIS_CONTINUE;
	case RG_ACT_REJECT:
		set_reply(ctx, v);
		return SMFIS_REJECT;
	case RG_ACT_TEMPFAIL:
		set_reply(ctx, v);
		return SMFIS_TEMPFAIL;
	}
	return SMFIS_TEMPFAIL;
}

/* Count the decision, then translate it. */
static sfsistat
decided(SMFICTX *ctx, enum rg_stats_stage stage, const struct rg_verdict *v)
{
	rg_stats_decision(stage, (int)v->logged, v->reason);
	return to_smfis(ctx, v);
}

/*
 * An MTA that cannot skip DATA does not know the DATA stage (milter
 * protocol < 4), so it never asks us there: say so once, loudly.
 */
static void
warn_no_data(void)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;

	if (!atomic_flag_test_and_set(&said))
		rg_log(RG_LOG_WARNING, "the MTA does not offer the DATA stage to milters;"
		    " a transaction with a malformed recipient cannot be refused whole");
}

/*
 * Count the connection in; beyond limits.connections it will be
 * tempfailed at CONNECT.  Each connection is one libmilter thread, so
 * this caps the threads a flood can make us hold busy.
 */
static void
count_in(struct conn *c)
{
	struct rg_config *cfg = rg_config_current();
	unsigned limit = cfg != NULL ? rg_config_max_connections(cfg) : RG_CONNECTIONS_DEFAULT;

	/* Fixed per connection: it decides whether the MTA sends DATA at all. */
	c->check_at_end = cfg != NULL && rg_config_unsafe_at_end(cfg);
	rg_config_release(&cfg);
	c->counted = true;
	c->over_limit = atomic_fetch_add(&busy, 1) >= limit;
	rg_stats_connection_open();
}

static void
count_out(struct conn *c)
{
	if (c->counted) {
		atomic_fetch_sub(&busy, 1);
		rg_stats_connection_close();
	}
	c->counted = false;
}

/* One line a minute at most, with how many were refused since the last. */
static void
log_over_limit(void)
{
	long long now = (long long)time(NULL), last = atomic_load(&refused_logged_at);
	unsigned n = atomic_fetch_add(&refused_unlogged, 1) + 1;
	struct rg_config *cfg;

	if (now - last < 60 || !atomic_compare_exchange_strong(&refused_logged_at, &last, now))
		return;
	n = atomic_exchange(&refused_unlogged, 0);
	cfg = rg_config_current();
	rg_log(RG_LOG_WARNING, "limit=connections refused=%u busy=%u max=%u: new connections"
	    " are tempfailed at CONNECT", n, atomic_load(&busy),
	    cfg != NULL ? rg_config_max_connections(cfg) : RG_CONNECTIONS_DEFAULT);
	rg_config_release(&cfg);
}

static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	/* DATA is kept unless recipients.unsafe_at moves the check to end of data. */
	unsigned long skip = SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY | SMFIP_NOUNKNOWN;
	struct conn *c = conn_get(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (!c->counted)
		count_in(c);
	if (c->check_at_end)
		skip |= SMFIP_NODATA;
	*pf0 = f0 & SMFIF_SETSYMLIST;
	/* A connection over the limit must be able to answer at CONNECT. */
	*pf1 = f1 & (skip | SMFIP_NR_HELO | (c->over_limit ? 0 : SMFIP_NR_CONN));
	*pf2 = *pf3 = 0;
	if (!(f1 & SMFIP_NODATA) && !c->check_at_end)
		warn_no_data();
	c->nr_conn = (*pf1 & SMFIP_NR_CONN) != 0;
	c->nr_helo = (*pf1 & SMFIP_NR_HELO) != 0;
	if (*pf0 & SMFIF_SETSYMLIST) {
		/* Ask for exactly what the policy reads, whatever the MTA's defaults. */
		smfi_setsymlist(ctx, SMFIM_HELO, "{tls_version} {cipher}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_type} {auth_authen} {tls_version} {cipher}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "i {rcpt_mailer} {rcpt_host} {rcpt_addr}");
		smfi_setsymlist(ctx, SMFIM_DATA, "i");
		smfi_setsymlist(ctx, SMFIM_EOM, "i");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct conn *c = conn_get(ctx);
	struct rg_config *cfg;
	struct rg_verdict v;
	char addr[INET6_ADDRSTRLEN] = "";

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (!c->counted)
		count_in(c);	/* an MTA that skipped negotiation */
	if (c->over_limit) {
		rg_stats_limit_refused();
		log_over_limit();
		if (smfi_setreply(ctx, "451", "4.3.2", "Too many connections, please try again later")
		    != MI_SUCCESS)
			rg_log(RG_LOG_WARNING, "smfi_setreply failed; the MTA uses its default reply");
		return SMFIS_TEMPFAIL;
	}
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, addr, sizeof(addr));
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, addr, sizeof(addr));
	if ((cfg = rg_config_current()) == NULL)
		return SMFIS_TEMPFAIL;
	rg_session_destroy(&c->session);
	c->session = rg_session_new(cfg, addr, hostname, emit_syslog, NULL, false);
	log_macros(ctx, "connect");
	rg_session_connect(c->session, &v);
	rg_stats_decision(RG_STATS_CONNECT, (int)v.logged, v.reason);
	return c->nr_conn ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = smfi_getpriv(ctx);
	struct rg_verdict v;

	if (c == NULL || c->session == NULL)
		return SMFIS_TEMPFAIL;
	rg_session_set_helo(c->session, helo);
	log_macros(ctx, "helo");
	rg_session_helo(c->session, &v);
	rg_stats_decision(RG_STATS_HELO, (int)v.logged, v.reason);
	return c->nr_helo ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct rg_verdict v;

	if (c == NULL || c->session == NULL || argv == NULL || argv[0] == NULL)
		return SMFIS_TEMPFAIL;
	log_macros(ctx, "mail");
	/* Auth and TLS can change between transactions (AUTH after MAIL; RSET). */
	rg_session_set_auth(c->session, macro(ctx, "{auth_authen}"),
	    macro(ctx, "{auth_type}"), macro(ctx, "{tls_version}"));
	rg_session_set_queue_id(c->session, macro(ctx, "i"));
	rg_session_mail(c->session, argv[0], &v);
	return decided(ctx, RG_STATS_MAIL, &v);
}

static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct rg_verdict v;

	if (c == NULL || c->session == NULL || argv == NULL || argv[0] == NULL)
		return SMFIS_TEMPFAIL;
	log_macros(ctx, "rcpt");
	rg_session_set_queue_id(c->session, macro(ctx, "i"));
	rg_session_set_route(c->session, macro(ctx, "{rcpt_mailer}"), macro(ctx, "{rcpt_host}"),
	    macro(ctx, "{rcpt_addr}"));
	rg_session_rcpt(c->session, argv[0], &v);
	return decided(ctx, RG_STATS_RCPT, &v);
}

static sfsistat
mlfi_data(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct rg_verdict v;

	if (c == NULL || c->session == NULL)
		return SMFIS_TEMPFAIL;
	if (c->check_at_end)
		return SMFIS_CONTINUE;
	log_macros(ctx, "data");
	rg_session_set_queue_id(c->session, macro(ctx, "i"));
	rg_session_data(c->session, &v);
	return decided(ctx, RG_STATS_DATA, &v);
}

/*
 * End of data: where recipients.unsafe_at = "end-of-data" refuses an
 * unsafe transaction.  The MTA waits for this reply anyway, so it costs
 * no round trip; the client has sent the body for nothing, that is all.
 */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct rg_verdict v;

	if (c == NULL || c->session == NULL)
		return SMFIS_TEMPFAIL;
	if (!c->check_at_end)
		return SMFIS_CONTINUE;
	rg_session_set_queue_id(c->session, macro(ctx, "i"));
	rg_session_end_of_data(c->session, &v);
	return to_smfis(ctx, &v);
}

static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->session != NULL)
		rg_session_reset(c->session);
	return SMFIS_CONTINUE;
}

static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL) {
		count_out(c);
		rg_session_destroy(&c->session);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

struct smfiDesc rg_mlfi_desc = {
	.xxfi_name = "relayguard",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_SETSYMLIST,
	.xxfi_connect = mlfi_connect,
	.xxfi_helo = mlfi_helo,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_data = mlfi_data,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};
