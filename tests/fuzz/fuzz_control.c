/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_control.c - libFuzzer harness: the control socket's request parser
 * (rg_control_parse, milter/control_parse.c), fed the way control.c feeds
 * it, then the answer a valid request gets (rg_stats_render).
 *
 * Input: byte 0 picks the size of each read (1 to 16 bytes, or all that
 * fits when it is 0), the rest is what the client sends; the client then
 * closes (EOF).  As in control.c, at most RG_CONTROL_REQUEST_MAX bytes are
 * read, the parser is asked after every read, and the first verdict other
 * than "read on" ends the exchange.
 *
 * Oracles, from the protocol in control.h and relayguard(8), CONTROL
 * SOCKET, not from the parser:
 *  - a request is accepted only when the bytes read are exactly "stats"
 *    or "prometheus", an optional '\r', then '\n', and nothing after it,
 *    and the format is the one named;
 *  - anything else gets exactly the error line the page gives for it
 *    (unknown request, one request per connection, too long, incomplete),
 *    one line starting "error: " and ending in its only '\n';
 *  - "read on" only while no newline came, the buffer is not full and the
 *    client has not closed;
 *  - the answer to an accepted request is non-empty, at most
 *    RG_CONTROL_ANSWER_MAX bytes, has no NUL and ends in '\n'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/control.h"
#include "milter/control_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fail(const char *what, const char *in, size_t len)
{
	fprintf(stderr, "ORACLE: %s\ninput (%zu bytes): [", what, len);
	for (size_t i = 0; i < len; i++)
		fprintf(stderr, (in[i] >= 0x20 && in[i] < 0x7f) ? "%c" : "\\x%02x",
		    (unsigned char)in[i]);
	fprintf(stderr, "]\n");
	abort();
}

/* The verdict the protocol gives these bytes; NULL error: accepted. */
static enum rg_control_verdict
expected(const char *in, size_t len, size_t cap, bool eof, enum rg_stats_format *fmt,
    const char **err)
{
	size_t i, n;

	for (i = 0; i < len && in[i] != '\n'; i++)
		;
	if (i == len) {
		if (eof) {
			*err = "error: incomplete request (no newline)\n";
			return RG_CONTROL_ERROR;
		}
		if (len == cap) {
			*err = "error: request too long\n";
			return RG_CONTROL_ERROR;
		}
		return RG_CONTROL_MORE;
	}
	n = i;
	if (n > 0 && in[n - 1] == '\r')
		n--;
	if (n == strlen("stats") && strncmp(in, "stats", n) == 0)
		*fmt = RG_STATS_TEXT;
	else if (n == strlen("prometheus") && strncmp(in, "prometheus", n) == 0)
		*fmt = RG_STATS_PROMETHEUS;
	else {
		*err = "error: unknown request (send \"stats\" or \"prometheus\")\n";
		return RG_CONTROL_ERROR;
	}
	if (i + 1 != len) {
		*err = "error: one request per connection\n";
		return RG_CONTROL_ERROR;
	}
	return RG_CONTROL_REQUEST;
}

static void
check_answer(enum rg_stats_format fmt, const char *in, size_t len)
{
	size_t alen;
	char *text = rg_stats_render(fmt, &alen);

	if (text == NULL)
		fail("rg_stats_render returned NULL", in, len);
	if (alen == 0 || alen > RG_CONTROL_ANSWER_MAX || text[alen - 1] != '\n' ||
	    memchr(text, '\0', alen) != NULL || text[alen] != '\0')
		fail("the answer is empty, too long, holds a NUL or does not end in a newline",
		    in, len);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[RG_CONTROL_REQUEST_MAX];
	const char *src;
	size_t chunk, off = 0, inlen = 0, left;

	if (size < 1)
		return 0;
	chunk = data[0] % 17;
	src = (const char *)data + 1;
	left = size - 1;
	for (;;) {
		enum rg_stats_format fmt = RG_STATS_TEXT, wfmt = RG_STATS_TEXT;
		const char *err = NULL, *werr = NULL;
		enum rg_control_verdict v, want;
		bool eof = false;
		size_t n = sizeof(buf) - inlen;

		if (chunk != 0 && n > chunk)
			n = chunk;
		if (n > left - off)
			n = left - off;
		if (n == 0) {
			/* The client closed: control.c answers only if it sent something. */
			if (inlen == 0)
				return 0;
			eof = true;
		}
		memcpy(buf + inlen, src + off, n);
		inlen += n;
		off += n;
		v = rg_control_parse(buf, inlen, sizeof(buf), eof, &fmt, &err);
		want = expected(buf, inlen, sizeof(buf), eof, &wfmt, &werr);
		if (v != want)
			fail(v == RG_CONTROL_REQUEST ? "accepted, the protocol refuses it" :
			    v == RG_CONTROL_MORE ? "reads on, the protocol has decided" :
			    "refused, the protocol decides otherwise", buf, inlen);
		if (v == RG_CONTROL_MORE) {
			if (eof)
				fail("reads on after EOF", buf, inlen);
			continue;
		}
		if (v == RG_CONTROL_ERROR) {
			size_t el = strlen(err);

			if (strcmp(err, werr) != 0)
				fail("the wrong error line", buf, inlen);
			if (strncmp(err, "error: ", 7) != 0 || el > 80 || err[el - 1] != '\n' ||
			    memchr(err, '\n', el - 1) != NULL)
				fail("an error answer that is not one \"error: \" line", buf, inlen);
			return 0;
		}
		if (fmt != wfmt)
			fail("accepted as the wrong format", buf, inlen);
		check_answer(fmt, buf, inlen);
		return 0;
	}
}
