/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * sendmail.c - read sendmail.cf and check relayguard's place in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "postfix.h"	/* rg_pf_has_macro: the macro lists are alike */
#include "run.h"
#include "sendmail.h"
#include "sock.h"

#define MAXCF		(8 * 1024 * 1024)
#define MAXFILTERS	32
#define MAXDAEMONS	32

enum { M_CONNECT, M_HELO, M_ENVFROM, M_ENVRCPT, M_COUNT };
static const char *const mnames[M_COUNT] = { "Milter.macros.connect", "Milter.macros.helo",
	"Milter.macros.envfrom", "Milter.macros.envrcpt" };

/* One O option as found: value and line, or line 0 when absent. */
struct opt {
	const char *value;
	int line;
};

struct cf {
	const char *base;		/* "sendmail.cf" */
	struct rg_sm_filter filter[MAXFILTERS];
	int nfilter;
	struct rg_sm_daemon daemon[MAXDAEMONS];
	int ndaemon;
	struct opt input, macros[M_COUNT], authopts, authmechs, version;
	int vlevel, vline;
	struct rg_lines lines;
	int *lineno;
};

static bool
slurp(const char *path, char **buf_r, size_t *n_r)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;

	if (fd < 0) {
		fprintf(stderr, "relayguard: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "relayguard: %s is not a regular file\n", path);
		close(fd);
		return false;
	}
	buf = malloc(MAXCF);
	if (buf == NULL)
		abort();
	while ((r = read(fd, buf + n, MAXCF - n)) > 0 && n + (size_t)r < MAXCF)
		n += (size_t)r;
	if (r < 0 || n + (size_t)(r > 0 ? r : 0) >= MAXCF) {
		fprintf(stderr, "relayguard: cannot read %s: %s\n", path,
		    r < 0 ? strerror(errno) : "larger than 8 MiB");
		free(buf);
		close(fd);
		return false;
	}
	close(fd);
	*buf_r = buf;
	*n_r = n;
	return true;
}

/* "O Name=value" for a known name; case-insensitive as Sendmail reads it. */
static const char *
option(const char *line, const char *name)
{
	size_t n = strlen(name);
	const char *p = line + 1;

	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, name, n) != 0)
		return NULL;
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=')
		return NULL;
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool
cf_read(const char *path, struct cf *cf)
{
	char *buf, err[200];
	size_t n;

	memset(cf, 0, sizeof(*cf));
	cf->base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!slurp(path, &buf, &n))
		return false;
	if (!rg_split_lines(buf, n, true, &cf->lines, &cf->lineno, err, sizeof(err))) {
		fprintf(stderr, "relayguard: cannot read %s: %s\n", path, err);
		free(buf);
		return false;
	}
	free(buf);
	for (int i = 0; i < cf->lines.n; i++) {
		const char *l = cf->lines.v[i], *v;
		int no = cf->lineno[i];

		if (l[0] == 'X') {
			if (cf->nfilter == MAXFILTERS || !rg_sm_parse_filter(l,
			    &cf->filter[cf->nfilter])) {
				fprintf(stderr, "relayguard: %s:%d: cannot read this X line (or more "
				    "than %d)\n", path, no, MAXFILTERS);
				return false;
			}
			cf->filter[cf->nfilter++].line = no;
		} else if (l[0] == 'V') {
			cf->vlevel = atoi(l + 1);
			cf->vline = no;
		} else if (l[0] == 'D' && l[1] == 'Z') {
			cf->version.value = l + 2;
			cf->version.line = no;
		} else if (l[0] == 'O') {
			if ((v = option(l, "DaemonPortOptions")) != NULL) {
				if (cf->ndaemon == MAXDAEMONS || !rg_sm_parse_daemon(v,
				    &cf->daemon[cf->ndaemon])) {
					fprintf(stderr, "relayguard: %s:%d: cannot read this "
					    "DaemonPortOptions (or more than %d)\n", path, no, MAXDAEMONS);
					return false;
				}
				cf->daemon[cf->ndaemon++].line = no;
			} else if ((v = option(l, "InputMailFilters")) != NULL) {
				cf->input = (struct opt){ v, no };
			} else if ((v = option(l, "AuthOptions")) != NULL) {
				cf->authopts = (struct opt){ v, no };
			} else if ((v = option(l, "AuthMechanisms")) != NULL) {
				cf->authmechs = (struct opt){ v, no };
			}
			for (int m = 0; m < M_COUNT; m++)
				if ((v = option(l, mnames[m])) != NULL)
					cf->macros[m] = (struct opt){ v, no };
		}
	}
	return true;
}

