/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_conf.c - policy.conf and directory.conf loading, and the
 * reference-counted snapshot swap.  Its own program: it needs libconfig.
 *
 * Every case writes its files into a fresh mkdtemp() directory, loads
 * them, and states exactly which errors come out: how many, and for each
 * the file, the line and a piece of the message.  Files are written with
 * one construct per line so the line numbers below can be read off.
 */
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "unit.h"
#include "conf/conf.h"
#include "directory/dir.h"

static char tmpdir[64];
static char made[32][128];
static int nmade;

static void
path_of(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

/* Write a file into the test directory (once per name; later writes replace it). */
static void
put(const char *name, const char *text)
{
	char path[128];
	FILE *fp;
	int i;

	path_of(name, path, sizeof(path));
	fp = fopen(path, "w");
	CU_ASSERT_FATAL(fp != NULL);
	fputs(text, fp);
	CU_ASSERT_FATAL(fclose(fp) == 0);
	for (i = 0; i < nmade && strcmp(made[i], path) != 0; i++)
		;
	if (i == nmade && nmade < 32)
		snprintf(made[nmade++], sizeof(made[0]), "%s", path);
}

static struct rg_config *
load(const char *name, struct rg_errs *e)
{
	char path[128];

	path_of(name, path, sizeof(path));
	memset(e, 0, sizeof(*e));
	return rg_config_load(path, e);
}

static const char good_dir[] =
	"mailboxes = [ \"alice@example.edu\", \"bob@example.edu\",\n"
	"  \"carol@physics.example.edu\" ];\n"
	"forwards = ( { address = \"dave@example.edu\"; target = \"dave@isp.example\"; } );\n"
	"lists = ( { address = \"staff@example.edu\";\n"
	"  members = [ \"alice@example.edu\", \"eve@partner.example\" ]; } );\n"
	"logins = (\n"
	"  { login = \"alice\"; addresses = [ \"alice@example.edu\" ]; },\n"
	"  { login = \"carol\"; addresses = [ \"carol@physics.example.edu\", \"carol@example.edu\" ]; }\n"
	");\n";

static const char good_policy[] =
	"socket = \"unix:/run/relayguard/relayguard.sock\";\n"
	"mode = \"%s\";\n"
	"networks = { trusted = [ \"127.0.0.0/8\", \"::1/128\", \"192.0.2.0/24\", \"2001:db8::/32\" ]; };\n"
	"domains = { local = [ \"example.edu\", \".example.edu\" ]; relay = [ \"partner.example\" ]; };\n"
	"auth = { relay = true; require_tls = true; sender_login = \"reject\"; };\n"
	"sender = { offsite_local = \"reject\"; };\n"
	"recipients = { verify = true; };\n"
	"legacy_exceptions = (\n"
	"  { sender = \"bob@example.edu\"; expires = \"2027-03-01\";\n"
	"    networks = [ \"198.51.100.0/24\" ]; note = \"old laptop\"; }\n"
	");\n"
	"directory = { backend = \"file\"; file = \"directory.conf\"; on_error = \"continue\"; };\n"
	"replies = { relay_denied = \"No relaying here, friend\"; };\n"
	"log = { facility = \"local3\"; accepts = true; };\n";

static void
write_good(const char *name, const char *mode)
{
	char text[sizeof(good_policy) + 16];

	snprintf(text, sizeof(text), good_policy, mode);
	put("directory.conf", good_dir);
	put(name, text);
}

static time_t
day(int y, int m, int d)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };

	return timegm(&tm);
}

/* One RCPT decision under a loaded snapshot, with the directory answering. */
static void
decide(const struct rg_config *c, const char *client, const char *from, const char *to,
    time_t now, struct rg_verdict *v)
{
	struct rg_client cl = { client, NULL, NULL, NULL };
	struct rg_class k;
	struct rg_addr f, r;
	struct rg_dir_answer ans;
	struct rg_rcpt_plan plan;
	enum rg_lookup lk = RG_LOOKUP_NONE;
	enum rg_rcpt_kind kind = RG_KIND_MAILBOX;

	rg_policy_classify(rg_config_policy(c), &cl, &k);
	CU_ASSERT_FATAL(rg_addr_parse(from, &f) == RG_ADDR_OK);
	CU_ASSERT_FATAL(rg_addr_parse(to, &r) == RG_ADDR_OK);
	rg_policy_rcpt_plan(rg_config_policy(c), &k, client, &f, &r, now, &plan);
	if (plan.ask == RG_RCPT_ASK_RECIPIENT) {
		rg_dir_recipient(rg_config_dir(c), r.norm, &ans);
		/* common/answer.h: the directory's answer is the engine's. */
		lk = ans.status;
		kind = ans.kind;
	}
	rg_policy_rcpt_decide(rg_config_policy(c), &plan, lk, kind, v);
}

