/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * test_log.c - log-line escaping: no hostile value may split or forge a
 * decision line, and a full buffer always says so with "...".
 *
 * Besides comparing exact lines, the hostile cases parse the line back
 * the way a log shipper would (key=value, values bare or "quoted" with
 * backslash escapes) and check that exactly the keys written come out.
 */
#include <ctype.h>

#include "unit.h"
#include "common/log.h"

static void
test_log_escape_table(void)
{
	static const struct { const char *name, *in, *out; } rows[] = {
		{ "plain", "alice@example.edu", "alice@example.edu" },
		{ "empty", "", "" },
		{ "CRLF", "a\r\nb", "a\\r\\nb" },
		{ "TAB", "a\tb", "a\\tb" },
		{ "quote", "say \"hi\"", "say \\\"hi\\\"" },
		{ "backslash", "a\\b", "a\\\\b" },
		{ "NUL-adjacent controls", "\x01\x1f", "\\x01\\x1f" },
		{ "ESC sequence", "\x1b[31mred", "\\x1b[31mred" },
		{ "DEL", "a\x7f", "a\\x7f" },
		{ "8-bit passes", "j\xc3\xbcrgen", "j\xc3\xbcrgen" },
		{ "spaces and = pass", "a b=c", "a b=c" },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		char out[256];
		size_t n = rg_log_escape(rows[i].in, out, sizeof(out));

		UT_STR(rows[i].name, "escaped", out, rows[i].out);
		UT_INT(rows[i].name, "returned length", n, strlen(rows[i].out));
	}
}

/* A short buffer: the result is cut only between escapes, and says how much was needed. */
static void
test_log_escape_short(void)
{
	static const struct { const char *name, *in; size_t outlen; const char *out;
	    size_t need; } rows[] = {
		{ "fits exactly", "abc", 4, "abc", 3 },
		{ "one short", "abcd", 4, "abc", 4 },
		{ "escape not split", "ab\n", 4, "ab", 4 },
		{ "hex escape not split", "a\x01", 4, "a", 5 },
		{ "outlen 1", "abc", 1, "", 3 },
	};
	char big[8];

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		char out[64];
		size_t n;

		memset(out, 'Z', sizeof(out));
		n = rg_log_escape(rows[i].in, out, rows[i].outlen);
		UT_STR(rows[i].name, "escaped", out, rows[i].out);
		UT_INT(rows[i].name, "needed", n, rows[i].need);
		UT_INT(rows[i].name, "byte past outlen untouched", out[rows[i].outlen], 'Z');
	}
	UT_INT("outlen 0", "needed", rg_log_escape("a\r\n", NULL, 0), 5);
	memset(big, 'Z', sizeof(big));
	UT_INT("outlen 0 writes nothing", "needed", rg_log_escape("ab", big, 0), 2);
	UT_INT("outlen 0 writes nothing", "first byte", big[0], 'Z');
}

struct kv_step {
	const char *key;
	const char *value;
	bool addr;
};

static void
test_kv_table(void)
{
	static const struct { const char *name; struct kv_step s[4]; const char *line; } rows[] = {
		{ "bare", { { "action", "reject", false } }, "action=reject" },
		{ "two keys", { { "action", "reject", false }, { "stage", "rcpt", false } },
		  "action=reject stage=rcpt" },
		{ "space quoted", { { "reply", "550 5.7.1 Relaying denied", false } },
		  "reply=\"550 5.7.1 Relaying denied\"" },
		{ "= quoted", { { "x", "a=b", false } }, "x=\"a=b\"" },
		{ "NULL is -", { { "auth", NULL, false } }, "auth=-" },
		{ "empty quoted", { { "helo", "", false } }, "helo=\"\"" },
		{ "quote escaped", { { "helo", "say \"hi\"", false } }, "helo=\"say \\\"hi\\\"\"" },
		{ "backslash escaped", { { "helo", "a\\b", false } }, "helo=\"a\\\\b\"" },
		{ "CRLF escaped", { { "helo", "a\r\nb", false } }, "helo=\"a\\r\\nb\"" },
		{ "TAB escaped", { { "helo", "a\tb", false } }, "helo=\"a\\tb\"" },
		{ "control escaped", { { "helo", "a\x01", false } }, "helo=\"a\\x01\"" },
		{ "addr brackets", { { "from", "a@x.example", true } }, "from=<a@x.example>" },
		{ "null sender", { { "from", "", true } }, "from=<>" },
		{ "addr NULL", { { "from", NULL, true } }, "from=-" },
		{ "addr with space", { { "from", "\"john smith\"@x.example", true } },
		  "from=\"<\\\"john smith\\\"@x.example>\"" },
		{ "addr CRLF", { { "rcpt", "a\r\n@x", true } }, "rcpt=\"<a\\r\\n@x>\"" },
		{ "decision line", { { "action", "reject", false }, { "reason", "relay-denied", false },
		    { "client", "198.51.100.7", false }, { "from", "a@x.example", true } },
		  "action=reject reason=relay-denied client=198.51.100.7 from=<a@x.example>" },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		struct rg_kv kv;

		rg_kv_init(&kv);
		for (size_t k = 0; k < 4 && rows[i].s[k].key != NULL; k++) {
			if (rows[i].s[k].addr)
				rg_kv_addr(&kv, rows[i].s[k].key, rows[i].s[k].value);
			else
				rg_kv_add(&kv, rows[i].s[k].key, rows[i].s[k].value);
		}
		UT_STR(rows[i].name, "line", rg_kv_str(&kv), rows[i].line);
	}
}

