/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_log.c - libFuzzer harness: the key=value line builder (rg_kv_*)
 * and rg_log_escape(), with a parse-back round trip as the oracle.
 *
 * Input: NUL-separated values; byte 0 of each value picks its kind
 * (bit 0: rg_kv_addr, bit 1: a NULL value) and is not part of it.
 * The values go into one line under keys k0, k1, ...
 *
 * The line is then read back by a parser of the format documented in
 * relayguard(8), LOGGING, written here from the page and not from
 * log.c: pairs "key=value" separated by one space; a value is bare (no
 * blank, '"', '\', '=' or control byte) or double-quoted with the
 * escapes \n \r \t \" \\ \xHH.  Oracles:
 *  - the line holds no byte below 0x20 and no DEL, and parses;
 *  - the pairs come back in order, each key as written and each value
 *    equal to the input ("<value>" for an address, "-" for NULL), or,
 *    for a value the builder shortened, a prefix of it followed by "...";
 *  - pairs may be dropped only from the end, and then the line ends in
 *    the pair truncated=...
 * rg_log_escape() is also called with output sizes 1-48 and the last few
 * before the full length: it
 * must return the full length, NUL-terminate, never split an escape,
 * and write a prefix of the full escape.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define MAXV 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *line)
{
	fprintf(stderr, "ORACLE: %s\nline: [%s]\n", what, line);
	abort();
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Read one value at *pp (bare or quoted) into out; false on a format
 * error.  *pp is left after the value.
 */
static bool
read_value(const char **pp, char *out, size_t *outlen_r)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p != '"') {
		for (; *p && *p != ' '; p++) {
			unsigned char c = (unsigned char)*p;

			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '=')
				return false;
			out[n++] = (char)c;
		}
		if (n == 0)
			return false;	/* an empty value must be written "" */
		*pp = p;
		*outlen_r = n;
		return true;
	}
	for (p++;; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\0')
			return false;
		if (c == '"')
			break;
		if (c == '\\') {
			int h, l;

			switch (*++p) {
			case 'n': out[n++] = '\n'; break;
			case 'r': out[n++] = '\r'; break;
			case 't': out[n++] = '\t'; break;
			case '"': out[n++] = '"'; break;
			case '\\': out[n++] = '\\'; break;
			case 'x':
				if ((h = hexval(p[1])) < 0 || (l = hexval(p[2])) < 0)
					return false;
				out[n++] = (char)(h * 16 + l);
				p += 2;
				break;
			default:
				return false;
			}
			continue;
		}
		out[n++] = (char)c;
	}
	p++;
	if (*p != '\0' && *p != ' ')
		return false;	/* text glued to the closing quote */
	*pp = p;
	*outlen_r = n;
	return true;
}

/* Unescape an rg_log_escape() output; false if it ends inside an escape. */
static bool
unescape(const char *in, char *out, size_t *n_r)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		if (*p != '\\') {
			out[n++] = *p;
			continue;
		}
		switch (*++p) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case '"': case '\\': out[n++] = *p; break;
		case 'x':
			if (hexval(p[1]) < 0 || hexval(p[2]) < 0)
				return false;
			out[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
			break;
		default:
			return false;
		}
	}
	*n_r = n;
	return true;
}

