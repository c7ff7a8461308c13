/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/* conf_dirscript.c - see conf_dirscript.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "conf/conf_dirscript.h"
#include "conf/conf_util.h"
#include "directory/dir_script.h"

#ifdef RG_TEST_BACKENDS

struct errs_at {
	struct rg_errs *errs;
	const char *path;
};

static void
script_error(void *arg, int line, const char *msg)
{
	const struct errs_at *at = arg;

	rg_errs_add(at->errs, at->path, line, "%s", msg);
}

/* The whole file as a string; NULL (recorded) on a read error or a NUL byte. */
static char *
slurp(struct rg_errs *errs, int fd, const char *path)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	do {
		if (len + 4096 + 1 > cap && (text = realloc(text, cap = 2 * cap + 4096 + 1)) == NULL)
			abort();
		n = read(fd, text + len, 4096);
		if (n > 0)
			len += (size_t)n;
	} while (n > 0 && len <= RG_CONF_FILE_MAX);
	text[len] = '\0';
	if (n < 0 || len > RG_CONF_FILE_MAX || strlen(text) != len) {
		rg_errs_add(errs, path, 0, n < 0 ? "cannot read the directory script" :
		    len > RG_CONF_FILE_MAX ? "the directory script is too large" :
		    "the directory script holds a NUL byte");
		free(text);
		return NULL;
	}
	return text;
}

struct rg_dir *
rg_conf_dirscript(struct rg_errs *errs, const config_setting_t *dir, const char *conffile)
{
	const config_setting_t *s = dir != NULL ? config_setting_get_member(dir, "script") : NULL;
	const char *file;
	struct errs_at at = { errs, NULL };
	struct rg_dir *d = NULL;
	char *path, *text, label[PATH_MAX + 64];
	int fd;

	if (!rg_conf_string(errs, dir, "script", NULL, &file)) {
		rg_errs_add(errs, conffile, dir != NULL ? config_setting_source_line(dir) : 0,
		    "directory backend \"script\" needs directory.script, the script's file");
		return NULL;
	}
	path = rg_conf_path(conffile, file);
	at.path = path;
	snprintf(label, sizeof(label), "directory.script \"%s\": ", path);
	fd = rg_conf_open(errs, config_setting_source_file(s), (int)config_setting_source_line(s),
	    label, path, false);
	if (fd >= 0) {
		if ((text = slurp(errs, fd, path)) != NULL)
			d = rg_dir_script_from_text(path, text, script_error, &at);
		free(text);
		close(fd);
	}
	free(path);
	return d;
}

#else

struct rg_dir *
rg_conf_dirscript(struct rg_errs *errs, const config_setting_t *dir, const char *conffile)
{
	const config_setting_t *b = dir != NULL ? config_setting_get_member(dir, "backend") : NULL;

	rg_errs_add(errs, conffile, b != NULL ? config_setting_source_line(b) : 0,
	    "directory backend \"script\" is a testing aid, built only with "
	    "./configure --enable-test-backends; use \"file\" or \"ldap\"");
	return NULL;
}

#endif