static void
test_valid(void)
{
	struct rg_errs e;
	struct rg_config *c;
	struct rg_verdict v;
	struct rg_dir_answer a;
	struct rg_class k;
	static const struct { const char *addr; enum rg_lookup st; enum rg_rcpt_kind kind; } rcpts[] = {
		{ "alice@example.edu", RG_LOOKUP_FOUND, RG_KIND_MAILBOX },
		{ "carol@physics.example.edu", RG_LOOKUP_FOUND, RG_KIND_MAILBOX },
		{ "dave@example.edu", RG_LOOKUP_FOUND, RG_KIND_FORWARD },
		{ "staff@example.edu", RG_LOOKUP_FOUND, RG_KIND_LIST },
		{ "nobody@example.edu", RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX },
		{ "eve@partner.example", RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX },
	};
	static const struct { const char *login, *addr; enum rg_lookup st; } owns[] = {
		{ "alice", "alice@example.edu", RG_LOOKUP_FOUND },
		{ "alice", "bob@example.edu", RG_LOOKUP_NOTFOUND },
		{ "carol", "carol@example.edu", RG_LOOKUP_FOUND },
		{ "carol", "carol@physics.example.edu", RG_LOOKUP_FOUND },
		{ "bob", "bob@example.edu", RG_LOOKUP_NOTFOUND },
		{ "mallory", "alice@example.edu", RG_LOOKUP_NOTFOUND },
	};

	write_good("valid.conf", "enforce");
	c = load("valid.conf", &e);
	UT_INT("valid", "errors", e.count, 0);
	for (int i = 0; i < e.count; i++)
		UT_STR("valid", "unexpected error", e.msgs[i], "");
	rg_errs_free(&e);
	CU_ASSERT_FATAL(c != NULL);
	UT_STR("valid", "socket", rg_config_socket(c), "unix:/run/relayguard/relayguard.sock");
	UT_STR("valid", "facility", rg_config_facility(c), "local3");
	UT_INT("valid", "log_accepts", rg_config_log_accepts(c), true);
	UT_STR("valid", "backend", rg_config_dir_backend(c), "file");
	UT_INT("valid", "monitor", rg_policy_monitor(rg_config_policy(c)), false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rg_config_dir(c));

	for (size_t i = 0; i < UT_NROWS(rcpts); i++) {
		rg_dir_recipient(rg_config_dir(c), rcpts[i].addr, &a);
		UT_INT(rcpts[i].addr, "recipient status", a.status, rcpts[i].st);
		if (rcpts[i].st == RG_LOOKUP_FOUND)
			UT_STR(rcpts[i].addr, "kind", rg_dir_kind_name(a.kind),
			    rg_dir_kind_name(rcpts[i].kind));
	}
	for (size_t i = 0; i < UT_NROWS(owns); i++) {
		rg_dir_login_owns(rg_config_dir(c), owns[i].login, owns[i].addr, &a);
		UT_INT(owns[i].addr, owns[i].login, a.status, owns[i].st);
	}

	rg_policy_classify(rg_config_policy(c),
	    &(struct rg_client){ "::ffff:192.0.2.7", NULL, NULL, NULL }, &k);
	UT_INT("valid", "mapped trusted", k.trusted, true);
	decide(c, "203.0.113.9", "<x@remote.example>", "<u@remote.example>", day(2026, 1, 1), &v);
	UT_STR("valid relay", "reason", v.reason, "relay-denied");
	UT_STR("valid relay", "text", v.text, "No relaying here, friend");
	decide(c, "203.0.113.9", "<x@remote.example>", "<Alice@Example.EDU>", day(2026, 1, 1), &v);
	UT_STR("valid local", "reason", v.reason, "local");
	decide(c, "203.0.113.9", "<x@remote.example>", "<staff@example.edu>", day(2026, 1, 1), &v);
	UT_STR("valid list", "reason", v.reason, "list");
	decide(c, "203.0.113.9", "<x@remote.example>", "<nobody@example.edu>", day(2026, 1, 1), &v);
	UT_STR("valid unknown", "reason", v.reason, "unknown-recipient");
	decide(c, "192.0.2.7", "<x@remote.example>", "<u@remote.example>", day(2026, 1, 1), &v);
	UT_STR("valid trusted", "reason", v.reason, "trusted");
	/* The date is the first instant the exception no longer holds (00:00 UTC). */
	decide(c, "198.51.100.7", "<bob@example.edu>", "<u@remote.example>",
	    day(2027, 3, 1) - 1, &v);
	UT_STR("valid legacy", "reason", v.reason, "legacy-exception");
	UT_STR("valid legacy", "expires", v.expires, "2027-03-01");
	UT_STR("valid legacy", "note", v.note, "old laptop");
	decide(c, "198.51.100.7", "<bob@example.edu>", "<u@remote.example>", day(2027, 3, 1), &v);
	UT_STR("valid legacy expired", "reason", v.reason, "legacy-exception-expired");
	rg_config_release(&c);
	CU_ASSERT_PTR_NULL(c);

	/* mode = "monitor" */
	write_good("monitor.conf", "monitor");
	c = load("monitor.conf", &e);
	UT_INT("monitor", "errors", e.count, 0);
	rg_errs_free(&e);
	CU_ASSERT_FATAL(c != NULL);
	UT_INT("monitor", "monitor", rg_policy_monitor(rg_config_policy(c)), true);
	decide(c, "203.0.113.9", "<x@remote.example>", "<u@remote.example>", day(2026, 1, 1), &v);
	UT_STR("monitor relay", "logged", rg_logged_name(v.logged), "would-reject");
	UT_INT("monitor relay", "action", v.action, RG_ACT_CONTINUE);
	rg_config_release(&c);

	/* An empty file: every default. */
	put("empty.conf", "# nothing\n");
	c = load("empty.conf", &e);
	UT_INT("empty", "errors", e.count, 0);
	rg_errs_free(&e);
	CU_ASSERT_FATAL(c != NULL);
	UT_STR("empty", "socket", rg_config_socket(c), "inet:8894@127.0.0.1");
	UT_STR("empty", "facility", rg_config_facility(c), "mail");
	UT_INT("empty", "log_accepts", rg_config_log_accepts(c), false);
	UT_INT("empty", "monitor", rg_policy_monitor(rg_config_policy(c)), false);
	rg_config_release(&c);
}

