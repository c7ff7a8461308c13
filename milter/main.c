/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * main.c - relayguard's command line.
 *
 *   relayguard [-f] [-v] [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE]
 *   relayguard -n [-v] [-p | -d] [-c FILE]
 *   relayguard -q ADDRESS|login=LOGIN [-c FILE]
 *   relayguard -T [-c FILE] client=IP ... from=ADDR rcpt=ADDR ...
 *   relayguard -S [-c FILE] [--control PATH] [--prometheus]
 *   relayguard -L postfix|sendmail [-c FILE] [-p SOCKET] [-C DIR|FILE]
 *   relayguard -I sendmail|postfix [-c FILE] --expires YYYY-MM-DD [--allow-domain] FILE
 *   relayguard -R [-c FILE] [--since DAY] [--until DAY] [--format text|json] [--notices DIR] [LOG ...]
 *   relayguard -V
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "control.h"
#include "mlfi.h"
#include "notify.h"
#include "query.h"
#include "testmode.h"
#include "lint/lint.h"
#include "migrate/import.h"
#include "report/report.h"
#include "budget/budget.h"
#include "common/log.h"
#include "conf/conf.h"
#include "conf/conf_print.h"

static int
usage(void)
{
	fputs("usage: relayguard [-f] [-v] [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE]\n"
	    "       relayguard -n [-v] [-p | -d] [-c FILE]\n"
	    "       relayguard -q ADDRESS|login=LOGIN [-c FILE]\n"
	    "       relayguard -T [-c FILE] client=IP [name=HOST] [helo=NAME] [auth=LOGIN]"
	    " [auth_type=MECH] [tls=VERSION] [qid=ID] [mailer=NAME] [host=HOST]"
	    " [budget=KIND:N[,KIND:N...]] from=ADDR rcpt=ADDR [rcpt=ADDR ...]\n"
	    "       relayguard -S [-c FILE] [--control PATH] [--prometheus]\n"
	    "       relayguard -L postfix [-c FILE] [-p SOCKET] [-C /etc/postfix]\n"
	    "       relayguard -L sendmail [-c FILE] [-p SOCKET] [-C /etc/mail/sendmail.cf]\n"
	    "       relayguard -I sendmail|postfix [-c FILE] --expires YYYY-MM-DD"
	    " [--allow-domain] FILE\n"
	    "       relayguard -R [-c FILE] [--since YYYY-MM-DD] [--until YYYY-MM-DD]"
	    " [--format text|json] [--top N] [--year YYYY] [--notices DIR [--template FILE]]"
	    " [LOGFILE ... | -]\n"
	    "       relayguard -R --print-template\n"
	    "       relayguard -V\n", stderr);
	return EX_USAGE;
}

/*
 * Load or print every FILE:LINE error to stderr and return NULL.  With
 * 'warn', print the FILE:LINE: warning: lines too (not in -T, whose
 * output is the decision alone).
 */
static struct rg_config *
load(const char *path, bool warn)
{
	struct rg_errs errs = { 0 };
	struct rg_config *cfg = rg_config_load(path, &errs);

	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	for (int i = 0; warn && i < errs.nwarns; i++)
		fprintf(stderr, "%s\n", errs.warns[i]);
	rg_errs_free(&errs);
	return cfg;
}

/* -n -p: the effective configuration on stdout, problems on stderr. */
static int
print_effective(const char *path)
{
	struct rg_config *cfg = load(path, true);
	struct rg_errs errs = { 0 };
	bool ok;

	if (cfg == NULL)
		return EX_CONFIG;
	rg_config_release(&cfg);
	ok = rg_config_print(path, stdout, &errs);
	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	rg_errs_free(&errs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "relayguard: writing the configuration: %s\n", strerror(errno));
		return EX_OSERR;
	}
	return ok ? 0 : EX_CONFIG;
}

/*
 * -p names the milter socket (-p SOCKET), but beside -n it asks for the
 * effective policy and takes no argument.  getopt() cannot know that,
 * so beside -n an argument-less -p (alone, or in a cluster of
 * argument-less letters such as -np) is rewritten to "-p-" first: the
 * 'p' case below reads an optarg of "-" as "print".
 */
static bool
prescan_print(int argc, char **argv)
{
	static const char plain[] = "dfnpRSTvVh";
	bool nmode = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || a[1] == '\0' || strcmp(a, "--") == 0 || a[1] == 'I')
			break;
		if (strspn(a + 1, plain) == strlen(a + 1)) {
			if (strchr(a + 1, 'n') != NULL)
				nmode = true;
		} else if (strchr(plain, a[1]) == NULL && a[2] == '\0') {
			i++;	/* -c FILE and the like */
		}
	}
	if (i > argc)
		i = argc;	/* "-c" with nothing after it: getopt says so */
	if (!nmode)
		return false;
	for (int j = 1; j < i; j++) {
		const char *a = argv[j];
		char *out, *o;

		if (a[0] != '-' || strspn(a + 1, plain) != strlen(a + 1) || strchr(a, 'p') == NULL)
			continue;
		o = out = malloc(strlen(a) + 3);
		if (out == NULL)
			abort();
		for (; *a; a++)
			if (*a != 'p')
				*o++ = *a;
		strcpy(o, "p-");
		argv[j] = out;
	}
	return true;
}

