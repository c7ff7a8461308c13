/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_session.c - session/ through its public API, on the scripted test
 * directory (directory.backend = "script", --enable-test-backends), with
 * main() for this program.
 *
 * Each row is one transaction from an offsite client: the directory's
 * answer to the one question that matters (a recipient's kind, or whether
 * the login owns the sender), under on_error "tempfail", "continue" and
 * monitor mode, and the verdict and log line the stage must give.  The
 * error path is replayed without a server, as Postfix does with fail:.
 * In a build without the scripted directory the program skips (77).
 */
#include <stdarg.h>
#include <unistd.h>

#include "unit.h"
#include "conf/conf.h"
#include "conf/conf_errs.h"
#include "session/session.h"

static const char script[] =
    "# one answer per outcome\n"
    "recipient alice@example.edu  found mailbox\n"
    "recipient dave@example.edu   found forward\n"
    "recipient staff@example.edu  found list\n"
    "recipient nobody@example.edu notfound\n"
    "recipient broken@example.edu error ldap timeout\n"
    "recipient old@example.edu    stale mailbox\n"
    "owns alice alice@example.edu found\n"
    "owns alice bob@example.edu   notfound\n"
    "owns erin  erin@example.edu  error bind failed\n"
    "owns sam   sam@example.edu   stale\n";

/* The same with suspensions: the directory then marks suspended logins. */
static const char script_suspends[] =
    "owns alice alice@example.edu found\n"
    "owns sam   sam@example.edu   stale\n"
    "owns trudy trudy@example.edu found\n"
    "owns zed   zed@example.edu   found\n"
    "suspended trudy found\n"
    "suspended zed   error suspension unknown\n";

static char dir[64];

enum mode { TEMPFAIL, CONTINUE, MONITOR };

static const char *const mode_name[] = { "tempfail", "continue", "monitor" };

static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

/* A policy on the script; NULL with the loader's errors in errs_r. */
static struct rg_config *
load(enum mode m, struct rg_errs *errs_r)
{
	char conf[1024], path[128];

	snprintf(conf, sizeof(conf),
	    "mode = \"%s\";\n"
	    "domains = { local = [ \"example.edu\" ]; };\n"
	    "auth = { relay = true; require_tls = true; sender_login = \"reject\"; };\n"
	    "directory = { backend = \"script\"; script = \"answers\"; on_error = \"%s\"; };\n"
	    "log = { accepts = true; };\n",
	    m == MONITOR ? "monitor" : "enforce", m == CONTINUE ? "continue" : "tempfail");
	put("policy.conf", conf);
	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	memset(errs_r, 0, sizeof(*errs_r));
	return rg_config_load(path, errs_r);
}

/* The session's decision lines, kept for the row's checks. */
struct lines {
	char text[4][2048];
	int n;
};

static void
collect(void *arg, enum rg_log_level lvl, const char *line)
{
	struct lines *l = arg;

	(void)lvl;
	if (l->n < 4)
		snprintf(l->text[l->n++], sizeof(l->text[0]), "%s", line);
}

struct row {
	const char *name;
	enum mode mode;
	const char *auth;	/* login, or NULL; with TLS */
	const char *sender;
	const char *rcpt;	/* NULL: the row is about MAIL */
	enum rg_action action;
	enum rg_logged logged;
	const char *code, *xcode, *reason;
	const char *log_has;	/* in the stage's line; NULL: nothing more */
};

#define A_OK	RG_ACT_CONTINUE
#define A_REJ	RG_ACT_REJECT
#define A_TMP	RG_ACT_TEMPFAIL
#define L_ACC	RG_LOGGED_ACCEPT
#define L_REJ	RG_LOGGED_REJECT
#define L_TMP	RG_LOGGED_TEMPFAIL
#define L_WREJ	RG_LOGGED_WOULD_REJECT
#define L_WTMP	RG_LOGGED_WOULD_TEMPFAIL
#define OFF	"<x@isp.example>"
#define DOWN	"451", "4.3.0", "directory-unavailable"
#define UNKNOWN	"550", "5.1.1", "unknown-recipient"
#define MISMATCH "553", "5.7.1", "sender-login-mismatch"
#define SUSPENDED "550", "5.7.1", "login-suspended"

