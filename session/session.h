/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * session.h - one SMTP connection's journey through the policy.
 *
 * The layer both front ends share: the milter callbacks and the -T test
 * mode feed it the same facts and get the same verdicts and log lines,
 * so "relayguard -T" shows exactly what the daemon would do.  It holds
 * the connection's config snapshot, asks the directory when the policy
 * needs an answer, and writes one key=value line per decision through
 * an emit callback.
 *
 * A session belongs to one connection and one thread at a time (libmilter
 * calls a connection's callbacks in order); sessions share nothing
 * mutable with each other.
 */
#ifndef RG_SESSION_H
#define RG_SESSION_H

#include <stdbool.h>

#include "common/log.h"
#include "conf/conf.h"
#include "policy/policy.h"

/* Where decision lines go: the daemon logs them, -T prints them. */
typedef void rg_emit_fn(void *arg, enum rg_log_level, const char *line);

struct rg_session;

/*
 * Start a session on snapshot 'cfg', taking over the caller's reference.
 * 'log_all' also emits accepted connect/helo/mail stages (test mode).
 */
struct rg_session *rg_session_new(struct rg_config *cfg, const char *client_addr,
	    const char *client_name, rg_emit_fn *emit, void *emit_arg, bool log_all);

/* End the session and release its snapshot; clears the pointer. */
void	rg_session_destroy(struct rg_session **);

/* Longest queue id that leads a log line; longer ones are logged quoted. */
#define RG_QID_MAX	64

/* Facts as they arrive; each copies its strings.  NULL means absent. */
void	rg_session_set_helo(struct rg_session *, const char *helo);
void	rg_session_set_queue_id(struct rg_session *, const char *qid);
void	rg_session_set_auth(struct rg_session *, const char *auth_authen,
	    const char *auth_type, const char *tls_version);

/*
 * The MTA's route for the next RCPT ({rcpt_mailer}, {rcpt_host},
 * {rcpt_addr}): for the routing cross-check, and to see two RCPTs that
 * the MTA resolved alike.
 */
void	rg_session_set_route(struct rg_session *, const char *mailer, const char *host,
	    const char *addr);

/* RCPTs of one transaction remembered for that comparison. */
#define RG_TX_ROUTES_MAX	1024

/* Stages.  Each fills *v_r; its strings live as long as the session. */
void	rg_session_connect(struct rg_session *, struct rg_verdict *v_r);
void	rg_session_helo(struct rg_session *, struct rg_verdict *v_r);
void	rg_session_mail(struct rg_session *, const char *sender, struct rg_verdict *v_r);
void	rg_session_rcpt(struct rg_session *, const char *rcpt, struct rg_verdict *v_r);

/*
 * DATA: refuses the whole transaction when one of its RCPTs was malformed
 * or list-like, since the MTA may have kept recipients relayguard never
 * judged, or when a refused RCPT resolved like an accepted one, since the
 * MTA may have dropped both.  Accepted DATA is not logged.
 */
void	rg_session_data(struct rg_session *, struct rg_verdict *v_r);
/* The same check at end of data (recipients.unsafe_at = "end-of-data"). */
void	rg_session_end_of_data(struct rg_session *, struct rg_verdict *v_r);

/* The transaction ended (RSET or abort): forget its sender and recipients. */
void	rg_session_reset(struct rg_session *);

/* The session's snapshot (for callers that need config values). */
const struct rg_config *rg_session_config(const struct rg_session *);

#endif