/*
 * Split a line the way a log parser would.  Values are kept as written
 * (escapes included).  Returns the number of pairs, or -1 if the line is
 * not well-formed key=value: an unbalanced quote, an escape that is not
 * one rg_log_escape() writes, a stray quote or backslash outside quotes.
 */
static int
parse_line(const char *s, char keys[][32], char vals[][2048], int max)
{
	int n = 0;

	while (*s != '\0') {
		size_t k = 0, v = 0;

		if (n > 0 && *s++ != ' ')
			return -1;
		if (n == max)
			return -1;
		while (*s != '\0' && *s != '=' && *s != ' ' && k < 31)
			keys[n][k++] = *s++;
		keys[n][k] = '\0';
		if (*s++ != '=' || k == 0)
			return -1;
		if (*s == '"') {
			for (s++; *s != '"'; s++) {
				if (*s == '\0' || v >= 2040)
					return -1;
				if (*s == '\\') {
					if (s[1] == '\0' || strchr("rnt\"\\x", s[1]) == NULL)
						return -1;
					if (s[1] == 'x' && (!isxdigit((unsigned char)s[2]) ||
					    !isxdigit((unsigned char)s[3])))
						return -1;
					vals[n][v++] = *s++;
				}
				vals[n][v++] = *s;
			}
			s++;
			if (*s != '\0' && *s != ' ')
				return -1;
		} else {
			while (*s != '\0' && *s != ' ') {
				if (*s == '"' || *s == '\\' || v >= 2040)
					return -1;
				vals[n][v++] = *s++;
			}
		}
		vals[n][v] = '\0';
		n++;
	}
	return n;
}

static char keys[16][32];
static char vals[16][2048];

/* "\r\nNOQUEUE: action=accept" in an address must stay inside its value. */
static void
test_kv_hostile(void)
{
	static const char *const hostile[] = {
		"x@y.example>\r\nNOQUEUE: action=accept stage=rcpt reason=trusted",
		"x@y.example\" action=accept \"",
		"x@y.example\\\" action=accept",
		"\nNOQUEUE: action=accept",
		"x@y.example\rNOQUEUE: action=accept",
		"a\x0b\x0c\x1b\x7f b",
	};

	for (size_t i = 0; i < UT_NROWS(hostile); i++) {
		struct rg_kv kv;
		const char *line;
		char name[32], want[256];
		int n;

		snprintf(name, sizeof(name), "hostile %zu", i);
		rg_kv_init(&kv);
		rg_kv_add(&kv, "action", "reject");
		rg_kv_add(&kv, "stage", "rcpt");
		rg_kv_addr(&kv, "from", hostile[i]);
		rg_kv_add(&kv, "helo", hostile[i]);
		line = rg_kv_str(&kv);
		UT_INT(name, "CR or LF in the line", strpbrk(line, "\r\n") != NULL, false);
		n = parse_line(line, keys, vals, 16);
		UT_INT(name, "pairs parsed back", n, 4);
		if (n != 4)
			continue;
		UT_STR(name, "key 0", keys[0], "action");
		UT_STR(name, "action", vals[0], "reject");
		UT_STR(name, "key 1", keys[1], "stage");
		UT_STR(name, "key 2", keys[2], "from");
		UT_STR(name, "key 3", keys[3], "helo");
		/* The parsed value is the escaped text: readable, but still one line. */
		UT_INT(name, "escaped value has no CR/LF", strpbrk(vals[2], "\r\n") != NULL, false);
		rg_log_escape(hostile[i], want, sizeof(want));
		UT_STR(name, "helo round-trips to its escaped form", vals[3], want);
	}
}

