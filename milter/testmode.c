/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * testmode.c - the -T front end.  Arguments stand in for what the MTA
 * would send; everything after parsing goes through session/, exactly
 * as the milter callbacks do.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "testmode.h"
#include "session/session.h"

struct outcome {
	bool rejected;
	bool tempfailed;
};

static void
emit_stdout(void *arg, enum rg_log_level level, const char *line)
{
	(void)arg;
	(void)level;
	printf("%s\n", line);
	fflush(stdout);
}

static void
note(struct outcome *o, const struct rg_verdict *v)
{
	if (v->action == RG_ACT_REJECT)
		o->rejected = true;
	else if (v->action == RG_ACT_TEMPFAIL)
		o->tempfailed = true;
}

static int
usage(const char *why)
{
	fprintf(stderr, "relayguard -T: %s\n"
	    "usage: relayguard -T [-c FILE] client=IP [name=HOST] [helo=NAME] [auth=LOGIN]"
	    " [auth_type=MECH] [tls=VERSION] [qid=ID] [mailer=NAME] [host=HOST]"
	    " from=ADDR rcpt=ADDR [rcpt=ADDR ...]\n", why);
	return EX_USAGE;
}

int
rg_testmode(struct rg_config *cfg, int argc, char **argv)
{
	const char *client = NULL, *name = "unknown", *helo = NULL, *auth = NULL;
	const char *auth_type = NULL, *tls = NULL, *from = NULL, *qid = NULL;
	const char *mailer = NULL, *host = NULL;
	struct outcome o = { false, false };
	struct rg_session *s;
	struct rg_verdict v;
	int nrcpt = 0, accepted = 0;

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t kl = eq ? (size_t)(eq - argv[i]) : 0;
		const char *val = eq ? eq + 1 : NULL;

#define KEY(k) (kl == sizeof(k) - 1 && strncmp(argv[i], k, kl) == 0)
		if (eq == NULL)
			return usage("arguments are key=value");
		else if (KEY("client")) client = val;
		else if (KEY("name")) name = val;
		else if (KEY("helo")) helo = val;
		else if (KEY("auth")) auth = val;
		else if (KEY("auth_type")) auth_type = val;
		else if (KEY("tls")) tls = val;
		else if (KEY("qid")) qid = val;
		else if (KEY("mailer")) mailer = val;
		else if (KEY("host")) host = val;
		else if (KEY("from")) from = val;
		else if (KEY("rcpt")) nrcpt++;
		else {
			fprintf(stderr, "relayguard -T: unknown key \"%.*s\"\n", (int)kl, argv[i]);
			return usage("see relayguard(8)");
		}
#undef KEY
	}
	if (client == NULL || from == NULL || nrcpt == 0)
		return usage("client=, from= and at least one rcpt= are required");
	if (auth != NULL && auth_type == NULL)
		auth_type = "PLAIN";

	s = rg_session_new(rg_config_hold(cfg), client, name, emit_stdout, NULL, true);
	rg_session_connect(s, &v);
	if (helo != NULL) {
		rg_session_set_helo(s, helo);
		rg_session_helo(s, &v);
	}
	rg_session_set_auth(s, auth, auth_type, tls);
	rg_session_set_queue_id(s, qid);
	rg_session_set_route(s, mailer, host, NULL);
	rg_session_mail(s, from, &v);
	note(&o, &v);
	/* As over SMTP: a refused MAIL FROM ends the transaction. */
	for (int i = 0; i < argc && v.action == RG_ACT_CONTINUE; i++) {
		struct rg_verdict rv;

		if (strncmp(argv[i], "rcpt=", 5) != 0)
			continue;
		rg_session_rcpt(s, argv[i] + 5, &rv);
		note(&o, &rv);
		if (rv.action == RG_ACT_CONTINUE)
			accepted++;
	}
	/* As over SMTP: DATA needs an accepted recipient. */
	if (accepted > 0) {
		rg_session_data(s, &v);
		note(&o, &v);
	}
	rg_session_destroy(&s);
	return o.tempfailed ? EX_TEMPFAIL : o.rejected ? 1 : 0;
}