static const struct row rows[] = {
	/* RCPT: the recipient's kind */
	{ "mailbox", TEMPFAIL, NULL, OFF, "<alice@example.edu>", A_OK, L_ACC, NULL, NULL, "local", "lookup=" },
	{ "forward", TEMPFAIL, NULL, OFF, "<dave@example.edu>", A_OK, L_ACC, NULL, NULL, "forward", NULL },
	{ "list", TEMPFAIL, NULL, OFF, "<staff@example.edu>", A_OK, L_ACC, NULL, NULL, "list", NULL },
	{ "notfound", TEMPFAIL, NULL, OFF, "<nobody@example.edu>", A_REJ, L_REJ, UNKNOWN, NULL },
	{ "error", TEMPFAIL, NULL, OFF, "<broken@example.edu>", A_TMP, L_TMP, DOWN, "lookup_error=\"ldap timeout\"" },
	{ "stale", TEMPFAIL, NULL, OFF, "<old@example.edu>", A_OK, L_ACC, NULL, NULL, "local", "directory=stale" },
	{ "mailbox", CONTINUE, NULL, OFF, "<alice@example.edu>", A_OK, L_ACC, NULL, NULL, "local", NULL },
	{ "forward", CONTINUE, NULL, OFF, "<dave@example.edu>", A_OK, L_ACC, NULL, NULL, "forward", NULL },
	{ "list", CONTINUE, NULL, OFF, "<staff@example.edu>", A_OK, L_ACC, NULL, NULL, "list", NULL },
	{ "notfound", CONTINUE, NULL, OFF, "<nobody@example.edu>", A_REJ, L_REJ, UNKNOWN, NULL },
	{ "error", CONTINUE, NULL, OFF, "<broken@example.edu>", A_OK, L_ACC, NULL, NULL, "directory-unavailable", "lookup_error=\"ldap timeout\"" },
	{ "stale", CONTINUE, NULL, OFF, "<old@example.edu>", A_OK, L_ACC, NULL, NULL, "local", "directory=stale" },
	{ "mailbox", MONITOR, NULL, OFF, "<alice@example.edu>", A_OK, L_ACC, NULL, NULL, "local", "mode=monitor" },
	{ "list", MONITOR, NULL, OFF, "<staff@example.edu>", A_OK, L_ACC, NULL, NULL, "list", "mode=monitor" },
	{ "notfound", MONITOR, NULL, OFF, "<nobody@example.edu>", A_OK, L_WREJ, UNKNOWN, "mode=monitor" },
	{ "error", MONITOR, NULL, OFF, "<broken@example.edu>", A_OK, L_WTMP, DOWN, "lookup_error=\"ldap timeout\"" },
	{ "stale", MONITOR, NULL, OFF, "<old@example.edu>", A_OK, L_ACC, NULL, NULL, "local", "directory=stale" },
	/* MAIL: does the login own the sender address? */
	{ "owns", TEMPFAIL, "alice", "<alice@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", "lookup=" },
	{ "owns not", TEMPFAIL, "alice", "<bob@example.edu>", NULL, A_REJ, L_REJ, MISMATCH, NULL },
	{ "owns error", TEMPFAIL, "erin", "<erin@example.edu>", NULL, A_TMP, L_TMP, DOWN, "lookup_error=\"bind failed\"" },
	{ "owns stale", TEMPFAIL, "sam", "<sam@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", "directory=stale" },
	{ "owns", CONTINUE, "alice", "<alice@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", NULL },
	{ "owns not", CONTINUE, "alice", "<bob@example.edu>", NULL, A_REJ, L_REJ, MISMATCH, NULL },
	{ "owns error", CONTINUE, "erin", "<erin@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "directory-unavailable", "lookup_error=\"bind failed\"" },
	{ "owns stale", CONTINUE, "sam", "<sam@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", "directory=stale" },
	{ "owns", MONITOR, "alice", "<alice@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", "mode=monitor" },
	{ "owns not", MONITOR, "alice", "<bob@example.edu>", NULL, A_OK, L_WREJ, MISMATCH, "mode=monitor" },
	{ "owns error", MONITOR, "erin", "<erin@example.edu>", NULL, A_OK, L_WTMP, DOWN, "mode=monitor" },
	{ "owns stale", MONITOR, "sam", "<sam@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", "directory=stale" },
};

