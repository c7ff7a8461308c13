/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * control_client.c - relayguard -S: one request to the control socket,
 * the answer to stdout.
 *
 * The socket is --control PATH, or control.socket of the configuration
 * (-c, or the default file), read the way the daemon reads it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <unistd.h>

#include "control.h"
#include "common/strutil.h"
#include "conf/conf.h"
#include "conf/conf_control.h"

/* How long the client waits for the daemon: longer than its own timeout. */
#define CLIENT_TIMEOUT_SECS	5

static int
usage(void)
{
	fputs("usage: relayguard -S [-c FILE] [--control PATH] [--prometheus]\n", stderr);
	return EX_USAGE;
}

/*
 * control.socket of 'config', or NULL (the reason printed) when there is
 * none.  Only the control group is read: an operator in the daemon's
 * group may ask without being able to read its password files.
 */
static char *
configured_socket(const char *config)
{
	struct rg_errs errs = { 0 };
	char *path = NULL;
	bool ok = rg_conf_control_socket(config, &errs, &path);

	for (int i = 0; i < errs.count; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	rg_errs_free(&errs);
	if (!ok) {
		fprintf(stderr, "relayguard -S: %s has errors; name the socket with --control PATH\n",
		    config);
		return NULL;
	}
	if (path == NULL)
		fprintf(stderr, "relayguard -S: control.socket is off (\"\") in %s\n", config);
	return path;
}

static int
ask(const char *path, const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_SECS };
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;
	int fd;

	if (!rg_strcpy(sa.sun_path, sizeof(sa.sun_path), path)) {
		fprintf(stderr, "relayguard -S: %s: path too long for a unix socket\n", path);
		return EX_USAGE;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
		fprintf(stderr, "relayguard -S: socket: %s\n", strerror(errno));
		return EX_OSERR;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "relayguard -S: cannot connect to %s: %s (is relayguard running, "
		    "and may you use its socket?)\n", path, strerror(errno));
		close(fd);
		return EX_UNAVAILABLE;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		fprintf(stderr, "relayguard -S: %s: %s\n", path, strerror(errno));
		close(fd);
		return EX_IOERR;
	}
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return EX_OSERR;
	}
	for (;;) {
		if (len == cap) {
			char *b = cap < RG_CONTROL_ANSWER_MAX ? realloc(buf, cap * 2) : NULL;

			if (b == NULL) {
				fprintf(stderr, "relayguard -S: answer longer than %d bytes\n",
				    RG_CONTROL_ANSWER_MAX);
				free(buf);
				close(fd);
				return EX_PROTOCOL;
			}
			buf = b;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		fprintf(stderr, "relayguard -S: %s: %s\n", path,
		    errno == EAGAIN ? "no answer in time" : strerror(errno));
		free(buf);
		return EX_UNAVAILABLE;
	}
	if (len == 0 || (len >= 7 && memcmp(buf, "error: ", 7) == 0)) {
		fprintf(stderr, "relayguard -S: %s: %.*s%s", path, (int)len, buf,
		    len == 0 ? "empty answer\n" : "");
		free(buf);
		return EX_PROTOCOL;
	}
	fwrite(buf, 1, len, stdout);
	free(buf);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : EX_IOERR;
}

int
rg_control_client(const char *config, int argc, char **argv)
{
	const char *control = NULL, *req = "stats\n";
	char *path;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--prometheus") == 0)
			req = "prometheus\n";
		else if (strcmp(argv[i], "--control") == 0 && i + 1 < argc)
			control = argv[++i];
		else if (strncmp(argv[i], "--control=", 10) == 0)
			control = argv[i] + 10;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			config = argv[++i];
		else
			return usage();
	}
	if (control != NULL)
		return ask(control, req);
	if ((path = configured_socket(config != NULL ? config : rg_config_default_path())) == NULL)
		return EX_CONFIG;
	rc = ask(path, req);
	free(path);
	return rc;
}
