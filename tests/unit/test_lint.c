/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_lint.c - the parsers behind relayguard -L, one table row per case,
 * and the findings list (dedupe, escaping, exit status).
 */
#include "unit.h"
#include "lint/lint.h"
#include "lint/postfix.h"
#include "lint/run.h"
#include "lint/sendmail.h"
#include "lint/sock.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void
test_sock(void)
{
	static const struct {
		const char *postfix, *milter;	/* what the MTA names, what relayguard listens on */
		bool reaches;
	} rows[] = {
		{ "inet:127.0.0.1:8894", "inet:8894@127.0.0.1", true },
		{ "inet:localhost:8894", "inet:8894@127.0.0.1", true },
		{ "inet:127.0.0.1:8894", "inet:8894@localhost", true },
		{ "inet:127.0.0.1:8894", "inet:8894", true },
		{ "inet:192.0.2.1:8894", "inet:8894@0.0.0.0", true },
		{ "inet:127.0.0.1:8895", "inet:8894@127.0.0.1", false },
		{ "inet:[::1]:8894", "inet6:8894@::1", true },
		{ "inet:[::1]:8894", "inet:8894@127.0.0.1", false },
		{ "inet:192.0.2.1:8894", "inet:8894@127.0.0.1", false },
		{ "unix:/run/rg.sock", "unix:/run/rg.sock", true },
		{ "local:/run/rg.sock", "local:/run/rg.sock", true },
		{ "unix:/run/rg.sock", "unix:/run/other.sock", false },
		{ "unix:run/rg.sock", "unix:run/rg.sock", false },	/* unresolved relative */
		{ "unix:/run/rg.sock", "inet:8894@127.0.0.1", false },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct rg_sock to, at;

		UT_INT(rows[i].postfix, "postfix parses", rg_sock_parse_postfix(rows[i].postfix, &to), 1);
		UT_INT(rows[i].milter, "milter parses", rg_sock_parse_milter(rows[i].milter, &at), 1);
		UT_INT(rows[i].postfix, "reaches", rg_sock_reaches(&to, &at), rows[i].reaches);
	}
	static const char *const bad_milter[] = { "inet:", "inet:x@127.0.0.1", "inet:70000",
	    "inet:0@h", "unix:", "tcp:1@h", "" };
	for (size_t i = 0; i < N(bad_milter); i++) {
		struct rg_sock s;

		UT_INT(bad_milter[i], "milter refused", rg_sock_parse_milter(bad_milter[i], &s), 0);
	}
	static const char *const bad_postfix[] = { "inet:8894", "inet:h:", "inet:h:99999",
	    "unix:", "8894" };
	for (size_t i = 0; i < N(bad_postfix); i++) {
		struct rg_sock s;

		UT_INT(bad_postfix[i], "postfix refused", rg_sock_parse_postfix(bad_postfix[i], &s), 0);
	}
}

static void
test_milters(void)
{
	static const struct {
		const char *value;
		int n;			/* -1: refused */
		const char *name1, *action1, *timeout1, *protocol1;
		const char *name2;
	} rows[] = {
		{ "", 0, NULL, NULL, NULL, NULL, NULL },
		{ "inet:127.0.0.1:8894", 1, "inet:127.0.0.1:8894", "", "", "", NULL },
		{ "inet:a:1, unix:b", 2, "inet:a:1", "", "", "", "unix:b" },
		{ "inet:a:1 unix:b", 2, "inet:a:1", "", "", "", "unix:b" },
		{ "{ inet:a:1, default_action=accept }", 1, "inet:a:1", "accept", "", "", NULL },
		{ "{inet:a:1,default_action = tempfail, command_timeout= 5s, protocol =6}, unix:b",
		  2, "inet:a:1", "tempfail", "5s", "6", "unix:b" },
		{ "{ inet:a:1, connect_timeout=10s }", 1, "inet:a:1", "", "", "", NULL },
		{ "{ inet:a:1, default_action }", -1, NULL, NULL, NULL, NULL, NULL },
		{ "{ inet:a:1", -1, NULL, NULL, NULL, NULL, NULL },
		{ "inet:a:1 }", -1, NULL, NULL, NULL, NULL, NULL },
		{ "{ }", -1, NULL, NULL, NULL, NULL, NULL },
		{ "{ default_action=accept }", -1, NULL, NULL, NULL, NULL, NULL },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct rg_pf_milter m[4];
		char err[200] = "";
		int n = -2;
		bool ok = rg_pf_parse_milters(rows[i].value, m, 4, &n, err, sizeof(err));

		UT_INT(rows[i].value, "accepted", ok, rows[i].n >= 0);
		if (!ok || rows[i].n < 0)
			continue;
		UT_INT(rows[i].value, "count", n, rows[i].n);
		if (rows[i].n >= 1) {
			UT_STR(rows[i].value, "name", m[0].name, rows[i].name1);
			UT_STR(rows[i].value, "default_action", m[0].default_action, rows[i].action1);
			UT_STR(rows[i].value, "command_timeout", m[0].command_timeout, rows[i].timeout1);
			UT_STR(rows[i].value, "protocol", m[0].protocol, rows[i].protocol1);
		}
		if (rows[i].n >= 2)
			UT_STR(rows[i].value, "second name", m[1].name, rows[i].name2);
	}
	{
		struct rg_pf_milter m[2];
		char err[200] = "";
		int n;

		UT_INT("3 milters, room for 2", "refused",
		    rg_pf_parse_milters("a b c", m, 2, &n, err, sizeof(err)), 0);
		UT_STR("3 milters, room for 2", "error", err, "more than 2 milters");
	}
}

