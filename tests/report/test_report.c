/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_report.c - table-driven tests of relayguard -R's pure parts: the
 * syslog header split, the key=value reader, the recommendations, and
 * the notice escaping.
 */
#include <time.h>

#include "tests/unit/unit.h"
#include "report/logparse.h"
#include "report/notice.h"
#include "report/output.h"
#include "report/tally.h"

static time_t
day(const char *s)
{
	struct tm tm = { 0 };

	strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	return timegm(&tm);
}

static const struct {
	const char *line;
	enum rg_lp_kind kind;
	const char *when, *msg;
} split_rows[] = {
	{ "Nov 23 08:00:01 gw relayguard[42]: NOQUEUE: action=reject", RG_LP_OURS,
	  "2026-11-23 08:00:01", "NOQUEUE: action=reject" },
	{ "Nov  3 08:00:01 gw relayguard[42]: x=1", RG_LP_OURS, "2026-11-03 08:00:01", "x=1" },
	{ "Dec 01 23:59:59 gw relayguard[7]: x=1\r", RG_LP_OURS, "2026-12-01 23:59:59", "x=1" },
	{ "2026-11-23T08:00:01.123456+01:00 gw relayguard[42]: x=1", RG_LP_OURS,
	  "2026-11-23 08:00:01", "x=1" },
	{ "2026-11-23T08:00:01Z gw relayguard[42]: x=1", RG_LP_OURS, "2026-11-23 08:00:01", "x=1" },
	/* December lines read in a January: last year's. */
	{ "Dec 31 10:00:00 gw relayguard[42]: x=1", RG_LP_OURS, "2026-12-31 10:00:00", "x=1" },
	/* Forged: another program's tag, then relayguard's text. */
	{ "Nov 23 08:00:01 gw evil[9]: relayguard[42]: NOQUEUE: action=reject", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw postfix/smtpd[9]: relayguard[42]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguard: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguard[]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguard[4x]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguardx[4]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "relayguard[42]: NOQUEUE: action=reject", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 relayguard[42]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Foo 23 08:00:01 gw relayguard[42]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 32 08:00:01 gw relayguard[42]: x=1", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 25:00:01 gw relayguard[42]: x=1", RG_LP_OTHER, NULL, NULL },
	/* Truncated anywhere in the header. */
	{ "Nov 23 08:00", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayg", RG_LP_OTHER, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguard[42", RG_LP_OTHER, NULL, NULL },
	{ "", RG_LP_OTHER, NULL, NULL },
	/* Raw control bytes: relayguard escapes them all, so not its line. */
	{ "Nov 23 08:00:01 gw relayguard[42]: x=1\ry=2", RG_LP_BAD, NULL, NULL },
	{ "Nov 23 08:00:01 gw relayguard[42]: x=\x1b[1m", RG_LP_BAD, NULL, NULL },
};

static void
test_split(void)
{
	time_t ref = day("2026-12-15 00:00:00"), jan = day("2027-01-10 00:00:00");

	for (size_t i = 0; i < UT_NROWS(split_rows); i++) {
		const char *line = split_rows[i].line;
		struct rg_lp_line l;
		enum rg_lp_kind k = rg_lp_split(line, strlen(line), strstr(line, "Dec 31") ? jan : ref, &l);

		UT_INT(line, "kind", k, split_rows[i].kind);
		if (k == RG_LP_OURS && split_rows[i].when != NULL) {
			char got[32], msg[200];

			rg_report_time(l.when, got, sizeof(got), 0);
			UT_STR(line, "when", got, split_rows[i].when);
			snprintf(msg, sizeof(msg), "%.*s", (int)l.msglen, l.msg);
			UT_STR(line, "msg", msg, split_rows[i].msg);
		}
	}
}

