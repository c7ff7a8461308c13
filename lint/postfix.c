/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * postfix.c - read Postfix's configuration through postconf and check
 * relayguard's place in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postfix.h"
#include "run.h"
#include "sock.h"
#include "common/strutil.h"

#define POSTCONF_TIMEOUT 10.0

enum {
	P_MILTERS, P_DEFAULT_ACTION, P_COMMAND_TIMEOUT, P_PROTOCOL,
	P_CONNECT_MACROS, P_HELO_MACROS, P_MAIL_MACROS, P_RCPT_MACROS,
	P_TLS_AUTH_ONLY, P_SASL, P_WRAPPERMODE, P_TLS_LEVEL,
	P_RELAY_RESTR, P_RCPT_RESTR, P_QUEUE_DIR, P_RECEIVE_OVERRIDE,
	P_COUNT
};
static const char *const pnames[P_COUNT] = {
	"smtpd_milters", "milter_default_action", "milter_command_timeout", "milter_protocol",
	"milter_connect_macros", "milter_helo_macros", "milter_mail_macros", "milter_rcpt_macros",
	"smtpd_tls_auth_only", "smtpd_sasl_auth_enable", "smtpd_tls_wrappermode",
	"smtpd_tls_security_level", "smtpd_relay_restrictions", "smtpd_recipient_restrictions",
	"queue_directory", "receive_override_options",
};

struct pf {
	char *main[P_COUNT];		/* effective main.cf value, $names expanded */
	struct rg_pf_service *svc;
	int nsvc;
};

/* What one service runs with, and where each value comes from. */
struct view {
	const struct pf *pf;
	const struct rg_pf_service *s;
	char svcwhere[300];		/* "master.cf submission/inet" */
};

static const char *
eff(const struct view *v, int p, const char **where_r)
{
	for (int i = 0; i < v->s->nopts; i++) {
		if (strcmp(v->s->optname[i], pnames[p]) == 0) {
			if (where_r)
				*where_r = v->svcwhere;
			return v->s->optval[i];
		}
	}
	if (where_r)
		*where_r = pnames[p];
	return v->pf->main[p] ? v->pf->main[p] : "";
}

static bool
yes(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0;
}

/* "name = value" into name and value; false when the line is not that. */
static bool
nameval(char *line, char **name_r, char **val_r)
{
	char *eq = strstr(line, " =");

	if (eq == NULL)
		return false;
	*eq = '\0';
	*name_r = line;
	*val_r = eq[2] == ' ' ? eq + 3 : eq + 2;
	return true;
}

static bool
postconf(const char *bin, const char *dir, const char *const *extra, struct rg_lines *out)
{
	char *argv[P_COUNT + 8];
	char err[512];
	int n = 0;

	argv[n++] = (char *)bin;
	argv[n++] = (char *)"-c";
	argv[n++] = (char *)dir;
	for (; *extra; extra++)
		argv[n++] = (char *)*extra;
	argv[n] = NULL;
	if (rg_run_lines(argv, POSTCONF_TIMEOUT, out, err, sizeof(err)))
		return true;
	fprintf(stderr, "relayguard: cannot read the Postfix configuration in %s: postconf -c %s",
	    dir, dir);
	for (int i = 3; i < n; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, ": %s\n", err);
	return false;
}

static void
pf_free(struct pf *pf)
{
	for (int i = 0; i < P_COUNT; i++)
		free(pf->main[i]);
	for (int i = 0; i < pf->nsvc; i++)
		for (int k = 0; k < pf->svc[i].nopts; k++) {
			free(pf->svc[i].optname[k]);
			free(pf->svc[i].optval[k]);
		}
	free(pf->svc);
}