/* The shipped example loads as is. */
static void
test_shipped(void)
{
	const char *top = getenv("top_srcdir");
	char path[512];
	struct rg_errs e = { 0 };
	struct rg_config *c;

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/etc/policy.conf", top);
	} else {
		const char *slash = strstr(__FILE__, "tests/unit/test_conf.c");

		snprintf(path, sizeof(path), "%.*setc/policy.conf",
		    slash ? (int)(slash - __FILE__) : 0, __FILE__);
	}
	c = rg_config_load(path, &e);
	UT_INT(path, "errors", e.count, 0);
	for (int i = 0; i < e.count; i++)
		UT_STR(path, "unexpected error", e.msgs[i], "");
	rg_errs_free(&e);
	CU_ASSERT_PTR_NOT_NULL(c);
	rg_config_release(&c);
}

struct want_err {
	const char *file;	/* NULL: the policy file itself */
	int line;
	const char *msg;	/* a piece of the message */
};

struct err_row {
	const char *name;
	const char *policy;
	const char *dirfile;	/* written as baddir.conf when not NULL */
	int count;
	struct want_err e[8];
};

static const struct err_row err_rows[] = {
	{ "unknown top-level key",
	  "mode = \"enforce\";\n"
	  "colour = \"blue\";\n",
	  NULL, 1, { { NULL, 2, "unknown key \"colour\"" } } },
	{ "unknown nested key",
	  "auth = {\n"
	  "  relay = true;\n"
	  "  reley = false;\n"
	  "};\n",
	  NULL, 1, { { NULL, 3, "unknown key \"auth.reley\"" } } },
	{ "unknown key in an exception",
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\"; expires = \"2027-03-01\";\n"
	  "    netwerks = [ \"198.51.100.0/24\" ]; }\n"
	  ");\n",
	  NULL, 1, { { NULL, 3, "unknown key \"legacy_exceptions.netwerks\"" } } },
	{ "wrong types",
	  "mode = 1;\n"
	  "auth = { relay = \"yes\"; };\n"
	  "log = { accepts = 1; };\n"
	  "networks = { trusted = \"192.0.2.0/24\"; };\n"
	  "domains = { local = [ 1, 2 ]; };\n"
	  "recipients = 1;\n",
	  NULL, 6, { { NULL, 1, "\"mode\" must be a string" },
	    { NULL, 2, "\"auth.relay\" must be true or false" },
	    { NULL, 3, "\"log.accepts\" must be true or false" },
	    { NULL, 4, "\"trusted\" must be a list of strings" },
	    { NULL, 5, "\"local\" must hold only strings" },
	    { NULL, 6, "\"recipients\" must be a group" } } },
	{ "bad CIDRs",
	  "networks = { trusted = [\n"
	  "  \"192.0.2.0/24\",\n"
	  "  \"192.0.2.1/24\",\n"
	  "  \"10.0.0.0/33\",\n"
	  "  \"garbage\" ]; };\n",
	  NULL, 3, { { NULL, 3, "\"192.0.2.1/24\" has host bits set" },
	    { NULL, 4, "\"10.0.0.0/33\": prefix length must be 0..32" },
	    { NULL, 5, "\"garbage\" is not an IPv4 or IPv6 network" } } },
	/*
	 * Not tested: a bad last element with "]" on the next line.  libconfig
	 * records the line of the token after a list's last scalar, so that
	 * error names the "]" line; policy.conf(5) BUGS says so.
	 */
	{ "bad CIDR in an exception",
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\"; expires = \"2027-03-01\";\n"
	  "    networks = [ \"198.51.100.0/16\" ]; }\n"
	  ");\n",
	  NULL, 1, { { NULL, 3, "has host bits set" } } },
	{ "bad domains",
	  "domains = {\n"
	  "  local = [ \"example.edu\",\n"
	  "    \"*.example.edu\" ];\n"
	  "  relay = [ \"exa mple.org\" ];\n"
	  "};\n",
	  NULL, 2, { { NULL, 3, "\"*.example.edu\" is not a domain: write \".example.edu\" for every subdomain" },
	    { NULL, 4, "\"exa mple.org\" is not a domain" } } },
	{ "bad dates",
	  "legacy_exceptions = (\n"
	  "  { sender = \"a@example.edu\"; expires = \"2027-02-30\"; },\n"
	  "  { sender = \"b@example.edu\"; expires = \"27-03-01\"; },\n"
	  "  { sender = \"c@example.edu\"; expires = \"2027-13-01\"; },\n"
	  "  { sender = \"d@example.edu\";\n"
	  "    expires = \"2027-3-1\"; },\n"
	  "  { sender = \"e@example.edu\"; expires = \"2027-03-01\"; }\n"
	  ");\n",
	  NULL, 4, { { NULL, 2, "\"2027-02-30\" is not a date (YYYY-MM-DD)" },
	    { NULL, 3, "\"27-03-01\" is not a date" },
	    { NULL, 4, "\"2027-13-01\" is not a date" },
	    { NULL, 6, "\"2027-3-1\" is not a date" } } },
	{ "missing expires, missing or bad sender",
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\";\n"
	  "    note = \"no end date\"; },\n"
	  "  { expires = \"2027-03-01\"; },\n"
	  "  { sender = \"bob\"; expires = \"2027-03-01\"; },\n"
	  "  { sender = \"a%b@example.edu\"; expires = \"2027-03-01\"; }\n"
	  ");\n",
	  NULL, 4, { { NULL, 2, "legacy exception lacks \"expires\"" },
	    { NULL, 4, "legacy exception lacks \"sender\"" },
	    { NULL, 5, "\"bob\" is not a plain local@domain address" },
	    { NULL, 6, "\"a%b@example.edu\" is not a plain local@domain address" } } },
	{ "bad enum values",
	  "mode = \"enforcing\";\n"
	  "sender = { offsite_local = \"maybe\"; };\n"
	  "auth = { sender_login = \"REJECT\"; };\n"
	  "directory = { on_error = \"retry\"; };\n"
	  "log = { facility = \"mial\"; };\n"
	  "directory2 = 1;\n",
	  NULL, 6, { { NULL, 1, "\"enforcing\" is not a valid mode (expected one of: enforce, monitor)" },
	    { NULL, 2, "\"maybe\" is not a valid offsite_local (expected one of: off, warn, reject)" },
	    { NULL, 3, "\"REJECT\" is not a valid sender_login" },
	    { NULL, 4, "\"retry\" is not a valid on_error (expected one of: tempfail, continue)" },
	    { NULL, 5, "unknown syslog facility \"mial\"" },
	    { NULL, 6, "unknown key \"directory2\"" } } },
	{ "syntax error",
	  "mode = \"enforce\";\n"
	  "auth = {\n"
	  "  relay = = true;\n"
	  "};\n",
	  NULL, 1, { { NULL, 3, "syntax error" } } },
	/* libconfig can only notice an unclosed string at the end of the file. */
	{ "unterminated string",
	  "mode = \"enforce\";\n"
	  "\n"
	  "socket = \"inet:8894@127.0.0.1;\n",
	  NULL, 1, { { NULL, 4, "syntax error" } } },
	{ "directory.conf errors",
	  "directory = { file = \"baddir.conf\"; };\n",
	  "mailboxes = [ \"alice@example.edu\",\n"
	  "  \"not an address\",\n"
	  "  \"x%y@example.edu\" ];\n"
	  "colour = 1;\n"
	  "logins = (\n"
	  "  { login = \"alice\"; adresses = [ \"alice@example.edu\" ]; }\n"
	  ");\n"
	  "forwards = ( { address = \"f@example.edu\"; } );\n"
	  "lists = ( { address = \"l@example.edu\";\n"
	  "  members = [ \"ok@example.edu\", \"<>\" ]; } );\n",
	  6, { { "baddir.conf", 2, "mailbox \"not an address\" is not a plain local@domain address" },
	    { "baddir.conf", 3, "mailbox \"x%y@example.edu\" is not a plain" },
	    { "baddir.conf", 4, "unknown key \"colour\"" },
	    { "baddir.conf", 6, "unknown key \"logins.adresses\"" },
	    { "baddir.conf", 8, "entry lacks \"target\"" },
	    { "baddir.conf", 10, "member \"<>\" is not a plain" } } },
	{ "directory.conf syntax error",
	  "directory = { file = \"baddir.conf\"; };\n",
	  "mailboxes = [ \"alice@example.edu\" ];\n"
	  "logins = ( { login = = \"alice\"; } );\n",
	  1, { { "baddir.conf", 2, "syntax error" } } },
	{ "directory.conf missing",
	  "mode = \"enforce\";\n"
	  "directory = { file = \"missing.conf\"; };\n",
	  NULL, 1, { { "missing.conf", 0, "cannot read: No such file or directory" } } },
	{ "errors in both files",
	  "mode = \"monitr\";\n"
	  "directory = { file = \"baddir.conf\"; };\n",
	  "mailboxes = [ \"alice@example.edu\", \"bad address\" ];\n",
	  2, { { NULL, 1, "\"monitr\" is not a valid mode" },
	    { "baddir.conf", 1, "mailbox \"bad address\"" } } },
	{ "many errors in one file",
	  "socket = \"tcp:8894\";\n"
	  "mode = \"monitor\";\n"
	  "networks = { trusted = [ \"192.0.2.0/33\" ]; };\n"
	  "domains = { local = [ \"example.edu\" ]; lokal = [ \"x.example\" ]; };\n"
	  "auth = { require_tls = \"yes\"; };\n"
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\"; expires = \"2027-02-30\"; }\n"
	  ");\n"
	  "replies = { relay_denied = \"\"; };\n"
	  "colour = \"blue\";\n"
	  "directory = { backend = \"file\"; ldap = { uris = [ \"ldap://x\" ]; }; };\n",
	  NULL, 8, { { NULL, 1, "socket \"tcp:8894\" must be unix:/path" },
	    { NULL, 3, "prefix length must be 0..32" },
	    { NULL, 4, "unknown key \"domains.lokal\"" },
	    { NULL, 5, "\"auth.require_tls\" must be true or false" },
	    { NULL, 7, "\"2027-02-30\" is not a date" },
	    { NULL, 9, "\"replies.relay_denied\" must be 1-400 printable characters" },
	    { NULL, 10, "unknown key \"colour\"" },
	    { NULL, 11, "\"directory.ldap\" has no effect with directory.backend = \"file\"" } } },
};

