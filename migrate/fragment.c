/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fragment.c - escaping for the fragment and for messages.
 */
#include "fragment.h"

static void
put(FILE *out, const char *s, int quote)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (quote && (*p == '"' || *p == '\\'))
			fprintf(out, "\\%c", *p);
		else if (*p >= 0x20 && *p < 0x7f)
			fputc(*p, out);
		else
			fprintf(out, "\\x%02X", *p);
	}
}

void
rg_mig_put_string(FILE *out, const char *s)
{
	fputc('"', out);
	put(out, s, 1);
	fputc('"', out);
}

void
rg_mig_put_text(FILE *out, const char *s)
{
	put(out, s, 0);
}