static void
test_values(void)
{
	static const struct { const char *v; bool ok; double sec; } times[] = {
		{ "30s", true, 30 }, { "30", true, 30 }, { "2m", true, 120 }, { "1h", true, 3600 },
		{ "1d", true, 86400 }, { "1w", true, 604800 }, { "0.5s", true, 0.5 },
		{ "s", false, 0 }, { "10x", false, 0 }, { "10ss", false, 0 }, { "", false, 0 },
		{ "-5s", false, 0 },
	};
	for (size_t i = 0; i < N(times); i++) {
		double s = -1;
		bool ok = rg_pf_time(times[i].v, &s);

		UT_INT(times[i].v, "time ok", ok, times[i].ok);
		if (ok)
			UT_INT(times[i].v, "ms", (long)(s * 1000), (long)(times[i].sec * 1000));
	}
	static const struct { const char *list; bool restricted; } restr[] = {
		{ "permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination", true },
		{ "permit_mynetworks permit_sasl_authenticated reject_unauth_destination", true },
		{ "permit_sasl_authenticated, reject", true },
		{ "permit_mynetworks, permit", false },
		{ "permit, reject_unauth_destination", false },
		{ "", false },
		{ "check_client_access hash:/etc/postfix/x, permit_auth_destination", false },
		{ "REJECT_UNAUTH_DESTINATION", true },
	};
	for (size_t i = 0; i < N(restr); i++)
		UT_INT(restr[i].list, "restricted", rg_pf_relay_restricted(restr[i].list),
		    restr[i].restricted);
	static const struct { const char *list, *macro; bool has; } mac[] = {
		{ "i {auth_type} {auth_authen}", "{auth_authen}", true },
		{ "i, {auth_type}, {auth_authen}", "{auth_type}", true },
		{ "{i} {mail_addr}", "i", true },
		{ "i {mail_addr}", "{i}", true },
		{ "{auth_author}", "{auth_authen}", false },
		{ "{auth_authen_x}", "{auth_authen}", false },
		{ "", "i", false },
	};
	for (size_t i = 0; i < N(mac); i++)
		UT_INT(mac[i].list, mac[i].macro, rg_pf_has_macro(mac[i].list, mac[i].macro),
		    mac[i].has);
}

static void
test_service(void)
{
	static const struct {
		const char *line;
		bool ok;
		const char *name, *type, *command;
		char chroot;
	} rows[] = {
		{ "smtp      inet  n       -       y       -       -       smtpd", true,
		  "smtp", "inet", "smtpd", 'y' },
		{ "127.0.0.1:10025 inet n - n - - smtpd -o content_filter=", true,
		  "127.0.0.1:10025", "inet", "smtpd", 'n' },
		{ "smtpd     pass  -       -       -       -       -       smtpd", true,
		  "smtpd", "pass", "smtpd", '-' },
		{ "smtp inet n - y -", false, NULL, NULL, NULL, 0 },
		{ "smtp inet n - yes - - smtpd", false, NULL, NULL, NULL, 0 },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct rg_pf_service s;
		bool ok = rg_pf_parse_service(rows[i].line, &s);

		UT_INT(rows[i].line, "parsed", ok, rows[i].ok);
		if (!ok || !rows[i].ok)
			continue;
		UT_STR(rows[i].line, "name", s.name, rows[i].name);
		UT_STR(rows[i].line, "type", s.type, rows[i].type);
		UT_STR(rows[i].line, "command", s.command, rows[i].command);
		UT_INT(rows[i].line, "chroot", s.chroot, rows[i].chroot);
	}
}

