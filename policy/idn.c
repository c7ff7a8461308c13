/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * idn.c - domain names to A-labels with libidn2.
 *
 * Of UTS #46's mapping, only what a postmaster would call "the same
 * name" is applied to addresses: case folding and NFC.  What the full
 * mapping would also do (drop invisible characters, fold full-width and
 * other compatibility forms) is left to IDNA2008, which refuses them, so
 * "b<U+200B>ücher.example" or a full-width look-alike is never one of
 * our domains, whatever an MTA without IDN support would do with it.
 */
#include <idn2.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "idn.h"
#include "common/strutil.h"

/*
 * Decode one UTF-8 sequence at s; 0 on malformed input.  Overlong forms
 * ("\xc0\x80" for NUL), surrogates and code points past U+10FFFF are
 * malformed: re-encoded, an overlong NUL would cut the name short and
 * make "u@ours.example\xc0\x80" local.
 */
static size_t
utf8_decode(const unsigned char *s, unsigned *cp_r)
{
	static const unsigned least[] = { 0, 0x80, 0x800, 0x10000 };
	unsigned cp, need;

	if (s[0] < 0x80) {
		*cp_r = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		cp = s[0] & 0x1f, need = 1;
	else if ((s[0] & 0xf0) == 0xe0)
		cp = s[0] & 0x0f, need = 2;
	else if ((s[0] & 0xf8) == 0xf0)
		cp = s[0] & 0x07, need = 3;
	else
		return 0;
	for (unsigned i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < least[need] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*cp_r = cp;
	return need + 1;
}

static size_t
utf8_encode(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static locale_t utf8;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void
utf8_init(void)
{
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/*
 * Unicode lower case, whatever the process's locale (the daemon runs in
 * "C").  Without C.UTF-8 only ASCII is folded, and an upper-case U-label
 * then fails IDNA2008: refused, never wrongly local.
 */
static bool
fold_case(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	pthread_once(&utf8_once, utf8_init);
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		unsigned cp;
		size_t k = utf8_decode(p, &cp);

		if (k == 0 || n + 5 > outlen)
			return false;
		if (utf8 != (locale_t)0)
			cp = (unsigned)towlower_l((wint_t)cp, utf8);
		else if (cp < 0x80 && cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		n += utf8_encode(cp, out + n);
		p += k;
	}
	out[n] = '\0';
	return true;
}

enum rg_idn
rg_idn_to_ascii(const char *in, bool strict, char *out, size_t outlen, const char **why)
{
	char folded[4 * 256 + 8], *ascii = NULL;
	bool eight_bit = false;
	int rc;

	for (const char *p = in; *p; p++)
		if ((unsigned char)*p >= 0x80)
			eight_bit = true;
	if (!eight_bit)
		return RG_IDN_ASCII;
	if (!strict) {
		if (!fold_case(in, folded, sizeof(folded))) {
			if (why != NULL)
				*why = "not UTF-8, or too long";
			return RG_IDN_INVALID;
		}
		in = folded;
	}
	rc = idn2_lookup_u8((const uint8_t *)in, (uint8_t **)&ascii, IDN2_NFC_INPUT | IDN2_NO_TR46);
	if (rc != IDN2_OK) {
		if (why != NULL)
			*why = idn2_strerror(rc);
		return RG_IDN_INVALID;
	}
	rg_lower(ascii);
	if (!rg_strcpy(out, outlen, ascii)) {
		if (why != NULL)
			*why = "its A-label form is too long";
		idn2_free(ascii);
		return RG_IDN_INVALID;
	}
	idn2_free(ascii);
	return RG_IDN_CONVERTED;
}