static bool
pf_read(const char *dir, struct pf *pf)
{
	static const char *const n_args[] = { "-n", NULL };
	static const char *const m_args[] = { "-M", NULL };
	static const char *const p_args[] = { "-P", "-x", NULL };
	const char *x_args[P_COUNT + 2];
	struct rg_lines l;
	char bin[4096];

	memset(pf, 0, sizeof(*pf));
	if (!rg_run_find("postconf", bin, sizeof(bin))) {
		fprintf(stderr, "relayguard: postconf not found in $PATH or /usr/sbin\n");
		return false;
	}
	/* -n first: it fails clearly when DIR has no main.cf. */
	if (!postconf(bin, dir, n_args, &l))
		return false;
	rg_lines_free(&l);

	x_args[0] = "-x";
	for (int i = 0; i < P_COUNT; i++)
		x_args[i + 1] = pnames[i];
	x_args[P_COUNT + 1] = NULL;
	if (!postconf(bin, dir, x_args, &l))
		return false;
	for (int i = 0; i < l.n; i++) {
		char *name, *val;

		if (!nameval(l.v[i], &name, &val))
			continue;
		for (int p = 0; p < P_COUNT; p++)
			if (strcmp(name, pnames[p]) == 0 && pf->main[p] == NULL)
				pf->main[p] = rg_xstrdup(val);
	}
	rg_lines_free(&l);

	if (!postconf(bin, dir, m_args, &l))
		return false;
	pf->svc = rg_xcalloc((size_t)l.n + 1, sizeof(*pf->svc));
	for (int i = 0; i < l.n; i++)
		if (rg_pf_parse_service(l.v[i], &pf->svc[pf->nsvc]))
			pf->nsvc++;
	rg_lines_free(&l);

	if (!postconf(bin, dir, p_args, &l))
		return false;
	for (int i = 0; i < l.n; i++) {
		char *name, *val, *slash1, *slash2;

		if (!nameval(l.v[i], &name, &val) || (slash1 = strchr(name, '/')) == NULL ||
		    (slash2 = strchr(slash1 + 1, '/')) == NULL)
			continue;
		*slash1 = *slash2 = '\0';
		for (int k = 0; k < pf->nsvc; k++) {
			struct rg_pf_service *s = &pf->svc[k];

			if (strcmp(s->name, name) != 0 || strcmp(s->type, slash1 + 1) != 0)
				continue;
			if (s->nopts == RG_PF_MAXOPTS) {
				fprintf(stderr, "relayguard: master.cf %s/%s has more than %d -o "
				    "options\n", s->name, s->type, RG_PF_MAXOPTS);
				rg_lines_free(&l);
				return false;
			}
			s->optname[s->nopts] = rg_xstrdup(slash2 + 1);
			s->optval[s->nopts++] = rg_xstrdup(val);
		}
	}
	rg_lines_free(&l);
	return true;
}

/* Mail from outside: an smtpd on a non-loopback inet port, or behind postscreen. */
static bool
external(const struct rg_pf_service *s)
{
	char host[256];
	const char *colon;

	if (strcmp(s->command, "smtpd") != 0)
		return false;
	if (strcmp(s->type, "pass") == 0)
		return true;
	if (strcmp(s->type, "inet") != 0)
		return false;
	if ((colon = strrchr(s->name, ':')) == NULL)
		return true;
	if (!rg_strncpy(host, sizeof(host), s->name, (size_t)(colon - s->name)))
		return true;
	return !rg_sock_loopback(host);
}

/* Where a unix milter name lands for this service: chroot and cwd are queue_directory. */
static void
resolve(const char *qdir, bool chrooted, const char *path, char *out, size_t len)
{
	if (path[0] != '/' || chrooted)
		snprintf(out, len, "%s%s%s", qdir, path[0] == '/' ? "" : "/", path);
	else
		snprintf(out, len, "%s", path);
}

/* Is 'path' inside 'dir'?  *rel_r then points at the part below it. */
static bool
below(const char *path, const char *dir, const char **rel_r)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(path, dir, n) != 0 || path[n] != '/')
		return false;
	*rel_r = path + n + 1;
	return true;
}

/* How this Postfix should name relayguard's socket. */
static void
suggest(const struct rg_sock *site, const char *qdir, char *buf, size_t len)
{
	const char *rel;

	if (site->kind == RG_SOCK_UNIX && below(site->path, qdir, &rel))
		snprintf(buf, len, "unix:%s", rel);
	else
		rg_sock_postfix_name(site, buf, len);
}

static void
check_macros(const struct rg_lint_site *site, const struct view *v, int protocol,
    struct rg_lint *l)
{
	const char *where, *mail = eff(v, P_MAIL_MACROS, &where);
	const char *tls_lists[] = { eff(v, P_CONNECT_MACROS, NULL), eff(v, P_HELO_MACROS, NULL),
	    mail };
	char missing[200] = "";
	const char *why = NULL;
	enum rg_lint_sev sev = RG_LINT_NOTE;
	bool tls = false;

