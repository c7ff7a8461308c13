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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "common/log.h"
#include "common/strutil.h"
#include "conf/conf.h"

#define EX_CONFIG 78
#define EX_OSERR 71

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

static void
pidfile_remove(void)
{
	if (pidfile_path != NULL)
		unlink(pidfile_path);
}

void
rg_daemon_pidfile(const char *path)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		rg_fatal(EX_OSERR, "pid file %s: %s", path, strerror(errno));
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0)
		rg_fatal(EX_OSERR, "pid file %s: %s", path, strerror(errno));
	pidfile_path = rg_xstrdup(path);
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
		return false;
	}
	if ((old = rg_config_current()) != NULL) {
		if (strcmp(old->socket, cfg->socket) != 0)
			rg_log(RG_LOG_WARNING, "reload: socket changes take effect only on restart");
		if (strcmp(old->facility, cfg->facility) != 0)
			rg_log_set_facility(cfg->facility);
		rg_config_release(&old);
	}
	rg_config_install(cfg);
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
		if (sigwait(&set, &sig) != 0)
			continue;
		(void)rg_daemon_reload(path);
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