/*
 * Fill the 2048-byte line: it ends in "...", stays well-formed and in
 * bounds.  A single value over 1 KiB is cut inside its own quotes, so
 * there the value, not the line, must end in "...".
 */
static void
test_kv_truncation(void)
{
	static const struct { const char *name; const char *head; size_t vlen; char fill;
	    int adds; } rows[] = {
		{ "many plain values", "", 300, 'a', 20 },
		{ "many quoted values", "", 300, ' ', 20 },
		{ "many escape-heavy values", "", 300, '\n', 20 },
		{ "one huge value", "", 5000, 'b', 1 },
		{ "one huge escape-heavy value", "", 5000, '\r', 1 },
		{ "one huge escape-heavy value, odd offset", "a", 5000, '\r', 1 },
		{ "one huge hex-escape value, odd offset", "ab", 5000, '\x01', 1 },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++) {
		size_t hl = strlen(rows[i].head);
		char *v = malloc(hl + rows[i].vlen + 1);
		struct rg_kv kv;
		const char *line, *last;
		size_t len;
		int n;

		CU_ASSERT_FATAL(v != NULL);
		memcpy(v, rows[i].head, hl);
		memset(v + hl, rows[i].fill, rows[i].vlen);
		v[hl + rows[i].vlen] = '\0';
		rg_kv_init(&kv);
		rg_kv_add(&kv, "action", "reject");
		for (int k = 0; k < rows[i].adds; k++)
			rg_kv_add(&kv, "k", v);
		line = rg_kv_str(&kv);
		len = strlen(line);
		UT_INT(rows[i].name, "fits the buffer", len < sizeof(kv.buf), true);
		UT_INT(rows[i].name, "CR or LF", strpbrk(line, "\r\n") != NULL, false);
		UT_INT(rows[i].name, "starts with the first pair",
		    strncmp(line, "action=reject ", 14) == 0, true);
		n = parse_line(line, keys, vals, 16);
		UT_INT(rows[i].name, "well-formed key=value (quotes balanced, escapes whole)",
		    n > 1, true);
		if (rows[i].adds > 1) {
			last = line + len - (len >= 3 ? 3 : len);
			UT_STR(rows[i].name, "line ends in", last, "...");
		} else if (n > 1) {
			len = strlen(vals[1]);
			last = vals[1] + len - (len >= 3 ? 3 : len);
			UT_STR(rows[i].name, "value ends in", last, "...");
		}
		UT_STR(rows[i].name, "str again is the same line", rg_kv_str(&kv), line);
		free(v);
	}
}

/* A line that fits is never marked. */
static void
test_kv_no_false_marker(void)
{
	struct rg_kv kv;
	char v[1001];

	memset(v, 'a', 1000);
	v[1000] = '\0';
	rg_kv_init(&kv);
	rg_kv_add(&kv, "k", v);
	UT_INT("1000-byte value", "length", strlen(rg_kv_str(&kv)), 1002);
	UT_INT("1000-byte value", "no ...", strstr(rg_kv_str(&kv), "...") == NULL, true);
}

static void
test_log_facility(void)
{
	static const struct { const char *name; bool ok; } rows[] = {
		{ "mail", true }, { "daemon", true }, { "local0", true }, { "local7", true },
		{ "user", true }, { "Mail", false }, { "local8", false }, { "", false },
		{ "kern", false },
	};

	for (size_t i = 0; i < UT_NROWS(rows); i++)
		UT_INT(rows[i].name, "known facility", rg_log_facility(rows[i].name) >= 0,
		    rows[i].ok);
}

void
add_log_suite(void)
{
	CU_pSuite s = ut_suite("log");

	ut_test(s, "rg_log_escape table", test_log_escape_table);
	ut_test(s, "rg_log_escape into a short buffer", test_log_escape_short);
	ut_test(s, "rg_kv_add / rg_kv_addr table", test_kv_table);
	ut_test(s, "hostile values cannot forge a line", test_kv_hostile);
	ut_test(s, "truncation ends in ...", test_kv_truncation);
	ut_test(s, "no marker when the line fits", test_kv_no_false_marker);
	ut_test(s, "facility names", test_log_facility);
}