/* MAIL on script_suspends: is the login suspended?  (<>: the suspension lookup alone) */
static const struct row srows[] = {
	{ "not suspended", TEMPFAIL, "alice", "<alice@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "authenticated", NULL },
	/* A stale answer cannot vouch that the login is still allowed. */
	{ "owns stale, so suspension unknown", TEMPFAIL, "sam", "<sam@example.edu>", NULL, A_TMP, L_TMP, DOWN, "directory=stale" },
	{ "suspended", TEMPFAIL, "trudy", "<trudy@example.edu>", NULL, A_REJ, L_REJ, SUSPENDED, NULL },
	{ "suspended, <>", TEMPFAIL, "trudy", "<>", NULL, A_REJ, L_REJ, SUSPENDED, NULL },
	{ "suspension error", TEMPFAIL, "zed", "<zed@example.edu>", NULL, A_TMP, L_TMP, DOWN, "lookup_error=\"suspension unknown\"" },
	{ "suspension error, <>", TEMPFAIL, "zed", "<>", NULL, A_TMP, L_TMP, DOWN, "lookup_error=\"suspension unknown\"" },
	{ "suspension error", CONTINUE, "zed", "<zed@example.edu>", NULL, A_OK, L_ACC, NULL, NULL, "directory-unavailable", NULL },
	{ "suspended", MONITOR, "trudy", "<trudy@example.edu>", NULL, A_OK, L_WREJ, SUSPENDED, "mode=monitor" },
	{ "suspension error, <>", MONITOR, "zed", "<>", NULL, A_OK, L_WTMP, DOWN, "mode=monitor" },
};

static void
check_row(const struct row *r, struct rg_config *cfg)
{
	struct lines l = { .n = 0 };
	struct rg_session *s;
	struct rg_verdict v;
	char name[96];
	const char *line;

	snprintf(name, sizeof(name), "%s, %s, %s", r->name, mode_name[r->mode],
	    r->rcpt != NULL ? r->rcpt : r->sender);
	/* log_all, as -T: an accepted MAIL is logged too. */
	s = rg_session_new(rg_config_hold(cfg), "203.0.113.9", NULL, collect, &l, true);
	if (r->auth != NULL)
		rg_session_set_auth(s, r->auth, "PLAIN", "TLSv1.3");
	rg_session_connect(s, &v);
	rg_session_mail(s, r->sender, &v);
	if (r->rcpt != NULL) {
		UT_INT(name, "MAIL first: accepted", v.action, RG_ACT_CONTINUE);
		rg_session_rcpt(s, r->rcpt, &v);
	}
	UT_INT(name, "action", v.action, r->action);
	UT_STR(name, "logged", rg_logged_name(v.logged), rg_logged_name(r->logged));
	UT_STR(name, "reason", v.reason, r->reason);
	UT_STR(name, "code", v.code, r->code);
	UT_STR(name, "xcode", v.xcode, r->xcode);
	/* The stage's line is the last one emitted. */
	UT_INT(name, "a line was logged", l.n > 0, true);
	line = l.n > 0 ? l.text[l.n - 1] : "";
	UT_HAS(name, "line: stage", line, r->rcpt != NULL ? "stage=rcpt" : "stage=mail");
	UT_HAS(name, "line: reason", line, r->reason);
	if (r->log_has != NULL)
		UT_HAS(name, "line", line, r->log_has);
	rg_session_destroy(&s);
	UT_INT(name, "destroy clears the pointer", s == NULL, true);
}

static void
run_rows(const struct row *t, size_t nt, int min_rows)
{
	for (enum mode m = TEMPFAIL; m <= MONITOR; m++) {
		struct rg_errs errs;
		struct rg_config *cfg = load(m, &errs);
		int ran = 0;

		UT_INT(mode_name[m], "policy loads", cfg != NULL, true);
		for (int i = 0; i < errs.count; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		rg_errs_free(&errs);
		if (cfg == NULL)
			continue;
		for (size_t i = 0; i < nt; i++)
			if (t[i].mode == m) {
				check_row(&t[i], cfg);
				ran++;
			}
		UT_INT(mode_name[m], "rows run", ran >= min_rows, true);
		rg_config_release(&cfg);
	}
}

static void
test_outcomes(void)
{
	run_rows(rows, UT_NROWS(rows), 9);
}

static void
test_suspension(void)
{
	put("answers", script_suspends);
	run_rows(srows, UT_NROWS(srows), 1);
	put("answers", script);
}

/* A broken script is a broken configuration: FILE:LINE for every bad line. */
static void
test_bad_scripts(void)
{
	static const struct {
		const char *name, *text, *want[3];
	} t[] = {
		{ "unknown question", "recipient a@example.edu found mailbox\nwho a b\n",
		    { "answers:2: unknown question \"who\"" } },
		{ "found without a kind", "recipient a@example.edu found\n",
		    { "answers:1: \"found\" takes KIND (mailbox, forward or list)" } },
		{ "bad kind", "recipient a@example.edu found mailinglist\n",
		    { "answers:1: \"found\" takes KIND" } },
		{ "owns found with a kind", "owns u a@example.edu found mailbox\n",
		    { "answers:1: \"found\" takes nothing more" } },
		{ "stale not found", "recipient a@example.edu notfound stale\n",
		    { "answers:1: \"notfound\" takes nothing more" } },
		{ "no answer", "owns u a@example.edu\n",
		    { "answers:1: no answer: want found, notfound, error or stale" } },
		{ "too few words", "owns u\n",
		    { "answers:1: \"owns\" wants LOGIN ADDRESS ANSWER" } },
		{ "unknown answer", "recipient a@example.edu maybe\n",
		    { "answers:1: unknown answer \"maybe\"" } },
		{ "every bad line", "# fine\nrecipient a@example.edu\n\nowns x\nrecipient * error\n"
		    "recipient b@example.edu found list junk\n",
		    { "answers:2: ", "answers:4: ", "answers:6: " } },
	};

	for (size_t i = 0; i < UT_NROWS(t); i++) {
		struct rg_errs errs;
		struct rg_config *cfg;
		char all[4096] = "";
		int nwant = 0;

		put("answers", t[i].text);
		cfg = load(TEMPFAIL, &errs);
		UT_INT(t[i].name, "refused", cfg == NULL, true);
		for (int k = 0; k < errs.count; k++) {
			strncat(all, errs.msgs[k], sizeof(all) - strlen(all) - 2);
			strcat(all, "\n");
		}
		for (int k = 0; k < 3 && t[i].want[k] != NULL; k++, nwant++)
			UT_HAS(t[i].name, "error", all, t[i].want[k]);
		UT_INT(t[i].name, "one error per bad line", errs.count, nwant);
		rg_errs_free(&errs);
		rg_config_release(&cfg);
	}
	put("answers", script);
}

/*
 * The longest reply text the loader lets in is logged whole, codes and
 * all: session.c's reply buffer is sized from RG_POLICY_REPLY_MAX, not
 * guessed.  One byte more is the loader's FILE:LINE error.
 */
static void
test_longest_reply(void)
{
	char text[RG_POLICY_REPLY_MAX + 2], conf[1024], path[128], want[RG_POLICY_REPLY_MAX + 32];

	snprintf(path, sizeof(path), "%s/policy.conf", dir);
	for (int extra = 0; extra <= 1; extra++) {
		struct rg_errs errs;
		struct rg_config *cfg;
		struct lines l = { .n = 0 };
		struct rg_session *s;
		struct rg_verdict v;
		size_t n = RG_POLICY_REPLY_MAX + (size_t)extra;
		const char *name = extra ? "one byte over the limit" : "at the limit";

		/* Words, so that nothing quotes it apart; the end marks a cut. */
		for (size_t i = 0; i < n; i++)
			text[i] = i % 8 == 7 ? ' ' : 'a' + (char)(i % 8);
		memcpy(text + n - 4, "=END", 4);
		text[n] = '\0';
		snprintf(conf, sizeof(conf),
		    "domains = { local = [ \"example.edu\" ]; };\n"
		    "directory = { backend = \"script\"; script = \"answers\"; };\n"
		    "replies = {\n  relay_denied = \"%s\";\n};\n", text);
		put("policy.conf", conf);
		memset(&errs, 0, sizeof(errs));
		cfg = rg_config_load(path, &errs);
		if (extra) {
			char at[160];

			UT_INT(name, "refused", cfg == NULL, true);
			snprintf(at, sizeof(at), "%s:4: ", path);
			UT_HAS(name, "error", errs.count > 0 ? errs.msgs[0] : "", at);
			UT_HAS(name, "error", errs.count > 0 ? errs.msgs[0] : "", "relay_denied");
			rg_errs_free(&errs);
			rg_config_release(&cfg);
			continue;
		}
		UT_INT(name, "policy loads", cfg != NULL, true);
		rg_errs_free(&errs);
		if (cfg == NULL)
			continue;
		s = rg_session_new(cfg, "203.0.113.9", NULL, collect, &l, true);
		rg_session_mail(s, "<x@remote.example>", &v);
		rg_session_rcpt(s, "<u@remote.example>", &v);
		UT_STR(name, "reason", v.reason, "relay-denied");
		UT_STR(name, "text", v.text, text);
		snprintf(want, sizeof(want), "reply=\"550 5.7.1 %s\"", text);
		UT_HAS(name, "line", l.n > 0 ? l.text[l.n - 1] : "", want);
		rg_session_destroy(&s);
	}
}

int
main(void)
{
	struct rg_errs errs;
	struct rg_config *cfg;
	CU_pSuite s;
	bool built = true;
	char cmd[128];
	int rc;

	snprintf(dir, sizeof(dir), "%s/rgsession.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	put("answers", script);
	if ((cfg = load(TEMPFAIL, &errs)) == NULL)
		for (int i = 0; i < errs.count; i++)
			if (strstr(errs.msgs[i], "--enable-test-backends") != NULL)
				built = false;
	rg_errs_free(&errs);
	rg_config_release(&cfg);
	if (!built) {
		printf("SKIP: built without --enable-test-backends\n");
		rc = 77;
	} else {
		if (CU_initialize_registry() != CUE_SUCCESS)
			return 99;
		s = ut_suite("session on the scripted directory");
		ut_test(s, "every directory outcome at MAIL and RCPT", test_outcomes);
		ut_test(s, "suspended logins, three ways", test_suspension);
		ut_test(s, "a bad script is a FILE:LINE error", test_bad_scripts);
		ut_test(s, "the longest reply text is logged whole", test_longest_reply);
		rc = ut_run();
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
