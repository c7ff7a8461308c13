/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * sock.h - milter socket names, as relayguard (libmilter), Sendmail and
 * Postfix write them, reduced to one form that can be compared.
 *
 * libmilter and Sendmail:  unix:/path  local:/path  inet:PORT@HOST  inet6:PORT@HOST
 * Postfix:                 unix:path   local:path   inet:HOST:PORT  inet:[HOST]:PORT
 *
 * Pure functions; no name service lookups ("localhost" is taken to be
 * the loopback address), no file system access.
 */
#ifndef RG_LINT_SOCK_H
#define RG_LINT_SOCK_H

#include <stdbool.h>
#include <stddef.h>

enum rg_sock_kind { RG_SOCK_UNIX, RG_SOCK_INET };

struct rg_sock {
	enum rg_sock_kind kind;
	char path[512];		/* RG_SOCK_UNIX: as written (may be relative) */
	char host[256];		/* RG_SOCK_INET: "" for any address */
	unsigned port;
};

/* Parse the libmilter/Sendmail form; false when it is not one. */
bool	rg_sock_parse_milter(const char *spec, struct rg_sock *sock_r);

/* Parse the Postfix form; false when it is not one. */
bool	rg_sock_parse_postfix(const char *spec, struct rg_sock *sock_r);

/*
 * Does a client connecting to 'to' reach a server listening on
 * 'listen'?  Unix paths must be equal (both absolute); inet ports equal
 * and hosts equal, both loopback, or the listener bound to any address.
 */
bool	rg_sock_reaches(const struct rg_sock *to, const struct rg_sock *listen);

/* True for 127/8, ::1, localhost and their bracketed forms. */
bool	rg_sock_loopback(const char *host);

/* The Postfix spelling of 'sock' into buf (unix paths as they are). */
void	rg_sock_postfix_name(const struct rg_sock *sock, char *buf, size_t len);

#endif