static void
cf_free(struct cf *cf)
{
	rg_lines_free(&cf->lines);
	free(cf->lineno);
}

static void
at(const struct cf *cf, int line, char *buf, size_t len)
{
	if (line > 0)
		snprintf(buf, len, "%s:%d", cf->base, line);
	else
		snprintf(buf, len, "%s", cf->base);
}

static bool
daemon_external(const struct rg_sm_daemon *d)
{
	if (strcasecmp(d->family, "unix") == 0 || strcasecmp(d->family, "local") == 0)
		return false;
	return d->addr[0] == '\0' || !rg_sock_loopback(d->addr);
}

/* "8.17.1" at least 8.14?  Unparseable counts as new enough. */
static bool
negotiates(const struct cf *cf)
{
	int major = 0, minor = 0;

	if (cf->version.line == 0 || sscanf(cf->version.value, "%d.%d", &major, &minor) != 2)
		return true;
	return major > 8 || (major == 8 && minor >= 14);
}

static void
check_macros(const struct rg_lint_site *site, const struct cf *cf, struct rg_lint *l)
{
	const char *from = cf->macros[M_ENVFROM].value ? cf->macros[M_ENVFROM].value : "";
	char missing[200] = "", where[300];
	const char *why = NULL;
	enum rg_lint_sev sev = RG_LINT_NOTE;
	bool tls = false;

	if (!rg_pf_has_macro(from, "{auth_authen}")) {
		strcat(missing, " {auth_authen}");
		why = "no client is ever authenticated";
		sev = RG_LINT_ERROR;
	}
	for (int m = M_CONNECT; m <= M_ENVFROM; m++)
		tls = tls || (cf->macros[m].value && rg_pf_has_macro(cf->macros[m].value,
		    "{tls_version}"));
	if (!tls && site->require_tls) {
		strcat(missing, " {tls_version}");
		if (why == NULL)
			why = "every login counts as a login without TLS (auth.require_tls)";
		sev = RG_LINT_ERROR;
	}
	if (!rg_pf_has_macro(from, "{auth_type}")) {
		strcat(missing, " {auth_type}");
		if (why == NULL)
			why = "ANONYMOUS logins count as authenticated";
		if (sev < RG_LINT_WARNING)
			sev = RG_LINT_WARNING;
	}
	if (!rg_pf_has_macro(from, "i") && !(cf->macros[M_ENVRCPT].value &&
	    rg_pf_has_macro(cf->macros[M_ENVRCPT].value, "i"))) {
		strcat(missing, " i");
		if (why == NULL)
			why = "relayguard's log lines lack the queue id";
	}
	if (*missing == '\0')
		return;
	at(cf, cf->macros[M_ENVFROM].line, where, sizeof(where));
	if (negotiates(cf))
		rg_lint_add(l, RG_LINT_NOTE, where, "Milter.macros.envfrom does not list%s; "
		    "relayguard asks for them itself (smfi_setsymlist, Sendmail 8.14 and later), "
		    "without which %s; fix: add%s to confMILTER_MACROS_ENVFROM", missing, why,
		    missing);
	else
		rg_lint_add(l, sev, where, "Milter.macros.envfrom does not send%s and this "
		    "Sendmail cannot be asked for them, so %s; fix: add%s to "
		    "confMILTER_MACROS_ENVFROM", missing, why, missing);
}