	if (!rg_pf_has_macro(mail, "{auth_authen}")) {
		strcat(missing, " {auth_authen}");
		why = "no client is ever authenticated";
		sev = RG_LINT_ERROR;
	}
	for (int i = 0; i < 3; i++)
		tls = tls || rg_pf_has_macro(tls_lists[i], "{tls_version}");
	if (!tls && site->require_tls) {
		strcat(missing, " {tls_version}");
		if (why == NULL)
			why = "every login counts as a login without TLS (auth.require_tls)";
		sev = RG_LINT_ERROR;
	}
	if (!rg_pf_has_macro(mail, "{auth_type}")) {
		strcat(missing, " {auth_type}");
		if (why == NULL)
			why = "ANONYMOUS logins count as authenticated";
		if (sev < RG_LINT_WARNING)
			sev = RG_LINT_WARNING;
	}
	if (!rg_pf_has_macro(mail, "i") && !rg_pf_has_macro(eff(v, P_RCPT_MACROS, NULL), "i")) {
		strcat(missing, " i");
		if (why == NULL)
			why = "relayguard's log lines lack the queue id";
	}
	if (*missing == '\0')
		return;
	if (protocol >= 6)
		rg_lint_add(l, RG_LINT_NOTE, where, "does not list%s for MAIL FROM; relayguard asks "
		    "for them itself (smfi_setsymlist, milter protocol 6), without which %s; "
		    "fix: add%s to milter_mail_macros", missing, why, missing);
	else
		rg_lint_add(l, sev, where, "does not send%s at MAIL FROM and milter protocol %d "
		    "cannot ask for them, so %s; fix: add%s to milter_mail_macros", missing,
		    protocol, why, missing);
}

/* The checks that apply once relayguard's milter element m is known. */
static void
check_milter(const struct rg_lint_site *site, const struct view *v,
    const struct rg_pf_milter *m, const char *mwhere, struct rg_lint *l)
{
	const char *where, *val;
	double t;
	int protocol;

	if (*m->default_action) {
		val = m->default_action;
		where = mwhere;
	} else {
		val = eff(v, P_DEFAULT_ACTION, &where);
	}
	if (strcasecmp(val, "accept") == 0)
		rg_lint_add(l, RG_LINT_ERROR, where, "relayguard's milter fails open: default_action "
		    "accept relays mail unchecked whenever relayguard is down or slow; "
		    "fix: default_action = tempfail");
	else if (strcasecmp(val, "reject") == 0)
		rg_lint_add(l, RG_LINT_WARNING, where, "default_action reject bounces mail (5xx) "
		    "whenever relayguard is down or slow; fix: default_action = tempfail, "
		    "unless refusing is meant");

	if (*m->protocol) {
		val = m->protocol;
		where = mwhere;
	} else {
		val = eff(v, P_PROTOCOL, &where);
	}
	protocol = atoi(val);
	if (protocol < 6)
		rg_lint_add(l, RG_LINT_WARNING, where, "milter protocol %d cannot negotiate the "
		    "macros relayguard asks for (smfi_setsymlist)%s; fix: milter_protocol = 6",
		    protocol, protocol < 4 ? " and has no DATA stage" : "");

	if (site->budget > 0) {
		if (*m->command_timeout) {
			val = m->command_timeout;
			where = mwhere;
		} else {
			val = eff(v, P_COMMAND_TIMEOUT, &where);
		}
		if (!rg_pf_time(val, &t))
			rg_lint_add(l, RG_LINT_WARNING, where, "command timeout \"%s\" is not a time; "
			    "fix: at least %.0fs", val, site->budget + 1.5);
		else if (t < site->budget + 1)
			rg_lint_add(l, RG_LINT_WARNING, where, "milter command timeout %gs does not "
			    "cover relayguard's directory budget of %gs (directory.ldap.timeout) "
			    "plus 1s to answer, so a slow directory tempfails at the MTA; "
			    "fix: at least %.0fs", t, site->budget, site->budget + 1.5);
	}
	check_macros(site, v, protocol, l);
}

static void
check_reach(const struct rg_lint_site *site, const struct rg_sock *ss, const struct view *v,
    struct rg_lint *l)
{
	struct rg_pf_milter m[RG_PF_MAXMILTERS];
	const char *where, *ro_where, *rel, *qdir = eff(v, P_QUEUE_DIR, NULL);
	const char *list = eff(v, P_MILTERS, &where);
	const char *ro = eff(v, P_RECEIVE_OVERRIDE, &ro_where);
	bool chrooted = v->s->chroot == 'y', named = false;
	char err[200], fix[600], at[1100];
	int n;

