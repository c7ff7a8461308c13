/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * nullmilter.c - the practical limit for any libmilter filter.
 *
 * Built from the same libmilter as relayguard, listening on the same kind
 * of socket and negotiating the same protocol steps and macro lists, but
 * every callback simply continues.  The benchmark reports each relayguard
 * row as a ratio to this milter measured in the same run, so whatever
 * libmilter itself costs (a thread per connection, the socket, the
 * protocol parsing) cancels out and what is left is relayguard's own cost.
 *
 * Keep the negotiation in step with milter/mlfi.c: if relayguard asks
 * for fewer or more stages or macros, so must this file.
 *
 * Usage: nullmilter -p SOCKET [-b BACKLOG] [-N] [-l LOGFILE]
 *   -N  skip DATA (SMFIP_NODATA), as relayguard did before it took the
 *       DATA stage: what the DATA round trip costs libmilter alone
 *   -l  append one line per connect, MAIL and RCPT to LOGFILE
 *       ("connect ADDR", "mail <FROM>", "rcpt <TO>"): the end-to-end
 *       test behind a real Postfix (tests/mta/chroot.sh) uses it as the
 *       site's other milter and counts what it saw.  Not for the
 *       benchmark: the writes cost time.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Per connection, remember only whether CONNECT and HELO were negotiated
 * as no-reply: libmilter then wants SMFIS_NOREPLY from those callbacks.
 * The private pointer points into this array, so nothing is allocated.
 */
static char nr_token[4];
static int skip_data;		/* -N */
static int log_fd = -1;		/* -l */
#define NR_CONN	1
#define NR_HELO	2

static int
nr_flags(SMFICTX *ctx)
{
	char *p = smfi_getpriv(ctx);

	return p == NULL ? 0 : (int)(p - nr_token);
}

/*
 * One line per event.  A single write() to an O_APPEND descriptor keeps
 * the lines of concurrent sessions whole without a lock.  An argument
 * holding a control byte or too long for the buffer is still counted: it
 * is cut at that byte, and the line says "(cut)".
 */
static void
log_event(const char *what, const char *arg)
{
	char line[600];
	const size_t room = sizeof(line) - 8;	/* " (cut)" and '\n' fit after */
	size_t n, i;
	int cut;

	if (log_fd < 0)
		return;
	n = (size_t)snprintf(line, room, "%s %s", what, arg != NULL ? arg : "-");
	cut = n >= room;
	if (cut)
		n = room - 1;
	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			break;
	if (i < n || cut) {
		memcpy(line + i, " (cut)", 6);
		n = i + 6;
	}
	line[n++] = '\n';
	if (write(log_fd, line, n) != (ssize_t)n)
		fprintf(stderr, "nullmilter: log write: %s\n", strerror(errno));
}

static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	/* DATA is kept, as relayguard keeps it (its transaction check). */
	const unsigned long skip = SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOBODY |
	    SMFIP_NOUNKNOWN;
	int nr = 0;

	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_SETSYMLIST;
	*pf1 = f1 & (skip | SMFIP_NR_CONN | SMFIP_NR_HELO | (skip_data ? SMFIP_NODATA : 0));
	*pf2 = *pf3 = 0;
	if (*pf1 & SMFIP_NR_CONN)
		nr |= NR_CONN;
	if (*pf1 & SMFIP_NR_HELO)
		nr |= NR_HELO;
	if (smfi_setpriv(ctx, &nr_token[nr]) != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	if (*pf0 & SMFIF_SETSYMLIST) {
		/* The same lists relayguard asks for. */
		smfi_setsymlist(ctx, SMFIM_HELO, "{tls_version} {cipher}");
		smfi_setsymlist(ctx, SMFIM_ENVFROM,
		    "i {auth_type} {auth_authen} {tls_version} {cipher}");
		smfi_setsymlist(ctx, SMFIM_ENVRCPT, "i");
		if (!skip_data)
			smfi_setsymlist(ctx, SMFIM_DATA, "i");
	}
	return SMFIS_CONTINUE;
}

static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	char addr[INET6_ADDRSTRLEN] = "unknown";

	(void)host;
	if (log_fd >= 0 && sa != NULL) {
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->sin_addr, addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->sin6_addr, addr, sizeof(addr));
	}
	log_event("connect", addr);
	return (nr_flags(ctx) & NR_CONN) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
null_helo(SMFICTX *ctx, char *helo)
{
	(void)helo;
	return (nr_flags(ctx) & NR_HELO) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
null_envfrom(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	log_event("mail", argv[0]);
	return SMFIS_CONTINUE;
}

static sfsistat
null_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	log_event("rcpt", argv[0]);
	return SMFIS_CONTINUE;
}

static sfsistat
null_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
null_abort(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
null_close(SMFICTX *ctx)
{
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_SETSYMLIST,
	.xxfi_connect = null_connect,
	.xxfi_helo = null_helo,
	.xxfi_envfrom = null_envfrom,
	.xxfi_envrcpt = null_envrcpt,
	.xxfi_data = null_data,
	.xxfi_abort = null_abort,
	.xxfi_close = null_close,
	.xxfi_negotiate = null_negotiate,
};

int
main(int argc, char **argv)
{
	const char *sock = NULL, *logfile = NULL;
	int c, backlog = 0;

	while ((c = getopt(argc, argv, "p:b:Nl:")) != -1) {
		switch (c) {
		case 'p': sock = optarg; break;
		case 'b': backlog = atoi(optarg); break;
		case 'N': skip_data = 1; break;
		case 'l': logfile = optarg; break;
		default:
			fprintf(stderr, "usage: nullmilter -p SOCKET [-b BACKLOG] [-N] [-l LOGFILE]\n");
			return 2;
		}
	}
	if (sock == NULL) {
		fprintf(stderr, "usage: nullmilter -p SOCKET [-b BACKLOG] [-N] [-l LOGFILE]\n");
		return 2;
	}
	if (logfile != NULL &&
	    (log_fd = open(logfile, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		fprintf(stderr, "nullmilter: %s: %s\n", logfile, strerror(errno));
		return 1;
	}
	if (smfi_setconn((char *)sock) != MI_SUCCESS ||
	    (backlog > 0 && smfi_setbacklog(backlog) != MI_SUCCESS) ||
	    smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot open %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
