/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * fuzz_conf.c - libFuzzer harness: policy.conf and directory.conf
 * loading (conf/), for the file and the LDAP backends.
 *
 * Input: the bytes of policy.conf, optionally followed by a NUL and the
 * bytes of directory.conf.  Both are written to a private directory
 * under $TMPDIR, and rg_config_load() reads policy.conf from there (there
 * is no from-memory loader, and the loader's checks on the file itself
 * are part of what is tested).  directory.conf is also loaded on its own
 * with rg_conf_dirfile().
 *
 * Oracles:
 *  - no crash, no leak (ASan, LeakSanitizer), no undefined behaviour;
 *  - a load returns a snapshot exactly when it reported no error;
 *  - every error reads "FILE:LINE: message", FILE an absolute path (the
 *    two files, or one they name), LINE a decimal number (0: the file
 *    as a whole) and the message not empty;
 *  - loading never touches the network: connect(2) is replaced here and
 *    aborts, so an LDAP backend that connected during load would be
 *    caught (the probe, rg_dir_probe(), is not called).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "conf/conf.h"
#include "conf/conf_dirfile.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], policy_path[300], dirconf_path[300];

/* Interposed over libc's for this executable and libldap alike. */
int
connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	fprintf(stderr, "ORACLE: connect(2) during a config load\n");
	abort();
}

static void
cleanup(void)
{
	unlink(policy_path);
	unlink(dirconf_path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/rgfuzz-conf.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_conf: mkdtemp");
		abort();
	}
	snprintf(policy_path, sizeof(policy_path), "%s/policy.conf", dir);
	snprintf(dirconf_path, sizeof(dirconf_path), "%s/directory.conf", dir);
	atexit(cleanup);
	rg_log_syslog(false);
	rg_log_stderr(false);
	return 0;
}

static void
put(const char *path, const uint8_t *p, size_t n)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || (n > 0 && fwrite(p, 1, n, fp) != n) || fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

static void
check_errs(const struct rg_errs *e, bool loaded, const char *what)
{
	if (loaded != (e->count == 0)) {
		fprintf(stderr, "ORACLE: %s: %s with %d errors\n", what,
		    loaded ? "loaded" : "refused", e->count);
		for (int i = 0; i < e->count; i++)
			fprintf(stderr, "  %s\n", e->msgs[i]);
		abort();
	}
	for (int i = 0; i < e->count; i++) {
		const char *m = e->msgs[i], *c;
		bool ok = false;

		/*
		 * FILE is absolute (relative names resolve against the config's
		 * directory) and may itself hold ':' or blanks, so take the first
		 * ":LINE: " after it.  LINE 0 is the file as a whole (missing,
		 * unreadable), as tests/unit/test_conf.c expects.
		 */
		for (c = strchr(m, ':'); m[0] == '/' && c != NULL && !ok; c = strchr(c + 1, ':')) {
			const char *q = c + 1;

			while (*q >= '0' && *q <= '9')
				q++;
			ok = q > c + 1 && q[0] == ':' && q[1] == ' ' && q[2] != '\0';
		}
		if (!ok) {
			fprintf(stderr, "ORACLE: %s: error without FILE:LINE: [%s]\n", what, m);
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t pl = nul ? (size_t)(nul - data) : size;
	struct rg_errs e = { 0 };
	struct rg_config *c;

	if (size > 65536)
		return 0;
	put(policy_path, data, pl);
	if (nul != NULL)
		put(dirconf_path, nul + 1, size - pl - 1);
	else
		unlink(dirconf_path);

	c = rg_config_load(policy_path, &e);
	check_errs(&e, c != NULL, "rg_config_load");
	if (c != NULL && (rg_config_policy(c) == NULL || rg_config_dir(c) == NULL)) {
		fprintf(stderr, "ORACLE: a loaded snapshot without policy or directory\n");
		abort();
	}
	rg_config_release(&c);
	rg_errs_free(&e);

	if (nul != NULL) {
		struct rg_dir *d = rg_conf_dirfile(&e, dirconf_path);

		check_errs(&e, d != NULL, "rg_conf_dirfile");
		rg_dir_destroy(&d);
		rg_errs_free(&e);
	}
	return 0;
}
