/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * answer.h - the three-way answer of a directory lookup, and what a
 * found recipient is: the words directory/ answers in and policy/
 * decides on, so that nothing translates between two copies of them.
 *
 * A leaf: types only, nothing to link.  It lives in common/ because
 * directory/ and policy/ may each include only their own layer and
 * common/.
 *
 * RG_LOOKUP_ERROR is "could not tell".  Nothing may fold it into
 * FOUND (an open relay) or NOTFOUND (a 550 for a real user); the engine
 * turns it into a tempfail unless on_error says otherwise.  A directory
 * never answers RG_LOOKUP_NONE: dir.c makes anything but the three
 * answers an error.
 */
#ifndef RG_ANSWER_H
#define RG_ANSWER_H

enum rg_lookup {
	RG_LOOKUP_NONE,		/* no lookup was needed or made (the engine's input only) */
	RG_LOOKUP_FOUND,
	RG_LOOKUP_NOTFOUND,
	RG_LOOKUP_ERROR,
};

/* What a found recipient is. */
enum rg_rcpt_kind {
	RG_KIND_MAILBOX,
	RG_KIND_FORWARD,
	RG_KIND_LIST,
};

#endif