static const struct {
	const char *msg;
	bool ok;
	const char *qid, *action, *reason, *from, *rcpt;
} field_rows[] = {
	{ "4E435A88CD2: action=accept stage=rcpt reason=legacy-exception client=198.51.100.7 "
	  "from=<bob@example.edu> rcpt=<u@victim.example> expires=2099-03-01 note=\"ticket 4411\"",
	  true, "4E435A88CD2", "accept", "legacy-exception", "bob@example.edu", "u@victim.example" },
	{ "NOQUEUE: action=reject stage=rcpt reason=relay-denied from=<a@b> "
	  "rcpt=\"<\\\"x y\\\"@victim.example>\"", true, "NOQUEUE", "reject", "relay-denied", "a@b",
	  "\"x y\"@victim.example" },
	/* An escaped CR or NUL stays inside its value and never splits a line. */
	{ "NOQUEUE: action=reject reason=x from=\"<a\\r\\nreason=forged@b>\"", true, "NOQUEUE",
	  "reject", "x", "a\r\nreason=forged@b", NULL },
	{ "NOQUEUE: action=reject reason=x from=\"<a\\x00b@c>\"", true, "NOQUEUE", "reject", "x",
	  "ab@c", NULL },
	/* A key seen twice keeps its first value (a value cannot add a key). */
	{ "Q1: action=reject reason=relay-denied reason=legacy-exception", true, "Q1", "reject",
	  "relay-denied", NULL, NULL },
	/* Cut inside quotes, a bad escape, a stray quote: not read at all. */
	{ "NOQUEUE: action=reject reason=x from=\"<a@b", false, NULL, NULL, NULL, NULL, NULL },
	{ "NOQUEUE: action=reject reason=x from=\"<a\\q@b>\"", false, NULL, NULL, NULL, NULL, NULL },
	{ "NOQUEUE: action=reject reason=x\"y", false, NULL, NULL, NULL, NULL, NULL },
	{ "NOQUEUE: action=reject reason=\"x\"y", false, NULL, NULL, NULL, NULL, NULL },
	{ "relayguard 0.1.0 listening on inet:1@127.0.0.1", false, NULL, NULL, NULL, NULL, NULL },
	{ "ldap=down uri=ldap://h/ why=\"connect: Can't contact LDAP server\"", true, "", NULL, NULL,
	  NULL, NULL },
};

static void
test_fields(void)
{
	static struct rg_lp_kv kv;

	for (size_t i = 0; i < UT_NROWS(field_rows); i++) {
		const char *m = field_rows[i].msg;
		bool ok = rg_lp_fields(m, strlen(m), &kv);

		UT_INT(m, "ok", ok, field_rows[i].ok);
		if (!ok || !field_rows[i].ok)
			continue;
		UT_STR(m, "qid", kv.qid, field_rows[i].qid);
		UT_STR(m, "action", kv.v[RG_F_ACTION], field_rows[i].action);
		UT_STR(m, "reason", kv.v[RG_F_REASON], field_rows[i].reason);
		UT_STR(m, "from", kv.v[RG_F_FROM], field_rows[i].from);
		UT_STR(m, "rcpt", kv.v[RG_F_RCPT], field_rows[i].rcpt);
	}
}

