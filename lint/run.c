/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * run.c - fork/exec a helper with a deadline and bounded output.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lint.h"
#include "run.h"
#include "common/clock.h"
#include "common/strutil.h"

#define MAXERR 4096

bool
rg_run_find(const char *name, char *path_r, size_t len)
{
	const char *env = getenv("PATH");
	char *dirs, *save = NULL;
	bool found = false;

	if (asprintf(&dirs, "%s:/usr/sbin:/sbin:/usr/local/sbin", env ? env : "/usr/bin:/bin") < 0)
		return false;
	for (char *d = strtok_r(dirs, ":", &save); d != NULL && !found;
	    d = strtok_r(NULL, ":", &save)) {
		if (*d != '/')
			continue;	/* a relative PATH entry is the caller's directory */
		if (snprintf(path_r, len, "%s/%s", d, name) < (int)len &&
		    access(path_r, X_OK) == 0)
			found = true;
	}
	free(dirs);
	return found;
}

void
rg_lines_free(struct rg_lines *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
push(struct rg_lines *l, const char *s, size_t n)
{
	char **v = realloc(l->v, (size_t)(l->n + 1) * sizeof(*v));
	char *c = malloc(n + 1);

	if (v == NULL || c == NULL)
		abort();
	memcpy(c, s, n);
	c[n] = '\0';
	l->v = v;
	l->v[l->n++] = c;
}

bool
rg_split_lines(const char *buf, size_t n, bool join, struct rg_lines *out,
    int **firstno_r, char *err, size_t errlen)
{
	char *cur = malloc(RG_LINT_MAXLINE + 1);
	int *first = NULL, lineno = 0, curfirst = 0;
	size_t curlen = 0, i = 0;
	bool have = false, ok = true;

	if (cur == NULL)
		abort();
	memset(out, 0, sizeof(*out));
	while (i < n && ok) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;
		const char *s = buf + i;

		lineno++;
		i += len + (nl != NULL);
		if (memchr(s, '\0', len) != NULL) {
			snprintf(err, errlen, "line %d holds a NUL byte", lineno);
			ok = false;
			break;
		}
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (join && have && len > 0 && (s[0] == ' ' || s[0] == '\t')) {
			if (curlen + len > RG_LINT_MAXLINE) {
				snprintf(err, errlen, "line %d is longer than %d bytes",
				    curfirst, RG_LINT_MAXLINE);
				ok = false;
				break;
			}
			memcpy(cur + curlen, s, len);
			curlen += len;
			continue;
		}
		if (have) {
			push(out, cur, curlen);
			first = realloc(first, (size_t)out->n * sizeof(*first));
			if (first == NULL)
				abort();
			first[out->n - 1] = curfirst;
		}
		if (len > RG_LINT_MAXLINE) {
			snprintf(err, errlen, "line %d is longer than %d bytes", lineno,
			    RG_LINT_MAXLINE);
			ok = false;
			have = false;
			break;
		}
		memcpy(cur, s, len);
		curlen = len;
		curfirst = lineno;
		have = true;
	}
	if (ok && have) {
		push(out, cur, curlen);
		first = realloc(first, (size_t)out->n * sizeof(*first));
		if (first == NULL)
			abort();
		first[out->n - 1] = curfirst;
	}
	free(cur);
	if (!ok) {
		rg_lines_free(out);
		free(first);
		first = NULL;
	}
	if (firstno_r != NULL)
		*firstno_r = first;
	else
		free(first);
	return ok;
}

/* Copy helper stderr lines after the first to ours, escaped. */
static void
relay_stderr(const char *name, const char *buf, size_t n, size_t skip)
{
	size_t i = skip;

	while (i < n) {
		const char *nl = memchr(buf + i, '\n', n - i);
		size_t len = nl ? (size_t)(nl - (buf + i)) : n - i;

		if (len > 0) {
			fprintf(stderr, "relayguard: %s said: ", name);
			for (size_t k = 0; k < len; k++) {
				unsigned char c = (unsigned char)buf[i + k];

				if (c < 0x20 || c >= 0x7f)
					fprintf(stderr, "\\x%02x", c);
				else
					fputc(c, stderr);
			}
			fputc('\n', stderr);
		}
		i += len + 1;
	}
}

bool
rg_run_lines(char *const argv[], double timeout, struct rg_lines *lines_r, char *err,
    size_t errlen)
{
	int out[2], errp[2], status = 0, open_fds = 2;
	char *obuf = malloc(RG_RUN_MAXOUT), ebuf[MAXERR], firsterr[256] = "";
	size_t on = 0, en = 0, firstlen;
	double deadline = rg_clock_monotonic() + timeout;
	bool ok = false, timedout = false, toobig = false;
	pid_t pid;

	memset(lines_r, 0, sizeof(*lines_r));
	if (obuf == NULL)
		abort();
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(obuf);
		return false;
	}
	if ((pid = fork()) < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		free(obuf);
		return false;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(errp[1], 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(errp[1]);
	while (open_fds > 0) {
		struct pollfd p[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
		double left = deadline - rg_clock_monotonic();
		int r;

		if (out[0] < 0)
			p[0].fd = -1;
		if (errp[0] < 0)
			p[1].fd = -1;
		if (left <= 0) {
			timedout = true;
			break;
		}
		r = poll(p, 2, (int)(left * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		for (int k = 0; k < 2; k++) {
			char tmp[8192];
			ssize_t got;
			int *fd = k == 0 ? &out[0] : &errp[0];

			if (*fd < 0 || !(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(*fd, tmp, sizeof(tmp));
			if (got <= 0) {
				close(*fd);
				*fd = -1;
				open_fds--;
				continue;
			}
			if (k == 0) {
				if (on + (size_t)got > RG_RUN_MAXOUT) {
					toobig = true;
					open_fds = 0;
					break;
				}
				memcpy(obuf + on, tmp, (size_t)got);
				on += (size_t)got;
			} else {
				size_t take = (size_t)got < MAXERR - en ? (size_t)got : MAXERR - en;

				memcpy(ebuf + en, tmp, take);
				en += take;
			}
		}
	}
	if (timedout || toobig)
		kill(pid, SIGKILL);
	if (out[0] >= 0)
		close(out[0]);
	if (errp[0] >= 0)
		close(errp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* The first stderr line explains a failure; the rest are warnings. */
	firstlen = en;
	if (memchr(ebuf, '\n', en) != NULL)
		firstlen = (size_t)((char *)memchr(ebuf, '\n', en) - ebuf);
	snprintf(firsterr, sizeof(firsterr), "%.*s", (int)(firstlen < 200 ? firstlen : 200), ebuf);
	for (char *c = firsterr; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	if (timedout)
		snprintf(err, errlen, "no answer within %.0f s", timeout);
	else if (toobig)
		snprintf(err, errlen, "printed more than %d bytes", RG_RUN_MAXOUT);
	else if (WIFSIGNALED(status))
		snprintf(err, errlen, "killed by signal %d%s%s", WTERMSIG(status),
		    *firsterr ? ": " : "", firsterr);
	else if (WEXITSTATUS(status) != 0)
		snprintf(err, errlen, "exit %d%s%s", WEXITSTATUS(status), *firsterr ? ": " : "",
		    firsterr);
	else if (rg_split_lines(obuf, on, false, lines_r, NULL, err, errlen)) {
		ok = true;
		relay_stderr(argv[0], ebuf, en, 0);
	}
	free(obuf);
	return ok;
}
