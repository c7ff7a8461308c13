/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * daemon.c - process plumbing for the milter.
 *
 * libmilter owns SIGHUP, SIGTERM and SIGINT (smfi_main waits for them
 * in its own thread), so reload uses SIGUSR1, handled synchronously by
 * a dedicated sigwait() thread: no async-signal-safety games.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "control.h"
#include "notify.h"
#include "common/log.h"
#include "common/stats.h"
#include "common/strutil.h"
#include "conf/conf.h"

static char *pidfile_path;

void
rg_daemon_detach(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		rg_fatal(EX_OSERR, "fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		rg_fatal(EX_OSERR, "setsid: %s", strerror(errno));
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") != 0)
		rg_log(RG_LOG_WARNING, "chdir /: %s", strerror(errno));
}

/*
 * The pid file.  It is opened as root, so it must not follow a symlink
 * someone planted at its path, and it is locked for as long as we run:
 * a second instance with the same -P finds the lock and stops before it
 * writes anything.  The lock is taken before detaching (the child
 * inherits it with the open file), so the refusal reaches the terminal.
 */
static int pidfile_fd = -1;
static char *pidfile_path;
static pid_t pidfile_owner;

/* Before detaching, stderr is the terminal even in daemon mode. */
static void __attribute__((noreturn, format(printf, 2, 3)))
pidfile_fatal(int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rg_log_stderr(true);
	rg_fatal(status, "%s", msg);
}

void
rg_daemon_pidfile_lock(const char *path)
{
	struct stat st;
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ELOOP)
		pidfile_fatal(EX_CANTCREAT, "pid file %s is a symbolic link; refusing to "
		    "follow it", path);
	if (fd < 0)
		pidfile_fatal(EX_CANTCREAT, "pid file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		pidfile_fatal(EX_CANTCREAT, "pid file %s is not a regular file", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK)
			pidfile_fatal(EX_CANTCREAT, "pid file %s: cannot lock: %s", path,
			    strerror(errno));
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		pidfile_fatal(EX_UNAVAILABLE, "pid file %s is locked by another relayguard "
		    "(pid %s); refusing to start a second instance", path,
		    buf[0] != '\0' ? buf : "unknown");
	}
	pidfile_fd = fd;
	pidfile_path = rg_xstrdup(path);
}

/* Unlink only the file we wrote: by this process, still at its path. */
static void
pidfile_remove(void)
{
	struct stat ours, there;

	if (pidfile_fd < 0 || getpid() != pidfile_owner)
		return;
	if (fstat(pidfile_fd, &ours) == 0 && lstat(pidfile_path, &there) == 0 &&
	    ours.st_dev == there.st_dev && ours.st_ino == there.st_ino)
		unlink(pidfile_path);
}

void
rg_daemon_pidfile_write(void)
{
	char buf[32];
	int len;

	if (pidfile_fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pidfile_fd, 0) != 0 || pwrite(pidfile_fd, buf, (size_t)len, 0) != len)
		rg_fatal(EX_CANTCREAT, "pid file %s: %s", pidfile_path, strerror(errno));
	/* The descriptor stays open: closing it would drop the lock. */
	pidfile_owner = getpid();
	atexit(pidfile_remove);
}

void
rg_daemon_drop(const char *spec)
{
	char user[256], *colon;
	struct passwd *pw;
	gid_t gid;

	if (!rg_strcpy(user, sizeof(user), spec))
		rg_fatal(EX_CONFIG, "-u %s: name too long", spec);
	if ((colon = strchr(user, ':')) != NULL)
		*colon++ = '\0';
	if ((pw = getpwnam(user)) == NULL)
		rg_fatal(EX_CONFIG, "-u: no such user \"%s\"", user);
	gid = pw->pw_gid;
	if (colon != NULL) {
		struct group *gr = getgrnam(colon);

		if (gr == NULL)
			rg_fatal(EX_CONFIG, "-u: no such group \"%s\"", colon);
		gid = gr->gr_gid;
	}
	if (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(pw->pw_uid) != 0)
		rg_fatal(EX_OSERR, "cannot switch to %s: %s", spec, strerror(errno));
	if (setuid(0) == 0)
		rg_fatal(EX_OSERR, "privileges were not dropped");
}