/* Settings that load, with a warning each: the file is still good. */
static const struct err_row warn_rows[] = {
	{ "no warnings",
	  "networks = { trusted = [ \"10.0.0.0/8\", \"2001:db8::/32\", \"192.0.2.1\",\n"
	  "  \"::ffff:10.0.0.0/104\" ]; };\n"
	  "domains = { local = [ \"example.edu\", \"10.example.edu\" ];\n"
	  "  relay = [ \"[192.0.2.1]\" ]; };\n"
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\"; expires = \"2099-03-01\";\n"
	  "    networks = [ \"0.0.0.0/0\" ]; }\n"
	  ");\n",
	  NULL, 0, { { NULL, 0, NULL } } },
	{ "legacy exception without networks",
	  "legacy_exceptions = (\n"
	  "  { sender = \"bob@example.edu\"; expires = \"2099-03-01\";\n"
	  "    networks = [ \"198.51.100.0/24\" ]; },\n"
	  "  { sender = \"old@example.edu\";\n"
	  "    expires = \"2099-03-01\"; note = \"anywhere\"; }\n"
	  ");\n",
	  NULL, 1, { { NULL, 4, "warning: legacy exception for \"old@example.edu\" has no "
	    "\"networks\": that sender may relay from any address until 2099-03-01" } } },
	{ "wide trusted networks",
	  "networks = { trusted = [\n"
	  "  \"0.0.0.0/0\",\n"
	  "  \"::/0\",\n"
	  "  \"10.0.0.0/7\",\n"
	  "  \"2001:d00::/24\",\n"
	  "  \"::ffff:0.0.0.0/96\",\n"
	  "  \"::ffff:10.0.0.0/103\",\n"
	  "  \"10.0.0.0/8\" ]; };\n",
	  NULL, 6, { { NULL, 2, "warning: \"0.0.0.0/0\" in networks.trusted is every IPv4 address" },
	    { NULL, 3, "warning: \"::/0\" in networks.trusted is every IPv6 address" },
	    { NULL, 4, "warning: \"10.0.0.0/7\" in networks.trusted is wider than /8" },
	    { NULL, 5, "warning: \"2001:d00::/24\" in networks.trusted is wider than /32" },
	    { NULL, 6, "warning: \"::ffff:0.0.0.0/96\" in networks.trusted is every IPv4 address" },
	    { NULL, 7, "warning: \"::ffff:10.0.0.0/103\" in networks.trusted is wider than /8" } } },
	{ "IP literals in domains.local",
	  "domains = { local = [\n"
	  "  \"example.edu\",\n"
	  "  \"[192.0.2.1]\",\n"
	  "  \"[IPv6:2001:db8::1]\",\n"
	  "  \"192.0.2.2\" ]; };\n",
	  NULL, 3, { { NULL, 3, "warning: IP literal \"[192.0.2.1]\" in domains.local: this "
	    "gateway must own that address" },
	    { NULL, 4, "warning: IP literal \"[IPv6:2001:db8::1]\" in domains.local" },
	    { NULL, 5, "warning: \"192.0.2.2\" in domains.local is an IPv4 address: an IP "
	      "literal is written \"[192.0.2.2]\"" } } },
	{ "expired legacy exception",
	  "legacy_exceptions = (\n"
	  "  { sender = \"old@example.edu\"; expires = \"2001-01-01\";\n"
	  "    networks = [ \"198.51.100.0/24\" ]; }\n"
	  ");\n",
	  NULL, 1, { { NULL, 2, "warning: legacy exception for \"old@example.edu\" expired "
	    "on 2001-01-01: it no longer applies; remove it" } } },
	{ "domains.relay entries that domains.local covers",
	  "domains = {\n"
	  "  local = [ \"example.edu\", \".example.edu\", \"other.example\" ];\n"
	  "  relay = [\n"
	  "    \"Example.EDU.\",\n"
	  "    \"cs.example.edu\",\n"
	  "    \".example.edu\",\n"
	  "    \".other.example\",\n"
	  "    \"partner.example\" ]; };\n",
	  NULL, 3, { { NULL, 4, "warning: \"Example.EDU.\" is in both domains.local and "
	    "domains.relay: local wins" },
	    { NULL, 5, "warning: \"cs.example.edu\" in domains.relay is already covered by "
	      "domains.local" },
	    { NULL, 6, "warning: \".example.edu\" is in both domains.local and domains.relay" } } },
	{ "monitor mode",
	  "mode = \"enforce\";\n",
	  NULL, 0, { { NULL, 0, NULL } } },
	{ "monitor mode left on",
	  "\n"
	  "mode = \"monitor\";\n",
	  NULL, 1, { { NULL, 2, "warning: mode = \"monitor\" is on" } } },
};

