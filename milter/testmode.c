/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * testmode.c - the -T front end.  Arguments stand in for what the MTA
 * would send; everything after parsing goes through session/, exactly
 * as the milter callbacks do.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "testmode.h"
#include "budget/budget.h"
#include "budget/local.h"
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
	    " [budget=KIND:N[,KIND:N...]] from=ADDR rcpt=ADDR [rcpt=ADDR ...]\n", why);
	return EX_USAGE;
}

/*
 * budget=messages:N,recipients:N,domains:N (any of them, any order, each
 * adds): usage the login already has in this window.  False on anything
 * else.
 */
static bool
parse_budget(const char *val, struct rg_budget_usage *add)
{
	const char *p = val;

	while (*p != '\0') {
		static const char *const kinds[] = { "messages:", "recipients:", "domains:" };
		uint64_t *slot[] = { &add->messages, &add->recipients, &add->domains };
		unsigned long long n;
		char *end;
		size_t i;

		for (i = 0; i < 3 && strncmp(p, kinds[i], strlen(kinds[i])) != 0; i++)
			;
		if (i == 3)
			return false;
		p += strlen(kinds[i]);
		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		n = strtoull(p, &end, 10);
		if (errno != 0 || n > 1000000000ULL || (*end != ',' && *end != '\0'))
			return false;
		*slot[i] += n;
		p = *end == ',' ? end + 1 : end;
	}
	return true;
}

int
rg_testmode(struct rg_config *cfg, int argc, char **argv)
{
	const char *client = NULL, *name = "unknown", *helo = NULL, *auth = NULL;
	const char *auth_type = NULL, *tls = NULL, *from = NULL, *qid = NULL;
	const char *mailer = NULL, *host = NULL;
	struct rg_budget_usage preset = { 0, 0, 0 };
	bool have_preset = false;
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
		else if (KEY("budget")) {
			if (!parse_budget(val, &preset))
				return usage("budget= takes messages:N, recipients:N and domains:N, "
				    "separated by commas");
			have_preset = true;
		}
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
	if (have_preset && auth == NULL)
		return usage("budget= needs auth=LOGIN: budgets count logins");
	/* The same recipient domains must land on the same bits every run. */
	rg_budget_local_fixed_key(0x52474275646765ULL);
	/*
	 * The usage goes into the store the session then asks, so what
	 * follows is the store's own decision.  With budgets off there is
	 * nothing to charge, and nothing asks.
	 */
	if (have_preset && rg_config_budget(cfg) != NULL) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		/* main() made every store local: this cannot refuse. */
		(void)rg_budget_preset(rg_config_budget(cfg), auth, &preset,
		    (double)ts.tv_sec + ts.tv_nsec / 1e9);
	}

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