bool
rg_daemon_reload(const char *path)
{
	struct rg_errs errs = { 0 };
	struct rg_config *cfg = rg_config_load(path, &errs), *old;

	if (cfg == NULL) {
		for (int i = 0; i < errs.count; i++)
			rg_log(RG_LOG_ERROR, "reload refused: %s", errs.msgs[i]);
		rg_log(RG_LOG_ERROR, "reload refused: %d error(s); the previous policy stays in force",
		    errs.count);
		rg_errs_free(&errs);
		rg_stats_reload(false);
		return false;
	}
	if ((old = rg_config_current()) != NULL) {
		if (strcmp(rg_config_socket(old), rg_config_socket(cfg)) != 0)
			rg_log(RG_LOG_WARNING, "reload: socket changes take effect only on restart");
		if ((rg_config_control(old) == NULL) != (rg_config_control(cfg) == NULL) ||
		    (rg_config_control(old) != NULL &&
		    strcmp(rg_config_control(old), rg_config_control(cfg)) != 0))
			rg_log(RG_LOG_WARNING, "reload: control.socket changes take effect only on "
			    "restart");
		if (strcmp(rg_config_facility(old), rg_config_facility(cfg)) != 0)
			rg_log_set_facility(rg_config_facility(cfg));
		rg_config_release(&old);
	}
	for (int i = 0; i < errs.nwarns; i++)
		rg_log(RG_LOG_WARNING, "reload: %s", errs.warns[i]);
	rg_errs_free(&errs);
	rg_config_install(cfg);
	rg_stats_reload(true);
	rg_stats_policy(path, time(NULL));
	rg_log(RG_LOG_NOTICE, "reloaded %s: new connections use the new policy", path);
	return true;
}

static void *
reloader(void *arg)
{
	const char *path = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		struct rg_config *cur;
		bool ok;

		if (sigwait(&set, &sig) != 0)
			continue;
		rg_notify_reloading(path);
		ok = rg_daemon_reload(path);
		if ((cur = rg_config_current()) != NULL) {
			rg_notify_reloaded(path, rg_config_dir_backend(cur), ok);
			rg_config_release(&cur);
		}
	}
	return NULL;
}

void
rg_daemon_reloader(const char *path)
{
	static char *saved;
	pthread_t t;
	sigset_t set;

	/*
	 * Block libmilter's signals too: smfi_main() blocks them only in the
	 * threads it starts, and one left open here would take a SIGTERM
	 * with its default action and kill the daemon without a clean stop.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		rg_fatal(EX_OSERR, "cannot block signals");
	saved = rg_xstrdup(path);
	if (pthread_create(&t, NULL, reloader, saved) != 0)
		rg_fatal(EX_OSERR, "cannot start the reload thread");
	pthread_detach(t);
}

void
rg_daemon_control(const char *path, const struct rg_config *cfg)
{
	char err[256];

	rg_stats_policy(path, time(NULL));
	if (rg_config_control(cfg) == NULL) {
		rg_log(RG_LOG_INFO, "control socket off (control.socket = \"\")");
		return;
	}
	if (rg_control_start(rg_config_control(cfg), err, sizeof(err))) {
		rg_log(RG_LOG_INFO, "control socket %s: relayguard -S asks here",
		    rg_config_control(cfg));
		return;
	}
	/* Mail matters more than counters, unless the admin asked for this path. */
	if (!rg_config_control_builtin(cfg))
		rg_fatal(EX_CANTCREAT, "control.socket: %s", err);
	rg_log(RG_LOG_WARNING, "control socket: %s; relayguard -S will not answer (set "
	    "control.socket, or \"\" to turn it off)", err);
}