/* Does some message read exactly "PATH:LINE: ...msg..."? Each is used once. */
static void
check_errors(const char *name, const char *policy_path, const struct rg_errs *e,
    int count, const struct want_err *w)
{
	bool used[64] = { false };

	UT_INT(name, "error count", e->count, count);
	for (int i = 0; i < count && i < 8; i++) {
		char prefix[256], label[300], path[128];
		bool hit = false;

		if (w[i].file != NULL)
			path_of(w[i].file, path, sizeof(path));
		snprintf(prefix, sizeof(prefix), "%s:%d: ", w[i].file ? path : policy_path,
		    w[i].line);
		for (int k = 0; k < e->count && k < 64 && !hit; k++) {
			const char *m = e->msgs[k];

			if (!used[k] && strncmp(m, prefix, strlen(prefix)) == 0 &&
			    strstr(m + strlen(prefix), w[i].msg) != NULL)
				hit = used[k] = true;
		}
		snprintf(label, sizeof(label), "%s: want \"%s%s\"", name, prefix, w[i].msg);
		UT_INT(label, "reported", hit, true);
	}
	for (int k = 0; k < e->count && k < 64; k++)
		if (!used[k])
			UT_STR(name, "unexpected error", e->msgs[k], "");
}

static void
test_errors(void)
{
	for (size_t i = 0; i < UT_NROWS(err_rows); i++) {
		const struct err_row *r = &err_rows[i];
		struct rg_errs e;
		struct rg_config *c;
		char path[128];

		put("directory.conf", good_dir);
		if (r->dirfile != NULL)
			put("baddir.conf", r->dirfile);
		put("bad.conf", r->policy);
		path_of("bad.conf", path, sizeof(path));
		c = load("bad.conf", &e);
		UT_INT(r->name, "no snapshot from a bad file", c == NULL, true);
		rg_config_release(&c);
		check_errors(r->name, path, &e, r->count, r->e);
		rg_errs_free(&e);
	}
}