static void
test_sendmail(void)
{
	static const struct {
		const char *line;
		bool ok;
		const char *name, *socket, *flags, *timeouts;
	} x[] = {
		{ "Xrelayguard, S=inet:8894@127.0.0.1, F=T, T=C:10s;S:20s;R:20s;E:5m", true,
		  "relayguard", "inet:8894@127.0.0.1", "T", "C:10s;S:20s;R:20s;E:5m" },
		{ "Xa,S=local:/run/a.sock", true, "a", "local:/run/a.sock", "", "" },
		{ "Xa, S=unix:/x, F=R, Sxx", false, NULL, NULL, NULL, NULL },
		{ "X, S=unix:/x", false, NULL, NULL, NULL, NULL },
		{ "O InputMailFilters=a", false, NULL, NULL, NULL, NULL },
	};
	for (size_t i = 0; i < N(x); i++) {
		struct rg_sm_filter f;
		bool ok = rg_sm_parse_filter(x[i].line, &f);

		UT_INT(x[i].line, "parsed", ok, x[i].ok);
		if (!ok || !x[i].ok)
			continue;
		UT_STR(x[i].line, "name", f.name, x[i].name);
		UT_STR(x[i].line, "socket", f.socket, x[i].socket);
		UT_STR(x[i].line, "flags", f.flags, x[i].flags);
		UT_STR(x[i].line, "timeouts", f.timeouts, x[i].timeouts);
	}
	static const struct {
		const char *t;
		char key;
		bool ok;
		double sec;
	} t[] = {
		{ "C:10s;S:20s;R:20s;E:5m", 'R', true, 20 }, { "C:10s;S:20s;R:20s;E:5m", 'E', true, 300 },
		{ "C:10s", 'R', true, 10 }, { "", 'S', true, 10 }, { "R:2m", 'R', true, 120 },
		{ "R=2m", 'R', false, 0 }, { "R:", 'R', false, 0 }, { "R:x", 'R', false, 0 },
	};
	for (size_t i = 0; i < N(t); i++) {
		double s;
		bool ok = rg_sm_timeout(t[i].t, t[i].key, 10, &s);

		UT_INT(t[i].t, "timeout ok", ok, t[i].ok);
		if (ok && t[i].ok)
			UT_INT(t[i].t, "seconds", (long)s, (long)t[i].sec);
	}
	static const struct {
		const char *v;
		const char *name, *family, *addr, *port, *mods, *filters;
		bool has_filters;
	} d[] = {
		{ "Family=inet,  Name=MTA-v4, Port=smtp, Addr=127.0.0.1", "MTA-v4", "inet",
		  "127.0.0.1", "smtp", "", "", false },
		{ "Name=MSA, Port=submission, M=Ea, InputMailFilters=a;b", "MSA", "", "",
		  "submission", "Ea", "a;b", true },
		{ "Name=X, I=", "X", "", "", "", "", "", true },
	};
	for (size_t i = 0; i < N(d); i++) {
		struct rg_sm_daemon o;

		UT_INT(d[i].v, "parsed", rg_sm_parse_daemon(d[i].v, &o), 1);
		UT_STR(d[i].v, "name", o.name, d[i].name);
		UT_STR(d[i].v, "family", o.family, d[i].family);
		UT_STR(d[i].v, "addr", o.addr, d[i].addr);
		UT_STR(d[i].v, "port", o.port, d[i].port);
		UT_STR(d[i].v, "modifiers", o.modifiers, d[i].mods);
		UT_STR(d[i].v, "filters", o.filters, d[i].filters);
		UT_INT(d[i].v, "has filters", o.has_filters, d[i].has_filters);
	}
	UT_INT("a;relayguard", "listed", rg_sm_listed("a;relayguard", "relayguard"), 1);
	UT_INT("a, relayguard", "listed", rg_sm_listed("a, relayguard", "relayguard"), 1);
	UT_INT("relayguard2", "listed", rg_sm_listed("relayguard2", "relayguard"), 0);
}