static int
check(const char *path, bool verbose)
{
	struct rg_config *cfg = load(path, true);
	struct rg_budget *budget;
	char err[256] = "";
	int rc = 0;

	if (cfg == NULL)
		return EX_CONFIG;
	budget = rg_config_budget(cfg);
	printf("configuration OK\n");
	if (verbose) {
		/* A live probe: catches a wrong password or an unreachable server. */
		if (rg_dir_probe(rg_config_dir(cfg), err, sizeof(err))) {
			printf("directory OK: backend %s answered\n", rg_config_dir_backend(cfg));
		} else {
			printf("directory FAILED: %s\n", err);
			rc = EX_UNAVAILABLE;
		}
		/* The same for a shared budget store: a wrong password, a wrong socket. */
		if (budget != NULL && strcmp(rg_budget_store_name(budget), "redis") == 0) {
			if (rg_budget_probe(budget, err, sizeof(err))) {
				printf("budgets OK: %s\n", err);
			} else {
				printf("budgets FAILED: %s\n", err);
				rc = EX_UNAVAILABLE;
			}
		}
	}
	rg_config_release(&cfg);
	return rc;
}

static int
run(const char *path, const char *socket, bool foreground, const char *user,
    const char *pidfile)
{
	struct rg_config *cfg = load(path, true);
	int rc;

	if (cfg == NULL)
		return EX_CONFIG;
	if (socket == NULL)
		socket = rg_config_socket(cfg);
	/*
	 * Under systemd, stderr already goes to the journal and so does
	 * syslog: copying each line to stderr would log it twice.
	 */
	rg_log_open(rg_config_facility(cfg), foreground && getenv("JOURNAL_STREAM") == NULL);
	if (smfi_register(rg_mlfi_desc) != MI_SUCCESS)
		rg_fatal(EX_SOFTWARE, "smfi_register failed");
	if (smfi_setconn((char *)socket) != MI_SUCCESS)
		rg_fatal(EX_CONFIG, "bad socket \"%s\"", socket);
	if (pidfile != NULL)
		rg_daemon_pidfile_lock(pidfile);
	if (!foreground)
		rg_daemon_detach();
	rg_daemon_pidfile_write();
	/* Drop root before creating the socket, so the socket is ours. */
	if (user != NULL)
		rg_daemon_drop(user);
	umask(007);
	if (smfi_opensocket(true) != MI_SUCCESS)
		rg_fatal(EX_UNAVAILABLE, "cannot listen on %s: %s", socket,
		    errno ? strerror(errno) : "see libmilter's message");
	/* Keep a reference of our own: a reload may replace cfg at once. */
	rg_config_install(rg_config_hold(cfg));
	rg_daemon_reloader(path);
	/* After the reloader, which blocked the signals the new thread inherits. */
	rg_daemon_control(path, cfg);
	rg_log(RG_LOG_NOTICE, "relayguard %s listening on %s (config %s, directory %s)",
	    PACKAGE_VERSION, socket, path, rg_config_dir_backend(cfg));
	if (foreground) {
		printf("relayguard: listening on %s\n", socket);
		fflush(stdout);
	}
	/* smfi_opensocket() has listen()ed: an MTA that connects now is queued. */
	rg_notify_ready(path, rg_config_dir_backend(cfg));
	rg_config_release(&cfg);
	rc = smfi_main() == MI_SUCCESS ? 0 : EX_SOFTWARE;
	rg_notify_stopping();
	return rc;
}

/* "unix:rel.sock" made absolute against the cwd; other sockets as given.  Malloc'd. */
static char *
abs_socket(const char *spec)
{
	const char *colon = strchr(spec, ':');
	char *name, *out;

	if (colon == NULL || (strncmp(spec, "unix:", 5) != 0 && strncmp(spec, "local:", 6) != 0) ||
	    colon[1] == '/' || colon[1] == '\0')
		return strdup(spec);
	if ((name = rg_config_abspath(colon + 1)) == NULL)
		return NULL;
	if (asprintf(&out, "%.*s%s", (int)(colon + 1 - spec), spec, name) < 0)
		out = NULL;
	free(name);
	return out;
}

