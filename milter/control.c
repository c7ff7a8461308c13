/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * control.c - the control socket's server: one thread, one poll() loop.
 *
 * Each client is a small state machine with one deadline for the whole
 * exchange: read one line, then write the whole answer, then close.
 * Every socket is non-blocking, so no client can hold the loop.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control_parse.h"
#include "budget/budget.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/stats.h"
#include "common/strutil.h"
#include "conf/conf.h"

_Static_assert(sizeof(((struct sockaddr_un *)0)->sun_path) > RG_CONTROL_PATH_MAX,
    "RG_CONTROL_PATH_MAX must fit a sockaddr_un");

struct client {
	int fd;			/* -1: a free slot */
	double deadline;
	char in[RG_CONTROL_REQUEST_MAX];
	size_t inlen;
	char *out;		/* the answer; NULL while reading */
	size_t outlen, outoff;
	bool out_owned;		/* out is malloc'd (not a constant error line) */
};

static int listen_fd = -1;
static struct client clients[RG_CONTROL_CLIENTS];
static char *sock_path;
static dev_t sock_dev;
static ino_t sock_ino;
static pid_t sock_owner;

static void
client_close(struct client *c)
{
	close(c->fd);
	if (c->out_owned)
		free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
answer(struct client *c, char *text, size_t len, bool owned)
{
	c->out = text;
	c->outlen = len;
	c->outoff = 0;
	c->out_owned = owned;
	/* Whatever else the client sends now is not read. */
	shutdown(c->fd, SHUT_RD);
}

static void
answer_error(struct client *c, const char *line)
{
	rg_log(RG_LOG_DEBUG, "control: refused a request: %s", line);
	answer(c, (char *)line, strlen(line), false);
}

/*
 * The budgets of the snapshot in force, for the counters' budget lines:
 * read here, when someone asks, so that the RCPT path records nothing.
 */
static void
note_budgets(void)
{
	struct rg_config *cfg = rg_config_current();
	const struct rg_budget *b = cfg != NULL ? rg_config_budget(cfg) : NULL;

	if (b == NULL)
		rg_stats_budgets_in_force("off", NULL, 0);
	else
		rg_stats_budgets_in_force(rg_budget_mode_name(rg_budget_mode(b)),
		    rg_budget_store_name(b), rg_budget_local_logins(b));
	rg_config_release(&cfg);
}

/* What the client sent so far, judged: read on, refuse, or answer. */
static void
request(struct client *c, bool eof)
{
	enum rg_stats_format fmt;
	const char *err;
	char *text;
	size_t len;

	switch (rg_control_parse(c->in, c->inlen, sizeof(c->in), eof, &fmt, &err)) {
	case RG_CONTROL_MORE:
		return;
	case RG_CONTROL_ERROR:
		answer_error(c, err);
		return;
	case RG_CONTROL_REQUEST:
		break;
	}
	note_budgets();
	if ((text = rg_stats_render(fmt, &len)) == NULL) {
		answer_error(c, "error: out of memory\n");
		return;
	}
	answer(c, text, len, true);
}

static void
client_read(struct client *c)
{
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* EOF before a newline: nothing sensible to answer, but say so. */
		if (n == 0 && c->inlen > 0)
			request(c, true);
		else
			client_close(c);
		return;
	}
	c->inlen += (size_t)n;
	request(c, false);
}

static void
client_write(struct client *c)
{
	ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(c);
		return;
	}
	c->outoff += (size_t)n;
	if (c->outoff == c->outlen)
		client_close(c);
}

static void
accept_one(double t)
{
	static const char busy[] = "error: busy, try again\n";
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < RG_CONTROL_CLIENTS; i++) {
		if (clients[i].fd >= 0)
			continue;
		clients[i].fd = fd;
		clients[i].deadline = t + RG_CONTROL_TIMEOUT;
		return;
	}
	/* Best effort: a non-blocking send of one short line. */
	if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL) < 0)
		rg_log(RG_LOG_DEBUG, "control: busy reply: %s", strerror(errno));
	close(fd);
}

static void *
serve(void *arg)
{
	struct pollfd pfd[RG_CONTROL_CLIENTS + 1];
	int map[RG_CONTROL_CLIENTS + 1];

	(void)arg;
	for (;;) {
		double t = rg_clock_monotonic(), next = t + 60;
		int n = 1, ms;

		pfd[0].fd = listen_fd;
		pfd[0].events = POLLIN;
		for (int i = 0; i < RG_CONTROL_CLIENTS; i++) {
			struct client *c = &clients[i];

			if (c->fd < 0)
				continue;
			if (t >= c->deadline) {
				/* Silent or not reading: one line, if it fits, then gone. */
				if (c->out == NULL && send(c->fd, "error: timeout\n", 15,
				    MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
					rg_log(RG_LOG_DEBUG, "control: timeout reply: %s",
					    strerror(errno));
				client_close(c);
				continue;
			}
			if (c->deadline < next)
				next = c->deadline;
			pfd[n].fd = c->fd;
			pfd[n].events = c->out == NULL ? POLLIN : POLLOUT;
			map[n++] = i;
		}
		ms = (int)((next - t) * 1000) + 1;
		if (poll(pfd, (nfds_t)n, ms) < 0) {
			if (errno != EINTR)
				rg_log(RG_LOG_ERROR, "control: poll: %s", strerror(errno));
			continue;
		}
		t = rg_clock_monotonic();
		for (int k = 1; k < n; k++) {
			struct client *c = &clients[map[k]];

			if (pfd[k].revents == 0 || c->fd < 0)
				continue;
			if (c->out == NULL)
				client_read(c);
			else
				client_write(c);
		}
		if (pfd[0].revents & POLLIN)
			accept_one(t);
	}
	return NULL;
}

/* Remove the socket at exit: only ours, still at its path, from this process. */
static void
unlink_socket(void)
{
	struct stat st;

	if (sock_path == NULL || getpid() != sock_owner)
		return;
	if (lstat(sock_path, &st) == 0 && st.st_dev == sock_dev && st.st_ino == sock_ino)
		unlink(sock_path);
}

/*
 * Something is at 'path' already.  A socket nobody answers on was left by
 * a daemon that died: remove it.  Anything else stays, and is an error.
 */
static bool
clear_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, e;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return true;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; refusing to remove it", path);
		return false;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	e = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
	close(fd);
	if (e == 0) {
		snprintf(err, errlen, "%s: another relayguard answers there", path);
		return false;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return false;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

bool
rg_control_start(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	pthread_t t;
	mode_t old;
	int fd, rc;

	if (!rg_strcpy(sa.sun_path, sizeof(sa.sun_path), path)) {
		snprintf(err, errlen, "%s: path too long for a unix socket", path);
		return false;
	}
	if (!clear_stale(path, &sa, err, errlen))
		return false;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	/* 0660 from the start: no moment when others could connect. */
	old = umask(0117);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || chmod(path, 0660) != 0 || listen(fd, 64) != 0 ||
	    lstat(path, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (rc == 0)
			unlink(path);
		close(fd);
		return false;
	}
	for (int i = 0; i < RG_CONTROL_CLIENTS; i++)
		clients[i].fd = -1;
	listen_fd = fd;
	sock_path = rg_xstrdup(path);
	sock_dev = st.st_dev;
	sock_ino = st.st_ino;
	sock_owner = getpid();
	atexit(unlink_socket);
	if (pthread_create(&t, NULL, serve, NULL) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		return false;
	}
	pthread_detach(t);
	return true;
}