static void
check_filter(const struct rg_lint_site *site, const struct cf *cf,
    const struct rg_sm_filter *f, struct rg_lint *l)
{
	char where[300];
	double r, s;

	at(cf, f->line, where, sizeof(where));
	if (strchr(f->flags, 'T') == NULL && strchr(f->flags, 'R') == NULL)
		rg_lint_add(l, RG_LINT_ERROR, where, "filter %s has no F=T, so Sendmail relays "
		    "mail unchecked whenever relayguard is down or slow; fix: F=T", f->name);
	else if (strchr(f->flags, 'T') == NULL)
		rg_lint_add(l, RG_LINT_WARNING, where, "filter %s has F=R, so Sendmail bounces "
		    "mail (5xx) whenever relayguard is down or slow; fix: F=T, unless refusing "
		    "is meant", f->name);
	if (site->budget > 0) {
		if (!rg_sm_timeout(f->timeouts, 'R', 10, &r) || !rg_sm_timeout(f->timeouts, 'S',
		    10, &s))
			rg_lint_add(l, RG_LINT_WARNING, where, "filter %s: T=%s cannot be read; "
			    "fix: T=S:%.0fs;R:%.0fs;E:5m", f->name, f->timeouts, site->budget + 1.5,
			    site->budget + 1.5);
		else if (r < site->budget + 1 || s < site->budget + 1)
			rg_lint_add(l, RG_LINT_WARNING, where, "filter %s: T=%s gives relayguard "
			    "%gs, less than its directory budget of %gs (directory.ldap.timeout) "
			    "plus 1s to answer, so a slow directory tempfails at the MTA; fix: "
			    "S: and R: at least %.0fs", f->name, f->timeouts, r < s ? r : s,
			    site->budget, site->budget + 1.5);
	}
	check_macros(site, cf, l);
}