	suggest(ss, qdir, fix, sizeof(fix));
	if (strstr(ro, "no_milters") != NULL) {
		rg_lint_add(l, RG_LINT_ERROR, ro_where, "receive_override_options = %s turns "
		    "every milter off, relayguard too; fix: remove no_milters", ro);
		return;
	}
	if (!rg_pf_parse_milters(list, m, RG_PF_MAXMILTERS, &n, err, sizeof(err))) {
		rg_lint_add(l, RG_LINT_ERROR, where, "smtpd_milters cannot be read: %s; fix: "
		    "write it as in postconf(5)", err);
		return;
	}
	if (n == 0) {
		rg_lint_add(l, RG_LINT_ERROR, where, "smtpd_milters is empty, so mail from outside "
		    "never reaches relayguard; fix: smtpd_milters = { %s, default_action=tempfail }%s",
		    fix, where == v->svcwhere ? ", or drop the -o override" : "");
		return;
	}
	for (int i = 0; i < n; i++) {
		struct rg_sock to;

		if (!rg_sock_parse_postfix(m[i].name, &to))
			continue;
		if (to.kind == RG_SOCK_UNIX) {
			resolve(qdir, chrooted, to.path, at, sizeof(at));
			named = named || strcmp(to.path, ss->path) == 0;
			if (!rg_strcpy(to.path, sizeof(to.path), at))
				continue;
		}
		if (rg_sock_reaches(&to, ss)) {
			check_milter(site, v, &m[i], where, l);
			return;
		}
	}
	if (chrooted && ss->kind == RG_SOCK_UNIX && (named || !below(ss->path, qdir, &rel)))
		rg_lint_add(l, RG_LINT_ERROR, v->svcwhere, "smtpd runs chrooted in %s and cannot "
		    "see relayguard's socket %s; fix: let relayguard listen on %s/run/relayguard/"
		    "milter.sock and name it unix:run/relayguard/milter.sock, or set this "
		    "service's chroot column to n", qdir, ss->path, qdir);
	else
		rg_lint_add(l, RG_LINT_ERROR, where, "no milter in \"%s\" reaches relayguard's "
		    "socket %s; fix: add { %s, default_action=tempfail }", list, site->socket, fix);
}

static void
check_service(const struct rg_lint_site *site, const struct rg_sock *ss, const struct view *v,
    struct rg_lint *l)
{
	const char *where, *w2, *w3, *w4;

	check_reach(site, ss, v, l);

	/* AUTH before TLS, while relayguard refuses relaying to such logins. */
	if (site->require_tls && yes(eff(v, P_SASL, &where)) &&
	    !yes(eff(v, P_TLS_AUTH_ONLY, &w2)) && !yes(eff(v, P_WRAPPERMODE, &w3)) &&
	    strcasecmp(eff(v, P_TLS_LEVEL, &w4), "encrypt") != 0) {
		/* A service's own -o settings are where to look; else main.cf. */
		if (where == v->svcwhere || w2 == v->svcwhere || w3 == v->svcwhere ||
		    w4 == v->svcwhere)
			where = v->svcwhere;
		else
			where = w2;
		rg_lint_add(l, RG_LINT_WARNING, where, "AUTH is offered without TLS "
		    "(smtpd_sasl_auth_enable = yes, smtpd_tls_auth_only = no) while "
		    "auth.require_tls refuses relaying to logins without TLS; "
		    "fix: smtpd_tls_auth_only = yes");
	}

	/* Postfix's own relay check: relayguard alone otherwise. */
	if (!rg_pf_relay_restricted(eff(v, P_RELAY_RESTR, &where)) &&
	    !rg_pf_relay_restricted(eff(v, P_RCPT_RESTR, &w2))) {
		if (where != v->svcwhere && w2 == v->svcwhere)
			where = w2;
		rg_lint_add(l, RG_LINT_NOTE, where, "neither smtpd_relay_restrictions nor "
		    "smtpd_recipient_restrictions refuses relaying on its own, so relayguard is "
		    "the only defence; fix: keep reject_unauth_destination (or "
		    "defer_unauth_destination) in smtpd_relay_restrictions");
	}
}

int
rg_lint_postfix(const struct rg_lint_site *site, const char *dir, struct rg_lint *l)
{
	struct rg_sock ss;
	struct pf pf;
	int nexternal = 0;

	if (!rg_sock_parse_milter(site->socket, &ss)) {
		fprintf(stderr, "relayguard: cannot read relayguard's socket \"%s\"\n", site->socket);
		return RG_LINT_UNREADABLE;
	}
	if (!pf_read(dir, &pf)) {
		pf_free(&pf);
		return RG_LINT_UNREADABLE;
	}
	for (int i = 0; i < pf.nsvc; i++) {
		struct view v = { &pf, &pf.svc[i], "" };

		if (!external(v.s))
			continue;
		nexternal++;
		snprintf(v.svcwhere, sizeof(v.svcwhere), "master.cf %s/%s", v.s->name, v.s->type);
		check_service(site, &ss, &v, l);
	}
	if (nexternal == 0)
		rg_lint_add(l, RG_LINT_NOTE, "master.cf", "no smtpd service accepts mail from "
		    "outside, so there is nothing for relayguard to guard; fix: nothing, if that "
		    "is meant");
	pf_free(&pf);
	return 0;
}