static void
test_warnings(void)
{
	for (size_t i = 0; i < UT_NROWS(warn_rows); i++) {
		const struct err_row *r = &warn_rows[i];
		struct rg_errs e, w;
		struct rg_config *c;
		char path[128];

		put("directory.conf", good_dir);
		put("warn.conf", r->policy);
		path_of("warn.conf", path, sizeof(path));
		c = load("warn.conf", &e);
		UT_INT(r->name, "errors", e.count, 0);
		for (int k = 0; k < e.count; k++)
			UT_STR(r->name, "unexpected error", e.msgs[k], "");
		UT_INT(r->name, "a snapshot despite the warnings", c != NULL, true);
		rg_config_release(&c);
		/* The same checker, pointed at the warnings. */
		memset(&w, 0, sizeof(w));
		w.msgs = e.warns;
		w.count = e.nwarns;
		check_errors(r->name, path, &w, r->count, r->e);
		rg_errs_free(&e);
	}
}

/* Files that cannot be read at all. */
static void
test_unreadable(void)
{
	struct rg_errs e;
	struct rg_config *c;
	char path[128], want[200];

	path_of("nope.conf", path, sizeof(path));
	c = load("nope.conf", &e);
	UT_INT("missing file", "no snapshot", c == NULL, true);
	UT_INT("missing file", "errors", e.count, 1);
	snprintf(want, sizeof(want), "%s:0: cannot read: No such file or directory", path);
	UT_STR("missing file", "message", e.count ? e.msgs[0] : NULL, want);
	rg_errs_free(&e);

	path_of("adir.conf", path, sizeof(path));
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0 || errno == EEXIST);
	c = load("adir.conf", &e);
	UT_INT("directory as file", "no snapshot", c == NULL, true);
	UT_INT("directory as file", "errors", e.count, 1);
	snprintf(want, sizeof(want), "%s:", path);
	UT_HAS("directory as file", "names the file", e.count ? e.msgs[0] : NULL, want);
	UT_HAS("directory as file", "says why", e.count ? e.msgs[0] : NULL,
	    "is a directory, not a regular file");
	rg_errs_free(&e);
	rmdir(path);
}

/*
 * Files the config names are opened without blocking or following a
 * symlink: a FIFO would hang -n and the reload thread for good.
 */
static void
test_special_files(void)
{
	static const struct { const char *name, *dirfile, *policy_file, *msg; } rows[] = {
		{ "FIFO as directory.file", "fifo.conf", NULL, "is a FIFO, not a regular file" },
		{ "symlink as directory.file", "link.conf", NULL,
		  "is a symbolic link; refusing to follow it (name the file itself)" },
		{ "FIFO as policy.conf", NULL, "fifo.conf", "is a FIFO, not a regular file" },
	};
	char fifo[128], link[128], real[128], pol[128], text[256], want[300];
	struct rg_errs e;
	struct rg_config *c;

	path_of("fifo.conf", fifo, sizeof(fifo));
	path_of("link.conf", link, sizeof(link));
	path_of("directory.conf", real, sizeof(real));
	put("directory.conf", good_dir);
	CU_ASSERT_FATAL(mkfifo(fifo, 0600) == 0);
	CU_ASSERT_FATAL(symlink(real, link) == 0);
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		char named[128];

		if (rows[i].dirfile != NULL) {
			path_of(rows[i].dirfile, named, sizeof(named));
			snprintf(text, sizeof(text), "directory = { file = \"%s\"; };\n", named);
			put("special.conf", text);
			path_of("special.conf", pol, sizeof(pol));
		} else {
			path_of(rows[i].policy_file, pol, sizeof(pol));
			snprintf(named, sizeof(named), "%s", pol);
		}
		memset(&e, 0, sizeof(e));
		c = rg_config_load(pol, &e);
		UT_INT(rows[i].name, "no snapshot", c == NULL, true);
		rg_config_release(&c);
		UT_INT(rows[i].name, "errors", e.count, 1);
		snprintf(want, sizeof(want), "%s:0: %s", named, rows[i].msg);
		UT_STR(rows[i].name, "message", e.count ? e.msgs[0] : NULL, want);
		rg_errs_free(&e);
	}
	/* -c itself may be a symlink, as /etc/relayguard/policy.conf often is. */
	snprintf(text, sizeof(text), "directory = { file = \"%s\"; };\n", real);
	put("special.conf", text);
	path_of("special.conf", pol, sizeof(pol));
	unlink(link);
	CU_ASSERT_FATAL(symlink(pol, link) == 0);
	memset(&e, 0, sizeof(e));
	c = rg_config_load(link, &e);
	UT_INT("symlink as policy.conf", "errors", e.count, 0);
	CU_ASSERT_PTR_NOT_NULL(c);
	rg_config_release(&c);
	rg_errs_free(&e);
	unlink(link);
	unlink(fifo);
}

/* Names the daemon keeps: absolute, so they survive its chdir("/"). */
static void
test_paths(void)
{
	static const struct { const char *cwd, *in, *out; } rows[] = {
		{ "/", "policy.conf", "/policy.conf" },
		{ "/tmp", "policy.conf", "/tmp/policy.conf" },
		{ "/tmp", "./policy.conf", "/tmp/policy.conf" },
		{ "/tmp", ".//a/policy.conf", "/tmp/a/policy.conf" },
		{ "/tmp", "../etc/policy.conf", "/tmp/../etc/policy.conf" },
		{ "/tmp", "/etc/relayguard/policy.conf", "/etc/relayguard/policy.conf" },
	};
	char *was = getcwd(NULL, 0), *abs, want[200];
	struct rg_errs e;
	struct rg_config *c;

	CU_ASSERT_FATAL(was != NULL);
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		CU_ASSERT_FATAL(chdir(rows[i].cwd) == 0);
		abs = rg_config_abspath(rows[i].in);
		UT_STR(rows[i].in, "absolute", abs, rows[i].out);
		free(abs);
	}
	CU_ASSERT_FATAL(chdir(was) == 0);
	free(was);

	/* A relative unix socket lives beside policy.conf, like every other file. */
	put("directory.conf", good_dir);
	put("sock.conf", "socket = \"unix:run/rg.sock\";\n");
	c = load("sock.conf", &e);
	UT_INT("relative socket", "errors", e.count, 0);
	rg_errs_free(&e);
	CU_ASSERT_FATAL(c != NULL);
	snprintf(want, sizeof(want), "unix:%s/run/rg.sock", tmpdir);
	UT_STR("relative socket", "socket", rg_config_socket(c), want);
	rg_config_release(&c);
	put("sock.conf", "socket = \"local:/run/rg.sock\";\n");
	c = load("sock.conf", &e);
	rg_errs_free(&e);
	CU_ASSERT_FATAL(c != NULL);
	UT_STR("absolute socket", "socket", rg_config_socket(c), "local:/run/rg.sock");
	rg_config_release(&c);
}