/* Lines as the daemon writes them; each row's exception gets them all. */
#define H "Nov 23 08:00:0"
static const struct {
	const char *name, *nets;
	const char *lines[4];
	enum rg_advice want;
	const char *why;
} advice_rows[] = {
	{ "unused", NULL, { NULL }, RG_ADVICE_REMOVE, "unused in the 1 day read" },
	{ "few networks", NULL, {
	  H "1 gw relayguard[1]: NOQUEUE: action=accept stage=mail reason=legacy-exception "
	  "client=198.51.100.7 from=<u@example.edu> expires=2099-03-01",
	  H "2 gw relayguard[1]: Q1: action=accept stage=rcpt reason=legacy-exception "
	  "client=198.51.100.7 from=<u@example.edu> rcpt=<x@y> expires=2099-03-01" },
	  RG_ADVICE_SCOPE, "used from 1 network only" },
	{ "scoped already", "198.51.100.0/24", {
	  H "1 gw relayguard[1]: NOQUEUE: action=accept stage=mail reason=legacy-exception "
	  "client=198.51.100.7 from=<u@example.edu> expires=2099-03-01" },
	  RG_ADVICE_NOTIFY, "still in use; the owner was never seen authenticated" },
	{ "owner logs in", NULL, {
	  H "1 gw relayguard[1]: NOQUEUE: action=accept stage=mail reason=legacy-exception "
	  "client=198.51.100.7 from=<u@example.edu> expires=2099-03-01",
	  H "2 gw relayguard[1]: NOQUEUE: action=accept stage=mail reason=authenticated "
	  "client=203.0.113.5 auth=u tls=TLSv1.3 from=<U@Example.EDU> exception=u@example.edu" },
	  RG_ADVICE_REMOVE, "the owner already sends authenticated as u" },
	{ "expired", NULL, {
	  H "1 gw relayguard[1]: NOQUEUE: action=reject stage=rcpt reason=legacy-exception-expired "
	  "client=198.51.100.7 from=<u@example.edu> rcpt=<x@y> expires=2001-01-01" },
	  RG_ADVICE_EXPIRED_USED, "1 relay attempt refused as expired, the last on 2026-11-23" },
	{ "forged tag counts nothing", NULL, {
	  H "1 gw evil[1]: relayguard[1]: NOQUEUE: action=accept stage=mail reason=legacy-exception "
	  "client=198.51.100.7 from=<u@example.edu> expires=2099-03-01" },
	  RG_ADVICE_REMOVE, "unused in the 1 day read" },
};

static void
test_advice(void)
{
	time_t ref = day("2026-12-15 00:00:00");

	for (size_t i = 0; i < UT_NROWS(advice_rows); i++) {
		struct rg_policy *p = rg_policy_new();
		struct rg_netset *nets = NULL;
		struct rg_tally t;
		char why[256], err[128];

		if (advice_rows[i].nets != NULL) {
			nets = rg_netset_new();
			rg_netset_add(nets, advice_rows[i].nets, err, sizeof(err));
		}
		rg_policy_add_exception(p, "u@example.edu", day("2099-03-01 00:00:00"), "2099-03-01",
		    nets, "");
		rg_tally_init(&t, p, 0, 0);
		for (size_t k = 0; k < 4 && advice_rows[i].lines[k] != NULL; k++) {
			const char *line = advice_rows[i].lines[k];
			struct rg_lp_line l;

			rg_tally_line(&t, rg_lp_split(line, strlen(line), ref, &l), &l);
		}
		UT_STR(advice_rows[i].name, "advice", rg_advice_name(rg_tally_advice(&t, &t.exc[0],
		    why, sizeof(why))), rg_advice_name(advice_rows[i].want));
		UT_STR(advice_rows[i].name, "why", why, advice_rows[i].why);
		rg_tally_free(&t);
		rg_policy_destroy(&p);
	}
}

static const struct {
	const char *in, *safe;
	bool addr_ok;
} notice_rows[] = {
	{ "bob@example.edu", "bob@example.edu", true },
	{ "bob@example.edu\r\nBcc: all@example.edu", "bob@example.edu??Bcc: all@example.edu", false },
	{ "b\xc3\xa9@example.edu", "b\xc3\xa9@example.edu", false },
	{ "b\xff\xfe@x", "b??@x", false },
	{ "\xc0\xaf", "??", false },
	{ "a,b@example.edu", "a,b@example.edu", false },
	{ "<a@example.edu>", "<a@example.edu>", false },
	{ "a b@example.edu", "a b@example.edu", false },
	{ "a@b@example.edu", "a@b@example.edu", false },
	{ "@example.edu", "@example.edu", false },
};

static void
test_notice(void)
{
	for (size_t i = 0; i < UT_NROWS(notice_rows); i++) {
		char out[200];

		rg_notice_safe(notice_rows[i].in, out, sizeof(out));
		UT_STR(notice_rows[i].in, "safe", out, notice_rows[i].safe);
		UT_INT(notice_rows[i].in, "addr_ok", rg_notice_addr_ok(notice_rows[i].in),
		    notice_rows[i].addr_ok);
	}
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("report");
	ut_test(s, "syslog headers", test_split);
	ut_test(s, "key=value fields", test_fields);
	ut_test(s, "recommendations", test_advice);
	ut_test(s, "notice escaping", test_notice);
	return ut_run();
}
