/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * split.c - cut an access file into entries as makemap or postmap does.
 *
 * makemap (Sendmail): a line whose first byte is '#' is a comment; a line
 * that starts with whitespace is an error (there are no continuation
 * lines); the key ends at the first blank.  postmap (Postfix): a comment
 * is a line whose first non-blank is '#'; a line that starts with
 * whitespace continues the entry before it; a key may be written in
 * double quotes with \" and \\ inside.  Both fold the key to lower case.
 * Neither copes with what we refuse here: those bytes would end up in
 * the database key or value, and the entry would never match.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"

struct pending {
	unsigned line;		/* of its first physical line; 0 if none */
	bool bad;		/* an error was already reported for it */
	size_t len;
	char text[RG_MIG_LINE_MAX + 1];
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* NULL when 's' (n bytes) is valid UTF-8, else the reason. */
static const char *
bad_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], need, min;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) { need = 1; min = 0x80; cp = c & 0x1f; }
		else if (c >= 0xe0 && c <= 0xef) { need = 2; min = 0x800; cp = c & 0x0f; }
		else if (c >= 0xf0 && c <= 0xf4) { need = 3; min = 0x10000; cp = c & 0x07; }
		else return "invalid UTF-8";
		if (i + need >= n)
			return "invalid UTF-8 (truncated sequence)";
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return "invalid UTF-8";
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return "invalid UTF-8 (overlong or surrogate)";
		i += need + 1;
	}
	return NULL;
}

/* NULL when a physical line's bytes are acceptable, else the reason. */
static const char *
bad_bytes(const char *s, size_t n)
{
	if (memchr(s, '\0', n) != NULL)
		return "NUL byte in line";
	if (memchr(s, '\r', n) != NULL)
		return "carriage return in line (CR LF line ends?): it would be part of the "
		    "key or value";
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return "control character in line";
	return bad_utf8((const unsigned char *)s, n);
}

static void
fold(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* Split a complete logical line into key and value and hand it on. */
static void
emit(struct pending *p, enum rg_mig_syntax syn, rg_mig_fn fn, void *arg)
{
	char key[RG_MIG_LINE_MAX + 1], *v, *end;
	size_t k = 0;
	char *s = p->text;

	if (p->line == 0)
		return;
	if (p->bad) {
		p->line = 0;
		return;
	}
	p->text[p->len] = '\0';
	if (syn == RG_MIG_POSTFIX && *s == '"') {
		/* Postfix 3.2 and later: "key with blanks", \" and \\ inside. */
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
				s++;
			key[k++] = *s;
		}
		if (*s != '"') {
			fn(arg, p->line, NULL, NULL, "unbalanced double quote in the key");
			p->line = 0;
			return;
		}
		s++;
		if (*s && !blank(*s)) {
			fn(arg, p->line, NULL, NULL, "text right after the closing quote of the key");
			p->line = 0;
			return;
		}
	} else {
		while (*s && !blank(*s))
			key[k++] = *s++;
	}
	key[k] = '\0';
	while (blank(*s))
		s++;
	v = s;
	end = v + strlen(v);
	while (end > v && blank(end[-1]))
		*--end = '\0';
	if (k == 0)
		fn(arg, p->line, NULL, NULL, "empty key");
	else if (*v == '\0')
		fn(arg, p->line, NULL, NULL, "key without a value (right-hand side)");
	else {
		fold(key);
		fn(arg, p->line, key, v, NULL);
	}
	p->line = 0;
}

/* Read one physical line, of any length; NULL at EOF. */
static char *
next_line(FILE *in, char **buf, size_t *cap, size_t *len_r)
{
	ssize_t n = getline(buf, cap, in);

	if (n < 0)
		return NULL;
	if (n > 0 && (*buf)[n - 1] == '\n')
		n--;
	*len_r = (size_t)n;
	return *buf;
}

bool
rg_mig_split(FILE *in, enum rg_mig_syntax syn, rg_mig_fn fn, void *arg)
{
	struct pending *p = calloc(1, sizeof(*p));
	char *buf = NULL;
	size_t cap = 0, n;
	unsigned lineno = 0;
	const char *why;
	char *s;

	if (p == NULL)
		return false;
	errno = 0;
	while ((s = next_line(in, &buf, &cap, &n)) != NULL) {
		size_t i = 0;
		bool cont;

		lineno++;
		while (i < n && blank(s[i]))
			i++;
		/* Comments and blank lines: neither tool stores them. */
		if (i == n || (syn == RG_MIG_SENDMAIL ? s[0] == '#' : s[i] == '#'))
			continue;
		cont = i > 0;
		if (!cont || syn == RG_MIG_SENDMAIL)
			emit(p, syn, fn, arg);
		if (cont && syn == RG_MIG_SENDMAIL) {
			fn(arg, lineno, NULL, NULL, "line starts with whitespace: makemap refuses "
			    "it (an access file has no continuation lines)");
			continue;
		}
		if (cont && p->line == 0) {
			fn(arg, lineno, NULL, NULL, "line starts with whitespace but there is no "
			    "entry before it to continue");
			continue;
		}
		if (!cont) {
			p->line = lineno;
			p->bad = false;
			p->len = 0;
		}
		if (p->bad)
			continue;
		if ((why = bad_bytes(s, n)) != NULL) {
			fn(arg, lineno, NULL, NULL, why);
			p->bad = true;
			continue;
		}
		if (n > RG_MIG_LINE_MAX - p->len) {
			char msg[96];

			if (lineno == p->line)
				snprintf(msg, sizeof(msg), "entry longer than %d bytes",
				    RG_MIG_LINE_MAX);
			else
				snprintf(msg, sizeof(msg), "entry of line %u longer than %d bytes",
				    p->line, RG_MIG_LINE_MAX);
			fn(arg, lineno, NULL, NULL, msg);
			p->bad = true;
			continue;
		}
		memcpy(p->text + p->len, s, n);
		p->len += n;
	}
	emit(p, syn, fn, arg);
	free(buf);
	free(p);
	return !ferror(in);
}