/* A connection's snapshot outlives a reload until the connection lets go. */
static void
test_snapshot_refs(void)
{
	struct rg_errs e;
	struct rg_config *a, *b, *held, *cur;
	struct rg_verdict v;

	write_good("a.conf", "enforce");
	write_good("b.conf", "monitor");
	a = load("a.conf", &e);
	rg_errs_free(&e);
	b = load("b.conf", &e);
	rg_errs_free(&e);
	CU_ASSERT_FATAL(a != NULL && b != NULL);
	UT_INT("fresh", "refs", rg_config_refs(a), 1);

	rg_config_install(a);			/* the current pointer owns a's reference */
	held = rg_config_current();		/* a connection starts */
	CU_ASSERT_PTR_EQUAL(held, a);
	UT_INT("held", "refs", rg_config_refs(a), 2);

	rg_config_install(b);			/* reload */
	UT_INT("after reload", "old refs", rg_config_refs(held), 1);
	cur = rg_config_current();
	CU_ASSERT_PTR_EQUAL(cur, b);
	UT_INT("after reload", "new refs", rg_config_refs(b), 2);
	/* The held snapshot still decides by the old rules. */
	UT_INT("held", "monitor", rg_policy_monitor(rg_config_policy(held)), false);
	decide(held, "203.0.113.9", "<x@remote.example>", "<u@remote.example>", day(2026, 1, 1), &v);
	UT_STR("held", "logged", rg_logged_name(v.logged), "reject");
	UT_STR("held", "path", rg_config_path(held) + strlen(rg_config_path(held)) - 6, "a.conf");
	decide(cur, "203.0.113.9", "<x@remote.example>", "<u@remote.example>", day(2026, 1, 1), &v);
	UT_STR("current", "logged", rg_logged_name(v.logged), "would-reject");

	CU_ASSERT_PTR_EQUAL(rg_config_hold(cur), b);
	UT_INT("hold", "refs", rg_config_refs(b), 3);
	rg_config_release(&cur);
	CU_ASSERT_PTR_NULL(cur);
	UT_INT("release", "refs", rg_config_refs(b), 2);
	cur = b;
	rg_config_release(&cur);
	UT_INT("release", "refs", rg_config_refs(b), 1);

	rg_config_release(&held);		/* the connection closes: a is freed */
	CU_ASSERT_PTR_NULL(held);
	rg_config_release(&held);		/* NULL is harmless */
	rg_config_release(NULL);

	cur = rg_config_current();
	CU_ASSERT_PTR_EQUAL(cur, b);
	rg_config_release(&cur);
	UT_INT("end", "refs of the installed snapshot", rg_config_refs(b), 1);
}

/* rg_dir_login_addresses() collects into a comma-separated string. */
static void
collect(void *arg, const char *addr)
{
	char *buf = arg;
	size_t n = strlen(buf);

	snprintf(buf + n, RG_DIR_TARGET_MAX - n, "%s%s", n > 0 ? "," : "", addr);
}

/*
 * What relayguard -q prints comes from these answers: the kind and the
 * forward's target through rg_dir_recipient(), a login's addresses
 * (each once, in the file's order) through rg_dir_login_addresses().
 */
static void
test_query_file(void)
{
	static const struct {
		const char *key;	/* an address, or login=LOGIN */
		enum rg_lookup status;
		enum rg_rcpt_kind kind;
		const char *target;	/* recipient: a->target; login: the addresses */
	} rows[] = {
		{ "alice@example.edu", RG_LOOKUP_FOUND, RG_KIND_MAILBOX, "" },
		{ "ALICE@example.edu", RG_LOOKUP_FOUND, RG_KIND_MAILBOX, "" },
		{ "dave@example.edu", RG_LOOKUP_FOUND, RG_KIND_FORWARD, "dave@isp.example" },
		{ "staff@example.edu", RG_LOOKUP_FOUND, RG_KIND_LIST, "" },
		{ "nobody@example.edu", RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX, "" },
		{ "login=alice", RG_LOOKUP_FOUND, RG_KIND_MAILBOX, "alice@example.edu" },
		{ "login=carol", RG_LOOKUP_FOUND, RG_KIND_MAILBOX,
		  "carol@physics.example.edu,carol@example.edu" },
		{ "login=Carol", RG_LOOKUP_FOUND, RG_KIND_MAILBOX,
		  "carol@physics.example.edu,carol@example.edu" },
		{ "login=mallory", RG_LOOKUP_NOTFOUND, RG_KIND_MAILBOX, "" },
	};
	struct rg_errs e;
	struct rg_config *c;

	write_good("q.conf", "enforce");
	c = load("q.conf", &e);
	CU_ASSERT_FATAL(c != NULL);
	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_dir_answer a;
		char got[RG_DIR_TARGET_MAX + 8] = "";

		if (strncmp(rows[i].key, "login=", 6) == 0) {
			rg_dir_login_addresses(rg_config_dir(c), rows[i].key + 6, collect, got, &a);
		} else {
			rg_dir_recipient(rg_config_dir(c), rows[i].key, &a);
			snprintf(got, sizeof(got), "%s", a.target);
		}
		UT_INT(rows[i].key, "status", a.status, rows[i].status);
		if (a.status == RG_LOOKUP_FOUND)
			UT_INT(rows[i].key, "kind", a.kind, rows[i].kind);
		UT_STR(rows[i].key, "target", got, rows[i].target);
		CU_ASSERT(strstr(a.source, "directory.conf") != NULL);
	}
	rg_config_release(&c);
	rg_errs_free(&e);
}