static int
port_number(const char *p)
{
	static const struct { const char *name; int port; } names[] = {
		{ "", 25 }, { "smtp", 25 }, { "submission", 587 }, { "smtps", 465 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(p, names[i].name) == 0)
			return names[i].port;
	return atoi(p);
}

static bool
any_addr(const char *a)
{
	return *a == '\0' || strcmp(a, "0.0.0.0") == 0 || strcmp(a, "::") == 0;
}

/* Two listeners on one port and overlapping addresses: the second bind fails. */
static void
check_overlap(const struct cf *cf, struct rg_lint *l)
{
	char where[300];

	for (int j = 1; j < cf->ndaemon; j++) {
		const struct rg_sm_daemon *b = &cf->daemon[j];

		for (int i = 0; i < j; i++) {
			const struct rg_sm_daemon *a = &cf->daemon[i];

			if (strcasecmp(a->family[0] ? a->family : "inet", b->family[0] ?
			    b->family : "inet") != 0 || port_number(a->port) != port_number(b->port) ||
			    !(any_addr(a->addr) || any_addr(b->addr) || strcmp(a->addr, b->addr) == 0))
				continue;
			at(cf, b->line, where, sizeof(where));
			rg_lint_add(l, RG_LINT_ERROR, where, "daemon %s listens on port %d like "
			    "daemon %s (line %d) on an overlapping address, so one of them cannot "
			    "bind (EADDRINUSE); fix: keep one DAEMON_OPTIONS per port and address",
			    b->name, port_number(b->port), a->name, a->line);
			break;
		}
	}
}

static void
check_daemons(const struct rg_lint_site *site, const struct cf *cf,
    const struct rg_sm_filter *f, struct rg_lint *l)
{
	struct rg_sm_daemon dflt = { .name = "Daemon0", .port = "smtp" };
	const struct rg_sm_daemon *d = cf->daemon;
	int nd = cf->ndaemon, next = 0;
	char where[300];

	(void)site;
	if (nd == 0) {
		d = &dflt;	/* no DaemonPortOptions: Sendmail listens on port 25, any address */
		nd = 1;
	}
	for (int i = 0; i < nd; i++) {
		if (!daemon_external(&d[i]))
			continue;
		next++;
		if (d[i].has_filters) {
			if (rg_sm_listed(d[i].filters, f->name))
				continue;
			at(cf, d[i].line, where, sizeof(where));
			rg_lint_add(l, RG_LINT_ERROR, where, "daemon %s has its own "
			    "InputMailFilters=%s without %s, so its mail never reaches relayguard; "
			    "fix: add %s to it (names separated by ;)", d[i].name, d[i].filters,
			    f->name, f->name);
		} else if (cf->input.line == 0) {
			at(cf, f->line, where, sizeof(where));
			rg_lint_add(l, RG_LINT_ERROR, where, "filter %s is defined but no "
			    "InputMailFilters option names it, so mail never reaches relayguard; "
			    "fix: INPUT_MAIL_FILTER instead of MAIL_FILTER", f->name);
		} else if (!rg_sm_listed(cf->input.value, f->name)) {
			at(cf, cf->input.line, where, sizeof(where));
			rg_lint_add(l, RG_LINT_ERROR, where, "InputMailFilters=%s does not name %s, "
			    "so mail from outside never reaches relayguard; fix: add %s "
			    "(confINPUT_MAIL_FILTERS)", cf->input.value, f->name, f->name);
		}
	}
	if (next == 0) {
		at(cf, cf->ndaemon ? cf->daemon[0].line : 0, where, sizeof(where));
		rg_lint_add(l, RG_LINT_NOTE, where, "no DaemonPortOptions accepts mail from "
		    "outside (all listen on loopback), so there is nothing for relayguard to "
		    "guard; fix: nothing, if that is meant");
	}
}

static void
check_auth(const struct rg_lint_site *site, const struct cf *cf, struct rg_lint *l)
{
	const struct rg_sm_daemon *d = cf->daemon;
	bool plain = cf->ndaemon == 0;
	char where[300];

	if (!site->require_tls || cf->authmechs.line == 0 || *cf->authmechs.value == '\0')
		return;
	if (cf->authopts.line != 0 && rg_sm_listed(cf->authopts.value, "p"))
		return;
	/* A daemon with M=s (implicit TLS) or M=A (no AUTH) is not the problem. */
	for (int i = 0; i < cf->ndaemon; i++)
		if (daemon_external(&d[i]) && !strchr(d[i].modifiers, 's') &&
		    !strchr(d[i].modifiers, 'A'))
			plain = true;
	if (!plain)
		return;
	at(cf, cf->authopts.line ? cf->authopts.line : cf->authmechs.line, where, sizeof(where));
	rg_lint_add(l, RG_LINT_WARNING, where, "AuthOptions has no p, so AUTH PLAIN and LOGIN "
	    "are offered without TLS while auth.require_tls refuses relaying to logins "
	    "without TLS; fix: add p to confAUTH_OPTIONS");
}

int
rg_lint_sendmail(const struct rg_lint_site *site, const char *path, struct rg_lint *l)
{
	const struct rg_sm_filter *mine = NULL;
	struct rg_sock ss;
	char where[300];
	struct cf cf;

	if (!rg_sock_parse_milter(site->socket, &ss)) {
		fprintf(stderr, "relayguard: cannot read relayguard's socket \"%s\"\n", site->socket);
		return RG_LINT_UNREADABLE;
	}
	if (!cf_read(path, &cf)) {
		cf_free(&cf);
		return RG_LINT_UNREADABLE;
	}
	for (int i = 0; i < cf.nfilter && mine == NULL; i++) {
		struct rg_sock to;

		if (rg_sock_parse_milter(cf.filter[i].socket, &to) && rg_sock_reaches(&to, &ss))
			mine = &cf.filter[i];
	}
	if (cf.version.line != 0 && !negotiates(&cf)) {
		at(&cf, cf.version.line, where, sizeof(where));
		rg_lint_add(l, RG_LINT_WARNING, where, "Sendmail %s cannot negotiate the macros "
		    "relayguard asks for (smfi_setsymlist needs 8.14); fix: upgrade Sendmail",
		    cf.version.value);
	}
	if (cf.vline != 0 && cf.vlevel < 10) {
		at(&cf, cf.vline, where, sizeof(where));
		rg_lint_add(l, RG_LINT_WARNING, where, "configuration level V%d predates milters "
		    "(V10); fix: rebuild sendmail.cf with a current cf.m4", cf.vlevel);
	}
	if (mine == NULL) {
		at(&cf, cf.nfilter ? cf.filter[0].line : 0, where, sizeof(where));
		rg_lint_add(l, RG_LINT_ERROR, where, "no X filter uses relayguard's socket %s, so "
		    "mail never reaches relayguard; fix: INPUT_MAIL_FILTER(`relayguard', `S=%s, "
		    "F=T, T=S:10s;R:10s;E:5m')", site->socket, site->socket);
	} else {
		check_daemons(site, &cf, mine, l);
		check_filter(site, &cf, mine, l);
	}
	check_overlap(&cf, l);
	check_auth(site, &cf, l);
	cf_free(&cf);
	return 0;
}