int
main(int argc, char **argv)
{
	const char *path = rg_config_default_path(), *socket = NULL, *user = NULL;
	const char *pidfile = NULL, *lint = NULL, *mtaconf = NULL, *import = NULL;
	const char *query = NULL;
	bool foreground = false, checkonly = false, testmode = false, verbose = false;
	bool cset = false, stats = false, print = false, defaults = false, nmode;
	bool report = false;
	int ch, rc;

	nmode = prescan_print(argc, argv);
	/* -I hands the rest of the line, long options included, to the importer. */
	/* So does -S, to the control client (--control, --prometheus). */
	/* And -R, to the migration report (--since, --format, --notices ...). */
	while (import == NULL && !stats && !report &&
	    (ch = getopt(argc, argv, "+c:C:dfI:L:np:P:q:RSTu:vVh")) != -1) {
		switch (ch) {
		case 'c': path = optarg; cset = true; break;
		case 'C': mtaconf = optarg; break;
		case 'd': defaults = true; break;
		case 'f': foreground = true; break;
		case 'I': import = optarg; break;
		case 'L': lint = optarg; break;
		case 'n': checkonly = true; break;
		case 'p':
			if (nmode && strcmp(optarg, "-") == 0)
				print = true;
			else
				socket = optarg;
			break;
		case 'P': pidfile = optarg; break;
		case 'q': query = optarg; break;
		case 'R': report = true; break;
		case 'S': stats = true; break;
		case 'T': testmode = true; break;
		case 'u': user = optarg; break;
		case 'v': verbose = true; break;
		case 'V':
			printf("relayguard %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return usage();
		}
	}
	if (import != NULL)
		return checkonly || testmode || lint != NULL ? usage() :
		    rg_mig_import(import, cset ? path : NULL, argc - optind, argv + optind);
	if (report)
		return checkonly || testmode || lint != NULL || query != NULL || foreground ?
		    usage() : rg_report_main(path, argc - optind, argv + optind,
		    rg_query_notice_to);
	if (stats)
		return checkonly || testmode || lint != NULL || query != NULL || foreground ?
		    usage() : rg_control_client(cset ? path : NULL, argc - optind, argv + optind);
	if (checkonly + testmode + (lint != NULL) + (query != NULL) > 1 ||
	    (!testmode && optind != argc) || (mtaconf != NULL && lint == NULL) ||
	    ((print || defaults) && (!checkonly || verbose || print + defaults > 1)))
		return usage();
	if (defaults) {
		rg_config_print_defaults(stdout);
		return fflush(stdout) == 0 ? 0 : EX_OSERR;
	}
	if (lint != NULL) {
		if (strcmp(lint, "postfix") != 0 && strcmp(lint, "sendmail") != 0)
			return usage();
		/* Lint output is for a terminal: directory warnings go to stderr too. */
		rg_log_syslog(false);
		rg_log_stderr(true);
		return rg_lint_main(lint, path, socket, mtaconf);
	}
	if (verbose) {
		rg_log_set_min(RG_LOG_DEBUG);
		rg_mlfi_set_debug(1);
	}
	if (checkonly || testmode || query != NULL) {
		/* libmilter ignores SIGPIPE for the daemon; a closed LDAP socket must not kill us here. */
		signal(SIGPIPE, SIG_IGN);
		/* Directory state changes go to stderr, never to syslog, here. */
		rg_log_syslog(false);
		rg_log_stderr(true);
	}
	if (checkonly && print)
		return print_effective(path);
	if (checkonly)
		return check(path, verbose);
	if (query != NULL) {
		struct rg_config *cfg = load(path, false);

		if (cfg == NULL)
			return EX_CONFIG;
		rc = rg_query(cfg, query, stdout);
		rg_config_release(&cfg);
		return rc;
	}
	if (testmode) {
		struct rg_config *cfg;

		rg_budget_local_only();
		cfg = load(path, false);

		if (cfg == NULL)
			return EX_CONFIG;
		rc = rg_testmode(cfg, argc - optind, argv + optind);
		rg_config_release(&cfg);
		return rc;
	}
	/*
	 * The daemon changes to / before libmilter creates the socket, and
	 * reloads later: -c, -P and a unix: -p must not depend on the cwd.
	 */
	char *apath = rg_config_abspath(path);
	char *apid = pidfile != NULL ? rg_config_abspath(pidfile) : NULL;
	char *asock = socket != NULL ? abs_socket(socket) : NULL;

	if (apath == NULL || (pidfile != NULL && apid == NULL) || (socket != NULL && asock == NULL)) {
		fprintf(stderr, "relayguard: cannot name the current directory: %s\n",
		    strerror(errno));
		rc = EX_OSERR;
	} else
		rc = run(apath, asock, foreground, user, apid);
	free(apath);
	free(apid);
	free(asock);
	return rc;
}