/* A target list that does not fit ends in "..." and never overflows. */
static void
test_target_full(void)
{
	struct rg_dir_answer a;
	char addr[200];
	size_t n = 0;

	memset(&a, 0, sizeof(a));
	memset(addr, 'x', sizeof(addr) - 1);
	addr[sizeof(addr) - 1] = '\0';
	rg_dir_add_target(&a, "a@example.org", 13);
	rg_dir_add_target(&a, "b@example.org", 13);
	UT_STR("two", "target", a.target, "a@example.org, b@example.org");
	for (int i = 0; i < 10; i++)
		rg_dir_add_target(&a, addr, strlen(addr));
	n = strlen(a.target);
	CU_ASSERT(n < sizeof(a.target));
	CU_ASSERT(n >= 3 && strcmp(a.target + n - 3, "...") == 0);
	/* Nothing is appended after the mark. */
	rg_dir_add_target(&a, "c@example.org", 13);
	CU_ASSERT(strlen(a.target) == n);
}

/*
 * dir.c's choke point holds every backend to the three-way contract: a
 * backend that answers anything but found, not found or could not tell
 * (RG_LOOKUP_NONE, a stray value, or nothing) gives "could not tell",
 * never found or not found, and a real answer passes through untouched.
 */
static enum rg_lookup stub_status;
static bool stub_silent;

static void
stub_fill(struct rg_dir_answer *a)
{
	if (!stub_silent)
		a->status = stub_status;
}

static void
stub_recipient(struct rg_dir *d, const char *addr, struct rg_dir_answer *a)
{
	(void)d, (void)addr;
	stub_fill(a);
}

static void
stub_login_owns(struct rg_dir *d, const char *login, const char *addr,
    struct rg_dir_answer *a)
{
	(void)d, (void)login, (void)addr;
	stub_fill(a);
}

static void
stub_login_suspended(struct rg_dir *d, const char *login, struct rg_dir_answer *a)
{
	(void)d, (void)login;
	stub_fill(a);
}

static void
test_choke_point(void)
{
	static const struct rg_dir_ops ops = {
		.name = "stub", .stats = RG_STATS_FILE, .recipient = stub_recipient,
		.login_owns = stub_login_owns, .login_suspended = stub_login_suspended,
	};
	static const struct {
		const char *row;
		enum rg_lookup said;
		bool silent;
		enum rg_lookup want;
	} rows[] = {
		{ "found", RG_LOOKUP_FOUND, false, RG_LOOKUP_FOUND },
		{ "not found", RG_LOOKUP_NOTFOUND, false, RG_LOOKUP_NOTFOUND },
		{ "could not tell", RG_LOOKUP_ERROR, false, RG_LOOKUP_ERROR },
		{ "none", RG_LOOKUP_NONE, false, RG_LOOKUP_ERROR },
		{ "stray value", (enum rg_lookup)42, false, RG_LOOKUP_ERROR },
		{ "no answer", RG_LOOKUP_FOUND, true, RG_LOOKUP_ERROR },
	};
	struct rg_dir d = { .ops = &ops, .backend = NULL };
	struct rg_dir_answer a;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		stub_status = rows[i].said;
		stub_silent = rows[i].silent;
		rg_dir_recipient(&d, "u@example.edu", &a);
		UT_INT(rows[i].row, "recipient", (int)a.status, (int)rows[i].want);
		rg_dir_login_owns(&d, "u", "u@example.edu", &a);
		UT_INT(rows[i].row, "login_owns", (int)a.status, (int)rows[i].want);
		rg_dir_login_suspended(&d, "u", &a);
		UT_INT(rows[i].row, "login_suspended", (int)a.status, (int)rows[i].want);
		if (rows[i].want == RG_LOOKUP_ERROR)
			UT_INT(rows[i].row, "why is set", a.why[0] != '\0', 1);
	}
}

void
add_conf_suite(void)
{
	CU_pSuite s = ut_suite("conf");

	ut_test(s, "a valid policy.conf and directory.conf", test_valid);
	ut_test(s, "the shipped etc/policy.conf", test_shipped);
	ut_test(s, "every error with FILE:LINE", test_errors);
	ut_test(s, "warnings with FILE:LINE, and the file still loads", test_warnings);
	ut_test(s, "unreadable files", test_unreadable);
	ut_test(s, "FIFOs and symlinks among the named files", test_special_files);
	ut_test(s, "absolute names for the daemon", test_paths);
	ut_test(s, "snapshot reference counts", test_snapshot_refs);
	ut_test(s, "relayguard -q through the file directory", test_query_file);
	ut_test(s, "a forward's target list that does not fit", test_target_full);
	ut_test(s, "every backend's answer is three-way at dir.c", test_choke_point);
}

int
main(void)
{
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "%s", "/tmp/rg-unit-conf-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	add_conf_suite();
	rc = ut_run();
	while (nmade > 0)
		unlink(made[--nmade]);
	rmdir(tmpdir);
	return rc;
}
