/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * idn.h - one form for internationalized domain names.
 *
 * A U-label ("bücher") and its A-label ("xn--bcher-kva") name the same
 * domain.  relayguard compares and looks up domains in A-label form,
 * converted with libidn2 under IDNA2008.  Of UTS #46's mapping only case
 * folding and NFC apply (to addresses; names in the config must already
 * be lower case): invisible and compatibility characters make a name
 * invalid.  A name that cannot be converted never matches anything.
 * Thread-safe (the case-folding locale is made once).
 */
#ifndef RG_IDN_H
#define RG_IDN_H

#include <stdbool.h>
#include <stddef.h>

enum rg_idn {
	RG_IDN_ASCII,		/* nothing to convert: 'in' is ASCII */
	RG_IDN_CONVERTED,	/* 'out' holds the lower-case A-label form */
	RG_IDN_INVALID,		/* not a valid IDN; 'out' untouched */
};

/*
 * Convert 'in' (a domain, no brackets, no trailing dot) to A-labels.
 * 'strict' (for names the postmaster writes): no case folding either.
 * Otherwise (addresses as clients send them) Unicode case is folded
 * first.  'why' (may be NULL) gets the reason on
 * RG_IDN_INVALID; a result that does not fit 'outlen' is RG_IDN_INVALID
 * too, never truncated.
 */
enum rg_idn rg_idn_to_ascii(const char *in, bool strict, char *out, size_t outlen,
	    const char **why);

#endif
