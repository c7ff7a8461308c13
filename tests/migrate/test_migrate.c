/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_migrate.c - table tests for relayguard -I's parsers: what each
 * Sendmail and Postfix access entry grants (action, sender, network,
 * danger flags and the words of the reason), the network spellings of
 * both MTAs, and how a file is cut into entries.
 */
#include "tests/unit/unit.h"
#include "migrate/migrate.h"
#include "migrate/fragment.h"

#define D	RG_MIG_F_DOMAIN
#define U	RG_MIG_F_USERAT
#define P	RG_MIG_F_PERMIT_ALL

struct row {
	const char *key, *value;
	enum rg_mig_action action;
	const char *sender;	/* sender, or network for RG_MIG_NETWORK; NULL: empty */
	unsigned flags;
	const char *why;	/* a phrase the reason must hold */
};

static const struct row sendmail_rows[] = {
	{ "from:bob@example.edu", "RELAY", RG_MIG_SENDER, "bob@example.edu", 0, "relay" },
	{ "from:bob@example.edu", "relay", RG_MIG_SENDER, "bob@example.edu", 0, "relay" },
	{ "from:bob@example.edu.", "RELAY", RG_MIG_SENDER, "bob@example.edu", 0, "relay" },
	{ "from:example.edu", "RELAY", RG_MIG_DOMAIN, "@example.edu", D, "a whole domain" },
	{ "from:alice@", "RELAY", RG_MIG_SKIP, NULL, U, "every domain" },
	{ "from:bob@example.edu", "OK", RG_MIG_SKIP, NULL, 0, "grants no relaying" },
	{ "from:bob@example.edu", "REJECT", RG_MIG_SKIP, NULL, 0, "REJECT" },
	{ "from:bob@example.edu", "DISCARD", RG_MIG_SKIP, NULL, 0, "DISCARD" },
	{ "from:bob@example.edu", "ERROR:\"550 no\"", RG_MIG_SKIP, NULL, 0, "ERROR" },
	{ "from:bob@example.edu", "ERROR:5.7.1:550 no", RG_MIG_SKIP, NULL, 0, "ERROR" },
	{ "from:bob@example.edu", "ERROR:\"550 no", RG_MIG_BAD, NULL, 0, "unbalanced" },
	{ "from:bob@example.edu", "TEMP:4.3.0:later", RG_MIG_SKIP, NULL, 0, "TEMP" },
	{ "from:bob@example.edu", "QUARANTINE:why", RG_MIG_SKIP, NULL, 0, "QUARANTINE" },
	{ "from:bob@example.edu", "SKIP", RG_MIG_SKIP, NULL, 0, "SKIP" },
	{ "from:bob@example.edu", "RELAYX", RG_MIG_SKIP, NULL, 0, "grants no relaying" },
	{ "from:bob@example.edu", "RELAY now", RG_MIG_SKIP, NULL, 0, "grants no relaying" },
	{ "from:a%b@example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "routed" },
	{ "from:a!b@example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "routed" },
	{ "from:x+*@example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "+*" },
	{ "from:<>", "RELAY", RG_MIG_SKIP, NULL, 0, "null sender" },
	{ "from:[192.0.2.1]", "RELAY", RG_MIG_SKIP, NULL, 0, "not an address" },
	{ "from:localhost", "RELAY", RG_MIG_SKIP, NULL, 0, "not an address" },
	{ "connect:10.1.2", "RELAY", RG_MIG_NETWORK, "10.1.2.0/24", 0, "networks.trusted" },
	{ "connect:10.1.2.3", "RELAY", RG_MIG_NETWORK, "10.1.2.3", 0, "networks.trusted" },
	{ "connect:ipv6:2001:db8", "RELAY", RG_MIG_NETWORK, "2001:db8::/32", 0, "trusted" },
	{ "connect:lab.example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "host name" },
	{ "connect:10.1.2", "OK", RG_MIG_SKIP, NULL, 0, "grants no relaying" },
	{ "to:partner.example", "RELAY", RG_MIG_SKIP, NULL, 0, "domains.relay" },
	{ "bob@example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "untagged" },
	{ "example.edu", "RELAY", RG_MIG_SKIP, NULL, 0, "untagged" },
	{ "192.0.2", "RELAY", RG_MIG_NETWORK, "192.0.2.0/24", 0, "networks.trusted" },
	{ "ipv6:2001:db8::1", "RELAY", RG_MIG_NETWORK, "2001:db8::1", 0, "trusted" },
	{ "spam:abuse@", "FRIEND", RG_MIG_SKIP, NULL, 0, "tag \"spam:\"" },
	{ "greetpause:localhost", "0", RG_MIG_SKIP, NULL, 0, "tag" },
};

static const struct row postfix_rows[] = {
	{ "bob@example.edu", "OK", RG_MIG_SENDER, "bob@example.edu", 0, "OK" },
	{ "bob@example.edu", "ok", RG_MIG_SENDER, "bob@example.edu", 0, "OK" },
	{ "bob@example.edu", "RELAY", RG_MIG_SENDER, "bob@example.edu", 0, "OK" },
	{ "bob@example.edu", "PERMIT", RG_MIG_SENDER, "bob@example.edu", 0, "PERMIT" },
	{ "bob@example.edu", "OK trailing text", RG_MIG_SENDER, "bob@example.edu", 0, "OK" },
	{ "bob@example.edu", "1733011200", RG_MIG_SENDER, "bob@example.edu", 0, "numerical" },
	{ "bob@example.edu", "REJECT", RG_MIG_SKIP, NULL, 0, "REJECT" },
	{ "bob@example.edu", "550 5.7.1 no", RG_MIG_SKIP, NULL, 0, "numeric code" },
	{ "bob@example.edu", "450 later", RG_MIG_SKIP, NULL, 0, "4xx" },
	{ "bob@example.edu", "DUNNO", RG_MIG_SKIP, NULL, 0, "DUNNO" },
	{ "bob@example.edu", "DEFER_IF_PERMIT x", RG_MIG_SKIP, NULL, 0, "DEFER_IF_PERMIT" },
	{ "bob@example.edu", "permit_sasl_authenticated", RG_MIG_SKIP, NULL, 0, "restriction" },
	{ "bob@example.edu", "OKAY", RG_MIG_SKIP, NULL, 0, "restriction" },
	{ "example.edu", "OK", RG_MIG_DOMAIN, "@example.edu", D, "a whole domain" },
	{ ".example.edu", "OK", RG_MIG_SKIP, NULL, D, "every subdomain" },
	{ "mallory@", "OK", RG_MIG_SKIP, NULL, U, "every domain" },
	{ "<>", "OK", RG_MIG_SKIP, NULL, P, "null sender" },
	{ "<>", "REJECT", RG_MIG_SKIP, NULL, 0, "REJECT" },
	{ "10.1.2", "OK", RG_MIG_NETWORK, "10.1.2.0/24", P, "permits everything" },
	{ "10.1.2.0/24", "OK", RG_MIG_NETWORK, "10.1.2.0/24", P, "networks.trusted" },
	{ "10.1.2.3/24", "OK", RG_MIG_SKIP, NULL, 0, "host bits" },
	{ "2001:db8::/32", "OK", RG_MIG_NETWORK, "2001:db8::/32", P, "networks.trusted" },
	{ "2001:db8:1", "OK", RG_MIG_NETWORK, "2001:db8:1::/48", P, "networks.trusted" },
	{ "010.1.2", "OK", RG_MIG_DOMAIN, "@010.1.2", D, "a whole domain" },
	{ "a%b@example.edu", "OK", RG_MIG_SKIP, NULL, 0, "routed" },
	{ "joe bloggs@example.edu", "OK", RG_MIG_SKIP, NULL, 0, "a blank" },
};

static void
check(const char *tag, const struct row *r, const struct rg_mig_entry *e)
{
	char row[600];
	const char *got = r->action == RG_MIG_NETWORK ? e->net : e->sender;

	snprintf(row, sizeof(row), "%s %s %s", tag, r->key, r->value);
	UT_STR(row, "action", rg_mig_action_name(e->action), rg_mig_action_name(r->action));
	UT_STR(row, "sender/net", got, r->sender ? r->sender : "");
	UT_INT(row, "flags", e->flags, r->flags);
	UT_HAS(row, "why", e->why, r->why);
}

static void
test_sendmail(void)
{
	struct rg_mig_entry e;

	for (size_t i = 0; i < UT_NROWS(sendmail_rows); i++) {
		rg_mig_sendmail(sendmail_rows[i].key, sendmail_rows[i].value, &e);
		check("sendmail", &sendmail_rows[i], &e);
	}
}

static void
test_postfix(void)
{
	struct rg_mig_entry e;

	for (size_t i = 0; i < UT_NROWS(postfix_rows); i++) {
		rg_mig_postfix(postfix_rows[i].key, postfix_rows[i].value, &e);
		check("postfix", &postfix_rows[i], &e);
	}
}

static const struct {
	const char *key;
	bool sendmail;
	const char *cidr;	/* NULL: not a network */
} net_rows[] = {
	{ "10", true, "10.0.0.0/8" },
	{ "10.1", false, "10.1.0.0/16" },
	{ "10.1.2.3", true, "10.1.2.3" },
	{ "10.1.2.3.4", true, NULL },
	{ "256.1", true, NULL },
	{ "01.2", false, NULL },
	{ "10..2", false, NULL },
	{ "ipv6:2001:db8", true, "2001:db8::/32" },
	{ "ipv6:2001:db8::1", true, "2001:db8::1" },
	{ "2001:db8", true, NULL },		/* Sendmail needs "IPv6:" */
	{ "2001:db8", false, "2001:db8::/32" },
	{ "1:2:3:4:5:6:7:8", false, "1:2:3:4:5:6:7:8" },
	{ "1:2:3:4:5:6:7:8:9", false, NULL },
	{ "10.1.0.0/16", false, "10.1.0.0/16" },
	{ "10.1.0.0/16", true, NULL },		/* no CIDR in Sendmail */
	{ "10.1.0.0/33", false, NULL },
	{ "10.1.0.0/", false, NULL },
	{ "example.edu", false, NULL },
	{ "", false, NULL },
};

static void
test_network(void)
{
	char cidr[RG_MIG_NET_MAX];

	for (size_t i = 0; i < UT_NROWS(net_rows); i++) {
		bool ok = rg_mig_network(net_rows[i].key, net_rows[i].sendmail, cidr, sizeof(cidr));

		UT_INT(net_rows[i].key, "is a network", ok, net_rows[i].cidr != NULL);
		if (ok && net_rows[i].cidr != NULL)
			UT_STR(net_rows[i].key, "cidr", cidr, net_rows[i].cidr);
	}
}

/* What rg_mig_split saw, one "LINE key=value" or "LINE !err" per call. */
struct seen {
	char text[4096];
};

static void
record(void *arg, unsigned line, const char *key, const char *value, const char *err)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	if (key != NULL)
		snprintf(s->text + n, sizeof(s->text) - n, "%u %s=%s|", line, key, value);
	else
		snprintf(s->text + n, sizeof(s->text) - n, "%u !%s|", line, err);
}

static const struct {
	const char *name;
	enum rg_mig_syntax syn;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *want;
} split_rows[] = {
	{ "sendmail plain", RG_MIG_SENDMAIL, "From:Bob@X.example\tRELAY\n", 0,
	  "1 from:bob@x.example=RELAY|" },
	{ "sendmail comment and blank", RG_MIG_SENDMAIL, "# c\n\n   \nk v\n", 0, "4 k=v|" },
	{ "sendmail indented comment is not a comment", RG_MIG_SENDMAIL, " # c\n", 0,
	  "1 !line starts with whitespace: makemap refuses it (an access file has no "
	  "continuation lines)|" },
	{ "sendmail trailing blanks", RG_MIG_SENDMAIL, "k   v w  \t\n", 0, "1 k=v w|" },
	{ "sendmail no newline at end", RG_MIG_SENDMAIL, "k v", 0, "1 k=v|" },
	{ "sendmail no value", RG_MIG_SENDMAIL, "k\n", 0,
	  "1 !key without a value (right-hand side)|" },
	{ "postfix continuation", RG_MIG_POSTFIX, "k\n  v\n\tw\nk2 x\n", 0, "1 k=v\tw|4 k2=x|" },
	{ "postfix comment inside an entry", RG_MIG_POSTFIX, "k v\n # c\n w\n", 0, "1 k=v w|" },
	{ "postfix quoted key", RG_MIG_POSTFIX, "\"A \\\"b\\\\\" v\n", 0, "1 a \"b\\=v|" },
	{ "postfix unbalanced key", RG_MIG_POSTFIX, "\"a v\n", 0,
	  "1 !unbalanced double quote in the key|" },
	{ "postfix orphan continuation", RG_MIG_POSTFIX, " k v\n", 0,
	  "1 !line starts with whitespace but there is no entry before it to continue|" },
	{ "CR", RG_MIG_POSTFIX, "k v\r\nk2 v\n", 0,
	  "1 !carriage return in line (CR LF line ends?): it would be part of the key or "
	  "value|2 k2=v|" },
	{ "NUL", RG_MIG_SENDMAIL, "k\0 v\nk2 v\n", 10, "1 !NUL byte in line|2 k2=v|" },
	{ "bad UTF-8", RG_MIG_SENDMAIL, "k \xc3\n", 0, "1 !invalid UTF-8 (truncated sequence)|" },
	{ "overlong UTF-8", RG_MIG_SENDMAIL, "k \xc0\xaf\n", 0, "1 !invalid UTF-8|" },
	{ "surrogate", RG_MIG_SENDMAIL, "k \xed\xa0\x80\n", 0,
	  "1 !invalid UTF-8 (overlong or surrogate)|" },
	{ "good UTF-8", RG_MIG_SENDMAIL, "k \xc3\xa9\xe2\x82\xac\n", 0, "1 k=\xc3\xa9\xe2\x82\xac|" },
	{ "bad continuation drops the entry", RG_MIG_POSTFIX, "k v\n \x01\nk2 v\n", 0,
	  "2 !control character in line|3 k2=v|" },
};

static void
test_split(void)
{
	for (size_t i = 0; i < UT_NROWS(split_rows); i++) {
		size_t len = split_rows[i].len ? split_rows[i].len : strlen(split_rows[i].in);
		FILE *f = fmemopen((void *)split_rows[i].in, len, "r");
		struct seen s = { "" };

		CU_ASSERT_FATAL(f != NULL);
		UT_INT(split_rows[i].name, "read", rg_mig_split(f, split_rows[i].syn, record, &s), 1);
		fclose(f);
		UT_STR(split_rows[i].name, "entries", s.text, split_rows[i].want);
	}
}

/* A logical line of exactly the limit is taken; one byte more is refused. */
static void
test_limit(void)
{
	static char buf[RG_MIG_LINE_MAX + 16];

	for (int extra = 0; extra <= 1; extra++) {
		size_t n = RG_MIG_LINE_MAX + (size_t)extra;
		struct seen s = { "" };
		FILE *f;

		memset(buf, 'a', n);
		buf[0] = 'k';
		buf[1] = ' ';
		f = fmemopen(buf, n, "r");
		CU_ASSERT_FATAL(f != NULL);
		rg_mig_split(f, RG_MIG_SENDMAIL, record, &s);
		fclose(f);
		if (extra)
			UT_STR("limit+1", "entries", s.text, "1 !entry longer than 2048 bytes|");
		else
			UT_HAS("limit", "entries", s.text, "1 k=aaa");
	}
}

static const struct {
	const char *in, *string, *text;
} esc_rows[] = {
	{ "bob@example.edu", "\"bob@example.edu\"", "bob@example.edu" },
	{ "a\"b\\c", "\"a\\\"b\\\\c\"", "a\"b\\c" },
	{ "tab\there", "\"tab\\x09here\"", "tab\\x09here" },
	{ "nl\ncr\r", "\"nl\\x0Acr\\x0D\"", "nl\\x0Acr\\x0D" },
	{ "\xc3\xa9\x7f", "\"\\xC3\\xA9\\x7F\"", "\\xC3\\xA9\\x7F" },
	{ "", "\"\"", "" },
};

/* What goes into the fragment and into messages is one line of printable ASCII. */
static void
test_escape(void)
{
	for (size_t i = 0; i < UT_NROWS(esc_rows); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		CU_ASSERT_FATAL(f != NULL);
		rg_mig_put_string(f, esc_rows[i].in);
		fputc('|', f);
		rg_mig_put_text(f, esc_rows[i].in);
		fclose(f);
		{
			char want[256];

			snprintf(want, sizeof(want), "%s|%s", esc_rows[i].string, esc_rows[i].text);
			UT_STR(esc_rows[i].in, "escaped", buf, want);
		}
		free(buf);
	}
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	s = ut_suite("migrate");
	ut_test(s, "sendmail entries", test_sendmail);
	ut_test(s, "postfix entries", test_postfix);
	ut_test(s, "networks", test_network);
	ut_test(s, "splitting", test_split);
	ut_test(s, "line limit", test_limit);
	ut_test(s, "escaping", test_escape);
	return ut_run();
}
