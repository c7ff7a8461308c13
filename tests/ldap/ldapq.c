/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * ldapq - drive one long-lived directory handle from the command line,
 * so the backend tests can keep cache and breaker state across a slapd
 * being stopped, restarted or stalled.
 *
 *   ldapq CONFFILE STEP...
 *     rcpt=ADDR          print the recipient answer
 *     login=LOGIN,ADDR   print the ownership answer (suspended=yes when marked)
 *     susp=LOGIN         print the suspension answer (found = suspended)
 *     probe              rg_dir_probe(); prints probe=ok|failed err=...
 *     sleep=SECS         wait
 *     par=N,ADDR         N threads look ADDR up at once; prints each answer
 *     !CMD               run a shell command (stop/start slapd, ...)
 *
 * Each answer is one line:  q=rcpt key=<...> status=found kind=mailbox
 * stale=no source=... why="..." ms=12.  Log lines go to stderr.
 * Exit status: 0, or 2 for usage and configuration errors.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>

#include "common/clock.h"
#include "common/log.h"
#include "conf/conf.h"
#include "directory/dir.h"

static struct rg_dir *dir;

static const char *
status_name(enum rg_lookup s)
{
	switch (s) {
	case RG_LOOKUP_FOUND: return "found";
	case RG_LOOKUP_NOTFOUND: return "notfound";
	case RG_LOOKUP_ERROR: return "error";
	case RG_LOOKUP_NONE: break;	/* dir.c never answers it: shown as "?" */
	}
	return "?";
}

static void
show(const char *q, const char *key, const struct rg_dir_answer *a, double ms)
{
	struct rg_kv kv;
	char buf[32];

	rg_kv_init(&kv);
	rg_kv_add(&kv, "q", q);
	rg_kv_addr(&kv, "key", key);
	rg_kv_add(&kv, "status", status_name(a->status));
	rg_kv_add(&kv, "kind", a->status == RG_LOOKUP_FOUND ? rg_dir_kind_name(a->kind) : "-");
	rg_kv_add(&kv, "stale", a->stale ? "yes" : "no");
	rg_kv_add(&kv, "source", a->source);
	rg_kv_add(&kv, "why", a->why[0] ? a->why : "-");
	if (a->suspended)
		rg_kv_add(&kv, "suspended", "yes");
	snprintf(buf, sizeof(buf), "%.0f", ms);
	rg_kv_add(&kv, "ms", buf);
	printf("%s\n", rg_kv_str(&kv));
	fflush(stdout);
}

static void *
par_one(void *arg)
{
	struct rg_dir_answer a;
	double t0 = rg_clock_monotonic();

	rg_dir_recipient(dir, arg, &a);
	show("rcpt", arg, &a, (rg_clock_monotonic() - t0) * 1000);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct rg_errs errs = { 0 };
	struct rg_config *cfg;

	if (argc < 2) {
		fprintf(stderr, "usage: ldapq CONFFILE STEP...\n");
		return 2;
	}
	/* libmilter ignores SIGPIPE for the daemon; do the same here. */
	signal(SIGPIPE, SIG_IGN);
	rg_log_open("mail", true);
	rg_log_syslog(false);
	rg_log_set_min(RG_LOG_DEBUG);
	cfg = rg_config_load(argv[1], &errs);
	if (cfg == NULL) {
		for (int i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		rg_errs_free(&errs);
		return 2;
	}
	dir = rg_config_dir(cfg);
	for (int i = 2; i < argc; i++) {
		char *step = argv[i], *arg = strchr(step, '=');
		struct rg_dir_answer a;
		double t0 = rg_clock_monotonic();

		if (arg != NULL)
			*arg++ = '\0';
		if (step[0] == '!') {
			if (system(step + 1) != 0)
				fprintf(stderr, "ldapq: \"%s\" failed\n", step + 1);
		} else if (strcmp(step, "rcpt") == 0 && arg != NULL) {
			rg_dir_recipient(dir, arg, &a);
			show("rcpt", arg, &a, (rg_clock_monotonic() - t0) * 1000);
		} else if (strcmp(step, "login") == 0 && arg != NULL && strchr(arg, ',') != NULL) {
			char *addr = strchr(arg, ',');
			*addr++ = '\0';
			rg_dir_login_owns(dir, arg, addr, &a);
			show(arg, addr, &a, (rg_clock_monotonic() - t0) * 1000);
		} else if (strcmp(step, "susp") == 0 && arg != NULL) {
			rg_dir_login_suspended(dir, arg, &a);
			show("susp", arg, &a, (rg_clock_monotonic() - t0) * 1000);
		} else if (strcmp(step, "probe") == 0) {
			char err[1024];
			bool ok = rg_dir_probe(dir, err, sizeof(err));
			printf("probe=%s err=\"%s\"\n", ok ? "ok" : "failed", ok ? "" : err);
			fflush(stdout);
		} else if (strcmp(step, "sleep") == 0 && arg != NULL) {
			usleep((useconds_t)(atof(arg) * 1e6));
		} else if (strcmp(step, "par") == 0 && arg != NULL && strchr(arg, ',') != NULL) {
			int n = atoi(arg);
			pthread_t t[64];
			char *addr = strchr(arg, ',') + 1;
			if (n < 1 || n > 64)
				n = 1;
			for (int k = 0; k < n; k++)
				pthread_create(&t[k], NULL, par_one, addr);
			for (int k = 0; k < n; k++)
				pthread_join(t[k], NULL);
		} else {
			fprintf(stderr, "ldapq: bad step \"%s\"\n", step);
			rg_config_release(&cfg);
			return 2;
		}
	}
	rg_config_release(&cfg);
	return 0;
}