static void
check_escape(const char *v)
{
	size_t vl = strlen(v), full_need = rg_log_escape(v, NULL, 0);
	char *full = malloc(full_need + 1), *buf = malloc(full_need + 2), *un = malloc(vl + 1);
	size_t n;

	if (full == NULL || buf == NULL || un == NULL)
		abort();
	if (rg_log_escape(v, full, full_need + 1) != full_need || strlen(full) != full_need)
		fail("rg_log_escape: full size", v);
	if (!unescape(full, un, &n) || n != vl || memcmp(un, v, vl) != 0)
		fail("rg_log_escape: does not unescape to its input", full);
	/* Small sizes and the ones around the full length (so one input stays cheap). */
	for (size_t len = 1; len <= full_need + 1; len = len < 48 ? len + 1 :
	    len < full_need - 3 ? full_need - 3 : len + 1) {
		memset(buf, 'Z', full_need + 2);
		if (rg_log_escape(v, buf, len) != full_need)
			fail("rg_log_escape: return is not the full length", v);
		if (memchr(buf, '\0', len) == NULL)
			fail("rg_log_escape: not NUL-terminated", v);
		if (buf[len] != 'Z' && len <= full_need)
			fail("rg_log_escape: wrote past outlen", v);
		n = strlen(buf);
		if (memcmp(buf, full, n) != 0)
			fail("rg_log_escape: short output is not a prefix", buf);
		if (!unescape(buf, un, &n))
			fail("rg_log_escape: short output splits an escape", buf);
	}
	free(full);
	free(buf);
	free(un);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *vals[MAXV];
	unsigned kinds[MAXV];
	char *copy, *want = NULL, *got = NULL;
	size_t nv = 0;
	struct rg_kv *kv;
	const char *line, *p;
	size_t i;

	if (size > 8192)
		return 0;
	copy = malloc(size + 1);
	kv = malloc(sizeof(*kv));
	if (copy == NULL || kv == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (char *s = copy; s < copy + size && nv < MAXV; s += strlen(s) + 1) {
		kinds[nv] = (unsigned char)s[0];
		vals[nv++] = s[0] ? s + 1 : s;
	}
	if (nv == 0)
		vals[nv] = "", kinds[nv++] = 0;

	rg_kv_init(kv);
	for (i = 0; i < nv; i++) {
		char key[16];
		const char *v = (kinds[i] & 2) ? NULL : vals[i];

		snprintf(key, sizeof(key), "k%zu", i);
		if (kinds[i] & 1)
			rg_kv_addr(kv, key, v);
		else
			rg_kv_add(kv, key, v);
	}
	line = rg_kv_str(kv);
	if (strlen(line) >= sizeof(kv->buf))
		fail("line longer than its buffer", line);
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail("control byte in the line", line);

	want = malloc(4200);
	got = malloc(4200);
	if (want == NULL || got == NULL)
		abort();
	p = line;
	for (i = 0; *p; i++) {
		char key[16];
		size_t kl, gl, wl;
		const char *eq;

		if (i > 0 && *p++ != ' ')
			fail("pairs not separated by one space", line);
		if ((eq = strchr(p, '=')) == NULL)
			fail("pair without '='", line);
		kl = (size_t)(eq - p);
		p = eq + 1;
		if (!read_value(&p, got, &gl))
			fail("value does not parse", line);
		if (kl == 9 && strncmp(eq - 9, "truncated", 9) == 0) {
			if (*p != '\0' || gl != 3 || memcmp(got, "...", 3) != 0)
				fail("truncated=... is not the last pair", line);
			break;
		}
		if (i >= nv)
			fail("more pairs than values", line);
		snprintf(key, sizeof(key), "k%zu", i);
		if (kl != strlen(key) || strncmp(eq - kl, key, kl) != 0)
			fail("keys out of order", line);
		if (kinds[i] & 2)
			wl = (size_t)snprintf(want, 4200, "-");
		else if (kinds[i] & 1)
			wl = (size_t)snprintf(want, 4200, "<%s>", vals[i]);
		else
			wl = (size_t)snprintf(want, 4200, "%s", vals[i]);
		if (gl == wl && memcmp(got, want, wl) == 0)
			continue;
		/* Shortened: a prefix of the value, "...", and the closing bracket. */
		{
			size_t tail = ((kinds[i] & 3) == 1) ? 1 : 0, pre;

			if (gl < 3 + tail || memcmp(got + gl - 3 - tail, "...", 3) != 0)
				fail("value does not round-trip", line);
			pre = gl - 3 - tail;
			if (pre >= wl - tail || memcmp(got, want, pre) != 0 ||
			    (tail && got[gl - 1] != '>'))
				fail("shortened value is not a prefix of the input", line);
			if (rg_log_escape(vals[i], NULL, 0) < 1021)
				fail("value shortened although it fits", line);
		}
	}
	if (i < nv && strstr(line, "truncated=...") == NULL)
		fail("pairs dropped without truncated=...", line);

	for (i = 0; i < nv && i < 4; i++)
		check_escape(vals[i]);
	free(want);
	free(got);
	free(kv);
	free(copy);
	return 0;
}