static void
test_lines(void)
{
	static const struct {
		const char *row, *buf;
		bool join, ok;
		int n;
		const char *last, *err;
		int lastno;
	} rows[] = {
		{ "plain", "a\nb\n", false, true, 2, "b", NULL, 2 },
		{ "no final newline", "a\nb", false, true, 2, "b", NULL, 2 },
		{ "CRLF", "a\r\nb\r\n", false, true, 2, "b", NULL, 2 },
		{ "joined", "Xa,\n\tS=x\nO b\n", true, true, 2, "O b", NULL, 3 },
		{ "continuation kept apart", "a\n b\n", false, true, 2, " b", NULL, 2 },
	};
	for (size_t i = 0; i < N(rows); i++) {
		struct rg_lines l;
		int *no = NULL;
		char err[200] = "";
		bool ok = rg_split_lines(rows[i].buf, strlen(rows[i].buf), rows[i].join, &l, &no,
		    err, sizeof(err));

		UT_INT(rows[i].row, "ok", ok, rows[i].ok);
		if (!ok)
			continue;
		UT_INT(rows[i].row, "lines", l.n, rows[i].n);
		UT_STR(rows[i].row, "last", l.v[l.n - 1], rows[i].last);
		UT_INT(rows[i].row, "last line number", no[l.n - 1], rows[i].lastno);
		if (rows[i].join)
			UT_STR(rows[i].row, "first", l.v[0], "Xa,\tS=x");
		rg_lines_free(&l);
		free(no);
	}
	{
		size_t n = RG_LINT_MAXLINE + 10;
		char *big = malloc(n + 1), err[200] = "";
		struct rg_lines l;

		memset(big, 'x', n);
		big[n] = '\0';
		UT_INT("too long", "refused", rg_split_lines(big, n, false, &l, NULL, err,
		    sizeof(err)), 0);
		UT_STR("too long", "error", err, "line 1 is longer than 16384 bytes");
		big[0] = 'a';
		big[1] = '\n';
		big[2] = '\0';
		UT_INT("NUL", "refused", rg_split_lines(big, 5, false, &l, NULL, err, sizeof(err)), 0);
		UT_STR("NUL", "error", err, "line 2 holds a NUL byte");
		free(big);
	}
}

static void
test_findings(void)
{
	struct rg_lint *l = rg_lint_new();
	FILE *null = fopen("/dev/null", "w");

	UT_INT("empty", "status", rg_lint_report(l, null), RG_LINT_CLEAN);
	rg_lint_add(l, RG_LINT_NOTE, "a", "x; fix: y");
	UT_INT("a note", "status", rg_lint_report(l, null), RG_LINT_CLEAN);
	rg_lint_add(l, RG_LINT_WARNING, "b", "x; fix: y");
	UT_INT("a warning", "status", rg_lint_report(l, null), RG_LINT_WARNINGS);
	rg_lint_add(l, RG_LINT_WARNING, "b", "x; fix: y");
	UT_INT("duplicate dropped", "count", rg_lint_count(l), 2);
	rg_lint_add(l, RG_LINT_ERROR, "c", "bad \"%s\"; fix: y", "a\nb\033[1m\xc3");
	UT_INT("an error", "status", rg_lint_report(l, null), RG_LINT_ERRORS);
	UT_STR("escaped", "line", rg_lint_line(l, 2), "error: c: bad \"a\\x0ab\\x1b[1m\\xc3\"; fix: y");
	UT_STR("first", "line", rg_lint_line(l, 0), "note: a: x; fix: y");
	UT_STR("past the end", "line", rg_lint_line(l, 3), NULL);
	fclose(null);
	rg_lint_destroy(&l);
	UT_INT("destroy clears", "pointer", l == NULL, 1);
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("lint");
	ut_test(s, "socket names", test_sock);
	ut_test(s, "smtpd_milters", test_milters);
	ut_test(s, "times, restrictions, macros", test_values);
	ut_test(s, "postconf -M lines", test_service);
	ut_test(s, "sendmail.cf X, T= and DaemonPortOptions", test_sendmail);
	ut_test(s, "bounded lines", test_lines);
	ut_test(s, "findings", test_findings);
	return ut_run();
}
